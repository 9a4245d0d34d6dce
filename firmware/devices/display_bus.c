/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * display_bus: one worker thread per display bus; see display_bus.h for the
 * rules (coalescing, retries, failed displays, blink).
 *
 * Threads and ownership: the main thread submits jobs through a GAsyncQueue
 * and, for calls, through the display's "pending" slot (bus->lock), which is
 * what makes coalescing cheap: a newer call replaces the pending one in place
 * and only the first one pushes a kick.  The worker owns the HAL handle, the
 * list of active jobs (due now or waiting for a retry or a blink clear) and
 * each display's retry state; it publishes a display's status under
 * bus->lock.  Results travel to the main context as self-contained copies;
 * the shared "closed" flag, set and read only on the main thread, keeps them
 * from reaching callers after display_bus_free().
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "display_bus.h"
#include "post.h"

#define PROBE_MAX_MS 60000

enum job_kind {
	JOB_SHOW,        /* a display's latest frame, with retries */
	JOB_WRITE,       /* raw FC16/FC06, with retries */
	JOB_READ,        /* FC03, one try */
	JOB_BLINK_CLEAR, /* FC06 0 → blink register, one try, no caller */
	JOB_SOFT_BLINK,  /* software blink: the latest call off and on by writes */
	JOB_KICK,        /* "a display has a pending call" */
	JOB_QUIT,
};

struct shared {
	gint ref;
	gboolean closed; /* main thread only */
};

struct disp;

struct job {
	enum job_kind kind;
	struct disp *disp; /* SHOW, BLINK_CLEAR, KICK; else NULL */
	int unit;
	uint16_t addr;
	uint16_t regs[HAL_DISPLAY_MAX_REGS]; /* WRITE, BLINK_CLEAR */
	size_t n;
	struct display_frame *frame; /* SHOW: the call frame */
	struct display_frame *off;   /* SHOW on a software-blink map: the latest call blank */
	display_bus_result_fn fn;
	gpointer data;
	gint64 submitted_us;
	gint64 due_us; /* worker: when to try next */
	unsigned tries;
};

struct disp {
	guint id;
	char name[32]; /* for messages: "counter1"; "" = "display ID" */
	int unit;
	struct display_map map;
	bool has_blink;
	uint16_t blink_addr;
	/* bus->lock */
	struct job *pending; /* the latest call not yet taken by the worker */
	struct display_status status;
	struct display_frame settings; /* the map's settings frame; n_blocks 0: none */
	uint16_t probe_addr;           /* the call frame's first register */
	/* worker only */
	struct job *current;            /* the SHOW job being tried */
	struct job *blink_clear;        /* scheduled blink clear */
	struct job *soft_blink;         /* scheduled software blink step */
	struct display_frame blink_off; /* the shown call frame with the latest call blank */
	unsigned blink_step;
	gint64 blink_end;
	struct display_frame last;
	bool have_last;    /* false: nothing shown yet: probe with FC03 */
	bool settings_due; /* write the settings with the next frame that lands */
	gint64 probe_at;   /* FAILED: next probe */
	unsigned probe_ms;
};

struct display_bus {
	char *name;
	char *where; /* "/dev/ttyS1" */
	struct display_bus_config cfg;
	GMainContext *context;
	struct shared *shared;
	struct hal_display *hw;
	GAsyncQueue *queue;
	GThread *thread;
	GMutex lock;
	GPtrArray *displays; /* struct disp *; grows only */
	/* worker only */
	GList *active;    /* struct job *, submission order */
	gint64 wire_free; /* monotonic µs: the next request may go (frame_delay_ms) */
};

struct delivery {
	struct shared *shared;
	display_bus_result_fn fn;
	gpointer data;
	struct display_bus_result res;
	char message[384];
	uint16_t regs[HAL_DISPLAY_MAX_REGS];
};

struct state_note {
	struct shared *shared;
	display_bus_state_fn fn;
	gpointer data;
	guint id;
	int unit;
	enum display_state state;
	char message[256];
};

static void shared_unref(struct shared *s)
{
	if (g_atomic_int_dec_and_test(&s->ref))
		g_free(s);
}

