/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report_pilot: the figures of report_pilot.h.  Each figure lands in the
 * cells it counts for as its row is read (its own, its provider's or
 * booth's "*" and the site's, for its period and the whole range), so the
 * output is a walk over cells kept in output order; the tables are a pilot
 * site's (thousands of rows), so values for percentiles are kept per cell
 * and sorted.
 */

#include "report_pilot.h"
#include "report.h"
#include "json.h"

#include <errno.h>
#include <math.h>
#include <string.h>

GQuark report_pilot_error_quark(void);
G_DEFINE_QUARK(vuoro - report - pilot - error - quark, report_pilot_error)

#define ALL        "*"
#define MAX_ID     999
#define DAY_MIN    1440
#define N_BOOTH_OF 4 /* (booth, provider), (booth, *), (0, provider), (0, *) */

enum booth_end {
	END_SERVED = 0,
	END_NO_ANSWER,
	END_NETWORK_LOST,
	END_CUSTOMER_LEFT,
	END_ERROR,
	N_ENDS
};
static const char *const end_names[N_ENDS] = {"served", "no_answer", "network_lost",
					      "customer_left", "error"};
/* sessions.end_reason for each (session_state.c). */
static const char *const end_reasons[N_ENDS] = {"expert_ended", "no_answer", "network_lost",
						"customer_left", "error"};

struct bcell {
	int64_t open_s, session_s;
	unsigned sessions, ends[N_ENDS], left;
	GArray *waits; /* int */
};

struct pcell {
	unsigned events, prev, resolved, referred, follow_up, chains, new_services;
	int64_t staff_s;
};

/* A row's key and its cells, one per period and the total. */
struct entry {
	int booth; /* booths; -1 for the pilot's */
	char *provider, *service;
	gpointer cells;
	int *days; /* pilot, real (provider, service) keys: events per day from from - n */
};

struct booth {
	int id;
	uint8_t minutes[7][DAY_MIN]; /* open in the minute, Monday first */
	int64_t *open, *busy;        /* per service day */
};

struct report_pilot {
	const struct report_frame *f; /* valid while report.c's report lives */
	GPtrArray *booths;            /* struct booth *, by id */
	GPtrArray *bentries, *pentries;
	GHashTable *bidx, *pidx; /* key text → struct entry * */
	unsigned what;
};

static void entry_free(gpointer data)
{
	struct entry *e = data;

	if (e->booth >= 0 && e->cells) {
		struct bcell *c = e->cells;

		for (guint i = 0; c[i].waits; i++)
			g_array_unref(c[i].waits);
	}
	g_free(e->cells);
	g_free(e->days);
	g_free(e->provider);
	g_free(e->service);
	g_free(e);
}

static void booth_free(gpointer data)
{
	struct booth *b = data;

	g_free(b->open);
	g_free(b->busy);
	g_free(b);
}

void report_pilot_free(struct report_pilot *p)
{
	if (!p)
		return;
	g_ptr_array_unref(p->booths);
	g_hash_table_unref(p->bidx);
	g_hash_table_unref(p->pidx);
	g_ptr_array_unref(p->bentries);
	g_ptr_array_unref(p->pentries);
	g_free(p);
}

static guint n_cells(const struct report_pilot *p)
{
	return p->f->n_periods + 1;
}

static guint period_of(const struct report_pilot *p, int32_t day)
{
	return (guint)p->f->period_of[day - p->f->from_day];
}

static struct bcell *bcells(struct report_pilot *p, int booth, const char *provider)
{
	g_autofree char *key = g_strdup_printf("%d\t%s", booth, provider);
	struct entry *e = g_hash_table_lookup(p->bidx, key);

	if (!e) {
		struct bcell *c = g_new0(struct bcell, n_cells(p) + 1); /* + an end mark */

		for (guint i = 0; i < n_cells(p); i++)
			c[i].waits = g_array_new(FALSE, FALSE, sizeof(int));
		e = g_new0(struct entry, 1);
		e->booth = booth;
		e->provider = g_strdup(provider);
		e->cells = c;
		g_ptr_array_add(p->bentries, e);
		g_hash_table_insert(p->bidx, g_steal_pointer(&key), e);
	}
	return e->cells;
}

