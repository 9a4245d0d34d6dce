/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * store_schema: the SQL of every schema version, kept apart from store.c so
 * that the history of the file format reads in one place.
 *
 * Rules: a migration only adds (tables, columns, indexes); version N's SQL
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
};

const char *store_migration_sql(int version)
{
	if (version < 1 || version > STORE_SCHEMA_VERSION)
		return NULL;
	return store_migrations[version];
}
