/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of firmware/queue.c, the pure engine: every rule of DESIGN.md "The
 * queue, precisely" with the time given as input, and a randomized test over
 * thousands of command sequences that checks the invariants. */
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "config.h"
#include "queue.h"

static const char test_conf[] = "[site]\n"
				"board = sim\n"
				"name = Test point\n"
				"timezone = Europe/Helsinki\n"
				"daily-reset = 03:00\n"
				"[queue]\n"
				"requeue-no-shows = 1\n"
				"appointment-early-min = 10\n"
				"appointment-late-min = 10\n"
				"service-time-window = 4\n"
				"[provider:kunta]\n"
				"name-fi = Kunta\nname-sv = Kommun\nname-en = Municipality\n"
				"[provider:vero]\n"
				"name-fi = Vero\nname-sv = Skatt\nname-en = Tax\n"
				"[service:guide]\n"
				"prefix = A\nprovider = kunta\n"
				"name-fi = Neuvonta\nname-sv = Rådgivning\nname-en = Guidance\n"
				"hours = mon-thu 08:00-18:00; fri 08:00-17:00\n"
				"last-ticket-min = 15\n"
				"service-min = 5\n"
				"[service:tax]\n"
				"prefix = B\nprovider = vero\n"
				"name-fi = Verotus\nname-sv = Beskattning\nname-en = Taxation\n"
				"hours = mon-fri 08:00-16:00\n"
				"max-queue = 3\n"
				"service-min = 10\n"
				"[service:video]\n"
				"prefix = V\nprovider = vero\nkind = remote\n"
				"name-fi = Etä\nname-sv = Distans\nname-en = Remote\n"
				"hours = mon-fri 08:00-16:00\n"
				"[counter:1]\n"
				"name = Counter 1\nprofile = guide,tax\n"
				"[counter:2]\n"
				"name = Counter 2\nprofile = tax,guide\n"
				"[counter:3]\n"
				"name = Expert\nkind = expert\nprofile = video\n";

/* Monday 2026-11-23 is local day 20415. */
#define MONDAY 20415

struct fixture {
	struct config *cfg;
	struct queue *q;
	struct queue_result res;
	struct queue_time t;
	int guide, tax, video;
};

static void at(struct fixture *f, int32_t day, uint8_t wday, int hh, int mm, int ss)
{
	int64_t now = (int64_t)day * 86400 + hh * 3600 + mm * 60 + ss - 2 * 3600;

	queue_time_make(&f->t, now, day, wday, (uint16_t)(hh * 60 + mm), 180);
}

static void setup(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	const char *text = data ? data : test_conf;

	f->cfg = config_load_data(text, "test.conf", &error);
	g_assert_no_error(error);
	f->q = queue_new(f->cfg);
	queue_result_init(&f->res);
	f->guide = config_service_find(f->cfg, "guide");
	f->tax = config_service_find(f->cfg, "tax");
	f->video = config_service_find(f->cfg, "video");
	at(f, MONDAY, 0, 9, 0, 0);
}

static void teardown(struct fixture *f, gconstpointer data)
{
	queue_result_free(&f->res);
	queue_free(f->q);
	config_free(f->cfg);
}

static int run(struct fixture *f, struct queue_cmd cmd)
{
	if (cmd.type == QUEUE_CMD_ISSUE || cmd.type == QUEUE_CMD_TRANSFER) {
		/* service is meaningful: callers set it */
	} else if (cmd.service == 0 && cmd.type != QUEUE_CMD_ISSUE) {
		cmd.service = -1;
	}
	if (cmd.type == QUEUE_CMD_END && cmd.channel == 0 && cmd.outcome == 0) {
		cmd.channel = -1;
		cmd.outcome = -1;
	}
	return queue_exec(f->q, &cmd, &f->t, &f->res);
}

static uint32_t issue(struct fixture *f, int service)
{
	int rc =
	    run(f, (struct queue_cmd){
		       .type = QUEUE_CMD_ISSUE, .service = (int16_t)service, .handed_out = true});

	if (rc < 0)
		g_printerr("issue refused: %s\n", f->res.reason);
	g_assert_cmpint(rc, ==, 0);
	return f->res.ticket;
}

static void open_counter(struct fixture *f, int counter)
{
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_OPEN,
						  .counter = (int16_t)counter,
						  .user = "anna"}),
			==, 0);
}

static uint32_t call(struct fixture *f, int counter)
{
	int rc = run(f, (struct queue_cmd){.type = QUEUE_CMD_CALL, .counter = (int16_t)counter});

	g_assert_cmpint(rc, ==, 0);
	return f->res.ticket;
}

static const struct queue_ticket *ticket(struct fixture *f, uint32_t id)
{
	const struct queue_ticket *t = queue_ticket_get(f->q, id);

	g_assert_nonnull(t);
	return t;
}

static void test_numbering(struct fixture *f, gconstpointer data)
{
	uint32_t a = issue(f, f->guide), b = issue(f, f->guide), c = issue(f, f->tax);

	g_assert_cmpstr(ticket(f, a)->code, ==, "A001");
	g_assert_cmpstr(ticket(f, b)->code, ==, "A002");
	g_assert_cmpstr(ticket(f, c)->code, ==, "B001");
	g_assert_cmpuint(b, ==, a + 1);
	/* Before the reset at 03:00 it is still Monday's service day (an
	 * appointment may check in out of hours) … */
	at(f, MONDAY + 1, 1, 2, 59, 0);
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_ISSUE,
						  .service = (int16_t)f->guide,
						  .appointment = 1,
						  .booked_at = f->t.now}),
			==, 0);
	g_assert_cmpstr(g_array_index(f->res.tickets, struct queue_ticket, 0).code, ==, "A003");
	/* … and after it numbering starts over. */
	at(f, MONDAY + 1, 1, 8, 0, 0);
	issue(f, f->guide);
	g_assert_cmpstr(g_array_index(f->res.tickets, struct queue_ticket, 0).code, ==, "A001");
}

