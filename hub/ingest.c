/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ingest: batches from the consumer into PostgreSQL (see ingest.h).
 */
#include "ingest.h"

#include <errno.h>
#include <string.h>

#include "hub_db.h"
#include "record.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
/* With nothing to read, one message is waited for this long: a pull of one
 * returns as soon as it comes (a pull of a batch waits its whole time), and
 * an idle hub asks the server once a second, not 20 times. */
#define IDLE_WAIT_MS 1000

struct ingest {
	const struct hub_config *cfg;
	natsSubscription *sub;
	GThread *thread;
	GMutex lock;
	GCond wake;
	bool stop; /* under lock */
	struct hub_db *db;
	int64_t stored, duplicates, rejected; /* the thread's own */
	natsMsgList *batch;                   /* the batch in hand */
};

static bool stopping(struct ingest *in)
{
	bool stop;

	g_mutex_lock(&in->lock);
	stop = in->stop;
	g_mutex_unlock(&in->lock);
	return stop;
}

/* Waits @ms or until asked to stop; true when asked. */
static bool pause_ms(struct ingest *in, int ms)
{
	gint64 until = g_get_monotonic_time() + (gint64)ms * 1000;
	bool stop;

	g_mutex_lock(&in->lock);
	while (!in->stop && g_cond_wait_until(&in->wake, &in->lock, until))
		;
	stop = in->stop;
	g_mutex_unlock(&in->lock);
	return stop;
}

/* One message, read: a record or a reject. */
struct item {
	natsMsg *msg;
	struct record rec;
	char *reason; /* a reject's */
};

static const char *msg_id(natsMsg *m)
{
	const char *id = NULL;

	if (natsMsgHeader_Get(m, "Nats-Msg-Id", &id) != NATS_OK)
		return NULL;
	return id;
}

static struct hub_reject reject_of(const struct item *it, const char *reason)
{
	return (struct hub_reject){
	    .subject = natsMsg_GetSubject(it->msg),
	    .msg_id = msg_id(it->msg),
	    .reason = reason,
	    .body = natsMsg_GetData(it->msg) ? natsMsg_GetData(it->msg) : "",
	    .len = (size_t)natsMsg_GetDataLength(it->msg),
	};
}

/* The records of @items[from, to) as hub_ingest's JSON array; NULL if none. */
static char *batch_json(const struct item *items, int from, int to)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = NULL;
	int n = 0;

	json_builder_begin_array(b);
	for (int i = from; i < to; i++)
		if (!items[i].reason) {
			record_add_to(&items[i].rec, b);
			n++;
		}
	json_builder_end_array(b);
	if (n == 0)
		return NULL;
	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	return json_generator_to_data(gen, NULL);
}

/* Stores @items[from, to) in one transaction, retrying through a lost
 * connection until it works or the hub stops.  -EINVAL: PostgreSQL refused
 * the data. */
static int store_range(struct ingest *in, struct item *items, int from, int to, int64_t *ret_new)
{
	g_autofree char *json = batch_json(items, from, to);
	g_autoptr(GArray) rejects = g_array_new(FALSE, FALSE, sizeof(struct hub_reject));
	int progress_ms = MAX(BACKOFF_MIN_MS, in->cfg->ack_wait_s * 1000 / 3);
	int backoff = BACKOFF_MIN_MS;
	gint64 progress_at = g_get_monotonic_time();

	for (int i = from; i < to; i++)
		if (items[i].reason) {
			struct hub_reject r = reject_of(&items[i], items[i].reason);

			g_array_append_val(rejects, r);
		}
	for (;;) {
		int rc = -EAGAIN;

		if (hub_db_ok(in->db))
			rc = hub_db_store(in->db, (struct hub_reject *)(void *)rejects->data,
					  rejects->len, json, ret_new);
		if (rc != -EAGAIN)
			return rc;
		g_warning("PostgreSQL: %s; retrying in %d ms", hub_db_error(in->db), backoff);
		/* Still ours: the server must not give the batch to another hub
		 * (or to us again) while we wait; the back-off stays below a third
		 * of ack-wait so this is said in time. */
		if (g_get_monotonic_time() - progress_at >= (gint64)progress_ms * 1000 / 2) {
			for (int i = 0; i < in->batch->Count; i++)
				natsMsg_InProgress(in->batch->Msgs[i], NULL);
			progress_at = g_get_monotonic_time();
		}
		if (pause_ms(in, backoff))
			return -ECANCELED;
		backoff = MIN(backoff * 2, MIN(BACKOFF_MAX_MS, progress_ms));
		if (!hub_db_ok(in->db) && hub_db_reset(in->db) == 0)
			g_message("PostgreSQL: connected again");
	}
}