static struct shared *shared_ref(struct shared *s)
{
	g_atomic_int_inc(&s->ref);
	return s;
}

const char *display_state_str(enum display_state state)
{
	switch (state) {
	case DISPLAY_STATE_OK:
		return "ok";
	case DISPLAY_STATE_ERROR:
		return "error";
	case DISPLAY_STATE_FAILED:
		return "failed";
	case DISPLAY_STATE_UNKNOWN:
	default:
		return "unknown";
	}
}

/* "display 3 (unit 12 on /dev/ttyS1): no answer within 500 ms — …" */
static void describe_error(const struct display_bus *bus, const struct disp *d, int unit, int error,
			   uint8_t exc, char *buf, size_t size)
{
	char who[96];
	const char *what = bus->cfg.hw.transport == HAL_DISPLAY_TCP ? "connect to" : "open";

	if (d && d->name[0])
		snprintf(who, sizeof(who), "display %s (unit %d on bus %s, %s)", d->name, unit,
			 bus->name, bus->where);
	else if (d)
		snprintf(who, sizeof(who), "display %u (unit %d on %s)", d->id, unit, bus->where);
	else
		snprintf(who, sizeof(who), "unit %d on %s", unit, bus->where);
	switch (error) {
	case -ETIMEDOUT:
		snprintf(buf, size, "%s: no answer within %u ms — check wiring, power and unit id",
			 who, bus->cfg.hw.response_timeout_ms);
		break;
	case -EBADMSG:
		snprintf(buf, size,
			 "%s: garbled answer (CRC or framing error) — check baud rate, parity "
			 "and the line's termination",
			 who);
		break;
	case -EPROTO:
		snprintf(buf, size,
			 "%s: refused the request with Modbus exception 0x%02x (%s) — %s", who, exc,
			 hal_display_exception_str(exc),
			 exc <= 0x03 ? "the register map does not fit this display; check its map"
				     : "the display is busy or broken; it is tried again");
		break;
	case -ENOENT:
	case -ENODEV:
	case -ENXIO:
		snprintf(buf, size,
			 "%s: cannot %s %s (%s) — check the bus device and that the adapter is "
			 "plugged in",
			 who, what, bus->where, g_strerror(-error));
		break;
	case -EACCES:
	case -EPERM:
		snprintf(buf, size,
			 "%s: cannot %s %s (%s) — give the vuoro user access (group dialout)", who,
			 what, bus->where, g_strerror(-error));
		break;
	case -ECONNREFUSED:
	case -EHOSTUNREACH:
	case -ENETUNREACH:
		snprintf(buf, size,
			 "%s: cannot %s %s (%s) — check host and port and that the gateway is on",
			 who, what, bus->where, g_strerror(-error));
		break;
	case -ECANCELED:
		snprintf(buf, size, "%s: superseded by a newer call", who);
		break;
	default:
		snprintf(buf, size, "%s: %s — check the bus wiring and settings", who,
			 g_strerror(-error));
		break;
	}
}

static void job_free(struct job *job)
{
	if (job) {
		g_free(job->frame);
		g_free(job->off);
		g_free(job);
	}
}

static gboolean deliver(gpointer data)
{
	struct delivery *dl = data;

	if (!dl->shared->closed && dl->fn)
		dl->fn(&dl->res, dl->data);
	return G_SOURCE_REMOVE;
}

static void delivery_free(gpointer data)
{
	struct delivery *dl = data;

	shared_unref(dl->shared);
	g_free(dl);
}

/* Worker (or main thread for immediate errors): hands @job's result to the
 * main context and frees the job. */
