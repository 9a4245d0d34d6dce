/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api_devices: who a device is and what it may touch; which sockets end with
 * a login.
 *
 * Each kiosk and each booth's screen has its own token (256 random bits; the
 * store keeps its SHA-256).  cog and the booth's MJPEG <img> send no headers
 * of their own, so a device is paired once: an admin asks for a one-time code
 * (POST /api/devices/NAME/pair), the code is entered on the device's page,
 * and POST /api/devices/pair answers with an HttpOnly cookie that carries a
 * fresh token.  Scripts send the token as "Authorization: Bearer".
 *
 * A device is bound to what it may touch: a booth screen acts for its own
 * booth only; a kiosk cancels, hands out, reprints or identifies only the
 * tickets it drew itself, within API_DEVICE_TICKET_S.  On the sim board
 * (`make run`, the tests) the kiosk addresses keep the kiosk role without a
 * device, as before; on a real board, address-only trust is gone.
 *
 * Every staff and device socket is kept with the session, user and device
 * it was opened for, so that logging out, a changed password, a disabled
 * user or a revoked device closes them.
 *
 * Invariant: every token and code is compared with auth_token_equal
 * (constant time); a device row is found by its digest's first 16 hex
 * digits only.
 */

#include <errno.h>
#include <sodium.h>
#include <string.h>

#include "api_internal.h"
#include "auth.h"
#include "config.h"
#include "desk.h"
#include "store.h"

#define API_DEVICE_TICKET_S 300 /* a kiosk acts on a ticket it drew this long */
#define API_PAIR_VALID_S    600 /* a pairing code is good this long */

struct api_devices {
	GHashTable *tickets; /* ticket id → struct api_device_ticket * */
	GPtrArray *sockets;  /* of SoupWebsocketConnection * (ref): staff and devices */
	struct auth_throttle *pair_throttle; /* per address */
	char *legacy_token;                  /* [api] kiosk-token when it is not the placeholder */
};

struct api_device_ticket {
	char device[WEB_DEVICE_NAME_MAX + 1];
	int64_t at;
};

void api_devices_init(struct api *api)
{
	struct api_devices *d = g_new0(struct api_devices, 1);

	d->tickets = g_hash_table_new_full(NULL, NULL, NULL, g_free);
	d->sockets = g_ptr_array_new_with_free_func(g_object_unref);
	d->pair_throttle = auth_throttle_new();
	if (api->cfg->kiosk_token && g_str_has_prefix(api->cfg->kiosk_token, "change-me"))
		g_warning("[api] kiosk-token is still the placeholder: it is refused; pair each "
			  "kiosk instead (vuoroctl devices add, vuoroctl devices pair)");
	else
		d->legacy_token = g_strdup(api->cfg->kiosk_token);
	api->devices = d;
}

static void api_devices_socket_closed(SoupWebsocketConnection *ws, gpointer data)
{
	struct api_devices *d = data;

	g_ptr_array_remove(d->sockets, ws);
}

void api_devices_free(struct api *api)
{
	struct api_devices *d = api ? api->devices : NULL;

	if (!d)
		return;
	for (guint i = 0; i < d->sockets->len; i++)
		g_signal_handlers_disconnect_by_data(g_ptr_array_index(d->sockets, i), d);
	g_ptr_array_unref(d->sockets);
	g_hash_table_unref(d->tickets);
	auth_throttle_free(d->pair_throttle);
	if (d->legacy_token)
		sodium_memzero(d->legacy_token, strlen(d->legacy_token));
	g_free(d->legacy_token);
	g_free(d);
	api->devices = NULL;
}

/* ---------------------------------------------------------------------- */
/* Who: a device token */

