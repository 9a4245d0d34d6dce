/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * billing: statements, the close and the periods (see billing.h).  The
 * counting is PostgreSQL's (hub_billing_open_lines, billing_lines); the
 * prices, the totals and the JSON and CSV are made here.
 */
#include "billing.h"

#include <errno.h>
#include <string.h>

#include "hub.h"
#include "json.h"
#include "report.h"
#include "router.h"

G_DEFINE_QUARK(vuoro - hub - billing - error, billing_error)

struct line {
	char *provider, *site, *service, *channel;
	char belongs[8]; /* YYYY-MM */
	int64_t events;
	int64_t unit_cents, amount_cents; /* -1: no price */
};

static void line_clear(gpointer data)
{
	struct line *l = data;

	g_free(l->provider);
	g_free(l->site);
	g_free(l->service);
	g_free(l->channel);
}

/* A total: of a service × channel, of a site, of the statement. */
struct sum {
	int64_t events, amount_cents;
	int64_t adjustment_events, adjustment_cents;
	int64_t unpriced_events;
};

static void sum_add(struct sum *s, const struct line *l, bool adjustment)
{
	s->events += l->events;
	if (l->amount_cents >= 0)
		s->amount_cents += l->amount_cents;
	else
		s->unpriced_events += l->events;
	if (adjustment) {
		s->adjustment_events += l->events;
		if (l->amount_cents >= 0)
			s->adjustment_cents += l->amount_cents;
	}
}

int billing_price(const struct hub_config *cfg, const char *provider, const char *service,
		  const char *channel, int64_t *ret_cents)
{
	const char *tries[4][2] = {{service, channel}, {service, "*"}, {"*", channel}, {"*", "*"}};

	if (!cfg->prices)
		return -ENOENT;
	for (size_t i = 0; i < G_N_ELEMENTS(tries); i++) {
		g_autofree char *key =
		    g_strdup_printf("%s.%s.%s", provider, tries[i][0], tries[i][1]);
		const gint64 *cents = g_hash_table_lookup(cfg->prices, key);

		if (cents) {
			*ret_cents = *cents;
			return 0;
		}
	}
	return -ENOENT;
}

int billing_period_parse(const char *text, char ret[11])
{
	guint64 year, month;

	if (!text || strlen(text) != 7 || text[4] != '-' || !g_ascii_isdigit(text[5]) ||
	    !g_ascii_isdigit(text[6]))
		return -EINVAL;
	{
		char y[5] = {text[0], text[1], text[2], text[3], 0};

		if (!g_ascii_string_to_unsigned(y, 10, 2000, 9999, &year, NULL) ||
		    !g_ascii_string_to_unsigned(text + 5, 10, 1, 12, &month, NULL))
			return -EINVAL;
	}
	g_snprintf(ret, 11, "%04u-%02u-01", (unsigned)year, (unsigned)month);
	return 0;
}

void billing_period_now(const struct hub_config *cfg, char ret[8])
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(cfg->billing_tz);
	g_autoptr(GDateTime) now = g_date_time_new_now(tz ? tz : g_time_zone_new_utc());

	g_snprintf(ret, 8, "%04d-%02d", g_date_time_get_year(now), g_date_time_get_month(now));
}

static int pg_failed(GError **error, const char *what, PGresult *res)
{
	g_autofree char *msg = g_strstrip(g_strdup(PQresultErrorMessage(res)));

	g_set_error(error, BILLING_ERROR, EIO, "PostgreSQL, %s: %s", what, msg);
	PQclear(res);
	return -EIO;
}

/* The lines of a query's rows: [provider] site service channel belongs
 * events [unit_cents amount_cents] — the provider column when @provider is
 * NULL; priced from [prices] unless @frozen (the query has the prices). */
