/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of firmware/devices/ticket_layout.c on the paper sites have: 58 mm
 * (384 dots: 32 columns of font A, 42 of font B) and 80 mm (576: 48, 64).
 * Every text line fits the paper at its size, no word is cut (only a word
 * longer than a whole line is split), the number stays font A, the QR code
 * fits with its quiet zone; the code pages: cp865 carries the Nordic
 * letters as text, "none" sends no ESC t and draws every non-ASCII line,
 * and a letter a page lacks is a picture, never "?".  The shipped catalogs
 * (all six languages) give the labels.  The bytes are walked here; the
 * independent decoder (npos) reads them in tests/integration/test_paper.py. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <glib.h>
#include <qrencode.h>

#include "catalog.h"
#include "escpos.h"
#include "ticket_layout.h"
#include "ticket_raster.h"

#define ISSUED_AT 1764770000 /* 2025-12-03 15:53:20 in Helsinki */
#define URL       "https://jono.example.fi/t/3f9a2c"

static const char *const langs[] = {"fi", "sv", "en", "se", "uk", "ar", NULL};
static struct catalog *catalog;

static const struct paper {
	int dots, columns;
	bool font_b;
} papers[] = {{384, 32, false}, {384, 42, true}, {576, 48, false}, {576, 64, true}};

/* Long texts of the kinds a ticket carries, in the site languages: service
 * names with long compounds, notices, booking text. */
static const char *const services[] = {
    "Verohallinnon henkilöasiakkaiden palvelut",
    "Skatteförvaltningens tjänster för privatpersoner",
    "Kansaneläkelaitoksen toimeentulotukiasiat",
    "Immigration and residence permit appointments",
    "Vearuhálddahusa bálvalusat",
};
static const char *const notices[] = {
    "Tervetuloa! Muistathan ottaa henkilöllisyystodistuksen mukaan, kun tulet palvelupisteeseen.",
    "Välkommen! Kom ihåg att ta med dig ett identitetsbevis när du kommer till servicepunkten.",
    "Your appointment: Thursday 4 December at 14:30 with the tax adviser, counter 3.",
    "Ajanvaraus: torstai 4.12. klo 14.30, verohallinnon neuvoja, palvelupiste 3.",
};

/* ---- ticket_layout_wrap ---------------------------------------------- */

/* The words of @text in order (runs of spaces are one). */
static GPtrArray *words_of(const char *text)
{
	g_auto(GStrv) parts = g_strsplit(text, " ", -1);
	GPtrArray *w = g_ptr_array_new_with_free_func(g_free);

	for (char **p = parts; *p; p++)
		if (**p)
			g_ptr_array_add(w, g_strdup(*p));
	return w;
}

/* Every line at most @width characters, none blank or padded; the words
 * come out whole and in order, and a word longer than @width as pieces of
 * whole lines (its last piece may start a line); no break comes early. */
