/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gpio: buttons, keypads, door inputs and lamps on GPIO lines of one chip.
 *
 * An input is requested for both edges and gives a file descriptor that
 * becomes readable when an edge is pending: the caller watches it on its
 * main loop (a GSource), reads the events and debounces them itself.  Values
 * are logical: an active-low line reads 1 when it is pulled low.  Outputs
 * are set and read back by value.  The real backend is libgpiod 1.6 (the
 * character device, uAPI v1); the sim backend keeps lines in memory and
 * lets tests, the API and vuoroctl press buttons and read lamps.
 *
 * Errors are -errno: -ENOENT no such chip, -EINVAL no such line, -EBUSY the
 * line is taken by another consumer, -EAGAIN no event pending.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

enum hal_gpio_backend {
	HAL_GPIO_SIM,
	HAL_GPIO_GPIOD,
};

struct hal_gpio_config {
	enum hal_gpio_backend backend;
	const char *chip;     /* gpiod: "gpiochip0", a label, a path or a number */
	const char *consumer; /* shown by gpioinfo: "vuorod" */
	unsigned sim_lines;   /* sim: lines on the chip; 0 = 64 */
};

struct hal_gpio_event {
	int value;      /* the line's logical value after the edge */
	uint64_t ts_ns; /* CLOCK_MONOTONIC (gpiod) or g_get_monotonic_time() × 1000 (sim) */
};

struct hal_gpio {
	const struct hal_gpio_ops *ops;
};

struct hal_gpio_ops {
	const char *name;
	int (*open)(const struct hal_gpio_config *cfg, struct hal_gpio **ret_gpio);
	/* Both edges; *ret_fd is readable while events are pending. */
	int (*request_input)(struct hal_gpio *g, unsigned line, bool active_low, int *ret_fd);
	/* One pending event, or -EAGAIN. */
	int (*read_event)(struct hal_gpio *g, unsigned line, struct hal_gpio_event *ret_event);
	int (*request_output)(struct hal_gpio *g, unsigned line, bool active_low, int initial);
	int (*set_value)(struct hal_gpio *g, unsigned line, int value);
	int (*get_value)(struct hal_gpio *g, unsigned line, int *ret_value);
	void (*close)(struct hal_gpio *g);
};

extern const struct hal_gpio_ops hal_gpio_gpiod_ops;
extern const struct hal_gpio_ops hal_gpio_sim_ops;

int hal_gpio_open(const struct hal_gpio_config *cfg, struct hal_gpio **ret_gpio);
int hal_gpio_request_input(struct hal_gpio *g, unsigned line, bool active_low, int *ret_fd);
int hal_gpio_read_event(struct hal_gpio *g, unsigned line, struct hal_gpio_event *ret_event);
int hal_gpio_request_output(struct hal_gpio *g, unsigned line, bool active_low, int initial);
int hal_gpio_set_value(struct hal_gpio *g, unsigned line, int value);
int hal_gpio_get_value(struct hal_gpio *g, unsigned line, int *ret_value);
/* Accepts NULL. */
void hal_gpio_close(struct hal_gpio *g);

/* The sim's hardware side: drive an input's physical level (an active-low
 * button pressed is level 0), read what an output drives.  -ENOTSUP on a
 * real chip. */
int hal_gpio_sim_set_level(struct hal_gpio *g, unsigned line, int level);
int hal_gpio_sim_get_level(struct hal_gpio *g, unsigned line, int *ret_level);
