/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of firmware/display_map.c: text (ASCII, segments; one or two a
 * register), BCD and binary encodings, blocks and the settings frame, the
 * shipped maps in board-config/displays/, and the errors of bad maps.  Run
 * from the source tree's top (tests/run does). */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "display_map.h"

#define REG2(a, b) (uint16_t)(((a) << 8) | (b))

static void load_shipped(const char *name, struct display_map *map)
{
	g_autofree char *path = g_strdup_printf("board-config/displays/%s.map", name);
	g_autoptr(GError) error = NULL;

	g_assert_cmpint(display_map_load(path, map, &error), ==, 0);
	g_assert_no_error(error);
}

static void frame_of(const struct display_map *map, const struct display_call *calls, size_t n,
		     gboolean blink, struct display_frame *f)
{
	g_assert_cmpint(display_map_frame(map, DISPLAY_FRAME_CALL, calls, n, blink, f), ==, 0);
}

static void test_counter_map(void)
{
	struct display_map map;
	struct display_call call = {.ticket = "A123", .counter = 4};
	struct display_frame f, set;
	const uint16_t *regs;
	uint16_t addr;

	load_shipped("counter", &map);
	g_assert_cmpstr(map.name, ==, "counter");
	/* The call: one block, registers 0–5; the brightness (6) is a setting. */
	frame_of(&map, &call, 1, TRUE, &f);
	g_assert_cmpuint(f.n_blocks, ==, 1);
	g_assert_cmpuint(f.blocks[0].addr, ==, 0);
	g_assert_cmpuint(f.blocks[0].n, ==, 6);
	regs = f.blocks[0].regs;
	g_assert_cmphex(regs[0], ==, REG2('A', '1'));
	g_assert_cmphex(regs[1], ==, REG2('2', '3'));
	g_assert_cmphex(regs[2], ==, REG2(' ', ' '));
	g_assert_cmphex(regs[3], ==, 0x0123); /* BCD */
	g_assert_cmpuint(regs[4], ==, 4);
	g_assert_cmpuint(regs[5], ==, 1);
	g_assert_cmpint(display_map_frame(&map, DISPLAY_FRAME_SETTINGS, NULL, 0, FALSE, &set), ==,
			0);
	g_assert_cmpuint(set.n_blocks, ==, 1);
	g_assert_cmpuint(set.blocks[0].addr, ==, 6);
	g_assert_cmpuint(set.blocks[0].n, ==, 1);
	g_assert_cmpuint(set.blocks[0].regs[0], ==, 12);
	g_assert_cmpint(display_map_blink_addr(&map, &addr), ==, 0);
	g_assert_cmpuint(addr, ==, 5);
	g_assert_true(display_frame_reg(&f, 5) == &f.blocks[0].regs[5]);
	g_assert_null(display_frame_reg(&f, 6));

	/* no blink requested, and a blank display */
	frame_of(&map, &call, 1, FALSE, &f);
	g_assert_cmpuint(f.blocks[0].regs[5], ==, 0);
	frame_of(&map, NULL, 0, TRUE, &f);
	g_assert_cmphex(f.blocks[0].regs[0], ==, REG2(' ', ' '));
	g_assert_cmphex(f.blocks[0].regs[3], ==, 0);
	g_assert_cmpuint(f.blocks[0].regs[5], ==, 0);
}

