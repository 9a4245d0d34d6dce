/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gpio_sim: a GPIO chip in memory — for `make run` without hardware, the
 * tests, the API and vuoroctl.
 *
 * Each requested input has an eventfd that is readable while edge events
 * wait in its queue, so the caller's main-loop watch works exactly as on a
 * real chip.  hal_gpio_sim_set_level() is the hardware side: a physical
 * level change on an input queues an event with the logical value.  Lines
 * start at level 1 for active-low inputs (a pulled-up button not pressed)
 * and 0 otherwise.
 */

#include <errno.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <glib.h>

#include "gpio.h"

struct sim_line {
	bool input, output, active_low;
	int level;     /* physical */
	int efd;       /* inputs: readable while events wait */
	GQueue events; /* of struct hal_gpio_event * */
};

struct gpio_sim {
	struct hal_gpio base;
	GMutex lock;
	unsigned n;
	struct sim_line *lines;
};

static int sim_open(const struct hal_gpio_config *cfg, struct hal_gpio **ret_gpio)
{
	struct gpio_sim *s = g_new0(struct gpio_sim, 1);

	g_mutex_init(&s->lock);
	s->n = cfg->sim_lines ? cfg->sim_lines : 64;
	s->lines = g_new0(struct sim_line, s->n);
	for (unsigned i = 0; i < s->n; i++) {
		s->lines[i].efd = -1;
		g_queue_init(&s->lines[i].events);
	}
	*ret_gpio = &s->base;
	return 0;
}

static int sim_input(struct hal_gpio *base, unsigned line, bool active_low, int *ret_fd)
{
	struct gpio_sim *s = (struct gpio_sim *)base;
	struct sim_line *l;
	int rc = 0;

	if (line >= s->n)
		return -EINVAL;
	g_mutex_lock(&s->lock);
	l = &s->lines[line];
	if (l->input || l->output) {
		rc = -EBUSY;
		goto unlock;
	}
	l->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (l->efd < 0) {
		rc = -errno;
		goto unlock;
	}
	l->input = true;
	l->active_low = active_low;
	l->level = active_low ? 1 : 0;
	*ret_fd = l->efd;
unlock:
	g_mutex_unlock(&s->lock);
	return rc;
}

static int sim_event(struct hal_gpio *base, unsigned line, struct hal_gpio_event *ret)
{
	struct gpio_sim *s = (struct gpio_sim *)base;
	struct hal_gpio_event *ev;
	uint64_t junk;
	int rc = 0;

	if (line >= s->n)
		return -EINVAL;
	g_mutex_lock(&s->lock);
	ev = g_queue_pop_head(&s->lines[line].events);
	if (!ev)
		rc = -EAGAIN;
	else
		*ret = *ev;
	if (g_queue_is_empty(&s->lines[line].events) && s->lines[line].efd >= 0 &&
	    read(s->lines[line].efd, &junk, sizeof(junk)) < 0 && errno != EAGAIN)
		rc = rc ? rc : -errno;
	g_mutex_unlock(&s->lock);
	g_free(ev);
	return rc;
}

static int sim_output(struct hal_gpio *base, unsigned line, bool active_low, int initial)
{
	struct gpio_sim *s = (struct gpio_sim *)base;
	int rc = 0;

	if (line >= s->n)
		return -EINVAL;
	g_mutex_lock(&s->lock);
	if (s->lines[line].input || s->lines[line].output) {
		rc = -EBUSY;
	} else {
		s->lines[line].output = true;
		s->lines[line].active_low = active_low;
		s->lines[line].level = (initial != 0) != active_low;
	}
	g_mutex_unlock(&s->lock);
	return rc;
}

static int sim_set(struct hal_gpio *base, unsigned line, int value)
{
	struct gpio_sim *s = (struct gpio_sim *)base;
	int rc = 0;

	if (line >= s->n)
		return -EINVAL;
	g_mutex_lock(&s->lock);
	if (!s->lines[line].output)
		rc = -EPERM;
	else
		s->lines[line].level = (value != 0) != s->lines[line].active_low;
	g_mutex_unlock(&s->lock);
	return rc;
}

static int sim_get(struct hal_gpio *base, unsigned line, int *ret_value)
{
	struct gpio_sim *s = (struct gpio_sim *)base;

	if (line >= s->n)
		return -EINVAL;
	g_mutex_lock(&s->lock);
	*ret_value = (s->lines[line].level != 0) != s->lines[line].active_low;
	g_mutex_unlock(&s->lock);
	return 0;
}

static void sim_close(struct hal_gpio *base)
{
	struct gpio_sim *s = (struct gpio_sim *)base;

	for (unsigned i = 0; i < s->n; i++) {
		g_queue_clear_full(&s->lines[i].events, g_free);
		if (s->lines[i].efd >= 0)
			close(s->lines[i].efd);
	}
	g_free(s->lines);
	g_mutex_clear(&s->lock);
	g_free(s);
}

const struct hal_gpio_ops hal_gpio_sim_ops = {
    .name = "sim",
    .open = sim_open,
    .request_input = sim_input,
    .read_event = sim_event,
    .request_output = sim_output,
    .set_value = sim_set,
    .get_value = sim_get,
    .close = sim_close,
};

int hal_gpio_sim_set_level(struct hal_gpio *g, unsigned line, int level)
{
	struct gpio_sim *s = (struct gpio_sim *)g;
	struct sim_line *l;
	const uint64_t one = 1;
	int rc = 0;

	if (g->ops != &hal_gpio_sim_ops)
		return -ENOTSUP;
	if (line >= s->n)
		return -EINVAL;
	g_mutex_lock(&s->lock);
	l = &s->lines[line];
	if (!l->input) {
		rc = -EPERM;
	} else if ((level != 0) != (l->level != 0)) {
		struct hal_gpio_event *ev = g_new0(struct hal_gpio_event, 1);

		l->level = level != 0;
		ev->value = l->level != l->active_low;
		ev->ts_ns = (uint64_t)g_get_monotonic_time() * 1000u;
		g_queue_push_tail(&l->events, ev);
		if (write(l->efd, &one, sizeof(one)) < 0)
			rc = -errno;
	}
	g_mutex_unlock(&s->lock);
	return rc;
}

int hal_gpio_sim_get_level(struct hal_gpio *g, unsigned line, int *ret_level)
{
	struct gpio_sim *s = (struct gpio_sim *)g;

	if (g->ops != &hal_gpio_sim_ops)
		return -ENOTSUP;
	if (line >= s->n)
		return -EINVAL;
	g_mutex_lock(&s->lock);
	*ret_level = s->lines[line].level;
	g_mutex_unlock(&s->lock);
	return 0;
}
