/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * desk: command → engine → durable store → bus.
 *
 * Invariant: the engine holds exactly what the store holds, plus the
 * commands whose results wait for their commit.  A command is applied to
 * the engine, its result committed in one transaction, and only then
 * published.  If the commit fails, the engine is rebuilt from the store;
 * if even that fails (the file is unreadable), the desk stays "degraded" and
 * retries the rebuild before the next command, refusing commands until then.
 *
 * Group commit, pipelined: the commands of one main-loop iteration form a
 * batch, committed on the writer thread while the main loop runs the next
 * commands on the engine (one batch in flight at a time, in order).  When a
 * batch fails, the ones gathered behind it fail too: they ran on an engine
 * that held it.
 */

#include "desk.h"

#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>

#include "auth.h"
#include "visit.h"

#define DESK_TICK_S 20
/* How long the desk stays busy (batches on the writer thread) after the
 * last sign of clients waiting on one another. */
#define DESK_BUSY_US (100 * G_TIME_SPAN_MILLISECOND)

G_DEFINE_QUARK(vuoro - desk - error - quark, desk_error)

struct desk {
	const struct config *cfg;
	struct store *store;
	struct bus *bus;
	struct queue *queue;
	GTimeZone *tz;
	desk_clock_fn clock;
	gpointer clock_data;
	guint tick_source;
	gboolean degraded; /* the engine could not be rebuilt after a failed commit */
	struct queue_result tick_result;
	GPtrArray *pending; /* of struct desk_pending *: run, not yet committed */
	guint flush_source;
	/* The writer thread commits one batch at a time (to_writer); the batch
	 * in flight is the main thread's to finish once its commit is done
	 * (under lock; the writer signals cond and wake_fd). */
	GThread *writer;
	GAsyncQueue *to_writer;
	struct desk_batch *inflight;
	GMutex lock;
	GCond cond;
	gboolean inflight_done;
	int wake_fd;
	guint wake_source;
	/* Batches committed (or failed), to be published and answered in
	 * order; a desk_flush from a callback of one (finishing) only commits. */
	GQueue committed;
	gboolean finishing;
	/* A batch failed and is not finished yet: what is pending ran on an
	 * engine that held it, and waits to fail with it. */
	gboolean failed;
	/* Until then (monotonic µs) batches go to the writer: more than one
	 * command came in one loop iteration, or commands gathered behind a
	 * batch in flight.  A quiet desk commits on the loop, without the two
	 * thread hops. */
	gint64 busy_until;
	struct visits *visits;
	/* The opening-hour exceptions the engine reads: board-config's, then
	 * the imported ones (owned by @imported). */
	GPtrArray *exceptions;
	GPtrArray *imported;
	/* The latest time stored (audit rows), kept up on every commit: a
	 * clock before it (a board without a real-time clock, booted without
	 * network time) issues no ticket (desk_clock_behind). */
	int64_t last_time;
	/* The clock was behind at some point: the engine may hold the wrong
	 * day's numbers, rebuilt from the store once the clock is right. */
	gboolean clock_was_behind;
	/* The service day retention last ran on (desk_prune): at the start,
	 * then once a day whichever command rolled the day over. */
	int32_t pruned_day;
};

/* A command the engine ran whose result waits for the group commit. */
struct desk_pending {
	struct queue_result res;
	struct store_audit audit;
	char *user, *detail;
	struct visit_note *note; /* what goes into the visit it ends, NULL none */
	desk_done_fn done;
	gpointer data;
};

/* Results committed together, and how that went. */
struct desk_batch {
	GPtrArray *items; /* of struct desk_pending * */
	int rc;
	GError *error;
};

static void desk_pending_free(gpointer p)
{
	struct desk_pending *x = p;

	queue_result_free(&x->res);
	visit_note_free(x->note);
	g_free(x->user);
	g_free(x->detail);
	g_free(x);
}

static int64_t desk_real_clock(gpointer data)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

void desk_set_clock(struct desk *d, desk_clock_fn fn, gpointer data)
{
	d->clock = fn ? fn : desk_real_clock;
	d->clock_data = fn ? data : NULL;
}

