/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * queue: the pure queue engine.
 *
 * Takes commands and the time as input and returns what changed: after-images
 * of every ticket and counter it touched, the visits that ended, and events.
 * No I/O, no clock reads, no randomness, no globals: the caller (desk.c) reads
 * the clock, makes follow references, persists the result and only then lets
 * anybody see it.  If persisting fails the caller throws the engine away and
 * restores a new one from the store, so the engine never needs an undo.
 *
 * Ticket life: issued → waiting → called → serving → done, with no_show,
 * parked, cancelled and voided; a transfer ends one visit and puts the ticket
 * back to waiting (another service or counter) with its original queue time.
 * A ticket is callable only once handed out (printed or shown on a screen).
 * Numbers run per service per service day (A001 …) and are never reused
 * within a day.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"

enum queue_state {
	QUEUE_ISSUED = 0, /* committed, not yet handed out: never callable */
	QUEUE_WAITING,
	QUEUE_CALLED,
	QUEUE_SERVING,
	QUEUE_PARKED,
	QUEUE_DONE,      /* terminal */
	QUEUE_NO_SHOW,   /* terminal */
	QUEUE_CANCELLED, /* terminal */
	QUEUE_VOIDED,    /* terminal: committed but never handed out */
	QUEUE_N_STATES,
};

enum queue_channel {
	QUEUE_CHANNEL_IN_PERSON = 0,
	QUEUE_CHANNEL_REMOTE_VIDEO,
	QUEUE_CHANNEL_E_SERVICE, /* guided e-service */
	QUEUE_CHANNEL_PAPER_FORM,
	QUEUE_CHANNEL_PHONE,            /* a call, recorded without a ticket */
	QUEUE_CHANNEL_PROVIDER_ON_SITE, /* the provider's own staff at the site */
	QUEUE_N_CHANNELS,
};

enum queue_outcome {
	QUEUE_OUTCOME_RESOLVED = 0, /* the matter was handled */
	QUEUE_OUTCOME_REFERRED,     /* sent to another office or channel */
	QUEUE_OUTCOME_FOLLOW_UP,    /* needs more work later */
	QUEUE_OUTCOME_TRANSFERRED,  /* continued at another service or counter */
	QUEUE_OUTCOME_NO_SHOW,
	QUEUE_OUTCOME_CANCELLED,
	QUEUE_OUTCOME_VOIDED,
	QUEUE_OUTCOME_RESET,       /* still waiting when the service day was reset */
	QUEUE_OUTCOME_INTERRUPTED, /* a video session broke before the service: back in line */
	QUEUE_N_OUTCOMES,
};

enum queue_cmd_type {
	QUEUE_CMD_ISSUE = 0, /* service, lang, priority, handed_out, ref, appointment */
	QUEUE_CMD_HANDOUT,   /* ticket: issued → waiting (printed or shown) */
	QUEUE_CMD_VOID,      /* ticket: issued → voided (never handed out) */
	QUEUE_CMD_CANCEL,    /* ticket: issued/waiting/parked → cancelled */
	QUEUE_CMD_OPEN,      /* counter, user, profile (NULL = configured one) */
	QUEUE_CMD_CLOSE,     /* counter; refused while it has a ticket */
	QUEUE_CMD_CALL,      /* counter; ticket 0 = next by profile, else that one */
	QUEUE_CMD_RECALL,    /* counter: call its current ticket again */
	QUEUE_CMD_START,     /* counter: the customer arrived, service starts */
	QUEUE_CMD_NO_SHOW,   /* counter: requeue or drop its current ticket */
	QUEUE_CMD_TRANSFER,  /* counter → service and/or to_counter, front */
	QUEUE_CMD_PARK,      /* counter: set its current ticket aside */
	QUEUE_CMD_RESUME,    /* counter, ticket: take a parked ticket back */
	QUEUE_CMD_END,       /* counter, outcome, channel (-1 = counter's default) */
	QUEUE_CMD_TICK,      /* nothing but time: runs the daily reset when due */
	QUEUE_N_CMDS,
};

