/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * record: one message of the records stream read as the hub stores it — or
 * the reason it cannot be (a reject).  Pure: no I/O, no clock.
 *
 * The contract (briefs/fleet-contract.md, DESIGN.md "Records"): subject
 * vuoro.rec.<site>.<kind>, header Nats-Msg-Id <site>-<epoch>-<seq> parsed
 * from the right (a site id may hold '-'; epoch is hex), body the record JSON
 * {"v", "kind", "seq", "at", …}.  Every field the database casts is checked
 * here for its JSON type and range, so a batch of checked records cannot
 * fail in PostgreSQL on a value (hub_db still isolates one that does).
 * Fields a later version adds are kept in the raw JSON.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdint.h>

struct record {
	char *site;
	char *epoch;
	int64_t seq;
	char *kind;
	JsonNode *body; /* the record object */
};

/* 0 and @ret filled, or -EINVAL with @ret_reason (caller frees) saying what
 * is wrong.  @msg_id may be NULL (then a reject). */
int record_read(const char *subject, const char *msg_id, const char *data, size_t len,
		struct record *ret, char **ret_reason);
void record_clear(struct record *r);

/* Adds {"site", "epoch", "seq", "kind", "r"} to @b (inside an array). */
void record_add_to(const struct record *r, JsonBuilder *b);