static struct entry *pentry(struct report_pilot *p, const char *provider, const char *service)
{
	g_autofree char *key = g_strdup_printf("%s\t%s", provider, service);
	struct entry *e = g_hash_table_lookup(p->pidx, key);

	if (!e) {
		e = g_new0(struct entry, 1);
		e->booth = -1;
		e->provider = g_strdup(provider);
		e->service = g_strdup(service);
		e->cells = g_new0(struct pcell, n_cells(p));
		if (strcmp(provider, ALL) != 0 && strcmp(service, ALL) != 0)
			e->days = g_new0(int, 2 * (p->f->to_day - p->f->from_day) + 1);
		g_ptr_array_add(p->pentries, e);
		g_hash_table_insert(p->pidx, g_steal_pointer(&key), e);
	}
	return e;
}

/* The pilot cells a (provider, service) row counts in: its own, its
 * provider's and the site's. */
static void pcells(struct report_pilot *p, const char *provider, const char *service, guint period,
		   struct pcell *ret[3])
{
	ret[0] = &((struct pcell *)pentry(p, provider, service)->cells)[period];
	ret[1] = &((struct pcell *)pentry(p, provider, ALL)->cells)[period];
	ret[2] = &((struct pcell *)pentry(p, ALL, ALL)->cells)[period];
}

/* ---------------------------------------------------------------------- */
/* Booths */

static struct booth *booth_find(const struct report_pilot *p, int id)
{
	for (guint i = 0; i < p->booths->len; i++)
		if (((struct booth *)p->booths->pdata[i])->id == id)
			return p->booths->pdata[i];
	return NULL;
}

static struct booth *booth_get(struct report_pilot *p, int id)
{
	struct booth *b = booth_find(p, id);

	if (b || id <= 0 || id > MAX_ID)
		return b;
	b = g_new0(struct booth, 1);
	b->id = id;
	b->open = g_new0(int64_t, MAX(p->f->n_days, 1));
	b->busy = g_new0(int64_t, MAX(p->f->n_days, 1));
	g_ptr_array_add(p->booths, b);
	return b;
}

/* The minutes of the booth's remote services (all its services when none is
 * remote). */
static void booth_hours(struct booth *b, const struct config *cfg, const struct config_counter *c)
{
	bool remote = false;

	for (guint i = 0; i < c->profile->len; i++) {
		const struct config_profile_entry *pe =
		    &g_array_index(c->profile, struct config_profile_entry, i);

		remote |= config_service_get(cfg, pe->service)->kind == CONFIG_SERVICE_REMOTE;
	}
	for (guint i = 0; i < c->profile->len; i++) {
		const struct config_profile_entry *pe =
		    &g_array_index(c->profile, struct config_profile_entry, i);
		const struct config_service *s = config_service_get(cfg, pe->service);

		if (remote && s->kind != CONFIG_SERVICE_REMOTE)
			continue;
		for (int w = 0; w < 7; w++)
			for (int m = s->hours[w].open_min; m < s->hours[w].close_min && m < DAY_MIN;
			     m++)
				b->minutes[w][m] = 1;
	}
}

static int64_t local_time(GTimeZone *tz, int32_t day, int minute)
{
	GDate d;
	g_autoptr(GDateTime) dt = NULL;

	g_date_clear(&d, 1);
	g_date_set_julian(&d, (guint32)(day + 719163));
	dt = g_date_time_new(tz, g_date_get_year(&d), g_date_get_month(&d), g_date_get_day(&d), 0,
			     0, 0);
	return dt ? g_date_time_to_unix(dt) + 60 * minute : 0;
}

/* Open seconds per service day: the hours' runs on the day's date, cut at
 * now. */
static void booth_open_days(const struct report_pilot *p, struct booth *b)
{
	const struct report_frame *f = p->f;

	for (int d = 0; d < f->n_days; d++) {
		int32_t day = f->from_day + d;
		int w = (int)(((day + 3) % 7 + 7) % 7);

		for (int m = 0; m < DAY_MIN;) {
			int end;

			if (!b->minutes[w][m]) {
				m++;
				continue;
			}
			for (end = m; end < DAY_MIN && b->minutes[w][end]; end++)
				;
			{
				int64_t a = local_time(f->tz, day, m);
				int64_t z = MIN(local_time(f->tz, day, end), f->now);

				if (z > a)
					b->open[d] += z - a;
			}
			m = end;
		}
	}
}

