/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rtt: the real-time text of one booth session (EN 301 549 6.2), as the
 * two sides see it.  The text travels as ITU-T T.140 over a WebRTC data
 * channel (RFC 8865, label "t140", protocol "t140"): UTF-8 characters one
 * burst at a time, BACKSPACE (U+0008) erasing the last character, LINE
 * SEPARATOR (U+2028, or CR LF) ending a line, ZERO WIDTH NO-BREAK SPACE
 * (U+FEFF) a keep-alive that shows nothing.
 *
 * Each side's text is what that side's screen shows: rtt_apply() folds a
 * received burst into it.  The text lives in memory for the session only.
 * A transcript is kept only while rtt_transcribe() says so (the customer's
 * consent to record covers it): a line goes into it when it is finished,
 * stamped with the time it was finished, so nothing typed before the
 * consent, or erased before the line ended, is in it.  Pure: no clock (the
 * caller passes @now), no I/O.
 */
#pragma once

#include <glib.h>
#include <stdint.h>

enum rtt_side {
	RTT_CUSTOMER = 0,
	RTT_EXPERT,
};

/* A side's text is cut (whole lines first) to about this many bytes. */
#define RTT_TEXT_MAX 4096

struct rtt;

struct rtt *rtt_new(void);
void rtt_free(struct rtt *r);
typedef struct rtt Rtt; /* for g_autoptr(Rtt) only */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Rtt, rtt_free)

/* Folds the T.140 burst @chunk (@len bytes, -1: NUL-terminated) from @side
 * into that side's text at time @now (unix seconds).  -EINVAL when @chunk
 * is not UTF-8 (nothing changes). */
int rtt_apply(struct rtt *r, enum rtt_side side, const char *chunk, gssize len, int64_t now);
/* The side's text as its screen shows it: lines end with '\n'. */
const char *rtt_text(const struct rtt *r, enum rtt_side side);
/* From now on (or no longer), finished lines go into the transcript. */
void rtt_transcribe(struct rtt *r, gboolean on);
/* The transcript, with the lines still being typed at @now; NULL when
 * nothing was transcribed (no consent, or no text). */
char *rtt_transcript(struct rtt *r, int64_t now);
