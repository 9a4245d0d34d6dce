/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ical_lib: libical, opened at the first iCalendar file (an appointment or
 * opening-hour import), not linked: linked, it and the ICU it pulls in cost
 * some 1.5 MB of every idle vuorod (issue 22, lazylib.h).
 */
#pragma once

#include <glib.h>
#include <libical/ical.h>

#include "lazylib.h"

/* The libical functions booking.c and hours_ics.c call, by their names
 * (lazylib.h). */
#define ICAL_LIB_FUNCTIONS(X, t, p)                                                                \
	X(t, p, icalcomponent_free)                                                                \
	X(t, p, icalcomponent_get_duration)                                                        \
	X(t, p, icalcomponent_get_first_component)                                                 \
	X(t, p, icalcomponent_get_first_property)                                                  \
	X(t, p, icalcomponent_get_next_component)                                                  \
	X(t, p, icalcomponent_get_next_property)                                                   \
	X(t, p, icalcomponent_get_parent)                                                          \
	X(t, p, icalcomponent_get_status)                                                          \
	X(t, p, icalcomponent_get_summary)                                                         \
	X(t, p, icalcomponent_get_timezone)                                                        \
	X(t, p, icalcomponent_get_uid)                                                             \
	X(t, p, icalcomponent_isa)                                                                 \
	X(t, p, icaldurationtype_as_int)                                                           \
	X(t, p, icaldurationtype_is_bad_duration)                                                  \
	X(t, p, icaldurationtype_is_null_duration)                                                 \
	X(t, p, icalparameter_get_cn)                                                              \
	X(t, p, icalparameter_get_tzid)                                                            \
	X(t, p, icalparser_parse_string)                                                           \
	X(t, p, icalproperty_get_categories)                                                       \
	X(t, p, icalproperty_get_dtend)                                                            \
	X(t, p, icalproperty_get_dtstart)                                                          \
	X(t, p, icalproperty_get_first_parameter)                                                  \
	X(t, p, icalproperty_get_parent)                                                           \
	X(t, p, icalproperty_get_value_as_string)                                                  \
	X(t, p, icalproperty_get_x_name)                                                           \
	X(t, p, icaltime_as_timet)                                                                 \
	X(t, p, icaltime_as_timet_with_zone)                                                       \
	X(t, p, icaltime_is_null_time)                                                             \
	X(t, p, icaltime_is_utc)                                                                   \
	X(t, p, icaltimezone_get_builtin_timezone)

struct ical_lib {
	ICAL_LIB_FUNCTIONS(LAZYLIB_FIELD, _, )
};

/* Opens libical (once; thread-safe).  Returns its table, or NULL with
 * @error set when it cannot be loaded. */
const struct ical_lib *ical_lib_open(GError **error);
/* The table, after an ical_lib_open() that succeeded. */
const struct ical_lib *ical_lib(void);