static int pilot_prepare(struct store *s, const char *sql, sqlite3_stmt **st, GError **error)
{
	if (sqlite3_prepare_v2(store_db(s), sql, -1, st, NULL) != SQLITE_OK) {
		g_set_error(error, report_pilot_error_quark(), EIO, "the report cannot be read: %s",
			    sqlite3_errmsg(store_db(s)));
		return -EIO;
	}
	return 0;
}

static int pilot_done(struct store *s, sqlite3_stmt *st, int rc, GError **error)
{
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		g_set_error(error, report_pilot_error_quark(), EIO, "the report cannot be read: %s",
			    sqlite3_errmsg(store_db(s)));
		return -EIO;
	}
	return 0;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	const char *v = (const char *)sqlite3_column_text(st, i);

	return v ? v : "";
}

/* The booth cells a row of @booth and @provider counts in, for @period and
 * the total. */
static void booth_cells(struct report_pilot *p, int booth, const char *provider, guint period,
			struct bcell *ret[2 * N_BOOTH_OF])
{
	struct bcell *of[N_BOOTH_OF] = {
	    booth > 0 ? bcells(p, booth, provider) : NULL,
	    booth > 0 ? bcells(p, booth, ALL) : NULL,
	    bcells(p, 0, provider),
	    bcells(p, 0, ALL),
	};

	for (int i = 0; i < N_BOOTH_OF; i++) {
		ret[2 * i] = of[i] ? &of[i][period] : NULL;
		ret[2 * i + 1] = of[i] ? &of[i][p->f->n_periods] : NULL;
	}
}

static int read_sessions(struct report_pilot *p, struct store *s, GError **error)
{
	sqlite3_stmt *st = NULL;
	int rc = pilot_prepare(s,
			       "SELECT booth, day, provider, end_reason, created_at, ended_at "
			       "FROM sessions WHERE day >= ?1 AND day < ?2",
			       &st, error);

	if (rc < 0)
		return rc;
	sqlite3_bind_int(st, 1, p->f->from_day);
	sqlite3_bind_int(st, 2, p->f->to_day);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int id = sqlite3_column_int(st, 0);
		int32_t day = sqlite3_column_int(st, 1);
		const char *reason = col_text(st, 3);
		int64_t created = sqlite3_column_int64(st, 4);
		int64_t ended = sqlite3_column_int64(st, 5);
		int64_t in_session = ended > created ? ended - created : 0;
		struct booth *b = booth_get(p, id);
		struct bcell *c[2 * N_BOOTH_OF];
		int end = -1;

		if (!b)
			continue;
		b->busy[day - p->f->from_day] += in_session;
		if (!(p->what & REPORT_PILOT_BOOTHS))
			continue;
		for (int i = 0; i < N_ENDS; i++)
			if (strcmp(reason, end_reasons[i]) == 0)
				end = i;
		booth_cells(p, id, col_text(st, 2), period_of(p, day), c);
		for (int i = 0; i < 2 * N_BOOTH_OF; i++) {
			if (!c[i])
				continue;
			c[i]->sessions++;
			c[i]->session_s += in_session;
			if (end >= 0)
				c[i]->ends[end]++;
		}
	}
	return pilot_done(s, st, rc, error);
}

static int read_remote_visits(struct report_pilot *p, struct store *s, GError **error)
{
	sqlite3_stmt *st = NULL;
	int rc = pilot_prepare(s,
			       "SELECT v.counter, v.day, v.provider, v.outcome, v.issued_at, "
			       "v.called_at FROM visits v JOIN services sv ON sv.code = v.service "
			       "WHERE sv.kind = 'remote' AND v.day >= ?1 AND v.day < ?2",
			       &st, error);

	if (rc < 0)
		return rc;
	sqlite3_bind_int(st, 1, p->f->from_day);
	sqlite3_bind_int(st, 2, p->f->to_day);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int counter = sqlite3_column_int(st, 0);
		const char *outcome = col_text(st, 3);
		int64_t called = sqlite3_column_int64(st, 5);
		int wait = (int)(called - sqlite3_column_int64(st, 4));
		bool left = strcmp(outcome, "no_show") == 0 || strcmp(outcome, "cancelled") == 0;
		struct bcell *c[2 * N_BOOTH_OF];

		booth_cells(p, booth_find(p, counter) ? counter : 0, col_text(st, 2),
			    period_of(p, sqlite3_column_int(st, 1)), c);
		for (int i = 0; i < 2 * N_BOOTH_OF; i++) {
			if (!c[i])
				continue;
			c[i]->left += left;
			if (called > 0)
				g_array_append_val(c[i]->waits, wait);
		}
	}
	return pilot_done(s, st, rc, error);
}