gboolean api_devices_identify(struct api *api, const char *token, struct web_caller *ret)
{
	struct api_devices *d = api->devices;
	g_autofree char *digest = NULL;
	struct store_device dev = {0};
	gboolean ok;

	if (!token)
		return FALSE;
	if (d->legacy_token && auth_token_equal(token, d->legacy_token)) {
		ret->role = AUTH_ROLE_KIOSK;
		g_strlcpy(ret->device, "kiosk-token", sizeof(ret->device));
		ret->scope = 0;
		return TRUE;
	}
	digest = auth_token_digest(token);
	if (store_device_by_token(desk_store(api->desk), digest, &dev, NULL) < 0)
		return FALSE;
	ok = auth_token_equal(digest, dev.token_hash);
	if (ok) {
		ret->role = AUTH_ROLE_KIOSK;
		g_strlcpy(ret->device, dev.name, sizeof(ret->device));
		ret->scope = strcmp(dev.role, "booth") == 0 ? dev.booth : 0;
	}
	store_device_clear(&dev);
	return ok;
}

/* ---------------------------------------------------------------------- */
/* What: the scope of a device */

void api_devices_note_ticket(struct api *api, const char *device, uint32_t ticket)
{
	struct api_device_ticket *t;
	struct queue_time now;

	if (!device || !*device || !ticket)
		return;
	desk_time(api->desk, &now);
	t = g_new0(struct api_device_ticket, 1);
	g_strlcpy(t->device, device, sizeof(t->device));
	t->at = now.now;
	g_hash_table_replace(api->devices->tickets, GUINT_TO_POINTER(ticket), t);
	/* Forget what no device may act on any more. */
	if (g_hash_table_size(api->devices->tickets) > 256) {
		GHashTableIter it;
		gpointer value;

		g_hash_table_iter_init(&it, api->devices->tickets);
		while (g_hash_table_iter_next(&it, NULL, &value))
			if (now.now - ((struct api_device_ticket *)value)->at > API_DEVICE_TICKET_S)
				g_hash_table_iter_remove(&it);
	}
}

static gboolean api_devices_own_ticket(struct web_req *r, const char *seg)
{
	struct api_device_ticket *t;
	struct queue_time now;
	guint64 id;

	if (!g_ascii_string_to_unsigned(seg, 10, 1, G_MAXUINT32, &id, NULL))
		return FALSE;
	t = g_hash_table_lookup(api_of(r)->devices->tickets, GUINT_TO_POINTER((guint)id));
	desk_time(api_of(r)->desk, &now);
	return t && strcmp(t->device, r->caller.device) == 0 &&
	       now.now - t->at <= API_DEVICE_TICKET_S;
}

static gboolean api_devices_refuse(struct web_req *r, const char *why)
{
	web_error(r, 403, "forbidden", "device %s: %s", r->caller.device, why);
	return FALSE;
}

/* A booth's leave: its own screen, the expert of its running session, or an
 * admin. */
static gboolean api_devices_expert_leave(struct web_req *r)
{
	struct booths_session_info info;
	guint64 id;

	if (r->caller.role & AUTH_ROLE_ADMIN || !api_of(r)->booths)
		return TRUE;
	if (!g_ascii_string_to_unsigned(r->seg[2], 10, 1, G_MAXINT16, &id, NULL) ||
	    booths_session_of(api_of(r)->booths, (int)id, &info) < 0)
		return TRUE; /* the route answers 404 or "no session" */
	if (g_strcmp0(info.expert, r->caller.user) == 0)
		return TRUE;
	web_error(r, 403, "forbidden", "booth %s is in %s's session, not yours", r->seg[2],
		  info.expert);
	return FALSE;
}