static void job_complete(struct display_bus *bus, struct job *job, int error, uint8_t exc,
			 bool skipped, const uint16_t *regs, size_t n_regs, const char *message)
{
	struct delivery *dl;

	if (job->fn) {
		dl = g_new0(struct delivery, 1);
		dl->shared = shared_ref(bus->shared);
		dl->fn = job->fn;
		dl->data = job->data;
		dl->res = (struct display_bus_result){
		    .display_id = job->disp ? job->disp->id : 0,
		    .unit = job->unit,
		    .error = error,
		    .exception = exc,
		    .skipped = skipped,
		    .tries = job->tries,
		    .submitted_us = job->submitted_us,
		    .done_us = g_get_monotonic_time(),
		};
		if (error) {
			if (message)
				g_strlcpy(dl->message, message, sizeof(dl->message));
			else
				describe_error(bus, job->disp, job->unit, error, exc, dl->message,
					       sizeof(dl->message));
			dl->res.message = dl->message;
		}
		if (regs && n_regs) {
			memcpy(dl->regs, regs, n_regs * sizeof(*regs));
			dl->res.regs = dl->regs;
			dl->res.n_regs = n_regs;
		}
		post_to_loop(bus->context, "display-bus result", deliver, dl, delivery_free);
	}
	job_free(job);
}

static gboolean deliver_state(gpointer data)
{
	struct state_note *sn = data;

	if (!sn->shared->closed)
		sn->fn(sn->id, sn->unit, sn->state, sn->message[0] ? sn->message : NULL, sn->data);
	return G_SOURCE_REMOVE;
}

static void state_note_free(gpointer data)
{
	struct state_note *sn = data;

	shared_unref(sn->shared);
	g_free(sn);
}

/* Worker: publishes a display's status; tells the main loop on a change. */
static void disp_set_status(struct display_bus *bus, struct disp *d, enum display_state state,
			    int error, uint8_t exc)
{
	struct display_status st = {.state = state, .error = error, .exception = exc};
	enum display_state old;

	if (error)
		describe_error(bus, d, d->unit, error, exc, st.message, sizeof(st.message));
	g_mutex_lock(&bus->lock);
	old = d->status.state;
	d->status = st;
	g_mutex_unlock(&bus->lock);
	if (old == state)
		return;
	if (state == DISPLAY_STATE_FAILED || old == DISPLAY_STATE_FAILED)
		g_debug("%s: display %u: %s → %s%s%s", bus->name, d->id, display_state_str(old),
			display_state_str(state), error ? ": " : "", error ? st.message : "");
	if (bus->cfg.state_changed) {
		struct state_note *sn = g_new0(struct state_note, 1);

		sn->shared = shared_ref(bus->shared);
		sn->fn = bus->cfg.state_changed;
		sn->data = bus->cfg.state_data;
		sn->id = d->id;
		sn->unit = d->unit;
		sn->state = state;
		g_strlcpy(sn->message, st.message, sizeof(sn->message));
		post_to_loop(bus->context, "display-bus result", deliver_state, sn,
			     state_note_free);
	}
}

static bool retryable(int error, uint8_t exc)
{
	/* Exceptions 1–3 say the request itself is wrong (map vs. display):
	 * asking again cannot help.  Busy and failure exceptions may pass. */
	if (error == -EPROTO)
		return exc >= 0x04;
	return error != -EINVAL;
}

static void schedule_blink_clear(struct display_bus *bus, struct disp *d, gint64 now)
{
	if (!d->has_blink)
		return;
	if (!d->blink_clear) {
		d->blink_clear = g_new0(struct job, 1);
		d->blink_clear->kind = JOB_BLINK_CLEAR;
		d->blink_clear->disp = d;
		d->blink_clear->unit = d->unit;
		d->blink_clear->addr = d->blink_addr;
		d->blink_clear->n = 1;
		bus->active = g_list_append(bus->active, d->blink_clear);
	}
	d->blink_clear->submitted_us = now;
	d->blink_clear->due_us = now + (gint64)bus->cfg.blink_ms * 1000;
}

/* Worker: every request goes through these two, which keep
 * frame_delay_ms of quiet on the wire between requests. */
static void wire_wait(struct display_bus *bus)
{
	gint64 wait = bus->wire_free - g_get_monotonic_time();

	if (wait > 0)
		g_usleep((gulong)wait);
}

static int wire_write(struct display_bus *bus, int unit, uint16_t addr, const uint16_t *regs,
		      size_t n)
{
	int r;

	wire_wait(bus);
	r = hal_display_write_registers(bus->hw, unit, addr, regs, n);
	bus->wire_free = g_get_monotonic_time() + (gint64)bus->cfg.frame_delay_ms * 1000;
	return r;
}

