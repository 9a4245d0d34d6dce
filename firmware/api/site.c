/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api/site: the service point as a whole: status for every page, the day's queue, health.
 */
#include "api_internal.h"
#include "catalog_route.h"
#include <errno.h>
#include <string.h>
#include "store.h"
#include "dispenser.h"
#include "displays.h"
#include "announcer.h"
#include "frontdesk.h"
#include "panel.h"
#include "http_guard.h"
#include "tls_cert.h"
#include "presence.h"
#include "uplink.h"
#include "notify.h"
#include <sys/statvfs.h>

static void api_status(struct web_req *r)
{
	struct api *api = api_of(r);
	const struct config *cfg = api->cfg;
	g_autoptr(JsonBuilder) b = json_builder_new();
	struct queue_time t;
	gboolean staff = (r->caller.role & AUTH_STAFF) != 0;

	desk_time(api->desk, &t);
	json_builder_begin_object(b);
	web_json_add_str(b, "site", cfg->site_name);
	web_json_add_int(b, "now", t.now);
	web_json_add_int(b, "day", t.day);
	/* The site's clock ([site] timezone): the pages show its times in it,
	 * whatever zone the phone or the screen's browser is set to. */
	web_json_add_str(b, "timezone", cfg->timezone);
	web_json_add_bool(b, "demo_hours", cfg->demo_hours);
	/* Holidays and special hours: today's date and the next ones. */
	api_hours_build_status(api, b, &t);
	/* Where a phone reaches the follow page ([printer] url-base): the
	 * kiosk's own address is the board's loopback. */
	web_json_add_str(b, "follow_base",
			 cfg->uplink && cfg->uplink_public_url ? cfg->uplink_public_url
							       : cfg->printer.url_base);
	web_json_add_bool(b, "identity_reader", api->identity != NULL);
	/* For the accessibility statement ([site] accessibility-*). */
	json_builder_set_member_name(b, "accessibility");
	json_builder_begin_object(b);
	web_json_add_str(b, "contact", cfg->a11y_contact);
	web_json_add_str(b, "authority", cfg->a11y_authority);
	json_builder_end_object(b);
	/* The kiosk's own settings ([kiosk]). */
	json_builder_set_member_name(b, "kiosk");
	json_builder_begin_object(b);
	web_json_add_int(b, "ticket_seconds", cfg->kiosk_ticket_s);
	web_json_add_str(b, "unstaffed",
			 cfg->kiosk_unstaffed == CONFIG_KIOSK_UNSTAFFED_HIDE ? "hide" : "show");
	json_builder_end_object(b);
	json_builder_set_member_name(b, "providers");
	json_builder_begin_array(b);
	for (guint i = 0; i < cfg->providers->len; i++) {
		const struct config_provider *p = g_ptr_array_index(cfg->providers, i);

		json_builder_begin_object(b);
		web_json_add_str(b, "code", p->code);
		api_add_names(b, cfg, p->name);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "services");
	json_builder_begin_array(b);
	for (guint i = 0; i < cfg->services->len; i++) {
		const struct config_service *svc = config_service_get(cfg, (int)i);
		struct queue_service_status st;
		char prefix[2] = {svc->prefix, 0};

		const char *why = api_service_unavailable(api, (int)i);
		int online, free;

		queue_service_status(desk_queue(api->desk), (int16_t)i, &t, &st);
		st.staffed = api_service_staffed(api, (int)i, &st);
		/* Open by the hours but nobody to answer (issue 16): refused as
		 * "no_expert" / "no_booth", with what to take instead. */
		why = st.open ? why : NULL;
		json_builder_begin_object(b);
		web_json_add_str(b, "code", svc->code);
		web_json_add_str(b, "prefix", prefix);
		web_json_add_str(b, "provider", config_provider_code(cfg, (int)i));
		web_json_add_str(b, "kind",
				 svc->kind == CONFIG_SERVICE_REMOTE ? "remote" : "counter");
		api_add_names(b, cfg, svc->name);
		web_json_add_bool(b, "open", st.open && !why);
		web_json_add_str(b, "refusal", why ? why : queue_refusal_name(st.refusal));
		if (why)
			api_add_instead(b, api, (int)i);
		/* The hub's word on the provider's experts, while it holds. */
		if (svc->kind == CONFIG_SERVICE_REMOTE &&
		    presence_of(uplink_presence(api->uplink), config_provider_code(cfg, (int)i),
				&online, &free)) {
			json_builder_set_member_name(b, "experts");
			json_builder_begin_object(b);
			web_json_add_int(b, "online", online);
			web_json_add_int(b, "free", free);
			json_builder_end_object(b);
		}
		web_json_add_int(b, "opens_min", st.opens_min);
		web_json_add_int(b, "closes_min", st.closes_min);
		web_json_add_int(b, "last_ticket_min", svc->last_ticket_min);
		api_hours_build_service(api, b, &st);
		/* The service card, next to the ticket on /advisor and /expert. */
		if (staff)
			api_add_service_card(b, cfg, svc);
		web_json_add_int(b, "waiting", st.waiting);
		web_json_add_int(b, "counters_open", st.counters_open);
		/* staffed: some open counter (or working booth) serves it.  Not
		 * staffed, no wait can be computed: wait_s is null, not a guess. */
		web_json_add_bool(b, "staffed", st.staffed);
		json_builder_set_member_name(b, "wait_s");
		if (st.staffed)
			json_builder_add_int_value(b, st.wait_s);
		else
			json_builder_add_null_value(b);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "counters");
	json_builder_begin_array(b);
	for (guint i = 0; i < cfg->counters->len; i++)
		api_build_counter(api, b, config_counter_get(cfg, (int)i), staff);
	json_builder_end_array(b);
	/* The waiting room's list of calls, newest first: the display fills it
	 * from here after a reload. */
	json_builder_set_member_name(b, "recent_calls");
	api_calls_build_recent(api->calls, b, t.day);
	json_builder_end_object(b);
	web_reply_builder(r, 200, b);
}

