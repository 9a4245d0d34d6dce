/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * vuoro-displaytest: the technician's display bus tool, and the program the
 * display integration tests drive.  It talks to the displays through
 * firmware/display_bus (one worker thread, retries, failed-display marking)
 * exactly as vuorod does, from a GLib main loop.
 *
 * Every command becomes lines of a small script run in order; "script" reads
 * them from stdin.  Each result is one line on stdout:
 *   OK unit=1 tries=1 ms=3.2
 *   ERROR unit=9 error=ETIMEDOUT exception=0 tries=3 skipped=0 ms=1650.1 message="…"
 *   STATE display=9 unit=9 state=failed message="…"
 * Exit status: 0 everything answered, 1 some display failed, 2 usage or
 * configuration error.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "display_bus.h"

#define MAX_HISTORY 8

struct unit_history {
	struct display_call calls[MAX_HISTORY];
	char *tickets[MAX_HISTORY];
	size_t n;
};

struct tool {
	GMainLoop *loop;
	struct display_bus *bus;
	GQueue lines; /* char *: script lines not yet run */
	GIOChannel *in;
	bool eof;
	unsigned outstanding;
	bool failed;
	char *maps_dir;
	char *default_map;
	GHashTable *unit_maps; /* unit → map name */
	GHashTable *history;   /* unit → struct unit_history */
};

struct read_ctx {
	struct tool *t;
	GArray *expect; /* uint16_t, or NULL to print */
	uint16_t addr;
};

static const char *errno_name(int e)
{
	switch (-e) {
	case ETIMEDOUT:
		return "ETIMEDOUT";
	case EPROTO:
		return "EPROTO";
	case EBADMSG:
		return "EBADMSG";
	case ECANCELED:
		return "ECANCELED";
	case ENOENT:
		return "ENOENT";
	case EACCES:
		return "EACCES";
	case ECONNREFUSED:
		return "ECONNREFUSED";
	case EIO:
		return "EIO";
	case EINVAL:
		return "EINVAL";
	default:
		return "E?";
	}
}

static void pump(struct tool *t);

static void print_result(struct tool *t, const struct display_bus_result *res)
{
	double ms = (double)(res->done_us - res->submitted_us) / 1000.0;

	if (res->error == 0) {
		printf("OK unit=%d tries=%u ms=%.3f\n", res->unit, res->tries, ms);
		return;
	}
	if (res->error != -ECANCELED)
		t->failed = true;
	printf("ERROR unit=%d error=%s exception=%u tries=%u skipped=%d ms=%.3f message=\"%s\"\n",
	       res->unit, errno_name(res->error), res->exception, res->tries, res->skipped, ms,
	       res->message ? res->message : "");
}

static void on_result(const struct display_bus_result *res, gpointer data)
{
	struct tool *t = data;

	print_result(t, res);
	t->outstanding--;
	pump(t);
}

static void on_read(const struct display_bus_result *res, gpointer data)
{
	struct read_ctx *rc = data;
	struct tool *t = rc->t;

	if (res->error) {
		print_result(t, res);
	} else if (rc->expect) {
		bool same = rc->expect->len == res->n_regs &&
			    memcmp(rc->expect->data, res->regs, res->n_regs * 2) == 0;

		printf("%s unit=%d addr=%u n=%zu\n", same ? "MATCH" : "MISMATCH", res->unit,
		       rc->addr, res->n_regs);
		if (!same)
			t->failed = true;
	} else {
		printf("REGS unit=%d addr=%u", res->unit, rc->addr);
		for (size_t i = 0; i < res->n_regs; i++)
			printf(" 0x%04x", res->regs[i]);
		printf("\n");
	}
	if (rc->expect)
		g_array_free(rc->expect, TRUE);
	g_free(rc);
	t->outstanding--;
	pump(t);
}

static void on_state(guint id, int unit, enum display_state state, const char *message,
		     gpointer data)
{
	printf("STATE display=%u unit=%d state=%s message=\"%s\"\n", id, unit,
	       display_state_str(state), message ? message : "");
}