static void test_hours(struct fixture *f, gconstpointer data)
{
	struct queue_cmd cmd = {.type = QUEUE_CMD_ISSUE, .service = (int16_t)f->guide};
	struct queue_service_status st;

	at(f, MONDAY, 0, 7, 30, 0);
	g_assert_cmpint(queue_exec(f->q, &cmd, &f->t, &f->res), ==, -EPERM);
	g_assert_cmpint(f->res.refusal, ==, QUEUE_REFUSAL_NOT_YET_OPEN);
	g_assert_cmpint(f->res.refusal_min, ==, 8 * 60);
	g_assert_cmpstr(queue_refusal_name(f->res.refusal), ==, "not_yet_open");
	at(f, MONDAY, 0, 17, 50, 0);
	g_assert_cmpint(queue_exec(f->q, &cmd, &f->t, &f->res), ==, -EPERM);
	g_assert_cmpint(f->res.refusal, ==, QUEUE_REFUSAL_LAST_TICKET);
	g_assert_cmpint(f->res.refusal_min, ==, 17 * 60 + 45);
	at(f, MONDAY, 0, 18, 0, 0);
	g_assert_cmpint(queue_exec(f->q, &cmd, &f->t, &f->res), ==, -EPERM);
	g_assert_cmpint(f->res.refusal, ==, QUEUE_REFUSAL_CLOSED_FOR_DAY);
	/* Friday closes earlier; Saturday is closed. */
	at(f, MONDAY + 4, 4, 16, 50, 0);
	g_assert_cmpint(queue_exec(f->q, &cmd, &f->t, &f->res), ==, -EPERM);
	g_assert_cmpint(f->res.refusal, ==, QUEUE_REFUSAL_LAST_TICKET);
	at(f, MONDAY + 5, 5, 10, 0, 0);
	g_assert_cmpint(queue_exec(f->q, &cmd, &f->t, &f->res), ==, -EPERM);
	g_assert_cmpint(f->res.refusal, ==, QUEUE_REFUSAL_CLOSED_TODAY);
	queue_service_status(f->q, (int16_t)f->guide, &f->t, &st);
	g_assert_false(st.open);
	g_assert_cmpint(st.opens_min, ==, -1);
	at(f, MONDAY + 4, 4, 16, 44, 0);
	g_assert_cmpint(queue_exec(f->q, &cmd, &f->t, &f->res), ==, 0);
	queue_service_status(f->q, (int16_t)f->guide, &f->t, &st);
	g_assert_true(st.open);
	g_assert_cmpint(st.closes_min, ==, 17 * 60);
}

static void test_max_queue(struct fixture *f, gconstpointer data)
{
	struct queue_cmd cmd = {.type = QUEUE_CMD_ISSUE, .service = (int16_t)f->tax};
	uint32_t first = issue(f, f->tax);

	issue(f, f->tax);
	issue(f, f->tax);
	g_assert_cmpint(queue_exec(f->q, &cmd, &f->t, &f->res), ==, -EPERM);
	g_assert_cmpint(f->res.refusal, ==, QUEUE_REFUSAL_FULL);
	g_assert_cmpuint(f->res.tickets->len, ==, 0);
	/* Calling one makes room; the refused attempt used no number. */
	open_counter(f, 2);
	g_assert_cmpuint(call(f, 2), ==, first);
	g_assert_cmpint(queue_exec(f->q, &cmd, &f->t, &f->res), ==, 0);
	g_assert_cmpstr(ticket(f, f->res.ticket)->code, ==, "B004");
}

static void test_profile_order(struct fixture *f, gconstpointer data)
{
	uint32_t g1 = issue(f, f->guide);
	uint32_t t1, t2;

	f->t.now += 10;
	t1 = issue(f, f->tax);
	f->t.now += 10;
	t2 = issue(f, f->tax);
	open_counter(f, 1);
	open_counter(f, 2);
	/* Counter 2 serves tax first although guidance waited longer. */
	g_assert_cmpuint(call(f, 2), ==, t1);
	g_assert_cmpuint(call(f, 1), ==, g1);
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_END, .counter = 1}), ==, 0);
	g_assert_cmpuint(call(f, 1), ==, t2);
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_END, .counter = 1}), ==, 0);
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_CALL, .counter = 1}), ==,
			-ENODATA);
}

static void test_weights(struct fixture *f, gconstpointer data)
{
	uint32_t g1, t1;

	g1 = issue(f, f->guide);
	f->t.now += 60;
	t1 = issue(f, f->tax);
	f->t.now += 60;
	/* guide waited 120 s × 1, tax 60 s × 3: tax wins. */
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_OPEN,
						  .counter = 1,
						  .user = "anna",
						  .profile = "guide:1, tax:3"}),
			==, 0);
	g_assert_cmpuint(call(f, 1), ==, t1);
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_END, .counter = 1}), ==, 0);
	g_assert_cmpuint(call(f, 1), ==, g1);
}

/* The preview of call-next is the ticket the call takes: by profile order,
 * by weights, and after a no-show went back in line. */
static uint32_t next_of(struct fixture *f, int counter)
{
	const struct queue_ticket *tk = queue_counter_next(f->q, (int16_t)counter, &f->t);

	return tk ? tk->id : 0;
}

