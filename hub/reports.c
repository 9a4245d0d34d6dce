/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hub_reports: see reports.h.
 */
#include "reports.h"

#include <errno.h>
#include <string.h>

#include "json.h"
#include "report.h"

/* PostgreSQL's type oids (pg_type.h is a server header). */
#define HUB_OID_INT8    20
#define HUB_OID_INT4    23
#define HUB_OID_NUMERIC 1700
/* Reports made at once (each on a thread and a connection of its own). */
#define HUB_REPORTS_AT_ONCE 4

/* A visit of the range and site ($1, $2, $3) with its period ($4: to_char's
 * format): ev says whether it is a service event (report.h), w its waiting
 * time when it was called, sv its service time when it was served. */
#define HUB_VISITS                                                                                 \
	"SELECT to_char(day, $4) AS p, provider, channel, outcome, trial, "                        \
	"coalesce(category, 'uncategorised') AS category, ev, "                                    \
	"CASE WHEN called_at > 0 THEN called_at - issued_at END AS w, "                            \
	"CASE WHEN ev AND started_at > 0 THEN ended_at - started_at END AS sv "                    \
	"FROM (SELECT *, coalesce(outcome, '') NOT IN ('no_show', 'cancelled', 'voided', "         \
	"'reset', 'interrupted') AS ev FROM visits "                                               \
	"WHERE day >= $1::date AND day < $2::date AND ($3 = '' OR site = $3)) v"
/* Feedback with a rating 1..5 of the range and site. */
#define HUB_FEEDBACK                                                                               \
	"SELECT to_char(day, $4) AS p, provider, rating FROM feedback "                            \
	"WHERE rating BETWEEN 1 AND 5 AND day >= $1::date AND day < $2::date "                     \
	"AND ($3 = '' OR site = $3)"
/* Tickets of the range and site that were not voided, with the local hour
 * and ISO weekday (1 Monday) of their issue in the region's time zone ($5,
 * [web] timezone). */
#define HUB_TICKETS                                                                                \
	"SELECT to_char(day, $4) AS p, provider, "                                                 \
	"extract(hour FROM to_timestamp(issued_at) AT TIME ZONE $5)::int AS hr, "                  \
	"extract(isodow FROM to_timestamp(issued_at) AT TIME ZONE $5)::int AS dow "                \
	"FROM tickets t WHERE day >= $1::date AND day < $2::date AND ($3 = '' OR site = $3) "      \
	"AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.site = t.site AND v.epoch = t.epoch "      \
	"AND v.ticket = t.ticket AND v.day = t.day AND v.outcome = 'voided')"
/* Idle time (report.h), per site, counter and service day: open time from
 * the counter.opened/closed records (an open while open and a close while
 * closed ignored, as the site's engine refuses them; one still open ends
 * now), cut at the range's ends, at now and at the service days' starts —
 * midnight in $5 ([web] timezone): the records do not carry a site's daily
 * reset —, less the busy time of the visits at that counter that day
 * (ended_at - called_at, started_at when never called), never below 0; then
 * summed per period ($4) and site, counter 0 = all of a site's counters,
 * site "*" = every site (only without site=). */
#define HUB_IDLE_BOUNDS                                                                            \
	"SELECT extract(epoch FROM $1::date::timestamp AT TIME ZONE $5)::bigint AS lo, "           \
	"least(extract(epoch FROM $2::date::timestamp AT TIME ZONE $5)::bigint, "                  \
	"extract(epoch FROM now())::bigint) AS hi"
