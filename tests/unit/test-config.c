/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of firmware/config.c: the shipped board-configs load, defaults
 * apply, and every broken fixture fails with exactly the line it names in
 * its "# expect:" comment.  Run from the repository root. */
#include <glib.h>
#include <string.h>

#include "config.h"

static void test_sim(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) cfg = config_load("board-config/sim.conf", &error);
	const struct config_service *svc;
	const struct config_counter *ctr;
	bool remote = false;

	g_assert_no_error(error);
	g_assert_true(config_board_is_sim(cfg));
	g_assert_cmpuint(cfg->providers->len, >=, 3);
	g_assert_cmpuint(cfg->services->len, >=, 6);
	g_assert_cmpuint(cfg->counters->len, ==, 4);
	g_assert_true(cfg->demo_hours);
	g_assert_cmpint(cfg->reset_min, ==, 180);
	g_assert_cmpstr(cfg->listen_host, ==, "127.0.0.1");
	g_assert_cmpint(cfg->listen_port, ==, 8080);
	for (guint i = 0; i < cfg->services->len; i++) {
		svc = config_service_get(cfg, (int)i);
		remote |= svc->kind == CONFIG_SERVICE_REMOTE;
		for (int l = 0; l < cfg->n_langs; l++)
			g_assert_nonnull(svc->name[l]);
	}
	g_assert_true(remote);
	svc = config_service_get(cfg, config_service_find(cfg, "tax"));
	g_assert_cmpint(svc->prefix, ==, 'V');
	g_assert_cmpstr(config_provider_code(cfg, config_service_find(cfg, "tax")), ==, "vero");
	g_assert_cmpint(svc->hours[0].open_min, ==, 8 * 60);
	g_assert_cmpint(svc->hours[3].close_min, ==, 18 * 60);
	g_assert_cmpint(svc->hours[4].close_min, ==, 17 * 60);
	g_assert_cmpint(svc->hours[5].open_min, ==, svc->hours[5].close_min); /* closed */
	ctr = config_counter_get(cfg, config_counter_find(cfg, 3));
	g_assert_cmpuint(ctr->profile->len, ==, 3);
	g_assert_cmpint(g_array_index(ctr->profile, struct config_profile_entry, 1).weight, ==, 2);
	g_assert_true(config_counter_get(cfg, config_counter_find(cfg, 4))->expert);
	g_assert_cmpint(config_service_find(cfg, "nope"), ==, -1);
	g_assert_cmpint(config_counter_find(cfg, 99), ==, -1);
	g_assert_cmpstr(cfg->langs[0], ==, "fi");
	g_assert_cmpint(config_lang_parse(cfg, "sv"), ==, 1);
	g_assert_cmpint(config_lang_parse(cfg, "de"), ==, -1);
	g_assert_cmpstr(config_lang_code(cfg, 2), ==, "en");
	g_assert_cmpstr(config_lang_code(cfg, 99), ==, "fi");
}

static void test_example_site(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) cfg = config_load("board-config/example-site.conf", &error);

	g_assert_no_error(error);
	g_assert_false(config_board_is_sim(cfg));
	g_assert_cmpstr(cfg->printer.url_base, ==, "https://vuoro.esimerkki.fi");
	g_assert_false(cfg->demo_hours);
	g_assert_false(cfg->reset_clears_queue);
	g_assert_cmpstr(cfg->kiosk_addresses[1], ==, "10.20.0.22");
	g_assert_null(cfg->kiosk_addresses[2]);
	g_assert_cmpint(cfg->requeue_no_shows, ==, 2);
}

static const char minimal[] = "[site]\nname = X\nboard = sim\n"
			      "[provider:p]\nname-fi = P\nname-sv = P\nname-en = P\n"
			      "[service:s]\nprefix = S\nprovider = p\nname-fi = S\nname-sv = "
			      "S\nname-en = S\nhours = sat-sun 10:00-14:00\n"
			      "[counter:7]\nname = Seven\nprofile = s\n";

