/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hours_ics: opening-hour exceptions from an iCalendar file (issue 17).
 *
 * Each VEVENT not CANCELLED is one exception per local date it covers: an
 * all-day event (DTSTART;VALUE=DATE, DTEND exclusive) closes those days; a
 * timed one is that day's special hours (start and end on one local day).
 * Services from X-VUORO-SERVICE ("tax,kela"), else the CATEGORIES values
 * that are service codes, else every service.  The reason is SUMMARY (the
 * main language's) and X-VUORO-NAME-LANG for others.  Floating times are
 * the site's.  Repeating events (RRULE) are refused: export single ones.
 */
#pragma once

#include <glib.h>

#include "config.h"

#define HOURS_ICS_ERROR (hours_ics_error_quark())
GQuark hours_ics_error_quark(void);

/* @ret_list gets a GPtrArray of struct store_hours_exception * (owning),
 * names as a JSON object; 0, or -EINVAL with @error naming the event and
 * what to fix.  Nothing is half-read: one bad event fails the file. */
int hours_ics_parse(const struct config *cfg, const char *data, gsize len, GPtrArray **ret_list,
		    GError **error);
