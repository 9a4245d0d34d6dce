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
 * printer's code page out (ESC t n, iconv; no ESC t for the code page
 * "none", whose text is ASCII).
 *
 * Paper: 80 mm (576 dots) or 58 mm (384), in font A (12 dots a character:
 * 48 or 32 columns) or font B (ESC M 1, 9 dots: 64 or 42).  Every text line
 * is wrapped at word boundaries to what fits at its size (a double-width
 * line holds half); a word longer than a whole line is the only thing split.
 * The number is always font A, as large as fits (GS !), and the QR code's
 * module as large as fits the paper with its quiet zone.  A line (or a paragraph) the
 * code page cannot carry whole is printed as a picture (GS v 0,
 * ticket_raster) when a raster is given, else with "?" for each letter it
 * lacks; a line the code page carries is text either way, byte for byte.
 * Pure: no I/O.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "catalog.h"
#include "escpos.h"
#include "ticket_raster.h"

struct ticket_layout {
	const struct escpos_codepage *codepage;
	int width;   /* characters a line: 48 (80 mm) or 32 (58 mm) in font A; 64 or 42 in B */
	int dots;    /* the paper's dots a line: 576 or 384; 0: width × 12 */
	bool font_b; /* the body text in font B (9 × 17 dots) */
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

/* @utf8 as lines of at most @width characters, broken at spaces (runs of
 * them are one); a word longer than @width is cut into pieces of @width,
 * after a "/" where one lies in the second half.  Control characters are
 * spaces.  Never NULL; no lines for blank text. */
char **ticket_layout_wrap(const char *utf8, int width);

/* Appends the ticket to @out.  Returns 0, or -EINVAL (no code page). */
int ticket_layout_render(const struct ticket_layout *t, GByteArray *out);