static void test_defaults(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) cfg = config_load_data(minimal, "min.conf", &error);

	g_assert_no_error(error);
	g_assert_cmpstr(cfg->timezone, ==, "Europe/Helsinki");
	g_assert_true(cfg->reset_clears_queue);
	g_assert_cmpint(cfg->max_body_kb, ==, 256);
	g_assert_cmpint(cfg->requeue_no_shows, ==, 1);
	g_assert_cmpstr(cfg->kiosk_addresses[0], ==, "127.0.0.1");
	g_assert_null(cfg->kiosk_token);
	g_assert_cmpint(config_service_get(cfg, 0)->last_ticket_min, ==, 15);
	g_assert_cmpint(config_service_get(cfg, 0)->hours[5].open_min, ==, 600);
	g_assert_cmpint(config_service_get(cfg, 0)->hours[0].close_min, ==, 0);
}

static void test_inline_errors(void)
{
	static const struct {
		const char *from, *to, *message;
	} cases[] = {
	    {"name = X\n", "name = X\ntimezone = Mars/Olympus\n",
	     "min.conf: [site] timezone: expected a time zone like Europe/Helsinki, got "
	     "\"Mars/Olympus\""},
	    {"name = X\n", "name = X\ndaily-reset = 25:00\n",
	     "min.conf: [site] daily-reset: expected a time like 03:00, got \"25:00\""},
	    {"[counter:7]", "[counter:0]",
	     "min.conf: [counter:0] expected a counter number from 1 to 999, got \"0\""},
	    {"[service:s]", "[service:S s]",
	     "min.conf: [service:S s] expected a code of a–z, 0–9 and - (at most 24), got \"S "
	     "s\""},
	    {"profile = s", "profile = s:0",
	     "min.conf: [counter:7] profile: expected a weight from 1 to 100 after \"s:\", got "
	     "\"0\""},
	    {"hours = sat-sun", "hours = sun-sat",
	     "min.conf: [service:s] hours: expected days like mon, mon-fri or sat-sun, got "
	     "\"sun-sat\""},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GString) text = g_string_new(minimal);
		g_autoptr(Config) cfg = NULL;

		g_string_replace(text, cases[i].from, cases[i].to, 1);
		cfg = config_load_data(text->str, "min.conf", &error);
		g_assert_null(cfg);
		g_assert_nonnull(error);
		g_assert_cmpstr(error->message, ==, cases[i].message);
	}
}

/* A real board that loads: every device real, HTTPS beyond loopback. */
static const char real[] = "[site]\nname = R\nboard = real\n"
			   "[api]\nlisten = 0.0.0.0:8443\ntls-cert = /etc/vuoro/tls/board.pem\n"
			   "kiosk-token = 3f9c1a7be04d2c58\n"
			   "[provider:p]\nname-fi = P\nname-sv = P\nname-en = P\n"
			   "[service:s]\nprefix = S\nprovider = p\nname-fi = S\nname-sv = "
			   "S\nname-en = S\nhours = sat-sun 10:00-14:00\n"
			   "[service:r]\nprefix = R\nprovider = p\nkind = remote\nname-fi = R\n"
			   "name-sv = R\nname-en = R\nhours = sat-sun 10:00-14:00\n"
			   "[counter:7]\nname = Seven\nprofile = s\n"
			   "[counter:8]\nname = Booth\nkind = expert\nprofile = r\n"
			   "[printer]\ntransport = tcp\nhost = 10.0.0.9\n"
			   "url-base = https://jono.example.fi/\n"
			   "[gpio]\nbackend = gpiod\nchip = gpiochip0\n"
			   "[bus:wire]\ntransport = tcp\nhost = 10.0.0.8\n"
			   "[audio]\nsink = alsa\n";

