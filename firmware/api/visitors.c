/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api/visitors: the reception's visitor register (issue 17), optional per
 * site ([visitors] enabled = yes).
 *
 *   GET  /api/visitors[?day=2026-12-04 | ?in=1]   a day's register (today by
 *                                   default, the site's local day), or those
 *                                   still in the building
 *   POST /api/visitors {name, organisation?, host? | host_user?, lang?}
 *                                   sign a visitor in: a badge number (the
 *                                   smallest one free in the building), the
 *                                   row stored, then the badge printed
 *   POST /api/visitors/N/out        sign them out (the badge number frees)
 *   POST /api/visitors/N/delete     erase a registration made by mistake
 *   GET  /api/visitors/hosts        the site's users, whom a visitor may visit
 *
 * Only the reception, managers and admins see the register.  The row is
 * durable (and audited, by id and badge: never the name) before anything
 * is printed or answered; a badge that fails to print leaves the visitor
 * registered, the printer's words stored with the row and in the answer.
 * Names are personal: they stay on the site (no outbox record, no event
 * carries them) and go after [visitors] retention-days (desk.c).
 */
#include "api_internal.h"
#include <errno.h>
#include <string.h>
#include "dispenser.h"
#include "store.h"

#define RECEPTION        (AUTH_ROLE_RECEPTION | AUTH_ROLE_MANAGER | AUTH_ROLE_ADMIN)
#define VISITOR_TEXT_MAX 120

/* The register is off at this site: 404 that says how to turn it on. */
static gboolean visitors_enabled(struct web_req *r)
{
	if (api_of(r)->cfg->visitors_enabled)
		return TRUE;
	web_error(r, 404, "not_enabled",
		  "this site keeps no visitor register: set [visitors] enabled = yes in "
		  "board-config to use it");
	return FALSE;
}

static int64_t visitors_now(struct api *api)
{
	struct queue_time t;

	desk_time(api->desk, &t);
	return t.now;
}

static void visitor_build(struct api *api, JsonBuilder *b, const struct store_visitor *v)
{
	g_autofree char *in_local = api_local_time(api->cfg, v->in_at);
	g_autofree char *out_local = v->out_at ? api_local_time(api->cfg, v->out_at) : NULL;

	json_builder_begin_object(b);
	web_json_add_int(b, "id", v->id);
	web_json_add_str(b, "name", v->name);
	web_json_add_str(b, "organisation", v->organisation);
	web_json_add_str(b, "host", v->host);
	web_json_add_str(b, "host_user", v->host_user);
	web_json_add_int(b, "badge", v->badge);
	web_json_add_int(b, "in_at", v->in_at);
	web_json_add_str(b, "in_local", in_local);
	web_json_add_time(b, "out_at", v->out_at);
	web_json_add_str(b, "out_local", out_local);
	web_json_add_bool(b, "in", v->out_at == 0);
	web_json_add_str(b, "registered_by", v->registered_by);
	web_json_add_str(b, "signed_out_by", v->signed_out_by);
	web_json_add_str(b, "print_error", v->print_error);
	json_builder_end_object(b);
}

/* The reception pages re-read the register; the event names nobody. */
static void visitors_tell(struct api *api, int64_t now)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	web_json_add_str(b, "type", "visitors");
	web_json_add_int(b, "at", now);
	json_builder_end_object(b);
	api_ws_send_all(api, b, NULL);
}

/* The local day @text ("2026-12-04") as [from, to) unix seconds; FALSE when
 * it is not such a date. */
