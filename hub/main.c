/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * vuoro-hub: the region's central service (DESIGN.md "Beyond one site").
 * Wiring only: the config, PostgreSQL's schema, the NATS stream, bucket and
 * consumer, the ingest thread; one GMainLoop until SIGINT or SIGTERM.  The
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

#include "hub_config.h"
#include "hub_db.h"
#include "hub_nats.h"
#include "ingest.h"
#include "live.h"

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

static int run(const struct hub_config *cfg)
{
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	natsConnection *nc = NULL;
	natsSubscription *sub = NULL;
	struct ingest *in = NULL;
	struct hub_live *live = NULL;
	jsCtx *js = NULL;
	int rc;

	rc = schema_ensure(cfg);
	if (rc < 0)
		return rc;
	rc = hub_nats_connect(cfg, &nc);
	if (rc < 0)
		return rc;
	if (natsConnection_JetStream(&js, nc, NULL) != NATS_OK) {
		rc = -EIO;
		goto close_nats;
	}
	rc = hub_nats_ensure(cfg, js);
	if (rc == 0)
		rc = hub_nats_subscribe(cfg, js, &sub);
	if (rc == 0)
		rc = ingest_start(cfg, sub, &in);
	if (rc < 0)
		goto destroy_sub;
	rc = hub_live_start(cfg, js, &live);
	if (rc < 0) {
		ingest_stop(in);
		goto destroy_sub;
	}
	g_unix_signal_add(SIGINT, on_signal, loop);
	g_unix_signal_add(SIGTERM, on_signal, loop);
	g_message("vuoro-hub %s: ingesting %s (consumer %s) into PostgreSQL", VUORO_VERSION,
		  cfg->stream, cfg->durable);
	g_main_loop_run(loop);
	hub_live_stop(live);
	ingest_stop(in);
destroy_sub:
	natsSubscription_Destroy(sub);
	jsCtx_Destroy(js);
close_nats:
	natsConnection_Destroy(nc);
	return rc;
}

int main(int argc, char **argv)
{
	g_autofree char *config = NULL;
	gboolean version = FALSE;
	GOptionEntry entries[] = {
	    {"config", 'c', 0, G_OPTION_ARG_FILENAME, &config, "the hub's config (INI)", "FILE"},
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
	rc = run(cfg);
	nats_Close();
	return rc < 0 ? 1 : 0;
}
