/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * uplink: outbox → NATS JetStream, live state → KV (see uplink.h).
 */
#include "uplink.h"

#include <errno.h>
#include <nats/nats.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "desk.h"
#include "presence.h"
#include "json.h"
#include "post.h"

enum uplink_ev_type {
	EV_STARTED,   /* the first connect returned (nc, status) */
	EV_CONNECTED, /* connected later (retry on failed connect) */
	EV_DISCONNECTED,
	EV_RECONNECTED,
	EV_ACK,
	EV_NAK,
	EV_KV_ACK,
	EV_KV_NAK,
};

struct uplink_ev {
	enum uplink_ev_type type;
	int64_t seq;
	bool duplicate;
	natsStatus status;
	natsConnection *nc;
	char *error;
	char *url;    /* connected: the server's address */
	natsMsg *msg; /* an acknowledged (or timed out) message: see on_ack */
};

struct uplink {
	const struct config *cfg;
	struct store *store;
	struct bus *bus;
	struct api *api;
	GMainContext *ctx;
	natsOptions *opts;
	natsConnection *nc;
	jsCtx *js;
	GThread *connect_thread;
	/* Every libnats publish is made on this thread, from outq: a write that
	 * blocks (a network cut with the socket's buffer full) blocks it, never
	 * the loop. */
	GThread *pub_thread;
	GAsyncQueue *outq;         /* of struct uplink_out */
	char *server;              /* the server connected to, as the callbacks saw it */
	char *subject_prefix;      /* vuoro.rec.<site>. */
	char *kv_subject;          /* $KV.vuoro-sites.<site> */
	char *cmd_subject;         /* vuoro.site.<site>.cmd.> */
	natsSubscription *cmd_sub; /* made on the connect thread */
	struct commands *commands;

	/* Filled by libnats's threads, emptied by the loop. */
	GMutex lock;
	GArray *events; /* of struct uplink_ev */
	GSource *wake;

	bool connected;
	char *last_error;
	int64_t next_seq;      /* the next row to publish */
	int64_t low_seq;       /* the oldest row not known sent */
	GHashTable *in_flight; /* seq → publish time (µs, monotonic) */
	int backoff_s;
	guint retry_source;
	guint pump_source;
	guint tick_source;
	guint live_source;
	guint bus_sub;
	guint bus_booking_sub; /* "appointment.": the live state's bookings */
	int64_t published, acked, duplicates, last_ack_at;
	int64_t backlog_n, backlog_oldest_at;
	char *alarm;
	/* The hub's word on its experts (presence.c). */
	struct presence *presence;
	GHashTable *faults; /* "device\ncode" → since (unix s) */
	char *live_sent;    /* the last live state acknowledged or in flight (sans "at") */
	bool live_in_flight, live_dirty;
	int64_t live_at;     /* monotonic s of the last put */
	int64_t live_put_us; /* monotonic µs of the last put, for the coalescing */
	guint session_sub;
	int64_t progress_at; /* monotonic s: in flight from empty, or the last ack */
};

static void uplink_pump_soon(struct uplink *u);
static void uplink_live_soon(struct uplink *u);

static int64_t uplink_now(void)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

static int64_t uplink_mono(void)
{
	return g_get_monotonic_time() / G_USEC_PER_SEC;
}

static void uplink_set_error(struct uplink *u, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void uplink_set_error(struct uplink *u, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (g_strcmp0(text, u->last_error) != 0)
		g_message("uplink: %s", text);
	g_free(u->last_error);
	u->last_error = text;
}

/* ---------------------------------------------------------------------- */
/* libnats's threads: queue an event, wake the loop */

static gboolean uplink_dispatch(gpointer data);

static void uplink_post(struct uplink *u, const struct uplink_ev *ev)
{
	g_mutex_lock(&u->lock);
	g_array_append_vals(u->events, ev, 1);
	if (!u->wake) {
		u->wake = g_idle_source_new();
		g_source_set_priority(u->wake, G_PRIORITY_DEFAULT);
		g_source_set_callback(u->wake, uplink_dispatch, u, NULL);
		g_source_attach(u->wake, u->ctx);
	}
	g_mutex_unlock(&u->lock);
}

/* The server @nc is connected to, read on libnats's thread (the loop never
 * takes the connection's lock: a blocked write holds it). */
static char *connected_url(natsConnection *nc)
{
	char url[256] = "";

	if (natsConnection_GetConnectedUrl(nc, url, sizeof(url)) != NATS_OK || !url[0])
		return NULL;
	return g_strdup(url);
}

static void on_connected(natsConnection *nc, void *closure)
{
	struct uplink_ev ev = {.type = EV_CONNECTED};

	ev.url = connected_url(nc);
	uplink_post(closure, &ev);
}

static void on_disconnected(natsConnection *nc, void *closure)
{
	struct uplink_ev ev = {.type = EV_DISCONNECTED};

	(void)nc;
	uplink_post(closure, &ev);
}

static void on_reconnected(natsConnection *nc, void *closure)
{
	struct uplink_ev ev = {.type = EV_RECONNECTED};

	ev.url = connected_url(nc);
	uplink_post(closure, &ev);
}

/* The seq of a record's message id <site>-<epoch>-<seq>, read from the right. */
static int64_t msg_seq(natsMsg *msg)
{
	const char *id = NULL, *dash;

	if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) != NATS_OK || !id)
		return 0;
	dash = strrchr(id, '-');
	return dash ? g_ascii_strtoll(dash + 1, NULL, 10) : 0;
}