#define HUB_IDLE                                                                                   \
	"WITH b AS (" HUB_IDLE_BOUNDS "), "                                                        \
	"ev AS (SELECT site, counter, at, seq, opened, lag(opened) OVER w AS was "                 \
	"FROM counter_events, b WHERE counter > 0 AND ($3 = '' OR site = $3) AND at < b.hi "       \
	"WINDOW w AS (PARTITION BY site, counter ORDER BY at, seq)), "                             \
	"iv AS (SELECT site, counter, s, e FROM (SELECT site, counter, opened, at AS s, "          \
	"lead(at) OVER (PARTITION BY site, counter ORDER BY at, seq) AS e FROM ev "                \
	"WHERE opened IS DISTINCT FROM coalesce(was, false)) k WHERE opened), "                    \
	"cut AS (SELECT site, counter, greatest(s, b.lo) AS s, least(coalesce(e, b.hi), b.hi) AS " \
	"e FROM iv, b), "                                                                          \
	"od AS (SELECT c.site, c.counter, d.day::date AS day, "                                    \
	"sum(least(c.e, extract(epoch FROM (d.day + interval '1 day') AT TIME ZONE $5)::bigint) "  \
	"- greatest(c.s, extract(epoch FROM d.day AT TIME ZONE $5)::bigint))::bigint AS open_s "   \
	"FROM cut c, generate_series((to_timestamp(c.s) AT TIME ZONE $5)::date::timestamp, "       \
	"(to_timestamp(c.e - 1) AT TIME ZONE $5)::date::timestamp, interval '1 day') d(day) "      \
	"WHERE c.e > c.s GROUP BY 1, 2, 3), "                                                      \
	"bd AS (SELECT site, counter, day, sum(ended_at - bg)::bigint AS busy_s FROM "             \
	"(SELECT site, counter, day, ended_at, CASE WHEN called_at > 0 THEN called_at "            \
	"ELSE started_at END AS bg FROM visits WHERE day >= $1::date AND day < $2::date "          \
	"AND ($3 = '' OR site = $3) AND counter > 0) v WHERE bg > 0 AND ended_at > bg "            \
	"GROUP BY 1, 2, 3), "                                                                      \
	"dd AS (SELECT to_char(day, $4) AS p, site, counter, coalesce(open_s, 0) AS o, "           \
	"coalesce(busy_s, 0) AS bz, greatest(coalesce(open_s, 0) - coalesce(busy_s, 0), 0) AS i "  \
	"FROM od FULL JOIN bd USING (site, counter, day)) "                                        \
	"SELECT CASE WHEN grouping(p) = 1 THEN 'total' ELSE p END AS period, "                     \
	"CASE WHEN grouping(site) = 1 THEN '*' ELSE site END AS site, "                            \
	"CASE WHEN grouping(counter) = 1 THEN 0 ELSE counter END AS counter, "                     \
	"sum(o)::bigint AS open_s, sum(bz)::bigint AS busy_s, sum(i)::bigint AS idle_s, "          \
	"round(100.0 * sum(i) / nullif(sum(o), 0), 1) AS idle_pct FROM dd "                        \
	"GROUP BY GROUPING SETS ((p, site, counter), (p, site), (p), (site, counter), (site), "    \
	"()) "                                                                                     \
	"HAVING $3 = '' OR grouping(site) = 0 "                                                    \
	"ORDER BY grouping(p), p, grouping(site), site, grouping(counter), counter"
/* Nearest rank on the sorted values, as report.c: median (n + 1) / 2, p90
 * (9n + 9) / 10 (exact, where percentile_disc multiplies doubles). */
#define HUB_MEDIAN(x)                                                                              \
	"(array_agg(" x " ORDER BY " x ") FILTER (WHERE " x " IS NOT NULL))[(count(" x ") + 1) / " \
	"2]"
#define HUB_P90(x)                                                                                 \
	"(array_agg(" x " ORDER BY " x ") FILTER (WHERE " x " IS NOT NULL))[(9 * count(" x         \
	") + 9) / 10]"

/* A kind: its columns after period and provider, its rows' source (with p
 * and provider), more grouping columns (", category") and the CSV header;
 * or a query of its own (sql). */
