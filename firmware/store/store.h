/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * store: the one SQLite file of a service point.
 *
 * WAL journal, synchronous=FULL: when store_result_commit returns 0 the
 * change is on disk and may be shown to anybody.  The schema is versioned by
 * PRAGMA user_version and migrated forward at open, one step per version.
 * The store of store_open is the writer: used from the main loop thread
 * only, every write goes through it.  Long reads (reports, the integrity
 * check, the backup) run as jobs on worker threads, each with a read-only
 * connection of its own (store_open_reader) to the same WAL file: a reader
 * sees the last commit made before its read transaction began and never
 * blocks the writer, nor the writer it.
 *
 * Errors: functions return 0 (or a count) or a negative errno and set @error
 * to a line that says what to do: -ENOSPC disk full, -EROFS read-only
 * database, -EIO corrupt or unreadable file, -EBUSY locked by another
 * process, -ENOENT no such row, -EEXIST duplicate.
 */
#pragma once

#include <gio/gio.h>
#include <glib.h>
#include <sqlite3.h>
#include <stdint.h>

#include "config.h"
#include "queue.h"

#define STORE_SCHEMA_VERSION 16

struct store;

/* Opens (creating if needed) and migrates @path; runs PRAGMA quick_check and
 * refuses a corrupt file.  Also mirrors the config's providers, services and
 * counters into their tables so that reports can name them. */
struct store *store_open(const char *path, const struct config *cfg, GError **error);
void store_free(struct store *s);
/* The database file, and whether it is served read-only (see store_open). */
const char *store_path(const struct store *s);
bool store_read_only(const struct store *s);
/* The last operation that failed on the database's disk (a write, a sync,
 * an open, a job's), in words for /tech; NULL when the last commit reached
 * it.  Free it. */
char *store_write_fault(struct store *s);
typedef struct store Store; /* for g_autoptr(Store) only */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Store, store_free)

/* For read-only queries of report.c; never for writes. */
sqlite3 *store_db(struct store *s);

/* A read-only connection (SQLITE_OPEN_READONLY) to @s's file, for one
 * thread at a time; free with store_free.  Anything but reads fails. */
struct store *store_open_reader(const struct store *s, GError **error);

/* Runs @fn on a worker thread with a reader of its own (opened and closed
 * by the job), then @done on the main context of the caller.  The workers,
 * at most STORE_JOB_THREADS, run at nice STORE_JOB_NICE: the loop comes
 * first.  @s must be the writer;
 * @data is the job's in and out, freed with @data_free after @done.  In
 * @done, store_job_finish gives @fn's result (and @data, @error). */
/* One job at a time: on a two-core board one core stays the loop's (issue
 * p99 under reports and backups 1.35-1.69x quiet, 2.16x with two). */
#define STORE_JOB_THREADS 1
#define STORE_JOB_NICE    19
typedef int (*store_job_fn)(struct store *reader, gpointer data, GError **error);
void store_job_run(struct store *s, store_job_fn fn, gpointer data, GDestroyNotify data_free,
		   GAsyncReadyCallback done, gpointer user_data);
int store_job_finish(GAsyncResult *result, gpointer *ret_data, GError **error);

/* Schema SQL of every version, for tests that build an old database:
 * store_migration_sql(v) turns version v-1 into v (1..STORE_SCHEMA_VERSION). */
const char *store_migration_sql(int version);

/* What the core knows of the visit a command ends (END, NO_SHOW, the
 * counter's leg of a TRANSFER) beyond the engine: written into that visit's
 * row in the command's own transaction (see desk/visit.h).  NULL fields and
 * 0 stay unset (identity: then the visits_identity trigger fills in the
 * method of a stored check that passed). */
struct store_visit_note {
	uint32_t ticket;              /* the visit's ticket; 0: no note */
	const char *category;         /* the category of the matter */
	const char *identity;         /* method of a check that passed: card, document */
	const char *identity_verdict; /* the verdict the visit keeps: verified, wrong_pin, … */
	const char *document_type;    /* a document checked: passport, … */
	int64_t session;              /* the remote-service session, 0 none */
	const char *consent;          /* its recording consent */
	bool manual;                  /* recorded without a ticket (ticket 0) */
	/* TRANSFER: the note to the next server (≤ 280 characters): kept with
	 * the visit until the retention prune, never in an outbox record. */
	const char *transfer_note;
};