static bool parse_int(const char *s, long min, long max, long *ret)
{
	char *end;
	long v;

	if (!s)
		return false;
	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || *end || end == s || v < min || v > max)
		return false;
	*ret = v;
	return true;
}

/* Declares @unit on the bus with its map the first time it is used. */
static int ensure_display(struct tool *t, int unit)
{
	struct display_status st;
	struct display_map map;
	g_autoptr(GError) error = NULL;
	g_autofree char *path = NULL;
	const char *name = g_hash_table_lookup(t->unit_maps, GINT_TO_POINTER(unit));

	if (display_bus_get_status(t->bus, unit, &st) == 0)
		return 0;
	if (!name)
		name = t->default_map;
	if (strchr(name, '/') || g_str_has_suffix(name, ".map"))
		path = g_strdup(name);
	else
		path = g_strdup_printf("%s/%s.map", t->maps_dir, name);
	if (display_map_load(path, &map, &error) < 0) {
		fprintf(stderr, "vuoro-displaytest: %s\n", error->message);
		return -EINVAL;
	}
	return display_bus_add_display(t->bus, (guint)unit, NULL, unit, &map);
}

static int cmd_show(struct tool *t, char **argv, int argc)
{
	struct unit_history *h;
	long unit, counter;
	int r;

	if (argc < 4 || argc % 2 || !parse_int(argv[1], 1, 247, &unit))
		return -EINVAL;
	r = ensure_display(t, (int)unit);
	if (r < 0)
		return r;
	h = g_hash_table_lookup(t->history, GINT_TO_POINTER(unit));
	if (!h) {
		h = g_new0(struct unit_history, 1);
		g_hash_table_insert(t->history, GINT_TO_POINTER(unit), h);
	}
	/* "show U T C [T C …]": the first pair is the newest call. */
	for (int i = argc - 2; i >= 2; i -= 2) {
		if (!parse_int(argv[i + 1], 0, 9999, &counter))
			return -EINVAL;
		g_free(h->tickets[MAX_HISTORY - 1]);
		memmove(&h->tickets[1], &h->tickets[0], (MAX_HISTORY - 1) * sizeof(char *));
		memmove(&h->calls[1], &h->calls[0], (MAX_HISTORY - 1) * sizeof(h->calls[0]));
		h->tickets[0] = g_strdup(argv[i]);
		h->calls[0] =
		    (struct display_call){.ticket = h->tickets[0], .counter = (unsigned)counter};
		h->n = MIN(h->n + 1, MAX_HISTORY);
	}
	r = display_bus_show_call(t->bus, (int)unit, h->calls, h->n, on_result, t);
	if (r == 0)
		t->outstanding++;
	return r;
}

static int parse_regs(char **argv, int argc, GArray *out)
{
	for (int i = 0; i < argc; i++) {
		long v;

		if (!parse_int(argv[i], 0, 0xffff, &v))
			return -EINVAL;
		g_array_append_val(out, (uint16_t){(uint16_t)v});
	}
	return 0;
}

static int cmd_write(struct tool *t, char **argv, int argc)
{
	g_autoptr(GArray) regs = g_array_new(FALSE, FALSE, sizeof(uint16_t));
	long unit, addr;
	int r;

	if (argc < 4 || !parse_int(argv[1], 0, 247, &unit) || !parse_int(argv[2], 0, 65535, &addr))
		return -EINVAL;
	r = parse_regs(argv + 3, argc - 3, regs);
	if (r < 0)
		return r;
	r = display_bus_write(t->bus, (int)unit, (uint16_t)addr, (uint16_t *)(void *)regs->data,
			      regs->len, on_result, t);
	if (r == 0)
		t->outstanding++;
	return r;
}

