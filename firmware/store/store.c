/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * store: the one SQLite file of a service point (see store.h).
 *
 * Invariants: every write is one transaction committed with
 * synchronous=FULL in WAL mode before the caller may show it; a failed
 * transaction is rolled back and leaves the connection usable; rows name
 * services, providers and counters by code, never by config index.  The hot
 * statements are prepared once at open.
 */

#define _GNU_SOURCE /* statx */
#include "store.h"

#include "outbox.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdarg.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

GQuark store_error_quark(void);
G_DEFINE_QUARK(vuoro - store - error - quark, store_error)
#define STORE_ERROR (store_error_quark())

enum store_stmt {
	ST_TICKET_PUT,
	ST_COUNTER_PUT,
	ST_VISIT_ADD,
	ST_AUDIT_ADD,
	ST_TICKET_GET,
	ST_TICKET_BY_REF,
	ST_N,
};

static const char *const store_stmt_sql[ST_N] = {
    [ST_TICKET_PUT] =
	"INSERT INTO tickets (id, day, service, origin, number, code, ref, state, lang, "
	"priority, front, counter, target_counter, recalls, no_shows, transfers, appointment, "
	"booked_at, issued_at, queued_at, called_at, started_at, ended_at, channel, outcome) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
	"?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25) "
	"ON CONFLICT (id) DO UPDATE SET service = ?3, state = ?8, priority = ?10, front = ?11, "
	"counter = ?12, target_counter = ?13, recalls = ?14, no_shows = ?15, transfers = ?16, "
	"queued_at = ?20, called_at = ?21, started_at = ?22, ended_at = ?23, channel = ?24, "
	"outcome = ?25",
    [ST_COUNTER_PUT] = "INSERT INTO counters (id, open, user, profile, ticket, opened_at, "
		       "idle_since, expert) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
		       "ON CONFLICT (id) DO UPDATE SET open = ?2, user = ?3, profile = ?4, "
		       "ticket = ?5, opened_at = ?6, idle_since = ?7",
    [ST_VISIT_ADD] = "INSERT INTO visits (ticket, day, service, provider, code, counter, user, "
		     "channel, outcome, lang, recalls, transfers, appointment, issued_at, "
		     "called_at, started_at, ended_at, category, identity, identity_verdict, "
		     "document_type, session, recording_consent, manual, trial, transfer_note) "
		     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
		     "?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)",
    [ST_AUDIT_ADD] = "INSERT INTO audit (at, user, command, detail) VALUES (?1, ?2, ?3, ?4)",
    [ST_TICKET_GET] = "SELECT id, day, service, origin, number, code, ref, state, lang, "
		      "priority, front, counter, target_counter, recalls, no_shows, transfers, "
		      "appointment, booked_at, issued_at, queued_at, called_at, started_at, "
		      "ended_at, channel, outcome FROM tickets WHERE id = ?1",
    [ST_TICKET_BY_REF] = "SELECT id, day, service, origin, number, code, ref, state, lang, "
			 "priority, front, counter, target_counter, recalls, no_shows, "
			 "transfers, appointment, booked_at, issued_at, queued_at, called_at, "
			 "started_at, ended_at, channel, outcome FROM tickets WHERE ref = ?1",
};

struct store {
	sqlite3 *db;
	char *path;
	bool read_only; /* on a read-only file system: reads only, writes fail EROFS */
	bool reader;    /* a worker's read-only connection (store_open_reader) */
	sqlite3_stmt *stmt[ST_N];
	GThreadPool *jobs; /* the writer's: its readers' jobs (store_job_run) */
	gint trimmed_s;    /* atomic: the monotonic second of the jobs' last malloc_trim */
	bool outbox;       /* [uplink]: every change writes its record (outbox.h) */
	sqlite3_stmt *outbox_add;
	int64_t outbox_next;                  /* the next record's seq (row id); 0: read it again */
	store_outbox_notify_fn outbox_notify; /* a row was written (the uplink) */
	void *outbox_notify_data;
	/* The thread that opened the store runs outbox_notify; a row written
	 * on another (the desk's writer) sets notify_due (atomic) for
	 * store_outbox_notify_due there. */
	GThread *opener;
	int held; /* the opener's thread holds the connection (STORE_HOLD) */
	gint notify_due;
	char *epoch;
	/* The newest record the hub acknowledged, kept beside the database
	 * (PATH.sent: "EPOCH SEQ"): a database older than that (a backup put
	 * back, even over the same file) gets a new epoch. */
	int64_t sent_high, sent_written;
	int64_t sent_written_at; /* monotonic µs */
	/* The last operation that failed on the disk (I/O error, full,
	 * read-only, cannot open; a job's reader too), for /tech; NULL again once
	 * a commit reaches the WAL (store_wal_hook).  Under fault_lock: the jobs'
	 * threads set it. */
	GMutex fault_lock;
	char *write_fault;
};

/* One connection, two threads: the opener's, and the desk's writer
 * (store_results_commit).  Every entry point holds the connection's own
 * recursive mutex from its first statement to its last (STORE_HOLD), so
 * the other thread never runs inside its transaction, between a cached
 * statement's bind and its step, or before it reads sqlite3_changes() and
 * the row id — and the fields beside the connection (outbox_next, sent_*)
 * are the holder's.  A reader's connection (no mutex) holds nothing. */
static struct store *store_hold(struct store *s)
{
	sqlite3_mutex *m = s->db ? sqlite3_db_mutex(s->db) : NULL;

	if (!m)
		return NULL;
	sqlite3_mutex_enter(m);
	if (g_thread_self() == s->opener)
		s->held++;
	return s;
}

static void store_release(struct store **held)
{
	struct store *s = *held;

	if (!s)
		return;
	if (g_thread_self() == s->opener)
		s->held--;
	sqlite3_mutex_leave(sqlite3_db_mutex(s->db));
}

#define STORE_HOLD(s)                                                                              \
	struct store *store_held_ __attribute__((cleanup(store_release))) G_GNUC_UNUSED =          \
	    store_hold(s)

bool store_held(const struct store *s)
{
	return s->held > 0 && g_thread_self() == s->opener;
}

#define OUTBOX_ADD_SQL "INSERT INTO outbox (id, kind, at, body) VALUES (?1, ?2, ?3, ?4)"

static int store_write(struct store *s, const char *sql, const char *doing, GError **error,
		       const char *types, ...);

/* Whether SQLite's @sqlite_rc says the disk failed (not the query). */
static bool store_disk_failed(int sqlite_rc)
{
	int primary = sqlite_rc & 0xff;

	return primary == SQLITE_FULL || primary == SQLITE_IOERR || primary == SQLITE_READONLY ||
	       primary == SQLITE_CANTOPEN;
}

/* @s's disk failed: say so on /tech until the next commit.  Any thread. */
static void store_set_fault(struct store *s, const char *why)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree char *when = g_date_time_format(now, "%H:%M:%S");

	g_mutex_lock(&s->fault_lock);
	g_free(s->write_fault);
	s->write_fault =
	    g_strdup_printf("disk: the database failed on its disk at %s: %s", when, why);
	g_mutex_unlock(&s->fault_lock);
}

/* Maps SQLite's result onto an errno and a line that says what to do. */
static int store_fail(struct store *s, int sqlite_rc, const char *doing, GError **error)
{
	int primary = sqlite_rc & 0xff;
	const char *msg = s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(sqlite_rc);
	g_autofree char *dir = g_path_get_dirname(s && s->path ? s->path : ".");
	int rc;

	switch (primary) {
	case SQLITE_FULL:
		rc = -ENOSPC;
		g_set_error(error, STORE_ERROR, ENOSPC,
			    "database disk is full: free space on %s — nothing was saved (%s)", dir,
			    doing);
		break;
	case SQLITE_READONLY:
		rc = -EROFS;
		g_set_error(error, STORE_ERROR, EROFS,
			    "the database %s is read-only: check the disk and how it is mounted — "
			    "nothing was saved (%s)",
			    s ? s->path : "", doing);
		break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		rc = -EBUSY;
		g_set_error(error, STORE_ERROR, EBUSY,
			    "the database is locked by another program: stop it and try again (%s)",
			    doing);
		break;
	case SQLITE_CONSTRAINT:
		rc = -EEXIST;
		g_set_error(error, STORE_ERROR, EEXIST, "%s: already stored (%s)", doing, msg);
		break;
	case SQLITE_IOERR:
		if (sqlite_rc == SQLITE_IOERR_WRITE || sqlite_rc == SQLITE_IOERR_FSYNC ||
		    sqlite_rc == SQLITE_IOERR_SHMSIZE || sqlite_rc == SQLITE_IOERR_TRUNCATE) {
			/* A write that fails on a full file system reports IOERR on
			 * some paths. */
			int err = sqlite3_system_errno(s->db);

			if (err == ENOSPC) {
				rc = -ENOSPC;
				g_set_error(error, STORE_ERROR, ENOSPC,
					    "database disk is full: free space on %s — nothing was "
					    "saved (%s)",
					    dir, doing);
				break;
			}
			if (err == EROFS) {
				rc = -EROFS;
				g_set_error(error, STORE_ERROR, EROFS,
					    "the database %s is read-only: check the disk and how "
					    "it is mounted — nothing was saved (%s)",
					    s->path, doing);
				break;
			}
		}
		/* fall through */
	default:
		rc = -EIO;
		g_set_error(error, STORE_ERROR, EIO,
			    "the database cannot be used (%s: %s): a technician should run "
			    "vuoroctl db check",
			    doing, msg);
		break;
	}
	if (s && !s->reader && store_disk_failed(sqlite_rc)) {
		store_set_fault(s, error && *error ? (*error)->message : msg);
	}
	return rc;
}

/* A commit reached the WAL: the disk takes writes again.  Does what SQLite's
 * default hook does besides (a passive checkpoint every 1,000 pages), since
 * a hook of our own replaces it. */
static int store_wal_hook(void *data, sqlite3 *db, const char *name, int pages)
{
	struct store *s = data;

	g_mutex_lock(&s->fault_lock);
	g_clear_pointer(&s->write_fault, g_free);
	g_mutex_unlock(&s->fault_lock);
	if (pages >= 1000)
		sqlite3_wal_checkpoint(db, name);
	return SQLITE_OK;
}

char *store_write_fault(struct store *s)
{
	char *why;

	g_mutex_lock(&s->fault_lock);
	why = g_strdup(s->write_fault);
	g_mutex_unlock(&s->fault_lock);
	return why;
}

static int store_exec(struct store *s, const char *sql, const char *doing, GError **error)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : store_fail(s, rc, doing, error);
}

static void store_rollback(struct store *s)
{
	s->outbox_next = 0; /* the records taken back free their seqs */
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* A statement prepared for one use; finalize it with sqlite3_finalize. */
static sqlite3_stmt *store_prepare(struct store *s, const char *sql, GError **error)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK) {
		store_fail(s, rc, "preparing a query", error);
		return NULL;
	}
	return st;
}

static sqlite3_stmt *store_hot(struct store *s, enum store_stmt which)
{
	sqlite3_stmt *st = s->stmt[which];

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *v = sqlite3_column_text(st, i);

	return v ? (const char *)v : "";
}

/* ---------------------------------------------------------------------- */
/* Open, migrate, mirror the config */

static int store_backup_paced(struct store *s, const char *dest, int pages, GError **error);

/* The copies before migrations a board keeps: each is the whole database,
 * and a board that is upgraded for years would fill its disk with them. */
#define STORE_MIGRATION_COPIES 3

static gint copy_version_cmp(gconstpointer a, gconstpointer b)
{
	return GPOINTER_TO_INT(*(gconstpointer *)b) - GPOINTER_TO_INT(*(gconstpointer *)a);
}

/* Removes all but the newest STORE_MIGRATION_COPIES of PATH.schema-N.bak. */
static void store_prune_migration_copies(struct store *s)
{
	g_autofree char *dir = g_path_get_dirname(s->path);
	g_autofree char *base = g_path_get_basename(s->path);
	g_autofree char *prefix = g_strconcat(base, ".schema-", NULL);
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	g_autoptr(GPtrArray) versions = g_ptr_array_new();
	const char *name;

	if (!d)
		return;
	while ((name = g_dir_read_name(d))) {
		guint64 v;
		char *end;

		if (!g_str_has_prefix(name, prefix) || !g_ascii_isdigit(name[strlen(prefix)]))
			continue;
		v = g_ascii_strtoull(name + strlen(prefix), &end, 10);
		if (strcmp(end, ".bak") == 0 && v > 0 && v < G_MAXINT)
			g_ptr_array_add(versions, GINT_TO_POINTER((int)v));
	}
	g_ptr_array_sort(versions, copy_version_cmp);
	for (guint i = STORE_MIGRATION_COPIES; i < versions->len; i++) {
		g_autofree char *old = g_strdup_printf("%s.schema-%d.bak", s->path,
						       GPOINTER_TO_INT(versions->pdata[i]));

		if (g_unlink(old) == 0)
			g_message("%s: removed, the %d newest copies before migrations are kept",
				  old, STORE_MIGRATION_COPIES);
		else
			g_warning("%s: could not remove it (%s)", old, g_strerror(errno));
	}
}

/* Before an older database is migrated (a new firmware over the old one),
 * a copy of it as it was: PATH.schema-N.bak, N its version, beside it.  A
 * copy of that version made by an earlier start that then failed is kept as
 * it is.  No copy, no migration: the old firmware can still open the file.
 * Of the copies, the STORE_MIGRATION_COPIES newest stay. */
static int store_backup_before_migrating(struct store *s, int version, GError **error)
{
	g_autofree char *dest = g_strdup_printf("%s.schema-%d.bak", s->path, version);
	g_autoptr(GError) why = NULL;

	if (g_file_test(dest, G_FILE_TEST_EXISTS)) {
		g_message(
		    "%s: schema version %d is migrated to %d; its copy %s is kept from before",
		    s->path, version, STORE_SCHEMA_VERSION, dest);
		return 0;
	}
	if (store_backup_paced(s, dest, -1, &why) < 0) {
		g_set_error(
		    error, STORE_ERROR, EIO,
		    "%s has schema version %d and this vuorod migrates it to %d, but the copy "
		    "it keeps first could not be made (%s): free space beside the database "
		    "and start again; nothing was changed",
		    s->path, version, STORE_SCHEMA_VERSION, why->message);
		return -EIO;
	}
	g_message("%s: a copy of schema version %d kept as %s before migrating to %d", s->path,
		  version, dest, STORE_SCHEMA_VERSION);
	store_prune_migration_copies(s);
	return 0;
}

static int store_migrate(struct store *s, GError **error)
{
	sqlite3_stmt *st = NULL;
	int version = 0, rc;

	rc = sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL);
	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return store_fail(s, rc, "reading the schema version", error);
	if (version > STORE_SCHEMA_VERSION) {
		g_set_error(error, STORE_ERROR, EPROTO,
			    "%s has schema version %d, newer than this vuorod understands (%d): "
			    "install the newer firmware again or restore a backup",
			    s->path, version, STORE_SCHEMA_VERSION);
		return -EPROTO;
	}
	if (version > 0 && version < STORE_SCHEMA_VERSION &&
	    store_backup_before_migrating(s, version, error) < 0)
		return -EIO;
	for (int v = version + 1; v <= STORE_SCHEMA_VERSION; v++) {
		g_autofree char *sql =
		    g_strdup_printf("BEGIN IMMEDIATE; %s PRAGMA user_version = %d; "
				    "COMMIT;",
				    store_migration_sql(v), v);
		g_autofree char *doing = g_strdup_printf("migrating to schema version %d", v);

		rc = store_exec(s, sql, doing, error);
		if (rc < 0) {
			store_rollback(s);
			return rc;
		}
		if (version > 0)
			g_message("%s: migrated to schema version %d", s->path, v);
	}
	return 0;
}

/* The reports' name_fi, name_sv and name_en columns (@col 0, 1, 2): the
 * name in that language when the site offers it, else in its main one. */
static const char *store_name_in(const struct config *cfg, char *const names[], int col)
{
	static const char *const cols[] = {"fi", "sv", "en"};
	int l = config_lang_parse(cfg, cols[col]);

	return names[l < 0 ? 0 : l];
}

