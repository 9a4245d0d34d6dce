/* SPDX-License-Identifier: GPL-3.0-or-later */
/* notify: see notify.h. */

#include "notify.h"

#include <errno.h>
#include <string.h>

#include "desk.h"
#include "post.h"
#include "smtp.h"

/* One message on its way: the worker's own copy.  @n is cleared (on the
 * main loop) when notify_free runs first: the result then has nobody to
 * tell and is dropped; the row stays unsent for the next start. */
struct notify_job {
	struct notify *n;
	struct smtp_settings settings;
	struct smtp_message msg;
	int64_t id;
	int attempts; /* before this one */
	int rc;
	char *error;
};

struct notify {
	const struct config *cfg;
	const struct catalog *catalog;
	struct store *store;
	struct bus *bus;
	guint bus_sub;
	guint timer;
	struct notify_job *job; /* in flight, or NULL */
	char *fault;
	int64_t pending;
};

static void notify_kick(struct notify *n);

static int64_t notify_now(void)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

static void notify_job_free(gpointer p)
{
	struct notify_job *j = p;

	g_free(j->settings.url);
	g_free(j->settings.from);
	g_free(j->settings.username);
	g_free(j->settings.password);
	g_free(j->settings.ca_file);
	g_free(j->msg.to);
	g_free(j->msg.subject);
	g_free(j->msg.body);
	g_free(j->error);
	g_free(j);
}

static void notify_count(struct notify *n)
{
	g_autoptr(GError) error = NULL;
	int64_t next_at = 0, oldest = 0;

	if (store_mail_pending(n->store, &n->pending, &next_at, &oldest, &error) < 0) {
		g_warning("e-mail queue: %s", error->message);
		n->pending = -1;
	}
}

/* Main loop: the worker's answer. */
static gboolean notify_job_done(gpointer data)
{
	struct notify_job *j = data;
	struct notify *n = j->n;
	g_autoptr(GError) error = NULL;
	int64_t now = notify_now();

	if (!n)
		return G_SOURCE_REMOVE;
	n->job = NULL;
	if (j->rc == 0) {
		if (store_mail_sent(n->store, j->id, now, &error) < 0)
			g_warning("e-mail %" G_GINT64_FORMAT " sent but not marked sent: %s", j->id,
				  error->message);
		else
			g_message("e-mail %" G_GINT64_FORMAT " to a host sent through %s", j->id,
				  j->settings.url);
		g_clear_pointer(&n->fault, g_free);
	} else {
		int shift = MIN(j->attempts, 16);
		int64_t delay = MIN((int64_t)NOTIFY_RETRY_FIRST_S << shift,
				    (int64_t)n->cfg->notify_retry_max_s);
		g_autoptr(GDateTime) utc = NULL;
		g_autoptr(GDateTime) local = NULL;
		g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(n->cfg->timezone);
		g_autofree char *since = NULL;
		int64_t next_at = 0, oldest = now;

		if (store_mail_failed(n->store, j->id, now + delay, j->error, &error) < 0)
			g_warning("e-mail %" G_GINT64_FORMAT ": %s", j->id, error->message);
		g_clear_error(&error);
		store_mail_pending(n->store, &n->pending, &next_at, &oldest, NULL);
		utc = g_date_time_new_from_unix_utc(oldest ? oldest : now);
		local = g_date_time_to_timezone(utc, tz ? tz : g_time_zone_new_utc());
		since = g_date_time_format(local, "%H:%M");
		g_free(n->fault);
		n->fault = g_strdup_printf(
		    "mail: e-mail to hosts is not delivered: the mail server %s: %s — "
		    "%" G_GINT64_FORMAT
		    " message(s) waiting since %s, the next try in %" G_GINT64_FORMAT
		    " s. Check that the mail server runs and answers, and [notify] smtp-url, "
		    "username, password and starttls in board-config; nothing is lost, the "
		    "mail goes out once the server takes it",
		    j->settings.url, j->error, n->pending, since, delay);
		g_warning("%s", n->fault);
	}
	notify_kick(n);
	return G_SOURCE_REMOVE;
}

static gpointer notify_worker(gpointer data)
{
	struct notify_job *j = data;

	j->rc = smtp_send(&j->settings, &j->msg, &j->error);
	post_to_loop(NULL, "notify-mail", notify_job_done, j, notify_job_free);
	return NULL;
}

static gboolean notify_timer(gpointer data)
{
	struct notify *n = data;

	n->timer = 0;
	notify_kick(n);
	return G_SOURCE_REMOVE;
}

