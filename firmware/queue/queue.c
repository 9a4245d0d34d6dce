/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * queue: the pure queue engine (see queue.h for the contract).
 *
 * Invariants kept here:
 *  - the engine holds active tickets only; a ticket that reaches a terminal
 *    state is reported once (after-image, visit, event) and then forgotten;
 *  - numbers run per origin service and service day and never go back;
 *  - every command first checks everything it needs and only then changes
 *    anything, so an error leaves the engine as it was.  The one exception
 *    is the daily reset, which a command arriving on a new service day runs
 *    first: its result then stays in @res even when the command fails (the
 *    desk avoids that by sending a TICK first);
 *  - the line order is: front, appointment due now, priority, profile
 *    (order, or waiting time × weight), queue time, id.
 */

#include "queue.h"
#include "hours.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define QUEUE_MAX_NUMBER 9999

/* Recent service times of one service, a ring of the last `window`. */
struct queue_times {
	int *s;
	unsigned len, pos;
	int64_t sum;
};

struct queue {
	const struct config *cfg;
	GHashTable *tickets; /* id → struct queue_ticket *, active ones only */
	struct queue_counter *counters;
	unsigned n_counters;
	unsigned n_services;
	uint16_t *last_number; /* per origin service, on `day` */
	unsigned *n_waiting;   /* per service: tickets in line (WAITING) */
	unsigned *n_issued;    /* per service: committed, not yet handed out */
	struct queue_times *times;
	int *profile_pos; /* scratch: per service, its place in a profile */
	int32_t day;      /* the service day; -1 until known */
	uint32_t next_id;
	const GPtrArray *exceptions; /* the caller's; hours.h */
};

static const char *const state_names[QUEUE_N_STATES] = {
    [QUEUE_ISSUED] = "issued",   [QUEUE_WAITING] = "waiting",     [QUEUE_CALLED] = "called",
    [QUEUE_SERVING] = "serving", [QUEUE_PARKED] = "parked",       [QUEUE_DONE] = "done",
    [QUEUE_NO_SHOW] = "no_show", [QUEUE_CANCELLED] = "cancelled", [QUEUE_VOIDED] = "voided",
};

static const char *const channel_names[QUEUE_N_CHANNELS] = {
    [QUEUE_CHANNEL_IN_PERSON] = "in_person", [QUEUE_CHANNEL_REMOTE_VIDEO] = "remote_video",
    [QUEUE_CHANNEL_E_SERVICE] = "e_service", [QUEUE_CHANNEL_PAPER_FORM] = "paper_form",
    [QUEUE_CHANNEL_PHONE] = "phone",         [QUEUE_CHANNEL_PROVIDER_ON_SITE] = "provider_on_site",
};

static const char *const outcome_names[QUEUE_N_OUTCOMES] = {
    [QUEUE_OUTCOME_RESOLVED] = "resolved",       [QUEUE_OUTCOME_REFERRED] = "referred",
    [QUEUE_OUTCOME_FOLLOW_UP] = "follow_up",     [QUEUE_OUTCOME_TRANSFERRED] = "transferred",
    [QUEUE_OUTCOME_NO_SHOW] = "no_show",         [QUEUE_OUTCOME_CANCELLED] = "cancelled",
    [QUEUE_OUTCOME_VOIDED] = "voided",           [QUEUE_OUTCOME_RESET] = "reset",
    [QUEUE_OUTCOME_INTERRUPTED] = "interrupted",
};

static const char *const event_names[QUEUE_N_EVENTS] = {
    [QUEUE_EVENT_ISSUED] = "issued",
    [QUEUE_EVENT_WAITING] = "waiting",
    [QUEUE_EVENT_CALLED] = "called",
    [QUEUE_EVENT_RECALLED] = "recalled",
    [QUEUE_EVENT_STARTED] = "started",
    [QUEUE_EVENT_REQUEUED] = "requeued",
    [QUEUE_EVENT_NO_SHOW] = "no_show",
    [QUEUE_EVENT_TRANSFERRED] = "transferred",
    [QUEUE_EVENT_PARKED] = "parked",
    [QUEUE_EVENT_RESUMED] = "resumed",
    [QUEUE_EVENT_ENDED] = "ended",
    [QUEUE_EVENT_CANCELLED] = "cancelled",
    [QUEUE_EVENT_VOIDED] = "voided",
    [QUEUE_EVENT_COUNTER_OPENED] = "counter_opened",
    [QUEUE_EVENT_COUNTER_CLOSED] = "counter_closed",
    [QUEUE_EVENT_DAY_RESET] = "day_reset",
};

static const char *const cmd_names[QUEUE_N_CMDS] = {
    [QUEUE_CMD_ISSUE] = "issue",     [QUEUE_CMD_HANDOUT] = "handout",   [QUEUE_CMD_VOID] = "void",
    [QUEUE_CMD_CANCEL] = "cancel",   [QUEUE_CMD_OPEN] = "open",         [QUEUE_CMD_CLOSE] = "close",
    [QUEUE_CMD_CALL] = "call",       [QUEUE_CMD_RECALL] = "recall",     [QUEUE_CMD_START] = "start",
    [QUEUE_CMD_NO_SHOW] = "no_show", [QUEUE_CMD_TRANSFER] = "transfer", [QUEUE_CMD_PARK] = "park",
    [QUEUE_CMD_RESUME] = "resume",   [QUEUE_CMD_END] = "end",           [QUEUE_CMD_TICK] = "tick",
};

static const char *const refusal_names[] = {
    [QUEUE_REFUSAL_NONE] = "refused",
    [QUEUE_REFUSAL_CLOSED_TODAY] = "closed_today",
    [QUEUE_REFUSAL_NOT_YET_OPEN] = "not_yet_open",
    [QUEUE_REFUSAL_CLOSED_FOR_DAY] = "closed_for_day",
    [QUEUE_REFUSAL_LAST_TICKET] = "last_ticket",
    [QUEUE_REFUSAL_FULL] = "full",
};

static int name_parse(const char *const *names, int n, const char *s)
{
	for (int i = 0; s && i < n; i++)
		if (names[i] && strcmp(names[i], s) == 0)
			return i;
	return -1;
}

const char *queue_state_name(enum queue_state s)
{
	return (unsigned)s < QUEUE_N_STATES ? state_names[s] : "unknown";
}

int queue_state_parse(const char *s)
{
	return name_parse(state_names, QUEUE_N_STATES, s);
}

bool queue_state_terminal(enum queue_state s)
{
	return s >= QUEUE_DONE;
}

