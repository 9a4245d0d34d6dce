/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * site: the sim board's site for the harnesses that drive vuorod's API
 * (fuzz-api, fuzz-signal): its desk with its own database and its
 * simulated devices wired as vuorod wires them (printer, buttons, displays,
 * announcer, feedback, booths; no ID-card reader: its routes answer that
 * none is set up), and one login per role.
 *
 * The database is a file in a fresh temporary directory (tests/fuzz/run
 * puts TMPDIR on tmpfs, in memory): the report and backup workers open it
 * again by its path, which ":memory:" cannot give them.  The sim devices'
 * files (tickets, speech, recordings) go there too.
 */
#pragma once

#include <glib/gstdio.h>
#include <openssl/crypto.h>
#include <string.h>

#include "api.h"
#include "api_internal.h"
#include "announcer.h"
#include "auth.h"
#include "booth.h"
#include "bus.h"
#include "catalog.h"
#include "desk.h"
#include "dispenser.h"
#include "displays.h"
#include "feedback.h"
#include "frontdesk.h"
#include "fuzz.h"
#include "router.h"
#include "store.h"

static struct {
	char *dir;
	struct store *store;
	struct bus *bus;
	struct desk *desk;
	struct catalog *catalog;
	struct api *api;
	struct dispenser *dispenser;
	struct frontdesk *frontdesk;
	struct displays *displays;
	struct announcer *announcer;
	struct feedback *feedback;
	struct booths *booths;
	char *tokens[8]; /* by role_names; NULL: none */
} site;

/* The callers: [0] anonymous, [7] the kiosk (by address), persons between. */
static const char *const role_names[] = {NULL,      "advisor", "expert",    "technician",
					 "manager", "admin",   "reception", NULL};
#define CALLER_KIOSK 7

static void rm_tree(const char *path)
{
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const char *name;

	while (dir && (name = g_dir_read_name(dir))) {
		g_autofree char *child = g_build_filename(path, name, NULL);

		if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
		    !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
			rm_tree(child);
		else
			g_unlink(child);
	}
	g_rmdir(path);
}

static void cleanup(void)
{
	rm_tree(site.dir);
}

static void die(const char *doing, GError *error)
{
	fprintf(stderr, "fuzz: %s: %s\n", doing, error ? error->message : "failed");
	exit(2);
}

static void site_warm_up(void);

