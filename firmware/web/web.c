/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * web: see web.h.
 */

#include "web.h"

#include <errno.h>
#include <gio/gio.h>
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
	GHashTable *gz;  /* canonical path → struct web_gz */
};

/* A text file's gzip form, made once and kept while the file is the same
 * (inode, size, modification time): an upgrade that replaces a file makes
 * the next request compress it again. */
struct web_gz {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	GBytes *gz; /* NULL: gzip makes it no smaller, served plain */
};

static void web_gz_free(gpointer data)
{
	struct web_gz *e = data;

	if (e->gz)
		g_bytes_unref(e->gz);
	g_free(e);
}

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

/* @text: worth compressing (the others are compressed formats already). */
static const struct web_type {
	const char *ext;
	const char *type;
	gboolean text;
} web_types[] = {
    {".html", "text/html; charset=utf-8", TRUE},
    {".js", "text/javascript; charset=utf-8", TRUE},
    {".mjs", "text/javascript; charset=utf-8", TRUE},
    {".css", "text/css; charset=utf-8", TRUE},
    {".json", "application/json", TRUE},
    {".svg", "image/svg+xml", TRUE},
    {".png", "image/png", FALSE},
    {".ico", "image/x-icon", FALSE},
    {".woff2", "font/woff2", FALSE},
    {".wav", "audio/wav", FALSE},
    {".ogg", "audio/ogg", FALSE},
};

const char *web_default_dir(void)
{
	return g_file_test("ui", G_FILE_TEST_IS_DIR) ? "ui" : VUORO_UIDIR;
}

static const struct web_type *web_type(const char *path)
{
	for (size_t i = 0; i < G_N_ELEMENTS(web_types); i++)
		if (g_str_has_suffix(path, web_types[i].ext))
			return &web_types[i];
	return NULL;
}

gboolean web_accepts_gzip(const char *accept_encoding)
{
	GSList *refused = NULL;
	GSList *ok;
	gboolean yes = FALSE;

	if (!accept_encoding)
		return FALSE;
	/* "gzip;q=0" and "*;q=0" land in @refused; "*" accepts gzip. */
	ok = soup_header_parse_quality_list(accept_encoding, &refused);
	for (GSList *l = ok; l; l = l->next)
		if (!g_ascii_strcasecmp(l->data, "gzip") ||
		    !g_ascii_strcasecmp(l->data, "x-gzip") || !strcmp(l->data, "*"))
			yes = TRUE;
	for (GSList *l = refused; l; l = l->next)
		if (!g_ascii_strcasecmp(l->data, "gzip"))
			yes = FALSE;
	soup_header_free_list(ok);
	soup_header_free_list(refused);
	return yes;
}

GBytes *web_gzip(const void *data, gsize len, int level)
{
	g_autoptr(GZlibCompressor) z = g_zlib_compressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP, level);
	g_autoptr(GByteArray) out = g_byte_array_new();
	const guint8 *in = data;
	gsize used = 0;
	gsize room = MAX(len / 2, 4096);

	for (;;) {
		g_autoptr(GError) error = NULL;
		gsize nread = 0;
		gsize written = 0;
		GConverterResult res;

		g_byte_array_set_size(out, used + room);
		res =
		    g_converter_convert(G_CONVERTER(z), in, len, out->data + used, out->len - used,
					G_CONVERTER_INPUT_AT_END, &nread, &written, &error);
		if (res == G_CONVERTER_ERROR) {
			if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
				return NULL; /* not seen from zlib on memory; served plain */
			room *= 2;
		}
		in += nread;
		len -= nread;
		used += written;
		if (res == G_CONVERTER_FINISHED)
			break;
	}
	g_byte_array_set_size(out, used);
	return g_byte_array_free_to_bytes(g_steal_pointer(&out));
}

/* @real's gzip form (a new reference), NULL when it is served plain. */
static GBytes *web_file_gz(struct web *w, const char *real, const struct stat *st)
{
	struct web_gz *e = g_hash_table_lookup(w->gz, real);
	g_autofree char *data = NULL;
	gsize len;

	if (!e || e->dev != st->st_dev || e->ino != st->st_ino || e->size != st->st_size ||
	    e->mtime.tv_sec != st->st_mtim.tv_sec || e->mtime.tv_nsec != st->st_mtim.tv_nsec) {
		if (!g_file_get_contents(real, &data, &len, NULL))
			return NULL;
		e = g_new0(struct web_gz, 1);
		e->dev = st->st_dev;
		e->ino = st->st_ino;
		e->size = st->st_size;
		e->mtime = st->st_mtim;
		e->gz = web_gzip(data, len, 9);
		if (e->gz && g_bytes_get_size(e->gz) >= len)
			g_clear_pointer(&e->gz, g_bytes_unref);
		g_hash_table_replace(w->gz, g_strdup(real), e);
	}
	return e->gz ? g_bytes_ref(e->gz) : NULL;
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

/* Serves @rel (relative to the ui folder) when it is a regular file inside:
 * gzip-encoded (made once, web_file_gz) to a client that accepts it, plain
 * to one that does not.  The two forms have their own ETags and "Vary:
 * Accept-Encoding" keeps a cache from handing one to the other client. */
static void web_file(struct web *w, SoupServerMessage *msg, const char *rel)
{
	g_autofree char *path = g_build_filename(w->dir, rel, NULL);
	g_autofree char *real = NULL;
	g_autofree char *data = NULL;
	g_autofree char *etag = NULL;
	g_autoptr(GBytes) gz = NULL;
	const struct web_type *type = web_type(rel);
	SoupMessageHeaders *req = soup_server_message_get_request_headers(msg);
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
	    stat(real, &st) < 0 || !S_ISREG(st.st_mode)) {
		web_text(msg, SOUP_STATUS_NOT_FOUND, "not found\n");
		return;
	}
	if (type->text && web_accepts_gzip(soup_message_headers_get_list(req, "Accept-Encoding")))
		gz = web_file_gz(w, real, &st);
	if (!gz && !g_file_get_contents(real, &data, &len, NULL)) {
		web_text(msg, SOUP_STATUS_NOT_FOUND, "not found\n");
		return;
	}
	etag = g_strdup_printf("\"%llx-%llx%s\"", (unsigned long long)st.st_mtime,
			       (unsigned long long)st.st_size, gz ? "-gz" : "");
	web_headers(msg);
	soup_message_headers_replace(h, "Cache-Control", "no-cache");
	soup_message_headers_replace(h, "ETag", etag);
	if (type->text)
		soup_message_headers_replace(h, "Vary", "Accept-Encoding");
	inm = soup_message_headers_get_one(req, "If-None-Match");
	if (inm && strcmp(inm, etag) == 0) {
		soup_server_message_set_status(msg, SOUP_STATUS_NOT_MODIFIED, NULL);
		return;
	}
	soup_server_message_set_status(msg, SOUP_STATUS_OK, NULL);
	if (gz) {
		soup_message_headers_replace(h, "Content-Encoding", "gzip");
		soup_server_message_set_response(msg, type->type, SOUP_MEMORY_STATIC, NULL, 0);
		soup_message_body_append_bytes(soup_server_message_get_response_body(msg), gz);
		return;
	}
	soup_server_message_set_response(msg, type->type, SOUP_MEMORY_TAKE, g_steal_pointer(&data),
					 len);
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
	w->gz = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, web_gz_free);
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
	g_hash_table_unref(w->gz);
	g_free(w);
}
