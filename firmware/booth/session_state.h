/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * session_state: the state machine of a booth's video session, pure (no
 * clock, no I/O, no GStreamer) so that it is tested on its own.
 *
 *   waiting → ringing → connecting → live → ended
 *                          ↑  ↺        │
 *                          └───────────┘  (a resumed session renegotiates)
 *
 * Every state but ended may end; ended is final.  A session ends with a
 * reason and only ended carries one.  booth.c changes a session's state
 * only through session_set_state(), which asks session_transition_check()
 * first, then writes the change, then tells anybody.
 */
#pragma once

#include <glib.h>

enum session_state {
	SESSION_WAITING = 0, /* the customer is called, the pipeline starts */
	SESSION_RINGING,     /* the offer went to the expert's browser */
	SESSION_CONNECTING,  /* its answer came (or a resume): ICE and DTLS run */
	SESSION_LIVE,        /* media flows: the service started */
	SESSION_ENDED,       /* with a reason; final */
};

enum session_end {
	SESSION_END_NONE = 0,
	SESSION_END_EXPERT,
	SESSION_END_CUSTOMER_LEFT,
	SESSION_END_NETWORK_LOST,
	SESSION_END_NO_ANSWER,
	SESSION_END_ERROR,
};

#define SESSION_ERROR (session_error_quark())
GQuark session_error_quark(void);

const char *session_state_name(enum session_state s);
const char *session_end_name(enum session_end e);

/* 0 when a session in @from may go to @to with @reason (SESSION_END_NONE
 * unless @to is ended); else -EINVAL and @error (SESSION_ERROR, EINVAL)
 * names the refused transition and why. */
int session_transition_check(enum session_state from, enum session_state to,
			     enum session_end reason, GError **error);
