/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * printer: backend choice and the thin dispatch over struct hal_printer_ops.
 * The backends live in printer_escpos.c and printer_sim.c.
 */

#include <errno.h>
#include <glib.h>

#include "printer.h"

static const char *const transport_names[] = {
    [HAL_PRINTER_SIM] = "sim", [HAL_PRINTER_FILE] = "file", [HAL_PRINTER_SERIAL] = "serial",
    [HAL_PRINTER_USB] = "usb", [HAL_PRINTER_TCP] = "tcp",
};

int hal_printer_transport_parse(const char *s)
{
	for (size_t i = 0; i < G_N_ELEMENTS(transport_names); i++)
		if (g_strcmp0(s, transport_names[i]) == 0)
			return (int)i;
	return -1;
}

int hal_printer_open(const struct hal_printer_config *cfg, struct hal_printer **ret_printer)
{
	const struct hal_printer_ops *ops =
	    cfg->transport == HAL_PRINTER_SIM ? &hal_printer_sim_ops : &hal_printer_escpos_ops;
	struct hal_printer *p = NULL;
	int r;

	r = ops->open(cfg, &p);
	if (r < 0)
		return r;
	p->ops = ops;
	*ret_printer = p;
	return 0;
}

int hal_printer_write(struct hal_printer *p, const uint8_t *data, size_t len)
{
	return len ? p->ops->write(p, data, len) : 0;
}

int hal_printer_status(struct hal_printer *p, struct hal_printer_status *ret_status)
{
	return p->ops->status(p, ret_status);
}

void hal_printer_close(struct hal_printer *p)
{
	if (p)
		p->ops->close(p);
}

char *hal_printer_describe(const struct hal_printer_config *cfg)
{
	switch (cfg->transport) {
	case HAL_PRINTER_SERIAL:
		return g_strdup_printf("%s at %d baud", cfg->device, cfg->baud);
	case HAL_PRINTER_TCP:
		return g_strdup_printf("%s:%d", cfg->host, cfg->port);
	case HAL_PRINTER_FILE:
	case HAL_PRINTER_USB:
		return g_strdup(cfg->device);
	case HAL_PRINTER_SIM:
		break;
	}
	return g_strdup("sim");
}