gboolean api_devices_permit(struct web_req *r)
{
	char **seg = r->seg;
	guint n = g_strv_length(seg);
	const char *method = r->method;
	gboolean post = strcmp(method, "POST") == 0;

	if (!r->caller.device[0]) {
		if (post && n == 4 && strcmp(seg[1], "booths") == 0 &&
		    strcmp(seg[3], "leave") == 0 && r->caller.user)
			return api_devices_expert_leave(r);
		return TRUE; /* staff, anonymous, the sim board's kiosk address */
	}
	/* What any device reads. */
	if (!post && n == 2 && (strcmp(seg[1], "whoami") == 0 || strcmp(seg[1], "status") == 0))
		return TRUE;
	if (r->caller.scope) {
		g_autofree char *own = g_strdup_printf("%d", r->caller.scope);

		if (n == 2 && strcmp(seg[1], "booths") == 0 && !post)
			return TRUE;
		if (n >= 3 && strcmp(seg[1], "booths") == 0 && strcmp(seg[2], own) == 0)
			return TRUE;
		if (post && n == 2 && strcmp(seg[1], "feedback") == 0 &&
		    web_int(r, "counter", 0) == r->caller.scope)
			return TRUE;
		/* the words to its own rating: api/feedback.c checks the counter */
		if (post && n == 4 && strcmp(seg[1], "feedback") == 0 &&
		    strcmp(seg[3], "words") == 0)
			return TRUE;
		if (!post && n == 3 && strcmp(seg[1], "feedback") == 0 &&
		    strcmp(seg[2], "question") == 0)
			return TRUE;
		return api_devices_refuse(r, "a booth screen acts for its own booth only");
	}
	/* A kiosk. */
	if (strcmp(seg[1], "booths") == 0)
		return api_devices_refuse(r, "a kiosk does not act for booths");
	if (n == 4 && strcmp(seg[1], "tickets") == 0 && !api_devices_own_ticket(r, seg[2]))
		return api_devices_refuse(
		    r, "a kiosk acts only on tickets it drew itself in the last few minutes");
	return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Sockets that end with their login */

void api_devices_track_socket(struct api *api, SoupWebsocketConnection *ws,
			      const struct web_caller *caller)
{
	struct api_devices *d = api->devices;

	if (!caller->role)
		return;
	g_object_set_data_full(G_OBJECT(ws), "vuoro-auth-session", g_strdup(caller->session),
			       g_free);
	g_object_set_data_full(G_OBJECT(ws), "vuoro-auth-user", g_strdup(caller->user), g_free);
	g_object_set_data_full(G_OBJECT(ws), "vuoro-auth-device", g_strdup(caller->device), g_free);
	g_ptr_array_add(d->sockets, g_object_ref(ws));
	g_signal_connect(ws, "closed", G_CALLBACK(api_devices_socket_closed), d);
}

static gboolean api_devices_matches(GObject *ws, const char *key, const char *value)
{
	const char *have = g_object_get_data(ws, key);

	return value && *value && have && *have && strcmp(have, value) == 0;
}

int api_devices_end_sockets(struct api *api, const char *session, const char *user,
			    const char *device, const char *why)
{
	struct api_devices *d = api->devices;
	g_autoptr(GPtrArray) ending = g_ptr_array_new_with_free_func(g_object_unref);

	for (guint i = 0; i < d->sockets->len; i++) {
		GObject *ws = g_ptr_array_index(d->sockets, i);

		if (api_devices_matches(ws, "vuoro-auth-session", session) ||
		    api_devices_matches(ws, "vuoro-auth-user", user) ||
		    api_devices_matches(ws, "vuoro-auth-device", device))
			g_ptr_array_add(ending, g_object_ref(ws));
	}
	/* The booth screen's video is a long HTTP answer, not a socket. */
	api_booth_end_viewers(api, session, user, device);
	/* Closing emits "closed", which edits d->sockets: close from a copy. */
	for (guint i = 0; i < ending->len; i++) {
		SoupWebsocketConnection *ws = g_ptr_array_index(ending, i);

		if (soup_websocket_connection_get_state(ws) == SOUP_WEBSOCKET_STATE_OPEN)
			soup_websocket_connection_close(ws, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
							why);
	}
	return (int)ending->len;
}

/* ---------------------------------------------------------------------- */
/* Routes: devices for admins, pairing for the device */

static gboolean api_devices_name_ok(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	if (len < 1 || len > WEB_DEVICE_NAME_MAX)
		return FALSE;
	for (const char *c = name; *c; c++)
		if (!g_ascii_isalnum(*c) && *c != '.' && *c != '-' && *c != '_')
			return FALSE;
	return TRUE;
}

static void api_devices_build(const struct store_device *dev, void *data)
{
	JsonBuilder *b = data;

	json_builder_begin_object(b);
	web_json_add_str(b, "name", dev->name);
	web_json_add_str(b, "role", dev->role);
	if (dev->booth)
		web_json_add_int(b, "booth", dev->booth);
	web_json_add_int(b, "created_at", dev->created_at);
	web_json_add_int(b, "paired_at", dev->paired_at);
	web_json_add_bool(b, "pairing", dev->pair_hash != NULL);
	json_builder_end_object(b);
}

static void api_devices_list(struct web_req *r)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(GError) error = NULL;
	int rc;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "devices");
	json_builder_begin_array(b);
	rc = store_device_foreach(desk_store(api_of(r)->desk), api_devices_build, b, &error);
	json_builder_end_array(b);
	json_builder_end_object(b);
	if (rc < 0)
		api_error_gerror(r, rc, error, NULL);
	else
		web_reply_builder(r, 200, b);
}

