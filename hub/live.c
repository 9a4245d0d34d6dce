/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * live: the sites' live states from the KV bucket (see live.h).
 */
#include "live.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hub_nats.h"
#include "json.h"

struct site {
	char *id;
	JsonNode *state; /* the value's object; NULL after a delete */
	int64_t at;      /* the value's own "at" (the site's clock), s */
	int64_t seen_us; /* when the bucket stored it (the server's clock) */
	bool silent;
};

/* What the watcher's thread hands to the loop. */
struct item {
	char *key;
	char *value; /* NULL: deleted or purged */
	int64_t created_us;
};

struct hub_live {
	int64_t silent_us;
	kvStore *kv;
	kvWatcher *watcher;
	GThread *thread;
	gint stopping;
	GAsyncQueue *items;
	GSource *wake;     /* ready when items wait */
	guint silence;     /* the timer at the next site's silence */
	GHashTable *sites; /* id → struct site */
	hub_live_changed_fn changed;
	void *changed_data;
};

static void item_free(gpointer p)
{
	struct item *it = p;

	g_free(it->key);
	g_free(it->value);
	g_free(it);
}

static void site_free(gpointer p)
{
	struct site *s = p;

	g_free(s->id);
	if (s->state)
		json_node_unref(s->state);
	g_free(s);
}

/* ---------------------------------------------------------------------- */
/* The watcher's thread: only copies entries and wakes the loop.  It sleeps
 * in kvWatcher_Next (kvWatcher_Stop wakes it at once). */

static gpointer live_watch(gpointer data)
{
	struct hub_live *l = data;

	while (!g_atomic_int_get(&l->stopping)) {
		kvEntry *e = NULL;
		natsStatus st = kvWatcher_Next(&e, l->watcher, 60000);
		struct item *it;
		int64_t created;

		if (st == NATS_TIMEOUT)
			continue;
		if (st != NATS_OK) {
			if (g_atomic_int_get(&l->stopping) || st == NATS_ILLEGAL_STATE)
				break;
			g_usleep(100 * 1000);
			continue;
		}
		if (!e) /* the values present at start were all delivered */
			continue;
		it = g_new0(struct item, 1);
		it->key = g_strdup(kvEntry_Key(e));
		if (kvEntry_Operation(e) == kvOp_Put)
			it->value = g_strndup(kvEntry_Value(e), (gsize)kvEntry_ValueLen(e));
		created = kvEntry_Created(e); /* UTC, nanoseconds */
		it->created_us = created / 1000;
		kvEntry_Destroy(e);
		g_async_queue_push(l->items, it);
		g_source_set_ready_time(l->wake, 0);
	}
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* On the loop */

static void live_notify(struct hub_live *l, const char *site)
{
	if (l->changed)
		l->changed(site, l->changed_data);
}

static gboolean live_silence(gpointer data);

/* The timer at the earliest moment a site that speaks would go silent. */
static void live_schedule(struct hub_live *l)
{
	int64_t now = g_get_real_time(), next = G_MAXINT64;
	GHashTableIter it;
	gpointer value;

	if (l->silence)
		g_source_remove(l->silence);
	l->silence = 0;
	g_hash_table_iter_init(&it, l->sites);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		struct site *s = value;

		if (!s->silent && s->state && s->seen_us + l->silent_us < next)
			next = s->seen_us + l->silent_us;
	}
	if (next == G_MAXINT64)
		return;
	l->silence =
	    g_timeout_add((guint)CLAMP((next - now) / 1000 + 1, 0, G_MAXINT32), live_silence, l);
}