void desk_time(struct desk *d, struct queue_time *ret)
{
	int64_t now = d->clock(d->clock_data);
	g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(now);
	g_autoptr(GDateTime) local = g_date_time_to_timezone(utc, d->tz);
	int64_t offset_s = g_date_time_get_utc_offset(local) / G_USEC_PER_SEC;
	int64_t local_s = now + offset_s;
	int32_t local_days = (int32_t)((local_s - (((local_s % 86400) + 86400) % 86400)) / 86400);
	uint8_t wday = (uint8_t)(g_date_time_get_day_of_week(local) - 1);
	uint16_t minute =
	    (uint16_t)(g_date_time_get_hour(local) * 60 + g_date_time_get_minute(local));

	queue_time_make(ret, now, local_days, wday, minute, d->cfg->reset_min);
}

/* A clock this far behind the store's latest time is a wrong clock, not
 * network time stepping back a little. */
#define DESK_CLOCK_SLACK_S 60

int64_t desk_clock_behind(struct desk *d)
{
	struct queue_time t;

	desk_time(d, &t);
	return t.now + DESK_CLOCK_SLACK_S < d->last_time ? d->last_time : 0;
}

static int desk_load(struct desk *d, GError **error);

/* An ISSUE with a clock before the stored time would give the ticket a
 * day and times before those it follows: refused, -ETIME. */
static int desk_check_clock(struct desk *d, const struct queue_cmd *cmd, const struct queue_time *t,
			    GError **error)
{
	g_autoptr(GDateTime) last = NULL;
	g_autofree char *when = NULL;

	if (t->now + DESK_CLOCK_SLACK_S >= d->last_time) {
		g_autoptr(GError) reload_error = NULL;

		if (!d->clock_was_behind)
			return 0;
		/* Loaded (or ticked) on the wrong day: today's numbers are in the
		 * store, not in the engine. */
		d->clock_was_behind = FALSE;
		g_message("the clock is right again: rebuilding the queue from the database");
		if (desk_load(d, &reload_error) < 0) {
			d->degraded = TRUE;
			g_warning("cannot rebuild the queue from the database: %s",
				  reload_error->message);
		}
		return 0;
	}
	d->clock_was_behind = TRUE;
	if (cmd->type != QUEUE_CMD_ISSUE)
		return 0;
	last = g_date_time_new_from_unix_utc(d->last_time);
	when = g_date_time_format(last, "%Y-%m-%d %H:%M:%S UTC");
	g_set_error(error, DESK_ERROR, ETIME,
		    "the clock is behind the last stored time (%s): no ticket is issued; set the "
		    "time or wait for network time",
		    when);
	return -ETIME;
}

static void desk_publish(struct desk *d, const struct queue_result *res)
{
	for (guint i = 0; i < res->events->len; i++) {
		const struct queue_event *ev = &g_array_index(res->events, struct queue_event, i);
		char topic[48];

		g_snprintf(topic, sizeof(topic), "queue.%s", queue_event_name(ev->type));
		bus_publish(d->bus, topic, ev);
	}
}

/* The arguments of a command as JSON, for the audit log. */
static char *desk_cmd_detail(const struct desk *d, const struct queue_cmd *cmd,
			     const struct queue_result *res)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) root = NULL;

	json_builder_begin_object(b);
	if (cmd->counter) {
		json_builder_set_member_name(b, "counter");
		json_builder_add_int_value(b, cmd->counter);
	}
	if (res->ticket) {
		json_builder_set_member_name(b, "ticket");
		json_builder_add_int_value(b, res->ticket);
	}
	if ((cmd->type == QUEUE_CMD_ISSUE || cmd->type == QUEUE_CMD_TRANSFER) &&
	    cmd->service >= 0) {
		json_builder_set_member_name(b, "service");
		json_builder_add_string_value(b, config_service_get(d->cfg, cmd->service)->code);
	}
	if (cmd->to_counter) {
		json_builder_set_member_name(b, "to_counter");
		json_builder_add_int_value(b, cmd->to_counter);
	}
	if (cmd->type == QUEUE_CMD_TRANSFER && cmd->transfer_note) {
		/* that there is one: its words stay with the visit (pruned) */
		json_builder_set_member_name(b, "note");
		json_builder_add_boolean_value(b, TRUE);
	}
	if (cmd->type == QUEUE_CMD_END) {
		json_builder_set_member_name(b, "outcome");
		json_builder_add_int_value(b, cmd->outcome);
		json_builder_set_member_name(b, "channel");
		json_builder_add_int_value(b, cmd->channel);
	}
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	return json_to_string(root, FALSE);
}

