/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api_internal: what the API's route files share (api.c and the resource files).
 * Not for other modules: they use api.h.
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "api.h"
#include "auth.h"
#include "catalog.h"
#include "config.h"
#include "desk.h"
#include "dispenser.h"
#include "router.h"
#include "session.h"
#include "sockets.h"
#include "booth.h"
#include "queue.h"

struct api {
	const struct config *cfg;
	const struct catalog *catalog; /* the site's languages' words */
	struct desk *desk;
	struct bus *bus;
	struct dispenser *dispenser; /* may be NULL */
	struct frontdesk *frontdesk; /* may be NULL */
	struct displays *displays;   /* may be NULL */
	struct announcer *announcer; /* may be NULL */
	struct booths *booths;       /* may be NULL */
	struct identity *identity;   /* the ID-card reader; may be NULL */
	struct feedback *feedback;   /* ratings of visits; may be NULL */
	struct uplink *uplink;       /* the way to the hub; NULL without [uplink] */
	struct api_booth *booth_api; /* booths.c's sockets and streams */
	struct api_devices *devices; /* credentials.c: device credentials, sockets by login */
	struct api_calls *calls;     /* calls.c: the day's recent and missed calls */
	struct notify *notify;       /* e-mail to hosts (notify.h); may be NULL */
	SoupServer *server;
	struct http_guard *guard; /* web/http_guard.c: the transport's limits */
	struct web_router *router;
	struct web_sockets *sockets; /* /api/events */
	struct auth_pool *auth_pool; /* every Argon2 hash and check runs there */
	guint bus_queue_sub;
	guint bus_appointment_sub;
	guint bus_presence_sub;    /* the hub's presence of experts changed */
	guint bus_guide_sub;       /* the kiosk's speech guidance: its screen follows */
	guint bus_alarm_sub;       /* alarms.c: a button under a counter */
	guint bus_device_subs[4];  /* api_device_topics */
	struct web_logins *logins; /* web/session.c: throttled guesses */
	int64_t started_at;
	struct queue_result res; /* scratch for desk_exec */
	gboolean tls;            /* serving HTTPS: cookies are Secure */
	/* The served certificate's expiry (tls_cert.h); NULL: HTTP. */
	struct tls_cert_watch *tls_watch;
};

static const char *const api_device_topics[] = {"printer.", "display.", "announcer.", "panel."};

/* Who calls: a struct web_caller (firmware/web/router.h). */
#define API_COOKIE        WEB_SESSION_COOKIE
#define API_DEVICE_COOKIE "vuoro_device"
#define API_CSRF_HEADER   WEB_CSRF_HEADER

/* Route flags of ours (web/router.h leaves bits 8 and up to programs). */
enum {
	API_ROUTE_SIM = 1 << 8, /* the simulated board's hardware side: sim.c's table, which a
				   real board does not serve (404) */
};

#define COUNTER_STAFF (AUTH_ROLE_ADVISOR | AUTH_ROLE_EXPERT | AUTH_ROLE_ADMIN)
#define ISSUERS       (AUTH_ROLE_KIOSK | COUNTER_STAFF)
#define TECHS         (AUTH_ROLE_TECHNICIAN | AUTH_ROLE_ADMIN)
/* The largest counter (or booth) id a request may name: ids are int16_t. */
#define API_COUNTER_MAX INT16_MAX

static inline struct api *api_of(const struct web_req *r)
{
	return r->app;
}

/* host.c: tells the host's own sockets of their visitor's arrival. */
void api_host_on_arrival(struct api *api, const struct desk_arrival *arrival);

/* appointments.c: the live state's "bookings" member. */
void api_build_live_bookings(struct api *api, JsonBuilder *b);

/* Maps a negative errno onto HTTP. */
void api_error_errno(struct web_req *r, int rc, const char *message,
		     const struct queue_result *res);
void api_error_gerror(struct web_req *r, int rc, const GError *error,
		      const struct queue_result *res);

/* Who calls: role, user, CSRF token (the router frees the strings). */
void api_identify(struct api *api, struct web_req *r, struct web_caller *ret);
/* The token of Authorization: Bearer or ?token=, NULL when none. */
/* The same for a WebSocket's upgrade request; the caller frees the strings. */
void api_identify_message(struct api *api, SoupServerMessage *msg, struct web_caller *ret);
/* A message on an expert's signalling socket @ws (its "message" signal;
 * @data the api): checked, parsed, handed to the booths; what went wrong
 * goes back on @ws.  The fuzzers call it with a socket on memory. */
