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

/* A visit of the range and site ($1, $2, $3) with its period ($4: to_char's
 * format): ev says whether it is a service event (report.h), w its waiting
 * time when it was called, sv its service time when it was served. */
#define HUB_VISITS                                                                                 \
	"SELECT to_char(day, $4) AS p, provider, channel, outcome, "                               \
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
/* Nearest rank on the sorted values, as report.c: median (n + 1) / 2, p90
 * (9n + 9) / 10 (exact, where percentile_disc multiplies doubles). */
#define HUB_MEDIAN(x)                                                                              \
	"(array_agg(" x " ORDER BY " x ") FILTER (WHERE " x " IS NOT NULL))[(count(" x ") + 1) / " \
	"2]"
#define HUB_P90(x)                                                                                 \
	"(array_agg(" x " ORDER BY " x ") FILTER (WHERE " x " IS NOT NULL))[(9 * count(" x         \
	") + 9) / 10]"

/* A kind: its columns after period and provider, its rows' source (with p
 * and provider), more grouping columns (", category") and the CSV header. */
static const struct hub_report_kind {
	const char *kind;
	const char *columns;
	const char *source;
	const char *by; /* "" or ", COLUMN" */
	const char *having;
} hub_report_kinds[] = {
    {"billing",
     "count(*) FILTER (WHERE ev) AS events, "
     "count(*) FILTER (WHERE ev AND channel = 'in_person') AS in_person, "
     "count(*) FILTER (WHERE ev AND channel = 'remote_video') AS remote_video, "
     "count(*) FILTER (WHERE ev AND channel = 'e_service') AS e_service, "
     "count(*) FILTER (WHERE ev AND channel = 'paper_form') AS paper_form, "
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
};

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

	return g_strdup_printf(
	    "SELECT CASE WHEN grouping(p) = 1 THEN 'total' ELSE p END AS period, "
	    "CASE WHEN grouping(provider) = 1 THEN '*' ELSE provider END AS provider, %s "
	    "FROM (%s) x GROUP BY GROUPING SETS ((p, provider%s), (p%s), (provider%s), (%s)) "
	    "HAVING (grouping(provider) = 1 OR provider IS NOT NULL)%s "
	    "ORDER BY grouping(p), p, grouping(provider) DESC, provider%s",
	    k->columns, k->source, k->by, k->by, k->by, by, k->having, k->by);
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

static void hub_report_json(struct web_req *r, const char *kind, const char *from, const char *to,
			    const char *site, const char *period, const PGresult *res)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	web_json_add_str(b, "kind", kind);
	web_json_add_str(b, "from", from);
	web_json_add_str(b, "to", to);
	web_json_add_str(b, "period", period);
	web_json_add_str(b, "site", site[0] ? site : NULL);
	json_builder_set_member_name(b, kind);
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
	web_reply_header(r, "Cache-Control", "no-store");
	web_reply_builder(r, 200, b);
}

/* The site's CSV (report.c): a header of the column names, CRLF, text
 * fields quoted and defused, numbers as they are, NULL empty. */
static void hub_report_csv(struct web_req *r, const char *kind, const char *from, const char *to,
			   const char *site, const PGresult *res)
{
	GString *s = g_string_new(NULL);
	g_autofree char *disposition =
	    g_strdup_printf("attachment; filename=\"vuoro-hub-%s-%s-%s-%s.csv\"", kind,
			    site[0] ? site : "all", from, to);
	g_autoptr(GBytes) body = NULL;

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
	body = g_string_free_to_bytes(s);
	web_reply_header(r, "Content-Disposition", disposition);
	web_reply_bytes(r, 200, "text/csv; charset=utf-8", body);
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
	const char *fmt = NULL;
	g_autofree char *sql = NULL;
	const char *params[5];
	gint64 target_min = 15;
	PGresult *res;

	for (size_t i = 0; kind && i < G_N_ELEMENTS(hub_report_kinds); i++)
		if (strcmp(kind, hub_report_kinds[i].kind) == 0)
			k = &hub_report_kinds[i];
	if (!k) {
		web_error(r, 400, "invalid",
			  "kind must be billing, times, feedback or categories, not \"%s\"",
			  kind ? kind : "");
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
	{
		g_autofree char *target_text = g_strdup_printf("%" G_GINT64_FORMAT, target_min);

		params[0] = from;
		params[1] = to;
		params[2] = site;
		params[3] = fmt;
		params[4] = target_text;
		sql = hub_report_sql(k);
		/* Only times takes the target ($5). */
		res = hub_query(r, sql, strstr(sql, "$5") ? 5 : 4, params);
	}
	if (!res)
		return;
	if (g_strcmp0(format, "csv") == 0)
		hub_report_csv(r, k->kind, from, to, site, res);
	else
		hub_report_json(r, k->kind, from, to, site, period, res);
	PQclear(res);
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
