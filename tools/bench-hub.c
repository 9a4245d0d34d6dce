/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench-hub: the hub bench's load generator (tools/bench-hub.py runs it).
 * Publishes as many sites over the sites' protocol (the fleet's contract):
 * subject vuoro.rec.<site>.<kind>, header Nats-Msg-Id <site>-<epoch>-<seq>,
 * body a record v1 as the outbox makes it (ticket.issued and visit), with
 * JetStream's asynchronous publish and its acknowledgement.  One TLS
 * connection as the NATS user "loadgen" (hub/deploy/nats/users.sh
 * --loadgen: publish on vuoro.rec.> only; a bench user, never in a
 * region's users), its inbox prefix _INBOX_loadgen.
 *
 *   bench-hub --servers tls://H:P[,…] --ca CA --cert CRT --key KEY
 *             --sites N --per-site M [--prefix b] [--epoch ab12] [--rate R]
 *             [--acks FILE]
 *
 * Round-robin over the sites (seq 1 of every site, then seq 2 …), at most
 * R records a second (0: as fast as acknowledgements allow).  --acks: a
 * line "<site> <epoch> <seq> <unix ms of the acknowledgement>" a record.
 * Prints one JSON line {"published", "acked", "duplicates", "errors",
 * "seconds"}; exits 1 if any record was not acknowledged.
 */
#include <errno.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include <nats/nats.h>
#include <stdio.h>
#include <string.h>

#define MAX_PENDING 4000

struct gen {
	GMutex lock;
	char *prefix;
	guint sites, per_site;
	gint64 *ack_ms; /* [round * sites + site], 0 until acknowledged */
	gint64 acked, duplicates, errors;
	char *first_error;
};

/* "<prefix><site>-<epoch>-<seq>" → the message's index, or -1. */
static gint64 gen_index(struct gen *g, const char *id)
{
	const char *dash = id ? strrchr(id, '-') : NULL;
	const char *site_end;
	gint64 seq, site;

	if (!dash || !g_str_has_prefix(id, g->prefix))
		return -1;
	seq = g_ascii_strtoll(dash + 1, NULL, 10);
	site_end = g_strstr_len(id + strlen(g->prefix), -1, "-");
	if (!site_end)
		return -1;
	site = g_ascii_strtoll(id + strlen(g->prefix), NULL, 10);
	if (seq < 1 || seq > g->per_site || site < 0 || site >= g->sites)
		return -1;
	return (seq - 1) * g->sites + site;
}

static void on_ack(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae, void *closure)
{
	struct gen *g = closure;
	const char *id = NULL;
	gint64 i;

	(void)js;
	natsMsgHeader_Get(msg, "Nats-Msg-Id", &id);
	i = gen_index(g, id);
	g_mutex_lock(&g->lock);
	if (pa && i >= 0) {
		g->ack_ms[i] = g_get_real_time() / 1000;
		g->acked++;
		g->duplicates += pa->Duplicate ? 1 : 0;
	} else {
		g->errors++;
		if (!g->first_error)
			g->first_error = g_strdup_printf(
			    "%s: %s", id ? id : "?",
			    pae && pae->ErrText ? pae->ErrText
						: natsStatus_GetText(pae ? pae->Err : NATS_ERR));
	}
	g_mutex_unlock(&g->lock);
	natsMsg_Destroy(msg);
}

/* A record v1 of @kind (DESIGN.md "Records"), made by json-glib. */
static char *record_body(const char *kind, gint64 seq, gint64 at)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) root = NULL;
	gint64 day = at / 86400;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "v");
	json_builder_add_int_value(b, 1);
	json_builder_set_member_name(b, "kind");
	json_builder_add_string_value(b, kind);
	json_builder_set_member_name(b, "seq");
	json_builder_add_int_value(b, seq);
	json_builder_set_member_name(b, "at");
	json_builder_add_int_value(b, at);
	json_builder_set_member_name(b, "ticket");
	json_builder_add_int_value(b, seq);
	json_builder_set_member_name(b, "day");
	json_builder_add_int_value(b, day);
	json_builder_set_member_name(b, "service");
	json_builder_add_string_value(b, "guide");
	json_builder_set_member_name(b, "provider");
	json_builder_add_string_value(b, "kunta");
	json_builder_set_member_name(b, "lang");
	json_builder_add_string_value(b, "fi");
	json_builder_set_member_name(b, "appointment");
	json_builder_add_boolean_value(b, FALSE);
	json_builder_set_member_name(b, "issued_at");
	json_builder_add_int_value(b, at - 600);
	if (strcmp(kind, "ticket.issued") == 0) {
		g_autofree char *code = g_strdup_printf("A%03d", (int)(seq % 1000));

		json_builder_set_member_name(b, "code");
		json_builder_add_string_value(b, code);
		json_builder_set_member_name(b, "priority");
		json_builder_add_int_value(b, 0);
	} else {
		static const char *const times[] = {"called_at", "started_at", "ended_at"};

		json_builder_set_member_name(b, "visit");
		json_builder_add_int_value(b, seq);
		json_builder_set_member_name(b, "counter");
		json_builder_add_int_value(b, 2);
		json_builder_set_member_name(b, "channel");
		json_builder_add_string_value(b, "counter");
		json_builder_set_member_name(b, "outcome");
		json_builder_add_string_value(b, "ended");
		json_builder_set_member_name(b, "recalls");
		json_builder_add_int_value(b, 0);
		json_builder_set_member_name(b, "transfers");
		json_builder_add_int_value(b, 0);
		for (guint i = 0; i < G_N_ELEMENTS(times); i++) {
			json_builder_set_member_name(b, times[i]);
			json_builder_add_int_value(b, at - 300 + 100 * (gint64)i);
		}
		json_builder_set_member_name(b, "category");
		json_builder_add_string_value(b, "benefits");
		json_builder_set_member_name(b, "consent");
		json_builder_add_string_value(b, "yes");
	}
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	return json_to_string(root, FALSE);
}