static gboolean visitors_day(const struct config *cfg, const char *text, int64_t *ret_from,
			     int64_t *ret_to)
{
	g_autoptr(GTimeZone) tz = api_timezone(cfg);
	g_autoptr(GDateTime) start = NULL;
	g_autoptr(GDateTime) end = NULL;
	unsigned y, m, d;
	char tail;

	if (!text || sscanf(text, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3 || y < 1970)
		return FALSE;
	start = g_date_time_new(tz, (int)y, (int)m, (int)d, 0, 0, 0);
	if (!start)
		return FALSE;
	end = g_date_time_add_days(start, 1);
	*ret_from = g_date_time_to_unix(start);
	*ret_to = g_date_time_to_unix(end);
	return TRUE;
}

struct visitors_walk {
	struct api *api;
	JsonBuilder *b;
	int in_building;
};

static void visitors_walk_one(const struct store_visitor *v, void *data)
{
	struct visitors_walk *w = data;

	visitor_build(w->api, w->b, v);
	w->in_building += v->out_at == 0;
}

static void api_visitors_list(struct web_req *r)
{
	struct api *api = api_of(r);
	const char *day = r->query ? g_hash_table_lookup(r->query, "day") : NULL;
	const char *in = r->query ? g_hash_table_lookup(r->query, "in") : NULL;
	gboolean in_only = in && (strcmp(in, "1") == 0 || strcmp(in, "true") == 0);
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *today = NULL;
	struct visitors_walk w = {.api = api, .b = b};
	int64_t from = 0, to = 0;
	int rc;

	if (!visitors_enabled(r))
		return;
	if (in && !in_only && strcmp(in, "0") != 0 && strcmp(in, "false") != 0) {
		web_error(r, 400, "invalid", "in must be 1 (those still in the building) or 0");
		return;
	}
	if (!day) {
		today = api_local_time(api->cfg, visitors_now(api));
		today[MIN(strlen(today), 10)] = '\0';
		day = today;
	}
	if (!visitors_day(api->cfg, day, &from, &to)) {
		web_error(r, 400, "invalid", "day must be a date like 2026-12-04, not \"%s\"", day);
		return;
	}
	json_builder_begin_object(b);
	web_json_add_str(b, "day", in_only ? NULL : day);
	web_json_add_bool(b, "in_only", in_only);
	json_builder_set_member_name(b, "visitors");
	json_builder_begin_array(b);
	rc = store_visitor_foreach(desk_store(api->desk), in_only, from, to, visitors_walk_one, &w,
				   &error);
	json_builder_end_array(b);
	web_json_add_int(b, "in_building", w.in_building);
	web_json_add_int(b, "retention_days", api->cfg->visitors_retention_days);
	json_builder_end_object(b);
	if (rc < 0)
		api_error_gerror(r, rc, error, NULL);
	else
		web_reply_builder(r, 200, b);
}

/* A required or optional text field, trimmed; FALSE (and 400) when a
 * required one is empty. */
static gboolean visitor_text(struct web_req *r, const char *field, gboolean required,
			     const char *what, char **ret)
{
	const char *v = web_str(r, field);
	g_autofree char *trimmed = v ? g_strstrip(g_strdup(v)) : NULL;

	if (required && (!trimmed || !*trimmed)) {
		web_error(r, 400, "missing", "write the visitor's %s (%s)", what, field);
		return FALSE;
	}
	*ret = trimmed && *trimmed ? g_steal_pointer(&trimmed) : NULL;
	return TRUE;
}

/* The host: a user of this site (host_user) or a name as written (host). */
static gboolean visitor_host(struct web_req *r, struct store_visitor *v)
{
	struct api *api = api_of(r);
	g_autofree char *role = NULL;
	g_autofree char *hash = NULL;

	if (!visitor_text(r, "host", FALSE, "host", &v->host) ||
	    !visitor_text(r, "host_user", FALSE, "host", &v->host_user))
		return FALSE;
	if (!v->host && !v->host_user) {
		web_error(r, 400, "missing",
			  "say whom the visitor visits: host (a name as written) or host_user (a "
			  "user of this site)");
		return FALSE;
	}
	if (v->host_user) {
		if (store_user_get(desk_store(api->desk), v->host_user, &role, &hash, NULL) < 0) {
			web_error(
			    r, 400, "invalid",
			    "host_user \"%s\" is no user of this site: pick one from the list "
			    "or write the host's name in host",
			    v->host_user);
			return FALSE;
		}
		if (!v->host)
			v->host = g_strdup(v->host_user);
	}
	return TRUE;
}

struct visitor_print {
	struct api_pending *p;
	int64_t id;
};

/* The badge printed or not: the answer, with the visitor as stored. */
static void visitor_printed(const struct dispenser_result *dr, gpointer data)
{
	struct visitor_print *vp = data;
	struct api *api = vp->p->api;
	struct web_req r = {.app = api, .x = vp->p->x};
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(GError) error = NULL;
	struct store_visitor v = {0};

	if (dr->print_error && store_visitor_set_print_error(desk_store(api->desk), vp->id,
							     dr->print_error, &error) < 0)
		g_warning("visitor %" G_GINT64_FORMAT ": %s", vp->id, error->message);
	g_clear_error(&error);
	if (store_visitor_get(desk_store(api->desk), vp->id, &v, &error) < 0) {
		api_error_gerror(&r, -EIO, error, NULL);
	} else {
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "visitor");
		visitor_build(api, b, &v);
		json_builder_set_member_name(b, "print");
		json_builder_begin_object(b);
		web_json_add_bool(b, "ok", dr->print_error == NULL);
		web_json_add_str(b, "error", dr->print_error);
		json_builder_end_object(b);
		json_builder_end_object(b);
		web_reply_builder(&r, 201, b);
	}
	store_visitor_clear(&v);
	api_pending_done(vp->p);
	g_free(vp);
}