struct api_queue_walk {
	struct api *api;
	JsonBuilder *b;
	const struct queue_time *t;
	int service;       /* -1 all */
	GPtrArray *remote; /* api_live_remote's tickets */
};

#define API_LIVE_REMOTE_MAX 200

static void api_queue_ticket(const struct queue_ticket *tk, void *data)
{
	struct api_queue_walk *w = data;

	if (w->service >= 0 && tk->service != w->service)
		return;
	api_build_ticket(w->api, w->b, tk, w->t);
}

static void api_queue(struct web_req *r)
{
	struct api *api = api_of(r);
	const char *service = r->query ? g_hash_table_lookup(r->query, "service") : NULL;
	const char *day = r->query ? g_hash_table_lookup(r->query, "day") : NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	struct queue_time t;
	struct api_queue_walk w = {.api = api, .b = b, .t = &t, .service = -1};

	if (service) {
		w.service = config_service_find(api->cfg, service);
		if (w.service < 0) {
			web_error(r, 404, "not_found", "no service \"%s\"", service);
			return;
		}
	}
	desk_time(api->desk, &t);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "tickets");
	json_builder_begin_array(b);
	if (g_strcmp0(day, "today") == 0) {
		/* The whole service day from the store, finished tickets too. */
		g_autoptr(GError) error = NULL;

		if (store_tickets_of_day(desk_store(api->desk), api->cfg, t.day, api_queue_ticket,
					 &w, &error) < 0) {
			api_error_gerror(r, -EIO, error, NULL);
			return;
		}
	} else if (day) {
		web_error(r, 400, "invalid", "day: only \"today\" is known");
		return;
	} else {
		queue_foreach_ticket(desk_queue(api->desk), api_queue_ticket, &w);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	web_reply_builder(r, 200, b);
}