static int write_acks(struct gen *g, const char *path, const char *epoch)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "bench-hub: %s: %s\n", path, g_strerror(errno));
		return -errno;
	}
	for (guint r = 0; r < g->per_site; r++)
		for (guint s = 0; s < g->sites; s++)
			fprintf(f, "%s%u %s %u %" G_GINT64_FORMAT "\n", g->prefix, s, epoch, r + 1,
				g->ack_ms[(gint64)r * g->sites + s]);
	if (fclose(f) != 0)
		return -EIO;
	return 0;
}

static void print_summary(struct gen *g, gint64 published, double seconds)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) root = NULL;
	g_autofree char *text = NULL;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "published");
	json_builder_add_int_value(b, published);
	json_builder_set_member_name(b, "acked");
	json_builder_add_int_value(b, g->acked);
	json_builder_set_member_name(b, "duplicates");
	json_builder_add_int_value(b, g->duplicates);
	json_builder_set_member_name(b, "errors");
	json_builder_add_int_value(b, g->errors);
	json_builder_set_member_name(b, "seconds");
	json_builder_add_double_value(b, seconds);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	text = json_to_string(root, FALSE);
	printf("%s\n", text);
}

int main(int argc, char **argv)
{
	g_autofree char *servers = NULL, *ca = NULL, *cert = NULL, *key = NULL, *acks = NULL;
	g_autofree char *prefix = NULL, *epoch = NULL;
	gint sites = 10, per_site = 100, rate = 0;
	GOptionEntry entries[] = {
	    {"servers", 0, 0, G_OPTION_ARG_STRING, &servers, "tls://HOST:PORT[,…]", "URLS"},
	    {"ca", 0, 0, G_OPTION_ARG_FILENAME, &ca, "the region's CA", "FILE"},
	    {"cert", 0, 0, G_OPTION_ARG_FILENAME, &cert, "loadgen's certificate", "FILE"},
	    {"key", 0, 0, G_OPTION_ARG_FILENAME, &key, "its key", "FILE"},
	    {"sites", 0, 0, G_OPTION_ARG_INT, &sites, "sites (10)", "N"},
	    {"per-site", 0, 0, G_OPTION_ARG_INT, &per_site, "records a site (100)", "M"},
	    {"prefix", 0, 0, G_OPTION_ARG_STRING, &prefix, "site ids PREFIX0… (b)", "PREFIX"},
	    {"epoch", 0, 0, G_OPTION_ARG_STRING, &epoch, "the sites' epoch (hex)", "HEX"},
	    {"rate", 0, 0, G_OPTION_ARG_INT, &rate, "records a second (0: at once)", "R"},
	    {"acks", 0, 0, G_OPTION_ARG_FILENAME, &acks, "acknowledgement times to FILE", "FILE"},
	    {NULL}};
	g_autoptr(GOptionContext) ctx = g_option_context_new("— the hub bench's load generator");
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) urls = NULL;
	natsOptions *opts = NULL;
	natsConnection *nc = NULL;
	jsOptions jo;
	jsCtx *js = NULL;
	natsStatus st;
	struct gen g = {0};
	gint64 total, i = 0, t0;
	double seconds;
	int rc = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "bench-hub: %s (try --help)\n", error->message);
		return 2;
	}
	if (!servers || !ca || !cert || !key || sites < 1 || per_site < 1 || rate < 0) {
		fprintf(stderr, "bench-hub: --servers, --ca, --cert and --key are needed, "
				"--sites and --per-site at least 1 (try --help)\n");
		return 2;
	}
	g.prefix = prefix ? prefix : (char *)"b";
	if (!epoch)
		epoch = g_strdup_printf("%08x", g_random_int());
	g.sites = (guint)sites;
	g.per_site = (guint)per_site;
	total = (gint64)sites * per_site;
	g.ack_ms = g_new0(gint64, total);
	g_mutex_init(&g.lock);
	urls = g_strsplit(servers, ",", -1);

	st = natsOptions_Create(&opts);
	if (st == NATS_OK)
		st = natsOptions_SetServers(opts, (const char **)urls, (int)g_strv_length(urls));
	if (st == NATS_OK)
		st = natsOptions_SetSecure(opts, true);
	if (st == NATS_OK)
		st = natsOptions_LoadCATrustedCertificates(opts, ca);
	if (st == NATS_OK)
		st = natsOptions_LoadCertificatesChain(opts, cert, key);
	if (st == NATS_OK)
		st = natsOptions_SetCustomInboxPrefix(opts, "_INBOX_loadgen");
	if (st == NATS_OK)
		st = natsOptions_SetMaxPendingMsgs(opts, 1000000);
	if (st == NATS_OK)
		st = natsConnection_Connect(&nc, opts);
	if (st == NATS_OK)
		st = jsOptions_Init(&jo);
	if (st == NATS_OK) {
		jo.PublishAsync.MaxPending = MAX_PENDING;
		jo.PublishAsync.AckHandler = on_ack;
		jo.PublishAsync.AckHandlerClosure = &g;
		jo.PublishAsync.StallWait = 5000;
		st = natsConnection_JetStream(&js, nc, &jo);
	}
	if (st != NATS_OK) {
		fprintf(stderr, "bench-hub: connecting to %s: %s (%s)\n", servers,
			natsStatus_GetText(st), nats_GetLastError(NULL));
		rc = 1;
		goto out;
	}

	t0 = g_get_monotonic_time();
	for (guint r = 0; r < g.per_site && rc == 0; r++) {
		for (guint s = 0; s < g.sites; s++, i++) {
			const char *kind = (r % 2) ? "visit" : "ticket.issued";
			g_autofree char *subject =
			    g_strdup_printf("vuoro.rec.%s%u.%s", g.prefix, s, kind);
			g_autofree char *id =
			    g_strdup_printf("%s%u-%s-%u", g.prefix, s, epoch, r + 1);
			g_autofree char *body =
			    record_body(kind, r + 1, g_get_real_time() / G_USEC_PER_SEC);
			natsMsg *msg = NULL;
			jsPubOptions po;

			if (rate > 0) {
				gint64 due = t0 + i * G_USEC_PER_SEC / rate;
				gint64 now = g_get_monotonic_time();

				if (due > now)
					g_usleep((gulong)(due - now));
			}
			jsPubOptions_Init(&po);
			po.MsgId = id;
			po.MaxWait = 30000;
			st = natsMsg_Create(&msg, subject, NULL, body, (int)strlen(body));
			if (st == NATS_OK)
				st = js_PublishMsgAsync(js, &msg, &po);
			if (st != NATS_OK) {
				natsMsg_Destroy(msg);
				fprintf(stderr, "bench-hub: publishing %s: %s\n", id,
					natsStatus_GetText(st));
				rc = 1;
				break;
			}
		}
	}
	{
		jsPubOptions po;

		jsPubOptions_Init(&po);
		po.MaxWait = 120000;
		st = js_PublishAsyncComplete(js, &po);
		if (st != NATS_OK) {
			fprintf(stderr, "bench-hub: waiting for the acknowledgements: %s\n",
				natsStatus_GetText(st));
			rc = 1;
		}
	}
	seconds = (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC;
	g_mutex_lock(&g.lock);
	print_summary(&g, i, seconds);
	if (g.errors || g.acked != total) {
		fprintf(stderr,
			"bench-hub: %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
			" acknowledged, %" G_GINT64_FORMAT " errors (first: %s)\n",
			g.acked, total, g.errors, g.first_error ? g.first_error : "-");
		rc = 1;
	}
	g_mutex_unlock(&g.lock);
	if (rc == 0 && acks && write_acks(&g, acks, epoch) < 0)
		rc = 1;
out:
	jsCtx_Destroy(js);
	natsConnection_Destroy(nc);
	natsOptions_Destroy(opts);
	nats_Close();
	g_free(g.ack_ms);
	g_free(g.first_error);
	g_mutex_clear(&g.lock);
	return rc;
}