static int store_mirror_config(struct store *s, const struct config *cfg, GError **error)
{
	static const char *const kinds[] = {"counter", "remote"};
	sqlite3_stmt *prov = NULL, *svc = NULL, *ctr = NULL;
	int rc;

	rc = store_exec(s, "BEGIN IMMEDIATE", "saving the board-config", error);
	if (rc < 0)
		return rc;
	prov = store_prepare(s,
			     "INSERT INTO providers (code, name_fi, name_sv, name_en) VALUES "
			     "(?1, ?2, ?3, ?4) ON CONFLICT (code) DO UPDATE SET name_fi = ?2, "
			     "name_sv = ?3, name_en = ?4",
			     error);
	svc = store_prepare(s,
			    "INSERT INTO services (code, provider, prefix, kind, name_fi, name_sv, "
			    "name_en) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (code) DO "
			    "UPDATE SET provider = ?2, prefix = ?3, kind = ?4, name_fi = ?5, "
			    "name_sv = ?6, name_en = ?7",
			    error);
	ctr = store_prepare(s,
			    "INSERT INTO counters (id, name, expert) VALUES (?1, ?2, ?3) "
			    "ON CONFLICT (id) DO UPDATE SET name = ?2, expert = ?3",
			    error);
	rc = -EIO;
	if (!prov || !svc || !ctr)
		goto out;
	for (guint i = 0; i < cfg->providers->len; i++) {
		const struct config_provider *p = g_ptr_array_index(cfg->providers, i);

		sqlite3_reset(prov);
		bind_text(prov, 1, p->code);
		for (int l = 0; l < 3; l++)
			bind_text(prov, 2 + l, store_name_in(cfg, p->name, l));
		if ((rc = sqlite3_step(prov)) != SQLITE_DONE)
			goto fail;
	}
	for (guint i = 0; i < cfg->services->len; i++) {
		const struct config_service *v = g_ptr_array_index(cfg->services, i);
		char prefix[2] = {v->prefix, 0};

		sqlite3_reset(svc);
		bind_text(svc, 1, v->code);
		bind_text(svc, 2, config_provider_code(cfg, (int)i));
		bind_text(svc, 3, prefix);
		bind_text(svc, 4, kinds[v->kind]);
		for (int l = 0; l < 3; l++)
			bind_text(svc, 5 + l, store_name_in(cfg, v->name, l));
		if ((rc = sqlite3_step(svc)) != SQLITE_DONE)
			goto fail;
	}
	for (guint i = 0; i < cfg->counters->len; i++) {
		const struct config_counter *c = g_ptr_array_index(cfg->counters, i);

		sqlite3_reset(ctr);
		sqlite3_bind_int(ctr, 1, c->id);
		bind_text(ctr, 2, c->name);
		sqlite3_bind_int(ctr, 3, c->expert);
		if ((rc = sqlite3_step(ctr)) != SQLITE_DONE)
			goto fail;
	}
	rc = store_exec(s, "COMMIT", "saving the board-config", error);
	goto out;
fail:
	rc = store_fail(s, rc, "saving the board-config", error);
out:
	sqlite3_finalize(prov);
	sqlite3_finalize(svc);
	sqlite3_finalize(ctr);
	if (rc < 0)
		store_rollback(s);
	return rc;
}

/* What makes this file this file: the board (machine-id), the inode and
 * the birth time.  A copy, a restore or a board swap changes one of them. */
static char *store_file_identity(const char *path)
{
	g_autofree char *machine = NULL;
	struct statx st = {0};
	uint64_t btime = 0, ino = 0;

	if (!g_file_get_contents("/etc/machine-id", &machine, NULL, NULL))
		machine = g_strdup("-");
	g_strstrip(machine);
	if (statx(AT_FDCWD, path, 0, STATX_INO | STATX_BTIME, &st) == 0) {
		ino = st.stx_ino;
		if (st.stx_mask & STATX_BTIME)
			btime = (uint64_t)st.stx_btime.tv_sec * 1000000000u + st.stx_btime.tv_nsec;
	}
	return g_strdup_printf("%s:%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT, machine, ino, btime);
}

static char *store_meta_get(struct store *s, const char *key)
{
	sqlite3_stmt *st = NULL;
	char *value = NULL;

	if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = ?1", -1, &st, NULL) ==
	    SQLITE_OK) {
		bind_text(st, 1, key);
		if (sqlite3_step(st) == SQLITE_ROW)
			value = g_strdup(col_text(st, 0));
	}
	sqlite3_finalize(st);
	return value;
}

/* PATH.sent: the newest record of @epoch the hub has; 0 when none known. */
static int64_t store_sent_mark(const struct store *s, const char *epoch)
{
	g_autofree char *file = g_strconcat(s->path, ".sent", NULL);
	g_autofree char *text = NULL;
	g_auto(GStrv) f = NULL;

	if (!epoch || !g_file_get_contents(file, &text, NULL, NULL))
		return 0;
	f = g_strsplit_set(g_strstrip(text), " ", 2);
	if (g_strv_length(f) != 2 || strcmp(f[0], epoch) != 0)
		return 0;
	return g_ascii_strtoll(f[1], NULL, 10);
}

static void store_sent_write(struct store *s, bool now)
{
	g_autofree char *file = NULL, *text = NULL;
	g_autoptr(GError) error = NULL;
	int64_t mono = g_get_monotonic_time();

	if (s->sent_high <= s->sent_written || (!now && mono - s->sent_written_at < G_USEC_PER_SEC))
		return;
	file = g_strconcat(s->path, ".sent", NULL);
	text = g_strdup_printf("%s %" G_GINT64_FORMAT "\n", s->epoch, s->sent_high);
	if (!g_file_set_contents_full(file, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644,
				      &error)) {
		g_warning("%s: %s (a backup put back over this database may then reuse record "
			  "numbers the hub has)",
			  file, error->message);
		return;
	}
	s->sent_written = s->sent_high;
	s->sent_written_at = mono;
}

void store_outbox_sent_sync(struct store *s)
{
	STORE_HOLD(s);
	store_sent_write(s, true);
}

/* The epoch (store.h): kept while the file is the one it was made for and
 * holds every record the hub has of it. */
