/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hub_db: PostgreSQL through libpq (see hub_db.h).  Statements with
 * parameters only (PQexecParams); the batch goes as one jsonb parameter.
 */
#include "hub_db.h"

#include <errno.h>
#include <libpq-fe.h>
#include <string.h>

struct hub_db {
	PGconn *conn;
	char *error;
	char *scope; /* vuoro.scope of the whole session, NULL: none */
};

static void set_error(struct hub_db *db, const char *what, const PGresult *res)
{
	const char *msg = res ? PQresultErrorMessage(res) : "";

	if (!*msg)
		msg = PQerrorMessage(db->conn);
	g_free(db->error);
	db->error = g_strstrip(g_strdup_printf("%s: %s", what, msg));
}

/* -EINVAL when @res failed on the data (a value PostgreSQL refuses: data
 * exception, integrity, a program limit such as a too large value), else
 * -EAGAIN: the connection, a shutdown, a deadlock, a full disk — and our own
 * mistakes (a missing function): retried, never turned into rejects. */
static int result_errno(struct hub_db *db, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	if (PQstatus(db->conn) != CONNECTION_OK || !state)
		return -EAGAIN;
	if (g_str_has_prefix(state, "22") || g_str_has_prefix(state, "23") ||
	    g_str_has_prefix(state, "54"))
		return -EINVAL;
	return -EAGAIN;
}

static int exec(struct hub_db *db, const char *what, const char *sql)
{
	PGresult *res = PQexec(db->conn, sql);
	int rc = 0;

	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
		set_error(db, what, res);
		rc = result_errno(db, res);
	}
	PQclear(res);
	return rc;
}

static void rollback(struct hub_db *db)
{
	if (PQstatus(db->conn) == CONNECTION_OK && PQtransactionStatus(db->conn) != PQTRANS_IDLE)
		PQclear(PQexec(db->conn, "ROLLBACK"));
}

int hub_db_open(const char *conninfo, struct hub_db **ret)
{
	g_autoptr(HubDb) db = g_new0(struct hub_db, 1);

	db->conn = PQconnectdb(conninfo);
	if (PQstatus(db->conn) != CONNECTION_OK) {
		g_warning("PostgreSQL: %s — check [postgres] conninfo and that the server runs",
			  g_strstrip(PQerrorMessage(db->conn)));
		return -ECONNREFUSED;
	}
	/* Our logs, not libpq's stderr, say what a notice said. */
	PQclear(PQexec(db->conn, "SET client_min_messages = warning"));
	*ret = g_steal_pointer(&db);
	return 0;
}

void hub_db_free(struct hub_db *db)
{
	if (!db)
		return;
	PQfinish(db->conn);
	g_free(db->error);
	g_free(db->scope);
	g_free(db);
}

PGconn *hub_db_conn(struct hub_db *db)
{
	return db->conn;
}

bool hub_db_ok(const struct hub_db *db)
{
	return db && PQstatus(db->conn) == CONNECTION_OK;
}

int hub_db_reset(struct hub_db *db)
{
	PQreset(db->conn);
	if (PQstatus(db->conn) != CONNECTION_OK) {
		set_error(db, "reconnect", NULL);
		return -ECONNREFUSED;
	}
	PQclear(PQexec(db->conn, "SET client_min_messages = warning"));
	return db->scope ? hub_db_set_scope(db, db->scope) : 0;
}

int hub_db_set_scope(struct hub_db *db, const char *scope)
{
	const char *params[1] = {scope};
	PGresult *res;
	int rc = 0;

	if (db->scope != scope) {
		g_free(db->scope);
		db->scope = g_strdup(scope);
	}
	res = PQexecParams(db->conn, "SELECT set_config('vuoro.scope', $1, false)", 1, NULL, params,
			   NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		set_error(db, "vuoro.scope", res);
		rc = -EAGAIN;
	}
	PQclear(res);
	return rc;
}

const char *hub_db_error(const struct hub_db *db)
{
	return db->error ? db->error : "";
}

static gint name_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files NNN-*.sql of @dir, sorted. */
static int migrations_list(const char *dir, GPtrArray **ret)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GDir) d = g_dir_open(dir, 0, &error);
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	const char *name;

	if (!d) {
		g_warning("%s", error->message);
		return -ENOENT;
	}
	while ((name = g_dir_read_name(d)))
		if (strlen(name) > 8 && g_ascii_isdigit(name[0]) && g_ascii_isdigit(name[1]) &&
		    g_ascii_isdigit(name[2]) && name[3] == '-' && g_str_has_suffix(name, ".sql"))
			g_ptr_array_add(names, g_strdup(name));
	g_ptr_array_sort(names, name_cmp);
	*ret = g_steal_pointer(&names);
	return 0;
}

