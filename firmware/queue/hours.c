/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hours: the week's opening hours with the exceptions applied (hours.h).
 */
#include "hours.h"

#include <errno.h>

uint8_t hours_wday(int32_t date)
{
	/* 1970-01-01 was a Thursday (3 with Monday 0). */
	return (uint8_t)(((date % 7) + 7 + 3) % 7);
}

const struct config_hours_exception *hours_exception_of(const GPtrArray *exceptions, int service,
							int32_t date)
{
	for (guint i = 0; exceptions && i < exceptions->len; i++) {
		const struct config_hours_exception *e = g_ptr_array_index(exceptions, i);

		if (e->date == date && (!e->services || (service >= 0 && service < 32 &&
							 (e->services & (1u << service)))))
			return e;
	}
	return NULL;
}

void hours_of_day(const struct config *cfg, const GPtrArray *exceptions, int service, int32_t date,
		  struct config_day_hours *ret, const struct config_hours_exception **ret_exc)
{
	const struct config_hours_exception *e = hours_exception_of(exceptions, service, date);

	if (ret_exc)
		*ret_exc = e;
	if (!e) {
		*ret = config_service_get(cfg, service)->hours[hours_wday(date)];
		return;
	}
	if (e->closed)
		*ret = (struct config_day_hours){0, 0};
	else
		*ret = (struct config_day_hours){e->open_min, e->close_min};
}

int hours_next_open(const struct config *cfg, const GPtrArray *exceptions, int service,
		    int32_t date, uint16_t minute, int32_t *ret_date, uint16_t *ret_min)
{
	for (int32_t d = date; d <= date + HOURS_LOOKAHEAD_DAYS; d++) {
		struct config_day_hours h;

		hours_of_day(cfg, exceptions, service, d, &h, NULL);
		if (h.open_min == h.close_min || (d == date && minute >= h.open_min))
			continue;
		*ret_date = d;
		*ret_min = h.open_min;
		return 0;
	}
	return -ENOENT;
}
