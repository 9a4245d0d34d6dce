/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * router: route tables for a JSON-over-HTTP API, knowing nothing of what the
 * program serves (vuorod's queue, the hub's reports).
 *
 * A program describes its API as tables of routes: method, path ('*' matches
 * one segment), the roles that may call it, the handler, and the body's
 * fields with their types and bounds.  The router matches a request, asks
 * the program who calls (identify), refuses foreign origins, missing CSRF
 * tokens and roles, checks the body (size, nesting, names, types, bounds)
 * and only then runs the handler.  Handlers read fields without checking
 * again.
 *
 * A request is a struct web_req whether it came through a socket or not:
 * web_router_call runs a handler on a request built in memory (tests, the
 * fuzzers), and its answer is kept in the exchange instead of written.
 * A handler that answers later holds the exchange (web_req_hold) and
 * answers through a web_req rebuilt on it.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <stdint.h>

#include "json.h"

#define WEB_MAX_SEGMENTS 8
/* A string field's longest value when its descriptor gives none. */
#define WEB_STRING_MAX_DEFAULT 256

enum web_type {
	WEB_STRING = 1,
	WEB_INT,
	WEB_BOOL,
};

/* One body field.  Integers are within [min, max]; strings are min..max
 * bytes long (max 0: WEB_STRING_MAX_DEFAULT).  Every integer field states
 * its bounds: tests/unit/test-routes walks every table for it. */
struct web_field {
	const char *name;
	enum web_type type;
	gboolean required;
	int64_t min;
	int64_t max;
};

#define WEB_FIELD_STR(n, req, maxlen)                                                              \
	{                                                                                          \
		.name = (n), .type = WEB_STRING, .required = (req), .min = 0, .max = (maxlen)      \
	}
#define WEB_FIELD_INT(n, req, lo, hi)                                                              \
	{                                                                                          \
		.name = (n), .type = WEB_INT, .required = (req), .min = (lo), .max = (hi)          \
	}
#define WEB_FIELD_BOOL(n, req)                                                                     \
	{                                                                                          \
		.name = (n), .type = WEB_BOOL, .required = (req)                                   \
	}
#define WEB_FIELDS_END                                                                             \
	{                                                                                          \
		.name = NULL                                                                       \
	}

#define WEB_DEVICE_NAME_MAX 32
#define WEB_PROVIDER_MAX    32

/* Who calls.  role is a bit of the program's roles, 0 anonymous. */
struct web_caller {
	unsigned role;
	char *user;       /* a person's name; NULL for devices and anonymous callers */
	char *csrf;       /* a browser session (cookie): the CSRF token it must send */
	char session[65]; /* a person's login: its token's digest; "" otherwise */
	char device[WEB_DEVICE_NAME_MAX + 1]; /* a paired device's name; "" otherwise */
	int scope; /* what a device is bound to (vuorod: a booth screen's booth); 0 none */
	/* The one provider a person acts for (the hub's provider-managers);
	 * "" for everybody else (vuorod leaves it empty). */
	char provider[WEB_PROVIDER_MAX + 1];
};

struct web_exchange;
struct web_route;

struct web_req {
	void *app; /* the program's context */
	struct web_exchange *x;
	const char *method;
	const char *path;
	char **seg; /* path segments: "api", "counters", "2", "call" */
	GHashTable *query;
	JsonObject *body; /* the checked body when the route takes fields */
	struct web_caller caller;
	const struct web_route *route;
};

typedef void (*web_fn)(struct web_req *r);

/* Route flags the router itself acts on; the program may use bits 8 and up. */
enum {
	WEB_ROUTE_RAW_BODY = 1 << 0, /* the body is not JSON (CSV, iCalendar): fields NULL */
};

struct web_route {
	const char *method;
	const char *path; /* '*' matches one segment */
	unsigned roles;   /* 0 = anybody */
	web_fn fn;
	const struct web_field *fields; /* NULL: no JSON body; ends with WEB_FIELDS_END */
	unsigned flags;
};

struct web_router_hooks {
	/* Fills @ret (role 0 = anonymous; strings are freed by the router). */
	void (*identify)(void *app, struct web_req *r, struct web_caller *ret);
	/* After every check (the body's too), before the handler: FALSE when
	 * it answered itself (a device acting beyond what it is bound to, …). */
	gboolean (*admit)(void *app, struct web_req *r);
	/* A role's name for "a technician may not do this". */
	const char *(*role_name)(unsigned role);
};

struct web_router;

struct web_router *web_router_new(void *app, const struct web_router_hooks *hooks,
				  const char *csrf_header);
