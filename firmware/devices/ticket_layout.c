/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ticket_layout: see ticket_layout.h.  The commands are Epson's ESC/POS as
 * every kiosk printer we know implements it; each is named where it is sent.
 */

#include "ticket_layout.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "config.h"

/* The ticket's bytes, and the print mode the commands so far have set: what
 * a line drawn as a picture must look like to match the text around it. */
struct out {
	GByteArray *bytes;
	struct ticket_raster *raster;
	int width; /* columns at size 1 in the current font */
	int dots;
	uint8_t align, size;
	bool bold, font_b;
};

static void put(struct out *out, const void *bytes, size_t n)
{
	g_byte_array_append(out->bytes, bytes, (guint)n);
}

/* The text as printed: control characters are spaces. */
static char *printable(const char *utf8)
{
	char *clean = g_strdup(utf8 ? utf8 : "");

	for (char *c = clean; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	return clean;
}

/* UTF-8 → the code page; control characters dropped, unknown letters "?"
 * (only without a raster, or when the picture failed). */
static void put_text(struct out *out, const struct escpos_codepage *cp, const char *utf8)
{
	g_autofree char *clean = printable(utf8);
	g_autofree char *bytes = NULL;
	gsize len = 0;

	bytes = g_convert_with_fallback(clean, -1, cp->iconv, "UTF-8", "?", NULL, &len, NULL);
	if (bytes)
		put(out, bytes, len);
}

/* A paragraph the code page cannot carry whole, as a picture in the current
 * mode (pango wraps it at word boundaries to the paper's width).  False:
 * print it as text (it fits the code page, there is no raster, or the
 * picture failed). */
static bool put_raster(struct out *out, const struct escpos_codepage *cp, const char *utf8)
{
	g_autofree char *clean = printable(utf8);
	g_autofree char *bytes = NULL;
	struct ticket_raster_style style = {
	    .width_dots = out->dots,
	    .line_dots = out->font_b ? 17 : 24, /* the font's cell height */
	    .scale = (out->size & 7) + 1,
	    .bold = out->bold,
	    .centre = out->align == 1,
	};

	if (!out->raster || !*g_strstrip(clean))
		return false;
	bytes = g_convert(clean, -1, cp->iconv, "UTF-8", NULL, NULL, NULL); /* no fallback */
	if (bytes)
		return false;
	return ticket_raster_render(out->raster, clean, &style, out->bytes) >= 0;
}

static void put_line(struct out *out, const struct escpos_codepage *cp, const char *utf8)
{
	if (put_raster(out, cp, utf8))
		return;
	put_text(out, cp, utf8);
	put(out, "\n", 1); /* LF: print and feed one line */
}

/* Where a word too long for a line is cut: after the last "/" in the second
 * half of @n characters from @w, else after @n. */
static const char *word_cut(const char *w, int n)
{
	const char *end = g_utf8_offset_to_pointer(w, n);

	for (const char *c = end; c > g_utf8_offset_to_pointer(w, n / 2); c--)
		if (c[-1] == '/')
			return c;
	return end;
}

char **ticket_layout_wrap(const char *utf8, int width)
{
	g_autofree char *clean = printable(utf8);
	g_auto(GStrv) words = g_strsplit(clean, " ", -1);
	GPtrArray *lines = g_ptr_array_new();
	GString *line = g_string_new(NULL);
	long line_n = 0;

	width = MAX(width, 1);
	for (char **w = words; *w; w++) {
		const char *word = *w;
		long n = g_utf8_strlen(word, -1);

		if (!n)
			continue;
		if (line_n && line_n + 1 + n > width) {
			g_ptr_array_add(lines, g_strdup(line->str));
			g_string_truncate(line, 0);
			line_n = 0;
		}
		/* Only a word longer than a whole line is split. */
		while (n > width) {
			const char *cut = word_cut(word, width);

			g_ptr_array_add(lines, g_strndup(word, (gsize)(cut - word)));
			n -= g_utf8_pointer_to_offset(word, cut);
			word = cut;
		}
		if (line_n) {
			g_string_append_c(line, ' ');
			line_n++;
		}
		g_string_append(line, word);
		line_n += n;
	}
	if (line_n)
		g_ptr_array_add(lines, g_strdup(line->str));
	g_string_free(line, TRUE);
	g_ptr_array_add(lines, NULL);
	return (char **)g_ptr_array_free(lines, FALSE);
}

/* A paragraph: one picture if the code page cannot carry it, else text
 * lines that fit the current size (GS ! width × n holds 1/n of them). */
static void put_wrapped(struct out *out, const struct escpos_codepage *cp, const char *utf8)
{
	g_auto(GStrv) lines = NULL;

	if (put_raster(out, cp, utf8))
		return;
	lines = ticket_layout_wrap(utf8, out->width / (((out->size >> 4) & 7) + 1));
	for (char **l = lines; *l; l++)
		put_line(out, cp, *l);
}

/* ESC M n: 0 font A (12 × 24 dots), 1 font B (9 × 17). */
static void put_font(struct out *out, bool font_b, int width)
{
	const uint8_t cmd[] = {0x1b, 'M', font_b ? 1 : 0};

	out->font_b = font_b;
	out->width = width;
	put(out, cmd, sizeof(cmd));
}

static void put_align(struct out *out, uint8_t n)
{
	const uint8_t cmd[] = {0x1b, 'a', n}; /* ESC a n: 0 left, 1 centre */

	out->align = n;
	put(out, cmd, sizeof(cmd));
}

static void put_size(struct out *out, uint8_t n)
{
	const uint8_t cmd[] = {0x1d, '!', n}; /* GS ! n: width × (n>>4)+1, height × (n&7)+1 */

	out->size = n;
	put(out, cmd, sizeof(cmd));
}

static void put_bold(struct out *out, uint8_t on)
{
	const uint8_t cmd[] = {0x1b, 'E', on}; /* ESC E n */

	out->bold = on & 1;
	put(out, cmd, sizeof(cmd));
}

/* ESC J n: print and feed n dots (the 203-dpi printers' vertical unit). */
static void put_feed(struct out *out, uint8_t dots)
{
	const uint8_t cmd[] = {0x1b, 'J', dots};

	put(out, cmd, sizeof(cmd));
}

/* GS ( k, QR code model 2: model, module size, error correction, store, print.
 * Blank paper of QR_QUIET modules is fed above and below the symbol (the
 * quiet zone a phone's reader needs to find it; centred, the sides have
 * more).  A module is QR_MODULE dots, 0.75 mm at 203 dpi: a follow URL of
 * ~40 characters is a version 3 symbol at level M, 29 modules, 22 mm wide
 * and 28 mm with the quiet zone, which fits 58 mm paper too.  A longer URL
 * is a larger version; its modules shrink (to QR_MODULE_MIN) until the
 * symbol and its quiet zone fit the paper. */
#define QR_MODULE     6
#define QR_MODULE_MIN 3
#define QR_QUIET      4

/* The module size at which @len bytes fit @dots: the bytes a version holds
 * at level M in byte mode (ISO/IEC 18004 table 7), versions 1–14. */
static uint8_t qr_module(size_t len, int dots)
{
	static const int capacity[] = {14,  26,  42,  62,  84,  106, 122,
				       152, 180, 213, 251, 287, 331, 362};
	int version = 40;

	for (size_t v = 0; v < G_N_ELEMENTS(capacity); v++)
		if ((int)len <= capacity[v]) {
			version = (int)v + 1;
			break;
		}
	return (uint8_t)CLAMP(dots / (17 + 4 * version + 2 * QR_QUIET), QR_MODULE_MIN, QR_MODULE);
}

static void put_qr(struct out *out, const char *data)
{
	size_t len = strlen(data) + 3;
	uint8_t module = qr_module(strlen(data), out->dots);
	const uint8_t model[] = {0x1d, '(', 'k', 4, 0, 49, 65, 50, 0};
	const uint8_t size[] = {0x1d, '(', 'k', 3, 0, 49, 67, module};
	const uint8_t ec[] = {0x1d, '(', 'k', 3, 0, 49, 69, 49}; /* level M */
	const uint8_t store[] = {0x1d, '(', 'k', (uint8_t)(len & 0xff), (uint8_t)(len >> 8),
				 49,   80,  48};
	const uint8_t print[] = {0x1d, '(', 'k', 3, 0, 49, 81, 48};

	put(out, model, sizeof(model));
	put(out, size, sizeof(size));
	put(out, ec, sizeof(ec));
	put(out, store, sizeof(store));
	put(out, data, strlen(data));
	put_feed(out, QR_QUIET * module);
	put(out, print, sizeof(print));
	put_feed(out, QR_QUIET * module);
}

/* The part of a "fi / sv / en" name in the site language @lang, else the
 * first part; a name without " / " is whole (ui/common/i18n.js siteNameIn
 * is the pages' same rule). */
static char *header_part(const char *name, int lang)
{
	g_auto(GStrv) parts = g_strsplit(name, " / ", -1);
	guint n = g_strv_length(parts);

	if (n < 2)
		return g_strdup(name);
	return g_strdup(parts[lang >= 0 && (guint)lang < n ? lang : 0]);
}

/* The follow URL as people type it: without "https://" (or "http://"). */
static const char *url_words(const char *url)
{
	const char *sep = strstr(url, "://");

	return sep ? sep + 3 : url;
}

/* GS ! n for the service: double width and height, or only double height
 * when a word of it is longer than half a line (a long Finnish compound on
 * 58 mm paper): words stay whole. */
static uint8_t service_size(const char *service, int width)
{
	g_autofree char *clean = printable(service);
	g_auto(GStrv) words = g_strsplit(clean, " ", -1);

	for (char **w = words; *w; w++)
		if (g_utf8_strlen(*w, -1) > width / 2)
			return 0x01;
	return 0x11;
}

/* GS ! n for the number: as large as fits a line in font A (12 dots a
 * character), at most × 5. */
static uint8_t code_size(const char *code, int dots)
{
	long n = MAX(g_utf8_strlen(code, -1), 1);
	int mul = (int)CLAMP(dots / (12 * n), 1, 5);

	return (uint8_t)((mul - 1) << 4 | (mul - 1));
}

int ticket_layout_render(const struct ticket_layout *t, GByteArray *bytes)
{
	int dots = t->dots > 0 ? t->dots : t->width * 12;
	int font_a = dots / 12; /* columns of font A */
	struct out o = {.bytes = bytes, .raster = t->raster, .width = t->width, .dots = dots},
		   *out = &o;
	const struct escpos_codepage *cp = t->codepage;
	const struct catalog *cat = t->catalog;
	int lang = t->lang;
	const uint8_t init[] = {0x1b, '@'};                 /* ESC @: initialise */
	const uint8_t page[] = {0x1b, 't', cp ? cp->n : 0}; /* ESC t n: code page */
	const uint8_t cut[] = {0x1d, 'V', 66, 3};           /* GS V 66 n: feed, cut */
	g_autoptr(GDateTime) when = NULL;
	g_autofree char *stamp = NULL;

	if (!cp || t->width < 1)
		return -EINVAL;
	put(out, init, sizeof(init));
	if (!cp->none)
		put(out, page, sizeof(page));
	if (t->font_b)
		put_font(out, true, t->width);
	put_align(out, 1);
	if (t->test) {
		put_bold(out, 1);
		put_wrapped(out, cp, catalog_text(cat, lang, "ticket.test"));
		put_bold(out, 0);
	}
	if (t->header && *t->header) {
		g_autofree char *header = header_part(t->header, lang);

		put_bold(out, 1);
		put_wrapped(out, cp, header);
		put_bold(out, 0);
	}
	put_line(out, cp, "");
	put_size(out, service_size(t->service, t->width));
	put_wrapped(out, cp, t->service);
	/* The number in font A whatever the body's font: it is read from afar. */
	if (t->font_b)
		put_font(out, false, font_a);
	put_size(out, code_size(t->code, dots));
	put_wrapped(out, cp, t->code);
	put_size(out, 0x00);
	if (t->font_b)
		put_font(out, true, t->width);
	put_line(out, cp, "");
	if (t->ahead == 0) {
		put_wrapped(out, cp, catalog_text(cat, lang, "ticket.next"));
	} else if (t->ahead > 0) {
		g_autofree char *n = g_strdup_printf("%d", t->ahead);
		g_autofree char *s = catalog_format(cat, lang, "ticket.ahead", "n", n, NULL);

		put_wrapped(out, cp, s);
	}
	if (t->ahead > 0 && t->wait_s > 0) {
		g_autofree char *min = g_strdup_printf("%d", (t->wait_s + 59) / 60);
		g_autofree char *s = catalog_format(cat, lang, "ticket.wait", "min", min, NULL);

		put_wrapped(out, cp, s);
	}
	/* From UTC into the site's zone, loaded once (desk.c): GLib 2.74
	 * reads the system's zone afresh at every "local" time when TZ is
	 * not set, a stat, a readlink and a file on each ticket. */
	when = g_date_time_new_from_unix_utc(t->issued_at);
	if (when) {
		g_autoptr(GDateTime) local =
		    t->tz ? g_date_time_to_timezone(when, t->tz) : g_date_time_to_local(when);

		if (local)
			stamp = g_date_time_format(local, "%d.%m.%Y %H:%M");
	}
	put_line(out, cp, stamp ? stamp : "");
	for (const char *const *l = t->lines; l && *l; l++)
		put_wrapped(out, cp, *l);
	if (t->url && *t->url) {
		put_line(out, cp, "");
		put_wrapped(out, cp, catalog_text(cat, lang, "ticket.follow"));
		put_qr(out, t->url);
		put_wrapped(out, cp, url_words(t->url));
	}
	if (t->footer && *t->footer) {
		put_line(out, cp, "");
		put_wrapped(out, cp, t->footer);
	}
	put(out, cut, sizeof(cut));
	return 0;
}
