/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of firmware/web/http_guard.c's pure parts: the JSON depth scanner
 * (what json-glib is spared) and the fd count /api/health uses. */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include <unistd.h>

#include "http_guard.h"

static int depth(const char *text, int max)
{
	return http_guard_json_depth(text, strlen(text), max);
}

static void test_depth_counts_arrays_and_objects(void)
{
	g_assert_cmpint(depth("", 1), ==, 0);
	g_assert_cmpint(depth("{}", 1), ==, 0);
	g_assert_cmpint(depth("{\"a\":[]}", 1), ==, -E2BIG);
	g_assert_cmpint(depth("{\"a\":[]}", 2), ==, 0);
	/* Siblings do not add up. */
	g_assert_cmpint(depth("[[],[],{},[{}]]", 3), ==, 0);
	g_assert_cmpint(depth("[[],[],{},[{}]]", 2), ==, -E2BIG);
}

static void test_depth_ignores_strings_and_escapes(void)
{
	g_assert_cmpint(depth("{\"[[[[\":\"{{{{\"}", 1), ==, 0);
	/* An escaped quote does not end the string; an escaped backslash does not
	 * escape the quote after it. */
	g_assert_cmpint(depth("[\"\\\"[[[\"]", 1), ==, 0);
	g_assert_cmpint(depth("[\"\\\\\",[[]]]", 2), ==, -E2BIG);
	g_assert_cmpint(depth("[\"\\\\\",[[]]]", 3), ==, 0);
}

static void test_depth_of_an_attack(void)
{
	gsize n = 100000;
	g_autofree char *text = g_malloc(2 * n);

	memset(text, '[', n);
	memset(text + n, ']', n);
	g_assert_cmpint(http_guard_json_depth(text, 2 * n, 64), ==, -E2BIG);
	g_assert_cmpint(http_guard_json_depth(text + n - 64, 128, 64), ==, 0);
	/* Unbalanced closers do not go below zero and open a budget. */
	g_assert_cmpint(depth("]]]][[", 1), ==, -E2BIG);
}

static void test_fd_use_sees_a_new_fd(void)
{
	g_autofree char *fault = NULL;
	unsigned used, used2, limit;
	int fd;

	g_assert_cmpint(http_guard_fd_use(&used, &limit), ==, 0);
	g_assert_cmpuint(limit, >, 0);
	fd = dup(0);
	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(http_guard_fd_use(&used2, &limit), ==, 0);
	close(fd);
	g_assert_cmpuint(used2, ==, used + 1);
	g_assert_null(http_guard_fd_fault(100));
	fault = http_guard_fd_fault(0);
	g_assert_nonnull(fault);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/http-guard/depth/nesting", test_depth_counts_arrays_and_objects);
	g_test_add_func("/http-guard/depth/strings", test_depth_ignores_strings_and_escapes);
	g_test_add_func("/http-guard/depth/attack", test_depth_of_an_attack);
	g_test_add_func("/http-guard/fd-use", test_fd_use_sees_a_new_fd);
	return g_test_run();
}
