/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * vuoro-ticket: one ticket's ESC/POS bytes, laid out by firmware/devices/
 * ticket_layout exactly as vuorod prints it, from the command line: for a
 * technician (print a test to a file, cat it to the printer) and for the
 * tests (the bytes are read back by tools nobody here wrote).  Text the code
 * page cannot carry is a raster picture (GS v 0) unless --no-raster.
 *
 *   vuoro-ticket --service "خدمات الضرائب" --code A012 --url https://… > t.bin
 *
 * Exit status: 0 written, 1 could not write, 2 usage.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "catalog.h"
#include "config.h"
#include "escpos.h"
#include "web.h"
#include "ticket_layout.h"
#include "ticket_raster.h"

struct opts {
	char *header, *service, *code, *url, *footer, *codepage, *lang, *tz, *output, *png, *paper;
	char **lines;
	int columns, ahead, wait_min;
	gint64 at;
	gboolean no_raster, test, version;
};

/* Text options are taken as bytes (G_OPTION_ARG_FILENAME): GLib would
 * convert strings from the locale's charset, and a technician's shell may
 * well be LANG=C.  They must be UTF-8, as the ticket's text is. */
static bool all_utf8(const struct opts *o)
{
	const char *s[] = {o->header, o->service, o->code, o->url, o->footer};

	for (size_t i = 0; i < G_N_ELEMENTS(s); i++)
		if (s[i] && !g_utf8_validate(s[i], -1, NULL))
			return false;
	for (char **l = o->lines; l && *l; l++)
		if (!g_utf8_validate(*l, -1, NULL))
			return false;
	return true;
}

