/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * display: the number-display device class — a Modbus register space reached
 * over one wire (an RS-485 serial line in RTU mode, or a TCP endpoint).
 *
 * One handle is one wire, not one display: a serial line carries many unit
 * ids.  Every call is blocking and belongs on the bus worker thread
 * (firmware/display_bus.c), never on the main loop.  A handle is used by one
 * thread at a time; only the sim backend may also be read from another thread
 * (tests peek at its registers).
 *
 * Errors are -errno: -ETIMEDOUT the unit did not answer within the response
 * timeout; -EPROTO the unit answered with a Modbus exception (the code is
 * kept, see hal_display_last_exception()); -EBADMSG a garbled answer (CRC
 * error, wrong length or unit id); anything else is the wire's own errno
 * (-ENOENT no such device, -EACCES no permission, -ECONNREFUSED …).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#define HAL_DISPLAY_MAX_REGS 123 /* FC16 limit of one frame */

enum hal_display_transport {
	HAL_DISPLAY_SIM,
	HAL_DISPLAY_RTU,
	HAL_DISPLAY_TCP,
};

struct hal_display_config {
	enum hal_display_transport transport;
	/* RTU */
	const char *device; /* "/dev/ttyS1" */
	int baud;           /* 9600, 19200, … */
	char parity;        /* 'N', 'E' or 'O' */
	int data_bits;      /* 7 or 8 */
	int stop_bits;      /* 1 or 2 */
	bool rs485;         /* ask the UART driver for RS-485 mode (TIOCSRS485) */
	/* TCP */
	const char *host;
	int port;
	/* both */
	unsigned response_timeout_ms; /* 0 = 500 */
	/* sim: units that never answer (to exercise the timeout path) */
	const int *sim_silent_units;
	size_t n_sim_silent_units;
	unsigned sim_registers; /* registers per unit from address 0; 0 = 256 */
};

/* The base every backend embeds first (cage's view shape). */
struct hal_display {
	const struct hal_display_ops *ops;
	uint8_t last_exception; /* Modbus exception code of the last -EPROTO */
};

struct hal_display_ops {
	const char *name;
	int (*open)(const struct hal_display_config *cfg, struct hal_display **ret_display);
	/* FC16 write multiple registers (FC06 when @n == 1). */
	int (*write_registers)(struct hal_display *d, int unit, uint16_t addr, const uint16_t *regs,
			       size_t n);
	/* FC03 read holding registers. */
	int (*read_registers)(struct hal_display *d, int unit, uint16_t addr, uint16_t *regs,
			      size_t n);
	void (*close)(struct hal_display *d);
};

extern const struct hal_display_ops hal_display_modbus_ops;
extern const struct hal_display_ops hal_display_sim_ops;

/* The backend board-config asks for (sim, or modbus for RTU and TCP). */
const struct hal_display_ops *hal_display_ops_for(const struct hal_display_config *cfg);

/* Opens the backend for @cfg.  Returns 0 or -errno. */
int hal_display_open(const struct hal_display_config *cfg, struct hal_display **ret_display);
int hal_display_write_registers(struct hal_display *d, int unit, uint16_t addr,
				const uint16_t *regs, size_t n);
int hal_display_read_registers(struct hal_display *d, int unit, uint16_t addr, uint16_t *regs,
			       size_t n);
/* Accepts NULL. */
void hal_display_close(struct hal_display *d);
uint8_t hal_display_last_exception(const struct hal_display *d);

/* "illegal data address" for 0x02; "unknown exception" otherwise. */
const char *hal_display_exception_str(uint8_t code);
/* "/dev/ttyS1" or "10.0.0.5:502" or "sim", for messages.  Caller frees. */
char *hal_display_describe(const struct hal_display_config *cfg);