static gboolean live_silence(gpointer data)
{
	struct hub_live *l = data;
	int64_t now = g_get_real_time();
	GHashTableIter it;
	gpointer value;

	l->silence = 0;
	g_hash_table_iter_init(&it, l->sites);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		struct site *s = value;

		if (!s->silent && s->state && now - s->seen_us >= l->silent_us) {
			s->silent = true;
			g_message("site %s is silent: nothing from it for %" G_GINT64_FORMAT " s",
				  s->id, (now - s->seen_us) / G_USEC_PER_SEC);
			live_notify(l, s->id);
		}
	}
	live_schedule(l);
	return G_SOURCE_REMOVE;
}

static void live_take(struct hub_live *l, struct item *it)
{
	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	struct site *s = g_hash_table_lookup(l->sites, it->key);
	JsonNode *root;
	JsonObject *o;

	if (it->value && (!json_parser_load_from_data(parser, it->value, -1, NULL) ||
			  !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))) {
		g_warning("site %s: its live state is not a JSON object: ignored", it->key);
		return;
	}
	if (!s) {
		s = g_new0(struct site, 1);
		s->id = g_strdup(it->key);
		g_hash_table_insert(l->sites, s->id, s);
	}
	if (s->state)
		json_node_unref(s->state);
	s->state = NULL;
	if (it->value) {
		root = json_parser_get_root(parser);
		o = json_node_get_object(root);
		s->state = json_node_ref(root);
		s->at = json_object_get_int_member_with_default(o, "at", 0);
	}
	s->seen_us = it->created_us;
	s->silent = g_get_real_time() - s->seen_us >= l->silent_us;
	live_notify(l, s->id);
}

static gboolean live_wake(GSource *source, GSourceFunc cb, gpointer data)
{
	struct hub_live *l = data;
	struct item *it;

	g_source_set_ready_time(source, -1);
	while ((it = g_async_queue_try_pop(l->items))) {
		live_take(l, it);
		item_free(it);
	}
	live_schedule(l);
	return G_SOURCE_CONTINUE;
}

static gboolean live_dispatch(GSource *source, GSourceFunc cb, gpointer data)
{
	return live_wake(source, cb, data);
}

static GSourceFuncs live_source_funcs = {.dispatch = live_dispatch};

int hub_live_start(const struct hub_config *cfg, jsCtx *js, struct hub_live **ret)
{
	struct hub_live *l = g_new0(struct hub_live, 1);
	natsStatus st;

	l->silent_us = (int64_t)cfg->fleet_silent_s * G_USEC_PER_SEC;
	l->sites = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, site_free);
	l->items = g_async_queue_new_full(item_free);
	st = js_KeyValue(&l->kv, js, HUB_NATS_BUCKET);
	if (st == NATS_OK)
		st = kvStore_WatchAll(&l->watcher, l->kv, NULL);
	if (st != NATS_OK) {
		g_warning("watching the bucket %s: %s (%s)", HUB_NATS_BUCKET,
			  natsStatus_GetText(st), nats_GetLastError(NULL));
		kvStore_Destroy(l->kv);
		g_async_queue_unref(l->items);
		g_hash_table_unref(l->sites);
		g_free(l);
		return -EIO;
	}
	l->wake = g_source_new(&live_source_funcs, sizeof(GSource));
	g_source_set_callback(l->wake, NULL, l, NULL);
	g_source_set_name(l->wake, "hub-live");
	g_source_attach(l->wake, NULL);
	l->thread = g_thread_new("kv-watch", live_watch, l);
	*ret = l;
	return 0;
}

void hub_live_stop(struct hub_live *l)
{
	if (!l)
		return;
	g_atomic_int_set(&l->stopping, 1);
	kvWatcher_Stop(l->watcher);
	g_thread_join(l->thread);
	kvWatcher_Destroy(l->watcher);
	kvStore_Destroy(l->kv);
	g_source_destroy(l->wake);
	g_source_unref(l->wake);
	if (l->silence)
		g_source_remove(l->silence);
	g_async_queue_unref(l->items);
	g_hash_table_unref(l->sites);
	g_free(l);
}