static void on_ack(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae, void *closure)
{
	struct uplink *u = closure;
	bool kv = g_str_has_prefix(natsMsg_GetSubject(msg), "$KV.");
	struct uplink_ev ev = {0};

	(void)js;
	ev.seq = kv ? 0 : msg_seq(msg);
	if (pa) {
		ev.type = kv ? EV_KV_ACK : EV_ACK;
		ev.duplicate = pa->Duplicate;
	} else {
		ev.type = kv ? EV_KV_NAK : EV_NAK;
		ev.status = pae ? pae->Err : NATS_ERR;
		ev.error =
		    g_strdup(pae && pae->ErrText ? pae->ErrText : natsStatus_GetText(ev.status));
	}
	/* Not destroyed here: a timeout may come while the publishing thread is
	 * still in js_PublishMsgAsync with this very message (a write blocked by
	 * a cut link); that thread destroys it after whatever it was doing. */
	ev.msg = msg;
	uplink_post(u, &ev);
}

/* ---------------------------------------------------------------------- */
/* The hub's commands: from libnats's thread to the loop, the reply back
 * through the publishing thread */

struct uplink_cmd {
	struct uplink *u;
	char *verb, *reply, *body;
	gsize len;
};

static void uplink_cmd_free(gpointer p)
{
	struct uplink_cmd *cmd = p;

	g_free(cmd->verb);
	g_free(cmd->reply);
	g_free(cmd->body);
	g_free(cmd);
}

static void uplink_send_core(struct uplink *u, char *subject, char *data);

static gboolean uplink_run_command(gpointer data)
{
	struct uplink_cmd *cmd = data;
	struct uplink *u = cmd->u;
	char *reply = commands_run(u->commands, cmd->verb, cmd->body, cmd->len);

	if (cmd->reply)
		uplink_send_core(u, g_strdup(cmd->reply), reply);
	else
		g_free(reply);
	return G_SOURCE_REMOVE;
}

static void on_command(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
	struct uplink *u = closure;
	struct uplink_cmd *cmd = g_new0(struct uplink_cmd, 1);
	const char *subject = natsMsg_GetSubject(msg);
	const char *reply = natsMsg_GetReply(msg);

	(void)nc;
	(void)sub;
	cmd->u = u;
	/* vuoro.site.<site>.cmd.<verb>: the verb is what follows the prefix. */
	cmd->verb = g_strdup(strlen(subject) >= strlen(u->cmd_subject) - 1
				 ? subject + strlen(u->cmd_subject) - 1
				 : "");
	cmd->reply = reply && *reply ? g_strdup(reply) : NULL;
	cmd->len = (gsize)natsMsg_GetDataLength(msg);
	cmd->body = g_strndup(natsMsg_GetData(msg), cmd->len);
	natsMsg_Destroy(msg);
	post_to_loop(u->ctx, "uplink-command", uplink_run_command, cmd, uplink_cmd_free);
}

static gpointer uplink_connect_thread(gpointer data)
{
	struct uplink *u = data;
	struct uplink_ev ev = {.type = EV_STARTED};

	ev.status = natsConnection_Connect(&ev.nc, u->opts);
	/* The hub's commands: subscribed here, where the connection's lock may
	 * be taken (the loop never takes it); libnats renews it on reconnect. */
	if (ev.nc) {
		natsStatus st =
		    natsConnection_Subscribe(&u->cmd_sub, ev.nc, u->cmd_subject, on_command, u);

		if (st != NATS_OK)
			g_warning("uplink: cannot hear the hub's commands on %s: %s",
				  u->cmd_subject, natsStatus_GetText(st));
	}
	if (ev.status != NATS_OK && ev.status != NATS_NOT_YET_CONNECTED) {
		const char *why = nats_GetLastError(NULL);

		ev.error = g_strdup(why && *why ? why : natsStatus_GetText(ev.status));
	}
	if (ev.status == NATS_OK)
		ev.url = connected_url(ev.nc);
	uplink_post(u, &ev);
	return NULL;
}

/* A message for the publishing thread: a record (seq > 0, with its message
 * id) or the live state (seq 0); stop set: the thread ends. */
struct uplink_out {
	char *subject, *data, *msg_id;
	int64_t seq;
	bool core; /* a plain publish: a command's reply, a booth's signalling */
	bool stop;
	natsMsg *destroy; /* only this: a message libnats is done with (on_ack) */
};