static void test_next_preview(struct fixture *f, gconstpointer data)
{
	uint32_t g1, g2, t1, t2, want;

	g_assert_cmpuint(next_of(f, 1), ==, 0);  /* closed */
	g_assert_cmpuint(next_of(f, 99), ==, 0); /* no such counter */
	g1 = issue(f, f->guide);
	f->t.now += 60;
	t1 = issue(f, f->tax);
	f->t.now += 60;
	open_counter(f, 1); /* guide, tax */
	open_counter(f, 2); /* tax, guide */
	g_assert_cmpuint(next_of(f, 1), ==, g1);
	g_assert_cmpuint(next_of(f, 2), ==, t1);
	/* Asking changes nothing: twice the same answer. */
	g_assert_cmpuint(next_of(f, 2), ==, t1);
	want = next_of(f, 1);
	g_assert_cmpuint(call(f, 1), ==, want);
	g_assert_cmpuint(next_of(f, 1), ==, 0); /* busy */
	/* A no-show goes back to the end of its line: counter 1's profile
	 * order still puts guidance (the no-show) before tax that waited
	 * longer, and the preview says so. */
	f->t.now += 30;
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_NO_SHOW, .counter = 1}), ==, 0);
	g_assert_cmpint(ticket(f, g1)->state, ==, QUEUE_WAITING);
	g_assert_cmpuint(next_of(f, 1), ==, g1);
	g_assert_cmpuint(next_of(f, 2), ==, t1);
	g_assert_cmpuint(call(f, 2), ==, t1);
	/* Weighted: the wait × weight decides, the preview follows. */
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_END, .counter = 2}), ==, 0);
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_CLOSE, .counter = 2}), ==, 0);
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_OPEN,
						  .counter = 2,
						  .user = "bo",
						  .profile = "guide:1,tax:3"}),
			==, 0);
	f->t.now += 10;
	t2 = issue(f, f->tax);
	g2 = issue(f, f->guide);
	f->t.now += 40;
	/* g1 waited 40 + 10 + 1 s × 1, t2 40 + 1 s × 3: tax. */
	g_assert_cmpuint(next_of(f, 2), ==, t2);
	f->t.now += 100;
	/* g1 150 + 1, t2 141 × 3 = 423: still tax. */
	g_assert_cmpuint(next_of(f, 2), ==, t2);
	g_assert_cmpuint(call(f, 2), ==, t2);
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_END, .counter = 2}), ==, 0);
	g_assert_cmpuint(next_of(f, 2), ==, g1);
	g_assert_cmpuint(call(f, 2), ==, g1);
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_END, .counter = 2}), ==, 0);
	g_assert_cmpuint(next_of(f, 2), ==, g2);
	g_assert_cmpuint(call(f, 2), ==, g2);
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_END, .counter = 2}), ==, 0);
	g_assert_cmpuint(next_of(f, 2), ==, 0); /* nobody waits */
}

static void test_priority_and_appointment(struct fixture *f, gconstpointer data)
{
	uint32_t plain, prio, booked;
	struct queue_cmd cmd = {.type = QUEUE_CMD_ISSUE,
				.service = (int16_t)f->guide,
				.handed_out = true,
				.appointment = 7,
				.booked_at = 0};

	plain = issue(f, f->guide);
	f->t.now += 5;
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_ISSUE,
						  .service = (int16_t)f->guide,
						  .handed_out = true,
						  .priority = 1}),
			==, 0);
	prio = f->res.ticket;
	cmd.booked_at = f->t.now + 3600; /* booked for an hour later */
	g_assert_cmpint(queue_exec(f->q, &cmd, &f->t, &f->res), ==, 0);
	booked = f->res.ticket;
	open_counter(f, 1);
	g_assert_cmpuint(call(f, 1), ==, prio);
	run(f, (struct queue_cmd){.type = QUEUE_CMD_END, .counter = 1});
	/* The appointment is not due yet: the plain ticket goes first … */
	g_assert_cmpuint(call(f, 1), ==, plain);
	run(f, (struct queue_cmd){.type = QUEUE_CMD_END, .counter = 1});
	g_assert_cmpuint(call(f, 1), ==, booked);
	run(f, (struct queue_cmd){.type = QUEUE_CMD_END, .counter = 1});
	/* … but at its booked time it goes before everybody who waits. */
	plain = issue(f, f->guide);
	cmd.appointment = 8;
	cmd.booked_at = f->t.now + 300;
	f->t.now += 5;
	g_assert_cmpint(queue_exec(f->q, &cmd, &f->t, &f->res), ==, 0);
	booked = f->res.ticket;
	g_assert_cmpuint(call(f, 1), ==, booked);
	g_assert_cmpuint(ticket(f, booked)->appointment, ==, 8);
}

/* A booking of one booth (counter): only that counter calls it, ahead of
 * the walk-ins there once it is due; a booth that is not configured is
 * refused. */