/* "read U ADDR N" prints; "expect U ADDR V…" compares. */
static int cmd_read(struct tool *t, char **argv, int argc, bool expect)
{
	struct read_ctx *rc;
	long unit, addr, n;
	int r;

	if (argc < 4 || !parse_int(argv[1], 0, 247, &unit) || !parse_int(argv[2], 0, 65535, &addr))
		return -EINVAL;
	rc = g_new0(struct read_ctx, 1);
	rc->t = t;
	rc->addr = (uint16_t)addr;
	if (expect) {
		rc->expect = g_array_new(FALSE, FALSE, sizeof(uint16_t));
		r = parse_regs(argv + 3, argc - 3, rc->expect);
		n = rc->expect->len;
	} else {
		r = parse_int(argv[3], 1, 125, &n) ? 0 : -EINVAL;
	}
	if (r == 0)
		r = display_bus_read(t->bus, (int)unit, (uint16_t)addr, (size_t)n, on_read, rc);
	if (r < 0) {
		if (rc->expect)
			g_array_free(rc->expect, TRUE);
		g_free(rc);
		return r;
	}
	t->outstanding++;
	return 0;
}

static int cmd_status(struct tool *t, char **argv, int argc)
{
	struct display_status st;
	long unit;

	if (argc != 2 || !parse_int(argv[1], 1, 247, &unit))
		return -EINVAL;
	if (display_bus_get_status(t->bus, (int)unit, &st) < 0) {
		printf("STATUS unit=%ld state=none\n", unit);
		return 0;
	}
	printf("STATUS unit=%ld state=%s error=%s message=\"%s\"\n", unit,
	       display_state_str(st.state), st.error ? errno_name(st.error) : "0", st.message);
	return 0;
}

static gboolean on_sleep_done(gpointer data)
{
	struct tool *t = data;

	t->outstanding--;
	pump(t);
	return G_SOURCE_REMOVE;
}

/* Runs queued lines until one must wait ("sync", "sleep") or none is left. */
static void pump(struct tool *t)
{
	char *line;

	for (;;) {
		const char *head = g_queue_peek_head(&t->lines);
		g_auto(GStrv) argv = NULL;
		int argc = 0, r = 0;
		long ms;

		if (!head || (t->outstanding && g_str_has_prefix(g_strchug((char *)head), "sync")))
			break;
		line = g_queue_pop_head(&t->lines);
		if (!g_shell_parse_argv(line, &argc, &argv, NULL)) {
			g_free(line); /* empty line or comment */
			continue;
		}
		if (strcmp(argv[0], "show") == 0)
			r = cmd_show(t, argv, argc);
		else if (strcmp(argv[0], "write") == 0)
			r = cmd_write(t, argv, argc);
		else if (strcmp(argv[0], "read") == 0)
			r = cmd_read(t, argv, argc, false);
		else if (strcmp(argv[0], "expect") == 0)
			r = cmd_read(t, argv, argc, true);
		else if (strcmp(argv[0], "status") == 0)
			r = cmd_status(t, argv, argc);
		else if (strcmp(argv[0], "sync") == 0)
			printf("SYNC\n");
		else if (strcmp(argv[0], "sleep") == 0 && argc == 2 &&
			 parse_int(argv[1], 0, 600000, &ms)) {
			/* for manual checks (watch a blink); tests use sync */
			t->outstanding++;
			g_timeout_add((guint)ms, on_sleep_done, t);
			g_free(line);
			fflush(stdout);
			return;
		} else if (strcmp(argv[0], "quit") == 0)
			t->eof = true, g_queue_clear_full(&t->lines, g_free);
		else
			r = -EINVAL;
		if (r < 0) {
			printf("BAD line=\"%s\" error=%s\n", line, errno_name(r));
			t->failed = true;
		}
		g_free(line);
		fflush(stdout);
	}
	fflush(stdout);
	if (t->eof && t->outstanding == 0 && g_queue_is_empty(&t->lines))
		g_main_loop_quit(t->loop);
}

