/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * visit: what a visit gathers besides the queue — who the customer proved
 * to be, the category of the matter, the video session — and the one way it
 * is stored.
 *
 *   identity check → identity_checks row (durable) → kept for the visit
 *   END / NO_SHOW / TRANSFER → the visit row with its category, identity,
 *                              session and consent, in the command's own
 *                              transaction (desk_exec, desk_submit)
 *
 * So a visit is never seen ended without its category or identity, and an
 * END the store refused leaves nothing behind: not the visit, not its
 * category, and the identity stays kept for the next try.  The identity
 * with the name and the identity code lives in memory only, for the staff
 * member who serves the visit; it is forgotten when the ticket's visit ends
 * for good (or at a restart).  The module belongs to the desk
 * (desk_visits); the HTTP layer only parses requests and calls it.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "queue.h"
#include "store.h"

struct desk;
struct visits;

struct visits *visits_new(struct desk *desk);
void visits_free(struct visits *v);

/* An identity check for @ticket's visit: by card (verdict verified,
 * wrong_pin, …) or a document a person checked (verdict checked). */
struct visit_check {
	uint32_t ticket;
	int32_t day;
	int counter;     /* the counter or booth; 0 at the ticket kiosk */
	int64_t session; /* the booth session, 0 none */
	const char *method, *verdict, *detail, *document_type;
	const char *cert_issuer, *cert_serial, *id_hmac; /* never the identity code */
	const char *user;                                /* who checked; NULL at a kiosk */
	int64_t at;
};

/* Stores @c; then, while @ticket's visit runs, keeps @shown (the result as
 * who serves the visit sees it: with the name and identity code) as its
 * identity: a card that passed stays (a document checked after it is
 * added to it), another pass replaces anything else, a failure only
 * another failure.  The visit's row gets the method and verdict of the
 * last check that passed (else the last failure's verdict) and the
 * document type shown.  Returns 0, or a negative errno with @error when it was
 * not stored (then nothing is kept). */
int visit_identity_add(struct visits *v, const struct visit_check *c, JsonNode *shown,
		       GError **error);
/* The identity kept for @ticket's visit, NULL none; valid until the next
 * call into the module. */
JsonNode *visit_identity_get(struct visits *v, uint32_t ticket);
/* "identity": {method, verdict, name, document_type} for staff views;
 * nothing when the visit has none. */
void visit_identity_build(struct visits *v, JsonBuilder *b, uint32_t ticket);

/* For the desk.  What @cmd (just run by the engine into @res) stores with
 * the visit it ends, as owned copies: NULL when it ends none. */
struct visit_note;
struct visit_note *visit_note_new(struct visits *v, const struct queue_cmd *cmd,
				  const struct queue_result *res);
void visit_note_free(struct visit_note *n);
const struct store_visit_note *visit_note_row(const struct visit_note *n);
typedef struct visit_note VisitNote; /* for g_autoptr(VisitNote) only */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VisitNote, visit_note_free)
/* @res is durable: the identities of tickets it ended are forgotten. */
void visit_result_committed(struct visits *v, const struct queue_result *res);

/* The note @tk's latest transfer carried to whoever serves it next (staff
 * only; NULL none, or erased by the retention prune): read from the store
 * once, valid until the next call into the module. */
const char *visit_transfer_note(struct visits *v, const struct queue_ticket *tk);

/* A transfer's note: at most this many characters, trimmed. */
#define VISIT_TRANSFER_NOTE_MAX 280
