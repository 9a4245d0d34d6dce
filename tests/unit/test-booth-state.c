/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of firmware/booth/session_state.c: every (from, to, reason) against
 * the session's life as the booth tells it — waiting → ringing →
 * connecting → live → ended, a resume back through connecting, an end from
 * anywhere with a reason, nothing after the end — and what a refusal says;
 * then random walks that only take legal steps always end. */
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "session_state.h"

#define N_STATES  (SESSION_ENDED + 1)
#define N_REASONS (SESSION_END_ERROR + 1)

/* The session's life written out pair by pair, independent of the table. */
static gboolean expected(enum session_state from, enum session_state to, enum session_end reason)
{
	static const struct {
		enum session_state from, to;
	} steps[] = {
	    {SESSION_WAITING, SESSION_RINGING},       /* the offer went out */
	    {SESSION_RINGING, SESSION_CONNECTING},    /* the answer came */
	    {SESSION_CONNECTING, SESSION_CONNECTING}, /* a resumed session's answer */
	    {SESSION_CONNECTING, SESSION_LIVE},       /* ICE and DTLS done */
	    {SESSION_LIVE, SESSION_CONNECTING},       /* resume after a drop */
	};

	if (from == SESSION_ENDED)
		return FALSE;
	if (to == SESSION_ENDED)
		return reason != SESSION_END_NONE;
	if (reason != SESSION_END_NONE)
		return FALSE;
	for (size_t i = 0; i < G_N_ELEMENTS(steps); i++)
		if (steps[i].from == from && steps[i].to == to)
			return TRUE;
	return FALSE;
}

static void test_every_transition(void)
{
	int legal = 0;

	for (int from = 0; from < N_STATES; from++)
		for (int to = 0; to < N_STATES; to++)
			for (int reason = 0; reason < N_REASONS; reason++) {
				g_autoptr(GError) error = NULL;
				int rc = session_transition_check(from, to, reason, &error);

				if (expected(from, to, reason)) {
					g_assert_cmpint(rc, ==, 0);
					g_assert_no_error(error);
					legal++;
				} else {
					g_assert_cmpint(rc, ==, -EINVAL);
					g_assert_error(error, SESSION_ERROR, EINVAL);
				}
			}
	/* 5 steps + 4 live states × 5 reasons to end */
	g_assert_cmpint(legal, ==, 5 + 4 * 5);
}

static void test_refusals_say_why(void)
{
	struct {
		enum session_state from, to;
		enum session_end reason;
		const char *says;
	} cases[] = {
	    {SESSION_WAITING, SESSION_LIVE, SESSION_END_NONE,
	     "session state waiting → live refused: not a step of"},
	    {SESSION_ENDED, SESSION_LIVE, SESSION_END_NONE, "the session has ended"},
	    {SESSION_ENDED, SESSION_ENDED, SESSION_END_ERROR, "ended → ended error refused"},
	    {SESSION_LIVE, SESSION_ENDED, SESSION_END_NONE, "an end needs a reason"},
	    {SESSION_RINGING, SESSION_CONNECTING, SESSION_END_NO_ANSWER,
	     "only an end has a reason"},
	    {SESSION_LIVE, (enum session_state)9, SESSION_END_NONE, "no such state"},
	    {SESSION_LIVE, SESSION_ENDED, (enum session_end)42, "no such end reason"},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;

		g_assert_cmpint(
		    session_transition_check(cases[i].from, cases[i].to, cases[i].reason, &error),
		    ==, -EINVAL);
		g_assert_nonnull(error);
		if (!strstr(error->message, cases[i].says))
			g_error("case %zu: \"%s\" does not say \"%s\"", i, error->message,
				cases[i].says);
	}
	/* NULL error is allowed */
	g_assert_cmpint(session_transition_check(SESSION_ENDED, SESSION_WAITING, 0, NULL), ==,
			-EINVAL);
}

static void test_names(void)
{
	g_assert_cmpstr(session_state_name(SESSION_CONNECTING), ==, "connecting");
	g_assert_cmpstr(session_state_name((enum session_state)77), ==, "?");
	g_assert_cmpstr(session_end_name(SESSION_END_CUSTOMER_LEFT), ==, "customer_left");
	g_assert_null(session_end_name(SESSION_END_NONE));
	g_assert_null(session_end_name((enum session_end)77));
}

/* Random sessions: at each step try a random (to, reason); a legal one is
 * taken.  Every walk stays in the states, never leaves ended, and one that
 * is pushed to end gets there. */
static void test_random_walks(void)
{
	GRand *rand = g_rand_new_with_seed(12);

	for (int walk = 0; walk < 2000; walk++) {
		enum session_state s = SESSION_WAITING;

		for (int step = 0; step < 40; step++) {
			enum session_state to = g_rand_int_range(rand, 0, N_STATES);
			enum session_end reason =
			    to == SESSION_ENDED ? g_rand_int_range(rand, 0, N_REASONS) : 0;

			if (session_transition_check(s, to, reason, NULL) == 0) {
				g_assert_true(s != SESSION_ENDED);
				s = to;
			}
		}
		if (s != SESSION_ENDED)
			g_assert_cmpint(
			    session_transition_check(s, SESSION_ENDED, SESSION_END_ERROR, NULL), ==,
			    0);
	}
	g_rand_free(rand);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/booth-state/every-transition", test_every_transition);
	g_test_add_func("/booth-state/refusals-say-why", test_refusals_say_why);
	g_test_add_func("/booth-state/names", test_names);
	g_test_add_func("/booth-state/random-walks", test_random_walks);
	return g_test_run();
}