static void uplink_out_free(gpointer p)
{
	struct uplink_out *o = p;

	natsMsg_Destroy(o->destroy);
	g_free(o->subject);
	g_free(o->data);
	g_free(o->msg_id);
	g_free(o);
}

static gpointer uplink_pub_thread(gpointer data)
{
	struct uplink *u = data;

	for (;;) {
		struct uplink_out *o = g_async_queue_pop(u->outq);
		natsMsg *msg = NULL;
		natsStatus st;

		if (o->stop) {
			uplink_out_free(o);
			return NULL;
		}
		if (o->destroy) {
			uplink_out_free(o);
			continue;
		}
		if (o->core) {
			st = natsConnection_Publish(u->nc, o->subject, o->data,
						    (int)strlen(o->data));
			if (st != NATS_OK)
				g_message("uplink: %s not sent to the hub: %s", o->subject,
					  natsStatus_GetText(st));
			uplink_out_free(o);
			continue;
		}
		st = natsMsg_Create(&msg, o->subject, NULL, o->data, (int)strlen(o->data));
		if (st == NATS_OK) {
			jsPubOptions po;

			jsPubOptions_Init(&po);
			po.MsgId = o->msg_id;
			po.MaxWait = UPLINK_ACK_WAIT_MS;
			st = js_PublishMsgAsync(u->js, &msg, o->msg_id ? &po : NULL);
		}
		if (st != NATS_OK) {
			struct uplink_ev ev = {.type = o->seq ? EV_NAK : EV_KV_NAK, .seq = o->seq};

			natsMsg_Destroy(msg);
			ev.status = st;
			ev.error = g_strdup(natsStatus_GetText(st));
			uplink_post(u, &ev);
		}
		uplink_out_free(o);
	}
}

static void uplink_send(struct uplink *u, char *subject, char *data, char *msg_id, int64_t seq)
{
	struct uplink_out *o = g_new0(struct uplink_out, 1);

	o->subject = subject;
	o->data = data;
	o->msg_id = msg_id;
	o->seq = seq;
	g_async_queue_push(u->outq, o);
}

/* Only once connected (the publishing thread runs): a reply or signalling
 * for a hub that cannot hear it is dropped; the hub times out. */
static void uplink_send_core(struct uplink *u, char *subject, char *data)
{
	struct uplink_out *o;

	if (!u->pub_thread) {
		g_free(subject);
		g_free(data);
		return;
	}
	o = g_new0(struct uplink_out, 1);
	o->subject = subject;
	o->data = data;
	o->core = true;
	g_async_queue_push(u->outq, o);
}

static void uplink_publish_signal(char *subject, char *data, gpointer user_data)
{
	uplink_send_core(user_data, subject, data);
}

gboolean uplink_signal_send(struct uplink *u, gpointer peer, const char *json)
{
	return commands_signal_send(u->commands, peer, json);
}

/* ---------------------------------------------------------------------- */
/* The loop: publish, acknowledge, back off */

static int64_t uplink_low(struct uplink *u)
{
	GHashTableIter it;
	gpointer key;
	int64_t low = u->next_seq;

	g_hash_table_iter_init(&it, u->in_flight);
	while (g_hash_table_iter_next(&it, &key, NULL)) {
		int64_t seq = *(int64_t *)key;

		if (seq < low)
			low = seq;
	}
	return low;
}

static gboolean uplink_retry(gpointer data)
{
	struct uplink *u = data;

	u->retry_source = 0;
	uplink_pump_soon(u);
	return G_SOURCE_REMOVE;
}

/* Something went wrong with what is in flight: again from the oldest row
 * not acknowledged, after a pause (@backoff) or as soon as connected. */
static void uplink_restart(struct uplink *u, bool backoff)
{
	struct uplink_out *o;

	/* What the publishing thread has not taken yet goes again from the
	 * outbox (records) or at the next put (the live state). */
	g_autoptr(GPtrArray) keep = g_ptr_array_new();

	while ((o = g_async_queue_try_pop(u->outq))) {
		if (o->destroy || o->core) { /* after the publish under way, still */
			g_ptr_array_add(keep, o);
			continue;
		}
		if (!o->seq) {
			u->live_in_flight = false;
			g_clear_pointer(&u->live_sent, g_free);
		}
		uplink_out_free(o);
	}
	for (guint i = 0; i < keep->len; i++)
		g_async_queue_push(u->outq, keep->pdata[i]);
	u->low_seq = uplink_low(u);
	u->next_seq = u->low_seq;
	g_hash_table_remove_all(u->in_flight);
	if (!backoff || u->retry_source)
		return;
	u->backoff_s = u->backoff_s ? MIN(u->backoff_s * 2, u->cfg->uplink_retry_max_s) : 1;
	u->backoff_s = MIN(u->backoff_s, u->cfg->uplink_retry_max_s);
	u->retry_source = g_timeout_add_seconds((guint)u->backoff_s, uplink_retry, u);
}

struct uplink_pub {
	struct uplink *u;
	int failed;
};

