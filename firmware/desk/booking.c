/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * booking: parses booking exports (CSV, iCalendar) into appointments.
 * See booking.h.  The CSV splitter follows RFC 4180 (quoted fields may hold
 * separators, newlines and doubled quotes); iCalendar goes through libical.
 */

#include "booking.h"

#include <errno.h>
#include <libical/ical.h>
#include <sodium.h>
#include <string.h>

#include "ical_lib.h"

GQuark booking_error_quark(void);
G_DEFINE_QUARK(vuoro - booking - error - quark, booking_error)
#define BOOKING_ERROR (booking_error_quark())

#define BOOKING_DEFAULT_MIN 30

static const char code_alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

char *booking_code_new(void)
{
	char *code = g_malloc(7);

	if (sodium_init() < 0)
		g_error("libsodium cannot start: no random source");
	for (int i = 0; i < 6; i++)
		code[i] = code_alphabet[randombytes_uniform(sizeof(code_alphabet) - 1)];
	code[6] = '\0';
	return code;
}

int booking_parse_time(const struct config *cfg, const char *text, int64_t *ret)
{
	g_autoptr(GTimeZone) tz = NULL;
	g_autoptr(GDateTime) dt = NULL;
	g_autofree char *iso = NULL;

	if (!text || strlen(text) < 16)
		return -EINVAL;
	iso = g_strstrip(g_strdup(text));
	if (iso[10] == ' ')
		iso[10] = 'T';
	if (iso[10] != 'T')
		return -EINVAL;
	/* GLib wants seconds: "09:30" → "09:30:00", keeping any offset. */
	if (strlen(iso) >= 16 && iso[13] == ':' &&
	    (iso[16] == '\0' || iso[16] == 'Z' || iso[16] == '+' || iso[16] == '-')) {
		char *full = g_strdup_printf("%.16s:00%s", iso, iso + 16);

		g_free(iso);
		iso = full;
	}
	tz = g_time_zone_new_identifier(cfg->timezone);
	if (!tz)
		tz = g_time_zone_new_utc();
	dt = g_date_time_new_from_iso8601(iso, tz);
	if (!dt)
		return -EINVAL;
	*ret = g_date_time_to_unix(dt);
	return 0;
}

gboolean booking_email_valid(const char *text)
{
	const char *at = text ? strchr(text, '@') : NULL;
	size_t n = text ? strlen(text) : 0;

	/* One line of printable ASCII with one @ and a dot after it: nothing a
	 * mail header could be split with. */
	if (!at || at == text || n > 254 || strchr(at + 1, '@') || !strchr(at + 1, '.') ||
	    at[1] == '.' || text[n - 1] == '.')
		return FALSE;
	for (const char *p = text; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f ||
		    strchr("<>(),;:\\\"[]", *p))
			return FALSE;
	return TRUE;
}

static void appointment_free(gpointer p)
{
	store_appointment_clear(p);
	g_free(p);
}

/* ---------------------------------------------------------------------- */
/* CSV */

/* Splits one record starting at *pos; advances *pos past its line end.
 * Returns the fields, or NULL at the end of the data; *ret_line counts
 * physical lines (quoted newlines included). */
static GPtrArray *csv_record(const char *data, gsize len, gsize *pos, char sep, int *ret_line,
			     GError **error)
{
	GPtrArray *fields;
	GString *field = g_string_new(NULL);
	bool quoted = false, was_quoted = false;
	gsize i = *pos;
	int start_line;

	if (i >= len) {
		g_string_free(field, TRUE);
		return NULL;
	}
	fields = g_ptr_array_new_with_free_func(g_free);
	start_line = ++(*ret_line);
	for (; i < len; i++) {
		char c = data[i];

		if (quoted) {
			if (c == '"' && i + 1 < len && data[i + 1] == '"') {
				g_string_append_c(field, '"');
				i++;
			} else if (c == '"') {
				quoted = false;
			} else {
				if (c == '\n')
					(*ret_line)++;
				g_string_append_c(field, c);
			}
			continue;
		}
		if (c == '"' && field->len == 0 && !was_quoted) {
			quoted = was_quoted = true;
		} else if (c == sep) {
			g_ptr_array_add(fields, g_string_free(field, FALSE));
			field = g_string_new(NULL);
			was_quoted = false;
		} else if (c == '\r' || c == '\n') {
			if (c == '\r' && i + 1 < len && data[i + 1] == '\n')
				i++;
			i++;
			break;
		} else {
			g_string_append_c(field, c);
		}
	}
	if (quoted) {
		g_set_error(error, BOOKING_ERROR, EINVAL,
			    "line %d: a quoted field never ends: check the quotes", start_line);
		g_string_free(field, TRUE);
		g_ptr_array_unref(fields);
		return NULL;
	}
	g_ptr_array_add(fields, g_string_free(field, FALSE));
	*pos = i;
	return fields;
}

