/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * catalog: see catalog.h.  Each language is a hash table of its texts, read
 * once at start-up with json-glib; nothing here changes after that, so the
 * loop and the workers read it freely.  The keys and texts live in one
 * string chunk, each key once for every language (six languages: ~5,000
 * texts, ~250 kB less than a pair of allocations each).
 */

#include "catalog.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "config.h"
#include "json.h"

G_DEFINE_QUARK(vuoro - catalog - error - quark, catalog_error)

/* The citizen's path: every language a site offers carries these whole. */
static const char *const citizen_namespaces[] = {
    "kiosk", "follow", "display", "booth", "ticket", "announce", "identity", "accessibility", NULL,
};

struct catalog_lang {
	char *code;
	char *name;
	char *voice; /* NULL: espeak-ng has none */
	bool rtl;
	GHashTable *texts; /* key → text, both in the catalog's strings */
	GPtrArray *review; /* keys or "ns.*" a translator still has to review */
};

struct catalog {
	GPtrArray *langs;      /* of struct catalog_lang, main first */
	GStringChunk *strings; /* every key (once) and text */
};

static void lang_free(gpointer p)
{
	struct catalog_lang *l = p;

	g_free(l->code);
	g_free(l->name);
	g_free(l->voice);
	g_clear_pointer(&l->texts, g_hash_table_unref);
	g_clear_pointer(&l->review, g_ptr_array_unref);
	g_free(l);
}

void catalog_free(struct catalog *c)
{
	if (!c)
		return;
	g_ptr_array_unref(c->langs);
	if (c->strings)
		g_string_chunk_free(c->strings);
	g_free(c);
}

char *catalog_default_dir(const char *ui_dir)
{
	return g_build_filename(ui_dir, "i18n", NULL);
}

static int lang_fail(GError **error, const char *path, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static int lang_fail(GError **error, const char *path, const char *fmt, ...)
{
	g_autofree char *what = NULL;
	va_list ap;

	va_start(ap, fmt);
	what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(error, CATALOG_ERROR, EINVAL, "%s: %s", path, what);
	return -EINVAL;
}

static int lang_metadata(struct catalog_lang *l, JsonNode *node, const char *path, GError **error)
{
	JsonObject *m;
	JsonNode *voice, *review;
	const char *dir;

	if (!node || !JSON_NODE_HOLDS_OBJECT(node))
		return lang_fail(error, path,
				 "expected \"@metadata\": {\"language\", \"name\", \"dir\", "
				 "\"voice\", \"needs-review\"}");
	m = json_node_get_object(node);
	if (g_strcmp0(web_json_str(m, "language", ""), l->code))
		return lang_fail(error, path, "\"@metadata\" \"language\" must be \"%s\"", l->code);
	l->name = g_strdup(web_json_str(m, "name", ""));
	if (!*l->name)
		return lang_fail(error, path,
				 "\"@metadata\" \"name\" is missing: the language in its own "
				 "name, like \"Suomi\"");
	dir = web_json_str(m, "dir", "ltr");
	if (strcmp(dir, "ltr") != 0 && strcmp(dir, "rtl") != 0)
		return lang_fail(error, path,
				 "\"@metadata\" \"dir\": expected ltr or rtl, got \"%s\"", dir);
	l->rtl = strcmp(dir, "rtl") == 0;
	voice = json_object_get_member(m, "voice");
	if (voice && JSON_NODE_HOLDS_VALUE(voice) &&
	    json_node_get_value_type(voice) == G_TYPE_STRING && *json_node_get_string(voice))
		l->voice = g_strdup(json_node_get_string(voice));
	review = json_object_get_member(m, "needs-review");
	if (review && JSON_NODE_HOLDS_ARRAY(review)) {
		JsonArray *a = json_node_get_array(review);

		for (guint i = 0; i < json_array_get_length(a); i++) {
			const char *k = json_array_get_string_element(a, i);

			if (k)
				g_ptr_array_add(l->review, g_strdup(k));
		}
	}
	return 0;
}

static int lang_load(struct catalog_lang *l, GStringChunk *strings, const char *path,
		     GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	g_autoptr(GError) local = NULL;
	JsonObjectIter it;
	const char *key;
	JsonNode *node;
	JsonObject *root;

	if (!json_parser_load_from_mapped_file(parser, path, &local)) {
		if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			return lang_fail(error, path,
					 "missing: the site offers \"%s\" ([site] languages) "
					 "but there is no catalog for it",
					 l->code);
		return lang_fail(error, path, "%s", local->message);
	}
	node = json_parser_get_root(parser);
	if (!node || !JSON_NODE_HOLDS_OBJECT(node))
		return lang_fail(error, path, "expected one JSON object of \"key\": \"text\"");
	root = json_node_get_object(node);
	if (lang_metadata(l, json_object_get_member(root, "@metadata"), path, error) < 0)
		return -EINVAL;
	json_object_iter_init(&it, root);
	while (json_object_iter_next(&it, &key, &node)) {
		if (key[0] == '@')
			continue;
		if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING)
			return lang_fail(error, path, "\"%s\": expected a string", key);
		if (!strchr(key, '.'))
			return lang_fail(error, path,
					 "\"%s\": expected a key like \"namespace.name\"", key);
		g_hash_table_replace(l->texts, g_string_chunk_insert_const(strings, key),
				     g_string_chunk_insert(strings, json_node_get_string(node)));
	}
	return 0;
}