const char *queue_channel_name(enum queue_channel c)
{
	return (unsigned)c < QUEUE_N_CHANNELS ? channel_names[c] : "unknown";
}

int queue_channel_parse(const char *s)
{
	return name_parse(channel_names, QUEUE_N_CHANNELS, s);
}

const char *queue_outcome_name(enum queue_outcome o)
{
	return (unsigned)o < QUEUE_N_OUTCOMES ? outcome_names[o] : "unknown";
}

int queue_outcome_parse(const char *s)
{
	return name_parse(outcome_names, QUEUE_N_OUTCOMES, s);
}

const char *queue_event_name(enum queue_event_type e)
{
	return (unsigned)e < QUEUE_N_EVENTS ? event_names[e] : "unknown";
}

const char *queue_cmd_name(enum queue_cmd_type c)
{
	return (unsigned)c < QUEUE_N_CMDS ? cmd_names[c] : "unknown";
}

const char *queue_refusal_name(enum queue_refusal r)
{
	return (unsigned)r < G_N_ELEMENTS(refusal_names) ? refusal_names[r] : "refused";
}

/* ---------------------------------------------------------------------- */
/* Life cycle */

struct queue *queue_new(const struct config *cfg)
{
	struct queue *q = g_new0(struct queue, 1);

	q->cfg = cfg;
	q->tickets = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	q->n_services = cfg->services->len;
	q->n_counters = cfg->counters->len;
	q->last_number = g_new0(uint16_t, q->n_services);
	q->n_waiting = g_new0(unsigned, q->n_services);
	q->n_issued = g_new0(unsigned, q->n_services);
	q->profile_pos = g_new0(int, q->n_services);
	q->times = g_new0(struct queue_times, q->n_services);
	for (unsigned i = 0; i < q->n_services; i++)
		q->times[i].s = g_new0(int, MAX(1, cfg->service_time_window));
	q->counters = g_new0(struct queue_counter, q->n_counters);
	for (unsigned i = 0; i < q->n_counters; i++) {
		const struct config_counter *cc = config_counter_get(cfg, (int)i);
		struct queue_counter *c = &q->counters[i];

		c->id = (int16_t)cc->id;
		c->expert = cc->expert;
		c->n_profile = (uint8_t)MIN(cc->profile->len, QUEUE_PROFILE_MAX);
		for (unsigned k = 0; k < c->n_profile; k++)
			c->profile[k] = g_array_index(cc->profile, struct config_profile_entry, k);
	}
	q->day = -1;
	q->next_id = 1;
	return q;
}

void queue_free(struct queue *q)
{
	if (!q)
		return;
	g_hash_table_unref(q->tickets);
	for (unsigned i = 0; i < q->n_services; i++)
		g_free(q->times[i].s);
	g_free(q->times);
	g_free(q->profile_pos);
	g_free(q->last_number);
	g_free(q->n_waiting);
	g_free(q->n_issued);
	g_free(q->counters);
	g_free(q);
}

void queue_result_init(struct queue_result *res)
{
	memset(res, 0, sizeof(*res));
	res->tickets = g_array_new(FALSE, FALSE, sizeof(struct queue_ticket));
	res->counters = g_array_new(FALSE, FALSE, sizeof(struct queue_counter));
	res->visits = g_array_new(FALSE, FALSE, sizeof(struct queue_visit));
	res->events = g_array_new(FALSE, FALSE, sizeof(struct queue_event));
	res->ahead = -1;
}

void queue_result_clear(struct queue_result *res)
{
	g_array_set_size(res->tickets, 0);
	g_array_set_size(res->counters, 0);
	g_array_set_size(res->visits, 0);
	g_array_set_size(res->events, 0);
	res->ticket = 0;
	res->ahead = -1;
	res->wait_s = 0;
	res->refusal = QUEUE_REFUSAL_NONE;
	res->refusal_min = 0;
	res->reason[0] = '\0';
}

void queue_result_free(struct queue_result *res)
{
	if (!res || !res->tickets)
		return;
	g_array_unref(res->tickets);
	g_array_unref(res->counters);
	g_array_unref(res->visits);
	g_array_unref(res->events);
	res->tickets = res->counters = res->visits = res->events = NULL;
}

/* ---------------------------------------------------------------------- */
/* Helpers */

G_GNUC_PRINTF(3, 4)
static int refuse(struct queue_result *res, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	g_vsnprintf(res->reason, sizeof(res->reason), fmt, ap);
	va_end(ap);
	return rc;
}

static struct queue_ticket *ticket_lookup(const struct queue *q, uint32_t id)
{
	return g_hash_table_lookup(q->tickets, GUINT_TO_POINTER(id));
}

static struct queue_counter *counter_lookup(const struct queue *q, int16_t id)
{
	for (unsigned i = 0; i < q->n_counters; i++)
		if (q->counters[i].id == id)
			return &q->counters[i];
	return NULL;
}

/* After-images: each ticket and counter once, the last state wins. */
static void res_ticket(struct queue_result *res, const struct queue_ticket *t)
{
	for (guint i = 0; i < res->tickets->len; i++) {
		struct queue_ticket *seen = &g_array_index(res->tickets, struct queue_ticket, i);

		if (seen->id == t->id) {
			*seen = *t;
			return;
		}
	}
	g_array_append_val(res->tickets, *t);
}

static void res_counter(struct queue_result *res, const struct queue_counter *c)
{
	for (guint i = 0; i < res->counters->len; i++) {
		struct queue_counter *seen = &g_array_index(res->counters, struct queue_counter, i);

		if (seen->id == c->id) {
			*seen = *c;
			return;
		}
	}
	g_array_append_val(res->counters, *c);
}

static void res_event(struct queue_result *res, enum queue_event_type type, int16_t counter,
		      const struct queue_ticket *t)
{
	struct queue_event ev = {.type = type, .counter = counter};

	if (t)
		ev.ticket = *t;
	g_array_append_val(res->events, ev);
}

static void res_visit(struct queue_result *res, const struct queue_ticket *t,
		      const struct queue_counter *c)
{
	struct queue_visit v = {
	    .ticket = t->id,
	    .day = t->day,
	    .service = t->service,
	    .counter = c ? c->id : 0,
	    .channel = t->channel,
	    .outcome = t->outcome,
	    .lang = t->lang,
	    .recalls = t->recalls,
	    .transfers = t->transfers,
	    .appointment = t->appointment,
	    .issued_at = t->issued_at,
	    .called_at = t->called_at,
	    .started_at = t->started_at,
	    .ended_at = t->ended_at,
	};

	memcpy(v.code, t->code, sizeof(v.code));
	if (c)
		g_strlcpy(v.user, c->user, sizeof(v.user));
	g_array_append_val(res->visits, v);
}

