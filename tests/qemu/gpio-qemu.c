/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gpio-qemu: the libgpiod backend and the panel against the kernel's own GPIO
 * simulator (gpio-sim), inside qemu.  Linked statically and run as part of
 * /init (tests/qemu/run).
 *
 * The kernel is the peer: the program drives the "hardware" side through
 * sysfs (…/sim_gpioN/pull pulls a line up: a button pressed) and reads what
 * it drives on outputs (…/sim_gpioN/value: a lamp).  Presses go through
 * panel (debounce, cooldown) into the real queue engine, as in vuorod:
 *   - a service button issues a ticket;
 *   - a keypad calls next at an open counter;
 *   - the counter-open and booth-busy lamps follow the queue and the door;
 *   - contact bounce is one press.
 * Output: one "ok N - name" / "not ok N - name" line a check (TAP), then
 * "gpio-qemu: N passed, N failed".
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "panel.h"
#include "queue.h"

struct rig {
	struct config *cfg;
	struct queue *q;
	struct panel *panel;
	char *sysfs; /* /sys/devices/platform/gpio-sim.0/gpiochipN */
	GHashTable *doors;
	unsigned presses;
	int passed, failed;
};

static void rig_time(struct queue_time *t)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_local();

	queue_time_make(t, g_date_time_to_unix(now), (int32_t)(g_date_time_to_unix(now) / 86400),
			(uint8_t)(g_date_time_get_day_of_week(now) - 1),
			(uint16_t)(g_date_time_get_hour(now) * 60 + g_date_time_get_minute(now)),
			180);
}

static int rig_exec(struct rig *r, struct queue_cmd *cmd)
{
	struct queue_result res;
	struct queue_time t;
	int rc;

	rig_time(&t);
	queue_result_init(&res);
	rc = queue_exec(r->q, cmd, &t, &res);
	queue_result_free(&res);
	return rc;
}

static bool rig_fact(enum config_lamp_follow follows, int arg, gpointer data)
{
	struct rig *r = data;
	const struct queue_counter *qc = queue_counter_get(r->q, (int16_t)arg);

	if (follows == CONFIG_LAMP_COUNTER_OPEN)
		return qc && qc->open;
	if (follows == CONFIG_LAMP_BOOTH_BUSY)
		return g_hash_table_contains(r->doors, GINT_TO_POINTER(arg)) || (qc && qc->ticket);
	return false;
}

static void rig_press(const struct panel_press *p, gpointer data)
{
	struct rig *r = data;
	struct queue_cmd cmd = {.service = -1, .channel = -1, .outcome = -1};

	r->presses++;
	switch (p->what.action) {
	case CONFIG_BUTTON_ISSUE:
		cmd.type = QUEUE_CMD_ISSUE;
		cmd.service = (int16_t)p->what.arg;
		cmd.handed_out = true;
		cmd.ref = "qemu";
		rig_exec(r, &cmd);
		break;
	case CONFIG_BUTTON_NEXT:
		cmd.type = QUEUE_CMD_CALL;
		cmd.counter = (int16_t)p->what.arg;
		rig_exec(r, &cmd);
		break;
	case CONFIG_BUTTON_DOOR:
		if (p->level)
			g_hash_table_add(r->doors, GINT_TO_POINTER(p->what.arg));
		else
			g_hash_table_remove(r->doors, GINT_TO_POINTER(p->what.arg));
		break;
	default:
		break;
	}
	panel_lamps_follow(r->panel, rig_fact, r);
}

static void rig_check(struct rig *r, bool ok, const char *name)
{
	if (ok)
		r->passed++;
	else
		r->failed++;
	printf("%sok %d - %s\n", ok ? "" : "not ", r->passed + r->failed, name);
	fflush(stdout);
}

static void rig_pull(struct rig *r, int line, const char *pull)
{
	g_autofree char *path = g_strdup_printf("%s/sim_gpio%d/pull", r->sysfs, line);
	FILE *f = fopen(path, "w"); /* sysfs: written in place, not replaced */

	if (!f || fputs(pull, f) < 0 || fclose(f) != 0)
		printf("# cannot write %s\n", path);
}

static int rig_lamp(struct rig *r, int line)
{
	g_autofree char *path = g_strdup_printf("%s/sim_gpio%d/value", r->sysfs, line);
	g_autofree char *text = NULL;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return -1;
	return atoi(text);
}

/* Runs the loop until @presses presses were seen or @ms passed. */
static void rig_spin(struct rig *r, unsigned presses, int ms)
{
	gint64 end = g_get_monotonic_time() + ms * 1000;

	while (r->presses < presses && g_get_monotonic_time() < end)
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(1000);
}

