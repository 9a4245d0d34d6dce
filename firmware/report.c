/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report: monthly figures per provider from the visits table (see report.h).
 *
 * One indexed SELECT over the days asked for; grouping, medians and p90 are
 * done here on int arrays (one per group and measure), which is faster than
 * window functions in SQLite and keeps the percentile rule in one place:
 * nearest rank, p = value at ceil(p·n) - 1 of the sorted values, so the
 * median of an even count is the lower middle value.
 */
#define G_LOG_DOMAIN "vuoro-report"

#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

GQuark report_error_quark(void);
G_DEFINE_QUARK(vuoro - report - error - quark, report_error)

struct report_group {
	struct report_row row;
	GArray *waits;    /* int seconds */
	GArray *services; /* int seconds */
};

static void report_row_free(gpointer p)
{
	struct report_row *r = p;

	g_free(r->provider);
	g_free(r);
}

static void report_group_free(gpointer p)
{
	struct report_group *g = p;

	g_free(g->row.provider);
	g_array_unref(g->waits);
	g_array_unref(g->services);
	g_free(g);
}

static int int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Nearest rank on sorted values; -1 when there are none. */
static int percentile(GArray *v, double p)
{
	size_t rank;

	if (v->len == 0)
		return -1;
	rank = (size_t)ceil(p * v->len);
	return g_array_index(v, int, rank ? rank - 1 : 0);
}

/* "2026-11" of a service day (days since 1970-01-01). */
static void month_of_day(int32_t day, char out[8])
{
	GDate d;

	g_date_clear(&d, 1);
	g_date_set_julian(&d, (guint32)(day + 719163));
	g_snprintf(out, 8, "%04u-%02u", g_date_get_year(&d), g_date_get_month(&d));
}

static gint row_cmp(gconstpointer a, gconstpointer b)
{
	const struct report_row *x = *(struct report_row *const *)a;
	const struct report_row *y = *(struct report_row *const *)b;
	int c = strcmp(x->month, y->month);

	return c ? c : strcmp(x->provider, y->provider);
}

static bool outcome_is(const unsigned char *o, const char *name)
{
	return o && strcmp((const char *)o, name) == 0;
}