static void batch_run(struct ingest *in, natsMsgList *list)
{
	g_autofree struct item *items = g_new0(struct item, list->Count);
	int64_t n_new = 0, n_records = 0;
	int rc;

	for (int i = 0; i < list->Count; i++) {
		natsMsg *m = list->Msgs[i];
		const char *data = natsMsg_GetData(m);

		items[i].msg = m;
		if (record_read(natsMsg_GetSubject(m), msg_id(m), data ? data : "",
				(size_t)natsMsg_GetDataLength(m), &items[i].rec,
				&items[i].reason) == 0)
			n_records++;
	}
	rc = store_range(in, items, 0, list->Count, &n_new);
	if (rc == -EINVAL) {
		/* One of them PostgreSQL refuses: find it, keep the others. */
		g_warning("PostgreSQL refused a batch (%s); storing its records one by one",
			  hub_db_error(in->db));
		n_new = 0;
		for (int i = 0; i < list->Count && rc != -ECANCELED; i++) {
			int64_t one = 0;

			rc = store_range(in, items, i, i + 1, &one);
			if (rc == -EINVAL) {
				/* This one: its reject is stored instead. */
				g_free(items[i].reason);
				items[i].reason = g_strdup(hub_db_error(in->db));
				n_records--;
				rc = store_range(in, items, i, i + 1, NULL);
			}
			if (rc < 0)
				break;
			n_new += one;
		}
	}
	if (rc == 0) {
		for (int i = 0; i < list->Count; i++)
			natsMsg_Ack(items[i].msg, NULL);
		in->stored += n_new;
		in->duplicates += n_records - n_new;
		in->rejected += list->Count - n_records;
		g_debug("batch: %d messages, %" G_GINT64_FORMAT " new", list->Count, n_new);
	}
	/* Not acked (stopping, or a reject that could not be stored): the
	 * server redelivers after ack-wait. */
	for (int i = 0; i < list->Count; i++) {
		record_clear(&items[i].rec);
		g_free(items[i].reason);
	}
}

static gpointer ingest_thread(gpointer data)
{
	struct ingest *in = data;
	int backoff = BACKOFF_MIN_MS;
	bool idle = false;

	while (!stopping(in)) {
		natsMsgList list = {0};
		jsErrCode jerr = 0;
		int want = idle ? 1 : in->cfg->batch;
		int pending = 0;
		natsStatus s;

		/* libnats 3.4.1's fetch first takes the messages already queued
		 * for the subscription (late answers to an earlier pull), then
		 * pulls the rest with its batch lowered by what it took — and
		 * loops until the count equals that lowered batch: with more than
		 * half the batch queued it never does, and it writes past the
		 * array it made for the batch (vuoro-hub aborted in make bench's
		 * catch-up of 500 sites: "realloc(): invalid old size"; ASan saw
		 * our read past its 500 pointers).  Asking for one message while
		 * something is queued keeps it off that path (the queue may hold
		 * status messages too, which it does not count): the queued ones
		 * come one a fetch, without a round trip. */
		if (natsSubscription_GetPending(in->sub, &pending, NULL) == NATS_OK && pending > 0)
			want = 1;
		s = natsSubscription_Fetch(&list, in->sub, want,
					   idle ? IDLE_WAIT_MS : in->cfg->batch_ms, &jerr);
		if (list.Count > want) { /* that overflow all the same: never walk past */
			g_warning("NATS: a fetch of %d returned %d messages; taking %d (the rest "
				  "comes again after ack-wait)",
				  want, list.Count, want);
			list.Count = want;
		}
		idle = s == NATS_TIMEOUT;
		if (s == NATS_TIMEOUT)
			continue;
		if (s != NATS_OK) {
			g_warning("NATS: fetch: %s (JetStream error %d); retrying in %d ms",
				  natsStatus_GetText(s), (int)jerr, backoff);
			if (pause_ms(in, backoff))
				break;
			backoff = MIN(backoff * 2, BACKOFF_MAX_MS);
			continue;
		}
		backoff = BACKOFF_MIN_MS;
		in->batch = &list;
		batch_run(in, &list);
		in->batch = NULL;
		natsMsgList_Destroy(&list);
	}
	g_message("ingest: stopped; %" G_GINT64_FORMAT " records stored, %" G_GINT64_FORMAT
		  " duplicates, %" G_GINT64_FORMAT " rejected",
		  in->stored, in->duplicates, in->rejected);
	return NULL;
}

int ingest_start(const struct hub_config *cfg, natsSubscription *sub, struct ingest **ret)
{
	struct ingest *in = g_new0(struct ingest, 1);
	int rc;

	in->cfg = cfg;
	in->sub = sub;
	g_mutex_init(&in->lock);
	g_cond_init(&in->wake);
	rc = hub_db_open(cfg->pg_conninfo, &in->db);
	/* RLS (sql/003-rls.sql): the ingest writes every provider's rows. */
	if (rc == 0)
		rc = hub_db_set_scope(in->db, "ingest");
	if (rc < 0) {
		hub_db_free(in->db);
		g_mutex_clear(&in->lock);
		g_cond_clear(&in->wake);
		g_free(in);
		return rc;
	}
	in->thread = g_thread_new("ingest", ingest_thread, in);
	*ret = in;
	return 0;
}

void ingest_stop(struct ingest *in)
{
	if (!in)
		return;
	g_mutex_lock(&in->lock);
	in->stop = true;
	g_cond_broadcast(&in->wake);
	g_mutex_unlock(&in->lock);
	g_thread_join(in->thread);
	hub_db_free(in->db);
	g_mutex_clear(&in->lock);
	g_cond_clear(&in->wake);
	g_free(in);
}
