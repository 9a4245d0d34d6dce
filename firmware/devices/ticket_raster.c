/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ticket_raster: see ticket_raster.h.  Pango lays the paragraph out on an
 * 8-bit alpha surface as wide as the paper; each pixel at half coverage or
 * more is a black dot.  The rows between the first and the last inked one
 * go out as GS v 0 m xL xH yL yH d… (Epson: raster bit image, MSB the
 * leftmost dot, 1 black) in bands of at most RASTER_BAND rows, for printers
 * with small receive buffers; ESC J n (print and feed n dots) stands for the
 * blank rows around them, so that line pitch stays as laid out.
 */

#include "ticket_raster.h"

#include <errno.h>
#include <string.h>

#include "render_lib.h"

#define RASTER_FONT      "DejaVu Sans"
#define RASTER_FONT_DIR  "/usr/share/fonts/truetype/dejavu" /* fonts-dejavu-core */
#define RASTER_LINE_DOTS 24                                 /* font A's cell height */
/* DejaVu Sans' line is ~1.16 em: 20 px fills font A's 24 dots. */
#define RASTER_FONT_PX  20
#define RASTER_BAND     255
#define RASTER_MAX_ROWS 4000 /* ~50 cm of paper: text that long is a mistake */
#define RASTER_MAX_DOTS 2048

struct ticket_raster {
	PangoFontMap *fonts;
	PangoContext *context;
};

/* Only DejaVu Sans, Debian's fonts-dejavu-core: a fontconfig of our own
 * that knows these two files reads no system configuration and no font
 * caches (the system's cost vuorod ~3 MB of heap), and prints the same
 * whatever else the board has installed.  Either file missing: the
 * system's fontconfig, which finds another font. */
static FcConfig *raster_fontconfig(void)
{
	static const char *const files[] = {RASTER_FONT_DIR "/DejaVuSans.ttf",
					    RASTER_FONT_DIR "/DejaVuSans-Bold.ttf"};
	FcConfig *fc = render_lib()->FcConfigCreate();

	for (size_t i = 0; fc && i < G_N_ELEMENTS(files); i++) {
		if (!render_lib()->FcConfigAppFontAddFile(fc, (const FcChar8 *)files[i])) {
			g_warning("ticket pictures: %s is missing (install fonts-dejavu-core); "
				  "using the system's fonts",
				  files[i]);
			render_lib()->FcConfigDestroy(fc);
			return NULL;
		}
	}
	return fc;
}

/* The font map and context, made at the first picture after a release. */
static void raster_load(struct ticket_raster *r)
{
	cairo_font_options_t *opts;
	FcConfig *fc;

	if (r->context)
		return;
	/* A font map of our own, not the thread's default: its lifetime is
	 * ours, and whichever thread holds @r may use it. */
	r->fonts = render_lib()->pango_cairo_font_map_new();
	fc = raster_fontconfig();
	/* PANGO_IS_FC_FONT_MAP, through the table: pango is not linked. */
	if (fc &&
	    G_TYPE_CHECK_INSTANCE_TYPE(r->fonts, render_lib()->pango_fc_font_map_get_type())) {
		render_lib()->pango_fc_font_map_set_config((PangoFcFontMap *)r->fonts, fc);
		render_lib()->FcConfigDestroy(fc); /* the font map holds it */
	} else if (fc) {
		render_lib()->FcConfigDestroy(fc);
	}
	r->context = render_lib()->pango_font_map_create_context(r->fonts);
	/* Outlines as drawn, not nudged to a screen's pixel grid; the metrics
	 * unrounded so that a line is as long on paper as pango measured. */
	opts = render_lib()->cairo_font_options_create();
	render_lib()->cairo_font_options_set_antialias(opts, CAIRO_ANTIALIAS_GRAY);
	render_lib()->cairo_font_options_set_hint_style(opts, CAIRO_HINT_STYLE_SLIGHT);
	render_lib()->cairo_font_options_set_hint_metrics(opts, CAIRO_HINT_METRICS_OFF);
	render_lib()->pango_cairo_context_set_font_options(r->context, opts);
	render_lib()->pango_cairo_context_set_resolution(r->context, 72.0); /* points are dots */
	render_lib()->cairo_font_options_destroy(opts);
}

struct ticket_raster *ticket_raster_new(void)
{
	return g_new0(struct ticket_raster, 1);
}

bool ticket_raster_loaded(const struct ticket_raster *r)
{
	return r && r->context;
}

void ticket_raster_release(struct ticket_raster *r)
{
	if (!r)
		return;
	g_clear_object(&r->context);
	g_clear_object(&r->fonts);
}

void ticket_raster_free(struct ticket_raster *r)
{
	ticket_raster_release(r);
	g_free(r);
}

