/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * notify: tells a booked visitor's host by e-mail (issue 17).
 *
 * On "appointment.arrived" with a host e-mail address, a message in the
 * site's main language goes into the durable mail_queue (store.h) first; a
 * worker thread then hands it to the SMTP server (smtp.h) and posts the
 * result back to the main loop (post.h), where the row is marked sent or
 * its failure counted, with the next attempt after a back-off (doubling
 * from NOTIFY_RETRY_FIRST_S to [notify] retry-max-seconds).  One message at
 * a time, oldest due first; a restart finds the unsent rows and goes on.
 * While the server refuses, notify_fault() says so for /api/health and
 * /tech.  Main loop only, except the worker, which owns only its copy.
 * Without [notify] smtp-url nothing is queued: the host's page tells.
 */
#pragma once

#include <glib.h>

#include "bus.h"
#include "catalog.h"
#include "config.h"
#include "store.h"

#define NOTIFY_RETRY_FIRST_S 5

struct notify;

struct notify *notify_new(const struct config *cfg, const struct catalog *catalog,
			  struct store *store, struct bus *bus);
void notify_free(struct notify *n);
typedef struct notify Notify; /* for g_autoptr(Notify) only */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Notify, notify_free)

/* NULL, or why e-mail to hosts is not delivered now, naming the server, its
 * error and what to do (a health fault). */
const char *notify_fault(const struct notify *n);
/* Unsent messages now (for /api/health); -1 when unknown. */
int64_t notify_pending(const struct notify *n);