enum queue_event_type {
	QUEUE_EVENT_ISSUED = 0,
	QUEUE_EVENT_WAITING, /* handed out, now in line */
	QUEUE_EVENT_CALLED,
	QUEUE_EVENT_RECALLED,
	QUEUE_EVENT_STARTED,
	QUEUE_EVENT_REQUEUED, /* no-show that goes back in line */
	QUEUE_EVENT_NO_SHOW,
	QUEUE_EVENT_TRANSFERRED,
	QUEUE_EVENT_PARKED,
	QUEUE_EVENT_RESUMED,
	QUEUE_EVENT_ENDED,
	QUEUE_EVENT_CANCELLED,
	QUEUE_EVENT_VOIDED,
	QUEUE_EVENT_COUNTER_OPENED,
	QUEUE_EVENT_COUNTER_CLOSED,
	QUEUE_EVENT_DAY_RESET,
	QUEUE_N_EVENTS,
};

/* The time as the engine sees it: computed by the caller from the clock and
 * the site's time zone (queue_time_make does the arithmetic). */
struct queue_time {
	int64_t now;     /* unix seconds */
	int32_t day;     /* service day: local days since 1970-01-01, shifted by the reset */
	uint8_t wday;    /* local weekday, 0 = Monday */
	uint16_t minute; /* local minute of the day, 0..1439 */
	int32_t date;    /* local date: days since 1970-01-01 (no reset shift) */
};

#define QUEUE_CODE_LEN 8
#define QUEUE_REF_LEN  24
#define QUEUE_USER_LEN 64

struct queue_ticket {
	uint32_t id;               /* unique for ever; assigned by the engine */
	int32_t day;               /* the service day it was issued on */
	int16_t service;           /* config index; changes on transfer */
	int16_t origin;            /* config index it was issued for; numbering follows it */
	uint16_t number;           /* 1..999 per origin service and day */
	char code[QUEUE_CODE_LEN]; /* "A001" */
	char ref[QUEUE_REF_LEN];   /* unguessable follow reference, from the caller */
	enum queue_state state;
	uint8_t lang;           /* the citizen's: an index into [site] languages */
	int8_t priority;        /* 0 normal; higher is called first */
	bool front;             /* transferred to the front of its line */
	int16_t counter;        /* counter id calling/serving/parking it; 0 none */
	int16_t target_counter; /* only this counter may call it; 0 any */
	uint16_t recalls;       /* times called again at the current counter */
	uint16_t no_shows;      /* times marked no-show (requeued or final) */
	uint16_t transfers;
	uint32_t appointment; /* appointment id, 0 none */
	int64_t booked_at;    /* appointment time, 0 none */
	int64_t issued_at;
	int64_t queued_at; /* position in line: issue time, kept on transfer */
	int64_t called_at, started_at, ended_at; /* 0 = not yet */
	uint8_t channel;                         /* enum queue_channel, set at end */
	uint8_t outcome;                         /* enum queue_outcome, set at end */
};

#define QUEUE_PROFILE_MAX 16

struct queue_counter {
	int16_t id;
	bool open;
	bool expert; /* an expert desk: default channel remote video */
	char user[QUEUE_USER_LEN];
	uint8_t n_profile;
	struct config_profile_entry profile[QUEUE_PROFILE_MAX];
	uint32_t ticket; /* the ticket called or served here, 0 none */
	int64_t opened_at;
	int64_t idle_since; /* free since (0 when serving or closed) */
};

/* One finished service event: the ticket ended, or was transferred on. */
struct queue_visit {
	uint32_t ticket;
	int32_t day;
	int16_t service;
	char code[QUEUE_CODE_LEN];
	int16_t counter; /* 0 when never called */
	char user[QUEUE_USER_LEN];
	uint8_t channel;
	uint8_t outcome;
	uint8_t lang;
	uint16_t recalls;
	uint16_t transfers;
	uint32_t appointment;
	int64_t issued_at, called_at, started_at, ended_at;
};

struct queue_event {
	enum queue_event_type type;
	int16_t counter;            /* counter involved, 0 none */
	struct queue_ticket ticket; /* after-image; id 0 for counter-only events */
};