static int wire_read(struct display_bus *bus, int unit, uint16_t addr, uint16_t *regs, size_t n)
{
	int r;

	wire_wait(bus);
	r = hal_display_read_registers(bus->hw, unit, addr, regs, n);
	bus->wire_free = g_get_monotonic_time() + (gint64)bus->cfg.frame_delay_ms * 1000;
	return r;
}

/* Worker: @frame's blocks in address order, one FC16 each (FC06 for a
 * one-register block), or one FC06 per register for a write = fc06 block.
 * Stops at the first error. */
static int write_frame(struct display_bus *bus, int unit, const struct display_frame *frame)
{
	for (size_t b = 0; b < frame->n_blocks; b++) {
		const struct display_block *blk = &frame->blocks[b];
		size_t step = blk->fc06 ? 1 : blk->n;

		for (size_t i = 0; i < blk->n; i += step) {
			int r =
			    wire_write(bus, unit, (uint16_t)(blk->addr + i), blk->regs + i, step);

			if (r < 0)
				return r;
		}
	}
	return 0;
}

#define SOFT_BLINK_HALF_MS 500 /* off, on, off … */

/* Worker: after a call landed on a software-blink display: its latest call
 * goes off and on every SOFT_BLINK_HALF_MS until blink_ms has passed. */
static void schedule_soft_blink(struct display_bus *bus, struct disp *d, const struct job *show,
				gint64 now)
{
	if (!show->off)
		return;
	d->blink_off = *show->off;
	d->blink_step = 0;
	d->blink_end = now + (gint64)bus->cfg.blink_ms * 1000;
	if (!d->soft_blink) {
		d->soft_blink = g_new0(struct job, 1);
		d->soft_blink->kind = JOB_SOFT_BLINK;
		d->soft_blink->disp = d;
		d->soft_blink->unit = d->unit;
		bus->active = g_list_append(bus->active, d->soft_blink);
	}
	d->soft_blink->submitted_us = now;
	d->soft_blink->due_us = now + SOFT_BLINK_HALF_MS * 1000;
}

/* Worker: one step of a software blink, off or on; true when the blink is
 * over: after an "on" when another off-on would end past blink_ms.  One try
 * a step: a missed one is not repeated. */
static bool soft_blink_step(struct display_bus *bus, struct job *job)
{
	struct disp *d = job->disp;
	bool off = ++d->blink_step % 2 == 1;
	int r = write_frame(bus, d->unit, off ? &d->blink_off : &d->last);

	if (r < 0)
		g_debug("%s: unit %d: software blink: %s", bus->name, d->unit, g_strerror(-r));
	if (!off && g_get_monotonic_time() + 2 * SOFT_BLINK_HALF_MS * 1000 > d->blink_end) {
		d->soft_blink = NULL;
		job_free(job);
		return true;
	}
	job->due_us += SOFT_BLINK_HALF_MS * 1000;
	return false;
}

/* Worker: the settings after a call frame landed, when they are due.  A
 * display that refuses them (an exception: the map's settings do not fit
 * it) is not asked again until it comes back; one that does not answer is. */
static int write_settings(struct display_bus *bus, struct disp *d)
{
	int r;

	if (!d->settings_due)
		return 0;
	r = write_frame(bus, d->unit, &d->settings);
	if (r == 0 || r == -EPROTO)
		d->settings_due = false;
	return r;
}