void api_signal_message(SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer data);

/* Our objects as JSON */
bool api_service_staffed(struct api *api, int service, const struct queue_service_status *st);
/* Why a ticket of the remote @service cannot be drawn now as far as its
 * experts go (issue 16), NULL when it can: "no_expert" (the hub's valid
 * presence: no expert of its provider online) or "no_booth" (valid presence
 * and every booth serving it out of order).  Without valid presence NULL:
 * the booths' own state counts, as in api_service_staffed. */
const char *api_service_unavailable(struct api *api, int service);
/* The counter service (not remote) of @service's provider a customer may
 * take instead, or -1 (then: a booking). */
int api_service_instead(struct api *api, int service);
/* "instead": {"code", "names"} or null, for an unavailable @service. */
void api_add_instead(JsonBuilder *b, struct api *api, int service);
/* "names": {"fi": …, "sv": …} in every language of the site. */
void api_add_names(JsonBuilder *b, const struct config *cfg, char *const names[CONFIG_LANGS_MAX]);
/* "card": the service's card for staff ({instructions: {LANG: url}, phone,
 * chat}), null when board-config gives it none.  The provider's public
 * links only: no personal data. */
void api_add_service_card(JsonBuilder *b, const struct config *cfg,
			  const struct config_service *svc);
void api_add_lang_texts(JsonBuilder *b, const struct config *cfg, const char *member,
			char *const texts[CONFIG_LANGS_MAX]);
/* A ticket as every client sees it; @t is the desk's current time. */
void api_build_ticket(struct api *api, JsonBuilder *b, const struct queue_ticket *tk,
		      const struct queue_time *t);
/* ahead < 0: look up the ticket's place in line now (when t is set). */
void api_build_ticket_at(struct api *api, JsonBuilder *b, const struct queue_ticket *tk,
			 const struct queue_time *t, int ahead, int wait_s);
void api_build_counter(struct api *api, JsonBuilder *b, const struct config_counter *cc,
		       gboolean staff);
/* calls.c: the day's recent calls (GET /api/status "recent_calls") and the
 * missed call of a ticket after a no-show (the ticket's "missed"). */
struct api_calls *api_calls_new(struct api *api);
void api_calls_free(struct api_calls *c);
void api_calls_build_recent(struct api_calls *c, JsonBuilder *b, int32_t day);
void api_build_missed(struct api *api, JsonBuilder *b, const struct queue_ticket *tk);
/* reports.c: "2026-11-01" → its day index (unix days), or -EINVAL. */
int api_parse_day(const char *text, int32_t *ret);
/* The site's time zone ([site] timezone; UTC when the system lacks it). */
GTimeZone *api_timezone(const struct config *cfg);
/* "2026-12-04 09:30": unix time @at in the site's time zone. */
char *api_local_time(const struct config *cfg, int64_t at);
/* The body's "lang" (the site's first language when absent), or reply 400. */
int api_parse_lang(struct web_req *r, uint8_t *ret);

/* Queue commands: the answer goes out once the change is durable. */
void api_run(struct web_req *r, struct queue_cmd *cmd, guint status);
/* Issues or reprints through the dispenser: answers with the ticket and
 * how its print went. */
void api_dispense(struct web_req *r, const struct queue_cmd *cmd);
/* A queue command waiting for the group commit: its message is paused. */
struct api_pending {
	struct api *api;
	struct web_exchange *x;
	int16_t counter;
	guint status;
	char device[WEB_DEVICE_NAME_MAX + 1]; /* ISSUE by a device: it may act on the ticket */
};
struct api_pending *api_pending_new(struct web_req *r, guint status);
void api_pending_done(struct api_pending *p);
void api_dispensed(const struct dispenser_result *dr, gpointer data);
/* The printer's state as JSON. */
void api_build_printer(JsonBuilder *b, const struct dispenser_printer_state *st);
/* Asks the printer how it is; answers with its state. */
void api_printer_check(struct web_req *r);
/* The buttons and lamps, or reply 409 and NULL. */
struct panel *api_panel(struct web_req *r);

extern const struct web_field api_no_fields[];

