-- SPDX-License-Identifier: GPL-3.0-or-later
-- vuoro-hub's database, version 1: the sites' records (DESIGN.md "Records").
--
-- ledger is the de-duplication key of every record ever stored: (site,
-- epoch, seq) from the message id.  It is not partitioned (a partitioned
-- table cannot hold a unique key without its partition column), so a record
-- that arrives twice — redelivered, republished past the stream's duplicate
-- window, taken by two hubs — is stored once.  hub_ingest() runs one batch in
-- the caller's transaction: the ledger first, then only the new records into
-- their tables.  Every record row keeps site, epoch, seq, the record's
-- version (v) and its whole JSON (raw), so a field of a later version is
-- never lost.  Times are unix seconds (bigint) as the site sent them; day is
-- the service day as a date.

CREATE TABLE sites (
	site text PRIMARY KEY,
	first_seen timestamptz NOT NULL DEFAULT now(),
	last_seen timestamptz NOT NULL DEFAULT now(),
	epochs text[] NOT NULL DEFAULT '{}'
);

CREATE TABLE ledger (
	site text NOT NULL,
	epoch text NOT NULL,
	seq bigint NOT NULL,
	kind text NOT NULL,
	stored_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (site, epoch, seq)
);

CREATE TABLE tickets (
	site text NOT NULL, epoch text NOT NULL, seq bigint NOT NULL, v int NOT NULL,
	at bigint NOT NULL,
	ticket bigint, day date, service text, provider text, code text, lang text,
	priority int, appointment boolean, issued_at bigint,
	raw jsonb NOT NULL,
	PRIMARY KEY (site, epoch, seq)
);

-- One partition a month (visits_YYYYMM), made by hub_ingest before it
-- inserts a visit of a month that has none.
CREATE TABLE visits (
	site text NOT NULL, epoch text NOT NULL, seq bigint NOT NULL, v int NOT NULL,
	at bigint NOT NULL,
	day date NOT NULL,
	visit bigint, ticket bigint, service text, provider text, counter int,
	channel text, outcome text, lang text, recalls int, transfers int,
	appointment boolean, issued_at bigint, called_at bigint, started_at bigint,
	ended_at bigint, category text, identity text, identity_verdict text,
	document_type text, session bigint, consent text,
	raw jsonb NOT NULL,
	PRIMARY KEY (site, epoch, seq, day)
) PARTITION BY RANGE (day);

CREATE TABLE sessions (
	site text NOT NULL, epoch text NOT NULL, seq bigint NOT NULL, v int NOT NULL,
	at bigint NOT NULL,
	session bigint, booth int, ticket bigint, day date, service text, provider text,
	reason text, video_codec text, consent text, created_at bigint, ringing_at bigint,
	connecting_at bigint, live_at bigint, ended_at bigint, reconnects int,
	raw jsonb NOT NULL,
	PRIMARY KEY (site, epoch, seq)
);

CREATE TABLE feedback (
	site text NOT NULL, epoch text NOT NULL, seq bigint NOT NULL, v int NOT NULL,
	at bigint NOT NULL,
	tied boolean, ticket bigint, day date, service text, provider text, counter int,
	rating int, source text,
	raw jsonb NOT NULL,
	PRIMARY KEY (site, epoch, seq)
);

-- counter.opened / counter.closed
CREATE TABLE counter_events (
	site text NOT NULL, epoch text NOT NULL, seq bigint NOT NULL, v int NOT NULL,
	at bigint NOT NULL,
	opened boolean NOT NULL, counter int, booth boolean, opened_at bigint,
	raw jsonb NOT NULL,
	PRIMARY KEY (site, epoch, seq)
);

-- fault.raised / fault.cleared
CREATE TABLE faults (
	site text NOT NULL, epoch text NOT NULL, seq bigint NOT NULL, v int NOT NULL,
	at bigint NOT NULL,
	raised boolean NOT NULL, device text, fault text,
	raw jsonb NOT NULL,
	PRIMARY KEY (site, epoch, seq)
);