/* Worker: one attempt of @job; true when the job is finished (and freed). */
static bool job_run(struct display_bus *bus, struct job *job)
{
	struct disp *d = job->disp;
	uint16_t regs[HAL_DISPLAY_MAX_REGS];
	uint8_t exc = 0;
	bool landed = false; /* SHOW: the call frame was written */
	gint64 now;
	int r;

	if (job->kind == JOB_SOFT_BLINK)
		return soft_blink_step(bus, job);
	job->tries++;
	switch (job->kind) {
	case JOB_READ:
		r = wire_read(bus, job->unit, job->addr, regs, job->n);
		break;
	case JOB_BLINK_CLEAR:
		r = wire_write(bus, job->unit, job->addr, job->regs, 1);
		break;
	case JOB_SHOW:
		r = write_frame(bus, job->unit, job->frame);
		landed = r == 0;
		if (landed)
			r = write_settings(bus, d);
		break;
	default:
		r = wire_write(bus, job->unit, job->addr, job->regs, job->n);
		break;
	}
	if (r == -EPROTO)
		exc = hal_display_last_exception(bus->hw);
	now = g_get_monotonic_time();

	if (job->kind == JOB_BLINK_CLEAR) {
		if (r < 0)
			g_debug("%s: unit %d: clearing blink failed: %s", bus->name, job->unit,
				g_strerror(-r));
		else if (display_frame_reg(&d->last, job->addr))
			*display_frame_reg(&d->last, job->addr) = 0;
		d->blink_clear = NULL;
		job_free(job);
		return true;
	}
	if (r == 0) {
		if (d && job->kind == JOB_SHOW) {
			d->last = *job->frame;
			d->have_last = true;
			d->probe_ms = 0;
			disp_set_status(bus, d, DISPLAY_STATE_OK, 0, 0);
			schedule_blink_clear(bus, d, now);
			schedule_soft_blink(bus, d, job, now);
			d->current = NULL;
		}
		job_complete(bus, job, 0, 0, false, job->kind == JOB_READ ? regs : NULL, job->n,
			     NULL);
		return true;
	}
	if (job->kind != JOB_READ && retryable(r, exc) && job->tries < bus->cfg.tries &&
	    !(d && d->status.state == DISPLAY_STATE_FAILED)) {
		job->due_us = now + ((gint64)bus->cfg.backoff_ms << (job->tries - 1)) * 1000;
		return false;
	}
	if (d && job->kind == JOB_SHOW) {
		if (landed) {
			/* Only the settings were refused: the call shows, and
			 * is what a probe writes back. */
			d->last = *job->frame;
			d->have_last = true;
		}
		if (r == -EPROTO) {
			disp_set_status(bus, d, DISPLAY_STATE_ERROR, r, exc);
		} else {
			/* No answer: this call is what the display should show
			 * when it answers again (the probe writes it). */
			d->last = *job->frame;
			d->have_last = true;
			d->probe_ms =
			    d->probe_ms ? MIN(d->probe_ms * 2, PROBE_MAX_MS) : bus->cfg.probe_ms;
			d->probe_at = now + (gint64)d->probe_ms * 1000;
			disp_set_status(bus, d, DISPLAY_STATE_FAILED, r, exc);
		}
		d->current = NULL;
	}
	job_complete(bus, job, r, exc, false, NULL, 0, NULL);
	return true;
}

/* Worker: a display has a pending call: take it (coalescing with the one
 * being tried), or skip it when the display is marked failed. */
static void take_pending(struct display_bus *bus, struct disp *d, gint64 now)
{
	struct job *job;
	char msg[384];

	g_mutex_lock(&bus->lock);
	job = d->pending;
	d->pending = NULL;
	g_mutex_unlock(&bus->lock);
	if (!job)
		return;
	if (d->soft_blink) { /* the new call blinks (or not) on its own */
		bus->active = g_list_remove(bus->active, d->soft_blink);
		job_free(d->soft_blink);
		d->soft_blink = NULL;
	}
	if (d->current) { /* a newer call makes the one in back-off moot */
		bus->active = g_list_remove(bus->active, d->current);
		job_complete(bus, d->current, -ECANCELED, 0, false, NULL, 0, NULL);
		d->current = NULL;
	}
	if (d->status.state == DISPLAY_STATE_FAILED) {
		/* Keep the frame for the next probe, answer at once. */
		d->last = *job->frame;
		d->have_last = true;
		snprintf(msg, sizeof(msg), "%s; skipped, next probe in %lld ms", d->status.message,
			 (long long)MAX(0, (d->probe_at - now) / 1000));
		job_complete(bus, job, d->status.error, d->status.exception, true, NULL, 0, msg);
		return;
	}
	job->due_us = now;
	d->current = job;
	bus->active = g_list_append(bus->active, job);
}