static gboolean on_stdin(GIOChannel *ch, GIOCondition cond, gpointer data)
{
	struct tool *t = data;
	char *line = NULL;
	gsize term;
	GIOStatus st;

	while ((st = g_io_channel_read_line(ch, &line, NULL, &term, NULL)) == G_IO_STATUS_NORMAL) {
		line[term] = '\0';
		g_queue_push_tail(&t->lines, line);
	}
	if (st == G_IO_STATUS_EOF || st == G_IO_STATUS_ERROR)
		t->eof = true;
	pump(t);
	return !t->eof;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vuoro-displaytest [OPTION…] COMMAND [ARG…]\n"
		"Tests number displays on a Modbus bus (RTU or TCP) the way vuorod drives them.\n"
		"\n"
		"Bus (one of):\n"
		"  --device PATH      serial device (RTU), e.g. /dev/ttyS1\n"
		"    --baud N         default 9600    --parity N|E|O   default N\n"
		"    --data-bits N    default 8       --stop-bits N    default 1\n"
		"    --rs485          switch the UART to RS-485 mode (ignored where unsupported)\n"
		"  --tcp HOST:PORT    Modbus TCP (a gateway)\n"
		"  --sim              simulated displays in memory\n"
		"  --timeout-ms N     response timeout, default 500\n"
		"  --tries N          tries per write, default 3\n"
		"  --probe-ms N       first re-probe of a failed display, default 5000\n"
		"  --blink-ms N       blink time after a call, default 5000\n"
		"  --frame-delay-ms N quiet time between two requests on the wire (slow units)\n"
		"Displays:\n"
		"  --map NAME|FILE    register map for every unit (default counter)\n"
		"  --map UNIT=NAME    register map for one unit\n"
		"  --maps-dir DIR     where NAME.map files live (default board-config/displays)\n"
		"\n"
		"Commands:\n"
		"  scan [FIRST [LAST]]         which units answer (FC03), default 1 to 32\n"
		"  pattern UNIT                write \"88…\" over the map's call blocks, read them "
		"back\n"
		"  show UNIT TICKET COUNTER    show a call (FC16; blink cleared later by FC06)\n"
		"  write UNIT ADDR VALUE…      raw write (FC16, FC06 for one value)\n"
		"  read UNIT ADDR N            read holding registers (FC03)\n"
		"  script                      read these commands from stdin, one a line,\n"
		"                              plus: expect UNIT ADDR VALUE…, status UNIT,\n"
		"                              sync (wait for all results), sleep MS, quit\n"
		"\n"
		"Exit status: 0 all displays answered, 1 some did not, 2 usage error.\n");
}

static int build_script(struct tool *t, int argc, char **argv)
{
	const char *cmd = argv[0];

	if (strcmp(cmd, "script") == 0 && argc == 1) {
		t->in = g_io_channel_unix_new(0);
		/* Non-blocking: read what is there, never wait inside the loop. */
		g_io_channel_set_flags(t->in, G_IO_FLAG_NONBLOCK, NULL);
		g_io_add_watch(t->in, G_IO_IN | G_IO_HUP | G_IO_ERR, on_stdin, t);
		return 0;
	}
	t->eof = true;
	if (strcmp(cmd, "scan") == 0 && argc <= 3) {
		long first = 1, last = 32;

		if ((argc > 1 && !parse_int(argv[1], 0, 247, &first)) ||
		    (argc > 2 && !parse_int(argv[2], first, 247, &last)))
			return -EINVAL;
		for (long u = first; u <= last; u++) {
			g_queue_push_tail(&t->lines, g_strdup_printf("read %ld 0 1", u));
			g_queue_push_tail(&t->lines, g_strdup("sync"));
		}
		return 0;
	}
	if (strcmp(cmd, "pattern") == 0 && argc == 2) {
		long unit;
		struct display_map map;
		struct display_frame frame;
		const char *name;
		g_autofree char *path = NULL;

		if (!parse_int(argv[1], 1, 247, &unit) || ensure_display(t, (int)unit) < 0)
			return -EINVAL;
		name = g_hash_table_lookup(t->unit_maps, GINT_TO_POINTER(unit));
		name = name ? name : t->default_map;
		path = strchr(name, '/') || g_str_has_suffix(name, ".map")
			   ? g_strdup(name)
			   : g_strdup_printf("%s/%s.map", t->maps_dir, name);
		if (display_map_load(path, &map, NULL) < 0 ||
		    display_map_frame(&map, DISPLAY_FRAME_CALL, NULL, 0, FALSE, &frame) < 0)
			return -EINVAL;
		/* Every register of the call frame's blocks, written as the map
		 * says (one FC06 each for write = fc06), then read back. */
		for (size_t b = 0; b < frame.n_blocks; b++) {
			const struct display_block *blk = &frame.blocks[b];
			size_t step = blk->fc06 ? 1 : blk->n;

			for (size_t i = 0; i < blk->n; i += step) {
				GString *w = g_string_new(NULL);
				GString *e = g_string_new(NULL);

				g_string_printf(w, "write %ld %zu", unit, blk->addr + i);
				g_string_printf(e, "expect %ld %zu", unit, blk->addr + i);
				for (size_t k = 0; k < step; k++) {
					g_string_append(w, " 0x3838");
					g_string_append(e, " 0x3838");
				}
				g_queue_push_tail(&t->lines, g_string_free(w, FALSE));
				g_queue_push_tail(&t->lines, g_strdup("sync"));
				g_queue_push_tail(&t->lines, g_string_free(e, FALSE));
			}
		}
		return 0;
	}
	if (strcmp(cmd, "show") == 0 || strcmp(cmd, "write") == 0 || strcmp(cmd, "read") == 0) {
		g_autofree char *joined = g_strjoinv(" ", argv);

		g_queue_push_tail(&t->lines, g_steal_pointer(&joined));
		return 0;
	}
	return -EINVAL;
}

