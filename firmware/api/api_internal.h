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
	struct api_devices *devices; /* api_devices.c: device credentials, sockets by login */
	GHashTable *visit_identity; /* ticket id → JsonNode: its visit's identity (api_visit.c) */
	SoupServer *server;
	GPtrArray *sockets; /* of SoupWebsocketConnection *, authorised */
	guint bus_queue_sub;
	guint bus_appointment_sub;
	guint bus_device_subs[4];  /* api_device_topics */
	struct api_logins *logins; /* api_logins.c: throttled guesses */
	int64_t started_at;
	struct queue_result res; /* scratch for desk_exec */
	gboolean tls;            /* serving HTTPS: cookies are Secure */
};

static const char *const api_device_topics[] = {"printer.", "display.", "announcer.", "panel."};

#define API_DEVICE_NAME_MAX 32

struct api_caller {
	unsigned role;    /* one AUTH_ROLE_*, 0 = anonymous */
	char *user;       /* NULL for the kiosk and anonymous callers */
	char *csrf;       /* a browser session (cookie): the CSRF token it must send */
	char session[65]; /* a staff login: its token's digest; "" otherwise */
	char device[API_DEVICE_NAME_MAX + 1]; /* a paired device's name; "" otherwise */
	int booth;                            /* a booth screen's booth; 0 otherwise */
};

#define API_COOKIE        "vuoro_session"
#define API_DEVICE_COOKIE "vuoro_device"
#define API_CSRF_HEADER   "X-CSRF-Token"

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
/* Ends the booth video streams watched under login @session, by @user or
 * by @device (each may be NULL); returns how many. */
int api_booth_end_viewers(struct api *api, const char *session, const char *user,
			  const char *device);
void api_booth_init(struct api *api);
void api_booth_free(struct api *api);

/* api_devices.c: a credential per device, what a device may touch, and
 * the sockets that end with their login. */
extern const struct api_route api_devices_routes[];
extern const size_t api_devices_n_routes;
void api_devices_init(struct api *api);
void api_devices_free(struct api *api);
gboolean api_devices_board_is_sim(const struct api *api);
/* @token is a device's (or the legacy [api] kiosk-token): fills @ret. */
gboolean api_devices_identify(struct api *api, const char *token, struct api_caller *ret);
/* After the route's roles: may this caller touch what @r names?  FALSE
 * when it answered 403. */
gboolean api_devices_permit(struct api_req *r);
/* @device drew @ticket now (a kiosk acts on it for a few minutes). */
void api_devices_note_ticket(struct api *api, const char *device, uint32_t ticket);
/* An authorised socket, kept until the login or device behind it ends. */
void api_devices_track_socket(struct api *api, SoupWebsocketConnection *ws,
			      const struct api_caller *caller);
/* Closes the sockets of login @session, of @user, or of @device (each may
 * be NULL); returns how many. */
int api_devices_end_sockets(struct api *api, const char *session, const char *user,
			    const char *device, const char *why);

/* api_logins.c: the policy around passwords, and disabling users. */
extern const struct api_route api_logins_routes[];
extern const size_t api_logins_n_routes;
struct api_logins *api_logins_new(void);
void api_logins_free(struct api_logins *l);
/* Counts a login of @user from @r's address before its password is
 * checked; FALSE when it answered 429 (Retry-After) instead. */
gboolean api_logins_admit(struct api_req *r, const char *user);
/* The login of @user from @host was right: its own count is taken back. */
void api_logins_succeeded(struct api *api, const char *host, const char *user);
/* POST /api/users/NAME/password: one's own needs "old" (checked, and
 * throttled like a login); an admin resets another's.  FALSE: answered. */
gboolean api_logins_may_change_password(struct api_req *r, const char *name);
/* @user's sessions ended (password changed, disabled): close their sockets. */
void api_logins_ended(struct api *api, const char *user, const char *why);

/* api_roles.c: beyond the route's roles.  FALSE when it answered 403. */
/* May the caller open @counter with @profile (NULL: the counter's own)? */
gboolean api_roles_may_open(struct api_req *r, int counter, const char *profile);
/* May the caller call @ticket by id (an expert: only their provider's)? */
gboolean api_roles_may_call(struct api_req *r, uint32_t ticket);
