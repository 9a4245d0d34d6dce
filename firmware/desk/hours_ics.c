/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hours_ics: holidays and special hours from iCalendar (hours_ics.h).
 */
#define G_LOG_DOMAIN "vuoro-desk"

#include "hours_ics.h"

#include <errno.h>
#include <stdarg.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "booking.h"
#include "ical_lib.h"
#include "store.h"

G_DEFINE_QUARK(vuoro - hours - ics - error - quark, hours_ics_error)

/* Longest all-day event taken (a summer closure). */
#define HOURS_ICS_MAX_DAYS 92

static void hours_row_free(gpointer p)
{
	struct store_hours_exception *e = p;

	store_hours_exception_clear(e);
	g_free(e);
}

/* @t as the site's local date and minute. */
static int ics_local(const struct config *cfg, icalproperty *p, struct icaltimetype t,
		     int32_t *ret_date, int *ret_min)
{
	char text[11];
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(cfg->timezone);
	icalparameter *tzid = ical_lib()->icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);

	if (!t.is_date && (ical_lib()->icaltime_is_utc(t) || tzid)) {
		icaltimezone *zone = NULL;
		g_autoptr(GDateTime) utc = NULL;
		g_autoptr(GDateTime) local = NULL;

		if (tzid) {
			const char *id = ical_lib()->icalparameter_get_tzid(tzid);
			icalcomponent *ev = ical_lib()->icalproperty_get_parent(p);
			icalcomponent *root = ev ? ical_lib()->icalcomponent_get_parent(ev) : NULL;

			zone = root ? ical_lib()->icalcomponent_get_timezone(root, id) : NULL;
			if (!zone)
				zone = ical_lib()->icaltimezone_get_builtin_timezone(id);
			if (!zone)
				return -ENOENT;
		}
		utc = g_date_time_new_from_unix_utc(
		    zone ? ical_lib()->icaltime_as_timet_with_zone(t, zone)
			 : ical_lib()->icaltime_as_timet(t));
		local = utc && tz ? g_date_time_to_timezone(utc, tz) : NULL;
		if (!local)
			return -EINVAL;
		t.year = g_date_time_get_year(local);
		t.month = g_date_time_get_month(local);
		t.day = g_date_time_get_day_of_month(local);
		t.hour = g_date_time_get_hour(local);
		t.minute = g_date_time_get_minute(local);
	}
	g_snprintf(text, sizeof(text), "%04d-%02d-%02d", t.year, t.month, t.day);
	*ret_date = config_date_parse(text);
	*ret_min = t.is_date ? 0 : t.hour * 60 + t.minute;
	return *ret_date < 0 ? -EINVAL : 0;
}

/* "tax,kela", NULL for every service; -EINVAL naming an unknown code. */
static int ics_services(const struct config *cfg, icalcomponent *ev, char **ret, char **ret_bad)
{
	const char *x = booking_ics_x_value(ev, "X-VUORO-SERVICE");
	g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func(g_free);

	if (x) {
		g_auto(GStrv) parts = g_strsplit_set(x, ",;", -1);

		for (char **c = parts; *c; c++) {
			if (!*g_strstrip(*c))
				continue;
			if (config_service_find(cfg, *c) < 0) {
				*ret_bad = g_strdup(*c);
				return -EINVAL;
			}
			g_ptr_array_add(codes, g_strdup(*c));
		}
	}
	for (icalproperty *p =
		 ical_lib()->icalcomponent_get_first_property(ev, ICAL_CATEGORIES_PROPERTY);
	     !x && p;
	     p = ical_lib()->icalcomponent_get_next_property(ev, ICAL_CATEGORIES_PROPERTY)) {
		g_auto(GStrv) cats =
		    g_strsplit(ical_lib()->icalproperty_get_categories(p), ",", -1);

		for (char **c = cats; *c; c++)
			if (config_service_find(cfg, g_strstrip(*c)) >= 0)
				g_ptr_array_add(codes, g_strdup(*c));
	}
	g_ptr_array_add(codes, NULL);
	*ret = codes->len > 1 ? g_strjoinv(",", (char **)codes->pdata) : NULL;
	return 0;
}

/* {"fi": SUMMARY, "sv": X-VUORO-NAME-SV, …}. */
static char *ics_names(const struct config *cfg, icalcomponent *ev, const char *summary)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) root = NULL;

	json_builder_begin_object(b);
	for (int l = 0; l < cfg->n_langs; l++) {
		const char *code = config_lang_code(cfg, l);
		g_autofree char *upper = g_ascii_strup(code, -1);
		g_autofree char *xname = g_strconcat("X-VUORO-NAME-", upper, NULL);
		const char *text = l == 0 ? summary : booking_ics_x_value(ev, xname);

		if (text && *text) {
			json_builder_set_member_name(b, code);
			json_builder_add_string_value(b, text);
		}
	}
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	return json_to_string(root, FALSE);
}