static void test_board(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) cfg = config_load_data(real, "real.conf", &error);

	g_assert_no_error(error);
	g_assert_false(config_board_is_sim(cfg));
	/* The layout adds "/t/REF": no "//" on the ticket. */
	g_assert_cmpstr(cfg->printer.url_base, ==, "https://jono.example.fi");
	/* The layout adds "/t/REF": no "//" on the ticket. */
	g_assert_cmpstr(cfg->printer.url_base, ==, "https://jono.example.fi");
	/* Loopback needs no TLS; anything else does, on a real board only. */
	g_free(cfg->tls_cert);
	cfg->tls_cert = NULL;
	g_assert_false(config_listen_needs_tls(cfg, "127.0.0.1"));
	g_assert_false(config_listen_needs_tls(cfg, "127.0.0.2"));
	g_assert_false(config_listen_needs_tls(cfg, "::1"));
	g_assert_false(config_listen_needs_tls(cfg, "localhost"));
	g_assert_true(config_listen_needs_tls(cfg, "0.0.0.0"));
	g_assert_true(config_listen_needs_tls(cfg, "::"));
	g_assert_true(config_listen_needs_tls(cfg, "10.20.0.5"));
	g_assert_true(config_listen_needs_tls(cfg, "board.example.fi"));
	cfg->board = CONFIG_BOARD_SIM;
	g_assert_false(config_listen_needs_tls(cfg, "0.0.0.0"));
}

/* Each change makes the real board fail with exactly this line; the same
 * change on a sim board loads. */
static void test_real_refuses_sim(void)
{
	static const struct {
		const char *from, *to, *message;
	} cases[] = {
	    {"[printer]\ntransport = tcp\nhost = 10.0.0.9\nurl-base = https://jono.example.fi/\n",
	     "",
	     "real.conf: [printer] transport: expected file, serial, usb or tcp on a real board, "
	     "got no [printer] group (the simulated default)"},
	    {"transport = tcp\nhost = 10.0.0.9", "transport = sim",
	     "real.conf: [printer] transport: expected file, serial, usb or tcp on a real board, "
	     "got \"sim\""},
	    {"backend = gpiod\n", "",
	     "real.conf: [gpio] backend: expected gpiod (and chip, gpiodetect lists them) on a "
	     "real board, got nothing (the simulated default)"},
	    {"[bus:wire]\ntransport = tcp\n", "[bus:wire]\ntransport = sim\n",
	     "real.conf: [bus:wire] transport: expected rtu or tcp on a real board, got \"sim\""},
	    {"profile = r\n", "profile = r\ncamera = test:ball\n",
	     "real.conf: [counter:8] camera: expected v4l2:/dev/videoN on a real board, got "
	     "\"test:ball\" (a test source)"},
	    {"profile = r\n", "profile = r\ndocument-camera = test:smpte\n",
	     "real.conf: [counter:8] document-camera: expected v4l2:/dev/videoN or none on a real "
	     "board, got \"test:smpte\" (a test source)"},
	    {"profile = r\n", "profile = r\nmicrophone = test\n",
	     "real.conf: [counter:8] microphone: expected alsa[:DEVICE], pulse or none on a real "
	     "board, got \"test\" (a test source)"},
	    {"profile = r\n", "profile = r\nspeaker = test\n",
	     "real.conf: [counter:8] speaker: expected auto, alsa[:DEVICE], pulse or none on a "
	     "real board, got \"test\" (a test source)"},
	    {"sink = alsa\n", "sink = wav\nwav-dir = /tmp\n",
	     "real.conf: [audio] sink: expected auto, alsa, pulse or none on a real board, got "
	     "\"wav\" (it only records what would be played)"},
	    {"tls-cert = /etc/vuoro/tls/board.pem\n", "",
	     "real.conf: [api] tls-cert: expected a PEM certificate (and tls-key) when a real "
	     "board listens beyond loopback (listen = 0.0.0.0), got nothing — see README, \"TLS "
	     "on a LAN board\""},
	    {"board = real\n", "board = real\ndemo-hours = true\n",
	     "real.conf: [site] demo-hours: expected false on a real board (opening hours are "
	     "enforced), got true"},
	    {"url-base = https://jono.example.fi/\n", "",
	     "real.conf: [printer] url-base: expected the https address at which phones open the "
	     "ticket's QR code (the site's public address, like https://jono.example.fi) on a "
	     "real board, got nothing (the QR code would point at the board itself)"},
	    {"url-base = https://", "url-base = http://",
	     "real.conf: [printer] url-base: expected the https address at which phones open the "
	     "ticket's QR code (the site's public address, like https://jono.example.fi) on a "
	     "real board, got \"http://jono.example.fi\""},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GError) sim_error = NULL;
		g_autoptr(GString) text = g_string_new(real);
		g_autoptr(Config) cfg = NULL;
		g_autoptr(Config) sim = NULL;

		g_assert_cmpuint(g_string_replace(text, cases[i].from, cases[i].to, 1), ==, 1);
		cfg = config_load_data(text->str, "real.conf", &error);
		g_assert_null(cfg);
		g_assert_nonnull(error);
		g_assert_cmpstr(error->message, ==, cases[i].message);
		g_string_replace(text, "board = real", "board = sim", 1);
		sim = config_load_data(text->str, "real.conf", &sim_error);
		g_assert_no_error(sim_error);
		g_assert_true(config_board_is_sim(sim));
	}
}