static void rig_idle(int ms)
{
	gint64 end = g_get_monotonic_time() + ms * 1000;

	while (g_get_monotonic_time() < end)
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(1000);
}

static unsigned rig_tickets(struct rig *r, enum queue_state state)
{
	struct queue_service_status st;
	struct queue_time t;

	(void)state;
	rig_time(&t);
	queue_service_status(r->q, 0, &t, &st);
	return st.waiting;
}

int main(int argc, char **argv)
{
	struct rig r = {0};
	g_autoptr(GError) error = NULL;
	struct queue_cmd open = {
	    .type = QUEUE_CMD_OPEN, .counter = 1, .user = "anna", .service = -1};
	const struct queue_counter *qc;

	if (argc != 3) {
		fprintf(stderr, "usage: gpio-qemu CONFIG SYSFS-CHIP-DIR\n");
		return 2;
	}
	r.sysfs = argv[2];
	r.cfg = config_load(argv[1], &error);
	if (!r.cfg) {
		printf("Bail out! %s\n", error->message);
		return 1;
	}
	r.q = queue_new(r.cfg);
	r.doors = g_hash_table_new(g_direct_hash, g_direct_equal);
	r.panel = panel_new(r.cfg, rig_press, &r, &error);
	if (!r.panel) {
		printf("Bail out! %s\n", error->message);
		return 1;
	}
	panel_lamps_follow(r.panel, rig_fact, &r);
	rig_check(&r, rig_lamp(&r, 24) == 0 && rig_lamp(&r, 25) == 0, "lamps start off");

	rig_pull(&r, 0, "pull-up");
	rig_spin(&r, 1, 2000);
	rig_pull(&r, 0, "pull-down");
	rig_check(&r, rig_tickets(&r, QUEUE_WAITING) == 1, "service button issues a ticket");

	rig_exec(&r, &open);
	panel_lamps_follow(r.panel, rig_fact, &r);
	rig_check(&r, rig_lamp(&r, 24) == 1, "counter-open lamp follows the counter");

	rig_pull(&r, 8, "pull-up");
	rig_spin(&r, 2, 2000);
	rig_pull(&r, 8, "pull-down");
	qc = queue_counter_get(r.q, 1);
	rig_check(&r, qc && qc->ticket != 0 && rig_tickets(&r, QUEUE_WAITING) == 0,
		  "keypad next calls the ticket");

	rig_pull(&r, 20, "pull-up");
	rig_spin(&r, 3, 2000);
	rig_check(&r, rig_lamp(&r, 25) == 1, "booth-busy lamp lights when the door input is held");
	rig_pull(&r, 20, "pull-down");
	rig_spin(&r, 4, 2000);
	rig_check(&r, rig_lamp(&r, 25) == 0, "booth-busy lamp goes off when the booth is free");

	{
		unsigned before = r.presses;

		/* Contact bounce on a button without cooldown: well inside 30 ms. */
		for (int i = 0; i < 3; i++) {
			rig_pull(&r, 1, "pull-up");
			rig_pull(&r, 1, "pull-down");
		}
		rig_pull(&r, 1, "pull-up");
		rig_idle(200);
		rig_pull(&r, 1, "pull-down");
		rig_idle(100);
		rig_check(&r, r.presses == before + 1 && rig_tickets(&r, QUEUE_WAITING) == 1,
			  "bounces are one press");
		rig_pull(&r, 1, "pull-up"); /* a second, real press */
		rig_idle(100);
		rig_pull(&r, 1, "pull-down");
		rig_idle(100);
		rig_check(&r, r.presses == before + 2 && rig_tickets(&r, QUEUE_WAITING) == 2,
			  "a press after the bounces settled counts again");
	}
	rig_idle(1100); /* past the guide button's cooldown */
	rig_idle(50);
	{
		unsigned before = r.presses;

		rig_pull(&r, 0, "pull-up"); /* inside the 1 s cooldown */
		rig_idle(100);
		rig_pull(&r, 0, "pull-down");
		rig_idle(100);
		rig_check(&r, r.presses == before + 1 && rig_tickets(&r, QUEUE_WAITING) == 3,
			  "the guide button prints again after its cooldown");
		rig_pull(&r, 0, "pull-up"); /* inside the 1 s cooldown */
		rig_idle(100);
		rig_pull(&r, 0, "pull-down");
		rig_idle(100);
		rig_check(&r, r.presses == before + 1 && rig_tickets(&r, QUEUE_WAITING) == 3,
			  "a press inside the cooldown is ignored");
	}
	printf("gpio-qemu: %d passed, %d failed\n", r.passed, r.failed);
	panel_free(r.panel);
	queue_free(r.q);
	config_free(r.cfg);
	return r.failed ? 1 : 0;
}