static void uplink_publish_row(const struct store_outbox_row *row, void *data)
{
	struct uplink_pub *p = data;
	struct uplink *u = p->u;
	int64_t *key;

	if (p->failed)
		return;
	uplink_send(u, g_strconcat(u->subject_prefix, row->kind, NULL), g_strdup(row->body),
		    g_strdup_printf("%s-%s-%" G_GINT64_FORMAT, u->cfg->uplink_site,
				    store_epoch(u->store), row->seq),
		    row->seq);
	if (g_hash_table_size(u->in_flight) == 0)
		u->progress_at = uplink_mono();
	key = g_new(int64_t, 1);
	*key = row->seq;
	g_hash_table_insert(u->in_flight, key, GINT_TO_POINTER(1));
	u->next_seq = row->seq + 1;
	u->published++;
}

static gboolean uplink_pump(gpointer data)
{
	struct uplink *u = data;
	struct uplink_pub p = {.u = u};
	g_autoptr(GError) error = NULL;
	guint room;
	int n;

	u->pump_source = 0;
	if (!u->js || !u->connected || u->retry_source)
		return G_SOURCE_REMOVE;
	room = UPLINK_IN_FLIGHT - MIN(g_hash_table_size(u->in_flight), UPLINK_IN_FLIGHT);
	if (room == 0)
		return G_SOURCE_REMOVE;
	n = store_outbox_unsent(u->store, u->next_seq, (int)room, uplink_publish_row, &p, &error);
	if (n < 0)
		g_warning("uplink: %s", error->message);
	if (p.failed)
		uplink_restart(u, true);
	return G_SOURCE_REMOVE;
}

static void uplink_pump_soon(struct uplink *u)
{
	if (!u->pump_source)
		u->pump_source = g_idle_add(uplink_pump, u);
}

static void uplink_notify(void *data)
{
	uplink_pump_soon(data);
}

static void uplink_backlog(struct uplink *u)
{
	g_autoptr(GError) error = NULL;
	int64_t age, limit;

	if (store_outbox_backlog(u->store, u->low_seq, &u->backlog_n, &u->backlog_oldest_at,
				 &error) < 0) {
		g_warning("uplink: %s", error->message);
		return;
	}
	limit = u->cfg->uplink_alarm_s > 0 ? u->cfg->uplink_alarm_s
					   : (int64_t)u->cfg->uplink_alarm_min * 60;
	age = u->backlog_n ? uplink_now() - u->backlog_oldest_at : 0;
	if (u->backlog_n && age > limit) {
		g_free(u->alarm);
		u->alarm = g_strdup_printf(
		    "uplink: %" G_GINT64_FORMAT " records for the hub are waiting, the oldest for "
		    "%" G_GINT64_FORMAT " min (%s) — check the site's network connection to the "
		    "hub: the servers %s, the firewall (outbound TLS), and the site's certificate",
		    u->backlog_n, age / 60, u->last_error ? u->last_error : "no acknowledgement",
		    u->cfg->uplink_servers[0]);
	} else if (u->alarm && u->backlog_n == 0) {
		g_clear_pointer(&u->alarm, g_free);
	}
}

static void uplink_acked(struct uplink *u, GArray *seqs, bool more)
{
	g_autoptr(GError) error = NULL;

	if (seqs->len == 0)
		return;
	if (store_outbox_mark_sent(u->store, (const int64_t *)(void *)seqs->data, seqs->len,
				   uplink_now(), &error) < 0) {
		/* Not marked: sent again later, the stream drops the duplicate. */
		g_warning("uplink: %s", error->message);
		return;
	}
	for (guint i = 0; i < seqs->len; i++)
		g_hash_table_remove(u->in_flight, &g_array_index(seqs, int64_t, i));
	u->acked += seqs->len;
	u->last_ack_at = uplink_now();
	u->progress_at = uplink_mono();
	u->backoff_s = 0;
	u->low_seq = uplink_low(u);
	if (!more)
		return;
	uplink_backlog(u);
	uplink_pump_soon(u);
}

static void uplink_started(struct uplink *u, struct uplink_ev *ev)
{
	jsOptions jo;
	natsStatus st;

	if (u->connect_thread)
		g_thread_join(u->connect_thread);
	u->connect_thread = NULL;
	if (!ev->nc) {
		uplink_set_error(u,
				 "cannot connect to the hub (%s): check [uplink] servers, ca, "
				 "cert and key",
				 ev->error ? ev->error : natsStatus_GetText(ev->status));
		return;
	}
	u->nc = ev->nc;
	jsOptions_Init(&jo);
	/* Above our own bound: js_PublishMsgAsync never stalls the loop. */
	jo.PublishAsync.MaxPending = UPLINK_IN_FLIGHT * 4;
	jo.PublishAsync.AckHandler = on_ack;
	jo.PublishAsync.AckHandlerClosure = u;
	st = natsConnection_JetStream(&u->js, u->nc, &jo);
	if (st != NATS_OK) {
		uplink_set_error(u, "JetStream: %s", natsStatus_GetText(st));
		return;
	}
	u->pub_thread = g_thread_new("uplink-publish", uplink_pub_thread, u);
	presence_subscribe(u->presence, u->nc);
	if (ev->status == NATS_OK) {
		u->connected = true;
		g_free(u->server);
		u->server = g_steal_pointer(&ev->url);
		g_message("uplink: connected to the hub");
	} else
		uplink_set_error(u, "not connected to the hub yet: trying %s",
				 u->cfg->uplink_servers[0]);
}

