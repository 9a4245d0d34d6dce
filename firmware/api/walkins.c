/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api/walkins: visits that had no ticket (issue 17 item 6).
 *
 *   POST /api/visits {service, channel, outcome, provider?, service_min?,
 *                     counter?}
 *
 * A citizen who walked straight up to a counter, a phone call, the
 * provider's own staff on site: the advisor records the visit afterwards.
 * It becomes a visits row like any other (ticket 0, manual 1), counted in
 * the reports by its channel, with its outcome record for the hub and its
 * audit line, all in one transaction (store_visit_manual_add).  Without a
 * service time the visit has no start (it counts as an event, not in the
 * service times); with one it started that many minutes before now.
 */
#include "api_internal.h"
#include <errno.h>
#include <string.h>
#include "store.h"

#define WALKIN_STAFF       (AUTH_ROLE_ADVISOR | AUTH_ROLE_EXPERT | AUTH_ROLE_ADMIN)
#define WALKIN_SERVICE_MAX 480 /* minutes */

/* The audit line's detail: what was recorded, no person's words. */
static char *walkin_detail(const struct config *cfg, const struct queue_visit *v)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) root = NULL;

	json_builder_begin_object(b);
	web_json_add_str(b, "service", config_service_get(cfg, v->service)->code);
	web_json_add_str(b, "channel", queue_channel_name(v->channel));
	web_json_add_str(b, "outcome", queue_outcome_name(v->outcome));
	if (v->counter)
		web_json_add_int(b, "counter", v->counter);
	if (v->started_at)
		web_json_add_int(b, "service_s", v->ended_at - v->started_at);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	return json_to_string(root, FALSE);
}

/* The request's visit into @v; FALSE after a 400/404 reply. */
static gboolean walkin_parse(struct web_req *r, const struct queue_time *t, struct queue_visit *v)
{
	const struct config *cfg = api_of(r)->cfg;
	const char *service = web_str(r, "service");
	const char *provider = web_str(r, "provider");
	const char *channel = web_str(r, "channel");
	const char *outcome = web_str(r, "outcome");
	int64_t counter = web_int(r, "counter", 0);
	int64_t minutes = web_int(r, "service_min", 0);
	int svc = config_service_find(cfg, service);
	int ch = queue_channel_parse(channel);
	int oc = queue_outcome_parse(outcome);

	if (svc < 0) {
		web_error(r, 404, "not_found",
			  "no service \"%s\": give a service code from GET /api/site", service);
		return FALSE;
	}
	if (provider && g_strcmp0(config_provider_code(cfg, svc), provider) != 0) {
		web_error(r, 400, "invalid",
			  "service \"%s\" is provided by \"%s\", not \"%s\": pick the provider's "
			  "service",
			  service, config_provider_code(cfg, svc), provider);
		return FALSE;
	}
	if (ch < 0) {
		web_error(r, 400, "invalid",
			  "channel must be \"in_person\", \"remote_video\", \"e_service\", "
			  "\"paper_form\", \"phone\" or \"provider_on_site\"");
		return FALSE;
	}
	if (oc != QUEUE_OUTCOME_RESOLVED && oc != QUEUE_OUTCOME_REFERRED &&
	    oc != QUEUE_OUTCOME_FOLLOW_UP) {
		web_error(r, 400, "invalid",
			  "outcome must be \"resolved\", \"referred\" or \"follow_up\"");
		return FALSE;
	}
	if (counter && config_counter_find(cfg, (int)counter) < 0) {
		web_error(r, 404, "not_found", "no counter %" G_GINT64_FORMAT, counter);
		return FALSE;
	}
	*v = (struct queue_visit){
	    .ticket = 0,
	    .day = t->day,
	    .service = (int16_t)svc,
	    .counter = (int16_t)counter,
	    .channel = (uint8_t)ch,
	    .outcome = (uint8_t)oc,
	    .lang = 0,
	    .issued_at = t->now,
	    .started_at = minutes ? t->now - minutes * 60 : 0,
	    .ended_at = t->now,
	};
	g_strlcpy(v->user, r->caller.user ? r->caller.user : "", sizeof(v->user));
	return TRUE;
}

static void api_walkin_add(struct web_req *r)
{
	struct api *api = api_of(r);
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = NULL;
	g_autofree char *detail = NULL;
	struct store_audit audit = {.user = r->caller.user, .command = "visit_record"};
	struct queue_visit v;
	struct queue_time t;
	int64_t id;

	desk_time(api->desk, &t);
	if (!walkin_parse(r, &t, &v))
		return;
	desk_flush(api->desk);
	detail = walkin_detail(api->cfg, &v);
	audit.at = t.now;
	audit.detail = detail;
	id = store_visit_manual_add(desk_store(api->desk), api->cfg, &v, &audit, &error);
	if (id < 0) {
		api_error_gerror(r, (int)id, error, NULL);
		return;
	}
	b = json_builder_new();
	json_builder_begin_object(b);
	web_json_add_int(b, "id", id);
	web_json_add_int(b, "day", v.day);
	web_json_add_str(b, "service", config_service_get(api->cfg, v.service)->code);
	web_json_add_str(b, "provider", config_provider_code(api->cfg, v.service));
	web_json_add_str(b, "channel", queue_channel_name(v.channel));
	web_json_add_str(b, "outcome", queue_outcome_name(v.outcome));
	web_json_add_int(b, "counter", v.counter);
	web_json_add_bool(b, "trial", config_service_trial(api->cfg, v.service));
	web_json_add_int(b, "started_at", v.started_at);
	web_json_add_int(b, "ended_at", v.ended_at);
	json_builder_end_object(b);
	web_reply_builder(r, 201, b);
}

static const struct web_field walkin_fields[] = {
    WEB_FIELD_STR("service", TRUE, 32),
    WEB_FIELD_STR("provider", FALSE, 32),
    WEB_FIELD_STR("channel", TRUE, 32),
    WEB_FIELD_STR("outcome", TRUE, 32),
    WEB_FIELD_INT("service_min", FALSE, 1, WALKIN_SERVICE_MAX),
    WEB_FIELD_INT("counter", FALSE, 1, API_COUNTER_MAX),
    WEB_FIELDS_END};

const struct web_route api_walkins_routes[] = {
    {"POST", "/api/visits", WALKIN_STAFF, api_walkin_add, walkin_fields},
};
const size_t api_walkins_n_routes = G_N_ELEMENTS(api_walkins_routes);