/* [printer] url-base on any board: an address with a scheme and a host;
 * a sim board may leave it out (the tickets then point at vuorod itself). */
static void test_url_base(void)
{
	static const char *const bad[] = {"jono.example.fi", "https://", "https:///t",
					  "ftp://jono.example.fi", "https://jono example.fi"};
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) none = config_load_data(minimal, "min.conf", &error);

	g_assert_no_error(error);
	g_assert_null(none->printer.url_base);
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GString) text = g_string_new(minimal);
		g_autoptr(Config) cfg = NULL;
		g_autofree char *want = g_strdup_printf(
		    "min.conf: [printer] url-base: expected the address phones open the ticket's "
		    "QR code at, like https://jono.example.fi, got \"%s\"",
		    bad[i]);

		g_string_append_printf(text, "[printer]\nurl-base = %s\n", bad[i]);
		cfg = config_load_data(text->str, "min.conf", &error);
		g_assert_null(cfg);
		g_assert_cmpstr(error->message, ==, want);
		g_clear_error(&error);
	}
}

/* [uplink] public-url: optional; kept without its trailing "/" (the
 * ticket's QR is <public-url>/t/<site>.<REF>); a bad one says what to give. */
static void test_uplink_public_url(void)
{
	static const char *const uplink = "[uplink]\nservers = tls://127.0.0.1:4222\nsite = s1\n"
					  "ca = ca.pem\ncert = s1.pem\nkey = s1.key\n";
	static const char *const bad[] = {"hub.example.fi", "https://", "ftp://hub.example.fi",
					  "https://hub example.fi"};
	g_autoptr(GError) error = NULL;
	g_autoptr(GString) text = g_string_new(minimal);
	g_autoptr(Config) none = NULL;
	g_autoptr(Config) cfg = NULL;

	g_string_append(text, uplink);
	none = config_load_data(text->str, "min.conf", &error);
	g_assert_no_error(error);
	g_assert_true(none->uplink);
	g_assert_null(none->uplink_public_url);
	g_string_append(text, "public-url = https://hub.example.fi/\n");
	cfg = config_load_data(text->str, "min.conf", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(cfg->uplink_public_url, ==, "https://hub.example.fi");
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GString) t = g_string_new(minimal);
		g_autoptr(Config) c = NULL;
		g_autofree char *want = g_strdup_printf(
		    "min.conf: [uplink] public-url: expected the address phones open the ticket's "
		    "QR code at, like https://hub.example.fi, got \"%s\"",
		    bad[i]);

		g_string_append_printf(t, "%spublic-url = %s\n", uplink, bad[i]);
		c = config_load_data(t->str, "min.conf", &error);
		g_assert_null(c);
		g_assert_cmpstr(error->message, ==, want);
		g_clear_error(&error);
	}
}

/* [notify]: absent, no mail; present, the mail server's address and the
 * sender are checked at load, each refusal naming the key. */