struct catalog *catalog_load(const char *dir, char *const *langs, GError **error)
{
	g_autoptr(Catalog) c = g_new0(struct catalog, 1);

	c->langs = g_ptr_array_new_with_free_func(lang_free);
	c->strings = g_string_chunk_new(64 * 1024);
	for (char *const *p = langs; p && *p; p++) {
		struct catalog_lang *l = g_new0(struct catalog_lang, 1);
		g_autofree char *file = g_strconcat(*p, ".json", NULL);
		g_autofree char *path = g_build_filename(dir, file, NULL);

		l->code = g_strdup(*p);
		l->texts = g_hash_table_new(g_str_hash, g_str_equal);
		l->review = g_ptr_array_new_with_free_func(g_free);
		g_ptr_array_add(c->langs, l);
		if (!config_lang_code_valid(*p)) { /* so never a path */
			g_set_error(error, CATALOG_ERROR, EINVAL,
				    "\"%s\" is not a language code (ISO 639: fi, sv, uk, …)", *p);
			return NULL;
		}
		if (lang_load(l, c->strings, path, error) < 0)
			return NULL;
	}
	if (c->langs->len == 0) {
		g_set_error(error, CATALOG_ERROR, EINVAL,
			    "no languages: [site] languages is empty");
		return NULL;
	}
	return g_steal_pointer(&c);
}

static const struct catalog_lang *lang_at(const struct catalog *c, int lang)
{
	if (!c || lang < 0 || (guint)lang >= c->langs->len)
		return NULL;
	return g_ptr_array_index(c->langs, lang);
}

int catalog_n_langs(const struct catalog *c)
{
	return c ? (int)c->langs->len : 0;
}

const char *catalog_code(const struct catalog *c, int lang)
{
	const struct catalog_lang *l = lang_at(c, lang);

	return l ? l->code : NULL;
}

int catalog_lang(const struct catalog *c, const char *code)
{
	for (guint i = 0; c && code && i < c->langs->len; i++)
		if (strcmp(((struct catalog_lang *)g_ptr_array_index(c->langs, i))->code, code) ==
		    0)
			return (int)i;
	return -1;
}

const char *catalog_name(const struct catalog *c, int lang)
{
	const struct catalog_lang *l = lang_at(c, lang);

	return l ? l->name : NULL;
}

bool catalog_rtl(const struct catalog *c, int lang)
{
	const struct catalog_lang *l = lang_at(c, lang);

	return l && l->rtl;
}

const char *catalog_voice(const struct catalog *c, int lang)
{
	const struct catalog_lang *l = lang_at(c, lang);

	return l ? l->voice : NULL;
}

const char *catalog_text(const struct catalog *c, int lang, const char *key)
{
	const struct catalog_lang *l = lang_at(c, lang);
	const struct catalog_lang *main_lang = lang_at(c, 0);
	const char *s = NULL;

	if (l)
		s = g_hash_table_lookup(l->texts, key);
	if (!s && main_lang)
		s = g_hash_table_lookup(main_lang->texts, key);
	return s ? s : key;
}

char *catalog_format(const struct catalog *c, int lang, const char *key, ...)
{
	const char *text = catalog_text(c, lang, key);
	GString *out = g_string_new(NULL);
	va_list ap;

	for (const char *p = text; *p;) {
		const char *end = *p == '{' ? strchr(p, '}') : NULL;
		const char *value = NULL;

		if (end) {
			const char *name;

			va_start(ap, key);
			while ((name = va_arg(ap, const char *))) {
				const char *v = va_arg(ap, const char *);

				if (strlen(name) == (size_t)(end - p - 1) &&
				    strncmp(name, p + 1, (size_t)(end - p - 1)) == 0) {
					value = v;
					break;
				}
			}
			va_end(ap);
		}
		if (value) {
			g_string_append(out, value);
			p = end + 1;
		} else {
			g_string_append_c(out, *p++);
		}
	}
	return g_string_free(out, FALSE);
}

