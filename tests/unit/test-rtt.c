/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of firmware/booth/rtt.c: T.140 bursts folded into what a screen
 * shows (characters, BACKSPACE, LINE SEPARATOR and CR LF, the no-op
 * U+FEFF), bytes that are not UTF-8 refused, the bound on a side's text,
 * and the transcript: nothing without consent, finished lines only from the
 * consent on, the unfinished ones at the end. */
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "rtt.h"

#define NOW 1764900000 /* any fixed time */

static void test_typing(void)
{
	g_autoptr(Rtt) r = rtt_new();

	g_assert_cmpint(rtt_apply(r, RTT_CUSTOMER, "Hej", -1, NOW), ==, 0);
	g_assert_cmpint(rtt_apply(r, RTT_CUSTOMER, "\b\bi", -1, NOW), ==, 0);
	g_assert_cmpstr(rtt_text(r, RTT_CUSTOMER), ==, "Hi");
	g_assert_cmpstr(rtt_text(r, RTT_EXPERT), ==, "");
	/* U+2028 and CR LF end a line; U+FEFF shows nothing. */
	rtt_apply(r, RTT_CUSTOMER, "\xe2\x80\xa8ö\xef\xbb\xbf\r\nä\n", -1, NOW);
	g_assert_cmpstr(rtt_text(r, RTT_CUSTOMER), ==, "Hi\nö\nä\n");
	/* An erase goes back over line ends and whole characters. */
	rtt_apply(r, RTT_CUSTOMER, "\b\b\b", -1, NOW);
	g_assert_cmpstr(rtt_text(r, RTT_CUSTOMER), ==, "Hi\nö");
	rtt_apply(r, RTT_CUSTOMER, "\b\b\b\b\b", -1, NOW);
	g_assert_cmpstr(rtt_text(r, RTT_CUSTOMER), ==, "");
	/* Other controls are dropped. */
	rtt_apply(r, RTT_EXPERT,
		  "a\x07\x1b"
		  "b",
		  -1, NOW);
	g_assert_cmpstr(rtt_text(r, RTT_EXPERT), ==, "ab");
}

static void test_not_utf8(void)
{
	g_autoptr(Rtt) r = rtt_new();

	rtt_apply(r, RTT_EXPERT, "ok", -1, NOW);
	g_assert_cmpint(rtt_apply(r, RTT_EXPERT, "\xff\xfe", 2, NOW), ==, -EINVAL);
	g_assert_cmpint(rtt_apply(r, RTT_EXPERT, "\xc3", 1, NOW), ==, -EINVAL);
	g_assert_cmpstr(rtt_text(r, RTT_EXPERT), ==, "ok");
}

static void test_bounded(void)
{
	g_autoptr(Rtt) r = rtt_new();
	const char *t;

	for (int i = 0; i < 3000; i++)
		rtt_apply(r, RTT_EXPERT, i % 40 == 39 ? "\xe2\x80\xa8" : "ä", -1, NOW);
	t = rtt_text(r, RTT_EXPERT);
	g_assert_cmpuint(strlen(t), <=, RTT_TEXT_MAX);
	g_assert_true(g_utf8_validate(t, -1, NULL));
	g_assert_true(g_str_has_suffix(t, "ää\n"));
	/* Long line without an end: cut inside it, at a character. */
	for (int i = 0; i < 5000; i++)
		rtt_apply(r, RTT_CUSTOMER, "ö", -1, NOW);
	g_assert_cmpuint(strlen(rtt_text(r, RTT_CUSTOMER)), <=, RTT_TEXT_MAX);
	g_assert_true(g_utf8_validate(rtt_text(r, RTT_CUSTOMER), -1, NULL));
	rtt_apply(r, RTT_CUSTOMER, "\b", -1, NOW);
	g_assert_true(g_utf8_validate(rtt_text(r, RTT_CUSTOMER), -1, NULL));
}

static void test_transcript(void)
{
	g_autoptr(Rtt) r = rtt_new();
	g_autofree char *none = NULL;
	g_autofree char *some = NULL;

	rtt_apply(r, RTT_CUSTOMER, "before consent\xe2\x80\xa8", -1, NOW);
	rtt_apply(r, RTT_EXPERT, "also before\xe2\x80\xa8", -1, NOW);
	none = rtt_transcript(r, NOW);
	g_assert_null(none);
	rtt_transcribe(r, TRUE);
	rtt_apply(r, RTT_EXPERT, "Hello, typo\b\b\b\bthere\xe2\x80\xa8", -1, NOW);
	rtt_apply(r, RTT_CUSTOMER, "I need help", -1, NOW + 5);
	some = rtt_transcript(r, NOW + 9);
	g_assert_nonnull(some);
	g_assert_null(strstr(some, "before"));
	g_assert_null(strstr(some, "typo"));
	g_assert_nonnull(strstr(some, " expert: Hello, there\n"));
	g_assert_nonnull(strstr(some, " customer: I need help\n"));
	g_assert_true(strstr(some, "expert:") < strstr(some, "customer:"));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/rtt/typing", test_typing);
	g_test_add_func("/rtt/not-utf8", test_not_utf8);
	g_test_add_func("/rtt/bounded", test_bounded);
	g_test_add_func("/rtt/transcript", test_transcript);
	return g_test_run();
}
