/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * visit: a visit's identity, category and session, stored with the command
 * that ends it (see visit.h).
 *
 * Invariant: a kept identity was stored (identity_checks) before it was
 * kept; a note is only written inside the transaction of its command.
 */

#include "visit.h"
#include "json.h"

#include <errno.h>
#include <string.h>

#include "desk.h"

struct visits {
	struct desk *desk;
	GHashTable *identity; /* ticket id → struct kept */
	/* ticket id → the note of its latest transfer ("" none), as read
	 * from the store; forgotten when the ticket moves on or ends */
	GHashTable *transfer_notes;
};

/* A running visit's identity: what its server sees, and what its row gets
 * — the method and verdict of the last check that passed (or the verdict
 * of the last failure while none has). */
struct kept {
	JsonNode *shown;
	char *method; /* NULL while no check passed */
	char *verdict;
};

static void kept_free(gpointer p)
{
	struct kept *k = p;

	json_node_unref(k->shown);
	g_free(k->method);
	g_free(k->verdict);
	g_free(k);
}

struct visit_note {
	struct store_visit_note row; /* points into the copies below */
	char *category, *identity, *verdict, *document_type, *consent, *transfer_note;
};

struct visits *visits_new(struct desk *desk)
{
	struct visits *v = g_new0(struct visits, 1);

	v->desk = desk;
	v->identity = g_hash_table_new_full(NULL, NULL, NULL, kept_free);
	v->transfer_notes = g_hash_table_new_full(NULL, NULL, NULL, g_free);
	return v;
}

void visits_free(struct visits *v)
{
	if (!v)
		return;
	g_hash_table_unref(v->identity);
	g_hash_table_unref(v->transfer_notes);
	g_free(v);
}

static const char *member(JsonNode *node, const char *name)
{
	return web_json_str(json_node_get_object(node), name, NULL);
}

static gboolean identity_passed(JsonNode *node)
{
	const char *verdict = member(node, "verdict");

	return g_strcmp0(verdict, "verified") == 0 || g_strcmp0(verdict, "checked") == 0;
}

/* @card (a card that passed) with the document type of @doc. */
static JsonNode *card_with_document(JsonNode *card, JsonNode *doc)
{
	g_autoptr(JsonObject) o = json_object_new();
	JsonObjectIter iter;
	const char *name;
	JsonNode *value;

	json_object_iter_init(&iter, json_node_get_object(card));
	while (json_object_iter_next(&iter, &name, &value))
		json_object_set_member(o, name, json_node_copy(value));
	json_object_set_string_member(o, "document_type", member(doc, "document_type"));
	return json_node_init_object(json_node_alloc(), o);
}

static void identity_keep(struct visits *v, uint32_t ticket, JsonNode *node)
{
	struct kept *k = g_hash_table_lookup(v->identity, GUINT_TO_POINTER(ticket));
	JsonNode *had = k ? k->shown : NULL;
	JsonNode *shown;

	if (!k) {
		k = g_new0(struct kept, 1);
		g_hash_table_insert(v->identity, GUINT_TO_POINTER(ticket), k);
	}
	if (identity_passed(node)) {
		g_free(k->method);
		g_free(k->verdict);
		k->method = g_strdup(member(node, "method"));
		k->verdict = g_strdup(member(node, "verdict"));
	} else if (!k->method) {
		g_free(k->verdict);
		k->verdict = g_strdup(member(node, "verdict"));
	}
	if (had && identity_passed(had) && !identity_passed(node))
		return;
	if (had && identity_passed(had) && member(had, "name")) {
		if (g_strcmp0(member(node, "method"), "document") != 0)
			return;
		shown = card_with_document(had, node);
	} else {
		shown = json_node_ref(node);
	}
	if (k->shown)
		json_node_unref(k->shown);
	k->shown = shown;
}

int visit_identity_add(struct visits *v, const struct visit_check *c, JsonNode *shown,
		       GError **error)
{
	struct store_identity row = {
	    .ticket = c->ticket,
	    .day = c->day,
	    .counter = c->counter,
	    .session = c->session,
	    .method = c->method,
	    .result = c->verdict,
	    .detail = c->detail,
	    .document_type = c->document_type,
	    .cert_issuer = c->cert_issuer,
	    .cert_serial = c->cert_serial,
	    .id_hmac = c->id_hmac,
	    .user = c->user,
	    .at = c->at,
	};
	int64_t rc;

	if (!JSON_NODE_HOLDS_OBJECT(shown) || !member(shown, "method") ||
	    !member(shown, "verdict")) {
		g_set_error(error, DESK_ERROR, EINVAL,
			    "an identity check needs a method and a verdict");
		return -EINVAL;
	}
	rc = store_identity_add(desk_store(v->desk), &row, error);
	if (rc < 0) {
		g_warning("ticket %u: identity check (%s, %s) not stored: %s", c->ticket, c->method,
			  c->verdict, (*error)->message);
		return (int)rc;
	}
	/* The ticket may have ended while the card was read: the store has
	 * written the check into its visit then. */
	if (queue_ticket_get(desk_queue(v->desk), c->ticket))
		identity_keep(v, c->ticket, shown);
	return 0;
}