static int desk_void_ghosts(struct desk *d, GArray *ghosts)
{
	struct queue_result res;
	int rc = 0;

	queue_result_init(&res);
	for (guint i = 0; i < ghosts->len && rc == 0; i++) {
		uint32_t id = g_array_index(ghosts, uint32_t, i);
		struct queue_ticket t;
		struct queue_cmd cmd = {.type = QUEUE_CMD_VOID, .ticket = id, .service = -1};
		g_autoptr(GError) error = NULL;

		rc = store_ticket_get(d->store, d->cfg, id, &t, &error);
		if (rc == 0)
			rc = queue_restore_ticket(d->queue, &t);
		if (rc == 0)
			rc = desk_exec(d, &cmd, "system", &res, &error);
		if (rc < 0)
			g_warning("cannot void ticket %u that was never handed out: %s", id,
				  error ? error->message : g_strerror(-rc));
		else
			g_message("voided %s: committed but never handed out before the restart",
				  t.code);
	}
	queue_result_free(&res);
	return rc;
}

/* (Re)builds the engine from the store. */
static int desk_load(struct desk *d, GError **error)
{
	g_autoptr(Queue) q = queue_new(d->cfg);
	g_autoptr(GArray) ghosts = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	struct queue_time t;
	int rc;

	desk_time(d, &t);
	rc = store_queue_load(d->store, d->cfg, q, t.day, ghosts, error);
	if (rc < 0)
		return rc;
	queue_free(d->queue);
	d->queue = g_steal_pointer(&q);
	queue_set_exceptions(d->queue, d->exceptions);
	d->degraded = FALSE;
	if (ghosts->len)
		desk_void_ghosts(d, ghosts);
	return 0;
}

/* Personal fields older than [identity] retention-days go, once a day, and
 * the visitor register's rows older than [visitors] retention-days; and the
 * outbox's sent records older than [uplink] keep-days. */
static void desk_prune(struct desk *d)
{
	g_autoptr(GError) error = NULL;
	struct queue_time t;
	int n;

	desk_time(d, &t);
	d->pruned_day = t.day;
	n = store_prune_personal(d->store, t.now - (int64_t)d->cfg->identity_retention_days * 86400,
				 t.now, &error);
	if (n < 0)
		g_warning("pruning personal data: %s", error->message);
	else if (n > 0)
		g_message("retention: personal fields of %d records older than %d days cleared", n,
			  d->cfg->identity_retention_days);
	/* The visitor register's rows, whether or not the register is on now. */
	g_clear_error(&error);
	n = store_visitors_prune(d->store, t.now - (int64_t)d->cfg->visitors_retention_days * 86400,
				 &error);
	if (n < 0)
		g_warning("erasing the visitor register's old rows: %s", error->message);
	else if (n > 0)
		g_message("retention: %d visitor register rows older than %d days erased", n,
			  d->cfg->visitors_retention_days);
	if (!d->cfg->uplink)
		return;
	/* Records the hub has acknowledged stay [uplink] keep-days. */
	g_clear_error(&error);
	n = store_outbox_prune(d->store, t.now - (int64_t)d->cfg->uplink_keep_days * 86400, &error);
	if (n < 0)
		g_warning("pruning the outbox: %s", error->message);
	else if (n > 0)
		g_message("outbox: %d records sent more than %d days ago removed", n,
			  d->cfg->uplink_keep_days);
}

static gboolean desk_tick(gpointer data)
{
	struct desk *d = data;
	struct queue_time t;
	struct queue_cmd cmd = {.type = QUEUE_CMD_TICK, .service = -1};
	g_autoptr(GError) error = NULL;

	desk_time(d, &t);
	if (d->degraded || t.day != queue_day(d->queue)) {
		if (desk_exec(d, &cmd, "system", &d->tick_result, &error) < 0)
			g_warning("daily reset: %s", error->message);
	}
	/* Not tied to the reset above: a ticket drawn at 03:00:05 rolls the
	 * day over before this tick sees it. */
	if (t.day != d->pruned_day)
		desk_prune(d);
	return G_SOURCE_CONTINUE;
}