/* The sim board's site, as vuorod wires it; once per process. */
static void site_open(void)
{
	struct config *cfg;
	GError *error = NULL;
	g_autofree char *db = NULL;
	g_autofree char *ui = NULL;

	/* As vuorod's main(): OpenSSL's exit cleanup would free its state under
	 * the DTLS of a webrtcbin still starting on a streaming thread when the
	 * run ends (CI: fuzz-signal's "gst_dtls_connection_set_property:
	 * assertion 'priv->ssl' failed" after DONE, a critical, so a crash). */
	OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
	fuzz_quiet();
	cfg = fuzz_config();
	if (!(site.dir = g_dir_make_tmp("vuoro-fuzz-site-XXXXXX", &error)))
		die("a temporary directory", error);
	atexit(cleanup);
	db = g_build_filename(site.dir, "vuoro.db", NULL);
	g_free(cfg->printer.sim_dir);
	cfg->printer.sim_dir = g_build_filename(site.dir, "tickets", NULL);
	g_free(cfg->audio_wav_dir);
	cfg->audio_wav_dir = g_build_filename(site.dir, "audio", NULL);
	g_free(cfg->recording_dir);
	cfg->recording_dir = g_build_filename(site.dir, "recordings", NULL);
	if (!(site.store = store_open(db, cfg, &error)))
		die("opening the database", error);
	site.bus = bus_new();
	if (!(site.desk = desk_new(cfg, site.store, site.bus, &error)))
		die("the desk", error);
	ui = catalog_default_dir("ui");
	if (!(site.catalog = catalog_load(ui, cfg->langs, &error)))
		die("the UI's catalogs", error);
	site.api = api_new(cfg, site.catalog, site.desk, site.bus);
	site.dispenser = dispenser_new(cfg, site.catalog, site.desk, site.bus);
	api_set_dispenser(site.api, site.dispenser);
	site.frontdesk = frontdesk_new(cfg, site.desk, site.dispenser, NULL, site.bus);
	api_set_frontdesk(site.api, site.frontdesk);
	site.displays = displays_new(cfg, site.bus, desk_queue(site.desk));
	api_set_displays(site.api, site.displays);
	site.announcer = announcer_new(cfg, site.catalog, site.bus, NULL);
	api_set_announcer(site.api, site.announcer);
	site.feedback = feedback_new(cfg, site.desk, site.bus);
	api_set_feedback(site.api, site.feedback);
	site.booths = booths_new(cfg, site.desk, site.bus, api_signal_send, site.api);
	api_set_booths(site.api, site.booths);
	/* One login per role, as POST /api/login would make it (no password:
	 * Argon2 would spend the run). */
	for (size_t i = 1; i < CALLER_KIOSK; i++) {
		g_autofree char *digest = NULL;

		if (store_user_put(site.store, role_names[i], role_names[i], "-", 0, &error) < 0)
			die("adding a user", error);
		site.tokens[i] = auth_token_new();
		digest = auth_token_digest(site.tokens[i]);
		if (store_token_put(site.store, digest, role_names[i], G_MAXINT64 / 2, &error) < 0)
			die("adding a login", error);
	}
	site_warm_up();
}

/* One request as @caller; waits for its answer (a handler may answer
 * later: after a group commit, from a worker). */
static void site_call(const char *method, const char *path, int caller, gboolean raw,
		      const uint8_t *data, size_t size)
{
	g_autoptr(SoupMessageHeaders) headers =
	    soup_message_headers_new(SOUP_MESSAGE_HEADERS_REQUEST);
	g_autoptr(GBytes) body = NULL;
	g_autofree char *full = NULL;
	g_autoptr(web_exchange) x = NULL;
	int64_t deadline;

	if (site.tokens[caller]) {
		g_autofree char *bearer = g_strconcat("Bearer ", site.tokens[caller], NULL);

		soup_message_headers_append(headers, "Authorization", bearer);
	}
	if (strcmp(method, "GET") == 0) {
		g_autofree char *query = g_uri_escape_bytes(data, size, "=&");

		path = full = g_strconcat(path, "?", query, NULL);
	} else {
		soup_message_headers_append(headers, "Content-Type",
					    raw ? "text/csv" : "application/json");
		body = g_bytes_new(data, size);
	}
	x = web_router_call(site.api->router, method, path, headers, body,
			    caller == CALLER_KIOSK ? "127.0.0.1" : "192.0.2.9");
	/* Long enough for the slowest finite answer on a loaded machine: a
	 * backup of the site's database, paced (store.c), took 7 s beside two
	 * other harnesses and a booth soak; tests/fuzz/run's -timeout is 30. */
	deadline = g_get_monotonic_time() + 25 * G_USEC_PER_SEC;
	while (!web_exchange_finished(x) && g_get_monotonic_time() < deadline)
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(100);
	if (!web_exchange_finished(x)) {
		fprintf(stderr, "fuzz: %s %s never answered\n", method, path);
		abort();
	}
}

/* The first printed ticket loads the fonts (fontconfig's caches, kept for
 * the process): before the first input, so that LSan does not take them
 * for an input's leak. */
static void site_warm_up(void)
{
	static const char ticket[] = "{\"service\": \"tax\", \"handout\": \"printer\"}";

	site_call("POST", "/api/tickets", CALLER_KIOSK, FALSE, (const uint8_t *)ticket,
		  sizeof(ticket) - 1);
}