static const struct hub_report_kind {
	const char *kind;
	const char *columns;
	const char *source;
	const char *by; /* "" or ", COLUMN" */
	const char *having;
	const char *sql;
} hub_report_kinds[] = {
    {"billing",
     "count(*) FILTER (WHERE ev AND NOT trial) AS events, "
     "count(*) FILTER (WHERE ev AND NOT trial AND channel = 'in_person') AS in_person, "
     "count(*) FILTER (WHERE ev AND NOT trial AND channel = 'remote_video') AS remote_video, "
     "count(*) FILTER (WHERE ev AND NOT trial AND channel = 'e_service') AS e_service, "
     "count(*) FILTER (WHERE ev AND NOT trial AND channel = 'paper_form') AS paper_form, "
     "count(*) FILTER (WHERE ev AND NOT trial AND channel = 'phone') AS phone, "
     "count(*) FILTER (WHERE ev AND NOT trial AND channel = 'provider_on_site') "
     "AS provider_on_site, "
     "count(*) FILTER (WHERE ev AND trial) AS trial_events, "
     "count(*) FILTER (WHERE outcome = 'no_show') AS no_shows, "
     "count(*) FILTER (WHERE outcome = 'cancelled') AS cancelled, "
     "count(*) FILTER (WHERE outcome = 'voided') AS voided, "
     "count(*) FILTER (WHERE outcome = 'reset') AS reset, "
     "count(*) FILTER (WHERE outcome = 'interrupted') AS interrupted",
     HUB_VISITS, "", ""},
    {"times",
     "count(w) AS waited, " HUB_MEDIAN("w") " AS wait_median_s, " HUB_P90(
	 "w") " AS wait_p90_s, "
	      "count(*) FILTER (WHERE w <= $5::int * 60) AS within_target, "
	      "round(1000.0 * count(*) FILTER (WHERE w <= $5::int * 60) / nullif(count(w), 0)) / "
	      "10 "
	      "AS within_target_pct, "
	      "count(sv) AS served, " HUB_MEDIAN("sv") " AS service_median_s, " HUB_P90(
		  "sv") " AS service_p90_s, count(*) FILTER (WHERE outcome = 'no_show') AS "
			"no_shows",
     HUB_VISITS, "", ""},
    {"feedback",
     "count(*) AS count, sum(rating) AS sum, round(avg(rating), 2) AS mean, "
     "count(*) FILTER (WHERE rating = 1) AS r1, count(*) FILTER (WHERE rating = 2) AS r2, "
     "count(*) FILTER (WHERE rating = 3) AS r3, count(*) FILTER (WHERE rating = 4) AS r4, "
     "count(*) FILTER (WHERE rating = 5) AS r5",
     HUB_FEEDBACK, "", ""},
    {"categories", "category, count(*) FILTER (WHERE ev) AS events", HUB_VISITS, ", category",
     " AND count(*) FILTER (WHERE ev) > 0"},
    /* columns: tickets, h00 … h23, mon … sun (hub_report_columns) */
    {"arrivals", NULL, HUB_TICKETS, "", ""},
    /* per site and counter, not per provider */
    {"idle", NULL, NULL, "", "", HUB_IDLE},
};

/* The arrivals' columns, as the site's CSV names them. */
static char *hub_report_columns(const struct hub_report_kind *k)
{
	static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
	GString *s;

	if (k->columns)
		return g_strdup(k->columns);
	s = g_string_new("count(*) AS tickets");
	for (int h = 0; h < 24; h++)
		g_string_append_printf(s, ", count(*) FILTER (WHERE hr = %d) AS h%02d", h, h);
	for (int d = 0; d < 7; d++)
		g_string_append_printf(s, ", count(*) FILTER (WHERE dow = %d) AS %s", d + 1,
				       days[d]);
	return g_string_free(s, FALSE);
}

static const char *const hub_report_periods[][2] = {
    {"day", "YYYY-MM-DD"},
    {"week", "IYYY-\"W\"IW"},
    {"month", "YYYY-MM"},
};

/* The kind's query: rows per (period, provider), per period ("*"), per
 * provider ("total") and the whole; a provider-less row (feedback not tied
 * to a ticket) counts for "*" only. */
static char *hub_report_sql(const struct hub_report_kind *k)
{
	const char *by = k->by[0] ? k->by + 2 : "";
	g_autofree char *columns = NULL;

	if (k->sql)
		return g_strdup(k->sql);
	columns = hub_report_columns(k);
	return g_strdup_printf(
	    "SELECT CASE WHEN grouping(p) = 1 THEN 'total' ELSE p END AS period, "
	    "CASE WHEN grouping(provider) = 1 THEN '*' ELSE provider END AS provider, %s "
	    "FROM (%s) x GROUP BY GROUPING SETS ((p, provider%s), (p%s), (provider%s), (%s)) "
	    "HAVING (grouping(provider) = 1 OR provider IS NOT NULL)%s "
	    "ORDER BY grouping(p), p, grouping(provider) DESC, provider%s",
	    columns, k->source, k->by, k->by, k->by, by, k->having, k->by);
}

