/* SPDX-License-Identifier: GPL-3.0-or-later */
/* board-config: a whole board-config (GKeyFile INI) through the loader
 * vuorod --check-config and the daemon use (config_load_data). */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree char *text = fuzz_text(data, size);
	g_autoptr(GError) error = NULL;
	struct config *cfg;

	fuzz_quiet();
	cfg = config_load_data(text, "fuzz.conf", &error);
	if (!cfg && !error)
		abort(); /* a refusal always says why */
	config_free(cfg);
	return 0;
}
