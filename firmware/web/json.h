/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * json: the one set of small JSON builders every module uses (the API's
 * replies, booth messages, reports), and the check every JSON text from the
 * network passes before json-glib sees it.
 *
 * json-glib's parser recurses once per nesting level: ~75,000 levels (a
 * 200 KB body) overflow the stack.  web_json_check bounds the depth in one
 * flat pass, so no text from outside reaches the parser unbounded.  It also
 * refuses the escape \u0000, which json-glib turns into a C string cut at
 * the NUL ("guide\u0000junk" would read as "guide").
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdint.h>

/* The deepest nesting of objects and arrays a request may carry, unless
 * the program says otherwise ([api] json-max-depth). */
#define WEB_JSON_MAX_DEPTH 64

/* Member @name: an integer; a string or null; a boolean; a time (null when 0). */
void web_json_add_int(JsonBuilder *b, const char *name, int64_t v);
void web_json_add_str(JsonBuilder *b, const char *name, const char *v);
void web_json_add_bool(JsonBuilder *b, const char *name, gboolean v);
void web_json_add_time(JsonBuilder *b, const char *name, int64_t v);
void web_json_add_double(JsonBuilder *b, const char *name, double v);

/* 0 when @text (@len bytes) nests at most @max_depth deep and holds no
 * \u0000 escape; -E2BIG (too deep) or -EINVAL (NUL) with @error saying
 * which.  Syntax is left to the parser. */
int web_json_check(const char *text, size_t len, int max_depth, GError **error);
/* The depth bound alone (the transport's check of every body). */
int web_json_depth(const char *text, size_t len, int max_depth);

/* Member @name of @o when it is a string, else @fallback: missing, null or
 * of another type alike (json-glib's _with_default getter gives NULL for a
 * number or an object, which a strcmp would crash on). */
const char *web_json_str(JsonObject *o, const char *name, const char *fallback);

/* @b's root as text (compact), caller frees. */
char *web_json_text(JsonBuilder *b);