static void times_add(struct queue *q, int service, int seconds)
{
	struct queue_times *tm = &q->times[service];
	unsigned window = (unsigned)MAX(1, q->cfg->service_time_window);

	if (seconds < 0)
		return;
	if (tm->len == window) {
		tm->sum -= tm->s[tm->pos];
	} else {
		tm->len++;
	}
	tm->s[tm->pos] = seconds;
	tm->sum += seconds;
	tm->pos = (tm->pos + 1) % window;
}

static int service_avg_s(const struct queue *q, int service)
{
	const struct queue_times *tm = &q->times[service];

	if (tm->len == 0)
		return config_service_get(q->cfg, service)->service_min * 60;
	return (int)((tm->sum + tm->len - 1) / tm->len);
}

static bool counter_serves(const struct queue_counter *c, int service)
{
	for (unsigned k = 0; k < c->n_profile; k++)
		if (c->profile[k].service == service)
			return true;
	return false;
}

/* Every state change goes through here, so that the per-service counts of
 * the line stay true without scanning every ticket. */
static void ticket_set_state(struct queue *q, struct queue_ticket *t, enum queue_state state)
{
	if (t->state == QUEUE_WAITING)
		q->n_waiting[t->service]--;
	else if (t->state == QUEUE_ISSUED)
		q->n_issued[t->service]--;
	t->state = state;
	if (state == QUEUE_WAITING)
		q->n_waiting[t->service]++;
	else if (state == QUEUE_ISSUED)
		q->n_issued[t->service]++;
}

/* Ends a ticket for good: terminal state, after-image, visit, event; the
 * engine then forgets it. */
static void ticket_finish(struct queue *q, struct queue_result *res, struct queue_ticket *t,
			  enum queue_state state, enum queue_outcome outcome,
			  enum queue_event_type event, struct queue_counter *c, int64_t now)
{
	ticket_set_state(q, t, state);
	t->outcome = (uint8_t)outcome;
	t->ended_at = now;
	res_ticket(res, t);
	res_visit(res, t, c);
	res_event(res, event, c ? c->id : 0, t);
	g_hash_table_remove(q->tickets, GUINT_TO_POINTER(t->id));
}

static void counter_free_up(struct queue_counter *c, int64_t now)
{
	c->ticket = 0;
	c->idle_since = now;
}

/* ---------------------------------------------------------------------- */
/* Opening hours and the daily reset */

void queue_set_exceptions(struct queue *q, const GPtrArray *exceptions)
{
	q->exceptions = exceptions;
}

/* @service's hours today: the week's, or today's exception's. */
static const struct config_hours_exception *service_day_hours(const struct queue *q, int service,
							      const struct queue_time *t,
							      struct config_day_hours *ret)
{
	const struct config_hours_exception *e =
	    hours_exception_of(q->exceptions, service, t->date);

	if (e)
		hours_of_day(q->cfg, q->exceptions, service, t->date, ret, NULL);
	else
		*ret = config_service_get(q->cfg, service)->hours[t->wday % 7];
	return e;
}

/* Why a ticket for @service cannot be drawn at @t, or NONE. */
static enum queue_refusal service_refusal(const struct queue *q, int service,
					  const struct queue_time *t, int16_t *ret_min)
{
	const struct config_service *s = config_service_get(q->cfg, service);
	struct config_day_hours today;
	const struct config_day_hours *h = &today;

	service_day_hours(q, service, t, &today);

	*ret_min = 0;
	if (q->cfg->demo_hours)
		return QUEUE_REFUSAL_NONE;
	if (h->open_min == h->close_min)
		return QUEUE_REFUSAL_CLOSED_TODAY;
	if (t->minute < h->open_min) {
		*ret_min = (int16_t)h->open_min;
		return QUEUE_REFUSAL_NOT_YET_OPEN;
	}
	if (t->minute >= h->close_min) {
		*ret_min = (int16_t)h->close_min;
		return QUEUE_REFUSAL_CLOSED_FOR_DAY;
	}
	if (t->minute >= h->close_min - s->last_ticket_min) {
		*ret_min = (int16_t)(h->close_min - s->last_ticket_min);
		return QUEUE_REFUSAL_LAST_TICKET;
	}
	return QUEUE_REFUSAL_NONE;
}

static unsigned service_waiting(const struct queue *q, int service)
{
	return q->n_waiting[service] + q->n_issued[service];
}

/* A new service day: numbering starts over, and unless the site keeps its
 * queue over the reset, what still waits from earlier days is cancelled. */
static void queue_day_rollover(struct queue *q, const struct queue_time *t,
			       struct queue_result *res)
{
	g_autoptr(GPtrArray) old = g_ptr_array_new();
	GHashTableIter it;
	gpointer value;

	q->day = t->day;
	memset(q->last_number, 0, q->n_services * sizeof(*q->last_number));
	res_event(res, QUEUE_EVENT_DAY_RESET, 0, NULL);
	if (q->cfg->reset_clears_queue) {
		g_hash_table_iter_init(&it, q->tickets);
		while (g_hash_table_iter_next(&it, NULL, &value)) {
			struct queue_ticket *tk = value;

			if (tk->day < t->day &&
			    (tk->state == QUEUE_ISSUED || tk->state == QUEUE_WAITING ||
			     tk->state == QUEUE_PARKED))
				g_ptr_array_add(old, tk);
		}
	}
	for (guint i = 0; i < old->len; i++) {
		ticket_finish(q, res, old->pdata[i], QUEUE_CANCELLED, QUEUE_OUTCOME_RESET,
			      QUEUE_EVENT_CANCELLED, NULL, t->now);
	}
}

/* ---------------------------------------------------------------------- */
/* Line order */

struct queue_rank {
	int front;      /* 1 first */
	int due;        /* 1 first: appointment within its window */
	int64_t booked; /* earlier first, among due ones */
	int priority;   /* higher first */
	double score;   /* lower first: profile place, or -(wait × weight) */
	int64_t queued_at;
	uint32_t id;
};

static bool appointment_due(const struct queue *q, const struct queue_ticket *tk, int64_t now)
{
	return tk->booked_at && now >= tk->booked_at - q->cfg->appointment_early_min * 60 &&
	       now <= tk->booked_at + q->cfg->appointment_late_min * 60;
}

