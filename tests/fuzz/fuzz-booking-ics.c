/* SPDX-License-Identifier: GPL-3.0-or-later */
/* booking-ics: a booking system's export (POST /api/appointments/import,
 * iCalendar) through the importer, on the sim board's services. */
#include "booking.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_import(booking_parse_ics, data, size);
}
