/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ticket-layout: a ticket's text through its layout into ESC/POS bytes
 * (ticket_layout_render, as the dispenser prints it): the header and
 * footer a board-config gives ([printer] header, footer-LANG), the
 * service's name, the code, the follow URL (a QR code) and the paragraphs
 * of a booth ticket, in any script: what the code page lacks is drawn as a
 * picture (pango), as on the board.
 *
 * The input: byte 0 picks the code page, byte 1 the paper (32 or 48
 * characters and 24..64), byte 2 the citizen's language, byte 3 flags (a
 * test ticket, a wait estimate, no picture); the rest is the texts,
 * separated by 0x01: header, service, code, URL, footer, then lines.
 */
#include <string.h>

#include "catalog.h"
#include "escpos.h"
#include "fuzz.h"
#include "ticket_layout.h"
#include "ticket_raster.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct catalog *catalog;
static struct ticket_raster *raster;
static GTimeZone *tz;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct config *cfg;
	g_autoptr(GByteArray) out = g_byte_array_new();
	g_autofree char *ui = catalog_default_dir("ui");
	GError *error = NULL;
	struct ticket_raster_style style = {.width_dots = 576, .scale = 1};

	fuzz_quiet();
	cfg = fuzz_config();
	if (!(catalog = catalog_load(ui, cfg->langs, &error))) {
		fprintf(stderr, "fuzz-ticket-layout: %s\n", error->message);
		exit(2);
	}
	tz = g_time_zone_new_identifier("Europe/Helsinki");
	raster = ticket_raster_new();
	/* The fonts load at the first picture and stay: before any input,
	 * so that LSan does not take them for one input's leak. */
	ticket_raster_render(raster, "ابجد Привіт", &style, out);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const codepages[] = {"cp437",  "cp850",      "cp865", "cp858",
						"cp1252", "iso8859-15", "none"};
	/* The papers [printer] allows: dots, columns (font A or B). */
	static const int papers[][2] = {{576, 48}, {576, 64}, {384, 32}, {384, 42}};
	const int *paper;
	g_autofree char *text = NULL;
	g_auto(GStrv) parts = NULL;
	g_autoptr(GByteArray) out = g_byte_array_new();
	struct ticket_layout t;
	guint n;

	if (size < 4)
		return 0;
	paper = papers[(data[1] >> 1) & 3];
	text = fuzz_text(data + 4, size - 4);
	parts = g_strsplit(text, "\x01", 16);
	n = g_strv_length(parts);
	if (n < 3 || !g_utf8_validate(text, -1, NULL))
		return 0; /* the firmware's texts are UTF-8 (GKeyFile, SQLite, the catalog) */
	t = (struct ticket_layout){
	    .codepage = escpos_codepage_find(codepages[data[0] % G_N_ELEMENTS(codepages)]),
	    .width = data[1] & 0x80 ? 24 + (data[1] & 0x7f) % 41 : paper[1],
	    .dots = data[1] & 0x80 ? 0 : paper[0],
	    .font_b = !(data[1] & 0x80) && paper[1] * 12 > paper[0],
	    .header = parts[0],
	    .service = parts[1],
	    .code = parts[2],
	    .catalog = catalog,
	    .lang = data[2] % catalog_n_langs(catalog),
	    .ahead = data[3] & 1 ? -1 : data[3] >> 1,
	    .wait_s = data[3] * 37,
	    .issued_at = 1795000000 + data[3] * 3600,
	    .tz = tz,
	    .url = n > 3 && *parts[3] ? parts[3] : NULL,
	    .footer = n > 4 ? parts[4] : NULL,
	    .test = (data[3] & 2) != 0,
	    .lines = n > 5 ? (const char *const *)parts + 5 : NULL,
	    .raster = data[3] & 4 ? NULL : raster,
	};
	ticket_layout_render(&t, out);
	return 0;
}