/* An imported row as the engine reads it; NULL (with a warning) when the
 * board-config changed under it (a service it names is gone). */
static struct config_hours_exception *desk_hours_row(const struct config *cfg,
						     const struct store_hours_exception *row)
{
	g_autoptr(JsonParser) p = json_parser_new();
	struct config_hours_exception *e = g_new0(struct config_hours_exception, 1);
	JsonObject *names = NULL;
	g_autofree char *what = NULL;
	const char *key = NULL;

	e->id = g_strdup(row->uid);
	e->row = row->id;
	e->date_text = g_strdup(row->date);
	e->closed_text = g_strdup(row->closed ? "yes" : "no");
	if (!row->closed)
		e->hours_text =
		    g_strdup_printf("%02d:%02d-%02d:%02d", row->open_min / 60, row->open_min % 60,
				    row->close_min / 60, row->close_min % 60);
	e->services_text = g_strdup(row->services);
	if (json_parser_load_from_data(p, row->names, -1, NULL) &&
	    JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
		names = json_node_get_object(json_parser_get_root(p));
	for (int l = 0; l < cfg->n_langs; l++) {
		const char *code = config_lang_code(cfg, l);
		const char *text = names && json_object_has_member(names, code)
				       ? json_object_get_string_member(names, code)
				       : NULL;

		e->name[l] = g_strdup(text && *text ? text : (l > 0 ? e->name[0] : row->uid));
	}
	if (config_hours_exception_check(cfg, e, &key, &what) < 0) {
		g_warning("opening-hour exception %s: %s: %s: left out", row->uid, key, what);
		config_hours_exception_free(e);
		return NULL;
	}
	return e;
}

static void desk_hours_add(const struct store_hours_exception *row, void *data)
{
	struct desk *d = data;
	struct config_hours_exception *e = desk_hours_row(d->cfg, row);

	if (e)
		g_ptr_array_add(d->imported, e);
}

int desk_hours_reload(struct desk *d, GError **error)
{
	g_autoptr(GPtrArray) old_imported = d->imported;
	g_autoptr(GPtrArray) old = d->exceptions;
	int rc;

	d->imported = g_ptr_array_new_with_free_func(config_hours_exception_free);
	rc = store_hours_exception_foreach(d->store, desk_hours_add, d, error);
	if (rc < 0) {
		g_ptr_array_unref(d->imported);
		d->imported = g_steal_pointer(&old_imported);
		d->exceptions = g_steal_pointer(&old);
		return rc;
	}
	d->exceptions = g_ptr_array_new();
	for (guint i = 0; i < d->cfg->hours_exceptions->len; i++)
		g_ptr_array_add(d->exceptions, g_ptr_array_index(d->cfg->hours_exceptions, i));
	for (guint i = 0; i < d->imported->len; i++)
		g_ptr_array_add(d->exceptions, g_ptr_array_index(d->imported, i));
	queue_set_exceptions(d->queue, d->exceptions);
	return 0;
}

const GPtrArray *desk_hours_exceptions(struct desk *d)
{
	return d->exceptions;
}

static struct desk_batch *desk_batch_take(struct desk *d)
{
	struct desk_batch *b = g_new0(struct desk_batch, 1);

	b->items = g_steal_pointer(&d->pending);
	d->pending = g_ptr_array_new_with_free_func(desk_pending_free);
	return b;
}

static void desk_batch_free(struct desk_batch *b)
{
	if (b->items)
		g_ptr_array_unref(b->items);
	g_clear_error(&b->error);
	g_free(b);
}

/* On the writer thread, or on the main one (desk_flush). */
static void desk_batch_commit(struct desk *d, struct desk_batch *b)
{
	g_autofree const struct queue_result **results =
	    g_new(const struct queue_result *, b->items->len);
	g_autofree struct store_audit *audits = g_new(struct store_audit, b->items->len);

	for (guint i = 0; i < b->items->len; i++) {
		struct desk_pending *p = b->items->pdata[i];

		results[i] = &p->res;
		audits[i] = p->audit;
	}
	b->rc = store_results_commit(d->store, d->cfg, b->items->len, results, audits, &b->error);
}

/* Publishes and answers a committed batch, or fails it and every command
 * gathered behind it, which ran on the engine it held. */
static void desk_batch_finish(struct desk *d, struct desk_batch *b)
{
	g_autoptr(GPtrArray) behind = NULL;

	store_outbox_notify_due(d->store);
	if (b->rc < 0) {
		g_autoptr(GError) reload_error = NULL;

		if (d->flush_source) {
			g_source_remove(d->flush_source);
			d->flush_source = 0;
		}
		behind = g_steal_pointer(&d->pending);
		d->pending = g_ptr_array_new_with_free_func(desk_pending_free);
		d->failed = FALSE;
		/* Nothing of the batch is stored: the engine forgets it too. */
		if (desk_load(d, &reload_error) < 0) {
			d->degraded = TRUE;
			g_warning("cannot rebuild the queue from the database: %s",
				  reload_error->message);
		}
	}
	for (guint i = 0; i < b->items->len; i++) {
		struct desk_pending *p = b->items->pdata[i];

		if (b->rc == 0) {
			d->last_time = MAX(d->last_time, p->audit.at);
			visit_result_committed(d->visits, &p->res);
			desk_publish(d, &p->res);
		}
		p->done(b->rc, b->error, &p->res, p->data);
	}
	for (guint i = 0; behind && i < behind->len; i++) {
		struct desk_pending *p = behind->pdata[i];

		p->done(b->rc, b->error, &p->res, p->data);
	}
	desk_batch_free(b);
}

/* Finishes the committed batches in order, unless called back from one:
 * the loop that runs it goes on with the rest. */
static void desk_drain(struct desk *d)
{
	struct desk_batch *b;

	if (d->finishing)
		return;
	d->finishing = TRUE;
	while ((b = g_queue_pop_head(&d->committed)))
		desk_batch_finish(d, b);
	d->finishing = FALSE;
}

static void desk_committed(struct desk *d, struct desk_batch *b)
{
	if (b->rc < 0)
		d->failed = TRUE;
	g_queue_push_tail(&d->committed, b);
}

static gpointer desk_writer(gpointer data)
{
	struct desk *d = data;
	struct desk_batch *b;
	uint64_t one = 1;

	while ((b = g_async_queue_pop(d->to_writer))->items) {
		desk_batch_commit(d, b);
		g_mutex_lock(&d->lock);
		d->inflight_done = TRUE;
		g_cond_signal(&d->cond);
		g_mutex_unlock(&d->lock);
		if (write(d->wake_fd, &one, sizeof(one)) < 0)
			g_warning("desk: cannot wake the main loop: %s", g_strerror(errno));
	}
	desk_batch_free(b);
	return NULL;
}

/* Hands what is pending to the writer unless a batch is in flight (its
 * end sends the next) or one failed. */
static void desk_dispatch(struct desk *d)
{
	if (d->inflight || d->failed || d->pending->len == 0)
		return;
	d->inflight = desk_batch_take(d);
	d->inflight_done = FALSE; /* the writer is idle: no lock needed */
	g_async_queue_push(d->to_writer, d->inflight);
}

/* Waits for the batch in flight; once it is stored the writer starts on
 * what gathered meanwhile (@next), before its answers go out. */
static void desk_wait(struct desk *d, gboolean next)
{
	struct desk_batch *b = d->inflight;

	if (!b)
		return;
	/* Called back from inside a store_* call, the writer would wait for
	 * the connection this thread holds, and this thread for the writer. */
	g_assert(!store_held(d->store));
	g_mutex_lock(&d->lock);
	while (!d->inflight_done)
		g_cond_wait(&d->cond, &d->lock);
	g_mutex_unlock(&d->lock);
	d->inflight = NULL;
	desk_committed(d, b);
	if (next)
		desk_dispatch(d);
}

static gboolean desk_woken(gint fd, GIOCondition condition, gpointer data)
{
	struct desk *d = data;
	uint64_t n;
	gboolean done;

	if (read(fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		g_warning("desk: reading the writer's wake-up: %s", g_strerror(errno));
	g_mutex_lock(&d->lock);
	done = d->inflight && d->inflight_done;
	g_mutex_unlock(&d->lock);
	if (done && d->pending->len) /* commands gathered behind it */
		d->busy_until = g_get_monotonic_time() + DESK_BUSY_US;
	if (done) /* else desk_flush took it already */
		desk_wait(d, TRUE);
	desk_drain(d);
	desk_dispatch(d);
	return G_SOURCE_CONTINUE;
}

struct desk *desk_new(const struct config *cfg, struct store *store, struct bus *bus,
		      GError **error)
{
	g_autoptr(Desk) d = g_new0(struct desk, 1);

	d->cfg = cfg;
	d->store = store;
	d->bus = bus;
	d->clock = desk_real_clock;
	d->tz = g_time_zone_new_identifier(cfg->timezone);
	if (!d->tz)
		d->tz = g_time_zone_new_local();
	queue_result_init(&d->tick_result);
	d->pending = g_ptr_array_new_with_free_func(desk_pending_free);
	g_queue_init(&d->committed);
	g_mutex_init(&d->lock);
	g_cond_init(&d->cond);
	d->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (d->wake_fd < 0) {
		g_set_error(error, DESK_ERROR, errno, "cannot make the desk's eventfd: %s",
			    g_strerror(errno));
		return NULL;
	}
	d->wake_source = g_unix_fd_add(d->wake_fd, G_IO_IN, desk_woken, d);
	d->to_writer = g_async_queue_new();
	d->writer = g_thread_new("desk-writer", desk_writer, d);
	d->visits = visits_new(d);
	if (desk_load(d, error) < 0 || desk_hours_reload(d, error) < 0 ||
	    store_last_time(store, &d->last_time, error) < 0)
		return NULL;
	d->clock_was_behind = desk_clock_behind(d) != 0;
	d->tick_source = g_timeout_add_seconds(DESK_TICK_S, desk_tick, d);
	desk_prune(d);
	return g_steal_pointer(&d);
}

void desk_free(struct desk *d)
{
	if (!d)
		return;
	if (d->pending)
		desk_flush(d);
	if (d->writer) {
		g_async_queue_push(d->to_writer, g_new0(struct desk_batch, 1)); /* stop */
		g_thread_join(d->writer);
	}
	if (d->to_writer)
		g_async_queue_unref(d->to_writer);
	if (d->wake_source)
		g_source_remove(d->wake_source);
	if (d->wake_fd >= 0)
		close(d->wake_fd);
	g_mutex_clear(&d->lock);
	g_cond_clear(&d->cond);
	if (d->flush_source)
		g_source_remove(d->flush_source);
	if (d->tick_source)
		g_source_remove(d->tick_source);
	if (d->pending)
		g_ptr_array_unref(d->pending);
	visits_free(d->visits);
	queue_free(d->queue);
	if (d->exceptions)
		g_ptr_array_unref(d->exceptions);
	if (d->imported)
		g_ptr_array_unref(d->imported);
	queue_result_free(&d->tick_result);
	if (d->tz)
		g_time_zone_unref(d->tz);
	g_free(d);
}

int desk_exec(struct desk *d, struct queue_cmd *cmd, const char *user, struct queue_result *res,
	      GError **error)
{
	g_autofree char *ref = NULL;
	g_autofree char *detail = NULL;
	g_autoptr(VisitNote) note = NULL;
	struct queue_time t;
	struct store_audit audit;
	int rc;

	/* Keep the order of commands that came before.  Called back from a
	 * batch being published (desk_drain), the result is published before
	 * the rest of it, as it runs before them. */
	desk_flush(d);
	if (d->failed) { /* only so called back: the engine holds a lost batch */
		queue_result_clear(res);
		g_set_error(error, DESK_ERROR, EIO,
			    "the last changes could not be saved: try again in a moment");
		return -EIO;
	}
	if (d->degraded && desk_load(d, NULL) < 0) {
		queue_result_clear(res);
		g_set_error(error, DESK_ERROR, EIO,
			    "the database cannot be read: nothing can be changed until a "
			    "technician checks it (vuoroctl db check)");
		return -EIO;
	}
	if (cmd->type == QUEUE_CMD_ISSUE && !cmd->ref) {
		ref = auth_ref_new();
		cmd->ref = ref;
	}
	desk_time(d, &t);
	rc = desk_check_clock(d, cmd, &t, error);
	if (rc < 0) {
		queue_result_clear(res);
		return rc;
	}
	if (cmd->type != QUEUE_CMD_TICK && t.day != queue_day(d->queue)) {
		/* A new service day: commit the daily reset on its own first, so
		 * that a refused command does not take it down with it. */
		struct queue_cmd tick = {.type = QUEUE_CMD_TICK, .service = -1};

		rc = desk_exec(d, &tick, "system", res, error);
		if (rc < 0)
			return rc;
	}
	rc = queue_exec(d->queue, cmd, &t, res);
	if (rc < 0) {
		g_set_error(error, DESK_ERROR, -rc, "%s", res->reason);
		return rc;
	}
	detail = desk_cmd_detail(d, cmd, res);
	note = visit_note_new(d->visits, cmd, res);
	audit = (struct store_audit){
	    .at = t.now,
	    .user = user ? user : "kiosk",
	    .command = queue_cmd_name(cmd->type),
	    .detail = detail,
	    .visit = visit_note_row(note),
	};
	rc = store_result_commit(d->store, d->cfg, res, &audit, error);
	if (rc < 0) {
		g_autoptr(GError) reload_error = NULL;

		queue_result_clear(res);
		if (desk_load(d, &reload_error) < 0) {
			d->degraded = TRUE;
			g_warning("cannot rebuild the queue from the database: %s",
				  reload_error->message);
		}
		return rc;
	}
	d->last_time = MAX(d->last_time, t.now);
	visit_result_committed(d->visits, res);
	desk_publish(d, res);
	return 0;
}

/* The commands one loop iteration ran: a batch for the writer thread while
 * the desk is busy (the loop goes on with the next commands as it
 * commits), else committed and answered here. */
static gboolean desk_flush_idle(gpointer data)
{
	struct desk *d = data;
	gint64 now = g_get_monotonic_time();

	d->flush_source = 0;
	if (d->pending->len > 1)
		d->busy_until = now + DESK_BUSY_US;
	if (d->inflight || d->failed || now < d->busy_until)
		desk_dispatch(d); /* a batch in flight: its end sends this one */
	else
		desk_flush(d);
	return G_SOURCE_REMOVE;
}

void desk_flush(struct desk *d)
{
	if (d->flush_source) {
		g_source_remove(d->flush_source);
		d->flush_source = 0;
	}
	desk_wait(d, FALSE);
	if (d->pending->len && !d->failed) {
		/* Take the batch out first: callbacks may submit again. */
		struct desk_batch *b = desk_batch_take(d);

		desk_batch_commit(d, b);
		desk_committed(d, b);
	}
	desk_drain(d);
}

int desk_submit(struct desk *d, struct queue_cmd *cmd, const char *user, struct queue_result *res,
		GError **error, desk_done_fn done, gpointer data)
{
	g_autofree char *ref = NULL;
	struct desk_pending *p;
	struct queue_time t;
	int rc;

	desk_time(d, &t);
	if (d->clock_was_behind || d->degraded || t.day != queue_day(d->queue)) {
		/* Rare: a rebuild or the daily reset goes first; take the
		 * plain, synchronous way. */
		rc = desk_exec(d, cmd, user, res, error);
		return rc < 0 ? rc : 1;
	}
	if (cmd->type == QUEUE_CMD_ISSUE && !cmd->ref) {
		ref = auth_ref_new();
		cmd->ref = ref;
	}
	rc = desk_check_clock(d, cmd, &t, error);
	if (rc < 0) {
		queue_result_clear(res);
		return rc;
	}
	p = g_new0(struct desk_pending, 1);
	queue_result_init(&p->res);
	rc = queue_exec(d->queue, cmd, &t, &p->res);
	if (rc < 0) {
		g_set_error(error, DESK_ERROR, -rc, "%s", p->res.reason);
		/* The caller words its answer from res (refusal, reason). */
		queue_result_clear(res);
		res->refusal = p->res.refusal;
		res->refusal_min = p->res.refusal_min;
		memcpy(res->reason, p->res.reason, sizeof(res->reason));
		desk_pending_free(p);
		return rc;
	}
	p->user = g_strdup(user ? user : "kiosk");
	p->detail = desk_cmd_detail(d, cmd, &p->res);
	p->note = visit_note_new(d->visits, cmd, &p->res);
	p->audit = (struct store_audit){
	    .at = t.now,
	    .user = p->user,
	    .command = queue_cmd_name(cmd->type),
	    .detail = p->detail,
	    .visit = visit_note_row(p->note),
	};
	p->done = done;
	p->data = data;
	if (cmd->ref == ref)
		cmd->ref = NULL;
	g_ptr_array_add(d->pending, p);
	if (!d->flush_source)
		d->flush_source = g_idle_add_full(G_PRIORITY_HIGH_IDLE, desk_flush_idle, d, NULL);
	return 0;
}

int desk_checkin(struct desk *d, const char *code, uint8_t lang, gboolean handed_out,
		 struct queue_result *res, GError **error)
{
	struct store_appointment a = {0};
	struct queue_time t;
	struct queue_cmd cmd = {.type = QUEUE_CMD_ISSUE, .lang = lang, .handed_out = handed_out};
	int rc;

	rc = store_appointment_by_code(d->store, d->cfg, code, &a, error);
	if (rc == -ENOENT) {
		g_clear_error(error);
		g_set_error(error, DESK_ERROR, ENOENT,
			    "booking code %s was not found: check the code in your confirmation, "
			    "or draw an ordinary ticket",
			    code);
	}
	if (rc < 0)
		goto out;
	desk_time(d, &t);
	if (a.state == STORE_APPOINTMENT_ARRIVED) {
		rc = -EALREADY;
		g_set_error(error, DESK_ERROR, EALREADY,
			    "booking %s has already been checked in: follow your ticket", code);
		goto out;
	}
	if (a.state == STORE_APPOINTMENT_CANCELLED) {
		rc = -ESTALE;
		g_set_error(error, DESK_ERROR, ESTALE,
			    "booking %s was cancelled: draw an ordinary ticket or book again",
			    code);
		goto out;
	}
	if (a.at > t.now + 12 * 3600 || a.at < t.now - 12 * 3600) {
		g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(a.at);
		g_autoptr(GDateTime) local = g_date_time_to_timezone(utc, d->tz);
		g_autofree char *when = g_date_time_format(local, "%d.%m.%Y %H:%M");

		rc = -ERANGE;
		g_set_error(error, DESK_ERROR, ERANGE,
			    "booking %s is for %s, not today: come back then, or draw an ordinary "
			    "ticket",
			    code, when);
		goto out;
	}
	cmd.service = a.service;
	cmd.appointment = a.id;
	cmd.booked_at = a.at;
	cmd.to_counter = (int16_t)a.booth;
	rc = desk_exec(d, &cmd, "kiosk", res, error);
	if (rc < 0)
		goto out;
	{
		const struct queue_ticket *ticket =
		    &g_array_index(res->tickets, struct queue_ticket, 0);
		struct desk_arrival arrival = {.appointment = &a, .ticket = ticket};
		g_autoptr(GError) mark_error = NULL;

		if (store_appointment_arrive(d->store, a.id, ticket->id, &mark_error) < 0)
			g_warning("booking %s: ticket %s issued but not marked arrived: %s", code,
				  ticket->code, mark_error->message);
		a.state = STORE_APPOINTMENT_ARRIVED;
		a.ticket = ticket->id;
		bus_publish(d->bus, "appointment.arrived", &arrival);
	}
out:
	store_appointment_clear(&a);
	return rc;
}

struct visits *desk_visits(struct desk *d)
{
	return d->visits;
}

const struct config *desk_config(struct desk *d)
{
	return d->cfg;
}

struct queue *desk_queue(struct desk *d)
{
	return d->queue;
}

struct store *desk_store(struct desk *d)
{
	return d->store;
}
