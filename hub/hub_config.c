/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hub_config: one table of keys, one loader (see hub_config.h).  The site's
 * config.c loader is bound to struct config (its types reach into the
 * site's services and languages), so the hub has its own small table of
 * the three types it needs.
 */
#include "hub_config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "queue.h"

G_DEFINE_QUARK(vuoro - hub - config - error, hub_config_error)

enum hub_key_type {
	HK_STRING, /* char * */
	HK_INT,    /* int within min..max */
	HK_URIS,   /* char **: ";"-separated URIs, scheme among choices */
	HK_LISTEN, /* char *: HOST:PORT */
	HK_BOOL,   /* bool: true or false */
};

struct hub_key {
	const char *group;
	const char *key;
	enum hub_key_type type;
	bool required;
	const char *def;
	int min, max;
	size_t offset;
	const char *const *choices;
};

#define HC(field) offsetof(struct hub_config, field)

static const char *const nats_schemes[] = {"tls", "nats", NULL};

static const struct hub_key hub_keys[] = {
    {"nats", "servers", HK_URIS, true, NULL, 0, 0, HC(nats_servers), nats_schemes},
    {"nats", "ca", HK_STRING, false, NULL, 0, 0, HC(nats_ca)},
    {"nats", "cert", HK_STRING, false, NULL, 0, 0, HC(nats_cert)},
    {"nats", "key", HK_STRING, false, NULL, 0, 0, HC(nats_key)},
    {"nats", "stream", HK_STRING, false, "VUORO_REC", 0, 0, HC(stream)},
    {"nats", "durable", HK_STRING, false, "hub", 0, 0, HC(durable)},
    {"nats", "duplicates-seconds", HK_INT, false, "7200", 1, 30 * 86400, HC(duplicates_s)},
    {"nats", "replicas", HK_INT, false, "3", 1, 5, HC(replicas)},
    {"nats", "max-age-days", HK_INT, false, "30", 1, 3650, HC(max_age_days)},
    {"nats", "batch", HK_INT, false, "500", 1, 10000, HC(batch)},
    {"nats", "batch-ms", HK_INT, false, "50", 1, 60000, HC(batch_ms)},
    {"nats", "max-ack-pending", HK_INT, false, "20000", 1, 1000000, HC(max_ack_pending)},
    {"nats", "ack-wait-seconds", HK_INT, false, "30", 1, 3600, HC(ack_wait_s)},
    {"postgres", "conninfo", HK_STRING, true, NULL, 0, 0, HC(pg_conninfo)},
    {"postgres", "sql-dir", HK_STRING, false, NULL, 0, 0, HC(sql_dir)},
    {"web", "listen", HK_LISTEN, false, "127.0.0.1:8090", 0, 0, HC(web_listen)},
    {"web", "hosts", HK_STRING, false, NULL, 0, 0, HC(web_hosts)},
    {"web", "secure-cookies", HK_BOOL, false, "false", 0, 0, HC(web_secure_cookies)},
    {"web", "ui-dir", HK_STRING, false, NULL, 0, 0, HC(web_ui_dir)},
    {"web", "languages", HK_STRING, false, "fi;sv;en;se;uk;ar", 0, 0, HC(web_languages)},
    {"web", "timezone", HK_STRING, false, "Europe/Helsinki", 0, 0, HC(web_timezone)},
    {"web", "session-hours", HK_INT, false, "12", 1, 720, HC(web_session_hours)},
    {"web", "max-body-kb", HK_INT, false, "64", 1, 65536, HC(web_max_body_kb)},
    {"web", "statement-timeout-ms", HK_INT, false, "5000", 100, 600000,
     HC(web_statement_timeout_ms)},
    {"web", "expert-silence-s", HK_INT, false, "40", 3, 3600, HC(web_expert_silence_s)},
    {"fleet", "silent-minutes", HK_INT, false, "30", 1, 10080, HC(fleet_silent_min)},
    {"fleet", "silent-seconds", HK_INT, false, "0", 0, 604800, HC(fleet_silent_s)},
    {"turn", "urls", HK_STRING, false, NULL, 0, 0, HC(turn_urls)},
    {"turn", "secret", HK_STRING, false, NULL, 0, 0, HC(turn_secret)},
    {"turn", "ttl-s", HK_INT, false, "3600", 60, 7 * 86400, HC(turn_ttl_s)},
    {"billing", "time-zone", HK_STRING, false, "Europe/Helsinki", 0, 0, HC(billing_tz)},
    {"billing", "currency", HK_STRING, false, "EUR", 0, 0, HC(currency)},
    {0},
};

static int fail(GError **error, const char *file, const char *group, const char *key,
		const char *what, const char *value)
{
	g_set_error(error, HUB_CONFIG_ERROR, EINVAL, "%s: [%s] %s: %s%s%s%s", file, group, key,
		    what, value ? ", got \"" : "", value ? value : "", value ? "\"" : "");
	return -EINVAL;
}

static bool uri_ok(const char *value, const char *const *choices)
{
	g_autofree char *scheme = g_uri_parse_scheme(value);
	const char *rest = strstr(value, "://");

	return scheme && rest && rest[3] && g_strv_contains(choices, scheme);
}

static int set_value(const struct hub_key *k, const char *file, const char *value,
		     struct hub_config *cfg, GError **error)
{
	char *field = (char *)cfg + k->offset;

	switch (k->type) {
	case HK_STRING:
		if (!*value)
			return fail(error, file, k->group, k->key, "expected a text, got nothing",
				    NULL);
		g_free(*(char **)field);
		*(char **)field = g_strdup(value);
		return 0;
	case HK_INT: {
		gint64 n;
		g_autofree char *what = NULL;

		if (g_ascii_string_to_signed(value, 10, k->min, k->max, &n, NULL)) {
			*(int *)field = (int)n;
			return 0;
		}
		what = g_strdup_printf("expected a whole number from %d to %d", k->min, k->max);
		return fail(error, file, k->group, k->key, what, value);
	}
	case HK_URIS: {
		g_auto(GStrv) parts = g_strsplit(value, ";", -1);
		g_autoptr(GStrvBuilder) out = g_strv_builder_new();
		int n = 0;

		for (char **p = parts; *p; p++) {
			g_strstrip(*p);
			if (!**p)
				continue;
			if (!uri_ok(*p, k->choices))
				return fail(error, file, k->group, k->key,
					    "expected tls://HOST:PORT separated by ;", *p);
			g_strv_builder_add(out, *p);
			n++;
		}
		if (n == 0)
			return fail(error, file, k->group, k->key,
				    "expected at least one tls://HOST:PORT", value);
		g_strfreev(*(char ***)field);
		*(char ***)field = g_strv_builder_end(out);
		return 0;
	}
	case HK_BOOL:
		if (strcmp(value, "true") && strcmp(value, "false"))
			return fail(error, file, k->group, k->key, "expected true or false", value);
		*(bool *)field = strcmp(value, "true") == 0;
		return 0;
	case HK_LISTEN: {
		const char *colon = strrchr(value, ':');
		guint64 port;

		if (!colon || colon == value ||
		    !g_ascii_string_to_unsigned(colon + 1, 10, 0, 65535, &port, NULL))
			return fail(error, file, k->group, k->key,
				    "expected HOST:PORT like 127.0.0.1:8090", value);
		g_free(*(char **)field);
		*(char **)field = g_strdup(value);
		return 0;
	}
	}
	return -EINVAL;
}

static bool group_known(const char *group)
{
	if (strcmp(group, "prices") == 0)
		return true;
	for (const struct hub_key *k = hub_keys; k->key; k++)
		if (strcmp(k->group, group) == 0)
			return true;
	return false;
}

static const struct hub_key *key_find(const char *group, const char *key)
{
	for (const struct hub_key *k = hub_keys; k->key; k++)
		if (strcmp(k->group, group) == 0 && strcmp(k->key, key) == 0)
			return k;
	return NULL;
}

/* Unknown groups and keys warn, with what the file may have meant. */
static void warn_unknown(GKeyFile *kf, const char *file)
{
	g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);

	for (char **g = groups; *g; g++) {
		g_auto(GStrv) keys = NULL;

		if (!group_known(*g)) {
			g_warning("%s: [%s]: unknown group, ignored (known: [nats], [postgres], "
				  "[web], [fleet], [turn], [billing], [prices])",
				  file, *g);
			continue;
		}
		if (strcmp(*g, "prices") == 0)
			continue; /* prices_load checks every key */
		keys = g_key_file_get_keys(kf, *g, NULL, NULL);
		for (char **k = keys; k && *k; k++)
			if (!key_find(*g, *k))
				g_warning("%s: [%s] %s: unknown key, ignored", file, *g, *k);
	}
}

