/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * vuorod: the front-desk daemon.  Wiring only: parse the command line, load
 * the board-config, open the store, build desk and API, run the loop.
 *
 *   vuorod --config FILE [--db FILE] [--listen HOST:PORT]
 *   vuorod --check-config FILE
 *   vuorod --check-catalogs [--config FILE]
 *   vuorod --config FILE --check-audio            (the announcer's self-test)
 *   vuorod --db FILE --add-user NAME --role ROLE   (password on stdin)
 *   vuorod --db FILE [--config FILE] --add-device NAME --role kiosk|booth [--booth N]
 *   vuorod --db FILE --list-devices | --revoke-device NAME
 */

#include <errno.h>
#include <glib-unix.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <malloc.h>
#include <openssl/crypto.h>
#include <gst/gst.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "announcer.h"
#include "api.h"
#include "auth.h"
#include "booth.h"
#include "identity.h"
#include "feedback.h"
#include "gst_plugins.h"
#include "bus.h"
#include "catalog.h"
#include "config.h"
#include "desk.h"
#include "store.h"
#include "uplink.h"
#include "notify.h"
#include "web.h"

#define VUOROD_DEFAULT_CONFIG "/etc/vuoro/vuoro.conf"

struct vuorod_opts {
	char *config;
	char *db;
	char *listen;
	char *check_config;
	char *add_user;
	char *role;
	char *provider;
	char *add_device;
	char *revoke_device;
	gboolean list_devices;
	int booth;
	gboolean version;
	gboolean list_routes;
	gboolean check_catalogs;
	gboolean check_audio;
};

/* The catalogs of the site's languages, next to its pages. */
static struct catalog *vuorod_catalog(const struct config *cfg, GError **error)
{
	g_autofree char *dir = catalog_default_dir(cfg->ui_dir ? cfg->ui_dir : web_default_dir());

	return catalog_load(dir, cfg->langs, error);
}

/* Finnish first, then by code. */
static gint vuorod_lang_cmp(gconstpointer a, gconstpointer b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;

	if (strcmp(x, "fi") == 0 || strcmp(y, "fi") == 0)
		return strcmp(x, "fi") == 0 ? (strcmp(y, "fi") == 0 ? 0 : -1) : 1;
	return strcmp(x, y);
}

/* --check-catalogs: the site's languages with --config, else every catalog
 * in the pages' folder (Finnish as the main language, when there). */
static int vuorod_check_catalogs(const char *config)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) cfg = config ? config_load(config, &error) : NULL;
	g_autofree char *dir = NULL;
	g_autoptr(GPtrArray) langs = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(Catalog) c = NULL;
	g_autoptr(GString) report = g_string_new(NULL);
	int problems;

	if (config && !cfg) {
		fprintf(stderr, "vuorod: %s\n", error->message);
		return 1;
	}
	dir = catalog_default_dir(cfg && cfg->ui_dir ? cfg->ui_dir : web_default_dir());
	if (cfg) {
		for (char **l = cfg->langs; *l; l++)
			g_ptr_array_add(langs, g_strdup(*l));
	} else {
		g_autoptr(GDir) d = g_dir_open(dir, 0, &error);
		const char *name;

		if (!d) {
			fprintf(stderr, "vuorod: %s\n", error->message);
			return 1;
		}
		while ((name = g_dir_read_name(d)))
			if (g_str_has_suffix(name, ".json"))
				g_ptr_array_add(langs, g_strndup(name, strlen(name) - 5));
		g_ptr_array_sort(langs, vuorod_lang_cmp);
	}
	g_ptr_array_add(langs, NULL);
	c = catalog_load(dir, (char **)langs->pdata, &error);
	if (!c) {
		fprintf(stderr, "vuorod: %s\n", error->message);
		return 1;
	}
	problems = catalog_check(c, report);
	fputs(report->str, stdout);
	return problems ? 1 : 0;
}

