/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config: the board-config (GKeyFile INI) of one service point.
 *
 * One descriptor table in config.c drives the loader; every error names the
 * file, the group, the key and what was expected.  The loaded struct is plain
 * read-only data: the queue engine reads it, nobody writes it after load.
 *
 * Groups:
 *   [site]            name, timezone, demo-hours, daily-reset, reset-clears-queue
 *   [api]             listen, kiosk-addresses, kiosk-token, max-body-kb, token-hours
 *   [store]           db
 *   [queue]           requeue-no-shows, appointment-early-min, appointment-late-min,
 *                     service-time-window
 *   [provider:CODE]   name-fi, name-sv, name-en
 *   [service:CODE]    prefix, provider, kind, name-fi, name-sv, name-en, hours,
 *                     last-ticket-min, max-queue, service-min
 *   [counter:ID]      name, kind (counter | expert), profile ("tax,permits:2")
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define CONFIG_LANGS 3 /* fi, sv, en: the order of every name[] array */

enum config_lang {
	CONFIG_LANG_FI = 0,
	CONFIG_LANG_SV = 1,
	CONFIG_LANG_EN = 2,
};

enum config_service_kind {
	CONFIG_SERVICE_COUNTER = 0, /* served at a counter, in person */
	CONFIG_SERVICE_REMOTE = 1,  /* served by a provider's expert over video */
};

/* Opening hours of one weekday, minutes after local midnight.  open == close
 * means closed all day. */
struct config_day_hours {
	uint16_t open_min;
	uint16_t close_min;
};

struct config_provider {
	char *code;
	char *name[CONFIG_LANGS];
};

struct config_service {
	char *code;   /* "tax" */
	char prefix;  /* 'A'..'Z': ticket numbers read A001 */
	int provider; /* index into config.providers */
	enum config_service_kind kind;
	char *name[CONFIG_LANGS];
	struct config_day_hours hours[7]; /* [0] = Monday … [6] = Sunday */
	int last_ticket_min;              /* no new tickets this many minutes before closing */
	int max_queue;                    /* most tickets waiting at once; 0 = no limit */
	int service_min;                  /* service time assumed until real ones are measured */
};

struct config_profile_entry {
	int service; /* index into config.services */
	int weight;  /* 0: strict profile order; >0: weighted by waiting time */
};

struct config_counter {
	int id;          /* counter number as shown to citizens: 1, 2, … */
	char *name;      /* "Counter 1" / booth name */
	bool expert;     /* an expert's desk serving remote services by video */
	GArray *profile; /* of struct config_profile_entry, in profile order */
};

struct config {
	char *path;

	/* [site] */
	char *site_name;
	char *timezone;  /* an Olson name, "Europe/Helsinki" */
	bool demo_hours; /* sim board: opening hours are parsed but not enforced */
	int reset_min;   /* the service day starts at this local minute (daily-reset = 03:00) */
	bool reset_clears_queue; /* cancel tickets still waiting at the reset (default true) */

	/* [api] */
	char *listen_host;
	int listen_port;
	char **kiosk_addresses; /* NULL-terminated; peers allowed to issue tickets */
	char *kiosk_token;      /* device token that also allows issuing; may be NULL */
	int max_body_kb;
	int token_hours;

	/* [store] */
	char *db_path;

	/* [queue] */
	int requeue_no_shows;      /* a no-show goes back this many times before it is dropped */
	int appointment_early_min; /* an appointment gets priority this early … */
	int appointment_late_min;  /* … and keeps it this long after its booked time */
	int service_time_window;   /* recent visits per service behind the estimate */

	GPtrArray *providers; /* of struct config_provider * */
	GPtrArray *services;  /* of struct config_service * */
	GPtrArray *counters;  /* of struct config_counter * */
};

/* Loads and checks FILE.  On error returns NULL and sets @error to one line
 * naming file, group, key and what was expected.  Warnings (unknown keys) go to
 * g_warning. */
struct config *config_load(const char *path, GError **error);
/* The same from a string; @name stands for the file name in messages. */
struct config *config_load_data(const char *data, const char *name, GError **error);
void config_free(struct config *cfg);
typedef struct config Config; /* for g_autoptr(Config) only */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Config, config_free)

/* Lookups; return -1 (or NULL) when absent. */
int config_service_find(const struct config *cfg, const char *code);
int config_counter_find(const struct config *cfg, int counter_id);
const struct config_service *config_service_get(const struct config *cfg, int index);
const struct config_counter *config_counter_get(const struct config *cfg, int index);
const char *config_provider_code(const struct config *cfg, int service_index);

/* "fi" → CONFIG_LANG_FI …; -1 when not one of ours. */
int config_lang_parse(const char *s);
const char *config_lang_code(enum config_lang lang);
