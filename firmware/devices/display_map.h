/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * display_map: what a number display's holding registers mean, and the
 * encoding of a call (or the list of last calls) into one contiguous block of
 * registers that a single FC16 write (write multiple registers) sends.
 *
 * A map is plain data — base address plus fields — because register layouts
 * differ by vendor; the maps we ship live in board-config/displays/NAME.map
 * and a vendor's map replaces them without a rebuild.  Field offsets are
 * relative to the base; the encoded block always starts at the base and
 * covers every field (gaps are written as 0).
 *
 * Encodings: text is ASCII, two characters per register, the first in the
 * high byte (big endian, as Modbus sends registers), padded with spaces;
 * numbers are binary (one register, 0…65535) or BCD (four digits per
 * register, most significant register first).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#define DISPLAY_MAP_MAX_FIELDS 32
#define DISPLAY_MAP_MAX_REGS   123 /* one FC16 frame */
#define DISPLAY_MAP_NAME_MAX   32

enum display_field_kind {
	DISPLAY_FIELD_TEXT,       /* chars of a call: the ticket, or a whole line */
	DISPLAY_FIELD_NUMBER,     /* the ticket's number (A123 → 123) */
	DISPLAY_FIELD_COUNTER,    /* the counter (desk) number */
	DISPLAY_FIELD_BLINK,      /* 1 while the call is fresh, 0 after blink-seconds */
	DISPLAY_FIELD_BRIGHTNESS, /* a constant from the map */
};

enum display_encoding {
	DISPLAY_ENCODING_ASCII, /* text: 2 chars per register, big endian */
	DISPLAY_ENCODING_BINARY,
	DISPLAY_ENCODING_BCD,
};

enum display_text_source {
	DISPLAY_TEXT_TICKET, /* "A123" */
	DISPLAY_TEXT_LINE,   /* "A123      4": ticket left, counter right */
};

struct display_field {
	enum display_field_kind kind;
	enum display_encoding encoding;
	uint16_t offset; /* registers from the map's base */
	uint16_t width;  /* registers (text: chars = 2 × width) */
	uint16_t call;   /* which call: 0 = the latest, 1 = the one before … */
	enum display_text_source source;
	uint16_t value; /* brightness: the value written */
};

struct display_map {
	char name[DISPLAY_MAP_NAME_MAX];
	uint16_t base;
	size_t n_fields;
	struct display_field fields[DISPLAY_MAP_MAX_FIELDS];
};

/* One call as a display shows it. */
struct display_call {
	const char *ticket; /* "A123"; NULL or "" shows blanks */
	unsigned counter;   /* 0 = none */
};

/* Registers the map spans from its base (0 for an empty map). */
size_t display_map_n_regs(const struct display_map *map);
/* How many calls the map shows (1 + the highest field .call). */
size_t display_map_n_calls(const struct display_map *map);
/* The blink register's absolute address; -ENOENT when the map has none. */
int display_map_blink_addr(const struct display_map *map, uint16_t *ret_addr);

/* Checks offsets, widths and overlaps.  Returns 0 or -EINVAL with @error
 * naming the field and what to change. */
int display_map_validate(const struct display_map *map, GError **error);

/* Encodes @calls (latest first; @n_calls may be 0 to blank the display) into
 * @regs.  *@n is the capacity on entry and the register count on return.
 * @blink is what the blink field gets.  Returns 0, -ENOSPC (capacity),
 * -ERANGE (a number does not fit its field) or -EINVAL (bad map). */
int display_map_encode(const struct display_map *map, const struct display_call *calls,
		       size_t n_calls, gboolean blink, uint16_t *regs, size_t *n);

/* The ticket's number: the digits of "A123" → 123; -EINVAL without digits. */
int display_call_number(const struct display_call *call, unsigned *ret_number);

/* Parses a map from the text of a .map file (GKeyFile syntax; see
 * board-config/displays/README).  @origin names the file in errors. */
int display_map_parse(const char *text, size_t len, const char *origin, struct display_map *ret_map,
		      GError **error);
/* Reads and parses a .map file. */
int display_map_load(const char *path, struct display_map *ret_map, GError **error);