/* --check-audio: the announcer's self-test of the loudspeaker's sink, run
 * by the announcer in this child process (announcer.h says why).  What is
 * wrong goes to standard output, for the announcer to report. */
static int vuorod_check_audio(const char *path)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) cfg = config_load(path ? path : VUOROD_DEFAULT_CONFIG, &error);

	if (cfg && announcer_check_sink(cfg, &error) == 0)
		return 0;
	printf("%s\n", error->message);
	return 1;
}

static int vuorod_check_config(const char *path)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) cfg = config_load(path, &error);
	g_autoptr(Catalog) catalog = NULL;

	if (!cfg) {
		fprintf(stderr, "%s\n", error->message);
		return 1;
	}
	catalog = vuorod_catalog(cfg, &error);
	if (!catalog) {
		fprintf(stderr, "%s\n", error->message);
		return 1;
	}
	printf("%s: ok (%s board, %u providers, %u services, %u counters, %d languages)\n", path,
	       config_board_is_sim(cfg) ? "sim" : "real", cfg->providers->len, cfg->services->len,
	       cfg->counters->len, cfg->n_langs);
	return 0;
}

static char *vuorod_read_password(void)
{
	char line[AUTH_PASSWORD_MAX + 2];

	if (!fgets(line, sizeof(line), stdin))
		return NULL;
	line[strcspn(line, "\r\n")] = '\0';
	return g_strdup(line);
}

static int vuorod_add_user(const struct vuorod_opts *o)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) store = NULL;
	g_autofree char *password = NULL;
	g_autofree char *hash = NULL;

	if (!o->db || !o->role) {
		fprintf(stderr, "vuorod: --add-user needs --db FILE and --role ROLE\n");
		return 2;
	}
	if (!auth_role_parse(o->role)) {
		fprintf(stderr,
			"vuorod: role \"%s\" is not one of advisor, expert, technician, manager, "
			"admin, reception\n",
			o->role);
		return 2;
	}
	password = vuorod_read_password();
	if (!password) {
		fprintf(stderr, "vuorod: give the password on standard input\n");
		return 2;
	}
	if (auth_password_hash(password, &hash, &error) < 0) {
		fprintf(stderr, "vuorod: %s\n", error->message);
		return 1;
	}
	store = store_open(o->db, NULL, &error);
	if (!store ||
	    store_user_put(store, o->add_user, o->role, hash, g_get_real_time() / G_USEC_PER_SEC,
			   &error) < 0 ||
	    (o->provider && store_user_set_provider(store, o->add_user, o->provider, &error) < 0)) {
		fprintf(stderr, "vuorod: %s\n", error->message);
		return 1;
	}
	printf("user %s (%s%s%s) saved in %s\n", o->add_user, o->role, o->provider ? ", " : "",
	       o->provider ? o->provider : "", o->db);
	return 0;
}

/* A device's token is printed once: the store keeps only its SHA-256. */
static int vuorod_add_device(const struct vuorod_opts *o)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) cfg = NULL;
	g_autoptr(Store) store = NULL;
	g_autofree char *token = auth_token_new();
	g_autofree char *digest = auth_token_digest(token);
	struct store_device dev = {.name = o->add_device, .role = o->role, .booth = o->booth};

	if (!o->db || !o->role) {
		fprintf(stderr, "vuorod: --add-device needs --db FILE and --role kiosk|booth\n");
		return 2;
	}
	/* With the board-config, a booth's number is checked against it. */
	if (o->config && !(cfg = config_load(o->config, &error))) {
		fprintf(stderr, "vuorod: %s\n", error->message);
		return 1;
	}
	if (api_devices_check(cfg, o->add_device, o->role, o->booth, &error) < 0) {
		fprintf(stderr, "vuorod: %s\n", error->message);
		return 2;
	}
	dev.token_hash = digest;
	dev.created_at = g_get_real_time() / G_USEC_PER_SEC;
	store = store_open(o->db, NULL, &error);
	if (!store || store_device_add(store, &dev, &error) < 0) {
		fprintf(stderr, "vuorod: %s\n", error->message);
		return 1;
	}
	printf("device %s (%s", o->add_device, o->role);
	if (o->booth)
		printf(" screen of booth %d", o->booth);
	printf(") saved in %s; its token, shown only now:\n%s\n", o->db, token);
	return 0;
}