int api_devices_check(const struct config *cfg, const char *name, const char *role, int booth,
		      GError **error)
{
	const struct config_counter *cc;

	if (!api_devices_name_ok(name)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "a device name is 1 to %d letters, digits, '.', '-' or '_'",
			    WEB_DEVICE_NAME_MAX);
		return -EINVAL;
	}
	if (g_strcmp0(role, "kiosk") == 0) {
		if (booth) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "a kiosk has no booth: leave out --booth");
			return -EINVAL;
		}
		return 0;
	}
	if (g_strcmp0(role, "booth") != 0) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "a device's role is kiosk or booth, not \"%s\"", role ? role : "");
		return -EINVAL;
	}
	cc = cfg ? config_counter_get(cfg, config_counter_find(cfg, booth)) : NULL;
	if (cfg ? !cc || !cc->expert : booth <= 0) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "a booth screen needs the id of a [counter:ID] with kind = expert "
			    "(--booth N); %d is not one",
			    booth);
		return -EINVAL;
	}
	return 0;
}

static void api_devices_add(struct web_req *r)
{
	const char *name = web_str(r, "name");
	const char *role = web_str(r, "role");
	int64_t booth = web_int(r, "booth", 0);
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = NULL;
	g_autofree char *token = auth_token_new();
	g_autofree char *digest = auth_token_digest(token);
	struct store_device dev = {.name = (char *)name, .role = (char *)role};
	struct queue_time t;
	int rc;

	if (booth < 0 || booth > G_MAXINT16) {
		web_error(r, 400, "invalid", "booth must be a counter id");
		return;
	}
	rc = api_devices_check(api_of(r)->cfg, name, role, (int)booth, &error);
	desk_time(api_of(r)->desk, &t);
	dev.booth = (int)booth;
	dev.token_hash = digest;
	dev.created_at = t.now;
	if (rc == 0)
		rc = store_device_add(desk_store(api_of(r)->desk), &dev, &error);
	if (rc < 0) {
		api_error_gerror(r, rc, error, NULL);
		return;
	}
	b = json_builder_new();
	json_builder_begin_object(b);
	web_json_add_str(b, "name", name);
	web_json_add_str(b, "role", role);
	if (booth)
		web_json_add_int(b, "booth", booth);
	web_json_add_str(b, "token", token);
	json_builder_end_object(b);
	web_reply_builder(r, 201, b);
}

static void api_devices_revoke(struct web_req *r)
{
	g_autoptr(GError) error = NULL;
	int rc = store_device_delete(desk_store(api_of(r)->desk), r->seg[2], &error);

	if (rc < 0) {
		api_error_gerror(r, rc, error, NULL);
		return;
	}
	api_devices_end_sockets(api_of(r), NULL, NULL, r->seg[2], "this device was revoked");
	web_reply_ok(r, 200);
}

static void api_devices_pair_code(struct web_req *r)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = NULL;
	g_autofree char *code = auth_pair_code_new();
	g_autofree char *digest = auth_token_digest(code);
	struct queue_time t;
	int rc;

	desk_time(api_of(r)->desk, &t);
	rc = store_device_set_pair(desk_store(api_of(r)->desk), r->seg[2], digest,
				   t.now + API_PAIR_VALID_S, &error);
	if (rc < 0) {
		api_error_gerror(r, rc, error, NULL);
		return;
	}
	b = json_builder_new();
	json_builder_begin_object(b);
	web_json_add_str(b, "name", r->seg[2]);
	web_json_add_str(b, "code", code);
	web_json_add_int(b, "expires_at", t.now + API_PAIR_VALID_S);
	json_builder_end_object(b);
	web_reply_builder(r, 201, b);
}

