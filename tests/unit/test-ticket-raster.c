/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of firmware/devices/ticket_raster.c and of ticket_layout's choice
 * between code-page text and a raster picture: a ticket the code page
 * carries is byte for byte what it was before rasters existed (SHA-256 of
 * the bytes the layout made then), Arabic becomes GS v 0 laid out right to
 * left, and in a mixed ticket only the lines that need it are pictures. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <glib.h>

#include "catalog.h"
#include "config.h"
#include "ticket_layout.h"
#include "ticket_raster.h"

#define ISSUED_AT 1764770000 /* 2025-12-03 15:53:20 in Helsinki */

struct pin {
	int lang; /* in catalog (below): fi, sv, en */
	const char *codepage;
	int width;
	const char *service, *footer;
	int ahead, wait_s;
	gboolean test;
	guint len;
	/* Of the bytes the layout made before rasters (commit e4acdde), changed
	 * once by design (issue 14): the header only in the ticket's language,
	 * a quiet zone fed above and below the QR code, the URL in words. */
	const char *sha256;
};

static const struct pin pins[] = {
    {0, "cp858", 48, "Yleinen neuvonta", "Tervetuloa!", 3, 600, FALSE, 292,
     "954a8a3303ec0b9b2290f519b1cd17dbae2b08148f473db1e6e7b46da4ad0163"},
    {1, "cp858", 48, "Allmän rådgivning", "Välkommen!", 0, 0, FALSE, 256,
     "416bed31b8de2571a7d15873d91f261747971a5bc74763304ed4cc6b2b717b20"},
    {2, "cp858", 48, "General guidance", "Welcome!", 12, 4000, FALSE, 293,
     "227b0e0c092bc4bc56da7745ea8025925131eeb45b9d586c3b733a13e4a8f409"},
    {0, "iso8859-15", 32, "Ääkköset ÅÄÖ åäö", "Tervetuloa! Hyvää päivänjatkoa", -1, 0, TRUE, 287,
     "f1da73ceb4306b1976ad08a99df9292881c4f5c3771a2a6ea9050321616652fc"},
};

/* The labels' words: the shipped catalogs (run from the repository root). */
static struct catalog *catalog;

static void pin_fill(const struct pin *p, struct ticket_layout *t, GTimeZone *tz,
		     struct ticket_raster *raster)
{
	*t = (struct ticket_layout){
	    .catalog = catalog,
	    .codepage = escpos_codepage_find(p->codepage),
	    .width = p->width,
	    .header = "Yhteispalvelupiste Kuohu / Samservicepunkt Kuohu / Kuohu joint service "
		      "point",
	    .service = p->service,
	    .code = "A012",
	    .lang = p->lang,
	    .ahead = p->ahead,
	    .wait_s = p->wait_s,
	    .issued_at = ISSUED_AT,
	    .tz = tz,
	    .url = "https://jono.example.fi/t/3f9a2c",
	    .footer = p->footer,
	    .test = p->test,
	    .raster = raster,
	};
}

/* One ticket's commands, walked as a printer would: enough ESC/POS for what
 * the layout sends.  An unknown command fails the test. */
struct walk {
	guint rasters, raster_rows, raster_bytes, feeds;
	int raster_width; /* bytes a row */
	GString *text;    /* the text bytes, LF kept */
	/* ink per raster column half: where a left-aligned line went */
	guint ink_left, ink_right;
};