/* What one command does to the store, in one durable transaction: every
 * ticket and counter after-image, every visit (with @visit's note), one
 * audit line. */
struct store_audit {
	int64_t at;
	const char *user;                     /* who; "kiosk" for the dispenser; may be NULL */
	const char *command;                  /* queue_cmd_name() or an API action */
	const char *detail;                   /* JSON text of the arguments; may be NULL */
	const struct store_visit_note *visit; /* may be NULL */
};
int store_result_commit(struct store *s, const struct config *cfg, const struct queue_result *res,
			const struct store_audit *audit, GError **error);
/* A visit that had no ticket (@v->ticket 0: a phone call, a citizen who
 * walked straight up, the provider's own staff), its outbox record and
 * @audit in one transaction.  Returns the visit's row id or a negative
 * errno. */
int64_t store_visit_manual_add(struct store *s, const struct config *cfg,
			       const struct queue_visit *v, const struct store_audit *audit,
			       GError **error);
/* The note of @ticket's latest transfer (NULL none, or erased by the
 * retention prune) into @ret_note. */
int store_transfer_note_get(struct store *s, uint32_t ticket, char **ret_note, GError **error);
/* Several commands' results in one transaction (group commit): all or
 * none.  @audits may be NULL, else one per result.  May run on a thread
 * other than the opener's (the desk's writer).  Every store_* call holds
 * the connection for its whole run, so the two threads' calls never
 * interleave: the opener's wait for a commit in flight. */
int store_results_commit(struct store *s, const struct config *cfg, guint n,
			 const struct queue_result *const *res, const struct store_audit *audits,
			 GError **error);
int store_audit_add(struct store *s, const struct store_audit *audit, GError **error);
/* The latest time the store holds: the newest of the last 10,000 audit rows'
 * (every queue command writes one), 0 in an empty store. */
int store_last_time(struct store *s, int64_t *ret, GError **error);
/* The counter in the newest audit row of @command about @ticket, when that
 * row is from @since on; -ENOENT when there is none. */
int store_audit_last_counter(struct store *s, const char *command, uint32_t ticket, int64_t since,
			     int16_t *ret_counter, GError **error);

/* Loads the queue after a start: active tickets, today's numbering, counters,
 * recent service times, next id.  Tickets still QUEUE_ISSUED (committed but
 * never handed out) are returned through @ret_ghosts (array of uint32_t ids)
 * for the caller to void; they are not restored as callable. */
int store_queue_load(struct store *s, const struct config *cfg, struct queue *q, int32_t day,
		     GArray *ret_ghosts, GError **error);

/* A ticket by id or by follow reference, ended ones too. */
int store_ticket_get(struct store *s, const struct config *cfg, uint32_t id,
		     struct queue_ticket *ret, GError **error);
int store_ticket_by_ref(struct store *s, const struct config *cfg, const char *ref,
			struct queue_ticket *ret, GError **error);

/* Users: name, role ("advisor", "expert", "technician", "manager", "admin",
 * "reception"),
 * a crypto_pwhash_str hash. */
int store_user_put(struct store *s, const char *name, const char *role, const char *hash,
		   int64_t now, GError **error); /* insert or replace */
int store_user_set_hash(struct store *s, const char *name, const char *hash, GError **error);
int store_user_get(struct store *s, const char *name, char **ret_role, char **ret_hash,
		   GError **error);
/* Calls @fn for each user, by name. */
int store_user_foreach(struct store *s, void (*fn)(const char *name, const char *role, void *data),
		       void *data, GError **error);

/* Login tokens, kept as a SHA-256 hex of the token. */
int store_token_put(struct store *s, const char *token_hash, const char *user, int64_t expires_at,
		    GError **error);
int store_token_get(struct store *s, const char *token_hash, int64_t now, char **ret_user,
		    char **ret_role, GError **error); /* -ENOENT unknown or expired */
