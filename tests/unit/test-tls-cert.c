/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of firmware/web/tls_cert.c: when the served certificate's expiry is a
 * fault and what it says; the expiry read from certificates that openssl
 * makes. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "tls_cert.h"

#define DAY (24 * 3600)
#define NOW ((int64_t)1796126400) /* 2026-12-01 12:00 UTC */

static void test_fault(void)
{
	g_autofree char *far = tls_cert_expiry_fault("/c.pem", NOW + 31 * DAY, 0, NOW);
	g_autofree char *edge = tls_cert_expiry_fault("/c.pem", NOW + 30 * DAY, 0, NOW);
	g_autofree char *ten = tls_cert_expiry_fault("/c.pem", NOW + 9 * DAY + 3600, 0, NOW);
	g_autofree char *hours = tls_cert_expiry_fault("/c.pem", NOW + 3 * 3600, 0, NOW);
	g_autofree char *gone = tls_cert_expiry_fault("/c.pem", NOW - 1, 0, NOW);
	g_autofree char *renewed =
	    tls_cert_expiry_fault("/c.pem", NOW + 5 * DAY, NOW + 90 * DAY, NOW);
	g_autofree char *same = tls_cert_expiry_fault("/c.pem", NOW + 5 * DAY, NOW + 5 * DAY, NOW);

	g_assert_null(far);
	g_assert_cmpstr(edge, ==,
			"tls: the certificate /c.pem expires in 30 days (2026-12-31) — renew it "
			"and restart vuorod (README: TLS on a LAN board)");
	g_assert_nonnull(strstr(ten, "expires in 10 days (2026-12-10)"));
	g_assert_nonnull(strstr(hours, "expires within a day (2026-12-01)"));
	g_assert_nonnull(strstr(gone, "expired on 2026-12-01: browsers and devices refuse"));
	g_assert_cmpstr(renewed, ==,
			"tls: the served certificate expires in 5 days (2026-12-06); a renewed "
			"one is in /c.pem — restart vuorod (systemctl restart vuorod) to serve it");
	g_assert_null(strstr(same, "renewed"));
}

/* A self-signed certificate valid @days from now, made by openssl. */
static char *make_cert(const char *dir, int days)
{
	g_autofree char *days_s = g_strdup_printf("%d", days);
	char *cert = g_strdup_printf("%s/cert-%d.pem", dir, days);
	g_autofree char *key = g_strdup_printf("%s/key-%d.pem", dir, days);
	const char *argv[] = {"openssl",
			      "req",
			      "-x509",
			      "-newkey",
			      "ec",
			      "-pkeyopt",
			      "ec_paramgen_curve:P-256",
			      "-nodes",
			      "-days",
			      days_s,
			      "-subj",
			      "/CN=board",
			      "-keyout",
			      key,
			      "-out",
			      cert,
			      NULL};
	g_autoptr(GError) error = NULL;
	int status = -1;

	g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL,
				   G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
				       G_SPAWN_STDERR_TO_DEV_NULL,
				   NULL, NULL, NULL, NULL, &status, &error));
	g_assert_no_error(error);
	g_assert_cmpint(status, ==, 0);
	return cert;
}

static void test_watch(void)
{
	g_autofree char *dir = g_dir_make_tmp("vuoro-tls-XXXXXX", NULL);
	g_autofree char *soon = make_cert(dir, 10);
	g_autofree char *later = make_cert(dir, 400);
	g_autofree char *missing = g_build_filename(dir, "missing.pem", NULL);
	g_autoptr(GError) error = NULL;
	int64_t now = g_get_real_time() / G_USEC_PER_SEC, not_after = 0;

	g_assert_cmpint(tls_cert_not_after(soon, &not_after, &error), ==, 0);
	g_assert_no_error(error);
	g_assert_cmpint(not_after, >=, now + 10 * DAY - 120);
	g_assert_cmpint(not_after, <=, now + 10 * DAY + 120);
	g_assert_cmpint(tls_cert_not_after(missing, &not_after, &error), <, 0);
	g_assert_nonnull(error);
	{
		g_autoptr(TlsCertWatch) w = NULL;
		g_autoptr(TlsCertWatch) fine = tls_cert_watch_new(later);
		g_autoptr(TlsCertWatch) broken = NULL;

		w = tls_cert_watch_new(soon);
		g_assert_nonnull(strstr(tls_cert_watch_fault(w), "expires in 10 days"));
		g_assert_null(tls_cert_watch_fault(fine));
		broken = tls_cert_watch_new(missing);
		g_assert_nonnull(strstr(tls_cert_watch_fault(broken), "check [api] tls-cert"));
		g_assert_null(tls_cert_watch_fault(NULL));
	}
	g_unlink(soon);
	g_unlink(later);
	{
		g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
		const char *name;

		while ((name = g_dir_read_name(d))) {
			g_autofree char *p = g_build_filename(dir, name, NULL);

			g_unlink(p);
		}
	}
	g_rmdir(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	/* A fault is also a warning in the journal: not fatal here. */
	g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
	g_test_add_func("/tls-cert/fault", test_fault);
	g_test_add_func("/tls-cert/watch", test_watch);
	return g_test_run();
}
