/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * display_map: register maps of number displays and the encoding of calls
 * into registers (see display_map.h for the encodings).
 *
 * Invariants: encoding is pure (no I/O, no clock) and never writes past the
 * caller's capacity; a map that passed display_map_validate() encodes every
 * call whose numbers fit their fields.  The .map parser is the only place
 * that knows the file syntax; the rest works on struct display_map.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "display_map.h"

size_t display_map_n_calls(const struct display_map *map)
{
	size_t n = 0;

	for (size_t i = 0; i < map->n_fields; i++)
		if (map->fields[i].kind != DISPLAY_FIELD_BRIGHTNESS &&
		    map->fields[i].kind != DISPLAY_FIELD_SETTING &&
		    (size_t)map->fields[i].call + 1 > n)
			n = (size_t)map->fields[i].call + 1;
	return n;
}

int display_map_blink_addr(const struct display_map *map, uint16_t *ret_addr)
{
	for (size_t i = 0; i < map->n_fields; i++) {
		if (map->fields[i].kind == DISPLAY_FIELD_BLINK) {
			*ret_addr = (uint16_t)(map->base + map->fields[i].offset);
			return 0;
		}
	}
	return -ENOENT;
}

static const char *kind_name(enum display_field_kind k)
{
	static const char *const names[] = {
	    [DISPLAY_FIELD_TEXT] = "text",
	    [DISPLAY_FIELD_NUMBER] = "number",
	    [DISPLAY_FIELD_COUNTER] = "counter",
	    [DISPLAY_FIELD_BLINK] = "blink",
	    [DISPLAY_FIELD_BRIGHTNESS] = "brightness",
	    [DISPLAY_FIELD_SETTING] = "setting",
	};
	return (size_t)k < G_N_ELEMENTS(names) ? names[k] : "?";
}

static bool in_frame(const struct display_field *f, enum display_frame_kind kind)
{
	bool constant = f->kind == DISPLAY_FIELD_BRIGHTNESS || f->kind == DISPLAY_FIELD_SETTING;

	return constant == (kind == DISPLAY_FRAME_SETTINGS);
}

static bool is_text(const struct display_field *f)
{
	return f->encoding == DISPLAY_ENCODING_ASCII || f->encoding == DISPLAY_ENCODING_SEGMENTS;
}

/* The fields of frame @kind in address order: their indices in @order.
 * Returns how many. */
static size_t frame_fields(const struct display_map *map, enum display_frame_kind kind,
			   size_t order[DISPLAY_MAP_MAX_FIELDS])
{
	size_t n = 0;

	for (size_t i = 0; i < map->n_fields && i < DISPLAY_MAP_MAX_FIELDS; i++) {
		size_t j;

		if (!in_frame(&map->fields[i], kind))
			continue;
		for (j = n; j > 0 && map->fields[order[j - 1]].offset > map->fields[i].offset; j--)
			order[j] = order[j - 1];
		order[j] = i;
		n++;
	}
	return n;
}

/* The blocks of frame @kind: fields that touch share one.  Fills the
 * blocks' addr and n (not regs) and, per field in @order, its block in
 * @block_of.  Returns the block count, or -E2BIG (too many blocks) or
 * -EMSGSIZE (a block longer than one FC16 frame) with *@bad the block. */
