/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of firmware/queue/hours.c: a service's hours on a date with the
 * exceptions applied, and the next opening, checked against GLib's own
 * calendar (GDate) over every day of several years.  Run from the
 * repository root (it loads board-config/sim.conf). */
#include <glib.h>

#include "config.h"
#include "hours.h"

static int32_t days_of(GDate *d)
{
	return (int32_t)(g_date_get_julian(d) - 719163);
}

/* Weekday and date text against GDate, 1970..2100. */
static void test_dates(void)
{
	g_autoptr(GDate) d = g_date_new_dmy(1, G_DATE_JANUARY, 1970);

	g_assert_cmpint(config_date_parse("1970-01-01"), ==, 0);
	g_assert_cmpint(config_date_parse("2026-02-30"), ==, -1);
	g_assert_cmpint(config_date_parse("2026-2-3"), ==, -1);
	g_assert_cmpint(config_date_parse("2026-12-24x"), ==, -1);
	for (; g_date_get_year(d) < 2100; g_date_add_days(d, 1)) {
		char text[11], want[11];

		config_date_format(days_of(d), text);
		g_date_strftime(want, sizeof(want), "%Y-%m-%d", d);
		g_assert_cmpstr(text, ==, want);
		g_assert_cmpint(config_date_parse(want), ==, days_of(d));
		g_assert_cmpint(hours_wday(days_of(d)), ==, g_date_get_weekday(d) - 1);
	}
}

static struct config_hours_exception *exception(const struct config *cfg, const char *date,
						const char *closed, const char *hours,
						const char *services)
{
	struct config_hours_exception *e = g_new0(struct config_hours_exception, 1);
	g_autofree char *what = NULL;
	const char *key = NULL;

	e->id = g_strdup(date);
	e->date_text = g_strdup(date);
	e->closed_text = g_strdup(closed);
	e->hours_text = g_strdup(hours);
	e->services_text = g_strdup(services);
	e->name[0] = g_strdup("x");
	g_assert_cmpint(config_hours_exception_check(cfg, e, &key, &what), ==, 0);
	return e;
}

static void test_exceptions_and_next_open(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) cfg = config_load("board-config/sim.conf", &error);
	g_autoptr(GPtrArray) exc = g_ptr_array_new_with_free_func(config_hours_exception_free);
	int tax, kela;
	struct config_day_hours h;
	const struct config_hours_exception *e;
	int32_t date;
	uint16_t min;

	g_assert_no_error(error);
	tax = config_service_find(cfg, "tax");
	kela = config_service_find(cfg, "kela");
	/* Thu 2026-12-24 closed for all, Fri 2026-12-25 evening hours for tax. */
	g_ptr_array_add(exc, exception(cfg, "2026-12-24", "yes", NULL, NULL));
	g_ptr_array_add(exc, exception(cfg, "2026-12-25", NULL, "16:00-19:00", "tax"));
	hours_of_day(cfg, exc, tax, config_date_parse("2026-12-24"), &h, &e);
	g_assert_nonnull(e);
	g_assert_cmpint(h.open_min, ==, h.close_min);
	hours_of_day(cfg, exc, tax, config_date_parse("2026-12-25"), &h, &e);
	g_assert_cmpint(h.open_min, ==, 16 * 60);
	g_assert_cmpint(h.close_min, ==, 19 * 60);
	/* kela on the 25th: the week's Friday. */
	hours_of_day(cfg, exc, kela, config_date_parse("2026-12-25"), &h, &e);
	g_assert_null(e);
	g_assert_cmpint(h.open_min, ==, 8 * 60);
	g_assert_cmpint(h.close_min, ==, 17 * 60);
	/* From the closed Thursday: tax opens on Friday evening, kela Friday morning. */
	g_assert_cmpint(
	    hours_next_open(cfg, exc, tax, config_date_parse("2026-12-24"), 0, &date, &min), ==, 0);
	g_assert_cmpint(date, ==, config_date_parse("2026-12-25"));
	g_assert_cmpint(min, ==, 16 * 60);
	/* Friday 17:00, after kela's opening: next Monday 08:00. */
	g_assert_cmpint(
	    hours_next_open(cfg, exc, kela, config_date_parse("2026-12-25"), 17 * 60, &date, &min),
	    ==, 0);
	g_assert_cmpint(date, ==, config_date_parse("2026-12-28"));
	g_assert_cmpint(min, ==, 8 * 60);
	/* Before opening today: today. */
	g_assert_cmpint(
	    hours_next_open(cfg, exc, kela, config_date_parse("2026-12-28"), 7 * 60, &date, &min),
	    ==, 0);
	g_assert_cmpint(date, ==, config_date_parse("2026-12-28"));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/hours/dates", test_dates);
	g_test_add_func("/hours/exceptions-and-next-open", test_exceptions_and_next_open);
	return g_test_run();
}
