/* SPDX-License-Identifier: GPL-3.0-or-later */
/* booking-csv: a booking system's export (POST /api/appointments/import,
 * CSV) through the importer, on the sim board's services. */
#include "booking.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) list = NULL;

	fuzz_quiet();
	if (booking_parse_csv(fuzz_config(), (const char *)data, size, &list, &error) < 0 && !error)
		abort(); /* a refusal always says why */
	return 0;
}