void web_router_free(struct web_router *router);
typedef struct web_router web_router;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(web_router, web_router_free)
void web_router_add(struct web_router *router, const struct web_route *routes, size_t n);
/* Bodies larger than this are refused (413). */
void web_router_set_max_body(struct web_router *router, gsize bytes);
/* JSON nested deeper than this is refused (400 too_deep); default
 * WEB_JSON_MAX_DEPTH. */
void web_router_set_max_depth(struct web_router *router, int depth);
/* Serves @prefix ("/api") of @server.  Bodies are bounded as they arrive
 * by the transport (web/http_guard.c); the router checks them again whole,
 * for requests without a socket too. */
void web_router_attach(struct web_router *router, SoupServer *server, const char *prefix);
/* A route for a program's --list-routes: the members method, path, roles
 * (the names of those of @roles it lets in, by @role_name), anybody,
 * raw_body and fields (null, or [{name, type, required, min, max}]), added
 * to the object @b is building. */
void web_route_add_json(JsonBuilder *b, const struct web_route *route, const unsigned *roles,
			size_t n_roles, const char *(*role_name)(unsigned role));
/* Every route, in table order. */
void web_router_foreach(const struct web_router *router,
			void (*fn)(const struct web_route *route, void *data), void *data);

/* A request without a socket: @path may carry a query; @headers and @body
 * may be NULL.  The exchange is finished when the handler answered (maybe
 * only after the main loop ran).  Caller unrefs. */
struct web_exchange *web_router_call(struct web_router *router, const char *method,
				     const char *path, SoupMessageHeaders *headers, GBytes *body,
				     const char *remote);
/* An exchange for a socket's @msg (NULL: none), for code outside the
 * router that must identify a caller: a WebSocket's upgrade request. */
struct web_exchange *web_exchange_new(SoupServerMessage *msg);
gboolean web_exchange_finished(const struct web_exchange *x);
guint web_exchange_status(const struct web_exchange *x);
GBytes *web_exchange_body(const struct web_exchange *x);
SoupMessageHeaders *web_exchange_response_headers(const struct web_exchange *x);
/* The peer's address, NULL when unknown. */
const char *web_exchange_remote(const struct web_exchange *x);
struct web_exchange *web_exchange_ref(struct web_exchange *x);
void web_exchange_unref(struct web_exchange *x);
typedef struct web_exchange web_exchange;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(web_exchange, web_exchange_unref)
/* The socket's message, for streaming answers; NULL without a socket. */
SoupServerMessage *web_exchange_message(const struct web_exchange *x);

/* The request */
const char *web_req_header(const struct web_req *r, const char *name);
const char *web_req_remote(const struct web_req *r); /* peer address, may be NULL */
GBytes *web_req_body(const struct web_req *r);       /* the raw body (never NULL) */
const char *web_str(const struct web_req *r, const char *name);
gboolean web_has(const struct web_req *r, const char *name);
int64_t web_int(const struct web_req *r, const char *name, int64_t fallback);
gboolean web_bool(const struct web_req *r, const char *name, gboolean fallback);
/* Segment @i as an integer id in 1..@max, or reply 404 and FALSE. */
gboolean web_seg_id(struct web_req *r, int i, int64_t max, int64_t *ret);
/* A cookie of the request, caller frees; NULL when absent or empty. */
char *web_req_cookie(const struct web_req *r, const char *name);

/* Answering later: hold the exchange (the socket's message is paused) and
 * answer through a struct web_req {.app, .x} rebuilt on it; release when
 * the answer is set. */
struct web_exchange *web_req_hold(struct web_req *r);
void web_exchange_release(struct web_exchange *x);

/* Answers */
void web_reply_bytes(struct web_req *r, guint status, const char *content_type, GBytes *body);
void web_reply(struct web_req *r, guint status, JsonNode *node);
/* @text (taken) as a JSON answer; gzipped when it is a few kB and the client
 * takes gzip. */
void web_reply_json_text(struct web_req *r, guint status, char *text, gsize len);
void web_reply_builder(struct web_req *r, guint status, JsonBuilder *b);
void web_reply_ok(struct web_req *r, guint status);
void web_reply_header(struct web_req *r, const char *name, const char *value);
void G_GNUC_PRINTF(4, 5)
    web_error(struct web_req *r, guint status, const char *code, const char *fmt, ...);

/* A request a browser sent on behalf of another site: its Origin is not
 * the Host it was sent to.  Requests without Origin (scripts) pass. */
gboolean web_foreign_origin(SoupMessageHeaders *headers);
