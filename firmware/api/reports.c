/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api/reports: the manager's figures, and the database's check and backup.
 */
#include "api_internal.h"

#include <errno.h>
#include <string.h>
#include "report.h"
#include "store.h"

int api_parse_day(const char *text, int32_t *ret)
{
	g_autoptr(GDateTime) dt = NULL;
	g_autofree char *iso = NULL;

	if (!text)
		return -EINVAL;
	iso = g_strdup_printf("%sT00:00:00Z", text);
	dt = g_date_time_new_from_iso8601(iso, NULL);
	if (!dt)
		return -EINVAL;
	*ret = (int32_t)(g_date_time_to_unix(dt) / 86400);
	return 0;
}

GTimeZone *api_timezone(const struct config *cfg)
{
	GTimeZone *tz = g_time_zone_new_identifier(cfg->timezone);

	return tz ? tz : g_time_zone_new_utc();
}

char *api_local_time(const struct config *cfg, int64_t at)
{
	g_autoptr(GTimeZone) tz = api_timezone(cfg);
	g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(at);
	g_autoptr(GDateTime) dt = utc ? g_date_time_to_timezone(utc, tz) : NULL;

	return dt ? g_date_time_format(dt, "%Y-%m-%d %H:%M") : g_strdup("");
}

/* A report read and made on a worker thread (report_run_async). */
struct api_report_job {
	struct api_pending *p;
	char *disposition; /* CSV: its file name; NULL: JSON */
};

static void api_report_done(GObject *source, GAsyncResult *result, gpointer data)
{
	struct api_report_job *j = data;
	struct web_req r = {.app = j->p->api, .x = j->p->x};
	g_autoptr(GError) error = NULL;
	char *text = NULL;
	gsize len = 0;
	int rc = report_run_finish(result, &text, &len, &error);

	if (rc < 0) {
		api_error_gerror(&r, rc, error, NULL);
	} else {
		g_autoptr(GBytes) bytes = g_bytes_new_take(text, len);

		if (j->disposition)
			web_reply_header(&r, "Content-Disposition", j->disposition);
		else
			web_reply_header(&r, "Cache-Control", "no-store");
		web_reply_bytes(&r, 200,
				j->disposition ? "text/csv; charset=utf-8" : "application/json",
				bytes);
	}
	api_pending_done(j->p);
	g_free(j->disposition);
	g_free(j);
}

static void api_report(struct web_req *r)
{
	struct api *api = api_of(r);
	const char *from = r->query ? g_hash_table_lookup(r->query, "from") : NULL;
	const char *to = r->query ? g_hash_table_lookup(r->query, "to") : NULL;
	const char *format = r->query ? g_hash_table_lookup(r->query, "format") : NULL;
	const char *target = r->query ? g_hash_table_lookup(r->query, "target_min") : NULL;
	const char *period = r->query ? g_hash_table_lookup(r->query, "period") : NULL;
	const char *kind = r->query ? g_hash_table_lookup(r->query, "kind") : NULL;
	g_autoptr(GTimeZone) tz = NULL;
	struct api_report_job *j;
	struct report_query q;
	struct queue_time t;
	int32_t from_day, to_day;
	int target_min = target ? atoi(target) : 15;
	int k = kind ? report_kind_parse(kind) : -1;
	bool csv = g_strcmp0(format, "csv") == 0;

	desk_time(api->desk, &t);
	from_day = t.day - 365;
	to_day = t.day + 1;
	if ((from && api_parse_day(from, &from_day) < 0) ||
	    (to && api_parse_day(to, &to_day) < 0)) {
		web_error(r, 400, "invalid", "from and to must be dates like 2026-11-01");
		return;
	}
	if (target_min < 1 || target_min > 600) {
		web_error(r, 400, "invalid", "target_min must be 1 to 600");
		return;
	}
	if (format && !csv && strcmp(format, "json") != 0) {
		web_error(r, 400, "invalid", "format must be json or csv");
		return;
	}
	if (period && report_period_parse(period) < 0) {
		web_error(r, 400, "invalid", "period must be day, week or month");
		return;
	}
	if (kind && k < 0) {
		web_error(r, 400, "invalid",
			  "kind must be billing, times, arrivals, idle, feedback, categories, "
			  "booths or pilot");
		return;
	}
	/* Without kind the answer keeps its first form: the monthly rows (and,
	 * as JSON, every report besides); with kind, that report only. */
	tz = g_time_zone_new_identifier(api->cfg->timezone);
	q = (struct report_query){
	    .from_day = from_day,
	    .to_day = to_day,
	    .period = period ? report_period_parse(period) : REPORT_PERIOD_MONTH,
	    .target_wait_s = target_min * 60,
	    .kinds = kind ? 1u << k : 0,
	    .tz = tz,
	    .reset_min = api->cfg->reset_min,
	    .now = t.now,
	    .cfg = api->cfg,
	};
	j = g_new0(struct api_report_job, 1);
	if (csv)
		j->disposition =
		    from && to ? g_strdup_printf("attachment; filename=\"vuoro-%s-%s-%s.csv\"",
						 kind ? kind : "monthly", from, to)
			       : g_strdup_printf("attachment; filename=\"vuoro-%s.csv\"",
						 kind ? kind : "monthly");
	j->p = api_pending_new(r, 200);
	report_run_async(desk_store(api->desk), &q,
			 (csv && !kind ? 0 : REPORT_JOB_REPORTS) | (kind ? 0 : REPORT_JOB_MONTHLY) |
			     (csv ? REPORT_JOB_CSV : 0),
			 api_report_done, j);
}

