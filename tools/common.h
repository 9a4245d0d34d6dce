/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * common: what vuoroctl and the bench tools share — one HTTP client over
 * libsoup3 (synchronous; one client per thread) and JSON helpers.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#define CTL_DEFAULT_URL "http://127.0.0.1:8080"

struct ctl_client;

/* @base like "http://127.0.0.1:8080"; @token may be NULL. */
struct ctl_client *ctl_client_new(const char *base, const char *token);
void ctl_client_free(struct ctl_client *c);
void ctl_client_set_token(struct ctl_client *c, const char *token);
/* Reuse a kept-alive connection for POSTs too, as a browser does. */
void ctl_client_set_keep_alive_posts(struct ctl_client *c, gboolean on);
const char *ctl_client_base(const struct ctl_client *c);

/* One request.  @json (may be NULL) is sent as the body; or @raw with
 * @content_type.  Returns the HTTP status (> 0), or 0 with @error set when
 * vuorod could not be reached.  *ret_body gets the answer's bytes. */
guint ctl_request(struct ctl_client *c, const char *method, const char *path, JsonNode *json,
		  GBytes *raw, const char *content_type, GBytes **ret_body, GError **error);

/* Parses an answer as JSON; NULL when it is not. */
JsonNode *ctl_json_parse(GBytes *body);
/* The "message" of an error answer, or a fallback naming the status. */
char *ctl_error_message(guint status, GBytes *body);
/* "{…}" built from pairs of (name, GType, value) — for small request bodies.
 * Types: G_TYPE_STRING (const char *, skipped when NULL), G_TYPE_INT64
 * (gint64), G_TYPE_BOOLEAN (gboolean); ends with NULL. */
JsonNode *ctl_json_object(const char *first_name, ...) G_GNUC_NULL_TERMINATED;

/* The @p-th percentile (nearest rank) of latencies in microseconds
 * (gint64), in milliseconds; sorts @lat.  0 when empty.  The bench tools'
 * one definition. */
double bench_pct_ms(GArray *lat, double p);