enum csv_col {
	COL_CODE,
	COL_SERVICE,
	COL_START,
	COL_DURATION,
	COL_STAFF,
	COL_NAME,
	COL_HOST_EMAIL,
	COL_N
};

static const char *const csv_col_names[COL_N] = {"code",  "service", "start",     "duration_min",
						 "staff", "name",    "host_email"};

static bool csv_blank(GPtrArray *fields)
{
	for (guint i = 0; i < fields->len; i++)
		if (*g_strstrip((char *)fields->pdata[i]))
			return false;
	return true;
}

int booking_parse_csv(const struct config *cfg, const char *data, gsize len, GPtrArray **ret_list,
		      GError **error)
{
	g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(appointment_free);
	g_autoptr(GPtrArray) header = NULL;
	int col[COL_N];
	gsize pos = 0, line_end;
	int line = 0;
	char sep;

	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;
	if (!g_utf8_validate(data + pos, (gssize)(len - pos), NULL)) {
		g_set_error(error, BOOKING_ERROR, EINVAL,
			    "the file is not UTF-8 text: export it as UTF-8 CSV");
		return -EINVAL;
	}
	/* The separator is whichever of , and ; the header line uses. */
	for (line_end = pos; line_end < len && data[line_end] != '\n'; line_end++)
		;
	{
		unsigned commas = 0, semis = 0;

		for (gsize i = pos; i < line_end; i++) {
			commas += data[i] == ',';
			semis += data[i] == ';';
		}
		sep = semis > commas ? ';' : ',';
	}
	header = csv_record(data, len, &pos, sep, &line, error);
	if (!header) {
		if (error && !*error)
			g_set_error(error, BOOKING_ERROR, EINVAL,
				    "the file is empty: export the bookings with a header line");
		return -EINVAL;
	}
	for (int c = 0; c < COL_N; c++) {
		col[c] = -1;
		for (guint i = 0; i < header->len; i++)
			if (g_ascii_strcasecmp(g_strstrip((char *)header->pdata[i]),
					       csv_col_names[c]) == 0)
				col[c] = (int)i;
	}
	if (col[COL_SERVICE] < 0 || col[COL_START] < 0) {
		g_set_error(error, BOOKING_ERROR, EINVAL,
			    "line 1: the header needs the columns service and start (and may have "
			    "code, duration_min, staff, name, host_email), missing: %s",
			    col[COL_SERVICE] < 0 ? "service" : "start");
		return -EINVAL;
	}
	for (;;) {
		g_autoptr(GPtrArray) f = NULL;
		struct store_appointment *a;
		const char *v[COL_N] = {NULL};
		int first_line = line + 1;

		f = csv_record(data, len, &pos, sep, &line, error);
		if (!f) {
			if (error && *error)
				return -EINVAL;
			break;
		}
		if (csv_blank(f))
			continue;
		for (int c = 0; c < COL_N; c++)
			if (col[c] >= 0 && (guint)col[c] < f->len)
				v[c] = g_strstrip((char *)f->pdata[col[c]]);
		a = g_new0(struct store_appointment, 1);
		g_ptr_array_add(list, a);
		a->service = (int16_t)config_service_find(cfg, v[COL_SERVICE]);
		if (a->service < 0) {
			g_set_error(error, BOOKING_ERROR, EINVAL,
				    "line %d, column service: no service \"%s\" in this "
				    "board-config",
				    first_line, v[COL_SERVICE] ? v[COL_SERVICE] : "");
			return -EINVAL;
		}
		if (booking_parse_time(cfg, v[COL_START], &a->at) < 0) {
			g_set_error(error, BOOKING_ERROR, EINVAL,
				    "line %d, column start: expected a time like 2026-11-23 09:30, "
				    "got \"%s\"",
				    first_line, v[COL_START] ? v[COL_START] : "");
			return -EINVAL;
		}
		a->duration_min = BOOKING_DEFAULT_MIN;
		if (v[COL_DURATION] && *v[COL_DURATION]) {
			gint64 m;

			if (!g_ascii_string_to_signed(v[COL_DURATION], 10, 5, 480, &m, NULL)) {
				g_set_error(error, BOOKING_ERROR, EINVAL,
					    "line %d, column duration_min: expected minutes from 5 "
					    "to 480, got \"%s\"",
					    first_line, v[COL_DURATION]);
				return -EINVAL;
			}
			a->duration_min = (int)m;
		}
		a->code = v[COL_CODE] && *v[COL_CODE] ? g_ascii_strup(v[COL_CODE], -1)
						      : booking_code_new();
		a->staff = v[COL_STAFF] && *v[COL_STAFF] ? g_strdup(v[COL_STAFF]) : NULL;
		a->name = v[COL_NAME] && *v[COL_NAME] ? g_strdup(v[COL_NAME]) : NULL;
		if (v[COL_HOST_EMAIL] && *v[COL_HOST_EMAIL]) {
			if (!booking_email_valid(v[COL_HOST_EMAIL])) {
				g_set_error(
				    error, BOOKING_ERROR, EINVAL,
				    "line %d, column host_email: expected the host's e-mail "
				    "address, like anna.virtanen@kunta.example.fi, got \"%s\"",
				    first_line, v[COL_HOST_EMAIL]);
				return -EINVAL;
			}
			a->host_email = g_strdup(v[COL_HOST_EMAIL]);
		}
		a->source = g_strdup("csv");
	}
	*ret_list = g_steal_pointer(&list);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* iCalendar */

const char *booking_ics_x_value(icalcomponent *ev, const char *name)
{
	for (icalproperty *p = ical_lib()->icalcomponent_get_first_property(ev, ICAL_X_PROPERTY); p;
	     p = ical_lib()->icalcomponent_get_next_property(ev, ICAL_X_PROPERTY))
		if (g_ascii_strcasecmp(ical_lib()->icalproperty_get_x_name(p), name) == 0)
			return ical_lib()->icalproperty_get_value_as_string(p);
	return NULL;
}

static int ics_service(const struct config *cfg, icalcomponent *ev)
{
	const char *x = booking_ics_x_value(ev, "X-VUORO-SERVICE");
	const char *summary;

	if (x)
		return config_service_find(cfg, x);
	for (icalproperty *p =
		 ical_lib()->icalcomponent_get_first_property(ev, ICAL_CATEGORIES_PROPERTY);
	     p; p = ical_lib()->icalcomponent_get_next_property(ev, ICAL_CATEGORIES_PROPERTY)) {
		g_auto(GStrv) cats =
		    g_strsplit(ical_lib()->icalproperty_get_categories(p), ",", -1);

		for (char **c = cats; *c; c++) {
			int s = config_service_find(cfg, g_strstrip(*c));

			if (s >= 0)
				return s;
		}
	}
	summary = ical_lib()->icalcomponent_get_summary(ev);
	return summary ? config_service_find(cfg, summary) : -1;
}

/* DTSTART in unix seconds: UTC, TZID (a VTIMEZONE in the file or a zone
 * libical knows), or floating = the site's zone. */
static int ics_start(const struct config *cfg, icalcomponent *ev, int64_t *ret)
{
	icalproperty *p = ical_lib()->icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY);
	struct icaltimetype t;
	icalparameter *tzid;
	icaltimezone *zone = NULL;

	if (!p)
		return -EINVAL;
	t = ical_lib()->icalproperty_get_dtstart(p);
	if (ical_lib()->icaltime_is_null_time(t))
		return -EINVAL;
	if (ical_lib()->icaltime_is_utc(t)) {
		*ret = ical_lib()->icaltime_as_timet(t);
		return 0;
	}
	tzid = ical_lib()->icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
	if (tzid) {
		const char *id = ical_lib()->icalparameter_get_tzid(tzid);
		icalcomponent *root = ical_lib()->icalcomponent_get_parent(ev);

		zone = root ? ical_lib()->icalcomponent_get_timezone(root, id) : NULL;
		if (!zone)
			zone = ical_lib()->icaltimezone_get_builtin_timezone(id);
		if (!zone)
			return -ENOENT;
	} else {
		zone = ical_lib()->icaltimezone_get_builtin_timezone(cfg->timezone);
	}
	*ret = ical_lib()->icaltime_as_timet_with_zone(t, zone);
	return 0;
}

