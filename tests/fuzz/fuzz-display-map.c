/* SPDX-License-Identifier: GPL-3.0-or-later */
/* display-map: a display's register map (board-config/displays/NAME.map),
 * then, when it loads, the registers of two calls encoded by it. */
#include "display_map.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(GError) error = NULL;
	struct display_map map;
	const struct display_call calls[] = {{.ticket = "A123", .counter = 4},
					     {.ticket = "BX9999", .counter = 12}};
	uint16_t regs[DISPLAY_MAP_MAX_REGS];
	size_t n = G_N_ELEMENTS(regs);
	uint16_t addr;

	fuzz_quiet();
	if (display_map_parse((const char *)data, size, "fuzz.map", &map, &error) < 0) {
		if (!error)
			abort();
		return 0;
	}
	display_map_n_calls(&map);
	display_map_blink_addr(&map, &addr);
	display_map_n_regs(&map);
	display_map_encode(&map, calls, G_N_ELEMENTS(calls), TRUE, regs, &n);
	return 0;
}
