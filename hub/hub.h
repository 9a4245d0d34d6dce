/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hub: the context every part of vuoro-hub's web reaches through r->app.
 *
 * Parts (reports.c, billing, fleet, …) export route tables and main.c
 * registers them with hub_web_add_routes (web.h).  A handler gets its hub
 * with hub_of(r).
 *
 * PostgreSQL on the web: one connection (hub->db) used on the main loop
 * with short synchronous queries (libpq's blocking API; no async state
 * machine), each bounded by [web] statement-timeout-ms.  (A long read, a
 * report, runs on a worker thread on a connection of its own, in the same
 * kind of scope: hub_pg_scope.)  Run a request's
 * queries inside hub_scope_begin/hub_scope_end (or hub_query for one):
 * that is one transaction with the caller's row-level-security settings
 * (hub/sql/002-users.sql):
 *
 *   vuoro.provider  the provider-manager's provider ('' for anyone else)
 *   vuoro.scope     'all' for the hub's own staff (admin, manager,
 *                   technician), 'ingest' for the ingest, '' otherwise
 *
 * A table under RLS has a policy USING (hub_visible(provider)): rows of the
 * caller's provider, or all rows when the scope says so.  A query outside
 * a scope sees no row of such a table (nothing rather than everything).
 */
#pragma once

#include <glib.h>
#include <libpq-fe.h>
#include <nats/nats.h>
#include <stdbool.h>

#include "hub_config.h"
#include "hub_db.h"
#include "router.h"

/* Roles at the hub (struct web_caller's role bits). */
enum hub_role {
	HUB_ROLE_ADMIN = 1 << 0,
	HUB_ROLE_MANAGER = 1 << 1,    /* every provider's figures */
	HUB_ROLE_TECHNICIAN = 1 << 2, /* the fleet */
	HUB_ROLE_PROVIDER = 1 << 3,   /* "provider-manager": one provider's figures */
	HUB_ROLE_EXPERT = 1 << 4,     /* one provider's expert: /hub/expert only */
};
#define HUB_STAFF                                                                                  \
	(HUB_ROLE_ADMIN | HUB_ROLE_MANAGER | HUB_ROLE_TECHNICIAN | HUB_ROLE_PROVIDER |             \
	 HUB_ROLE_EXPERT)

/* "provider-manager" → HUB_ROLE_PROVIDER; 0 for anything else. */
unsigned hub_role_parse(const char *name);
const char *hub_role_name(unsigned role);

struct hub_web;
struct hub_live; /* the fleet part's live state (its own file defines it) */
struct hub_fleet;
struct hub_expert;
struct auth_pool;
struct web_logins;
struct catalog;

struct hub {
	const struct hub_config *cfg;
	struct hub_db *db; /* the web's connection (main loop only) */
	struct hub_web *web;
	struct catalog *catalog;     /* the pages' words ([web] languages) */
	struct auth_pool *auth_pool; /* Argon2id checks off the loop */
	struct web_logins *logins;   /* throttled login guesses */
	/* NATS (owned by main.c; NULL in --add-user): the fleet part watches
	 * the live-state bucket through js. */
	natsConnection *nc;
	jsCtx *js;
	struct hub_live *live;     /* the fleet part's, NULL until it sets it */
	struct hub_fleet *fleet;   /* the fleet part's stream (hub/fleet.c) */
	struct hub_expert *expert; /* the experts' workplace (hub/expert.c) */
	int reports_running;       /* reports.c: made on worker threads now */
};

static inline struct hub *hub_of(const struct web_req *r)
{
	return r->app;
}

/* On @conn (any thread): BEGIN and @caller's RLS settings (vuoro.provider,
 * vuoro.scope).  0, or -EIO (the transaction is rolled back). */
int hub_pg_scope(PGconn *conn, const struct web_caller *caller);
/* A request's transaction: BEGIN and the caller's RLS settings.  The
 * connection, or NULL when it answered 503 (PostgreSQL unreachable). */
PGconn *hub_scope_begin(struct web_req *r);
/* COMMIT (@commit) or ROLLBACK; 0, or -EIO when the COMMIT failed. */
int hub_scope_end(struct web_req *r, bool commit);
/* One query in its own scope (hub_scope_begin … COMMIT): its result
 * (PGRES_TUPLES_OK or PGRES_COMMAND_OK), or NULL when it answered 500/503.
 * Caller PQclear()s. */
PGresult *hub_query(struct web_req *r, const char *sql, int n_params, const char *const *params);
/* @res failed: answer 503 when the connection is gone, else 500, with
 * PostgreSQL's message in the log only.  Clears @res. */
void hub_pg_error(struct web_req *r, PGresult *res, const char *what);