/* "12.50", "12.5", "12", "0.99" → cents; no sign, at most 2 decimals, at
 * most a million euros. */
static int price_parse(const char *text, gint64 *ret)
{
	const char *dot = strchr(text, '.');
	g_autofree char *whole = g_strndup(text, dot ? (gsize)(dot - text) : strlen(text));
	guint64 euros, cents = 0;

	if (!*whole || !g_ascii_string_to_unsigned(whole, 10, 0, 1000000, &euros, NULL))
		return -EINVAL;
	if (dot) {
		size_t n = strlen(dot + 1);

		if (n < 1 || n > 2 || !g_ascii_string_to_unsigned(dot + 1, 10, 0, 99, &cents, NULL))
			return -EINVAL;
		if (n == 1)
			cents *= 10;
	}
	*ret = (gint64)(euros * 100 + cents);
	return 0;
}

/* [prices]: every key PROVIDER.SERVICE.CHANNEL, CHANNEL a channel's name or
 * "*", SERVICE a code or "*"; every value an amount in euros. */
static int prices_load(GKeyFile *kf, const char *file, struct hub_config *cfg, GError **error)
{
	g_auto(GStrv) keys = g_key_file_get_keys(kf, "prices", NULL, NULL);

	cfg->prices = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	for (char **k = keys; k && *k; k++) {
		g_autofree char *value = g_key_file_get_string(kf, "prices", *k, NULL);
		g_auto(GStrv) parts = g_strsplit(*k, ".", -1);
		gint64 cents;

		if (g_strv_length(parts) != 3 || !*parts[0] || !*parts[1] || !*parts[2] ||
		    strcmp(parts[0], "*") == 0)
			return fail(error, file, "prices", *k,
				    "expected a key PROVIDER.SERVICE.CHANNEL like "
				    "kela.guide.in_person (SERVICE or CHANNEL may be *)",
				    NULL);
		if (strcmp(parts[2], "*") != 0 && queue_channel_parse(parts[2]) < 0)
			return fail(error, file, "prices", *k,
				    "expected the channel in_person, remote_video, e_service, "
				    "paper_form, phone, provider_on_site or *",
				    parts[2]);
		g_strstrip(value);
		if (price_parse(value, &cents) < 0)
			return fail(error, file, "prices", *k,
				    "expected an amount in euros like 12.50 (a dot, at most 2 "
				    "decimals, no sign or currency)",
				    value);
		g_hash_table_insert(cfg->prices, g_strdup(*k), g_memdup2(&cents, sizeof(cents)));
	}
	return 0;
}

