/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config: loads a board-config (GKeyFile INI) into struct config.
 *
 * One descriptor table (config_keys[]) names every key of every group with
 * its type, bounds, default and where it lands; one loader walks it.  Groups
 * that repeat ([provider:CODE], [service:CODE], [counter:ID]) have their own
 * table of the same shape, loaded into the object the group creates.  Every
 * error is one line: "FILE: [GROUP] KEY: expected …, got …".  Unknown keys
 * and groups are warnings, not errors, so that a newer board-config still
 * starts an older firmware.
 */

#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "escpos.h"

GQuark config_error_quark(void);
G_DEFINE_QUARK(vuoro - config - error - quark, config_error)
#define CONFIG_ERROR (config_error_quark())

enum config_type {
	CT_STRING,      /* char * */
	CT_BOOL,        /* bool */
	CT_INT,         /* int, within [min, max] */
	CT_MINUTE,      /* int: "HH:MM" → minutes after midnight */
	CT_LISTEN,      /* "HOST:PORT" → listen_host, listen_port */
	CT_LIST,        /* char **: ";"-separated */
	CT_TOKEN,       /* char *: at least 16 characters when set */
	CT_ZONE,        /* char *: an Olson time zone name */
	CT_PREFIX,      /* char: one letter A–Z */
	CT_PROVIDER,    /* int: index of an existing provider */
	CT_SVC_KIND,    /* enum config_service_kind */
	CT_CTR_KIND,    /* bool expert */
	CT_HOURS,       /* struct config_day_hours[7] */
	CT_PROFILE,     /* GArray of struct config_profile_entry */
	CT_CHOICE,      /* int: index into the key's choices */
	CT_CODEPAGE,    /* char *: a printer code page we know */
	CT_ACTION,      /* struct config_button_do: "issue:tax", "next:2" … */
	CT_FOLLOWS,     /* enum config_lamp_follow + arg: "counter-open:2" … */
	CT_UNITS,       /* char **: ";"-separated Modbus unit ids 1–247 */
	CT_LANGS,       /* char **: ";"-separated language codes, each at most once */
	CT_NAMES,       /* char *[CONFIG_LANGS_MAX]: KEY-LANG per site language ("name-fi") */
	CT_MAP,         /* char * map name + struct display_map loaded next to the config */
	CT_MEDIA,       /* char *: "scheme" or "scheme:arg", scheme among the key's choices */
	CT_URI,         /* char *: a URI whose scheme is among the key's choices */
	CT_HTTPS,       /* char *: an https:// URL with a host */
	CT_HTTPS_LANGS, /* char *[CONFIG_LANGS_MAX]: KEY for all languages, KEY-LANG for one */
	CT_PHONE,       /* char *: a phone number, digits with + - ( ) and spaces */
	CT_DATE,        /* int: "YYYY-MM-DD" → days since 1970-01-01 (0: not set) */
};

struct config_key {
	const char *key;
	enum config_type type;
	bool required;
	const char *def; /* default as text, parsed like a value; NULL = none */
	int min, max;
	size_t offset;              /* in struct config or in the group's object */
	const char *const *choices; /* CT_CHOICE: NULL-terminated */
};

#define SITE(field) offsetof(struct config, field)
#define SVC(field)  offsetof(struct config_service, field)
#define CTR(field)  offsetof(struct config_counter, field)
#define PRV(field)  offsetof(struct config_provider, field)
#define BTN(field)  offsetof(struct config_button, field)
#define LMP(field)  offsetof(struct config_lamp, field)
#define DBUS(field) offsetof(struct config_display_bus, field)
#define DSP(field)  offsetof(struct config_display, field)

static const char *const boards[] = {
    [CONFIG_BOARD_REAL] = "real", [CONFIG_BOARD_SIM] = "sim", NULL};

static const struct config_key site_keys[] = {
    {"name", CT_STRING, true, NULL, 0, 0, SITE(site_name)},
    /* No default: a real site must say so, and is then held to real devices. */
    {"board", CT_CHOICE, true, NULL, 0, 0, SITE(board), boards},
    /* The main language first; each one needs its catalog, ui/i18n/LANG.json. */
    {"languages", CT_LANGS, false, "fi;sv;en", 0, 0, SITE(langs)},
    {"timezone", CT_ZONE, false, "Europe/Helsinki", 0, 0, SITE(timezone)},
    {"demo-hours", CT_BOOL, false, "false", 0, 0, SITE(demo_hours)},
    {"daily-reset", CT_MINUTE, false, "03:00", 0, 0, SITE(reset_min)},
    {"reset-clears-queue", CT_BOOL, false, "true", 0, 0, SITE(reset_clears_queue)},
    /* Every visit here is a trial: out of the billing figures, shown apart. */
    {"trial", CT_BOOL, false, "false", 0, 0, SITE(trial)},
    /* The accessibility statement (/accessibility): where to report a
     * problem, and the authority a citizen may turn to after that. */
    {"accessibility-contact", CT_STRING, false, NULL, 0, 0, SITE(a11y_contact)},
    {"accessibility-authority", CT_STRING, false, NULL, 0, 0, SITE(a11y_authority)},
    {0},
};

static const struct config_key api_keys[] = {
    {"listen", CT_LISTEN, false, "127.0.0.1:8080", 0, 0, SITE(listen_host)},
    {"kiosk-addresses", CT_LIST, false, "127.0.0.1;::1", 0, 0, SITE(kiosk_addresses)},
    {"kiosk-token", CT_TOKEN, false, NULL, 0, 0, SITE(kiosk_token)},
    {"max-body-kb", CT_INT, false, "256", 1, 10240, SITE(max_body_kb)},
    {"hosts", CT_LIST, false, NULL, 0, 0, SITE(api_hosts)},
    {"header-timeout-s", CT_INT, false, "10", 1, 300, SITE(header_timeout_s)},
    {"idle-timeout-s", CT_INT, false, "60", 1, 3600, SITE(idle_timeout_s)},
    {"max-connections-per-address", CT_INT, false, "64", 1, 65535, SITE(max_conns_per_addr)},
    {"listen-backlog", CT_INT, false, "256", 1, 65535, SITE(listen_backlog)},
    {"json-max-depth", CT_INT, false, "64", 2, 10000, SITE(json_max_depth)},
    {"token-hours", CT_INT, false, "12", 1, 720, SITE(token_hours)},
    {"ui-dir", CT_STRING, false, NULL, 0, 0, SITE(ui_dir)},
    {"tls-cert", CT_STRING, false, NULL, 0, 0, SITE(tls_cert)},
    {"tls-key", CT_STRING, false, NULL, 0, 0, SITE(tls_key)},
    {0},
};

static const struct config_key store_keys[] = {
    {"db", CT_STRING, false, "vuoro.db", 0, 0, SITE(db_path)},
    {0},
};

static const struct config_key queue_keys[] = {
    {"requeue-no-shows", CT_INT, false, "1", 0, 10, SITE(requeue_no_shows)},
    {"appointment-early-min", CT_INT, false, "15", 0, 120, SITE(appointment_early_min)},
    {"appointment-late-min", CT_INT, false, "15", 0, 120, SITE(appointment_late_min)},
    {"service-time-window", CT_INT, false, "20", 1, 1000, SITE(service_time_window)},
    {"feedback-window-seconds", CT_INT, false, "180", 10, 3600, SITE(feedback_window_s)},
    {0},
};

static const char *const kiosk_unstaffed[] = {
    [CONFIG_KIOSK_UNSTAFFED_SHOW] = "show", [CONFIG_KIOSK_UNSTAFFED_HIDE] = "hide", NULL};

static const char *const audio_sinks[] = {"auto", "alsa", "pulse", "wav", "none", NULL};

/* The touch screen's ticket view and the lines nobody serves (ui/kiosk). */
static const struct config_key kiosk_keys[] = {
    {"ticket-seconds", CT_INT, false, "8", 3, 30, SITE(kiosk_ticket_s)},
    {"unstaffed", CT_CHOICE, false, "show", 0, 0, SITE(kiosk_unstaffed), kiosk_unstaffed},
    {"guide-idle-seconds", CT_INT, false, "60", 10, 600, SITE(kiosk_guide_idle_s)},
    {"button-speech", CT_BOOL, false, "true", 0, 0, SITE(kiosk_button_speech)},
    {"headset-sink", CT_CHOICE, false, "auto", 0, 0, SITE(kiosk_headset_sink), audio_sinks},
    {"headset-device", CT_STRING, false, NULL, 0, 0, SITE(kiosk_headset_device)},
    {"headset-wav-dir", CT_STRING, false, NULL, 0, 0, SITE(kiosk_headset_wav_dir)},
    /* The jack's detect switch: a GPIO line of [gpio]'s chip; -1 none. */
    {"headset-jack", CT_INT, false, "-1", -1, 511, SITE(kiosk_headset_jack)},
    {"headset-jack-active-low", CT_BOOL, false, "false", 0, 0, SITE(kiosk_headset_jack_active_low)},
    {0},
};

static const struct config_key provider_keys[] = {
    {"name-", CT_NAMES, true, NULL, 0, 0, PRV(name)},
    {0},
};

static const struct config_key service_keys[] = {
    {"prefix", CT_PREFIX, true, NULL, 0, 0, SVC(prefix)},
    {"provider", CT_PROVIDER, true, NULL, 0, 0, SVC(provider)},
    {"kind", CT_SVC_KIND, false, "counter", 0, 0, SVC(kind)},
    {"name-", CT_NAMES, true, NULL, 0, 0, SVC(name)},
    {"hours", CT_HOURS, true, NULL, 0, 0, SVC(hours)},
    {"last-ticket-min", CT_INT, false, "15", 0, 240, SVC(last_ticket_min)},
    {"max-queue", CT_INT, false, "0", 0, 999, SVC(max_queue)},
    {"service-min", CT_INT, false, "10", 1, 240, SVC(service_min)},
    /* The service card staff see next to the ticket (issue 17). */
    {"instructions-url", CT_HTTPS_LANGS, false, NULL, 0, 0, SVC(instructions_url)},
    {"support-phone", CT_PHONE, false, NULL, 0, 0, SVC(support_phone)},
    {"support-chat-url", CT_HTTPS, false, NULL, 0, 0, SVC(support_chat_url)},
    /* A service on trial: its visits stay out of the billing figures. */
    {"trial", CT_BOOL, false, "false", 0, 0, SVC(trial)},
    /* When the service started at this site: the pilot report's "new
     * services" (issue 17). */
    {"start-date", CT_DATE, false, NULL, 0, 0, SVC(start_day)},
    {0},
};

#define HEX(field) offsetof(struct config_hours_exception, field)

/* Holidays, closed days and special hours; checked as a whole by
 * config_hours_exception_check (one date, closed or hours, known services). */
static const struct config_key hours_exception_keys[] = {
    {"date", CT_STRING, true, NULL, 0, 0, HEX(date_text)},
    {"closed", CT_STRING, false, NULL, 0, 0, HEX(closed_text)},
    {"hours", CT_STRING, false, NULL, 0, 0, HEX(hours_text)},
    {"services", CT_STRING, false, NULL, 0, 0, HEX(services_text)},
    {"name-", CT_NAMES, true, NULL, 0, 0, HEX(name)},
    {0},
};

static const char *const camera_schemes[] = {"test", "v4l2", NULL};
static const char *const doc_camera_schemes[] = {"none", "test", "v4l2", NULL};
static const char *const mic_schemes[] = {"test", "alsa", "pulse", "none", NULL};
static const char *const speaker_schemes[] = {"auto", "alsa", "pulse", "none", "test", NULL};
static const char *const booth_screens[] = {"page", "auto", "none", NULL};
static const char *const video_codecs[] = {"vp8", "h264", NULL};
static const char *const recording_modes[] = {"off", "ask", NULL};

