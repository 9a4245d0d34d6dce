/* SPDX-License-Identifier: GPL-3.0-or-later */
/* smtp: see smtp.h. */

#include "smtp.h"

#include <curl/curl.h>
#include <errno.h>
#include <string.h>

void smtp_global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
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
	CURL *curl = curl_easy_init();
	CURLcode rc;
	int ret = -EIO;

	if (!curl) {
		*ret_error = g_strdup("libcurl could not start a transfer");
		return -ENOMEM;
	}
	rcpt = curl_slist_append(rcpt, m->to);
	headers = curl_slist_append(headers, h_date);
	headers = curl_slist_append(headers, h_from);
	headers = curl_slist_append(headers, h_to);
	headers = curl_slist_append(headers, h_subject);
	headers = curl_slist_append(headers, h_id);
	mime = curl_mime_init(curl);
	part = curl_mime_addpart(mime);
	curl_mime_data(part, m->body, CURL_ZERO_TERMINATED);
	curl_mime_type(part, "text/plain; charset=UTF-8");
	curl_mime_encoder(part, "quoted-printable");
	part_headers = curl_slist_append(part_headers, "Content-Disposition: inline");
	curl_mime_headers(part, part_headers, 1); /* the part frees them */

	curl_easy_setopt(curl, CURLOPT_URL, s->url);
	curl_easy_setopt(curl, CURLOPT_MAIL_FROM, s->from);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_MIMEPOST, mime);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)s->timeout_s);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, (long)MIN(s->timeout_s, 15));
	if (s->starttls)
		curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (s->ca_file)
		curl_easy_setopt(curl, CURLOPT_CAINFO, s->ca_file);
	if (s->username) {
		curl_easy_setopt(curl, CURLOPT_USERNAME, s->username);
		curl_easy_setopt(curl, CURLOPT_PASSWORD, s->password ? s->password : "");
	}
	rc = curl_easy_perform(curl);
	if (rc == CURLE_OK) {
		ret = 0;
	} else {
		/* The buffer's words are the more specific ("Failed to connect to
		 * HOST port N …: Couldn't connect to server"). */
		*ret_error = g_strdup(*errbuf ? errbuf : curl_easy_strerror(rc));
		ret = rc == CURLE_OUT_OF_MEMORY ? -ENOMEM : -EIO;
	}
	curl_slist_free_all(rcpt);
	curl_slist_free_all(headers);
	curl_mime_free(mime);
	curl_easy_cleanup(curl);
	return ret;
}