static void api_visitors_add(struct web_req *r)
{
	struct api *api = api_of(r);
	g_autoptr(GError) error = NULL;
	struct store_visitor v = {0};
	int64_t now = visitors_now(api);
	struct store_audit audit = {.at = now, .user = r->caller.user, .command = "visitor_in"};
	uint8_t lang = 0;
	int rc;

	if (!visitors_enabled(r) || !visitor_text(r, "name", TRUE, "name", &v.name) ||
	    !visitor_text(r, "organisation", FALSE, "organisation", &v.organisation) ||
	    !visitor_host(r, &v) || api_parse_lang(r, &lang) < 0)
		goto clear;
	desk_flush(api->desk);
	rc = store_visitor_add(desk_store(api->desk), &v, &audit, &error);
	if (rc < 0) {
		api_error_gerror(r, rc, error, NULL);
		goto clear;
	}
	visitors_tell(api, now);
	if (!api->dispenser) {
		struct dispenser_result dr = {
		    .print_error = "this service point has no ticket printer: no badge printed"};
		struct visitor_print *vp = g_new0(struct visitor_print, 1);

		vp->p = api_pending_new(r, 201);
		vp->id = v.id;
		visitor_printed(&dr, vp);
	} else {
		struct dispenser_badge badge = {
		    .name = v.name,
		    .organisation = v.organisation,
		    .host = v.host,
		    .number = v.badge,
		    .at = v.in_at,
		    .lang = lang,
		};
		struct visitor_print *vp = g_new0(struct visitor_print, 1);

		vp->p = api_pending_new(r, 201);
		vp->id = v.id;
		dispenser_badge(api->dispenser, &badge, visitor_printed, vp);
	}
clear:
	store_visitor_clear(&v);
}

/* Signs out (@delete FALSE) or erases visitor N. */
static void visitors_change(struct web_req *r, gboolean delete)
{
	struct api *api = api_of(r);
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	int64_t now = visitors_now(api);
	struct store_audit audit = {.at = now,
				    .user = r->caller.user,
				    .command = delete ? "visitor_delete" : "visitor_out"};
	struct store_visitor v = {0};
	int64_t id;
	int rc;

	if (!visitors_enabled(r) || !web_seg_id(r, 2, G_MAXINT64, &id))
		return;
	desk_flush(api->desk);
	rc = delete ? store_visitor_delete(desk_store(api->desk), id, &audit, &error)
		    : store_visitor_out(desk_store(api->desk), id, &audit, &error);
	if (rc < 0) {
		api_error_gerror(r, rc, error, NULL);
		return;
	}
	visitors_tell(api, now);
	if (delete) {
		web_reply_ok(r, 200);
		return;
	}
	if (store_visitor_get(desk_store(api->desk), id, &v, &error) < 0) {
		api_error_gerror(r, -EIO, error, NULL);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "visitor");
	visitor_build(api, b, &v);
	json_builder_end_object(b);
	web_reply_builder(r, 200, b);
	store_visitor_clear(&v);
}

static void api_visitors_out(struct web_req *r)
{
	visitors_change(r, FALSE);
}

static void api_visitors_delete(struct web_req *r)
{
	visitors_change(r, TRUE);
}

static void visitors_host_one(const char *name, const char *role, void *data)
{
	JsonBuilder *b = data;

	json_builder_begin_object(b);
	web_json_add_str(b, "name", name);
	web_json_add_str(b, "role", role);
	json_builder_end_object(b);
}

/* The reception picks a host among the site's users (names and roles
 * only), or writes one. */
static void api_visitors_hosts(struct web_req *r)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(GError) error = NULL;
	int rc;

	if (!visitors_enabled(r))
		return;
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "hosts");
	json_builder_begin_array(b);
	rc = store_user_foreach(desk_store(api_of(r)->desk), visitors_host_one, b, &error);
	json_builder_end_array(b);
	json_builder_end_object(b);
	if (rc < 0)
		api_error_gerror(r, rc, error, NULL);
	else
		web_reply_builder(r, 200, b);
}

static const struct web_field api_visitor_fields[] = {
    WEB_FIELD_STR("name", TRUE, VISITOR_TEXT_MAX),
    WEB_FIELD_STR("organisation", FALSE, VISITOR_TEXT_MAX),
    WEB_FIELD_STR("host", FALSE, VISITOR_TEXT_MAX),
    WEB_FIELD_STR("host_user", FALSE, QUEUE_USER_LEN),
    WEB_FIELD_STR("lang", FALSE, 8),
    WEB_FIELDS_END};

const struct web_route api_visitors_routes[] = {
    {"GET", "/api/visitors", RECEPTION, api_visitors_list, NULL},
    {"GET", "/api/visitors/hosts", RECEPTION, api_visitors_hosts, NULL},
    {"POST", "/api/visitors", RECEPTION, api_visitors_add, api_visitor_fields},
    {"POST", "/api/visitors/*/out", RECEPTION, api_visitors_out, api_no_fields},
    {"POST", "/api/visitors/*/delete", RECEPTION, api_visitors_delete, api_no_fields},
};
const size_t api_visitors_n_routes = G_N_ELEMENTS(api_visitors_routes);
