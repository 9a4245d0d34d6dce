/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * announcer: see announcer.h.
 *
 * The main loop owns the items and decides what the next sentence is when the
 * worker is free (announcer_kick); the worker owns espeak-ng and the audio
 * device and sees only copies of what to say.  The worker reports "started"
 * and "ended" back to the main loop through a small shared link: after
 * announcer_free() its reports find the link closed and do nothing.
 */

#include "announcer.h"

#include <errno.h>
#include <string.h>

#include "audio.h"
#include "post.h"
#include "queue.h"
#include "speech.h"

#define ANNOUNCER_RECENT   48
#define ANNOUNCER_PAUSE_MS 400 /* between the chime and the words, and between languages */
#define ANNOUNCER_QUIET_US (2 * G_USEC_PER_SEC) /* silence after which a call chimes */

struct announcer_link {
	gint refs;
	struct announcer *a; /* NULL once freed; read and written on the main loop only */
};

struct announcer_job {
	guint id;
	bool quit;
	bool chime;
	char *voice[CONFIG_LANGS_MAX]; /* in speaking order; NULL ends */
	char *text[CONFIG_LANGS_MAX];
	char label[32];
	bool headset; /* the headset's output, not the room's */
	int volume;   /* percent gain on the samples */
};

struct announcer_report {
	struct announcer_link *link;
	guint id;
	bool started;
	gint64 at_us;
	double audio_s;
	char *error;
};

struct announcer {
	const struct config *cfg;
	const struct catalog *catalog;
	struct bus *bus;
	struct announcer_link *link;
	GAsyncQueue *jobs;
	GThread *thread;
	struct hal_audio_config audio_cfg;
	int wpm;
	guint next_id;
	GQueue recent;                 /* of struct announcer_item *, oldest first */
	GQueue waiting;                /* of the items in recent not yet said whole, oldest first */
	struct announcer_item *saying; /* whose sentence the worker says now; NULL: free */
	guint job_id;                  /* that job's id, 0 when free */
	guint next_job;
	gint64 quiet_since_us; /* when the last sentence ended */
	/* Cuts the guidance playing short (announcer_hush); reset before
	 * every job, on the main loop, so that a cut meant for one job never
	 * reaches the next.  Shared with the worker's audio handles. */
	GCancellable *cut;
	char *selftest_error; /* the sound device did not open at start */
	guint sub_queue;
};

static const char *const state_names[] = {"queued", "playing", "played", "failed", "dropped"};

const char *announcer_state_str(enum announcer_state s)
{
	return (unsigned)s < G_N_ELEMENTS(state_names) ? state_names[s] : "?";
}

static struct announcer_link *link_ref(struct announcer_link *l)
{
	g_atomic_int_inc(&l->refs);
	return l;
}

static void link_unref(struct announcer_link *l)
{
	if (g_atomic_int_dec_and_test(&l->refs))
		g_free(l);
}

static void job_free(struct announcer_job *j)
{
	for (int i = 0; i < CONFIG_LANGS_MAX; i++) {
		g_free(j->voice[i]);
		g_free(j->text[i]);
	}
	g_free(j);
}

static void item_free(struct announcer_item *it)
{
	for (int i = 0; i < CONFIG_LANGS_MAX; i++)
		g_free(it->text[i]);
	g_free(it->error);
	g_free(it);
}

static void announcer_kick(struct announcer *a);

/* @it is said whole, or as far as it will be. */
static void announcer_done(struct announcer *a, struct announcer_item *it, enum announcer_state st)
{
	g_queue_remove(&a->waiting, it);
	it->state = st;
	if (!it->ended_us)
		it->ended_us = g_get_real_time();
	bus_publish(a->bus, "announcer.played", it);
}

