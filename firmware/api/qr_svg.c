/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * qr_svg: see qr_svg.h.
 */
#include "qr_svg.h"

#include <errno.h>
#include <gio/gio.h>
#include <qrencode.h>
#include <string.h>

#define QR_QUIET 4

char *qr_svg(const char *text, GError **error)
{
	QRcode *qr;
	GString *svg;
	int size;

	if (!text || !*text || strlen(text) > QR_SVG_MAX_TEXT) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "give text of 1 to %d bytes", QR_SVG_MAX_TEXT);
		return NULL;
	}
	qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
	if (!qr) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot make the QR code: %s",
			    g_strerror(errno));
		return NULL;
	}
	size = qr->width + 2 * QR_QUIET;
	svg = g_string_new(NULL);
	g_string_append_printf(svg,
			       "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
			       "shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\" "
			       "fill=\"#fff\"/><path fill=\"#000\" d=\"",
			       size, size, size, size);
	for (int y = 0; y < qr->width; y++)
		for (int x = 0; x < qr->width; x++)
			if (qr->data[y * qr->width + x] & 1) /* bit 0: a dark module */
				g_string_append_printf(svg, "M%d %dh1v1h-1z", x + QR_QUIET,
						       y + QR_QUIET);
	g_string_append(svg, "\"/></svg>\n");
	QRcode_free(qr);
	return g_string_free(svg, FALSE);
}