/* @b to the staff and kiosk sockets; @pub (may be NULL) to anonymous ones. */
void api_ws_send_all(struct api *api, JsonBuilder *b, JsonBuilder *pub);
/* An event socket's object data: the booth whose screen it is ("N"), or
 * API_SOCKET_BOARD for the sim board's own screens (trusted by address).
 * Only these get a booth's real-time text. */
#define API_SOCKET_BOOTH "vuoro-booth"
#define API_SOCKET_BOARD "board"

/* The route tables, one per resource file. */
#define API_ROUTES(name)                                                                           \
	extern const struct web_route api_##name##_routes[];                                       \
	extern const size_t api_##name##_n_routes
API_ROUTES(site);
API_ROUTES(users);
API_ROUTES(tickets);
API_ROUTES(counters);
API_ROUTES(devices);
API_ROUTES(sim);
API_ROUTES(appointments);
API_ROUTES(reports);
API_ROUTES(booth);
API_ROUTES(visit);
API_ROUTES(credentials);
API_ROUTES(logins);
API_ROUTES(notices);
API_ROUTES(visitors);
API_ROUTES(hours);

/* hours.c: opening-hour exceptions in /api/status (the day, the next
 * exceptions; per service today's exception and the next opening) and on a
 * ticket (closes_min, after_closing: its estimated call after closing). */
void api_hours_build_status(struct api *api, JsonBuilder *b, const struct queue_time *t);
void api_hours_build_service(struct api *api, JsonBuilder *b,
			     const struct queue_service_status *st);
void api_hours_add_closing(struct api *api, JsonBuilder *b, int service, const struct queue_time *t,
			   int wait_s);
API_ROUTES(walkins);
API_ROUTES(host);
API_ROUTES(feedback);
API_ROUTES(alarms);
/* alarms.c: the alarm buttons' presses raise alarms. */
void api_alarms_init(struct api *api);
void api_alarms_free(struct api *api);

/* booths.c: the routes of booths, sessions and experts, and their
 * sockets (signalling, the booth screen's video). */
/* visits.c: identity checks for a visit (the ID card's chip, or a
 * document checked by staff). */
void api_booth_init(struct api *api);
/* POST /api/booths/N/sim: a part of the sim booth fails (sim.c's table). */
void api_booth_sim(struct web_req *r);
void api_booth_free(struct api *api);
/* Ends the booth video streams watched under login @session, by @user or
 * by @device (each may be NULL); returns how many. */
int api_booth_end_viewers(struct api *api, const char *session, const char *user,
			  const char *device);

/* credentials.c: a credential per device, what a device may touch, and
 * the sockets that end with their login. */
void api_devices_init(struct api *api);
void api_devices_free(struct api *api);
/* @token is a device's (or the legacy [api] kiosk-token): fills @ret. */
gboolean api_devices_identify(struct api *api, const char *token, struct web_caller *ret);
/* After the route's roles: may this caller touch what @r names?  FALSE
 * when it answered 403. */
gboolean api_devices_permit(struct web_req *r);
/* @device drew @ticket now (a kiosk acts on it for a few minutes). */
void api_devices_note_ticket(struct api *api, const char *device, uint32_t ticket);
/* An authorised socket, kept until the login or device behind it ends. */
void api_devices_track_socket(struct api *api, SoupWebsocketConnection *ws,
			      const struct web_caller *caller);
/* Closes the sockets of login @session, of @user, or of @device (each may
 * be NULL); returns how many. */
int api_devices_end_sockets(struct api *api, const char *session, const char *user,
			    const char *device, const char *why);

/* logins.c: the policy around passwords, and disabling users. */
/* POST /api/users/NAME/password: one's own needs "old" (counted like a
 * login here; the caller checks it on the auth pool: *@ret_own), an admin
 * resets another's.  FALSE: answered. */
gboolean api_logins_may_change_password(struct web_req *r, const char *name, gboolean *ret_own);
/* @user's sessions ended (password changed, disabled): close their sockets. */
void api_logins_ended(struct api *api, const char *user, const char *why);

/* roles.c: beyond the route's roles.  FALSE when it answered 403. */
/* May the caller open @counter with @profile (NULL: the counter's own)? */
gboolean api_roles_may_open(struct web_req *r, int counter, const char *profile);
/* May the caller call @ticket by id (an expert: only their provider's)? */
gboolean api_roles_may_call(struct web_req *r, uint32_t ticket);