static void check_wrap(const char *text, int width)
{
	g_auto(GStrv) lines = ticket_layout_wrap(text, width);
	g_autoptr(GPtrArray) in = words_of(text);
	guint li = 0, wi_in_line = 0;

	for (char **l = lines; *l; l++) {
		long n = g_utf8_strlen(*l, -1);

		g_assert_cmpint(n, >=, 1);
		g_assert_cmpint(n, <=, width);
		g_assert_false(g_str_has_prefix(*l, " ") || g_str_has_suffix(*l, " "));
		g_assert_null(strstr(*l, "  "));
	}
	for (guint i = 0; i < in->len; i++) {
		const char *word = g_ptr_array_index(in, i);
		long n = g_utf8_strlen(word, -1);
		g_autoptr(GPtrArray) line = NULL;

		g_assert_nonnull(lines[li]);
		if (n > width) {
			/* Pieces of whole lines, starting a line; the rest
			 * (at most a line) starts the next one. */
			const char *rest = word;

			g_assert_cmpuint(wi_in_line, ==, 0);
			while (g_utf8_strlen(rest, -1) > width) {
				g_assert_nonnull(lines[li]);
				g_assert_true(g_str_has_prefix(rest, lines[li]));
				g_assert_null(strchr(lines[li], ' '));
				rest += strlen(lines[li]);
				li++;
			}
			g_assert_nonnull(lines[li]);
			line = words_of(lines[li]);
			g_assert_cmpstr(g_ptr_array_index(line, 0), ==, rest);
		} else {
			line = words_of(lines[li]);
			g_assert_cmpstr(g_ptr_array_index(line, wi_in_line), ==, word);
		}
		wi_in_line++;
		if (wi_in_line == line->len) {
			/* No early break: the next line's first word did not fit. */
			if (lines[li + 1] && i + 1 < in->len) {
				const char *next = g_ptr_array_index(in, i + 1);
				long next_n = MIN(g_utf8_strlen(next, -1), width);

				g_assert_cmpint(g_utf8_strlen(lines[li], -1) + 1 + next_n, >,
						width);
			}
			li++;
			wi_in_line = 0;
		}
	}
	g_assert_null(lines[li]);
}

static void test_wrap_catalog_and_texts(void)
{
	static const int widths[] = {16, 21, 24, 32, 42, 48, 64};
	guint checked = 0;

	for (size_t w = 0; w < G_N_ELEMENTS(widths); w++) {
		for (int l = 0; langs[l]; l++) {
			static const char *const keys[] = {"ticket.ahead", "ticket.next",
							   "ticket.wait",  "ticket.follow",
							   "ticket.test",  "ticket.test_sample",
							   "ticket.badge", "ticket.badge_host"};

			for (size_t k = 0; k < G_N_ELEMENTS(keys); k++, checked++)
				check_wrap(catalog_text(catalog, l, keys[k]), widths[w]);
		}
		for (size_t i = 0; i < G_N_ELEMENTS(services); i++, checked++)
			check_wrap(services[i], widths[w]);
		for (size_t i = 0; i < G_N_ELEMENTS(notices); i++, checked++)
			check_wrap(notices[i], widths[w]);
	}
	g_test_message("%u texts wrapped and checked", checked);
}

static void test_wrap_long_word(void)
{
	g_auto(GStrv) url = ticket_layout_wrap("palvelu.kaupunki.example.fi/t/abcdef012345", 32);
	g_auto(GStrv) word = ticket_layout_wrap("a Verohallinnonhenkilöasiakaspalvelut b", 16);
	g_auto(GStrv) blank = ticket_layout_wrap(" \t\n ", 32);

	/* Cut after a "/" where one lies in the line's second half. */
	g_assert_cmpstr(url[0], ==, "palvelu.kaupunki.example.fi/t/");
	g_assert_cmpstr(url[1], ==, "abcdef012345");
	g_assert_null(url[2]);
	/* No "/": cut at the width, characters (not bytes) counted. */
	g_assert_cmpstr(word[0], ==, "a");
	g_assert_cmpstr(word[1], ==, "Verohallinnonhen");
	g_assert_cmpstr(word[2], ==, "kilöasiakaspalve");
	g_assert_cmpstr(word[3], ==, "lut b");
	g_assert_null(word[4]);
	g_assert_null(blank[0]);
}

/* Random texts: words of 1–70 letters (some of two-byte letters), runs of
 * spaces, widths 1–64. */
static void test_wrap_random(void)
{
	GRand *rand = g_rand_new_with_seed(21);

	for (int round = 0; round < 3000; round++) {
		g_autoptr(GString) text = g_string_new(NULL);
		int words = g_rand_int_range(rand, 0, 30);

		for (int i = 0; i < words; i++) {
			int n = g_rand_int_range(rand, 1, g_rand_boolean(rand) ? 12 : 70);

			for (int s = g_rand_int_range(rand, 0, 3); s > 0; s--)
				g_string_append_c(text, ' ');
			for (int c = 0; c < n; c++) {
				int r = g_rand_int_range(rand, 0, 12);

				if (r == 0)
					g_string_append(text, "ä");
				else if (r == 1)
					g_string_append_c(text, '/');
				else
					g_string_append_c(text, (char)('a' + r));
			}
			g_string_append_c(text, ' ');
		}
		check_wrap(text->str, g_rand_int_range(rand, 1, 65));
	}
	g_rand_free(rand);
}