static int frame_blocks(const struct display_map *map, enum display_frame_kind kind,
			struct display_frame *frame, size_t block_of[DISPLAY_MAP_MAX_FIELDS],
			size_t *bad)
{
	size_t order[DISPLAY_MAP_MAX_FIELDS];
	size_t n = frame_fields(map, kind, order);
	size_t nb = 0;
	uint32_t end = 0;

	for (size_t k = 0; k < n; k++) {
		const struct display_field *f = &map->fields[order[k]];
		uint32_t addr = (uint32_t)map->base + f->offset;

		if (nb == 0 || addr != end) {
			if (nb == DISPLAY_MAP_MAX_BLOCKS) {
				*bad = nb;
				return -E2BIG;
			}
			frame->blocks[nb].addr = (uint16_t)addr;
			frame->blocks[nb].n = 0;
			frame->blocks[nb].fc06 = map->write == DISPLAY_WRITE_FC06;
			nb++;
		}
		if ((uint32_t)frame->blocks[nb - 1].n + f->width > DISPLAY_MAP_MAX_REGS) {
			*bad = nb - 1;
			return -EMSGSIZE;
		}
		frame->blocks[nb - 1].n = (uint16_t)(frame->blocks[nb - 1].n + f->width);
		frame->blocks[nb - 1].fc06 = frame->blocks[nb - 1].fc06 || f->fc06;
		block_of[order[k]] = nb - 1;
		end = addr + f->width;
	}
	frame->n_blocks = nb;
	return (int)nb;
}

int display_map_validate(const struct display_map *map, GError **error)
{
	bool has_call = false;

	if (map->n_fields == 0 || map->n_fields > DISPLAY_MAP_MAX_FIELDS) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    "display map \"%s\" has %zu fields; give it 1 to %d [field …] groups",
			    map->name, map->n_fields, DISPLAY_MAP_MAX_FIELDS);
		return -EINVAL;
	}
	for (size_t i = 0; i < map->n_fields; i++) {
		const struct display_field *f = &map->fields[i];

		has_call = has_call || in_frame(f, DISPLAY_FRAME_CALL);
		if (f->width == 0 || (f->kind != DISPLAY_FIELD_TEXT && is_text(f)) ||
		    (f->kind == DISPLAY_FIELD_TEXT && !is_text(f)) ||
		    (f->encoding == DISPLAY_ENCODING_BINARY && f->width > 2) ||
		    (f->kind == DISPLAY_FIELD_TEXT && f->per_reg > 2)) {
			g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
				    "display map \"%s\", %s field at offset %u: width %u with this "
				    "encoding is not possible (text is ascii or segments, 1 or 2 "
				    "characters a register; numbers are binary in 1–2 registers "
				    "or bcd)",
				    map->name, kind_name(f->kind), f->offset, f->width);
			return -EINVAL;
		}
		if ((uint32_t)map->base + f->offset + f->width > 65536) {
			g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
				    "display map \"%s\", %s field at offset %u: it ends past "
				    "register 65535; lower base or the offset",
				    map->name, kind_name(f->kind), f->offset);
			return -EINVAL;
		}
		for (size_t j = 0; j < i; j++) {
			const struct display_field *o = &map->fields[j];

			if (f->offset < o->offset + o->width && o->offset < f->offset + f->width) {
				g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
					    "display map \"%s\": register %u (offset %u) belongs "
					    "to two fields; move the %s field",
					    map->name, map->base + MAX(f->offset, o->offset),
					    MAX(f->offset, o->offset), kind_name(f->kind));
				return -EINVAL;
			}
		}
	}
	if (map->software_blink && display_map_blink_addr(map, &(uint16_t){0}) == 0) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    "display map \"%s\" has a blink field and software-blink: the display "
			    "blinks by itself, drop software-blink",
			    map->name);
		return -EINVAL;
	}
	if (!has_call) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    "display map \"%s\" has only settings: add a text, number or counter "
			    "field for the calls",
			    map->name);
		return -EINVAL;
	}
	for (int kind = DISPLAY_FRAME_CALL; kind <= DISPLAY_FRAME_SETTINGS; kind++) {
		struct display_frame frame;
		size_t block_of[DISPLAY_MAP_MAX_FIELDS], bad = 0;
		int r = frame_blocks(map, kind, &frame, block_of, &bad);

		if (r == -E2BIG) {
			g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
				    "display map \"%s\": its %s fields fall into more than %d "
				    "separate blocks; put fields next to each other",
				    map->name, kind == DISPLAY_FRAME_CALL ? "call" : "settings",
				    DISPLAY_MAP_MAX_BLOCKS);
			return -EINVAL;
		}
		if (r == -EMSGSIZE) {
			g_set_error(
			    error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    "display map \"%s\": the block from register %u spans more than "
			    "%d registers, and one FC16 write carries at most that: shrink "
			    "the fields or leave a gap between them",
			    map->name, frame.blocks[bad].addr, DISPLAY_MAP_MAX_REGS);
			return -EINVAL;
		}
	}
	return 0;
}

