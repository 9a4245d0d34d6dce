/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of firmware/display_map.c: text, BCD and binary encodings, the
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

static void test_counter_map(void)
{
	struct display_map map;
	struct display_call call = {.ticket = "A123", .counter = 4};
	uint16_t regs[DISPLAY_MAP_MAX_REGS];
	size_t n = G_N_ELEMENTS(regs);
	uint16_t addr;

	load_shipped("counter", &map);
	g_assert_cmpstr(map.name, ==, "counter");
	g_assert_cmpuint(display_map_n_regs(&map), ==, 7);
	g_assert_cmpint(display_map_encode(&map, &call, 1, TRUE, regs, &n), ==, 0);
	g_assert_cmpuint(n, ==, 7);
	g_assert_cmphex(regs[0], ==, REG2('A', '1'));
	g_assert_cmphex(regs[1], ==, REG2('2', '3'));
	g_assert_cmphex(regs[2], ==, REG2(' ', ' '));
	g_assert_cmphex(regs[3], ==, 0x0123); /* BCD */
	g_assert_cmpuint(regs[4], ==, 4);
	g_assert_cmpuint(regs[5], ==, 1);
	g_assert_cmpuint(regs[6], ==, 12);
	g_assert_cmpint(display_map_blink_addr(&map, &addr), ==, 0);
	g_assert_cmpuint(addr, ==, 5);

	/* no blink requested, and a blank display */
	n = G_N_ELEMENTS(regs);
	g_assert_cmpint(display_map_encode(&map, &call, 1, FALSE, regs, &n), ==, 0);
	g_assert_cmpuint(regs[5], ==, 0);
	n = G_N_ELEMENTS(regs);
	g_assert_cmpint(display_map_encode(&map, NULL, 0, TRUE, regs, &n), ==, 0);
	g_assert_cmphex(regs[0], ==, REG2(' ', ' '));
	g_assert_cmphex(regs[3], ==, 0);
	g_assert_cmpuint(regs[5], ==, 0);
	g_assert_cmpuint(regs[6], ==, 12);
}

static void test_main_map_lines(void)
{
	struct display_map map;
	const struct display_call calls[] = {
	    {.ticket = "B007", .counter = 12},
	    {.ticket = "A123", .counter = 4},
	};
	uint16_t regs[DISPLAY_MAP_MAX_REGS];
	size_t n = G_N_ELEMENTS(regs);
	char line[17] = {0};

	load_shipped("main", &map);
	g_assert_cmpuint(map.base, ==, 16);
	g_assert_cmpuint(display_map_n_calls(&map), ==, 4);
	g_assert_cmpint(display_map_encode(&map, calls, G_N_ELEMENTS(calls), TRUE, regs, &n), ==,
			0);
	g_assert_cmpuint(n, ==, 34);
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
	g_assert_cmpuint(regs[33], ==, 15);
}

static const char bin_map[] = "[map]\nname = wide\nbase = 100\n"
			      "[field n]\nkind = number\nencoding = binary\noffset = 0\n"
			      "registers = 2\n"
			      "[field bcd]\nkind = number\nencoding = bcd\noffset = 2\n"
			      "registers = 2\n"
			      "[field c]\nkind = counter\nencoding = bcd\noffset = 5\n";

static void test_binary_bcd_and_gaps(void)
{
	struct display_map map;
	struct display_call call = {.ticket = "X70123", .counter = 9876};
	g_autoptr(GError) error = NULL;
	uint16_t regs[8];
	size_t n = G_N_ELEMENTS(regs);

	g_assert_cmpint(display_map_parse(bin_map, sizeof(bin_map) - 1, "t", &map, &error), ==, 0);
	g_assert_cmpint(display_map_encode(&map, &call, 1, TRUE, regs, &n), ==, 0);
	g_assert_cmpuint(n, ==, 6);
	g_assert_cmphex(regs[0], ==, 0x0001); /* 70123 = 0x000111EB, high word first */
	g_assert_cmphex(regs[1], ==, 0x11eb);
	g_assert_cmphex(regs[2], ==, 0x0007);
	g_assert_cmphex(regs[3], ==, 0x0123);
	g_assert_cmphex(regs[4], ==, 0); /* gap */
	g_assert_cmphex(regs[5], ==, 0x9876);

	/* capacity is respected */
	n = 5;
	g_assert_cmpint(display_map_encode(&map, &call, 1, TRUE, regs, &n), ==, -ENOSPC);
	g_assert_cmpuint(n, ==, 5);
}

static void test_out_of_range(void)
{
	struct display_map map;
	struct display_call big = {.ticket = "A12345", .counter = 1};
	struct display_call long_ticket = {.ticket = "ABCDEFG1", .counter = 1};
	struct display_call bad_counter = {.ticket = "A1", .counter = 70000};
	uint16_t regs[DISPLAY_MAP_MAX_REGS];
	size_t n;

	load_shipped("counter", &map);
	n = G_N_ELEMENTS(regs); /* 12345 does not fit 4 BCD digits */
	g_assert_cmpint(display_map_encode(&map, &big, 1, TRUE, regs, &n), ==, -ERANGE);
	n = G_N_ELEMENTS(regs); /* 8 chars do not fit 6 */
	g_assert_cmpint(display_map_encode(&map, &long_ticket, 1, TRUE, regs, &n), ==, -ERANGE);
	n = G_N_ELEMENTS(regs);
	g_assert_cmpint(display_map_encode(&map, &bad_counter, 1, TRUE, regs, &n), ==, -ERANGE);
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
	uint16_t regs[2];
	size_t n = 2;

	g_assert_cmpint(display_map_encode(&map, &call, 1, FALSE, regs, &n), ==, 0);
	g_assert_cmphex(regs[0], ==, REG2('?', '?'));
	g_assert_cmphex(regs[1], ==, REG2('1', ' '));
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
	expect_parse_error("[map]\n[field a]\nkind = text\noffset = 0\nchars = 4\n"
			   "[field b]\nkind = blink\noffset = 1\n",
			   "two fields");
	expect_parse_error("[map]\n[field a]\nkind = number\nencoding = ascii\noffset = 0\n",
			   "encoding");
	expect_parse_error("[map]\n[field a]\nkind = text\noffset = 100\nchars = 60\n", "FC16");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/display-map/counter", test_counter_map);
	g_test_add_func("/display-map/main-lines", test_main_map_lines);
	g_test_add_func("/display-map/binary-bcd-gaps", test_binary_bcd_and_gaps);
	g_test_add_func("/display-map/out-of-range", test_out_of_range);
	g_test_add_func("/display-map/non-ascii", test_non_ascii);
	g_test_add_func("/display-map/bad-maps", test_bad_maps);
	return g_test_run();
}