/* ---- whole tickets ----------------------------------------------------- */

/* A ticket walked as a printer would: the print mode that each text line
 * is printed in, and the pictures.  An unknown command fails the test. */
struct walk {
	GPtrArray *lines;  /* text lines, UTF-8 (decoded from the code page) */
	GArray *line_dots; /* the dots each line takes: characters × cell × GS ! width */
	GArray *line_font; /* 0 font A, 1 font B */
	guint rasters;     /* GS v 0 pictures */
	int raster_width;  /* dots */
	int esc_t;         /* ESC t n; -1: none */
	int qr_module;     /* GS ( k fn 67 */
	guint qr_bytes;    /* the stored symbol's data */
	GString *raw;      /* the text bytes as sent */
};

static void walk(const GByteArray *b, const char *iconv, struct walk *w)
{
	const uint8_t *p = b->data;
	size_t i = 0, n = b->len;
	int wmul = 1, font_b = 0;
	GByteArray *line = g_byte_array_new();

	memset(w, 0, sizeof(*w));
	w->lines = g_ptr_array_new_with_free_func(g_free);
	w->line_dots = g_array_new(FALSE, FALSE, sizeof(int));
	w->line_font = g_array_new(FALSE, FALSE, sizeof(int));
	w->raw = g_string_new(NULL);
	w->esc_t = -1;
	while (i < n) {
		if (p[i] == 0x1b) {
			g_assert_cmpuint(i + 1, <, n);
			if (p[i + 1] == '@') {
				wmul = 1;
				font_b = 0;
				i += 2;
				continue;
			}
			g_assert_nonnull(strchr("taEJM", p[i + 1]));
			if (p[i + 1] == 't')
				w->esc_t = p[i + 2];
			if (p[i + 1] == 'M')
				font_b = p[i + 2] & 1;
			i += 3;
		} else if (p[i] == 0x1d && p[i + 1] == '!') {
			wmul = ((p[i + 2] >> 4) & 7) + 1;
			i += 3;
		} else if (p[i] == 0x1d && p[i + 1] == 'V') {
			i += 4;
		} else if (p[i] == 0x1d && p[i + 1] == '(' && p[i + 2] == 'k') {
			size_t len = p[i + 3] | (size_t)p[i + 4] << 8;

			if (p[i + 6] == 67)
				w->qr_module = p[i + 7];
			if (p[i + 6] == 80)
				w->qr_bytes = (guint)(len - 3);
			i += 5 + len;
		} else if (p[i] == 0x1d && p[i + 1] == 'v' && p[i + 2] == '0') {
			size_t x = p[i + 4] | (size_t)p[i + 5] << 8,
			       y = p[i + 6] | (size_t)p[i + 7] << 8;

			g_assert_cmpuint(i + 8 + x * y, <=, n);
			w->rasters++;
			w->raster_width = (int)x * 8;
			i += 8 + x * y;
		} else if (p[i] == '\n') {
			g_autofree char *utf8 = g_convert((const char *)line->data, line->len,
							  "UTF-8", iconv, NULL, NULL, NULL);
			int dots;

			g_assert_nonnull(utf8);
			dots = (int)g_utf8_strlen(utf8, -1) * (font_b ? 9 : 12) * wmul;
			g_ptr_array_add(w->lines, g_steal_pointer(&utf8));
			g_array_append_val(w->line_dots, dots);
			g_array_append_val(w->line_font, font_b);
			g_byte_array_set_size(line, 0);
			g_string_append_c(w->raw, '\n');
			i++;
		} else {
			g_assert_cmpuint(p[i], !=, 0x1d);
			g_assert_cmpuint(p[i], >=, 0x20);
			g_byte_array_append(line, p + i, 1);
			g_string_append_c(w->raw, (char)p[i]);
			i++;
		}
	}
	g_assert_cmpuint(i, ==, n);
	g_assert_cmpuint(line->len, ==, 0);
	g_byte_array_unref(line);
}