/* The mailto: address of @p, or NULL. */
static char *ics_mailto(icalproperty *p)
{
	const char *v = p ? ical_lib()->icalproperty_get_value_as_string(p) : NULL;

	if (!v || g_ascii_strncasecmp(v, "mailto:", 7) != 0 || !booking_email_valid(v + 7))
		return NULL;
	return g_strdup(v + 7);
}

static char *ics_person(icalproperty *p)
{
	icalparameter *cn;
	const char *v;

	if (!p)
		return NULL;
	cn = ical_lib()->icalproperty_get_first_parameter(p, ICAL_CN_PARAMETER);
	if (cn && ical_lib()->icalparameter_get_cn(cn) && *ical_lib()->icalparameter_get_cn(cn))
		return g_strdup(ical_lib()->icalparameter_get_cn(cn));
	v = ical_lib()->icalproperty_get_value_as_string(p);
	if (!v)
		return NULL;
	if (g_ascii_strncasecmp(v, "mailto:", 7) == 0)
		v += 7;
	return *v ? g_strdup(v) : NULL;
}

icalcomponent *booking_ics_open(const char *data, gsize len, GError **error)
{
	g_autofree char *text = g_strndup(data, len);
	icalcomponent *root;

	if (!ical_lib_open(error))
		return NULL;
	if (!g_str_has_prefix(g_strchug(text), "BEGIN:VCALENDAR")) {
		g_set_error(error, BOOKING_ERROR, EINVAL,
			    "not an iCalendar file: it must begin with BEGIN:VCALENDAR");
		return NULL;
	}
	root = ical_lib()->icalparser_parse_string(text);
	if (!root || ical_lib()->icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT) {
		g_set_error(error, BOOKING_ERROR, EINVAL,
			    "not an iCalendar file: libical could not read a VCALENDAR from it");
		if (root)
			ical_lib()->icalcomponent_free(root);
		return NULL;
	}
	return root;
}