int display_call_number(const struct display_call *call, unsigned *ret_number)
{
	unsigned long v = 0;
	bool digits = false;

	if (!call->ticket)
		return -EINVAL;
	for (const char *p = call->ticket; *p; p++) {
		if (*p < '0' || *p > '9')
			continue;
		v = v * 10 + (unsigned)(*p - '0');
		digits = true;
		if (v > 99999999)
			return -ERANGE;
	}
	if (!digits)
		return -EINVAL;
	*ret_number = (unsigned)v;
	return 0;
}

uint8_t display_segments(char c)
{
	/* bit 0 = a (top) … 5 = f (upper left), 6 = g (middle) */
	static const uint8_t digits[] = {0x3f, 0x06, 0x5b, 0x4f, 0x66,
					 0x6d, 0x7d, 0x07, 0x7f, 0x6f};
	/* A–Z as a 7-segment display can show them (b, d, n, o, q, r, t, u, y
	 * in lower case; K, M, V, W, X are the usual approximations). */
	static const uint8_t letters[] = {
	    0x77, 0x7c, 0x39, 0x5e, 0x79, 0x71, 0x3d, 0x76, 0x30, 0x1e, 0x75, 0x38, 0x37,
	    0x54, 0x3f, 0x73, 0x67, 0x50, 0x6d, 0x78, 0x3e, 0x1c, 0x2a, 0x76, 0x6e, 0x5b,
	};

	if (c >= '0' && c <= '9')
		return digits[c - '0'];
	if (c >= 'A' && c <= 'Z')
		return letters[c - 'A'];
	if (c >= 'a' && c <= 'z')
		return letters[c - 'a'];
	return c == ' ' ? 0 : 0x40; /* '-' for the rest */
}

/* @f's characters into its registers: ASCII (non-ASCII becomes '?') or
 * segment masks, two a register (the first in the high byte) or one (in
 * the low byte), padded with blanks. */
static void put_text(uint16_t *regs, const struct display_field *f, const char *text)
{
	size_t per = f->per_reg ? f->per_reg : 2;
	size_t len = strlen(text);

	for (size_t i = 0; i < (size_t)f->width * per; i++) {
		char ch = i < len ? text[i] : ' ';
		unsigned c = (unsigned char)ch;

		if (f->encoding == DISPLAY_ENCODING_SEGMENTS)
			c = display_segments(ch);
		else if (c < 0x20 || c > 0x7e)
			c = '?';
		if (per == 1)
			regs[i] = (uint16_t)c;
		else if (i % 2 == 0)
			regs[i / 2] = (uint16_t)(c << 8);
		else
			regs[i / 2] |= (uint16_t)c;
	}
}

static int put_number(uint16_t *regs, const struct display_field *f, unsigned long v)
{
	if (f->encoding == DISPLAY_ENCODING_BINARY) {
		if (f->width == 1) {
			if (v > 0xffff)
				return -ERANGE;
			regs[0] = (uint16_t)v;
		} else {
			if (v > 0xffffffffUL)
				return -ERANGE;
			regs[0] = (uint16_t)(v >> 16); /* high word first */
			regs[1] = (uint16_t)(v & 0xffff);
		}
		return 0;
	}
	/* BCD: four digits per register, least significant digits last. */
	for (size_t r = f->width; r-- > 0;) {
		uint16_t w = 0;

		for (int d = 0; d < 4; d++) {
			w |= (uint16_t)((v % 10) << (4 * d));
			v /= 10;
		}
		regs[r] = w;
	}
	return v ? -ERANGE : 0;
}

