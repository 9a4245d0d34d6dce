/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hub_db: vuoro-hub's PostgreSQL connection (libpq), one per thread.
 *
 * Migrations: sql/NNN-name.sql applied in order, each in its own
 * transaction with its row in schema_version, under an advisory lock so two
 * hubs starting at once apply each one once.
 *
 * A batch is one transaction: its rejects, then hub_ingest() (the ledger,
 * then the new records into their tables), COMMIT.  Errors: -EINVAL when
 * PostgreSQL refused a value (the caller stores the batch's records one by
 * one to find the one to reject), -EAGAIN for anything else — the connection
 * gone, a shutdown, a deadlock (the caller keeps its batch, reconnects if
 * need be and retries it).
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hub_db;

struct hub_reject {
	const char *subject;
	const char *msg_id; /* may be NULL */
	const char *reason;
	const char *body;
	size_t len;
};

int hub_db_open(const char *conninfo, struct hub_db **ret);
void hub_db_free(struct hub_db *db);
typedef struct hub_db HubDb;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HubDb, hub_db_free)

/* libpq's connection, for the web's short queries (hub.h). */
struct pg_conn *hub_db_conn(struct hub_db *db);

/* The connection works (as far as libpq knows). */
bool hub_db_ok(const struct hub_db *db);
/* Reconnects; 0 when it works again. */
int hub_db_reset(struct hub_db *db);
/* Sets vuoro.scope for the whole session, again after each reconnect (the
 * ingest's "ingest": row-level security lets it write every provider's
 * rows; hub.h).  0 or -EAGAIN. */
int hub_db_set_scope(struct hub_db *db, const char *scope);
/* The last error's text (for logs and for a reject's reason). */
const char *hub_db_error(const struct hub_db *db);

/* Applies the migrations of @sql_dir that the database has not had. */
int hub_db_migrate(struct hub_db *db, const char *sql_dir);

/* One transaction: @rejects (n_rejects of them), then @batch_json (a JSON
 * array for hub_ingest, or NULL); @ret_new: how many records were new. */
int hub_db_store(struct hub_db *db, const struct hub_reject *rejects, size_t n_rejects,
		 const char *batch_json, int64_t *ret_new);
