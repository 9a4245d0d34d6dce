/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * booking: appointments from a booking system's export, and booking codes.
 *
 * Two formats a municipal booking system can produce without help: a CSV
 * with a header line, and an iCalendar file (RFC 5545, parsed by libical).
 * The result is a list of appointments for the store; nothing is stored
 * here.  A whole file is refused at its first bad line, with the line (or
 * the event's UID) and what was expected, so that an import never half
 * succeeds silently.
 */
#pragma once

#include <glib.h>
#include <libical/ical.h>
#include <stdint.h>

#include "config.h"
#include "store.h"

/* CSV: header names the columns (any order, case-insensitive): code
 * (optional: generated when empty), service, start, duration_min (default
 * 30), staff (the host's user name), name, host_email (the host's
 * address, told at check-in).  Separator "," or ";" (taken from the header line),
 * RFC 4180 quotes, UTF-8 BOM tolerated.  @ret_list gets a GPtrArray of
 * struct store_appointment * (owning), source "csv".  0 or -EINVAL. */
int booking_parse_csv(const struct config *cfg, const char *data, gsize len, GPtrArray **ret_list,
		      GError **error);

/* iCalendar: every VEVENT not CANCELLED; service from X-VUORO-SERVICE, else
 * the first CATEGORIES value that is a service code, else a SUMMARY equal to
 * one; code from X-VUORO-CODE or generated; staff from ORGANIZER (CN or
 * address) and host_email from its mailto: address; name from ATTENDEE's CN; DTEND or DURATION
 * (default 30 min). Floating times are the site's local time.  Source "ics". */
int booking_parse_ics(const struct config *cfg, const char *data, gsize len, GPtrArray **ret_list,
		      GError **error);

/* The iCalendar helpers the other importers share (hours_ics.c): the
 * VCALENDAR of @data (free with icalcomponent_free), or NULL with @error
 * saying why; the value of an X- property of @ev, NULL none. */
icalcomponent *booking_ics_open(const char *data, gsize len, GError **error);
const char *booking_ics_x_value(icalcomponent *ev, const char *name);

/* "2026-11-23 09:30", "2026-11-23T09:30[:00]", with "+02:00" or "Z" or
 * without (the site's time zone).  0 or -EINVAL. */
int booking_parse_time(const struct config *cfg, const char *text, int64_t *ret);

/* An e-mail address fit for a host: one @, a dot after it, printable
 * ASCII without spaces, quotes or brackets, at most 254 characters. */
gboolean booking_email_valid(const char *text);

/* Six characters of "ABCDEFGHJKLMNPQRSTUVWXYZ23456789" (no 0/O, 1/I),
 * from libsodium's random source.  Free with g_free. */
char *booking_code_new(void);