static void test_notify(void)
{
	static const char *const bad[][3] = {
	    {"smtp-url", "http://mail.example.fi", "expected the mail server as smtp://HOST:PORT"},
	    {"smtp-url", "smtp://", "expected the mail server as smtp://HOST:PORT"},
	    {"smtp-url", "smtp://mail.example.fi:25/x", "expected the mail server"},
	    {"from", "vuoro", "expected the sender's e-mail address"},
	    {"from", "a b@example.fi", "expected the sender's e-mail address"},
	    {"ca-file", "/nonexistent/ca.pem", "which is not a file"},
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) none = config_load_data(minimal, "min.conf", &error);
	g_autoptr(Config) cfg = NULL;
	g_autoptr(GString) text = g_string_new(minimal);

	g_assert_no_error(error);
	g_assert_null(none->notify_smtp_url);
	g_string_append(text, "[notify]\nsmtp-url = smtps://mail.example.fi:465\n"
			      "from = vuoro@example.fi\n");
	cfg = config_load_data(text->str, "min.conf", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(cfg->notify_smtp_url, ==, "smtps://mail.example.fi:465");
	g_assert_cmpint(cfg->notify_starttls, ==, 0); /* required */
	g_assert_cmpint(cfg->notify_retry_max_s, ==, 300);
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GString) t = g_string_new(minimal);
		g_autoptr(Config) c = NULL;
		g_autofree char *key = g_strdup_printf("min.conf: [notify] %s: ", bad[i][0]);

		g_string_append_printf(t,
				       "[notify]\nsmtp-url = smtp://mail.example.fi:587\n"
				       "from = vuoro@example.fi\n%s = %s\n",
				       bad[i][0], bad[i][1]);
		c = config_load_data(t->str, "min.conf", &error);
		g_assert_null(c);
		g_assert_true(g_str_has_prefix(error->message, key));
		g_assert_nonnull(strstr(error->message, bad[i][2]));
		g_clear_error(&error);
	}
}

static void test_board_value(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GString) text = g_string_new(minimal);
	g_autoptr(Config) cfg = NULL;

	g_string_replace(text, "board = sim", "board = maybe", 1);
	cfg = config_load_data(text->str, "min.conf", &error);
	g_assert_null(cfg);
	g_assert_cmpstr(error->message, ==,
			"min.conf: [site] board: expected one of real, sim, got \"maybe\"");
}

static void test_token(void)
{
	static const char *const weak[] = {
	    "change-me-to-a-long-random-device-token",
	    "CHANGEME0123456789",
	    "my-kiosk-device-1",
	    "passwordpassword",
	    "aaaaaaaaaaaaaaaaaaaaaaaa",
	    "abababababababababab",
	    "0101010101abab0101ab",
	};

	for (guint i = 0; i < G_N_ELEMENTS(weak); i++)
		g_assert_nonnull(config_token_weakness(weak[i]));
	/* Random tokens as `openssl rand -hex` makes them pass, the shortest
	 * allowed (16 hex digits) included. */
	/* A fixed seed: 16 random hex digits show fewer than 6 different ones
	 * about 4 times in 100,000, so an unseeded run would fail now and then. */
	g_autoptr(GRand) rand = g_rand_new_with_seed(20261203);

	for (int n = 0; n < 2000; n++) {
		char token[33];
		int len = n % 2 ? 16 : 32;

		for (int i = 0; i < len; i++)
			token[i] = "0123456789abcdef"[g_rand_int_range(rand, 0, 16)];
		token[len] = '\0';
		g_assert_null(config_token_weakness(token));
	}
	/* The placeholder fails the load whatever the board. */
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(GString) text = g_string_new(minimal);
		g_autoptr(Config) cfg = NULL;

		g_string_replace(
		    text, "board = sim\n",
		    "board = sim\n[api]\nkiosk-token = change-me-to-a-long-random-device-"
		    "token\n",
		    1);
		cfg = config_load_data(text->str, "min.conf", &error);
		g_assert_null(cfg);
		g_assert_cmpstr(error->message, ==,
				"min.conf: [api] kiosk-token: expected a random token (make one "
				"with: openssl rand -hex 32), got the placeholder of the example");
	}
}