static void test_main_map_lines(void)
{
	struct display_map map;
	const struct display_call calls[] = {
	    {.ticket = "B007", .counter = 12},
	    {.ticket = "A123", .counter = 4},
	};
	struct display_frame f;
	const uint16_t *regs;
	char line[17] = {0};

	load_shipped("main", &map);
	g_assert_cmpuint(map.base, ==, 16);
	g_assert_cmpuint(display_map_n_calls(&map), ==, 4);
	frame_of(&map, calls, G_N_ELEMENTS(calls), TRUE, &f);
	g_assert_cmpuint(f.n_blocks, ==, 1);
	g_assert_cmpuint(f.blocks[0].addr, ==, 16);
	g_assert_cmpuint(f.blocks[0].n, ==, 33);
	regs = f.blocks[0].regs;
	for (int i = 0; i < 8; i++) {
		line[2 * i] = (char)(regs[i] >> 8);
		line[2 * i + 1] = (char)(regs[i] & 0xff);
	}
	g_assert_cmpstr(line, ==, "B007          12");
	for (int i = 0; i < 8; i++) {
		line[2 * i] = (char)(regs[8 + i] >> 8);
		line[2 * i + 1] = (char)(regs[8 + i] & 0xff);
	}
	g_assert_cmpstr(line, ==, "A123           4");
	/* lines without a call are blank */
	for (int i = 16; i < 32; i++)
		g_assert_cmphex(regs[i], ==, REG2(' ', ' '));
	g_assert_cmpuint(regs[32], ==, 1);
}

static const char bin_map[] = "[map]\nname = wide\nbase = 100\n"
			      "[field n]\nkind = number\nencoding = binary\noffset = 0\n"
			      "registers = 2\n"
			      "[field bcd]\nkind = number\nencoding = bcd\noffset = 2\n"
			      "registers = 2\n"
			      "[field c]\nkind = counter\nencoding = bcd\noffset = 5\n";

/* A gap starts a new block: register 104 is never written. */
static void test_binary_bcd_and_gaps(void)
{
	struct display_map map;
	struct display_call call = {.ticket = "X70123", .counter = 9876};
	g_autoptr(GError) error = NULL;
	struct display_frame f;

	g_assert_cmpint(display_map_parse(bin_map, sizeof(bin_map) - 1, "t", &map, &error), ==, 0);
	frame_of(&map, &call, 1, TRUE, &f);
	g_assert_cmpuint(f.n_blocks, ==, 2);
	g_assert_cmpuint(f.blocks[0].addr, ==, 100);
	g_assert_cmpuint(f.blocks[0].n, ==, 4);
	g_assert_cmphex(f.blocks[0].regs[0], ==, 0x0001); /* 70123 = 0x000111EB, high word first */
	g_assert_cmphex(f.blocks[0].regs[1], ==, 0x11eb);
	g_assert_cmphex(f.blocks[0].regs[2], ==, 0x0007);
	g_assert_cmphex(f.blocks[0].regs[3], ==, 0x0123);
	g_assert_cmpuint(f.blocks[1].addr, ==, 105);
	g_assert_cmpuint(f.blocks[1].n, ==, 1);
	g_assert_cmphex(f.blocks[1].regs[0], ==, 0x9876);
	g_assert_null(display_frame_reg(&f, 104));
}

/* The LED-485 module: brightness at 0x0024, 12 characters at
 * 0x0070–0x0075, raw 7-segment masks at 0x0080; no blink register.  Three
 * blocks, never one write across the gaps; the brightness only in the
 * settings frame. */
static const char led485_map[] =
    "[map]\nname = led485\nbase = 0x24\n"
    "[field brightness]\nkind = brightness\noffset = 0\nvalue = 7\n"
    "[field text]\nkind = text\nsource = line\noffset = 76\nchars = 12\n"
    "[field segments]\nkind = text\nencoding = segments\noffset = 92\nchars = 4\n";