static bool key_in_namespace(const char *key, const char *ns)
{
	size_t n = strlen(ns);

	return strncmp(key, ns, n) == 0 && key[n] == '.';
}

bool catalog_has_namespace(const struct catalog *c, int lang, const char *ns)
{
	const struct catalog_lang *l = lang_at(c, lang);
	GHashTableIter it;
	gpointer key;

	if (!l)
		return false;
	g_hash_table_iter_init(&it, l->texts);
	while (g_hash_table_iter_next(&it, &key, NULL))
		if (key_in_namespace(key, ns))
			return true;
	return false;
}

static bool key_wanted(const char *key, char *const *namespaces)
{
	if (!namespaces)
		return true;
	for (char *const *ns = namespaces; *ns; ns++)
		if (key_in_namespace(key, *ns))
			return true;
	return false;
}

static void add_texts(JsonBuilder *b, const struct catalog_lang *l, GHashTable *done,
		      char *const *namespaces)
{
	GHashTableIter it;
	gpointer key, value;

	g_hash_table_iter_init(&it, l->texts);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		if (!key_wanted(key, namespaces) || !g_hash_table_add(done, key))
			continue;
		web_json_add_str(b, key, value);
	}
}

static bool lang_offers(const struct catalog *c, int lang, char *const *namespaces)
{
	if (lang == 0 || !namespaces)
		return true;
	for (char *const *ns = namespaces; *ns; ns++)
		if (catalog_has_namespace(c, lang, *ns))
			return true;
	return false;
}

