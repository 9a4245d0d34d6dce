/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hours: a service's opening hours on a date, the week's unless an
 * exception (a holiday, a closed day, special evening hours) says otherwise.
 *
 * Pure: no clock, no I/O.  The exceptions are a list of struct
 * config_hours_exception (board-config's first, then the imported ones);
 * for a service and a date the first that names it wins.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"

/* How far ahead the next opening is looked for. */
#define HOURS_LOOKAHEAD_DAYS 400

/* 0 = Monday, for local days since 1970-01-01 (a Thursday). */
uint8_t hours_wday(int32_t date);

/* The exception of @service on @date, NULL none.  @exceptions may be NULL. */
const struct config_hours_exception *hours_exception_of(const GPtrArray *exceptions, int service,
							int32_t date);

/* @service's hours on @date (open == close: closed all day) and the
 * exception that set them (NULL: the week's hours). */
void hours_of_day(const struct config *cfg, const GPtrArray *exceptions, int service, int32_t date,
		  struct config_day_hours *ret, const struct config_hours_exception **ret_exc);

/* The next time @service opens after @date at @minute (today still, if it
 * opens later today): its date and minute.  -ENOENT when it does not open
 * within HOURS_LOOKAHEAD_DAYS. */
int hours_next_open(const struct config *cfg, const GPtrArray *exceptions, int service,
		    int32_t date, uint16_t minute, int32_t *ret_date, uint16_t *ret_min);