static gboolean uplink_dispatch(gpointer data)
{
	struct uplink *u = data;
	g_autoptr(GArray) acks = g_array_new(FALSE, FALSE, sizeof(int64_t));
	GArray *events;
	bool kick = false;

	g_mutex_lock(&u->lock);
	events = u->events;
	u->events = g_array_new(FALSE, TRUE, sizeof(struct uplink_ev));
	g_source_unref(u->wake);
	u->wake = NULL;
	g_mutex_unlock(&u->lock);
	for (guint i = 0; i < events->len; i++) {
		struct uplink_ev *ev = &g_array_index(events, struct uplink_ev, i);

		switch (ev->type) {
		case EV_STARTED:
			uplink_started(u, ev);
			kick = true;
			break;
		case EV_CONNECTED:
		case EV_RECONNECTED:
			u->connected = true;
			g_free(u->server);
			u->server = g_steal_pointer(&ev->url);
			g_clear_pointer(&u->last_error, g_free);
			g_message("uplink: connected to the hub");
			kick = true;
			break;
		case EV_DISCONNECTED:
			if (u->connected)
				uplink_set_error(
				    u, "the connection to the hub was lost: reconnecting");
			u->connected = false;
			g_clear_pointer(&u->server, g_free);
			/* What was in flight may never be acknowledged: again from the
			 * oldest, once connected. */
			uplink_restart(u, false);
			break;
		case EV_ACK:
			if (ev->duplicate)
				u->duplicates++;
			g_array_append_val(acks, ev->seq);
			break;
		case EV_NAK:
			uplink_set_error(u, "the hub did not take record %" G_GINT64_FORMAT ": %s",
					 ev->seq, ev->error);
			if (g_hash_table_contains(u->in_flight, &ev->seq))
				uplink_restart(u, true);
			break;
		case EV_KV_ACK:
			u->live_in_flight = false;
			break;
		case EV_KV_NAK:
			u->live_in_flight = false;
			g_clear_pointer(&u->live_sent, g_free); /* again */
			uplink_set_error(u, "the hub did not take the live state: %s", ev->error);
			break;
		}
		if (ev->msg) {
			struct uplink_out *o = g_new0(struct uplink_out, 1);

			o->destroy = ev->msg;
			g_async_queue_push(u->outq, o);
		}
		g_free(ev->error);
		g_free(ev->url);
	}
	g_array_unref(events);
	uplink_acked(u, acks, true);
	if (kick) {
		uplink_pump_soon(u);
		uplink_live_soon(u);
	}
	if (u->live_dirty && !u->live_in_flight)
		uplink_live_soon(u);
	return G_SOURCE_REMOVE;
}

/* ---------------------------------------------------------------------- */
/* Faults and live state */

/* The site's fault list against the one before: a record per change. */
static void uplink_faults(struct uplink *u)
{
	g_autoptr(GPtrArray) now = api_faults(u->api);
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GHashTableIter it;
	gpointer key, value;
	int64_t at = uplink_now();
	bool changed = false;

	for (guint i = 0; i < now->len; i++) {
		const struct api_fault *f = g_ptr_array_index(now, i);
		char *k = g_strconcat(f->device, "\n", f->code, NULL);

		g_hash_table_add(seen, k);
		if (!g_hash_table_contains(u->faults, k)) {
			g_autoptr(GError) error = NULL;

			if (store_outbox_fault(u->store, f->device, f->code, true, at, &error) < 0)
				g_warning("uplink: %s", error->message);
			g_hash_table_insert(u->faults, g_strdup(k), g_memdup2(&at, sizeof(at)));
			changed = true;
		}
	}
	g_hash_table_iter_init(&it, u->faults);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		g_autoptr(GError) error = NULL;
		g_auto(GStrv) parts = NULL;

		if (g_hash_table_contains(seen, key))
			continue;
		parts = g_strsplit(key, "\n", 2);
		if (store_outbox_fault(u->store, parts[0], parts[1], false, at, &error) < 0)
			g_warning("uplink: %s", error->message);
		g_hash_table_iter_remove(&it);
		changed = true;
	}
	if (changed)
		uplink_live_soon(u);
}