static void rank_of(const struct queue *q, const struct queue_ticket *tk, double score, int64_t now,
		    struct queue_rank *r)
{
	r->front = tk->front;
	r->due = q ? appointment_due(q, tk, now) : tk->booked_at != 0;
	r->booked = r->due ? tk->booked_at : 0;
	r->priority = tk->priority;
	r->score = score;
	r->queued_at = tk->queued_at;
	r->id = tk->id;
}

/* < 0 when @a goes before @b. */
static int rank_cmp(const struct queue_rank *a, const struct queue_rank *b)
{
	if (a->front != b->front)
		return b->front - a->front;
	if (a->due != b->due)
		return b->due - a->due;
	if (a->booked != b->booked)
		return a->booked < b->booked ? -1 : 1;
	if (a->priority != b->priority)
		return b->priority - a->priority;
	if (a->score != b->score)
		return a->score < b->score ? -1 : 1;
	if (a->queued_at != b->queued_at)
		return a->queued_at < b->queued_at ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* The ticket counter @c would call next, or NULL. */
static struct queue_ticket *queue_pick(struct queue *q, const struct queue_counter *c, int64_t now)
{
	struct queue_ticket *best = NULL;
	struct queue_rank best_rank = {0};
	bool weighted = false;
	GHashTableIter it;
	gpointer value;

	for (unsigned i = 0; i < q->n_services; i++)
		q->profile_pos[i] = -1;
	for (unsigned k = 0; k < c->n_profile; k++) {
		q->profile_pos[c->profile[k].service] = (int)k;
		weighted |= c->profile[k].weight > 0;
	}
	g_hash_table_iter_init(&it, q->tickets);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		struct queue_ticket *tk = value;
		struct queue_rank r;
		int pos = q->profile_pos[tk->service];
		double score;

		if (tk->state != QUEUE_WAITING)
			continue;
		if (tk->target_counter && tk->target_counter != c->id)
			continue;
		if (!tk->target_counter && pos < 0)
			continue;
		/* A booking of this booth, but of a service the counter does not
		 * serve now (another provider's expert): not theirs to call. */
		if (pos < 0 && tk->appointment && !tk->transfers)
			continue;
		if (pos < 0) /* sent to this counter by name: its own line */
			score = weighted ? 0 : -1;
		else if (weighted)
			score = -(double)(now - tk->queued_at + 1) * MAX(1, c->profile[pos].weight);
		else
			score = pos;
		rank_of(q, tk, score, now, &r);
		if (!best || rank_cmp(&r, &best_rank) < 0) {
			best = tk;
			best_rank = r;
		}
	}
	return best;
}

const struct queue_ticket *queue_counter_next(struct queue *q, int16_t counter_id,
					      const struct queue_time *t)
{
	const struct queue_counter *c = counter_lookup(q, counter_id);

	if (!c || !c->open || c->ticket)
		return NULL;
	return queue_pick(q, c, t->now);
}

/* ---------------------------------------------------------------------- */
/* Commands */

static int cmd_issue(struct queue *q, const struct queue_cmd *cmd, const struct queue_time *t,
		     struct queue_result *res)
{
	const struct config_service *s = config_service_get(q->cfg, cmd->service);
	struct queue_ticket *tk;
	enum queue_refusal why;
	int16_t why_min;

	if (!s)
		return refuse(res, -ENOENT, "no such service: choose one of the configured ones");
	if (cmd->lang >= q->cfg->n_langs)
		return refuse(res, -EINVAL,
			      "language must be one of the site's ([site] languages)");
	if (cmd->priority < 0)
		return refuse(res, -EINVAL, "priority must be 0 (normal) or more");
	if (cmd->ref && strlen(cmd->ref) >= QUEUE_REF_LEN)
		return refuse(res, -EINVAL, "follow reference longer than %d characters",
			      QUEUE_REF_LEN - 1);
	if (cmd->to_counter && !counter_lookup(q, cmd->to_counter))
		return refuse(res, -ENOENT,
			      "the booking names counter %d, which is not configured: check "
			      "[counter:N] in board-config or book again",
			      cmd->to_counter);
	/* A booked appointment was promised a place: no cutoff, no limit. */
	why = cmd->appointment ? QUEUE_REFUSAL_NONE : service_refusal(q, cmd->service, t, &why_min);
	if (why == QUEUE_REFUSAL_NONE && !cmd->appointment && s->max_queue > 0 &&
	    service_waiting(q, cmd->service) >= (unsigned)s->max_queue)
		why = QUEUE_REFUSAL_FULL;
	if (why == QUEUE_REFUSAL_NONE && q->last_number[cmd->service] >= QUEUE_MAX_NUMBER)
		why = QUEUE_REFUSAL_FULL;
	if (why != QUEUE_REFUSAL_NONE) {
		res->refusal = why;
		res->refusal_min = why == QUEUE_REFUSAL_FULL ? 0 : why_min;
		switch (why) {
		case QUEUE_REFUSAL_CLOSED_TODAY: {
			const struct config_hours_exception *e =
			    hours_exception_of(q->exceptions, cmd->service, t->date);

			if (e)
				return refuse(res, -EPERM, "%s is closed today: %s", s->code,
					      e->name[0]);
			return refuse(res, -EPERM, "%s is closed today", s->code);
		}
		case QUEUE_REFUSAL_NOT_YET_OPEN:
			return refuse(res, -EPERM, "%s opens at %02d:%02d", s->code, why_min / 60,
				      why_min % 60);
		case QUEUE_REFUSAL_CLOSED_FOR_DAY:
			return refuse(res, -EPERM, "%s closed at %02d:%02d today", s->code,
				      why_min / 60, why_min % 60);
		case QUEUE_REFUSAL_LAST_TICKET:
			return refuse(res, -EPERM,
				      "the last tickets for %s were given at %02d:%02d today",
				      s->code, why_min / 60, why_min % 60);
		default:
			return refuse(res, -EPERM,
				      "the line for %s is full: serve some customers first",
				      s->code);
		}
	}