int store_token_delete(struct store *s, const char *token_hash, GError **error);

/* A disabled user cannot log in and their logins end: -ENOENT no such user. */
int store_user_set_disabled(struct store *s, const char *name, bool disabled, GError **error);
/* 1 disabled, 0 not (or no such user), -errno when the store failed. */
int store_user_disabled(struct store *s, const char *name);

/* Devices: a kiosk or a booth's screen with its own token, kept as the
 * SHA-256 hex of the token (its first 16 digits find the row, the whole is
 * compared by the caller in constant time); a pending pairing code, hashed. */
struct store_device {
	char *name;
	char *role; /* "kiosk" | "booth" */
	int booth;  /* role booth: its counter id */
	char *token_hash;
	char *pair_hash; /* NULL: no pairing pending */
	int64_t pair_expires;
	int64_t created_at;
	int64_t paired_at;
};
void store_device_clear(struct store_device *d);
/* -EEXIST when @name is taken. */
int store_device_add(struct store *s, const struct store_device *d, GError **error);
/* The device whose token digest starts like @token_hash: -ENOENT none. */
int store_device_by_token(struct store *s, const char *token_hash, struct store_device *ret,
			  GError **error);
/* A new token (pairing done, or re-issued): the pairing code is spent. */
int store_device_set_token(struct store *s, const char *name, const char *token_hash, int64_t now,
			   GError **error);
int store_device_set_pair(struct store *s, const char *name, const char *pair_hash, int64_t expires,
			  GError **error);
int store_device_foreach(struct store *s, void (*fn)(const struct store_device *d, void *data),
			 void *data, GError **error);
int store_device_delete(struct store *s, const char *name, GError **error);

/* Appointments: booked meetings and remote-service slots. */
enum store_appointment_state {
	STORE_APPOINTMENT_BOOKED = 0,
	STORE_APPOINTMENT_ARRIVED,
	STORE_APPOINTMENT_CANCELLED,
};
struct store_appointment {
	uint32_t id; /* assigned by the store on insert */
	char *code;  /* booking code the citizen types at the kiosk */
	int16_t service;
	int64_t at; /* booked time, unix seconds */
	int duration_min;
	char *staff;  /* the staff member booked; may be NULL */
	char *name;   /* how to greet the customer; may be NULL */
	char *source; /* "api", "csv", "ics" */
	enum store_appointment_state state;
	uint32_t ticket;     /* the ticket of the check-in, 0 before */
	int booth;           /* the expert counter booked, 0 none */
	char *host_email;    /* the host's e-mail address (v11); may be NULL */
	int64_t host_ack_at; /* when the host said "on my way", 0 before */
};
void store_appointment_clear(struct store_appointment *a);
/* Insert; -EEXIST when the code is taken (an import skips or updates those);
 * -EBUSY when @a names a booth already booked (not cancelled) for an
 * overlapping time: checked in the insert's own transaction. */
int store_appointment_add(struct store *s, const struct config *cfg, struct store_appointment *a,
			  GError **error);
int store_appointment_by_code(struct store *s, const struct config *cfg, const char *code,
			      struct store_appointment *ret, GError **error);
/* Every appointment of @list in one transaction: all or none.  A code
 * already taken is skipped (not an error); @ret_added counts the others,
 * whose id and state are set.  Any other failure rolls the whole import
 * back. */
int store_appointments_import(struct store *s, const struct config *cfg, GPtrArray *list,
			      int *ret_added, GError **error);
int store_appointment_arrive(struct store *s, uint32_t id, uint32_t ticket, GError **error);
int store_appointment_get(struct store *s, const struct config *cfg, uint32_t id,
			  struct store_appointment *ret, GError **error);
/* A booked appointment is cancelled: -ENOENT none, -ESTALE arrived or
 * cancelled already. */
int store_appointment_cancel(struct store *s, uint32_t id, GError **error);

/* The host acknowledged the arrival of appointment @id ("on my way"), with
 * its audit line in the same transaction: -ENOENT none, -ESTALE not
 * arrived; a second acknowledgement keeps the first time (0). */
int store_appointment_host_ack(struct store *s, uint32_t id, int64_t at,
			       const struct store_audit *audit, GError **error);