static void walk(const GByteArray *b, struct walk *w)
{
	const uint8_t *p = b->data;
	size_t i = 0, n = b->len;

	memset(w, 0, sizeof(*w));
	w->text = g_string_new(NULL);
	while (i < n) {
		if (p[i] == 0x1b) {
			g_assert_cmpuint(i + 1, <, n);
			if (p[i + 1] == '@') {
				i += 2;
				continue;
			}
			g_assert_nonnull(strchr("taEJ", p[i + 1]));
			w->feeds += p[i + 1] == 'J';
			i += 3;
		} else if (p[i] == 0x1d && p[i + 1] == '!') {
			i += 3;
		} else if (p[i] == 0x1d && p[i + 1] == 'V') {
			i += 4;
		} else if (p[i] == 0x1d && p[i + 1] == '(' && p[i + 2] == 'k') {
			i += 5 + (p[i + 3] | (size_t)p[i + 4] << 8);
		} else if (p[i] == 0x1d && p[i + 1] == 'v' && p[i + 2] == '0') {
			size_t x = p[i + 4] | (size_t)p[i + 5] << 8,
			       y = p[i + 6] | (size_t)p[i + 7] << 8;

			g_assert_cmpuint(p[i + 3], ==, 0);
			g_assert_cmpuint(i + 8 + x * y, <=, n);
			for (size_t k = 0; k < x * y; k++) {
				guint bits = (guint)__builtin_popcount(p[i + 8 + k]);

				if (k % x < x / 2)
					w->ink_left += bits;
				else
					w->ink_right += bits;
			}
			w->rasters++;
			w->raster_rows += (guint)y;
			w->raster_bytes += (guint)(8 + x * y);
			w->raster_width = (int)x;
			i += 8 + x * y;
		} else {
			g_assert_cmpuint(p[i], !=, 0x1d);
			g_string_append_c(w->text, (char)p[i]);
			i++;
		}
	}
	g_assert_cmpuint(i, ==, n);
}

static void walk_clear(struct walk *w)
{
	g_string_free(w->text, TRUE);
}

static void test_latin_unchanged(void)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier("Europe/Helsinki");
	g_autoptr(TicketRaster) raster = ticket_raster_new();

	for (size_t i = 0; i < G_N_ELEMENTS(pins); i++) {
		for (int with = 0; with < 2; with++) {
			g_autoptr(GByteArray) b = g_byte_array_new();
			g_autofree char *sum = NULL;
			struct ticket_layout t;

			pin_fill(&pins[i], &t, tz, with ? raster : NULL);
			g_assert_cmpint(ticket_layout_render(&t, b), ==, 0);
			sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, b->data, b->len);
			g_assert_cmpuint(b->len, ==, pins[i].len);
			g_assert_cmpstr(sum, ==, pins[i].sha256);
		}
	}
}

static bool has_bytes(const GByteArray *b, const uint8_t *what, size_t n)
{
	for (size_t i = 0; i + n <= b->len; i++)
		if (memcmp(b->data + i, what, n) == 0)
			return true;
	return false;
}

/* The header in the ticket's language only (else the first part, as the
 * pages' siteNameIn); the QR code with 4 modules of paper above and below
 * (ESC J 24 on each side of GS ( k's print, module size 6); the URL in words
 * under it. */
static void test_header_and_qr(void)
{
	static const struct {
		const char *header;
		int lang;
		const char *printed, *not_printed;
	} cases[] = {
	    {"Kuohu / Kuohu SV / Kuohu EN", 0, "Kuohu\n", "SV"},
	    {"Kuohu / Kuohu SV / Kuohu EN", 1, "Kuohu SV\n", "EN"},
	    {"Kuohu / Kuohu SV / Kuohu EN", 2, "Kuohu EN\n", "SV"},
	    {"Kuohu / Kuohu SV", 2, "Kuohu\n", "SV"},
	    {"Kuohu/Kuohu", 1, "Kuohu/Kuohu\n", "/ "},
	};
	static const uint8_t quiet_print_quiet[] = {0x1b, 'J', 24, 0x1d, '(',  'k', 3,
						    0,    49,  81, 48,   0x1b, 'J', 24};
	static const uint8_t module[] = {0x1d, '(', 'k', 3, 0, 49, 67, 6};
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier("Europe/Helsinki");

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GByteArray) b = g_byte_array_new();
		struct ticket_layout t;
		struct walk w;

		pin_fill(&pins[0], &t, tz, NULL);
		t.header = cases[i].header;
		t.lang = cases[i].lang;
		g_assert_cmpint(ticket_layout_render(&t, b), ==, 0);
		walk(b, &w);
		g_assert_true(g_str_has_prefix(w.text->str, cases[i].printed));
		g_assert_null(strstr(w.text->str, cases[i].not_printed));
		g_assert_nonnull(strstr(w.text->str, "\njono.example.fi/t/3f9a2c\n"));
		g_assert_true(has_bytes(b, quiet_print_quiet, sizeof(quiet_print_quiet)));
		g_assert_true(has_bytes(b, module, sizeof(module)));
		walk_clear(&w);
	}
}