#define API_DISK_MIN_MB 64

/* Free space on the database's file system; 0 when it cannot be read. */
static int64_t api_disk_free_mb(const struct store *store, int64_t *ret_total_mb)
{
	g_autofree char *dir = g_path_get_dirname(store_path(store));
	struct statvfs st;

	*ret_total_mb = 0;
	if (statvfs(dir, &st) < 0)
		return 0;
	*ret_total_mb = (int64_t)((uint64_t)st.f_blocks * st.f_frsize / (1024 * 1024));
	return (int64_t)((uint64_t)st.f_bavail * st.f_frsize / (1024 * 1024));
}

/* What is wrong with the database's disk and what to do; NULL when fine. */
static char *api_disk_message(const struct store *store)
{
	g_autofree char *dir = g_path_get_dirname(store_path(store));
	int64_t total, free_mb = api_disk_free_mb(store, &total);

	if (store_read_only(store))
		return g_strdup_printf("disk: the database disk (%s) is read-only: nothing can be "
				       "saved — check the storage card and remount it read-write",
				       dir);
	if (free_mb < API_DISK_MIN_MB)
		return g_strdup_printf("disk: the database disk (%s) has %" G_GINT64_FORMAT
				       " MB free: vuoro needs %d MB — remove old backups or logs",
				       dir, free_mb, API_DISK_MIN_MB);
	return NULL;
}

static void api_build_disk(JsonBuilder *b, const struct store *store, const char *message)
{
	g_autofree char *dir = g_path_get_dirname(store_path(store));
	int64_t total, free_mb = api_disk_free_mb(store, &total);

	json_builder_set_member_name(b, "disk");
	json_builder_begin_object(b);
	web_json_add_bool(b, "ok", message == NULL);
	web_json_add_str(b, "path", dir);
	web_json_add_int(b, "free_mb", free_mb);
	web_json_add_int(b, "total_mb", total);
	web_json_add_bool(b, "read_only", store_read_only(store));
	web_json_add_str(b, "message", message);
	json_builder_end_object(b);
}

static void api_fault_free(gpointer p)
{
	struct api_fault *f = p;

	g_free(f->device);
	g_free(f->code);
	g_free(f->message);
	g_free(f);
}

/* @message taken. */
static void api_fault_add(GPtrArray *faults, const char *device, const char *code, char *message)
{
	struct api_fault *f = g_new0(struct api_fault, 1);

	f->device = g_strdup(device);
	f->code = g_strdup(code);
	f->message = message;
	g_ptr_array_add(faults, f);
}

/* The printer's fault as an identifier (the outbox's fault records). */
static const char *api_printer_code(const struct dispenser_printer_state *p)
{
	if (p->status.paper_end)
		return "paper_out";
	if (p->status.cover_open)
		return "cover_open";
	if (p->status.offline)
		return "offline";
	return "not_ready";
}