/* Sends the oldest due message, or waits for the next one's time. */
static void notify_kick(struct notify *n)
{
	const struct config *cfg = n->cfg;
	g_autoptr(GError) error = NULL;
	struct store_mail m = {0};
	struct notify_job *j;
	int64_t now = notify_now(), next_at = 0, oldest = 0;
	int rc;

	if (n->job)
		return;
	if (n->timer)
		g_clear_handle_id(&n->timer, g_source_remove);
	rc = store_mail_next(n->store, now, &m, &error);
	if (rc == -ENOENT) {
		if (store_mail_pending(n->store, &n->pending, &next_at, &oldest, &error) < 0)
			g_warning("e-mail queue: %s", error->message);
		else if (n->pending > 0)
			n->timer = g_timeout_add_seconds((guint)CLAMP(next_at - now, 1, 86400),
							 notify_timer, n);
		return;
	}
	if (rc < 0) {
		g_warning("e-mail queue: %s; trying again in a minute", error->message);
		n->timer = g_timeout_add_seconds(60, notify_timer, n);
		return;
	}
	j = g_new0(struct notify_job, 1);
	j->n = n;
	j->id = m.id;
	j->attempts = m.attempts;
	j->settings.url = g_strdup(cfg->notify_smtp_url);
	j->settings.from = g_strdup(cfg->notify_from);
	j->settings.username = g_strdup(cfg->notify_username);
	j->settings.password = g_strdup(cfg->notify_password);
	j->settings.ca_file = g_strdup(cfg->notify_ca_file);
	j->settings.starttls =
	    cfg->notify_starttls == 0 && g_str_has_prefix(cfg->notify_smtp_url, "smtp:");
	j->settings.timeout_s = cfg->notify_timeout_s;
	j->msg.to = g_steal_pointer(&m.recipient);
	j->msg.subject = g_steal_pointer(&m.subject);
	j->msg.body = g_steal_pointer(&m.body);
	store_mail_clear(&m);
	n->job = j;
	g_thread_unref(g_thread_new("notify-mail", notify_worker, j));
}

/* "09:30" of @at in the site's zone. */
static char *notify_time(const struct config *cfg, int64_t at)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(cfg->timezone);
	g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(at);
	g_autoptr(GDateTime) local = g_date_time_to_timezone(utc, tz ? tz : g_time_zone_new_utc());

	return g_date_time_format(local, "%H:%M");
}

static void notify_on_arrival(const char *topic, gconstpointer payload, gpointer data)
{
	struct notify *n = data;
	const struct desk_arrival *arrival = payload;
	const struct store_appointment *a = arrival->appointment;
	const struct config_service *svc = config_service_get(n->cfg, a->service);
	g_autoptr(GError) error = NULL;
	g_autofree char *when = NULL;
	const char *visitor;
	struct store_mail m = {0};

	(void)topic;
	if (!a->host_email || !n->cfg->notify_smtp_url)
		return;
	when = notify_time(n->cfg, a->at);
	visitor = a->name && *a->name ? a->name : catalog_text(n->catalog, 0, "mail.visitor");
	m.recipient = g_strdup(a->host_email);
	m.subject = catalog_format(n->catalog, 0, "mail.host_subject", "visitor", visitor, "ticket",
				   arrival->ticket->code, NULL);
	m.body = catalog_format(n->catalog, 0, "mail.host_body", "visitor", visitor, "time", when,
				"service", svc && svc->name[0] ? svc->name[0] : "", "ticket",
				arrival->ticket->code, "site", n->cfg->site_name, NULL);
	m.created_at = notify_now();
	if (store_mail_add(n->store, &m, &error) < 0)
		g_warning("booking %s: the host's e-mail could not be queued: %s", a->code,
			  error->message);
	else
		notify_kick(n);
	store_mail_clear(&m);
}

struct notify *notify_new(const struct config *cfg, const struct catalog *catalog,
			  struct store *store, struct bus *bus)
{
	struct notify *n = g_new0(struct notify, 1);

	n->cfg = cfg;
	n->catalog = catalog;
	n->store = store;
	n->bus = bus;
	if (!cfg->notify_smtp_url)
		return n;
	smtp_global_init();
	n->bus_sub = bus_subscribe(bus, "appointment.arrived", notify_on_arrival, n);
	notify_count(n);
	notify_kick(n); /* what a stop left unsent */
	return n;
}

void notify_free(struct notify *n)
{
	if (!n)
		return;
	if (n->bus_sub)
		bus_unsubscribe(n->bus, n->bus_sub);
	if (n->timer)
		g_source_remove(n->timer);
	if (n->job)
		n->job->n = NULL; /* its answer will find nobody */
	g_free(n->fault);
	g_free(n);
}

const char *notify_fault(const struct notify *n)
{
	return n ? n->fault : NULL;
}

int64_t notify_pending(const struct notify *n)
{
	return n ? n->pending : 0;
}