static int encode_text(uint16_t *regs, const struct display_field *f,
		       const struct display_call *call)
{
	size_t chars = (size_t)f->width * (f->per_reg ? f->per_reg : 2);
	const char *ticket = call && call->ticket ? call->ticket : "";
	char line[2 * DISPLAY_MAP_MAX_REGS + 1];

	if (strlen(ticket) > chars || chars > 2 * DISPLAY_MAP_MAX_REGS)
		return -ERANGE;
	if (f->source == DISPLAY_TEXT_LINE && call && call->counter) {
		char num[16];
		int nl = snprintf(num, sizeof(num), "%u", call->counter);

		if (strlen(ticket) + 1 + (size_t)nl > chars)
			return -ERANGE;
		/* chars ≤ 2 × DISPLAY_MAP_MAX_REGS, checked by the map's validation */
		memset(line, ' ', chars);
		memcpy(line, ticket, strlen(ticket));
		memcpy(line + chars - (size_t)nl, num, (size_t)nl);
		line[chars] = '\0';
		put_text(regs, f, line);
	} else {
		put_text(regs, f, ticket);
	}
	return 0;
}

int display_map_frame(const struct display_map *map, enum display_frame_kind kind,
		      const struct display_call *calls, size_t n_calls, gboolean blink,
		      struct display_frame *ret)
{
	size_t block_of[DISPLAY_MAP_MAX_FIELDS], bad;

	if (map->n_fields > DISPLAY_MAP_MAX_FIELDS ||
	    frame_blocks(map, kind, ret, block_of, &bad) < 0)
		return -EINVAL;
	for (size_t b = 0; b < ret->n_blocks; b++)
		memset(ret->blocks[b].regs, 0, ret->blocks[b].n * sizeof(uint16_t));

	for (size_t i = 0; i < map->n_fields; i++) {
		const struct display_field *f = &map->fields[i];
		const struct display_call *call = f->call < n_calls ? &calls[f->call] : NULL;
		struct display_block *blk;
		uint16_t *at;
		unsigned number = 0;
		int r = 0;

		if (!in_frame(f, kind))
			continue;
		blk = &ret->blocks[block_of[i]];
		at = blk->regs + (map->base + f->offset - blk->addr);
		switch (f->kind) {
		case DISPLAY_FIELD_TEXT:
			r = encode_text(at, f, call);
			break;
		case DISPLAY_FIELD_NUMBER:
			if (call && call->ticket && *call->ticket) {
				r = display_call_number(call, &number);
				if (r == -EINVAL)
					r = 0, number = 0; /* a ticket without digits: 0 */
			}
			if (r == 0)
				r = put_number(at, f, number);
			break;
		case DISPLAY_FIELD_COUNTER:
			r = put_number(at, f, call ? call->counter : 0);
			break;
		case DISPLAY_FIELD_BLINK:
			at[0] = blink && call ? 1 : 0;
			break;
		case DISPLAY_FIELD_BRIGHTNESS:
		case DISPLAY_FIELD_SETTING:
			r = put_number(at, f, f->value);
			break;
		}
		if (r < 0)
			return r;
	}
	return 0;
}

uint16_t *display_frame_reg(struct display_frame *frame, uint16_t addr)
{
	for (size_t b = 0; b < frame->n_blocks; b++) {
		struct display_block *blk = &frame->blocks[b];

		if (addr >= blk->addr && addr < blk->addr + blk->n)
			return &blk->regs[addr - blk->addr];
	}
	return NULL;
}

/* .map files: GKeyFile syntax, one [map] group and one [field NAME] group
 * per field. */

static int parse_enum(const char *s, const char *const *names, size_t n, int *ret)
{
	for (size_t i = 0; i < n; i++) {
		if (names[i] && g_ascii_strcasecmp(s, names[i]) == 0) {
			*ret = (int)i;
			return 0;
		}
	}
	return -EINVAL;
}