GPtrArray *api_faults(struct api *api)
{
	GPtrArray *faults = g_ptr_array_new_with_free_func(api_fault_free);
	struct dispenser_printer_state printer = {0};
	const char *gpio_why = NULL;
	char *disk = api_disk_message(desk_store(api->desk));
	char *fds, *failed;
	int64_t behind;

	if (api->dispenser)
		dispenser_state(api->dispenser, &printer);
	/* The self-test: every part's fault, in words that say what to do. */
	if (printer.known && !printer.ok)
		api_fault_add(
		    faults, "printer", api_printer_code(&printer),
		    g_strdup(printer.message[0] ? printer.message : "printer: not ready"));
	for (size_t i = 0; i < displays_count(api->displays); i++) {
		const struct displays_info *d = displays_get(api->displays, i);

		if ((d->state == DISPLAY_STATE_FAILED || d->state == DISPLAY_STATE_ERROR) &&
		    d->message) {
			g_autofree char *dev = g_strdup_printf("display-%zu", i + 1);

			api_fault_add(faults, dev,
				      d->state == DISPLAY_STATE_FAILED ? "failed" : "error",
				      g_strdup(d->message));
		}
	}
	if (api->frontdesk)
		frontdesk_panel(api->frontdesk, &gpio_why);
	if (gpio_why)
		api_fault_add(faults, "gpio", "fault", g_strdup_printf("gpio: %s", gpio_why));
	if (announcer_fault(api->announcer))
		api_fault_add(faults, "announcer", "fault",
			      g_strdup(announcer_fault(api->announcer)));
	if (disk)
		api_fault_add(faults, "disk",
			      store_read_only(desk_store(api->desk)) ? "read_only" : "low_space",
			      disk);
	else if ((failed = store_write_fault(desk_store(api->desk))))
		api_fault_add(faults, "disk", "failed", failed);
	if (tls_cert_watch_fault(api->tls_watch))
		api_fault_add(faults, "tls", "certificate",
			      g_strdup(tls_cert_watch_fault(api->tls_watch)));
	if (api->booths)
		for (size_t i = 0; i < api->cfg->counters->len; i++) {
			const struct config_counter *cc = config_counter_get(api->cfg, (int)i);
			const char *why = booths_fault_of(api->booths, cc->id);

			if (why) {
				g_autofree char *dev = g_strdup_printf("booth-%d", cc->id);

				api_fault_add(faults, dev, "fault",
					      g_strdup_printf("booth %d: %s", cc->id, why));
			}
		}
	if ((behind = desk_clock_behind(api->desk))) {
		g_autoptr(GDateTime) last = g_date_time_new_from_unix_utc(behind);
		g_autofree char *when = g_date_time_format(last, "%Y-%m-%d %H:%M:%S UTC");

		api_fault_add(
		    faults, "clock", "behind",
		    g_strdup_printf("clock: behind the last stored time (%s): no ticket is "
				    "issued until the time is set or network time comes",
				    when));
	}
	if ((fds = http_guard_fd_fault(80)))
		api_fault_add(faults, "fds", "exhausted", fds);
	if (api->uplink && uplink_fault(api->uplink))
		api_fault_add(faults, "uplink", "backlog", g_strdup(uplink_fault(api->uplink)));
	if (notify_fault(api->notify))
		api_fault_add(faults, "mail", "undelivered", g_strdup(notify_fault(api->notify)));
	return faults;
}

