/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * escpos: what both ends of the ticket printer share — the code pages we
 * print in (ESC t n and the iconv name) — and the sim printer's renderer,
 * which turns the ESC/POS subset vuoro sends into a PNG a person can look at.
 * The renderer is for eyes, not a test oracle: tests read the bytes with an
 * independent decoder (tests/escpos/decode.js).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct escpos_codepage {
	const char *name;  /* board-config: "cp858" */
	const char *iconv; /* "CP858"; "ASCII" for none */
	uint8_t n;         /* ESC t n */
	bool none;         /* a printer without a page we know: no ESC t, ASCII as text and
			    * every other letter a picture */
};

/* By board-config name (case-insensitive) or by ESC t n; NULL when unknown. */
const struct escpos_codepage *escpos_codepage_find(const char *name);
const struct escpos_codepage *escpos_codepage_by_n(uint8_t n);
/* "cp437, cp850, …" for error messages. */
const char *escpos_codepage_names(void);

/* The paper widths vuoro lays tickets out for, in dots of a 203-dpi head. */
#define ESCPOS_DOTS_80MM 576
#define ESCPOS_DOTS_58MM 384

/* Renders one ticket's bytes (ESC @ … GS V) as a PNG @width_dots wide
 * (ESCPOS_DOTS_80MM or _58MM; 0 is 80 mm).  Returns 0 or -errno (-EIO:
 * cairo could not write; -ENOENT: cairo could not be loaded, render_lib.h). */
int escpos_render_png(const uint8_t *data, size_t len, int width_dots, const char *png_path);