static void history_free(gpointer p)
{
	struct unit_history *h = p;

	for (size_t i = 0; i < MAX_HISTORY; i++)
		g_free(h->tickets[i]);
	g_free(h);
}

int main(int argc, char **argv)
{
	g_autofree char *device = NULL, *tcp = NULL, *parity = NULL, *maps_dir = NULL;
	g_auto(GStrv) maps = NULL;
	gboolean sim = FALSE, rs485 = FALSE, version = FALSE, help = FALSE;
	gint baud = 9600, data_bits = 8, stop_bits = 1, timeout_ms = 500, tries = 3;
	gint probe_ms = 5000, blink_ms = 5000, frame_delay_ms = 0;
	GOptionEntry entries[] = {
	    {"device", 0, 0, G_OPTION_ARG_FILENAME, &device, NULL, NULL},
	    {"baud", 0, 0, G_OPTION_ARG_INT, &baud, NULL, NULL},
	    {"parity", 0, 0, G_OPTION_ARG_STRING, &parity, NULL, NULL},
	    {"data-bits", 0, 0, G_OPTION_ARG_INT, &data_bits, NULL, NULL},
	    {"stop-bits", 0, 0, G_OPTION_ARG_INT, &stop_bits, NULL, NULL},
	    {"rs485", 0, 0, G_OPTION_ARG_NONE, &rs485, NULL, NULL},
	    {"tcp", 0, 0, G_OPTION_ARG_STRING, &tcp, NULL, NULL},
	    {"sim", 0, 0, G_OPTION_ARG_NONE, &sim, NULL, NULL},
	    {"timeout-ms", 0, 0, G_OPTION_ARG_INT, &timeout_ms, NULL, NULL},
	    {"tries", 0, 0, G_OPTION_ARG_INT, &tries, NULL, NULL},
	    {"probe-ms", 0, 0, G_OPTION_ARG_INT, &probe_ms, NULL, NULL},
	    {"blink-ms", 0, 0, G_OPTION_ARG_INT, &blink_ms, NULL, NULL},
	    {"frame-delay-ms", 0, 0, G_OPTION_ARG_INT, &frame_delay_ms, NULL, NULL},
	    {"map", 0, 0, G_OPTION_ARG_STRING_ARRAY, &maps, NULL, NULL},
	    {"maps-dir", 0, 0, G_OPTION_ARG_FILENAME, &maps_dir, NULL, NULL},
	    {"version", 0, 0, G_OPTION_ARG_NONE, &version, NULL, NULL},
	    {"help", 'h', 0, G_OPTION_ARG_NONE, &help, NULL, NULL},
	    {NULL},
	};
	g_autoptr(GOptionContext) octx = g_option_context_new(NULL);
	g_autoptr(GError) error = NULL;
	g_autofree char *host = NULL;
	struct display_bus_config cfg = {0};
	struct tool t = {0};
	int ret = 0;

	g_option_context_set_help_enabled(octx, FALSE);
	g_option_context_add_main_entries(octx, entries, NULL);
	if (!g_option_context_parse(octx, &argc, &argv, &error)) {
		fprintf(stderr, "vuoro-displaytest: %s (see --help)\n", error->message);
		return 2;
	}
	if (help) {
		usage(stdout);
		return 0;
	}
	if (version) {
		printf("vuoro-displaytest %s\n", VUORO_VERSION);
		return 0;
	}
	if (argc < 2 || (!!device + !!tcp + !!sim) != 1) {
		fprintf(stderr, "vuoro-displaytest: give a command and exactly one of --device, "
				"--tcp, --sim (see --help)\n");
		return 2;
	}

	cfg.name = "displaytest";
	cfg.hw.response_timeout_ms = (unsigned)timeout_ms;
	cfg.tries = (unsigned)MAX(tries, 1);
	cfg.probe_ms = (unsigned)probe_ms;
	cfg.blink_ms = (unsigned)blink_ms;
	cfg.frame_delay_ms = (unsigned)MAX(frame_delay_ms, 0);
	cfg.state_changed = on_state;
	if (sim) {
		cfg.hw.transport = HAL_DISPLAY_SIM;
	} else if (device) {
		cfg.hw.transport = HAL_DISPLAY_RTU;
		cfg.hw.device = device;
		cfg.hw.baud = baud;
		cfg.hw.parity = parity ? g_ascii_toupper(parity[0]) : 'N';
		cfg.hw.data_bits = data_bits;
		cfg.hw.stop_bits = stop_bits;
		cfg.hw.rs485 = rs485;
	} else {
		const char *colon = strrchr(tcp, ':');
		long port = 502;

		if (colon && !parse_int(colon + 1, 1, 65535, &port)) {
			fprintf(stderr, "vuoro-displaytest: --tcp %s: give HOST:PORT\n", tcp);
			return 2;
		}
		cfg.hw.transport = HAL_DISPLAY_TCP;
		host = colon ? g_strndup(tcp, (gsize)(colon - tcp)) : g_strdup(tcp);
		cfg.hw.host = host;
		cfg.hw.port = (int)port;
	}

	t.loop = g_main_loop_new(NULL, FALSE);
	g_queue_init(&t.lines);
	t.maps_dir = maps_dir ? g_strdup(maps_dir) : g_strdup("board-config/displays");
	t.default_map = g_strdup("counter");
	t.unit_maps = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	t.history = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, history_free);
	for (char **m = maps; m && *m; m++) {
		const char *eq = strchr(*m, '=');
		g_autofree char *u = eq ? g_strndup(*m, (gsize)(eq - *m)) : NULL;
		long unit;

		if (!eq) {
			g_free(t.default_map);
			t.default_map = g_strdup(*m);
		} else if (parse_int(u, 1, 247, &unit)) {
			g_hash_table_insert(t.unit_maps, GINT_TO_POINTER(unit), g_strdup(eq + 1));
		} else {
			fprintf(stderr, "vuoro-displaytest: --map %s: give NAME or UNIT=NAME\n",
				*m);
			ret = 2;
			goto out_tool;
		}
	}
	t.bus = display_bus_new(&cfg, NULL, &error);
	if (!t.bus) {
		fprintf(stderr, "vuoro-displaytest: %s\n", error->message);
		ret = 2;
		goto out_tool;
	}
	if (build_script(&t, argc - 1, argv + 1) < 0) {
		fprintf(stderr, "vuoro-displaytest: bad command or arguments (see --help)\n");
		ret = 2;
		goto out_bus;
	}
	pump(&t);
	if (!(t.eof && t.outstanding == 0 && g_queue_is_empty(&t.lines)))
		g_main_loop_run(t.loop);
	ret = t.failed ? 1 : 0;

out_bus:
	display_bus_free(t.bus);
out_tool:
	if (t.in)
		g_io_channel_unref(t.in);
	g_queue_clear_full(&t.lines, g_free);
	g_hash_table_destroy(t.unit_maps);
	g_hash_table_destroy(t.history);
	g_free(t.maps_dir);
	g_free(t.default_map);
	g_main_loop_unref(t.loop);
	return ret;
}