	tk = g_new0(struct queue_ticket, 1);
	tk->id = q->next_id++;
	tk->day = t->day;
	tk->service = tk->origin = (int16_t)cmd->service;
	tk->number = ++q->last_number[cmd->service];
	g_snprintf(tk->code, sizeof(tk->code), "%c%03u", s->prefix, tk->number);
	if (cmd->ref)
		g_strlcpy(tk->ref, cmd->ref, sizeof(tk->ref));
	else
		g_snprintf(tk->ref, sizeof(tk->ref), "t%u-%d", tk->id, t->day);
	tk->state = QUEUE_DONE; /* counted from nothing */
	ticket_set_state(q, tk, cmd->handed_out ? QUEUE_WAITING : QUEUE_ISSUED);
	tk->lang = cmd->lang;
	tk->priority = cmd->priority;
	tk->appointment = cmd->appointment;
	tk->booked_at = cmd->booked_at;
	/* A booked booth: only that booth calls it (ahead of walk-ins while
	 * the appointment is due, as any booked ticket). */
	tk->target_counter = cmd->to_counter;
	tk->issued_at = tk->queued_at = t->now;
	g_hash_table_insert(q->tickets, GUINT_TO_POINTER(tk->id), tk);
	res->ticket = tk->id;
	{
		unsigned ahead;
		int wait_s;

		/* Now, while it is the newest, this costs nothing; a reply
		 * built after a group commit would have to look. */
		if (queue_ticket_estimate(q, tk->id, t, &ahead, &wait_s) == 0) {
			res->ahead = (int32_t)ahead;
			res->wait_s = wait_s;
		}
	}
	res_ticket(res, tk);
	res_event(res, QUEUE_EVENT_ISSUED, 0, tk);
	if (tk->state == QUEUE_WAITING)
		res_event(res, QUEUE_EVENT_WAITING, 0, tk);
	return 0;
}

/* HANDOUT, VOID, CANCEL: commands about one ticket, from the kiosk or staff. */
static int cmd_ticket(struct queue *q, const struct queue_cmd *cmd, const struct queue_time *t,
		      struct queue_result *res)
{
	struct queue_ticket *tk = ticket_lookup(q, cmd->ticket);

	if (!tk)
		return refuse(res, -ENOENT, "ticket %u is not in the queue", cmd->ticket);
	res->ticket = tk->id;
	switch (cmd->type) {
	case QUEUE_CMD_HANDOUT:
		if (tk->state != QUEUE_ISSUED)
			return refuse(res, -ESTALE, "%s was already handed out", tk->code);
		ticket_set_state(q, tk, QUEUE_WAITING);
		res_ticket(res, tk);
		res_event(res, QUEUE_EVENT_WAITING, 0, tk);
		return 0;
	case QUEUE_CMD_VOID:
		if (tk->state != QUEUE_ISSUED)
			return refuse(res, -ESTALE,
				      "%s was handed out already: cancel it instead of voiding it",
				      tk->code);
		ticket_finish(q, res, tk, QUEUE_VOIDED, QUEUE_OUTCOME_VOIDED, QUEUE_EVENT_VOIDED,
			      NULL, t->now);
		return 0;
	default: /* CANCEL */
		if (tk->state != QUEUE_ISSUED && tk->state != QUEUE_WAITING &&
		    tk->state != QUEUE_PARKED)
			return refuse(res, -ESTALE,
				      "%s is %s at counter %d: end the visit there instead",
				      tk->code, queue_state_name(tk->state), tk->counter);
		ticket_finish(q, res, tk, QUEUE_CANCELLED, QUEUE_OUTCOME_CANCELLED,
			      QUEUE_EVENT_CANCELLED, NULL, t->now);
		return 0;
	}
}

static int cmd_open(struct queue *q, struct queue_counter *c, const struct queue_cmd *cmd,
		    const struct queue_time *t, struct queue_result *res)
{
	struct config_profile_entry profile[QUEUE_PROFILE_MAX];
	uint8_t n = 0;
	int rc;

	if (c->open)
		return refuse(res, -EALREADY, "counter %d is already open (%s)", c->id,
			      c->user[0] ? c->user : "nobody");
	if (cmd->profile) {
		rc = queue_profile_parse(q->cfg, cmd->profile, profile, &n, res->reason,
					 sizeof(res->reason));
		if (rc < 0)
			return rc;
	} else {
		const struct config_counter *cc =
		    config_counter_get(q->cfg, config_counter_find(q->cfg, c->id));

		n = (uint8_t)MIN(cc->profile->len, QUEUE_PROFILE_MAX);
		for (unsigned k = 0; k < n; k++)
			profile[k] = g_array_index(cc->profile, struct config_profile_entry, k);
	}
	c->open = true;
	g_strlcpy(c->user, cmd->user ? cmd->user : "", sizeof(c->user));
	c->n_profile = n;
	memcpy(c->profile, profile, n * sizeof(profile[0]));
	c->opened_at = t->now;
	c->idle_since = t->now;
	res_counter(res, c);
	res_event(res, QUEUE_EVENT_COUNTER_OPENED, c->id, NULL);
	return 0;
}

static int cmd_close(struct queue *q, struct queue_counter *c, const struct queue_time *t,
		     struct queue_result *res)
{
	if (!c->open)
		return refuse(res, -EALREADY, "counter %d is already closed", c->id);
	if (c->ticket) {
		const struct queue_ticket *tk = ticket_lookup(q, c->ticket);

		return refuse(res, -EBUSY,
			      "counter %d still has %s: end, transfer or park it first", c->id,
			      tk ? tk->code : "a ticket");
	}
	c->open = false;
	c->user[0] = '\0';
	c->ticket = 0;
	c->idle_since = 0;
	res_counter(res, c);
	res_event(res, QUEUE_EVENT_COUNTER_CLOSED, c->id, NULL);
	return 0;
}

static int cmd_call(struct queue *q, struct queue_counter *c, const struct queue_cmd *cmd,
		    const struct queue_time *t, struct queue_result *res)
{
	struct queue_ticket *tk;

	if (!c->open)
		return refuse(res, -ESTALE, "counter %d is closed: open it first", c->id);
	if (c->ticket) {
		const struct queue_ticket *cur = ticket_lookup(q, c->ticket);

		return refuse(res, -EBUSY,
			      "counter %d still has %s: end, transfer, park or mark it no-show "
			      "first",
			      c->id, cur ? cur->code : "a ticket");
	}
	if (cmd->ticket) {
		tk = ticket_lookup(q, cmd->ticket);
		if (!tk)
			return refuse(res, -ENOENT, "ticket %u is not in the queue", cmd->ticket);
		if (tk->state != QUEUE_WAITING)
			return refuse(res, -ESTALE, "%s is %s, not waiting", tk->code,
				      queue_state_name(tk->state));
		if (tk->target_counter && tk->target_counter != c->id)
			return refuse(res, -EPERM, "%s was sent to counter %d", tk->code,
				      tk->target_counter);
	} else {
		tk = queue_pick(q, c, t->now);
		if (!tk)
			return refuse(res, -ENODATA, "nobody is waiting for counter %d", c->id);
	}
	ticket_set_state(q, tk, QUEUE_CALLED);
	tk->counter = c->id;
	tk->front = false;
	tk->target_counter = 0;
	if (!tk->called_at)
		tk->called_at = t->now;
	c->ticket = tk->id;
	c->idle_since = 0;
	res->ticket = tk->id;
	res_ticket(res, tk);
	res_counter(res, c);
	res_event(res, QUEUE_EVENT_CALLED, c->id, tk);
	return 0;
}

