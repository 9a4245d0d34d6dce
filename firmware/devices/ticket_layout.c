/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ticket_layout: see ticket_layout.h.  The commands are Epson's ESC/POS as
 * every kiosk printer we know implements it; each is named where it is sent.
 */

#include "ticket_layout.h"

#include <errno.h>
#include <string.h>

#include "config.h"

static void put(GByteArray *out, const void *bytes, size_t n)
{
	g_byte_array_append(out, bytes, (guint)n);
}

/* UTF-8 → the code page; control characters dropped, unknown letters "?". */
static void put_text(GByteArray *out, const struct escpos_codepage *cp, const char *utf8)
{
	g_autofree char *clean = g_strdup(utf8 ? utf8 : "");
	g_autofree char *bytes = NULL;
	gsize len = 0;

	for (char *c = clean; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	bytes = g_convert_with_fallback(clean, -1, cp->iconv, "UTF-8", "?", NULL, &len, NULL);
	if (bytes)
		put(out, bytes, len);
}

static void put_line(GByteArray *out, const struct escpos_codepage *cp, const char *utf8)
{
	put_text(out, cp, utf8);
	put(out, "\n", 1); /* LF: print and feed one line */
}

/* Word-wraps @utf8 to @width characters a line, as the printer would not. */
static void put_wrapped(GByteArray *out, const struct escpos_codepage *cp, const char *utf8,
			int width)
{
	g_auto(GStrv) words = g_strsplit(utf8, " ", -1);
	GString *line = g_string_new(NULL);

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

static void put_align(GByteArray *out, uint8_t n)
{
	const uint8_t cmd[] = {0x1b, 'a', n}; /* ESC a n: 0 left, 1 centre */

	put(out, cmd, sizeof(cmd));
}

static void put_size(GByteArray *out, uint8_t n)
{
	const uint8_t cmd[] = {0x1d, '!', n}; /* GS ! n: width × (n>>4)+1, height × (n&7)+1 */

	put(out, cmd, sizeof(cmd));
}

static void put_bold(GByteArray *out, uint8_t on)
{
	const uint8_t cmd[] = {0x1b, 'E', on}; /* ESC E n */

	put(out, cmd, sizeof(cmd));
}

/* GS ( k, QR code model 2: model, module size, error correction, store, print. */
static void put_qr(GByteArray *out, const char *data)
{
	size_t len = strlen(data) + 3;
	const uint8_t model[] = {0x1d, '(', 'k', 4, 0, 49, 65, 50, 0};
	const uint8_t size[] = {0x1d, '(', 'k', 3, 0, 49, 67, 6};
	const uint8_t ec[] = {0x1d, '(', 'k', 3, 0, 49, 69, 49}; /* level M */
	const uint8_t store[] = {0x1d, '(', 'k', (uint8_t)(len & 0xff), (uint8_t)(len >> 8),
				 49,   80,  48};
	const uint8_t print[] = {0x1d, '(', 'k', 3, 0, 49, 81, 48};

	put(out, model, sizeof(model));
	put(out, size, sizeof(size));
	put(out, ec, sizeof(ec));
	put(out, store, sizeof(store));
	put(out, data, strlen(data));
	put(out, print, sizeof(print));
}

int ticket_layout_render(const struct ticket_layout *t, GByteArray *out)
{
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
		put_bold(out, 1);
		put_wrapped(out, cp, t->header, t->width);
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
	if (t->url && *t->url) {
		put_line(out, cp, "");
		put_line(out, cp, catalog_text(cat, lang, "ticket.follow"));
		put_qr(out, t->url);
		put_line(out, cp, "");
	}
	if (t->footer && *t->footer) {
		put_line(out, cp, "");
		put_wrapped(out, cp, t->footer, t->width);
	}
	put(out, cut, sizeof(cut));
	return 0;
}