static const struct config_key counter_keys[] = {
    {"name", CT_STRING, true, NULL, 0, 0, CTR(name)},
    {"kind", CT_CTR_KIND, false, "counter", 0, 0, CTR(expert)},
    {"profile", CT_PROFILE, true, NULL, 0, 0, CTR(profile)},
    /* booth media (kind = expert) */
    {"camera", CT_MEDIA, false, "v4l2:/dev/video0", 0, 0, CTR(camera), camera_schemes},
    {"document-camera", CT_MEDIA, false, "none", 0, 0, CTR(document_camera), doc_camera_schemes},
    {"microphone", CT_MEDIA, false, "alsa", 0, 0, CTR(microphone), mic_schemes},
    {"speaker", CT_MEDIA, false, "auto", 0, 0, CTR(speaker), speaker_schemes},
    {"screen", CT_CHOICE, false, "page", 0, 0, CTR(screen), booth_screens},
    {"video-codec", CT_CHOICE, false, "vp8", 0, 0, CTR(video_codec), video_codecs},
    {"h264-encoder", CT_STRING, false, "x264enc", 0, 0, CTR(h264_encoder)},
    {"width", CT_INT, false, "640", 160, 1920, CTR(width)},
    {"height", CT_INT, false, "480", 120, 1080, CTR(height)},
    {"fps", CT_INT, false, "30", 5, 60, CTR(fps)},
    {"video-kbps", CT_INT, false, "1000", 100, 8000, CTR(video_kbps)},
    {"recording", CT_CHOICE, false, "off", 0, 0, CTR(recording), recording_modes},
    {0},
};

static const char *const stun_schemes[] = {"stun", NULL};
static const char *const turn_schemes[] = {"turn", "turns", NULL};

static const struct config_key webrtc_keys[] = {
    {"stun-server", CT_URI, false, NULL, 0, 0, SITE(stun_server), stun_schemes},
    {"turn-servers", CT_LIST, false, NULL, 0, 0, SITE(turn_servers), turn_schemes},
    {"local-addresses", CT_LIST, false, NULL, 0, 0, SITE(ice_local_addresses)},
    {"ring-seconds", CT_INT, false, "30", 3, 300, SITE(ring_s)},
    {"connect-seconds", CT_INT, false, "20", 3, 300, SITE(connect_s)},
    {"reconnect-seconds", CT_INT, false, "10", 1, 300, SITE(reconnect_s)},
    {"media-timeout-seconds", CT_INT, false, "6", 2, 120, SITE(media_timeout_s)},
    {0},
};

static const struct config_key recording_keys[] = {
    {"dir", CT_STRING, false, "/var/lib/vuoro/recordings", 0, 0, SITE(recording_dir)},
    {"retention-days", CT_INT, false, "30", 1, 3650, SITE(recording_retention_days)},
    {0},
};

static const struct config_key identity_keys[] = {
    {"module", CT_STRING, false, "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so", 0, 0,
     SITE(identity_module)},
    {"trust-anchors", CT_STRING, false, NULL, 0, 0, SITE(identity_trust_anchors)},
    {"crl", CT_STRING, false, NULL, 0, 0, SITE(identity_crl)},
    {"crl-max-age-hours", CT_INT, false, "168", 0, 8760, SITE(identity_crl_max_age_h)},
    {"required-eku", CT_STRING, false, "clientAuth", 0, 0, SITE(identity_required_eku)},
    {"site-secret", CT_STRING, false, NULL, 0, 0, SITE(identity_site_secret)},
    {"slot", CT_INT, false, "-1", -1, G_MAXINT, SITE(identity_slot)},
    {"retention-days", CT_INT, false, "90", 1, 3650, SITE(identity_retention_days)},
    {0},
};

/* The visitor register (issue 17): optional per site; its rows go after
 * retention-days (desk.c's daily prune). */
static const struct config_key visitors_keys[] = {
    {"enabled", CT_BOOL, false, "false", 0, 0, SITE(visitors_enabled)},
    {"retention-days", CT_INT, false, "30", 1, 3650, SITE(visitors_retention_days)},
    {0},
};

static const char *const uplink_schemes[] = {"tls", NULL};

/* Not in config_groups: absent means no uplink (config_load_uplink). */
static const struct config_key uplink_keys[] = {
    {"servers", CT_LIST, true, NULL, 0, 0, SITE(uplink_servers), uplink_schemes},
    {"site", CT_STRING, true, NULL, 0, 0, SITE(uplink_site)},
    {"ca", CT_STRING, true, NULL, 0, 0, SITE(uplink_ca)},
    {"cert", CT_STRING, true, NULL, 0, 0, SITE(uplink_cert)},
    {"key", CT_STRING, true, NULL, 0, 0, SITE(uplink_key)},
    {"alarm-minutes", CT_INT, false, "30", 1, 10080, SITE(uplink_alarm_min)},
    {"keep-days", CT_INT, false, "7", 1, 3650, SITE(uplink_keep_days)},
    {"alarm-seconds", CT_INT, false, "0", 0, 604800, SITE(uplink_alarm_s)},
    {"retry-max-seconds", CT_INT, false, "30", 1, 3600, SITE(uplink_retry_max_s)},
    {"public-url", CT_STRING, false, NULL, 0, 0, SITE(uplink_public_url)},
    {"presence-valid-s", CT_INT, false, "45", 1, 3600, SITE(uplink_presence_s)},
    {0},
};

/* Not in config_groups: absent means no e-mail (config_load_notify). */
static const char *const notify_starttls[] = {"required", "off", NULL};

static const struct config_key notify_keys[] = {
    {"smtp-url", CT_STRING, true, NULL, 0, 0, SITE(notify_smtp_url)},
    {"from", CT_STRING, true, NULL, 0, 0, SITE(notify_from)},
    {"username", CT_STRING, false, NULL, 0, 0, SITE(notify_username)},
    {"password", CT_STRING, false, NULL, 0, 0, SITE(notify_password)},
    {"starttls", CT_CHOICE, false, "required", 0, 0, SITE(notify_starttls), notify_starttls},
    {"ca-file", CT_STRING, false, NULL, 0, 0, SITE(notify_ca_file)},
    {"retry-max-seconds", CT_INT, false, "300", 1, 86400, SITE(notify_retry_max_s)},
    {"timeout-seconds", CT_INT, false, "30", 1, 600, SITE(notify_timeout_s)},
    {0},
};

static const char *const printer_transports[] = {"sim", "file", "serial", "usb", "tcp", NULL};
static const char *const printer_flows[] = {"none", "rtscts", "xonxoff", NULL};
static const char *const printer_papers[] = {"80mm", "58mm", NULL};

static const struct config_key printer_keys[] = {
    {"transport", CT_CHOICE, false, "sim", 0, 0, SITE(printer.transport), printer_transports},
    {"device", CT_STRING, false, NULL, 0, 0, SITE(printer.device)},
    {"baud", CT_INT, false, "19200", 1200, 115200, SITE(printer.baud)},
    {"flow", CT_CHOICE, false, "none", 0, 0, SITE(printer.flow), printer_flows},
    {"host", CT_STRING, false, NULL, 0, 0, SITE(printer.host)},
    {"port", CT_INT, false, "9100", 1, 65535, SITE(printer.port)},
    {"timeout-ms", CT_INT, false, "1000", 50, 30000, SITE(printer.timeout_ms)},
    {"codepage", CT_CODEPAGE, false, "cp858", 0, 0, SITE(printer.codepage)},
    {"paper", CT_CHOICE, false, "80mm", 0, 0, SITE(printer.paper), printer_papers},
    {"columns", CT_INT, false, "0", 0, 64, SITE(printer.columns)},
    {"width", CT_INT, false, "0", 0, 64, SITE(printer.width)},
    {"header", CT_STRING, false, NULL, 0, 0, SITE(printer.header)},
    {"footer-", CT_NAMES, false, NULL, 0, 0, SITE(printer.footer)},
    {"url-base", CT_STRING, false, NULL, 0, 0, SITE(printer.url_base)},
    {"sim-dir", CT_STRING, false, NULL, 0, 0, SITE(printer.sim_dir)},
    {0},
};

static const char *const gpio_backends[] = {"sim", "gpiod", NULL};

static const struct config_key gpio_keys[] = {
    {"backend", CT_CHOICE, false, "sim", 0, 0, SITE(gpio_backend), gpio_backends},
    {"chip", CT_STRING, false, "gpiochip0", 0, 0, SITE(gpio_chip)},
    {0},
};

static const struct config_key button_keys[] = {
    {"line", CT_INT, true, NULL, 0, 511, BTN(line)},
    {"active-low", CT_BOOL, false, "false", 0, 0, BTN(active_low)},
    {"action", CT_ACTION, true, NULL, 0, 0, BTN(press)},
    {"long-action", CT_ACTION, false, NULL, 0, 0, BTN(long_press)},
    {"debounce-ms", CT_INT, false, "30", 0, 1000, BTN(debounce_ms)},
    {"long-press-ms", CT_INT, false, "1500", 200, 10000, BTN(long_press_ms)},
    {"cooldown-ms", CT_INT, false, "1000", 0, 60000, BTN(cooldown_ms)},
    {0},
};

static const struct config_key lamp_keys[] = {
    {"line", CT_INT, true, NULL, 0, 511, LMP(line)},
    {"active-low", CT_BOOL, false, "false", 0, 0, LMP(active_low)},
    {"follows", CT_FOLLOWS, true, NULL, 0, 0, LMP(follows)},
    {0},
};

static const char *const display_transports[] = {"sim", "rtu", "tcp", NULL};
static const char *const display_parities[] = {"none", "even", "odd", NULL};

static const struct config_key bus_keys[] = {
    {"transport", CT_CHOICE, false, "sim", 0, 0, DBUS(transport), display_transports},
    {"device", CT_STRING, false, NULL, 0, 0, DBUS(device)},
    {"baud", CT_INT, false, "9600", 1200, 115200, DBUS(baud)},
    {"parity", CT_CHOICE, false, "none", 0, 0, DBUS(parity), display_parities},
    {"data-bits", CT_INT, false, "8", 7, 8, DBUS(data_bits)},
    {"stop-bits", CT_INT, false, "1", 1, 2, DBUS(stop_bits)},
    {"rs485", CT_BOOL, false, "false", 0, 0, DBUS(rs485)},
    {"host", CT_STRING, false, NULL, 0, 0, DBUS(host)},
    {"port", CT_INT, false, "502", 1, 65535, DBUS(port)},
    {"timeout-ms", CT_INT, false, "500", 20, 10000, DBUS(timeout_ms)},
    {"tries", CT_INT, false, "3", 1, 10, DBUS(tries)},
    {"backoff-ms", CT_INT, false, "50", 0, 5000, DBUS(backoff_ms)},
    {"blink-seconds", CT_INT, false, "5", 0, 600, DBUS(blink_s)},
    {"frame-delay-ms", CT_INT, false, "0", 0, 1000, DBUS(frame_delay_ms)},
    {"sim-silent-units", CT_UNITS, false, NULL, 0, 0, DBUS(sim_silent_units)},
    {0},
};

static const struct config_key display_keys[] = {
    {"bus", CT_STRING, true, NULL, 0, 0, DSP(bus_name)},
    {"unit", CT_INT, true, NULL, 1, 247, DSP(unit)},
    {"map", CT_MAP, true, NULL, 0, 0, DSP(map_name)},
    {"counter", CT_INT, false, "0", 0, 999, DSP(counter)},
    {0},
};

static const struct config_key audio_keys[] = {
    {"sink", CT_CHOICE, false, "auto", 0, 0, SITE(audio_sink), audio_sinks},
    {"device", CT_STRING, false, NULL, 0, 0, SITE(audio_device)},
    {"wav-dir", CT_STRING, false, NULL, 0, 0, SITE(audio_wav_dir)},
    {"volume", CT_INT, false, "100", 0, 100, SITE(audio_volume)},
    {0},
};

