/* SPDX-License-Identifier: GPL-3.0-or-later */
/* smtp: see smtp.h. */

#include "smtp.h"

#include <curl/curl.h>
#include <errno.h>
#include <string.h>

#include "lazylib.h"

/* libcurl is not linked: smtp_global_init() opens it (dlopen), and only a
 * site with [notify] smtp-url calls that.  Linked, libcurl and what it
 * pulls in (LDAP, SASL, SSH, RTMP, GnuTLS, Kerberos) cost some 3 MB of every
 * idle vuorod (issue 22, tools/bench-idle-rss.sh). */
#define SMTP_LIBRARY "libcurl.so.4"

/* libcurl's functions (lazylib.h), without their "curl_": some of those
 * names are macros of curl's type checks. */
#define SMTP_CURL(X, t, p)                                                                         \
	X(t, p, global_init)                                                                       \
	X(t, p, easy_init)                                                                         \
	X(t, p, easy_perform)                                                                      \
	X(t, p, easy_setopt)                                                                       \
	X(t, p, easy_strerror)                                                                     \
	X(t, p, easy_cleanup)                                                                      \
	X(t, p, mime_addpart)                                                                      \
	X(t, p, mime_data)                                                                         \
	X(t, p, mime_encoder)                                                                      \
	X(t, p, mime_free)                                                                         \
	X(t, p, mime_headers)                                                                      \
	X(t, p, mime_init)                                                                         \
	X(t, p, mime_type)                                                                         \
	X(t, p, slist_append)                                                                      \
	X(t, p, slist_free_all)

struct smtp_curl {
	SMTP_CURL(LAZYLIB_FIELD, _, curl_)
};

/* Filled once per process by smtp_global_init() (lazylib.h). */
static struct smtp_curl cu;
static struct lazylib_once cu_once;

static const struct lazylib smtp_curl_lib =
    LAZYLIB(SMTP_LIBRARY, SMTP_CURL, struct smtp_curl, curl_);

void smtp_global_init(void)
{
	/* Never closed: libcurl stays initialized for the process. */
	if (!lazylib_open_once(&cu_once, &smtp_curl_lib, 1, &cu))
		cu.global_init(CURL_GLOBAL_DEFAULT);
}

/* RFC 2047: a header text with anything beyond ASCII as one B-encoded
 * word (mail readers join long ones). */
static char *smtp_header_text(const char *text)
{
	g_autofree char *b64 = NULL;

	for (const char *p = text; *p; p++)
		if ((unsigned char)*p >= 0x80)
			goto encode;
	return g_strdup(text);
encode:
	b64 = g_base64_encode((const guchar *)text, strlen(text));
	return g_strdup_printf("=?UTF-8?B?%s?=", b64);
}

/* RFC 5322's date, in English whatever the locale. */
static char *smtp_date(void)
{
	static const char *const days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree char *day = g_date_time_format(now, "%d");
	g_autofree char *rest = g_date_time_format(now, "%Y %H:%M:%S +0000");

	return g_strdup_printf("%s, %s %s %s", days[g_date_time_get_day_of_week(now) - 1], day,
			       months[g_date_time_get_month(now) - 1], rest);
}

int smtp_send(const struct smtp_settings *s, const struct smtp_message *m, char **ret_error)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	g_autofree char *subject = smtp_header_text(m->subject);
	g_autofree char *h_subject = g_strdup_printf("Subject: %s", subject);
	g_autofree char *h_from = g_strdup_printf("From: <%s>", s->from);
	g_autofree char *h_to = g_strdup_printf("To: <%s>", m->to);
	g_autofree char *date = smtp_date();
	g_autofree char *h_date = g_strdup_printf("Date: %s", date);
	g_autofree char *uuid = g_uuid_string_random();
	const char *domain = strchr(s->from, '@');
	g_autofree char *h_id = g_strdup_printf("Message-ID: <%s%s>", uuid, domain);
	struct curl_slist *rcpt = NULL, *headers = NULL, *part_headers = NULL;
	curl_mime *mime = NULL;
	curl_mimepart *part;
	CURL *curl;
	CURLcode rc;
	int ret = -EIO;

	if (cu_once.why || !cu.easy_init) {
		*ret_error = g_strdup_printf("libcurl could not be loaded: %s; install libcurl4",
					     cu_once.why ? cu_once.why
							 : "smtp_global_init() was not called");
		return -ENOENT;
	}
	curl = cu.easy_init();
	if (!curl) {
		*ret_error = g_strdup("libcurl could not start a transfer");
		return -ENOMEM;
	}
	rcpt = cu.slist_append(rcpt, m->to);
	headers = cu.slist_append(headers, h_date);
	headers = cu.slist_append(headers, h_from);
	headers = cu.slist_append(headers, h_to);
	headers = cu.slist_append(headers, h_subject);
	headers = cu.slist_append(headers, h_id);
	mime = cu.mime_init(curl);
	part = cu.mime_addpart(mime);
	cu.mime_data(part, m->body, CURL_ZERO_TERMINATED);
	cu.mime_type(part, "text/plain; charset=UTF-8");
	cu.mime_encoder(part, "quoted-printable");
	part_headers = cu.slist_append(part_headers, "Content-Disposition: inline");
	cu.mime_headers(part, part_headers, 1); /* the part frees them */

	cu.easy_setopt(curl, CURLOPT_URL, s->url);
	cu.easy_setopt(curl, CURLOPT_MAIL_FROM, s->from);
	cu.easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
	cu.easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	cu.easy_setopt(curl, CURLOPT_MIMEPOST, mime);
	cu.easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	cu.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	cu.easy_setopt(curl, CURLOPT_TIMEOUT, (long)s->timeout_s);
	cu.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, (long)MIN(s->timeout_s, 15));
	if (s->starttls)
		cu.easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (s->ca_file)
		cu.easy_setopt(curl, CURLOPT_CAINFO, s->ca_file);
	if (s->username) {
		cu.easy_setopt(curl, CURLOPT_USERNAME, s->username);
		cu.easy_setopt(curl, CURLOPT_PASSWORD, s->password ? s->password : "");
	}
	rc = cu.easy_perform(curl);
	if (rc == CURLE_OK) {
		ret = 0;
	} else {
		/* The buffer's words are the more specific ("Failed to connect to
		 * HOST port N …: Couldn't connect to server"). */
		*ret_error = g_strdup(*errbuf ? errbuf : cu.easy_strerror(rc));
		ret = rc == CURLE_OUT_OF_MEMORY ? -ENOMEM : -EIO;
	}
	cu.slist_free_all(rcpt);
	cu.slist_free_all(headers);
	cu.mime_free(mime);
	cu.easy_cleanup(curl);
	return ret;
}