/* A booth's open time in every row of it and in booth 0's. */
static void booths_open(struct report_pilot *p)
{
	guint np = p->f->n_periods;

	for (guint i = 0; i < p->booths->len; i++) {
		struct booth *b = p->booths->pdata[i];

		for (guint k = 0; k < p->bentries->len; k++) {
			struct entry *e = p->bentries->pdata[k];
			struct bcell *c = e->cells;

			if (e->booth != b->id && e->booth != 0)
				continue;
			for (int d = 0; d < p->f->n_days; d++) {
				c[period_of(p, p->f->from_day + d)].open_s += b->open[d];
				c[np].open_s += b->open[d];
			}
		}
	}
}

static int cmp_int(gconstpointer a, gconstpointer b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static int cmp_booth(gconstpointer a, gconstpointer b)
{
	const struct booth *x = *(struct booth *const *)a, *y = *(struct booth *const *)b;

	return (x->id > y->id) - (x->id < y->id);
}

/* "*" after every code; booth 0 after every booth. */
static int cmp_code(const char *a, const char *b)
{
	bool x = strcmp(a, ALL) == 0, y = strcmp(b, ALL) == 0;

	return x != y ? x - y : strcmp(a, b);
}

static int cmp_entry(gconstpointer a, gconstpointer b)
{
	const struct entry *x = *(struct entry *const *)a, *y = *(struct entry *const *)b;

	if (x->booth != y->booth)
		return x->booth == 0   ? 1
		       : y->booth == 0 ? -1
				       : (x->booth > y->booth) - (x->booth < y->booth);
	if (cmp_code(x->provider, y->provider))
		return cmp_code(x->provider, y->provider);
	return x->service ? cmp_code(x->service, y->service) : 0;
}

/* ---------------------------------------------------------------------- */
/* Pilot */

static bool is_event(const char *outcome)
{
	static const char *const not [] = {"no_show", "cancelled", "voided", "reset",
					   "interrupted"};

	for (size_t i = 0; i < G_N_ELEMENTS(not ); i++)
		if (strcmp(outcome, not [i]) == 0)
			return false;
	return true;
}

/* The ticket being read: its (provider, service) entries and its providers'
 * ("*" service) entries, each once; entries are unique per key, so
 * pointers compare. */
struct chain {
	int64_t ticket;
	int32_t day;
	GPtrArray *pairs;     /* struct entry * */
	GPtrArray *providers; /* struct entry * */
};

static void chain_flush(struct report_pilot *p, struct chain *ch, struct entry *site)
{
	if (ch->ticket && ch->providers->len >= 2) {
		guint at[2] = {period_of(p, ch->day), p->f->n_periods};

		for (int k = 0; k < 2; k++) {
			((struct pcell *)site->cells)[at[k]].chains++;
			for (guint i = 0; i < ch->providers->len; i++)
				((struct pcell *)((struct entry *)ch->providers->pdata[i])
				     ->cells)[at[k]]
				    .chains++;
			for (guint i = 0; i < ch->pairs->len; i++)
				((struct pcell *)((struct entry *)ch->pairs->pdata[i])
				     ->cells)[at[k]]
				    .chains++;
		}
	}
	ch->ticket = 0;
	g_ptr_array_set_size(ch->pairs, 0);
	g_ptr_array_set_size(ch->providers, 0);
}

static void chain_add(struct chain *ch, struct entry *pair, struct entry *provider, int32_t day)
{
	if (!g_ptr_array_find(ch->pairs, pair, NULL))
		g_ptr_array_add(ch->pairs, pair);
	if (!g_ptr_array_find(ch->providers, provider, NULL))
		g_ptr_array_add(ch->providers, provider);
	ch->day = MIN(ch->day, day);
}

static int read_pilot_visits(struct report_pilot *p, struct store *s, GError **error)
{
	int32_t n = p->f->to_day - p->f->from_day, base = p->f->from_day - n;
	struct chain ch = {.pairs = g_ptr_array_new(), .providers = g_ptr_array_new()};
	struct entry *key[3] = {NULL, NULL, pentry(p, ALL, ALL)};
	sqlite3_stmt *st = NULL;
	/* Through the day index, or the whole table when the days hold most of
	 * it (report.c's reckoning). */
	int rc = pilot_prepare(s,
			       p->f->visits_scan
				   ? "SELECT ticket, day, provider, service, outcome FROM visits "
				     "NOT INDEXED WHERE day >= ?1 AND day < ?2 ORDER BY ticket, id"
				   : "SELECT ticket, day, provider, service, outcome FROM visits "
				     "WHERE day >= ?1 AND day < ?2 ORDER BY ticket, id",
			       &st, error);

	if (rc < 0)
		goto out;
	sqlite3_bind_int(st, 1, base);
	sqlite3_bind_int(st, 2, p->f->to_day);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t ticket = sqlite3_column_int64(st, 0);
		int32_t day = sqlite3_column_int(st, 1);
		const char *provider = col_text(st, 2);
		const char *service = col_text(st, 3);
		const char *outcome = col_text(st, 4);
		struct entry *e;

		/* Rows of one key come in runs (a ticket's service): look up once. */
		if (!key[0] || strcmp(key[0]->provider, provider) != 0 ||
		    strcmp(key[0]->service, service) != 0) {
			key[0] = pentry(p, provider, service);
			key[1] = pentry(p, provider, ALL);
		}
		e = key[0];
		if (is_event(outcome))
			e->days[day - base]++;
		if (day < p->f->from_day)
			continue;
		if (ticket != ch.ticket) {
			chain_flush(p, &ch, key[2]);
			ch.ticket = ticket;
			ch.day = day;
		}
		for (guint at = 0; at < 2; at++) {
			guint period = at ? p->f->n_periods : period_of(p, day);

			for (int i = 0; i < 3; i++) {
				struct pcell *c = &((struct pcell *)key[i]->cells)[period];

				c->events += is_event(outcome);
				c->resolved += strcmp(outcome, "resolved") == 0;
				c->referred += strcmp(outcome, "referred") == 0;
				c->follow_up += strcmp(outcome, "follow_up") == 0;
			}
		}
		if (is_event(outcome))
			chain_add(&ch, key[0], key[1], day);
	}
	chain_flush(p, &ch, key[2]);
	rc = pilot_done(s, st, rc, error);
out:
	g_ptr_array_unref(ch.pairs);
	g_ptr_array_unref(ch.providers);
	return rc;
}