/* The durable queue of e-mail to hosts (schema v11, notify.c): a row per
 * message until it is sent; a failed attempt counts, keeps its error and
 * waits until next_at.  Site data: never an outbox record. */
struct store_mail {
	int64_t id;
	char *recipient;
	char *subject;
	char *body;
	int64_t created_at;
	int attempts;
	int64_t next_at;
	char *last_error; /* may be NULL */
	int64_t sent_at;  /* 0: not sent */
};
void store_mail_clear(struct store_mail *m);
/* Queues @m (its id set here; next_at = created_at). */
int store_mail_add(struct store *s, struct store_mail *m, GError **error);
/* The oldest unsent message due at @now: 0, or -ENOENT when none is due. */
int store_mail_next(struct store *s, int64_t now, struct store_mail *ret, GError **error);
/* Unsent messages: how many, the earliest next_at and the oldest's
 * created_at (0 when none). */
int store_mail_pending(struct store *s, int64_t *ret_n, int64_t *ret_next_at,
		       int64_t *ret_oldest_at, GError **error);
int store_mail_sent(struct store *s, int64_t id, int64_t at, GError **error);
int store_mail_failed(struct store *s, int64_t id, int64_t next_at, const char *why,
		      GError **error);

/* Records that printing ticket @id failed, and why (the printer's message). */
/* Every ticket of service day @day, finished ones too, in id order.  A
 * ticket of a service no longer configured is skipped. */
int store_tickets_of_day(struct store *s, const struct config *cfg, int32_t day,
			 void (*fn)(const struct queue_ticket *t, void *data), void *data,
			 GError **error);
int store_ticket_print_failed(struct store *s, uint32_t id, const char *message, GError **error);
/* Appointments with @from <= at < @to, by time. */
int store_appointment_foreach(struct store *s, const struct config *cfg, int64_t from, int64_t to,
			      void (*fn)(const struct store_appointment *a, void *data), void *data,
			      GError **error);

/* Experts serve for one provider (users.provider); NULL when none. */
int store_user_set_provider(struct store *s, const char *name, const char *provider,
			    GError **error);
char *store_user_provider(struct store *s, const char *name);

/* Remote-service sessions: a row per session, an event row per change. */
struct store_session {
	int booth;
	uint32_t ticket;
	int32_t day;
	const char *code, *service, *provider, *expert, *video_codec;
	int64_t at;
};
int64_t store_session_add(struct store *s, const struct store_session *ss, GError **error);
/* @state "ringing" … "ended" also stamps its *_at column the first time;
 * @reason and @error_text may be NULL. */
int store_session_state(struct store *s, int64_t id, const char *state, const char *reason,
			const char *error_text, int64_t at, GError **error);
/* "message", "document", "reconnect" (also counted), … */
int store_session_event(struct store *s, int64_t id, const char *event, const char *detail,
			int64_t at, GError **error);
int store_session_consent(struct store *s, int64_t id, const char *consent, const char *recording,
			  int64_t at, GError **error);
/* An identity check for a visit: method "card" or "document", result the
 * verdict ("verified", "wrong_pin", …).  Never the identity code itself:
 * id_hmac is its keyed hash. */
struct store_identity {
	uint32_t ticket;
	int32_t day;
	int counter;
	int64_t session;
	const char *method, *result, *detail, *document_type;
	const char *cert_issuer, *cert_serial, *id_hmac, *user;
	int64_t at;
};
int64_t store_identity_add(struct store *s, const struct store_identity *c, GError **error);

/* A rating; ticket 0 when it could not be tied to a visit. */
struct store_feedback {
	uint32_t ticket;
	int32_t day;
	const char *service, *provider; /* NULL when untied */
	int counter;
	int rating;
	const char *source;
	int64_t at;
};
int store_feedback_add(struct store *s, const struct store_feedback *fb, GError **error);

/* Retention: personal fields of records older than @before (identity
 * checks' certificate and keyed hash, the expert's messages, booking names)
 * are cleared; counts, times, channels and outcomes stay.  Returns how many
 * rows changed. */
int store_prune_personal(struct store *s, int64_t before, int64_t now, GError **error);

