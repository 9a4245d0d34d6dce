/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hub_nats: connect, ensure the stream, bucket and consumer, subscribe
 * (see hub_nats.h).  libnats reports a status and, for JetStream, an error
 * code; both go into the log with what to check.
 */
#include "hub_nats.h"

#include <errno.h>
#include <string.h>

/* JetStream's "stream name already in use" (another configuration). */
#define JS_STREAM_NAME_EXISTS 10058

static void nats_warn(const char *what, natsStatus s, jsErrCode jerr)
{
	const char *last = nats_GetLastError(NULL);

	g_warning("NATS: %s: %s%s%s (JetStream error %d)", what, natsStatus_GetText(s),
		  last ? ": " : "", last ? last : "", (int)jerr);
}

int hub_nats_connect(const struct hub_config *cfg, natsConnection **ret)
{
	natsOptions *opts = NULL;
	natsStatus s;
	int n = (int)g_strv_length(cfg->nats_servers);

	s = natsOptions_Create(&opts);
	if (s == NATS_OK)
		s = natsOptions_SetServers(opts, (const char **)cfg->nats_servers, n);
	if (s == NATS_OK)
		s = natsOptions_SetName(opts, "vuoro-hub");
	if (s == NATS_OK)
		s = natsOptions_SetMaxReconnect(opts, -1);
	if (s == NATS_OK)
		s = natsOptions_SetReconnectWait(opts, 500);
	if (s == NATS_OK)
		s = natsOptions_SetRetryOnFailedConnect(opts, false, NULL, NULL);
	if (s == NATS_OK && cfg->nats_ca) {
		s = natsOptions_SetSecure(opts, true);
		if (s == NATS_OK)
			s = natsOptions_LoadCATrustedCertificates(opts, cfg->nats_ca);
	}
	if (s == NATS_OK && cfg->nats_cert)
		s = natsOptions_LoadCertificatesChain(opts, cfg->nats_cert, cfg->nats_key);
	if (s != NATS_OK) {
		nats_warn("options (check [nats] ca, cert and key)", s, 0);
		natsOptions_Destroy(opts);
		return -EINVAL;
	}
	s = natsConnection_Connect(ret, opts);
	natsOptions_Destroy(opts);
	if (s != NATS_OK) {
		nats_warn("connect (check [nats] servers and that the cluster runs)", s, 0);
		return -ECONNREFUSED;
	}
	return 0;
}

static int stream_ensure(const struct hub_config *cfg, jsCtx *js)
{
	const char *subjects[] = {HUB_NATS_SUBJECTS};
	jsStreamConfig sc;
	jsStreamInfo *si = NULL;
	jsErrCode jerr = 0;
	natsStatus s;

	jsStreamConfig_Init(&sc);
	sc.Name = cfg->stream;
	sc.Subjects = subjects;
	sc.SubjectsLen = 1;
	sc.Storage = js_FileStorage;
	sc.Replicas = cfg->replicas;
	sc.Duplicates = (int64_t)cfg->duplicates_s * 1000000000LL;
	sc.MaxAge = (int64_t)cfg->max_age_days * 86400LL * 1000000000LL;
	s = js_AddStream(&si, js, &sc, NULL, &jerr);
	if (s != NATS_OK && jerr == JSStreamSubjectOverlapErr) {
		/* Another hub made it a moment ago (two starting at once): the
		 * server may say "subjects overlap" rather than "name exists". */
		jsStreamInfo *other = NULL;

		if (js_GetStreamInfo(&other, js, cfg->stream, NULL, NULL) == NATS_OK)
			jerr = JS_STREAM_NAME_EXISTS;
		jsStreamInfo_Destroy(other);
	}
	if (s != NATS_OK && jerr == JS_STREAM_NAME_EXISTS) {
		/* Made earlier with other settings: this config's duplicate window
		 * and age apply from now on. */
		jerr = 0;
		s = js_UpdateStream(&si, js, &sc, NULL, &jerr);
		if (s != NATS_OK) {
			nats_warn("stream exists with other settings; kept as it is", s, jerr);
			return 0;
		}
	}
	jsStreamInfo_Destroy(si);
	if (s == NATS_TIMEOUT || s == NATS_NO_RESPONDERS) {
		/* A cluster just started: JetStream has no leader yet. */
		nats_warn("create the stream (JetStream not ready yet)", s, jerr);
		return -EAGAIN;
	}
	if (s != NATS_OK) {
		nats_warn("create the stream (the hub user needs $JS.API.>)", s, jerr);
		return -EIO;
	}
	return 0;
}