static void vuorod_print_device(const struct store_device *d, void *data)
{
	printf("%-20s %-6s", d->name, d->role);
	if (d->booth)
		printf(" booth %-4d", d->booth);
	else
		printf(" %-10s", "");
	printf(" %s%s\n", d->paired_at ? "paired" : "not paired",
	       d->pair_hash ? ", pairing code pending" : "");
}

static int vuorod_devices(const struct vuorod_opts *o)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) store = NULL;
	int rc;

	if (!o->db) {
		fprintf(stderr, "vuorod: --list-devices and --revoke-device need --db FILE\n");
		return 2;
	}
	store = store_open(o->db, NULL, &error);
	if (!store) {
		fprintf(stderr, "vuorod: %s\n", error->message);
		return 1;
	}
	if (o->revoke_device) {
		rc = store_device_delete(store, o->revoke_device, &error);
		if (rc == 0)
			printf("device %s revoked: its token and cookie no longer work\n",
			       o->revoke_device);
	} else {
		rc = store_device_foreach(store, vuorod_print_device, NULL, &error);
	}
	if (rc < 0) {
		fprintf(stderr, "vuorod: %s\n", error->message);
		return 1;
	}
	return 0;
}

static int vuorod_parse_listen(const char *text, char **ret_host, int *ret_port)
{
	g_autofree char *host = NULL;
	const char *colon = strrchr(text, ':');
	guint64 port;

	if (!colon || !g_ascii_string_to_unsigned(colon + 1, 10, 0, 65535, &port, NULL))
		return -EINVAL;
	host = g_strndup(text, (gsize)(colon - text));
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		char *inner = g_strndup(host + 1, strlen(host) - 2);

		g_free(host);
		host = inner;
	}
	*ret_host = g_steal_pointer(&host);
	*ret_port = (int)port;
	return 0;
}

/* systemd's notify protocol (sd_notify(3)): @state as one datagram to the
 * AF_UNIX socket in $NOTIFY_SOCKET (a path, or @name in the abstract
 * namespace); nothing without it.  Spoken here rather than through
 * libsystemd, which with its compression and gcrypt libraries cost 0.8 MB
 * of every idle vuorod (issue 22) for these few lines. */
static void vuorod_notify(const char *state)
{
	const char *path = g_getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t len;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(sa.sun_path))
		return;
	len = strlen(path);
	memcpy(sa.sun_path, path, len);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa,
		   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0)
		g_debug("systemd notify %s: %s", state, g_strerror(errno));
	close(fd);
}

/* The watchdog's interval systemd asked for (WATCHDOG_USEC, for this
 * process when WATCHDOG_PID says whose), or 0: sd_watchdog_enabled(3). */
static uint64_t vuorod_watchdog_usec(void)
{
	const char *usec = g_getenv("WATCHDOG_USEC"), *pid = g_getenv("WATCHDOG_PID");
	guint64 n = 0, p;

	if (!usec || !g_ascii_string_to_unsigned(usec, 10, 1, G_MAXUINT64, &n, NULL))
		return 0;
	if (pid &&
	    (!g_ascii_string_to_unsigned(pid, 10, 1, G_MAXINT, &p, NULL) || (pid_t)p != getpid()))
		return 0;
	return n;
}

/* systemd's watchdog: a ping from the main loop proves the loop runs. */
static gboolean vuorod_watchdog(gpointer data)
{
	vuorod_notify("WATCHDOG=1");
	return G_SOURCE_CONTINUE;
}