/* Sessions still open in the store after a restart end as errors. */
int store_sessions_interrupted(struct store *s, int64_t at, GError **error);
/* Recordings of sessions ended before @before: @fn deletes the file; the
 * row is then marked.  Returns how many were marked. */
int store_recordings_expired(struct store *s, int64_t before,
			     void (*fn)(int64_t id, const char *path, void *data), void *data,
			     GError **error);

/* The outbox (issue 15; records in outbox.h): with [uplink], every change
 * writes its record in its own transaction (queue results, feedback, a
 * session's end, the daily reset's summary); without, no row is written.
 *
 * The epoch: a random id (16 hex digits) of this database, in the message
 * id <site>-<epoch>-<seq> the uplink gives a record.  It is kept in the
 * file with the identity of the file it was made for (the board's
 * /etc/machine-id, the inode, the birth time); when the file opened is not
 * that file (a restore, a copy, the card in another board) or is a backup
 * (store_backup drops the identity from the copy), a new epoch is drawn, so
 * that a sequence that starts again is never taken for one already sent. */
const char *store_epoch(const struct store *s);
/* "fault.raised" / "fault.cleared" of a device (identifiers only). */
int store_outbox_fault(struct store *s, const char *device, const char *code, bool raised,
		       int64_t at, GError **error);
/* Rows the uplink marked sent before @before go; returns how many. */
/* The newest acknowledged record, written beside the database (PATH.sent)
 * if it was not yet: marking records sent writes it at most once a second,
 * the uplink's slow timer calls this for the rest. */
void store_outbox_sent_sync(struct store *s);
int store_outbox_prune(struct store *s, int64_t before, GError **error);

/* For the uplink (firmware/uplink/): the records not yet acknowledged by
 * the hub's stream, read in seq order.  @fn is called on a new row written
 * in a change's transaction (after put, before its commit: read the rows
 * from an idle callback, a rolled-back row is then simply not there). */
typedef void (*store_outbox_notify_fn)(void *data);
void store_outbox_set_notify(struct store *s, store_outbox_notify_fn fn, void *data);
/* On the thread that opened @s: the notify of rows another thread wrote
 * (store_results_commit on the desk's writer). */
void store_outbox_notify_due(struct store *s);
/* Whether the calling thread (the opener's) is inside a store_* call, as
 * from a foreach's callback: it must not wait for the writer then. */
bool store_held(const struct store *s);
struct store_outbox_row {
	int64_t seq;
	const char *kind;
	int64_t at;
	const char *body;
};
/* The oldest unsent row's seq, or the next seq to be written when all are
 * sent (a full scan: once at start). */
int store_outbox_first_unsent(struct store *s, int64_t *ret_seq, GError **error);
/* Calls @fn for at most @limit unsent rows with seq >= @from, in seq order;
 * returns how many.  The row's strings live until @fn returns. */
int store_outbox_unsent(struct store *s, int64_t from, int limit,
			void (*fn)(const struct store_outbox_row *row, void *data), void *data,
			GError **error);
/* Marks the rows @seqs (unsent ones) sent at @at, in one transaction. */
int store_outbox_mark_sent(struct store *s, const int64_t *seqs, guint n, int64_t at,
			   GError **error);
/* The unsent rows with seq >= @from: how many, and the oldest's time (0
 * when none). */
int store_outbox_backlog(struct store *s, int64_t from, int64_t *ret_n, int64_t *ret_oldest_at,
			 GError **error);

/* PRAGMA integrity_check: 0 and "ok", or -EIO and the report. */
int store_integrity_check(struct store *s, char **ret_report, GError **error);
/* The same as a job on a reader (store_job_run). */
void store_integrity_check_async(struct store *s, GAsyncReadyCallback done, gpointer data);
int store_integrity_check_finish(GAsyncResult *result, char **ret_report, GError **error);

/* Online backup to the new file @dest with sqlite3_backup.  On a reader:
 * the database as it was when the backup began, copied STORE_BACKUP_PAGES
 * at a time with the copy flushed and a pause after each batch, so that its
 * write-back never stalls the writer's commits; on the writer, at once. */