void hub_live_set_changed(struct hub_live *l, hub_live_changed_fn fn, void *data)
{
	l->changed = fn;
	l->changed_data = data;
}

JsonObject *hub_live_state(struct hub_live *l, const char *site)
{
	struct site *s = site ? g_hash_table_lookup(l->sites, site) : NULL;

	return s && s->state ? json_node_get_object(s->state) : NULL;
}

bool hub_live_silent(struct hub_live *l, const char *site)
{
	struct site *s = g_hash_table_lookup(l->sites, site);

	return !s || s->silent;
}

static void live_copy(JsonBuilder *b, JsonObject *o, const char *member)
{
	JsonNode *n = o ? json_object_get_member(o, member) : NULL;

	json_builder_set_member_name(b, member);
	if (n)
		json_builder_add_value(b, json_node_copy(n));
	else
		json_builder_add_null_value(b);
}

static void live_build(struct hub_live *l, const struct site *s, JsonBuilder *b)
{
	JsonObject *o = s->state ? json_node_get_object(s->state) : NULL;
	JsonArray *services = o && json_object_has_member(o, "services")
				  ? json_object_get_array_member(o, "services")
				  : NULL;
	int64_t waiting = 0;

	for (guint i = 0; services && i < json_array_get_length(services); i++) {
		JsonNode *n = json_array_get_element(services, i);

		if (JSON_NODE_HOLDS_OBJECT(n))
			waiting += json_object_get_int_member_with_default(json_node_get_object(n),
									   "waiting", 0);
	}
	json_builder_begin_object(b);
	web_json_add_str(b, "site", s->id);
	web_json_add_str(b, "name", o ? web_json_str(o, "name", NULL) : NULL);
	web_json_add_str(b, "version", o ? web_json_str(o, "version", NULL) : NULL);
	web_json_add_str(b, "epoch", o ? web_json_str(o, "epoch", NULL) : NULL);
	web_json_add_int(b, "at", s->at);
	web_json_add_int(b, "seen", s->seen_us / G_USEC_PER_SEC);
	web_json_add_bool(b, "silent", s->silent);
	web_json_add_bool(b, "removed", o == NULL);
	web_json_add_int(b, "silent_after_s", l->silent_us / G_USEC_PER_SEC);
	live_copy(b, o, "languages");
	live_copy(b, o, "faults");
	live_copy(b, o, "backlog");
	live_copy(b, o, "booths");
	web_json_add_int(b, "waiting", waiting);
	json_builder_end_object(b);
}

static gint site_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void hub_live_build_fleet(struct hub_live *l, JsonBuilder *b)
{
	g_autofree gpointer *keys = g_hash_table_get_keys_as_array(l->sites, NULL);
	guint n = g_hash_table_size(l->sites);

	qsort(keys, n, sizeof(*keys), (int (*)(const void *, const void *))site_cmp);
	json_builder_begin_array(b);
	for (guint i = 0; i < n; i++)
		live_build(l, g_hash_table_lookup(l->sites, keys[i]), b);
	json_builder_end_array(b);
}

const char **hub_live_site_ids(struct hub_live *l)
{
	guint n = 0;
	const char **keys = (const char **)g_hash_table_get_keys_as_array(l->sites, &n);

	qsort(keys, n, sizeof(*keys), (int (*)(const void *, const void *))site_cmp);
	return keys;
}

bool hub_live_build_site(struct hub_live *l, const char *site, JsonBuilder *b)
{
	struct site *s = g_hash_table_lookup(l->sites, site);

	if (!s)
		return false;
	live_build(l, s, b);
	return true;
}

/* "<site>.<REF>": a site id (a-z, 0-9, '-'; at most 32) and a follow
 * reference (URL-safe base64). */