static const struct config_key announcer_keys[] = {
    /* Unset: every language of the site. */
    {"languages", CT_LANGS, false, NULL, 0, 0, SITE(announce_langs)},
    {"rate", CT_INT, false, "150", 80, 450, SITE(announce_wpm)},
    {"chime", CT_BOOL, false, "true", 0, 0, SITE(announce_chime)},
    {"speak", CT_BOOL, false, "true", 0, 0, SITE(announce_speak)},
    {0},
};

static const char *const button_actions[] = {
    [CONFIG_BUTTON_NONE] = "none",         [CONFIG_BUTTON_ISSUE] = "issue",
    [CONFIG_BUTTON_NEXT] = "next",         [CONFIG_BUTTON_RECALL] = "recall",
    [CONFIG_BUTTON_NOSHOW] = "noshow",     [CONFIG_BUTTON_END] = "end",
    [CONFIG_BUTTON_FEEDBACK] = "feedback", [CONFIG_BUTTON_DOOR] = "door",
    [CONFIG_BUTTON_ALARM] = "alarm",       [CONFIG_BUTTON_GUIDE] = "guide",
    [CONFIG_BUTTON_HEADSET] = "headset",
};

static const char *const guide_keys[] = {
    [CONFIG_GUIDE_SPEECH] = "speech", [CONFIG_GUIDE_UP] = "up",
    [CONFIG_GUIDE_DOWN] = "down",     [CONFIG_GUIDE_SELECT] = "select",
    [CONFIG_GUIDE_BACK] = "back",     [CONFIG_GUIDE_REPEAT] = "repeat",
    [CONFIG_GUIDE_VOLUME] = "volume", [CONFIG_GUIDE_LANGUAGE] = "language",
    [CONFIG_GUIDE_DONE] = "done",     NULL,
};

static const char *const lamp_follows[] = {
    [CONFIG_LAMP_COUNTER_OPEN] = "counter-open",
    [CONFIG_LAMP_BOOTH_BUSY] = "booth-busy",
    [CONFIG_LAMP_PRINTER_FAULT] = "printer-fault",
    [CONFIG_LAMP_ALARM] = "alarm",
};

const char *config_button_action_name(enum config_button_action a)
{
	return (unsigned)a < G_N_ELEMENTS(button_actions) ? button_actions[a] : "none";
}

const char *config_lamp_follow_name(enum config_lamp_follow f)
{
	return (unsigned)f < G_N_ELEMENTS(lamp_follows) ? lamp_follows[f] : "?";
}

/* "issue:tax", "next:2", "feedback:3", "door:4" → @ret; -1 with @why set. */
static int parse_action(const struct config *cfg, const char *value, struct config_button_do *ret)
{
	g_auto(GStrv) parts = g_strsplit(value, ":", 2);
	guint64 n = 0;

	if (!parts[0]) /* "action =": g_strsplit gives no part at all */
		return -1;
	if (strcmp(value, "headset") == 0) {
		ret->action = CONFIG_BUTTON_HEADSET;
		ret->arg = 0;
		return 0;
	}
	if (strcmp(parts[0], "guide") == 0 && parts[1]) {
		for (int k = 0; guide_keys[k]; k++)
			if (strcmp(parts[1], guide_keys[k]) == 0) {
				ret->action = CONFIG_BUTTON_GUIDE;
				ret->arg = k;
				return 0;
			}
		return -1;
	}
	for (int a = CONFIG_BUTTON_ISSUE; a < (int)G_N_ELEMENTS(button_actions); a++) {
		if (a >= CONFIG_BUTTON_GUIDE || strcmp(parts[0], button_actions[a]) != 0 ||
		    !parts[1])
			continue;
		ret->action = (enum config_button_action)a;
		if (a == CONFIG_BUTTON_ISSUE) {
			ret->arg = config_service_find(cfg, parts[1]);
			return ret->arg < 0 ? -1 : 0;
		}
		if (!g_ascii_string_to_unsigned(parts[1], 10, 1, 999, &n, NULL))
			return -1;
		ret->arg = (int)n;
		if (a == CONFIG_BUTTON_FEEDBACK)
			return n <= 5 ? 0 : -1;
		return config_counter_find(cfg, (int)n) < 0 ? -1 : 0;
	}
	return -1;
}

static int parse_follows(const struct config *cfg, const char *value, struct config_lamp *ret)
{
	g_auto(GStrv) parts = g_strsplit(value, ":", 2);
	guint64 n = 0;

	if (strcmp(value, "printer-fault") == 0) {
		ret->follows = CONFIG_LAMP_PRINTER_FAULT;
		return 0;
	}
	if (strcmp(value, "alarm") == 0) { /* any counter's */
		ret->follows = CONFIG_LAMP_ALARM;
		ret->arg = 0;
		return 0;
	}
	if (!parts[0]) /* "follows =": g_strsplit gives no part at all */
		return -1;
	for (int f = 0; f < (int)G_N_ELEMENTS(lamp_follows); f++) {
		if (f == CONFIG_LAMP_PRINTER_FAULT)
			continue;
		if (strcmp(parts[0], lamp_follows[f]) != 0 || !parts[1] ||
		    !g_ascii_string_to_unsigned(parts[1], 10, 1, 999, &n, NULL) ||
		    config_counter_find(cfg, (int)n) < 0)
			continue;
		ret->follows = (enum config_lamp_follow)f;
		ret->arg = (int)n;
		return 0;
	}
	return -1;
}

/* Fixed groups, then the repeating ones by prefix. */
static const struct config_group {
	const char *name; /* "site", or "service:" for a prefix */
	const struct config_key *keys;
} config_groups[] = {
    {"site", site_keys},
    {"api", api_keys},
    {"store", store_keys},
    {"queue", queue_keys},
    {"printer", printer_keys},
    {"gpio", gpio_keys},
    {"provider:", provider_keys},
    {"service:", service_keys},
    {"counter:", counter_keys},
    {"button:", button_keys},
    {"lamp:", lamp_keys},
    {"audio", audio_keys},
    {"announcer", announcer_keys},
    {"bus:", bus_keys},
    {"display:", display_keys},
    {"webrtc", webrtc_keys},
    {"recording", recording_keys},
    {"identity", identity_keys},
    {"kiosk", kiosk_keys},
    {"visitors", visitors_keys},
    {"hours-exception:", hours_exception_keys},
};

static const char *const day_names[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

struct config_loader {
	struct config *cfg;
	GKeyFile *kf;
	const char *file; /* basename for messages */
};

G_GNUC_PRINTF(5, 6)
static int config_fail(struct config_loader *l, const char *group, const char *key, GError **error,
		       const char *fmt, ...)
{
	g_autofree char *what = NULL;
	va_list ap;

	va_start(ap, fmt);
	what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (key)
		g_set_error(error, CONFIG_ERROR, EINVAL, "%s: [%s] %s: %s", l->file, group, key,
			    what);
	else
		g_set_error(error, CONFIG_ERROR, EINVAL, "%s: [%s] %s", l->file, group, what);
	return -EINVAL;
}

static bool code_valid(const char *code)
{
	size_t n = strlen(code);

	if (n == 0 || n > 24)
		return false;
	for (const char *p = code; *p; p++)
		if (!g_ascii_islower(*p) && !g_ascii_isdigit(*p) && *p != '-')
			return false;
	return true;
}

/* "08:00" → 480; -1 when malformed.  "24:00" is allowed as a closing time. */
static int parse_hhmm(const char *s)
{
	unsigned hh, mm;
	char tail;

	if (strlen(s) != 5 || sscanf(s, "%2u:%2u%c", &hh, &mm, &tail) != 2 || s[2] != ':')
		return -1;
	if (mm > 59 || hh > 24 || (hh == 24 && mm != 0))
		return -1;
	return (int)(hh * 60 + mm);
}

static int day_index(const char *s)
{
	for (int i = 0; i < 7; i++)
		if (g_ascii_strcasecmp(s, day_names[i]) == 0)
			return i;
	return -1;
}

/* "mon-thu 08:00-18:00; fri 08:00-17:00"; days not named are closed. */
static int parse_hours(const char *text, struct config_day_hours *ret, char **ret_what)
{
	g_auto(GStrv) parts = g_strsplit(text, ";", -1);
	struct config_day_hours hours[7] = {{0}};
	bool seen[7] = {false};

	for (char **p = parts; *p; p++) {
		g_autofree char *item = g_strstrip(g_strdup(*p));
		g_auto(GStrv) words = NULL;
		g_auto(GStrv) days = NULL;
		g_auto(GStrv) times = NULL;
		int from, to, open, close;

		if (!*item)
			continue;
		words = g_strsplit_set(item, " \t", -1);
		if (g_strv_length(words) != 2) {
			*ret_what = g_strdup_printf("expected \"DAYS HH:MM-HH:MM\" like \"mon-thu "
						    "08:00-18:00\", got \"%s\"",
						    item);
			return -EINVAL;
		}
		days = g_strsplit(words[0], "-", 2);
		from = day_index(days[0]);
		to = days[1] ? day_index(days[1]) : from;
		if (from < 0 || to < 0 || to < from) {
			*ret_what = g_strdup_printf("expected days like mon, mon-fri or sat-sun, "
						    "got \"%s\"",
						    words[0]);
			return -EINVAL;
		}
		times = g_strsplit(words[1], "-", 2);
		open = parse_hhmm(times[0]);
		close = times[1] ? parse_hhmm(times[1]) : -1;
		if (open < 0 || close < 0 || close <= open) {
			*ret_what =
			    g_strdup_printf("expected opening and closing time like "
					    "08:00-18:00 (closing after opening), got \"%s\"",
					    words[1]);
			return -EINVAL;
		}
		for (int d = from; d <= to; d++) {
			if (seen[d]) {
				*ret_what = g_strdup_printf("%s is given twice", day_names[d]);
				return -EINVAL;
			}
			seen[d] = true;
			hours[d] = (struct config_day_hours){(uint16_t)open, (uint16_t)close};
		}
	}
	memcpy(ret, hours, sizeof(hours));
	return 0;
}

bool config_provider_known(const struct config *cfg, const char *code)
{
	for (guint i = 0; i < cfg->providers->len; i++)
		if (strcmp(((struct config_provider *)g_ptr_array_index(cfg->providers, i))->code,
			   code) == 0)
			return true;
	return false;
}

static int config_provider_find(const struct config *cfg, const char *code)
{
	for (guint i = 0; i < cfg->providers->len; i++) {
		const struct config_provider *p = g_ptr_array_index(cfg->providers, i);

		if (strcmp(p->code, code) == 0)
			return (int)i;
	}
	return -1;
}

bool config_lang_code_valid(const char *s)
{
	size_t n = strlen(s);

	if (n < 2 || n > 3)
		return false;
	for (; *s; s++)
		if (!g_ascii_islower(*s))
			return false;
	return true;
}

/* Parses @value of @k into @obj + k->offset. */
/* CT_UNITS, CT_LANGS: a ";"-separated list whose items are checked. */
static int config_set_list_checked(struct config_loader *l, const char *group,
				   const struct config_key *k, const char *value, char ***field,
				   GError **error)
{
	g_auto(GStrv) parts = g_strsplit(value, ";", -1);
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);

	for (char **p = parts; *p; p++) {
		guint64 n;

		g_strstrip(*p);
		if (!**p)
			continue;
		if (k->type == CT_UNITS && !g_ascii_string_to_unsigned(*p, 10, 1, 247, &n, NULL))
			return config_fail(
			    l, group, k->key, error,
			    "expected unit ids from 1 to 247 separated by ;, got \"%s\"", *p);
		if (k->type == CT_LANGS && (char ***)field == &l->cfg->langs &&
		    !config_lang_code_valid(*p))
			return config_fail(l, group, k->key, error,
					   "expected language codes (ISO 639: fi, sv, en, se, uk, "
					   "ar …) separated by ;, got \"%s\"",
					   *p);
		if (k->type == CT_LANGS && (char ***)field != &l->cfg->langs &&
		    config_lang_parse(l->cfg, *p) < 0) {
			g_autofree char *offered = g_strjoinv(";", l->cfg->langs);

			return config_fail(l, group, k->key, error,
					   "expected languages of the site ([site] languages = "
					   "%s), got \"%s\"",
					   offered, *p);
		}
		if (k->type == CT_LANGS && out->len == CONFIG_LANGS_MAX)
			return config_fail(l, group, k->key, error, "expected at most %d languages",
					   CONFIG_LANGS_MAX);
		for (guint i = 0; i < out->len; i++)
			if (strcmp(g_ptr_array_index(out, i), *p) == 0)
				return config_fail(l, group, k->key, error,
						   "expected each item once, got \"%s\" twice", *p);
		g_ptr_array_add(out, g_strdup(*p));
	}
	if (k->type == CT_LANGS && out->len == 0)
		return config_fail(l, group, k->key, error,
				   "expected at least one language, like fi, got nothing");
	if ((char ***)field == &l->cfg->langs)
		l->cfg->n_langs = (int)out->len;
	g_ptr_array_add(out, NULL);
	g_strfreev(*field);
	*field = (char **)g_ptr_array_steal(out, NULL);
	return 0;
}

