/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * display_map: what a number display's holding registers mean, and the
 * encoding of a call (or the list of last calls) into the writes that show
 * it.
 *
 * A map is plain data — base address plus fields — because register layouts
 * differ by vendor; the maps we ship live in board-config/displays/NAME.map
 * and a vendor's map replaces them without a rebuild.  Field offsets are
 * relative to the base.
 *
 * Real displays keep settings here, text there and segments elsewhere, and
 * refuse a write that spans registers they do not have.  So a map's fields
 * fall into blocks: fields that touch (one ends where the next begins) are
 * one block, written in one FC16 (or one FC06 per register when the map, or
 * a field in the block, says write = fc06); a gap starts a new block.  Two frames come out of a
 * map:
 *   - the call frame: text, number, counter and blink fields, written on
 *     every call;
 *   - the settings frame: brightness and setting fields (constants), written
 *     once when the display is first reached and again after it comes back.
 *
 * Encodings: text is ASCII or 7-segment masks (bit 0 = a … bit 6 = g, bit 7
 * = dp), two characters per register (the first in the high byte, big
 * endian as Modbus sends registers) or one (in the low byte), padded with
 * blanks; numbers are binary (one register, 0…65535, or two, high word
 * first) or BCD (four digits per register, most significant register first).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#define DISPLAY_MAP_MAX_FIELDS 32
#define DISPLAY_MAP_MAX_REGS   123 /* one FC16 frame: the longest block */
#define DISPLAY_MAP_MAX_BLOCKS 8   /* blocks in one frame */
#define DISPLAY_MAP_NAME_MAX   32

enum display_field_kind {
	DISPLAY_FIELD_TEXT,       /* chars of a call: the ticket, or a whole line */
	DISPLAY_FIELD_NUMBER,     /* the ticket's number (A123 → 123) */
	DISPLAY_FIELD_COUNTER,    /* the counter (desk) number */
	DISPLAY_FIELD_BLINK,      /* 1 while the call is fresh, 0 after blink-seconds */
	DISPLAY_FIELD_BRIGHTNESS, /* a constant from the map (settings frame) */
	DISPLAY_FIELD_SETTING,    /* any other constant (settings frame) */
};

enum display_encoding {
	DISPLAY_ENCODING_ASCII, /* text: characters as they are */
	DISPLAY_ENCODING_BINARY,
	DISPLAY_ENCODING_BCD,
	DISPLAY_ENCODING_SEGMENTS, /* text: 7-segment masks */
};

enum display_text_source {
	DISPLAY_TEXT_TICKET, /* "A123" */
	DISPLAY_TEXT_LINE,   /* "A123      4": ticket left, counter right */
};

struct display_field {
	enum display_field_kind kind;
	enum display_encoding encoding;
	uint16_t offset; /* registers from the map's base */
	uint16_t width;  /* registers (text: chars = per_reg × width) */
	uint16_t call;   /* which call: 0 = the latest, 1 = the one before … */
	enum display_text_source source;
	uint16_t value;  /* brightness, setting: the value written */
	uint8_t per_reg; /* text: characters per register, 2 (0 means 2) or 1 */
	bool fc06;       /* its block goes as one FC06 per register (write = fc06) */
};

enum display_write {
	DISPLAY_WRITE_FC16, /* a block in one write multiple registers */
	DISPLAY_WRITE_FC06, /* one write single register per register */
};

struct display_map {
	char name[DISPLAY_MAP_NAME_MAX];
	uint16_t base;
	enum display_write write; /* fc06: every block as FC06s */
	bool software_blink;      /* no blink register: the latest call blinks by writes */
	size_t n_fields;
	struct display_field fields[DISPLAY_MAP_MAX_FIELDS];
};

/* Registers written together. */
struct display_block {
	uint16_t addr; /* absolute */
	uint16_t n;
	bool fc06; /* one FC06 per register: the map or one of its fields says so */
	uint16_t regs[DISPLAY_MAP_MAX_REGS];
};

enum display_frame_kind {
	DISPLAY_FRAME_CALL,     /* text, number, counter, blink */
	DISPLAY_FRAME_SETTINGS, /* brightness, setting */
};

/* What one update writes: its blocks, in address order. */
struct display_frame {
	size_t n_blocks; /* 0: nothing to write (a map without settings) */
	struct display_block blocks[DISPLAY_MAP_MAX_BLOCKS];
};

/* One call as a display shows it. */
struct display_call {
	const char *ticket; /* "A123"; NULL or "" shows blanks */
	unsigned counter;   /* 0 = none */
};

/* How many calls the map shows (1 + the highest field .call). */
size_t display_map_n_calls(const struct display_map *map);
/* The blink register's absolute address; -ENOENT when the map has none. */
int display_map_blink_addr(const struct display_map *map, uint16_t *ret_addr);

/* Checks offsets, widths, overlaps and blocks.  Returns 0 or -EINVAL with
 * @error naming the field and what to change. */
int display_map_validate(const struct display_map *map, GError **error);

/* Encodes frame @kind of @map into @ret.  For the call frame, @calls (latest
 * first; @n_calls may be 0 to blank the display) and @blink (what the blink
 * field gets).  Returns 0, -ERANGE (a number or text does not fit its field)
 * or -EINVAL (a bad map). */
int display_map_frame(const struct display_map *map, enum display_frame_kind kind,
		      const struct display_call *calls, size_t n_calls, gboolean blink,
		      struct display_frame *ret);
/* The register at absolute address @addr in @frame; NULL when it has none. */
uint16_t *display_frame_reg(struct display_frame *frame, uint16_t addr);

/* The 7-segment mask of @c (bit 0 = a … bit 6 = g): digits, the letters of
 * ticket codes (upper or lower case, as a 7-segment display can show them),
 * space and '-'; anything else shows as '-'. */
uint8_t display_segments(char c);

/* The ticket's number: the digits of "A123" → 123; -EINVAL without digits. */
int display_call_number(const struct display_call *call, unsigned *ret_number);

/* Parses a map from the text of a .map file (GKeyFile syntax; see
 * board-config/displays/README).  @origin names the file in errors. */
int display_map_parse(const char *text, size_t len, const char *origin, struct display_map *ret_map,
		      GError **error);
/* Reads and parses a .map file. */
int display_map_load(const char *path, struct display_map *ret_map, GError **error);
