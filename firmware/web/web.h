/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * web: the pages people use, served from the ui/ folder next to the API.
 * The program gives its pages (struct web_page); vuorod's (web_new):
 *
 *   /kiosk /advisor /display /tech /manager   ui/NAME/index.html
 *   /t/REF                                    ui/follow/index.html (the QR's target)
 *   /ui/PATH                                  ui/PATH: modules, styles, fonts, images
 *   /                                         a redirect to /kiosk
 *
 * Only regular files inside the folder are served (no "..", no symlink out of
 * it), with a content type from a fixed table and headers that keep the pages
 * to themselves: a Content-Security-Policy of 'self' (nothing from a CDN: a
 * kiosk may be offline), nosniff, no framing, no referrer.  Pages are small
 * and change with upgrades: "no-cache" makes the browser revalidate by ETag.
 * Text files (HTML, modules, styles, JSON, SVG) go gzip-encoded to a client
 * whose Accept-Encoding takes gzip (the kiosk's browsers, cog/WPE and
 * Chromium, do), compressed once per file and kept in memory until the file
 * changes; plain to any other; both with "Vary: Accept-Encoding" and an
 * ETag of their own ("…-gz" for the gzip form).
 */
#pragma once

#include <glib.h>
#include <libsoup/soup.h>

struct web;

/* A page: @path is "/NAME" (also served as "/NAME/"), or ends in "/" "*"
 * for one more segment, any (the follow page's "/t/" "*"); @file is
 * relative to the ui folder. */
struct web_page {
	const char *path;
	const char *file;
};

/* Serves @ui_dir on @server: @pages (n_pages of them, kept, not copied),
 * "/" redirects to @home, /ui/PATH.  NULL with @error when the folder is
 * missing. */
struct web *web_new_pages(SoupServer *server, const char *ui_dir, const struct web_page *pages,
			  size_t n_pages, const char *home, GError **error);
/* vuorod's pages. */
struct web *web_new(SoupServer *server, const char *ui_dir, GError **error);
void web_free(struct web *w);
typedef struct web Web; /* for g_autoptr(Web) only */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Web, web_free)

/* TRUE when an Accept-Encoding header value (NULL: none) takes gzip. */
gboolean web_accepts_gzip(const char *accept_encoding);
/* @data in gzip format (GLib's zlib, @level 1–9), NULL on a zlib failure. */
GBytes *web_gzip(const void *data, gsize len, int level);

/* The folder vuorod serves when the config names none: ./ui when it exists
 * (running from the source tree), else the installed one. */
const char *web_default_dir(void);
