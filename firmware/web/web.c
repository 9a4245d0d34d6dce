/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * web: see web.h.
 */

#include "web.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#ifndef VUORO_UIDIR
#define VUORO_UIDIR "/usr/local/share/vuoro/ui"
#endif

struct web {
	SoupServer *server;
	char *dir; /* canonical, no trailing slash */
	const struct web_page *pages;
	size_t n_pages;
	char *home;
	char *not_found; /* "not found: the pages are …" */
};

static const struct web_page web_vuorod_pages[] = {
    {"/kiosk", "kiosk/index.html"},
    {"/advisor", "advisor/index.html"},
    {"/display", "display/index.html"},
    {"/tech", "tech/index.html"},
    {"/manager", "manager/index.html"},
    {"/expert", "expert/index.html"},
    {"/booth", "booth/index.html"},
    {"/t/*", "follow/index.html"},
    {"/reception", "reception/index.html"},
    {"/host", "host/index.html"},
    {"/accessibility", "accessibility/index.html"},
};

static const struct {
	const char *ext;
	const char *type;
} web_types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".wav", "audio/wav"},
    {".ogg", "audio/ogg"},
};

const char *web_default_dir(void)
{
	return g_file_test("ui", G_FILE_TEST_IS_DIR) ? "ui" : VUORO_UIDIR;
}

static const char *web_type(const char *path)
{
	for (size_t i = 0; i < G_N_ELEMENTS(web_types); i++)
		if (g_str_has_suffix(path, web_types[i].ext))
			return web_types[i].type;
	return NULL;
}

static void web_headers(SoupServerMessage *msg)
{
	SoupMessageHeaders *h = soup_server_message_get_response_headers(msg);

	soup_message_headers_replace(h, "Content-Security-Policy",
				     "default-src 'self'; img-src 'self' data:; "
				     "media-src 'self' data: blob:; connect-src 'self'; "
				     "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
	soup_message_headers_replace(h, "X-Content-Type-Options", "nosniff");
	soup_message_headers_replace(h, "Referrer-Policy", "no-referrer");
	soup_message_headers_replace(h, "X-Frame-Options", "DENY");
}

static void web_text(SoupServerMessage *msg, guint status, const char *text)
{
	web_headers(msg);
	soup_server_message_set_status(msg, status, NULL);
	soup_server_message_set_response(msg, "text/plain; charset=utf-8", SOUP_MEMORY_COPY, text,
					 strlen(text));
}

/* Serves @rel (relative to the ui folder) when it is a regular file inside. */
static void web_file(struct web *w, SoupServerMessage *msg, const char *rel)
{
	g_autofree char *path = g_build_filename(w->dir, rel, NULL);
	g_autofree char *real = NULL;
	g_autofree char *data = NULL;
	g_autofree char *etag = NULL;
	const char *type = web_type(rel);
	SoupMessageHeaders *h = soup_server_message_get_response_headers(msg);
	const char *inm;
	struct stat st;
	gsize len;

	if (!type || strstr(rel, "..") || strstr(rel, "//")) {
		web_text(msg, SOUP_STATUS_NOT_FOUND, "not found\n");
		return;
	}
	real = realpath(path, NULL);
	if (!real || !g_str_has_prefix(real, w->dir) || real[strlen(w->dir)] != '/' ||
	    stat(real, &st) < 0 || !S_ISREG(st.st_mode) ||
	    !g_file_get_contents(real, &data, &len, NULL)) {
		web_text(msg, SOUP_STATUS_NOT_FOUND, "not found\n");
		return;
	}
	etag = g_strdup_printf("\"%llx-%llx\"", (unsigned long long)st.st_mtime,
			       (unsigned long long)st.st_size);
	web_headers(msg);
	soup_message_headers_replace(h, "Cache-Control", "no-cache");
	soup_message_headers_replace(h, "ETag", etag);
	inm = soup_message_headers_get_one(soup_server_message_get_request_headers(msg),
					   "If-None-Match");
	if (inm && strcmp(inm, etag) == 0) {
		soup_server_message_set_status(msg, SOUP_STATUS_NOT_MODIFIED, NULL);
		return;
	}
	soup_server_message_set_status(msg, SOUP_STATUS_OK, NULL);
	soup_server_message_set_response(msg, type, SOUP_MEMORY_TAKE, g_steal_pointer(&data), len);
}

/* @pattern "/NAME" matches "/NAME" and "/NAME/"; "/NAME/" "*" matches
 * "/NAME/X" for one segment X. */
static gboolean web_page_match(const char *pattern, const char *path)
{
	size_t n = strlen(pattern);

	if (n >= 2 && strcmp(pattern + n - 2, "/*") == 0)
		return strncmp(path, pattern, n - 1) == 0 && path[n - 1] &&
		       !strchr(path + n - 1, '/');
	return strncmp(path, pattern, n) == 0 &&
	       (path[n] == '\0' || (path[n] == '/' && path[n + 1] == '\0'));
}

static void web_handle(SoupServer *server, SoupServerMessage *msg, const char *path,
		       GHashTable *query, gpointer data)
{
	struct web *w = data;
	const char *method = soup_server_message_get_method(msg);

	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		web_text(msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "only GET here\n");
		return;
	}
	if (strcmp(path, "/") == 0) {
		web_headers(msg);
		soup_server_message_set_redirect(msg, SOUP_STATUS_FOUND, w->home);
		return;
	}
	for (size_t i = 0; i < w->n_pages; i++) {
		if (web_page_match(w->pages[i].path, path)) {
			web_file(w, msg, w->pages[i].file);
			return;
		}
	}
	if (g_str_has_prefix(path, "/ui/") && path[4]) {
		web_file(w, msg, path + 4);
		return;
	}
	web_text(msg, SOUP_STATUS_NOT_FOUND, w->not_found);
}

struct web *web_new_pages(SoupServer *server, const char *ui_dir, const struct web_page *pages,
			  size_t n_pages, const char *home, GError **error)
{
	g_autoptr(GString) names = g_string_new("not found: the pages are");
	struct web *w;
	char *real = realpath(ui_dir, NULL);

	if (!real || !g_file_test(real, G_FILE_TEST_IS_DIR)) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
			    "the web pages folder %s is missing: set ui-dir in the config or "
			    "reinstall vuoro",
			    ui_dir);
		free(real);
		return NULL;
	}
	w = g_new0(struct web, 1);
	w->server = server;
	w->dir = g_strdup(real);
	free(real);
	w->pages = pages;
	w->n_pages = n_pages;
	w->home = g_strdup(home);
	for (size_t i = 0; i < n_pages; i++)
		if (!g_str_has_suffix(pages[i].path, "/*"))
			g_string_append_printf(names, "%s %s", i ? "," : "", pages[i].path);
	g_string_append_c(names, '\n');
	w->not_found = g_string_free(g_steal_pointer(&names), FALSE);
	soup_server_add_handler(server, "/", web_handle, w, NULL);
	return w;
}

struct web *web_new(SoupServer *server, const char *ui_dir, GError **error)
{
	return web_new_pages(server, ui_dir, web_vuorod_pages, G_N_ELEMENTS(web_vuorod_pages),
			     "/kiosk", error);
}

void web_free(struct web *w)
{
	if (!w)
		return;
	soup_server_remove_handler(w->server, "/");
	g_free(w->dir);
	g_free(w->home);
	g_free(w->not_found);
	g_free(w);
}