static int ics_fail(GError **error, const char *uid, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static int ics_fail(GError **error, const char *uid, const char *fmt, ...)
{
	g_autofree char *what = NULL;
	va_list ap;

	va_start(ap, fmt);
	what = g_strdup_vprintf(fmt, ap);
	va_end(ap);

	g_set_error(error, HOURS_ICS_ERROR, EINVAL, "event %s: %s", uid, what);
	return -EINVAL;
}

static int ics_event(const struct config *cfg, icalcomponent *ev, GPtrArray *list, GError **error)
{
	const char *uid = ical_lib()->icalcomponent_get_uid(ev);
	const char *summary = ical_lib()->icalcomponent_get_summary(ev);
	icalproperty *ps = ical_lib()->icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY);
	icalproperty *pe = ical_lib()->icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY);
	g_autofree char *services = NULL;
	g_autofree char *bad = NULL;
	g_autofree char *names = NULL;
	struct icaltimetype start, end;
	int32_t d0, d1;
	int m0, m1;

	if (!uid || !*uid)
		return ics_fail(error, "(no UID)", "%s", "every VEVENT needs a UID");
	if (!summary || !*summary)
		return ics_fail(
		    error, uid, "%s",
		    "no SUMMARY: it is the reason the kiosk shows (\"Itsenäisyyspäivä\")");
	if (ical_lib()->icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY))
		return ics_fail(error, uid, "%s",
				"repeating events (RRULE) are not taken: export each day as "
				"its own event");
	if (!ps ||
	    ical_lib()->icaltime_is_null_time(start = ical_lib()->icalproperty_get_dtstart(ps)))
		return ics_fail(error, uid, "%s", "no DTSTART");
	if (ics_services(cfg, ev, &services, &bad) < 0)
		return ics_fail(error, uid,
				"X-VUORO-SERVICE names \"%s\", which is no service of this "
				"board-config",
				bad);
	if (ics_local(cfg, ps, start, &d0, &m0) < 0)
		return ics_fail(error, uid, "%s",
				"DTSTART has a time zone this board does not know");
	if (pe) {
		end = ical_lib()->icalproperty_get_dtend(pe);
		if (ics_local(cfg, pe, end, &d1, &m1) < 0)
			return ics_fail(error, uid, "%s",
					"DTEND has a time zone this board does not know");
	} else if (start.is_date) {
		d1 = d0 + 1; /* one day */
		m1 = 0;
	} else {
		return ics_fail(error, uid, "%s",
				"special hours need a DTEND (the closing time) on the same day");
	}
	names = ics_names(cfg, ev, summary);
	if (start.is_date) {
		if (d1 <= d0 || d1 - d0 > HOURS_ICS_MAX_DAYS)
			return ics_fail(
			    error, uid, "%s",
			    "an all-day event must end after it starts and last at most "
			    "92 days");
	} else if (d1 != d0 || m1 <= m0) {
		return ics_fail(error, uid, "%s",
				"special hours must start and end on the same local day, the end "
				"after the start");
	}
	for (int32_t d = d0; d < (start.is_date ? d1 : d0 + 1); d++) {
		struct store_hours_exception *e = g_new0(struct store_hours_exception, 1);
		char date[11];

		config_date_format(d, date);
		e->uid = start.is_date && d1 - d0 > 1 ? g_strdup_printf("%s#%s", uid, date)
						      : g_strdup(uid);
		e->date = g_strdup(date);
		e->closed = start.is_date;
		e->open_min = start.is_date ? 0 : m0;
		e->close_min = start.is_date ? 0 : m1;
		e->services = g_strdup(services);
		e->names = g_strdup(names);
		g_ptr_array_add(list, e);
	}
	return 0;
}

int hours_ics_parse(const struct config *cfg, const char *data, gsize len, GPtrArray **ret_list,
		    GError **error)
{
	g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(hours_row_free);
	icalcomponent *root = booking_ics_open(data, len, error);
	int rc = 0, events = 0;

	if (!root)
		return -EINVAL;
	for (icalcomponent *ev =
		 ical_lib()->icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT);
	     ev && rc == 0;
	     ev = ical_lib()->icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT)) {
		events++;
		if (ical_lib()->icalcomponent_get_status(ev) != ICAL_STATUS_CANCELLED)
			rc = ics_event(cfg, ev, list, error);
	}
	ical_lib()->icalcomponent_free(root);
	if (rc == 0 && events == 0) {
		g_set_error(error, HOURS_ICS_ERROR, EINVAL,
			    "the calendar has no VEVENT: export the holidays as events");
		rc = -EINVAL;
	}
	if (rc < 0)
		return rc;
	*ret_list = g_steal_pointer(&list);
	return 0;
}