int report_monthly(struct store *s, int32_t from_day, int32_t to_day, int target_wait_s,
		   GPtrArray **ret_rows, GError **error)
{
	static const char sql[] = "SELECT provider, day, channel, outcome, called_at - issued_at, "
				  "ended_at - started_at, called_at, started_at FROM visits "
				  "WHERE day >= ?1 AND day < ?2";
	g_autoptr(GHashTable) groups =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, report_group_free);
	g_autoptr(GPtrArray) recent = g_ptr_array_new(); /* groups of the current month */
	GPtrArray *rows;
	sqlite3_stmt *st = NULL;
	GHashTableIter it;
	gpointer value;
	int32_t month_day = INT32_MIN;
	char month[8] = "";
	int rc;

	rc = sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		g_set_error(error, report_error_quark(), EIO, "the report cannot be read: %s",
			    sqlite3_errmsg(store_db(s)));
		return -EIO;
	}
	sqlite3_bind_int(st, 1, from_day);
	sqlite3_bind_int(st, 2, to_day);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *provider = (const char *)sqlite3_column_text(st, 0);
		int32_t day = sqlite3_column_int(st, 1);
		const unsigned char *outcome = sqlite3_column_text(st, 3);
		char key[64];
		struct report_group *g;
		bool served;
		int channel;

		if (day != month_day) { /* rows come mostly in day order */
			month_of_day(day, month);
			month_day = day;
		}
		/* The groups of the month at hand are few: look there before
		 * building a key for the hash table. */
		g = NULL;
		for (guint k = 0; k < recent->len && !g; k++) {
			struct report_group *r = recent->pdata[k];

			if (strcmp(r->row.month, month) == 0 &&
			    strcmp(r->row.provider, provider ? provider : "") == 0)
				g = r;
		}
		if (!g) {
			g_snprintf(key, sizeof(key), "%s|%s", month, provider ? provider : "");
			g = g_hash_table_lookup(groups, key);
			if (g) {
				if (recent->len == 16)
					g_ptr_array_remove_index(recent, 0);
				g_ptr_array_add(recent, g);
			}
		}
		if (!g) {
			g = g_new0(struct report_group, 1);
			g->row.provider = g_strdup(provider ? provider : "");
			memcpy(g->row.month, month, sizeof(g->row.month));
			g->waits = g_array_new(FALSE, FALSE, sizeof(int));
			g->services = g_array_new(FALSE, FALSE, sizeof(int));
			g_hash_table_insert(groups, g_strdup(key), g);
			if (recent->len == 16)
				g_ptr_array_remove_index(recent, 0);
			g_ptr_array_add(recent, g);
		}
		served = !outcome_is(outcome, "no_show") && !outcome_is(outcome, "cancelled") &&
			 !outcome_is(outcome, "voided") && !outcome_is(outcome, "reset");
		if (outcome_is(outcome, "no_show"))
			g->row.no_shows++;
		else if (outcome_is(outcome, "cancelled"))
			g->row.cancelled++;
		if (served) {
			g->row.visits++;
			channel = queue_channel_parse((const char *)sqlite3_column_text(st, 2));
			if (channel >= 0)
				g->row.by_channel[channel]++;
		}
		if (sqlite3_column_int64(st, 6) > 0) {
			int wait = sqlite3_column_int(st, 4);

			g_array_append_val(g->waits, wait);
			g->row.waited++;
			g->row.within_target += wait <= target_wait_s;
		}
		if (served && sqlite3_column_int64(st, 7) > 0) {
			int secs = sqlite3_column_int(st, 5);

			g_array_append_val(g->services, secs);
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		g_set_error(error, report_error_quark(), EIO, "the report cannot be read: %s",
			    sqlite3_errstr(rc));
		return -EIO;
	}
	rows = g_ptr_array_new_with_free_func(report_row_free);
	g_hash_table_iter_init(&it, groups);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		struct report_group *g = value;
		struct report_row *r = g_new(struct report_row, 1);

		if (g->waits->len)
			qsort(g->waits->data, g->waits->len, sizeof(int), int_cmp);
		if (g->services->len)
			qsort(g->services->data, g->services->len, sizeof(int), int_cmp);
		*r = g->row;
		r->provider = g_strdup(g->row.provider);
		r->wait_median_s = percentile(g->waits, 0.5);
		r->wait_p90_s = percentile(g->waits, 0.9);
		r->service_median_s = percentile(g->services, 0.5);
		r->service_p90_s = percentile(g->services, 0.9);
		g_ptr_array_add(rows, r);
	}
	g_ptr_array_sort(rows, row_cmp);
	*ret_rows = rows;
	return 0;
}

static void add_int_or_null(JsonBuilder *b, const char *name, int v)
{
	json_builder_set_member_name(b, name);
	if (v < 0)
		json_builder_add_null_value(b);
	else
		json_builder_add_int_value(b, v);
}

JsonNode *report_rows_to_json(GPtrArray *rows)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_array(b);
	for (guint i = 0; i < rows->len; i++) {
		const struct report_row *r = g_ptr_array_index(rows, i);

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "provider");
		json_builder_add_string_value(b, r->provider);
		json_builder_set_member_name(b, "month");
		json_builder_add_string_value(b, r->month);
		json_builder_set_member_name(b, "visits");
		json_builder_add_int_value(b, r->visits);
		json_builder_set_member_name(b, "channels");
		json_builder_begin_object(b);
		for (int c = 0; c < QUEUE_N_CHANNELS; c++) {
			json_builder_set_member_name(b, queue_channel_name(c));
			json_builder_add_int_value(b, r->by_channel[c]);
		}
		json_builder_end_object(b);
		json_builder_set_member_name(b, "no_shows");
		json_builder_add_int_value(b, r->no_shows);
		json_builder_set_member_name(b, "cancelled");
		json_builder_add_int_value(b, r->cancelled);
		add_int_or_null(b, "wait_median_s", r->wait_median_s);
		add_int_or_null(b, "wait_p90_s", r->wait_p90_s);
		add_int_or_null(b, "service_median_s", r->service_median_s);
		add_int_or_null(b, "service_p90_s", r->service_p90_s);
		json_builder_set_member_name(b, "within_target");
		json_builder_add_int_value(b, r->within_target);
		json_builder_set_member_name(b, "waited");
		json_builder_add_int_value(b, r->waited);
		json_builder_set_member_name(b, "within_target_pct");
		if (r->waited)
			json_builder_add_double_value(
			    b, round(1000.0 * r->within_target / r->waited) / 10.0);
		else
			json_builder_add_null_value(b);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	return json_builder_get_root(b);
}
