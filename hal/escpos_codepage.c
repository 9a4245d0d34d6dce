/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * escpos_codepage: the printer code pages vuoro prints in, by board-config
 * name and by ESC t n.  Apart from the renderer so that config needs no cairo.
 */
#include <glib.h>

#include "escpos.h"

/* ESC t n as Epson numbers the pages (TM-T88 and the clones kiosks carry):
 * cp865 is the Nordic page of printers without cp858 (å ä ö æ ø, no €).
 * "none" comes last so that ESC t 0 reads back as cp437. */
static const struct escpos_codepage codepages[] = {
    {"cp437", "CP437", 0},      {"cp850", "CP850", 2},    {"cp865", "CP865", 5},
    {"cp858", "CP858", 19},     {"cp1252", "CP1252", 16}, {"iso8859-15", "ISO-8859-15", 40},
    {"none", "ASCII", 0, true},
};

const struct escpos_codepage *escpos_codepage_find(const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(codepages); i++)
		if (name && g_ascii_strcasecmp(name, codepages[i].name) == 0)
			return &codepages[i];
	return NULL;
}

const struct escpos_codepage *escpos_codepage_by_n(uint8_t n)
{
	for (size_t i = 0; i < G_N_ELEMENTS(codepages); i++)
		if (codepages[i].n == n && !codepages[i].none)
			return &codepages[i];
	return NULL;
}

const char *escpos_codepage_names(void)
{
	return "cp437, cp850, cp865, cp858, cp1252, iso8859-15, none";
}
