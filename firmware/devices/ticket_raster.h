/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ticket_raster: text the printer's code page cannot carry (Arabic,
 * Cyrillic, Northern Sámi's ŋ đ ŧ …) as a 1-bit picture in ESC/POS
 * "GS v 0", laid out by pango (harfbuzz shaping: Arabic joined, and right to
 * left because the base direction comes from the text itself).
 *
 * The font is DejaVu Sans (Debian's fonts-dejavu-core, 3 MB installed, which
 * the kiosk's browser already needs): it covers Latin with Sámi, Cyrillic
 * and Arabic.  fonts-noto-core would add scripts but is 42 MB on the board;
 * fontconfig falls back to any other installed font for a letter DejaVu
 * lacks.
 *
 * A picture costs: 576 dots are 72 bytes a row, ~1.5 KB a text line, and a
 * thermal printer's serial line takes ~0.1 s for that at 115200 baud (~0.8 s
 * at 19200).  So only what needs it is rastered (ticket_layout decides), the
 * picture spans the paper (ESC a does not apply to it: alignment is drawn
 * in) and blank rows above and below the ink are fed (ESC J n, n dots: the
 * default vertical motion unit of the 203-dpi printers we know; a printer
 * whose unit differs only spaces lines a little differently) rather than
 * sent.
 *
 * Threads: a struct ticket_raster is one pango font map and context, used by
 * one thread at a time.  The fonts are read at its first picture (~10 ms,
 * against a second or more of the printer's line for a ticket with
 * pictures) and let go by ticket_raster_release(): a site that never prints
 * a picture never pays the ~6 MB that pango, harfbuzz, cairo and the fonts
 * take once used.  Pure otherwise: no I/O but the fonts.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

struct ticket_raster;

struct ticket_raster_style {
	int width_dots; /* the paper: 576 dots on 80 mm, 384 on 58 mm */
	int line_dots;  /* the text's cell height: 24 font A, 17 font B; 0 is 24 */
	int scale;      /* line height × scale: 1 the cell's, 2 as GS ! 0x11 */
	bool bold;
	bool centre; /* else the start side of the text: left, or right for Arabic */
};

/* Cheap: the fonts are read at the first picture.  Never NULL. */
struct ticket_raster *ticket_raster_new(void);
void ticket_raster_free(struct ticket_raster *r);
/* Whether the fonts are in memory (a picture was drawn since the last
 * release); ticket_raster_release() lets them go until the next one. */
bool ticket_raster_loaded(const struct ticket_raster *r);
void ticket_raster_release(struct ticket_raster *r);
typedef struct ticket_raster TicketRaster; /* for g_autoptr */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TicketRaster, ticket_raster_free)

/* Appends @utf8 (one paragraph, wrapped to the paper's width) as GS v 0
 * bands with ESC J feeds for the blank rows cropped off.  Returns the bytes
 * appended, or -EINVAL (bad style or no valid UTF-8), -ENOMEM, -ENOENT (Pango
 * could not be loaded: render_lib.h). */
int ticket_raster_render(struct ticket_raster *r, const char *utf8,
			 const struct ticket_raster_style *style, GByteArray *out);