/* On the main loop: the worker started or ended a sentence. */
static gboolean announcer_on_report(gpointer data)
{
	struct announcer_report *r = data;
	struct announcer *a = r->link->a;
	struct announcer_item *it = a && r->id && r->id == a->job_id ? a->saying : NULL;

	if (a && !r->id) { /* the self-test at start */
		g_free(a->selftest_error);
		a->selftest_error = g_steal_pointer(&r->error);
		if (a->selftest_error)
			g_warning("announcer self-test: %s", a->selftest_error);
	} else if (it && r->started) {
		it->state = ANNOUNCER_PLAYING;
		if (!it->started_us)
			it->started_us = r->at_us;
	} else if (it) {
		it->ended_us = r->at_us;
		it->audio_s += r->audio_s;
		it->n_said = it->ticket_id ? it->n_said + 1 : it->n_langs;
		a->saying = NULL;
		a->job_id = 0;
		a->quiet_since_us = r->at_us;
		if (r->error) {
			it->error = g_steal_pointer(&r->error);
			g_warning("announcement %u (%s %s): %s", it->id, it->kind, it->ticket,
				  it->error);
			announcer_done(a, it, ANNOUNCER_FAILED);
		} else if (it->n_said >= it->n_langs || it->reason) {
			announcer_done(a, it, ANNOUNCER_PLAYED);
		}
		announcer_kick(a);
	}
	link_unref(r->link);
	g_free(r->error);
	g_free(r);
	return G_SOURCE_REMOVE;
}

static void announcer_report(struct announcer_link *link, guint id, bool started, double audio_s,
			     char *error)
{
	struct announcer_report *r = g_new0(struct announcer_report, 1);

	r->link = link_ref(link);
	r->id = id;
	r->started = started;
	r->at_us = g_get_real_time();
	r->audio_s = audio_s;
	r->error = error;
	post_to_loop(NULL, "announcer report", announcer_on_report, r, NULL);
}

struct announcer_worker {
	struct announcer_link *link;
	GAsyncQueue *jobs;
	struct hal_audio_config audio_cfg, headset_cfg;
	char *device, *wav_dir, *headset_device, *headset_wav_dir;
	char *config_path;  /* the board-config's file, for the self-test */
	char *selftest_exe; /* vuorod, to run it in a child; NULL: here */
	int wpm;
	struct speech *speech;
	struct hal_audio *audio, *headset;
};

/* Scales @pcm to @volume percent (the guidance's volume key). */
static void announcer_gain(GArray *pcm, int volume)
{
	if (volume <= 0 || volume >= 100)
		return;
	for (guint i = 0; i < pcm->len; i++)
		g_array_index(pcm, int16_t, i) =
		    (int16_t)(g_array_index(pcm, int16_t, i) * volume / 100);
}

/* Speaks one job into @pcm.  Returns 0 or -errno with @error set. */
static int announcer_render(struct announcer_worker *w, const struct announcer_job *j, GArray *pcm,
			    GError **error)
{
	if (!w->speech) {
		w->speech = speech_new(error);
		if (!w->speech)
			return -EIO;
	}
	if (j->chime) {
		speech_chime(w->speech, pcm);
		speech_silence(w->speech, ANNOUNCER_PAUSE_MS, pcm);
	}
	for (int i = 0; i < CONFIG_LANGS_MAX && j->voice[i]; i++) {
		int rc = speech_say(w->speech, j->voice[i], w->wpm, j->text[i], pcm, error);

		if (rc < 0)
			return rc;
		speech_silence(w->speech, ANNOUNCER_PAUSE_MS, pcm);
	}
	return 0;
}

static struct hal_audio_config announcer_sink_config(const struct config *cfg)
{
	return (struct hal_audio_config){
	    .sink = (enum hal_audio_sink)cfg->audio_sink,
	    .device = cfg->audio_device,
	    .wav_dir = cfg->audio_wav_dir,
	    .volume = cfg->audio_volume / 100.0,
	};
}

int announcer_check_sink(const struct config *cfg, GError **error)
{
	struct hal_audio_config audio_cfg = announcer_sink_config(cfg);
	g_autoptr(HalAudio) audio = NULL;

	return hal_audio_open(&audio_cfg, &audio, error);
}

/* The self-test at start: `vuorod --config FILE --check-audio` (which runs
 * announcer_check_sink) in a child, so that GStreamer's registry and
 * elements (some 3 MB) come into this process only with the first sound.
 * Returns NULL when the sink is good, else what is wrong. */
static char *announcer_selftest(const struct announcer_worker *w)
{
	const char *argv[] = {w->selftest_exe, "--config", w->config_path, "--check-audio", NULL};
	g_autoptr(GError) error = NULL;
	g_autofree char *out = NULL;
	int status;

	if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
			  &status, &error))
		return g_strdup_printf("audio: the sound self-test could not run: %s",
				       error->message);
	if (g_spawn_check_wait_status(status, NULL))
		return NULL;
	g_strstrip(out);
	return *out ? g_steal_pointer(&out)
		    : g_strdup("audio: the sound self-test failed without a word (vuorod "
			       "--check-audio)");
}