static int write_all(const char *path, const GByteArray *bytes)
{
	FILE *f = path && strcmp(path, "-") != 0 ? fopen(path, "wb") : stdout;
	int rc = 0;

	if (!f)
		return -errno;
	if (fwrite(bytes->data, 1, bytes->len, f) != bytes->len)
		rc = -EIO;
	if (f == stdout ? fflush(f) != 0 : fclose(f) != 0)
		rc = -EIO;
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o = {.ahead = -1, .at = -1};
	GOptionEntry entries[] = {
	    {"header", 0, 0, G_OPTION_ARG_FILENAME, &o.header, "the service point's name", "TEXT"},
	    {"service", 0, 0, G_OPTION_ARG_FILENAME, &o.service, "the service (printed large)",
	     "TEXT"},
	    {"code", 0, 0, G_OPTION_ARG_FILENAME, &o.code, "the ticket's number (A012)", "CODE"},
	    {"line", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.lines,
	     "a paragraph after the date (repeatable)", "TEXT"},
	    {"url", 0, 0, G_OPTION_ARG_FILENAME, &o.url, "the follow URL (QR code)", "URL"},
	    {"footer", 0, 0, G_OPTION_ARG_FILENAME, &o.footer, "the last paragraph", "TEXT"},
	    {"codepage", 0, 0, G_OPTION_ARG_FILENAME, &o.codepage, "the printer's (cp858)", "NAME"},
	    {"paper", 0, 0, G_OPTION_ARG_FILENAME, &o.paper, "80mm (576 dots, the default) or 58mm",
	     "WIDTH"},
	    {"columns", 0, 0, G_OPTION_ARG_INT, &o.columns,
	     "characters a line: 48 (font A) or 64 (font B) on 80 mm, 32 or 42 on 58 mm", "N"},
	    {"width", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &o.columns, "the old --columns",
	     "N"},
	    {"lang", 0, 0, G_OPTION_ARG_FILENAME, &o.lang,
	     "the printed labels' language: a catalog in ui/i18n (fi, sv, en, se, uk, ar, …)",
	     "LANG"},
	    {"ahead", 0, 0, G_OPTION_ARG_INT, &o.ahead, "people ahead (default: left out)", "N"},
	    {"wait-min", 0, 0, G_OPTION_ARG_INT, &o.wait_min, "the estimated wait", "MIN"},
	    {"at", 0, 0, G_OPTION_ARG_INT64, &o.at, "issued at (unix seconds; default now)", "S"},
	    {"tz", 0, 0, G_OPTION_ARG_FILENAME, &o.tz, "the time zone (default local)", "ZONE"},
	    {"test", 0, 0, G_OPTION_ARG_NONE, &o.test, "a technician's test ticket", NULL},
	    {"no-raster", 0, 0, G_OPTION_ARG_NONE, &o.no_raster,
	     "code page only: a letter it lacks prints as ?", NULL},
	    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output, "the bytes (default stdout)",
	     "FILE"},
	    {"png", 0, 0, G_OPTION_ARG_FILENAME, &o.png, "also the sim printer's picture", "FILE"},
	    {"version", 0, 0, G_OPTION_ARG_NONE, &o.version, "print the version", NULL},
	    {NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- write a ticket's ESC/POS bytes");
	g_autoptr(GError) error = NULL;
	g_autoptr(GByteArray) bytes = g_byte_array_new();
	g_autoptr(TicketRaster) raster = NULL;
	g_autoptr(GTimeZone) tz = NULL;
	struct ticket_layout t = {0};
	g_autoptr(Catalog) catalog = NULL;
	g_autofree char *catalogs = NULL;
	int rc, status = 2;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "vuoro-ticket: %s\n", error->message);
		goto out;
	}
	if (!all_utf8(&o)) {
		fprintf(stderr, "vuoro-ticket: the text arguments must be UTF-8\n");
		goto out;
	}
	if (o.version) {
		printf("vuoro-ticket %s\n", VUORO_VERSION);
		status = 0;
		goto out;
	}
	t.codepage = escpos_codepage_find(o.codepage ? o.codepage : "cp858");
	if (!t.codepage) {
		fprintf(stderr, "vuoro-ticket: --codepage: expected one of %s, got %s\n",
			escpos_codepage_names(), o.codepage);
		goto out;
	}
	catalogs = catalog_default_dir(web_default_dir());
	catalog = catalog_load(catalogs, (char *[]){o.lang ? o.lang : "fi", NULL}, &error);
	if (!catalog) {
		fprintf(stderr, "vuoro-ticket: --lang: %s\n", error->message);
		goto out;
	}
	if (!o.paper || strcmp(o.paper, "80mm") == 0) {
		t.dots = ESCPOS_DOTS_80MM;
	} else if (strcmp(o.paper, "58mm") == 0) {
		t.dots = ESCPOS_DOTS_58MM;
	} else {
		fprintf(stderr, "vuoro-ticket: --paper: expected 80mm or 58mm, got %s\n", o.paper);
		goto out;
	}
	/* Font A is 12 dots a character, font B 9. */
	t.width = o.columns ? o.columns : t.dots / 12;
	if (t.width != t.dots / 12 && t.width != t.dots / 9) {
		fprintf(stderr,
			"vuoro-ticket: --columns: expected %d (font A) or %d (font B) on %s paper, "
			"got %d\n",
			t.dots / 12, t.dots / 9, o.paper ? o.paper : "80mm", t.width);
		goto out;
	}
	t.font_b = t.width == t.dots / 9;
	tz = o.tz ? g_time_zone_new_identifier(o.tz) : g_time_zone_new_local();
	if (!tz) {
		fprintf(stderr, "vuoro-ticket: --tz: unknown time zone %s\n", o.tz);
		goto out;
	}
	if (!o.no_raster)
		raster = ticket_raster_new();
	t.header = o.header;
	t.service = o.service ? o.service : "";
	t.code = o.code ? o.code : "A000";
	t.catalog = catalog;
	t.lang = 0;
	t.ahead = o.ahead;
	t.wait_s = o.wait_min * 60;
	t.issued_at = o.at >= 0 ? o.at : g_get_real_time() / G_USEC_PER_SEC;
	t.tz = tz;
	t.url = o.url;
	t.footer = o.footer;
	t.test = o.test;
	t.lines = (const char *const *)o.lines;
	t.raster = raster;
	ticket_layout_render(&t, bytes);
	status = 1;
	rc = write_all(o.output, bytes);
	if (rc < 0) {
		fprintf(stderr, "vuoro-ticket: %s: %s\n", o.output ? o.output : "stdout",
			g_strerror(-rc));
		goto out;
	}
	if (o.png && (rc = escpos_render_png(bytes->data, bytes->len, t.dots, o.png)) < 0) {
		fprintf(stderr, "vuoro-ticket: %s: %s\n", o.png, g_strerror(-rc));
		goto out;
	}
	status = 0;
out:
	g_free(o.header);
	g_free(o.service);
	g_free(o.code);
	g_free(o.url);
	g_free(o.footer);
	g_free(o.codepage);
	g_free(o.lang);
	g_free(o.tz);
	g_free(o.output);
	g_free(o.png);
	g_free(o.paper);
	g_strfreev(o.lines);
	return status;
}