static void api_health(struct web_req *r)
{
	struct api *api = api_of(r);
	g_autoptr(JsonBuilder) b = json_builder_new();
	struct dispenser_printer_state printer = {0};
	g_autoptr(GPtrArray) faults = api_faults(api);
	const char *gpio_why = NULL;
	g_autofree char *disk = api_disk_message(desk_store(api->desk));
	struct queue_time t;

	if (api->dispenser)
		dispenser_state(api->dispenser, &printer);
	if (api->frontdesk)
		frontdesk_panel(api->frontdesk, &gpio_why);
	desk_time(api->desk, &t);
	json_builder_begin_object(b);
	web_json_add_str(b, "status", faults->len == 0 ? "ok" : "degraded");
	/* Anonymous callers learn ok or not; parts, paths and faults are for
	 * staff (any role that logged in). */
	if (!(r->caller.role & AUTH_STAFF)) {
		json_builder_end_object(b);
		web_reply_builder(r, 200, b);
		return;
	}
	json_builder_set_member_name(b, "faults");
	json_builder_begin_array(b);
	for (guint i = 0; i < faults->len; i++)
		json_builder_add_string_value(
		    b, ((const struct api_fault *)g_ptr_array_index(faults, i))->message);
	json_builder_end_array(b);
	api_build_disk(b, desk_store(api->desk), disk);
	json_builder_set_member_name(b, "displays");
	json_builder_begin_object(b);
	web_json_add_bool(b, "ok", displays_faults(api->displays) == 0);
	web_json_add_int(b, "count", (int64_t)displays_count(api->displays));
	web_json_add_int(b, "faults", displays_faults(api->displays));
	for (size_t i = 0; i < displays_count(api->displays); i++) {
		const struct displays_info *d = displays_get(api->displays, i);

		if (d->message) {
			web_json_add_str(b, "message", d->message);
			break;
		}
	}
	json_builder_end_object(b);
	if (api->announcer) {
		json_builder_set_member_name(b, "announcer");
		json_builder_begin_object(b);
		web_json_add_bool(b, "ok", announcer_fault(api->announcer) == NULL);
		web_json_add_str(b, "message", announcer_fault(api->announcer));
		json_builder_end_object(b);
	}
	if (api->dispenser) {
		json_builder_set_member_name(b, "printer");
		api_build_printer(b, &printer);
	}
	if (api->cfg->notify_smtp_url) {
		/* E-mail to hosts: the server (no address of anyone) and how
		 * many wait. */
		json_builder_set_member_name(b, "mail");
		json_builder_begin_object(b);
		web_json_add_bool(b, "ok", notify_fault(api->notify) == NULL);
		web_json_add_str(b, "server", api->cfg->notify_smtp_url);
		web_json_add_int(b, "waiting", notify_pending(api->notify));
		web_json_add_str(b, "message", notify_fault(api->notify));
		json_builder_end_object(b);
	}
	if (api->frontdesk) {
		json_builder_set_member_name(b, "gpio");
		json_builder_begin_object(b);
		web_json_add_bool(b, "ok", gpio_why == NULL);
		web_json_add_str(b, "message", gpio_why);
		json_builder_end_object(b);
	}
	web_json_add_str(b, "version", VUORO_VERSION);
	web_json_add_str(b, "site", api->cfg->site_name);
	web_json_add_int(b, "uptime_s", t.now - api->started_at);
	web_json_add_int(b, "schema", STORE_SCHEMA_VERSION);
	json_builder_end_object(b);
	web_reply_builder(r, 200, b);
}

/* GET /api/catalog: web/catalog_route.h. */
static void api_catalog(struct web_req *r)
{
	web_catalog_reply(r, api_of(r)->catalog);
}

/* ---------------------------------------------------------------------- */
/* Login: the hash check runs on a worker thread */

/* The follow key of a ticket: the first 32 hex digits of SHA-256 of its
 * follow reference (the hub's /t/... answers from it, never the ref). */
static void api_live_follow(const struct queue_ticket *tk, void *data)
{
	struct api_queue_walk *w = data;
	JsonBuilder *b = w->b;
	const struct config_service *svc = config_service_get(w->api->cfg, tk->service);
	g_autofree char *hash = NULL;
	unsigned ahead = 0;
	int wait_s = 0;
	bool done = queue_state_terminal(tk->state);
	const char *state;

	if (tk->day != w->t->day || !tk->ref[0] || tk->state == QUEUE_VOIDED)
		return;
	/* Done ones stay ten minutes, so that a phone sees "done". */
	if (done && (tk->ended_at == 0 || w->t->now - tk->ended_at > 600))
		return;
	hash = g_compute_checksum_for_string(G_CHECKSUM_SHA256, tk->ref, -1);
	hash[32] = 0;
	state = done                                                        ? "done"
		: (tk->state == QUEUE_CALLED || tk->state == QUEUE_SERVING) ? "called"
									    : "waiting";
	json_builder_set_member_name(b, hash);
	json_builder_begin_object(b);
	web_json_add_str(b, "code", tk->code);
	web_json_add_str(b, "service", svc ? svc->code : NULL);
	web_json_add_str(b, "lang", config_lang_code(w->api->cfg, tk->lang));
	if (!done &&
	    queue_ticket_estimate(desk_queue(w->api->desk), tk->id, w->t, &ahead, &wait_s) == 0) {
		const char *why = tk->state == QUEUE_WAITING
				      ? api_service_unavailable(w->api, tk->service)
				      : NULL;

		web_json_add_int(b, "place", (int64_t)ahead + 1);
		/* No expert can answer its line now: the follow page says so. */
		if (why)
			web_json_add_str(b, "unavailable", why);
		json_builder_set_member_name(b, "wait_s");
		if (api_service_staffed(w->api, tk->service, NULL)) {
			json_builder_add_int_value(b, wait_s);
			api_hours_add_closing(w->api, b, tk->service, w->t, wait_s);
		} else {
			json_builder_add_null_value(b);
		}
	} else {
		web_json_add_str(b, "place", NULL);
		web_json_add_str(b, "wait_s", NULL);
	}
	web_json_add_str(b, "state", state);
	json_builder_set_member_name(b, "counter");
	if (tk->counter && !done)
		json_builder_add_int_value(b, tk->counter);
	else
		json_builder_add_null_value(b);
	json_builder_end_object(b);
}

