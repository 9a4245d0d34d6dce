/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api: the HTTP/JSON API and the WebSocket event stream (libsoup3, json-glib).
 *
 * One route table per resource (firmware/api/<resource>.c): method, path
 * pattern, roles allowed, the JSON fields the body may carry (name, type,
 * required, bounds) and the handler.  firmware/web/router.c checks every
 * request against them before a handler runs: unknown route 404, wrong role
 * 401/403, oversize body 413, malformed or too deeply nested JSON, unknown
 * fields, wrong types and values out of bounds 400, each with
 * {"error": code, "message": what to do}.
 *
 * Who may do what: staff log in (POST /api/login → bearer token); the kiosk
 * is recognised by its address (config kiosk-addresses) or its device token.
 */
#pragma once

#include <glib.h>
#include <stdio.h>
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "bus.h"
#include "catalog.h"
#include "config.h"
#include "announcer.h"
#include "desk.h"
#include "displays.h"
#include "dispenser.h"
#include "frontdesk.h"

struct api;
struct web_route;

/* Every route of vuorod's API, in the order they are matched: for
 * `vuorod --list-routes` and the tests that walk the tables. */
void api_foreach_route(void (*fn)(const struct web_route *route, void *data), void *data);
/* One JSON object per route on @out: method, path, roles, flags, fields. */
void api_print_routes(FILE *out);

struct api *api_new(const struct config *cfg, const struct catalog *catalog, struct desk *desk,
		    struct bus *bus);
void api_free(struct api *api);
typedef struct api Api; /* for g_autoptr(Api) only */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Api, api_free)

/* The ticket printer's owner: with it, POST /api/tickets {"handout": "printer"}
 * prints and answers with the print's outcome.  Without it the caller prints
 * and hands out itself. */
void api_set_dispenser(struct api *api, struct dispenser *dispenser);

/* The buttons and lamps: GET /api/gpio, and the sim's hardware side. */
void api_set_frontdesk(struct api *api, struct frontdesk *frontdesk);

/* The number displays (GET /api/displays, test patterns, scans) and the
 * announcer (GET /api/announcer, test tone and speech). */
void api_set_displays(struct api *api, struct displays *displays);
void api_set_announcer(struct api *api, struct announcer *announcer);
struct notify;
/* E-mail to hosts (notify.h): its fault shows on /api/health; may be NULL. */
void api_set_notify(struct api *api, struct notify *notify);

/* The remote-service booths: /api/booths, /api/expert, /api/sessions, and
 * the experts' signalling socket /api/signal. */
struct booths;
void api_set_booths(struct api *api, struct booths *booths);
/* The booths (NULL: remote service is not running), for the uplink's
 * commands from the hub. */
struct booths *api_booths(struct api *api);
/* The ID-card reader (PKCS#11): POST /api/booths/N/identity and the
 * document checks. */
struct identity;
void api_set_identity(struct api *api, struct identity *identity);
/* Customers' ratings: POST /api/feedback. */
struct feedback;
void api_set_feedback(struct api *api, struct feedback *feedback);
/* The hub's uplink (firmware/uplink/): GET /api/uplink, its fault in
 * /api/health. */
struct uplink;
void api_set_uplink(struct api *api, struct uplink *uplink);
/* Every fault of the site now, as /api/health lists them: device and code
 * are identifiers (the outbox's fault records), message says what to do.
 * Free the array with g_ptr_array_unref. */
struct api_fault {
	char *device;
	char *code;
	char *message;
};
GPtrArray *api_faults(struct api *api);
/* The live state's "services", "booths" and "follow" members (the fleet
 * contract's KV value), into an open object of @b. */
void api_build_live(struct api *api, JsonBuilder *b);
/* The hub's commands `book` and `cancel-booking` (issue 16): the site's
 * booth calendar decides.  They add their answer's members (id, code,
 * booth, service, at, minutes; cancel: id) to @reply, an object the caller
 * opened; on error they return -errno (-EINVAL 400, -EACCES 403, -ENOENT
 * 404, -EBUSY/-ESTALE 409) with @error saying what to do.  @booth 0: the
 * first booth serving @service free for the slot. */
int api_book_remote(struct api *api, const char *expert, const char *provider, int booth,
		    const char *service, int64_t at, int minutes, JsonBuilder *reply,
		    GError **error);
int api_cancel_booking(struct api *api, const char *expert, const char *provider, uint32_t id,
		       JsonBuilder *reply, GError **error);
/* A document checked by a person (@user) for @ticket at @counter (a booth's
 * @session, or 0): recorded with the visit, told to the pages (and the
 * booth's expert).  0 with *@ret the check's JSON; -EINVAL (a bad
 * @document_type) or -EIO with @error set. */
int api_document_checked(struct api *api, const char *user, uint32_t ticket, int counter,
			 int64_t session, const char *document_type, JsonNode **ret,
			 GError **error);
/* booths_send_fn: a signalling message to an expert's socket. */
void api_signal_send(gpointer peer, const char *json, gpointer data);

/* The HTTP server, for the web pages (firmware/web.c) to join. */
SoupServer *api_server(struct api *api);
/* Serving HTTPS ([api] tls-cert): after api_listen(). */
gboolean api_tls(const struct api *api);

/* Listens on @host:@port (port 0: any free port), with TLS when the config
 * has [api] tls-cert (and tls-key).  Returns the port, or a
 * negative errno with @error saying why (address in use, …). */
int api_listen(struct api *api, const char *host, int port, GError **error);

/* A device to be added (vuorod --add-device, POST /api/devices): -EINVAL
 * with @error saying what is wrong with @name, @role (kiosk | booth) or
 * @booth (a booth's counter id, kind = expert; 0 for a kiosk).  @cfg may be
 * NULL: the booth is then only checked to be a number. */
int api_devices_check(const struct config *cfg, const char *name, const char *role, int booth,
		      GError **error);
