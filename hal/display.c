/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * display: backend choice and the thin dispatch over struct hal_display_ops.
 * The backends live in display_modbus.c and display_sim.c.
 */

#include <errno.h>

#include "display.h"

const struct hal_display_ops *hal_display_ops_for(const struct hal_display_config *cfg)
{
	return cfg->transport == HAL_DISPLAY_SIM ? &hal_display_sim_ops : &hal_display_modbus_ops;
}

int hal_display_open(const struct hal_display_config *cfg, struct hal_display **ret_display)
{
	const struct hal_display_ops *ops = hal_display_ops_for(cfg);
	struct hal_display *d = NULL;
	int r;

	r = ops->open(cfg, &d);
	if (r < 0)
		return r;
	d->ops = ops;
	*ret_display = d;
	return 0;
}

int hal_display_write_registers(struct hal_display *d, int unit, uint16_t addr,
				const uint16_t *regs, size_t n)
{
	if (n == 0 || n > HAL_DISPLAY_MAX_REGS || unit < 0 || unit > 247)
		return -EINVAL;
	return d->ops->write_registers(d, unit, addr, regs, n);
}

int hal_display_read_registers(struct hal_display *d, int unit, uint16_t addr, uint16_t *regs,
			       size_t n)
{
	if (n == 0 || n > 125 || unit < 0 || unit > 247)
		return -EINVAL;
	return d->ops->read_registers(d, unit, addr, regs, n);
}

void hal_display_close(struct hal_display *d)
{
	if (d)
		d->ops->close(d);
}

uint8_t hal_display_last_exception(const struct hal_display *d)
{
	return d->last_exception;
}

const char *hal_display_exception_str(uint8_t code)
{
	switch (code) {
	case 0x01:
		return "illegal function";
	case 0x02:
		return "illegal data address";
	case 0x03:
		return "illegal data value";
	case 0x04:
		return "server device failure";
	case 0x05:
		return "acknowledge";
	case 0x06:
		return "server device busy";
	case 0x08:
		return "memory parity error";
	case 0x0a:
		return "gateway path unavailable";
	case 0x0b:
		return "gateway target failed to respond";
	default:
		return "unknown exception";
	}
}

char *hal_display_describe(const struct hal_display_config *cfg)
{
	switch (cfg->transport) {
	case HAL_DISPLAY_RTU:
		return g_strdup(cfg->device ? cfg->device : "?");
	case HAL_DISPLAY_TCP:
		return g_strdup_printf("%s:%d", cfg->host ? cfg->host : "?", cfg->port);
	case HAL_DISPLAY_SIM:
	default:
		return g_strdup("sim");
	}
}
