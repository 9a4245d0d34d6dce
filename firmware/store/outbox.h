/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * outbox: the records a site sends its region's hub (issue 15), built as
 * JSON text for the store's outbox table.  The store writes them in the
 * transaction of the change each describes (store.c), only when the site
 * has an [uplink].
 *
 * Every record: {"v": OUTBOX_VERSION, "kind": "...", "seq": N, "at": unix
 * seconds, ...}; seq is the outbox row's id: the builders below make the
 * record with "seq": 0, the store gives it its seq with outbox_finish.  Site-local ids only
 * (ticket, visit, session, counter numbers); services and providers by code.  Never a name, an
 * identity code, a follow reference or free text (feedback comments, transfer notes, e-mails, error
 * messages): only codes, numbers and times.  The kinds and their fields are in DESIGN.md,
 * "Records".
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "queue.h"
#include "store.h"

#define OUTBOX_VERSION 1

/* The record's text with its @seq; takes @record. */
char *outbox_finish(JsonNode *record, int64_t seq);

/* "ticket.issued" */
JsonNode *outbox_ticket_issued(const struct config *cfg, const struct queue_ticket *t, int64_t at);
/* "visit": a finished leg (ended, no-show, transferred on, cancelled …);
 * @visit_id the visits row, @note what the core added (may be NULL). */
JsonNode *outbox_visit(const struct config *cfg, int64_t visit_id, const struct queue_visit *v,
		       const struct store_visit_note *note);
/* "counter.opened" / "counter.closed" (a booth is a counter of kind expert) */
JsonNode *outbox_counter(const struct queue_counter *c, bool opened, int64_t at);

/* A remote-service session's facts at its end: "session.ended". */
struct outbox_session {
	int64_t id;
	int booth;
	uint32_t ticket;
	int32_t day;
	const char *service, *provider, *end_reason, *video_codec, *consent;
	int64_t created_at, ringing_at, connecting_at, live_at, ended_at;
	int reconnects;
};
JsonNode *outbox_session_ended(const struct outbox_session *ss);

/* "feedback": a rating, tied to its visit's ticket or not (ticket 0,
 * "tied": false); the comment, if any, is never sent. */
JsonNode *outbox_feedback(const struct store_feedback *fb);

/* "fault.raised" / "fault.cleared": @device and @code are identifiers
 * ("printer", "paper_out"), never a message. */
JsonNode *outbox_fault(const char *device, const char *code, bool raised, int64_t at);

/* "day.summary" at the daily reset: the figures of service day @day. */
struct outbox_day_line {
	const char *service, *provider, *channel, *outcome;
	int64_t visits, wait_s, service_s;
};
struct outbox_day {
	int32_t day;
	int64_t at;
	int64_t tickets;
	int64_t feedback, feedback_sum;
	const struct outbox_day_line *lines;
	guint n_lines;
};
JsonNode *outbox_day_summary(const struct outbox_day *d);
