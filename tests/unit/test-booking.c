/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of firmware/booking.c: CSV (RFC 4180 quotes, both separators, BOM,
 * errors naming line and column), iCalendar through libical (UTC, TZID,
 * floating time, DURATION, CANCELLED, CATEGORIES, ORGANIZER), local times
 * across daylight saving, booking codes.  Run from the repository root. */
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "booking.h"

static struct config *cfg;

#define NOV23_0930_UTC 1795419000 /* 2026-11-23 07:30Z = 09:30 in Helsinki (EET) */

static struct store_appointment *at(GPtrArray *list, guint i)
{
	return g_ptr_array_index(list, i);
}

static void test_time(void)
{
	int64_t t;

	g_assert_cmpint(booking_parse_time(cfg, "2026-11-23 09:30", &t), ==, 0);
	g_assert_cmpint(t, ==, NOV23_0930_UTC);
	g_assert_cmpint(booking_parse_time(cfg, "2026-11-23T09:30:00", &t), ==, 0);
	g_assert_cmpint(t, ==, NOV23_0930_UTC);
	g_assert_cmpint(booking_parse_time(cfg, "2026-11-23T07:30Z", &t), ==, 0);
	g_assert_cmpint(t, ==, NOV23_0930_UTC);
	g_assert_cmpint(booking_parse_time(cfg, "2026-11-23T09:30+02:00", &t), ==, 0);
	g_assert_cmpint(t, ==, NOV23_0930_UTC);
	/* Summer time: 09:30 in July is 06:30Z. */
	g_assert_cmpint(booking_parse_time(cfg, "2026-07-15 09:30", &t), ==, 0);
	g_assert_cmpint(t % 86400, ==, 6 * 3600 + 30 * 60);
	g_assert_cmpint(booking_parse_time(cfg, "tomorrow", &t), ==, -EINVAL);
	g_assert_cmpint(booking_parse_time(cfg, "2026-13-01 09:30", &t), ==, -EINVAL);
}

static void test_csv(void)
{
	static const char comma[] =
	    "\xEF\xBB\xBF"
	    "Code,Service,Start,duration_min,staff,name,Host_Email\r\n"
	    "ABC234,tax,2026-11-23 09:30,45,Eero,\"Virtanen, Matti\",eero@vero.example.fi\r\n"
	    "\r\n"
	    ",te-video,2026-11-23T10:00,,,\"Anna \"\"Ansku\"\" Laine\nline two\"\r\n";
	static const char semicolon[] = "service;start;name\n"
					"kela;2026-11-24 12:00;Åsa Öberg\n";
	g_autoptr(GPtrArray) list = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_cmpint(booking_parse_csv(cfg, comma, strlen(comma), &list, &error), ==, 0);
	g_assert_no_error(error);
	g_assert_cmpuint(list->len, ==, 2);
	g_assert_cmpstr(at(list, 0)->code, ==, "ABC234");
	g_assert_cmpint(at(list, 0)->service, ==, config_service_find(cfg, "tax"));
	g_assert_cmpint(at(list, 0)->at, ==, NOV23_0930_UTC);
	g_assert_cmpint(at(list, 0)->duration_min, ==, 45);
	g_assert_cmpstr(at(list, 0)->staff, ==, "Eero");
	g_assert_cmpstr(at(list, 0)->name, ==, "Virtanen, Matti");
	g_assert_cmpstr(at(list, 0)->source, ==, "csv");
	g_assert_cmpstr(at(list, 0)->host_email, ==, "eero@vero.example.fi");
	g_assert_null(at(list, 1)->host_email);
	g_assert_cmpuint(strlen(at(list, 1)->code), ==, 6);
	g_assert_cmpint(at(list, 1)->duration_min, ==, 30);
	g_assert_null(at(list, 1)->staff);
	g_assert_cmpstr(at(list, 1)->name, ==, "Anna \"Ansku\" Laine\nline two");
	g_clear_pointer(&list, g_ptr_array_unref);
	g_assert_cmpint(booking_parse_csv(cfg, semicolon, strlen(semicolon), &list, &error), ==, 0);
	g_assert_cmpstr(at(list, 0)->name, ==, "Åsa Öberg");
}