static PangoLayout *raster_layout(struct ticket_raster *r, const char *utf8,
				  const struct ticket_raster_style *style)
{
	int line = style->line_dots > 0 ? style->line_dots : RASTER_LINE_DOTS;
	PangoFontDescription *font;
	PangoLayout *layout;

	raster_load(r);
	layout = render_lib()->pango_layout_new(r->context);
	font = render_lib()->pango_font_description_from_string(RASTER_FONT);
	render_lib()->pango_font_description_set_absolute_size(
	    font, (double)RASTER_FONT_PX * line / RASTER_LINE_DOTS * style->scale * PANGO_SCALE);
	render_lib()->pango_font_description_set_weight(font, style->bold ? PANGO_WEIGHT_BOLD
									  : PANGO_WEIGHT_NORMAL);
	render_lib()->pango_layout_set_font_description(layout, font);
	render_lib()->pango_font_description_free(font);
	render_lib()->pango_layout_set_width(layout, style->width_dots * PANGO_SCALE);
	render_lib()->pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
	/* Left means the text's start side: an Arabic paragraph (auto-dir,
	 * pango's default) goes to the right edge. */
	render_lib()->pango_layout_set_alignment(layout, style->centre ? PANGO_ALIGN_CENTER
								       : PANGO_ALIGN_LEFT);
	render_lib()->pango_layout_set_text(layout, utf8, -1);
	return layout;
}

static void put_feed(GByteArray *out, int dots)
{
	while (dots > 0) {
		uint8_t n = (uint8_t)MIN(dots, 255);
		const uint8_t cmd[] = {0x1b, 'J', n}; /* ESC J n: print and feed n dots */

		g_byte_array_append(out, cmd, sizeof(cmd));
		dots -= n;
	}
}

/* Rows [@top, @bottom) of the alpha surface as GS v 0 bands. */
static void put_bands(GByteArray *out, const uint8_t *px, int stride, int width, int top,
		      int bottom)
{
	int row_bytes = (width + 7) / 8;

	for (int y0 = top; y0 < bottom; y0 += RASTER_BAND) {
		int rows = MIN(RASTER_BAND, bottom - y0);
		const uint8_t head[] = {0x1d,
					'v',
					'0',
					0, /* m: normal density */
					(uint8_t)(row_bytes & 0xff),
					(uint8_t)(row_bytes >> 8),
					(uint8_t)(rows & 0xff),
					(uint8_t)(rows >> 8)};
		guint at;

		g_byte_array_append(out, head, sizeof(head));
		at = out->len;
		g_byte_array_set_size(out, at + (guint)(row_bytes * rows));
		memset(out->data + at, 0, (size_t)row_bytes * (size_t)rows);
		for (int y = 0; y < rows; y++) {
			const uint8_t *src = px + (size_t)(y0 + y) * (size_t)stride;
			uint8_t *dst = out->data + at + (size_t)y * (size_t)row_bytes;

			for (int x = 0; x < width; x++)
				if (src[x] >= 128)
					dst[x / 8] |= (uint8_t)(0x80 >> (x % 8));
		}
	}
}

static bool row_blank(const uint8_t *row, int width)
{
	for (int x = 0; x < width; x++)
		if (row[x] >= 128)
			return false;
	return true;
}

int ticket_raster_render(struct ticket_raster *r, const char *utf8,
			 const struct ticket_raster_style *style, GByteArray *out)
{
	g_autoptr(PangoLayout) layout = NULL;
	const char *why;
	cairo_surface_t *surface;
	cairo_t *cr;
	const uint8_t *px;
	int width, height, stride, top, bottom, rc;
	guint start = out->len;

	if (!r || !utf8 || !style || style->width_dots < 8 || style->width_dots > RASTER_MAX_DOTS ||
	    style->scale < 1 || style->scale > 8 || style->line_dots < 0 || style->line_dots > 64 ||
	    !g_utf8_validate(utf8, -1, NULL))
		return -EINVAL;
	if (!render_lib_open(&why)) {
		g_warning("ticket pictures: %s; install libpangocairo-1.0-0", why);
		return -ENOENT;
	}
	layout = raster_layout(r, utf8, style);
	render_lib()->pango_layout_get_pixel_size(layout, NULL, &height);
	width = style->width_dots;
	height = CLAMP(height, 1, RASTER_MAX_ROWS);
	surface = render_lib()->cairo_image_surface_create(CAIRO_FORMAT_A8, width, height);
	if (render_lib()->cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
		rc = -ENOMEM;
		goto out_surface;
	}
	cr = render_lib()->cairo_create(surface);
	render_lib()->pango_cairo_update_layout(cr, layout);
	render_lib()->pango_cairo_show_layout(cr, layout);
	render_lib()->cairo_destroy(cr);
	render_lib()->cairo_surface_flush(surface);

	px = render_lib()->cairo_image_surface_get_data(surface);
	stride = render_lib()->cairo_image_surface_get_stride(surface);
	for (top = 0; top < height && row_blank(px + (size_t)top * (size_t)stride, width); top++)
		;
	for (bottom = height;
	     bottom > top && row_blank(px + (size_t)(bottom - 1) * (size_t)stride, width); bottom--)
		;
	if (top == bottom) {
		put_feed(out, height); /* only spaces: the line's height, blank */
	} else {
		put_feed(out, top);
		put_bands(out, px, stride, width, top, bottom);
		put_feed(out, height - bottom);
	}
	rc = (int)(out->len - start);
out_surface:
	render_lib()->cairo_surface_destroy(surface);
	return rc;
}
