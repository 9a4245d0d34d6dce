/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api/reports: the manager's figures, and the database's check and backup.
 */
#include "api_internal.h"

#include <glib/gstdio.h>
#include <errno.h>
#include <string.h>
#include "report.h"
#include "store.h"

static int api_parse_day(const char *text, int32_t *ret)
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

static void api_report(struct web_req *r)
{
	struct api *api = api_of(r);
	const char *from = r->query ? g_hash_table_lookup(r->query, "from") : NULL;
	const char *to = r->query ? g_hash_table_lookup(r->query, "to") : NULL;
	const char *format = r->query ? g_hash_table_lookup(r->query, "format") : NULL;
	const char *target = r->query ? g_hash_table_lookup(r->query, "target_min") : NULL;
	const char *period = r->query ? g_hash_table_lookup(r->query, "period") : NULL;
	const char *kind = r->query ? g_hash_table_lookup(r->query, "kind") : NULL;
	g_autoptr(GPtrArray) rows = NULL;
	g_autoptr(Report) rep = NULL;
	g_autoptr(GTimeZone) tz = NULL;
	g_autoptr(GError) error = NULL;
	struct report_query q;
	struct queue_time t;
	int32_t from_day, to_day;
	int target_min = target ? atoi(target) : 15;
	int k = kind ? report_kind_parse(kind) : -1;
	bool csv = g_strcmp0(format, "csv") == 0;
	int rc;

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
			  "kind must be billing, times, arrivals, idle, feedback or categories");
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
	};
	rc = csv && !kind ? 0 : report_run(desk_store(api->desk), &q, &rep, &error);
	if (rc == 0 && !kind) {
		rows = rep ? report_monthly_rows(rep) : NULL;
		if (!rows)
			rc = report_monthly(desk_store(api->desk), from_day, to_day,
					    target_min * 60, &rows, &error);
	}
	if (rc < 0) {
		api_error_gerror(r, rc, error, NULL);
		return;
	}
	if (csv) {
		gsize len;
		char *text = kind ? report_to_csv(rep, k, &len) : report_rows_to_csv(rows, &len);
		g_autofree char *disposition =
		    from && to ? g_strdup_printf("attachment; filename=\"vuoro-%s-%s-%s.csv\"",
						 kind ? kind : "monthly", from, to)
			       : g_strdup_printf("attachment; filename=\"vuoro-%s.csv\"",
						 kind ? kind : "monthly");

		g_autoptr(GBytes) bytes = g_bytes_new_take(text, len);

		web_reply_header(r, "Content-Disposition", disposition);
		web_reply_bytes(r, 200, "text/csv; charset=utf-8", bytes);
		return;
	} else {
		g_autoptr(JsonBuilder) b = json_builder_new();

		json_builder_begin_object(b);
		if (rows) {
			json_builder_set_member_name(b, "monthly");
			json_builder_add_value(b, report_rows_to_json(rows));
		}
		web_json_add_int(b, "target_wait_min", target_min);
		report_add_json(rep, b);
		json_builder_end_object(b);
		web_reply_builder(r, 200, b);
	}
}

static void api_db_check(struct web_req *r)
{
	g_autofree char *report = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	int rc = store_integrity_check(desk_store(api_of(r)->desk), &report, &error);

	if (rc < 0 && !report) {
		api_error_gerror(r, rc, error, NULL);
		return;
	}
	json_builder_begin_object(b);
	web_json_add_bool(b, "ok", rc == 0);
	web_json_add_str(b, "integrity", report);
	json_builder_end_object(b);
	web_reply_builder(r, rc == 0 ? 200 : 500, b);
}

/* Streams a consistent copy made with SQLite's online backup: whole for
 * the admin, without password hashes and sessions for a technician. */
static void api_db_backup(struct web_req *r)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = g_dir_make_tmp("vuoro-backup-XXXXXX", &error);
	g_autofree char *path = dir ? g_build_filename(dir, "vuoro.db", NULL) : NULL;
	g_autoptr(GMappedFile) map = NULL;
	int rc;

	if (!dir) {
		web_error(r, 500, "internal", "cannot make a temporary folder: %s", error->message);
		return;
	}
	rc = store_backup(desk_store(api_of(r)->desk), path, &error);
	if (rc == 0 && !(r->caller.role & AUTH_ROLE_ADMIN))
		rc = store_backup_scrub(path, &error);
	if (rc == 0)
		map = g_mapped_file_new(path, FALSE, &error);
	g_unlink(path);
	g_rmdir(dir);
	if (rc < 0 || !map) {
		api_error_gerror(r, rc < 0 ? rc : -EIO, error, NULL);
		return;
	}
	{
		/* The answer holds the bytes (and so the mapping) until it is sent. */
		g_autoptr(GBytes) bytes = g_mapped_file_get_bytes(map);

		web_reply_bytes(r, 200, "application/vnd.sqlite3", bytes);
	}
}

/* ---------------------------------------------------------------------- */
/* Route table */

const struct web_route api_reports_routes[] = {
    {"GET", "/api/report", AUTH_ROLE_MANAGER | AUTH_ROLE_ADMIN, api_report, NULL},
    {"GET", "/api/db/check", AUTH_ROLE_TECHNICIAN | AUTH_ROLE_ADMIN, api_db_check, NULL},
    {"GET", "/api/db/backup", AUTH_ROLE_TECHNICIAN | AUTH_ROLE_ADMIN, api_db_backup, NULL},
};
const size_t api_reports_n_routes = G_N_ELEMENTS(api_reports_routes);