static int get_uint(GKeyFile *kf, const char *origin, const char *group, const char *key,
		    unsigned max, unsigned def, unsigned *ret, GError **error)
{
	g_autofree char *s = g_key_file_get_string(kf, group, key, NULL);
	guint64 v;

	if (!s) {
		*ret = def;
		return 0;
	}
	/* Decimal, or hexadecimal with 0x as vendors' manuals write addresses. */
	g_strstrip(s);
	if (!(g_ascii_strncasecmp(s, "0x", 2) == 0
		  ? s[2] && g_ascii_string_to_unsigned(s + 2, 16, 0, max, &v, NULL)
		  : g_ascii_string_to_unsigned(s, 10, 0, max, &v, NULL))) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    "%s: [%s] %s = \"%s\": give a whole number from 0 to %u (or 0x "
			    "and hex digits)",
			    origin, group, key, s, max);
		return -EINVAL;
	}
	*ret = (unsigned)v;
	return 0;
}

/* "write = fc16 | fc06" of @group: *@ret unchanged when absent. */
static int get_write(GKeyFile *kf, const char *origin, const char *group, enum display_write *ret,
		     GError **error)
{
	static const char *const writes[] = {"fc16", "fc06"};
	g_autofree char *w = g_key_file_get_string(kf, group, "write", NULL);
	int wi;

	if (!w)
		return 0;
	if (parse_enum(g_strstrip(w), writes, G_N_ELEMENTS(writes), &wi) < 0) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    "%s: [%s] write = \"%s\": give fc16 (a block in one write) or fc06 "
			    "(for registers that take only single-register writes)",
			    origin, group, w);
		return -EINVAL;
	}
	*ret = wi;
	return 0;
}

static int parse_field(GKeyFile *kf, const char *origin, const char *group, struct display_field *f,
		       GError **error)
{
	static const char *const kinds[] = {"text",  "number",     "counter",
					    "blink", "brightness", "setting"};
	static const char *const encodings[] = {"ascii", "binary", "bcd", "segments"};
	static const char *const sources[] = {"ticket", "line"};
	g_autofree char *kind = g_key_file_get_string(kf, group, "kind", NULL);
	g_autofree char *enc = g_key_file_get_string(kf, group, "encoding", NULL);
	g_autofree char *src = g_key_file_get_string(kf, group, "source", NULL);
	unsigned offset, width, chars, call, value, per_reg;
	enum display_write write = DISPLAY_WRITE_FC16;
	int k, e = DISPLAY_ENCODING_BINARY, s = DISPLAY_TEXT_TICKET;

	if (!kind || parse_enum(g_strstrip(kind), kinds, G_N_ELEMENTS(kinds), &k) < 0) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    "%s: [%s] kind = \"%s\": give one of text, number, counter, blink, "
			    "brightness, setting",
			    origin, group, kind ? kind : "");
		return -EINVAL;
	}
	if (k == DISPLAY_FIELD_TEXT)
		e = DISPLAY_ENCODING_ASCII;
	if (enc && parse_enum(g_strstrip(enc), encodings, G_N_ELEMENTS(encodings), &e) < 0) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    "%s: [%s] encoding = \"%s\": give ascii or segments (text), binary or "
			    "bcd",
			    origin, group, enc);
		return -EINVAL;
	}
	if (src && parse_enum(g_strstrip(src), sources, G_N_ELEMENTS(sources), &s) < 0) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    "%s: [%s] source = \"%s\": give ticket or line", origin, group, src);
		return -EINVAL;
	}
	if (get_uint(kf, origin, group, "offset", 0xffff, 0, &offset, error) < 0 ||
	    get_uint(kf, origin, group, "registers", DISPLAY_MAP_MAX_REGS, 1, &width, error) < 0 ||
	    get_uint(kf, origin, group, "chars", 2 * DISPLAY_MAP_MAX_REGS, 0, &chars, error) < 0 ||
	    get_uint(kf, origin, group, "call", 63, 0, &call, error) < 0 ||
	    get_uint(kf, origin, group, "value", 0xffff, 0, &value, error) < 0 ||
	    get_uint(kf, origin, group, "chars-per-register", 2, 2, &per_reg, error) < 0 ||
	    get_write(kf, origin, group, &write, error) < 0)
		return -EINVAL;
	if (per_reg == 0) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    "%s: [%s] chars-per-register = 0: give 1 (one character in each "
			    "register's low byte) or 2",
			    origin, group);
		return -EINVAL;
	}
	if (!g_key_file_has_key(kf, group, "offset", NULL)) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    "%s: [%s] has no offset: give the field's first register, counted "
			    "from the map's base",
			    origin, group);
		return -EINVAL;
	}
	if (k == DISPLAY_FIELD_TEXT && chars)
		width = (chars + per_reg - 1) / per_reg;
	*f = (struct display_field){
	    .kind = k,
	    .encoding = e,
	    .offset = (uint16_t)offset,
	    .width = (uint16_t)width,
	    .call = (uint16_t)call,
	    .source = s,
	    .value = (uint16_t)value,
	    .per_reg = (uint8_t)per_reg,
	    .fc06 = write == DISPLAY_WRITE_FC06,
	};
	return 0;
}