static gpointer announcer_worker(gpointer data)
{
	struct announcer_worker *w = data;
	struct announcer_job *j;
	g_autoptr(GError) selftest = NULL;

	/* Self-test: every GStreamer element the sink needs is there.  The
	 * sink itself opens at the first sound. */
	if (w->selftest_exe && w->config_path)
		announcer_report(w->link, 0, false, 0, announcer_selftest(w));
	else if (hal_audio_open(&w->audio_cfg, &w->audio, &selftest) < 0)
		announcer_report(w->link, 0, false, 0, g_strdup(selftest->message));
	while ((j = g_async_queue_pop(w->jobs)) && !j->quit) {
		g_autoptr(GArray) pcm = g_array_new(FALSE, FALSE, sizeof(int16_t));
		g_autoptr(GError) error = NULL;
		double audio_s = 0;
		int rc;

		struct hal_audio **out = j->headset ? &w->headset : &w->audio;

		rc = announcer_render(w, j, pcm, &error);
		announcer_gain(pcm, j->volume);
		if (rc == 0 && !*out)
			rc = hal_audio_open(j->headset ? &w->headset_cfg : &w->audio_cfg, out,
					    &error);
		/* Started: when the sound goes to the sink, not when espeak-ng began. */
		announcer_report(w->link, j->id, true, 0, NULL);
		if (rc == 0) {
			unsigned hz = speech_rate(w->speech);

			audio_s = (double)pcm->len / hz;
			rc = hal_audio_play(*out, (const int16_t *)(void *)pcm->data, pcm->len, hz,
					    j->label, &error);
			if (rc == -ECANCELED) { /* cut short on purpose: not a fault */
				rc = 0;
				g_clear_error(&error);
			} else if (rc < 0) {
				/* Open the device afresh next time: it may be back. */
				hal_audio_close(*out);
				*out = NULL;
			}
		}
		announcer_report(w->link, j->id, false, audio_s,
				 rc < 0 ? g_strdup(error ? error->message : g_strerror(-rc))
					: NULL);
		job_free(j);
	}
	if (j)
		job_free(j);
	hal_audio_close(w->audio);
	hal_audio_close(w->headset);
	speech_free(w->speech);
	link_unref(w->link);
	g_async_queue_unref(w->jobs);
	g_free(w->device);
	g_free(w->wav_dir);
	g_free(w->headset_device);
	g_free(w->headset_wav_dir);
	g_free(w->config_path);
	g_free(w->selftest_exe);
	g_free(w);
	return NULL;
}

/* "Vuoronumero A 123, palvelupiste 4." in @lang (announce.call). */
static char *announcer_sentence(const struct announcer *a, int lang, const char *ticket,
				int counter)
{
	int ci = config_counter_find(a->cfg, counter);
	const struct config_counter *c = config_counter_get(a->cfg, ci);
	char letter[2] = {ticket[0], '\0'};
	g_autofree char *number = g_strdup_printf("%d", counter);
	const char *digits = ticket + 1;

	/* "A007" is said "A 7": shorter, and how people read it. */
	while (digits[0] == '0' && digits[1])
		digits++;
	return catalog_format(a->catalog, lang,
			      c && c->expert ? "announce.call_booth" : "announce.call", "letter",
			      letter, "digits", digits, "counter", number, NULL);
}

/* The languages an announcement is spoken in, each once: the main one, the
 * ticket's (@extra, -1 none), then [announcer] languages.  A language
 * espeak-ng has no voice for is spoken in the main language instead. */