static int store_epoch_check(struct store *s, GError **error)
{
	g_autofree char *identity = store_file_identity(s->path);
	g_autofree char *recorded = store_meta_get(s, "file");
	g_autofree char *newest = NULL;
	int64_t sent = 0, here = 0;
	guint8 raw[8];
	int rc;

	s->epoch = store_meta_get(s, "epoch");
	sent = store_sent_mark(s, s->epoch);
	if (sent) {
		sqlite3_stmt *st = NULL;

		if (sqlite3_prepare_v2(s->db, "SELECT COALESCE(MAX(id), 0) FROM outbox", -1, &st,
				       NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW)
			here = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (here < sent)
			newest =
			    g_strdup_printf("the hub has record %" G_GINT64_FORMAT
					    " of this epoch, the newest here is %" G_GINT64_FORMAT,
					    sent, here);
	}
	if (s->epoch && recorded && strcmp(recorded, identity) == 0 && !newest) {
		s->sent_high = s->sent_written = sent;
		return 0;
	}
	if (getrandom(raw, sizeof(raw), 0) != sizeof(raw)) {
		for (size_t i = 0; i < sizeof(raw); i++)
			raw[i] = (guint8)g_random_int();
	}
	g_free(s->epoch);
	s->epoch = g_strdup_printf("%02x%02x%02x%02x%02x%02x%02x%02x", raw[0], raw[1], raw[2],
				   raw[3], raw[4], raw[5], raw[6], raw[7]);
	rc = store_write(s,
			 "INSERT INTO meta (key, value) VALUES ('epoch', ?1), ('file', ?2) "
			 "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
			 "saving the database's epoch", error, "ss", s->epoch, identity);
	if (rc < 0)
		return rc;
	if (newest)
		g_message("%s: a new epoch %s: the database is older than what it sent to the hub "
			  "(%s: a backup was put back)",
			  s->path, s->epoch, newest);
	else if (recorded)
		g_message("%s: a new epoch %s (the file was restored, copied or moved to another "
			  "board)",
			  s->path, s->epoch);
	return 0;
}

const char *store_epoch(const struct store *s)
{
	return s->epoch;
}

struct store *store_open(const char *path, const struct config *cfg, GError **error)
{
	g_autoptr(Store) s = g_new0(struct store, 1);

	g_mutex_init(&s->fault_lock);
	sqlite3_stmt *st = NULL;
	g_autofree char *check = NULL;
	int rc;

	s->path = g_strdup(path);
	s->opener = g_thread_self();
	/* A WAL database on a read-only file system (an SD card the kernel
	 * remounted read-only after errors) cannot be opened normally: open it
	 * immutable, serve what can be read, and let every write fail with a
	 * clear "read-only". */
	s->read_only = access(path, F_OK) == 0 && access(path, W_OK) < 0 && errno == EROFS;
	if (s->read_only) {
		g_autofree char *abs = g_canonicalize_filename(path, NULL);
		g_autofree char *uri = g_filename_to_uri(abs, NULL, NULL);
		g_autofree char *imm = g_strconcat(uri ? uri : "", "?immutable=1", NULL);

		rc = sqlite3_open_v2(imm, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
		g_warning("the database %s is on a read-only file system: serving what can be "
			  "read, refusing every change until it is writable again",
			  path);
	} else {
		rc =
		    sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	}
	if (rc != SQLITE_OK) {
		g_set_error(error, STORE_ERROR, EIO, "cannot open the database %s: %s", path,
			    s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		return NULL;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, 2000);
	/* quick_check reads every page: a file that is not a database, or a
	 * damaged one, is refused here rather than half-used. */
	rc = sqlite3_prepare_v2(s->db, "PRAGMA quick_check", -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
		check = g_strdup(col_text(st, 0));
	sqlite3_finalize(st);
	if (!check || strcmp(check, "ok") != 0) {
		g_set_error(error, STORE_ERROR, EIO,
			    "the database %s is damaged or not a vuoro database (%s): restore the "
			    "last backup (vuoroctl db backup makes one) or move the file away",
			    path, check ? check : sqlite3_errmsg(s->db));
		return NULL;
	}
	if (!s->read_only) {
		if (store_exec(s,
			       "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "
			       "PRAGMA foreign_keys = ON;",
			       "setting up the database", error) < 0)
			return NULL;
		sqlite3_wal_hook(s->db, store_wal_hook, s);
		if (store_migrate(s, error) < 0)
			return NULL;
		if (cfg && store_mirror_config(s, cfg, error) < 0)
			return NULL;
		if (store_epoch_check(s, error) < 0)
			return NULL;
		s->outbox = cfg && cfg->uplink;
		if (s->outbox &&
		    sqlite3_prepare_v3(s->db, OUTBOX_ADD_SQL, -1, SQLITE_PREPARE_PERSISTENT,
				       &s->outbox_add, NULL) != SQLITE_OK) {
			store_fail(s, sqlite3_errcode(s->db), "preparing the outbox", error);
			return NULL;
		}
	}
	for (int i = 0; i < ST_N; i++) {
		rc = sqlite3_prepare_v3(s->db, store_stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
					&s->stmt[i], NULL);
		if (rc != SQLITE_OK) {
			store_fail(s, rc, "preparing queries", error);
			return NULL;
		}
	}
	return g_steal_pointer(&s);
}

void store_free(struct store *s)
{
	if (!s)
		return;
	if (s->jobs) /* the running jobs finish; the queued ones are dropped */
		g_thread_pool_free(s->jobs, TRUE, TRUE);
	if (s->epoch && !s->reader && !s->read_only)
		store_sent_write(s, true);
	for (int i = 0; i < ST_N; i++)
		sqlite3_finalize(s->stmt[i]);
	sqlite3_finalize(s->outbox_add);
	sqlite3_close(s->db);
	g_free(s->path);
	g_free(s->epoch);
	g_free(s->write_fault);
	g_mutex_clear(&s->fault_lock);
	g_free(s);
}

/* A read-only connection to @path; @immutable as store_open does on a
 * read-only file system.  No quick_check, no migration: the writer did that.
 * A reader serves one thread at a time (a job's, or its opener's), so it is
 * opened without SQLite's connection mutex, which every sqlite3_column_*
 * call would take: a quarter of a year's report went there (issue 22). */
static struct store *store_reader_open(const char *path, bool immutable, GError **error)
{
	g_autoptr(Store) r = g_new0(struct store, 1);

	g_mutex_init(&r->fault_lock);
	int rc;

	r->path = g_strdup(path);
	r->read_only = immutable;
	r->reader = true;
	if (immutable) {
		g_autofree char *abs = g_canonicalize_filename(path, NULL);
		g_autofree char *uri = g_filename_to_uri(abs, NULL, NULL);
		g_autofree char *imm = g_strconcat(uri ? uri : "", "?immutable=1", NULL);

		rc = sqlite3_open_v2(imm, &r->db,
				     SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
				     NULL);
	} else {
		rc =
		    sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
	}
	if (rc != SQLITE_OK) {
		g_set_error(error, STORE_ERROR, EIO, "cannot open the database %s to read it: %s",
			    path, r->db ? sqlite3_errmsg(r->db) : sqlite3_errstr(rc));
		return NULL;
	}
	sqlite3_extended_result_codes(r->db, 1);
	sqlite3_busy_timeout(r->db, 5000);
	return g_steal_pointer(&r);
}

struct store *store_open_reader(const struct store *s, GError **error)
{
	return store_reader_open(s->path, s->read_only, error);
}

/* ---------------------------------------------------------------------- */
/* Jobs on worker threads */

struct store_job {
	char *path; /* copied: the job may outlive nothing of the caller's */
	bool immutable;
	struct store *owner; /* the writer: store_free waits for a running job */
	store_job_fn fn;
	gpointer data;
	GDestroyNotify data_free;
	int rc;
	GError *error;
};

static void store_job_free(gpointer data)
{
	struct store_job *j = data;

	if (j->data_free)
		j->data_free(j->data);
	g_clear_error(&j->error);
	g_free(j->path);
	g_free(j);
}

/* A year's report or a backup frees megabytes at once; glibc keeps them in
 * the job thread's arena unless asked: give them back, so a board's memory
 * after a month of reports is that of its first day.  malloc_trim takes
 * each arena's lock in turn (the loop's too, for a moment): at most once
 * every STORE_TRIM_S, however many reports come one after another. */
#define STORE_TRIM_S 10
static void store_job_trim(struct store *owner)
{
	gint now = (gint)(g_get_monotonic_time() / G_USEC_PER_SEC);
	gint last = g_atomic_int_get(&owner->trimmed_s);

	if (now - last >= STORE_TRIM_S &&
	    g_atomic_int_compare_and_exchange(&owner->trimmed_s, last, now))
		malloc_trim(0);
}

/* A pool thread: niced, so that the loop gets a core first on a board of
 * two, and a job only slows down what else runs in the background. */
static void store_job_thread(gpointer data, gpointer pool_data)
{
	g_autoptr(GTask) task = data;
	struct store_job *j = g_task_get_task_data(task);
	g_autoptr(Store) r = NULL;

	setpriority(PRIO_PROCESS, 0, STORE_JOB_NICE); /* Linux: this thread only */
	r = store_reader_open(j->path, j->immutable, &j->error);
	j->rc = r ? j->fn(r, j->data, &j->error) : -EIO;
	if (j->rc >= 0)
		g_clear_error(&j->error);
	else if (!j->error)
		g_set_error(&j->error, STORE_ERROR, -j->rc, "the database could not be read: %s",
			    g_strerror(-j->rc));
	/* A job that failed on the disk (its open, or a read of the WAL it
	 * opens later) is the disk's fault on /tech, as a failed write is. */
	if (j->rc < 0 && (!r || store_disk_failed(sqlite3_extended_errcode(r->db))))
		store_set_fault(j->owner, j->error->message);
	g_clear_pointer(&r, store_free);
	store_job_trim(j->owner);
	g_task_return_boolean(task, TRUE);
}

void store_job_run(struct store *s, store_job_fn fn, gpointer data, GDestroyNotify data_free,
		   GAsyncReadyCallback done, gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(NULL, NULL, done, user_data);
	struct store_job *j = g_new0(struct store_job, 1);

	j->path = g_strdup(s->path);
	j->immutable = s->read_only;
	j->owner = s;
	j->fn = fn;
	j->data = data;
	j->data_free = data_free;
	g_task_set_task_data(task, j, store_job_free);
	if (!s->jobs)
		s->jobs = g_thread_pool_new_full(store_job_thread, NULL, g_object_unref,
						 STORE_JOB_THREADS, FALSE, NULL);
	g_thread_pool_push(s->jobs, g_steal_pointer(&task), NULL);
}

int store_job_finish(GAsyncResult *result, gpointer *ret_data, GError **error)
{
	struct store_job *j = g_task_get_task_data(G_TASK(result));

	if (ret_data)
		*ret_data = j->data;
	if (j->rc < 0 && j->error)
		g_propagate_error(error, g_steal_pointer(&j->error));
	return j->rc;
}

sqlite3 *store_db(struct store *s)
{
	return s->db;
}

/* ---------------------------------------------------------------------- */
/* Queue results */

static char *profile_text(const struct config *cfg, const struct queue_counter *c)
{
	GString *text = g_string_new(NULL);

	for (unsigned k = 0; k < c->n_profile; k++) {
		const struct config_service *svc = config_service_get(cfg, c->profile[k].service);

		if (!svc)
			continue;
		if (text->len)
			g_string_append_c(text, ',');
		g_string_append(text, svc->code);
		if (c->profile[k].weight > 0)
			g_string_append_printf(text, ":%d", c->profile[k].weight);
	}
	return g_string_free(text, FALSE);
}

static int put_ticket(struct store *s, const struct config *cfg, const struct queue_ticket *t)
{
	sqlite3_stmt *st = store_hot(s, ST_TICKET_PUT);
	bool ended = queue_state_terminal(t->state);

	sqlite3_bind_int64(st, 1, t->id);
	sqlite3_bind_int(st, 2, t->day);
	bind_text(st, 3, config_service_get(cfg, t->service)->code);
	bind_text(st, 4, config_service_get(cfg, t->origin)->code);
	sqlite3_bind_int(st, 5, t->number);
	bind_text(st, 6, t->code);
	bind_text(st, 7, t->ref);
	bind_text(st, 8, queue_state_name(t->state));
	bind_text(st, 9, config_lang_code(cfg, t->lang));
	sqlite3_bind_int(st, 10, t->priority);
	sqlite3_bind_int(st, 11, t->front);
	sqlite3_bind_int(st, 12, t->counter);
	sqlite3_bind_int(st, 13, t->target_counter);
	sqlite3_bind_int(st, 14, t->recalls);
	sqlite3_bind_int(st, 15, t->no_shows);
	sqlite3_bind_int(st, 16, t->transfers);
	sqlite3_bind_int64(st, 17, t->appointment);
	sqlite3_bind_int64(st, 18, t->booked_at);
	sqlite3_bind_int64(st, 19, t->issued_at);
	sqlite3_bind_int64(st, 20, t->queued_at);
	sqlite3_bind_int64(st, 21, t->called_at);
	sqlite3_bind_int64(st, 22, t->started_at);
	sqlite3_bind_int64(st, 23, t->ended_at);
	bind_text(st, 24, ended ? queue_channel_name(t->channel) : NULL);
	bind_text(st, 25, ended ? queue_outcome_name(t->outcome) : NULL);
	return sqlite3_step(st);
}

static int put_counter(struct store *s, const struct config *cfg, const struct queue_counter *c)
{
	sqlite3_stmt *st = store_hot(s, ST_COUNTER_PUT);
	g_autofree char *profile = profile_text(cfg, c);

	sqlite3_bind_int(st, 1, c->id);
	sqlite3_bind_int(st, 2, c->open);
	bind_text(st, 3, c->user[0] ? c->user : NULL);
	bind_text(st, 4, profile);
	sqlite3_bind_int64(st, 5, c->ticket);
	sqlite3_bind_int64(st, 6, c->opened_at);
	sqlite3_bind_int64(st, 7, c->idle_since);
	sqlite3_bind_int(st, 8, c->expert);
	return sqlite3_step(st);
}

static int put_visit(struct store *s, const struct config *cfg, const struct queue_visit *v,
		     const struct store_visit_note *note)
{
	sqlite3_stmt *st = store_hot(s, ST_VISIT_ADD);

	sqlite3_bind_int64(st, 1, v->ticket);
	sqlite3_bind_int(st, 2, v->day);
	bind_text(st, 3, config_service_get(cfg, v->service)->code);
	bind_text(st, 4, config_provider_code(cfg, v->service));
	bind_text(st, 5, v->code);
	sqlite3_bind_int(st, 6, v->counter);
	bind_text(st, 7, v->user[0] ? v->user : NULL);
	bind_text(st, 8, queue_channel_name(v->channel));
	bind_text(st, 9, queue_outcome_name(v->outcome));
	bind_text(st, 10, config_lang_code(cfg, v->lang));
	sqlite3_bind_int(st, 11, v->recalls);
	sqlite3_bind_int(st, 12, v->transfers);
	sqlite3_bind_int64(st, 13, v->appointment);
	sqlite3_bind_int64(st, 14, v->issued_at);
	sqlite3_bind_int64(st, 15, v->called_at);
	sqlite3_bind_int64(st, 16, v->started_at);
	sqlite3_bind_int64(st, 17, v->ended_at);
	if (note && note->ticket == v->ticket) {
		bind_text(st, 18, note->category);
		bind_text(st, 19, note->identity);
		bind_text(st, 20, note->identity_verdict);
		bind_text(st, 21, note->document_type);
		sqlite3_bind_int64(st, 22, note->session);
		bind_text(st, 23, note->consent);
		sqlite3_bind_int(st, 24, note->manual);
		bind_text(st, 26, note->transfer_note);
	} else {
		sqlite3_bind_int64(st, 22, 0);
		sqlite3_bind_int(st, 24, 0);
	}
	sqlite3_bind_int(st, 25, config_service_trial(cfg, v->service));
	return sqlite3_step(st);
}

static int put_audit(struct store *s, const struct store_audit *a)
{
	sqlite3_stmt *st = store_hot(s, ST_AUDIT_ADD);

	sqlite3_bind_int64(st, 1, a->at);
	bind_text(st, 2, a->user);
	bind_text(st, 3, a->command);
	bind_text(st, 4, a->detail);
	return sqlite3_step(st);
}

/* A record for the hub (outbox.h), inside the caller's transaction: its
 * seq is its row id, the one after the newest row (kept by the prune), read
 * once and then counted here; takes @b, the record (outbox.h).
 * SQLITE_DONE when written, or when the site has no uplink. */
static int put_outbox(struct store *s, const char *kind, int64_t at, JsonNode *b)
{
	g_autofree char *text = NULL;
	sqlite3_stmt *st = s->outbox_add;
	int rc;

	if (!s->outbox) {
		json_node_unref(b);
		return SQLITE_DONE;
	}
	if (s->outbox_next == 0) {
		sqlite3_stmt *max = NULL;

		rc = sqlite3_prepare_v2(s->db, "SELECT COALESCE(MAX(id), 0) + 1 FROM outbox", -1,
					&max, NULL);
		if (rc == SQLITE_OK && (rc = sqlite3_step(max)) == SQLITE_ROW)
			s->outbox_next = sqlite3_column_int64(max, 0);
		sqlite3_finalize(max);
		if (s->outbox_next == 0) {
			json_node_unref(b);
			return rc == SQLITE_ROW ? SQLITE_ERROR : rc;
		}
	}
	text = outbox_finish(b, s->outbox_next);
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, s->outbox_next);
	bind_text(st, 2, kind);
	sqlite3_bind_int64(st, 3, at);
	sqlite3_bind_text(st, 4, text, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		s->outbox_next++;
		if (s->outbox_notify && g_thread_self() == s->opener)
			s->outbox_notify(s->outbox_notify_data);
		else if (s->outbox_notify)
			g_atomic_int_set(&s->notify_due, 1);
	}
	return rc;
}

static int put_day_summary(struct store *s, const struct config *cfg, int64_t at);
static int put_session_ended(struct store *s, int64_t id);

/* The records of one command's events: tickets issued, counters and
 * booths opened or closed, the day's summary at its reset. */
static int put_event_records(struct store *s, const struct config *cfg,
			     const struct queue_result *res, int64_t at)
{
	int rc = SQLITE_DONE;

	for (guint i = 0; i < res->events->len && rc == SQLITE_DONE; i++) {
		const struct queue_event *ev = &g_array_index(res->events, struct queue_event, i);
		struct queue_counter c = {.id = ev->counter};

		switch (ev->type) {
		case QUEUE_EVENT_ISSUED:
			rc = put_outbox(s, "ticket.issued", at,
					outbox_ticket_issued(cfg, &ev->ticket, at));
			break;
		case QUEUE_EVENT_COUNTER_OPENED:
		case QUEUE_EVENT_COUNTER_CLOSED:
			for (guint k = 0; k < res->counters->len; k++)
				if (g_array_index(res->counters, struct queue_counter, k).id ==
				    ev->counter)
					c = g_array_index(res->counters, struct queue_counter, k);
			rc = put_outbox(
			    s,
			    ev->type == QUEUE_EVENT_COUNTER_OPENED ? "counter.opened"
								   : "counter.closed",
			    at, outbox_counter(&c, ev->type == QUEUE_EVENT_COUNTER_OPENED, at));
			break;
		case QUEUE_EVENT_DAY_RESET:
			rc = put_day_summary(s, cfg, at);
			break;
		default:
			break;
		}
	}
	return rc;
}

/* One command's rows, inside the caller's transaction. */
static int put_result(struct store *s, const struct config *cfg, const struct queue_result *res,
		      const struct store_audit *audit)
{
	int64_t at = audit ? audit->at : g_get_real_time() / G_USEC_PER_SEC;
	int rc = SQLITE_DONE;

	for (guint i = 0; i < res->tickets->len && rc == SQLITE_DONE; i++)
		rc = put_ticket(s, cfg, &g_array_index(res->tickets, struct queue_ticket, i));
	for (guint i = 0; i < res->counters->len && rc == SQLITE_DONE; i++)
		rc = put_counter(s, cfg, &g_array_index(res->counters, struct queue_counter, i));
	for (guint i = 0; i < res->visits->len && rc == SQLITE_DONE; i++) {
		const struct queue_visit *v = &g_array_index(res->visits, struct queue_visit, i);
		const struct store_visit_note *note = audit ? audit->visit : NULL;

		rc = put_visit(s, cfg, v, note);
		if (rc == SQLITE_DONE && s->outbox)
			rc = put_outbox(
			    s, "visit", v->ended_at,
			    outbox_visit(cfg, sqlite3_last_insert_rowid(s->db), v, note));
	}
	if (rc == SQLITE_DONE && s->outbox)
		rc = put_event_records(s, cfg, res, at);
	if (audit && rc == SQLITE_DONE)
		rc = put_audit(s, audit);
	return rc;
}

/* "day.summary" of the day the reset ends: the newest day with tickets
 * (the new day has none yet), its visits by service, channel and outcome. */
static int put_day_summary(struct store *s, const struct config *cfg, int64_t at)
{
	sqlite3_stmt *st = NULL;
	g_autoptr(GArray) lines = g_array_new(FALSE, TRUE, sizeof(struct outbox_day_line));
	g_autoptr(GStringChunk) strings = g_string_chunk_new(256);
	struct outbox_day d = {.at = at};
	int rc;

	/* Once per day: a restart before the new day's first ticket resets again. */
	rc = sqlite3_prepare_v2(
	    s->db,
	    "SELECT MAX(day), (SELECT COUNT(*) FROM tickets t2 WHERE t2.day = "
	    "(SELECT MAX(day) FROM tickets)), (SELECT CAST(value AS INTEGER) FROM "
	    "meta WHERE key = 'summary_day') FROM tickets",
	    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		bool none = sqlite3_column_type(st, 0) == SQLITE_NULL ||
			    (sqlite3_column_type(st, 2) != SQLITE_NULL &&
			     sqlite3_column_int(st, 2) >= sqlite3_column_int(st, 0));

		d.day = sqlite3_column_int(st, 0);
		d.tickets = sqlite3_column_int64(st, 1);
		rc = none ? SQLITE_ROW : SQLITE_DONE;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW) /* no day to sum up, or done already */
		return SQLITE_DONE;
	if (rc != SQLITE_DONE)
		return rc;
	rc = sqlite3_prepare_v2(s->db,
				"INSERT INTO meta (key, value) VALUES ('summary_day', ?1) "
				"ON CONFLICT (key) DO UPDATE SET value = excluded.value",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int(st, 1, d.day);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return rc;
	rc = sqlite3_prepare_v2(
	    s->db,
	    "SELECT service, provider, channel, outcome, COUNT(*), "
	    "SUM(CASE WHEN called_at > 0 THEN called_at - issued_at ELSE 0 END), "
	    "SUM(CASE WHEN started_at > 0 THEN ended_at - started_at ELSE 0 END) "
	    "FROM visits WHERE day = ?1 GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4",
	    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int(st, 1, d.day);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct outbox_day_line l = {
		    .service = g_string_chunk_insert(strings, col_text(st, 0)),
		    .provider = g_string_chunk_insert(strings, col_text(st, 1)),
		    .channel = g_string_chunk_insert(strings, col_text(st, 2)),
		    .outcome = g_string_chunk_insert(strings, col_text(st, 3)),
		    .visits = sqlite3_column_int64(st, 4),
		    .wait_s = sqlite3_column_int64(st, 5),
		    .service_s = sqlite3_column_int64(st, 6),
		};

		g_array_append_val(lines, l);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return rc;
	rc = sqlite3_prepare_v2(
	    s->db, "SELECT COUNT(*), COALESCE(SUM(rating), 0) FROM feedback WHERE day = ?1", -1,
	    &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int(st, 1, d.day);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		d.feedback = sqlite3_column_int64(st, 0);
		d.feedback_sum = sqlite3_column_int64(st, 1);
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return rc;
	d.lines = (const struct outbox_day_line *)(void *)lines->data;
	d.n_lines = lines->len;
	(void)cfg;
	return put_outbox(s, "day.summary", at, outbox_day_summary(&d));
}

/* Run on the desk's writer thread: it holds the connection (STORE_HOLD)
 * from BEGIN to COMMIT, so every call the opener's thread makes meanwhile
 * waits for the commit and never reads what is not durable yet. */
int store_results_commit(struct store *s, const struct config *cfg, guint n,
			 const struct queue_result *const *res, const struct store_audit *audits,
			 GError **error)
{
	STORE_HOLD(s);
	int rc, ret = 0;

	rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		ret = store_fail(s, rc, "saving", error);
		goto out;
	}
	for (guint i = 0; i < n; i++) {
		rc = put_result(s, cfg, res[i], audits ? &audits[i] : NULL);
		if (rc != SQLITE_DONE)
			goto fail;
	}
	rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		goto out;
fail:
	ret = store_fail(
	    s, rc, n == 1 && audits && audits[0].command ? audits[0].command : "saving", error);
	store_rollback(s);
out:
	return ret;
}

int store_result_commit(struct store *s, const struct config *cfg, const struct queue_result *res,
			const struct store_audit *audit, GError **error)
{
	STORE_HOLD(s);
	return store_results_commit(s, cfg, 1, &res, audit, error);
}

int64_t store_visit_manual_add(struct store *s, const struct config *cfg,
			       const struct queue_visit *v, const struct store_audit *audit,
			       GError **error)
{
	STORE_HOLD(s);
	const struct store_visit_note note = {.ticket = v->ticket, .manual = true};
	int64_t id = 0;
	int rc;

	rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return store_fail(s, rc, "recording a visit", error);
	rc = put_visit(s, cfg, v, &note);
	if (rc == SQLITE_DONE) {
		id = sqlite3_last_insert_rowid(s->db);
		rc = put_outbox(s, "visit", v->ended_at, outbox_visit(cfg, id, v, &note));
	}
	if (rc == SQLITE_DONE)
		rc = put_audit(s, audit);
	if (rc == SQLITE_DONE &&
	    (rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL)) == SQLITE_OK)
		return id;
	{
		int ret = store_fail(s, rc, "recording a visit", error);

		store_rollback(s);
		return ret;
	}
}

int store_transfer_note_get(struct store *s, uint32_t ticket, char **ret_note, GError **error)
{
	STORE_HOLD(s);
	sqlite3_stmt *st = store_prepare(
	    s,
	    "SELECT transfer_note FROM visits WHERE ticket = ?1 AND outcome = 'transferred' "
	    "ORDER BY id DESC LIMIT 1",
	    error);
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, ticket);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		*ret_note = rc == SQLITE_ROW ? g_strdup(col_text(st, 0)) : NULL;
		rc = 0;
	} else {
		rc = store_fail(s, rc, "reading a transfer note", error);
	}
	sqlite3_finalize(st);
	return rc;
}

int store_audit_add(struct store *s, const struct store_audit *audit, GError **error)
{
	STORE_HOLD(s);
	int rc = put_audit(s, audit);

	return rc == SQLITE_DONE ? 0 : store_fail(s, rc, "writing the audit log", error);
}

/* Steps @st (prepared, its parameters bound; NULL: the prepare failed) to
 * its first row: the statement on that row, for the caller to read and
 * finalize; or NULL, with -ENOENT and the message @missing_fmt makes when
 * there is no row, or the failure, in *@ret_rc.  *@ret_rc is 0 with a row. */
static sqlite3_stmt *store_row_stepv(struct store *s, sqlite3_stmt *st, const char *doing,
				     int *ret_rc, GError **error, const char *missing_fmt,
				     va_list ap) G_GNUC_PRINTF(6, 0);
static sqlite3_stmt *store_row_stepv(struct store *s, sqlite3_stmt *st, const char *doing,
				     int *ret_rc, GError **error, const char *missing_fmt,
				     va_list ap)
{
	g_autofree char *missing = NULL;
	int rc;

	if (!st) {
		*ret_rc = -EIO;
		return NULL;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*ret_rc = 0;
		return st;
	}
	if (rc == SQLITE_DONE) {
		missing = g_strdup_vprintf(missing_fmt, ap);
		g_set_error_literal(error, STORE_ERROR, ENOENT, missing);
		*ret_rc = -ENOENT;
	} else {
		*ret_rc = store_fail(s, rc, doing, error);
	}
	sqlite3_finalize(st);
	return NULL;
}

/* @sql's first row (store_row_stepv); for @sql without parameters, such as
 * an aggregate, which always has its row. */
static sqlite3_stmt *store_row(struct store *s, const char *sql, const char *doing, int *ret_rc,
			       GError **error, const char *missing_fmt, ...) G_GNUC_PRINTF(6, 7);
static sqlite3_stmt *store_row(struct store *s, const char *sql, const char *doing, int *ret_rc,
			       GError **error, const char *missing_fmt, ...)
{
	sqlite3_stmt *st;
	va_list ap;

	va_start(ap, missing_fmt);
	st =
	    store_row_stepv(s, store_prepare(s, sql, error), doing, ret_rc, error, missing_fmt, ap);
	va_end(ap);
	return st;
}

/* @sql's row with its ?1 bound to @id (store_row_stepv). */
static sqlite3_stmt *store_row_by_id(struct store *s, const char *sql, int64_t id,
				     const char *doing, int *ret_rc, GError **error,
				     const char *missing_fmt, ...) G_GNUC_PRINTF(7, 8);
static sqlite3_stmt *store_row_by_id(struct store *s, const char *sql, int64_t id,
				     const char *doing, int *ret_rc, GError **error,
				     const char *missing_fmt, ...)
{
	sqlite3_stmt *st = store_prepare(s, sql, error);
	va_list ap;

	if (st)
		sqlite3_bind_int64(st, 1, id);
	va_start(ap, missing_fmt);
	st = store_row_stepv(s, st, doing, ret_rc, error, missing_fmt, ap);
	va_end(ap);
	return st;
}

/* The audit log is read newest first and the row wanted is recent (a
 * command of today): the scan stops after the day's rows at most. */
int store_last_time(struct store *s, int64_t *ret, GError **error)
{
	STORE_HOLD(s);
	int rc;
	sqlite3_stmt *st = store_row(
	    s,
	    "SELECT coalesce(max(at), 0) FROM audit WHERE id > (SELECT max(id) - 10000 FROM audit)",
	    "reading the audit log", &rc, error, "the audit log gave no row");

	if (!st)
		return rc;
	*ret = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return 0;
}

int store_audit_last_counter(struct store *s, const char *command, uint32_t ticket, int64_t since,
			     int16_t *ret_counter, GError **error)
{
	STORE_HOLD(s);
	sqlite3_stmt *st = store_prepare(
	    s,
	    "SELECT json_extract(detail, '$.counter'), at FROM audit WHERE command = ?1 "
	    "AND json_extract(detail, '$.ticket') = ?2 ORDER BY id DESC LIMIT 1",
	    error);
	int rc;

	if (!st)
		return -EIO;
	bind_text(st, 1, command);
	sqlite3_bind_int64(st, 2, ticket);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_int64(st, 1) >= since &&
	    sqlite3_column_type(st, 0) == SQLITE_INTEGER) {
		*ret_counter = (int16_t)sqlite3_column_int(st, 0);
		rc = 0;
	} else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		rc = -ENOENT;
	} else {
		rc = store_fail(s, rc, "reading the audit log", error);
	}
	sqlite3_finalize(st);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Loading */

/* Reads a row of ST_TICKET_GET's columns; -ENOENT when the service is no
 * longer in the config. */
static int row_ticket(const struct config *cfg, sqlite3_stmt *st, struct queue_ticket *t)
{
	int service = config_service_find(cfg, col_text(st, 2));
	int origin = config_service_find(cfg, col_text(st, 3));
	int lang = config_lang_parse(cfg, col_text(st, 8));
	int channel = queue_channel_parse(col_text(st, 23));
	int outcome = queue_outcome_parse(col_text(st, 24));

	if (service < 0 || origin < 0)
		return -ENOENT;
	memset(t, 0, sizeof(*t));
	t->id = (uint32_t)sqlite3_column_int64(st, 0);
	t->day = sqlite3_column_int(st, 1);
	t->service = (int16_t)service;
	t->origin = (int16_t)origin;
	t->number = (uint16_t)sqlite3_column_int(st, 4);
	g_strlcpy(t->code, col_text(st, 5), sizeof(t->code));
	g_strlcpy(t->ref, col_text(st, 6), sizeof(t->ref));
	t->state = (enum queue_state)MAX(0, queue_state_parse(col_text(st, 7)));
	t->lang = (uint8_t)MAX(0, lang);
	t->priority = (int8_t)sqlite3_column_int(st, 9);
	t->front = sqlite3_column_int(st, 10);
	t->counter = (int16_t)sqlite3_column_int(st, 11);
	t->target_counter = (int16_t)sqlite3_column_int(st, 12);
	t->recalls = (uint16_t)sqlite3_column_int(st, 13);
	t->no_shows = (uint16_t)sqlite3_column_int(st, 14);
	t->transfers = (uint16_t)sqlite3_column_int(st, 15);
	t->appointment = (uint32_t)sqlite3_column_int64(st, 16);
	t->booked_at = sqlite3_column_int64(st, 17);
	t->issued_at = sqlite3_column_int64(st, 18);
	t->queued_at = sqlite3_column_int64(st, 19);
	t->called_at = sqlite3_column_int64(st, 20);
	t->started_at = sqlite3_column_int64(st, 21);
	t->ended_at = sqlite3_column_int64(st, 22);
	t->channel = (uint8_t)MAX(0, channel);
	t->outcome = (uint8_t)MAX(0, outcome);
	return 0;
}

#define TICKET_COLUMNS                                                                             \
	"id, day, service, origin, number, code, ref, state, lang, priority, front, counter, "     \
	"target_counter, recalls, no_shows, transfers, appointment, booked_at, issued_at, "        \
	"queued_at, called_at, started_at, ended_at, channel, outcome"

int store_queue_load(struct store *s, const struct config *cfg, struct queue *q, int32_t day,
		     GArray *ret_ghosts, GError **error)
{
	STORE_HOLD(s);
	sqlite3_stmt *st = NULL;
	int rc;

	/* Numbering first: it fixes the engine's service day. */
	st = store_prepare(
	    s, "SELECT origin, MAX(number) FROM tickets WHERE day = ?1 GROUP BY origin", error);
	if (!st)
		return -EIO;
	sqlite3_bind_int(st, 1, day);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int svc = config_service_find(cfg, col_text(st, 0));

		if (svc >= 0)
			queue_restore_numbering(q, day, (int16_t)svc,
						(uint16_t)sqlite3_column_int(st, 1));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, rc, "loading the numbering", error);

	st = store_prepare(s,
			   "SELECT " TICKET_COLUMNS " FROM tickets WHERE state NOT IN ('done', "
			   "'no_show', 'cancelled', 'voided') ORDER BY id",
			   error);
	if (!st)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct queue_ticket t;

		if (row_ticket(cfg, st, &t) < 0) {
			g_warning("ticket %s (%s) is for a service no longer in the board-config: "
				  "left as it is",
				  col_text(st, 5), col_text(st, 2));
			continue;
		}
		if (t.state == QUEUE_ISSUED)
			g_array_append_val(ret_ghosts, t.id);
		else
			queue_restore_ticket(q, &t);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, rc, "loading the queue", error);

	st = store_prepare(s,
			   "SELECT id, open, user, profile, ticket, opened_at, idle_since FROM "
			   "counters",
			   error);
	if (!st)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const struct queue_counter *now =
		    queue_counter_get(q, (int16_t)sqlite3_column_int(st, 0));
		struct queue_counter c;
		char reason[128];

		if (!now)
			continue;
		c = *now;
		c.open = sqlite3_column_int(st, 1);
		g_strlcpy(c.user, col_text(st, 2), sizeof(c.user));
		if (sqlite3_column_type(st, 3) != SQLITE_NULL && *col_text(st, 3) &&
		    queue_profile_parse(cfg, col_text(st, 3), c.profile, &c.n_profile, reason,
					sizeof(reason)) < 0)
			g_warning("counter %d: stored %s; using the configured profile", c.id,
				  reason);
		c.ticket = (uint32_t)sqlite3_column_int64(st, 4);
		if (c.ticket && !queue_ticket_get(q, c.ticket))
			c.ticket = 0;
		c.opened_at = sqlite3_column_int64(st, 5);
		c.idle_since = sqlite3_column_int64(st, 6);
		queue_restore_counter(q, &c);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, rc, "loading the counters", error);

	/* Recent service times per service, oldest first. */
	st = store_prepare(s,
			   "SELECT service, secs FROM (SELECT service, ended_at - started_at AS "
			   "secs, id, ROW_NUMBER() OVER (PARTITION BY service ORDER BY id DESC) AS "
			   "n FROM visits WHERE started_at > 0 AND outcome NOT IN ('no_show', "
			   "'cancelled', 'voided', 'reset')) WHERE n <= ?1 ORDER BY id",
			   error);
	if (!st)
		return -EIO;
	sqlite3_bind_int(st, 1, cfg->service_time_window);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int svc = config_service_find(cfg, col_text(st, 0));

		if (svc >= 0)
			queue_restore_service_time(q, (int16_t)svc, sqlite3_column_int(st, 1));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, rc, "loading service times", error);

	st = store_prepare(s, "SELECT COALESCE(MAX(id), 0) + 1 FROM tickets", error);
	if (!st)
		return -EIO;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		queue_restore_next_id(q, (uint32_t)sqlite3_column_int64(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_fail(s, rc, "loading the next ticket id", error);
}

static int ticket_query(struct store *s, const struct config *cfg, sqlite3_stmt *st,
			struct queue_ticket *ret, GError **error)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_DONE) {
		g_set_error(error, STORE_ERROR, ENOENT, "no such ticket");
		return -ENOENT;
	}
	if (rc != SQLITE_ROW)
		return store_fail(s, rc, "reading a ticket", error);
	if (row_ticket(cfg, st, ret) < 0) {
		g_set_error(error, STORE_ERROR, ENOENT,
			    "the ticket is for a service no longer in the board-config");
		return -ENOENT;
	}
	return 0;
}

