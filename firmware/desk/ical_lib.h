/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ical_lib: libical, opened at the first iCalendar file (an appointment or
 * opening-hour import), not linked: linked, it and the ICU it pulls in cost
 * some 1.5 MB of every idle vuorod (issue 22, lazylib.h).
 */
#pragma once

#include <glib.h>
#include <libical/ical.h>

/* The libical functions booking.c and hours_ics.c call, by their names. */
struct ical_lib {
	typeof(icalcomponent_free) *icalcomponent_free;
	typeof(icalcomponent_get_duration) *icalcomponent_get_duration;
	typeof(icalcomponent_get_first_component) *icalcomponent_get_first_component;
	typeof(icalcomponent_get_first_property) *icalcomponent_get_first_property;
	typeof(icalcomponent_get_next_component) *icalcomponent_get_next_component;
	typeof(icalcomponent_get_next_property) *icalcomponent_get_next_property;
	typeof(icalcomponent_get_parent) *icalcomponent_get_parent;
	typeof(icalcomponent_get_status) *icalcomponent_get_status;
	typeof(icalcomponent_get_summary) *icalcomponent_get_summary;
	typeof(icalcomponent_get_timezone) *icalcomponent_get_timezone;
	typeof(icalcomponent_get_uid) *icalcomponent_get_uid;
	typeof(icalcomponent_isa) *icalcomponent_isa;
	typeof(icaldurationtype_as_int) *icaldurationtype_as_int;
	typeof(icaldurationtype_is_bad_duration) *icaldurationtype_is_bad_duration;
	typeof(icaldurationtype_is_null_duration) *icaldurationtype_is_null_duration;
	typeof(icalparameter_get_cn) *icalparameter_get_cn;
	typeof(icalparameter_get_tzid) *icalparameter_get_tzid;
	typeof(icalparser_parse_string) *icalparser_parse_string;
	typeof(icalproperty_get_categories) *icalproperty_get_categories;
	typeof(icalproperty_get_dtend) *icalproperty_get_dtend;
	typeof(icalproperty_get_dtstart) *icalproperty_get_dtstart;
	typeof(icalproperty_get_first_parameter) *icalproperty_get_first_parameter;
	typeof(icalproperty_get_parent) *icalproperty_get_parent;
	typeof(icalproperty_get_value_as_string) *icalproperty_get_value_as_string;
	typeof(icalproperty_get_x_name) *icalproperty_get_x_name;
	typeof(icaltime_as_timet) *icaltime_as_timet;
	typeof(icaltime_as_timet_with_zone) *icaltime_as_timet_with_zone;
	typeof(icaltime_is_null_time) *icaltime_is_null_time;
	typeof(icaltime_is_utc) *icaltime_is_utc;
	typeof(icaltimezone_get_builtin_timezone) *icaltimezone_get_builtin_timezone;
};

/* Opens libical (once; thread-safe).  Returns its table, or NULL with
 * @error set when it cannot be loaded. */
const struct ical_lib *ical_lib_open(GError **error);
/* The table, after an ical_lib_open() that succeeded. */
const struct ical_lib *ical_lib(void);