struct queue_cmd {
	enum queue_cmd_type type;
	int16_t counter;    /* counter id */
	uint32_t ticket;    /* HANDOUT VOID CANCEL RESUME, CALL (0 = next) */
	int16_t service;    /* ISSUE; TRANSFER target (-1 = keep) */
	int16_t to_counter; /* TRANSFER to one counter (0 = any); ISSUE: the booked booth */
	bool front;         /* TRANSFER to the front of the line */
	bool handed_out;    /* ISSUE: already shown on a screen → waiting at once */
	uint8_t lang;
	int8_t priority;
	int8_t channel;       /* END; -1 = the counter's default */
	int8_t outcome;       /* END: -1 = resolved; TRANSFER: INTERRUPTED or -1 */
	const char *user;     /* OPEN */
	const char *profile;  /* OPEN: "tax,permits:2"; NULL = the configured one */
	const char *ref;      /* ISSUE: follow reference */
	uint32_t appointment; /* ISSUE from a check-in */
	int64_t booked_at;    /* ISSUE from a check-in */
	/* Not read by the engine: the desk stores them with the visit the
	 * command ends (END, NO_SHOW, TRANSFER's leg), in its transaction. */
	const char *category;      /* END: the category of the matter, NULL none */
	int64_t session;           /* the visit's remote-service session, 0 none */
	const char *consent;       /* that session's recording consent */
	const char *transfer_note; /* TRANSFER: the note to the next server, NULL none */
};

/* Why an ISSUE was refused, for words in three languages on the kiosk. */
enum queue_refusal {
	QUEUE_REFUSAL_NONE = 0,
	QUEUE_REFUSAL_CLOSED_TODAY,   /* no opening hours today */
	QUEUE_REFUSAL_NOT_YET_OPEN,   /* opens later today */
	QUEUE_REFUSAL_CLOSED_FOR_DAY, /* closed already today */
	QUEUE_REFUSAL_LAST_TICKET,    /* past the last-ticket cutoff */
	QUEUE_REFUSAL_FULL,           /* max-queue reached, or 999 numbers used */
};

struct queue_result {
	GArray *tickets;  /* struct queue_ticket: after-images, each id once */
	GArray *counters; /* struct queue_counter: after-images, each id once */
	GArray *visits;   /* struct queue_visit */
	GArray *events;   /* struct queue_event, in order */
	uint32_t ticket;  /* the ticket the command was about, 0 none */
	int32_t ahead;    /* ISSUE: people ahead of the new ticket then, -1 unknown */
	int32_t wait_s;   /* ISSUE: its estimated wait then */
	enum queue_refusal refusal;
	int16_t refusal_min; /* NOT_YET_OPEN, CLOSED_FOR_DAY: opening/closing minute */
	char reason[192];    /* on error: one English line that says what to do */
};

/* Status of one service right now, for displays and the kiosk. */
struct queue_service_status {
	bool open;                     /* tickets can be drawn now */
	enum queue_refusal refusal;    /* why not */
	int16_t opens_min, closes_min; /* today's hours; both -1 when closed today */
	unsigned waiting;              /* callable tickets in line */
	unsigned counters_open;        /* open counters whose profile has it */
	/* Some open counter's profile has it: somebody will call its line.
	 * Without that no wait can be computed (wait_s is then a guess that
	 * assumes one counter; say so rather than show it).  A remote service
	 * is also served by a booth ready for a call, which the queue does not
	 * know: api/site.c adds that. */
	bool staffed;
	int wait_s; /* estimate for a ticket drawn now */
	/* Today's exception to the week's hours (a holiday, special hours),
	 * NULL none; and when closed now, the next opening (next_date -1:
	 * none within a year). */
	const struct config_hours_exception *exception;
	int32_t next_date;
	int16_t next_min;
};

struct queue;

struct queue *queue_new(const struct config *cfg);
void queue_free(struct queue *q);
/* The exceptions to the week's hours (hours.h), owned by the caller and
 * kept alive while set; NULL none. */
void queue_set_exceptions(struct queue *q, const GPtrArray *exceptions);
typedef struct queue Queue; /* for g_autoptr(Queue) only */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Queue, queue_free)