/* Worker: probes failed displays that are due — with the latest frame,
 * or an FC03 read when nothing was ever shown.  One try each. */
static void run_probes(struct display_bus *bus, gint64 now, gint64 *next_due)
{
	/* The array's length under the lock too: the main thread adds
	 * displays while the worker runs (display_bus_add_display). */
	for (guint i = 0;; i++) {
		struct disp *d;
		int r;

		g_mutex_lock(&bus->lock);
		d = i < bus->displays->len ? g_ptr_array_index(bus->displays, i) : NULL;
		g_mutex_unlock(&bus->lock);
		if (!d)
			break;
		if (d->status.state != DISPLAY_STATE_FAILED)
			continue;
		if (d->probe_at > now) {
			*next_due = MIN(*next_due, d->probe_at);
			continue;
		}
		if (d->have_last) {
			r = write_frame(bus, d->unit, &d->last);
		} else {
			uint16_t reg;

			r = wire_read(bus, d->unit, d->probe_addr, &reg, 1);
		}
		now = g_get_monotonic_time();
		if (r == 0 || r == -EPROTO) {
			g_debug("%s: display %u answers again", bus->name, d->id);
			/* It may have been powered off: its settings again. */
			d->settings_due = d->settings.n_blocks > 0;
			if (r == 0 && d->have_last && write_settings(bus, d) == -EPROTO)
				r = -EPROTO;
			d->probe_ms = 0;
			disp_set_status(bus, d, r ? DISPLAY_STATE_ERROR : DISPLAY_STATE_OK, r,
					r ? hal_display_last_exception(bus->hw) : 0);
		} else {
			d->probe_ms = MIN(d->probe_ms * 2, PROBE_MAX_MS);
			d->probe_at = now + (gint64)d->probe_ms * 1000;
			*next_due = MIN(*next_due, d->probe_at);
		}
	}
}

static void job_drop(struct display_bus *bus, struct job *job)
{
	if (job->kind == JOB_BLINK_CLEAR || job->kind == JOB_SOFT_BLINK || job->kind == JOB_KICK ||
	    job->kind == JOB_QUIT)
		job_free(job);
	else
		job_complete(bus, job, -ECANCELED, 0, false, NULL, 0, "display bus stopped");
}

/* Worker: returns false on QUIT. */
static bool handle_incoming(struct display_bus *bus, struct job *job, gint64 now)
{
	switch (job->kind) {
	case JOB_QUIT:
		job_free(job);
		return false;
	case JOB_KICK:
		take_pending(bus, job->disp, now);
		job_free(job);
		return true;
	default:
		job->due_us = now;
		bus->active = g_list_append(bus->active, job);
		return true;
	}
}

static gpointer worker(gpointer data)
{
	struct display_bus *bus = data;
	bool running = true;
	struct job *due;

	while (running) {
		gint64 now = g_get_monotonic_time();
		gint64 next_due = G_MAXINT64;
		struct job *in;

		due = NULL;
		/* Everything already queued first, so that coalescing sees it. */
		while (running && (in = g_async_queue_try_pop(bus->queue)))
			running = handle_incoming(bus, in, now);
		if (!running)
			break;
		run_probes(bus, now, &next_due);
		now = g_get_monotonic_time();
		for (GList *l = bus->active; l; l = l->next) {
			struct job *j = l->data;

			if (j->due_us <= now && (!due || j->due_us < due->due_us))
				due = j;
			else if (j->due_us > now)
				next_due = MIN(next_due, j->due_us);
		}
		if (due) {
			if (job_run(bus, due))
				bus->active = g_list_remove(bus->active, due);
			continue;
		}
		if (next_due == G_MAXINT64)
			in = g_async_queue_pop(bus->queue);
		else
			in = g_async_queue_timeout_pop(bus->queue, (guint64)MAX(0, next_due - now));
		if (in)
			running = handle_incoming(bus, in, g_get_monotonic_time());
	}
	/* Stopping: drop what is left; the callbacks will not run (closed). */
	for (GList *l = bus->active; l; l = l->next)
		job_drop(bus, l->data);
	g_list_free(bus->active);
	bus->active = NULL;
	while ((due = g_async_queue_try_pop(bus->queue)))
		job_drop(bus, due);
	return NULL;
}