struct api_pair_find {
	const char *digest;
	int64_t now;
	char *name; /* the device whose pending code matched */
};

static void api_devices_pair_match(const struct store_device *dev, void *data)
{
	struct api_pair_find *f = data;

	/* Every pending code is compared, in constant time, matched or not. */
	if (dev->pair_hash && auth_token_equal(dev->pair_hash, f->digest) &&
	    dev->pair_expires > f->now && !f->name)
		f->name = g_strdup(dev->name);
}

static void api_devices_pair(struct web_req *r)
{
	struct api *api = api_of(r);
	const char *host = web_req_remote(r);
	g_autofree char *key = g_strconcat("pair:", host ? host : "", NULL);
	g_autofree char *digest = auth_token_digest(web_str(r, "code"));
	g_autofree char *token = NULL;
	g_autofree char *token_digest = NULL;
	g_autofree char *cookie = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = NULL;
	struct api_pair_find find = {.digest = digest};
	struct queue_time t;
	int retry_s = 0;
	int rc;

	if (auth_throttle_attempt(api->devices->pair_throttle, key, g_get_monotonic_time(),
				  &retry_s) < 0) {
		g_autofree char *after = g_strdup_printf("%d", retry_s);

		web_reply_header(r, "Retry-After", after);
		web_error(r, 429, "too_many_tries", "too many wrong codes: try again in %d s",
			  retry_s);
		return;
	}
	desk_time(api->desk, &t);
	find.now = t.now;
	rc = store_device_foreach(desk_store(api->desk), api_devices_pair_match, &find, &error);
	if (rc < 0) {
		api_error_gerror(r, rc, error, NULL);
		return;
	}
	if (!find.name) {
		web_error(r, 401, "bad_code",
			  "wrong or expired pairing code: ask an admin for a new one "
			  "(vuoroctl devices pair NAME)");
		return;
	}
	auth_throttle_succeeded(api->devices->pair_throttle, key, FALSE);
	token = auth_token_new();
	token_digest = auth_token_digest(token);
	rc = store_device_set_token(desk_store(api->desk), find.name, token_digest, t.now, &error);
	if (rc < 0) {
		g_free(find.name);
		api_error_gerror(r, rc, error, NULL);
		return;
	}
	/* The old token (printed by --add-device, or a cookie of a unit that
	 * was replaced) stops working: its sockets end. */
	api_devices_end_sockets(api, NULL, NULL, find.name, "this device was paired again");
	cookie = g_strdup_printf(API_DEVICE_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; "
						   "Max-Age=%d%s",
				 token, 10 * 365 * 86400, api->tls ? "; Secure" : "");
	web_reply_header(r, "Set-Cookie", cookie);
	b = json_builder_new();
	json_builder_begin_object(b);
	web_json_add_str(b, "device", find.name);
	json_builder_end_object(b);
	web_reply_builder(r, 200, b);
	g_free(find.name);
}

static const struct web_field add_fields[] = {
    WEB_FIELD_STR("name", TRUE, WEB_DEVICE_NAME_MAX), WEB_FIELD_STR("role", TRUE, 16),
    WEB_FIELD_INT("booth", FALSE, 0, API_COUNTER_MAX), WEB_FIELDS_END};
static const struct web_field pair_fields[] = {WEB_FIELD_STR("code", TRUE, 16), WEB_FIELDS_END};

const struct web_route api_credentials_routes[] = {
    {"GET", "/api/devices", AUTH_ROLE_ADMIN, api_devices_list, NULL},
    {"POST", "/api/devices", AUTH_ROLE_ADMIN, api_devices_add, add_fields},
    {"POST", "/api/devices/pair", 0, api_devices_pair, pair_fields},
    {"POST", "/api/devices/*/pair", AUTH_ROLE_ADMIN, api_devices_pair_code, api_no_fields},
    {"POST", "/api/devices/*/revoke", AUTH_ROLE_ADMIN, api_devices_revoke, api_no_fields},
};
const size_t api_credentials_n_routes = G_N_ELEMENTS(api_credentials_routes);
