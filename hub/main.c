/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * vuoro-hub: the region's central service (DESIGN.md "Beyond one site").
 * Wiring only: the config, PostgreSQL's schema, the NATS stream, bucket and
 * consumer, the ingest thread, the web (hub/web.h: the parts register their
 * routes in parts_start); one GMainLoop until SIGINT or SIGTERM.  The
 * hub keeps no state of its own besides PostgreSQL: several may run at once
 * on the same consumer and database.
 */
#include <errno.h>
#include <glib-unix.h>
#include <glib.h>
#include <nats/nats.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "billing.h"
#include "expert.h"
#include "catalog.h"
#include <sodium.h>
#include "fleet.h"
#include "hub.h"
#include "hub_config.h"
#include "hub_db.h"
#include "hub_nats.h"
#include "ingest.h"
#include "json.h"
#include "reports.h"
#include "session.h"
#include "users.h"
#include "web.h"

static gboolean on_signal(gpointer data)
{
	g_main_loop_quit(data);
	return G_SOURCE_REMOVE;
}

static int schema_ensure(const struct hub_config *cfg)
{
	g_autoptr(HubDb) db = NULL;
	int rc = hub_db_open(cfg->pg_conninfo, &db);

	if (rc == 0)
		rc = hub_db_migrate(db, cfg->sql_dir);
	return rc;
}

/* The parts of the hub's web: their route tables, registered once the
 * base runs (and listed by --list-routes). */
static const struct {
	const struct web_route *routes;
	const size_t *n;
} parts[] = {
    {hub_reports_routes, &hub_reports_n_routes},
    {hub_fleet_routes, &hub_fleet_n_routes},
    {billing_routes, &billing_n_routes},
    {hub_expert_routes, &hub_expert_n_routes},
};

/* Registers the parts' routes; a part that watches something starts here. */
static int parts_start(struct hub *hub)
{
	int rc = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(parts); i++)
		hub_web_add_routes(hub->web, parts[i].routes, *parts[i].n);
	rc = hub_fleet_start(hub);
	if (rc == 0)
		rc = hub_expert_start(hub);
	return rc;
}

/* One JSON line per route (web_route_add_json); test_hub_web.py's EXPECT
 * checks them against the policy. */
static void print_route(const struct web_route *route, void *data)
{
	static const unsigned roles[] = {HUB_ROLE_ADMIN, HUB_ROLE_MANAGER, HUB_ROLE_TECHNICIAN,
					 HUB_ROLE_PROVIDER, HUB_ROLE_EXPERT};
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autofree char *text = NULL;

	json_builder_begin_object(b);
	web_route_add_json(b, route, roles, G_N_ELEMENTS(roles), hub_role_name);
	json_builder_end_object(b);
	text = web_json_text(b);
	printf("%s\n", text);
}

static void list_routes(void)
{
	hub_web_foreach_base_route(print_route, NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(parts); i++)
		for (size_t k = 0; k < *parts[i].n; k++)
			print_route(&parts[i].routes[k], NULL);
}

static void parts_stop(struct hub *hub)
{
	hub_expert_stop(hub);
	hub_fleet_stop(hub);
}

/* The web: its PostgreSQL connection, the login pool, the server. */
static int web_start(struct hub *hub)
{
	g_autoptr(GError) error = NULL;
	int rc = hub_db_open(hub->cfg->pg_conninfo, &hub->db);

	if (rc < 0)
		return rc;
	hub->auth_pool = auth_pool_new(AUTH_POOL_THREADS, AUTH_POOL_WAITING);
	hub->logins = web_logins_new();
	hub->web = hub_web_new(hub, &error);
	if (!hub->web) {
		g_warning("web: %s", error->message);
		return -EADDRINUSE;
	}
	g_message("vuoro-hub: pages and API on http://%s (port %d)", hub->cfg->web_listen,
		  hub_web_port(hub->web));
	return parts_start(hub);
}

static void web_stop(struct hub *hub)
{
	parts_stop(hub);
	hub_web_free(hub->web);
	catalog_free(hub->catalog);
	auth_pool_free(hub->auth_pool);
	web_logins_free(hub->logins);
	hub_db_free(hub->db);
}

#define HUB_JS_WAIT_S 60

