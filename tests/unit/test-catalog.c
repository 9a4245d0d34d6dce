/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of firmware/i18n/catalog.c: the shipped catalogs load and pass the
 * check; a gap falls back to the main language and is listed; placeholders
 * are filled; a broken catalog is refused with its file named.  Run from
 * the repository root. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "catalog.h"

static void test_shipped(void)
{
	char *langs[] = {"fi", "sv", "en", "se", "uk", "ar", NULL};
	g_autoptr(GError) error = NULL;
	g_autoptr(Catalog) c = catalog_load("ui/i18n", langs, &error);
	g_autoptr(GString) report = g_string_new(NULL);
	g_autofree char *call = NULL;

	g_assert_no_error(error);
	g_assert_cmpint(catalog_n_langs(c), ==, 6);
	g_assert_cmpint(catalog_check(c, report), ==, 0);
	g_assert_cmpstr(catalog_name(c, 0), ==, "Suomi");
	g_assert_cmpstr(catalog_name(c, 5), ==, "العربية");
	g_assert_true(catalog_rtl(c, 5));
	g_assert_false(catalog_rtl(c, 4));
	g_assert_null(catalog_voice(c, 3)); /* espeak-ng has no Northern Sámi */
	g_assert_cmpstr(catalog_voice(c, 4), ==, "uk");
	g_assert_cmpint(catalog_lang(c, "uk"), ==, 4);
	g_assert_cmpint(catalog_lang(c, "de"), ==, -1);
	call = catalog_format(c, 1, "announce.call", "letter", "A", "digits", "012", "counter", "3",
			      NULL);
	g_assert_cmpstr(call, ==, "Nummer A 012, disk 3.");
	/* The staff pages are not in Arabic: its texts fall back to Finnish. */
	g_assert_false(catalog_has_namespace(c, 5, "advisor"));
	g_assert_true(catalog_has_namespace(c, 5, "kiosk"));
	g_assert_cmpstr(catalog_text(c, 5, "advisor.title"), ==,
			catalog_text(c, 0, "advisor.title"));
	g_assert_cmpstr(catalog_text(c, 5, "no.such_key"), ==, "no.such_key");
	g_assert_nonnull(strstr(report->str, "ar: advisor: not translated"));
	g_assert_nonnull(strstr(report->str, "awaiting a translator's review"));
}

static char *write_catalog(const char *dir, const char *lang, const char *body)
{
	g_autofree char *file = g_strconcat(lang, ".json", NULL);
	char *path = g_build_filename(dir, file, NULL);

	g_assert_true(g_file_set_contents(path, body, -1, NULL));
	return path;
}

static void test_gaps_and_errors(void)
{
	g_autofree char *dir = g_dir_make_tmp("catalog-XXXXXX", NULL);
	g_autofree char *a = write_catalog(
	    dir, "fi",
	    "{\"@metadata\": {\"language\": \"fi\", \"name\": \"Suomi\", \"voice\": \"fi\"},"
	    " \"kiosk.ahead\": \"{n} edelläsi\", \"kiosk.done\": \"Valmis\", \"tech.x\": \"X\"}");
	g_autofree char *b = write_catalog(
	    dir, "uk",
	    "{\"@metadata\": {\"language\": \"uk\", \"name\": \"Українська\", \"needs-review\": "
	    "[\"kiosk.*\"]}, \"kiosk.ahead\": \"Перед вами: {count}\"}");
	g_autofree char *bad = NULL;
	char *langs[] = {"fi", "uk", NULL};
	char *missing[] = {"fi", "de", NULL};
	char *broken[] = {"fi", "xx", NULL};
	g_autoptr(GError) error = NULL;
	g_autoptr(Catalog) c = catalog_load(dir, langs, &error);
	g_autoptr(GString) report = g_string_new(NULL);
	g_autoptr(JsonBuilder) jb = json_builder_new();
	g_autoptr(JsonNode) root = NULL;
	g_autofree char *json = NULL;

	g_assert_no_error(error);
	g_assert_cmpstr(catalog_text(c, 1, "kiosk.done"), ==, "Valmis");
	/* kiosk.done is missing, kiosk.ahead's placeholder differs; tech is
	 * not translated at all, which is no problem. */
	g_assert_cmpint(catalog_check(c, report), ==, 2);
	g_assert_nonnull(strstr(report->str, "uk: kiosk.done: missing"));
	g_assert_nonnull(strstr(report->str, "uk: kiosk.ahead: its {placeholders} differ"));
	g_assert_nonnull(strstr(report->str, "uk: tech: not translated (1 strings), shown in fi"));
	g_assert_nonnull(strstr(report->str, "uk: 1 strings machine-drafted"));
	/* The pages' JSON: the gap filled in the main language; a language
	 * without the namespace is not offered for it. */
	catalog_add_json(jb, c, 1, (char *[]){"kiosk", NULL});
	root = json_builder_get_root(jb);
	json = json_to_string(root, FALSE);
	g_assert_nonnull(strstr(json, "\"kiosk.done\":\"Valmis\""));
	g_assert_null(strstr(json, "tech.x"));
	g_assert_nonnull(strstr(json, "\"lang\":\"uk\""));
	g_clear_pointer(&root, json_node_unref);
	g_clear_object(&jb);
	jb = json_builder_new();
	catalog_add_json(jb, c, 1, (char *[]){"tech", NULL});
	root = json_builder_get_root(jb);
	g_free(json);
	json = json_to_string(root, FALSE);
	g_assert_nonnull(strstr(json, "\"lang\":\"fi\""));
	g_assert_nonnull(strstr(json, "\"languages\":[{\"code\":\"fi\",\"name\":\"Suomi\","
				      "\"dir\":\"ltr\"}]"));
	g_assert_nonnull(strstr(json, "\"site_languages\":[{\"code\":\"fi\""));

	g_assert_null(catalog_load(dir, missing, &error));
	g_assert_nonnull(strstr(error->message, "de.json: missing: the site offers \"de\""));
	g_clear_error(&error);
	bad = write_catalog(dir, "xx",
			    "{\"@metadata\": {\"language\": \"xx\", \"name\": \"X\"},"
			    " \"kiosk.done\": 3}");
	g_assert_null(catalog_load(dir, broken, &error));
	g_assert_nonnull(strstr(error->message, "xx.json: \"kiosk.done\": expected a string"));
	g_clear_error(&error);
	g_assert_true(g_file_set_contents(bad, "{\"kiosk.done\": ", -1, NULL));
	g_assert_null(catalog_load(dir, broken, &error));
	g_assert_nonnull(strstr(error->message, "xx.json"));
	g_unlink(a);
	g_unlink(b);
	g_unlink(bad);
	g_rmdir(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/catalog/shipped", test_shipped);
	g_test_add_func("/catalog/gaps-and-errors", test_gaps_and_errors);
	return g_test_run();
}