static double now_ms(void)
{
	return (double)g_get_monotonic_time() / 1000.0;
}

static void test_arabic_line(void)
{
	double t0 = now_ms(), t1, t2;
	g_autoptr(TicketRaster) raster = ticket_raster_new();
	const char *ar = "خدمات الضرائب";
	struct ticket_raster_style one = {.width_dots = 576, .scale = 1};
	struct ticket_raster_style two = {.width_dots = 576, .scale = 2, .bold = true};
	g_autoptr(GByteArray) a = g_byte_array_new();
	g_autoptr(GByteArray) b = g_byte_array_new();
	g_autoptr(GByteArray) c = g_byte_array_new();
	struct walk w;
	int n;

	t1 = now_ms();
	n = ticket_raster_render(raster, ar, &one, a);
	t2 = now_ms();
	g_test_message(
	    "ticket_raster_new (fonts loaded) %.1f ms; one Arabic line %.2f ms, %d bytes", t1 - t0,
	    t2 - t1, n);
	g_assert_cmpint(n, ==, (int)a->len);
	walk(a, &w);
	g_assert_cmpuint(w.rasters, ==, 1);
	g_assert_cmpint(w.raster_width, ==, 72); /* 576 dots */
	/* The ink of a 24-dot line: more than a dot, less than two lines. */
	g_assert_cmpuint(w.raster_rows, >=, 8);
	g_assert_cmpuint(w.raster_rows, <=, 48);
	/* Right to left: a left-aligned Arabic line starts at the right edge. */
	g_assert_cmpuint(w.ink_right, >, 10 * (w.ink_left + 1));
	g_assert_cmpuint(w.text->len, ==, 0);
	walk_clear(&w);

	/* Double size: twice as tall (within the font's rounding). */
	g_assert_cmpint(ticket_raster_render(raster, ar, &two, b), >, 0);
	walk(b, &w);
	g_assert_cmpuint(w.rasters, ==, 1);
	g_assert_cmpuint(w.raster_rows, >=, 16);
	g_assert_cmpuint(w.raster_rows, <=, 96);
	walk_clear(&w);

	/* Latin goes left, as the same call lays it out. */
	g_assert_cmpint(ticket_raster_render(raster, "Sámi ŋ đ ŧ", &one, c), >, 0);
	walk(c, &w);
	g_assert_cmpuint(w.ink_left, >, 10 * (w.ink_right + 1));
	walk_clear(&w);
}

