/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * catalog: the words of the site's languages, from message catalogs.
 *
 * One JSON file per language, ui/i18n/LANG.json: a flat object of
 * "namespace.key": "text" (a page's folder or a firmware part: kiosk.title,
 * ticket.ahead, announce.call), and "@metadata" with the language's own name,
 * its direction (ltr | rtl), its espeak-ng voice (null: none) and the keys a
 * translator still has to review ("kiosk.*" for a whole namespace).  Texts
 * carry {name} placeholders, filled by catalog_format().  The same files go
 * to the pages through GET /api/catalog.
 *
 * The languages are the site's ([site] languages, the first the main one);
 * the language index is the position in that list.  A key a language lacks
 * falls back to the main language, then to the key itself; the check
 * (vuorod --check-catalogs) lists every such gap.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>

#define CATALOG_ERROR (catalog_error_quark())
GQuark catalog_error_quark(void);

struct catalog;

/* Reads DIR/LANG.json for each of @langs (NULL-terminated, main first).
 * NULL with @error naming the file and what is wrong in it. */
struct catalog *catalog_load(const char *dir, char *const *langs, GError **error);
void catalog_free(struct catalog *c);
typedef struct catalog Catalog; /* for g_autoptr(Catalog) only */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Catalog, catalog_free)

/* The folder of the catalogs next to the pages: UI_DIR/i18n. */
char *catalog_default_dir(const char *ui_dir);

int catalog_n_langs(const struct catalog *c);
/* "fi" for 0; NULL past the end. */
const char *catalog_code(const struct catalog *c, int lang);
/* The index of "uk"; -1 when the site does not offer it. */
int catalog_lang(const struct catalog *c, const char *code);
/* "Suomi", "العربية": the language in its own name. */
const char *catalog_name(const struct catalog *c, int lang);
bool catalog_rtl(const struct catalog *c, int lang);
/* espeak-ng's voice for the language; NULL when it has none. */
const char *catalog_voice(const struct catalog *c, int lang);

/* The text of @key in @lang, else in the main language, else @key. */
const char *catalog_text(const struct catalog *c, int lang, const char *key);
/* catalog_text() with its {name} placeholders filled from the NULL-ended
 * name, value pairs that follow; a placeholder not given stays as it is. */
char *catalog_format(const struct catalog *c, int lang, const char *key,
		     ...) G_GNUC_NULL_TERMINATED G_GNUC_MALLOC;
/* Whether @lang has a text of its own for any key of @ns ("kiosk"). */
bool catalog_has_namespace(const struct catalog *c, int lang, const char *ns);

/* {"lang","name","dir","main","site_languages":[{code,name,dir}],
 *  "languages":[{code,name,dir}],"strings":{…}}:
 * the strings of @namespaces (NULL: all) in @lang with the main language
 * filling the gaps; "languages" are those that carry any of @namespaces. */
void catalog_add_json(JsonBuilder *b, const struct catalog *c, int lang, char *const *namespaces);

/* The check: for every language, the keys it lacks (falling back to the
 * main language), placeholders that differ from the main language's, and
 * how many strings await a translator's review.  The namespaces of the
 * citizen's path must be whole in every language.  Appends a report for
 * people to @out; returns the number of problems (0: all present). */
int catalog_check(const struct catalog *c, GString *out);
