/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api/tickets: tickets: drawn at the kiosk, followed, cancelled, printed again; the QR code.
 */
#include "api_internal.h"
#include <errno.h>
#include <string.h>
#include "dispenser.h"
#include "qr_svg.h"
#include "store.h"

static void api_ticket_print(struct web_req *r)
{
	int64_t id;

	if (!web_seg_id(r, 2, G_MAXINT32, &id))
		return;
	if (!api_of(r)->dispenser) {
		web_error(r, 409, "no_printer", "this service point has no ticket printer");
		return;
	}
	dispenser_reprint(api_of(r)->dispenser, (uint32_t)id, r->caller.user, api_dispensed,
			  api_pending_new(r, 200));
}

/* A QR code of ?text= as SVG: the kiosk's follow link when printing failed. */
static void api_qr(struct web_req *r)
{
	const char *text = r->query ? g_hash_table_lookup(r->query, "text") : NULL;
	g_autoptr(GError) error = NULL;
	char *svg = qr_svg(text, &error);

	if (!svg) {
		web_error(r, 400, "invalid", "?text=: %s", error->message);
		return;
	}
	{
		g_autoptr(GBytes) bytes = g_bytes_new_take(svg, strlen(svg));

		web_reply_header(r, "Cache-Control", "public, max-age=86400");
		web_reply_bytes(r, 200, "image/svg+xml", bytes);
	}
}

static void api_ticket_issue(struct web_req *r)
{
	const char *code = web_str(r, "service");
	const char *handout = web_str(r, "handout");
	int svc = config_service_find(api_of(r)->cfg, code);
	int64_t priority = web_int(r, "priority", 0);
	struct queue_cmd cmd = {.type = QUEUE_CMD_ISSUE, .service = (int16_t)svc};

	if (svc < 0) {
		web_error(r, 404, "not_found", "no service \"%s\": GET /api/status lists them",
			  code);
		return;
	}
	if (api_parse_lang(r, &cmd.lang) < 0)
		return;
	if (api_service_unavailable(api_of(r), svc)) {
		const char *why = api_service_unavailable(api_of(r), svc);
		int alt = api_service_instead(api_of(r), svc);
		g_autofree char *instead =
		    alt < 0 ? g_strdup("book an appointment for it")
			    : g_strdup_printf("draw a ticket for \"%s\" or book an appointment",
					      config_service_get(api_of(r)->cfg, alt)->code);

		web_error(r, 409, why, "%s \"%s\" now: %s",
			  strcmp(why, "no_expert") == 0 ? "no expert is available for"
							: "every booth is out of order for",
			  code, instead);
		return;
	}
	if (priority < 0 || priority > 9) {
		web_error(r, 400, "invalid", "priority must be 0 to 9");
		return;
	}
	/* "screen": the answer itself hands the ticket out (the kiosk shows it);
	 * "printer": it waits for POST /api/tickets/N/handout after printing. */
	if (handout && strcmp(handout, "screen") != 0 && strcmp(handout, "printer") != 0) {
		web_error(r, 400, "invalid", "handout must be \"screen\" or \"printer\"");
		return;
	}
	if (priority > 0 && !(r->caller.role & AUTH_STAFF)) {
		web_error(r, 403, "forbidden", "only staff may issue priority tickets");
		return;
	}
	cmd.priority = (int8_t)priority;
	cmd.handed_out = !handout || strcmp(handout, "screen") == 0;
	if (!cmd.handed_out && api_of(r)->dispenser) {
		api_dispense(r, &cmd);
		return;
	}
	api_run(r, &cmd, 201);
}

static void api_ticket_get(struct web_req *r)
{
	struct api *api = api_of(r);
	const struct queue_ticket *tk;
	struct queue_ticket stored;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	struct queue_time t;
	int64_t id;
	int rc;

	if (!web_seg_id(r, 2, G_MAXINT32, &id))
		return;
	desk_time(api->desk, &t);
	tk = queue_ticket_get(desk_queue(api->desk), (uint32_t)id);
	if (!tk) {
		rc = store_ticket_get(desk_store(api->desk), api->cfg, (uint32_t)id, &stored,
				      &error);
		if (rc < 0) {
			api_error_gerror(r, rc, error, NULL);
			return;
		}
		tk = &stored;
	}
	api_build_ticket(api, b, tk, &t);
	web_reply_builder(r, 200, b);
}

/* The follow page's view: no names, only the ticket by its unguessable ref. */
static void api_follow(struct web_req *r)
{
	struct api *api = api_of(r);
	struct queue_ticket tk;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	struct queue_time t;
	const struct queue_ticket *live;
	int rc;

	const char *ref = r->seg[2];
	const char *dot = strchr(ref, '.');

	/* The hub's form of the reference, <site>.<REF>, for this site too. */
	if (dot && api->cfg->uplink && (size_t)(dot - ref) == strlen(api->cfg->uplink_site) &&
	    strncmp(ref, api->cfg->uplink_site, (size_t)(dot - ref)) == 0)
		ref = dot + 1;
	rc = store_ticket_by_ref(desk_store(api->desk), api->cfg, ref, &tk, &error);
	if (rc < 0) {
		web_error(r, 404, "not_found", "no such ticket: check the address on your ticket");
		return;
	}
	live = queue_ticket_get(desk_queue(api->desk), tk.id);
	desk_time(api->desk, &t);
	api_build_ticket(api, b, live ? live : &tk, &t);
	web_reply_builder(r, 200, b);
}

static void api_ticket_cmd(struct web_req *r, enum queue_cmd_type type)
{
	struct queue_cmd cmd = {.type = type, .service = -1};
	int64_t id;

	if (!web_seg_id(r, 2, G_MAXINT32, &id))
		return;
	cmd.ticket = (uint32_t)id;
	api_run(r, &cmd, 200);
}

static void api_ticket_cancel(struct web_req *r)
{
	api_ticket_cmd(r, QUEUE_CMD_CANCEL);
}

static void api_ticket_handout(struct web_req *r)
{
	api_ticket_cmd(r, QUEUE_CMD_HANDOUT);
}

static const struct web_field api_issue_fields[] = {
    WEB_FIELD_STR("service", TRUE, 32), WEB_FIELD_STR("lang", FALSE, 8),
    WEB_FIELD_STR("handout", FALSE, 16), WEB_FIELD_INT("priority", FALSE, 0, 9), WEB_FIELDS_END};

const struct web_route api_tickets_routes[] = {
    {"POST", "/api/tickets", ISSUERS, api_ticket_issue, api_issue_fields},
    {"GET", "/api/tickets/*", AUTH_STAFF, api_ticket_get, NULL},
    {"POST", "/api/tickets/*/cancel", ISSUERS, api_ticket_cancel, api_no_fields},
    {"POST", "/api/tickets/*/handout", ISSUERS, api_ticket_handout, api_no_fields},
    {"POST", "/api/tickets/*/print", ISSUERS, api_ticket_print, api_no_fields},
    {"GET", "/api/follow/*", 0, api_follow, NULL},
    {"GET", "/api/qr", 0, api_qr, NULL},
};
const size_t api_tickets_n_routes = G_N_ELEMENTS(api_tickets_routes);