static int announcer_langs(const struct announcer *a, int only, int extra,
			   int ret[CONFIG_LANGS_MAX])
{
	bool seen[CONFIG_LANGS_MAX] = {false};
	int want[CONFIG_LANGS_MAX + 2];
	int n_want = 0, n = 0;

	if (only >= 0) {
		want[n_want++] = only;
	} else {
		want[n_want++] = 0;
		if (extra >= 0 && extra < a->cfg->n_langs)
			want[n_want++] = extra;
		for (char **l = a->cfg->announce_langs; l && *l && n_want < CONFIG_LANGS_MAX + 2;
		     l++)
			want[n_want++] = config_lang_parse(a->cfg, *l);
	}
	for (int i = 0; i < n_want; i++) {
		int lang = want[i] >= 0 && catalog_voice(a->catalog, want[i]) ? want[i] : 0;

		if (lang >= CONFIG_LANGS_MAX || seen[lang] || !catalog_voice(a->catalog, lang))
			continue;
		seen[lang] = true;
		ret[n++] = lang;
	}
	return n;
}

/* Hands the worker the next sentence when it is free: the first sentence
 * (main language) of the oldest call not yet started, after a chime when
 * the loudspeaker was quiet; when every call has been started, the next
 * language of the oldest.  A test is said whole. */
static void announcer_kick(struct announcer *a)
{
	struct announcer_item *it = NULL;
	struct announcer_job *j;

	if (a->saying)
		return;
	for (GList *l = a->waiting.head; l && !it; l = l->next)
		if (((struct announcer_item *)l->data)->n_said == 0)
			it = l->data;
	for (GList *l = a->waiting.head; l && !it; l = l->next)
		it = l->data;
	if (!it)
		return;
	j = g_new0(struct announcer_job, 1);
	j->id = a->job_id = ++a->next_job;
	g_cancellable_reset(a->cut);
	a->saying = it;
	j->headset = it->output == ANNOUNCER_HEADSET;
	j->volume = it->volume;
	if (!it->ticket_id) { /* a test: the chime for a tone, else every language */
		bool guide = strcmp(it->kind, "guide") == 0;

		j->chime = strcmp(it->kind, "test-tone") == 0;
		for (int k = 0; k < it->n_langs; k++) {
			j->voice[k] = g_strdup(catalog_voice(a->catalog, it->langs[k]));
			j->text[k] = g_strdup(it->text[it->langs[k]]);
		}
		g_snprintf(j->label, sizeof(j->label), "%s-%u", guide ? "guide" : "announce",
			   it->id);
	} else if (it->n_said == 0) {
		j->chime = a->cfg->announce_chime &&
			   (!a->quiet_since_us ||
			    g_get_real_time() - a->quiet_since_us > ANNOUNCER_QUIET_US);
		g_snprintf(j->label, sizeof(j->label), "announce-%u", it->id);
	} else {
		g_snprintf(j->label, sizeof(j->label), "announce-%u-%s", it->id,
			   config_lang_code(a->cfg, it->langs[it->n_said]));
	}
	if (it->ticket_id && it->n_said < it->n_langs) {
		j->voice[0] = g_strdup(catalog_voice(a->catalog, it->langs[it->n_said]));
		j->text[0] = g_strdup(it->text[it->langs[it->n_said]]);
	}
	g_async_queue_push(a->jobs, j);
}

static void announcer_add(struct announcer *a, struct announcer_item *it);

static struct announcer_item *announcer_queue(struct announcer *a, const char *kind,
					      const struct queue_ticket *tk, int counter,
					      int only_lang)
{
	struct announcer_item *it = g_new0(struct announcer_item, 1);
	int langs[CONFIG_LANGS_MAX];
	int n_langs = 0;

	it->id = ++a->next_id;
	it->kind = kind;
	if (tk) {
		g_strlcpy(it->ticket, tk->code, sizeof(it->ticket));
		it->ticket_id = tk->id;
	}
	it->counter = counter;
	it->queued_us = g_get_real_time();
	if (strcmp(kind, "test-tone") != 0 && (a->cfg->announce_speak || !tk))
		n_langs = announcer_langs(a, only_lang, tk ? tk->lang : -1, langs);
	for (int i = 0; i < n_langs; i++) {
		int lang = langs[i];

		it->text[lang] = tk ? announcer_sentence(a, lang, tk->code, counter)
				    : g_strdup(catalog_text(a->catalog, lang, "announce.test"));
		it->langs[i] = lang;
	}
	it->n_langs = n_langs;
	announcer_add(a, it);
	return it;
}

