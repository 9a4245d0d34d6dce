/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gpio_gpiod: GPIO lines through libgpiod 1.6 (the v1 API that Debian 12
 * ships; v2 stays behind this file).
 *
 * The active-low flag is given to the kernel, so values read and events are
 * logical.  After an edge event the line's value is read again: the value
 * the caller debounces is what the line is now, not which edge came first.
 */

#include <errno.h>
#include <gpiod.h>
#include <poll.h>

#include <glib.h>

#include "gpio.h"

struct gpio_gpiod {
	struct hal_gpio base;
	struct gpiod_chip *chip;
	char *consumer;
};

static int gpiod_backend_open(const struct hal_gpio_config *cfg, struct hal_gpio **ret_gpio)
{
	struct gpiod_chip *chip = gpiod_chip_open_lookup(cfg->chip ? cfg->chip : "gpiochip0");
	struct gpio_gpiod *g;

	if (!chip)
		return errno ? -errno : -ENOENT;
	g = g_new0(struct gpio_gpiod, 1);
	g->chip = chip;
	g->consumer = g_strdup(cfg->consumer ? cfg->consumer : "vuorod");
	*ret_gpio = &g->base;
	return 0;
}

static struct gpiod_line *gpiod_backend_line(struct gpio_gpiod *g, unsigned line)
{
	if (line >= gpiod_chip_num_lines(g->chip))
		return NULL;
	return gpiod_chip_get_line(g->chip, line);
}

static int gpiod_backend_input(struct hal_gpio *base, unsigned line, bool active_low, int *ret_fd)
{
	struct gpio_gpiod *g = (struct gpio_gpiod *)base;
	struct gpiod_line *l = gpiod_backend_line(g, line);
	int fd;

	if (!l)
		return -EINVAL;
	if (gpiod_line_request_both_edges_events_flags(
		l, g->consumer, active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0) < 0)
		return -errno;
	fd = gpiod_line_event_get_fd(l);
	if (fd < 0)
		return -errno;
	*ret_fd = fd;
	return 0;
}

static int gpiod_backend_event(struct hal_gpio *base, unsigned line, struct hal_gpio_event *ret)
{
	struct gpio_gpiod *g = (struct gpio_gpiod *)base;
	struct gpiod_line *l = gpiod_backend_line(g, line);
	struct gpiod_line_event ev;
	struct pollfd pfd;
	int v;

	if (!l)
		return -EINVAL;
	pfd = (struct pollfd){.fd = gpiod_line_event_get_fd(l), .events = POLLIN};
	if (pfd.fd < 0)
		return -EINVAL;
	if (poll(&pfd, 1, 0) <= 0)
		return -EAGAIN;
	if (gpiod_line_event_read(l, &ev) < 0)
		return -errno;
	v = gpiod_line_get_value(l);
	if (v < 0)
		return -errno;
	ret->value = v;
	ret->ts_ns = (uint64_t)ev.ts.tv_sec * 1000000000u + (uint64_t)ev.ts.tv_nsec;
	return 0;
}

static int gpiod_backend_output(struct hal_gpio *base, unsigned line, bool active_low, int initial)
{
	struct gpio_gpiod *g = (struct gpio_gpiod *)base;
	struct gpiod_line *l = gpiod_backend_line(g, line);

	if (!l)
		return -EINVAL;
	if (gpiod_line_request_output_flags(
		l, g->consumer, active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0, initial) < 0)
		return -errno;
	return 0;
}

static int gpiod_backend_set(struct hal_gpio *base, unsigned line, int value)
{
	struct gpiod_line *l = gpiod_backend_line((struct gpio_gpiod *)base, line);

	if (!l)
		return -EINVAL;
	return gpiod_line_set_value(l, value) < 0 ? -errno : 0;
}

static int gpiod_backend_get(struct hal_gpio *base, unsigned line, int *ret_value)
{
	struct gpiod_line *l = gpiod_backend_line((struct gpio_gpiod *)base, line);
	int v;

	if (!l)
		return -EINVAL;
	v = gpiod_line_get_value(l);
	if (v < 0)
		return -errno;
	*ret_value = v;
	return 0;
}

static void gpiod_backend_close(struct hal_gpio *base)
{
	struct gpio_gpiod *g = (struct gpio_gpiod *)base;

	gpiod_chip_close(g->chip); /* releases every requested line */
	g_free(g->consumer);
	g_free(g);
}

const struct hal_gpio_ops hal_gpio_gpiod_ops = {
    .name = "gpiod",
    .open = gpiod_backend_open,
    .request_input = gpiod_backend_input,
    .read_event = gpiod_backend_event,
    .request_output = gpiod_backend_output,
    .set_value = gpiod_backend_set,
    .get_value = gpiod_backend_get,
    .close = gpiod_backend_close,
};
