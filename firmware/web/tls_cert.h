/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tls_cert: the served TLS certificate's expiry, as a fault that staff see in
 * /api/health and /tech from 30 days before its notAfter (GTlsCertificate's
 * not-valid-after).  The watch reads the certificate at start — the one the
 * server serves until it restarts — and checks again once a day: the clock
 * moves on, and a renewed file on disk is named until vuorod serves it.
 *
 * tls_cert_expiry_fault() is pure (the time is an argument) for the tests.
 */
#pragma once

#include <glib.h>
#include <stdint.h>

#define TLS_CERT_WARN_DAYS 30

struct tls_cert_watch;

/* Watches @path (PEM).  Never NULL: a certificate that cannot be read is
 * itself the fault. */
struct tls_cert_watch *tls_cert_watch_new(const char *path);
void tls_cert_watch_free(struct tls_cert_watch *w);
typedef struct tls_cert_watch TlsCertWatch; /* for g_autoptr(TlsCertWatch) only */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TlsCertWatch, tls_cert_watch_free)

/* "tls: …" saying what to do, or NULL while the certificate has more than
 * TLS_CERT_WARN_DAYS left (and for a NULL watch). */
const char *tls_cert_watch_fault(const struct tls_cert_watch *w);

/* @path's notAfter in unix seconds: 0, or -errno with @error set. */
int tls_cert_not_after(const char *path, int64_t *ret_unix, GError **error);

/* The fault for a certificate at @path served with @served_not_after, at
 * @now (unix seconds); @on_disk_not_after is the file's now (0: unread).
 * NULL when more than TLS_CERT_WARN_DAYS are left.  Caller frees. */
char *tls_cert_expiry_fault(const char *path, int64_t served_not_after, int64_t on_disk_not_after,
			    int64_t now);