static void announcer_add(struct announcer *a, struct announcer_item *it)
{
	g_queue_push_tail(&a->recent, it);
	while (a->recent.length > ANNOUNCER_RECENT) {
		struct announcer_item *old = a->recent.head->data;

		if (old->state == ANNOUNCER_QUEUED || old->state == ANNOUNCER_PLAYING)
			break; /* still in flight: its report needs it */
		item_free(g_queue_pop_head(&a->recent));
	}
	g_queue_push_tail(&a->waiting, it);
	announcer_kick(a);
}

void announcer_hush(struct announcer *a, const char *reason, bool cut)
{
	if (cut && a->saying && strcmp(a->saying->kind, "guide") == 0) {
		a->saying->reason = reason;
		g_cancellable_cancel(a->cut);
	}
	for (GList *l = a->waiting.head, *next; l; l = next) {
		struct announcer_item *it = l->data;

		next = l->next;
		if (strcmp(it->kind, "guide") != 0 || it == a->saying)
			continue;
		it->reason = reason;
		announcer_done(a, it, ANNOUNCER_DROPPED);
	}
}

guint announcer_say(struct announcer *a, int lang, const char *text, enum announcer_output output,
		    int volume, bool replace)
{
	struct announcer_item *it = g_new0(struct announcer_item, 1);

	if (lang < 0 || lang >= a->cfg->n_langs || !catalog_voice(a->catalog, lang))
		lang = 0;
	if (replace)
		announcer_hush(a, "replaced", true); /* a key pressed: say the new, now */
	it->id = ++a->next_id;
	it->kind = "guide";
	it->output = output;
	it->volume = volume;
	it->queued_us = g_get_real_time();
	it->text[lang] = g_strdup(text);
	it->langs[0] = lang;
	it->n_langs = 1;
	announcer_add(a, it);
	return it->id;
}

/* The calls of @ticket (0: every call) are no longer current, for @reason:
 * one not started is dropped; one started says no more languages. */
static void announcer_drop(struct announcer *a, uint32_t ticket, const char *reason)
{
	for (GList *l = a->waiting.head, *next; l; l = next) {
		struct announcer_item *it = l->data;

		next = l->next;
		if (!it->ticket_id || (ticket && it->ticket_id != ticket))
			continue;
		it->reason = reason;
		if (it == a->saying)
			continue; /* ends with its sentence */
		announcer_done(a, it, it->n_said ? ANNOUNCER_PLAYED : ANNOUNCER_DROPPED);
	}
}

static void announcer_on_queue(const char *topic, gconstpointer payload, gpointer data)
{
	struct announcer *a = data;
	const struct queue_event *ev = payload;

	switch (ev->type) {
	case QUEUE_EVENT_CALLED:
	case QUEUE_EVENT_RECALLED:
		/* The newer announcement of a ticket replaces the one that waits. */
		announcer_drop(a, ev->ticket.id,
			       ev->type == QUEUE_EVENT_CALLED ? "called again" : "recalled");
		if (a->cfg->announce_chime || a->cfg->announce_speak)
			announcer_queue(a, ev->type == QUEUE_EVENT_CALLED ? "call" : "recall",
					&ev->ticket, ev->counter, -1);
		break;
	case QUEUE_EVENT_STARTED:
		announcer_drop(a, ev->ticket.id, "started");
		break;
	case QUEUE_EVENT_REQUEUED:
	case QUEUE_EVENT_NO_SHOW:
		announcer_drop(a, ev->ticket.id, "no-show");
		break;
	case QUEUE_EVENT_TRANSFERRED:
		announcer_drop(a, ev->ticket.id, "transferred");
		break;
	case QUEUE_EVENT_PARKED:
		announcer_drop(a, ev->ticket.id, "parked");
		break;
	case QUEUE_EVENT_ENDED:
		announcer_drop(a, ev->ticket.id, "ended");
		break;
	case QUEUE_EVENT_CANCELLED:
		announcer_drop(a, ev->ticket.id, "cancelled");
		break;
	case QUEUE_EVENT_VOIDED:
		announcer_drop(a, ev->ticket.id, "voided");
		break;
	case QUEUE_EVENT_DAY_RESET:
		announcer_drop(a, 0, "day reset");
		break;
	default:
		break;
	}
}

struct announcer *announcer_new(const struct config *cfg, const struct catalog *catalog,
				struct bus *bus, const char *selftest_exe)
{
	struct announcer *a = g_new0(struct announcer, 1);
	struct announcer_worker *w = g_new0(struct announcer_worker, 1);

