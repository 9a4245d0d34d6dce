-- SPDX-License-Identifier: GPL-3.0-or-later
-- vuoro-hub's database, version 6: trial visits (issue 17, item 10).
--
-- A site or a service in trial mode (board-config trial = yes) marks its
-- visit records "trial": true.  Such a visit is no billable event: the
-- statement leaves it out of its lines and shows it apart (hub_billing_trial),
-- as the site's own billing report does.  The flag is read from the record
-- itself (raw, validated by record.c as a boolean), so records stored before
-- this version — which had no trial — stay billable.

SELECT set_config('vuoro.scope', 'all', true);

ALTER TABLE visits ADD COLUMN trial boolean
	GENERATED ALWAYS AS (coalesce((raw->>'trial')::boolean, false)) STORED;

-- As in 004-billing.sql, with trial visits left out.
CREATE OR REPLACE FUNCTION hub_billing_open_lines(p date, want text)
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
	  AND hub_billable(v.outcome) AND NOT v.trial
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
		  AND hub_billable(v.outcome) AND NOT v.trial
		  AND hub_billing_period(v.day, v.stored_at) = p
		GROUP BY 1, 2, 3, 4;
	END LOOP;
END $$;

-- The trial visits of month @p for provider @want, stored up to @until (a
-- closed period's close, so its statement never changes; NULL: all).
CREATE FUNCTION hub_billing_trial(p date, want text, until timestamptz)
RETURNS TABLE (site text, service text, channel text, events bigint)
LANGUAGE sql STABLE AS $$
	SELECT v.site, coalesce(v.service, ''), coalesce(v.channel, ''), count(*)
	FROM visits v
	WHERE v.day >= p AND v.day < (p + interval '1 month')::date
	  AND v.provider = want AND v.trial AND hub_billable(v.outcome)
	  AND (until IS NULL OR v.stored_at <= until)
	GROUP BY 1, 2, 3
$$;
