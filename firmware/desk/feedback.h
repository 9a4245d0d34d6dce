/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * feedback: a customer's rating (1..5) of the visit that just ended.
 *
 * A rating from a feedback button (GPIO, "panel.feedback"), the booth screen
 * or the kiosk is tied to the visit that ended last — at the given counter,
 * or anywhere when none is given — within [queue] feedback-window-seconds,
 * once per visit; otherwise it is kept untied (it still counts for the site).
 * The feedback table holds the ticket, service, provider, counter, rating,
 * source and time: never who the customer is.
 */
#pragma once

#include <glib.h>

#include "bus.h"
#include "config.h"
#include "desk.h"

struct feedback;

struct feedback *feedback_new(const struct config *cfg, struct desk *desk, struct bus *bus);
void feedback_free(struct feedback *f);
typedef struct feedback Feedback; /* for g_autoptr(Feedback) only */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Feedback, feedback_free)

/* Stores @rating from @source ("button:smiley-good", "booth:4", "kiosk");
 * @counter 0: the last visit anywhere.  Returns 1 when tied to a visit, 0
 * when kept untied, or a negative errno with @error set; the rating's row
 * id into @ret_id (may be NULL), for its words (store_feedback_words). */
int feedback_give(struct feedback *f, int rating, int counter, const char *source, int64_t *ret_id,
		  GError **error);
