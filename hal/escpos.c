/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * escpos: code pages, and the sim printer's PNG renderer (see escpos.h).
 *
 * The renderer walks the byte stream once, keeping the print mode (ESC a
 * alignment, ESC E bold, ESC M font, GS ! size, ESC t code page) and a line buffer that
 * LF prints; GS ( k stores and prints a QR code, drawn through libqrencode;
 * GS v 0 raster pictures are drawn dot for dot and ESC J feeds by dots.
 * Commands it does not know are skipped by their usual length so that the
 * picture degrades instead of stopping.
 */

#include "escpos.h"

#include <cairo.h>
#include <errno.h>
#include <glib.h>
#include <qrencode.h>
#include <string.h>

#include "render_lib.h"

#define RENDER_MAX_HEIGHT 6000
#define RENDER_CELL_H     24 /* font A: 12 × 24 dots */
#define RENDER_CELL_H_B   17 /* font B: 9 × 17 */
#define RENDER_MARGIN     16

struct render {
	cairo_t *cr;
	int width; /* dots */
	double y;
	int align; /* 0 left, 1 centre, 2 right */
	int bold;
	int font_b;
	int module; /* QR module, dots (GS ( k fn 67) */
	int wmul, hmul;
	const struct escpos_codepage *cp;
	GByteArray *line;
	GByteArray *qr;
};

static void render_flush_line(struct render *r)
{
	g_autofree char *utf8 = NULL;
	cairo_text_extents_t ext;
	double h = (r->font_b ? RENDER_CELL_H_B : RENDER_CELL_H) * r->hmul, x;

	/* An empty line has no data yet (NULL until the first byte). */
	if (r->line->len)
		utf8 = g_convert((const char *)r->line->data, r->line->len, "UTF-8",
				 r->cp ? r->cp->iconv : "CP437", NULL, NULL, NULL);
	g_byte_array_set_size(r->line, 0);
	if (!utf8 || !*utf8) {
		r->y += h;
		return;
	}
	render_lib()->cairo_select_font_face(r->cr, "monospace", CAIRO_FONT_SLANT_NORMAL,
					     r->bold ? CAIRO_FONT_WEIGHT_BOLD
						     : CAIRO_FONT_WEIGHT_NORMAL);
	render_lib()->cairo_save(r->cr);
	/* Monospace at 20 is ~12 dots a character (font A), at 15 ~9 (font B). */
	render_lib()->cairo_set_font_size(r->cr, r->font_b ? 15.0 : 20.0);
	render_lib()->cairo_text_extents(r->cr, utf8, &ext);
	x = r->align == 1   ? (r->width - ext.x_advance * r->wmul) / 2
	    : r->align == 2 ? r->width - RENDER_MARGIN - ext.x_advance * r->wmul
			    : RENDER_MARGIN;
	render_lib()->cairo_translate(r->cr, x < 0 ? 0 : x,
				      r->y + h - (r->font_b ? 4.0 : 5.0) * r->hmul);
	render_lib()->cairo_scale(r->cr, r->wmul, r->hmul);
	render_lib()->cairo_move_to(r->cr, 0, 0);
	render_lib()->cairo_show_text(r->cr, utf8);
	render_lib()->cairo_restore(r->cr);
	r->y += h;
}

static void render_qr(struct render *r)
{
	g_autofree char *text = g_strndup((const char *)r->qr->data, r->qr->len);
	QRcode *code = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	const double m = r->module; /* module size, as the layout asks */
	double x0;

	if (!code)
		return;
	x0 = r->align == 1 ? (r->width - code->width * m) / 2 : RENDER_MARGIN;
	for (int yy = 0; yy < code->width; yy++)
		for (int xx = 0; xx < code->width; xx++)
			if (code->data[yy * code->width + xx] & 1)
				render_lib()->cairo_rectangle(r->cr, x0 + xx * m, r->y + yy * m, m,
							      m);
	render_lib()->cairo_fill(r->cr);
	r->y += code->width * m;
	QRcode_free(code);
}

/* GS v 0 m xL xH yL yH d…: a raster picture, MSB the leftmost dot.  @p
 * points at GS; returns the bytes the command takes. */
static size_t render_gs_v0(struct render *r, const uint8_t *p, size_t left)
{
	size_t w, h;

	if (left < 8)
		return left;
	w = p[4] | (size_t)p[5] << 8;
	h = p[6] | (size_t)p[7] << 8;
	if (8 + w * h > left)
		return left;
	for (size_t y = 0; y < h && r->y + (double)y < RENDER_MAX_HEIGHT; y++)
		for (size_t x = 0; x < w * 8 && x < (size_t)r->width; x++)
			if (p[8 + y * w + x / 8] & (0x80 >> (x % 8)))
				render_lib()->cairo_rectangle(r->cr, (double)x, r->y + (double)y, 1,
							      1);
	render_lib()->cairo_fill(r->cr);
	r->y += (double)h;
	return 8 + w * h;
}

/* GS ( k pL pH cn fn …: store (fn 80) or print (fn 81) the QR symbol.  @p
 * points at GS; returns the bytes the command takes. */
static size_t render_gs_k(struct render *r, const uint8_t *p, size_t left)
{
	size_t len;

	if (left < 5)
		return left;
	len = p[3] | (size_t)p[4] << 8;
	if (5 + len > left)
		return left;
	if (len >= 3 && p[5] == 49 && p[6] == 80) {
		g_byte_array_set_size(r->qr, 0);
		g_byte_array_append(r->qr, p + 8, (guint)(len - 3));
	} else if (len == 3 && p[5] == 49 && p[6] == 67) {
		r->module = CLAMP(p[7], 1, 16);
	} else if (len >= 3 && p[5] == 49 && p[6] == 81) {
		render_qr(r);
	}
	return 5 + len;
}

static void render_walk(struct render *r, const uint8_t *p, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint8_t c = p[i];
		size_t left = len - i;

		if (c == '\n') {
			render_flush_line(r);
			i++;
		} else if (c == 0x1b && left >= 2) {
			uint8_t n = left >= 3 ? p[i + 2] : 0;

			switch (p[i + 1]) {
			case '@':
				r->align = r->bold = r->font_b = 0;
				r->wmul = r->hmul = 1;
				i += 2;
				continue;
			case 'a':
				r->align = n > 2 ? n - '0' : n;
				break;
			case 'E':
				r->bold = n & 1;
				break;
			case 'M':
				r->font_b = n & 1; /* 0 or '0' font A, 1 or '1' font B */
				break;
			case 't':
				r->cp = escpos_codepage_by_n(n);
				break;
			case 'd':
				r->y += (r->font_b ? RENDER_CELL_H_B : RENDER_CELL_H) * n;
				break;
			case 'J':
				if (r->line->len)
					render_flush_line(r);
				r->y += n;
				break;
			default:
				break;
			}
			i += 3;
		} else if (c == 0x1d && left >= 2) {
			switch (p[i + 1]) {
			case '!':
				if (left >= 3) {
					r->wmul = ((p[i + 2] >> 4) & 7) + 1;
					r->hmul = (p[i + 2] & 7) + 1;
				}
				i += 3;
				break;
			case '(':
				i += render_gs_k(r, p + i, left);
				break;
			case 'v':
				i += render_gs_v0(r, p + i, left);
				break;
			case 'V':
				i += left >= 3 && p[i + 2] >= 65 ? 4 : 3;
				r->y += RENDER_CELL_H;
				break;
			default:
				i += 3;
				break;
			}
		} else if (c == 0x10 && left >= 3) {
			i += 3; /* DLE EOT n: a status query, nothing printed */
		} else {
			if (c >= 0x20)
				g_byte_array_append(r->line, &c, 1);
			i++;
		}
		if (r->y > RENDER_MAX_HEIGHT - 400)
			break;
	}
	if (r->line->len)
		render_flush_line(r);
}