/* The remote services' waiting tickets (no names), for the hub's experts. */
static void api_live_remote_ticket(const struct queue_ticket *tk, void *data)
{
	struct api_queue_walk *w = data;
	const struct config_service *svc = config_service_get(w->api->cfg, tk->service);

	if (svc && svc->kind == CONFIG_SERVICE_REMOTE && tk->state == QUEUE_WAITING &&
	    tk->day == w->t->day)
		g_ptr_array_add(w->remote, (gpointer)tk);
}

static gint api_live_older(gconstpointer a, gconstpointer b)
{
	const struct queue_ticket *x = *(const struct queue_ticket *const *)a;
	const struct queue_ticket *y = *(const struct queue_ticket *const *)b;

	if (x->queued_at != y->queued_at)
		return x->queued_at < y->queued_at ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void api_live_remote(struct api *api, struct api_queue_walk *w)
{
	JsonBuilder *b = w->b;
	g_autoptr(GPtrArray) remote = g_ptr_array_new();

	w->remote = remote;
	queue_foreach_ticket(desk_queue(api->desk), api_live_remote_ticket, w);
	w->remote = NULL;
	g_ptr_array_sort(remote, api_live_older);
	json_builder_set_member_name(b, "remote");
	json_builder_begin_array(b);
	for (guint i = 0; i < remote->len && i < API_LIVE_REMOTE_MAX; i++) {
		const struct queue_ticket *tk = g_ptr_array_index(remote, i);

		json_builder_begin_object(b);
		web_json_add_int(b, "ticket", tk->id);
		web_json_add_str(b, "code", tk->code);
		web_json_add_str(b, "service", config_service_get(api->cfg, tk->service)->code);
		web_json_add_str(b, "provider", config_provider_code(api->cfg, tk->service));
		web_json_add_str(b, "lang", config_lang_code(api->cfg, tk->lang));
		web_json_add_int(b, "since", tk->issued_at);
		web_json_add_bool(b, "booked", tk->appointment != 0);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

void api_build_live(struct api *api, JsonBuilder *b)
{
	const struct config *cfg = api->cfg;
	struct queue_time t;
	struct api_queue_walk w = {.api = api, .b = b, .t = &t, .service = -1};

	desk_time(api->desk, &t);
	/* What the hub's follow page shows besides the ticket: the site's name
	 * ("fi / sv / en", as /api/status says it), its languages, the lines'
	 * names and the counters' kinds. */
	web_json_add_str(b, "name", cfg->site_name);
	/* Its clock: the hub's pages show the site's times (bookings) in it. */
	web_json_add_str(b, "timezone", cfg->timezone);
	json_builder_set_member_name(b, "languages");
	json_builder_begin_array(b);
	for (int i = 0; i < cfg->n_langs; i++)
		json_builder_add_string_value(b, cfg->langs[i]);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "counters");
	json_builder_begin_array(b);
	for (guint i = 0; i < cfg->counters->len; i++) {
		const struct config_counter *cc = config_counter_get(cfg, (int)i);

		json_builder_begin_object(b);
		web_json_add_int(b, "id", cc->id);
		web_json_add_str(b, "kind", cc->expert ? "expert" : "counter");
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "services");
	json_builder_begin_array(b);
	for (guint i = 0; i < cfg->services->len; i++) {
		const struct config_service *svc = config_service_get(cfg, (int)i);
		struct queue_service_status st;

		queue_service_status(desk_queue(api->desk), (int16_t)i, &t, &st);
		st.staffed = api_service_staffed(api, (int)i, &st);
		json_builder_begin_object(b);
		web_json_add_str(b, "code", svc->code);
		api_add_names(b, cfg, svc->name);
		web_json_add_str(b, "provider", config_provider_code(cfg, (int)i));
		web_json_add_bool(b, "remote", svc->kind == CONFIG_SERVICE_REMOTE);
		web_json_add_int(b, "waiting", st.waiting);
		json_builder_set_member_name(b, "wait_s");
		if (st.staffed)
			json_builder_add_int_value(b, st.wait_s);
		else
			json_builder_add_null_value(b);
		web_json_add_bool(b, "staffed", st.staffed);
		/* For the hub's expert workplace: the provider's public links. */
		api_add_service_card(b, cfg, svc);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "booths");
	json_builder_begin_array(b);
	for (guint i = 0; api->booths && i < cfg->counters->len; i++) {
		const struct config_counter *cc = config_counter_get(cfg, (int)i);
		struct booths_session_info si;

		if (!booths_is_booth(api->booths, cc->id))
			continue;
		json_builder_begin_object(b);
		web_json_add_int(b, "id", cc->id);
		web_json_add_str(b, "state",
				 booths_fault_of(api->booths, cc->id)               ? "out-of-order"
				 : booths_session_of(api->booths, cc->id, &si) == 0 ? "busy"
										    : "free");
		json_builder_set_member_name(b, "providers");
		booths_build_providers(api->booths, cc->id, b);
		json_builder_set_member_name(b, "session");
		if (booths_session_of(api->booths, cc->id, &si) == 0 &&
		    g_strcmp0(si.state, "ended") != 0) {
			json_builder_begin_object(b);
			web_json_add_int(b, "id", si.session);
			web_json_add_str(b, "state", si.state);
			web_json_add_str(b, "expert", si.expert);
			/* Its service: the hub's expert page shows that service's card. */
			{
				const struct queue_ticket *tk =
				    queue_ticket_get(desk_queue(api->desk), si.ticket);
				const struct config_service *svc =
				    tk ? config_service_get(cfg, tk->service) : NULL;

				web_json_add_str(b, "service", svc ? svc->code : NULL);
			}
			json_builder_end_object(b);
		} else {
			json_builder_add_null_value(b);
		}
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "follow");
	json_builder_begin_object(b);
	queue_foreach_ticket(desk_queue(api->desk), api_live_follow, &w);
	json_builder_end_object(b);
	api_live_remote(api, &w);
	api_build_live_bookings(api, b);
}

void api_set_uplink(struct api *api, struct uplink *uplink)
{
	api->uplink = uplink;
}

/* GET /api/uplink: the way to the hub, for the technician. */
static void api_uplink(struct web_req *r)
{
	struct api *api = api_of(r);
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	web_json_add_bool(b, "configured", api->uplink != NULL);
	if (api->uplink)
		uplink_build(api->uplink, b);
	json_builder_end_object(b);
	web_reply_builder(r, 200, b);
}

const struct web_route api_site_routes[] = {
    {"GET", "/api/health", 0, api_health, NULL},
    {"GET", "/api/status", 0, api_status, NULL},
    {"GET", "/api/catalog", 0, api_catalog, NULL},
    {"GET", "/api/queue", AUTH_STAFF, api_queue, NULL},
    {"GET", "/api/uplink", TECHS, api_uplink, NULL},
};
const size_t api_site_n_routes = G_N_ELEMENTS(api_site_routes);