static void test_blocks_and_segments(void)
{
	struct display_map map;
	struct display_call call = {.ticket = "R001", .counter = 3};
	g_autoptr(GError) error = NULL;
	struct display_frame f, set;

	/* base in hex, as the manual writes it */
	g_assert_cmpint(display_map_parse(led485_map, sizeof(led485_map) - 1, "t", &map, &error),
			==, 0);
	g_assert_no_error(error);
	g_assert_cmphex(map.base, ==, 0x24);
	frame_of(&map, &call, 1, FALSE, &f);
	g_assert_cmpuint(f.n_blocks, ==, 2);
	g_assert_cmphex(f.blocks[0].addr, ==, 0x70);
	g_assert_cmpuint(f.blocks[0].n, ==, 6);
	g_assert_cmphex(f.blocks[0].regs[0], ==, REG2('R', '0'));
	g_assert_cmphex(f.blocks[0].regs[5], ==, REG2(' ', '3'));
	g_assert_cmphex(f.blocks[1].addr, ==, 0x80);
	g_assert_cmpuint(f.blocks[1].n, ==, 2);
	/* R = e g (0x50), 0 = 0x3f, 0 = 0x3f, 1 = b c (0x06) */
	g_assert_cmphex(f.blocks[1].regs[0], ==, REG2(0x50, 0x3f));
	g_assert_cmphex(f.blocks[1].regs[1], ==, REG2(0x3f, 0x06));
	g_assert_cmpint(display_map_frame(&map, DISPLAY_FRAME_SETTINGS, NULL, 0, FALSE, &set), ==,
			0);
	g_assert_cmpuint(set.n_blocks, ==, 1);
	g_assert_cmphex(set.blocks[0].addr, ==, 0x24);
	g_assert_cmpuint(set.blocks[0].regs[0], ==, 7);
	g_assert_cmpuint(map.write, ==, DISPLAY_WRITE_FC16);
	g_assert_false(map.software_blink);

	/* the font: digits, letters either case, blank, '-' for the rest */
	g_assert_cmphex(display_segments('8'), ==, 0x7f);
	g_assert_cmphex(display_segments('A'), ==, display_segments('a'));
	g_assert_cmphex(display_segments(' '), ==, 0);
	g_assert_cmphex(display_segments('%'), ==, 0x40);
}

/* One character a register (low byte), and write = fc06. */
static void test_one_char_per_register_fc06(void)
{
	static const char text[] = "[map]\nname = dm\nbase = 0\nwrite = fc06\n"
				   "[field t]\nkind = text\noffset = 0\nchars = 4\n"
				   "chars-per-register = 1\n";
	struct display_map map;
	struct display_call call = {.ticket = "K12"};
	g_autoptr(GError) error = NULL;
	struct display_frame f;

	g_assert_cmpint(display_map_parse(text, sizeof(text) - 1, "t", &map, &error), ==, 0);
	g_assert_cmpuint(map.write, ==, DISPLAY_WRITE_FC06);
	frame_of(&map, &call, 1, FALSE, &f);
	g_assert_true(f.blocks[0].fc06);
	g_assert_cmpuint(f.blocks[0].n, ==, 4);
	g_assert_cmphex(f.blocks[0].regs[0], ==, 'K');
	g_assert_cmphex(f.blocks[0].regs[2], ==, '2');
	g_assert_cmphex(f.blocks[0].regs[3], ==, ' ');
}

static void test_out_of_range(void)
{
	struct display_map map;
	struct display_call big = {.ticket = "A12345", .counter = 1};
	struct display_call long_ticket = {.ticket = "ABCDEFG1", .counter = 1};
	struct display_call bad_counter = {.ticket = "A1", .counter = 70000};
	struct display_frame f;

	load_shipped("counter", &map);
	/* 12345 does not fit 4 BCD digits */
	g_assert_cmpint(display_map_frame(&map, DISPLAY_FRAME_CALL, &big, 1, TRUE, &f), ==,
			-ERANGE);
	/* 8 chars do not fit 6 */
	g_assert_cmpint(display_map_frame(&map, DISPLAY_FRAME_CALL, &long_ticket, 1, TRUE, &f), ==,
			-ERANGE);
	g_assert_cmpint(display_map_frame(&map, DISPLAY_FRAME_CALL, &bad_counter, 1, TRUE, &f), ==,
			-ERANGE);
}