static bool follow_ref_split(const char *full, char site[33], const char **ref)
{
	const char *dot = full ? strchr(full, '.') : NULL;
	size_t n = dot ? (size_t)(dot - full) : 0, m;

	if (!dot || n == 0 || n > 32 || strspn(full, "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
		return false;
	m = strlen(dot + 1);
	if (m == 0 || m > 64 ||
	    strspn(dot + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") !=
		m)
		return false;
	memcpy(site, full, n);
	site[n] = '\0';
	*ref = dot + 1;
	return true;
}

int hub_live_build_follow(struct hub_live *l, const char *full, JsonBuilder *b)
{
	char site[33];
	const char *ref;
	g_autofree char *hash = NULL;
	JsonObject *o, *follow, *tk, *st;
	JsonArray *counters, *services;
	const char *state;
	int64_t place;

	if (!follow_ref_split(full, site, &ref) || !(o = hub_live_state(l, site)))
		return -ENOENT;
	hash = g_compute_checksum_for_string(G_CHECKSUM_SHA256, ref, -1);
	hash[32] = '\0';
	follow = json_object_has_member(o, "follow") &&
			 JSON_NODE_HOLDS_OBJECT(json_object_get_member(o, "follow"))
		     ? json_object_get_object_member(o, "follow")
		     : NULL;
	if (!follow || !json_object_has_member(follow, hash) ||
	    !JSON_NODE_HOLDS_OBJECT(json_object_get_member(follow, hash)))
		return -ENOENT;
	tk = json_object_get_object_member(follow, hash);
	state = web_json_str(tk, "state", "waiting");
	/* The shape of the site's own GET /api/follow/REF, as far as the live
	 * state tells it, and the site's names for the page's header. */
	json_builder_begin_object(b);
	web_json_add_str(b, "site_id", site);
	web_json_add_str(b, "code", web_json_str(tk, "code", ""));
	web_json_add_str(b, "service", web_json_str(tk, "service", NULL));
	web_json_add_str(b, "lang", web_json_str(tk, "lang", NULL));
	web_json_add_str(b, "state", state);
	if (strcmp(state, "waiting") == 0) {
		place = json_object_get_int_member_with_default(tk, "place", 1);
		web_json_add_int(b, "ahead", place > 0 ? place - 1 : 0);
		live_copy(b, tk, "wait_s");
		live_copy(b, tk, "unavailable"); /* no expert can answer its line now */
	}
	live_copy(b, tk, "counter");
	web_json_add_bool(b, "silent", hub_live_silent(l, site));
	web_json_add_int(b, "at", json_object_get_int_member_with_default(o, "at", 0));
	json_builder_set_member_name(b, "status");
	json_builder_begin_object(b);
	web_json_add_str(b, "site", web_json_str(o, "name", site));
	live_copy(b, o, "languages");
	json_builder_set_member_name(b, "services");
	json_builder_begin_array(b);
	services = json_object_has_member(o, "services") &&
			   JSON_NODE_HOLDS_ARRAY(json_object_get_member(o, "services"))
		       ? json_object_get_array_member(o, "services")
		       : NULL;
	for (guint i = 0; services && i < json_array_get_length(services); i++) {
		JsonNode *n = json_array_get_element(services, i);

		if (!JSON_NODE_HOLDS_OBJECT(n))
			continue;
		st = json_node_get_object(n);
		json_builder_begin_object(b);
		live_copy(b, st, "code");
		live_copy(b, st, "names");
		live_copy(b, st, "staffed");
		live_copy(b, st, "waiting");
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	counters = json_object_has_member(o, "counters") &&
			   JSON_NODE_HOLDS_ARRAY(json_object_get_member(o, "counters"))
		       ? json_object_get_array_member(o, "counters")
		       : NULL;
	json_builder_set_member_name(b, "counters");
	if (counters)
		json_builder_add_value(b, json_node_copy(json_object_get_member(o, "counters")));
	else {
		json_builder_begin_array(b);
		json_builder_end_array(b);
	}
	json_builder_end_object(b);
	json_builder_end_object(b);
	return 0;
}
