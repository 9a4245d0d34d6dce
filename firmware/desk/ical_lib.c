/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ical_lib: see ical_lib.h. */

#include "ical_lib.h"

#include <errno.h>

#include "lazylib.h"

#define ICAL_LIBRARY "libical.so.3"

static struct ical_lib ical;

const struct ical_lib *ical_lib_open(GError **error)
{
	static const struct lazylib_sym syms[] = {
	    {"icalcomponent_free", (void **)&ical.icalcomponent_free},
	    {"icalcomponent_get_duration", (void **)&ical.icalcomponent_get_duration},
	    {"icalcomponent_get_first_component", (void **)&ical.icalcomponent_get_first_component},
	    {"icalcomponent_get_first_property", (void **)&ical.icalcomponent_get_first_property},
	    {"icalcomponent_get_next_component", (void **)&ical.icalcomponent_get_next_component},
	    {"icalcomponent_get_next_property", (void **)&ical.icalcomponent_get_next_property},
	    {"icalcomponent_get_parent", (void **)&ical.icalcomponent_get_parent},
	    {"icalcomponent_get_status", (void **)&ical.icalcomponent_get_status},
	    {"icalcomponent_get_summary", (void **)&ical.icalcomponent_get_summary},
	    {"icalcomponent_get_timezone", (void **)&ical.icalcomponent_get_timezone},
	    {"icalcomponent_get_uid", (void **)&ical.icalcomponent_get_uid},
	    {"icalcomponent_isa", (void **)&ical.icalcomponent_isa},
	    {"icaldurationtype_as_int", (void **)&ical.icaldurationtype_as_int},
	    {"icaldurationtype_is_bad_duration", (void **)&ical.icaldurationtype_is_bad_duration},
	    {"icaldurationtype_is_null_duration", (void **)&ical.icaldurationtype_is_null_duration},
	    {"icalparameter_get_cn", (void **)&ical.icalparameter_get_cn},
	    {"icalparameter_get_tzid", (void **)&ical.icalparameter_get_tzid},
	    {"icalparser_parse_string", (void **)&ical.icalparser_parse_string},
	    {"icalproperty_get_categories", (void **)&ical.icalproperty_get_categories},
	    {"icalproperty_get_dtend", (void **)&ical.icalproperty_get_dtend},
	    {"icalproperty_get_dtstart", (void **)&ical.icalproperty_get_dtstart},
	    {"icalproperty_get_first_parameter", (void **)&ical.icalproperty_get_first_parameter},
	    {"icalproperty_get_parent", (void **)&ical.icalproperty_get_parent},
	    {"icalproperty_get_value_as_string", (void **)&ical.icalproperty_get_value_as_string},
	    {"icalproperty_get_x_name", (void **)&ical.icalproperty_get_x_name},
	    {"icaltime_as_timet", (void **)&ical.icaltime_as_timet},
	    {"icaltime_as_timet_with_zone", (void **)&ical.icaltime_as_timet_with_zone},
	    {"icaltime_is_null_time", (void **)&ical.icaltime_is_null_time},
	    {"icaltime_is_utc", (void **)&ical.icaltime_is_utc},
	    {"icaltimezone_get_builtin_timezone", (void **)&ical.icaltimezone_get_builtin_timezone},
	};
	static gsize opened;
	static char *why;

	if (g_once_init_enter(&opened)) {
		lazylib_open(ICAL_LIBRARY, syms, G_N_ELEMENTS(syms), &why);
		g_once_init_leave(&opened, 1);
	}
	if (why) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
			    "libical could not be loaded: %s; install libical3", why);
		return NULL;
	}
	return &ical;
}

const struct ical_lib *ical_lib(void)
{
	return &ical;
}