JsonNode *visit_identity_get(struct visits *v, uint32_t ticket)
{
	struct kept *k = g_hash_table_lookup(v->identity, GUINT_TO_POINTER(ticket));

	return k ? k->shown : NULL;
}

void visit_identity_build(struct visits *v, JsonBuilder *b, uint32_t ticket)
{
	JsonNode *node = visit_identity_get(v, ticket);

	if (!node)
		return;
	json_builder_set_member_name(b, "identity");
	json_builder_begin_object(b);
	web_json_add_str(b, "method", member(node, "method"));
	web_json_add_str(b, "verdict", member(node, "verdict"));
	web_json_add_str(b, "name", member(node, "name"));
	web_json_add_str(b, "document_type", member(node, "document_type"));
	json_builder_end_object(b);
}

/* ---------------------------------------------------------------------- */
/* With the command that ends the visit */

struct visit_note *visit_note_new(struct visits *v, const struct queue_cmd *cmd,
				  const struct queue_result *res)
{
	struct visit_note *n;
	gboolean ends_visit = FALSE;
	struct kept *k;

	if (!res->ticket)
		return NULL;
	for (guint i = 0; i < res->visits->len && !ends_visit; i++)
		ends_visit =
		    g_array_index(res->visits, struct queue_visit, i).ticket == res->ticket;
	if (!ends_visit)
		return NULL;
	k = g_hash_table_lookup(v->identity, GUINT_TO_POINTER(res->ticket));
	n = g_new0(struct visit_note, 1);
	n->category = cmd->type == QUEUE_CMD_END ? g_strdup(cmd->category) : NULL;
	n->consent = g_strdup(cmd->consent);
	n->transfer_note = cmd->type == QUEUE_CMD_TRANSFER ? g_strdup(cmd->transfer_note) : NULL;
	if (k) {
		n->identity = g_strdup(k->method);
		n->verdict = g_strdup(k->verdict);
		n->document_type = g_strdup(member(k->shown, "document_type"));
	}
	n->row = (struct store_visit_note){
	    .ticket = res->ticket,
	    .category = n->category,
	    .identity = n->identity,
	    .identity_verdict = n->verdict,
	    .document_type = n->document_type,
	    .session = cmd->session,
	    .consent = n->consent,
	    .transfer_note = n->transfer_note,
	};
	return n;
}

void visit_note_free(struct visit_note *n)
{
	if (!n)
		return;
	g_free(n->category);
	g_free(n->identity);
	g_free(n->verdict);
	g_free(n->document_type);
	g_free(n->consent);
	g_free(n->transfer_note);
	g_free(n);
}

const struct store_visit_note *visit_note_row(const struct visit_note *n)
{
	return n ? &n->row : NULL;
}

void visit_result_committed(struct visits *v, const struct queue_result *res)
{
	for (guint i = 0; i < res->tickets->len; i++) {
		const struct queue_ticket *t = &g_array_index(res->tickets, struct queue_ticket, i);

		if (queue_state_terminal(t->state))
			g_hash_table_remove(v->identity, GUINT_TO_POINTER(t->id));
	}
	/* a visit ended (a transfer among them): the next read asks the store */
	for (guint i = 0; i < res->visits->len; i++)
		g_hash_table_remove(
		    v->transfer_notes,
		    GUINT_TO_POINTER(g_array_index(res->visits, struct queue_visit, i).ticket));
}

const char *visit_transfer_note(struct visits *v, const struct queue_ticket *tk)
{
	g_autoptr(GError) error = NULL;
	char *note = NULL;

	if (!tk->transfers || queue_state_terminal(tk->state))
		return NULL;
	if (!g_hash_table_lookup_extended(v->transfer_notes, GUINT_TO_POINTER(tk->id), NULL,
					  (gpointer *)&note)) {
		if (store_transfer_note_get(desk_store(v->desk), tk->id, &note, &error) < 0) {
			g_warning("ticket %u: %s", tk->id, error->message);
			return NULL;
		}
		if (!note)
			note = g_strdup("");
		g_hash_table_insert(v->transfer_notes, GUINT_TO_POINTER(tk->id), note);
	}
	return note && *note ? note : NULL;
}