static void test_booked_booth(struct fixture *f, gconstpointer data)
{
	uint32_t walk_in, booked, walk_in2;
	struct queue_cmd cmd = {.type = QUEUE_CMD_ISSUE,
				.service = (int16_t)f->video,
				.handed_out = true,
				.appointment = 9,
				.to_counter = 3};

	walk_in = issue(f, f->video);
	f->t.now += 60;
	cmd.booked_at = f->t.now + 5 * 60; /* due: within the 10 min early window */
	g_assert_cmpint(queue_exec(f->q, &cmd, &f->t, &f->res), ==, 0);
	booked = f->res.ticket;
	g_assert_cmpint(ticket(f, booked)->target_counter, ==, 3);
	walk_in2 = issue(f, f->video);
	open_counter(f, 3);
	g_assert_cmpuint(next_of(f, 3), ==, booked);
	g_assert_cmpuint(call(f, 3), ==, booked);
	run(f, (struct queue_cmd){.type = QUEUE_CMD_END, .counter = 3});
	g_assert_cmpuint(call(f, 3), ==, walk_in);
	run(f, (struct queue_cmd){.type = QUEUE_CMD_END, .counter = 3});
	g_assert_cmpuint(call(f, 3), ==, walk_in2);
	run(f, (struct queue_cmd){.type = QUEUE_CMD_END, .counter = 3});
	/* A guide booking for counter 2: counter 1, which serves guide, does
	 * not take it. */
	cmd.service = (int16_t)f->guide;
	cmd.to_counter = 2;
	cmd.appointment = 10;
	cmd.booked_at = f->t.now;
	g_assert_cmpint(queue_exec(f->q, &cmd, &f->t, &f->res), ==, 0);
	booked = f->res.ticket;
	open_counter(f, 1);
	g_assert_cmpuint(next_of(f, 1), ==, 0);
	/* Counter 2 serving tax only now does not call a guide booking. */
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_OPEN,
						  .counter = 2,
						  .user = "eero",
						  .profile = "tax"}),
			==, 0);
	g_assert_cmpuint(next_of(f, 2), ==, 0);
	run(f, (struct queue_cmd){.type = QUEUE_CMD_CLOSE, .counter = 2});
	open_counter(f, 2);
	g_assert_cmpuint(call(f, 2), ==, booked);
	cmd.to_counter = 77;
	g_assert_cmpint(queue_exec(f->q, &cmd, &f->t, &f->res), ==, -ENOENT);
	g_assert_nonnull(strstr(f->res.reason, "counter 77"));
}

static void test_recall_no_show(struct fixture *f, gconstpointer data)
{
	uint32_t a = issue(f, f->guide), b = issue(f, f->guide);
	const struct queue_visit *v;

	open_counter(f, 1);
	g_assert_cmpuint(call(f, 1), ==, a);
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_RECALL, .counter = 1}), ==, 0);
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_RECALL, .counter = 1}), ==, 0);
	g_assert_cmpuint(ticket(f, a)->recalls, ==, 2);
	/* First no-show: back in line, at its end. */
	f->t.now += 30;
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_NO_SHOW, .counter = 1}), ==, 0);
	g_assert_cmpint(ticket(f, a)->state, ==, QUEUE_WAITING);
	g_assert_cmpint(g_array_index(f->res.events, struct queue_event, 0).type, ==,
			QUEUE_EVENT_REQUEUED);
	g_assert_cmpuint(call(f, 1), ==, b);
	run(f, (struct queue_cmd){.type = QUEUE_CMD_END, .counter = 1});
	g_assert_cmpuint(call(f, 1), ==, a);
	/* Second: dropped, with a visit that says so. */
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_NO_SHOW, .counter = 1}), ==, 0);
	g_assert_null(queue_ticket_get(f->q, a));
	g_assert_cmpuint(f->res.visits->len, ==, 1);
	v = &g_array_index(f->res.visits, struct queue_visit, 0);
	g_assert_cmpint(v->outcome, ==, QUEUE_OUTCOME_NO_SHOW);
	g_assert_cmpuint(v->recalls, ==, 2);
	g_assert_cmpstr(v->user, ==, "anna");
	g_assert_cmpint(g_array_index(f->res.tickets, struct queue_ticket, 0).state, ==,
			QUEUE_NO_SHOW);
	g_assert_cmpint(queue_counter_get(f->q, 1)->ticket, ==, 0);
}

static void test_transfer(struct fixture *f, gconstpointer data)
{
	uint32_t other = issue(f, f->tax);
	uint32_t a;
	int64_t issued;
	const struct queue_visit *v;

	f->t.now += 100;
	a = issue(f, f->guide);
	issued = ticket(f, a)->issued_at;
	open_counter(f, 1);
	open_counter(f, 2);
	g_assert_cmpuint(call(f, 1), ==, a);
	run(f, (struct queue_cmd){.type = QUEUE_CMD_START, .counter = 1});
	f->t.now += 300;
	/* To tax, keeping the issue time: it goes before a later tax ticket
	 * but after the earlier one. */
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_TRANSFER,
						  .counter = 1,
						  .service = (int16_t)f->tax}),
			==, 0);
	g_assert_cmpuint(f->res.visits->len, ==, 1);
	v = &g_array_index(f->res.visits, struct queue_visit, 0);
	g_assert_cmpint(v->outcome, ==, QUEUE_OUTCOME_TRANSFERRED);
	g_assert_cmpint(v->service, ==, f->guide);
	g_assert_cmpint(v->ended_at - v->started_at, ==, 300);
	g_assert_cmpint(ticket(f, a)->issued_at, ==, issued);
	g_assert_cmpint(ticket(f, a)->queued_at, ==, issued);
	g_assert_cmpint(ticket(f, a)->service, ==, f->tax);
	g_assert_cmpstr(ticket(f, a)->code, ==, "A001");
	issue(f, f->tax);
	g_assert_cmpuint(call(f, 2), ==, other);
	run(f, (struct queue_cmd){.type = QUEUE_CMD_END, .counter = 2});
	g_assert_cmpuint(call(f, 2), ==, a);
	/* To one counter, at the front of its line. */
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_TRANSFER,
						  .counter = 2,
						  .to_counter = 1,
						  .front = true,
						  .service = -1}),
			==, 0);
	issue(f, f->guide);
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_CALL, .counter = 2}), ==, 0);
	g_assert_cmpuint(f->res.ticket, !=, a); /* counter 2 may not take it */
	g_assert_cmpuint(call(f, 1), ==, a);
	g_assert_cmpuint(ticket(f, a)->transfers, ==, 2);
	/* Nowhere to: refused, nothing changed. */
	g_assert_cmpint(
	    run(f, (struct queue_cmd){.type = QUEUE_CMD_TRANSFER, .counter = 1, .service = -1}), ==,
	    -EINVAL);
	g_assert_cmpint(ticket(f, a)->state, ==, QUEUE_CALLED);
}