static char *uplink_live_json(struct uplink *u, int64_t at)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) root = NULL;
	GHashTableIter it;
	gpointer key, value;

	json_builder_begin_object(b);
	web_json_add_int(b, "v", 1);
	web_json_add_str(b, "site", u->cfg->uplink_site);
	web_json_add_str(b, "version", VUORO_VERSION);
	web_json_add_int(b, "at", at);
	web_json_add_str(b, "epoch", store_epoch(u->store));
	api_build_live(u->api, b);
	json_builder_set_member_name(b, "faults");
	json_builder_begin_array(b);
	g_hash_table_iter_init(&it, u->faults);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		g_auto(GStrv) parts = g_strsplit(key, "\n", 2);

		json_builder_begin_object(b);
		web_json_add_str(b, "device", parts[0]);
		web_json_add_str(b, "code", parts[1]);
		web_json_add_int(b, "since", *(int64_t *)value);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "backlog");
	json_builder_begin_object(b);
	web_json_add_int(b, "unsent", u->backlog_n);
	json_builder_set_member_name(b, "oldest_at");
	if (u->backlog_n)
		json_builder_add_int_value(b, u->backlog_oldest_at);
	else
		json_builder_add_null_value(b);
	json_builder_end_object(b);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	return json_to_string(root, FALSE);
}

static gboolean uplink_live(gpointer data)
{
	struct uplink *u = data;
	int64_t mono = g_get_monotonic_time() / G_USEC_PER_SEC;
	g_autofree char *same = NULL;

	u->live_source = 0;
	u->live_dirty = false;
	if (!u->js || !u->connected)
		return G_SOURCE_REMOVE;
	if (u->live_in_flight) {
		u->live_dirty = true;
		return G_SOURCE_REMOVE;
	}
	/* Unchanged (but for "at") and not yet time for the heartbeat: no put. */
	same = uplink_live_json(u, 0);
	if (u->live_sent && strcmp(same, u->live_sent) == 0 &&
	    mono - u->live_at < UPLINK_HEARTBEAT_S)
		return G_SOURCE_REMOVE;
	uplink_send(u, g_strdup(u->kv_subject), uplink_live_json(u, uplink_now()), NULL, 0);
	g_free(u->live_sent);
	u->live_sent = g_steal_pointer(&same);
	u->live_in_flight = true;
	u->live_at = mono;
	u->live_put_us = g_get_monotonic_time();
	return G_SOURCE_REMOVE;
}

/* A change after a quiet period is put at once; further ones at most once
 * every UPLINK_LIVE_MIN_MS. */
static void uplink_live_soon(struct uplink *u)
{
	int64_t since_ms = (g_get_monotonic_time() - u->live_put_us) / 1000;

	if (u->live_source)
		return;
	if (!u->live_put_us || since_ms >= UPLINK_LIVE_MIN_MS)
		u->live_source = g_idle_add(uplink_live, u);
	else
		u->live_source =
		    g_timeout_add((guint)(UPLINK_LIVE_MIN_MS - since_ms), uplink_live, u);
}

static void uplink_on_queue(const char *topic, gconstpointer payload, gpointer data)
{
	(void)topic;
	(void)payload;
	uplink_live_soon(data);
}

/* The slow safety net: acknowledgements overdue, the backlog and its
 * alarm, the fault list, the heartbeat. */
static gboolean uplink_tick(gpointer data)
{
	struct uplink *u = data;
	bool had_alarm = u->alarm != NULL;

	if (u->connected && g_hash_table_size(u->in_flight) && !u->retry_source &&
	    uplink_mono() - u->progress_at > UPLINK_ACK_WAIT_MS / 1000 + UPLINK_TICK_S) {
		uplink_set_error(u, "no acknowledgement from the hub for %d s",
				 UPLINK_ACK_WAIT_MS / 1000 + UPLINK_TICK_S);
		uplink_restart(u, true);
	}
	store_outbox_sent_sync(u->store);
	uplink_backlog(u);
	if (had_alarm != (u->alarm != NULL))
		g_message("uplink: backlog alarm %s", u->alarm ? "raised" : "cleared");
	uplink_faults(u);
	uplink_pump_soon(u);
	uplink_live_soon(u);
	return G_SOURCE_CONTINUE;
}

/* ---------------------------------------------------------------------- */