#define STORE_BACKUP_PAGES 64
int store_backup(struct store *s, const char *dest, GError **error);
/* Takes the secrets out of the backup @path: users keep their names and
 * roles but no password hash (they get new passwords after a restore), no
 * session survives.  A technician's backup is scrubbed; the admin's is
 * whole. */
int store_backup_scrub(const char *path, GError **error);
/* A backup made as a job on a reader, in a temporary file already removed:
 * the bytes map it until they are freed (after the answer is sent).
 * @scrub: without password hashes, sessions and the visitor register (store_backup_scrub). */
void store_backup_bytes_async(struct store *s, gboolean scrub, GAsyncReadyCallback done,
			      gpointer data);
GBytes *store_backup_bytes_finish(GAsyncResult *result, GError **error);

/* Notices on the info-TV and the kiosk (schema v10): @texts is a JSON
 * object of texts by language code ({"fi": …}); times are unix seconds, the
 * notice is current while start_at <= now < end_at and not withdrawn.  Each
 * change writes its audit line in its own transaction.  Site data: no
 * outbox record. */
struct store_notice {
	int64_t id;
	char *texts;
	int64_t start_at;
	int64_t end_at;
	int64_t created_at;
	char *created_by;
	int64_t updated_at;
	int64_t withdrawn_at; /* 0: not withdrawn */
};
void store_notice_clear(struct store_notice *n);
/* @n->id 0: a new notice (its id set here), else replaces that notice's
 * texts and times (-ENOENT when there is none, or it was withdrawn). */
int store_notice_put(struct store *s, struct store_notice *n, const struct store_audit *audit,
		     GError **error);
/* -ENOENT when there is no such notice or it was withdrawn already. */
int store_notice_withdraw(struct store *s, int64_t id, int64_t at, const struct store_audit *audit,
			  GError **error);
int store_notice_get(struct store *s, int64_t id, struct store_notice *ret, GError **error);
/* Calls @fn for each notice not withdrawn that ends after @after, by start. */
int store_notice_foreach(struct store *s, int64_t after,
			 void (*fn)(const struct store_notice *n, void *data), void *data,
			 GError **error);

/* The reception's visitor register (schema v14).  A visitor's badge number
 * is the smallest one no visitor still in the building holds, chosen in the
 * same transaction as the row.  Each change writes its audit line (the
 * visitor's id and badge; never the name) in that transaction.  Personal:
 * erased after [visitors] retention-days, never an outbox record. */
struct store_visitor {
	int64_t id;
	char *name;
	char *organisation; /* NULL: none given */
	char *host;         /* whom they visit, as shown */
	char *host_user;    /* a user of this site; NULL: @host is free text */
	int badge;
	int64_t in_at;
	int64_t out_at; /* 0: still in */
	char *registered_by;
	char *signed_out_by;
	char *print_error; /* the badge's print failure; NULL: printed (or not tried) */
};
void store_visitor_clear(struct store_visitor *v);
/* Stores @v (its id, badge and in_at set here from @audit->at). */
int store_visitor_add(struct store *s, struct store_visitor *v, const struct store_audit *audit,
		      GError **error);
/* -ENOENT no such visitor, -EALREADY signed out already. */
int store_visitor_out(struct store *s, int64_t id, const struct store_audit *audit, GError **error);
/* -ENOENT no such visitor. */
int store_visitor_delete(struct store *s, int64_t id, const struct store_audit *audit,
			 GError **error);
int store_visitor_get(struct store *s, int64_t id, struct store_visitor *ret, GError **error);
/* What went wrong printing the badge (NULL: printed). */
int store_visitor_set_print_error(struct store *s, int64_t id, const char *what, GError **error);
/* Calls @fn for each visitor in by in time: @in_only those still in the
 * building, else those who came in from @from to before @to. */
int store_visitor_foreach(struct store *s, bool in_only, int64_t from, int64_t to,
			  void (*fn)(const struct store_visitor *v, void *data), void *data,
			  GError **error);
/* Erases the rows of visitors who came and left (or came, when still
 * marked in) before @before; returns how many. */
