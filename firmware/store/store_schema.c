/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * store_schema: the SQL of every schema version, kept apart from store.c so
 * that the history of the file format reads in one place.
 *
 * Rules: a migration only adds (tables, columns, indexes; it may drop an
 * index that one it adds makes redundant); version N's SQL
 * turns a version N-1 database into version N and is never edited once
 * released.  Rows name services, providers and counters by their codes, not
 * by config indexes, so that a changed board-config never reinterprets old
 * rows.  Times are unix seconds; day is the service day (local days since
 * 1970-01-01, shifted by the daily reset).
 */
#include "store.h"

static const char *const store_migrations[STORE_SCHEMA_VERSION + 1] = {
    [0] = NULL,
    [1] = "CREATE TABLE providers ("
	  "  code TEXT PRIMARY KEY,"
	  "  name_fi TEXT, name_sv TEXT, name_en TEXT);"
	  "CREATE TABLE services ("
	  "  code TEXT PRIMARY KEY,"
	  "  provider TEXT NOT NULL,"
	  "  prefix TEXT NOT NULL,"
	  "  kind TEXT NOT NULL,"
	  "  name_fi TEXT, name_sv TEXT, name_en TEXT);"
	  "CREATE TABLE counters ("
	  "  id INTEGER PRIMARY KEY,"
	  "  name TEXT,"
	  "  expert INTEGER NOT NULL DEFAULT 0,"
	  "  open INTEGER NOT NULL DEFAULT 0,"
	  "  user TEXT,"
	  "  profile TEXT,"
	  "  ticket INTEGER NOT NULL DEFAULT 0,"
	  "  opened_at INTEGER NOT NULL DEFAULT 0,"
	  "  idle_since INTEGER NOT NULL DEFAULT 0);"
	  "CREATE TABLE tickets ("
	  "  id INTEGER PRIMARY KEY,"
	  "  day INTEGER NOT NULL,"
	  "  service TEXT NOT NULL,"
	  "  origin TEXT NOT NULL,"
	  "  number INTEGER NOT NULL,"
	  "  code TEXT NOT NULL,"
	  "  ref TEXT NOT NULL UNIQUE,"
	  "  state TEXT NOT NULL,"
	  "  lang TEXT NOT NULL,"
	  "  priority INTEGER NOT NULL DEFAULT 0,"
	  "  front INTEGER NOT NULL DEFAULT 0,"
	  "  counter INTEGER NOT NULL DEFAULT 0,"
	  "  target_counter INTEGER NOT NULL DEFAULT 0,"
	  "  recalls INTEGER NOT NULL DEFAULT 0,"
	  "  no_shows INTEGER NOT NULL DEFAULT 0,"
	  "  transfers INTEGER NOT NULL DEFAULT 0,"
	  "  appointment INTEGER NOT NULL DEFAULT 0,"
	  "  booked_at INTEGER NOT NULL DEFAULT 0,"
	  "  issued_at INTEGER NOT NULL,"
	  "  queued_at INTEGER NOT NULL,"
	  "  called_at INTEGER NOT NULL DEFAULT 0,"
	  "  started_at INTEGER NOT NULL DEFAULT 0,"
	  "  ended_at INTEGER NOT NULL DEFAULT 0,"
	  "  channel TEXT,"
	  "  outcome TEXT,"
	  "  UNIQUE (day, origin, number));"
	  "CREATE TABLE visits ("
	  "  id INTEGER PRIMARY KEY,"
	  "  ticket INTEGER NOT NULL,"
	  "  day INTEGER NOT NULL,"
	  "  service TEXT NOT NULL,"
	  "  provider TEXT NOT NULL,"
	  "  code TEXT NOT NULL,"
	  "  counter INTEGER NOT NULL DEFAULT 0,"
	  "  user TEXT,"
	  "  channel TEXT NOT NULL,"
	  "  outcome TEXT NOT NULL,"
	  "  lang TEXT NOT NULL,"
	  "  recalls INTEGER NOT NULL DEFAULT 0,"
	  "  transfers INTEGER NOT NULL DEFAULT 0,"
	  "  appointment INTEGER NOT NULL DEFAULT 0,"
	  "  issued_at INTEGER NOT NULL,"
	  "  called_at INTEGER NOT NULL DEFAULT 0,"
	  "  started_at INTEGER NOT NULL DEFAULT 0,"
	  "  ended_at INTEGER NOT NULL);"
	  "CREATE TABLE audit ("
	  "  id INTEGER PRIMARY KEY,"
	  "  at INTEGER NOT NULL,"
	  "  user TEXT,"
	  "  command TEXT NOT NULL,"
	  "  detail TEXT);"
	  "CREATE TABLE users ("
	  "  name TEXT PRIMARY KEY,"
	  "  role TEXT NOT NULL,"
	  "  hash TEXT NOT NULL,"
	  "  created_at INTEGER NOT NULL);"
	  "CREATE TABLE tokens ("
	  "  hash TEXT PRIMARY KEY,"
	  "  user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,"
	  "  expires_at INTEGER NOT NULL);",
    [2] = "CREATE TABLE appointments ("
	  "  id INTEGER PRIMARY KEY,"
	  "  code TEXT NOT NULL UNIQUE,"
	  "  service TEXT NOT NULL,"
	  "  at INTEGER NOT NULL,"
	  "  duration_min INTEGER NOT NULL DEFAULT 30,"
	  "  staff TEXT,"
	  "  name TEXT,"
	  "  source TEXT NOT NULL,"
	  "  state TEXT NOT NULL DEFAULT 'booked',"
	  "  ticket INTEGER NOT NULL DEFAULT 0);"
	  "CREATE INDEX appointments_at ON appointments (at);"
	  "CREATE INDEX tickets_active ON tickets (state) "
	  "  WHERE state NOT IN ('done', 'no_show', 'cancelled', 'voided');"
	  "CREATE INDEX visits_day ON visits (day);",
    /* v3: a print that failed is recorded with its ticket. */
    [3] = "ALTER TABLE tickets ADD COLUMN print_error TEXT;"
	  "ALTER TABLE tickets ADD COLUMN print_failed_at INTEGER NOT NULL DEFAULT 0;",
    /* v4: remote-service sessions, identity checks, feedback; an expert
     * serves for one provider; a visit carries its identity method, the
     * category of its matter, its video session and the recording consent. */
    [4] = "ALTER TABLE users ADD COLUMN provider TEXT;"
	  "CREATE TABLE sessions ("
	  "  id INTEGER PRIMARY KEY,"
	  "  booth INTEGER NOT NULL,"
	  "  ticket INTEGER NOT NULL,"
	  "  day INTEGER NOT NULL,"
	  "  code TEXT NOT NULL,"
	  "  service TEXT NOT NULL,"
	  "  provider TEXT NOT NULL,"
	  "  expert TEXT NOT NULL,"
	  "  state TEXT NOT NULL,"
	  "  end_reason TEXT,"
	  "  error TEXT,"
	  "  video_codec TEXT NOT NULL,"
	  "  created_at INTEGER NOT NULL,"
	  "  ringing_at INTEGER NOT NULL DEFAULT 0,"
	  "  connecting_at INTEGER NOT NULL DEFAULT 0,"
	  "  live_at INTEGER NOT NULL DEFAULT 0,"
	  "  ended_at INTEGER NOT NULL DEFAULT 0,"
	  "  reconnects INTEGER NOT NULL DEFAULT 0,"
	  "  consent TEXT NOT NULL DEFAULT 'not_asked',"
	  "  consent_at INTEGER NOT NULL DEFAULT 0,"
	  "  recording TEXT,"
	  "  recording_deleted_at INTEGER NOT NULL DEFAULT 0);"
	  "CREATE INDEX sessions_ticket ON sessions (ticket);"
	  "CREATE INDEX sessions_day ON sessions (day);"
	  "CREATE TABLE session_events ("
	  "  id INTEGER PRIMARY KEY,"
	  "  session INTEGER NOT NULL,"
	  "  at INTEGER NOT NULL,"
	  "  event TEXT NOT NULL,"
	  "  detail TEXT);"
	  "CREATE INDEX session_events_session ON session_events (session);"
	  "CREATE TABLE identity_checks ("
	  "  id INTEGER PRIMARY KEY,"
	  "  ticket INTEGER NOT NULL,"
	  "  day INTEGER NOT NULL,"
	  "  counter INTEGER NOT NULL DEFAULT 0,"
	  "  session INTEGER NOT NULL DEFAULT 0,"
	  "  method TEXT NOT NULL,"
	  "  result TEXT NOT NULL,"
	  "  detail TEXT,"
	  "  document_type TEXT,"
	  "  cert_issuer TEXT,"
	  "  cert_serial TEXT,"
	  "  id_hmac TEXT,"
	  "  user TEXT,"
	  "  at INTEGER NOT NULL,"
	  "  pruned_at INTEGER NOT NULL DEFAULT 0);"
	  "CREATE INDEX identity_checks_ticket ON identity_checks (ticket);"
	  "CREATE TABLE feedback ("
	  "  id INTEGER PRIMARY KEY,"
	  "  ticket INTEGER NOT NULL DEFAULT 0,"
	  "  day INTEGER NOT NULL,"
	  "  service TEXT,"
	  "  provider TEXT,"
	  "  counter INTEGER NOT NULL DEFAULT 0,"
	  "  rating INTEGER NOT NULL,"
	  "  source TEXT NOT NULL,"
	  "  at INTEGER NOT NULL);"
	  "CREATE INDEX feedback_day ON feedback (day);"
	  "ALTER TABLE visits ADD COLUMN identity TEXT;"
	  "ALTER TABLE visits ADD COLUMN category TEXT;"
	  "ALTER TABLE visits ADD COLUMN session INTEGER NOT NULL DEFAULT 0;"
	  "ALTER TABLE visits ADD COLUMN recording_consent TEXT;"
	  "ALTER TABLE visits ADD COLUMN pruned_at INTEGER NOT NULL DEFAULT 0;",
    /* v5: a visit carries the method of its last identity check that passed;
     * the reports' idle time reads counters' open/close from the audit. */
    [5] = "CREATE TRIGGER visits_identity AFTER INSERT ON visits BEGIN "
	  "  UPDATE visits SET identity = (SELECT method FROM identity_checks "
	  "    WHERE ticket = NEW.ticket AND (result = 'verified' OR method = 'document') "
	  "    ORDER BY id DESC LIMIT 1) WHERE id = NEW.id; "
	  "END;"
	  "CREATE INDEX audit_counter_at ON audit (at) WHERE command IN ('open', 'close');",
    /* v6: the core writes a visit's identity (method of a check that passed,
     * the verdict it keeps, the document type) with the command that ends
     * the visit; the trigger only fills in what the core did not know (a
     * check made before a restart). */
    [6] = "ALTER TABLE visits ADD COLUMN identity_verdict TEXT;"
	  "ALTER TABLE visits ADD COLUMN document_type TEXT;"
	  "DROP TRIGGER visits_identity;"
	  "CREATE TRIGGER visits_identity AFTER INSERT ON visits WHEN NEW.identity IS NULL BEGIN "
	  "  UPDATE visits SET identity = (SELECT method FROM identity_checks "
	  "    WHERE ticket = NEW.ticket AND (result = 'verified' OR method = 'document') "
	  "    ORDER BY id DESC LIMIT 1) WHERE id = NEW.id; "
	  "END;",
    /* v7: a credential per device (a kiosk, a booth's screen): the SHA-256 of
     * its token, found by the digest's first 16 hex digits and compared whole
     * in constant time; a one-time pairing code, hashed; users can be
     * disabled. */
    [7] = "CREATE TABLE devices ("
	  "  name TEXT PRIMARY KEY,"
	  "  role TEXT NOT NULL,"
	  "  booth INTEGER NOT NULL DEFAULT 0,"
	  "  token_id TEXT NOT NULL UNIQUE,"
	  "  token_hash TEXT NOT NULL,"
	  "  pair_hash TEXT,"
	  "  pair_expires INTEGER NOT NULL DEFAULT 0,"
	  "  created_at INTEGER NOT NULL,"
	  "  paired_at INTEGER NOT NULL DEFAULT 0);"
	  "ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;",
    /* v8: the transactional outbox (issue 15): a record for the hub per
     * change, written in the change's own transaction when the site has an
     * [uplink]; id is the record's seq (never reused: the prune keeps the
     * newest row), sent_at set by the uplink after the stream's
     * acknowledgement (unsent rows are read by id from the last one sent:
     * no index to keep on the path).  meta keeps the database's
     * epoch and the identity of the file it was made for (store.h). */
    [8] = "CREATE TABLE outbox ("
	  "  id INTEGER PRIMARY KEY,"
	  "  kind TEXT NOT NULL,"
	  "  at INTEGER NOT NULL,"
	  "  body TEXT NOT NULL,"
	  "  sent_at INTEGER NOT NULL DEFAULT 0);"
	  "CREATE TABLE meta ("
	  "  key TEXT PRIMARY KEY,"
	  "  value TEXT NOT NULL);",
    /* v9: an appointment may book a remote-service booth (issue 16): the
     * counter's id, 0 none; a booth's bookings are found by time. */
    [9] = "ALTER TABLE appointments ADD COLUMN booth INTEGER NOT NULL DEFAULT 0;"
	  "CREATE INDEX appointments_booth ON appointments (booth, at) WHERE booth != 0;",
    /* v10: notices on the info-TV and the kiosk (issue 17): a text per site
     * language (a JSON object {"fi": …}, the main language's required),
     * shown from start_at until end_at; withdrawn_at 0 while not withdrawn.
     * Site data only: never an outbox record. */
    [10] = "CREATE TABLE notices ("
	   "  id INTEGER PRIMARY KEY,"
	   "  texts TEXT NOT NULL,"
	   "  start_at INTEGER NOT NULL,"
	   "  end_at INTEGER NOT NULL,"
	   "  created_at INTEGER NOT NULL,"
	   "  created_by TEXT,"
	   "  updated_at INTEGER NOT NULL DEFAULT 0,"
	   "  withdrawn_at INTEGER NOT NULL DEFAULT 0);"
	   "CREATE INDEX notices_end ON notices (end_at) WHERE withdrawn_at = 0;",
    /* v11: a booked visitor's host is told (issue 17): the appointment's
     * host e-mail address (staff stays the host's user name), when the host
     * acknowledged ("on my way"); mail_queue is the durable outbox of
     * e-mail to hosts, sent by notify.c with retries (next_at) until
     * sent_at is set.  Personal data of the site: never an outbox record. */
    [11] = "ALTER TABLE appointments ADD COLUMN host_email TEXT;"
	   "ALTER TABLE appointments ADD COLUMN host_ack_at INTEGER NOT NULL DEFAULT 0;"
	   "CREATE TABLE mail_queue ("
	   "  id INTEGER PRIMARY KEY,"
	   "  recipient TEXT NOT NULL,"
	   "  subject TEXT NOT NULL,"
	   "  body TEXT NOT NULL,"
	   "  created_at INTEGER NOT NULL,"
	   "  attempts INTEGER NOT NULL DEFAULT 0,"
	   "  next_at INTEGER NOT NULL,"
	   "  last_error TEXT,"
	   "  sent_at INTEGER NOT NULL DEFAULT 0);"
	   "CREATE INDEX mail_queue_unsent ON mail_queue (next_at) WHERE sent_at = 0;",
    /* v12: opening-hour exceptions imported from an iCalendar file (issue
     * 17): one row per event UID (a new import of the same UID replaces
     * it); date is the local "YYYY-MM-DD"; closed 1, or open_min..close_min;
     * services "tax,kela" or NULL for all; names a JSON object of the reason
     * by language code.  Board-config's own exceptions are not stored. */
    [12] = "CREATE TABLE hours_exceptions ("
	   "  id INTEGER PRIMARY KEY,"
	   "  uid TEXT NOT NULL UNIQUE,"
	   "  date TEXT NOT NULL,"
	   "  closed INTEGER NOT NULL,"
	   "  open_min INTEGER NOT NULL DEFAULT 0,"
	   "  close_min INTEGER NOT NULL DEFAULT 0,"
	   "  services TEXT,"
	   "  names TEXT NOT NULL,"
	   "  imported_at INTEGER NOT NULL,"
	   "  imported_by TEXT);"
	   "CREATE INDEX hours_exceptions_date ON hours_exceptions (date);",
    /* v13: visits recorded without a ticket (ticket 0, manual 1: a phone
     * call, a citizen who walked straight up, the provider's own staff);
     * a visit of a service on trial (trial 1: not billed); the note a
     * transfer carries to the next server (personal text: erased by the
     * retention prune, never in an outbox record).  A transfer's note is
     * found by its ticket. */
    [13] = "ALTER TABLE visits ADD COLUMN manual INTEGER NOT NULL DEFAULT 0;"
	   "ALTER TABLE visits ADD COLUMN trial INTEGER NOT NULL DEFAULT 0;"
	   "ALTER TABLE visits ADD COLUMN transfer_note TEXT;"
	   "CREATE INDEX visits_transferred ON visits (ticket) WHERE outcome = 'transferred';",
    /* v14: the reception's visitor register (issue 17): who came in, whom
     * they visit (host_user: a user of this site, else NULL and host is
     * free text), the badge number (unique among those still in: out_at 0),
     * in and out times and who registered them.  Personal: erased after
     * [visitors] retention-days; never an outbox record. */
    [14] = "CREATE TABLE visitors ("
	   "  id INTEGER PRIMARY KEY,"
	   "  name TEXT NOT NULL,"
	   "  organisation TEXT,"
	   "  host TEXT NOT NULL,"
	   "  host_user TEXT,"
	   "  badge INTEGER NOT NULL,"
	   "  in_at INTEGER NOT NULL,"
	   "  out_at INTEGER NOT NULL DEFAULT 0,"
	   "  registered_by TEXT,"
	   "  signed_out_by TEXT,"
	   "  print_error TEXT);"
	   "CREATE UNIQUE INDEX visitors_badge_in ON visitors (badge) WHERE out_at = 0;"
	   "CREATE INDEX visitors_in ON visitors (in_at);",
    /* v15: staff alarms (issue 17): a button under the counter (source
     * "gpio") or a key combination on /advisor ("key"); acknowledged_at 0
     * while open.  Feedback in words: a comment and the answer to the
     * manager's question beside the rating (the comment is personal text:
     * retention clears it, it never goes to the outbox); the question is one
     * text per language (JSON {"fi": …}), the newest not withdrawn is asked. */
    [15] = "CREATE TABLE alarms ("
	   "  id INTEGER PRIMARY KEY,"
	   "  counter INTEGER NOT NULL,"
	   "  source TEXT NOT NULL,"
	   "  raised_at INTEGER NOT NULL,"
	   "  raised_by TEXT,"
	   "  acknowledged_at INTEGER NOT NULL DEFAULT 0,"
	   "  acknowledged_by TEXT);"
	   "CREATE INDEX alarms_open ON alarms (counter) WHERE acknowledged_at = 0;"
	   "CREATE TABLE feedback_questions ("
	   "  id INTEGER PRIMARY KEY,"
	   "  texts TEXT NOT NULL,"
	   "  created_at INTEGER NOT NULL,"
	   "  created_by TEXT,"
	   "  withdrawn_at INTEGER NOT NULL DEFAULT 0);"
	   "ALTER TABLE feedback ADD COLUMN comment TEXT;"
	   "ALTER TABLE feedback ADD COLUMN question INTEGER NOT NULL DEFAULT 0;"
	   "ALTER TABLE feedback ADD COLUMN answer TEXT;"
	   "ALTER TABLE feedback ADD COLUMN words_at INTEGER NOT NULL DEFAULT 0;",
    /* v16: the reports read covering indexes (issue 22), each in key order
     * so that rows of one provider, outcome and channel (one service) come
     * together: the visits by day (visits_day, its prefix, goes), the
     * tickets by day and those voided apart (a partial index: the state
     * that changes with every call is in no index's key, so a call or an
     * end writes no index page more; a voided ticket is subtracted), the
     * counters' open
     * and close rows of the audit log in id order (audit_counter_at, by
     * time, was never used: the open/close pairing reads them in id order),
     * the feedback by day (feedback_day goes).  Ticket issue writes one
     * index page more (tickets_arrivals); tests/unit/test-report.c checks
     * the reports' query plans. */
    [16] = "CREATE INDEX visits_report ON visits (day, provider, outcome, channel, trial, "
	   "  category, issued_at, called_at, started_at, ended_at, counter);"
	   "DROP INDEX visits_day;"
	   "CREATE INDEX tickets_arrivals ON tickets (day, service, issued_at);"
	   "CREATE INDEX tickets_voided ON tickets (day, service, issued_at, state) "
	   "  WHERE state = 'voided';"
	   "CREATE INDEX audit_open_close ON audit (id, at, command, user, detail) "
	   "  WHERE command IN ('open', 'close');"
	   "DROP INDEX audit_counter_at;"
	   "CREATE INDEX feedback_report ON feedback (day, ticket, provider, rating);"
	   "DROP INDEX feedback_day;",
};

const char *store_migration_sql(int version)
{
	if (version < 1 || version > STORE_SCHEMA_VERSION)
		return NULL;
	return store_migrations[version];
}