static void walk_clear(struct walk *w)
{
	g_ptr_array_unref(w->lines);
	g_array_unref(w->line_dots);
	g_array_unref(w->line_font);
	g_string_free(w->raw, TRUE);
}

/* Whether @word is a whole word of some line of @w. */
static bool has_word(const struct walk *w, const char *word)
{
	for (guint i = 0; i < w->lines->len; i++) {
		g_autoptr(GPtrArray) words = words_of(g_ptr_array_index(w->lines, i));

		for (guint k = 0; k < words->len; k++)
			if (strcmp(g_ptr_array_index(words, k), word) == 0)
				return true;
	}
	return false;
}

static void fill(struct ticket_layout *t, const struct paper *p, int lang, const char *codepage,
		 GTimeZone *tz, struct ticket_raster *raster)
{
	static const char *const lines[] = {
	    "Ajanvaraus: torstai 4.12. klo 14.30, verohallinnon neuvoja, palvelupiste 3.", NULL};

	*t = (struct ticket_layout){
	    .codepage = escpos_codepage_find(codepage),
	    .width = p->columns,
	    .dots = p->dots,
	    .font_b = p->font_b,
	    .header = "Yhteispalvelupiste Kuohu / Samservicepunkt Kuohu / Kuohu joint service "
		      "point",
	    .service = services[lang % 3],
	    .code = "A012",
	    .catalog = catalog,
	    .lang = lang,
	    .ahead = 12,
	    .wait_s = 4000,
	    .issued_at = ISSUED_AT,
	    .tz = tz,
	    .url = URL,
	    .footer = notices[lang % 2],
	    .test = TRUE,
	    .lines = lines,
	    .raster = raster,
	};
}

/* fi, sv, en on every paper, in cp858: all text, every line within the
 * paper at its size and font, every word of the service, the notices and
 * the labels whole; the number in font A; the QR module 6 dots. */
static void test_tickets_fit(void)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier("Europe/Helsinki");
	g_autoptr(TicketRaster) raster = ticket_raster_new();

	for (size_t pi = 0; pi < G_N_ELEMENTS(papers); pi++) {
		for (int lang = 0; lang < 3; lang++) {
			g_autoptr(GByteArray) b = g_byte_array_new();
			const char *texts[4];
			struct ticket_layout t;
			struct walk w;
			int widest = 0;

			fill(&t, &papers[pi], lang, "cp858", tz, raster);
			texts[0] = t.service;
			texts[1] = t.footer;
			texts[2] = t.lines[0];
			texts[3] = catalog_text(catalog, lang, "ticket.test");
			g_assert_cmpint(ticket_layout_render(&t, b), ==, 0);
			walk(b, "CP858", &w);
			g_assert_cmpuint(w.rasters, ==, 0);
			g_assert_cmpint(w.esc_t, ==, 19);
			for (guint i = 0; i < w.lines->len; i++) {
				int dots = g_array_index(w.line_dots, int, i);

				g_assert_cmpint(dots, <=, papers[pi].dots);
				widest = MAX(widest, dots);
				if (strcmp(g_ptr_array_index(w.lines, i), "A012") == 0)
					g_assert_cmpint(g_array_index(w.line_font, int, i), ==, 0);
				else if (*(char *)g_ptr_array_index(w.lines, i))
					g_assert_cmpint(g_array_index(w.line_font, int, i), ==,
							papers[pi].font_b);
			}
			for (size_t k = 0; k < G_N_ELEMENTS(texts); k++) {
				g_autoptr(GPtrArray) words = words_of(texts[k]);

				for (guint i = 0; i < words->len; i++)
					g_assert_true(has_word(&w, g_ptr_array_index(words, i)));
			}
			g_assert_true(has_word(&w, "jono.example.fi/t/3f9a2c"));
			/* The time in the site's zone, not the machine's (UTC here). */
			g_assert_true(has_word(&w, "03.12.2025"));
			g_assert_true(has_word(&w, "15:53"));
			g_assert_cmpint(w.qr_module, ==, 6);
			g_test_message("%d dots, %d columns, %s: %u lines, the widest %d dots",
				       papers[pi].dots, papers[pi].columns, langs[lang],
				       w.lines->len, widest);
			walk_clear(&w);
		}
	}
}