/* RECALL START NO_SHOW TRANSFER PARK END: about the counter's own ticket. */
static int cmd_current(struct queue *q, struct queue_counter *c, const struct queue_cmd *cmd,
		       const struct queue_time *t, struct queue_result *res)
{
	struct queue_ticket *tk = c->ticket ? ticket_lookup(q, c->ticket) : NULL;

	if (!tk)
		return refuse(res, -ENODATA, "counter %d has no ticket: call one first", c->id);
	res->ticket = tk->id;
	switch (cmd->type) {
	case QUEUE_CMD_RECALL:
		if (tk->state != QUEUE_CALLED)
			return refuse(res, -ESTALE, "%s is already being served", tk->code);
		tk->recalls++;
		res_ticket(res, tk);
		res_event(res, QUEUE_EVENT_RECALLED, c->id, tk);
		return 0;
	case QUEUE_CMD_START:
		if (tk->state != QUEUE_CALLED)
			return refuse(res, -ESTALE, "%s is already being served", tk->code);
		ticket_set_state(q, tk, QUEUE_SERVING);
		tk->started_at = t->now;
		res_ticket(res, tk);
		res_event(res, QUEUE_EVENT_STARTED, c->id, tk);
		return 0;
	case QUEUE_CMD_NO_SHOW:
		if (tk->state != QUEUE_CALLED)
			return refuse(res, -ESTALE, "%s came already: end the visit instead",
				      tk->code);
		tk->no_shows++;
		counter_free_up(c, t->now);
		res_counter(res, c);
		if (tk->no_shows <= q->cfg->requeue_no_shows) {
			/* Back in line, at its end: else the next call would pick it again. */
			ticket_set_state(q, tk, QUEUE_WAITING);
			tk->counter = 0;
			tk->queued_at = t->now;
			res_ticket(res, tk);
			res_event(res, QUEUE_EVENT_REQUEUED, c->id, tk);
		} else {
			tk->channel =
			    c->expert ? QUEUE_CHANNEL_REMOTE_VIDEO : QUEUE_CHANNEL_IN_PERSON;
			ticket_finish(q, res, tk, QUEUE_NO_SHOW, QUEUE_OUTCOME_NO_SHOW,
				      QUEUE_EVENT_NO_SHOW, c, t->now);
		}
		return 0;
	case QUEUE_CMD_PARK:
		ticket_set_state(q, tk, QUEUE_PARKED);
		counter_free_up(c, t->now);
		res_ticket(res, tk);
		res_counter(res, c);
		res_event(res, QUEUE_EVENT_PARKED, c->id, tk);
		return 0;
	default:
		break;
	}
	if (cmd->type == QUEUE_CMD_TRANSFER) {
		struct queue_ticket leg;

		if (cmd->service >= 0 && !config_service_get(q->cfg, cmd->service))
			return refuse(res, -ENOENT, "no such service to transfer to");
		if (cmd->to_counter && !counter_lookup(q, cmd->to_counter))
			return refuse(res, -ENOENT, "no counter %d to transfer to",
				      cmd->to_counter);
		if (cmd->service < 0 && !cmd->to_counter)
			return refuse(res, -EINVAL, "say where to: a service, a counter or both");
		if (cmd->to_counter == c->id && (cmd->service < 0 || cmd->service == tk->service))
			return refuse(res, -EINVAL, "%s is already here", tk->code);
		/* This counter's part ends as a visit of its own. */
		leg = *tk;
		leg.state = QUEUE_DONE;
		leg.outcome = cmd->outcome == QUEUE_OUTCOME_INTERRUPTED ? QUEUE_OUTCOME_INTERRUPTED
									: QUEUE_OUTCOME_TRANSFERRED;
		leg.channel = c->expert ? QUEUE_CHANNEL_REMOTE_VIDEO : QUEUE_CHANNEL_IN_PERSON;
		leg.ended_at = t->now;
		if (!leg.started_at)
			leg.started_at = leg.called_at;
		res_visit(res, &leg, c);

		if (cmd->service >= 0)
			tk->service = cmd->service;
		tk->target_counter = cmd->to_counter;
		tk->front = cmd->front;
		ticket_set_state(q, tk, QUEUE_WAITING);
		tk->counter = 0;
		if (cmd->outcome != QUEUE_OUTCOME_INTERRUPTED)
			tk->transfers++;
		tk->recalls = 0;
		tk->called_at = tk->started_at = 0;
		counter_free_up(c, t->now);
		res_ticket(res, tk);
		res_counter(res, c);
		res_event(res, QUEUE_EVENT_TRANSFERRED, c->id, tk);
		return 0;
	}
	/* END */
	if (cmd->outcome >= 0 && cmd->outcome != QUEUE_OUTCOME_RESOLVED &&
	    cmd->outcome != QUEUE_OUTCOME_REFERRED && cmd->outcome != QUEUE_OUTCOME_FOLLOW_UP)
		return refuse(res, -EINVAL, "a visit ends resolved, referred or follow_up");
	if (cmd->channel >= QUEUE_N_CHANNELS)
		return refuse(res, -EINVAL,
			      "channel must be in_person, remote_video, e_service, paper_form, "
			      "phone or provider_on_site");
	if (!tk->started_at)
		tk->started_at = tk->called_at; /* served without pressing start */
	tk->channel = (uint8_t)(cmd->channel >= 0 ? cmd->channel
						  : (c->expert ? QUEUE_CHANNEL_REMOTE_VIDEO
							       : QUEUE_CHANNEL_IN_PERSON));
	times_add(q, tk->service, (int)(t->now - tk->started_at));
	counter_free_up(c, t->now);
	res_counter(res, c);
	ticket_finish(q, res, tk, QUEUE_DONE, cmd->outcome >= 0 ? cmd->outcome : 0,
		      QUEUE_EVENT_ENDED, c, t->now);
	return 0;
}

