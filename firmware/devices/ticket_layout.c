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
	int width;
	uint8_t align, size;
	bool bold;
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

/* UTF-8 → the code page; control characters dropped, unknown letters "?". */
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
 * mode (pango wraps it).  False: print it as text (it fits the code page,
 * there is no raster, or the picture failed). */
static bool put_raster(struct out *out, const struct escpos_codepage *cp, const char *utf8)
{
	g_autofree char *clean = printable(utf8);
	g_autofree char *bytes = NULL;
	struct ticket_raster_style style = {
	    .width_dots = out->width * 12, /* font A: 12 dots a character */
	    .scale = (out->size & 7) + 1,
	    .bold = out->bold,
	    .centre = out->align == 1,
	};

	if (!out->raster || !*clean)
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

/* Word-wraps @utf8 to @width characters a line, as the printer would not. */
static void put_wrapped(struct out *out, const struct escpos_codepage *cp, const char *utf8,
			int width)
{
	g_auto(GStrv) words = NULL;
	GString *line;

	if (put_raster(out, cp, utf8))
		return;
	words = g_strsplit(utf8, " ", -1);
	line = g_string_new(NULL);
	for (char **w = words; *w; w++) {
		long add = g_utf8_strlen(*w, -1);

		if (line->len && g_utf8_strlen(line->str, -1) + 1 + add > width) {
			put_line(out, cp, line->str);
			g_string_truncate(line, 0);
		}
		if (line->len)
			g_string_append_c(line, ' ');
		g_string_append(line, *w);
	}
	if (line->len)
		put_line(out, cp, line->str);
	g_string_free(line, TRUE);
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
 * and 28 mm with the quiet zone, which fits 58 mm paper too. */
#define QR_MODULE 6
#define QR_QUIET  4

static void put_qr(struct out *out, const char *data)
{
	size_t len = strlen(data) + 3;
	const uint8_t model[] = {0x1d, '(', 'k', 4, 0, 49, 65, 50, 0};
	const uint8_t size[] = {0x1d, '(', 'k', 3, 0, 49, 67, QR_MODULE};
	const uint8_t ec[] = {0x1d, '(', 'k', 3, 0, 49, 69, 49}; /* level M */
	const uint8_t store[] = {0x1d, '(', 'k', (uint8_t)(len & 0xff), (uint8_t)(len >> 8),
				 49,   80,  48};
	const uint8_t print[] = {0x1d, '(', 'k', 3, 0, 49, 81, 48};

	put(out, model, sizeof(model));
	put(out, size, sizeof(size));
	put(out, ec, sizeof(ec));
	put(out, store, sizeof(store));
	put(out, data, strlen(data));
	put_feed(out, QR_QUIET * QR_MODULE);
	put(out, print, sizeof(print));
	put_feed(out, QR_QUIET * QR_MODULE);
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

int ticket_layout_render(const struct ticket_layout *t, GByteArray *bytes)
{
	struct out o = {.bytes = bytes, .raster = t->raster, .width = t->width}, *out = &o;
	const struct escpos_codepage *cp = t->codepage;
	const struct catalog *cat = t->catalog;
	int lang = t->lang;
	const uint8_t init[] = {0x1b, '@'};                 /* ESC @: initialise */
	const uint8_t page[] = {0x1b, 't', cp ? cp->n : 0}; /* ESC t n: code page */
	const uint8_t cut[] = {0x1d, 'V', 66, 3};           /* GS V 66 n: feed, cut */
	g_autoptr(GDateTime) when = NULL;
	g_autofree char *stamp = NULL;

	if (!cp)
		return -EINVAL;
	put(out, init, sizeof(init));
	put(out, page, sizeof(page));
	put_align(out, 1);
	if (t->test) {
		put_bold(out, 1);
		put_line(out, cp, catalog_text(cat, lang, "ticket.test"));
		put_bold(out, 0);
	}
	if (t->header && *t->header) {
		g_autofree char *header = header_part(t->header, lang);

		put_bold(out, 1);
		put_wrapped(out, cp, header, t->width);
		put_bold(out, 0);
	}
	put_line(out, cp, "");
	put_size(out, 0x11);
	put_wrapped(out, cp, t->service, t->width / 2);
	put_size(out, 0x44);
	put_line(out, cp, t->code);
	put_size(out, 0x00);
	put_line(out, cp, "");
	if (t->ahead == 0) {
		put_line(out, cp, catalog_text(cat, lang, "ticket.next"));
	} else if (t->ahead > 0) {
		g_autofree char *n = g_strdup_printf("%d", t->ahead);
		g_autofree char *s = catalog_format(cat, lang, "ticket.ahead", "n", n, NULL);

		put_line(out, cp, s);
	}
	if (t->ahead > 0 && t->wait_s > 0) {
		g_autofree char *min = g_strdup_printf("%d", (t->wait_s + 59) / 60);
		g_autofree char *s = catalog_format(cat, lang, "ticket.wait", "min", min, NULL);

		put_line(out, cp, s);
	}
	when = g_date_time_new_from_unix_local(t->issued_at);
	if (when && t->tz) {
		g_autoptr(GDateTime) local = g_date_time_to_timezone(when, t->tz);

		stamp = g_date_time_format(local, "%d.%m.%Y %H:%M");
	} else if (when) {
		stamp = g_date_time_format(when, "%d.%m.%Y %H:%M");
	}
	put_line(out, cp, stamp ? stamp : "");
	for (const char *const *l = t->lines; l && *l; l++)
		put_wrapped(out, cp, *l, t->width);
	if (t->url && *t->url) {
		put_line(out, cp, "");
		put_line(out, cp, catalog_text(cat, lang, "ticket.follow"));
		put_qr(out, t->url);
		put_line(out, cp, url_words(t->url));
	}
	if (t->footer && *t->footer) {
		put_line(out, cp, "");
		put_wrapped(out, cp, t->footer, t->width);
	}
	put(out, cut, sizeof(cut));
	return 0;
}