/* CT_MAP: "counter" is board-config/displays/counter.map next to the
 * config file; a value with a slash is a path (relative to the config). */
static int config_set_map(struct config_loader *l, const char *group, const struct config_key *k,
			  const char *value, void *obj, GError **error)
{
	struct config_display *d = obj;
	g_autofree char *dir = g_path_get_dirname(l->cfg->path);
	g_autofree char *path = NULL;
	g_autoptr(GError) map_error = NULL;

	if (strchr(value, '/'))
		path = g_path_is_absolute(value) ? g_strdup(value)
						 : g_build_filename(dir, value, NULL);
	else if (code_valid(value))
		path = g_strdup_printf("%s/displays/%s.map", dir, value);
	else
		return config_fail(
		    l, group, k->key, error,
		    "expected a map name like counter or main, or a path, got \"%s\"", value);
	if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
		g_autofree char *rel = strchr(value, '/')
					   ? g_strdup(value)
					   : g_strdup_printf("displays/%s.map", value);

		return config_fail(l, group, k->key, error,
				   "expected a display map, got \"%s\": %s does not exist next to "
				   "this file — give counter, main or the path of a .map file",
				   value, rel);
	}
	if (display_map_load(path, &d->map, &map_error) < 0)
		return config_fail(l, group, k->key, error, "%s", map_error->message);
	g_free(d->map_name);
	d->map_name = g_strdup(value);
	return 0;
}

/* "turn://user:pass@host:3478": a scheme among @choices, "://", something. */
static bool uri_scheme_ok(const char *value, const char *const *choices)
{
	g_autofree char *scheme = g_uri_parse_scheme(value);
	const char *rest = strstr(value, "://");

	return scheme && rest && rest[3] && g_strv_contains(choices, scheme);
}

/* An https:// URL with a host and nothing a browser would not take. */
static bool https_url_ok(const char *value)
{
	g_autoptr(GUri) uri = g_uri_parse(value, G_URI_FLAGS_NONE, NULL);

	return uri && g_ascii_strcasecmp(g_uri_get_scheme(uri), "https") == 0 &&
	       g_uri_get_host(uri) && *g_uri_get_host(uri) && !strpbrk(value, " \t\"<>");
}

/* A phone number as people dial it: +358 29 497 000, (09) 123-4567. */
static bool phone_ok(const char *value)
{
	int digits = 0;

	for (const char *c = value; *c; c++) {
		if (g_ascii_isdigit(*c))
			digits++;
		else if (!strchr("+-() ", *c) || (*c == '+' && c != value))
			return false;
	}
	return digits >= 3 && digits <= 20;
}

static int config_set(struct config_loader *l, const char *group, const struct config_key *k,
		      const char *value, void *obj, GError **error)
{
	char *field = (char *)obj + k->offset;
	g_autofree char *what = NULL;

	switch (k->type) {
	case CT_STRING:
		if (!*value)
			return config_fail(l, group, k->key, error, "expected a text, got nothing");
		g_free(*(char **)field);
		*(char **)field = g_strdup(value);
		return 0;
	case CT_TOKEN:
		if (strlen(value) < 16)
			return config_fail(l, group, k->key, error,
					   "expected a token of at least 16 characters, got %zu",
					   strlen(value));
		if (config_token_weakness(value))
			return config_fail(l, group, k->key, error,
					   "expected a random token (make one with: openssl rand "
					   "-hex 32), got %s",
					   config_token_weakness(value));
		g_free(*(char **)field);
		*(char **)field = g_strdup(value);
		return 0;
	case CT_ZONE: {
		GTimeZone *tz = g_time_zone_new_identifier(value);

		if (!tz)
			return config_fail(l, group, k->key, error,
					   "expected a time zone like Europe/Helsinki, got \"%s\"",
					   value);
		g_time_zone_unref(tz);
		g_free(*(char **)field);
		*(char **)field = g_strdup(value);
		return 0;
	}
	case CT_BOOL:
		/* "yes"/"no" too: how people write a switch in an INI file. */
		if (g_ascii_strcasecmp(value, "true") == 0 || strcmp(value, "1") == 0 ||
		    g_ascii_strcasecmp(value, "yes") == 0)
			*(bool *)field = true;
		else if (g_ascii_strcasecmp(value, "false") == 0 || strcmp(value, "0") == 0 ||
			 g_ascii_strcasecmp(value, "no") == 0)
			*(bool *)field = false;
		else
			return config_fail(l, group, k->key, error,
					   "expected true or false (or yes, no), got \"%s\"",
					   value);
		return 0;
	case CT_INT: {
		gint64 n;

		if (!g_ascii_string_to_signed(value, 10, k->min, k->max, &n, NULL))
			return config_fail(l, group, k->key, error,
					   "expected a whole number from %d to %d, got \"%s\"",
					   k->min, k->max, value);
		*(int *)field = (int)n;
		return 0;
	}
	case CT_CHOICE:
		for (int i = 0; k->choices[i]; i++)
			if (strcmp(value, k->choices[i]) == 0) {
				*(int *)field = i;
				return 0;
			}
		what = g_strjoinv(", ", (char **)k->choices);
		return config_fail(l, group, k->key, error, "expected one of %s, got \"%s\"", what,
				   value);
	case CT_MEDIA: {
		g_auto(GStrv) parts = g_strsplit(value, ":", 2);
		bool known = false;

		/* "camera =": g_strsplit gives no part at all */
		for (int i = 0; parts[0] && k->choices[i] && !known; i++)
			known = strcmp(parts[0], k->choices[i]) == 0;
		if (!known || (strcmp(parts[0], "v4l2") == 0 &&
			       (!parts[1] || !g_str_has_prefix(parts[1], "/dev/")))) {
			what = g_strjoinv(", ", (char **)k->choices);
			return config_fail(l, group, k->key, error,
					   "expected one of %s (v4l2:/dev/videoN, alsa:DEVICE, "
					   "test:PATTERN), got \"%s\"",
					   what, value);
		}
		g_free(*(char **)field);
		*(char **)field = g_strdup(value);
		return 0;
	}
	case CT_URI:
		if (!uri_scheme_ok(value, k->choices)) {
			what = g_strjoinv("://, ", (char **)k->choices);
			return config_fail(l, group, k->key, error,
					   "expected %s://HOST:PORT, got \"%s\"", what, value);
		}
		g_free(*(char **)field);
		*(char **)field = g_strdup(value);
		return 0;
	case CT_HTTPS:
		if (!https_url_ok(value))
			return config_fail(l, group, k->key, error,
					   "expected an https:// address like "
					   "https://www.example.fi/help, got \"%s\"",
					   value);
		g_free(*(char **)field);
		*(char **)field = g_strdup(value);
		return 0;
	case CT_PHONE:
		if (!phone_ok(value))
			return config_fail(l, group, k->key, error,
					   "expected a phone number like +358 29 497 000 (digits, "
					   "a leading +, spaces, - and parentheses), got \"%s\"",
					   value);
		g_free(*(char **)field);
		*(char **)field = g_strdup(value);
		return 0;
	case CT_HTTPS_LANGS: /* config_set_urls(), for all the site's languages at once */
		return -EINVAL;
	case CT_DATE: {
		g_autofree char *iso = g_strdup_printf("%sT00:00:00Z", value);
		g_autoptr(GDateTime) dt = NULL;

		if (strlen(value) == 10 && value[4] == '-' && value[7] == '-')
			dt = g_date_time_new_from_iso8601(iso, NULL);
		if (!dt || g_date_time_get_year(dt) < 2000)
			return config_fail(l, group, k->key, error,
					   "expected a date from 2000 on like 2026-03-01 "
					   "(YYYY-MM-DD), got \"%s\"",
					   value);
		*(int *)field = (int)(g_date_time_to_unix(dt) / 86400);
		return 0;
	}
	case CT_CODEPAGE:
		if (!escpos_codepage_find(value))
			return config_fail(l, group, k->key, error,
					   "expected one of %s, got \"%s\"",
					   escpos_codepage_names(), value);
		g_free(*(char **)field);
		*(char **)field = g_strdup(value);
		return 0;
	case CT_ACTION:
		if (parse_action(l->cfg, value, (struct config_button_do *)field) < 0)
			return config_fail(l, group, k->key, error,
					   "expected issue:SERVICE, next:N, recall:N, noshow:N, "
					   "end:N, alarm:N (an existing counter), feedback:1..5 or "
					   "door:N, guide:KEY (speech, up, down, select, back, "
					   "repeat, volume, language, done) or headset, "
					   "got \"%s\"",
					   value);
		return 0;
	case CT_FOLLOWS:
		if (parse_follows(l->cfg, value, (struct config_lamp *)obj) < 0)
			return config_fail(l, group, k->key, error,
					   "expected counter-open:N, booth-busy:N, alarm:N (an "
					   "existing counter), alarm or printer-fault, got \"%s\"",
					   value);
		return 0;
	case CT_MINUTE: {
		int m = parse_hhmm(value);

		if (m < 0 || m >= 24 * 60)
			return config_fail(l, group, k->key, error,
					   "expected a time like 03:00, got \"%s\"", value);
		*(int *)field = m;
		return 0;
	}
	case CT_LISTEN: {
		const char *colon = strrchr(value, ':');
		g_autofree char *host = NULL;
		guint64 port;

		if (!colon || colon == value ||
		    !g_ascii_string_to_unsigned(colon + 1, 10, 0, 65535, &port, NULL))
			return config_fail(l, group, k->key, error,
					   "expected HOST:PORT like 127.0.0.1:8080, got \"%s\"",
					   value);
		host = g_strndup(value, (gsize)(colon - value));
		if (host[0] == '[' && host[strlen(host) - 1] == ']') {
			char *inner = g_strndup(host + 1, strlen(host) - 2);

			g_free(host);
			host = inner;
		}
		g_free(l->cfg->listen_host);
		l->cfg->listen_host = g_steal_pointer(&host);
		l->cfg->listen_port = (int)port;
		return 0;
	}
	case CT_UNITS:
	case CT_LANGS:
		return config_set_list_checked(l, group, k, value, (char ***)field, error);
	case CT_NAMES: /* config_set_names(), for all the site's languages at once */
		return -EINVAL;
	case CT_MAP:
		return config_set_map(l, group, k, value, obj, error);
	case CT_LIST: {
		g_auto(GStrv) parts = g_strsplit(value, ";", -1);
		GPtrArray *out = g_ptr_array_new_with_free_func(g_free);

		for (char **p = parts; *p; p++) {
			g_strstrip(*p);
			if (!**p)
				continue;
			/* A list of URIs: each item's scheme among the choices. */
			if (k->choices && !uri_scheme_ok(*p, k->choices)) {
				g_ptr_array_free(out, TRUE);
				what = g_strjoinv("://…, ", (char **)k->choices);
				return config_fail(l, group, k->key, error,
						   "expected %s://… separated by ;, got \"%s\"",
						   what, *p);
			}
			g_ptr_array_add(out, g_strdup(*p));
		}
		g_ptr_array_add(out, NULL);
		g_strfreev(*(char ***)field);
		*(char ***)field = (char **)g_ptr_array_free(out, FALSE);
		return 0;
	}
	case CT_PREFIX:
		if (strlen(value) != 1 || value[0] < 'A' || value[0] > 'Z')
			return config_fail(l, group, k->key, error,
					   "expected one letter A–Z, got \"%s\"", value);
		*field = value[0];
		return 0;
	case CT_PROVIDER: {
		int p = config_provider_find(l->cfg, value);

		if (p < 0)
			return config_fail(l, group, k->key, error,
					   "expected a provider of a [provider:CODE] group, got "
					   "\"%s\"",
					   value);
		*(int *)field = p;
		return 0;
	}
	case CT_SVC_KIND:
		if (strcmp(value, "counter") == 0)
			*(enum config_service_kind *)field = CONFIG_SERVICE_COUNTER;
		else if (strcmp(value, "remote") == 0)
			*(enum config_service_kind *)field = CONFIG_SERVICE_REMOTE;
		else
			return config_fail(l, group, k->key, error,
					   "expected counter or remote, got \"%s\"", value);
		return 0;
	case CT_CTR_KIND:
		if (strcmp(value, "counter") == 0)
			*(bool *)field = false;
		else if (strcmp(value, "expert") == 0)
			*(bool *)field = true;
		else
			return config_fail(l, group, k->key, error,
					   "expected counter or expert, got \"%s\"", value);
		return 0;
	case CT_HOURS:
		if (parse_hours(value, (struct config_day_hours *)field, &what) < 0)
			return config_fail(l, group, k->key, error, "%s", what);
		return 0;
	case CT_PROFILE: {
		g_auto(GStrv) parts = g_strsplit(value, ",", -1);
		GArray *profile = g_array_new(FALSE, FALSE, sizeof(struct config_profile_entry));

		for (char **p = parts; *p; p++) {
			g_autofree char *item = g_strstrip(g_strdup(*p));
			char *colon = strchr(item, ':');
			struct config_profile_entry e = {0};
			gint64 w = 0;

			if (!*item)
				continue;
			if (colon) {
				*colon = '\0';
				g_strstrip(item);
				if (!g_ascii_string_to_signed(g_strstrip(colon + 1), 10, 1, 100, &w,
							      NULL)) {
					g_array_unref(profile);
					return config_fail(l, group, k->key, error,
							   "expected a weight from 1 to 100 after "
							   "\"%s:\", got \"%s\"",
							   item, colon + 1);
				}
			}
			e.service = config_service_find(l->cfg, item);
			e.weight = (int)w;
			if (e.service < 0) {
				g_array_unref(profile);
				return config_fail(
				    l, group, k->key, error,
				    "expected services of [service:CODE] groups, got "
				    "\"%s\"",
				    item);
			}
			for (guint i = 0; i < profile->len; i++)
				if (g_array_index(profile, struct config_profile_entry, i)
					.service == e.service) {
					g_array_unref(profile);
					return config_fail(l, group, k->key, error,
							   "expected each service once, got \"%s\" "
							   "twice",
							   item);
				}
			g_array_append_val(profile, e);
		}
		if (profile->len == 0 || profile->len > 16) {
			guint n = profile->len;

			g_array_unref(profile);
			return config_fail(l, group, k->key, error,
					   "expected 1 to 16 services like \"tax,permits:2\", got "
					   "%u",
					   n);
		}
		if (*(GArray **)field)
			g_array_unref(*(GArray **)field);
		*(GArray **)field = profile;
		return 0;
	}
	}
	return -EINVAL;
}

