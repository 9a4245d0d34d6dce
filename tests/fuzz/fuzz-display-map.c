/* SPDX-License-Identifier: GPL-3.0-or-later */
/* display-map: a display's register map (board-config/displays/NAME.map),
 * then, when it loads, its call frame for two calls and its settings frame. */
#include "display_map.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(GError) error = NULL;
	struct display_map map;
	const struct display_call calls[] = {{.ticket = "A123", .counter = 4},
					     {.ticket = "BX9999", .counter = 12}};
	struct display_frame frame;
	uint16_t addr;

	fuzz_quiet();
	if (display_map_parse((const char *)data, size, "fuzz.map", &map, &error) < 0) {
		if (!error)
			abort();
		return 0;
	}
	display_map_n_calls(&map);
	display_map_blink_addr(&map, &addr);
	if (display_map_frame(&map, DISPLAY_FRAME_CALL, calls, G_N_ELEMENTS(calls), TRUE, &frame) ==
	    0)
		display_frame_reg(&frame, addr);
	display_map_frame(&map, DISPLAY_FRAME_SETTINGS, NULL, 0, FALSE, &frame);
	return 0;
}