static void lines_read(const struct hub_config *cfg, PGresult *res, const char *provider,
		       bool frozen, GArray *lines)
{
	int o = provider ? 0 : 1;

	for (int i = 0; i < PQntuples(res); i++) {
		struct line l = {0};

		l.provider = g_strdup(provider ? provider : PQgetvalue(res, i, 0));
		l.site = g_strdup(PQgetvalue(res, i, o));
		l.service = g_strdup(PQgetvalue(res, i, o + 1));
		l.channel = g_strdup(PQgetvalue(res, i, o + 2));
		g_strlcpy(l.belongs, PQgetvalue(res, i, o + 3), sizeof(l.belongs));
		l.events = g_ascii_strtoll(PQgetvalue(res, i, o + 4), NULL, 10);
		if (frozen) {
			l.unit_cents = g_ascii_strtoll(PQgetvalue(res, i, o + 5), NULL, 10);
			l.amount_cents = g_ascii_strtoll(PQgetvalue(res, i, o + 6), NULL, 10);
		} else if (billing_price(cfg, l.provider, l.service, l.channel, &l.unit_cents) ==
			   0) {
			l.amount_cents = l.unit_cents * l.events;
		} else {
			l.unit_cents = l.amount_cents = -1;
		}
		g_array_append_val(lines, l);
	}
}

static void add_cents(JsonBuilder *b, const char *name, int64_t cents)
{
	json_builder_set_member_name(b, name);
	if (cents < 0)
		json_builder_add_null_value(b);
	else
		json_builder_add_int_value(b, cents);
}

static void add_sum(JsonBuilder *b, const struct sum *s)
{
	web_json_add_int(b, "events", s->events);
	web_json_add_int(b, "amount_cents", s->amount_cents);
	web_json_add_int(b, "adjustment_events", s->adjustment_events);
	web_json_add_int(b, "adjustment_cents", s->adjustment_cents);
	web_json_add_int(b, "unpriced_events", s->unpriced_events);
}

static gint key_cmp(gconstpointer a, gconstpointer b, gpointer data)
{
	return strcmp(a, b);
}

static gint ptr_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static struct sum *sum_of(GTree *t, const char *key)
{
	struct sum *s = g_tree_lookup(t, key);

	if (!s) {
		s = g_new0(struct sum, 1);
		g_tree_insert(t, g_strdup(key), s);
	}
	return s;
}

struct statement {
	const char *provider, *period;     /* YYYY-MM */
	const char *closed_at, *closed_by; /* NULL: open */
	GArray *lines;
	PGresult *trial; /* site, service, channel, events: not billed */
};

static gboolean add_service(gpointer key, gpointer value, gpointer data)
{
	JsonBuilder *b = data;
	const char *nl = strchr(key, '\n');
	g_autofree char *service = g_strndup(key, (gsize)(nl - (const char *)key));

	json_builder_begin_object(b);
	web_json_add_str(b, "service", service);
	web_json_add_str(b, "channel", nl + 1);
	add_sum(b, value);
	json_builder_end_object(b);
	return FALSE;
}

static gboolean add_site(gpointer key, gpointer value, gpointer data)
{
	JsonBuilder *b = data;

	json_builder_begin_object(b);
	web_json_add_str(b, "site", key);
	add_sum(b, value);
	json_builder_end_object(b);
	return FALSE;
}