static void test_fixtures(void)
{
	g_autoptr(GDir) dir = g_dir_open("tests/fixtures", 0, NULL);
	const char *name;
	unsigned n = 0;

	g_assert_nonnull(dir);
	while ((name = g_dir_read_name(dir))) {
		g_autofree char *path = NULL;
		g_autofree char *text = NULL;
		g_autoptr(GError) error = NULL;
		g_autoptr(Config) cfg = NULL;
		const char *expect;

		if (!g_str_has_prefix(name, "bad-") || !g_str_has_suffix(name, ".conf"))
			continue;
		path = g_build_filename("tests/fixtures", name, NULL);
		g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
		cfg = config_load(path, &error);
		g_assert_null(cfg);
		g_assert_nonnull(error);
		g_assert_true(g_str_has_prefix(error->message, name));
		g_assert_null(strchr(error->message, '\n'));
		expect = strstr(text, "# expect: ");
		if (expect) {
			g_autofree char *line = g_strndup(expect + 10, strcspn(expect + 10, "\n"));

			g_assert_cmpstr(error->message, ==, line);
		}
		n++;
	}
	g_assert_cmpuint(n, >=, 6);
}

/* [site] languages: any codes, the first the main one; names per language
 * with the main one's filling the gaps. */
static void test_languages(void)
{
	static const char text[] =
	    "[site]\nname = X\nboard = sim\nlanguages = sv;fi;uk;ar\n"
	    "[provider:p]\nname-sv = Kommun\nname-ar = بلدية\n"
	    "[service:s]\nprefix = S\nprovider = p\nname-sv = Rådgivning\nname-uk = "
	    "Консультація\nname-de = Beratung\nname-deutsch = Beratung\nhours = sat-sun "
	    "10:00-14:00\n"
	    "[printer]\nfooter-fi = Tervetuloa\n"
	    "[counter:7]\nname = Seven\nprofile = s\n";
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) cfg = NULL;
	const struct config_service *svc;
	const struct config_provider *prv;

	/* name-deutsch warns: not a language code; name-de is a language the site
	 * does not offer, kept quiet (structured logging: no
	 * g_test_expect_message). */
	g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
	cfg = config_load_data(text, "langs.conf", &error);
	g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
	g_assert_no_error(error);
	g_assert_cmpint(cfg->n_langs, ==, 4);
	g_assert_cmpstr(config_lang_code(cfg, 0), ==, "sv");
	g_assert_cmpint(config_lang_parse(cfg, "ar"), ==, 3);
	g_assert_cmpint(config_lang_parse(cfg, "en"), ==, -1);
	svc = config_service_get(cfg, 0);
	g_assert_cmpstr(svc->name[0], ==, "Rådgivning");
	g_assert_cmpstr(svc->name[1], ==, "Rådgivning"); /* fi: the main one's */
	g_assert_cmpstr(svc->name[2], ==, "Консультація");
	g_assert_null(svc->name[4]);
	prv = g_ptr_array_index(cfg->providers, 0);
	g_assert_cmpstr(prv->name[3], ==, "بلدية");
	g_assert_null(cfg->printer.footer[0]);
	g_assert_cmpstr(cfg->printer.footer[1], ==, "Tervetuloa");
	/* The announcer: the main language and the ticket's; no others unless
	 * [announcer] languages names them. */
	g_assert_null(cfg->announce_langs);
}