static void test_park_resume_end(struct fixture *f, gconstpointer data)
{
	uint32_t a = issue(f, f->guide), b = issue(f, f->guide);
	const struct queue_visit *v;

	open_counter(f, 1);
	call(f, 1);
	run(f, (struct queue_cmd){.type = QUEUE_CMD_START, .counter = 1});
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_PARK, .counter = 1}), ==, 0);
	g_assert_cmpint(ticket(f, a)->state, ==, QUEUE_PARKED);
	g_assert_cmpuint(call(f, 1), ==, b); /* parked ones are not called */
	g_assert_cmpint(
	    run(f, (struct queue_cmd){.type = QUEUE_CMD_RESUME, .counter = 1, .ticket = a}), ==,
	    -EBUSY);
	f->t.now += 120;
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_END,
						  .counter = 1,
						  .channel = QUEUE_CHANNEL_E_SERVICE,
						  .outcome = QUEUE_OUTCOME_FOLLOW_UP}),
			==, 0);
	v = &g_array_index(f->res.visits, struct queue_visit, 0);
	g_assert_cmpint(v->channel, ==, QUEUE_CHANNEL_E_SERVICE);
	g_assert_cmpint(v->outcome, ==, QUEUE_OUTCOME_FOLLOW_UP);
	g_assert_cmpint(v->ended_at - v->started_at, ==, 120); /* started when called */
	g_assert_cmpint(
	    run(f, (struct queue_cmd){.type = QUEUE_CMD_RESUME, .counter = 1, .ticket = a}), ==, 0);
	g_assert_cmpint(ticket(f, a)->state, ==, QUEUE_SERVING);
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_END,
						  .counter = 1,
						  .channel = -1,
						  .outcome = QUEUE_OUTCOME_NO_SHOW}),
			==, -EINVAL);
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_END, .counter = 1}), ==, 0);
	g_assert_cmpint(g_array_index(f->res.visits, struct queue_visit, 0).channel, ==,
			QUEUE_CHANNEL_IN_PERSON);
	/* The expert desk ends remote video by default. */
	issue(f, f->video);
	open_counter(f, 3);
	call(f, 3);
	run(f, (struct queue_cmd){.type = QUEUE_CMD_END, .counter = 3});
	g_assert_cmpint(g_array_index(f->res.visits, struct queue_visit, 0).channel, ==,
			QUEUE_CHANNEL_REMOTE_VIDEO);
}

static void test_handout_void_cancel(struct fixture *f, gconstpointer data)
{
	struct queue_cmd cmd = {.type = QUEUE_CMD_ISSUE, .service = (int16_t)f->guide};
	uint32_t ghost, printed;

	g_assert_cmpint(queue_exec(f->q, &cmd, &f->t, &f->res), ==, 0);
	ghost = f->res.ticket;
	g_assert_cmpint(queue_exec(f->q, &cmd, &f->t, &f->res), ==, 0);
	printed = f->res.ticket;
	open_counter(f, 1);
	/* Issued but not handed out: nobody calls it. */
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_CALL, .counter = 1}), ==,
			-ENODATA);
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_HANDOUT, .ticket = printed}),
			==, 0);
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_VOID, .ticket = ghost}), ==, 0);
	g_assert_cmpint(g_array_index(f->res.visits, struct queue_visit, 0).outcome, ==,
			QUEUE_OUTCOME_VOIDED);
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_VOID, .ticket = printed}), ==,
			-ESTALE);
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_CANCEL, .ticket = printed}), ==,
			0);
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_CANCEL, .ticket = printed}), ==,
			-ENOENT);
}

static void test_counters(struct fixture *f, gconstpointer data)
{
	issue(f, f->guide);
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_CALL, .counter = 1}), ==,
			-ESTALE);
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_CALL, .counter = 9}), ==,
			-ENOENT);
	open_counter(f, 1);
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_OPEN, .counter = 1}), ==,
			-EALREADY);
	call(f, 1);
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_CALL, .counter = 1}), ==,
			-EBUSY);
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_CLOSE, .counter = 1}), ==,
			-EBUSY);
	run(f, (struct queue_cmd){.type = QUEUE_CMD_END, .counter = 1});
	g_assert_cmpint(run(f, (struct queue_cmd){.type = QUEUE_CMD_CLOSE, .counter = 1}), ==, 0);
	g_assert_false(queue_counter_get(f->q, 1)->open);
	g_assert_cmpint(
	    run(f,
		(struct queue_cmd){.type = QUEUE_CMD_OPEN, .counter = 1, .profile = "guide,nope"}),
	    ==, -EINVAL);
	g_assert_nonnull(strstr(f->res.reason, "nope"));
	g_assert_false(queue_counter_get(f->q, 1)->open);
}

static void test_daily_reset(struct fixture *f, gconstpointer data)
{
	uint32_t a = issue(f, f->guide), b = issue(f, f->guide);
	struct queue_cmd tick = {.type = QUEUE_CMD_TICK, .service = -1};

	open_counter(f, 1);
	call(f, 1); /* a is at the counter over midnight */
	at(f, MONDAY + 1, 1, 3, 0, 0);
	g_assert_cmpint(queue_exec(f->q, &tick, &f->t, &f->res), ==, 0);
	if (f->cfg->reset_clears_queue) {
		g_assert_null(queue_ticket_get(f->q, b));
		g_assert_cmpuint(f->res.visits->len, ==, 1);
		g_assert_cmpint(g_array_index(f->res.visits, struct queue_visit, 0).outcome, ==,
				QUEUE_OUTCOME_RESET);
	} else {
		g_assert_nonnull(queue_ticket_get(f->q, b));
		g_assert_cmpuint(f->res.visits->len, ==, 0);
	}
	g_assert_nonnull(queue_ticket_get(f->q, a));
	g_assert_cmpint(g_array_index(f->res.events, struct queue_event, 0).type, ==,
			QUEUE_EVENT_DAY_RESET);
	g_assert_cmpint(queue_day(f->q), ==, MONDAY + 1);
	g_assert_cmpint(queue_exec(f->q, &tick, &f->t, &f->res), ==, 0);
	g_assert_cmpuint(f->res.events->len, ==, 0);
}