/* Sámi, Ukrainian and Arabic on every paper: what the code page lacks is
 * a picture as wide as the paper, never "?"; the text lines still fit. */
static void test_raster_languages_fit(void)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier("Europe/Helsinki");
	g_autoptr(TicketRaster) raster = ticket_raster_new();
	static const char *const service[] = {"Vearuhálddahusa bálvalusat ja dieđut",
					      "Податкові послуги для фізичних осіб",
					      "خدمات الضرائب للأفراد"};

	for (size_t pi = 0; pi < G_N_ELEMENTS(papers); pi++) {
		for (int lang = 3; lang < 6; lang++) {
			g_autoptr(GByteArray) b = g_byte_array_new();
			struct ticket_layout t;
			struct walk w;

			fill(&t, &papers[pi], lang, "cp858", tz, raster);
			t.service = service[lang - 3];
			g_assert_cmpint(ticket_layout_render(&t, b), ==, 0);
			walk(b, "CP858", &w);
			g_assert_cmpuint(w.rasters, >=, 1);
			g_assert_cmpint(w.raster_width, ==, papers[pi].dots);
			g_assert_null(strchr(w.raw->str, '?'));
			for (guint i = 0; i < w.lines->len; i++)
				g_assert_cmpint(g_array_index(w.line_dots, int, i), <=,
						papers[pi].dots);
			walk_clear(&w);
		}
	}
}

/* cp865 (the Nordic page of printers without cp858): ESC t 5, the Nordic
 * letters as text; the euro sign, which cp865 lacks, a picture. */
static void test_cp865(void)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier("Europe/Helsinki");
	g_autoptr(TicketRaster) raster = ticket_raster_new();
	g_autoptr(GByteArray) b = g_byte_array_new();
	const char *lines[] = {"å ä ö Å Ä Ö æ ø Æ Ø", "Maksu 5 €", NULL};
	struct ticket_layout t;
	struct walk w;

	fill(&t, &papers[0], 0, "cp865", tz, raster);
	t.lines = lines;
	g_assert_cmpint(ticket_layout_render(&t, b), ==, 0);
	walk(b, "CP865", &w);
	g_assert_cmpint(w.esc_t, ==, 5);
	g_assert_true(has_word(&w, "Edessäsi"));
	g_assert_true(has_word(&w, "æ") && has_word(&w, "Ø") && has_word(&w, "Å"));
	g_assert_cmpuint(w.rasters, ==, 1); /* the euro line */
	g_assert_false(has_word(&w, "Maksu"));
	g_assert_null(strchr(w.raw->str, '?'));
	walk_clear(&w);
}

/* "none": no ESC t, ASCII text only, every line with another letter a
 * picture; without a raster those letters would be "?" (vuoro-ticket
 * --no-raster says so), which is why vuorod always has one. */