static int migrate_one(struct hub_db *db, const char *dir, const char *name, int version)
{
	g_autofree char *path = g_build_filename(dir, name, NULL);
	g_autofree char *sql = NULL;
	g_autofree char *v = g_strdup_printf("%d", version);
	const char *params[2] = {v, name};
	g_autoptr(GError) error = NULL;
	PGresult *res;
	int rc;

	if (!g_file_get_contents(path, &sql, NULL, &error)) {
		g_warning("%s", error->message);
		return -EIO;
	}
	rc = exec(db, "BEGIN", "BEGIN");
	if (rc == 0)
		rc = exec(db, name, sql);
	if (rc == 0) {
		res = PQexecParams(db->conn,
				   "INSERT INTO schema_version (version, name) VALUES ($1, $2)", 2,
				   NULL, params, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			set_error(db, "schema_version", res);
			rc = result_errno(db, res);
		}
		PQclear(res);
	}
	if (rc == 0)
		rc = exec(db, "COMMIT", "COMMIT");
	if (rc < 0) {
		g_warning("PostgreSQL migration %s failed: %s", path, hub_db_error(db));
		rollback(db);
		return rc;
	}
	g_message("PostgreSQL schema: applied %s", name);
	return 0;
}

/* NNN of a migration's file name NNN-*.sql. */
static int version_of(const char *name)
{
	return (name[0] - '0') * 100 + (name[1] - '0') * 10 + (name[2] - '0');
}

/* The version the last of @names (sorted) brings the schema to; 0: none. */
static int migration_version(const GPtrArray *names)
{
	return names->len ? version_of(g_ptr_array_index(names, names->len - 1)) : 0;
}

int hub_db_migrate(struct hub_db *db, const char *sql_dir)
{
	g_autoptr(GPtrArray) names = NULL;
	PGresult *res;
	int current = 0, rc;

	rc = migrations_list(sql_dir, &names);
	if (rc < 0)
		return rc;
	/* One hub at a time: the second waits and finds them applied. */
	rc = exec(db, "lock", "SELECT pg_advisory_lock(hashtext('vuoro-hub migrations'))");
	if (rc == 0)
		rc = exec(db, "schema_version",
			  "CREATE TABLE IF NOT EXISTS schema_version (version int PRIMARY KEY, "
			  "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
	if (rc < 0) {
		g_warning("PostgreSQL: %s", hub_db_error(db));
		return rc;
	}
	res = PQexec(db->conn, "SELECT coalesce(max(version), 0) FROM schema_version");
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		current = atoi(PQgetvalue(res, 0, 0));
	else
		rc = -EIO;
	PQclear(res);
	/* A database a newer hub migrated (a downgrade, or an old hub beside
	 * a new one): this hub would write rows it does not know the shape of. */
	if (rc == 0 && current > migration_version(names)) {
		g_free(db->error);
		db->error = g_strdup_printf(
		    "the database has schema version %d, newer than this vuoro-hub understands "
		    "(%d, from %s): install the newer vuoro-hub again or restore a backup",
		    current, migration_version(names), sql_dir);
		g_warning("PostgreSQL: %s", db->error);
		rc = -EPROTO;
	}
	for (guint i = 0; rc == 0 && i < names->len; i++) {
		const char *name = g_ptr_array_index(names, i);

		if (version_of(name) > current)
			rc = migrate_one(db, sql_dir, name, version_of(name));
	}
	exec(db, "unlock", "SELECT pg_advisory_unlock(hashtext('vuoro-hub migrations'))");
	return rc;
}

static int store_reject(struct hub_db *db, const struct hub_reject *r)
{
	const char *params[4] = {r->subject, r->msg_id, r->reason, r->body};
	int lengths[4] = {0, 0, 0, (int)r->len};
	int formats[4] = {0, 0, 0, 1};
	g_autofree char *subject = g_utf8_make_valid(r->subject, -1);
	g_autofree char *msg_id = r->msg_id ? g_utf8_make_valid(r->msg_id, -1) : NULL;
	g_autofree char *reason = g_utf8_make_valid(r->reason, -1);
	PGresult *res;
	int rc = 0;

	/* text columns take only UTF-8, and a header may be anything: a reject
	 * must always be storable, or its message would come back for ever. */
	params[0] = subject;
	params[1] = msg_id;
	params[2] = reason;
	res = PQexecParams(db->conn,
			   "INSERT INTO rejects (subject, msg_id, reason, body) "
			   "VALUES ($1, $2, $3, $4::bytea)",
			   4, NULL, params, lengths, formats, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		set_error(db, "reject", res);
		rc = result_errno(db, res);
	}
	PQclear(res);
	return rc;
}

int hub_db_store(struct hub_db *db, const struct hub_reject *rejects, size_t n_rejects,
		 const char *batch_json, int64_t *ret_new)
{
	int64_t n = 0;
	int rc;

	rc = exec(db, "BEGIN", "BEGIN");
	for (size_t i = 0; rc == 0 && i < n_rejects; i++)
		rc = store_reject(db, &rejects[i]);
	if (rc == 0 && batch_json) {
		const char *params[1] = {batch_json};
		PGresult *res = PQexecParams(db->conn, "SELECT hub_ingest($1::jsonb)", 1, NULL,
					     params, NULL, NULL, 0);

		if (PQresultStatus(res) == PGRES_TUPLES_OK)
			n = g_ascii_strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		else {
			set_error(db, "hub_ingest", res);
			rc = result_errno(db, res);
		}
		PQclear(res);
	}
	if (rc == 0)
		rc = exec(db, "COMMIT", "COMMIT");
	if (rc < 0) {
		rollback(db);
		return rc;
	}
	if (ret_new)
		*ret_new = n;
	return 0;
}