	a->cfg = cfg;
	a->catalog = catalog;
	a->bus = bus;
	a->link = g_new0(struct announcer_link, 1);
	a->link->refs = 1;
	a->link->a = a;
	a->jobs = g_async_queue_new();
	g_queue_init(&a->recent);
	g_queue_init(&a->waiting);
	w->link = link_ref(a->link);
	w->jobs = g_async_queue_ref(a->jobs);
	w->device = g_strdup(cfg->audio_device);
	w->wav_dir = g_strdup(cfg->audio_wav_dir);
	w->config_path = g_strdup(cfg->path);
	w->selftest_exe = g_strdup(selftest_exe);
	w->audio_cfg = announcer_sink_config(cfg);
	w->audio_cfg.device = w->device;
	w->audio_cfg.wav_dir = w->wav_dir;
	w->headset_device = g_strdup(cfg->kiosk_headset_device);
	w->headset_wav_dir = g_strdup(cfg->kiosk_headset_wav_dir);
	w->headset_cfg = (struct hal_audio_config){
	    .sink = (enum hal_audio_sink)cfg->kiosk_headset_sink,
	    .device = w->headset_device,
	    .wav_dir = w->headset_wav_dir,
	    .volume = 1.0,
	};
	a->cut = g_cancellable_new();
	w->audio_cfg.cancel = a->cut;
	w->headset_cfg.cancel = a->cut;
	w->wpm = cfg->announce_wpm;
	a->thread = g_thread_new("announcer", announcer_worker, w);
	a->sub_queue = bus_subscribe(bus, "queue.", announcer_on_queue, a);
	return a;
}

void announcer_free(struct announcer *a)
{
	struct announcer_job *quit, *j;

	if (!a)
		return;
	bus_unsubscribe(a->bus, a->sub_queue);
	/* Drop what waits, cut a guidance prompt playing short (one may last
	 * 20 s: a stop must not wait for it; a call is said whole), then stop
	 * the worker. */
	while ((j = g_async_queue_try_pop(a->jobs)))
		job_free(j);
	if (a->saying && strcmp(a->saying->kind, "guide") == 0)
		g_cancellable_cancel(a->cut);
	quit = g_new0(struct announcer_job, 1);
	quit->quit = true;
	g_async_queue_push(a->jobs, quit);
	g_thread_join(a->thread);
	g_async_queue_unref(a->jobs);
	a->link->a = NULL;
	link_unref(a->link);
	g_queue_clear(&a->waiting);
	g_queue_clear_full(&a->recent, (GDestroyNotify)item_free);
	g_free(a->selftest_error);
	g_object_unref(a->cut);
	g_free(a);
}

int announcer_test(struct announcer *a, const char *kind, const char *lang)
{
	int only = -1;

	if (lang) {
		only = config_lang_parse(a->cfg, lang);
		if (only < 0)
			return -EINVAL;
	}
	if (g_strcmp0(kind, "tone") == 0)
		return (int)announcer_queue(a, "test-tone", NULL, 0, -1)->id;
	if (g_strcmp0(kind, "speech") == 0)
		return (int)announcer_queue(a, "test-speech", NULL, 0, only)->id;
	return -EINVAL;
}

size_t announcer_n_recent(const struct announcer *a)
{
	return a ? a->recent.length : 0;
}

const struct announcer_item *announcer_recent(const struct announcer *a, size_t i)
{
	return a && i < a->recent.length ? g_queue_peek_nth((GQueue *)&a->recent, (guint)i) : NULL;
}

unsigned announcer_pending(const struct announcer *a)
{
	return a ? a->waiting.length : 0;
}

const char *announcer_fault(const struct announcer *a)
{
	for (GList *l = a ? a->recent.tail : NULL; l; l = l->prev) {
		const struct announcer_item *it = l->data;

		if (it->state == ANNOUNCER_PLAYED)
			return NULL;
		if (it->state == ANNOUNCER_FAILED)
			return it->error;
	}
	return a ? a->selftest_error : NULL;
}

const char *announcer_sink_name(const struct announcer *a)
{
	return a ? hal_audio_sink_name((enum hal_audio_sink)a->cfg->audio_sink) : "none";
}
