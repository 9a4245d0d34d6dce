/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tls_cert: the served certificate's expiry as a fault (tls_cert.h).
 */

#include "tls_cert.h"

#include <errno.h>
#include <gio/gio.h>

#define TLS_CERT_DAY_S (24 * 3600)

struct tls_cert_watch {
	char *path;
	int64_t served_not_after; /* 0: the certificate could not be read */
	char *fault;
	guint timer;
};

int tls_cert_not_after(const char *path, int64_t *ret_unix, GError **error)
{
	g_autoptr(GTlsCertificate) cert = g_tls_certificate_new_from_file(path, error);
	g_autoptr(GDateTime) not_after = NULL;

	if (!cert)
		return -EINVAL;
	g_object_get(cert, "not-valid-after", &not_after, NULL);
	if (!not_after) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    "the TLS backend does not tell the certificate's expiry");
		return -ENOTSUP;
	}
	*ret_unix = g_date_time_to_unix(not_after);
	return 0;
}

char *tls_cert_expiry_fault(const char *path, int64_t served_not_after, int64_t on_disk_not_after,
			    int64_t now)
{
	g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc(served_not_after);
	g_autofree char *date = when ? g_date_time_format(when, "%Y-%m-%d") : g_strdup("?");
	int64_t left = served_not_after - now;
	g_autofree char *what = NULL;

	if (left > (int64_t)TLS_CERT_WARN_DAYS * TLS_CERT_DAY_S)
		return NULL;
	if (left <= 0)
		what =
		    g_strdup_printf("expired on %s: browsers and devices refuse the board", date);
	else if (left <= TLS_CERT_DAY_S)
		what = g_strdup_printf("expires within a day (%s)", date);
	else /* days begun: 9 days and an hour is "in 10 days" */
		what = g_strdup_printf("expires in %" G_GINT64_FORMAT " days (%s)",
				       (left + TLS_CERT_DAY_S - 1) / TLS_CERT_DAY_S, date);
	/* Renewed on disk but not yet served: only a restart is missing. */
	if (on_disk_not_after > served_not_after)
		return g_strdup_printf("tls: the served certificate %s; a renewed one is in %s — "
				       "restart vuorod (systemctl restart vuorod) to serve it",
				       what, path);
	return g_strdup_printf("tls: the certificate %s %s — renew it and restart vuorod "
			       "(README: TLS on a LAN board)",
			       path, what);
}

static gboolean tls_cert_watch_check(gpointer data)
{
	struct tls_cert_watch *w = data;
	g_autoptr(GError) error = NULL;
	int64_t on_disk = 0;
	char *fault;

	if (tls_cert_not_after(w->path, &on_disk, &error) < 0)
		on_disk = 0;
	if (!w->served_not_after)
		fault = g_strdup_printf("tls: cannot read the expiry of %s: %s — check [api] "
					"tls-cert",
					w->path, error ? error->message : "unknown");
	else
		fault = tls_cert_expiry_fault(w->path, w->served_not_after, on_disk,
					      g_get_real_time() / G_USEC_PER_SEC);
	if (fault && g_strcmp0(fault, w->fault) != 0)
		g_warning("%s", fault);
	g_free(w->fault);
	w->fault = fault;
	return G_SOURCE_CONTINUE;
}

struct tls_cert_watch *tls_cert_watch_new(const char *path)
{
	struct tls_cert_watch *w = g_new0(struct tls_cert_watch, 1);

	w->path = g_strdup(path);
	if (tls_cert_not_after(path, &w->served_not_after, NULL) < 0)
		w->served_not_after = 0;
	tls_cert_watch_check(w);
	w->timer = g_timeout_add_seconds(TLS_CERT_DAY_S, tls_cert_watch_check, w);
	return w;
}

void tls_cert_watch_free(struct tls_cert_watch *w)
{
	if (!w)
		return;
	if (w->timer)
		g_source_remove(w->timer);
	g_free(w->path);
	g_free(w->fault);
	g_free(w);
}

const char *tls_cert_watch_fault(const struct tls_cert_watch *w)
{
	return w ? w->fault : NULL;
}