static void test_csv_errors(void)
{
	static const struct {
		const char *csv, *message;
	} cases[] = {
	    {"code,start\nX,2026-11-23 09:30\n",
	     "line 1: the header needs the columns service and start (and may have code, "
	     "duration_min, staff, name, host_email), missing: service"},
	    {"service,start,host_email\ntax,2026-11-23 09:30,\"anna@kunta.fi\nBcc: x@y.fi\"\n",
	     "line 2, column host_email: expected the host's e-mail address, like "
	     "anna.virtanen@kunta.example.fi, got \"anna@kunta.fi\nBcc: x@y.fi\""},
	    {"service,start\ntax,2026-11-23 09:30\nfoo,2026-11-23 09:30\n",
	     "line 3, column service: no service \"foo\" in this board-config"},
	    {"service,start\ntax,23.11.2026 9:30\n",
	     "line 2, column start: expected a time like 2026-11-23 09:30, got \"23.11.2026 "
	     "9:30\""},
	    {"service,start,duration_min\ntax,2026-11-23 09:30,600\n",
	     "line 2, column duration_min: expected minutes from 5 to 480, got \"600\""},
	    {"service,start\n\"tax,2026-11-23 09:30\n",
	     "line 2: a quoted field never ends: check the quotes"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GPtrArray) list = NULL;
		g_autoptr(GError) error = NULL;

		g_assert_cmpint(
		    booking_parse_csv(cfg, cases[i].csv, strlen(cases[i].csv), &list, &error), ==,
		    -EINVAL);
		g_assert_null(list);
		g_assert_cmpstr(error->message, ==, cases[i].message);
	}
}

static const char ics[] = "BEGIN:VCALENDAR\r\n"
			  "VERSION:2.0\r\n"
			  "PRODID:-//Example booking//EN\r\n"
			  "BEGIN:VEVENT\r\n"
			  "UID:one@example\r\n"
			  "DTSTART:20261123T073000Z\r\n"
			  "DTEND:20261123T081500Z\r\n"
			  "SUMMARY:Tax return\r\n"
			  "X-VUORO-SERVICE:tax\r\n"
			  "X-VUORO-CODE:qwe789\r\n"
			  "ORGANIZER;CN=Eero Expert:mailto:eero@example.fi\r\n"
			  "ATTENDEE;CN=Matti Virtanen:mailto:matti@example.fi\r\n"
			  "END:VEVENT\r\n"
			  "BEGIN:VEVENT\r\n"
			  "UID:two@example\r\n"
			  "DTSTART;TZID=Europe/Helsinki:20260715T093000\r\n"
			  "DURATION:PT20M\r\n"
			  "CATEGORIES:meeting,te-video\r\n"
			  "ORGANIZER:mailto:anna@example.fi\r\n"
			  "END:VEVENT\r\n"
			  "BEGIN:VEVENT\r\n"
			  "UID:three@example\r\n"
			  "DTSTART:20261123T093000\r\n"
			  "SUMMARY:kela\r\n"
			  "END:VEVENT\r\n"
			  "BEGIN:VEVENT\r\n"
			  "UID:gone@example\r\n"
			  "DTSTART:20261123T093000Z\r\n"
			  "SUMMARY:nothing we know\r\n"
			  "STATUS:CANCELLED\r\n"
			  "END:VEVENT\r\n"
			  "END:VCALENDAR\r\n";

