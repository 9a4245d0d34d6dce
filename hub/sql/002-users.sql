-- SPDX-License-Identifier: GPL-3.0-or-later
-- vuoro-hub's database, version 2: the hub's own staff and their logins,
-- and who may see which rows (row-level security, hub/hub.h).
--
-- hub_users: a person who logs in to the hub's pages.  role is one of
-- admin, manager (every provider), technician (the fleet), provider-manager
-- (exactly one provider: provider is set for that role and no other).
-- password is libsodium's crypto_pwhash_str (Argon2id).
-- hub_sessions: a login.  The client holds the token; only its SHA-256 is
-- kept.  csrf is the session's CSRF token (random: every hub of the region
-- must answer the same one).

CREATE TABLE hub_users (
	name text PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64),
	role text NOT NULL CHECK (role IN ('admin', 'manager', 'technician', 'provider-manager')),
	provider text CHECK (length(provider) BETWEEN 1 AND 32),
	password text NOT NULL,
	disabled boolean NOT NULL DEFAULT false,
	created timestamptz NOT NULL DEFAULT now(),
	CHECK ((role = 'provider-manager') = (provider IS NOT NULL))
);

CREATE TABLE hub_sessions (
	token_digest text PRIMARY KEY,
	user_name text NOT NULL REFERENCES hub_users (name) ON DELETE CASCADE ON UPDATE CASCADE,
	csrf text NOT NULL,
	created timestamptz NOT NULL DEFAULT now(),
	last_seen timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hub_sessions_user ON hub_sessions (user_name);

-- Row-level security: what a request may see of a row of @provider.  The
-- hub sets, inside each request's transaction (SET LOCAL):
--   vuoro.provider  the provider-manager's provider, '' for anyone else
--   vuoro.scope     'all' (the hub's own staff), 'ingest' (the ingest)
-- Unset or empty: nothing (a forgotten SET shows no row, not every row).
CREATE FUNCTION hub_visible(provider text) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT coalesce(current_setting('vuoro.scope', true), '') IN ('all', 'ingest')
	    OR (provider IS NOT NULL
		AND provider = nullif(current_setting('vuoro.provider', true), ''))
$$;