int booking_parse_ics(const struct config *cfg, const char *data, gsize len, GPtrArray **ret_list,
		      GError **error)
{
	g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(appointment_free);
	icalcomponent *root = booking_ics_open(data, len, error);
	int rc = 0;

	if (!root)
		return -EINVAL;
	for (icalcomponent *ev =
		 ical_lib()->icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT);
	     ev; ev = ical_lib()->icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT)) {
		const char *uid = ical_lib()->icalcomponent_get_uid(ev);
		const char *code = booking_ics_x_value(ev, "X-VUORO-CODE");
		struct icaldurationtype dur;
		struct store_appointment *a;
		int service;

		if (!uid)
			uid = "(no UID)";
		if (ical_lib()->icalcomponent_get_status(ev) == ICAL_STATUS_CANCELLED)
			continue;
		service = ics_service(cfg, ev);
		if (service < 0) {
			g_set_error(
			    error, BOOKING_ERROR, EINVAL,
			    "event %s: no service of this board-config: add "
			    "X-VUORO-SERVICE:<code> or a CATEGORIES value that is a service "
			    "code",
			    uid);
			rc = -EINVAL;
			break;
		}
		a = g_new0(struct store_appointment, 1);
		g_ptr_array_add(list, a);
		a->service = (int16_t)service;
		if (ics_start(cfg, ev, &a->at) < 0) {
			g_set_error(error, BOOKING_ERROR, EINVAL,
				    "event %s: expected a DTSTART with a date, time and a known "
				    "time zone",
				    uid);
			rc = -EINVAL;
			break;
		}
		dur = ical_lib()->icalcomponent_get_duration(ev);
		a->duration_min =
		    ical_lib()->icaldurationtype_is_null_duration(dur) ||
			    ical_lib()->icaldurationtype_is_bad_duration(dur)
			? BOOKING_DEFAULT_MIN
			: CLAMP(ical_lib()->icaldurationtype_as_int(dur) / 60, 5, 480);
		a->code = code && *code ? g_ascii_strup(code, -1) : booking_code_new();
		/* The organizer is the host: CN their user name, mailto: their
		 * address (told when the visitor checks in). */
		a->staff = ics_person(
		    ical_lib()->icalcomponent_get_first_property(ev, ICAL_ORGANIZER_PROPERTY));
		a->host_email = ics_mailto(
		    ical_lib()->icalcomponent_get_first_property(ev, ICAL_ORGANIZER_PROPERTY));
		a->name = ics_person(
		    ical_lib()->icalcomponent_get_first_property(ev, ICAL_ATTENDEE_PROPERTY));
		a->source = g_strdup("ics");
	}
	ical_lib()->icalcomponent_free(root);
	if (rc < 0)
		return rc;
	*ret_list = g_steal_pointer(&list);
	return 0;
}