/* Previous periods' events, from the days read. */
static void pilot_previous(struct report_pilot *p)
{
	const struct report_frame *f = p->f;
	int32_t n = f->to_day - f->from_day, base = f->from_day - n;
	guint len = p->pentries->len;

	for (guint k = 0; k < len; k++) {
		struct entry *e = p->pentries->pdata[k];

		if (!e->days)
			continue;
		for (guint at = 0; at <= f->n_periods; at++) {
			int32_t from = at < f->n_periods ? f->periods[at].from : f->from_day;
			int32_t to = at < f->n_periods ? f->periods[at].to : f->to_day;
			unsigned prev = 0;
			struct pcell *c[3];

			for (int32_t d = from - (to - from); d < from; d++)
				prev += (unsigned)e->days[d - base];
			pcells(p, e->provider, e->service, at, c);
			for (int i = 0; i < 3; i++)
				c[i]->prev += prev;
		}
	}
}

static void staff_add(struct report_pilot *p, const char *provider, int64_t start, int64_t end)
{
	const struct report_frame *f = p->f;

	start = MAX(start, f->day_start[0]);
	end = MIN(MIN(end, f->day_start[f->n_days]), f->now);
	for (int d = 0; d < f->n_days && start < end; d++) {
		int64_t a = MAX(start, f->day_start[d]), z = MIN(end, f->day_start[d + 1]);

		if (z <= a)
			continue;
		for (guint at = 0; at < 2; at++) {
			guint period = at ? f->n_periods : period_of(p, f->from_day + d);

			((struct pcell *)pentry(p, provider, ALL)->cells)[period].staff_s += z - a;
			((struct pcell *)pentry(p, ALL, ALL)->cells)[period].staff_s += z - a;
		}
	}
}

