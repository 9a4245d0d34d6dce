/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * session_state: the legal transitions of a booth's session (see
 * session_state.h), as one table.
 */

#include "session_state.h"

#include <errno.h>

G_DEFINE_QUARK(vuoro - session - error - quark, session_error)

static const char *const state_names[] = {
    [SESSION_WAITING] = "waiting",       [SESSION_RINGING] = "ringing",
    [SESSION_CONNECTING] = "connecting", [SESSION_LIVE] = "live",
    [SESSION_ENDED] = "ended",
};

static const char *const end_names[] = {
    [SESSION_END_NONE] = NULL,
    [SESSION_END_EXPERT] = "expert_ended",
    [SESSION_END_CUSTOMER_LEFT] = "customer_left",
    [SESSION_END_NETWORK_LOST] = "network_lost",
    [SESSION_END_NO_ANSWER] = "no_answer",
    [SESSION_END_ERROR] = "error",
};

#define TO(s) (1u << (s))

/* legal[from]: the states a session may go to from there.  connecting →
 * connecting is a resumed session's answer (its second offer); live →
 * connecting a resume after the link dropped. */
static const unsigned legal[] = {
    [SESSION_WAITING] = TO(SESSION_RINGING) | TO(SESSION_ENDED),
    [SESSION_RINGING] = TO(SESSION_CONNECTING) | TO(SESSION_ENDED),
    [SESSION_CONNECTING] = TO(SESSION_CONNECTING) | TO(SESSION_LIVE) | TO(SESSION_ENDED),
    [SESSION_LIVE] = TO(SESSION_CONNECTING) | TO(SESSION_ENDED),
    [SESSION_ENDED] = 0,
};

const char *session_state_name(enum session_state s)
{
	return (unsigned)s < G_N_ELEMENTS(state_names) ? state_names[s] : "?";
}

const char *session_end_name(enum session_end e)
{
	return (unsigned)e < G_N_ELEMENTS(end_names) ? end_names[e] : NULL;
}

int session_transition_check(enum session_state from, enum session_state to,
			     enum session_end reason, GError **error)
{
	const char *why = NULL;

	if ((unsigned)from >= G_N_ELEMENTS(legal) || (unsigned)to >= G_N_ELEMENTS(legal))
		why = "no such state";
	else if ((unsigned)reason >= G_N_ELEMENTS(end_names))
		why = "no such end reason";
	else if (from == SESSION_ENDED)
		why = "the session has ended";
	else if (!(legal[from] & TO(to)))
		why = "not a step of waiting → ringing → connecting → live → ended";
	else if (to == SESSION_ENDED && reason == SESSION_END_NONE)
		why = "an end needs a reason";
	else if (to != SESSION_ENDED && reason != SESSION_END_NONE)
		why = "only an end has a reason";
	if (!why)
		return 0;
	g_set_error(error, SESSION_ERROR, EINVAL, "session state %s → %s%s%s refused: %s",
		    session_state_name(from), session_state_name(to), reason ? " " : "",
		    reason ? (session_end_name(reason) ? session_end_name(reason) : "?") : "", why);
	return -EINVAL;
}