/* Loads one group's keys into @obj: the table's keys, defaults, required
 * ones; unknown keys warn. */
/* CT_NAMES: "name-fi", "name-sv" … for each site language.  The main
 * language's is the one required; the others fall back to it. */
static int config_set_names(struct config_loader *l, const char *group, const struct config_key *k,
			    char **names, GError **error)
{
	char **langs = l->cfg->langs;

	for (int i = 0; langs[i]; i++) {
		g_autofree char *key = g_strconcat(k->key, langs[i], NULL);
		g_autofree char *value = g_key_file_get_string(l->kf, group, key, NULL);

		if (value)
			g_strstrip(value);
		if (value && !*value)
			return config_fail(l, group, key, error, "expected a text, got nothing");
		if (!value && i == 0 && k->required)
			return config_fail(l, group, key, error,
					   "missing: this key is required (%s is the site's main "
					   "language, [site] languages)",
					   langs[0]);
		g_free(names[i]);
		names[i] = value ? g_steal_pointer(&value) : g_strdup(names[0]);
	}
	return 0;
}

/* CT_HTTPS_LANGS: "instructions-url" for every language, "instructions-url-sv"
 * for one; each checked like CT_HTTPS. */
static int config_set_urls(struct config_loader *l, const char *group, const struct config_key *k,
			   char **urls, GError **error)
{
	struct config_key one = *k;
	g_autofree char *all = g_key_file_get_string(l->kf, group, k->key, NULL);

	one.type = CT_HTTPS;
	one.offset = 0; /* config_set writes &urls[i] itself */
	for (int i = 0; l->cfg->langs[i]; i++) {
		g_autofree char *key = g_strconcat(k->key, "-", l->cfg->langs[i], NULL);
		g_autofree char *value = g_key_file_get_string(l->kf, group, key, NULL);
		const char *v = value ? value : all;
		int rc;

		if (!v)
			continue;
		one.key = value ? key : k->key;
		g_strstrip((char *)v);
		rc = config_set(l, group, &one, v, &urls[i], error);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Whether KEY is the CT_NAMES / CT_HTTPS_LANGS key @k for some language. */
static bool config_key_is_lang(const struct config_key *k, const char *key)
{
	if (k->type == CT_NAMES)
		return g_str_has_prefix(key, k->key);
	return k->type == CT_HTTPS_LANGS && g_str_has_prefix(key, k->key) &&
	       key[strlen(k->key)] == '-';
}

static int config_load_group(struct config_loader *l, const char *group,
			     const struct config_key *keys, void *obj, GError **error)
{
	g_auto(GStrv) present = g_key_file_get_keys(l->kf, group, NULL, NULL);
	int rc;

	for (char **p = present; p && *p; p++) {
		const struct config_key *k = keys;

		while (k->key && strcmp(k->key, *p) != 0 && !config_key_is_lang(k, *p))
			k++;
		if (!k->key)
			g_warning("%s: [%s] %s: unknown key, ignored", l->file, group, *p);
		else if (config_key_is_lang(k, *p) &&
			 !config_lang_code_valid(*p + strlen(k->key) + (k->type == CT_HTTPS_LANGS)))
			g_warning("%s: [%s] %s: \"%s\" is not a language code (like fi, sv, "
				  "uk), ignored",
				  l->file, group, *p,
				  *p + strlen(k->key) + (k->type == CT_HTTPS_LANGS));
		/* A name in a language the site does not offer (now) is kept quiet. */
	}
	for (const struct config_key *k = keys; k->key; k++) {
		g_autofree char *value = NULL;

		if (k->type == CT_NAMES) {
			rc = config_set_names(l, group, k, (char **)((char *)obj + k->offset),
					      error);
			if (rc < 0)
				return rc;
			continue;
		}
		if (k->type == CT_HTTPS_LANGS) {
			rc =
			    config_set_urls(l, group, k, (char **)((char *)obj + k->offset), error);
			if (rc < 0)
				return rc;
			continue;
		}
		value = g_key_file_get_string(l->kf, group, k->key, NULL);

		if (value)
			g_strstrip(value);
		if (!value && k->required && k->type == CT_CHOICE) {
			g_autofree char *choices = g_strjoinv(", ", (char **)k->choices);

			return config_fail(l, group, k->key, error,
					   "missing: this key is required (one of %s)", choices);
		}
		if (!value && k->required)
			return config_fail(l, group, k->key, error,
					   "missing: this key is required");
		if (!value && !k->def)
			continue;
		rc = config_set(l, group, k, value ? value : k->def, obj, error);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void config_provider_free(gpointer p)
{
	struct config_provider *x = p;

	g_free(x->code);
	for (int i = 0; i < CONFIG_LANGS_MAX; i++)
		g_free(x->name[i]);
	g_free(x);
}

static void config_service_free(gpointer p)
{
	struct config_service *x = p;

	g_free(x->code);
	for (int i = 0; i < CONFIG_LANGS_MAX; i++) {
		g_free(x->name[i]);
		g_free(x->instructions_url[i]);
	}
	g_free(x->support_phone);
	g_free(x->support_chat_url);
	g_free(x);
}

static void config_counter_free(gpointer p)
{
	struct config_counter *x = p;

	g_free(x->name);
	if (x->profile)
		g_array_unref(x->profile);
	g_free(x->camera);
	g_free(x->document_camera);
	g_free(x->microphone);
	g_free(x->speaker);
	g_free(x->h264_encoder);
	g_free(x);
}

static gint counter_cmp(gconstpointer a, gconstpointer b)
{
	const struct config_counter *x = *(struct config_counter *const *)a;
	const struct config_counter *y = *(struct config_counter *const *)b;

	return x->id - y->id;
}

/* Creates the object of a repeating group and loads it. */
static int config_load_repeating(struct config_loader *l, const char *group, const char *kind,
				 const char *id, GError **error)
{
	struct config *cfg = l->cfg;

	if (strcmp(kind, "provider:") == 0 || strcmp(kind, "service:") == 0) {
		if (!code_valid(id))
			return config_fail(l, group, NULL, error,
					   "expected a code of a–z, 0–9 and - (at most 24), got "
					   "\"%s\"",
					   id);
	}
	if (strcmp(kind, "provider:") == 0) {
		struct config_provider *p = g_new0(struct config_provider, 1);

		p->code = g_strdup(id);
		g_ptr_array_add(cfg->providers, p);
		return config_load_group(l, group, provider_keys, p, error);
	}
	if (strcmp(kind, "service:") == 0) {
		struct config_service *s = g_new0(struct config_service, 1);
		int rc;

		s->code = g_strdup(id);
		g_ptr_array_add(cfg->services, s);
		rc = config_load_group(l, group, service_keys, s, error);
		if (rc < 0)
			return rc;
		for (guint i = 0; i + 1 < cfg->services->len; i++) {
			const struct config_service *o = g_ptr_array_index(cfg->services, i);

			if (o->prefix == s->prefix)
				return config_fail(l, group, "prefix", error,
						   "expected a letter no other service uses, got "
						   "\"%c\" (also [service:%s])",
						   s->prefix, o->code);
		}
		return 0;
	}
	{
		struct config_counter *c = g_new0(struct config_counter, 1);
		guint64 n;
		int rc;

		g_ptr_array_add(cfg->counters, c);
		if (!g_ascii_string_to_unsigned(id, 10, 1, 999, &n, NULL))
			return config_fail(l, group, NULL, error,
					   "expected a counter number from 1 to 999, got \"%s\"",
					   id);
		c->id = (int)n;
		rc = config_load_group(l, group, counter_keys, c, error);
		if (rc < 0)
			return rc;
		for (guint i = 0; i < c->profile->len; i++) {
			const struct config_profile_entry *e =
			    &g_array_index(c->profile, struct config_profile_entry, i);
			const struct config_service *s =
			    g_ptr_array_index(cfg->services, e->service);
			bool remote = s->kind == CONFIG_SERVICE_REMOTE;

			if (remote != c->expert)
				return config_fail(l, group, "profile", error,
						   "expected %s, got \"%s\" (kind %s)",
						   c->expert ? "remote services at an expert desk"
							     : "counter services at a counter",
						   s->code, remote ? "remote" : "counter");
		}
		return 0;
	}
}

static void config_button_free(gpointer p)
{
	struct config_button *x = p;

	g_free(x->name);
	g_free(x);
}

static void config_lamp_free(gpointer p)
{
	struct config_lamp *x = p;

	g_free(x->name);
	g_free(x);
}

/* [button:NAME] and [lamp:NAME]: one GPIO line each, never two. */
static int config_load_line(struct config_loader *l, const char *group, const char *kind,
			    const char *id, GError **error)
{
	struct config *cfg = l->cfg;
	int rc, line;

	if (strcmp(kind, "button:") == 0) {
		struct config_button *b = g_new0(struct config_button, 1);

		b->name = g_strdup(id);
		g_ptr_array_add(cfg->buttons, b);
		rc = config_load_group(l, group, button_keys, b, error);
		line = b->line;
	} else {
		struct config_lamp *m = g_new0(struct config_lamp, 1);

		m->name = g_strdup(id);
		g_ptr_array_add(cfg->lamps, m);
		rc = config_load_group(l, group, lamp_keys, m, error);
		line = m->line;
	}
	if (rc < 0)
		return rc;
	for (guint i = 0; i < cfg->buttons->len + cfg->lamps->len; i++) {
		bool is_button = i < cfg->buttons->len;
		const struct config_button *b =
		    is_button ? g_ptr_array_index(cfg->buttons, i) : NULL;
		const struct config_lamp *m =
		    is_button ? NULL : g_ptr_array_index(cfg->lamps, i - cfg->buttons->len);
		const char *other = is_button ? b->name : m->name;
		int other_line = is_button ? b->line : m->line;

		if (other_line == line && strcmp(other, id) != 0)
			return config_fail(l, group, "line", error,
					   "expected a line no other button or lamp uses, got %d "
					   "(also [%s%s])",
					   line, is_button ? "button:" : "lamp:", other);
	}
	return 0;
}

/* [kiosk] headset-jack: one more input line, a button named "headset-jack"
 * whose action is the headset (a level: plugged in = active), so that the
 * panel watches it and the sim presses it like any other. */
static int config_add_headset_jack(struct config_loader *l, GError **error)
{
	struct config *cfg = l->cfg;
	struct config_button *b;

	if (cfg->kiosk_headset_jack < 0)
		return 0;
	for (guint i = 0; i < cfg->buttons->len + cfg->lamps->len; i++) {
		bool is_button = i < cfg->buttons->len;
		const struct config_button *o =
		    is_button ? g_ptr_array_index(cfg->buttons, i) : NULL;
		const struct config_lamp *m =
		    is_button ? NULL : g_ptr_array_index(cfg->lamps, i - cfg->buttons->len);

		if ((is_button ? o->line : m->line) == cfg->kiosk_headset_jack ||
		    (is_button && strcmp(o->name, "headset-jack") == 0))
			return config_fail(l, "kiosk", "headset-jack", error,
					   "expected a line no button or lamp uses, got %d "
					   "(also [%s%s])",
					   cfg->kiosk_headset_jack, is_button ? "button:" : "lamp:",
					   is_button ? o->name : m->name);
	}
	b = g_new0(struct config_button, 1);
	b->name = g_strdup("headset-jack");
	b->line = cfg->kiosk_headset_jack;
	b->active_low = cfg->kiosk_headset_jack_active_low;
	b->press.action = CONFIG_BUTTON_HEADSET;
	b->debounce_ms = 30;
	b->long_press_ms = 1500;
	g_ptr_array_add(cfg->buttons, b);
	return 0;
}

static void config_display_bus_free(gpointer p)
{
	struct config_display_bus *x = p;

	g_free(x->name);
	g_free(x->device);
	g_free(x->host);
	g_strfreev(x->sim_silent_units);
	g_free(x);
}

static void config_display_free(gpointer p)
{
	struct config_display *x = p;

	g_free(x->name);
	g_free(x->bus_name);
	g_free(x->map_name);
	g_free(x);
}

static const char *config_bus_name(const struct config *cfg, int index)
{
	return ((struct config_display_bus *)g_ptr_array_index(cfg->display_buses, index))->name;
}

/* [bus:NAME] and [display:NAME]: a wire, and a unit on one. */
static int config_load_display(struct config_loader *l, const char *group, const char *kind,
			       const char *id, GError **error)
{
	struct config *cfg = l->cfg;
	struct config_display *d;
	int rc;

	if (!code_valid(id))
		return config_fail(l, group, NULL, error,
				   "expected a name of a–z, 0–9 and - (at most 24), got \"%s\"",
				   id);
	if (strcmp(kind, "bus:") == 0) {
		struct config_display_bus *b = g_new0(struct config_display_bus, 1);

		b->name = g_strdup(id);
		g_ptr_array_add(cfg->display_buses, b);
		rc = config_load_group(l, group, bus_keys, b, error);
		if (rc < 0)
			return rc;
		if (b->transport == 1 && !b->device)
			return config_fail(l, group, "device", error,
					   "missing: an rtu bus needs device, like /dev/ttyS1");
		if (b->transport == 2 && !b->host)
			return config_fail(
			    l, group, "host", error,
			    "missing: a tcp bus needs host (and port, 502 by default)");
		return 0;
	}
	d = g_new0(struct config_display, 1);
	d->name = g_strdup(id);
	d->bus = -1;
	g_ptr_array_add(cfg->displays, d);
	rc = config_load_group(l, group, display_keys, d, error);
	if (rc < 0)
		return rc;
	for (guint i = 0; i < cfg->display_buses->len && d->bus < 0; i++)
		if (strcmp(config_bus_name(cfg, (int)i), d->bus_name) == 0)
			d->bus = (int)i;
	if (d->bus < 0)
		return config_fail(l, group, "bus", error,
				   "expected the name of a [bus:NAME] group, got \"%s\"",
				   d->bus_name);
	if (d->counter && config_counter_find(cfg, d->counter) < 0)
		return config_fail(l, group, "counter", error,
				   "expected an existing counter, got %d", d->counter);
	for (guint i = 0; i + 1 < cfg->displays->len; i++) {
		const struct config_display *o = g_ptr_array_index(cfg->displays, i);

		if (o->bus == d->bus && o->unit == d->unit)
			return config_fail(
			    l, group, "unit", error,
			    "expected a unit no other display on bus %s uses, got %d "
			    "(also [display:%s])",
			    d->bus_name, d->unit, o->name);
	}
	return 0;
}

int32_t config_date_parse(const char *text)
{
	unsigned y, m, d;
	char tail;
	g_autoptr(GDate) date = NULL;

	if (!text || sscanf(text, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3 || strlen(text) != 10 ||
	    !g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y) || y < 1970)
		return -1;
	date = g_date_new_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y);
	/* Julian day 719163 is 1970-01-01. */
	return (int32_t)(g_date_get_julian(date) - 719163);
}

void config_date_format(int32_t date, char ret[11])
{
	g_autoptr(GDate) d = g_date_new_julian((guint32)(date + 719163));

	g_snprintf(ret, 11, "%04u-%02u-%02u", g_date_get_year(d), g_date_get_month(d),
		   g_date_get_day(d));
}

void config_hours_exception_free(gpointer p)
{
	struct config_hours_exception *e = p;

	if (!e)
		return;
	g_free(e->id);
	g_free(e->date_text);
	g_free(e->closed_text);
	g_free(e->hours_text);
	g_free(e->services_text);
	for (int i = 0; i < CONFIG_LANGS_MAX; i++)
		g_free(e->name[i]);
	g_free(e);
}

int config_hours_exception_check(const struct config *cfg, struct config_hours_exception *e,
				 const char **ret_key, char **ret_what)
{
	e->date = config_date_parse(e->date_text);
	if (e->date < 0) {
		*ret_key = "date";
		*ret_what = g_strdup_printf("expected a date like 2026-12-24, got \"%s\"",
					    e->date_text ? e->date_text : "");
		return -EINVAL;
	}
	e->closed = false;
	if (e->closed_text) {
		const char *c = e->closed_text;

		if (g_ascii_strcasecmp(c, "yes") == 0 || g_ascii_strcasecmp(c, "true") == 0)
			e->closed = true;
		else if (g_ascii_strcasecmp(c, "no") != 0 && g_ascii_strcasecmp(c, "false") != 0) {
			*ret_key = "closed";
			*ret_what = g_strdup_printf("expected yes or no, got \"%s\"", c);
			return -EINVAL;
		}
	}
	if (e->closed == (e->hours_text != NULL)) {
		*ret_key = e->closed ? "hours" : "closed";
		*ret_what = g_strdup(e->closed ? "expected either closed = yes or hours, not both"
					       : "expected closed = yes or hours = HH:MM-HH:MM "
						 "(the day's special hours), got neither");
		return -EINVAL;
	}
	if (e->hours_text) {
		g_auto(GStrv) times = g_strsplit(e->hours_text, "-", 2);
		int open = parse_hhmm(g_strstrip(times[0]));
		int close = times[1] ? parse_hhmm(g_strstrip(times[1])) : -1;

		if (open < 0 || close < 0 || close <= open) {
			*ret_key = "hours";
			*ret_what =
			    g_strdup_printf("expected opening and closing time like "
					    "16:00-19:00 (closing after opening), got \"%s\"",
					    e->hours_text);
			return -EINVAL;
		}
		e->open_min = (uint16_t)open;
		e->close_min = (uint16_t)close;
	}
	e->services = 0;
	if (e->services_text) {
		g_auto(GStrv) codes = g_strsplit_set(e->services_text, ",;", -1);

		for (char **c = codes; *c; c++) {
			int s = config_service_find(cfg, g_strstrip(*c));

			if (!**c)
				continue;
			if (s < 0 || s >= 32) {
				*ret_key = "services";
				*ret_what =
				    g_strdup_printf("expected codes of [service:CODE] groups "
						    "separated by commas, got \"%s\"",
						    *c);
				return -EINVAL;
			}
			e->services |= 1u << s;
		}
		if (!e->services) {
			*ret_key = "services";
			*ret_what = g_strdup("expected service codes, got none (leave the key out "
					     "for every service)");
			return -EINVAL;
		}
	}
	return 0;
}

static gint hours_exception_cmp(gconstpointer a, gconstpointer b)
{
	const struct config_hours_exception *x = *(struct config_hours_exception *const *)a;
	const struct config_hours_exception *y = *(struct config_hours_exception *const *)b;

	return x->date < y->date ? -1 : x->date > y->date;
}

/* [hours-exception:NAME]: one day's exception; two on one date must not
 * share a service (which would win?). */
static int config_load_hours_exception(struct config_loader *l, const char *group, const char *id,
				       GError **error)
{
	struct config *cfg = l->cfg;
	struct config_hours_exception *e = g_new0(struct config_hours_exception, 1);
	g_autofree char *what = NULL;
	const char *key = NULL;
	int rc;

	e->id = g_strdup(id);
	g_ptr_array_add(cfg->hours_exceptions, e);
	rc = config_load_group(l, group, hours_exception_keys, e, error);
	if (rc < 0)
		return rc;
	if (config_hours_exception_check(cfg, e, &key, &what) < 0)
		return config_fail(l, group, key, error, "%s", what);
	for (guint i = 0; i + 1 < cfg->hours_exceptions->len; i++) {
		const struct config_hours_exception *o =
		    g_ptr_array_index(cfg->hours_exceptions, i);

		if (o->date == e->date &&
		    (!o->services || !e->services || (o->services & e->services)))
			return config_fail(l, group, "date", error,
					   "expected one exception per service and day, got %s "
					   "also in [hours-exception:%s] for the same services",
					   e->date_text, o->id);
	}
	return 0;
}

static int config_load_one(struct config_loader *l, const char *group,
			   const struct config_group *cg, const char *id, GError **error)
{
	if (cg->keys == hours_exception_keys)
		return config_load_hours_exception(l, group, id, error);
	if (cg->keys == button_keys || cg->keys == lamp_keys)
		return config_load_line(l, group, cg->name, id, error);
	if (cg->keys == bus_keys || cg->keys == display_keys)
		return config_load_display(l, group, cg->name, id, error);
	return config_load_repeating(l, group, cg->name, id, error);
}

/* Placeholders and words that people type instead of a random token. */
static const char *const weak_words[] = {"change", "example", "placeholder", "password",
					 "secret", "default", "token",       "kiosk",
					 "xxxx",   "test",    NULL};

const char *config_token_weakness(const char *token)
{
	g_autofree char *lower = g_ascii_strdown(token, -1);
	bool seen[256] = {false};
	unsigned distinct = 0;

	for (const char *const *w = weak_words; *w; w++)
		if (strstr(lower, *w))
			return strstr(lower, "change-me")
				   ? "the placeholder of the example"
				   : "a word or sequence, not a random token";
	for (const unsigned char *p = (const unsigned char *)token; *p; p++)
		if (!seen[*p]) {
			seen[*p] = true;
			distinct++;
		}
	/* 16 random hex digits show some 10 different ones (fewer than 6
	 * about 4 times in 100,000: make another), 32 nearly always 14 or more;
	 * a repeated pattern shows a few. */
	if (distinct < 6)
		return "too few different characters for a random token";
	return NULL;
}

bool config_board_is_sim(const struct config *cfg)
{
	return cfg->board == CONFIG_BOARD_SIM;
}

/* libc's inet_pton, not GIO's GInetAddress: config.c is also linked into
 * the static test program of tests/qemu, which has no static GIO. */
static bool host_is_loopback(const char *host)
{
	struct in_addr v4;
	struct in6_addr v6;

	if (inet_pton(AF_INET, host, &v4) == 1)
		return (ntohl(v4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &v6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&v6);
	return g_ascii_strcasecmp(host, "localhost") == 0;
}

bool config_listen_needs_tls(const struct config *cfg, const char *host)
{
	return !config_board_is_sim(cfg) && !cfg->tls_cert && !host_is_loopback(host);
}

/* "got …" of a real-board check: the value, or that the key (or its
 * whole group) is missing and the simulated default would run. */
static char *config_got(struct config_loader *l, const char *group, const char *key)
{
	g_autofree char *value = g_key_file_get_string(l->kf, group, key, NULL);

	if (value)
		return g_strdup_printf("\"%s\"", g_strstrip(value));
	if (!g_key_file_has_group(l->kf, group))
		return g_strdup_printf("no [%s] group (the simulated default)", group);
	return g_strdup("nothing (the simulated default)");
}

/* [printer] paper and columns: a 203-dpi head is 576 dots on 80 mm paper
 * and 384 on 58 mm; font A is 12 dots a character (48 or 32 columns), font
 * B 9 (64 or 42).  The old width key stands for columns, its paper guessed
 * from it. */
static int config_check_paper(struct config_loader *l, GError **error)
{
	static const struct {
		int dots, font_a, font_b;
	} papers[] = {{ESCPOS_DOTS_80MM, 48, 64}, {ESCPOS_DOTS_58MM, 32, 42}};
	struct config_printer *p = &l->cfg->printer;

	if (p->width && !p->columns) {
		if (!g_key_file_has_key(l->kf, "printer", "paper", NULL))
			p->paper = p->width <= 42 ? 1 : 0;
		p->columns = p->width;
	}
	p->dots = papers[p->paper].dots;
	if (!p->columns)
		p->columns = papers[p->paper].font_a;
	if (p->columns != papers[p->paper].font_a && p->columns != papers[p->paper].font_b)
		return config_fail(l, "printer", p->width ? "width" : "columns", error,
				   "expected %d (font A) or %d (font B) on %s paper, got %d; "
				   "set paper = 58mm or 80mm to match the roll",
				   papers[p->paper].font_a, papers[p->paper].font_b,
				   printer_papers[p->paper], p->columns);
	p->font_b = p->columns == papers[p->paper].font_b;
	if (p->width)
		g_message("%s: [printer] width is the old name: write paper = %s and columns = %d",
			  l->file, printer_papers[p->paper], p->width);
	return 0;
}

/* A real board drives real devices only: no device group may fall back to
 * a simulated backend, as one without [printer], [gpio] or a bus's
 * transport would.  The first failure is the error. */
static int config_check_real(struct config_loader *l, GError **error)
{
	const struct config *cfg = l->cfg;
	g_autofree char *got = NULL;

	if (cfg->demo_hours)
		return config_fail(l, "site", "demo-hours", error,
				   "expected false on a real board (opening hours are enforced), "
				   "got true");
	if (cfg->printer.transport == 0) {
		got = config_got(l, "printer", "transport");
		return config_fail(l, "printer", "transport", error,
				   "expected file, serial, usb or tcp on a real board, got %s",
				   got);
	}
	if (cfg->gpio_backend == 0) {
		got = config_got(l, "gpio", "backend");
		return config_fail(l, "gpio", "backend", error,
				   "expected gpiod (and chip, gpiodetect lists them) on a real "
				   "board, got %s",
				   got);
	}
	for (guint i = 0; i < cfg->display_buses->len; i++) {
		const struct config_display_bus *b = g_ptr_array_index(cfg->display_buses, i);
		g_autofree char *group = g_strdup_printf("bus:%s", b->name);

		if (b->transport == 0) {
			got = config_got(l, group, "transport");
			return config_fail(l, group, "transport", error,
					   "expected rtu or tcp on a real board, got %s", got);
		}
	}
	for (guint i = 0; i < cfg->counters->len; i++) {
		const struct config_counter *c = g_ptr_array_index(cfg->counters, i);
		g_autofree char *group = g_strdup_printf("counter:%d", c->id);
		const struct {
			const char *key, *value, *expected;
		} media[] = {
		    {"camera", c->camera, "v4l2:/dev/videoN"},
		    {"document-camera", c->document_camera, "v4l2:/dev/videoN or none"},
		    {"microphone", c->microphone, "alsa[:DEVICE], pulse or none"},
		    {"speaker", c->speaker, "auto, alsa[:DEVICE], pulse or none"},
		};

		if (!c->expert)
			continue;
		for (size_t m = 0; m < G_N_ELEMENTS(media); m++)
			if (media[m].value && (strcmp(media[m].value, "test") == 0 ||
					       g_str_has_prefix(media[m].value, "test:")))
				return config_fail(l, group, media[m].key, error,
						   "expected %s on a real board, got \"%s\" (a "
						   "test source)",
						   media[m].expected, media[m].value);
	}
	if (cfg->audio_sink == 3 /* wav */)
		return config_fail(l, "audio", "sink", error,
				   "expected auto, alsa, pulse or none on a real board, got "
				   "\"wav\" (it only records what would be played)");
	if (cfg->kiosk_headset_sink == 3 /* wav */)
		return config_fail(l, "kiosk", "headset-sink", error,
				   "expected auto, alsa, pulse or none on a real board, got "
				   "\"wav\" (it only records what would be played)");
	if (cfg->identity_module && strstr(cfg->identity_module, "softhsm"))
		return config_fail(
		    l, "identity", "module", error,
		    "expected the card reader's PKCS#11 module (OpenSC's "
		    "opensc-pkcs11.so or the national middleware's) on a real board, "
		    "got \"%s\" (SoftHSM is the test card)",
		    cfg->identity_module);
	if (config_listen_needs_tls(cfg, cfg->listen_host))
		return config_fail(
		    l, "api", "tls-cert", error,
		    "expected a PEM certificate (and tls-key) when a real board "
		    "listens beyond loopback (listen = %s), got nothing — see README, "
		    "\"TLS on a LAN board\"",
		    cfg->listen_host);
	/* Last: the devices above are what a technician fixes first. */
	if (!cfg->printer.url_base || !g_str_has_prefix(cfg->printer.url_base, "https://"))
		return config_fail(l, "printer", "url-base", error,
				   "expected the https address at which phones open the "
				   "ticket's QR code (the site's public address, like "
				   "https://jono.example.fi) on a real board, got %s%s%s",
				   cfg->printer.url_base ? "\""
							 : "nothing (the QR code would point "
							   "at the board itself)",
				   cfg->printer.url_base ? cfg->printer.url_base : "",
				   cfg->printer.url_base ? "\"" : "");
	return 0;
}

/* A follow page's base address, "http(s)://HOST[:PORT][/PATH]", kept without
 * a trailing "/" (the layout adds "/t/REF"): [printer] url-base and
 * [uplink] public-url. */
static int config_check_base(struct config_loader *l, const char *group, const char *key,
			     const char *example, char *base, GError **error)
{
	size_t n;

	if (!base)
		return 0;
	if ((!g_str_has_prefix(base, "https://") && !g_str_has_prefix(base, "http://")) ||
	    strchr(base, ' ') || !strchr(base, ':')[3] || strchr(base, ':')[3] == '/')
		return config_fail(l, group, key, error,
				   "expected the address phones open the ticket's QR code at, "
				   "like %s, got \"%s\"",
				   example, base);
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		base[--n] = '\0';
	return 0;
}

static int config_check_url_base(struct config_loader *l, GError **error)
{
	return config_check_base(l, "printer", "url-base", "https://jono.example.fi",
				 l->cfg->printer.url_base, error);
}

/* [uplink], when present: the site id names NATS subjects and message ids
 * (vuoro.rec.<site>.<kind>, <site>-<epoch>-<seq>). */
static int config_load_uplink(struct config_loader *l, GError **error)
{
	struct config *cfg = l->cfg;
	const char *id;
	size_t n;

	if (!g_key_file_has_group(l->kf, "uplink"))
		return 0;
	if (config_load_group(l, "uplink", uplink_keys, cfg, error) < 0)
		return -EINVAL;
	if (!cfg->uplink_servers || !cfg->uplink_servers[0])
		return config_fail(l, "uplink", "servers", error,
				   "expected the hub's NATS servers, like "
				   "tls://nats1.example.fi:4222;tls://nats2.example.fi:4222, got "
				   "nothing");
	id = cfg->uplink_site;
	n = strlen(id);
	if (n == 0 || n > 32 || id[0] == '-' ||
	    strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
		return config_fail(l, "uplink", "site", error,
				   "expected the site id the hub knows this site by: 1 to 32 "
				   "lowercase letters, digits and '-' (like helsinki-itakeskus), "
				   "got \"%s\"",
				   id);
	if (config_check_base(l, "uplink", "public-url", "https://hub.example.fi",
			      cfg->uplink_public_url, error) < 0)
		return -EINVAL;
	cfg->uplink = true;
	return 0;
}

/* [notify], when present: the mail server's address is checked here, so a
 * typo stops the start with the key named rather than every mail failing. */
static int config_load_notify(struct config_loader *l, GError **error)
{
	struct config *cfg = l->cfg;
	g_autoptr(GUri) uri = NULL;
	const char *scheme, *from;

	if (!g_key_file_has_group(l->kf, "notify"))
		return 0;
	if (config_load_group(l, "notify", notify_keys, cfg, error) < 0)
		return -EINVAL;
	uri = g_uri_parse(cfg->notify_smtp_url, G_URI_FLAGS_NONE, NULL);
	scheme = uri ? g_uri_get_scheme(uri) : NULL;
	if (!uri || (g_strcmp0(scheme, "smtp") != 0 && g_strcmp0(scheme, "smtps") != 0) ||
	    !g_uri_get_host(uri) || !*g_uri_get_host(uri) ||
	    (*g_uri_get_path(uri) && strcmp(g_uri_get_path(uri), "/") != 0))
		return config_fail(l, "notify", "smtp-url", error,
				   "expected the mail server as smtp://HOST:PORT (STARTTLS) or "
				   "smtps://HOST:PORT (TLS), like smtp://mail.example.fi:587, got "
				   "\"%s\"",
				   cfg->notify_smtp_url);
	from = cfg->notify_from;
	if (!strchr(from, '@') || strpbrk(from, " \t\r\n<>"))
		return config_fail(l, "notify", "from", error,
				   "expected the sender's e-mail address, like "
				   "vuoro@palvelupiste.example.fi, got \"%s\"",
				   from);
	if (cfg->notify_ca_file && !g_file_test(cfg->notify_ca_file, G_FILE_TEST_IS_REGULAR))
		return config_fail(l, "notify", "ca-file", error,
				   "expected a PEM file of the mail server's CA, got \"%s\", which "
				   "is not a file",
				   cfg->notify_ca_file);
	return 0;
}

static struct config *config_parse(struct config_loader *l, GError **error)
{
	g_auto(GStrv) groups = g_key_file_get_groups(l->kf, NULL);
	struct config *cfg = l->cfg;

	cfg->providers = g_ptr_array_new_with_free_func(config_provider_free);
	cfg->services = g_ptr_array_new_with_free_func(config_service_free);
	cfg->counters = g_ptr_array_new_with_free_func(config_counter_free);
	cfg->buttons = g_ptr_array_new_with_free_func(config_button_free);
	cfg->lamps = g_ptr_array_new_with_free_func(config_lamp_free);
	cfg->display_buses = g_ptr_array_new_with_free_func(config_display_bus_free);
	cfg->displays = g_ptr_array_new_with_free_func(config_display_free);
	cfg->hours_exceptions = g_ptr_array_new_with_free_func(config_hours_exception_free);
	if (!g_key_file_has_group(l->kf, "site")) {
		config_fail(l, "site", "name", error, "missing: this key is required");
		return NULL;
	}
	/* Fixed groups first (with defaults when absent), then the repeating
	 * ones in the order that lets each refer to the ones before: providers,
	 * services, counters. */
	for (guint g = 0; g < G_N_ELEMENTS(config_groups); g++) {
		const struct config_group *cg = &config_groups[g];
		bool repeating = g_str_has_suffix(cg->name, ":");

		if (!repeating) {
			if (config_load_group(l, cg->name, cg->keys, cfg, error) < 0)
				return NULL;
			continue;
		}
		for (char **p = groups; *p; p++)
			if (g_str_has_prefix(*p, cg->name) &&
			    config_load_one(l, *p, cg, *p + strlen(cg->name), error) < 0)
				return NULL;
	}
	for (char **p = groups; *p; p++) {
		bool known = false;

		known = strcmp(*p, "uplink") == 0 || strcmp(*p, "notify") == 0;
		for (guint g = 0; g < G_N_ELEMENTS(config_groups) && !known; g++)
			known = g_str_has_suffix(config_groups[g].name, ":")
				    ? g_str_has_prefix(*p, config_groups[g].name)
				    : strcmp(*p, config_groups[g].name) == 0;
		if (!known)
			g_warning("%s: [%s]: unknown group, ignored", l->file, *p);
	}
	if (cfg->services->len == 0) {
		config_fail(l, "service:CODE", NULL, error,
			    "expected at least one service group, got none");
		return NULL;
	}
	if (cfg->counters->len == 0) {
		config_fail(l, "counter:ID", NULL, error,
			    "expected at least one counter group, got none");
		return NULL;
	}
	g_ptr_array_sort(cfg->hours_exceptions, hours_exception_cmp);
	g_ptr_array_sort(cfg->counters, counter_cmp);
	for (guint i = 1; i < cfg->counters->len; i++)
		if (((struct config_counter *)g_ptr_array_index(cfg->counters, i))->id ==
		    ((struct config_counter *)g_ptr_array_index(cfg->counters, i - 1))->id) {
			config_fail(l, "counter", NULL, error, "a counter number is used twice");
			return NULL;
		}
	if (cfg->printer.transport == 4 /* tcp */ && !cfg->printer.host) {
		config_fail(l, "printer", "host", error,
			    "missing: a tcp printer needs host (and port, 9100 by default)");
		return NULL;
	}
	if (cfg->printer.transport >= 1 && cfg->printer.transport <= 3 && !cfg->printer.device) {
		config_fail(l, "printer", "device", error,
			    "missing: a %s printer needs device, like /dev/ttyUSB0 or /dev/usb/lp0",
			    printer_transports[cfg->printer.transport]);
		return NULL;
	}
	if (config_check_paper(l, error) < 0)
		return NULL;
	if (config_add_headset_jack(l, error) < 0)
		return NULL;
	if (cfg->kiosk_headset_sink == 3 /* wav */ && !cfg->kiosk_headset_wav_dir) {
		config_fail(l, "kiosk", "headset-wav-dir", error,
			    "missing: the headset's wav sink needs headset-wav-dir, a folder "
			    "apart from [audio] wav-dir");
		return NULL;
	}
	if (cfg->audio_sink == 3 /* wav */ && !cfg->audio_wav_dir) {
		config_fail(l, "audio", "wav-dir", error,
			    "missing: the wav sink needs wav-dir, the folder for the recordings");
		return NULL;
	}
	if (config_check_url_base(l, error) < 0)
		return NULL;
	if (config_load_uplink(l, error) < 0)
		return NULL;
	if (config_load_notify(l, error) < 0)
		return NULL;
	if (!config_board_is_sim(cfg) && config_check_real(l, error) < 0)
		return NULL;
	return cfg;
}

struct config *config_load_data(const char *data, const char *name, GError **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(Config) cfg = g_new0(struct config, 1);
	g_autofree char *file = g_path_get_basename(name);
	g_autoptr(GError) parse_error = NULL;
	struct config_loader l = {.cfg = cfg, .kf = kf, .file = file};

	cfg->path = g_strdup(name);
	if (!g_key_file_load_from_data(kf, data, (gsize)-1, G_KEY_FILE_NONE, &parse_error)) {
		g_set_error(error, CONFIG_ERROR, EINVAL, "%s: %s", file, parse_error->message);
		return NULL;
	}
	if (!config_parse(&l, error))
		return NULL;
	return g_steal_pointer(&cfg);
}

struct config *config_load(const char *path, GError **error)
{
	g_autofree char *data = NULL;
	g_autoptr(GError) read_error = NULL;

	if (!g_file_get_contents(path, &data, NULL, &read_error)) {
		g_set_error(error, CONFIG_ERROR, ENOENT, "%s: cannot read the board-config: %s",
			    path, read_error->message);
		return NULL;
	}
	return config_load_data(data, path, error);
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	g_free(cfg->path);
	g_free(cfg->site_name);
	g_free(cfg->timezone);
	g_free(cfg->a11y_contact);
	g_free(cfg->a11y_authority);
	g_free(cfg->listen_host);
	g_strfreev(cfg->kiosk_addresses);
	g_strfreev(cfg->api_hosts);
	g_free(cfg->kiosk_token);
	g_free(cfg->db_path);
	g_free(cfg->ui_dir);
	g_free(cfg->tls_cert);
	g_free(cfg->tls_key);
	g_strfreev(cfg->uplink_servers);
	g_free(cfg->uplink_site);
	g_free(cfg->uplink_ca);
	g_free(cfg->uplink_cert);
	g_free(cfg->uplink_key);
	g_free(cfg->uplink_public_url);
	g_free(cfg->notify_smtp_url);
	g_free(cfg->notify_from);
	g_free(cfg->notify_username);
	g_free(cfg->notify_password);
	g_free(cfg->notify_ca_file);
	g_free(cfg->printer.device);
	g_free(cfg->printer.host);
	g_free(cfg->printer.codepage);
	g_free(cfg->printer.header);
	for (int i = 0; i < CONFIG_LANGS_MAX; i++)
		g_free(cfg->printer.footer[i]);
	g_free(cfg->printer.url_base);
	g_free(cfg->printer.sim_dir);
	g_free(cfg->gpio_chip);
	if (cfg->buttons)
		g_ptr_array_unref(cfg->buttons);
	if (cfg->lamps)
		g_ptr_array_unref(cfg->lamps);
	if (cfg->display_buses)
		g_ptr_array_unref(cfg->display_buses);
	if (cfg->displays)
		g_ptr_array_unref(cfg->displays);
	if (cfg->hours_exceptions)
		g_ptr_array_unref(cfg->hours_exceptions);
	g_free(cfg->audio_device);
	g_free(cfg->audio_wav_dir);
	g_free(cfg->kiosk_headset_device);
	g_free(cfg->kiosk_headset_wav_dir);
	g_strfreev(cfg->announce_langs);
	g_strfreev(cfg->langs);
	g_free(cfg->stun_server);
	g_strfreev(cfg->turn_servers);
	g_strfreev(cfg->ice_local_addresses);
	g_free(cfg->recording_dir);
	g_free(cfg->identity_module);
	g_free(cfg->identity_trust_anchors);
	g_free(cfg->identity_crl);
	g_free(cfg->identity_required_eku);
	g_free(cfg->identity_site_secret);
	if (cfg->providers)
		g_ptr_array_unref(cfg->providers);
	if (cfg->services)
		g_ptr_array_unref(cfg->services);
	if (cfg->counters)
		g_ptr_array_unref(cfg->counters);
	g_free(cfg);
}

int config_service_find(const struct config *cfg, const char *code)
{
	for (guint i = 0; code && i < cfg->services->len; i++) {
		const struct config_service *s = g_ptr_array_index(cfg->services, i);

		if (strcmp(s->code, code) == 0)
			return (int)i;
	}
	return -1;
}

int config_counter_find(const struct config *cfg, int counter_id)
{
	for (guint i = 0; i < cfg->counters->len; i++) {
		const struct config_counter *c = g_ptr_array_index(cfg->counters, i);

		if (c->id == counter_id)
			return (int)i;
	}
	return -1;
}

const struct config_service *config_service_get(const struct config *cfg, int index)
{
	if (index < 0 || (guint)index >= cfg->services->len)
		return NULL;
	return g_ptr_array_index(cfg->services, index);
}

const struct config_counter *config_counter_get(const struct config *cfg, int index)
{
	if (index < 0 || (guint)index >= cfg->counters->len)
		return NULL;
	return g_ptr_array_index(cfg->counters, index);
}

bool config_service_trial(const struct config *cfg, int service_index)
{
	const struct config_service *s = config_service_get(cfg, service_index);

	return cfg->trial || (s && s->trial);
}

const char *config_provider_code(const struct config *cfg, int service_index)
{
	const struct config_service *s = config_service_get(cfg, service_index);
	const struct config_provider *p;

	if (!s)
		return NULL;
	p = g_ptr_array_index(cfg->providers, s->provider);
	return p->code;
}

int config_lang_parse(const struct config *cfg, const char *code)
{
	for (int i = 0; code && cfg->langs && cfg->langs[i]; i++)
		if (strcmp(code, cfg->langs[i]) == 0)
			return i;
	return -1;
}

const char *config_lang_code(const struct config *cfg, int lang)
{
	if (lang < 0 || lang >= cfg->n_langs)
		lang = 0;
	return cfg->langs[lang];
}
