/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hub_config: vuoro-hub's configuration (GKeyFile INI), hub.conf.example.
 *
 * One descriptor table drives the loader, as the site's config.c does;
 * errors read "FILE: [GROUP] KEY: expected …, got …", unknown groups and keys
 * warn.  The loaded struct is read-only after load.
 *
 *   [nats]      servers (tls://HOST:PORT;…, nats:// only for a test without
 *               TLS), ca, cert, key (the hub's client certificate, CN=hub),
 *               stream (VUORO_REC), durable (hub), duplicates-seconds (7200),
 *               replicas (3), max-age-days (30), batch (500), batch-ms (50),
 *               max-ack-pending (20000), ack-wait-seconds (30)
 *   [postgres]  conninfo (libpq), sql-dir (the NNN-*.sql migrations; default
 *               sql next to this file)
 *   [web]       listen (HOST:PORT, for the hub's pages), hosts (the names
 *               browsers reach it by, ;-separated: other Hosts get 421;
 *               default this machine's names), secure-cookies (false; true
 *               behind the region's HTTPS proxy), ui-dir (the pages;
 *               default ./ui or the installed one), languages (the pages'
 *               catalogs, main first: fi;sv;en;se;uk;ar), timezone (the
 *               region's, for the arrivals' hours: Europe/Helsinki),
 *               session-hours (12),
 *               max-body-kb (64), statement-timeout-ms (5000: the longest
 *               query a page may run on the hub's main loop),
 *               expert-silence-s (40: an expert page that answers no ping
 *               this long has lost its network: its socket is closed, its
 *               sessions' sites hear peer-gone, presence counts it out)
 *   [fleet]     silent-minutes (30: a site whose live state is older is
 *               marked silent on /hub/fleet), silent-seconds (0; > 0 instead
 *               of the minutes, for tests)
 *   [turn]      urls (";"-separated browser-form TURN URLs, e.g.
 *               turn:203.0.113.10:3478?transport=udp), secret (coturn's
 *               static-auth-secret: use-auth-secret), ttl-s (3600: how long
 *               the credentials handed to an expert last).  No [turn]: the
 *               experts' sessions use direct paths only
 *   [billing]   time-zone (Europe/Helsinki: which month is the current one,
 *               when a period has ended), currency (EUR)
 *   [prices]    PROVIDER.SERVICE.CHANNEL = 12.50: the unit price of a billable
 *               event in euros (at most 2 decimals); SERVICE or CHANNEL may be
 *               "*", a fallback (billing.h says which key wins)
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

struct hub_config {
	char *path;
	char **nats_servers; /* NULL-terminated */
	char *nats_ca, *nats_cert, *nats_key;
	char *stream;
	char *durable;
	int duplicates_s;
	int replicas;
	int max_age_days;
	int batch;
	int batch_ms;
	int max_ack_pending;
	int ack_wait_s;
	char *pg_conninfo;
	char *sql_dir; /* absolute */
	char *web_listen;
	bool web_secure_cookies;
	char *web_hosts;     /* "hub.region.example;…", NULL: this machine's */
	char *web_ui_dir;    /* NULL: web_default_dir() */
	char *web_languages; /* "fi;sv;…", main first */
	char *web_timezone;  /* IANA name */
	int web_session_hours;
	int web_max_body_kb;
	int web_statement_timeout_ms;
	int web_expert_silence_s;
	int fleet_silent_min;
	int fleet_silent_s; /* the one to use: minutes × 60 unless set */
	char *turn_urls;    /* "turn:HOST:PORT?transport=udp;…", NULL: no relay */
	char *turn_secret;  /* coturn's static-auth-secret */
	int turn_ttl_s;
	char *billing_tz;
	char *currency;
	/* [prices]: "PROVIDER.SERVICE.CHANNEL" → cents (GINT64_TO_POINTER is
	 * not portable: a gint64 * each) */
	GHashTable *prices;
};

#define HUB_CONFIG_ERROR (hub_config_error_quark())
GQuark hub_config_error_quark(void);

struct hub_config *hub_config_load(const char *path, GError **error);
void hub_config_free(struct hub_config *cfg);
typedef struct hub_config HubConfig;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HubConfig, hub_config_free)