/* The service card: instructions per language, support phone and chat. */
static void test_service_card(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) cfg = config_load("board-config/sim.conf", &error);
	g_autoptr(GString) text = g_string_new(minimal);
	g_autoptr(Config) min = NULL;
	const struct config_service *svc;

	g_assert_no_error(error);
	svc = config_service_get(cfg, config_service_find(cfg, "tax"));
	g_assert_cmpstr(svc->instructions_url[0], ==, "https://www.vero.fi/henkiloasiakkaat/");
	g_assert_cmpstr(svc->instructions_url[1], ==, "https://www.vero.fi/sv/privatpersoner/");
	g_assert_cmpstr(svc->instructions_url[2], ==, "https://www.vero.fi/en/individuals/");
	/* se: no page of its own, the main one */
	g_assert_cmpstr(svc->instructions_url[3], ==, "https://www.vero.fi/henkiloasiakkaat/");
	g_assert_cmpstr(svc->support_phone, ==, "+358 29 497 000");
	g_assert_null(svc->support_chat_url);
	svc = config_service_get(cfg, config_service_find(cfg, "guide"));
	g_assert_null(svc->instructions_url[0]);
	g_assert_null(svc->support_phone);

	/* Only a language's own page, no default: the others have none. */
	g_string_replace(text, "hours = sat-sun 10:00-14:00\n",
			 "hours = sat-sun 10:00-14:00\ninstructions-url-sv = https://e.se/x\n"
			 "support-chat-url = https://chat.example.fi/?q=1\n",
			 1);
	min = config_load_data(text->str, "min.conf", &error);
	g_assert_no_error(error);
	svc = config_service_get(min, 0);
	g_assert_null(svc->instructions_url[0]);
	g_assert_cmpstr(svc->instructions_url[1], ==, "https://e.se/x");
	g_assert_null(svc->instructions_url[2]);
	g_assert_cmpstr(svc->support_chat_url, ==, "https://chat.example.fi/?q=1");
}

static void test_service_card_errors(void)
{
	static const struct {
		const char *add, *message;
	} cases[] = {
	    {"instructions-url = http://www.vero.fi/\n",
	     "min.conf: [service:s] instructions-url: expected an https:// address like "
	     "https://www.example.fi/help, got \"http://www.vero.fi/\""},
	    {"instructions-url-en = javascript:alert(1)\n",
	     "min.conf: [service:s] instructions-url-en: expected an https:// address like "
	     "https://www.example.fi/help, got \"javascript:alert(1)\""},
	    {"support-chat-url = https://\n",
	     "min.conf: [service:s] support-chat-url: expected an https:// address like "
	     "https://www.example.fi/help, got \"https://\""},
	    {"support-phone = call us\n",
	     "min.conf: [service:s] support-phone: expected a phone number like +358 29 497 000 "
	     "(digits, a leading +, spaces, - and parentheses), got \"call us\""},
	    {"support-phone = 12\n",
	     "min.conf: [service:s] support-phone: expected a phone number like +358 29 497 000 "
	     "(digits, a leading +, spaces, - and parentheses), got \"12\""},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GString) text = g_string_new(minimal);
		g_autoptr(Config) cfg = NULL;
		g_autofree char *to =
		    g_strconcat("hours = sat-sun 10:00-14:00\n", cases[i].add, NULL);

		g_string_replace(text, "hours = sat-sun 10:00-14:00\n", to, 1);
		cfg = config_load_data(text->str, "min.conf", &error);
		g_assert_null(cfg);
		g_assert_nonnull(error);
		g_assert_cmpstr(error->message, ==, cases[i].message);
	}
}

/* A misspelt card key is an unknown key: it warns (a newer board-config
 * still starts an older firmware) and gives no card. */
static void test_service_card_unknown(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GString) text = g_string_new(minimal);
	g_autoptr(Config) cfg = NULL;

	if (g_test_subprocess()) {
		g_string_replace(text, "hours = sat-sun 10:00-14:00\n",
				 "hours = sat-sun 10:00-14:00\ninstruction-url = https://e.fi/\n",
				 1);
		cfg = config_load_data(text->str, "min.conf", &error);
		g_assert_no_error(error);
		g_assert_null(config_service_get(cfg, 0)->instructions_url[0]);
		return;
	}
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_failed(); /* warnings are fatal in tests */
	g_test_trap_assert_stderr("*min.conf: [service:s] instruction-url: unknown key, ignored*");
}

