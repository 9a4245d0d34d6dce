/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of firmware/web/auth.c: the login throttle as a state machine driven
 * by a test clock, constant-time token equality, pairing codes. */
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "auth.h"

#define S G_USEC_PER_SEC

static void test_throttle_delays_grow_and_cap(void)
{
	struct auth_throttle *t = auth_throttle_new();
	int64_t now = 1000 * S;
	int retry = 0;

	for (int i = 0; i < AUTH_THROTTLE_FREE - 1; i++)
		g_assert_cmpint(auth_throttle_attempt(t, "addr:a", now, &retry), ==, 0);
	/* The fifth failure is counted, then its 1-s delay runs. */
	g_assert_cmpint(auth_throttle_attempt(t, "addr:a", now, &retry), ==, 0);
	g_assert_cmpint(auth_throttle_attempt(t, "addr:a", now, &retry), ==, -EAGAIN);
	g_assert_cmpint(retry, ==, 1);
	/* Refused attempts are not counted; each one after the delay doubles it. */
	g_assert_cmpint(auth_throttle_failures(t, "addr:a"), ==, 5);
	for (int expect = 2; expect <= 32; expect *= 2) {
		now += (expect / 2) * S;
		g_assert_cmpint(auth_throttle_attempt(t, "addr:a", now, &retry), ==, 0);
		g_assert_cmpint(auth_throttle_attempt(t, "addr:a", now, &retry), ==, -EAGAIN);
		g_assert_cmpint(retry, ==, expect);
	}
	now += 32 * S;
	g_assert_cmpint(auth_throttle_attempt(t, "addr:a", now, &retry), ==, 0);
	g_assert_cmpint(auth_throttle_attempt(t, "addr:a", now, &retry), ==, -EAGAIN);
	g_assert_cmpint(retry, ==, AUTH_THROTTLE_MAX_S);
	now += 60 * S;
	g_assert_cmpint(auth_throttle_attempt(t, "addr:a", now, &retry), ==, 0);
	g_assert_cmpint(auth_throttle_attempt(t, "addr:a", now + S / 2, &retry), ==, -EAGAIN);
	g_assert_cmpint(retry, ==, AUTH_THROTTLE_MAX_S); /* rounded up */
	/* Another key is not touched; a quiet window forgets. */
	g_assert_cmpint(auth_throttle_attempt(t, "addr:b", now, &retry), ==, 0);
	now += (int64_t)(AUTH_THROTTLE_WINDOW_S + 61) * S;
	g_assert_cmpint(auth_throttle_attempt(t, "addr:a", now, &retry), ==, 0);
	g_assert_cmpint(auth_throttle_failures(t, "addr:a"), ==, 1);
	auth_throttle_free(t);
}

static void test_throttle_success_takes_back_only_itself(void)
{
	struct auth_throttle *t = auth_throttle_new();
	int retry = 0;

	for (int i = 0; i < 4; i++)
		auth_throttle_attempt(t, "addr:a", 0, &retry);
	/* An own login: counted first, taken back when right. */
	g_assert_cmpint(auth_throttle_attempt(t, "addr:a", 0, &retry), ==, 0);
	auth_throttle_succeeded(t, "addr:a", false);
	g_assert_cmpint(auth_throttle_failures(t, "addr:a"), ==, 4);
	g_assert_cmpint(auth_throttle_attempt(t, "addr:a", 0, &retry), ==, 0);
	g_assert_cmpint(auth_throttle_attempt(t, "addr:a", 0, &retry), ==, -EAGAIN);
	auth_throttle_succeeded(t, "addr:a", true);
	g_assert_cmpint(auth_throttle_failures(t, "addr:a"), ==, 0);
	auth_throttle_free(t);
}

static void test_token_equal_and_codes(void)
{
	g_autofree char *a = auth_token_new();
	g_autofree char *b = g_strdup(a);
	g_autofree char *code = auth_pair_code_new();

	g_assert_true(auth_token_equal(a, b));
	b[63] = b[63] == '0' ? '1' : '0';
	g_assert_false(auth_token_equal(a, b));
	g_assert_false(auth_token_equal(a, "short"));
	g_assert_false(auth_token_equal(a, NULL));
	g_assert_cmpuint(strlen(code), ==, AUTH_PAIR_DIGITS);
	for (const char *c = code; *c; c++)
		g_assert_true(g_ascii_isdigit(*c));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_assert_cmpint(auth_init(), ==, 0);
	g_test_add_func("/auth/throttle/delays", test_throttle_delays_grow_and_cap);
	g_test_add_func("/auth/throttle/success", test_throttle_success_takes_back_only_itself);
	g_test_add_func("/auth/token-equal", test_token_equal_and_codes);
	return g_test_run();
}
