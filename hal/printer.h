/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * printer: the ticket-printer device class — an ESC/POS byte sink that can
 * be asked for its status.
 *
 * Transports of the real backend (printer_escpos.c): a serial tty (termios:
 * baud, flow control), the USB printer class (/dev/usb/lpN), raw TCP (port
 * 9100) and a plain file (no status).  The sim backend (printer_sim.c) keeps
 * the byte stream, answers status from what a test or technician set, and
 * renders every ticket to a PNG through escpos_render.c.
 *
 * Every call blocks and belongs on the dispenser's worker thread, never on
 * the main loop.  Errors are -errno: -ETIMEDOUT no status answer in time;
 * -EBADMSG an answer that is not a DLE EOT status byte; -ENOTSUP a transport
 * that cannot answer (a file); otherwise the wire's own errno (-ENOENT,
 * -EACCES, -ECONNREFUSED, -EIO …).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hal_printer_transport {
	HAL_PRINTER_SIM,
	HAL_PRINTER_FILE,
	HAL_PRINTER_SERIAL,
	HAL_PRINTER_USB,
	HAL_PRINTER_TCP,
};

enum hal_printer_flow {
	HAL_PRINTER_FLOW_NONE,
	HAL_PRINTER_FLOW_RTSCTS,
	HAL_PRINTER_FLOW_XONXOFF,
};

struct hal_printer_config {
	enum hal_printer_transport transport;
	const char *device; /* serial, usb, file: "/dev/ttyUSB0", "/dev/usb/lp0" */
	int baud;           /* serial: 9600 … 115200 */
	enum hal_printer_flow flow;
	const char *host;    /* tcp */
	int port;            /* tcp: 9100 */
	unsigned timeout_ms; /* status answer and write stall; 0 = 1000 */
	const char *sim_dir; /* sim: where ticket-N.bin/.png go; NULL keeps them in memory */
	int paper_dots;      /* sim: the PNG's width, 576 (80 mm) or 384 (58 mm); 0 is 576 */
};

/* What DLE EOT 1, 2 and 4 told. */
struct hal_printer_status {
	bool offline;
	bool cover_open;
	bool paper_end;
	bool paper_near_end;
};

struct hal_printer {
	const struct hal_printer_ops *ops;
};

struct hal_printer_ops {
	const char *name;
	int (*open)(const struct hal_printer_config *cfg, struct hal_printer **ret_printer);
	/* All of @len bytes, or -errno. */
	int (*write)(struct hal_printer *p, const uint8_t *data, size_t len);
	/* DLE EOT 1, 2, 4 (real-time status: answered even when offline). */
	int (*status)(struct hal_printer *p, struct hal_printer_status *ret_status);
	void (*close)(struct hal_printer *p);
};

extern const struct hal_printer_ops hal_printer_escpos_ops;
extern const struct hal_printer_ops hal_printer_sim_ops;

int hal_printer_open(const struct hal_printer_config *cfg, struct hal_printer **ret_printer);
int hal_printer_write(struct hal_printer *p, const uint8_t *data, size_t len);
int hal_printer_status(struct hal_printer *p, struct hal_printer_status *ret_status);
/* Accepts NULL. */
void hal_printer_close(struct hal_printer *p);

/* "/dev/ttyUSB0 at 19200", "10.0.0.7:9100", "sim" … for messages.  Caller frees. */
char *hal_printer_describe(const struct hal_printer_config *cfg);
/* "sim", "file", "serial", "usb", "tcp" → transport; -1 otherwise. */
int hal_printer_transport_parse(const char *s);

/* The sim backend's hooks for tests, `vuoroctl diag` and the API.  They
 * return -ENOTSUP on a real printer.  The status is what the next DLE EOT
 * answers. */
int hal_printer_sim_set_status(struct hal_printer *p, const struct hal_printer_status *st);
/* Every byte written so far; caller frees. */
uint8_t *hal_printer_sim_bytes(struct hal_printer *p, size_t *ret_len);
