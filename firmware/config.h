/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config: the board-config (GKeyFile INI) of one service point.
 *
 * One descriptor table in config.c drives the loader; every error names the
 * file, the group, the key and what was expected.  The loaded struct is plain
 * read-only data: the queue engine reads it, nobody writes it after load.
 *
 * Groups:
 *   [site]            name, board (real | sim: required), languages ("fi;sv;en": the
 *                     first is the main one; each needs ui/i18n/LANG.json), timezone,
 *                     demo-hours, daily-reset, reset-clears-queue
 *   [api]             listen, kiosk-addresses, kiosk-token, max-body-kb, hosts,
 *                     header-timeout-s, idle-timeout-s, max-connections-per-address,
 *                     listen-backlog, json-max-depth, token-hours, ui-dir,
 *                     tls-cert, tls-key
 *   [store]           db
 *   [queue]           requeue-no-shows, appointment-early-min, appointment-late-min,
 *                     service-time-window
 *   [provider:CODE]   name-LANG for each site language (the main one required; the
 *                     others fall back to it)
 *   [service:CODE]    prefix, provider, kind, name-LANG (as for providers), hours,
 *                     last-ticket-min, max-queue, service-min, instructions-url,
 *                     support-phone, support-chat-url, start-date (YYYY-MM-DD)
 *   [hours-exception:NAME] date (YYYY-MM-DD), closed (yes | no) or hours
 *                     (HH:MM-HH:MM), services ("tax,kela"; all when absent),
 *                     name-LANG (the reason, as for providers)
 *   [counter:ID]      name, kind (counter | expert), profile ("tax,permits:2")
 *   [printer]         transport (sim | file | serial | usb | tcp), device, baud, flow
 *                     (none | rtscts | xonxoff), host, port, timeout-ms, codepage
 *                     (cp858 | cp865 | … | none), paper (80mm | 58mm), columns (80 mm:
 *                     48 font A or 64 font B; 58 mm: 32 or 42), header, footer-LANG,
 *                     url-base, sim-dir; width (old: the columns, paper guessed)
 *   [gpio]            backend (sim | gpiod), chip
 *   [button:NAME]     line, active-low, action, long-action, debounce-ms, long-press-ms,
 *                     cooldown-ms.  Actions: issue:SERVICE, next:N, recall:N, noshow:N,
 *                     end:N (counter N's keypad), feedback:1..5, door:N (booth N's door
 *                     or occupancy input: held while occupied)
 *   [lamp:NAME]       line, active-low, follows (counter-open:N | booth-busy:N |
 *                     printer-fault)
 *   [bus:NAME]        a display wire: transport (sim | rtu | tcp), device, baud, parity
 *                     (none | even | odd), data-bits, stop-bits, rs485, host, port,
 *                     timeout-ms, tries, backoff-ms, blink-seconds, frame-delay-ms (the
 *                     quiet time a slow unit needs between frames), sim-silent-units
 *   [display:NAME]    bus, unit (1–247), map (NAME of board-config/displays/NAME.map,
 *                     or a path), counter (show this counter's calls; absent: all)
 *   [audio]           sink (auto | alsa | pulse | wav | none), device, wav-dir, volume
 *   [announcer]       languages (also spoken: "sv;en"; unset: the main and the
 *                     ticket's only), rate (words per minute), chime, speak
 *   [visitors]        enabled (yes/no), retention-days (1–3650, default 30)
 *   [kiosk]           ticket-seconds (3–30: the ticket view goes back to the start),
 *                     unstaffed (show | hide: a service no open counter serves),
 *                     guide-idle-seconds (speech guidance stops), button-speech (a
 *                     service button speaks), headset-jack (a GPIO line: plugged
 *                     in = active), headset-jack-active-low, headset-sink, headset-device,
 *                     headset-wav-dir (the headset jack's output, apart from [audio])
 *   [identity]        module, trust-anchors, crl, crl-max-age-hours, required-eku,
 *                     site-secret, slot, retention-days (firmware/identity.h)
 *
 * A real board (board = real) is held to real devices: the loader refuses a
 * device group that is missing or names a simulated backend (the defaults of
 * [printer], [gpio] and [bus:NAME] are the sim ones), test sources in a booth,
 * the wav sink, the SoftHSM test card, demo hours, an API listening beyond
 * loopback without TLS, and a ticket without [printer] url-base (https: the
 * address phones reach).  The API's sim-only routes exist on a sim board only.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "display_map.h"

/* The most languages a site offers.  A language is its index in the site's
 * list ([site] languages), 0 the main one: the order of every name[]. */
#define CONFIG_LANGS_MAX 16

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

/* A day whose hours differ from the week's (issue 17): a public holiday or
 * closed day (closed), or special hours (an evening opening), for every
 * service or those in @services.  From [hours-exception:NAME] or, built by
 * api/hours.c, from an imported iCalendar file kept in the store. */
struct config_hours_exception {
	char *id;                     /* the group's NAME, or the iCalendar UID */
	int64_t row;                  /* the store's row id; 0 from board-config */
	char *date_text;              /* "2026-12-24" */
	int32_t date;                 /* local days since 1970-01-01 */
	char *closed_text;            /* "yes" | "no" as written */
	bool closed;                  /* else open open_min..close_min */
	char *hours_text;             /* "16:00-19:00" as written */
	uint16_t open_min;            /* special hours, minutes after local midnight */
	uint16_t close_min;           /* … */
	char *services_text;          /* "tax,kela" as written; NULL = every service */
	uint32_t services;            /* bit per service index; 0 = every service */
	char *name[CONFIG_LANGS_MAX]; /* the reason, per site language */
};

struct config_provider {
	char *code;
	char *name[CONFIG_LANGS_MAX];
};

struct config_service {
	char *code;   /* "tax" */
	char prefix;  /* 'A'..'Z': ticket numbers read A001 */
	int provider; /* index into config.providers */
	enum config_service_kind kind;
	char *name[CONFIG_LANGS_MAX];
	struct config_day_hours hours[7]; /* [0] = Monday … [6] = Sunday */
	int last_ticket_min;              /* no new tickets this many minutes before closing */
	int max_queue;                    /* most tickets waiting at once; 0 = no limit */
	int service_min;                  /* service time assumed until real ones are measured */
	/* The service card (staff only): the provider's instructions per
	 * language (NULL: none), its support line and chat.  https only. */
	char *instructions_url[CONFIG_LANGS_MAX];
	char *support_phone;
	char *support_chat_url;
	bool trial;    /* its visits are trials: out of billing, shown apart */
	int start_day; /* start-date: days since 1970-01-01; 0 not set */
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

	/* A remote-service booth (kind = expert): its media parts, each
	 * "scheme" or "scheme:arg" (checked by booth_media_check). */
	char *camera;          /* test[:PATTERN] | v4l2:/dev/videoN */
	char *document_camera; /* none | test[:PATTERN] | v4l2:/dev/videoN */
	char *microphone;      /* test | alsa[:DEVICE] | pulse | none */
	char *speaker;         /* auto | alsa[:DEVICE] | pulse | none */
	int screen;            /* 0 page (MJPEG to /booth), 1 auto (a window), 2 none */
	int video_codec;       /* 0 vp8, 1 h264 */
	char *h264_encoder;    /* x264enc, or a hardware one (v4l2h264enc) */
	int width, height, fps;
	int video_kbps;
	int recording; /* 0 off, 1 ask the customer for consent on the booth screen */
};

/* The ticket printer.  transport and flow are the index into the names
 * above, in the order of enum hal_printer_transport / hal_printer_flow. */
struct config_printer {
	int transport;
	char *device;
	int baud;
	int flow;
	char *host;
	int port;
	int timeout_ms;
	char *codepage; /* a name escpos_codepage_find() knows */
	int paper;      /* index into "80mm", "58mm" */
	int columns;    /* characters per line: the paper's font A or font B count */
	int width;      /* the old name of columns (0: not set) */
	int dots;       /* the paper's dots a line: 576 (80 mm) or 384 (58 mm) */
	bool font_b;    /* columns is font B's count (9 × 17 dots a character) */
	char *header;   /* NULL: the site's name */
	char *footer[CONFIG_LANGS_MAX];
	char *url_base; /* "https://jono.example.fi" (no trailing "/"): the QR's follow
			 * URL; NULL on a sim board: the address vuorod listens on */
	char *sim_dir;  /* sim: where tickets are saved as .bin and .png */
};

enum config_button_action {
	CONFIG_BUTTON_NONE = 0,
	CONFIG_BUTTON_ISSUE,    /* arg: service index */
	CONFIG_BUTTON_NEXT,     /* arg: counter id */
	CONFIG_BUTTON_RECALL,   /* arg: counter id */
	CONFIG_BUTTON_NOSHOW,   /* arg: counter id */
	CONFIG_BUTTON_END,      /* arg: counter id */
	CONFIG_BUTTON_FEEDBACK, /* arg: rating 1..5 */
	CONFIG_BUTTON_DOOR,     /* arg: counter id of the booth; a level, not a press */
	CONFIG_BUTTON_ALARM,    /* arg: counter id: staff need help there (issue 17) */
	CONFIG_BUTTON_GUIDE,    /* arg: enum config_guide_key: the kiosk's tactile keypad */
	CONFIG_BUTTON_HEADSET,  /* the headset jack's detect switch; a level: 1 plugged in */
};

/* The speech-guided kiosk's keys (issue 20): "guide:up" … */
enum config_guide_key {
	CONFIG_GUIDE_SPEECH, /* starts speech guidance (or says where it is) */
	CONFIG_GUIDE_UP,
	CONFIG_GUIDE_DOWN,
	CONFIG_GUIDE_SELECT,
	CONFIG_GUIDE_BACK,
	CONFIG_GUIDE_REPEAT,
	CONFIG_GUIDE_VOLUME,
	CONFIG_GUIDE_LANGUAGE, /* the next of the site's languages with a voice */
	CONFIG_GUIDE_DONE,
};

struct config_button_do {
	enum config_button_action action;
	int arg;
};

struct config_button {
	char *name;
	int line;
	bool active_low;
	struct config_button_do press;
	struct config_button_do long_press; /* NONE: a long press is a press */
	int debounce_ms;                    /* edges this soon after the first are bounces */
	int long_press_ms;                  /* held this long: the long action */
	int cooldown_ms;                    /* presses this soon after an action are ignored */
};

enum config_lamp_follow {
	CONFIG_LAMP_COUNTER_OPEN, /* arg: counter id */
	CONFIG_LAMP_BOOTH_BUSY,   /* arg: counter id of the booth */
	CONFIG_LAMP_PRINTER_FAULT,
	CONFIG_LAMP_ALARM, /* arg: counter id, 0: an alarm open anywhere */
};

struct config_lamp {
	char *name;
	int line;
	bool active_low;
	enum config_lamp_follow follows;
	int arg;
};

/* A display wire.  transport, parity: indexes in the order of enum
 * hal_display_transport and of "none", "even", "odd". */
struct config_display_bus {
	char *name;
	int transport;
	char *device;
	int baud;
	int parity;
	int data_bits;
	int stop_bits;
	bool rs485;
	char *host;
	int port;
	int timeout_ms;
	int tries;
	int backoff_ms;
	int blink_s;
	int frame_delay_ms;
	char **sim_silent_units; /* NULL-terminated unit ids as text; sim only */
};

struct config_display {
	char *name;
	char *bus_name;
	int bus;  /* index into config.display_buses */
	int unit; /* Modbus unit id */
	char *map_name;
	struct display_map map; /* loaded from the .map file */
	int counter;            /* show this counter's calls; 0: every call */
};

enum config_kiosk_unstaffed {
	CONFIG_KIOSK_UNSTAFFED_SHOW = 0, /* offered, saying no counter is open for it now */
	CONFIG_KIOSK_UNSTAFFED_HIDE = 1, /* not offered until a counter opens for it */
};

enum config_board {
	CONFIG_BOARD_REAL = 0, /* real devices only; sim routes refused */
	CONFIG_BOARD_SIM = 1,  /* simulated devices, for tests and demonstrations */
};

struct config {
	char *path;

	/* [site] */
	char *site_name;
	char **langs; /* NULL-terminated codes, the main language first */
	int n_langs;
	int board;       /* enum config_board; required, no default */
	char *timezone;  /* an Olson name, "Europe/Helsinki" */
	bool demo_hours; /* sim board: opening hours are parsed but not enforced */
	int reset_min;   /* the service day starts at this local minute (daily-reset = 03:00) */
	bool reset_clears_queue; /* cancel tickets still waiting at the reset (default true) */
	bool trial;              /* the whole site on trial: no visit is billed */
	char *a11y_contact;      /* who hears of an accessibility problem; NULL: the desk */
	char *a11y_authority;    /* the supervising authority to turn to; NULL: not shown */

	/* [api] */
	char *listen_host;
	int listen_port;
	char **kiosk_addresses; /* NULL-terminated; peers allowed to issue tickets */
	char *kiosk_token;      /* device token that also allows issuing; may be NULL */
	int max_body_kb;
	char **api_hosts;       /* names a request's Host may carry; NULL: this board's */
	int header_timeout_s;   /* a request's headers complete within this */
	int idle_timeout_s;     /* a keep-alive connection idle this long is closed */
	int max_conns_per_addr; /* open connections from one client address */
	int listen_backlog;
	int json_max_depth; /* arrays/objects nested deeper are refused before parsing */
	int token_hours;
	char *ui_dir;   /* the web pages; NULL: ./ui or the installed ones */
	char *tls_cert; /* PEM: serve HTTPS; NULL: HTTP */
	char *tls_key;  /* PEM key; NULL: in tls_cert */

	/* [store] */
	char *db_path;

	/* [queue] */
	int requeue_no_shows;      /* a no-show goes back this many times before it is dropped */
	int appointment_early_min; /* an appointment gets priority this early … */
	int appointment_late_min;  /* … and keeps it this long after its booked time */
	int service_time_window;   /* recent visits per service behind the estimate */
	int feedback_window_s;     /* a rating this soon after a visit ended is tied to it */

	/* [visitors]: the reception's visitor register (issue 17) */
	bool visitors_enabled;
	int visitors_retention_days; /* its rows are erased after this */

	/* [kiosk] */
	int kiosk_ticket_s;  /* the ticket view goes back to the start this long after printing */
	int kiosk_unstaffed; /* enum config_kiosk_unstaffed */
	int kiosk_guide_idle_s;   /* speech guidance stops this long after the last key */
	bool kiosk_button_speech; /* a service button says the service and the ticket */
	/* The headset's output: the guidance goes there, never to the room's
	 * speaker, while a headset is in.  Sink as in [audio]. */
	int kiosk_headset_jack; /* GPIO line of the jack's detect switch, -1 none */
	bool kiosk_headset_jack_active_low;
	int kiosk_headset_sink;
	char *kiosk_headset_device;
	char *kiosk_headset_wav_dir;

	struct config_printer printer;

	/* [gpio] */
	int gpio_backend; /* 0 sim, 1 gpiod (enum hal_gpio_backend) */
	char *gpio_chip;
	GPtrArray *buttons; /* of struct config_button * */
	GPtrArray *lamps;   /* of struct config_lamp * */

	GPtrArray *display_buses; /* of struct config_display_bus * */
	GPtrArray *displays;      /* of struct config_display * */

	/* [audio]: sink is the index in the order of enum hal_audio_sink */
	int audio_sink;
	char *audio_device;
	char *audio_wav_dir;
	int audio_volume; /* percent */

	/* [announcer] */
	char **announce_langs; /* NULL, or site languages also spoken after the main
				* one and the ticket's, in that order */
	int announce_wpm;
	bool announce_chime;
	bool announce_speak;

	/* [webrtc]: the booths' video sessions */
	char *stun_server;          /* stun://HOST:PORT; NULL none */
	char **turn_servers;        /* turn(s)://USER:PASS@HOST:PORT; NULL-terminated */
	char **ice_local_addresses; /* extra addresses for ICE (127.0.0.1 on a test host) */
	int ring_s;                 /* the expert's browser must answer within this */
	int connect_s;              /* and connect within this */
	int reconnect_s;            /* a lost connection may come back within this */
	int media_timeout_s;        /* no sound or picture from the expert this long: lost */

	/* [recording]: only with the customer's consent */
	char *recording_dir;
	int recording_retention_days;

	/* [identity]: the ID card's chip (firmware/identity.c) */
	char *identity_module;        /* the PKCS#11 module's path */
	char *identity_trust_anchors; /* PEM file or directory of the cards' CAs */
	char *identity_crl;           /* CRL file (PEM or DER) the site keeps fresh */
	int identity_crl_max_age_h;   /* a CRL issued longer ago is stale */
	char *identity_required_eku;  /* clientAuth, another name, an OID, or none */
	char *identity_site_secret;   /* file whose bytes key the identity code's HMAC */
	int identity_slot;            /* PKCS#11 slot id; -1: the first with a card */
	int identity_retention_days;  /* personal fields of checks and visits kept this long */

	/* [uplink]: the way to the region's hub (issue 15).  Absent group: no
	 * uplink, the site works alone and writes no outbox rows. */
	bool uplink;             /* the group is present */
	char **uplink_servers;   /* tls://HOST:PORT of the NATS servers; NULL-terminated */
	char *uplink_site;       /* this site's id: a-z, 0-9, '-', at most 32 */
	char *uplink_ca;         /* PEM of the servers' CA */
	char *uplink_cert;       /* PEM client certificate (mapped to a NATS user) */
	char *uplink_key;        /* its PEM key */
	int uplink_alarm_min;    /* a fault when the oldest unsent record is older */
	int uplink_keep_days;    /* sent outbox rows are pruned after this */
	int uplink_alarm_s;      /* when > 0: the alarm's age in seconds, instead of minutes */
	int uplink_retry_max_s;  /* the longest pause between retries after a failure */
	int uplink_presence_s;   /* the hub's presence holds this long (issue 16) */
	char *uplink_public_url; /* NULL, or the hub's public address: the ticket's QR
				  * points at <public-url>/t/<site>.<REF> */

	/* [notify]: e-mail to a booked visitor's host (notify.c, issue 17).
	 * Absent group or smtp-url: hosts are told on their page only. */
	char *notify_smtp_url;  /* smtp://HOST:PORT or smtps://HOST:PORT */
	char *notify_from;      /* the sender address */
	char *notify_username;  /* SMTP AUTH; may be NULL */
	char *notify_password;  /* may be NULL */
	int notify_starttls;    /* 0 required, 1 off (smtp:// only) */
	char *notify_ca_file;   /* PEM of the server's CA; NULL: the system's */
	int notify_retry_max_s; /* the longest pause between attempts */
	int notify_timeout_s;   /* one attempt's limit */

	GPtrArray *providers;        /* of struct config_provider * */
	GPtrArray *services;         /* of struct config_service * */
	GPtrArray *counters;         /* of struct config_counter * */
	GPtrArray *hours_exceptions; /* of struct config_hours_exception *, by date */
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

/* The sim board: its simulated devices may be driven through the API's sim
 * routes (POST /api/printer/sim, /api/gpio/sim, /api/booths/N/sim); a real
 * board answers those 404. */
bool config_board_is_sim(const struct config *cfg);

/* Whether serving on @host needs TLS: a real board listening beyond
 * loopback.  For --listen, which overrides [api] listen after the load. */
bool config_listen_needs_tls(const struct config *cfg, const char *host);

/* Why @token is too weak for a device token ("a placeholder …"), or NULL. */
const char *config_token_weakness(const char *token);

/* Lookups; return -1 (or NULL) when absent. */
int config_service_find(const struct config *cfg, const char *code);
int config_counter_find(const struct config *cfg, int counter_id);
const struct config_service *config_service_get(const struct config *cfg, int index);
const struct config_counter *config_counter_get(const struct config *cfg, int index);
const char *config_provider_code(const struct config *cfg, int service_index);
bool config_provider_known(const struct config *cfg, const char *code);
/* Whether a visit of service @service_index is a trial ([site] or its
 * [service:CODE] trial = yes): kept out of the billing figures. */
bool config_service_trial(const struct config *cfg, int service_index);

/* Checks @e's texts (date_text, closed_text, hours_text, services_text)
 * and sets date, closed, open/close_min and services from them.  -EINVAL
 * with @ret_key the key at fault and @ret_what (freed by the caller) what
 * was expected. */
int config_hours_exception_check(const struct config *cfg, struct config_hours_exception *e,
				 const char **ret_key, char **ret_what);
void config_hours_exception_free(gpointer p);
/* Local days since 1970-01-01 of "YYYY-MM-DD"; -1 when it is not a date. */
int32_t config_date_parse(const char *text);
/* @ret gets "YYYY-MM-DD" (11 bytes). */
void config_date_format(int32_t date, char ret[11]);

/* "next" for CONFIG_BUTTON_NEXT …, for messages and the API. */
const char *config_button_action_name(enum config_button_action a);
const char *config_lamp_follow_name(enum config_lamp_follow f);

/* "fi", "sv", "se", "smn": two or three lowercase letters (ISO 639-1 or -3). */
bool config_lang_code_valid(const char *s);
/* "sv" → its index in [site] languages; -1 when the site does not offer it. */
int config_lang_parse(const struct config *cfg, const char *code);
/* The code of language @lang; the main language's for one out of range. */
const char *config_lang_code(const struct config *cfg, int lang);