static gboolean vuorod_quit(gpointer data)
{
	g_main_loop_quit(data);
	return G_SOURCE_REMOVE;
}

static int vuorod_run(const struct vuorod_opts *o)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) cfg = NULL;
	g_autoptr(Catalog) catalog = NULL;
	g_autoptr(Store) store = NULL;
	g_autoptr(Bus) bus = NULL;
	g_autoptr(Desk) desk = NULL;
	g_autoptr(Api) api = NULL;
	g_autoptr(Dispenser) dispenser = NULL;
	g_autoptr(Guide) guide = NULL; /* after frontdesk, which presses its keys */
	g_autoptr(Frontdesk) frontdesk = NULL;
	g_autoptr(Displays) displays = NULL;
	g_autoptr(Announcer) announcer = NULL;
	g_autoptr(Identity) identity = NULL;
	g_autoptr(Feedback) feedback = NULL;
	g_autoptr(Notify) notify = NULL; /* freed before api, which reads its fault */
	/* freed before api and desk, whose state it sends, and after booths, whose
	 * signalling to the hub's experts it publishes */
	g_autoptr(Uplink) uplink = NULL;
	g_autoptr(Booths) booths = NULL; /* after api: freed first, it talks to api sockets */
	g_autoptr(Web) web = NULL;
	g_autoptr(GMainLoop) loop = NULL;
	g_autofree char *host = NULL;
	g_autofree char *db_dir = NULL;
	const char *db;
	uint64_t watchdog_us = 0;
	int port;

	cfg = config_load(o->config ? o->config : VUOROD_DEFAULT_CONFIG, &error);
	if (!cfg) {
		fprintf(stderr, "vuorod: %s\n", error->message);
		return 1;
	}
	catalog = vuorod_catalog(cfg, &error);
	if (!catalog) {
		fprintf(stderr, "vuorod: %s\n", error->message);
		return 1;
	}
	host = g_strdup(cfg->listen_host);
	port = cfg->listen_port;
	if (o->listen) {
		g_clear_pointer(&host, g_free);
		if (vuorod_parse_listen(o->listen, &host, &port) < 0) {
			fprintf(stderr, "vuorod: --listen %s: expected HOST:PORT\n", o->listen);
			return 2;
		}
		if (config_listen_needs_tls(cfg, host)) {
			fprintf(
			    stderr,
			    "vuorod: --listen %s: a real board serves beyond loopback over HTTPS "
			    "only: give [api] tls-cert and tls-key in %s\n",
			    o->listen, cfg->path);
			return 2;
		}
	}
	db = o->db ? o->db : cfg->db_path;
	db_dir = g_path_get_dirname(db);
	if (g_mkdir_with_parents(db_dir, 0750) < 0) {
		fprintf(stderr, "vuorod: cannot create %s: %s\n", db_dir, g_strerror(errno));
		return 1;
	}
	store = store_open(db, cfg, &error);
	if (!store) {
		fprintf(stderr, "vuorod: %s\n", error->message);
		return 1;
	}
	bus = bus_new();
	desk = desk_new(cfg, store, bus, &error);
	if (!desk) {
		fprintf(stderr, "vuorod: %s\n", error->message);
		return 1;
	}
	dispenser = dispenser_new(cfg, catalog, desk, bus);
	api = api_new(cfg, catalog, desk, bus);
	api_set_dispenser(api, dispenser);
	announcer = announcer_new(cfg, catalog, bus, "/proc/self/exe");
	api_set_announcer(api, announcer);
	guide = guide_new(cfg, catalog, desk, dispenser, announcer, bus);
	frontdesk = frontdesk_new(cfg, desk, dispenser, guide, bus);
	api_set_frontdesk(api, frontdesk);
	displays = displays_new(cfg, bus, desk_queue(desk));
	api_set_displays(api, displays);
	notify = notify_new(cfg, catalog, store, bus);
	api_set_notify(api, notify);
	feedback = feedback_new(cfg, desk, bus);
	api_set_feedback(api, feedback);
	/* A reader without trust anchors could pass nobody: no reader. */
	if (cfg->identity_trust_anchors)
		identity = identity_new_from_config(cfg);
	api_set_identity(api, identity);
	booths = booths_new(cfg, desk, bus, api_signal_send, api);
	api_set_booths(api, booths);
	uplink = uplink_new(cfg, store, bus, api);
	api_set_uplink(api, uplink);
	web = web_new(api_server(api), cfg->ui_dir ? cfg->ui_dir : web_default_dir(), &error);
	if (!web) {
		g_warning("%s; the API works without them", error->message);
		g_clear_error(&error);
	}
	port = api_listen(api, host, port, &error);
	if (port < 0) {
		fprintf(stderr, "vuorod: cannot listen on %s: %s\n", host, error->message);
		return 1;
	}
	dispenser_set_listen(dispenser, host, port, api_tls(api));
	/* Signals first: whoever reads the line below may stop us at once. */
	loop = g_main_loop_new(NULL, FALSE);
	g_unix_signal_add(SIGTERM, vuorod_quit, loop);
	g_unix_signal_add(SIGINT, vuorod_quit, loop);
	printf("vuorod %s: %s — API on %s://%s%s%s:%d/api/status (db %s)\n", VUORO_VERSION,
	       cfg->site_name, api_tls(api) ? "https" : "http", strchr(host, ':') ? "[" : "", host,
	       strchr(host, ':') ? "]" : "", port, db);
	fflush(stdout);
	/* Under systemd (Type=notify): ready now, and the watchdog pinged at
	 * half its interval from the main loop. */
	vuorod_notify("READY=1");
	watchdog_us = vuorod_watchdog_usec();
	if (watchdog_us > 0)
		g_timeout_add((guint)(watchdog_us / 2000), vuorod_watchdog, NULL);
	g_main_loop_run(loop);
	vuorod_notify("STOPPING=1");
	return 0;
}