int escpos_render_png(const uint8_t *data, size_t len, int width_dots, const char *png_path)
{
	int width = width_dots > 0 ? width_dots : ESCPOS_DOTS_80MM;
	cairo_surface_t *tall, *out;
	struct render r = {.width = width, .wmul = 1, .hmul = 1, .y = RENDER_MARGIN, .module = 6};
	cairo_t *cr;
	cairo_status_t st;
	const char *why;

	if (!render_lib_open(&why)) {
		g_warning("ticket PNG: %s; install libcairo2", why);
		return -ENOENT;
	}
	tall =
	    render_lib()->cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, RENDER_MAX_HEIGHT);
	r.cr = render_lib()->cairo_create(tall);
	render_lib()->cairo_set_source_rgb(r.cr, 1, 1, 1);
	render_lib()->cairo_paint(r.cr);
	render_lib()->cairo_set_source_rgb(r.cr, 0, 0, 0);
	r.line = g_byte_array_new();
	r.qr = g_byte_array_new();
	r.cp = escpos_codepage_by_n(0);
	render_walk(&r, data, len);
	g_byte_array_unref(r.line);
	g_byte_array_unref(r.qr);
	render_lib()->cairo_destroy(r.cr);

	out = render_lib()->cairo_image_surface_create(CAIRO_FORMAT_RGB24, width,
						       (int)r.y + RENDER_MARGIN);
	cr = render_lib()->cairo_create(out);
	render_lib()->cairo_set_source_surface(cr, tall, 0, 0);
	render_lib()->cairo_paint(cr);
	render_lib()->cairo_destroy(cr);
	st = render_lib()->cairo_surface_write_to_png(out, png_path);
	render_lib()->cairo_surface_destroy(out);
	render_lib()->cairo_surface_destroy(tall);
	return st == CAIRO_STATUS_SUCCESS ? 0 : -EIO;
}