static void test_estimate(struct fixture *f, gconstpointer data)
{
	struct queue_service_status st;
	uint32_t ids[4];
	unsigned ahead;
	int wait;

	for (int i = 0; i < 4; i++)
		ids[i] = issue(f, f->guide);
	queue_service_status(f->q, (int16_t)f->guide, &f->t, &st);
	g_assert_cmpuint(st.waiting, ==, 4);
	g_assert_cmpint(st.wait_s, ==, 4 * 5 * 60); /* service-min until measured */
	/* Nobody at a counter: the line is not staffed (the API then gives no wait). */
	g_assert_false(st.staffed);
	g_assert_cmpuint(st.counters_open, ==, 0);
	open_counter(f, 1);
	queue_service_status(f->q, (int16_t)f->guide, &f->t, &st);
	g_assert_true(st.staffed);
	g_assert_cmpuint(st.counters_open, ==, 1);
	open_counter(f, 2);
	/* Two visits of 60 s and 180 s: 120 s on average, two counters. */
	call(f, 1);
	f->t.now += 60;
	run(f, (struct queue_cmd){.type = QUEUE_CMD_END, .counter = 1});
	call(f, 1);
	f->t.now += 180;
	run(f, (struct queue_cmd){.type = QUEUE_CMD_END, .counter = 1});
	g_assert_cmpint(queue_ticket_estimate(f->q, ids[3], &f->t, &ahead, &wait), ==, 0);
	g_assert_cmpuint(ahead, ==, 1);
	g_assert_cmpint(wait, ==, 60);
	g_assert_cmpint(queue_ticket_estimate(f->q, ids[0], &f->t, &ahead, &wait), ==, -ENOENT);
}

static void test_names(void)
{
	struct config_profile_entry p[QUEUE_PROFILE_MAX];
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) cfg = config_load_data(test_conf, "test.conf", &error);
	char reason[128];
	uint8_t n;

	g_assert_no_error(error);
	for (int s = 0; s < QUEUE_N_STATES; s++)
		g_assert_cmpint(queue_state_parse(queue_state_name(s)), ==, s);
	for (int c = 0; c < QUEUE_N_CHANNELS; c++)
		g_assert_cmpint(queue_channel_parse(queue_channel_name(c)), ==, c);
	for (int o = 0; o < QUEUE_N_OUTCOMES; o++)
		g_assert_cmpint(queue_outcome_parse(queue_outcome_name(o)), ==, o);
	g_assert_cmpint(queue_state_parse("nonsense"), ==, -1);
	g_assert_cmpstr(queue_cmd_name(QUEUE_CMD_NO_SHOW), ==, "no_show");
	g_assert_cmpint(queue_profile_parse(cfg, "tax, guide:2", p, &n, reason, sizeof(reason)), ==,
			0);
	g_assert_cmpuint(n, ==, 2);
	g_assert_cmpint(p[1].weight, ==, 2);
	g_assert_cmpint(queue_profile_parse(cfg, "tax,tax", p, &n, reason, sizeof(reason)), ==,
			-EINVAL);
	g_assert_cmpint(queue_profile_parse(cfg, "tax:0", p, &n, reason, sizeof(reason)), ==,
			-EINVAL);
	g_assert_cmpint(queue_profile_parse(cfg, "", p, &n, reason, sizeof(reason)), ==, -EINVAL);
}

/* ---------------------------------------------------------------------- */
/* Randomized: thousands of generated sequences, invariants checked after
 * every command. */

struct model {
	GHashTable *numbers;   /* "day/origin/number" seen */
	GHashTable *terminal;  /* id → times seen terminal */
	GHashTable *issued_at; /* id → issue time, to check transfers */
	unsigned issued, ended;
};

static void collect_waiting(const struct queue_ticket *t, void *data)
{
	if (t->state == QUEUE_WAITING)
		g_array_append_val((GArray *)data, *t);
}

