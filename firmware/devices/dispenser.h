/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * dispenser: draws a ticket and prints it — the ticket printer's one owner.
 *
 * A ticket drawn to be printed is committed as issued (not callable), then
 * printed on the printer's worker thread (DLE EOT status before and after),
 * and handed out — made callable — only once the printer took it.  When the
 * print fails the ticket stays issued and the failure is recorded with the
 * ticket: a kiosk shows the number on its screen and hands it out that way,
 * or asks for a reprint; a button-only dispenser voids it at once (nobody
 * holds that number).  A ticket that was committed but never handed out
 * because vuorod died is voided at the next start (desk.c).
 *
 * Paper near end raises a technician alert ("printer.alert" on the bus); every
 * change of the printer's state is published as "printer.state".  Callbacks
 * run on the main loop, never from inside the call that started them, and
 * never after dispenser_free().
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "bus.h"
#include "catalog.h"
#include "config.h"
#include "desk.h"
#include "printer.h"
#include "queue.h"

struct dispenser;

struct dispenser_result {
	int rc;                         /* 0, or -errno when no ticket was made (refused, store) */
	const GError *error;            /* with rc < 0 */
	const struct queue_result *res; /* the last command's result (issue/handout/void) */
	uint32_t ticket;
	bool printed;
	bool voided;             /* the print failed and the ticket was voided */
	const char *print_error; /* what went wrong and what to do; NULL when printed */
};

typedef void (*dispenser_done_fn)(const struct dispenser_result *r, gpointer data);

/* What the printer said last; for health, diagnostics and the API. */
struct dispenser_printer_state {
	bool ok;    /* the last status query or print went through */
	bool known; /* anything asked yet */
	struct hal_printer_status status;
	int error;         /* -errno of the last failure, 0 none */
	char message[256]; /* "printer: paper end — load a new roll", or "" */
	unsigned printed, failed;
	char describe[128]; /* "sim", "/dev/usb/lp0" … */
	/* What the ticket is laid out for ([printer] paper, columns, codepage). */
	char paper[8];     /* "80mm", "58mm" */
	unsigned columns;  /* characters a line */
	char codepage[16]; /* "cp858" … "none" */
};

struct dispenser *dispenser_new(const struct config *cfg, const struct catalog *catalog,
				struct desk *desk, struct bus *bus);
void dispenser_free(struct dispenser *d);
typedef struct dispenser Dispenser; /* for g_autoptr(Dispenser) only */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Dispenser, dispenser_free)

/* Draws a ticket (@cmd of type QUEUE_CMD_ISSUE) and prints it.  With
 * @void_on_failure a failed print voids the ticket (button-only dispensers). */
void dispenser_issue(struct dispenser *d, const struct queue_cmd *cmd, const char *user,
		     bool void_on_failure, dispenser_done_fn done, gpointer data);
/* Prints ticket @id again; an issued one is handed out once printed. */
void dispenser_reprint(struct dispenser *d, uint32_t id, const char *user, dispenser_done_fn done,
		       gpointer data);
/* A technician's test ticket (no queue change).  @lang: a site language's index. */
void dispenser_test(struct dispenser *d, uint8_t lang, dispenser_done_fn done, gpointer data);
/* A visitor's badge (issue 17): the name (and organisation), whom they
 * visit, the badge number large, the date.  No queue change; the register
 * row is the caller's, stored before this is asked. */
struct dispenser_badge {
	const char *name;
	const char *organisation; /* may be NULL */
	const char *host;
	int number;
	int64_t at;   /* unix seconds: signed in */
	uint8_t lang; /* a site language's index: the labels' */
};
void dispenser_badge(struct dispenser *d, const struct dispenser_badge *b, dispenser_done_fn done,
		     gpointer data);
/* Asks the printer for its status (DLE EOT) now. */
void dispenser_check(struct dispenser *d, dispenser_done_fn done, gpointer data);

/* Where vuorod listens, once it does: without [printer] url-base the
 * tickets' QR codes point there (http://HOST:PORT/t/REF), with one warning
 * when no phone can reach it (loopback or any-address). */
void dispenser_set_listen(struct dispenser *d, const char *host, int port, bool tls);

void dispenser_state(struct dispenser *d, struct dispenser_printer_state *ret);
/* The hal handle, for the sim hooks (hal_printer_sim_*); NULL until the
 * worker opened it.  Only the sim's hooks may be used on it from here. */
struct hal_printer *dispenser_printer(struct dispenser *d);