struct hub_config *hub_config_load(const char *path, GError **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(HubConfig) cfg = g_new0(struct hub_config, 1);
	g_autofree char *file = g_path_get_basename(path);
	g_autoptr(GError) local = NULL;

	if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &local)) {
		g_set_error(error, HUB_CONFIG_ERROR, EINVAL, "%s: %s", path, local->message);
		return NULL;
	}
	cfg->path = g_canonicalize_filename(path, NULL);
	warn_unknown(kf, file);
	for (const struct hub_key *k = hub_keys; k->key; k++) {
		g_autofree char *value = g_key_file_get_string(kf, k->group, k->key, NULL);

		if (value)
			g_strstrip(value);
		if (!value && k->required) {
			fail(error, file, k->group, k->key, "missing: this key is required", NULL);
			return NULL;
		}
		if (!value && !k->def)
			continue;
		if (set_value(k, file, value ? value : k->def, cfg, error) < 0)
			return NULL;
	}
	if (prices_load(kf, file, cfg, error) < 0)
		return NULL;
	{
		GTimeZone *tz = g_time_zone_new_identifier(cfg->billing_tz);

		if (!tz) {
			fail(error, file, "billing", "time-zone",
			     "expected a time zone like Europe/Helsinki", cfg->billing_tz);
			return NULL;
		}
		g_time_zone_unref(tz);
	}
	/* The client certificate comes with its key; TLS servers need the CA. */
	if (!cfg->nats_cert != !cfg->nats_key) {
		fail(error, file, "nats", cfg->nats_cert ? "key" : "cert",
		     "missing: cert and key go together (the hub's client certificate, CN=hub)",
		     NULL);
		return NULL;
	}
	for (char **s = cfg->nats_servers; *s; s++)
		if (g_str_has_prefix(*s, "tls://") && !cfg->nats_ca) {
			fail(error, file, "nats", "ca",
			     "missing: tls:// servers need the CA of their certificates", NULL);
			return NULL;
		}
	if (!cfg->turn_urls != !cfg->turn_secret) {
		fail(error, file, "turn", cfg->turn_urls ? "secret" : "urls",
		     "missing: urls and secret go together (coturn's static-auth-secret)", NULL);
		return NULL;
	}
	if (cfg->turn_urls) {
		g_auto(GStrv) urls = g_strsplit(cfg->turn_urls, ";", -1);

		for (char **u = urls; *u; u++)
			if (!g_str_has_prefix(g_strstrip(*u), "turn:") &&
			    !g_str_has_prefix(*u, "turns:") && !g_str_has_prefix(*u, "stun:")) {
				fail(
				    error, file, "turn", "urls",
				    "expected turn:HOST:PORT?transport=udp (or turns:, stun:) URLs "
				    "separated by ;",
				    *u);
				return NULL;
			}
	}
	/* silent-seconds (tests) overrides the minutes. */
	if (cfg->fleet_silent_s == 0)
		cfg->fleet_silent_s = cfg->fleet_silent_min * 60;
	{
		g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(cfg->web_timezone);

		if (!tz) {
			fail(error, file, "web", "timezone",
			     "expected a time zone name like Europe/Helsinki", cfg->web_timezone);
			return NULL;
		}
	}
	{
		g_autofree char *dir = g_path_get_dirname(cfg->path);
		g_autofree char *rel = g_steal_pointer(&cfg->sql_dir);

		cfg->sql_dir = g_canonicalize_filename(rel ? rel : "sql", dir);
	}
	if (!g_file_test(cfg->sql_dir, G_FILE_TEST_IS_DIR)) {
		fail(error, file, "postgres", "sql-dir",
		     "expected the folder of the hub's NNN-*.sql files (hub/sql in the source, "
		     "share/vuoro/hub/sql installed)",
		     cfg->sql_dir);
		return NULL;
	}
	return g_steal_pointer(&cfg);
}

void hub_config_free(struct hub_config *cfg)
{
	if (!cfg)
		return;
	g_free(cfg->path);
	g_strfreev(cfg->nats_servers);
	g_free(cfg->nats_ca);
	g_free(cfg->nats_cert);
	g_free(cfg->nats_key);
	g_free(cfg->stream);
	g_free(cfg->durable);
	g_free(cfg->pg_conninfo);
	g_free(cfg->sql_dir);
	g_free(cfg->web_listen);
	g_free(cfg->web_ui_dir);
	g_free(cfg->web_hosts);
	g_free(cfg->web_languages);
	g_free(cfg->web_timezone);
	g_free(cfg->turn_urls);
	g_free(cfg->turn_secret);
	g_free(cfg->billing_tz);
	g_free(cfg->currency);
	if (cfg->prices)
		g_hash_table_unref(cfg->prices);
	g_free(cfg);
}