void queue_result_init(struct queue_result *res);
void queue_result_clear(struct queue_result *res); /* empties, keeps the arrays */
void queue_result_free(struct queue_result *res);  /* frees the arrays */

/* Runs one command at time @t.  Returns 0, or a negative errno with
 * res->reason set: -EINVAL bad argument, -ENOENT no such ticket, counter or
 * service, -EPERM refused (res->refusal says why), -EBUSY the counter still
 * has a ticket, -EALREADY nothing to do (counter already open, no one
 * waiting: -ENODATA), -ESTALE illegal transition for the ticket's state.
 * On error nothing in the engine changed and res holds nothing.  res is
 * cleared first. */
int queue_exec(struct queue *q, const struct queue_cmd *cmd, const struct queue_time *t,
	       struct queue_result *res);

/* Restoring after start: the store hands back what it holds.  Active
 * (non-terminal) tickets of any day, the highest number used per origin
 * service on @day, counters, recent service times (oldest first) and the
 * next ticket id. */
int queue_restore_ticket(struct queue *q, const struct queue_ticket *t);
int queue_restore_counter(struct queue *q, const struct queue_counter *c);
void queue_restore_numbering(struct queue *q, int32_t day, int16_t service, uint16_t last_number);
void queue_restore_service_time(struct queue *q, int16_t service, int seconds);
void queue_restore_next_id(struct queue *q, uint32_t next_id);

/* Queries.  Pointers stay valid until the next queue_exec. */
const struct queue_ticket *queue_ticket_get(const struct queue *q, uint32_t id);
const struct queue_counter *queue_counter_get(const struct queue *q, int16_t counter_id);
/* Active tickets in queue order (the order call-next would take them, per
 * service), then the called, serving and parked ones. */
void queue_foreach_ticket(const struct queue *q,
			  void (*fn)(const struct queue_ticket *t, void *data), void *data);
/* The ticket "call next" (QUEUE_CMD_CALL with ticket 0) at @counter_id
 * would take at time @t: the very choice that command makes, so a preview
 * and the call agree.  NULL when the counter is unknown, closed or has a
 * ticket, or nobody waits for it.  Not const: it uses the engine's scratch.
 * A daily reset due at @t is not run (the call would run it first). */
const struct queue_ticket *queue_counter_next(struct queue *q, int16_t counter_id,
					      const struct queue_time *t);
void queue_service_status(const struct queue *q, int16_t service, const struct queue_time *t,
			  struct queue_service_status *ret);
/* A waiting ticket's people ahead (same service) and estimated wait;
 * -ENOENT when it is not waiting. */
int queue_ticket_estimate(const struct queue *q, uint32_t id, const struct queue_time *t,
			  unsigned *ret_ahead, int *ret_wait_s);
int32_t queue_day(const struct queue *q); /* the service day the engine is on */

/* Pure time arithmetic: @local_days is the local date as days since
 * 1970-01-01, @wday 0 = Monday, @minute the local minute of the day;
 * @reset_min the configured daily reset. */
void queue_time_make(struct queue_time *t, int64_t now, int32_t local_days, uint8_t wday,
		     uint16_t minute, int reset_min);

/* Names used in the API, the store and reports ("waiting", "in_person", …)
 * and back; parse returns -1 when unknown. */
const char *queue_state_name(enum queue_state s);
int queue_state_parse(const char *s);
bool queue_state_terminal(enum queue_state s);
const char *queue_channel_name(enum queue_channel c);
int queue_channel_parse(const char *s);
const char *queue_outcome_name(enum queue_outcome o);
int queue_outcome_parse(const char *s);
const char *queue_event_name(enum queue_event_type e);
const char *queue_cmd_name(enum queue_cmd_type c);
const char *queue_refusal_name(enum queue_refusal r);
/* Parses "tax,permits:2" against the config; -EINVAL with @reason set. */
int queue_profile_parse(const struct config *cfg, const char *text,
			struct config_profile_entry *ret, uint8_t *ret_n, char *reason,
			size_t reason_len);