static int run(const struct hub_config *cfg)
{
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	struct hub hub = {.cfg = cfg};
	natsSubscription *sub = NULL;
	struct ingest *in = NULL;
	int rc;

	rc = schema_ensure(cfg);
	if (rc < 0)
		return rc;
	rc = hub_nats_connect(cfg, &hub.nc);
	if (rc < 0)
		return rc;
	if (natsConnection_JetStream(&hub.js, hub.nc, NULL) != NATS_OK) {
		rc = -EIO;
		goto close_nats;
	}
	/* The cluster may be starting with the hub: wait for its JetStream
	 * (up to HUB_JS_WAIT_S), then give up with the error. */
	for (int waited_ms = 0, pause_ms = 250;;
	     waited_ms += pause_ms, pause_ms = MIN(pause_ms * 2, 5000)) {
		rc = hub_nats_ensure(cfg, hub.js);
		if (rc != -EAGAIN || waited_ms >= HUB_JS_WAIT_S * 1000)
			break;
		g_usleep((gulong)pause_ms * 1000);
	}
	if (rc == 0)
		rc = hub_nats_subscribe(cfg, hub.js, &sub);
	if (rc == 0)
		rc = ingest_start(cfg, sub, &in);
	if (rc < 0)
		goto destroy_sub;
	rc = web_start(&hub);
	if (rc < 0)
		goto stop;
	g_unix_signal_add(SIGINT, on_signal, loop);
	g_unix_signal_add(SIGTERM, on_signal, loop);
	g_message("vuoro-hub %s: ingesting %s (consumer %s) into PostgreSQL", VUORO_VERSION,
		  cfg->stream, cfg->durable);
	g_main_loop_run(loop);
stop:
	web_stop(&hub);
	ingest_stop(in);
destroy_sub:
	natsSubscription_Destroy(sub);
	jsCtx_Destroy(hub.js);
close_nats:
	natsConnection_Destroy(hub.nc);
	return rc;
}

/* vuoro-hub --add-user NAME --role ROLE [--provider P], the password on
 * standard input (one line). */
static int add_user(const struct hub_config *cfg, const char *name, const char *role,
		    const char *provider)
{
	g_autoptr(HubDb) db = NULL;
	g_autoptr(GError) error = NULL;
	char line[512];
	int rc;

	if (!role) {
		fprintf(stderr, "vuoro-hub: --add-user needs --role admin, manager, technician, "
				"provider-manager or expert\n");
		return -EINVAL;
	}
	if (isatty(STDIN_FILENO))
		fprintf(stderr, "password: ");
	if (!fgets(line, sizeof(line), stdin)) {
		fprintf(stderr, "vuoro-hub: give the new user's password on standard input\n");
		return -EINVAL;
	}
	line[strcspn(line, "\r\n")] = '\0';
	rc = hub_db_open(cfg->pg_conninfo, &db);
	if (rc == 0)
		rc = hub_db_migrate(db, cfg->sql_dir);
	if (rc == -EPROTO) {
		fprintf(stderr, "vuoro-hub: PostgreSQL: %s\n", hub_db_error(db));
		return rc;
	}
	if (rc < 0) {
		fprintf(stderr, "vuoro-hub: PostgreSQL: cannot reach or update the database: "
				"check [postgres] conninfo\n");
		return rc;
	}
	rc = hub_users_add(db, name, role, provider, line, &error);
	sodium_memzero(line, sizeof(line));
	if (rc < 0) {
		fprintf(stderr, "vuoro-hub: %s\n", error->message);
		return rc;
	}
	printf("user %s (%s%s%s) saved\n", name, role, provider ? ", " : "",
	       provider ? provider : "");
	return 0;
}

int main(int argc, char **argv)
{
	g_autofree char *config = NULL;
	g_autofree char *add = NULL;
	g_autofree char *role = NULL;
	g_autofree char *provider = NULL;
	gboolean version = FALSE;
	gboolean routes = FALSE;
	GOptionEntry entries[] = {
	    {"list-routes", 0, 0, G_OPTION_ARG_NONE, &routes,
	     "print the API's routes and who may call them (JSON lines)", NULL},
	    {"config", 'c', 0, G_OPTION_ARG_FILENAME, &config, "the hub's config (INI)", "FILE"},
	    {"add-user", 0, 0, G_OPTION_ARG_STRING, &add,
	     "add (or reset) a user of the hub's pages; the password on stdin", "NAME"},
	    {"role", 0, 0, G_OPTION_ARG_STRING, &role,
	     "with --add-user: admin, manager, technician, provider-manager or expert", "ROLE"},
	    {"provider", 0, 0, G_OPTION_ARG_STRING, &provider,
	     "with --add-user: a provider-manager's or an expert's provider", "CODE"},
	    {"version", 0, 0, G_OPTION_ARG_NONE, &version, "print the version", NULL},
	    {0},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("— the region's vuoro hub");
	g_autoptr(GError) error = NULL;
	g_autoptr(HubConfig) cfg = NULL;
	int rc;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx, "See hub/hub.conf.example and hub/README.md.");
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "vuoro-hub: %s (try --help)\n", error->message);
		return 2;
	}
	if (version) {
		printf("vuoro-hub %s\n", VUORO_VERSION);
		return 0;
	}
	if (routes) {
		list_routes();
		return 0;
	}
	if (!config) {
		fprintf(stderr,
			"vuoro-hub: --config FILE is required (see hub/hub.conf.example)\n");
		return 2;
	}
	cfg = hub_config_load(config, &error);
	if (!cfg) {
		fprintf(stderr, "vuoro-hub: %s\n", error->message);
		return 2;
	}
	if (auth_init() < 0) {
		fprintf(stderr, "vuoro-hub: libsodium could not start\n");
		return 1;
	}
	if (add)
		return add_user(cfg, add, role, provider) < 0 ? 1 : 0;
	rc = run(cfg);
	nats_Close();
	return rc < 0 ? 1 : 0;
}