static void check_result(struct fixture *f, struct model *m, const struct queue_cmd *cmd, int rc,
			 GArray *waiting_before, int64_t queued_before)
{
	if (rc < 0 &&
	    !(f->res.events->len &&
	      g_array_index(f->res.events, struct queue_event, 0).type == QUEUE_EVENT_DAY_RESET))
		g_assert_cmpuint(f->res.tickets->len, ==, 0);
	for (guint i = 0; i < f->res.tickets->len; i++) {
		const struct queue_ticket *t =
		    &g_array_index(f->res.tickets, struct queue_ticket, i);
		gpointer known = g_hash_table_lookup(m->issued_at, GUINT_TO_POINTER(t->id));

		if (!known) {
			g_autofree char *key =
			    g_strdup_printf("%d/%d/%u", t->day, t->origin, t->number);

			g_assert_false(g_hash_table_contains(m->numbers, key));
			g_hash_table_add(m->numbers, g_steal_pointer(&key));
			g_hash_table_insert(m->issued_at, GUINT_TO_POINTER(t->id),
					    g_memdup2(&t->issued_at, sizeof(int64_t)));
			m->issued++;
		} else {
			g_assert_cmpint(*(int64_t *)known, ==, t->issued_at);
		}
		if (queue_state_terminal(t->state)) {
			g_assert_false(g_hash_table_contains(m->terminal, GUINT_TO_POINTER(t->id)));
			g_hash_table_add(m->terminal, GUINT_TO_POINTER(t->id));
			g_assert_null(queue_ticket_get(f->q, t->id));
			m->ended++;
		}
	}
	if (rc == 0 && cmd->type == QUEUE_CMD_TRANSFER) {
		const struct queue_ticket *t = queue_ticket_get(f->q, f->res.ticket);

		g_assert_cmpint(t->queued_at, ==, queued_before);
		g_assert_cmpint(t->state, ==, QUEUE_WAITING);
	}
	/* The line's counts agree with the tickets themselves. */
	{
		g_autoptr(GArray) all = g_array_new(FALSE, FALSE, sizeof(struct queue_ticket));
		unsigned counted[8] = {0};

		queue_foreach_ticket(f->q, collect_waiting, all);
		for (guint i = 0; i < all->len; i++)
			counted[g_array_index(all, struct queue_ticket, i).service]++;
		for (guint svc = 0; svc < f->cfg->services->len; svc++) {
			struct queue_service_status st;

			queue_service_status(f->q, (int16_t)svc, &f->t, &st);
			g_assert_cmpuint(st.waiting, ==, counted[svc]);
		}
	}
	/* FIFO: a plain call-next never passes over an equal ticket that
	 * waited longer. */
	if (rc == 0 && cmd->type == QUEUE_CMD_CALL && cmd->ticket == 0) {
		const struct queue_ticket *got = NULL;

		/* Compare with the picked ticket as it was before the call. */
		for (guint i = 0; i < waiting_before->len; i++)
			if (g_array_index(waiting_before, struct queue_ticket, i).id ==
			    f->res.ticket)
				got = &g_array_index(waiting_before, struct queue_ticket, i);
		g_assert_nonnull(got);
		for (guint i = 0; i < waiting_before->len; i++) {
			const struct queue_ticket *w =
			    &g_array_index(waiting_before, struct queue_ticket, i);

			if (w->id == got->id || w->service != got->service ||
			    w->priority != got->priority || w->front || got->front ||
			    w->target_counter || got->target_counter || w->booked_at ||
			    got->booked_at)
				continue;
			if (!(w->queued_at > got->queued_at ||
			      (w->queued_at == got->queued_at && w->id > got->id)))
				g_printerr("counter %d got %u %s q%ld st%d svc%d p%d; passed %u %s "
					   "q%ld svc%d p%d\n",
					   cmd->counter, got->id, got->code, (long)got->queued_at,
					   got->state, got->service, got->priority, w->id, w->code,
					   (long)w->queued_at, w->service, w->priority);
			g_assert_true(w->queued_at > got->queued_at ||
				      (w->queued_at == got->queued_at && w->id > got->id));
		}
	}
}

static void collect_all(const struct queue_ticket *t, void *data)
{
	g_array_append_val((GArray *)data, t->id);
}

static void random_sequence(struct fixture *f, GRand *rand, struct model *m, int steps)
{
	static const enum queue_cmd_type types[] = {
	    QUEUE_CMD_ISSUE,  QUEUE_CMD_ISSUE,   QUEUE_CMD_ISSUE,    QUEUE_CMD_HANDOUT,
	    QUEUE_CMD_VOID,   QUEUE_CMD_CANCEL,  QUEUE_CMD_OPEN,     QUEUE_CMD_CLOSE,
	    QUEUE_CMD_CALL,   QUEUE_CMD_CALL,    QUEUE_CMD_CALL,     QUEUE_CMD_RECALL,
	    QUEUE_CMD_START,  QUEUE_CMD_NO_SHOW, QUEUE_CMD_TRANSFER, QUEUE_CMD_PARK,
	    QUEUE_CMD_RESUME, QUEUE_CMD_END,     QUEUE_CMD_END,      QUEUE_CMD_TICK,
	};
	/* NULL: the configured profile; the others in order or weighted. */
	static const char *const profiles[] = {
	    NULL, NULL, "tax,guide", "guide:1,tax:3", "tax:2,guide:1,video:1", "video,tax"};
	g_autoptr(GArray) waiting = g_array_new(FALSE, FALSE, sizeof(struct queue_ticket));
	const struct queue_ticket *preview;
	uint32_t preview_id;
	bool previewed;
	int32_t day = MONDAY;

	at(f, day, 0, 9, 0, 0);
	for (int i = 0; i < steps; i++) {
		struct queue_cmd cmd = {
		    .type = types[g_rand_int_range(rand, 0, G_N_ELEMENTS(types))],
		    .counter = (int16_t)g_rand_int_range(rand, 1, 4),
		    .ticket =
			m->issued ? (uint32_t)g_rand_int_range(rand, 1, (int)m->issued + 2) : 0,
		    .service = (int16_t)g_rand_int_range(rand, -1, 3),
		    .to_counter =
			(int16_t)(g_rand_boolean(rand) ? 0 : g_rand_int_range(rand, 1, 4)),
		    .front = g_rand_int_range(rand, 0, 4) == 0,
		    .handed_out = g_rand_boolean(rand),
		    .lang = (uint8_t)g_rand_int_range(rand, 0, 3),
		    .priority = (int8_t)(g_rand_int_range(rand, 0, 8) == 0),
		    .channel = (int8_t)g_rand_int_range(rand, -1, QUEUE_N_CHANNELS),
		    .outcome = (int8_t)g_rand_int_range(rand, -1, 3),
		    .user = "u",
		};
		const struct queue_counter *ctr = queue_counter_get(f->q, cmd.counter);
		const struct queue_ticket *cur =
		    ctr && ctr->ticket ? queue_ticket_get(f->q, ctr->ticket) : NULL;
		int64_t queued_before = cur ? cur->queued_at : -1;
		int rc;

		if (cmd.type == QUEUE_CMD_ISSUE && cmd.service < 0)
			cmd.service = 0;
		if (cmd.type == QUEUE_CMD_CALL && g_rand_boolean(rand))
			cmd.ticket = 0;
		if (cmd.type == QUEUE_CMD_ISSUE && g_rand_int_range(rand, 0, 10) == 0) {
			cmd.appointment = (uint32_t)i + 1;
			cmd.booked_at = f->t.now + g_rand_int_range(rand, -1800, 1800);
		}
		f->t.now += g_rand_int_range(rand, 0, 40);
		if (g_rand_int_range(rand, 0, 400) == 0) { /* the next service day */
			day++;
			at(f, day, (uint8_t)((day - MONDAY) % 7), 9, 0, 0);
		}
		if (cmd.type == QUEUE_CMD_OPEN)
			cmd.profile = profiles[g_rand_int_range(rand, 0, G_N_ELEMENTS(profiles))];
		g_array_set_size(waiting, 0);
		if (cmd.type == QUEUE_CMD_CALL)
			queue_foreach_ticket(f->q, collect_waiting, waiting);
		/* The preview of call-next, unless a daily reset runs first. */
		preview = NULL;
		previewed =
		    cmd.type == QUEUE_CMD_CALL && cmd.ticket == 0 && f->t.day == queue_day(f->q);
		if (previewed)
			preview = queue_counter_next(f->q, cmd.counter, &f->t);
		preview_id = preview ? preview->id : 0;
		rc = queue_exec(f->q, &cmd, &f->t, &f->res);
		g_assert_cmpint(rc, <=, 0);
		if (previewed)
			g_assert_cmpuint(rc == 0 ? f->res.ticket : 0, ==, preview_id);
		if (rc < 0)
			g_assert_cmpstr(f->res.reason, !=, "");
		check_result(f, m, &cmd, rc, waiting, queued_before);
	}
	/* Drain: everything still active ends, once. */
	for (int c = 1; c <= 3; c++) {
		struct queue_cmd end = {.type = QUEUE_CMD_END,
					.counter = (int16_t)c,
					.channel = -1,
					.outcome = -1,
					.service = -1};
		if (queue_exec(f->q, &end, &f->t, &f->res) == 0)
			check_result(f, m, &end, 0, waiting, -1);
	}
	{
		g_autoptr(GArray) left = g_array_new(FALSE, FALSE, sizeof(uint32_t));

		queue_foreach_ticket(f->q, collect_all, left);
		for (guint i = 0; i < left->len; i++) {
			struct queue_cmd cancel = {.type = QUEUE_CMD_CANCEL,
						   .service = -1,
						   .ticket = g_array_index(left, uint32_t, i)};

			g_assert_cmpint(queue_exec(f->q, &cancel, &f->t, &f->res), ==, 0);
			check_result(f, m, &cancel, 0, waiting, -1);
		}
	}
	g_assert_cmpuint(m->ended, ==, m->issued);
}