/* A result's value as JSON: numbers as numbers, NULL as null. */
static void hub_report_value(JsonBuilder *b, const PGresult *res, int row, int col)
{
	Oid type = PQftype(res, col);
	const char *v = PQgetvalue(res, row, col);

	if (PQgetisnull(res, row, col))
		json_builder_add_null_value(b);
	else if (type == HUB_OID_INT8 || type == HUB_OID_INT4)
		json_builder_add_int_value(b, g_ascii_strtoll(v, NULL, 10));
	else if (type == HUB_OID_NUMERIC)
		json_builder_add_double_value(b, g_ascii_strtod(v, NULL));
	else
		json_builder_add_string_value(b, v);
}

/* A report made on a worker thread, on a connection of its own: the main
 * loop (logins, the other pages) goes on while PostgreSQL adds up a year of
 * visits.  Its transaction has the caller's RLS settings as every request's
 * (hub_pg_scope). */
struct hub_report_job {
	struct hub *hub;
	struct web_exchange *x;
	const struct hub_report_kind *k;
	struct web_caller caller; /* role and provider only */
	char *from, *to, *site, *period, *fmt, *p5;
	gboolean csv;
	/* the answer */
	guint status;
	GBytes *body;
	char *error;
};

static void hub_report_job_free(struct hub_report_job *j)
{
	g_free(j->from);
	g_free(j->to);
	g_free(j->site);
	g_free(j->period);
	g_free(j->fmt);
	g_free(j->p5);
	if (j->body)
		g_bytes_unref(j->body);
	g_free(j->error);
	g_free(j);
}

static GBytes *hub_report_json(const struct hub_report_job *j, const PGresult *res)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) root = NULL;
	gsize len = 0;
	char *text;

	json_builder_begin_object(b);
	web_json_add_str(b, "kind", j->k->kind);
	web_json_add_str(b, "from", j->from);
	web_json_add_str(b, "to", j->to);
	web_json_add_str(b, "period", j->period);
	web_json_add_str(b, "site", j->site[0] ? j->site : NULL);
	json_builder_set_member_name(b, j->k->kind);
	json_builder_begin_array(b);
	for (int i = 0; i < PQntuples(res); i++) {
		json_builder_begin_object(b);
		for (int c = 0; c < PQnfields(res); c++) {
			json_builder_set_member_name(b, PQfname(res, c));
			hub_report_value(b, res, i, c);
		}
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	text = json_to_string(root, FALSE);
	len = strlen(text);
	return g_bytes_new_take(text, len);
}

/* The site's CSV (report.c): a header of the column names, CRLF, text
 * fields quoted and defused, numbers as they are, NULL empty. */
static GBytes *hub_report_csv(const PGresult *res)
{
	GString *s = g_string_new(NULL);

	for (int c = 0; c < PQnfields(res); c++)
		g_string_append_printf(s, "%s%s", c ? "," : "", PQfname(res, c));
	g_string_append(s, "\r\n");
	for (int i = 0; i < PQntuples(res); i++) {
		for (int c = 0; c < PQnfields(res); c++) {
			Oid type = PQftype(res, c);

			if (c)
				g_string_append_c(s, ',');
			if (PQgetisnull(res, i, c))
				continue;
			if (type == HUB_OID_INT8 || type == HUB_OID_INT4 || type == HUB_OID_NUMERIC)
				g_string_append(s, PQgetvalue(res, i, c));
			else
				report_csv_field(s, PQgetvalue(res, i, c));
		}
		g_string_append(s, "\r\n");
	}
	return g_string_free_to_bytes(s);
}

static void hub_report_fail(struct hub_report_job *j, guint status, const char *what, PGconn *conn,
			    const PGresult *res)
{
	const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(conn);

	g_warning("web: report %s: %s: %s", j->k->kind, what, msg);
	j->status = status;
	j->error = g_strdup(status == 503 ? "the hub's database cannot be reached: try again in a "
					    "moment"
					  : "the report failed: see the hub's log");
}