static int bucket_ensure(const struct hub_config *cfg, jsCtx *js)
{
	kvStore *kv = NULL;
	kvConfig kc;
	natsStatus s;

	s = js_KeyValue(&kv, js, HUB_NATS_BUCKET);
	if (s == NATS_NOT_FOUND) {
		kvConfig_Init(&kc);
		kc.Bucket = HUB_NATS_BUCKET;
		kc.History = 1;
		kc.Replicas = cfg->replicas;
		kc.StorageType = js_FileStorage;
		s = js_CreateKeyValue(&kv, js, &kc);
		if (s != NATS_OK) {
			/* Another hub starting at once may have made it meanwhile. */
			kvStore_Destroy(kv);
			kv = NULL;
			s = js_KeyValue(&kv, js, HUB_NATS_BUCKET);
		}
	}
	kvStore_Destroy(kv);
	if (s != NATS_OK) {
		nats_warn("create the key-value bucket " HUB_NATS_BUCKET, s, 0);
		return -EIO;
	}
	return 0;
}

static void consumer_config(const struct hub_config *cfg, jsConsumerConfig *cc)
{
	jsConsumerConfig_Init(cc);
	cc->Durable = cfg->durable;
	cc->AckPolicy = js_AckExplicit;
	cc->DeliverPolicy = js_DeliverAll;
	cc->AckWait = (int64_t)cfg->ack_wait_s * 1000000000LL;
	cc->MaxAckPending = cfg->max_ack_pending;
	cc->FilterSubject = HUB_NATS_SUBJECTS;
}

static int consumer_ensure(const struct hub_config *cfg, jsCtx *js)
{
	jsConsumerConfig cc;
	jsConsumerInfo *ci = NULL;
	jsErrCode jerr = 0;
	natsStatus s;

	consumer_config(cfg, &cc);
	s = js_AddConsumer(&ci, js, cfg->stream, &cc, NULL, &jerr);
	if (s != NATS_OK) {
		/* Another hub made it with other settings: share it as it is. */
		jsErrCode first = jerr;

		jerr = 0;
		s = js_GetConsumerInfo(&ci, js, cfg->stream, cfg->durable, NULL, &jerr);
		if (s == NATS_OK)
			g_warning("NATS: consumer %s exists with other settings (error %d); "
				  "sharing it as it is",
				  cfg->durable, (int)first);
	}
	jsConsumerInfo_Destroy(ci);
	if (s != NATS_OK) {
		nats_warn("create the durable consumer", s, jerr);
		return -EIO;
	}
	return 0;
}

int hub_nats_ensure(const struct hub_config *cfg, jsCtx *js)
{
	int rc = stream_ensure(cfg, js);

	if (rc == 0)
		rc = bucket_ensure(cfg, js);
	if (rc == 0)
		rc = consumer_ensure(cfg, js);
	return rc;
}

int hub_nats_subscribe(const struct hub_config *cfg, jsCtx *js, natsSubscription **ret)
{
	jsSubOptions so;
	jsErrCode jerr = 0;
	natsStatus s;

	jsSubOptions_Init(&so);
	so.Stream = cfg->stream;
	so.Consumer = cfg->durable;
	so.ManualAck = true;
	s = js_PullSubscribe(ret, js, HUB_NATS_SUBJECTS, cfg->durable, NULL, &so, &jerr);
	if (s != NATS_OK) {
		nats_warn("subscribe to the durable consumer", s, jerr);
		return -EIO;
	}
	return 0;
}