static char *statement_json(const struct hub_config *cfg, const struct statement *st)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(GTree) services = g_tree_new_full(key_cmp, NULL, g_free, g_free);
	g_autoptr(GTree) sites = g_tree_new_full(key_cmp, NULL, g_free, g_free);
	g_autoptr(GPtrArray) unpriced = g_ptr_array_new_with_free_func(g_free);
	struct sum total = {0};

	json_builder_begin_object(b);
	web_json_add_int(b, "v", 1);
	web_json_add_str(b, "provider", st->provider);
	web_json_add_str(b, "period", st->period);
	web_json_add_str(b, "state", st->closed_at ? "closed" : "open");
	web_json_add_str(b, "closed_at", st->closed_at);
	web_json_add_str(b, "closed_by", st->closed_by);
	web_json_add_str(b, "currency", cfg->currency);
	json_builder_set_member_name(b, "lines");
	json_builder_begin_array(b);
	for (guint i = 0; i < st->lines->len; i++) {
		const struct line *l = &g_array_index(st->lines, struct line, i);
		bool adjustment = strcmp(l->belongs, st->period) != 0;
		g_autofree char *sc = g_strdup_printf("%s\n%s", l->service, l->channel);

		json_builder_begin_object(b);
		web_json_add_str(b, "site", l->site);
		web_json_add_str(b, "service", l->service);
		web_json_add_str(b, "channel", l->channel);
		web_json_add_int(b, "events", l->events);
		add_cents(b, "unit_cents", l->unit_cents);
		add_cents(b, "amount_cents", l->amount_cents);
		web_json_add_bool(b, "adjustment", adjustment);
		web_json_add_str(b, "belongs_to", l->belongs);
		json_builder_end_object(b);
		sum_add(sum_of(services, sc), l, adjustment);
		sum_add(sum_of(sites, l->site), l, adjustment);
		sum_add(&total, l, adjustment);
		if (l->amount_cents < 0)
			g_ptr_array_add(unpriced, g_strdup_printf("%s.%s.%s", st->provider,
								  l->service, l->channel));
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "services");
	json_builder_begin_array(b);
	g_tree_foreach(services, add_service, b);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "sites");
	json_builder_begin_array(b);
	g_tree_foreach(sites, add_site, b);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "total");
	json_builder_begin_object(b);
	add_sum(b, &total);
	json_builder_end_object(b);
	/* Visits of services (or sites) on trial: counted, never priced. */
	json_builder_set_member_name(b, "trial");
	json_builder_begin_array(b);
	for (int i = 0; st->trial && i < PQntuples(st->trial); i++) {
		json_builder_begin_object(b);
		web_json_add_str(b, "site", PQgetvalue(st->trial, i, 0));
		web_json_add_str(b, "service", PQgetvalue(st->trial, i, 1));
		web_json_add_str(b, "channel", PQgetvalue(st->trial, i, 2));
		web_json_add_int(b, "events",
				 g_ascii_strtoll(PQgetvalue(st->trial, i, 3), NULL, 10));
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	/* The [prices] keys missing, once each. */
	json_builder_set_member_name(b, "unpriced");
	json_builder_begin_array(b);
	g_ptr_array_sort(unpriced, ptr_cmp);
	for (guint i = 0; i < unpriced->len; i++)
		if (i == 0 || strcmp(unpriced->pdata[i], unpriced->pdata[i - 1]) != 0)
			json_builder_add_string_value(b, unpriced->pdata[i]);
	json_builder_end_array(b);
	json_builder_end_object(b);
	return web_json_text(b);
}

/* A CSV field (the site's reports' rule: quoted when it holds a comma, a
 * quote or a line end; a leading = + - @ made inert) and its separator. */
static void csv_field(GString *s, const char *v, bool last)
{
	report_csv_field(s, v);
	g_string_append(s, last ? "\r\n" : ",");
}

static void csv_euros(GString *s, int64_t cents, bool last)
{
	if (cents >= 0)
		g_string_append_printf(s, "%" G_GINT64_FORMAT ".%02" G_GINT64_FORMAT, cents / 100,
				       cents % 100);
	g_string_append(s, last ? "\r\n" : ",");
}

static char *statement_csv(const struct statement *st, gsize *ret_len)
{
	GString *s = g_string_new("period,provider,state,site,service,channel,belongs_to,"
				  "adjustment,events,unit_price,amount\r\n");

	for (guint i = 0; i < st->lines->len; i++) {
		const struct line *l = &g_array_index(st->lines, struct line, i);

		csv_field(s, st->period, false);
		csv_field(s, st->provider, false);
		csv_field(s, st->closed_at ? "closed" : "open", false);
		csv_field(s, l->site, false);
		csv_field(s, l->service, false);
		csv_field(s, l->channel, false);
		csv_field(s, l->belongs, false);
		csv_field(s, strcmp(l->belongs, st->period) != 0 ? "yes" : "no", false);
		g_string_append_printf(s, "%" G_GINT64_FORMAT ",", l->events);
		csv_euros(s, l->unit_cents, false);
		csv_euros(s, l->amount_cents, true);
	}
	*ret_len = s->len;
	return g_string_free(s, FALSE);
}