/* The integrity check and the backup run on a worker thread (store.h). */
static void api_db_check_done(GObject *source, GAsyncResult *result, gpointer data)
{
	struct api_pending *p = data;
	struct web_req r = {.app = p->api, .x = p->x};
	g_autofree char *report = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	int rc = store_integrity_check_finish(result, &report, &error);

	if (rc < 0 && !report) {
		api_error_gerror(&r, rc, error, NULL);
	} else {
		json_builder_begin_object(b);
		web_json_add_bool(b, "ok", rc == 0);
		web_json_add_str(b, "integrity", report);
		json_builder_end_object(b);
		web_reply_builder(&r, rc == 0 ? 200 : 500, b);
	}
	api_pending_done(p);
}

static void api_db_check(struct web_req *r)
{
	store_integrity_check_async(desk_store(api_of(r)->desk), api_db_check_done,
				    api_pending_new(r, 200));
}

static void api_db_backup_done(GObject *source, GAsyncResult *result, gpointer data)
{
	struct api_pending *p = data;
	struct web_req r = {.app = p->api, .x = p->x};
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) bytes = store_backup_bytes_finish(result, &error);

	if (!bytes)
		api_error_gerror(&r, -EIO, error, NULL);
	else /* the answer holds the bytes, and so the mapping, until it is sent */
		web_reply_bytes(&r, 200, "application/vnd.sqlite3", bytes);
	api_pending_done(p);
}

/* A consistent copy made with SQLite's online backup on a worker thread:
 * whole for the admin, without password hashes and sessions for a
 * technician. */
static void api_db_backup(struct web_req *r)
{
	store_backup_bytes_async(desk_store(api_of(r)->desk), !(r->caller.role & AUTH_ROLE_ADMIN),
				 api_db_backup_done, api_pending_new(r, 200));
}

const struct web_route api_reports_routes[] = {
    {"GET", "/api/report", AUTH_ROLE_MANAGER | AUTH_ROLE_ADMIN, api_report, NULL},
    {"GET", "/api/db/check", AUTH_ROLE_TECHNICIAN | AUTH_ROLE_ADMIN, api_db_check, NULL},
    {"GET", "/api/db/backup", AUTH_ROLE_TECHNICIAN | AUTH_ROLE_ADMIN, api_db_backup, NULL},
};
const size_t api_reports_n_routes = G_N_ELEMENTS(api_reports_routes);
