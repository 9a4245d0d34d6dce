-- SPDX-License-Identifier: GPL-3.0-or-later
-- vuoro-hub's database, version 4: billing statements (DESIGN.md "Billing").
--
-- A billable event is a finished visit leg (a visits row) whose outcome is
-- none of no_show, cancelled, voided, reset, interrupted: the site's own
-- "service event" (firmware/report/report.h), so the hub's statement and the
-- site's billing report count the same.  A period is a calendar month of the
-- service day (visits.day, already the site's local date).  A visit without
-- a provider bills nobody.
--
-- A closed period (billing_periods) has its lines frozen in billing_lines at
-- the close, with the unit prices of that moment; neither table takes an
-- UPDATE or a DELETE.  A visit stored after its month was closed is billed in
-- the first later month that was still open when it was stored, as an
-- adjustment that names its own month (belongs).  "Stored" is
-- visits.stored_at, the ingest time: clock_timestamp() at the INSERT, taken
-- after the INSERT's lock on ledger and visits.  The close holds ledger in
-- SHARE mode, so a batch is either wholly committed before the close (and in
-- its lines) or stored after it (and late): none falls between.

-- Every row, whatever row-level security says (003-rls.sql).
SELECT set_config('vuoro.scope', 'all', true);

ALTER TABLE visits ADD COLUMN stored_at timestamptz;
UPDATE visits v SET stored_at = l.stored_at
FROM ledger l WHERE l.site = v.site AND l.epoch = v.epoch AND l.seq = v.seq;
ALTER TABLE visits ALTER COLUMN stored_at SET DEFAULT clock_timestamp();
UPDATE visits SET stored_at = clock_timestamp() WHERE stored_at IS NULL;
ALTER TABLE visits ALTER COLUMN stored_at SET NOT NULL;
-- Per month partition: the late visits of a closed month are one range.
CREATE INDEX visits_stored ON visits (stored_at);

CREATE TABLE billing_periods (
	period date PRIMARY KEY CHECK (period = date_trunc('month', period)::date),
	closed_at timestamptz NOT NULL,
	closed_by text NOT NULL
);

-- A closed period's statement lines, every provider's: events of @belongs's
-- month (= period; an earlier month for an adjustment) per site, service and
-- channel, priced at the close.
CREATE TABLE billing_lines (
	period date NOT NULL REFERENCES billing_periods,
	provider text NOT NULL,
	site text NOT NULL,
	service text NOT NULL,
	channel text NOT NULL,
	belongs date NOT NULL,
	events bigint NOT NULL,
	unit_cents bigint NOT NULL,
	amount_cents bigint NOT NULL,
	PRIMARY KEY (period, provider, site, service, channel, belongs)
);

-- A provider-manager's request sees its provider's lines only (003-rls.sql).
SELECT hub_rls('billing_lines');

CREATE FUNCTION hub_billing_frozen() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'a closed billing period never changes (%)', TG_TABLE_NAME
		USING ERRCODE = 'P0001';
END $$;

CREATE TRIGGER billing_periods_frozen BEFORE UPDATE OR DELETE ON billing_periods
	FOR EACH ROW EXECUTE FUNCTION hub_billing_frozen();
CREATE TRIGGER billing_periods_truncate BEFORE TRUNCATE ON billing_periods
	FOR EACH STATEMENT EXECUTE FUNCTION hub_billing_frozen();
CREATE TRIGGER billing_lines_frozen BEFORE UPDATE OR DELETE ON billing_lines
	FOR EACH ROW EXECUTE FUNCTION hub_billing_frozen();
CREATE TRIGGER billing_lines_truncate BEFORE TRUNCATE ON billing_lines
	FOR EACH STATEMENT EXECUTE FUNCTION hub_billing_frozen();

CREATE FUNCTION hub_billable(outcome text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(outcome, '') NOT IN ('no_show', 'cancelled', 'voided', 'reset',
					     'interrupted')
$$;

-- The month a visit of service day @day stored at @stored is billed in: its
-- own, unless that was closed before; then the first later month still open
-- at @stored.
CREATE FUNCTION hub_billing_period(day date, stored timestamptz) RETURNS date
LANGUAGE plpgsql STABLE AS $$
DECLARE
	p date := date_trunc('month', day)::date;
BEGIN
	WHILE EXISTS (SELECT 1 FROM billing_periods b WHERE b.period = p AND b.closed_at < stored)
	LOOP
		p := (p + interval '1 month')::date;
	END LOOP;
	RETURN p;
END $$;

-- The lines of the open month @p as they stand (of @want, or every provider
-- when NULL; row-level security on visits applies: SECURITY INVOKER): its own
-- days' events, and the adjustments billed in it — the visits of a closed
-- earlier month stored after that close and after every close between.  Such
-- a visit was stored after the close of the month before @p, so nothing is
-- looked up unless that month is closed; then one index range per closed
-- month (its partition's visits stored after its close).
CREATE FUNCTION hub_billing_open_lines(p date, want text)
RETURNS TABLE (provider text, site text, service text, channel text, belongs date,
	       events bigint)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	prev timestamptz;
	d record;
BEGIN
	RETURN QUERY
	SELECT v.provider, v.site, coalesce(v.service, ''),
	       coalesce(v.channel, ''), p, count(*)
	FROM visits v
	WHERE v.day >= p AND v.day < (p + interval '1 month')::date
	  AND coalesce(v.provider, '') <> '' AND (want IS NULL OR v.provider = want)
	  AND hub_billable(v.outcome)
	GROUP BY 1, 2, 3, 4;

	SELECT b.closed_at INTO prev FROM billing_periods b
	WHERE b.period = (p - interval '1 month')::date;
	IF prev IS NULL THEN
		RETURN;
	END IF;
	FOR d IN SELECT b.period, b.closed_at FROM billing_periods b WHERE b.period < p
		 ORDER BY b.period
	LOOP
		RETURN QUERY
		SELECT v.provider, v.site, coalesce(v.service, ''),
		       coalesce(v.channel, ''), d.period, count(*)
		FROM visits v
		WHERE v.day >= d.period AND v.day < (d.period + interval '1 month')::date
		  AND v.stored_at > greatest(d.closed_at, prev)
		  AND coalesce(v.provider, '') <> '' AND (want IS NULL OR v.provider = want)
		  AND hub_billable(v.outcome) AND hub_billing_period(v.day, v.stored_at) = p
		GROUP BY 1, 2, 3, 4;
	END LOOP;
END $$;