static int read_staff(struct report_pilot *p, struct store *s, GError **error)
{
	g_autofree int64_t *open_at = g_new0(int64_t, MAX_ID + 1);
	g_autofree char **who = g_new0(char *, MAX_ID + 1);
	sqlite3_stmt *st = NULL;
	int rc = pilot_prepare(
	    s,
	    "SELECT a.at, a.command = 'open', CASE WHEN json_valid(a.detail) THEN "
	    "json_extract(a.detail, '$.counter') END, u.provider FROM audit a "
	    "LEFT JOIN users u ON u.name = a.user WHERE a.command IN ('open', 'close') "
	    "AND a.at < ?1 ORDER BY a.id",
	    &st, error);

	if (rc < 0)
		return rc;
	sqlite3_bind_int64(st, 1, p->f->day_start[p->f->n_days]);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t at = sqlite3_column_int64(st, 0);
		int id = sqlite3_column_int(st, 2);

		if (id <= 0 || id > MAX_ID)
			continue;
		if (sqlite3_column_int(st, 1)) {
			if (!open_at[id]) {
				open_at[id] = at;
				who[id] = g_strdup(col_text(st, 3));
			}
		} else if (open_at[id]) {
			staff_add(p, who[id], open_at[id], at);
			open_at[id] = 0;
			g_clear_pointer(&who[id], g_free);
		}
	}
	for (int id = 1; id <= MAX_ID; id++) {
		if (open_at[id] && rc == SQLITE_DONE)
			staff_add(p, who[id], open_at[id], p->f->now);
		g_free(who[id]);
	}
	return pilot_done(s, st, rc, error);
}

static const struct config_service *service_of(const struct config *cfg, const char *code)
{
	for (guint i = 0; cfg && i < cfg->services->len; i++)
		if (strcmp(config_service_get(cfg, (int)i)->code, code) == 0)
			return config_service_get(cfg, (int)i);
	return NULL;
}

static void pilot_services(struct report_pilot *p)
{
	const struct config *cfg = p->f->cfg;

	pentry(p, ALL, ALL);
	for (guint i = 0; cfg && i < cfg->services->len; i++) {
		const struct config_service *sv = config_service_get(cfg, (int)i);
		const char *provider = config_provider_code(cfg, (int)i);
		struct pcell *c[3];

		pentry(p, provider, sv->code);
		if (sv->start_day < p->f->from_day || sv->start_day >= p->f->to_day)
			continue;
		for (guint at = 0; at < 2; at++) {
			pcells(p, provider, sv->code,
			       at ? p->f->n_periods : period_of(p, sv->start_day), c);
			for (int k = 0; k < 3; k++)
				c[k]->new_services++;
		}
	}
}

/* ---------------------------------------------------------------------- */

int report_pilot_run(struct store *s, const struct report_frame *f, unsigned what,
		     struct report_pilot **ret, GError **error)
{
	struct report_pilot *p = g_new0(struct report_pilot, 1);
	const struct config *cfg = f->cfg;
	int rc = 0;