int store_ticket_get(struct store *s, const struct config *cfg, uint32_t id,
		     struct queue_ticket *ret, GError **error)
{
	STORE_HOLD(s);
	sqlite3_stmt *st = store_hot(s, ST_TICKET_GET);
	int rc;

	sqlite3_bind_int64(st, 1, id);
	rc = ticket_query(s, cfg, st, ret, error);
	sqlite3_reset(st);
	return rc;
}

int store_ticket_by_ref(struct store *s, const struct config *cfg, const char *ref,
			struct queue_ticket *ret, GError **error)
{
	STORE_HOLD(s);
	sqlite3_stmt *st = store_hot(s, ST_TICKET_BY_REF);
	int rc;

	bind_text(st, 1, ref);
	rc = ticket_query(s, cfg, st, ret, error);
	sqlite3_reset(st);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Users and tokens */

/* Runs a one-off write with text/int64 arguments: "s" text, "i" int64. */
static int store_write(struct store *s, const char *sql, const char *doing, GError **error,
		       const char *types, ...)
{
	sqlite3_stmt *st = store_prepare(s, sql, error);
	va_list ap;
	int rc;

	if (!st)
		return -EIO;
	va_start(ap, types);
	for (int i = 0; types[i]; i++) {
		if (types[i] == 's')
			bind_text(st, i + 1, va_arg(ap, const char *));
		else
			sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
	}
	va_end(ap);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, rc, doing, error);
	return sqlite3_changes(s->db);
}

/* After the change (its row count @rc: 0 → -ENOENT with @missing), the
 * audit line with @member: @id set into its detail, in one transaction. */
static int audited_change(struct store *s, int rc, const char *member, int64_t id,
			  const struct store_audit *audit, const char *doing, const char *missing,
			  GError **error)
{
	g_autofree char *path = g_strdup_printf("$.%s", member);

	if (rc == 0) {
		g_set_error(error, STORE_ERROR, ENOENT, "%s", missing);
		rc = -ENOENT;
	}
	if (rc > 0)
		rc =
		    store_write(s,
				"INSERT INTO audit (at, user, command, detail) VALUES (?1, ?2, ?3, "
				"json_set(coalesce(?4, '{}'), ?5, ?6))",
				doing, error, "issssi", audit->at, audit->user, audit->command,
				audit->detail, path, id);
	if (rc > 0)
		rc = store_exec(s, "COMMIT", doing, error);
	if (rc < 0)
		store_rollback(s);
	return rc < 0 ? rc : 0;
}

int store_user_put(struct store *s, const char *name, const char *role, const char *hash,
		   int64_t now, GError **error)
{
	STORE_HOLD(s);
	int rc = store_write(s,
			     "INSERT INTO users (name, role, hash, created_at) VALUES (?1, ?2, ?3, "
			     "?4) ON CONFLICT (name) DO UPDATE SET role = ?2, hash = ?3",
			     "saving the user", error, "sssi", name, role, hash, now);

	return rc < 0 ? rc : 0;
}

int store_user_set_hash(struct store *s, const char *name, const char *hash, GError **error)
{
	STORE_HOLD(s);
	int rc = store_write(s, "UPDATE users SET hash = ?2 WHERE name = ?1",
			     "changing the password", error, "ss", name, hash);

	if (rc == 0) {
		g_set_error(error, STORE_ERROR, ENOENT, "no user %s", name);
		return -ENOENT;
	}
	if (rc > 0) /* old logins end with the old password */
		store_write(s, "DELETE FROM tokens WHERE user = ?1", "ending logins", NULL, "s",
			    name);
	return rc < 0 ? rc : 0;
}

int store_user_get(struct store *s, const char *name, char **ret_role, char **ret_hash,
		   GError **error)
{
	STORE_HOLD(s);
	sqlite3_stmt *st = store_prepare(s, "SELECT role, hash FROM users WHERE name = ?1", error);
	int rc;

	if (!st)
		return -EIO;
	bind_text(st, 1, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (ret_role)
			*ret_role = g_strdup(col_text(st, 0));
		if (ret_hash)
			*ret_hash = g_strdup(col_text(st, 1));
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		g_set_error(error, STORE_ERROR, ENOENT, "no user %s", name);
		rc = -ENOENT;
	} else {
		rc = store_fail(s, rc, "reading a user", error);
	}
	sqlite3_finalize(st);
	return rc;
}

int store_user_foreach(struct store *s, void (*fn)(const char *name, const char *role, void *data),
		       void *data, GError **error)
{
	STORE_HOLD(s);
	sqlite3_stmt *st = store_prepare(s, "SELECT name, role FROM users ORDER BY name", error);
	int rc, n = 0;

	if (!st)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fn(col_text(st, 0), col_text(st, 1), data);
		n++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? n : store_fail(s, rc, "listing users", error);
}

int store_token_put(struct store *s, const char *token_hash, const char *user, int64_t expires_at,
		    GError **error)
{
	STORE_HOLD(s);
	int rc = store_write(s, "INSERT INTO tokens (hash, user, expires_at) VALUES (?1, ?2, ?3)",
			     "saving the login", error, "ssi", token_hash, user, expires_at);

	if (rc >= 0)
		store_write(s, "DELETE FROM tokens WHERE expires_at <= ?1", "forgetting old logins",
			    NULL, "i", expires_at - 30 * 86400);
	return rc < 0 ? rc : 0;
}

int store_token_get(struct store *s, const char *token_hash, int64_t now, char **ret_user,
		    char **ret_role, GError **error)
{
	STORE_HOLD(s);
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT t.user, u.role FROM tokens t JOIN users u ON "
					 "u.name = t.user WHERE t.hash = ?1 AND t.expires_at > ?2 "
					 "AND u.disabled = 0",
					 error);
	int rc;

	if (!st)
		return -EIO;
	bind_text(st, 1, token_hash);
	sqlite3_bind_int64(st, 2, now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (ret_user)
			*ret_user = g_strdup(col_text(st, 0));
		if (ret_role)
			*ret_role = g_strdup(col_text(st, 1));
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		g_set_error(error, STORE_ERROR, ENOENT, "unknown or expired login: log in again");
		rc = -ENOENT;
	} else {
		rc = store_fail(s, rc, "checking the login", error);
	}
	sqlite3_finalize(st);
	return rc;
}

int store_token_delete(struct store *s, const char *token_hash, GError **error)
{
	STORE_HOLD(s);
	int rc = store_write(s, "DELETE FROM tokens WHERE hash = ?1", "logging out", error, "s",
			     token_hash);

	return rc < 0 ? rc : 0;
}

int store_user_set_disabled(struct store *s, const char *name, bool disabled, GError **error)
{
	STORE_HOLD(s);
	int rc = store_write(s, "UPDATE users SET disabled = ?2 WHERE name = ?1",
			     "disabling the user", error, "si", name, (int64_t)disabled);

	if (rc == 0) {
		g_set_error(error, STORE_ERROR, ENOENT, "no user %s", name);
		return -ENOENT;
	}
	if (rc > 0 && disabled)
		rc = store_write(s, "DELETE FROM tokens WHERE user = ?1", "ending logins", error,
				 "s", name);
	return rc < 0 ? rc : 0;
}

