/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * smtp: sends one e-mail through libcurl's SMTP (RFC 5321), blocking: run it
 * on a worker thread.  The message is built by libcurl's MIME API (one
 * text/plain part in UTF-8, quoted-printable); only the Subject is encoded
 * here (RFC 2047), as libcurl leaves headers as given.  STARTTLS is
 * required on smtp:// unless the settings say off; smtps:// is TLS from the
 * first byte.  Everything it reads is its own copy: no shared state.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

struct smtp_settings {
	char *url;      /* smtp://HOST:PORT or smtps://HOST:PORT */
	char *from;     /* the envelope and header sender */
	char *username; /* NULL: no AUTH */
	char *password;
	char *ca_file; /* NULL: the system's CAs */
	bool starttls; /* required on smtp:// */
	int timeout_s;
};

struct smtp_message {
	char *to;
	char *subject;
	char *body;
};

/* Process-wide libcurl start; call once from the main thread. */
void smtp_global_init(void);
/* 0 once the server accepted the message; -EIO (or -EINVAL for a message
 * libcurl refuses to build) with @ret_error set to libcurl's words. */
int smtp_send(const struct smtp_settings *s, const struct smtp_message *m, char **ret_error);