struct display_bus *display_bus_new(const struct display_bus_config *cfg, GMainContext *context,
				    GError **error)
{
	struct display_bus *bus;
	struct hal_display *hw = NULL;
	g_autofree char *where = hal_display_describe(&cfg->hw);
	int r;

	r = hal_display_open(&cfg->hw, &hw);
	if (r < 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(-r),
			    "display bus %s (%s): %s — check its device, baud, parity, data and "
			    "stop bits, or host and port",
			    cfg->name ? cfg->name : "?", where, g_strerror(-r));
		return NULL;
	}
	bus = g_new0(struct display_bus, 1);
	bus->cfg = *cfg;
	bus->name = g_strdup(cfg->name ? cfg->name : where);
	bus->cfg.name = bus->name;
	bus->where = g_steal_pointer(&where);
	bus->cfg.hw.device = NULL; /* the HAL copied what it needs */
	bus->cfg.hw.host = NULL;
	bus->cfg.hw.sim_silent_units = NULL;
	if (!bus->cfg.hw.response_timeout_ms)
		bus->cfg.hw.response_timeout_ms = 500;
	if (!bus->cfg.tries)
		bus->cfg.tries = 3;
	if (!bus->cfg.backoff_ms)
		bus->cfg.backoff_ms = 50;
	if (!bus->cfg.probe_ms)
		bus->cfg.probe_ms = 5000;
	if (!bus->cfg.blink_ms)
		bus->cfg.blink_ms = 5000;
	bus->context = context ? g_main_context_ref(context) : g_main_context_ref_thread_default();
	bus->shared = g_new0(struct shared, 1);
	bus->shared->ref = 1;
	bus->hw = hw;
	bus->queue = g_async_queue_new();
	g_mutex_init(&bus->lock);
	bus->displays = g_ptr_array_new();
	bus->thread = g_thread_new("display-bus", worker, bus);
	return bus;
}

void display_bus_free(struct display_bus *bus)
{
	struct job *quit;

	if (!bus)
		return;
	bus->shared->closed = TRUE;
	quit = g_new0(struct job, 1);
	quit->kind = JOB_QUIT;
	g_async_queue_push(bus->queue, quit);
	g_thread_join(bus->thread);
	for (guint i = 0; i < bus->displays->len; i++) {
		struct disp *d = g_ptr_array_index(bus->displays, i);

		job_free(d->pending);
		g_free(d);
	}
	g_ptr_array_free(bus->displays, TRUE);
	g_async_queue_unref(bus->queue);
	g_mutex_clear(&bus->lock);
	hal_display_close(bus->hw);
	shared_unref(bus->shared);
	g_main_context_unref(bus->context);
	g_free(bus->name);
	g_free(bus->where);
	g_free(bus);
}

/* With bus->lock held. */
static struct disp *find_disp(struct display_bus *bus, int unit)
{
	for (guint i = 0; i < bus->displays->len; i++) {
		struct disp *d = g_ptr_array_index(bus->displays, i);

		if (d->unit == unit)
			return d;
	}
	return NULL;
}

int display_bus_add_display(struct display_bus *bus, guint display_id, const char *name, int unit,
			    const struct display_map *map)
{
	struct disp *d;
	int r = 0;

	if (unit < 1 || unit > 247 || display_map_validate(map, NULL) < 0)
		return -EINVAL;
	d = g_new0(struct disp, 1);
	d->id = display_id;
	g_strlcpy(d->name, name ? name : "", sizeof(d->name));
	d->unit = unit;
	d->map = *map;
	d->has_blink = display_map_blink_addr(map, &d->blink_addr) == 0;
	if (display_map_frame(map, DISPLAY_FRAME_SETTINGS, NULL, 0, FALSE, &d->settings) < 0 ||
	    display_map_frame(map, DISPLAY_FRAME_CALL, NULL, 0, FALSE, &d->last) < 0) {
		g_free(d);
		return -EINVAL;
	}
	d->probe_addr = d->last.blocks[0].addr; /* a valid map has a call field */
	d->settings_due = d->settings.n_blocks > 0;
	g_mutex_lock(&bus->lock);
	if (find_disp(bus, unit))
		r = -EEXIST;
	else
		g_ptr_array_add(bus->displays, d);
	g_mutex_unlock(&bus->lock);
	if (r < 0)
		g_free(d);
	return r;
}

