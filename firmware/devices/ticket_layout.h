/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ticket_layout: the bytes of one printed ticket, in ESC/POS.
 *
 * Header (of a "fi / sv / en" name the ticket language's part, else the
 * first), the service in the citizen's language, the number large (GS !),
 * the labels in that language from the catalog (ticket.*),
 * people ahead and the estimated wait, date and time, a QR code (GS ( k) of
 * the follow URL with a quiet zone fed above and below (ESC J) and the URL in
 * words under it ("jono.example.fi/t/3f9a2c": people type it when a phone
 * cannot scan, and the follow page's "not found" asks them to check it),
 * a footer, a cut (GS V).  Text is UTF-8 in and the
 * printer's code page out (ESC t n, iconv).  A line (or a paragraph) the
 * code page cannot carry whole is printed as a picture (GS v 0,
 * ticket_raster) when a raster is given, else with "?" for each letter it
 * lacks; a line the code page carries is text either way, byte for byte.
 * Pure: no I/O.
 */
#pragma once

#include <glib.h>
#include <stdint.h>

#include "catalog.h"
#include "escpos.h"
#include "ticket_raster.h"

struct ticket_layout {
	const struct escpos_codepage *codepage;
	int width;                     /* characters per line in font A: 48 on 80 mm, 32 on 58 mm */
	const char *header;            /* the service point's name: "fi / sv / en" or one */
	const char *service;           /* in the citizen's language */
	const char *code;              /* "A012" */
	const struct catalog *catalog; /* the labels' words */
	int lang;                      /* the citizen's: an index into the catalog */
	int ahead;                     /* -1: unknown, left out */
	int wait_s;
	int64_t issued_at; /* unix seconds */
	GTimeZone *tz;
	const char *url;              /* follow URL for the QR code; NULL: no code */
	const char *footer;           /* may be NULL */
	gboolean test;                /* a technician's test ticket: says so */
	const char *const *lines;     /* NULL-terminated paragraphs after the date; may be NULL */
	struct ticket_raster *raster; /* NULL: code page only */
};

/* Appends the ticket to @out.  Returns 0, or -EINVAL (no code page). */
int ticket_layout_render(const struct ticket_layout *t, GByteArray *out);