static void hub_report_run(GTask *task, gpointer source, gpointer data, GCancellable *cancel)
{
	struct hub_report_job *j = data;
	const struct hub_config *cfg = j->hub->cfg;
	g_autofree char *sql = hub_report_sql(j->k);
	g_autofree char *timeout =
	    g_strdup_printf("SET statement_timeout = %d", cfg->web_statement_timeout_ms);
	const char *params[5] = {j->from, j->to, j->site, j->fmt, j->p5};
	PGconn *conn = PQconnectdb(cfg->pg_conninfo);
	PGresult *res = NULL;

	if (PQstatus(conn) != CONNECTION_OK) {
		hub_report_fail(j, 503, "connect", conn, NULL);
		goto out;
	}
	PQclear(PQexec(conn, timeout));
	if (hub_pg_scope(conn, &j->caller) < 0) {
		hub_report_fail(j, PQstatus(conn) == CONNECTION_OK ? 500 : 503, "scope", conn,
				NULL);
		goto out;
	}
	res = PQexecParams(conn, sql, j->p5 ? 5 : 4, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		hub_report_fail(j, PQstatus(conn) == CONNECTION_OK ? 500 : 503, "query", conn, res);
		goto out;
	}
	j->status = 200;
	j->body = j->csv ? hub_report_csv(res) : hub_report_json(j, res);
out:
	PQclear(res);
	PQfinish(conn); /* ends the transaction: it only read */
	g_task_return_boolean(task, TRUE);
}

static void hub_report_done(GObject *source, GAsyncResult *result, gpointer data)
{
	struct hub_report_job *j = data;
	struct web_req r = {.app = j->hub, .x = j->x};

	j->hub->reports_running--;
	if (j->status != 200) {
		web_error(&r, j->status, j->status == 503 ? "database" : "internal", "%s",
			  j->error);
	} else if (j->csv) {
		g_autofree char *disposition =
		    g_strdup_printf("attachment; filename=\"vuoro-hub-%s-%s-%s-%s.csv\"",
				    j->k->kind, j->site[0] ? j->site : "all", j->from, j->to);

		web_reply_header(&r, "Content-Disposition", disposition);
		web_reply_bytes(&r, 200, "text/csv; charset=utf-8", j->body);
	} else {
		web_reply_header(&r, "Cache-Control", "no-store");
		web_reply_bytes(&r, 200, "application/json", j->body);
	}
	web_exchange_release(j->x);
	hub_report_job_free(j);
}

/* YYYY-MM-DD, a real day. */
static gboolean hub_report_day(const char *text)
{
	g_autofree char *iso = text ? g_strdup_printf("%sT00:00:00Z", text) : NULL;
	g_autoptr(GDateTime) dt =
	    iso && strlen(text) == 10 ? g_date_time_new_from_iso8601(iso, NULL) : NULL;

	return dt != NULL;
}

static const char *hub_query_arg(struct web_req *r, const char *name)
{
	return r->query ? g_hash_table_lookup(r->query, name) : NULL;
}