int store_visitors_prune(struct store *s, int64_t before, GError **error);
/* Opening-hour exceptions imported from iCalendar (schema v12): one row per
 * UID; @date "YYYY-MM-DD" local; @services "tax,kela" or NULL for all;
 * @names a JSON object of the reason by language code.  Site data: no
 * outbox record. */
struct store_hours_exception {
	int64_t id;
	char *uid;
	char *date;
	bool closed;
	int open_min, close_min;
	char *services;
	char *names;
	int64_t imported_at;
	char *imported_by;
};
void store_hours_exception_clear(struct store_hours_exception *e);
/* All of @list (of struct store_hours_exception *) in one transaction with
 * @audit's line: a UID already stored is replaced.  All or none. */
int store_hours_exceptions_import(struct store *s, GPtrArray *list, const struct store_audit *audit,
				  GError **error);
/* -ENOENT when there is no such row. */
int store_hours_exception_delete(struct store *s, int64_t id, const struct store_audit *audit,
				 GError **error);
/* Every row, by date. */
int store_hours_exception_foreach(struct store *s,
				  void (*fn)(const struct store_hours_exception *e, void *data),
				  void *data, GError **error);
/* Staff alarms (schema v15): a button under a counter ("gpio") or a key
 * combination on /advisor ("key"), open until staff acknowledge it.  Each
 * change writes its audit line in its own transaction.  Site data: no outbox
 * record. */
struct store_alarm {
	int64_t id;
	int counter;
	char *source; /* "gpio" or "key" */
	int64_t raised_at;
	char *raised_by;         /* the user, or "button:NAME" */
	int64_t acknowledged_at; /* 0: open */
	char *acknowledged_by;
};
void store_alarm_clear(struct store_alarm *a);
/* Writes @a (its id set here) and @audit's line, the alarm's id in its detail. */
int store_alarm_raise(struct store *s, struct store_alarm *a, const struct store_audit *audit,
		      GError **error);
/* -ENOENT when there is no such alarm or it was acknowledged already. */
int store_alarm_acknowledge(struct store *s, int64_t id, int64_t at, const char *user,
			    const struct store_audit *audit, GError **error);
int store_alarm_get(struct store *s, int64_t id, struct store_alarm *ret, GError **error);
/* Calls @fn for each open alarm and each acknowledged since @since, newest first. */
int store_alarm_foreach(struct store *s, int64_t since,
			void (*fn)(const struct store_alarm *a, void *data), void *data,
			GError **error);
/* How many alarms are open at @counter (0: anywhere); 0 on error. */
int store_alarm_open_count(struct store *s, int counter);

/* Feedback in words (schema v15).  store_feedback_add() that also gives the
 * rating's row id. */
int store_feedback_insert(struct store *s, const struct store_feedback *fb, int64_t *ret_id,
			  GError **error);
/* The comment (may be NULL) and the answer to question @question (NULL:
 * none) beside rating @id, once, and only to a rating given at or after
 * @not_before: -ENOENT otherwise.  Never an outbox record. */
int store_feedback_words(struct store *s, int64_t id, const char *comment, int64_t question,
			 const char *answer, int64_t at, int64_t not_before, GError **error);
/* The question asked after the rating: @texts a JSON object {"fi": …};
 * NULL withdraws the current one.  Audited in the same transaction. */
int store_feedback_question_set(struct store *s, const char *texts, int64_t at, const char *user,
				const struct store_audit *audit, GError **error);
/* The current question's id and texts (caller frees), id 0 and NULL when
 * none is asked. */
int store_feedback_question_get(struct store *s, int64_t *ret_id, char **ret_texts, GError **error);
struct store_feedback_words {
	int64_t id, at, words_at, question;
	int rating;
	const char *service, *comment, *answer, *source;
	int counter;
};
/* Ratings with words given on days @from_day..@to_day-1, newest first. */
int store_feedback_words_foreach(struct store *s, int32_t from_day, int32_t to_day,
				 void (*fn)(const struct store_feedback_words *w, void *data),
				 void *data, GError **error);
/* Is rating @id one given at counter @counter? */
bool store_feedback_at_counter(struct store *s, int64_t id, int counter);