static int cmd_resume(struct queue *q, struct queue_counter *c, const struct queue_cmd *cmd,
		      const struct queue_time *t, struct queue_result *res)
{
	struct queue_ticket *tk = ticket_lookup(q, cmd->ticket);

	if (!tk)
		return refuse(res, -ENOENT, "ticket %u is not in the queue", cmd->ticket);
	if (tk->state != QUEUE_PARKED)
		return refuse(res, -ESTALE, "%s is %s, not parked", tk->code,
			      queue_state_name(tk->state));
	if (!c->open)
		return refuse(res, -ESTALE, "counter %d is closed: open it first", c->id);
	if (c->ticket)
		return refuse(res, -EBUSY, "counter %d still has a ticket: finish it first", c->id);
	ticket_set_state(q, tk, tk->started_at ? QUEUE_SERVING : QUEUE_CALLED);
	tk->counter = c->id;
	c->ticket = tk->id;
	c->idle_since = 0;
	res->ticket = tk->id;
	res_ticket(res, tk);
	res_counter(res, c);
	res_event(res, QUEUE_EVENT_RESUMED, c->id, tk);
	return 0;
}

int queue_exec(struct queue *q, const struct queue_cmd *cmd, const struct queue_time *t,
	       struct queue_result *res)
{
	struct queue_counter *c = NULL;
	int rc;

	queue_result_clear(res);
	if (t->day != q->day)
		queue_day_rollover(q, t, res);
	switch (cmd->type) {
	case QUEUE_CMD_TICK:
		return 0;
	case QUEUE_CMD_ISSUE:
		rc = cmd_issue(q, cmd, t, res);
		break;
	case QUEUE_CMD_HANDOUT:
	case QUEUE_CMD_VOID:
	case QUEUE_CMD_CANCEL:
		rc = cmd_ticket(q, cmd, t, res);
		break;
	default:
		c = counter_lookup(q, cmd->counter);
		if (!c) {
			rc = refuse(res, -ENOENT, "no counter %d in this board-config",
				    cmd->counter);
			break;
		}
		switch (cmd->type) {
		case QUEUE_CMD_OPEN:
			rc = cmd_open(q, c, cmd, t, res);
			break;
		case QUEUE_CMD_CLOSE:
			rc = cmd_close(q, c, t, res);
			break;
		case QUEUE_CMD_CALL:
			rc = cmd_call(q, c, cmd, t, res);
			break;
		case QUEUE_CMD_RESUME:
			rc = cmd_resume(q, c, cmd, t, res);
			break;
		case QUEUE_CMD_RECALL:
		case QUEUE_CMD_START:
		case QUEUE_CMD_NO_SHOW:
		case QUEUE_CMD_TRANSFER:
		case QUEUE_CMD_PARK:
		case QUEUE_CMD_END:
			rc = cmd_current(q, c, cmd, t, res);
			break;
		default:
			rc = refuse(res, -EINVAL, "unknown command %d", cmd->type);
			break;
		}
	}
	/* On error every command returned before changing anything: @res holds
	 * the reason, and a daily reset if one ran first. */
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Restore */

int queue_restore_ticket(struct queue *q, const struct queue_ticket *t)
{
	struct queue_ticket *copy, *old;

	if (queue_state_terminal(t->state) || t->id == 0 || t->service < 0 ||
	    (unsigned)t->service >= q->n_services || t->origin < 0 ||
	    (unsigned)t->origin >= q->n_services)
		return -EINVAL;
	old = ticket_lookup(q, t->id);
	if (old)
		ticket_set_state(q, old, QUEUE_DONE); /* uncounted before it goes */
	copy = g_memdup2(t, sizeof(*t));
	copy->state = QUEUE_DONE;
	ticket_set_state(q, copy, t->state);
	g_hash_table_replace(q->tickets, GUINT_TO_POINTER(t->id), copy);
	if (t->id >= q->next_id)
		q->next_id = t->id + 1;
	if (t->day == q->day && t->number > q->last_number[t->origin])
		q->last_number[t->origin] = t->number;
	return 0;
}

int queue_restore_counter(struct queue *q, const struct queue_counter *c)
{
	struct queue_counter *mine = counter_lookup(q, c->id);

	if (!mine)
		return -ENOENT;
	*mine = *c;
	return 0;
}

void queue_restore_numbering(struct queue *q, int32_t day, int16_t service, uint16_t last_number)
{
	if (service < 0 || (unsigned)service >= q->n_services)
		return;
	if (q->day != day) {
		q->day = day;
		memset(q->last_number, 0, q->n_services * sizeof(*q->last_number));
	}
	if (last_number > q->last_number[service])
		q->last_number[service] = last_number;
}

void queue_restore_service_time(struct queue *q, int16_t service, int seconds)
{
	if (service >= 0 && (unsigned)service < q->n_services)
		times_add(q, service, seconds);
}

void queue_restore_next_id(struct queue *q, uint32_t next_id)
{
	if (next_id > q->next_id)
		q->next_id = next_id;
}

/* ---------------------------------------------------------------------- */
/* Queries */

const struct queue_ticket *queue_ticket_get(const struct queue *q, uint32_t id)
{
	return ticket_lookup(q, id);
}

const struct queue_counter *queue_counter_get(const struct queue *q, int16_t counter_id)
{
	return counter_lookup(q, counter_id);
}

int32_t queue_day(const struct queue *q)
{
	return q->day;
}

static int state_group(enum queue_state s)
{
	switch (s) {
	case QUEUE_WAITING:
		return 0;
	case QUEUE_ISSUED:
		return 1;
	case QUEUE_CALLED:
		return 2;
	case QUEUE_SERVING:
		return 3;
	default:
		return 4;
	}
}

static gint foreach_cmp(gconstpointer a, gconstpointer b)
{
	const struct queue_ticket *x = *(const struct queue_ticket *const *)a;
	const struct queue_ticket *y = *(const struct queue_ticket *const *)b;
	struct queue_rank rx, ry;

	if (state_group(x->state) != state_group(y->state))
		return state_group(x->state) - state_group(y->state);
	if (x->service != y->service)
		return x->service - y->service;
	/* Appointments are ranked as due: the order a counter would see now
	 * cannot be known without the time, so booked ones go first. */
	rank_of(NULL, x, 0, 0, &rx);
	rank_of(NULL, y, 0, 0, &ry);
	return rank_cmp(&rx, &ry);
}

void queue_foreach_ticket(const struct queue *q,
			  void (*fn)(const struct queue_ticket *t, void *data), void *data)
{
	g_autoptr(GPtrArray) all = g_ptr_array_sized_new(g_hash_table_size(q->tickets));
	GHashTableIter it;
	gpointer value;

	g_hash_table_iter_init(&it, q->tickets);
	while (g_hash_table_iter_next(&it, NULL, &value))
		g_ptr_array_add(all, value);
	g_ptr_array_sort(all, foreach_cmp);
	for (guint i = 0; i < all->len; i++)
		fn(all->pdata[i], data);
}

static unsigned service_counters_open(const struct queue *q, int service)
{
	unsigned n = 0;

	for (unsigned i = 0; i < q->n_counters; i++)
		if (q->counters[i].open && counter_serves(&q->counters[i], service))
			n++;
	return n;
}

static int estimate_s(const struct queue *q, int service, unsigned ahead)
{
	unsigned open = MAX(1u, service_counters_open(q, service));
	int64_t total = (int64_t)ahead * service_avg_s(q, service);

	return (int)((total + open - 1) / open);
}

void queue_service_status(const struct queue *q, int16_t service, const struct queue_time *t,
			  struct queue_service_status *ret)
{
	const struct config_service *s = config_service_get(q->cfg, service);
	struct config_day_hours today;
	const struct config_day_hours *h = &today;
	int16_t why_min;
	int32_t next_date;
	uint16_t next_min;