static int uplink_options(struct uplink *u, GError **error)
{
	const struct config *cfg = u->cfg;
	g_autofree char *inbox = g_strdup_printf("_INBOX_%s", cfg->uplink_site);
	g_autofree char *name = g_strdup_printf("vuorod %s", cfg->uplink_site);
	int n = (int)g_strv_length(cfg->uplink_servers);
	natsStatus st;

	st = natsOptions_Create(&u->opts);
	if (st == NATS_OK)
		st = natsOptions_SetServers(u->opts, (const char **)cfg->uplink_servers, n);
	if (st == NATS_OK)
		st = natsOptions_SetName(u->opts, name);
	if (st == NATS_OK)
		st = natsOptions_SetSecure(u->opts, true);
	if (st == NATS_OK)
		st = natsOptions_LoadCATrustedCertificates(u->opts, cfg->uplink_ca);
	if (st == NATS_OK)
		st = natsOptions_LoadCertificatesChain(u->opts, cfg->uplink_cert, cfg->uplink_key);
	if (st == NATS_OK)
		st = natsOptions_SetCustomInboxPrefix(u->opts, inbox);
	if (st == NATS_OK)
		st = natsOptions_SetTimeout(u->opts, 2000);
	/* A cut link is found within a minute even when idle (pings), and a
	 * write into it gives up after a few seconds: the connection is then
	 * closed and made again (the records wait in the outbox). */
	if (st == NATS_OK)
		st = natsOptions_SetPingInterval(u->opts, 20000);
	if (st == NATS_OK)
		st = natsOptions_SetMaxPingsOut(u->opts, 3);
	if (st == NATS_OK)
		st = natsOptions_SetWriteDeadline(u->opts, 5000);
	if (st == NATS_OK)
		st = natsOptions_SetMaxReconnect(u->opts, -1);
	if (st == NATS_OK)
		st = natsOptions_SetReconnectWait(u->opts, 1000);
	if (st == NATS_OK)
		st = natsOptions_SetRetryOnFailedConnect(u->opts, true, on_connected, u);
	if (st == NATS_OK)
		st = natsOptions_SetDisconnectedCB(u->opts, on_disconnected, u);
	if (st == NATS_OK)
		st = natsOptions_SetReconnectedCB(u->opts, on_reconnected, u);
	if (st != NATS_OK) {
		const char *why = nats_GetLastError(NULL);

		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "[uplink] in %s: %s — check the files ca, cert and key", cfg->path,
			    why && *why ? why : natsStatus_GetText(st));
		return -EINVAL;
	}
	return 0;
}

static void uplink_key_free(gpointer p)
{
	g_free(p);
}

struct uplink *uplink_new(const struct config *cfg, struct store *store, struct bus *bus,
			  struct api *api)
{
	g_autoptr(GError) error = NULL;
	struct uplink *u;

	if (!cfg->uplink)
		return NULL;
	u = g_new0(struct uplink, 1);
	u->cfg = cfg;
	u->store = store;
	u->bus = bus;
	u->api = api;
	u->ctx = g_main_context_ref_thread_default();
	g_mutex_init(&u->lock);
	u->events = g_array_new(FALSE, TRUE, sizeof(struct uplink_ev));
	u->outq = g_async_queue_new_full(uplink_out_free);
	u->in_flight = g_hash_table_new_full(g_int64_hash, g_int64_equal, uplink_key_free, NULL);
	u->faults = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	u->subject_prefix = g_strdup_printf("vuoro.rec.%s.", cfg->uplink_site);
	u->kv_subject = g_strdup_printf("$KV.vuoro-sites.%s", cfg->uplink_site);
	u->cmd_subject = g_strdup_printf("vuoro.site.%s.cmd.>", cfg->uplink_site);
	u->commands = commands_new(cfg, api, uplink_publish_signal, u);
	if (store_outbox_first_unsent(store, &u->next_seq, &error) < 0) {
		g_warning("uplink: %s", error->message);
		g_clear_error(&error);
		u->next_seq = 1;
	}
	u->low_seq = u->next_seq;
	u->presence = presence_new(cfg->uplink_presence_s, bus);
	store_outbox_set_notify(store, uplink_notify, u);
	u->bus_sub = bus_subscribe(bus, "queue.", uplink_on_queue, u);
	u->session_sub = bus_subscribe(bus, "session.", uplink_on_queue, u);
	u->bus_booking_sub = bus_subscribe(bus, "appointment.", uplink_on_queue, u);
	u->tick_source = g_timeout_add_seconds(UPLINK_TICK_S, uplink_tick, u);
	uplink_backlog(u);
	if (uplink_options(u, &error) < 0) {
		uplink_set_error(u, "%s", error->message);
		g_warning("uplink: %s", error->message);
		return u;
	}
	u->connect_thread = g_thread_new("uplink-connect", uplink_connect_thread, u);
	return u;
}

/* At the end: the events not taken by the loop, their acknowledgements into
 * @acks; their messages destroyed when @destroy (libnats still up). */
static void uplink_take_events(struct uplink *u, GArray *acks, bool destroy)
{
	g_mutex_lock(&u->lock);
	for (guint i = 0; i < u->events->len; i++) {
		struct uplink_ev *ev = &g_array_index(u->events, struct uplink_ev, i);

		if (ev->type == EV_ACK)
			g_array_append_val(acks, ev->seq);
		if (destroy)
			natsMsg_Destroy(ev->msg);
		g_free(ev->error);
		g_free(ev->url);
	}
	g_array_set_size(u->events, 0);
	g_mutex_unlock(&u->lock);
}