/* [printer] paper, columns and codepage: the two widths, their fonts, the
 * old width key, and what a wrong value says. */
static void test_printer_paper(void)
{
	static const struct {
		const char *add;
		int dots, columns;
		bool font_b;
		const char *codepage;
	} ok[] = {
	    {"", 576, 48, false, "cp858"},
	    {"paper = 58mm\n", 384, 32, false, "cp858"},
	    {"paper = 58mm\ncolumns = 42\ncodepage = cp865\n", 384, 42, true, "cp865"},
	    {"columns = 64\ncodepage = none\n", 576, 64, true, "none"},
	    {"paper = 80mm\ncolumns = 48\n", 576, 48, false, "cp858"},
	    {"width = 32\n", 384, 32, false, "cp858"}, /* the old key: paper guessed */
	    {"width = 48\n", 576, 48, false, "cp858"},
	};
	static const struct {
		const char *add, *message;
	} bad[] = {
	    {"paper = 57mm\n",
	     "min.conf: [printer] paper: expected one of 80mm, 58mm, got \"57mm\""},
	    {"paper = 58mm\ncolumns = 48\n",
	     "min.conf: [printer] columns: expected 32 (font A) or 42 (font B) on 58mm paper, got "
	     "48; set paper = 58mm or 80mm to match the roll"},
	    {"columns = 40\n",
	     "min.conf: [printer] columns: expected 48 (font A) or 64 (font B) on 80mm paper, got "
	     "40; set paper = 58mm or 80mm to match the roll"},
	    {"paper = 80mm\nwidth = 32\n",
	     "min.conf: [printer] width: expected 48 (font A) or 64 (font B) on 80mm paper, got "
	     "32; set paper = 58mm or 80mm to match the roll"},
	    {"codepage = cp866\n",
	     "min.conf: [printer] codepage: expected one of cp437, cp850, cp865, cp858, cp1252, "
	     "iso8859-15, none, got \"cp866\""},
	};

	for (guint i = 0; i < G_N_ELEMENTS(ok); i++) {
		g_autoptr(GError) error = NULL;
		g_autofree char *text = g_strconcat(minimal, "[printer]\n", ok[i].add, NULL);
		g_autoptr(Config) cfg = config_load_data(text, "min.conf", &error);

		g_assert_no_error(error);
		g_assert_cmpint(cfg->printer.dots, ==, ok[i].dots);
		g_assert_cmpint(cfg->printer.columns, ==, ok[i].columns);
		g_assert_cmpint(cfg->printer.font_b, ==, ok[i].font_b);
		g_assert_cmpstr(cfg->printer.codepage, ==, ok[i].codepage);
	}
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		g_autofree char *text = g_strconcat(minimal, "[printer]\n", bad[i].add, NULL);
		g_autoptr(Config) cfg = config_load_data(text, "min.conf", &error);

		g_assert_null(cfg);
		g_assert_nonnull(error);
		g_assert_cmpstr(error->message, ==, bad[i].message);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/config/sim", test_sim);
	g_test_add_func("/config/example-site", test_example_site);
	g_test_add_func("/config/defaults", test_defaults);
	g_test_add_func("/config/languages", test_languages);
	g_test_add_func("/config/inline-errors", test_inline_errors);
	g_test_add_func("/config/fixtures", test_fixtures);
	g_test_add_func("/config/board", test_board);
	g_test_add_func("/config/board-value", test_board_value);
	g_test_add_func("/config/url-base", test_url_base);
	g_test_add_func("/config/uplink-public-url", test_uplink_public_url);
	g_test_add_func("/config/notify", test_notify);
	g_test_add_func("/config/real-refuses-sim", test_real_refuses_sim);
	g_test_add_func("/config/token", test_token);
	g_test_add_func("/config/service-card", test_service_card);
	g_test_add_func("/config/service-card-errors", test_service_card_errors);
	g_test_add_func("/config/service-card-unknown", test_service_card_unknown);
	g_test_add_func("/config/printer-paper", test_printer_paper);
	return g_test_run();
}
