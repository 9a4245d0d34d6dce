/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * desk: the one path every queue command takes.
 *
 *   command → queue engine (pure) → store (one durable transaction) → bus
 *
 * Nothing is published before the store said the change is on disk.  What
 * the core knows of a visit besides the engine (its category, identity,
 * video session: visit.h) goes into the transaction of the command that
 * ends the visit (queue_cmd's category, session, consent).  When
 * the store refuses (disk full, read-only, I/O error) the engine is rebuilt
 * from the store, so what the daemon shows is always what is stored.  The
 * desk also owns the clock (the site's time zone), the daily-reset timer, the
 * voiding of ghost tickets at start and appointment check-in.
 */
#pragma once

#include <glib.h>

#include "bus.h"
#include "config.h"
#include "queue.h"
#include "store.h"

#define DESK_ERROR (desk_error_quark())
GQuark desk_error_quark(void);
/* DESK_ERROR codes are positive errno values (EPERM, ENOENT, ENOSPC, …). */

/* Bus topics: "queue.<event name>" with a const struct queue_event *;
 * "appointment.arrived" with a const struct desk_arrival *. */
struct desk_arrival {
	const struct store_appointment *appointment;
	const struct queue_ticket *ticket;
};

typedef int64_t (*desk_clock_fn)(gpointer data); /* unix seconds */

struct desk;

struct desk *desk_new(const struct config *cfg, struct store *store, struct bus *bus,
		      GError **error);
void desk_free(struct desk *d);
typedef struct desk Desk; /* for g_autoptr(Desk) only */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Desk, desk_free)

/* Tests replace the clock; NULL restores the real one. */
void desk_set_clock(struct desk *d, desk_clock_fn fn, gpointer data);
/* The latest stored time when the clock is more than a minute before it
 * (tickets are refused then, -ETIME), else 0. */
int64_t desk_clock_behind(struct desk *d);
void desk_time(struct desk *d, struct queue_time *ret);

/* Runs @cmd for @user (NULL: the kiosk).  On success @res holds what
 * changed, already durable and published.  On failure returns a negative
 * errno and sets @error (DESK_ERROR, code = errno) to a line that says what
 * to do; res->refusal tells why an issue was refused. */
int desk_exec(struct desk *d, struct queue_cmd *cmd, const char *user, struct queue_result *res,
	      GError **error);

/* Group commit.  desk_submit runs @cmd on the engine at once and queues its
 * result; the results of one main-loop iteration are committed together in
 * one transaction on the desk's writer thread (one batch at a time, while
 * the loop runs the next commands), and only then is @done called and the
 * events published, in the order the engine ran them.  So four counters
 * calling at once cost one fdatasync, not four.  A quiet desk (a lone
 * command, none gathered behind a batch for 100 ms) commits on the loop
 * instead, without the two thread hops.  A batch the store refuses
 * fails with every command gathered behind it (@done with its error), and
 * the engine is rebuilt from the store.  Returns 0
 * (then @done follows, never from inside desk_submit); 1 when the command
 * had to run synchronously (a pending daily reset, a rebuild) and @res
 * already holds the durable result; or a negative errno with @error and
 * @res set as desk_exec does.  @done is called only after 0. */
typedef void (*desk_done_fn)(int rc, const GError *error, const struct queue_result *res,
			     gpointer data);
int desk_submit(struct desk *d, struct queue_cmd *cmd, const char *user, struct queue_result *res,
		GError **error, desk_done_fn done, gpointer data);
/* Commits what desk_submit queued (waiting for the batch in flight), so the
 * store holds it when this returns; a no-op when nothing is.  Called back
 * from a batch's @done or events, it leaves their publishing and answers to
 * the loop that runs them, in order. */
void desk_flush(struct desk *d);

/* Appointment check-in at the kiosk by booking code: issues a ticket with
 * the appointment's priority window and tells the booked staff member
 * ("appointment.arrived"). */
int desk_checkin(struct desk *d, const char *code, uint8_t lang, gboolean handed_out,
		 struct queue_result *res, GError **error);

/* The visits' identities, categories and sessions (visit.h): stored with
 * the command that ends the visit, in its transaction. */
struct visits *desk_visits(struct desk *d);

/* The opening-hour exceptions (hours.h): board-config's, then those
 * imported into the store.  Reload after the store's change; on error the
 * old ones stay. */
int desk_hours_reload(struct desk *d, GError **error);
const GPtrArray *desk_hours_exceptions(struct desk *d);

const struct config *desk_config(struct desk *d);
struct queue *desk_queue(struct desk *d);
struct store *desk_store(struct desk *d);