	p->f = f;
	p->what = what;
	p->booths = g_ptr_array_new_with_free_func(booth_free);
	p->bentries = g_ptr_array_new_with_free_func(entry_free);
	p->pentries = g_ptr_array_new_with_free_func(entry_free);
	p->bidx = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	p->pidx = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	if (what & (REPORT_PILOT_BOOTHS | REPORT_PILOT_IDLE)) {
		for (guint i = 0; cfg && i < cfg->counters->len; i++) {
			const struct config_counter *c = g_ptr_array_index(cfg->counters, i);
			struct booth *b = c->expert ? booth_get(p, c->id) : NULL;

			if (b)
				booth_hours(b, cfg, c);
		}
		rc = read_sessions(p, s, error);
		for (guint i = 0; i < p->booths->len; i++)
			booth_open_days(p, p->booths->pdata[i]);
		g_ptr_array_sort(p->booths, cmp_booth);
	}
	if (rc == 0 && (what & REPORT_PILOT_BOOTHS)) {
		for (guint i = 0; i < p->booths->len; i++)
			bcells(p, ((struct booth *)p->booths->pdata[i])->id, ALL);
		bcells(p, 0, ALL);
		rc = read_remote_visits(p, s, error);
		booths_open(p);
		for (guint k = 0; k < p->bentries->len; k++) {
			struct bcell *c = ((struct entry *)p->bentries->pdata[k])->cells;

			for (guint i = 0; i < n_cells(p); i++)
				g_array_sort(c[i].waits, cmp_int);
		}
		g_ptr_array_sort(p->bentries, cmp_entry);
	}
	if (rc == 0 && (what & REPORT_PILOT_FIGURES)) {
		pilot_services(p);
		rc = read_pilot_visits(p, s, error);
		if (rc == 0)
			rc = read_staff(p, s, error);
		pilot_previous(p);
		g_ptr_array_sort(p->pentries, cmp_entry);
	}
	if (rc < 0) {
		report_pilot_free(p);
		return rc;
	}
	*ret = p;
	return 0;
}

GArray *report_pilot_booth_ids(const struct report_pilot *p)
{
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int));

	for (guint i = 0; i < p->booths->len; i++)
		g_array_append_val(ids, ((struct booth *)p->booths->pdata[i])->id);
	return ids;
}

bool report_pilot_booth_days(const struct report_pilot *p, int id, const int64_t **ret_open,
			     const int64_t **ret_busy)
{
	const struct booth *b = booth_find(p, id);

	if (!b)
		return false;
	*ret_open = b->open;
	*ret_busy = b->busy;
	return true;
}

/* ---------------------------------------------------------------------- */
/* Output: one row writer for JSON, CSV and the CSV's header */

struct out {
	JsonBuilder *b;
	GString *csv;
	bool header;
	int n; /* fields of the line so far */
};

static void out_name(struct out *o, const char *name)
{
	if (o->b) {
		json_builder_set_member_name(o->b, name);
		return;
	}
	if (o->n++)
		g_string_append_c(o->csv, ',');
	if (o->header)
		g_string_append(o->csv, name);
}

static void out_str(struct out *o, const char *name, const char *v)
{
	out_name(o, name);
	if (o->b && v)
		json_builder_add_string_value(o->b, v);
	else if (o->b)
		json_builder_add_null_value(o->b);
	else if (!o->header && v)
		report_csv_field(o->csv, v);
}

static void out_int(struct out *o, const char *name, int64_t v)
{
	out_name(o, name);
	if (o->b)
		json_builder_add_int_value(o->b, v);
	else if (!o->header)
		g_string_append_printf(o->csv, "%" G_GINT64_FORMAT, v);
}

/* round(10 · num / den) / 10: one decimal; null (CSV: empty) when den <= 0. */
static void out_ratio(struct out *o, const char *name, double num, double den)
{
	double v = den > 0 ? round(10.0 * num / den) / 10.0 : 0;

	out_name(o, name);
	if (o->b && den > 0)
		json_builder_add_double_value(o->b, v);
	else if (o->b)
		json_builder_add_null_value(o->b);
	else if (!o->header && den > 0)
		g_string_append_printf(o->csv, "%.1f", v);
}

static void out_int_or_null(struct out *o, const char *name, int v, bool has)
{
	out_name(o, name);
	if (o->b && has)
		json_builder_add_int_value(o->b, v);
	else if (o->b)
		json_builder_add_null_value(o->b);
	else if (!o->header && has)
		g_string_append_printf(o->csv, "%d", v);
}

static void out_begin(struct out *o)
{
	o->n = 0;
	if (o->b)
		json_builder_begin_object(o->b);
}

static void out_end(struct out *o)
{
	if (o->b)
		json_builder_end_object(o->b);
	else
		g_string_append(o->csv, "\r\n");
}

static const char *cell_period(const struct report_pilot *p, guint at)
{
	return at < p->f->n_periods ? p->f->periods[at].label : REPORT_TOTAL;
}