static void test_random_invariants(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) cfg = config_load_data(test_conf, "test.conf", &error);
	g_autoptr(GRand) rand = g_rand_new_with_seed(20261123);
	unsigned sequences = g_test_slow() ? 20000 : 3000;
	unsigned total = 0;

	g_assert_no_error(error);
	for (unsigned s = 0; s < sequences; s++) {
		struct fixture f = {.cfg = cfg};
		struct model m = {
		    .numbers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
		    .terminal = g_hash_table_new(g_direct_hash, g_direct_equal),
		    .issued_at = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free),
		};

		f.q = queue_new(cfg);
		queue_result_init(&f.res);
		f.guide = 0;
		random_sequence(&f, rand, &m, g_rand_int_range(rand, 20, 200));
		total += m.issued;
		queue_result_free(&f.res);
		queue_free(f.q);
		g_hash_table_unref(m.numbers);
		g_hash_table_unref(m.terminal);
		g_hash_table_unref(m.issued_at);
	}
	g_test_message("%u sequences, %u tickets", sequences, total);
	g_assert_cmpuint(total, >, sequences);
}

static const char keep_queue_conf_marker[] = "reset-clears-queue = false\n";

int main(int argc, char **argv)
{
	g_autofree char *keep_conf = NULL;

	g_test_init(&argc, &argv, NULL);
	keep_conf = g_strdup(test_conf);
	{
		/* The same board, but a site that keeps its queue over the reset. */
		g_autofree char *head =
		    g_strndup(test_conf, strstr(test_conf, "[queue]") - test_conf);
		g_autofree char *tmp =
		    g_strconcat(head, keep_queue_conf_marker, strstr(test_conf, "[queue]"), NULL);
		g_free(keep_conf);
		keep_conf = g_steal_pointer(&tmp);
	}
#define ADD(name, fn, data) g_test_add("/queue/" name, struct fixture, data, setup, fn, teardown)
	ADD("numbering", test_numbering, NULL);
	ADD("hours", test_hours, NULL);
	ADD("max-queue", test_max_queue, NULL);
	ADD("profile-order", test_profile_order, NULL);
	ADD("weights", test_weights, NULL);
	ADD("next-preview", test_next_preview, NULL);
	ADD("priority-appointment", test_priority_and_appointment, NULL);
	ADD("booked-booth", test_booked_booth, NULL);
	ADD("recall-no-show", test_recall_no_show, NULL);
	ADD("transfer", test_transfer, NULL);
	ADD("park-resume-end", test_park_resume_end, NULL);
	ADD("handout-void-cancel", test_handout_void_cancel, NULL);
	ADD("counters", test_counters, NULL);
	ADD("daily-reset-clears", test_daily_reset, NULL);
	ADD("daily-reset-keeps", test_daily_reset, keep_conf);
	ADD("estimate", test_estimate, NULL);
#undef ADD
	g_test_add_func("/queue/names", test_names);
	g_test_add_func("/queue/random-invariants", test_random_invariants);
	return g_test_run();
}