static void hub_reports(struct web_req *r)
{
	const char *kind = hub_query_arg(r, "kind");
	const char *from = hub_query_arg(r, "from");
	const char *to = hub_query_arg(r, "to");
	const char *site = hub_query_arg(r, "site");
	const char *period = hub_query_arg(r, "period");
	const char *target = hub_query_arg(r, "target_min");
	const char *format = hub_query_arg(r, "format");
	const struct hub_report_kind *k = NULL;
	struct hub_report_job *job;
	const char *fmt = NULL;
	gint64 target_min = 15;

	for (size_t i = 0; kind && i < G_N_ELEMENTS(hub_report_kinds); i++)
		if (strcmp(kind, hub_report_kinds[i].kind) == 0)
			k = &hub_report_kinds[i];
	if (!k) {
		web_error(r, 400, "invalid",
			  "kind must be billing, times, feedback, categories, arrivals or idle, "
			  "not \"%s\"",
			  kind ? kind : "");
		return;
	}
	/* As on the site, idle time is the whole site's (its counters'), read by
	 * those who read every provider's figures. */
	if (k->sql && r->caller.role == HUB_ROLE_PROVIDER) {
		web_error(r, 403, "forbidden",
			  "idle time is per counter, not per provider: a manager or admin of "
			  "the region reads it");
		return;
	}
	if (!hub_report_day(from) || !hub_report_day(to) || strcmp(from, to) >= 0) {
		web_error(r, 400, "invalid",
			  "give the service days as from=YYYY-MM-DD&to=YYYY-MM-DD (to not "
			  "included, after from)");
		return;
	}
	period = period ? period : "month";
	for (size_t i = 0; i < G_N_ELEMENTS(hub_report_periods); i++)
		if (strcmp(period, hub_report_periods[i][0]) == 0)
			fmt = hub_report_periods[i][1];
	if (!fmt) {
		web_error(r, 400, "invalid", "period must be day, week or month, not \"%s\"",
			  period);
		return;
	}
	if (target && !g_ascii_string_to_signed(target, 10, 1, 600, &target_min, NULL)) {
		web_error(r, 400, "invalid", "target_min must be 1 to 600 minutes, not \"%s\"",
			  target);
		return;
	}
	if (format && strcmp(format, "csv") != 0 && strcmp(format, "json") != 0) {
		web_error(r, 400, "invalid", "format must be csv or json, not \"%s\"", format);
		return;
	}
	for (const char *c = site; c && *c; c++)
		if ((!g_ascii_isalnum(*c) && *c != '-' && *c != '_') || c - site >= 64) {
			web_error(r, 400, "invalid", "site must be a site id like s1, not \"%s\"",
				  site);
			return;
		}
	site = site ? site : "";
	if (hub_of(r)->reports_running >= HUB_REPORTS_AT_ONCE) {
		web_error(r, 503, "busy", "%d reports are being made: try again in a moment",
			  HUB_REPORTS_AT_ONCE);
		return;
	}
	job = g_new0(struct hub_report_job, 1);
	job->hub = hub_of(r);
	job->k = k;
	job->caller.role = r->caller.role;
	g_strlcpy(job->caller.provider, r->caller.provider, sizeof(job->caller.provider));
	job->from = g_strdup(from);
	job->to = g_strdup(to);
	job->site = g_strdup(site);
	job->period = g_strdup(period);
	job->fmt = g_strdup(fmt);
	job->csv = g_strcmp0(format, "csv") == 0;
	/* $5: the times' target, the arrivals' and idle time's time zone. */
	if (strcmp(k->kind, "times") == 0)
		job->p5 = g_strdup_printf("%" G_GINT64_FORMAT, target_min);
	else if (strcmp(k->kind, "arrivals") == 0 || strcmp(k->kind, "idle") == 0)
		job->p5 = g_strdup(hub_of(r)->cfg->web_timezone);
	job->x = web_req_hold(r);
	hub_of(r)->reports_running++;
	{
		g_autoptr(GTask) task = g_task_new(NULL, NULL, hub_report_done, job);

		g_task_set_task_data(task, job, NULL);
		g_task_run_in_thread(task, hub_report_run);
	}
}

static void hub_reports_sites(struct web_req *r)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	PGresult *res = hub_query(r,
				  "SELECT site, extract(epoch FROM last_seen)::bigint FROM sites "
				  "ORDER BY site",
				  0, NULL);

	if (!res)
		return;
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "sites");
	json_builder_begin_array(b);
	for (int i = 0; i < PQntuples(res); i++) {
		json_builder_begin_object(b);
		web_json_add_str(b, "site", PQgetvalue(res, i, 0));
		web_json_add_int(b, "last_seen", g_ascii_strtoll(PQgetvalue(res, i, 1), NULL, 10));
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	PQclear(res);
	web_reply_builder(r, 200, b);
}

#define HUB_REPORT_ROLES (HUB_ROLE_ADMIN | HUB_ROLE_MANAGER | HUB_ROLE_PROVIDER)

const struct web_route hub_reports_routes[] = {
    {"GET", "/api/hub/reports", HUB_REPORT_ROLES, hub_reports, NULL},
    {"GET", "/api/hub/reports/sites", HUB_REPORT_ROLES, hub_reports_sites, NULL},
};
const size_t hub_reports_n_routes = G_N_ELEMENTS(hub_reports_routes);
