/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hours-ics: opening-hour exceptions from an iCalendar file (POST
 * /api/hours/exceptions/import) through their importer, on the sim board's services. */
#include "fuzz.h"
#include "hours_ics.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_import(hours_ics_parse, data, size);
}