static void test_codepage_none(void)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier("Europe/Helsinki");
	g_autoptr(TicketRaster) raster = ticket_raster_new();

	for (size_t pi = 0; pi < G_N_ELEMENTS(papers); pi++) {
		g_autoptr(GByteArray) b = g_byte_array_new();
		g_autoptr(GByteArray) plain = g_byte_array_new();
		struct ticket_layout t;
		struct walk w;

		fill(&t, &papers[pi], 0, "none", tz, raster);
		g_assert_cmpint(ticket_layout_render(&t, b), ==, 0);
		walk(b, "ASCII", &w);
		g_assert_cmpint(w.esc_t, ==, -1);
		g_assert_true(has_word(&w, "A012") && has_word(&w, "Yhteispalvelupiste"));
		/* The service (henkilöasiakkaiden), "Edessäsi jonossa: 12"
		 * and the footer (henkilöllisyystodistuksen) are pictures; the
		 * ASCII lines (the wait, the booking line, "Seuraa …") text. */
		g_assert_false(has_word(&w, "Edessäsi") || has_word(&w, "jonossa:"));
		g_assert_true(has_word(&w, "Arvioitu") && has_word(&w, "Ajanvaraus:"));
		g_assert_cmpuint(w.rasters, ==, 3);
		g_assert_cmpint(w.raster_width, ==, papers[pi].dots);
		for (const char *c = w.raw->str; *c; c++)
			g_assert_cmpuint((guchar)*c, <, 0x80);
		g_assert_null(strchr(w.raw->str, '?'));
		walk_clear(&w);

		t.raster = NULL;
		g_assert_cmpint(ticket_layout_render(&t, plain), ==, 0);
		walk(plain, "ASCII", &w);
		g_assert_cmpuint(w.rasters, ==, 0);
		g_assert_true(has_word(&w, "Edess?si"));
		walk_clear(&w);
	}
}

/* A long follow URL: a larger QR version, modules shrunk until the symbol
 * and 4 modules of quiet zone on each side fit the paper (libqrencode
 * tells the symbol's real size). */
static void test_qr_fits(void)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier("Europe/Helsinki");

	for (size_t pi = 0; pi < G_N_ELEMENTS(papers); pi++) {
		for (int len = 30; len <= 300; len += 30) {
			g_autoptr(GByteArray) b = g_byte_array_new();
			g_autofree char *url = g_strnfill((gsize)len, 'x');
			struct ticket_layout t;
			struct walk w;
			QRcode *code;

			memcpy(url, "https://a.example.fi/t/", 23);
			fill(&t, &papers[pi], 2, "cp858", tz, NULL);
			t.url = url;
			g_assert_cmpint(ticket_layout_render(&t, b), ==, 0);
			walk(b, "CP858", &w);
			code = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
			g_assert_nonnull(code);
			g_assert_cmpuint(w.qr_bytes, ==, (guint)len);
			g_assert_cmpint(w.qr_module, >=, 3);
			g_assert_cmpint(w.qr_module, <=, 6);
			if (w.qr_module > 3)
				g_assert_cmpint((code->width + 8) * w.qr_module, <=,
						papers[pi].dots);
			QRcode_free(code);
			walk_clear(&w);
		}
	}
}

int main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	int rc;

	g_test_init(&argc, &argv, NULL);
	catalog = catalog_load("ui/i18n", (char **)langs, &error);
	g_assert_no_error(error);
	g_test_add_func("/ticket-layout/wrap-catalog-and-texts", test_wrap_catalog_and_texts);
	g_test_add_func("/ticket-layout/wrap-long-word", test_wrap_long_word);
	g_test_add_func("/ticket-layout/wrap-random", test_wrap_random);
	g_test_add_func("/ticket-layout/tickets-fit", test_tickets_fit);
	g_test_add_func("/ticket-layout/raster-languages-fit", test_raster_languages_fit);
	g_test_add_func("/ticket-layout/cp865", test_cp865);
	g_test_add_func("/ticket-layout/codepage-none", test_codepage_none);
	g_test_add_func("/ticket-layout/qr-fits", test_qr_fits);
	rc = g_test_run();
	catalog_free(catalog);
	return rc;
}
