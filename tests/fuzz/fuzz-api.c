/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api: a request to any route of vuorod's API, through the router and the
 * route's handler without a socket (web_router_call), on the sim board's
 * desk with its own database and its simulated devices wired as vuorod
 * wires them (printer, buttons, displays, announcer, feedback, booths;
 * no ID-card reader: its routes answer that none is set up).
 *
 * The input: byte 0 picks the route (every route, in table order), byte 1
 * the caller (anonymous, a logged-in person of one role, or the kiosk by
 * its address as the sim board trusts it), byte
 * 2 the number in the path's '*' segments; the rest is the body (a query
 * for GET).  State carries over from one input to the next (tickets issued,
 * counters opened), as it does in the daemon.  A handler that never
 * answers, a critical or a sanitizer report is a crash.
 *
 * The database is a file in a fresh temporary directory (tests/fuzz/run
 * puts TMPDIR on tmpfs, in memory): the report and backup workers open it
 * again by its path, which ":memory:" cannot give them.  The sim devices'
 * files (tickets, speech, recordings) go there too.
 */
#include <glib/gstdio.h>
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

int LLVMFuzzerInitialize(int *argc, char ***argv);
static void warm_up(void);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	GPtrArray *routes; /* of const struct web_route * */
	char *tokens[8];   /* by role_names; NULL: none */
} f;

/* The callers: [0] anonymous, [7] the kiosk (by address), persons between. */
static const char *const role_names[] = {NULL,      "advisor", "expert",    "technician",
					 "manager", "admin",   "reception", NULL};
#define CALLER_KIOSK 7

static void add_route(const struct web_route *route, void *data)
{
	g_ptr_array_add(data, (gpointer)route);
}

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
	rm_tree(f.dir);
}

static void die(const char *doing, GError *error)
{
	fprintf(stderr, "fuzz-api: %s: %s\n", doing, error ? error->message : "failed");
	exit(2);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct config *cfg;
	GError *error = NULL;
	g_autofree char *db = NULL;
	g_autofree char *ui = NULL;

	fuzz_quiet();
	cfg = fuzz_config();
	if (!(f.dir = g_dir_make_tmp("vuoro-fuzz-api-XXXXXX", &error)))
		die("a temporary directory", error);
	atexit(cleanup);
	db = g_build_filename(f.dir, "vuoro.db", NULL);
	g_free(cfg->printer.sim_dir);
	cfg->printer.sim_dir = g_build_filename(f.dir, "tickets", NULL);
	g_free(cfg->audio_wav_dir);
	cfg->audio_wav_dir = g_build_filename(f.dir, "audio", NULL);
	g_free(cfg->recording_dir);
	cfg->recording_dir = g_build_filename(f.dir, "recordings", NULL);
	if (!(f.store = store_open(db, cfg, &error)))
		die("opening the database", error);
	f.bus = bus_new();
	if (!(f.desk = desk_new(cfg, f.store, f.bus, &error)))
		die("the desk", error);
	ui = catalog_default_dir("ui");
	if (!(f.catalog = catalog_load(ui, cfg->langs, &error)))
		die("the UI's catalogs", error);
	f.api = api_new(cfg, f.catalog, f.desk, f.bus);
	f.dispenser = dispenser_new(cfg, f.catalog, f.desk, f.bus);
	api_set_dispenser(f.api, f.dispenser);
	f.frontdesk = frontdesk_new(cfg, f.desk, f.dispenser, f.bus);
	api_set_frontdesk(f.api, f.frontdesk);
	f.displays = displays_new(cfg, f.bus, desk_queue(f.desk));
	api_set_displays(f.api, f.displays);
	f.announcer = announcer_new(cfg, f.catalog, f.bus);
	api_set_announcer(f.api, f.announcer);
	f.feedback = feedback_new(cfg, f.desk, f.bus);
	api_set_feedback(f.api, f.feedback);
	f.booths = booths_new(cfg, f.desk, f.bus, api_signal_send, f.api);
	api_set_booths(f.api, f.booths);
	f.routes = g_ptr_array_new();
	web_router_foreach(f.api->router, add_route, f.routes);
	/* One login per role, as POST /api/login would make it (no password:
	 * Argon2 would spend the run). */
	for (size_t i = 1; i < CALLER_KIOSK; i++) {
		g_autofree char *digest = NULL;

		if (store_user_put(f.store, role_names[i], role_names[i], "-", 0, &error) < 0)
			die("adding a user", error);
		f.tokens[i] = auth_token_new();
		digest = auth_token_digest(f.tokens[i]);
		if (store_token_put(f.store, digest, role_names[i], G_MAXINT64 / 2, &error) < 0)
			die("adding a login", error);
	}
	warm_up();
	return 0;
}

/* The route's pattern with @id for each "*" segment. */
static char *route_path(const char *pattern, const char *id)
{
	g_auto(GStrv) parts = g_strsplit(pattern, "/", -1);

	for (char **p = parts; *p; p++)
		if (strcmp(*p, "*") == 0) {
			g_free(*p);
			*p = g_strdup(id);
		}
	return g_strjoinv("/", parts);
}

/* One request as @caller; waits for its answer (a handler may answer
 * later: after a group commit, from a worker). */
static void call(const char *method, const char *path, int caller, gboolean raw,
		 const uint8_t *data, size_t size)
{
	g_autoptr(SoupMessageHeaders) headers =
	    soup_message_headers_new(SOUP_MESSAGE_HEADERS_REQUEST);
	g_autoptr(GBytes) body = NULL;
	g_autofree char *full = NULL;
	g_autoptr(web_exchange) x = NULL;
	int64_t deadline;

	if (f.tokens[caller]) {
		g_autofree char *bearer = g_strconcat("Bearer ", f.tokens[caller], NULL);

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
	x = web_router_call(f.api->router, method, path, headers, body,
			    caller == CALLER_KIOSK ? "127.0.0.1" : "192.0.2.9");
	deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
	while (!web_exchange_finished(x) && g_get_monotonic_time() < deadline)
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(100);
	if (!web_exchange_finished(x)) {
		fprintf(stderr, "fuzz-api: %s %s never answered\n", method, path);
		abort();
	}
}

/* The first printed ticket loads the fonts (fontconfig's caches, kept for
 * the process): before the first input, so that LSan does not take them
 * for an input's leak. */
static void warm_up(void)
{
	static const char ticket[] = "{\"service\": \"tax\", \"handout\": \"printer\"}";

	call("POST", "/api/tickets", CALLER_KIOSK, FALSE, (const uint8_t *)ticket,
	     sizeof(ticket) - 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const ids[] = {
	    "1", "2", "3", "4", "0", "-1", "x", "9999999999999999999", "%00", "A001", "kunta"};
	const struct web_route *route;
	g_autofree char *path = NULL;

	if (size < 3)
		return 0;
	route = g_ptr_array_index(f.routes, data[0] % f.routes->len);
	path = route_path(route->path, ids[data[2] % G_N_ELEMENTS(ids)]);
	call(route->method, path, data[1] % G_N_ELEMENTS(role_names),
	     (route->flags & WEB_ROUTE_RAW_BODY) != 0, data + 3, size - 3);
	return 0;
}
