-- SPDX-License-Identifier: GPL-3.0-or-later
-- vuoro-hub's database, version 3: row-level security on the tables that
-- hold a provider's figures (hub/hub.h).  Each request of the hub's web runs
-- in a transaction that sets vuoro.provider and vuoro.scope (SET LOCAL);
-- the ingest's connection sets vuoro.scope = 'ingest'.  FORCE: the hub's
-- own database role owns these tables, and RLS applies to it as well.
-- (A superuser or a BYPASSRLS role sees everything: the hub must not run as
-- one.)  A table added later with a provider column gets the same two
-- statements and the policy (hub_rls below).

CREATE FUNCTION hub_rls(t regclass) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);
	EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', t);
	EXECUTE format('CREATE POLICY hub_provider ON %s USING (hub_visible(provider)) '
		       'WITH CHECK (hub_visible(provider))', t);
END $$;

SELECT hub_rls(t) FROM unnest(ARRAY['visits', 'tickets', 'sessions', 'feedback',
				    'day_summaries']::regclass[]) t;
-- The visits' monthly partitions too (read through visits, RLS is visits';
-- read directly, a partition's own).
SELECT hub_rls(c.oid) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'visits'::regclass;

CREATE OR REPLACE FUNCTION hub_visits_partition(day date) RETURNS void
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
	PERFORM hub_rls(name::regclass);
END $$;
