/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gpio: backend choice and the thin dispatch over struct hal_gpio_ops.  The
 * backends live in gpio_gpiod.c and gpio_sim.c.
 */

#include <stddef.h>

#include "gpio.h"

int hal_gpio_open(const struct hal_gpio_config *cfg, struct hal_gpio **ret_gpio)
{
	const struct hal_gpio_ops *ops =
	    cfg->backend == HAL_GPIO_GPIOD ? &hal_gpio_gpiod_ops : &hal_gpio_sim_ops;
	struct hal_gpio *g = NULL;
	int r;

	r = ops->open(cfg, &g);
	if (r < 0)
		return r;
	g->ops = ops;
	*ret_gpio = g;
	return 0;
}

int hal_gpio_request_input(struct hal_gpio *g, unsigned line, bool active_low, int *ret_fd)
{
	return g->ops->request_input(g, line, active_low, ret_fd);
}

int hal_gpio_read_event(struct hal_gpio *g, unsigned line, struct hal_gpio_event *ret_event)
{
	return g->ops->read_event(g, line, ret_event);
}

int hal_gpio_request_output(struct hal_gpio *g, unsigned line, bool active_low, int initial)
{
	return g->ops->request_output(g, line, active_low, initial);
}

int hal_gpio_set_value(struct hal_gpio *g, unsigned line, int value)
{
	return g->ops->set_value(g, line, value);
}

int hal_gpio_get_value(struct hal_gpio *g, unsigned line, int *ret_value)
{
	return g->ops->get_value(g, line, ret_value);
}

void hal_gpio_close(struct hal_gpio *g)
{
	if (g)
		g->ops->close(g);
}
