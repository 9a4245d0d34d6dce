/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api_internal: what the API's route files share (api.c, api_booth.c).
 * Not for other modules: they use api.h.
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "api.h"
#include "booth.h"
#include "queue.h"

struct api {
	const struct config *cfg;
	struct desk *desk;
	struct bus *bus;
	struct dispenser *dispenser; /* may be NULL */
	struct frontdesk *frontdesk; /* may be NULL */
	struct displays *displays;   /* may be NULL */
	struct announcer *announcer; /* may be NULL */
	struct booths *booths;       /* may be NULL */
	struct identity *identity;   /* the ID-card reader; may be NULL */
	struct feedback *feedback;   /* ratings of visits; may be NULL */
	struct api_booth *booth_api; /* api_booth.c's sockets and streams */
	GHashTable *visit_identity; /* ticket id → JsonNode: its visit's identity (api_visit.c) */
	SoupServer *server;
	GPtrArray *sockets; /* of SoupWebsocketConnection *, authorised */
	guint bus_queue_sub;
	guint bus_appointment_sub;
	guint bus_device_subs[4];    /* api_device_topics */
	GHashTable *login_fails;     /* remote host → struct api_login_fails * */
	struct auth_pool *auth_pool; /* every Argon2 hash and check runs there */
	int64_t started_at;
	struct queue_result res; /* scratch for desk_exec */
	gboolean tls;            /* serving HTTPS: cookies are Secure */
};

static const char *const api_device_topics[] = {"printer.", "display.", "announcer.", "panel."};

struct api_login_fails {
	int64_t window_start;
	int count;
};

struct api_caller {
	unsigned role; /* one AUTH_ROLE_*, 0 = anonymous */
	char *user;    /* NULL for the kiosk and anonymous callers */
	char *csrf;    /* a browser session (cookie): the CSRF token it must send */
};

#define API_COOKIE      "vuoro_session"
#define API_CSRF_HEADER "X-CSRF-Token"

struct api_req {
	struct api *api;
	SoupServerMessage *msg;
	char **seg;       /* path segments: "api", "counters", "2", "call" */
	JsonObject *body; /* the parsed body when the route takes one */
	GHashTable *query;
	struct api_caller caller;
};

typedef void (*api_fn)(struct api_req *r);

enum api_type {
	API_STRING = 1,
	API_INT,
	API_BOOL,
};

struct api_field {
	const char *name;
	enum api_type type;
	gboolean required;
};

struct api_route {
	const char *method;
	const char *path; /* '*' matches one segment */
	unsigned roles;   /* 0 = anybody */
	api_fn fn;
	const struct api_field *fields; /* NULL: no JSON body; ends with {NULL} */
};

/* Replies */
void api_reply(struct api_req *r, guint status, JsonNode *node);
void api_reply_builder(struct api_req *r, guint status, JsonBuilder *b);
void api_reply_ok(struct api_req *r, guint status);
void G_GNUC_PRINTF(4, 5)
    api_error(struct api_req *r, guint status, const char *code, const char *fmt, ...);
/* Maps a negative errno onto HTTP. */
void api_error_errno(struct api_req *r, int rc, const char *message,
		     const struct queue_result *res);
void api_error_gerror(struct api_req *r, int rc, const GError *error,
		      const struct queue_result *res);

/* JSON */
void api_add_int(JsonBuilder *b, const char *name, int64_t v);
void api_add_str(JsonBuilder *b, const char *name, const char *v);
void api_add_bool(JsonBuilder *b, const char *name, gboolean v);

/* The request: body fields (checked by the route table), path segments */
const char *api_str(struct api_req *r, const char *name);
gboolean api_has(struct api_req *r, const char *name);
int64_t api_int(struct api_req *r, const char *name, int64_t fallback);
gboolean api_bool(struct api_req *r, const char *name, gboolean fallback);
/* Segment @i as a positive integer id, or reply 404. */
gboolean api_seg_id(struct api_req *r, int i, int64_t *ret);

/* Who calls: role, user, CSRF token (free user and csrf). */
void api_identify(struct api *api, SoupServerMessage *msg, GHashTable *query,
		  struct api_caller *ret);
gboolean api_foreign_origin(SoupServerMessage *msg);
/* @b to the staff and kiosk sockets; @pub (may be NULL) to anonymous ones. */
void api_ws_send_all(struct api *api, JsonBuilder *b, JsonBuilder *pub);

/* api_booth.c: the routes of booths, sessions and experts, and their
 * sockets (signalling, the booth screen's video). */
extern const struct api_route api_booth_routes[];
extern const size_t api_booth_n_routes;
/* api_visit.c: identity checks for a visit (the ID card's chip, or a
 * document checked by staff). */
extern const struct api_route api_visit_routes[];
extern const size_t api_visit_n_routes;
/* The identity of @ticket's visit for staff views: an "identity" member
 * {method, verdict, name?, document_type?}, or nothing when unchecked. */
void api_visit_build_identity(struct api *api, JsonBuilder *b, uint32_t ticket);
/* @ticket's visit is over: its identity is forgotten. */
void api_visit_forget(struct api *api, uint32_t ticket);
void api_booth_init(struct api *api);
void api_booth_free(struct api *api);