int billing_statement(PGconn *conn, const struct hub_config *cfg, const char *provider,
		      const char *period, bool csv, char **ret, gsize *ret_len, GError **error)
{
	g_autoptr(GArray) lines = g_array_new(FALSE, TRUE, sizeof(struct line));
	g_autofree char *closed_at = NULL, *closed_by = NULL;
	struct statement st = {.provider = provider, .period = period, .lines = lines};
	char first[11];
	const char *params[2] = {first, provider};
	PGresult *res;

	g_array_set_clear_func(lines, line_clear);
	if (billing_period_parse(period, first) < 0) {
		g_set_error(error, BILLING_ERROR, EINVAL,
			    "period must be a month like 2026-11, got \"%s\"", period);
		return -EINVAL;
	}
	if (!provider || !*provider) {
		g_set_error(error, BILLING_ERROR, EINVAL,
			    "provider is required, e.g. provider=kela");
		return -EINVAL;
	}
	res = PQexecParams(conn,
			   "SELECT to_char(closed_at AT TIME ZONE 'UTC', "
			   "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), closed_by "
			   "FROM billing_periods WHERE period = $1::date",
			   1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return pg_failed(error, "billing_periods", res);
	if (PQntuples(res) == 1) {
		closed_at = g_strdup(PQgetvalue(res, 0, 0));
		closed_by = g_strdup(PQgetvalue(res, 0, 1));
	}
	PQclear(res);
	/* The period's own lines first, then the adjustments by their month. */
	if (closed_at)
		res = PQexecParams(conn,
				   "SELECT site, service, channel, to_char(belongs, 'YYYY-MM'), "
				   "events, unit_cents, amount_cents FROM billing_lines "
				   "WHERE period = $1::date AND provider = $2 "
				   "ORDER BY belongs <> period, belongs, site, service, channel",
				   2, NULL, params, NULL, NULL, 0);
	else
		res = PQexecParams(conn,
				   "SELECT site, service, channel, to_char(belongs, 'YYYY-MM'), "
				   "events FROM hub_billing_open_lines($1::date, $2) "
				   "ORDER BY belongs <> $1::date, belongs, site, service, channel",
				   2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return pg_failed(error, "statement lines", res);
	lines_read(cfg, res, provider, closed_at != NULL, lines);
	PQclear(res);
	{
		const char *tparams[3] = {first, provider, closed_at};

		st.trial = PQexecParams(conn,
					"SELECT site, service, channel, events FROM "
					"hub_billing_trial($1::date, $2, $3::timestamptz) "
					"ORDER BY site, service, channel",
					3, NULL, tparams, NULL, NULL, 0);
		if (PQresultStatus(st.trial) != PGRES_TUPLES_OK)
			return pg_failed(error, "trial visits", st.trial);
	}
	st.closed_at = closed_at;
	st.closed_by = closed_by;
	if (csv) {
		*ret = statement_csv(&st, ret_len);
	} else {
		*ret = statement_json(cfg, &st);
		*ret_len = strlen(*ret);
	}
	PQclear(st.trial);
	return 0;
}

static int exec_ok(PGconn *conn, const char *sql, GError **error)
{
	PGresult *res = PQexec(conn, sql);

	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
		return pg_failed(error, sql, res);
	PQclear(res);
	return 0;
}

/* In the close's transaction: every provider's lines, priced, into
 * billing_lines; -ENOENT when one has no price. */
static int close_lines(PGconn *conn, const struct hub_config *cfg, const char *first,
		       const char *period, GError **error)
{
	g_autoptr(GArray) lines = g_array_new(FALSE, TRUE, sizeof(struct line));
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autofree char *json = NULL;
	const char *params[2] = {first, NULL};
	PGresult *res;

	g_array_set_clear_func(lines, line_clear);
	res = PQexecParams(conn,
			   "SELECT provider, site, service, channel, to_char(belongs, 'YYYY-MM'), "
			   "events FROM hub_billing_open_lines($1::date, NULL)",
			   1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return pg_failed(error, "lines to close", res);
	lines_read(cfg, res, NULL, false, lines);
	PQclear(res);
	json_builder_begin_array(b);
	for (guint i = 0; i < lines->len; i++) {
		const struct line *l = &g_array_index(lines, struct line, i);

		if (l->amount_cents < 0) {
			g_set_error(error, BILLING_ERROR, ENOENT,
				    "%s cannot be closed: %" G_GINT64_FORMAT
				    " events of %s.%s.%s have no unit price; add [prices] "
				    "%s.%s.%s (or %s.%s.*, %s.*.%s, %s.*.*) to the hub's config, "
				    "restart vuoro-hub and close again",
				    period, l->events, l->provider, l->service, l->channel,
				    l->provider, l->service, l->channel, l->provider, l->service,
				    l->provider, l->channel, l->provider);
			return -ENOENT;
		}
		json_builder_begin_object(b);
		web_json_add_str(b, "provider", l->provider);
		web_json_add_str(b, "site", l->site);
		web_json_add_str(b, "service", l->service);
		web_json_add_str(b, "channel", l->channel);
		web_json_add_str(b, "belongs", l->belongs);
		web_json_add_int(b, "events", l->events);
		web_json_add_int(b, "unit_cents", l->unit_cents);
		web_json_add_int(b, "amount_cents", l->amount_cents);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json = web_json_text(b);
	params[1] = json;
	res = PQexecParams(conn,
			   "INSERT INTO billing_lines SELECT $1::date, provider, site, service, "
			   "channel, to_date(belongs, 'YYYY-MM'), events, unit_cents, amount_cents "
			   "FROM jsonb_to_recordset($2::jsonb) AS x(provider text, site text, "
			   "service text, channel text, belongs text, events bigint, "
			   "unit_cents bigint, amount_cents bigint)",
			   2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return pg_failed(error, "billing_lines", res);
	PQclear(res);
	return 0;
}

int billing_close(PGconn *conn, const struct hub_config *cfg, const char *period, const char *by,
		  GError **error)
{
	char first[11], now[8];
	const char *params[2] = {first, by};
	PGresult *res;
	int rc;

	if (billing_period_parse(period, first) < 0) {
		g_set_error(error, BILLING_ERROR, EINVAL,
			    "the period must be a month like 2026-11, got \"%s\"", period);
		return -EINVAL;
	}
	billing_period_now(cfg, now);
	if (strcmp(period, now) >= 0) {
		g_set_error(error, BILLING_ERROR, EAGAIN,
			    "%s has not ended yet (%s time): close it once it has", period,
			    cfg->billing_tz);
		return -EAGAIN;
	}
	/* SHARE on ledger: every batch is committed before the close or stored
	 * after it (004-billing.sql). */
	rc = exec_ok(conn, "LOCK TABLE ledger IN SHARE MODE", error);
	if (rc < 0)
		return rc;
	res = PQexecParams(conn,
			   "INSERT INTO billing_periods (period, closed_at, closed_by) "
			   "VALUES ($1::date, clock_timestamp(), $2)",
			   2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		if (g_strcmp0(PQresultErrorField(res, PG_DIAG_SQLSTATE), "23505") != 0)
			return pg_failed(error, "billing_periods", res);
		PQclear(res);
		g_set_error(error, BILLING_ERROR, EEXIST,
			    "%s is closed already; a closed period never reopens (late records "
			    "go to the next open period)",
			    period);
		return -EEXIST;
	}
	PQclear(res);
	return close_lines(conn, cfg, first, period, error);
}

int billing_periods(PGconn *conn, const struct hub_config *cfg, const char *only, char **ret,
		    gsize *ret_len, GError **error)
{
	g_autoptr(GPtrArray) providers = g_ptr_array_new_with_free_func(g_free);
	GHashTableIter it;
	gpointer key;
	g_autoptr(JsonBuilder) b = json_builder_new();
	char now[8], first[11];
	const char *params[1] = {first};
	PGresult *res;

	billing_period_now(cfg, now);
	billing_period_parse(now, first);
	/* The months with visits are the visits_YYYYMM partitions. */
	res =
	    PQexecParams(conn,
			 "SELECT to_char(x.p, 'YYYY-MM'), to_char(b.closed_at AT TIME ZONE 'UTC', "
			 "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), b.closed_by FROM ("
			 "SELECT to_date(substr(c.relname, 8), 'YYYYMM') AS p FROM pg_inherits i "
			 "JOIN pg_class c ON c.oid = i.inhrelid "
			 "WHERE i.inhparent = 'visits'::regclass "
			 "UNION SELECT period FROM billing_periods UNION SELECT $1::date) x "
			 "LEFT JOIN billing_periods b ON b.period = x.p ORDER BY x.p DESC",
			 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return pg_failed(error, "periods", res);
	json_builder_begin_object(b);
	web_json_add_str(b, "current", now);
	/* The providers [prices] names (a provider-manager: its own). */
	g_hash_table_iter_init(&it, cfg->prices);
	while (g_hash_table_iter_next(&it, &key, NULL)) {
		g_autofree char *p = g_strndup(key, strcspn(key, "."));

		if ((!only || strcmp(p, only) == 0) &&
		    !g_ptr_array_find_with_equal_func(providers, p, g_str_equal, NULL))
			g_ptr_array_add(providers, g_steal_pointer(&p));
	}
	if (only && providers->len == 0)
		g_ptr_array_add(providers, g_strdup(only));
	g_ptr_array_sort(providers, ptr_cmp);
	json_builder_set_member_name(b, "providers");
	json_builder_begin_array(b);
	for (guint i = 0; i < providers->len; i++)
		json_builder_add_string_value(b, providers->pdata[i]);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "periods");
	json_builder_begin_array(b);
	for (int i = 0; i < PQntuples(res); i++) {
		bool closed = !PQgetisnull(res, i, 1);

		json_builder_begin_object(b);
		web_json_add_str(b, "period", PQgetvalue(res, i, 0));
		web_json_add_str(b, "state", closed ? "closed" : "open");
		web_json_add_str(b, "closed_at", closed ? PQgetvalue(res, i, 1) : NULL);
		web_json_add_str(b, "closed_by", closed ? PQgetvalue(res, i, 2) : NULL);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	PQclear(res);
	*ret = web_json_text(b);
	*ret_len = strlen(*ret);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* The routes */

static void reply_error(struct web_req *r, PGconn *conn, int rc, const GError *error)
{
	const char *msg = error ? error->message : "the statement could not be made";

	switch (rc) {
	case -EINVAL:
		web_error(r, 400, "invalid", "%s", msg);
		break;
	case -EEXIST:
		web_error(r, 409, "closed", "%s", msg);
		break;
	case -EAGAIN:
		web_error(r, 409, "not_ended", "%s", msg);
		break;
	case -ENOENT:
		web_error(r, 409, "unpriced", "%s", msg);
		break;
	default:
		g_warning("billing: %s", msg);
		if (PQstatus(conn) != CONNECTION_OK)
			web_error(r, 503, "database",
				  "the hub's database cannot be reached: try again in a moment");
		else
			web_error(r, 500, "database",
				  "the hub's database failed to answer: see the hub's log");
	}
}

static void reply_text(struct web_req *r, char *text, gsize len, const char *type,
		       const char *disposition)
{
	g_autoptr(GBytes) bytes = g_bytes_new_take(text, len);

	web_reply_header(r, "Cache-Control", "no-store");
	if (disposition)
		web_reply_header(r, "Content-Disposition", disposition);
	web_reply_bytes(r, 200, type, bytes);
}

/* GET /api/hub/billing/statements?provider=&period=YYYY-MM[&format=csv]:
 * a provider-manager reads its own provider's only (and without provider=,
 * that one); the hub's managers and admins any (provider= required). */
static void api_statement(struct web_req *r)
{
	struct hub *hub = hub_of(r);
	const char *provider = r->query ? g_hash_table_lookup(r->query, "provider") : NULL;
	const char *period = r->query ? g_hash_table_lookup(r->query, "period") : NULL;
	const char *format = r->query ? g_hash_table_lookup(r->query, "format") : NULL;
	bool csv = g_strcmp0(format, "csv") == 0;
	bool own = r->caller.role == HUB_ROLE_PROVIDER;
	g_autoptr(GError) error = NULL;
	g_autofree char *disposition = NULL;
	char now[8], first[11];
	char *text = NULL;
	gsize len = 0;
	PGconn *conn;
	int rc;

	if (format && !csv && strcmp(format, "json") != 0) {
		web_error(r, 400, "invalid", "format must be json or csv");
		return;
	}
	if (own && !provider)
		provider = r->caller.provider;
	if (!provider || !*provider) {
		web_error(r, 400, "invalid",
			  "say whose statement: provider=CODE, e.g. provider=kela");
		return;
	}
	if (own && strcmp(provider, r->caller.provider) != 0) {
		web_error(r, 403, "forbidden",
			  "a provider-manager of %s reads only %s's statements", r->caller.provider,
			  r->caller.provider);
		return;
	}
	if (!period) {
		billing_period_now(hub->cfg, now);
		period = now;
	}
	if (billing_period_parse(period, first) < 0) {
		web_error(r, 400, "invalid", "period must be a month like 2026-11, got \"%s\"",
			  period);
		return;
	}
	conn = hub_scope_begin(r);
	if (!conn)
		return;
	rc = billing_statement(conn, hub->cfg, provider, period, csv, &text, &len, &error);
	hub_scope_end(r, rc == 0);
	if (rc < 0) {
		reply_error(r, conn, rc, error);
		return;
	}
	if (csv)
		disposition = g_strdup_printf("attachment; filename=\"vuoro-billing-%s-%s.csv\"",
					      provider, period);
	reply_text(r, text, len, csv ? "text/csv; charset=utf-8" : "application/json", disposition);
}

/* GET /api/hub/billing/periods */
static void api_periods(struct web_req *r)
{
	g_autoptr(GError) error = NULL;
	PGconn *conn = hub_scope_begin(r);
	char *text = NULL;
	gsize len = 0;
	int rc;

	if (!conn)
		return;
	rc = billing_periods(conn, hub_of(r)->cfg,
			     r->caller.role == HUB_ROLE_PROVIDER ? r->caller.provider : NULL, &text,
			     &len, &error);
	hub_scope_end(r, rc == 0);
	if (rc < 0)
		reply_error(r, conn, rc, error);
	else
		reply_text(r, text, len, "application/json", NULL);
}

/* POST /api/hub/billing/periods/YYYY-MM/close (admin) */
static void api_close(struct web_req *r)
{
	g_autoptr(GError) error = NULL;
	const char *period = r->seg[4];
	g_autoptr(JsonBuilder) b = json_builder_new();
	PGconn *conn;
	int rc;

	conn = hub_scope_begin(r);
	if (!conn)
		return;
	rc = billing_close(conn, hub_of(r)->cfg, period, r->caller.user, &error);
	if (rc == 0 && hub_scope_end(r, true) < 0) {
		web_error(r, 500, "database", "the close was not stored: see the hub's log");
		return;
	}
	if (rc < 0) {
		hub_scope_end(r, false);
		reply_error(r, conn, rc, error);
		return;
	}
	g_message("billing: %s closed by %s", period, r->caller.user);
	json_builder_begin_object(b);
	web_json_add_str(b, "period", period);
	web_json_add_str(b, "state", "closed");
	json_builder_end_object(b);
	web_reply_builder(r, 200, b);
}

#define BILLING_READERS (HUB_ROLE_ADMIN | HUB_ROLE_MANAGER | HUB_ROLE_PROVIDER)

static const struct web_field billing_no_fields[] = {WEB_FIELDS_END};

const struct web_route billing_routes[] = {
    {"GET", "/api/hub/billing/statements", BILLING_READERS, api_statement, NULL},
    {"GET", "/api/hub/billing/periods", BILLING_READERS, api_periods, NULL},
    {"POST", "/api/hub/billing/periods/*/close", HUB_ROLE_ADMIN, api_close, billing_no_fields},
};
const size_t billing_n_routes = G_N_ELEMENTS(billing_routes);