int display_bus_show_call(struct display_bus *bus, int unit, const struct display_call *calls,
			  size_t n_calls, display_bus_result_fn fn, gpointer data)
{
	struct job *job, *old = NULL;
	struct disp *d;
	bool kick;
	int r;

	g_mutex_lock(&bus->lock);
	d = find_disp(bus, unit);
	g_mutex_unlock(&bus->lock);
	if (!d)
		return -ENOENT;
	job = g_new0(struct job, 1);
	job->kind = JOB_SHOW;
	job->disp = d;
	job->unit = unit;
	job->addr = d->probe_addr;
	job->frame = g_new(struct display_frame, 1);
	job->fn = fn;
	job->data = data;
	job->submitted_us = g_get_monotonic_time();
	r = display_map_frame(&d->map, DISPLAY_FRAME_CALL, calls, n_calls,
			      d->has_blink && n_calls > 0, job->frame);
	if (r == 0 && d->map.software_blink && n_calls > 0 && bus->cfg.blink_ms > 1) {
		/* The same frame with the latest call blank: the blink's "off". */
		struct display_call blank[DISPLAY_MAP_MAX_FIELDS];

		memcpy(blank, calls, MIN(n_calls, G_N_ELEMENTS(blank)) * sizeof(*blank));
		blank[0] = (struct display_call){.ticket = ""};
		job->off = g_new(struct display_frame, 1);
		r = display_map_frame(&d->map, DISPLAY_FRAME_CALL, blank,
				      MIN(n_calls, G_N_ELEMENTS(blank)), FALSE, job->off);
	}
	if (r < 0) {
		job_free(job);
		return r;
	}
	g_mutex_lock(&bus->lock);
	old = d->pending;
	d->pending = job;
	kick = !old;
	g_mutex_unlock(&bus->lock);
	if (old) /* coalesced: the worker never saw it */
		job_complete(bus, old, -ECANCELED, 0, false, NULL, 0, NULL);
	if (kick) {
		struct job *k = g_new0(struct job, 1);

		k->kind = JOB_KICK;
		k->disp = d;
		g_async_queue_push(bus->queue, k);
	}
	return 0;
}

static int submit(struct display_bus *bus, enum job_kind kind, int unit, uint16_t addr,
		  const uint16_t *regs, size_t n, display_bus_result_fn fn, gpointer data)
{
	struct job *job;

	if (unit < 0 || unit > 247 || n == 0 ||
	    n > (kind == JOB_READ ? 125 : HAL_DISPLAY_MAX_REGS) || (size_t)addr + n > 65536)
		return -EINVAL;
	job = g_new0(struct job, 1);
	job->kind = kind;
	job->unit = unit;
	job->addr = addr;
	job->n = n;
	if (regs)
		memcpy(job->regs, regs, n * sizeof(*regs));
	job->fn = fn;
	job->data = data;
	job->submitted_us = g_get_monotonic_time();
	g_async_queue_push(bus->queue, job);
	return 0;
}

int display_bus_write(struct display_bus *bus, int unit, uint16_t addr, const uint16_t *regs,
		      size_t n, display_bus_result_fn fn, gpointer data)
{
	return submit(bus, JOB_WRITE, unit, addr, regs, n, fn, data);
}

int display_bus_read(struct display_bus *bus, int unit, uint16_t addr, size_t n,
		     display_bus_result_fn fn, gpointer data)
{
	return submit(bus, JOB_READ, unit, addr, NULL, n, fn, data);
}

int display_bus_get_status(struct display_bus *bus, int unit, struct display_status *ret)
{
	struct disp *d;
	int r = -ENOENT;

	g_mutex_lock(&bus->lock);
	d = find_disp(bus, unit);
	if (d) {
		*ret = d->status;
		r = 0;
	}
	g_mutex_unlock(&bus->lock);
	return r;
}
