/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * display_modbus: the display class over libmodbus — RTU on a serial line or
 * TCP — writing with FC16 (write multiple registers), FC06 (write single
 * register) and reading with FC03 (read holding registers).
 *
 * Invariants: one modbus_t per handle, used by one thread; the connection is
 * opened lazily and reopened after a wire error (EIO, a reset TCP
 * connection, a serial device that was replaced — a USB adapter that came
 * back as a new tty, or a restarted pty), never after a mere timeout or
 * exception, which say nothing about the wire.  libmodbus's errno space is
 * folded into ours here and nowhere else: ETIMEDOUT → -ETIMEDOUT, exception
 * replies → -EPROTO (code kept in last_exception), CRC/length/unit mismatch
 * → -EBADMSG.
 */

#include <errno.h>
#include <sys/stat.h>

#include <modbus.h>

#include "display.h"

struct display_modbus {
	struct hal_display base;
	modbus_t *ctx;
	bool connected;
	bool rtu;
	bool rs485;
	char *device;
	unsigned timeout_ms;
	dev_t tty_dev; /* st_rdev of the tty we opened, to notice a replaced device */
};

static int modbus_errno_to_errno(struct display_modbus *m, int e)
{
	if (e >= EMBXILFUN && e <= EMBXGTAR) {
		m->base.last_exception = (uint8_t)(e - MODBUS_ENOBASE);
		return -EPROTO;
	}
	switch (e) {
	case ETIMEDOUT:
		return -ETIMEDOUT;
	case EMBBADCRC:
	case EMBBADDATA:
	case EMBBADEXC:
	case EMBUNKEXC:
	case EMBMDATA:
	case EMBBADSLAVE:
		return -EBADMSG;
	case 0:
		return -EIO;
	default:
		return e > 0 && e < MODBUS_ENOBASE ? -e : -EIO;
	}
}

static int mb_connect(struct display_modbus *m)
{
	struct stat st;

	if (m->connected)
		return 0;
	if (modbus_connect(m->ctx) < 0) {
		int e = errno ? errno : EIO;

		g_debug("modbus: connect to %s: %s", m->device, modbus_strerror(e));
		return -e;
	}
	if (m->rtu && m->rs485 && modbus_rtu_set_serial_mode(m->ctx, MODBUS_RTU_RS485) < 0) {
		/* A pty or a plain UART without RS-485 support says ENOTTY:
		 * the transceiver then switches direction by itself. */
		g_debug("modbus: %s: RS-485 mode not available (%s); going on without it",
			m->device, g_strerror(errno));
	}
	m->tty_dev = 0;
	if (m->rtu && fstat(modbus_get_socket(m->ctx), &st) == 0)
		m->tty_dev = st.st_rdev;
	m->connected = true;
	return 0;
}

static void mb_disconnect(struct display_modbus *m)
{
	if (!m->connected)
		return;
	modbus_close(m->ctx);
	m->connected = false;
}

/* After a timeout: is the path now another device (restarted pty, USB
 * adapter re-enumerated)?  Then the old fd leads nowhere; reopen. */
static void mb_check_replaced(struct display_modbus *m)
{
	struct stat st;

	if (!m->rtu || !m->connected)
		return;
	if (stat(m->device, &st) < 0 || st.st_rdev != m->tty_dev) {
		g_debug("modbus: %s was replaced; reopening", m->device);
		mb_disconnect(m);
	}
}

static int mb_finish(struct display_modbus *m, int rc)
{
	int r;

	if (rc >= 0)
		return 0;
	r = modbus_errno_to_errno(m, errno);
	switch (r) {
	case -EPROTO:
		break;
	case -ETIMEDOUT:
	case -EBADMSG:
		/* A late or garbled answer must not be read as the next one. */
		if (m->connected)
			modbus_flush(m->ctx);
		mb_check_replaced(m);
		break;
	default:
		mb_disconnect(m);
		break;
	}
	return r;
}

static int mb_open(const struct hal_display_config *cfg, struct hal_display **ret_display)
{
	struct display_modbus *m;
	unsigned ms = cfg->response_timeout_ms ? cfg->response_timeout_ms : 500;
	modbus_t *ctx;

	if (cfg->transport == HAL_DISPLAY_RTU) {
		if (!cfg->device || !*cfg->device)
			return -EINVAL;
		ctx = modbus_new_rtu(
		    cfg->device, cfg->baud ? cfg->baud : 9600, cfg->parity ? cfg->parity : 'N',
		    cfg->data_bits ? cfg->data_bits : 8, cfg->stop_bits ? cfg->stop_bits : 1);
	} else {
		if (!cfg->host || !*cfg->host)
			return -EINVAL;
		ctx = modbus_new_tcp(cfg->host, cfg->port ? cfg->port : 502);
	}
	if (!ctx)
		return errno ? -errno : -EINVAL;
	modbus_set_response_timeout(ctx, ms / 1000, (ms % 1000) * 1000);

	m = g_new0(struct display_modbus, 1);
	m->ctx = ctx;
	m->rtu = cfg->transport == HAL_DISPLAY_RTU;
	m->rs485 = cfg->rs485;
	m->timeout_ms = ms;
	m->device = hal_display_describe(cfg);
	*ret_display = &m->base;
	return 0;
}

static int mb_write_registers(struct hal_display *d, int unit, uint16_t addr, const uint16_t *regs,
			      size_t n)
{
	struct display_modbus *m = (struct display_modbus *)d;
	int r;

	r = mb_connect(m);
	if (r < 0)
		return r;
	modbus_set_slave(m->ctx, unit);
	if (n == 1)
		return mb_finish(m, modbus_write_register(m->ctx, addr, regs[0])); /* FC06 */
	return mb_finish(m, modbus_write_registers(m->ctx, addr, (int)n, regs));   /* FC16 */
}

static int mb_read_registers(struct hal_display *d, int unit, uint16_t addr, uint16_t *regs,
			     size_t n)
{
	struct display_modbus *m = (struct display_modbus *)d;
	int r;

	r = mb_connect(m);
	if (r < 0)
		return r;
	modbus_set_slave(m->ctx, unit);
	return mb_finish(m, modbus_read_registers(m->ctx, addr, (int)n, regs)); /* FC03 */
}

static void mb_close(struct hal_display *d)
{
	struct display_modbus *m = (struct display_modbus *)d;

	mb_disconnect(m);
	modbus_free(m->ctx);
	g_free(m->device);
	g_free(m);
}

const struct hal_display_ops hal_display_modbus_ops = {
    .name = "modbus",
    .open = mb_open,
    .write_registers = mb_write_registers,
    .read_registers = mb_read_registers,
    .close = mb_close,
};