int store_user_disabled(struct store *s, const char *name)
{
	STORE_HOLD(s);
	sqlite3_stmt *st = store_prepare(s, "SELECT disabled FROM users WHERE name = ?1", NULL);
	int rc;

	if (!st)
		return -EIO;
	bind_text(st, 1, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = sqlite3_column_int(st, 0) != 0;
	else
		rc = rc == SQLITE_DONE ? 0 : -EIO;
	sqlite3_finalize(st);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Devices */

#define STORE_DEVICE_COLS                                                                          \
	"name, role, booth, token_hash, pair_hash, pair_expires, created_at, paired_at"

void store_device_clear(struct store_device *d)
{
	if (!d)
		return;
	g_free(d->name);
	g_free(d->role);
	g_free(d->token_hash);
	g_free(d->pair_hash);
	memset(d, 0, sizeof(*d));
}

static void store_device_read(sqlite3_stmt *st, struct store_device *d)
{
	d->name = g_strdup(col_text(st, 0));
	d->role = g_strdup(col_text(st, 1));
	d->booth = sqlite3_column_int(st, 2);
	d->token_hash = g_strdup(col_text(st, 3));
	d->pair_hash = g_strdup((const char *)sqlite3_column_text(st, 4)); /* NULL: none */
	d->pair_expires = sqlite3_column_int64(st, 5);
	d->created_at = sqlite3_column_int64(st, 6);
	d->paired_at = sqlite3_column_int64(st, 7);
}

/* The row is found by the digest's first 16 hex digits only, so that finding
 * it says nothing about the rest; the caller compares the whole. */
static char *store_device_token_id(const char *token_hash)
{
	return g_strndup(token_hash, 16);
}

int store_device_add(struct store *s, const struct store_device *d, GError **error)
{
	STORE_HOLD(s);
	g_autofree char *id = store_device_token_id(d->token_hash);
	int rc = store_write(s,
			     "INSERT INTO devices (name, role, booth, token_id, token_hash, "
			     "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
			     "saving the device", error, "ssissi", d->name, d->role,
			     (int64_t)d->booth, id, d->token_hash, d->created_at);

	if (rc == 0) {
		g_set_error(error, STORE_ERROR, EEXIST,
			    "there is already a device %s: revoke it first, or choose another name",
			    d->name);
		return -EEXIST;
	}
	return rc < 0 ? rc : 0;
}

int store_device_by_token(struct store *s, const char *token_hash, struct store_device *ret,
			  GError **error)
{
	STORE_HOLD(s);
	sqlite3_stmt *st = store_prepare(
	    s, "SELECT " STORE_DEVICE_COLS " FROM devices WHERE token_id = ?1", error);
	g_autofree char *id = store_device_token_id(token_hash);
	int rc;

	if (!st)
		return -EIO;
	bind_text(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		store_device_read(st, ret);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		g_set_error(error, STORE_ERROR, ENOENT, "unknown device token: pair the device");
		rc = -ENOENT;
	} else {
		rc = store_fail(s, rc, "checking the device", error);
	}
	sqlite3_finalize(st);
	return rc;
}

int store_device_set_token(struct store *s, const char *name, const char *token_hash, int64_t now,
			   GError **error)
{
	STORE_HOLD(s);
	g_autofree char *id = store_device_token_id(token_hash);
	int rc = store_write(s,
			     "UPDATE devices SET token_id = ?2, token_hash = ?3, pair_hash = NULL, "
			     "pair_expires = 0, paired_at = ?4 WHERE name = ?1",
			     "saving the device's token", error, "sssi", name, id, token_hash, now);

	if (rc == 0) {
		g_set_error(error, STORE_ERROR, ENOENT, "no device %s", name);
		return -ENOENT;
	}
	return rc < 0 ? rc : 0;
}

int store_device_set_pair(struct store *s, const char *name, const char *pair_hash, int64_t expires,
			  GError **error)
{
	STORE_HOLD(s);
	int rc =
	    store_write(s, "UPDATE devices SET pair_hash = ?2, pair_expires = ?3 WHERE name = ?1",
			"saving the pairing code", error, "ssi", name, pair_hash, expires);

	if (rc == 0) {
		g_set_error(error, STORE_ERROR, ENOENT,
			    "no device %s: add it first (vuoroctl devices add)", name);
		return -ENOENT;
	}
	return rc < 0 ? rc : 0;
}

int store_device_foreach(struct store *s, void (*fn)(const struct store_device *d, void *data),
			 void *data, GError **error)
{
	STORE_HOLD(s);
	sqlite3_stmt *st =
	    store_prepare(s, "SELECT " STORE_DEVICE_COLS " FROM devices ORDER BY name", error);
	int rc, n = 0;

	if (!st)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_device d = {0};

		store_device_read(st, &d);
		fn(&d, data);
		store_device_clear(&d);
		n++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? n : store_fail(s, rc, "listing devices", error);
}

int store_device_delete(struct store *s, const char *name, GError **error)
{
	STORE_HOLD(s);
	int rc = store_write(s, "DELETE FROM devices WHERE name = ?1", "revoking the device", error,
			     "s", name);

	if (rc == 0) {
		g_set_error(error, STORE_ERROR, ENOENT, "no device %s", name);
		return -ENOENT;
	}
	return rc < 0 ? rc : 0;
}

/* ---------------------------------------------------------------------- */
/* Appointments */

static const char *const appointment_states[] = {"booked", "arrived", "cancelled"};

void store_appointment_clear(struct store_appointment *a)
{
	if (!a)
		return;
	g_free(a->code);
	g_free(a->staff);
	g_free(a->name);
	g_free(a->source);
	g_free(a->host_email);
	memset(a, 0, sizeof(*a));
}

/* "09:30–10:00" of @at for @minutes, in the site's time zone. */
static char *appointment_slot(const struct config *cfg, int64_t at, int minutes)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(cfg->timezone);
	g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(at);
	g_autoptr(GDateTime) from = g_date_time_to_timezone(utc, tz ? tz : g_time_zone_new_utc());
	g_autoptr(GDateTime) to = g_date_time_add_minutes(from, minutes);
	g_autofree char *a = g_date_time_format(from, "%d.%m. %H:%M");
	g_autofree char *b = g_date_time_format(to, "%H:%M");

	return g_strdup_printf("%s–%s", a, b);
}

/* -EBUSY when booth @a->booth has a live booking overlapping @a. */
static int appointment_overlap(struct store *s, const struct config *cfg,
			       const struct store_appointment *a, GError **error)
{
	sqlite3_stmt *st = store_prepare(
	    s,
	    "SELECT at, duration_min FROM appointments WHERE booth = ?1 AND at > ?2 - 86400 "
	    "AND at < ?3 AND at + duration_min * 60 > ?2 AND state != 'cancelled' ORDER BY at "
	    "LIMIT 1",
	    error);
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_int(st, 1, a->booth);
	sqlite3_bind_int64(st, 2, a->at);
	sqlite3_bind_int64(st, 3, a->at + (int64_t)a->duration_min * 60);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		g_autofree char *slot =
		    appointment_slot(cfg, sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1));

		g_set_error(error, STORE_ERROR, EBUSY,
			    "booth %d is booked %s — pick another time or booth", a->booth, slot);
		rc = -EBUSY;
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		rc = store_fail(s, rc, "reading the booth's bookings", error);
	}
	sqlite3_finalize(st);
	return rc;
}

int store_appointment_add(struct store *s, const struct config *cfg, struct store_appointment *a,
			  GError **error)
{
	STORE_HOLD(s);
	const struct config_service *svc = config_service_get(cfg, a->service);
	int rc;

	if (!svc) {
		g_set_error(error, STORE_ERROR, EINVAL, "an appointment needs a service");
		return -EINVAL;
	}
	/* The booth's calendar is read and written in one transaction: two
	 * bookings of one slot cannot both pass the check. */
	rc = store_exec(s, "BEGIN IMMEDIATE", "saving the appointment", error);
	if (rc < 0)
		return rc;
	if (a->booth && (rc = appointment_overlap(s, cfg, a, error)) < 0)
		goto rollback;
	rc = store_write(s,
			 "INSERT INTO appointments (code, service, at, duration_min, staff, name, "
			 "source, state, booth, host_email) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
			 "'booked', ?8, ?9)",
			 "saving the appointment", error, "ssiisssis", a->code, svc->code, a->at,
			 (int64_t)a->duration_min, a->staff, a->name, a->source ? a->source : "api",
			 (int64_t)a->booth, a->host_email);
	if (rc == -EEXIST) {
		g_clear_error(error);
		g_set_error(error, STORE_ERROR, EEXIST,
			    "booking code %s is already in use: choose another one", a->code);
	}
	if (rc < 0)
		goto rollback;
	a->id = (uint32_t)sqlite3_last_insert_rowid(s->db);
	rc = store_exec(s, "COMMIT", "saving the appointment", error);
	if (rc < 0)
		goto rollback;
	a->state = STORE_APPOINTMENT_BOOKED;
	a->ticket = 0;
	return 0;
rollback:
	store_rollback(s);
	return rc;
}

int store_appointments_import(struct store *s, const struct config *cfg, GPtrArray *list,
			      int *ret_added, GError **error)
{
	STORE_HOLD(s);
	static const char sql[] = "INSERT INTO appointments (code, service, at, duration_min, "
				  "staff, name, source, state, host_email) VALUES (?1, ?2, ?3, "
				  "?4, ?5, ?6, ?7, 'booked', ?8) ON CONFLICT (code) DO NOTHING";
	sqlite3_stmt *st = NULL;
	int rc, added = 0;

	rc = store_exec(s, "BEGIN IMMEDIATE", "importing appointments", error);
	if (rc < 0)
		return rc;
	st = store_prepare(s, sql, error);
	if (!st) {
		rc = -EIO;
		goto rollback;
	}
	for (guint i = 0; i < list->len; i++) {
		struct store_appointment *a = g_ptr_array_index(list, i);
		const struct config_service *svc = config_service_get(cfg, a->service);

		if (!svc) {
			g_set_error(error, STORE_ERROR, EINVAL,
				    "appointment %u of the import has no service: nothing was "
				    "imported",
				    i + 1);
			rc = -EINVAL;
			goto rollback;
		}
		sqlite3_reset(st);
		bind_text(st, 1, a->code);
		bind_text(st, 2, svc->code);
		sqlite3_bind_int64(st, 3, a->at);
		sqlite3_bind_int(st, 4, a->duration_min);
		bind_text(st, 5, a->staff);
		bind_text(st, 6, a->name);
		bind_text(st, 7, a->source ? a->source : "api");
		bind_text(st, 8, a->host_email);
		rc = sqlite3_step(st);
		if ((rc & 0xff) == SQLITE_CONSTRAINT) {
			/* Not the code (taken codes are skipped): a rule of the
			 * database refused the row. */
			g_set_error(error, STORE_ERROR, EINVAL,
				    "appointment %s was refused (%s): nothing was imported; fix "
				    "that row and import again",
				    a->code, sqlite3_errmsg(s->db));
			rc = -EINVAL;
			goto rollback;
		}
		if (rc != SQLITE_DONE) {
			g_autofree char *doing =
			    g_strdup_printf("appointment %s, nothing was imported", a->code);

			rc = store_fail(s, rc, doing, error);
			goto rollback;
		}
		if (sqlite3_changes(s->db) == 0)
			continue; /* the code is taken: skipped, as it was before */
		a->id = (uint32_t)sqlite3_last_insert_rowid(s->db);
		a->state = STORE_APPOINTMENT_BOOKED;
		a->ticket = 0;
		added++;
	}
	sqlite3_finalize(st);
	st = NULL;
	rc = store_exec(s, "COMMIT", "importing appointments", error);
	if (rc < 0)
		goto rollback;
	*ret_added = added;
	return added;
rollback:
	sqlite3_finalize(st);
	store_rollback(s);
	return rc;
}

#define APPOINTMENT_COLUMNS                                                                        \
	"id, code, service, at, duration_min, staff, name, source, state, ticket, booth, "         \
	"host_email, host_ack_at"

static int row_appointment(const struct config *cfg, sqlite3_stmt *st, struct store_appointment *a)
{
	int service = config_service_find(cfg, col_text(st, 2));
	int state = 0;

	if (service < 0)
		return -ENOENT;
	for (int i = 0; i < 3; i++)
		if (strcmp(col_text(st, 8), appointment_states[i]) == 0)
			state = i;
	a->id = (uint32_t)sqlite3_column_int64(st, 0);
	a->code = g_strdup(col_text(st, 1));
	a->service = (int16_t)service;
	a->at = sqlite3_column_int64(st, 3);
	a->duration_min = sqlite3_column_int(st, 4);
	a->staff = sqlite3_column_type(st, 5) == SQLITE_NULL ? NULL : g_strdup(col_text(st, 5));
	a->name = sqlite3_column_type(st, 6) == SQLITE_NULL ? NULL : g_strdup(col_text(st, 6));
	a->source = g_strdup(col_text(st, 7));
	a->state = (enum store_appointment_state)state;
	a->ticket = (uint32_t)sqlite3_column_int64(st, 9);
	a->booth = sqlite3_column_int(st, 10);
	a->host_email =
	    sqlite3_column_type(st, 11) == SQLITE_NULL ? NULL : g_strdup(col_text(st, 11));
	a->host_ack_at = sqlite3_column_int64(st, 12);
	return 0;
}

int store_appointment_by_code(struct store *s, const struct config *cfg, const char *code,
			      struct store_appointment *ret, GError **error)
{
	STORE_HOLD(s);
	sqlite3_stmt *st = store_prepare(
	    s, "SELECT " APPOINTMENT_COLUMNS " FROM appointments WHERE code = ?1 COLLATE NOCASE",
	    error);
	int rc;

	if (!st)
		return -EIO;
	bind_text(st, 1, code);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		rc = row_appointment(cfg, st, ret);
		if (rc < 0)
			g_set_error(error, STORE_ERROR, ENOENT,
				    "booking %s is for a service no longer offered here", code);
	} else if (rc == SQLITE_DONE) {
		g_set_error(error, STORE_ERROR, ENOENT, "no booking %s", code);
		rc = -ENOENT;
	} else {
		rc = store_fail(s, rc, "reading the booking", error);
	}
	sqlite3_finalize(st);
	return rc;
}

int store_appointment_arrive(struct store *s, uint32_t id, uint32_t ticket, GError **error)
{
	STORE_HOLD(s);
	int rc =
	    store_write(s, "UPDATE appointments SET state = 'arrived', ticket = ?2 WHERE id = ?1",
			"checking in", error, "ii", (int64_t)id, (int64_t)ticket);

	if (rc == 0) {
		g_set_error(error, STORE_ERROR, ENOENT, "no appointment %u", id);
		return -ENOENT;
	}
	return rc < 0 ? rc : 0;
}

int store_appointment_get(struct store *s, const struct config *cfg, uint32_t id,
			  struct store_appointment *ret, GError **error)
{
	STORE_HOLD(s);
	sqlite3_stmt *st = store_prepare(
	    s, "SELECT " APPOINTMENT_COLUMNS " FROM appointments WHERE id = ?1", error);
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		rc = row_appointment(cfg, st, ret);
		if (rc < 0)
			g_set_error(error, STORE_ERROR, ENOENT,
				    "booking %u is for a service no longer offered here", id);
	} else if (rc == SQLITE_DONE) {
		g_set_error(error, STORE_ERROR, ENOENT, "no booking %u", id);
		rc = -ENOENT;
	} else {
		rc = store_fail(s, rc, "reading the booking", error);
	}
	sqlite3_finalize(st);
	return rc;
}

int store_appointment_cancel(struct store *s, uint32_t id, GError **error)
{
	STORE_HOLD(s);
	int rc = store_write(s,
			     "UPDATE appointments SET state = 'cancelled' WHERE id = ?1 AND "
			     "state = 'booked'",
			     "cancelling the booking", error, "i", (int64_t)id);
	sqlite3_stmt *st;

	if (rc != 0)
		return rc < 0 ? rc : 0;
	st = store_prepare(s, "SELECT state FROM appointments WHERE id = ?1", error);
	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		g_set_error(error, STORE_ERROR, ESTALE,
			    "booking %u is %s already: nothing to cancel", id, col_text(st, 0));
		rc = -ESTALE;
	} else if (rc == SQLITE_DONE) {
		g_set_error(error, STORE_ERROR, ENOENT, "no booking %u", id);
		rc = -ENOENT;
	} else {
		rc = store_fail(s, rc, "reading the booking", error);
	}
	sqlite3_finalize(st);
	return rc;
}

int store_appointment_host_ack(struct store *s, uint32_t id, int64_t at,
			       const struct store_audit *audit, GError **error)
{
	STORE_HOLD(s);
	const char *doing = "saving the host's acknowledgement";
	sqlite3_stmt *st;
	bool acknowledged;
	int rc = store_exec(s, "BEGIN IMMEDIATE", doing, error);

	if (rc < 0)
		return rc;
	st = store_row_by_id(s, "SELECT state, host_ack_at FROM appointments WHERE id = ?1", id,
			     doing, &rc, error, "no booking %u", id);
	if (!st) {
		store_rollback(s);
		return rc;
	}
	if (strcmp(col_text(st, 0), "arrived") != 0) {
		g_set_error(error, STORE_ERROR, ESTALE,
			    "booking %u is %s, not arrived: there is nobody to fetch yet", id,
			    col_text(st, 0));
		rc = -ESTALE;
	}
	acknowledged = sqlite3_column_int64(st, 1) != 0;
	sqlite3_finalize(st);
	if (rc < 0 || acknowledged) { /* acknowledged already: nothing to do */
		store_rollback(s);
		return rc;
	}
	rc = store_write(s, "UPDATE appointments SET host_ack_at = ?2 WHERE id = ?1", doing, error,
			 "ii", (int64_t)id, at);
	return audited_change(s, rc, "appointment", id, audit, doing, "", error);
}

int store_ticket_print_failed(struct store *s, uint32_t id, const char *message, GError **error)
{
	STORE_HOLD(s);
	int rc = store_write(
	    s, "UPDATE tickets SET print_error = ?2, print_failed_at = ?3 WHERE id = ?1",
	    "recording a failed print", error, "isi", (int64_t)id, message,
	    g_get_real_time() / G_USEC_PER_SEC);

	return rc < 0 ? rc : 0;
}

int store_appointment_foreach(struct store *s, const struct config *cfg, int64_t from, int64_t to,
			      void (*fn)(const struct store_appointment *a, void *data), void *data,
			      GError **error)
{
	STORE_HOLD(s);
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT " APPOINTMENT_COLUMNS " FROM appointments WHERE "
					 "at >= ?1 AND at < ?2 ORDER BY at, id",
					 error);
	int rc, n = 0;

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_appointment a = {0};

		if (row_appointment(cfg, st, &a) == 0) {
			fn(&a, data);
			n++;
		}
		store_appointment_clear(&a);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? n : store_fail(s, rc, "listing appointments", error);
}

/* ---------------------------------------------------------------------- */
/* Maintenance */

int store_integrity_check(struct store *s, char **ret_report, GError **error)
{
	STORE_HOLD(s);
	sqlite3_stmt *st = store_prepare(s, "PRAGMA integrity_check", error);
	GString *report = g_string_new(NULL);
	int rc;

	if (!st) {
		g_string_free(report, TRUE);
		return -EIO;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (report->len)
			g_string_append_c(report, '\n');
		g_string_append(report, col_text(st, 0));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		g_string_free(report, TRUE);
		return store_fail(s, rc, "checking the database", error);
	}
	rc = strcmp(report->str, "ok") == 0 ? 0 : -EIO;
	if (rc < 0)
		g_set_error(error, STORE_ERROR, EIO,
			    "the database %s is damaged: restore the last backup", s->path);
	if (ret_report)
		*ret_report = g_string_free(report, FALSE);
	else
		g_string_free(report, TRUE);
	return rc;
}

/* Copies @s into the new file @dest, @pages at a time (-1: at once).  On a
 * reader, a read transaction is held from the first page to the last, so the
 * copy is the database as it was when the backup began and commits made
 * meanwhile on the writer's connection do not restart it (sqlite3_backup_step
 * opens a transaction of its own only when none is open).  Between batches
 * the copy's pages are flushed and the thread pauses as long as the batch
 * took: the write-back comes in small pieces, at most half the time, instead
 * of one burst that the loop's next commit (fdatasync) would queue behind. */