void uplink_free(struct uplink *u)
{
	g_autoptr(GArray) acks = g_array_new(FALSE, FALSE, sizeof(int64_t));
	GArray *events;

	if (!u)
		return;
	store_outbox_set_notify(u->store, NULL, NULL);
	bus_unsubscribe(u->bus, u->bus_sub);
	bus_unsubscribe(u->bus, u->session_sub);
	bus_unsubscribe(u->bus, u->bus_booking_sub);
	if (u->connect_thread)
		g_thread_join(u->connect_thread);
	/* A first connection not yet taken in by the loop is ours to close. */
	g_mutex_lock(&u->lock);
	for (guint i = 0; i < u->events->len; i++) {
		struct uplink_ev *ev = &g_array_index(u->events, struct uplink_ev, i);

		if (ev->type == EV_STARTED && ev->nc && !u->nc)
			u->nc = g_steal_pointer(&ev->nc);
	}
	g_mutex_unlock(&u->lock);
	/* The publishing thread first (what it has not sent stays in the outbox). */
	if (u->pub_thread) {
		struct uplink_out *stop = g_new0(struct uplink_out, 1);

		stop->stop = true;
		g_async_queue_push_front(u->outq, stop);
		g_thread_join(u->pub_thread);
	}
	/* What it had not taken: freed while libnats is still up. */
	for (struct uplink_out *o; (o = g_async_queue_try_pop(u->outq));)
		uplink_out_free(o);
	/* What is in flight: its acknowledgements, for at most UPLINK_FLUSH_MS. */
	if (u->js && u->connected && g_hash_table_size(u->in_flight)) {
		jsPubOptions po;

		jsPubOptions_Init(&po);
		po.MaxWait = UPLINK_FLUSH_MS;
		js_PublishAsyncComplete(u->js, &po);
	}
	presence_unsubscribe(u->presence);
	if (u->nc)
		natsConnection_Close(u->nc);
	natsSubscription_Destroy(u->cmd_sub);
	if (u->js)
		jsCtx_Destroy(u->js);
	if (u->nc)
		natsConnection_Destroy(u->nc);
	natsOptions_Destroy(u->opts);
	u->opts = NULL;
	/* The events so far: their messages go back to libnats while it is
	 * still up (natsMsg_Destroy after nats_CloseAndWait crashes); the
	 * publishing thread has ended. */
	uplink_take_events(u, acks, true);
	/* libnats's threads end here: no callback after this. */
	nats_CloseAndWait(UPLINK_FLUSH_MS);
	presence_free(u->presence);
	/* Any that came meanwhile: acknowledgements still count; a message can
	 * no longer be given back, and is left to the exit. */
	uplink_take_events(u, acks, false);
	g_mutex_lock(&u->lock);
	if (u->wake) {
		g_source_destroy(u->wake);
		g_source_unref(u->wake);
		u->wake = NULL;
	}
	events = u->events;
	u->events = NULL;
	g_mutex_unlock(&u->lock);
	g_array_unref(events);
	uplink_acked(u, acks, false);
	if (u->retry_source)
		g_source_remove(u->retry_source);
	if (u->pump_source)
		g_source_remove(u->pump_source);
	if (u->live_source)
		g_source_remove(u->live_source);
	g_source_remove(u->tick_source);
	g_hash_table_unref(u->in_flight);
	g_hash_table_unref(u->faults);
	g_main_context_unref(u->ctx);
	g_mutex_clear(&u->lock);
	g_free(u->subject_prefix);
	g_free(u->kv_subject);
	g_free(u->cmd_subject);
	commands_free(u->commands);
	g_async_queue_unref(u->outq);
	g_free(u->server);
	g_free(u->last_error);
	g_free(u->alarm);
	g_free(u->live_sent);
	g_free(u);
}

void uplink_build(struct uplink *u, JsonBuilder *b)
{
	web_json_add_str(b, "site", u->cfg->uplink_site);
	web_json_add_bool(b, "connected", u->connected);
	web_json_add_str(b, "server", u->connected ? u->server : NULL);
	web_json_add_str(b, "last_error", u->last_error);
	uplink_backlog(u);
	json_builder_set_member_name(b, "backlog");
	json_builder_begin_object(b);
	web_json_add_int(b, "unsent", u->backlog_n);
	json_builder_set_member_name(b, "oldest_at");
	if (u->backlog_n)
		json_builder_add_int_value(b, u->backlog_oldest_at);
	else
		json_builder_add_null_value(b);
	json_builder_end_object(b);
	web_json_add_int(b, "in_flight", g_hash_table_size(u->in_flight));
	json_builder_set_member_name(b, "last_ack_at");
	if (u->last_ack_at)
		json_builder_add_int_value(b, u->last_ack_at);
	else
		json_builder_add_null_value(b);
	web_json_add_int(b, "published", u->published);
	web_json_add_int(b, "acked", u->acked);
	web_json_add_int(b, "duplicates", u->duplicates);
	web_json_add_int(b, "retry_in_s", u->retry_source ? u->backoff_s : 0);
	web_json_add_str(b, "alarm", u->alarm);
	json_builder_set_member_name(b, "presence");
	presence_build(u->presence, b);
}

struct presence *uplink_presence(struct uplink *u)
{
	return u ? u->presence : NULL;
}

const char *uplink_fault(const struct uplink *u)
{
	return u->alarm;
}
