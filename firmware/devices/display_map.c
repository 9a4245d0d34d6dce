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

size_t display_map_n_regs(const struct display_map *map)
{
	size_t end = 0;

	for (size_t i = 0; i < map->n_fields; i++) {
		size_t e = (size_t)map->fields[i].offset + map->fields[i].width;

		if (e > end)
			end = e;
	}
	return end;
}

size_t display_map_n_calls(const struct display_map *map)
{
	size_t n = 0;

	for (size_t i = 0; i < map->n_fields; i++)
		if (map->fields[i].kind != DISPLAY_FIELD_BRIGHTNESS &&
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
	};
	return (size_t)k < G_N_ELEMENTS(names) ? names[k] : "?";
}

int display_map_validate(const struct display_map *map, GError **error)
{
	size_t n_regs = display_map_n_regs(map);
	uint8_t used[DISPLAY_MAP_MAX_REGS] = {0};

	if (map->n_fields == 0 || map->n_fields > DISPLAY_MAP_MAX_FIELDS) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    "display map \"%s\" has %zu fields; give it 1 to %d [field …] groups",
			    map->name, map->n_fields, DISPLAY_MAP_MAX_FIELDS);
		return -EINVAL;
	}
	if (n_regs > DISPLAY_MAP_MAX_REGS || (size_t)map->base + n_regs > 65536) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    "display map \"%s\" spans %zu registers from %u; one FC16 write "
			    "carries at most %d and addresses end at 65535: shrink the fields",
			    map->name, n_regs, map->base, DISPLAY_MAP_MAX_REGS);
		return -EINVAL;
	}
	for (size_t i = 0; i < map->n_fields; i++) {
		const struct display_field *f = &map->fields[i];

		if (f->width == 0 ||
		    (f->kind != DISPLAY_FIELD_TEXT && f->encoding == DISPLAY_ENCODING_ASCII) ||
		    (f->kind == DISPLAY_FIELD_TEXT && f->encoding != DISPLAY_ENCODING_ASCII) ||
		    (f->encoding == DISPLAY_ENCODING_BINARY && f->width > 2)) {
			g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
				    "display map \"%s\", %s field at offset %u: width %u with this "
				    "encoding is not possible (text is ascii; numbers are binary "
				    "in 1–2 registers or bcd)",
				    map->name, kind_name(f->kind), f->offset, f->width);
			return -EINVAL;
		}
		for (unsigned r = f->offset; r < (unsigned)f->offset + f->width; r++) {
			if (used[r]) {
				g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
					    "display map \"%s\": register %u (offset %u) belongs "
					    "to two fields; move the %s field",
					    map->name, map->base + r, r, kind_name(f->kind));
				return -EINVAL;
			}
			used[r] = 1;
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

/* Two chars per register, first in the high byte; non-ASCII becomes '?'. */
static void put_text(uint16_t *regs, size_t width, const char *text)
{
	size_t len = strlen(text);

	for (size_t i = 0; i < width * 2; i++) {
		unsigned char c = i < len ? (unsigned char)text[i] : ' ';

		if (c < 0x20 || c > 0x7e)
			c = '?';
		if (i % 2 == 0)
			regs[i / 2] = (uint16_t)(c << 8);
		else
			regs[i / 2] |= c;
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
	size_t chars = (size_t)f->width * 2;
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
		put_text(regs, f->width, line);
	} else {
		put_text(regs, f->width, ticket);
	}
	return 0;
}

int display_map_encode(const struct display_map *map, const struct display_call *calls,
		       size_t n_calls, gboolean blink, uint16_t *regs, size_t *n)
{
	size_t n_regs = display_map_n_regs(map);

	if (n_regs == 0 || n_regs > DISPLAY_MAP_MAX_REGS)
		return -EINVAL;
	if (*n < n_regs)
		return -ENOSPC;
	memset(regs, 0, n_regs * sizeof(*regs));

	for (size_t i = 0; i < map->n_fields; i++) {
		const struct display_field *f = &map->fields[i];
		const struct display_call *call = f->call < n_calls ? &calls[f->call] : NULL;
		uint16_t *at = regs + f->offset;
		unsigned number = 0;
		int r = 0;

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
			r = put_number(at, f, f->value);
			break;
		}
		if (r < 0)
			return r;
	}
	*n = n_regs;
	return 0;
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
	if (!g_ascii_string_to_unsigned(g_strstrip(s), 10, 0, max, &v, NULL)) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    "%s: [%s] %s = \"%s\": give a whole number from 0 to %u", origin, group,
			    key, s, max);
		return -EINVAL;
	}
	*ret = (unsigned)v;
	return 0;
}

static int parse_field(GKeyFile *kf, const char *origin, const char *group, struct display_field *f,
		       GError **error)
{
	static const char *const kinds[] = {"text", "number", "counter", "blink", "brightness"};
	static const char *const encodings[] = {"ascii", "binary", "bcd"};
	static const char *const sources[] = {"ticket", "line"};
	g_autofree char *kind = g_key_file_get_string(kf, group, "kind", NULL);
	g_autofree char *enc = g_key_file_get_string(kf, group, "encoding", NULL);
	g_autofree char *src = g_key_file_get_string(kf, group, "source", NULL);
	unsigned offset, width, chars, call, value;
	int k, e = DISPLAY_ENCODING_BINARY, s = DISPLAY_TEXT_TICKET;

	if (!kind || parse_enum(g_strstrip(kind), kinds, G_N_ELEMENTS(kinds), &k) < 0) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    "%s: [%s] kind = \"%s\": give one of text, number, counter, blink, "
			    "brightness",
			    origin, group, kind ? kind : "");
		return -EINVAL;
	}
	if (k == DISPLAY_FIELD_TEXT)
		e = DISPLAY_ENCODING_ASCII;
	if (enc && parse_enum(g_strstrip(enc), encodings, G_N_ELEMENTS(encodings), &e) < 0) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    "%s: [%s] encoding = \"%s\": give ascii (text), binary or bcd", origin,
			    group, enc);
		return -EINVAL;
	}
	if (src && parse_enum(g_strstrip(src), sources, G_N_ELEMENTS(sources), &s) < 0) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    "%s: [%s] source = \"%s\": give ticket or line", origin, group, src);
		return -EINVAL;
	}
	if (get_uint(kf, origin, group, "offset", DISPLAY_MAP_MAX_REGS - 1, 0, &offset, error) <
		0 ||
	    get_uint(kf, origin, group, "registers", DISPLAY_MAP_MAX_REGS, 1, &width, error) < 0 ||
	    get_uint(kf, origin, group, "chars", 2 * DISPLAY_MAP_MAX_REGS, 0, &chars, error) < 0 ||
	    get_uint(kf, origin, group, "call", 63, 0, &call, error) < 0 ||
	    get_uint(kf, origin, group, "value", 0xffff, 0, &value, error) < 0)
		return -EINVAL;
	if (!g_key_file_has_key(kf, group, "offset", NULL)) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    "%s: [%s] has no offset: give the field's first register, counted "
			    "from the map's base",
			    origin, group);
		return -EINVAL;
	}
	if (k == DISPLAY_FIELD_TEXT && chars)
		width = (chars + 1) / 2;
	*f = (struct display_field){
	    .kind = k,
	    .encoding = e,
	    .offset = (uint16_t)offset,
	    .width = (uint16_t)width,
	    .call = (uint16_t)call,
	    .source = s,
	    .value = (uint16_t)value,
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