static int store_backup_paced(struct store *s, const char *dest, int pages, GError **error)
{
	sqlite3 *out = NULL;
	sqlite3_backup *b = NULL;
	int rc, fd = -1;

	if (g_file_test(dest, G_FILE_TEST_EXISTS)) {
		g_set_error(error, STORE_ERROR, EEXIST,
			    "%s exists already: name a new file for the backup", dest);
		return -EEXIST;
	}
	rc = sqlite3_open_v2(dest, &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc == SQLITE_OK)
		/* The copy is not a database until it is whole: no journal,
		 * no sync per batch (it is flushed below and at the end). */
		rc = sqlite3_exec(out, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF", NULL,
				  NULL, NULL);
	if (rc != SQLITE_OK) {
		g_set_error(error, STORE_ERROR, EIO, "cannot create the backup %s: %s", dest,
			    out ? sqlite3_errmsg(out) : sqlite3_errstr(rc));
		goto close_out;
	}
	fd = open(dest, O_RDONLY | O_CLOEXEC);
	if (s->reader) {
		rc = sqlite3_exec(s->db, "BEGIN; SELECT count(*) FROM sqlite_schema", NULL, NULL,
				  NULL);
		if (rc != SQLITE_OK) {
			store_fail(s, rc, "starting the backup", error);
			goto close_out;
		}
	}
	b = sqlite3_backup_init(out, "main", s->db, "main");
	if (!b) {
		g_set_error(error, STORE_ERROR, EIO, "cannot start the backup to %s: %s", dest,
			    sqlite3_errmsg(out));
		rc = SQLITE_ERROR;
		goto end_read;
	}
	do {
		gint64 t0 = g_get_monotonic_time();

		rc = sqlite3_backup_step(b, pages);
		if (rc == SQLITE_OK && fd >= 0) {
			fdatasync(fd);
			g_usleep((gulong)MAX(g_get_monotonic_time() - t0, 1000));
		} else if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
			g_usleep(10000);
			rc = SQLITE_OK;
		}
	} while (rc == SQLITE_OK);
	sqlite3_backup_finish(b);
	/* A backup restored is another file: it gets a new epoch (store.h). */
	if (rc == SQLITE_DONE)
		sqlite3_exec(out, "DELETE FROM meta WHERE key = 'file'", NULL, NULL, NULL);
	if (rc != SQLITE_DONE)
		g_set_error(error, STORE_ERROR, rc == SQLITE_FULL ? ENOSPC : EIO,
			    "the backup to %s failed: %s", dest, sqlite3_errstr(rc));
end_read:
	if (s->reader)
		sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
close_out:
	sqlite3_close(out);
	if (fd >= 0) {
		if (rc == SQLITE_DONE)
			fsync(fd);
		close(fd);
	}
	if (rc == SQLITE_DONE)
		return 0;
	unlink(dest);
	return rc == SQLITE_FULL ? -ENOSPC : -EIO;
}

int store_backup(struct store *s, const char *dest, GError **error)
{
	STORE_HOLD(s);
	return store_backup_paced(s, dest, s->reader ? STORE_BACKUP_PAGES : -1, error);
}

struct store_backup_job {
	GBytes *bytes;
	char *report;
	gboolean scrub; /* a technician's: no password hashes, no sessions */
};

static void store_backup_job_free(gpointer data)
{
	struct store_backup_job *j = data;

	g_clear_pointer(&j->bytes, g_bytes_unref);
	g_free(j->report);
	g_free(j);
}

static gpointer store_unmap_thread(gpointer map)
{
	g_mapped_file_unref(map);
	return NULL;
}

/* The last reference to the unlinked copy: unmapping it frees the file's
 * blocks, tens of milliseconds on ext4 — on a thread of its own, not on the
 * loop that sent the answer. */
static void store_unmap(gpointer map)
{
	GThread *t = g_thread_try_new("vuoro-unmap", store_unmap_thread, map, NULL);

	if (t)
		g_thread_unref(t);
	else
		g_mapped_file_unref(map);
}

static int store_backup_job(struct store *r, gpointer data, GError **error)
{
	struct store_backup_job *j = data;
	g_autofree char *dir = g_dir_make_tmp("vuoro-backup-XXXXXX", error);
	g_autofree char *path = dir ? g_build_filename(dir, "vuoro.db", NULL) : NULL;
	GMappedFile *map = NULL;
	int rc;

	if (!dir)
		return -EIO;
	rc = store_backup(r, path, error);
	if (rc == 0 && j->scrub)
		rc = store_backup_scrub(path, error);
	if (rc == 0) {
		map = g_mapped_file_new(path, FALSE, error);
		rc = map ? 0 : -EIO;
	}
	/* Unlinked while mapped: the space comes back when the answer has
	 * been sent and its bytes (the only reference to the map) are freed. */
	unlink(path);
	g_rmdir(dir);
	if (map) /* the bytes own the map */
		j->bytes =
		    g_bytes_new_with_free_func(g_mapped_file_get_contents(map),
					       g_mapped_file_get_length(map), store_unmap, map);
	return rc;
}

void store_backup_bytes_async(struct store *s, gboolean scrub, GAsyncReadyCallback done,
			      gpointer data)
{
	struct store_backup_job *j = g_new0(struct store_backup_job, 1);

	j->scrub = scrub;
	store_job_run(s, store_backup_job, j, store_backup_job_free, done, data);
}

GBytes *store_backup_bytes_finish(GAsyncResult *result, GError **error)
{
	struct store_backup_job *j;

	if (store_job_finish(result, (gpointer *)&j, error) < 0)
		return NULL;
	return g_steal_pointer(&j->bytes);
}

static int store_check_job(struct store *r, gpointer data, GError **error)
{
	struct store_backup_job *j = data;

	return store_integrity_check(r, &j->report, error);
}

void store_integrity_check_async(struct store *s, GAsyncReadyCallback done, gpointer data)
{
	store_job_run(s, store_check_job, g_new0(struct store_backup_job, 1), store_backup_job_free,
		      done, data);
}

int store_integrity_check_finish(GAsyncResult *result, char **ret_report, GError **error)
{
	struct store_backup_job *j;
	int rc = store_job_finish(result, (gpointer *)&j, error);

	if (ret_report)
		*ret_report = g_steal_pointer(&j->report);
	return rc;
}

const char *store_path(const struct store *s)
{
	return s->path;
}

bool store_read_only(const struct store *s)
{
	return s->read_only;
}

int store_tickets_of_day(struct store *s, const struct config *cfg, int32_t day,
			 void (*fn)(const struct queue_ticket *t, void *data), void *data,
			 GError **error)
{
	STORE_HOLD(s);
	sqlite3_stmt *st = store_prepare(
	    s, "SELECT " TICKET_COLUMNS " FROM tickets WHERE day = ?1 ORDER BY id", error);
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_int(st, 1, day);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct queue_ticket t;

		if (row_ticket(cfg, st, &t) == 0)
			fn(&t, data);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, rc, "reading the day's tickets", error);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Experts' providers, remote-service sessions */

int store_user_set_provider(struct store *s, const char *name, const char *provider, GError **error)
{
	STORE_HOLD(s);
	int rc = store_write(s, "UPDATE users SET provider = ?2 WHERE name = ?1",
			     "saving the user's provider", error, "ss", name, provider);

	return rc < 0 ? rc : 0;
}

char *store_user_provider(struct store *s, const char *name)
{
	STORE_HOLD(s);
	sqlite3_stmt *st = store_prepare(s, "SELECT provider FROM users WHERE name = ?1", NULL);
	char *provider = NULL;

	if (!st)
		return NULL;
	bind_text(st, 1, name);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		provider = g_strdup(col_text(st, 0));
	sqlite3_finalize(st);
	return provider;
}

int64_t store_session_add(struct store *s, const struct store_session *ss, GError **error)
{
	STORE_HOLD(s);
	int rc = store_write(s,
			     "INSERT INTO sessions (booth, ticket, day, code, service, provider, "
			     "expert, state, video_codec, created_at) VALUES (?1, ?2, ?3, ?4, ?5, "
			     "?6, ?7, 'waiting', ?8, ?9)",
			     "saving the video session", error, "iiisssssi", (int64_t)ss->booth,
			     (int64_t)ss->ticket, (int64_t)ss->day, ss->code, ss->service,
			     ss->provider, ss->expert, ss->video_codec, ss->at);

	if (rc < 0)
		return rc;
	return sqlite3_last_insert_rowid(s->db);
}

/* One state change and its event row, in one transaction. */
int store_session_state(struct store *s, int64_t id, const char *state, const char *reason,
			const char *error_text, int64_t at, GError **error)
{
	STORE_HOLD(s);
	static const char *const time_columns[][2] = {
	    {"ringing", "ringing_at"},
	    {"connecting", "connecting_at"},
	    {"live", "live_at"},
	    {"ended", "ended_at"},
	};
	g_autofree char *sql = NULL;
	const char *column = NULL;
	int rc;

	for (size_t i = 0; i < G_N_ELEMENTS(time_columns); i++)
		if (strcmp(state, time_columns[i][0]) == 0)
			column = time_columns[i][1];
	/* A reconnect goes through connecting again: the first time stays. */
	sql = column ? g_strdup_printf("UPDATE sessions SET state = ?2, end_reason = "
				       "coalesce(?3, end_reason), error = coalesce(?4, error), "
				       "%s = CASE WHEN %s = 0 THEN ?5 ELSE %s END WHERE id = ?1",
				       column, column, column)
		     : g_strdup("UPDATE sessions SET state = ?2, end_reason = coalesce(?3, "
				"end_reason), error = coalesce(?4, error) WHERE id = ?1");
	rc = store_exec(s, "BEGIN IMMEDIATE", "saving the session state", error);
	if (rc < 0)
		return rc;
	rc = store_write(s, sql, "saving the session state", error, "isssi", id, state, reason,
			 error_text, at);
	if (rc >= 0)
		rc = store_write(s,
				 "INSERT INTO session_events (session, at, event, detail) VALUES "
				 "(?1, ?2, ?3, ?4)",
				 "saving the session event", error, "iiss", id, at, state,
				 reason ? reason : error_text);
	if (rc >= 0 && s->outbox && strcmp(state, "ended") == 0) {
		int src = put_session_ended(s, id);

		if (src != SQLITE_DONE)
			rc = store_fail(s, src, "saving the session's record", error);
	}
	if (rc >= 0)
		rc = store_exec(s, "COMMIT", "saving the session state", error);
	if (rc < 0) {
		store_rollback(s);
		return rc;
	}
	return 0;
}

static int session_event_put(struct store *s, int64_t id, const char *event, const char *detail,
			     int64_t at, GError **error)
{
	int rc = store_write(s,
			     "INSERT INTO session_events (session, at, event, detail) VALUES (?1, "
			     "?2, ?3, ?4)",
			     "saving the session event", error, "iiss", id, at, event, detail);

	if (rc >= 0 && strcmp(event, "reconnect") == 0)
		rc = store_write(s, "UPDATE sessions SET reconnects = reconnects + 1 WHERE id = ?1",
				 "counting the reconnect", error, "i", id);
	return rc < 0 ? rc : 0;
}

int store_session_event(struct store *s, int64_t id, const char *event, const char *detail,
			int64_t at, GError **error)
{
	STORE_HOLD(s);
	int rc = store_exec(s, "BEGIN IMMEDIATE", "saving the session event", error);

	if (rc == 0)
		rc = session_event_put(s, id, event, detail, at, error);
	if (rc == 0)
		rc = store_exec(s, "COMMIT", "saving the session event", error);
	if (rc < 0)
		store_rollback(s);
	return rc;
}

int store_session_consent(struct store *s, int64_t id, const char *consent, const char *recording,
			  int64_t at, GError **error)
{
	STORE_HOLD(s);
	int rc = store_exec(s, "BEGIN IMMEDIATE", "saving the recording consent", error);

	if (rc == 0)
		rc = store_write(s,
				 "UPDATE sessions SET consent = ?2, consent_at = ?3, recording = "
				 "coalesce(?4, recording) WHERE id = ?1",
				 "saving the recording consent", error, "isis", id, consent, at,
				 recording);
	if (rc >= 0)
		rc = session_event_put(s, id, "consent", consent, at, error);
	if (rc == 0)
		rc = store_exec(s, "COMMIT", "saving the recording consent", error);
	if (rc < 0)
		store_rollback(s);
	return rc;
}

int store_recordings_expired(struct store *s, int64_t before,
			     void (*fn)(int64_t id, const char *path, void *data), void *data,
			     GError **error)
{
	STORE_HOLD(s);
	sqlite3_stmt *st =
	    store_prepare(s,
			  "SELECT id, recording FROM sessions WHERE recording IS NOT "
			  "NULL AND recording_deleted_at = 0 AND ended_at > 0 AND "
			  "ended_at < ?1 ORDER BY id",
			  error);
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	int rc, n = 0;

	if (!st) {
		g_array_unref(ids);
		return -EIO;
	}
	sqlite3_bind_int64(st, 1, before);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);

		fn(id, col_text(st, 1), data);
		g_array_append_val(ids, id);
	}
	sqlite3_finalize(st);
	for (guint i = 0; i < ids->len; i++)
		if (store_write(s, "UPDATE sessions SET recording_deleted_at = ?2 WHERE id = ?1",
				"marking the recording deleted", error, "ii",
				g_array_index(ids, int64_t, i),
				g_get_real_time() / G_USEC_PER_SEC) >= 0)
			n++;
	g_array_unref(ids);
	return rc == SQLITE_DONE ? n : store_fail(s, rc, "reading old recordings", error);
}

int store_sessions_interrupted(struct store *s, int64_t at, GError **error)
{
	STORE_HOLD(s);
	int rc = store_write(s,
			     "UPDATE sessions SET state = 'ended', end_reason = 'error', error = "
			     "'vuorod restarted during the session', ended_at = ?1 WHERE state != "
			     "'ended'",
			     "closing sessions of before the restart", error, "i", at);

	return rc;
}

int64_t store_identity_add(struct store *s, const struct store_identity *c, GError **error)
{
	STORE_HOLD(s);
	gboolean passed = strcmp(c->result, "verified") == 0 || strcmp(c->method, "document") == 0;
	int64_t id;
	int rc;

	rc = store_exec(s, "BEGIN IMMEDIATE", "saving the identity check", error);
	if (rc < 0)
		return rc;
	rc = store_write(
	    s,
	    "INSERT INTO identity_checks (ticket, day, counter, session, method, "
	    "result, detail, document_type, cert_issuer, cert_serial, id_hmac, "
	    "user, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
	    "saving the identity check", error, "iiiissssssssi", (int64_t)c->ticket,
	    (int64_t)c->day, (int64_t)c->counter, c->session, c->method, c->result, c->detail,
	    c->document_type, c->cert_issuer, c->cert_serial, c->id_hmac, c->user, c->at);
	if (rc < 0)
		goto fail;
	id = sqlite3_last_insert_rowid(s->db);
	/* A visit already written (a check that finished after the end) gets
	 * it too; a running visit gets it with the command that ends it. */
	if (passed)
		rc = store_write(s,
				 "UPDATE visits SET identity = ?2, identity_verdict = ?3, "
				 "document_type = coalesce(?4, document_type) WHERE id = (SELECT "
				 "max(id) FROM visits WHERE ticket = ?1)",
				 "saving the visit's identity", error, "isss", (int64_t)c->ticket,
				 c->method, c->result, c->document_type);
	if (rc < 0)
		goto fail;
	rc = store_exec(s, "COMMIT", "saving the identity check", error);
	if (rc < 0)
		goto fail;
	return id;
fail:
	store_rollback(s);
	return rc;
}

int store_feedback_add(struct store *s, const struct store_feedback *fb, GError **error)
{
	STORE_HOLD(s);
	return store_feedback_insert(s, fb, NULL, error);
}

int store_feedback_insert(struct store *s, const struct store_feedback *fb, int64_t *ret_id,
			  GError **error)
{
	STORE_HOLD(s);
	int rc = s->outbox ? store_exec(s, "BEGIN IMMEDIATE", "saving the feedback", error) : 0;
	int64_t id = 0;

	if (rc >= 0)
		rc = store_write(s,
				 "INSERT INTO feedback (ticket, day, service, provider, counter, "
				 "rating, source, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
				 "saving the feedback", error, "iissiisi", (int64_t)fb->ticket,
				 (int64_t)fb->day, fb->service, fb->provider, (int64_t)fb->counter,
				 (int64_t)fb->rating, fb->source, fb->at);
	if (rc >= 0)
		id = sqlite3_last_insert_rowid(s->db);
	if (rc >= 0 && s->outbox) {
		int src = put_outbox(s, "feedback", fb->at, outbox_feedback(fb));

		rc = src == SQLITE_DONE ? store_exec(s, "COMMIT", "saving the feedback", error)
					: store_fail(s, src, "saving the feedback", error);
	}
	if (rc < 0) {
		store_rollback(s);
		return rc;
	}
	if (ret_id)
		*ret_id = id;
	return 0;
}

int store_outbox_fault(struct store *s, const char *device, const char *code, bool raised,
		       int64_t at, GError **error)
{
	STORE_HOLD(s);
	int rc;

	if (!s->outbox)
		return 0;
	rc = put_outbox(s, raised ? "fault.raised" : "fault.cleared", at,
			outbox_fault(device, code, raised, at));
	return rc == SQLITE_DONE ? 0 : store_fail(s, rc, "saving the fault's record", error);
}

int store_outbox_prune(struct store *s, int64_t before, GError **error)
{
	STORE_HOLD(s);
	/* The newest row stays: the next seq follows it, even after a restart. */
	return store_write(s,
			   "DELETE FROM outbox WHERE sent_at > 0 AND sent_at < ?1 AND id < (SELECT "
			   "MAX(id) FROM outbox)",
			   "pruning the outbox", error, "i", before);
}

void store_outbox_set_notify(struct store *s, store_outbox_notify_fn fn, void *data)
{
	s->outbox_notify = fn;
	s->outbox_notify_data = data;
}