static void test_mixed_ticket(void)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier("Europe/Helsinki");
	g_autoptr(TicketRaster) raster = ticket_raster_new();
	g_autoptr(GByteArray) b = g_byte_array_new();
	g_autoptr(GByteArray) plain = g_byte_array_new();
	const char *lines[] = {"Отримайте номер і зачекайте", "Odota vuoroasi", NULL};
	struct ticket_layout t;
	struct walk w;
	double t0;

	pin_fill(&pins[2], &t, tz, raster);
	t.service = "خدمات الضرائب";
	t.lines = lines;
	t0 = now_ms();
	g_assert_cmpint(ticket_layout_render(&t, b), ==, 0);
	g_test_message("a ticket with two rastered paragraphs: %.2f ms, %u bytes", now_ms() - t0,
		       b->len);
	walk(b, &w);
	/* The service (double size) and the Ukrainian line; nothing else. */
	g_assert_cmpuint(w.rasters, ==, 2);
	g_assert_nonnull(strstr(w.text->str, "Kuohu joint service point\n"));
	g_assert_null(strstr(w.text->str, "Yhteispalvelupiste"));
	g_assert_nonnull(strstr(w.text->str, "Odota vuoroasi\n"));
	g_assert_nonnull(strstr(w.text->str, "Welcome!"));
	g_assert_nonnull(strstr(w.text->str, "A012\n"));
	g_assert_null(strchr(w.text->str, '?'));
	walk_clear(&w);

	/* Without a raster: the same ticket as before rasters, "?" and all. */
	t.raster = NULL;
	g_assert_cmpint(ticket_layout_render(&t, plain), ==, 0);
	walk(plain, &w);
	g_assert_cmpuint(w.rasters, ==, 0);
	g_assert_nonnull(strstr(w.text->str, "????"));
	walk_clear(&w);
}

/* The fonts are read at the first picture and let go by a release; the
 * next picture reads them again and comes out the same. */
static void test_fonts_on_demand(void)
{
	g_autoptr(TicketRaster) raster = ticket_raster_new();
	g_autoptr(GByteArray) a = g_byte_array_new();
	g_autoptr(GByteArray) b = g_byte_array_new();
	struct ticket_raster_style style = {.width_dots = 576, .scale = 1, .centre = true};

	g_assert_false(ticket_raster_loaded(raster));
	g_assert_cmpint(ticket_raster_render(raster, "Оподаткування", &style, a), >, 0);
	g_assert_true(ticket_raster_loaded(raster));
	ticket_raster_release(raster);
	g_assert_false(ticket_raster_loaded(raster));
	g_assert_cmpint(ticket_raster_render(raster, "Оподаткування", &style, b), >, 0);
	g_assert_cmpmem(a->data, a->len, b->data, b->len);
}

static void test_bad_input(void)
{
	g_autoptr(TicketRaster) raster = ticket_raster_new();
	g_autoptr(GByteArray) b = g_byte_array_new();
	struct ticket_raster_style ok = {.width_dots = 384, .scale = 1};
	struct ticket_raster_style narrow = {.width_dots = 0, .scale = 1};
	struct ticket_raster_style huge = {.width_dots = 384, .scale = 9};

	g_assert_cmpint(ticket_raster_render(raster, "\xff\xfe", &ok, b), ==, -EINVAL);
	g_assert_cmpint(ticket_raster_render(raster, "x", &narrow, b), ==, -EINVAL);
	g_assert_cmpint(ticket_raster_render(raster, "x", &huge, b), ==, -EINVAL);
	g_assert_cmpuint(b->len, ==, 0);
	/* Only spaces: no picture, only the line's feed. */
	g_assert_cmpint(ticket_raster_render(raster, "   ", &ok, b), >, 0);
	g_assert_cmpuint(b->data[0], ==, 0x1b);
	g_assert_cmpuint(b->data[1], ==, 'J');
	ticket_raster_free(NULL);
}

int main(int argc, char **argv)
{
	char *langs[] = {"fi", "sv", "en", NULL};
	g_autoptr(GError) error = NULL;
	int rc;

	g_test_init(&argc, &argv, NULL);
	catalog = catalog_load("ui/i18n", langs, &error);
	g_assert_no_error(error);
	g_test_add_func("/ticket-raster/latin-unchanged", test_latin_unchanged);
	g_test_add_func("/ticket-raster/header-and-qr", test_header_and_qr);
	g_test_add_func("/ticket-raster/arabic-line", test_arabic_line);
	g_test_add_func("/ticket-raster/mixed-ticket", test_mixed_ticket);
	g_test_add_func("/ticket-raster/bad-input", test_bad_input);
	g_test_add_func("/ticket-raster/fonts-on-demand", test_fonts_on_demand);
	rc = g_test_run();
	catalog_free(catalog);
	return rc;
}