int display_map_parse(const char *text, size_t len, const char *origin, struct display_map *ret_map,
		      GError **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_auto(GStrv) groups = NULL;
	g_autofree char *name = NULL;
	struct display_map map = {0};
	unsigned base;
	GError *e = NULL;

	if (!g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, &e)) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    "%s: %s: fix the syntax (INI groups and key = value lines)", origin,
			    e->message);
		g_error_free(e);
		return -EINVAL;
	}
	if (!g_key_file_has_group(kf, "map")) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    "%s: no [map] group: add one with name = and base =", origin);
		return -EINVAL;
	}
	name = g_key_file_get_string(kf, "map", "name", NULL);
	g_strlcpy(map.name, name ? g_strstrip(name) : origin, sizeof(map.name));
	if (get_uint(kf, origin, "map", "base", 0xffff, 0, &base, error) < 0)
		return -EINVAL;
	map.base = (uint16_t)base;
	if (get_write(kf, origin, "map", &map.write, error) < 0)
		return -EINVAL;
	if (g_key_file_has_key(kf, "map", "software-blink", NULL)) {
		GError *b = NULL;

		map.software_blink = g_key_file_get_boolean(kf, "map", "software-blink", &b);
		if (b) {
			g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
				    "%s: [map] software-blink: give true or false", origin);
			g_error_free(b);
			return -EINVAL;
		}
	}

	groups = g_key_file_get_groups(kf, NULL);
	for (char **g = groups; *g; g++) {
		if (!g_str_has_prefix(*g, "field"))
			continue;
		if (map.n_fields == DISPLAY_MAP_MAX_FIELDS) {
			g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
				    "%s: more than %d fields: merge some", origin,
				    DISPLAY_MAP_MAX_FIELDS);
			return -EINVAL;
		}
		if (parse_field(kf, origin, *g, &map.fields[map.n_fields], error) < 0)
			return -EINVAL;
		map.n_fields++;
	}
	if (display_map_validate(&map, error) < 0) {
		g_prefix_error(error, "%s: ", origin);
		return -EINVAL;
	}
	*ret_map = map;
	return 0;
}

int display_map_load(const char *path, struct display_map *ret_map, GError **error)
{
	g_autofree char *text = NULL;
	gsize len;
	GError *e = NULL;

	if (!g_file_get_contents(path, &text, &len, &e)) {
		int r = e->domain == G_FILE_ERROR && e->code == G_FILE_ERROR_NOENT ? -ENOENT : -EIO;

		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
			    "display map %s: %s: check the map = key of the display (maps live "
			    "in board-config/displays/)",
			    path, e->message);
		g_error_free(e);
		return r;
	}
	return display_map_parse(text, len, path, ret_map, error);
}