void store_outbox_notify_due(struct store *s)
{
	if (g_atomic_int_compare_and_exchange(&s->notify_due, 1, 0) && s->outbox_notify)
		s->outbox_notify(s->outbox_notify_data);
}

int store_outbox_first_unsent(struct store *s, int64_t *ret_seq, GError **error)
{
	STORE_HOLD(s);
	sqlite3_stmt *st =
	    store_prepare(s,
			  "SELECT COALESCE((SELECT MIN(id) FROM outbox WHERE sent_at = "
			  "0), (SELECT COALESCE(MAX(id), 0) + 1 FROM outbox))",
			  error);
	int rc;

	if (!st)
		return -EIO;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*ret_seq = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_fail(s, rc, "reading the outbox", error);
}

int store_outbox_unsent(struct store *s, int64_t from, int limit,
			void (*fn)(const struct store_outbox_row *row, void *data), void *data,
			GError **error)
{
	STORE_HOLD(s);
	/* By id from @from: a range of the primary key, no index to keep. */
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT id, kind, at, body FROM outbox WHERE id >= ?1 AND "
					 "sent_at = 0 ORDER BY id LIMIT ?2",
					 error);
	int rc, n = 0;

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int(st, 2, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_outbox_row row = {
		    .seq = sqlite3_column_int64(st, 0),
		    .kind = col_text(st, 1),
		    .at = sqlite3_column_int64(st, 2),
		    .body = col_text(st, 3),
		};

		fn(&row, data);
		n++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? n : store_fail(s, rc, "reading the outbox", error);
}

int store_outbox_mark_sent(struct store *s, const int64_t *seqs, guint n, int64_t at,
			   GError **error)
{
	STORE_HOLD(s);
	sqlite3_stmt *st;
	int rc;

	if (n == 0)
		return 0;
	rc = store_exec(s, "BEGIN IMMEDIATE", "marking records sent", error);
	if (rc < 0)
		return rc;
	st =
	    store_prepare(s, "UPDATE outbox SET sent_at = ?2 WHERE id = ?1 AND sent_at = 0", error);
	if (!st) {
		store_rollback(s);
		return -EIO;
	}
	rc = SQLITE_DONE;
	for (guint i = 0; i < n && rc == SQLITE_DONE; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, seqs[i]);
		sqlite3_bind_int64(st, 2, at);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		int err = store_fail(s, rc, "marking records sent", error);

		store_rollback(s);
		return err;
	}
	rc = store_exec(s, "COMMIT", "marking records sent", error);
	if (rc < 0) {
		store_rollback(s);
		return rc;
	}
	for (guint i = 0; i < n; i++)
		s->sent_high = MAX(s->sent_high, seqs[i]);
	store_sent_write(s, false);
	return rc;
}

int store_outbox_backlog(struct store *s, int64_t from, int64_t *ret_n, int64_t *ret_oldest_at,
			 GError **error)
{
	STORE_HOLD(s);
	sqlite3_stmt *st =
	    store_prepare(s,
			  "SELECT COUNT(*), COALESCE(MIN(at), 0) FROM outbox WHERE id "
			  ">= ?1 AND sent_at = 0",
			  error);
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, from);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*ret_n = sqlite3_column_int64(st, 0);
		*ret_oldest_at = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_fail(s, rc, "reading the outbox", error);
}

/* The "session.ended" record of session @id, as stored. */
static int put_session_ended(struct store *s, int64_t id)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db,
				    "SELECT booth, ticket, day, service, provider, end_reason, "
				    "video_codec, consent, created_at, ringing_at, connecting_at, "
				    "live_at, ended_at, reconnects FROM sessions WHERE id = ?1",
				    -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		struct outbox_session ss = {
		    .id = id,
		    .booth = sqlite3_column_int(st, 0),
		    .ticket = (uint32_t)sqlite3_column_int64(st, 1),
		    .day = sqlite3_column_int(st, 2),
		    .service = col_text(st, 3),
		    .provider = col_text(st, 4),
		    .end_reason = col_text(st, 5),
		    .video_codec = col_text(st, 6),
		    .consent = col_text(st, 7),
		    .created_at = sqlite3_column_int64(st, 8),
		    .ringing_at = sqlite3_column_int64(st, 9),
		    .connecting_at = sqlite3_column_int64(st, 10),
		    .live_at = sqlite3_column_int64(st, 11),
		    .ended_at = sqlite3_column_int64(st, 12),
		    .reconnects = sqlite3_column_int(st, 13),
		};

		rc = put_outbox(s, "session.ended", ss.ended_at, outbox_session_ended(&ss));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? SQLITE_DONE : rc;
}

int store_prune_personal(struct store *s, int64_t before, int64_t now, GError **error)
{
	STORE_HOLD(s);
	static const char *const sql[] = {
	    /* what ties a check to a person: the certificate and the keyed hash */
	    "UPDATE identity_checks SET cert_issuer = NULL, cert_serial = NULL, id_hmac = NULL, "
	    "detail = NULL, pruned_at = ?2 WHERE at < ?1 AND pruned_at = 0",
	    /* the expert's free texts to the customer */
	    "UPDATE session_events SET detail = NULL WHERE at < ?1 AND event = 'message' AND "
	    "detail IS NOT NULL",
	    /* who booked */
	    "UPDATE appointments SET name = NULL WHERE at < ?1 AND name IS NOT NULL",
	    /* the host's address, and the mail to the host (the visitor's name
	     * in it): an arrival that old is news to nobody, sent or not */
	    "UPDATE appointments SET host_email = NULL WHERE at < ?1 AND host_email IS NOT NULL",
	    "DELETE FROM mail_queue WHERE created_at < ?1",
	    /* the visit keeps its counts, channel, outcome and times; the
	     * note a transfer carried to the next server is a person's words */
	    "UPDATE visits SET pruned_at = ?2, transfer_note = NULL WHERE ended_at < ?1 AND "
	    "pruned_at = 0",
	    /* the customer's own words; the rating and the yes/no answer stay */
	    "UPDATE feedback SET comment = NULL WHERE at < ?1 AND comment IS NOT NULL",
	};
	int n = 0;

	if (store_exec(s, "BEGIN IMMEDIATE", "pruning personal data", error) < 0)
		return -EIO;
	for (size_t i = 0; i < G_N_ELEMENTS(sql); i++) {
		int rc = store_write(s, sql[i], "pruning personal data", error, "ii", before, now);

		if (rc < 0) {
			store_rollback(s);
			return rc;
		}
		n += rc;
	}
	if (store_exec(s, "COMMIT", "pruning personal data", error) < 0)
		return -EIO;
	return n;
}

int store_backup_scrub(const char *path, GError **error)
{
	sqlite3 *db = NULL;
	char *msg = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);

	/* VACUUM rewrites the file, so the hashes are not left in free pages. */
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db,
				  "UPDATE users SET hash = '';"
				  "DELETE FROM tokens;"
				  /* the visitor register is the reception's and
				   * the managers' only (issue 17) */
				  "DELETE FROM visitors;"
				  "VACUUM;",
				  NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		g_set_error(error, STORE_ERROR, rc == SQLITE_FULL ? ENOSPC : EIO,
			    "cannot take the passwords out of the backup %s: %s", path,
			    msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		sqlite3_close(db);
		return rc == SQLITE_FULL ? -ENOSPC : -EIO;
	}
	sqlite3_close(db);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Notices (schema v10) */

#define NOTICE_COLUMNS                                                                             \
	"id, texts, start_at, end_at, created_at, created_by, updated_at, withdrawn_at"

void store_notice_clear(struct store_notice *n)
{
	g_clear_pointer(&n->texts, g_free);
	g_clear_pointer(&n->created_by, g_free);
}

static void row_notice(sqlite3_stmt *st, struct store_notice *n)
{
	n->id = sqlite3_column_int64(st, 0);
	n->texts = g_strdup(col_text(st, 1));
	n->start_at = sqlite3_column_int64(st, 2);
	n->end_at = sqlite3_column_int64(st, 3);
	n->created_at = sqlite3_column_int64(st, 4);
	n->created_by =
	    sqlite3_column_type(st, 5) == SQLITE_NULL ? NULL : g_strdup(col_text(st, 5));
	n->updated_at = sqlite3_column_int64(st, 6);
	n->withdrawn_at = sqlite3_column_int64(st, 7);
}

int store_notice_put(struct store *s, struct store_notice *n, const struct store_audit *audit,
		     GError **error)
{
	STORE_HOLD(s);
	const char *doing = "saving the notice";
	g_autofree char *missing = NULL;
	int rc = store_exec(s, "BEGIN IMMEDIATE", doing, error);

	if (rc < 0)
		return rc;
	if (n->id == 0) {
		rc = store_write(s,
				 "INSERT INTO notices (texts, start_at, end_at, created_at, "
				 "created_by) VALUES (?1, ?2, ?3, ?4, ?5)",
				 doing, error, "siiis", n->texts, n->start_at, n->end_at,
				 n->created_at, n->created_by);
		if (rc > 0)
			n->id = sqlite3_last_insert_rowid(s->db);
	} else {
		rc = store_write(s,
				 "UPDATE notices SET texts = ?2, start_at = ?3, end_at = ?4, "
				 "updated_at = ?5 WHERE id = ?1 AND withdrawn_at = 0",
				 doing, error, "isiii", n->id, n->texts, n->start_at, n->end_at,
				 n->updated_at);
	}
	missing =
	    g_strdup_printf("no notice %" G_GINT64_FORMAT ", or it was withdrawn already", n->id);
	return audited_change(s, rc, "notice", n->id, audit, doing, missing, error);
}

int store_notice_withdraw(struct store *s, int64_t id, int64_t at, const struct store_audit *audit,
			  GError **error)
{
	STORE_HOLD(s);
	const char *doing = "withdrawing the notice";
	g_autofree char *missing = NULL;
	int rc = store_exec(s, "BEGIN IMMEDIATE", doing, error);

	if (rc < 0)
		return rc;
	rc = store_write(s,
			 "UPDATE notices SET withdrawn_at = ?2 WHERE id = ?1 AND withdrawn_at = 0",
			 doing, error, "ii", id, at);
	missing =
	    g_strdup_printf("no notice %" G_GINT64_FORMAT ", or it was withdrawn already", id);
	return audited_change(s, rc, "notice", id, audit, doing, missing, error);
}

int store_notice_get(struct store *s, int64_t id, struct store_notice *ret, GError **error)
{
	STORE_HOLD(s);
	int rc;
	sqlite3_stmt *st =
	    store_row_by_id(s, "SELECT " NOTICE_COLUMNS " FROM notices WHERE id = ?1", id,
			    "reading the notice", &rc, error, "no notice %" G_GINT64_FORMAT, id);

	if (st) {
		row_notice(st, ret);
		sqlite3_finalize(st);
	}
	return rc;
}

int store_notice_foreach(struct store *s, int64_t after,
			 void (*fn)(const struct store_notice *n, void *data), void *data,
			 GError **error)
{
	STORE_HOLD(s);
	sqlite3_stmt *st =
	    store_prepare(s,
			  "SELECT " NOTICE_COLUMNS " FROM notices WHERE withdrawn_at "
			  "= 0 AND end_at > ?1 ORDER BY start_at, id",
			  error);
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, after);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_notice n = {0};

		row_notice(st, &n);
		fn(&n, data);
		store_notice_clear(&n);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, rc, "reading the notices", error);
}

/* ---------------------------------------------------------------------- */
/* The visitor register (schema v14) */

#define VISITOR_COLUMNS                                                                            \
	"id, name, organisation, host, host_user, badge, in_at, out_at, registered_by, "           \
	"signed_out_by, print_error"

/* The smallest badge number no visitor still in holds. */
#define VISITOR_FREE_BADGE                                                                         \
	"(SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM visitors WHERE out_at = 0 AND badge = 1) "    \
	"THEN 1 ELSE (SELECT min(v.badge) + 1 FROM visitors v WHERE v.out_at = 0 AND NOT EXISTS "  \
	"(SELECT 1 FROM visitors w WHERE w.out_at = 0 AND w.badge = v.badge + 1)) END)"

static char *col_text_or_null(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NULL : g_strdup(col_text(st, i));
}

void store_visitor_clear(struct store_visitor *v)
{
	g_clear_pointer(&v->name, g_free);
	g_clear_pointer(&v->organisation, g_free);
	g_clear_pointer(&v->host, g_free);
	g_clear_pointer(&v->host_user, g_free);
	g_clear_pointer(&v->registered_by, g_free);
	g_clear_pointer(&v->signed_out_by, g_free);
	g_clear_pointer(&v->print_error, g_free);
}

static void row_visitor(sqlite3_stmt *st, struct store_visitor *v)
{
	v->id = sqlite3_column_int64(st, 0);
	v->name = g_strdup(col_text(st, 1));
	v->organisation = col_text_or_null(st, 2);
	v->host = g_strdup(col_text(st, 3));
	v->host_user = col_text_or_null(st, 4);
	v->badge = sqlite3_column_int(st, 5);
	v->in_at = sqlite3_column_int64(st, 6);
	v->out_at = sqlite3_column_int64(st, 7);
	v->registered_by = col_text_or_null(st, 8);
	v->signed_out_by = col_text_or_null(st, 9);
	v->print_error = col_text_or_null(st, 10);
}

/* After the change (its row count @rc), the audit line naming visitor @id
 * and its badge (never the name), then COMMIT; a failure rolls back. */
static int visitor_audit_commit(struct store *s, int rc, int64_t id, int badge,
				const struct store_audit *audit, const char *doing, GError **error)
{
	if (rc > 0)
		rc =
		    store_write(s,
				"INSERT INTO audit (at, user, command, detail) VALUES (?1, ?2, ?3, "
				"json_object('visitor', ?4, 'badge', ?5))",
				doing, error, "issii", audit->at, audit->user, audit->command, id,
				(int64_t)badge);
	if (rc > 0)
		rc = store_exec(s, "COMMIT", doing, error);
	if (rc < 0)
		store_rollback(s);
	return rc < 0 ? rc : 0;
}

int store_visitor_add(struct store *s, struct store_visitor *v, const struct store_audit *audit,
		      GError **error)
{
	STORE_HOLD(s);
	const char *doing = "registering the visitor";
	sqlite3_stmt *st;
	int rc = store_exec(s, "BEGIN IMMEDIATE", doing, error);

	if (rc < 0)
		return rc;
	rc = store_write(s,
			 "INSERT INTO visitors (name, organisation, host, host_user, badge, in_at, "
			 "registered_by) VALUES (?1, ?2, ?3, ?4, " VISITOR_FREE_BADGE ", ?5, ?6)",
			 doing, error, "ssssis", v->name, v->organisation, v->host, v->host_user,
			 audit->at, audit->user);
	if (rc > 0) {
		v->id = sqlite3_last_insert_rowid(s->db);
		v->in_at = audit->at;
		st = store_prepare(s, "SELECT badge FROM visitors WHERE id = ?1", error);
		if (!st) {
			rc = -EIO;
		} else {
			sqlite3_bind_int64(st, 1, v->id);
			if (sqlite3_step(st) == SQLITE_ROW)
				v->badge = sqlite3_column_int(st, 0);
			sqlite3_finalize(st);
		}
	}
	return visitor_audit_commit(s, rc, v->id, v->badge, audit, doing, error);
}

/* The badge of visitor @id into @ret_badge and whether they are still in;
 * -ENOENT when there is none.  Inside the caller's transaction. */
static int visitor_badge(struct store *s, int64_t id, int *ret_badge, bool *ret_in, GError **error)
{
	int rc;
	sqlite3_stmt *st = store_row_by_id(
	    s, "SELECT badge, out_at FROM visitors WHERE id = ?1", id, "reading the visitor", &rc,
	    error, "no visitor %" G_GINT64_FORMAT " in the register: reload the list", id);

	if (st) {
		*ret_badge = sqlite3_column_int(st, 0);
		*ret_in = sqlite3_column_int64(st, 1) == 0;
		sqlite3_finalize(st);
	}
	return rc;
}

int store_visitor_out(struct store *s, int64_t id, const struct store_audit *audit, GError **error)
{
	STORE_HOLD(s);
	const char *doing = "signing the visitor out";
	int rc = store_exec(s, "BEGIN IMMEDIATE", doing, error);
	int badge = 0;
	bool in = false;

	if (rc < 0)
		return rc;
	rc = visitor_badge(s, id, &badge, &in, error);
	if (rc == 0 && !in) {
		g_set_error(error, STORE_ERROR, EALREADY,
			    "visitor %" G_GINT64_FORMAT " has signed out already", id);
		rc = -EALREADY;
	}
	if (rc == 0)
		rc =
		    store_write(s,
				"UPDATE visitors SET out_at = ?2, signed_out_by = ?3 WHERE id = ?1 "
				"AND out_at = 0",
				doing, error, "iis", id, audit->at, audit->user);
	if (rc < 0) {
		store_rollback(s);
		return rc;
	}
	return visitor_audit_commit(s, rc, id, badge, audit, doing, error);
}

int store_visitor_delete(struct store *s, int64_t id, const struct store_audit *audit,
			 GError **error)
{
	STORE_HOLD(s);
	const char *doing = "deleting the visitor";
	int rc = store_exec(s, "BEGIN IMMEDIATE", doing, error);
	int badge = 0;
	bool in = false;

	if (rc < 0)
		return rc;
	rc = visitor_badge(s, id, &badge, &in, error);
	if (rc == 0)
		rc = store_write(s, "DELETE FROM visitors WHERE id = ?1", doing, error, "i", id);
	if (rc < 0) {
		store_rollback(s);
		return rc;
	}
	return visitor_audit_commit(s, rc, id, badge, audit, doing, error);
}