static void test_ics(void)
{
	g_autoptr(GPtrArray) list = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_cmpint(booking_parse_ics(cfg, ics, strlen(ics), &list, &error), ==, 0);
	g_assert_no_error(error);
	g_assert_cmpuint(list->len, ==, 3);
	g_assert_cmpstr(at(list, 0)->code, ==, "QWE789");
	g_assert_cmpint(at(list, 0)->at, ==, NOV23_0930_UTC);
	g_assert_cmpint(at(list, 0)->duration_min, ==, 45);
	g_assert_cmpstr(at(list, 0)->staff, ==, "Eero Expert");
	g_assert_cmpstr(at(list, 0)->name, ==, "Matti Virtanen");
	g_assert_cmpstr(at(list, 0)->source, ==, "ics");
	g_assert_cmpstr(at(list, 0)->host_email, ==, "eero@example.fi");
	g_assert_cmpint(at(list, 1)->service, ==, config_service_find(cfg, "te-video"));
	g_assert_cmpint(at(list, 1)->at % 86400, ==, 6 * 3600 + 30 * 60); /* EEST */
	g_assert_cmpint(at(list, 1)->duration_min, ==, 20);
	g_assert_cmpstr(at(list, 1)->staff, ==, "anna@example.fi");
	g_assert_cmpstr(at(list, 1)->host_email, ==, "anna@example.fi");
	g_assert_null(at(list, 2)->host_email);
	g_assert_cmpint(at(list, 2)->service, ==, config_service_find(cfg, "kela"));
	g_assert_cmpint(at(list, 2)->at, ==, NOV23_0930_UTC); /* floating = site time */
	g_assert_cmpint(at(list, 2)->duration_min, ==, 30);
}

static void test_ics_errors(void)
{
	g_autoptr(GPtrArray) list = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GString) bad = g_string_new(ics);

	g_string_replace(bad, "SUMMARY:kela", "SUMMARY:a chat", 1);
	g_assert_cmpint(booking_parse_ics(cfg, bad->str, bad->len, &list, &error), ==, -EINVAL);
	g_assert_true(g_str_has_prefix(error->message, "event three@example: no service"));
	g_clear_error(&error);
	g_assert_cmpint(booking_parse_ics(cfg, "service,start\n", 14, &list, &error), ==, -EINVAL);
	g_assert_true(g_str_has_prefix(error->message, "not an iCalendar file"));
}

/* What a mail header could be split with, or no address at all, is no
 * host's address. */
static void test_email(void)
{
	static const char *const good[] = {"anna@kunta.fi", "anna.virtanen+vuoro@a.b.example.fi"};
	static const char *const bad[] = {"",
					  "anna",
					  "@kunta.fi",
					  "anna@kunta",
					  "anna@@kunta.fi",
					  "anna@kunta.fi.",
					  "anna@.fi",
					  "anna virtanen@kunta.fi",
					  "anna@kunta.fi\r\nBcc: x@y.fi",
					  "<anna@kunta.fi>",
					  "\"anna\"@kunta.fi",
					  "änna@kunta.fi"};

	for (guint i = 0; i < G_N_ELEMENTS(good); i++)
		g_assert_true(booking_email_valid(good[i]));
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++)
		g_assert_false(booking_email_valid(bad[i]));
	g_assert_false(booking_email_valid(NULL));
}

static void test_codes(void)
{
	for (int i = 0; i < 1000; i++) {
		g_autofree char *code = booking_code_new();

		g_assert_cmpuint(strlen(code), ==, 6);
		for (int k = 0; k < 6; k++)
			g_assert_nonnull(strchr("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", code[k]));
	}
}

int main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	int rc;

	g_test_init(&argc, &argv, NULL);
	cfg = config_load("board-config/sim.conf", &error);
	g_assert_no_error(error);
	g_test_add_func("/booking/time", test_time);
	g_test_add_func("/booking/csv", test_csv);
	g_test_add_func("/booking/csv-errors", test_csv_errors);
	g_test_add_func("/booking/ics", test_ics);
	g_test_add_func("/booking/ics-errors", test_ics_errors);
	g_test_add_func("/booking/codes", test_codes);
	g_test_add_func("/booking/email", test_email);
	rc = g_test_run();
	config_free(cfg);
	return rc;
}