static void test_non_ascii(void)
{
	struct display_map map = {
	    .name = "t",
	    .n_fields = 1,
	    .fields = {{.kind = DISPLAY_FIELD_TEXT,
			.encoding = DISPLAY_ENCODING_ASCII,
			.width = 2}},
	};
	struct display_call call = {.ticket = "\xc3\xa4"
					      "1"};
	struct display_frame f;

	frame_of(&map, &call, 1, FALSE, &f);
	g_assert_cmphex(f.blocks[0].regs[0], ==, REG2('?', '?'));
	g_assert_cmphex(f.blocks[0].regs[1], ==, REG2('1', ' '));
}

static void expect_parse_error(const char *text, const char *needle)
{
	struct display_map map;
	g_autoptr(GError) error = NULL;

	g_assert_cmpint(display_map_parse(text, strlen(text), "bad.map", &map, &error), ==,
			-EINVAL);
	g_assert_nonnull(error);
	if (!strstr(error->message, needle))
		g_error("message \"%s\" lacks \"%s\"", error->message, needle);
}

static void test_bad_maps(void)
{
	expect_parse_error("[field a]\nkind = text\noffset = 0\n", "no [map]");
	expect_parse_error("[map]\nbase = 0\n", "fields");
	expect_parse_error("[map]\n[field a]\nkind = colour\noffset = 0\n", "kind");
	expect_parse_error("[map]\n[field a]\nkind = blink\n", "offset");
	expect_parse_error("[map]\n[field a]\nkind = blink\noffset = x\n", "whole number");
	expect_parse_error("[map]\n[field a]\nkind = blink\noffset = 0x\n", "hex digits");
	expect_parse_error("[map]\n[field a]\nkind = text\noffset = 0\nchars = 4\n"
			   "[field b]\nkind = blink\noffset = 1\n",
			   "two fields");
	expect_parse_error("[map]\n[field a]\nkind = number\nencoding = ascii\noffset = 0\n",
			   "encoding");
	expect_parse_error("[map]\n[field a]\nkind = text\noffset = 0\nchars = 200\n"
			   "[field b]\nkind = text\noffset = 100\nchars = 100\n",
			   "FC16");
	expect_parse_error("[map]\nbase = 65000\n[field a]\nkind = text\noffset = 600\n"
			   "chars = 8\n",
			   "65535");
	expect_parse_error("[map]\n[field a]\nkind = brightness\noffset = 0\n", "only settings");
	expect_parse_error("[map]\nwrite = fc03\n[field a]\nkind = blink\noffset = 0\n", "fc06");
	expect_parse_error("[map]\n[field a]\nkind = blink\noffset = 0\nwrite = 6\n", "fc06");
	expect_parse_error("[map]\nsoftware-blink = yes\n[field a]\nkind = text\noffset = 0\n",
			   "true or false");
	expect_parse_error("[map]\nsoftware-blink = true\n[field a]\nkind = blink\noffset = 0\n",
			   "drop software-blink");
	expect_parse_error("[map]\n[field a]\nkind = text\noffset = 0\nchars-per-register = 3\n",
			   "whole number from 0 to 2");
	expect_parse_error("[map]\n[field a]\nkind = number\nencoding = segments\noffset = 0\n",
			   "encoding");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/display-map/counter", test_counter_map);
	g_test_add_func("/display-map/main-lines", test_main_map_lines);
	g_test_add_func("/display-map/binary-bcd-gaps", test_binary_bcd_and_gaps);
	g_test_add_func("/display-map/out-of-range", test_out_of_range);
	g_test_add_func("/display-map/non-ascii", test_non_ascii);
	g_test_add_func("/display-map/blocks-segments", test_blocks_and_segments);
	g_test_add_func("/display-map/one-char-fc06", test_one_char_per_register_fc06);
	g_test_add_func("/display-map/bad-maps", test_bad_maps);
	return g_test_run();
}