static void booth_row(struct out *o, const char *period, const struct entry *e,
		      const struct bcell *c)
{
	guint n = c->waits->len;
	const int *w = (const int *)c->waits->data;

	out_begin(o);
	out_str(o, "period", period);
	out_int(o, "booth", e->booth);
	out_str(o, "provider", e->provider);
	out_int(o, "open_s", c->open_s);
	out_int(o, "session_s", c->session_s);
	out_ratio(o, "occupancy_pct", 100.0 * (double)c->session_s, (double)c->open_s);
	out_int(o, "sessions", c->sessions);
	for (int i = 0; i < N_ENDS; i++)
		out_int(o, end_names[i], c->ends[i]);
	out_int(o, "left_before_served", c->left);
	out_int(o, "waited", n);
	out_int_or_null(o, "wait_median_s", n ? w[(n + 1) / 2 - 1] : 0, n > 0);
	out_int_or_null(o, "wait_p90_s", n ? w[(9 * n + 9) / 10 - 1] : 0, n > 0);
	out_end(o);
}

static void booths_out(const struct report_pilot *p, struct out *o)
{
	for (guint at = 0; at < n_cells(p); at++)
		for (guint k = 0; k < p->bentries->len; k++) {
			const struct entry *e = p->bentries->pdata[k];

			booth_row(o, cell_period(p, at), e, &((struct bcell *)e->cells)[at]);
		}
}

static void pilot_row(const struct report_pilot *p, struct out *o, const char *period,
		      const struct entry *e, const struct pcell *c)
{
	unsigned finished = c->resolved + c->referred + c->follow_up;
	bool svc = strcmp(e->service, ALL) != 0;
	const struct config_service *sv = svc ? service_of(p->f->cfg, e->service) : NULL;
	char date[16] = "";

	if (sv && sv->start_day) {
		g_autoptr(GDateTime) dt =
		    g_date_time_new_from_unix_utc((gint64)sv->start_day * 86400);

		g_snprintf(date, sizeof(date), "%04d-%02d-%02d", g_date_time_get_year(dt),
			   g_date_time_get_month(dt), g_date_time_get_day_of_month(dt));
	}
	out_begin(o);
	out_str(o, "period", period);
	out_str(o, "provider", e->provider);
	out_str(o, "service", e->service);
	out_int(o, "events", c->events);
	out_int(o, "previous_events", c->prev);
	out_ratio(o, "growth_pct", 100.0 * ((double)c->events - c->prev), c->prev);
	out_int(o, "resolved", c->resolved);
	out_int(o, "referred", c->referred);
	out_int(o, "follow_up", c->follow_up);
	out_ratio(o, "resolved_pct", 100.0 * c->resolved, finished);
	out_ratio(o, "referred_pct", 100.0 * c->referred, finished);
	out_int(o, "chains", c->chains);
	out_int_or_null(o, "staff_s", (int)c->staff_s, !svc);
	out_int(o, "new_services", c->new_services);
	out_str(o, "start_date", date[0] ? date : NULL);
	out_end(o);
}

static void figures_out(const struct report_pilot *p, struct out *o)
{
	for (guint at = 0; at < n_cells(p); at++)
		for (guint k = 0; k < p->pentries->len; k++) {
			const struct entry *e = p->pentries->pdata[k];

			pilot_row(p, o, cell_period(p, at), e, &((struct pcell *)e->cells)[at]);
		}
}

void report_pilot_booths_json(const struct report_pilot *p, JsonBuilder *b)
{
	struct out o = {.b = b};

	booths_out(p, &o);
}

void report_pilot_figures_json(const struct report_pilot *p, JsonBuilder *b)
{
	struct out o = {.b = b};

	figures_out(p, &o);
}

void report_pilot_booths_csv(const struct report_pilot *p, GString *s)
{
	struct bcell zero = {.waits = g_array_new(FALSE, FALSE, sizeof(int))};
	struct entry none = {.provider = ALL};
	struct out o = {.csv = s, .header = true};

	booth_row(&o, "", &none, &zero);
	g_array_unref(zero.waits);
	o.header = false;
	booths_out(p, &o);
}

void report_pilot_figures_csv(const struct report_pilot *p, GString *s)
{
	struct pcell zero = {0};
	struct entry none = {.provider = ALL, .service = ALL};
	struct out o = {.csv = s, .header = true};

	pilot_row(p, &o, "", &none, &zero);
	o.header = false;
	figures_out(p, &o);
}