int main(int argc, char **argv)
{
	struct vuorod_opts o = {0};
	GOptionEntry entries[] = {
	    {"config", 'c', 0, G_OPTION_ARG_FILENAME, &o.config,
	     "board-config file (default " VUOROD_DEFAULT_CONFIG ")", "FILE"},
	    {"db", 'd', 0, G_OPTION_ARG_FILENAME, &o.db,
	     "database file (default: [store] db of the config)", "FILE"},
	    {"listen", 'l', 0, G_OPTION_ARG_STRING, &o.listen,
	     "address to serve on (default: [api] listen of the config)", "HOST:PORT"},
	    {"check-config", 0, 0, G_OPTION_ARG_FILENAME, &o.check_config,
	     "check a board-config and exit: 0 when good", "FILE"},
	    {"add-user", 0, 0, G_OPTION_ARG_STRING, &o.add_user,
	     "store a user (password on stdin) in --db and exit", "NAME"},
	    {"role", 0, 0, G_OPTION_ARG_STRING, &o.role,
	     "role of --add-user (advisor, expert, technician, manager, admin, reception) or of "
	     "--add-device (kiosk, booth)",
	     "ROLE"},
	    {"provider", 0, 0, G_OPTION_ARG_STRING, &o.provider,
	     "the provider an expert of --add-user serves for (a [provider:CODE])", "CODE"},
	    {"check-catalogs", 0, 0, G_OPTION_ARG_NONE, &o.check_catalogs,
	     "check the message catalogs (of --config's languages, else all) and exit: 0 "
	     "when every string is there",
	     NULL},
	    {"check-audio", 0, 0, G_OPTION_ARG_NONE, &o.check_audio,
	     "check the loudspeaker's sink of --config (the announcer's self-test) and exit: 0 "
	     "when good, else what is wrong",
	     NULL},
	    {"list-routes", 0, 0, G_OPTION_ARG_NONE, &o.list_routes,
	     "print the API's routes (one JSON object a line) and exit", NULL},
	    {"add-device", 0, 0, G_OPTION_ARG_STRING, &o.add_device,
	     "store a device (--role kiosk or booth) in --db, print its token and exit", "NAME"},
	    {"booth", 0, 0, G_OPTION_ARG_INT, &o.booth,
	     "the booth (counter id, kind = expert) a booth screen of --add-device serves", "N"},
	    {"list-devices", 0, 0, G_OPTION_ARG_NONE, &o.list_devices,
	     "list the devices of --db and exit", NULL},
	    {"revoke-device", 0, 0, G_OPTION_ARG_STRING, &o.revoke_device,
	     "remove a device from --db: its token stops working", "NAME"},
	    {"version", 'V', 0, G_OPTION_ARG_NONE, &o.version, "print the version and exit", NULL},
	    {NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- vuoro front-desk daemon");
	g_autoptr(GError) error = NULL;
	int rc;

	/* A video session runs some thirty GStreamer threads; glibc would give
	 * each its own malloc arena and double the resident memory (163 MB
	 * against 78 MB measured in make bench). */
	mallopt(M_ARENA_MAX, 2);
	/* Left alone, glibc raises its mmap threshold to the largest block
	 * freed so far (libvpx's 7 MB of VP8 tokens, at a session's end) and
	 * its trim threshold to twice that: the next sessions' codec buffers
	 * then come from an arena whose free top, up to 14 MB, is never given
	 * back (the peak RSS of a session 57-62 MB and growing over sessions,
	 * make bench: session_rss_mb).  Fixed, a block of 128 KiB or more is
	 * mapped alone and unmapped when freed, and an arena's free top over
	 * 128 KiB is trimmed. */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	/* libnats 3.4.1 frees OpenSSL's compression methods at exit without
	 * clearing them (nats.c issue #904): OpenSSL's own exit cleanup would
	 * free them again and crash the exit.  The process ends anyway. */
	OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "vuorod: %s (try --help)\n", error->message);
		return 2;
	}
	if (argc > 1) {
		fprintf(stderr, "vuorod: unexpected argument \"%s\" (try --help)\n", argv[1]);
		return 2;
	}
	if (o.version) {
		printf("vuorod %s\n", VUORO_VERSION);
		return 0;
	}
	if (o.list_routes) {
		api_print_routes(stdout);
		return 0;
	}
	if (o.check_catalogs) {
		rc = vuorod_check_catalogs(o.config);
		g_free(o.config);
		return rc;
	}
	/* Before any thread: it sets GStreamer's environment. */
	gst_plugins_prepare();
	if (o.check_audio) {
		rc = vuorod_check_audio(o.config);
		if (gst_is_initialized())
			gst_deinit();
		g_free(o.config);
		return rc;
	}
	if (auth_init() < 0) {
		fprintf(stderr, "vuorod: libsodium could not start\n");
		return 1;
	}
	if (o.check_config)
		rc = vuorod_check_config(o.check_config);
	else if (o.add_user)
		rc = vuorod_add_user(&o);
	else if (o.add_device)
		rc = vuorod_add_device(&o);
	else if (o.list_devices || o.revoke_device)
		rc = vuorod_devices(&o);
	else
		rc = vuorod_run(&o);
	/* GStreamer (booths, announcer) keeps its registry until told. */
	if (gst_is_initialized())
		gst_deinit();
	g_free(o.config);
	g_free(o.db);
	g_free(o.listen);
	g_free(o.check_config);
	g_free(o.add_user);
	g_free(o.role);
	g_free(o.provider);
	g_free(o.add_device);
	g_free(o.revoke_device);
	return rc;
}