-- day.summary: a row per line of its "visits" (line 0 and NULL service,
-- provider … for a day without visits), the day's totals on every row:
-- provider is a column, as on visits, so row-level security can key on it.
CREATE TABLE day_summaries (
	site text NOT NULL, epoch text NOT NULL, seq bigint NOT NULL, v int NOT NULL,
	at bigint NOT NULL,
	line int NOT NULL,
	day date, tickets bigint, feedback bigint, feedback_sum bigint,
	service text, provider text, channel text, outcome text, n bigint,
	wait_s bigint, service_s bigint,
	raw jsonb NOT NULL,
	PRIMARY KEY (site, epoch, seq, line)
);

-- A message the hub could not read: acked, kept here with the reason, never
-- blocking the stream.  body is bytes (it may not even be UTF-8).
CREATE TABLE rejects (
	id bigserial PRIMARY KEY,
	received_at timestamptz NOT NULL DEFAULT now(),
	subject text NOT NULL,
	msg_id text,
	reason text NOT NULL,
	body bytea NOT NULL
);

CREATE INDEX visits_provider_day ON visits (provider, day);
CREATE INDEX tickets_provider_day ON tickets (provider, day);

-- visits_YYYYMM for @day's month, if missing.  Two hubs may both find it
-- missing: the advisory lock (held to COMMIT) makes the second wait and
-- find it made.
CREATE FUNCTION hub_visits_partition(day date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	first date := date_trunc('month', day)::date;
	name text := 'visits_' || to_char(day, 'YYYYMM');
BEGIN
	IF to_regclass(name) IS NOT NULL THEN
		RETURN;
	END IF;
	PERFORM pg_advisory_xact_lock(hashtext('vuoro-hub visits partition'));
	IF to_regclass(name) IS NOT NULL THEN
		RETURN;
	END IF;
	EXECUTE format('CREATE TABLE %I PARTITION OF visits FOR VALUES FROM (%L) TO (%L)',
		       name, first, (first + interval '1 month')::date);
END $$;

-- The service day (local days since 1970-01-01) as a date.
CREATE FUNCTION hub_day(r jsonb) RETURNS date
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN r ? 'day' THEN date '1970-01-01' + (r->>'day')::int END
$$;

-- One batch, in the caller's transaction: @batch is a JSON array of
-- {"site", "epoch", "seq", "kind", "r": the record}, already checked by the
-- hub (types of the fields it reads).  Rows are locked in key order, so two
-- hubs ingesting overlapping batches cannot deadlock.  Returns how many
-- records were new.
CREATE FUNCTION hub_ingest(batch jsonb) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	d date;
	n bigint;
BEGIN
	FOR d IN SELECT DISTINCT date_trunc('month', hub_day(e->'r'))::date
		 FROM jsonb_array_elements(batch) e WHERE e->>'kind' = 'visit'
	LOOP
		PERFORM hub_visits_partition(d);
	END LOOP;

	INSERT INTO sites AS s (site, epochs)
	SELECT site, array_agg(DISTINCT epoch)
	FROM jsonb_to_recordset(batch) AS x(site text, epoch text)
	GROUP BY site ORDER BY site
	ON CONFLICT (site) DO UPDATE SET last_seen = now(),
		epochs = ARRAY(SELECT DISTINCT unnest(s.epochs || EXCLUDED.epochs) ORDER BY 1);

	WITH b AS (
		SELECT DISTINCT ON (site, epoch, seq) site, epoch, seq, kind, r,
		       (r->>'v')::int AS v, (r->>'at')::bigint AS at
		FROM jsonb_to_recordset(batch) AS x(site text, epoch text, seq bigint, kind text, r jsonb)
		ORDER BY site, epoch, seq
	), n AS (
		INSERT INTO ledger (site, epoch, seq, kind)
		SELECT site, epoch, seq, kind FROM b ORDER BY site, epoch, seq
		ON CONFLICT DO NOTHING
		RETURNING site, epoch, seq
	), nb AS (
		SELECT b.* FROM b JOIN n USING (site, epoch, seq)
	), t AS (
		INSERT INTO tickets
		SELECT site, epoch, seq, v, at, (r->>'ticket')::bigint, hub_day(r),
		       r->>'service', r->>'provider', r->>'code', r->>'lang',
		       (r->>'priority')::int, (r->>'appointment')::boolean,
		       (r->>'issued_at')::bigint, r
		FROM nb WHERE kind = 'ticket.issued'
	), vi AS (
		INSERT INTO visits
		SELECT site, epoch, seq, v, at, hub_day(r),
		       (r->>'visit')::bigint, (r->>'ticket')::bigint, r->>'service',
		       r->>'provider', (r->>'counter')::int, r->>'channel', r->>'outcome',
		       r->>'lang', (r->>'recalls')::int, (r->>'transfers')::int,
		       (r->>'appointment')::boolean, (r->>'issued_at')::bigint,
		       (r->>'called_at')::bigint, (r->>'started_at')::bigint,
		       (r->>'ended_at')::bigint, r->>'category', r->>'identity',
		       r->>'identity_verdict', r->>'document_type', (r->>'session')::bigint,
		       r->>'consent', r
		FROM nb WHERE kind = 'visit'
	), se AS (
		INSERT INTO sessions
		SELECT site, epoch, seq, v, at, (r->>'session')::bigint, (r->>'booth')::int,
		       (r->>'ticket')::bigint, hub_day(r), r->>'service', r->>'provider',
		       r->>'reason', r->>'video_codec', r->>'consent',
		       (r->>'created_at')::bigint, (r->>'ringing_at')::bigint,
		       (r->>'connecting_at')::bigint, (r->>'live_at')::bigint,
		       (r->>'ended_at')::bigint, (r->>'reconnects')::int, r
		FROM nb WHERE kind = 'session.ended'
	), fb AS (
		INSERT INTO feedback
		SELECT site, epoch, seq, v, at, (r->>'tied')::boolean, (r->>'ticket')::bigint,
		       hub_day(r), r->>'service', r->>'provider', (r->>'counter')::int,
		       (r->>'rating')::int, r->>'source', r
		FROM nb WHERE kind = 'feedback'
	), ce AS (
		INSERT INTO counter_events
		SELECT site, epoch, seq, v, at, kind = 'counter.opened', (r->>'counter')::int,
		       (r->>'booth')::boolean, (r->>'opened_at')::bigint, r
		FROM nb WHERE kind IN ('counter.opened', 'counter.closed')
	), fa AS (
		INSERT INTO faults
		SELECT site, epoch, seq, v, at, kind = 'fault.raised', r->>'device', r->>'fault', r
		FROM nb WHERE kind IN ('fault.raised', 'fault.cleared')
	), ds AS (
		INSERT INTO day_summaries
		SELECT site, epoch, seq, v, at, coalesce(l.i, 1) - 1, hub_day(r),
		       (r->>'tickets')::bigint, (r->>'feedback')::bigint,
		       (r->>'feedback_sum')::bigint, l.x->>'service', l.x->>'provider',
		       l.x->>'channel', l.x->>'outcome', (l.x->>'n')::bigint,
		       (l.x->>'wait_s')::bigint, (l.x->>'service_s')::bigint, r
		FROM nb LEFT JOIN LATERAL jsonb_array_elements(
			CASE WHEN jsonb_typeof(r->'visits') = 'array' THEN r->'visits' ELSE '[]' END)
			WITH ORDINALITY AS l(x, i) ON true
		WHERE kind = 'day.summary'
	)
	SELECT count(*) INTO n FROM nb;
	RETURN n;
END $$;