int store_visitor_get(struct store *s, int64_t id, struct store_visitor *ret, GError **error)
{
	STORE_HOLD(s);
	int rc;
	sqlite3_stmt *st = store_row_by_id(
	    s, "SELECT " VISITOR_COLUMNS " FROM visitors WHERE id = ?1", id, "reading the visitor",
	    &rc, error, "no visitor %" G_GINT64_FORMAT " in the register: reload the list", id);

	if (st) {
		row_visitor(st, ret);
		sqlite3_finalize(st);
	}
	return rc;
}

int store_visitor_set_print_error(struct store *s, int64_t id, const char *what, GError **error)
{
	STORE_HOLD(s);
	int rc = store_write(s, "UPDATE visitors SET print_error = ?2 WHERE id = ?1",
			     "recording the badge's print", error, "is", id, what);

	return rc < 0 ? rc : 0;
}

int store_visitor_foreach(struct store *s, bool in_only, int64_t from, int64_t to,
			  void (*fn)(const struct store_visitor *v, void *data), void *data,
			  GError **error)
{
	STORE_HOLD(s);
	sqlite3_stmt *st = store_prepare(
	    s,
	    in_only ? "SELECT " VISITOR_COLUMNS " FROM visitors WHERE out_at = 0 ORDER BY in_at, id"
		    : "SELECT " VISITOR_COLUMNS " FROM visitors WHERE in_at >= ?1 AND in_at < ?2 "
		      "ORDER BY in_at, id",
	    error);
	int rc;

	if (!st)
		return -EIO;
	if (!in_only) {
		sqlite3_bind_int64(st, 1, from);
		sqlite3_bind_int64(st, 2, to);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_visitor v = {0};

		row_visitor(st, &v);
		fn(&v, data);
		store_visitor_clear(&v);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, rc, "reading the visitor register", error);
}

int store_visitors_prune(struct store *s, int64_t before, GError **error)
{
	STORE_HOLD(s);
	return store_write(s, "DELETE FROM visitors WHERE max(in_at, out_at) < ?1",
			   "erasing old visitor register rows", error, "i", before);
}

/* ---------------------------------------------------------------------- */
/* Opening-hour exceptions (schema v12) */

#define HOURS_EXCEPTION_COLUMNS                                                                    \
	"id, uid, date, closed, open_min, close_min, services, names, imported_at, imported_by"

void store_hours_exception_clear(struct store_hours_exception *e)
{
	g_clear_pointer(&e->uid, g_free);
	g_clear_pointer(&e->date, g_free);
	g_clear_pointer(&e->services, g_free);
	g_clear_pointer(&e->names, g_free);
	g_clear_pointer(&e->imported_by, g_free);
}

int store_hours_exceptions_import(struct store *s, GPtrArray *list, const struct store_audit *audit,
				  GError **error)
{
	STORE_HOLD(s);
	const char *doing = "importing the opening-hour exceptions";
	int rc = store_exec(s, "BEGIN IMMEDIATE", doing, error);

	if (rc < 0)
		return rc;
	for (guint i = 0; i < list->len && rc >= 0; i++) {
		const struct store_hours_exception *e = g_ptr_array_index(list, i);

		rc = store_write(s,
				 "INSERT INTO hours_exceptions (uid, date, closed, open_min, "
				 "close_min, services, names, imported_at, imported_by) VALUES "
				 "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (uid) DO UPDATE "
				 "SET date = ?2, closed = ?3, open_min = ?4, close_min = ?5, "
				 "services = ?6, names = ?7, imported_at = ?8, imported_by = ?9",
				 doing, error, "ssiiissis", e->uid, e->date, (int64_t)e->closed,
				 (int64_t)e->open_min, (int64_t)e->close_min, e->services, e->names,
				 e->imported_at, e->imported_by);
	}
	if (rc >= 0)
		rc = store_write(
		    s, "INSERT INTO audit (at, user, command, detail) VALUES (?1, ?2, ?3, ?4)",
		    doing, error, "isss", audit->at, audit->user, audit->command, audit->detail);
	if (rc >= 0)
		rc = store_exec(s, "COMMIT", doing, error);
	if (rc < 0)
		store_rollback(s);
	return rc < 0 ? rc : 0;
}

int store_hours_exception_delete(struct store *s, int64_t id, const struct store_audit *audit,
				 GError **error)
{
	STORE_HOLD(s);
	const char *doing = "deleting the opening-hour exception";
	g_autofree char *missing = NULL;
	int rc = store_exec(s, "BEGIN IMMEDIATE", doing, error);

	if (rc < 0)
		return rc;
	rc = store_write(s, "DELETE FROM hours_exceptions WHERE id = ?1", doing, error, "i", id);
	missing =
	    g_strdup_printf("no imported exception %" G_GINT64_FORMAT
			    ": reload the list (board-config's own are changed in board-config)",
			    id);
	return audited_change(s, rc, "exception", id, audit, doing, missing, error);
}

int store_hours_exception_foreach(struct store *s,
				  void (*fn)(const struct store_hours_exception *e, void *data),
				  void *data, GError **error)
{
	STORE_HOLD(s);
	sqlite3_stmt *st = store_prepare(
	    s, "SELECT " HOURS_EXCEPTION_COLUMNS " FROM hours_exceptions ORDER BY date, id", error);
	int rc;

	if (!st)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_hours_exception e = {0};

		e.id = sqlite3_column_int64(st, 0);
		e.uid = g_strdup(col_text(st, 1));
		e.date = g_strdup(col_text(st, 2));
		e.closed = sqlite3_column_int(st, 3) != 0;
		e.open_min = sqlite3_column_int(st, 4);
		e.close_min = sqlite3_column_int(st, 5);
		e.services =
		    sqlite3_column_type(st, 6) == SQLITE_NULL ? NULL : g_strdup(col_text(st, 6));
		e.names = g_strdup(col_text(st, 7));
		e.imported_at = sqlite3_column_int64(st, 8);
		e.imported_by =
		    sqlite3_column_type(st, 9) == SQLITE_NULL ? NULL : g_strdup(col_text(st, 9));
		fn(&e, data);
		store_hours_exception_clear(&e);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0
				 : store_fail(s, rc, "reading the opening-hour exceptions", error);
}

/* ---------------------------------------------------------------------- */
/* The queue of e-mail to hosts */

#define MAIL_COLUMNS                                                                               \
	"id, recipient, subject, body, created_at, attempts, next_at, last_error, sent_at"

void store_mail_clear(struct store_mail *m)
{
	if (!m)
		return;
	g_free(m->recipient);
	g_free(m->subject);
	g_free(m->body);
	g_free(m->last_error);
	memset(m, 0, sizeof(*m));
}

int store_mail_add(struct store *s, struct store_mail *m, GError **error)
{
	STORE_HOLD(s);
	int rc = store_write(s,
			     "INSERT INTO mail_queue (recipient, subject, body, created_at, "
			     "next_at) VALUES (?1, ?2, ?3, ?4, ?4)",
			     "queueing an e-mail", error, "sssi", m->recipient, m->subject, m->body,
			     m->created_at);

	if (rc < 0)
		return rc;
	m->id = sqlite3_last_insert_rowid(s->db);
	m->next_at = m->created_at;
	return 0;
}

int store_mail_next(struct store *s, int64_t now, struct store_mail *ret, GError **error)
{
	STORE_HOLD(s);
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT " MAIL_COLUMNS " FROM mail_queue WHERE sent_at = "
					 "0 AND next_at <= ?1 ORDER BY next_at, id LIMIT 1",
					 error);
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		ret->id = sqlite3_column_int64(st, 0);
		ret->recipient = g_strdup(col_text(st, 1));
		ret->subject = g_strdup(col_text(st, 2));
		ret->body = g_strdup(col_text(st, 3));
		ret->created_at = sqlite3_column_int64(st, 4);
		ret->attempts = sqlite3_column_int(st, 5);
		ret->next_at = sqlite3_column_int64(st, 6);
		ret->last_error =
		    sqlite3_column_type(st, 7) == SQLITE_NULL ? NULL : g_strdup(col_text(st, 7));
		ret->sent_at = sqlite3_column_int64(st, 8);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = -ENOENT;
	} else {
		rc = store_fail(s, rc, "reading the e-mail queue", error);
	}
	sqlite3_finalize(st);
	return rc;
}

int store_mail_pending(struct store *s, int64_t *ret_n, int64_t *ret_next_at,
		       int64_t *ret_oldest_at, GError **error)
{
	STORE_HOLD(s);
	int rc;
	sqlite3_stmt *st =
	    store_row(s,
		      "SELECT count(*), coalesce(min(next_at), 0), "
		      "coalesce(min(created_at), 0) FROM mail_queue WHERE "
		      "sent_at = 0",
		      "reading the e-mail queue", &rc, error, "the e-mail queue gave no row");

	if (!st)
		return rc;
	*ret_n = sqlite3_column_int64(st, 0);
	*ret_next_at = sqlite3_column_int64(st, 1);
	*ret_oldest_at = sqlite3_column_int64(st, 2);
	sqlite3_finalize(st);
	return 0;
}

int store_mail_sent(struct store *s, int64_t id, int64_t at, GError **error)
{
	STORE_HOLD(s);
	int rc = store_write(
	    s, "UPDATE mail_queue SET sent_at = ?2, attempts = attempts + 1 WHERE id = ?1",
	    "marking an e-mail sent", error, "ii", id, at);

	return rc < 0 ? rc : 0;
}

int store_mail_failed(struct store *s, int64_t id, int64_t next_at, const char *why, GError **error)
{
	STORE_HOLD(s);
	int rc = store_write(s,
			     "UPDATE mail_queue SET attempts = attempts + 1, next_at = ?2, "
			     "last_error = ?3 WHERE id = ?1",
			     "recording a failed e-mail", error, "iis", id, next_at, why);

	return rc < 0 ? rc : 0;
}

/* ---------------------------------------------------------------------- */
/* Staff alarms, feedback in words (schema v15) */

#define ALARM_COLUMNS "id, counter, source, raised_at, raised_by, acknowledged_at, acknowledged_by"

void store_alarm_clear(struct store_alarm *a)
{
	g_clear_pointer(&a->source, g_free);
	g_clear_pointer(&a->raised_by, g_free);
	g_clear_pointer(&a->acknowledged_by, g_free);
}

static char *col_dup(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NULL : g_strdup(col_text(st, i));
}

static void row_alarm(sqlite3_stmt *st, struct store_alarm *a)
{
	a->id = sqlite3_column_int64(st, 0);
	a->counter = sqlite3_column_int(st, 1);
	a->source = g_strdup(col_text(st, 2));
	a->raised_at = sqlite3_column_int64(st, 3);
	a->raised_by = col_dup(st, 4);
	a->acknowledged_at = sqlite3_column_int64(st, 5);
	a->acknowledged_by = col_dup(st, 6);
}

int store_alarm_raise(struct store *s, struct store_alarm *a, const struct store_audit *audit,
		      GError **error)
{
	STORE_HOLD(s);
	const char *doing = "recording the alarm";
	int rc = store_exec(s, "BEGIN IMMEDIATE", doing, error);
	int64_t id = 0;

	if (rc < 0)
		return rc;
	rc = store_write(s,
			 "INSERT INTO alarms (counter, source, raised_at, raised_by) VALUES (?1, "
			 "?2, ?3, ?4)",
			 doing, error, "isis", (int64_t)a->counter, a->source, a->raised_at,
			 a->raised_by);
	if (rc > 0)
		id = sqlite3_last_insert_rowid(s->db);
	rc = audited_change(s, rc, "alarm", id, audit, doing, "the alarm was not written", error);
	if (rc == 0)
		a->id = id;
	return rc;
}

int store_alarm_acknowledge(struct store *s, int64_t id, int64_t at, const char *user,
			    const struct store_audit *audit, GError **error)
{
	STORE_HOLD(s);
	const char *doing = "acknowledging the alarm";
	g_autofree char *missing =
	    g_strdup_printf("no alarm %" G_GINT64_FORMAT ", or it was acknowledged already", id);
	int rc = store_exec(s, "BEGIN IMMEDIATE", doing, error);

	if (rc < 0)
		return rc;
	rc = store_write(s,
			 "UPDATE alarms SET acknowledged_at = ?2, acknowledged_by = ?3 WHERE id = "
			 "?1 AND acknowledged_at = 0",
			 doing, error, "iis", id, at, user);
	return audited_change(s, rc, "alarm", id, audit, doing, missing, error);
}

int store_alarm_get(struct store *s, int64_t id, struct store_alarm *ret, GError **error)
{
	STORE_HOLD(s);
	int rc;
	sqlite3_stmt *st =
	    store_row_by_id(s, "SELECT " ALARM_COLUMNS " FROM alarms WHERE id = ?1", id,
			    "reading the alarm", &rc, error, "no alarm %" G_GINT64_FORMAT, id);

	if (st) {
		row_alarm(st, ret);
		sqlite3_finalize(st);
	}
	return rc;
}

int store_alarm_foreach(struct store *s, int64_t since,
			void (*fn)(const struct store_alarm *a, void *data), void *data,
			GError **error)
{
	STORE_HOLD(s);
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT " ALARM_COLUMNS " FROM alarms WHERE "
					 "acknowledged_at = 0 OR acknowledged_at >= ?1 "
					 "ORDER BY raised_at DESC, id DESC",
					 error);
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_alarm a = {0};

		row_alarm(st, &a);
		fn(&a, data);
		store_alarm_clear(&a);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, rc, "reading the alarms", error);
}

int store_alarm_open_count(struct store *s, int counter)
{
	STORE_HOLD(s);
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT COUNT(*) FROM alarms WHERE acknowledged_at = 0 "
					 "AND (?1 = 0 OR counter = ?1)",
					 NULL);
	int n = 0;

	if (!st)
		return 0;
	sqlite3_bind_int(st, 1, counter);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

int store_feedback_words(struct store *s, int64_t id, const char *comment, int64_t question,
			 const char *answer, int64_t at, int64_t not_before, GError **error)
{
	STORE_HOLD(s);
	int rc = store_write(s,
			     "UPDATE feedback SET comment = ?2, question = ?3, answer = ?4, "
			     "words_at = ?5 WHERE id = ?1 AND words_at = 0 AND at >= ?6",
			     "saving the feedback's words", error, "isisii", id, comment, question,
			     answer, at, not_before);

	if (rc == 0) {
		g_set_error(error, STORE_ERROR, ENOENT,
			    "no rating %" G_GINT64_FORMAT
			    " to add words to: it has its words already, or it is too old",
			    id);
		return -ENOENT;
	}
	return rc < 0 ? rc : 0;
}

int store_feedback_question_set(struct store *s, const char *texts, int64_t at, const char *user,
				const struct store_audit *audit, GError **error)
{
	STORE_HOLD(s);
	const char *doing = "saving the feedback question";
	int rc = store_exec(s, "BEGIN IMMEDIATE", doing, error);
	int64_t id = 0;

	if (rc < 0)
		return rc;
	rc =
	    store_write(s, "UPDATE feedback_questions SET withdrawn_at = ?1 WHERE withdrawn_at = 0",
			doing, error, "i", at);
	if (rc >= 0 && texts) {
		rc = store_write(s,
				 "INSERT INTO feedback_questions (texts, created_at, created_by) "
				 "VALUES (?1, ?2, ?3)",
				 doing, error, "sis", texts, at, user);
		if (rc > 0)
			id = sqlite3_last_insert_rowid(s->db);
	}
	/* withdrawing none is no error: there is then no question either way */
	return audited_change(s, rc < 0 ? rc : 1, "question", id, audit, doing, "", error);
}

int store_feedback_question_get(struct store *s, int64_t *ret_id, char **ret_texts, GError **error)
{
	STORE_HOLD(s);
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT id, texts FROM feedback_questions WHERE "
					 "withdrawn_at = 0 ORDER BY id DESC LIMIT 1",
					 error);
	int rc;

	if (!st)
		return -EIO;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		*ret_id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
		*ret_texts = rc == SQLITE_ROW ? g_strdup(col_text(st, 1)) : NULL;
		rc = 0;
	} else {
		rc = store_fail(s, rc, "reading the feedback question", error);
	}
	sqlite3_finalize(st);
	return rc;
}

int store_feedback_words_foreach(struct store *s, int32_t from_day, int32_t to_day,
				 void (*fn)(const struct store_feedback_words *w, void *data),
				 void *data, GError **error)
{
	STORE_HOLD(s);
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT id, at, words_at, question, rating, service, "
					 "comment, answer, source, counter FROM feedback WHERE "
					 "day >= ?1 AND day < ?2 AND words_at != 0 "
					 "ORDER BY at DESC, id DESC",
					 error);
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_int(st, 1, from_day);
	sqlite3_bind_int(st, 2, to_day);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_feedback_words w = {
		    .id = sqlite3_column_int64(st, 0),
		    .at = sqlite3_column_int64(st, 1),
		    .words_at = sqlite3_column_int64(st, 2),
		    .question = sqlite3_column_int64(st, 3),
		    .rating = sqlite3_column_int(st, 4),
		    .service = (const char *)sqlite3_column_text(st, 5),
		    .comment = (const char *)sqlite3_column_text(st, 6),
		    .answer = (const char *)sqlite3_column_text(st, 7),
		    .source = (const char *)sqlite3_column_text(st, 8),
		    .counter = sqlite3_column_int(st, 9),
		};

		fn(&w, data);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, rc, "reading the feedback's words", error);
}

bool store_feedback_at_counter(struct store *s, int64_t id, int counter)
{
	STORE_HOLD(s);
	sqlite3_stmt *st = store_prepare(s, "SELECT counter FROM feedback WHERE id = ?1", NULL);
	bool same = false;

	if (!st)
		return false;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		same = sqlite3_column_int(st, 0) == counter;
	sqlite3_finalize(st);
	return same;
}