/* [{code, name, dir}] of the site's languages that carry any of @namespaces. */
static void add_languages(JsonBuilder *b, const struct catalog *c, const char *member,
			  char *const *namespaces)
{
	json_builder_set_member_name(b, member);
	json_builder_begin_array(b);
	for (int i = 0; i < catalog_n_langs(c); i++) {
		if (!lang_offers(c, i, namespaces))
			continue;
		json_builder_begin_object(b);
		web_json_add_str(b, "code", catalog_code(c, i));
		web_json_add_str(b, "name", catalog_name(c, i));
		web_json_add_str(b, "dir", catalog_rtl(c, i) ? "rtl" : "ltr");
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

void catalog_add_json(JsonBuilder *b, const struct catalog *c, int lang, char *const *namespaces)
{
	const struct catalog_lang *l = lang_at(c, lang);
	g_autoptr(GHashTable) done = g_hash_table_new(g_str_hash, g_str_equal);

	if (!l || !lang_offers(c, lang, namespaces)) {
		lang = 0;
		l = lang_at(c, 0);
	}
	json_builder_begin_object(b);
	web_json_add_str(b, "lang", l->code);
	web_json_add_str(b, "name", l->name);
	web_json_add_str(b, "dir", l->rtl ? "rtl" : "ltr");
	web_json_add_str(b, "main", catalog_code(c, 0));
	add_languages(b, c, "site_languages", NULL);
	add_languages(b, c, "languages", namespaces);
	json_builder_set_member_name(b, "strings");
	json_builder_begin_object(b);
	add_texts(b, l, done, namespaces);
	if (lang != 0)
		add_texts(b, lang_at(c, 0), done, namespaces);
	json_builder_end_object(b);
	json_builder_end_object(b);
}

/* ---------------------------------------------------------------------- */
/* The check */

static int compare_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "{n} of {min}" → "min\nn\n": the placeholders, sorted. */
static char *placeholders(const char *text)
{
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	GString *out = g_string_new(NULL);

	for (const char *p = text; (p = strchr(p, '{'));) {
		const char *end = strchr(p, '}');

		if (!end)
			break;
		g_ptr_array_add(names, g_strndup(p + 1, (gsize)(end - p - 1)));
		p = end + 1;
	}
	g_ptr_array_sort(names, compare_str);
	for (guint i = 0; i < names->len; i++)
		g_string_append_printf(out, "%s\n", (char *)g_ptr_array_index(names, i));
	return g_string_free(out, FALSE);
}

static bool is_citizen_namespace(const char *ns)
{
	for (const char *const *p = citizen_namespaces; *p; p++)
		if (strcmp(*p, ns) == 0)
			return true;
	return false;
}

static char *key_namespace(const char *key)
{
	const char *dot = strchr(key, '.');

	return g_strndup(key, dot ? (gsize)(dot - key) : strlen(key));
}

static bool in_review(const struct catalog_lang *l, const char *key)
{
	for (guint i = 0; i < l->review->len; i++) {
		const char *r = g_ptr_array_index(l->review, i);
		size_t n = strlen(r);

		if (strcmp(r, key) == 0 ||
		    (n >= 2 && strcmp(r + n - 2, ".*") == 0 && strncmp(r, key, n - 1) == 0))
			return true;
	}
	return false;
}

static int check_lang(const struct catalog *c, int lang, GPtrArray *keys, GString *out)
{
	const struct catalog_lang *l = lang_at(c, lang);
	const struct catalog_lang *main_lang = lang_at(c, 0);
	g_autoptr(GHashTable) ns_total =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr(GHashTable) ns_have =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func(g_free);
	int problems = 0, review = 0;

	for (guint i = 0; i < keys->len; i++) {
		const char *key = g_ptr_array_index(keys, i);
		char *ns = key_namespace(key);

		if (!g_hash_table_contains(ns_total, ns))
			g_ptr_array_add(order, g_strdup(ns));
		g_hash_table_replace(
		    ns_total, g_strdup(ns),
		    GINT_TO_POINTER(GPOINTER_TO_INT(g_hash_table_lookup(ns_total, ns)) + 1));
		if (g_hash_table_contains(l->texts, key))
			g_hash_table_replace(
			    ns_have, g_strdup(ns),
			    GINT_TO_POINTER(GPOINTER_TO_INT(g_hash_table_lookup(ns_have, ns)) + 1));
		g_free(ns);
	}
	for (guint n = 0; n < order->len; n++) {
		const char *ns = g_ptr_array_index(order, n);
		int total = GPOINTER_TO_INT(g_hash_table_lookup(ns_total, ns));
		int have = GPOINTER_TO_INT(g_hash_table_lookup(ns_have, ns));
		bool whole = lang == 0 || is_citizen_namespace(ns) || have > 0;

		if (have == total)
			continue;
		if (!whole) {
			g_string_append_printf(out,
					       "%s: %s: not translated (%d strings), shown in %s\n",
					       l->code, ns, total, main_lang->code);
			continue;
		}
		for (guint i = 0; i < keys->len; i++) {
			const char *key = g_ptr_array_index(keys, i);

			if (!key_in_namespace(key, ns) || g_hash_table_contains(l->texts, key))
				continue;
			problems++;
			g_string_append_printf(
			    out, "%s: %s: missing%s\n", l->code, key,
			    lang == 0 ? " in the main language: pages show the key" : "");
		}
	}
	for (guint i = 0; i < keys->len; i++) {
		const char *key = g_ptr_array_index(keys, i);
		const char *text = g_hash_table_lookup(l->texts, key);
		const char *ref = g_hash_table_lookup(main_lang->texts, key);
		g_autofree char *a = NULL;
		g_autofree char *b = NULL;

		if (!text)
			continue;
		if (in_review(l, key))
			review++;
		if (!ref || lang == 0)
			continue;
		a = placeholders(text);
		b = placeholders(ref);
		if (strcmp(a, b) != 0) {
			problems++;
			g_string_append_printf(out,
					       "%s: %s: its {placeholders} differ from %s's: "
					       "\"%s\"\n",
					       l->code, key, main_lang->code, text);
		}
	}
	if (review)
		g_string_append_printf(out,
				       "%s: %d strings machine-drafted, awaiting a "
				       "translator's review (\"needs-review\")\n",
				       l->code, review);
	return problems;
}

int catalog_check(const struct catalog *c, GString *out)
{
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GPtrArray) keys = g_ptr_array_new();
	int problems = 0;

	for (int i = 0; i < catalog_n_langs(c); i++) {
		GHashTableIter it;
		gpointer key;

		g_hash_table_iter_init(&it, lang_at(c, i)->texts);
		while (g_hash_table_iter_next(&it, &key, NULL))
			if (g_hash_table_add(seen, key))
				g_ptr_array_add(keys, key);
	}
	g_ptr_array_sort(keys, compare_str);
	for (int i = 0; i < catalog_n_langs(c); i++)
		problems += check_lang(c, i, keys, out);
	g_string_append_printf(out, "%d languages, %u strings, %d problems\n", catalog_n_langs(c),
			       keys->len, problems);
	return problems;
}