	memset(ret, 0, sizeof(*ret));
	ret->exception = service_day_hours(q, service, t, &today);
	ret->refusal = service_refusal(q, service, t, &why_min);
	ret->next_date = -1;
	if (ret->refusal != QUEUE_REFUSAL_NONE &&
	    hours_next_open(q->cfg, q->exceptions, service, t->date,
			    ret->refusal == QUEUE_REFUSAL_NOT_YET_OPEN ? t->minute : 24 * 60,
			    &next_date, &next_min) == 0) {
		ret->next_date = next_date;
		ret->next_min = (int16_t)next_min;
	}
	ret->opens_min = h->open_min == h->close_min ? -1 : (int16_t)h->open_min;
	ret->closes_min = h->open_min == h->close_min ? -1 : (int16_t)h->close_min;
	ret->waiting = q->n_waiting[service];
	if (ret->refusal == QUEUE_REFUSAL_NONE && s->max_queue > 0 &&
	    service_waiting(q, service) >= (unsigned)s->max_queue)
		ret->refusal = QUEUE_REFUSAL_FULL;
	ret->open = ret->refusal == QUEUE_REFUSAL_NONE;
	ret->counters_open = service_counters_open(q, service);
	ret->staffed = ret->counters_open > 0;
	ret->wait_s = estimate_s(q, service, ret->waiting);
}

int queue_ticket_estimate(const struct queue *q, uint32_t id, const struct queue_time *t,
			  unsigned *ret_ahead, int *ret_wait_s)
{
	const struct queue_ticket *me = ticket_lookup(q, id);
	struct queue_rank mine, other;
	GHashTableIter it;
	gpointer value;
	unsigned ahead = 0;

	if (!me || (me->state != QUEUE_WAITING && me->state != QUEUE_ISSUED))
		return -ENOENT;
	/* The ticket just drawn, plain and never moved, is last in its line:
	 * everybody waiting is ahead of it, no need to look. */
	if (me->id + 1 == q->next_id && !me->front && !me->booked_at && me->priority == 0 &&
	    !me->transfers && me->queued_at == me->issued_at) {
		ahead = q->n_waiting[me->service] - (me->state == QUEUE_WAITING);
		*ret_ahead = ahead;
		*ret_wait_s = estimate_s(q, me->service, ahead);
		return 0;
	}
	rank_of(q, me, 0, t->now, &mine);
	g_hash_table_iter_init(&it, q->tickets);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		const struct queue_ticket *tk = value;

		if (tk == me || tk->service != me->service || tk->state != QUEUE_WAITING)
			continue;
		rank_of(q, tk, 0, t->now, &other);
		ahead += rank_cmp(&other, &mine) < 0;
	}
	*ret_ahead = ahead;
	*ret_wait_s = estimate_s(q, me->service, ahead);
	return 0;
}

void queue_time_make(struct queue_time *t, int64_t now, int32_t local_days, uint8_t wday,
		     uint16_t minute, int reset_min)
{
	t->now = now;
	t->day = minute >= reset_min ? local_days : local_days - 1;
	t->wday = wday;
	t->minute = minute;
	t->date = local_days;
}

int queue_profile_parse(const struct config *cfg, const char *text,
			struct config_profile_entry *ret, uint8_t *ret_n, char *reason,
			size_t reason_len)
{
	g_auto(GStrv) parts = g_strsplit(text ? text : "", ",", -1);
	struct config_profile_entry out[QUEUE_PROFILE_MAX];
	uint8_t n = 0;

	for (char **p = parts; *p; p++) {
		g_autofree char *item = g_strstrip(g_strdup(*p));
		char *colon = strchr(item, ':');
		int weight = 0, service;

		if (!*item)
			continue;
		if (colon) {
			char *end;

			*colon = '\0';
			g_strstrip(item);
			weight = (int)g_ascii_strtoll(colon + 1, &end, 10);
			if (end == colon + 1 || *end || weight < 1 || weight > 100) {
				g_snprintf(reason, reason_len,
					   "profile: weight of %s must be 1 to 100, got \"%s\"",
					   item, colon + 1);
				return -EINVAL;
			}
		}
		service = config_service_find(cfg, item);
		if (service < 0) {
			g_snprintf(reason, reason_len, "profile: no service \"%s\"", item);
			return -EINVAL;
		}
		for (unsigned k = 0; k < n; k++)
			if (out[k].service == service) {
				g_snprintf(reason, reason_len, "profile: %s is listed twice", item);
				return -EINVAL;
			}
		if (n == QUEUE_PROFILE_MAX) {
			g_snprintf(reason, reason_len, "profile: at most %d services",
				   QUEUE_PROFILE_MAX);
			return -EINVAL;
		}
		out[n++] = (struct config_profile_entry){.service = service, .weight = weight};
	}
	if (n == 0) {
		g_snprintf(reason, reason_len, "profile: name at least one service");
		return -EINVAL;
	}
	memcpy(ret, out, n * sizeof(out[0]));
	*ret_n = n;
	return 0;
}
