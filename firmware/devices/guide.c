/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * guide: see guide.h.
 *
 * One explicit mode and one function per key.  A ticket being drawn is a
 * request that outlives nothing: guide_free() clears the request's guide
 * pointer, and a dispenser answer arriving later only frees the request.
 * Every prompt replaces the one still waiting and cuts the one playing
 * (announcer_say): a citizen pressing down three times hears the third
 * service at once, not all three.  "… chosen" is followed by the ticket,
 * and volume and done by their prompt, without a cut.
 */

#include "guide.h"

#include <string.h>

#include "queue.h"

static const int guide_volumes[] = {40, 70, 100};
#define GUIDE_VOLUME_DEFAULT 1 /* index into guide_volumes */

struct guide_req {
	struct guide *g; /* NULL once the guide is gone */
	bool button;     /* the button-only dispenser's, not the keypad's */
	int service;
	guint session; /* the guidance it was drawn in (keypad) */
};

struct guide {
	const struct config *cfg;
	const struct catalog *catalog;
	struct desk *desk;
	struct dispenser *dispenser;
	struct announcer *announcer;
	struct bus *bus;
	struct guide_state st;
	int volume_step;
	char *last;     /* the last prompt, for "repeat" */
	char *ticket;   /* the ticket's whole text while in GUIDE_TICKET */
	guint idle;     /* stops the guidance after guide-idle-seconds */
	GList *pending; /* of struct guide_req * */
	/* Bumped whenever the guidance stops: a ticket drawn before that is
	 * printed, but neither told nor held (the headset is out: telling it
	 * would say it to the room). */
	guint session;
};

static const char *const mode_names[] = {"off", "menu", "drawing", "ticket"};

const char *guide_mode_str(enum guide_mode m)
{
	return (unsigned)m < G_N_ELEMENTS(mode_names) ? mode_names[m] : "?";
}

static void guide_publish(struct guide *g)
{
	bus_publish(g->bus, "guide.state", &g->st);
}

static enum announcer_output guide_output(const struct guide *g)
{
	return g->st.headset ? ANNOUNCER_HEADSET : ANNOUNCER_ROOM;
}

/* Says @text (owned by the guide from now on) and keeps it for "repeat";
 * @after: behind what waits, not instead of it. */
static void guide_say_as(struct guide *g, char *text, bool after)
{
	g_free(g->last);
	g->last = text;
	if (g->announcer)
		announcer_say(g->announcer, g->st.lang, text, guide_output(g), g->st.volume,
			      !after);
}

static void guide_say(struct guide *g, char *text)
{
	guide_say_as(g, text, false);
}

static const char *T(const struct guide *g, const char *key)
{
	return catalog_text(g->catalog, g->st.lang, key);
}

/* "A007" is said "A 7", as the announcer calls it. */
static void guide_code_parts(const char *code, char letter[2], const char **digits)
{
	letter[0] = code[0];
	letter[1] = '\0';
	*digits = code[0] ? code + 1 : code;
	while ((*digits)[0] == '0' && (*digits)[1])
		(*digits)++;
}

static const char *guide_service_name(const struct guide *g, int service)
{
	const struct config_service *svc = config_service_get(g->cfg, service);

	return svc ? svc->name[g->st.lang] : "";
}

/* "Tax office, 3 waiting. Service 2 of 4." */
static char *guide_service_text(const struct guide *g, int service)
{
	struct queue_service_status st;
	struct queue_time now;
	g_autofree char *pos = g_strdup_printf("%d", service + 1);
	g_autofree char *count = g_strdup_printf("%u", g->cfg->services->len);
	g_autofree char *waiting = NULL;

	desk_time(g->desk, &now);
	queue_service_status(desk_queue(g->desk), (int16_t)service, &now, &st);
	waiting = g_strdup_printf("%u", st.waiting);
	return catalog_format(
	    g->catalog, g->st.lang, st.open ? "guide.service" : "guide.service_closed", "name",
	    guide_service_name(g, service), "n", waiting, "position", pos, "count", count, NULL);
}

static void guide_idle_arm(struct guide *g);

/* Ends the session: the next one starts at the default volume and language. */
static void guide_reset(struct guide *g)
{
	g->st.mode = GUIDE_OFF;
	g->session++;
	g->volume_step = GUIDE_VOLUME_DEFAULT;
	g->st.volume = guide_volumes[g->volume_step];
	g->st.lang = 0;
	g->st.ticket = 0;
	g_clear_pointer(&g->ticket, g_free);
	g_clear_pointer(&g->last, g_free);
	if (g->idle)
		g_source_remove(g->idle);
	g->idle = 0;
	guide_publish(g);
}

static void guide_stop(struct guide *g, const char *why)
{
	if (g->announcer)
		announcer_hush(g->announcer, why, true);
	guide_reset(g);
}

static gboolean guide_idle_fire(gpointer data)
{
	struct guide *g = data;

	g->idle = 0;
	/* The answer is on its way: wait for it.  With a headset in, the ticket
	 * stays until the headset is pulled or the citizen says done. */
	if (g->st.mode == GUIDE_DRAWING || (g->st.headset && g->st.mode == GUIDE_TICKET)) {
		guide_idle_arm(g);
		return G_SOURCE_REMOVE;
	}
	g_message("speech guidance: no key for %d s, stopped", g->cfg->kiosk_guide_idle_s);
	guide_stop(g, "idle");
	return G_SOURCE_REMOVE;
}

static void guide_idle_arm(struct guide *g)
{
	if (g->idle)
		g_source_remove(g->idle);
	g->idle = g_timeout_add_seconds((guint)g->cfg->kiosk_guide_idle_s, guide_idle_fire, g);
}

static void guide_menu_say(struct guide *g, const char *before)
{
	g_autofree char *item = guide_service_text(g, g->st.service);

	guide_say(g, before ? g_strconcat(before, " ", item, NULL) : g_steal_pointer(&item));
}

static void guide_start(struct guide *g)
{
	g->st.mode = GUIDE_MENU;
	g->st.service = 0;
	g->st.ticket = 0;
	guide_menu_say(g, T(g, "guide.welcome"));
	guide_publish(g);
}

/* The whole ticket: number, service, people ahead, wait, where to go. */
static char *guide_ticket_text(const struct guide *g, const struct dispenser_result *r, bool keys)
{
	const struct queue_ticket *tk = NULL;
	struct queue_service_status st;
	struct queue_time now;
	GString *s = g_string_new(NULL);
	char letter[2];
	const char *digits;
	unsigned n_ahead = 0;
	int wait_s = 0;
	g_autofree char *n = NULL, *min = NULL, *first = NULL, *ahead = NULL;

	for (guint i = 0; r->res && i < r->res->tickets->len; i++)
		if (g_array_index(r->res->tickets, struct queue_ticket, i).id == r->ticket)
			tk = &g_array_index(r->res->tickets, struct queue_ticket, i);
	if (!tk)
		return g_string_free(s, FALSE);
	guide_code_parts(tk->code, letter, &digits);
	first = catalog_format(g->catalog, g->st.lang, "guide.ticket", "letter", letter, "digits",
			       digits, "service", guide_service_name(g, tk->service), NULL);
	g_string_append(s, first);
	/* Now, after the handout: the issue's own answer counted before it. */
	desk_time(g->desk, &now);
	queue_ticket_estimate(desk_queue(g->desk), tk->id, &now, &n_ahead, &wait_s);
	n = g_strdup_printf("%u", n_ahead);
	ahead = catalog_format(g->catalog, g->st.lang,
			       n_ahead == 0   ? "kiosk.ahead_0"
			       : n_ahead == 1 ? "kiosk.ahead_1"
					      : "kiosk.ahead_n",
			       "n", n, NULL);
	g_string_append_printf(s, " %s.", ahead);
	queue_service_status(desk_queue(g->desk), tk->service, &now, &st);
	if (!st.staffed) {
		g_string_append_printf(s, " %s", T(g, "guide.unstaffed"));
	} else if (n_ahead > 0) {
		g_autofree char *wait = NULL;

		min = g_strdup_printf("%d", MAX(1, (wait_s + 59) / 60));
		wait = catalog_format(g->catalog, g->st.lang, "guide.wait", "min", min, NULL);
		g_string_append_printf(s, " %s", wait);
	}
	g_string_append_printf(s, " %s. %s", T(g, "kiosk.take_ticket"),
			       T(g, "kiosk.called_on_screens"));
	if (keys)
		g_string_append_printf(s, " %s", T(g, "guide.ticket_keys"));
	return g_string_free(s, FALSE);
}

static void guide_issued(const struct dispenser_result *r, gpointer data)
{
	struct guide_req *req = data;
	struct guide *g = req->g;
	char *text;

	if (!g) {
		g_free(req);
		return;
	}
	g->pending = g_list_remove(g->pending, req);
	if (!req->button && req->session != g->session) {
		g_message("speech guidance: ticket %u printed after the guidance stopped: not told",
			  r->ticket);
		g_free(req);
		return;
	}
	if (r->rc < 0 || !r->printed) {
		text = g_strdup(r->rc < 0 ? T(g, "kiosk.refusal_refused") : T(g, "kiosk.voided"));
		g_message("speech guidance: no ticket for %s: %s",
			  guide_service_name(g, req->service),
			  r->rc < 0 ? (r->error ? r->error->message : g_strerror(-r->rc))
				    : r->print_error);
		if (!req->button) {
			g->st.mode = GUIDE_MENU;
			guide_publish(g);
		}
		guide_say_as(g, text, true);
		g_free(req);
		return;
	}
	text = guide_ticket_text(g, r, !req->button);
	if (!req->button) {
		g->st.mode = GUIDE_TICKET;
		g->st.ticket = r->ticket;
		g_free(g->ticket);
		g->ticket = g_strdup(text);
		guide_idle_arm(g);
		guide_publish(g);
	}
	guide_say_as(g, text, true); /* after "… chosen" */
	g_free(req);
}

static void guide_draw(struct guide *g, int service, const char *user, bool button)
{
	struct guide_req *req = g_new0(struct guide_req, 1);
	struct queue_cmd cmd = {
	    .type = QUEUE_CMD_ISSUE, .service = (int16_t)service, .lang = (uint8_t)g->st.lang};

	req->g = g;
	req->button = button;
	req->service = service;
	req->session = g->session;
	g->pending = g_list_prepend(g->pending, req);
	guide_say(g, catalog_format(g->catalog, g->st.lang, "guide.chosen", "name",
				    guide_service_name(g, service), NULL));
	/* Nobody can read a number off a screen here: a failed print voids it. */
	dispenser_issue(g->dispenser, &cmd, user, true, guide_issued, req);
}

void guide_button_issue(struct guide *g, int service, const char *user)
{
	guide_draw(g, service, user, true);
}

static void guide_move(struct guide *g, int step)
{
	int n = (int)g->cfg->services->len;

	if (g->st.mode == GUIDE_TICKET) { /* the ticket stays: say what the keys do */
		guide_say(g, g_strdup(T(g, "guide.ticket_keys")));
		return;
	}
	g->st.service = (g->st.service + step + n) % n;
	guide_menu_say(g, NULL);
	guide_publish(g);
}

void guide_key(struct guide *g, enum config_guide_key key)
{
	if (g->cfg->services->len == 0)
		return;
	guide_idle_arm(g);
	if (g->st.mode == GUIDE_OFF) {
		/* Any key starts it: someone who cannot see finds a key, not the right one. */
		guide_start(g);
		return;
	}
	if (g->st.mode == GUIDE_DRAWING && key != CONFIG_GUIDE_VOLUME && key != CONFIG_GUIDE_REPEAT)
		return; /* the ticket is on its way */
	switch (key) {
	case CONFIG_GUIDE_SPEECH:
	case CONFIG_GUIDE_REPEAT:
		if (g->st.mode == GUIDE_TICKET && g->ticket)
			guide_say(g, g_strdup(g->ticket));
		else if (g->last)
			guide_say(g, g_strdup(g->last));
		break;
	case CONFIG_GUIDE_UP:
		guide_move(g, -1);
		break;
	case CONFIG_GUIDE_DOWN:
		guide_move(g, +1);
		break;
	case CONFIG_GUIDE_SELECT: {
		g_autofree char *user = g_strdup("kiosk:speech");

		if (g->st.mode == GUIDE_TICKET) {
			guide_say(g, g_strdup(g->ticket));
			break;
		}
		g->st.mode = GUIDE_DRAWING;
		guide_publish(g);
		guide_draw(g, g->st.service, user, false);
		break;
	}
	case CONFIG_GUIDE_BACK:
		g->st.mode = GUIDE_MENU;
		g->st.ticket = 0;
		g_clear_pointer(&g->ticket, g_free);
		guide_menu_say(g, NULL);
		guide_publish(g);
		break;
	case CONFIG_GUIDE_VOLUME: {
		g_autofree char *level = NULL, *max = NULL, *text = NULL;

		g->volume_step = (g->volume_step + 1) % (int)G_N_ELEMENTS(guide_volumes);
		g->st.volume = guide_volumes[g->volume_step];
		level = g_strdup_printf("%d", g->volume_step + 1);
		max = g_strdup_printf("%d", (int)G_N_ELEMENTS(guide_volumes));
		text = catalog_format(g->catalog, g->st.lang, "guide.volume", "level", level, "max",
				      max, NULL);
		/* Not kept for "repeat": the prompt before it is. */
		if (g->announcer)
			announcer_say(g->announcer, g->st.lang, text, guide_output(g), g->st.volume,
				      false);
		guide_publish(g);
		break;
	}
	case CONFIG_GUIDE_LANGUAGE: {
		int l = g->st.lang;

		do
			l = (l + 1) % g->cfg->n_langs;
		while (l != g->st.lang && !catalog_voice(g->catalog, l));
		g->st.lang = l;
		if (g->st.mode == GUIDE_TICKET) {
			guide_say(g, g_strdup(T(g, "guide.language")));
		} else {
			guide_menu_say(g, T(g, "guide.language"));
		}
		guide_publish(g);
		break;
	}
	case CONFIG_GUIDE_DONE:
		if (g->announcer)
			announcer_say(g->announcer, g->st.lang, T(g, "guide.done"), guide_output(g),
				      g->st.volume, false);
		/* guide_stop() would hush the goodbye: keep it, end the rest. */
		guide_reset(g);
		break;
	}
}

void guide_headset(struct guide *g, bool in)
{
	if (in == g->st.headset)
		return;
	if (!in) {
		g->st.headset = false;
		g_message("speech guidance: headset pulled, stopped");
		guide_stop(g, "headset pulled");
		return;
	}
	/* What was said aloud before goes no further: from now on, the headset only. */
	if (g->announcer)
		announcer_hush(g->announcer, "headset plugged in", true);
	g->st.headset = true;
	guide_idle_arm(g);
	if (g->st.mode == GUIDE_OFF)
		guide_start(g);
	else
		guide_publish(g);
}

void guide_state(const struct guide *g, struct guide_state *ret)
{
	*ret = g->st;
}

struct guide *guide_new(const struct config *cfg, const struct catalog *catalog, struct desk *desk,
			struct dispenser *dispenser, struct announcer *announcer, struct bus *bus)
{
	struct guide *g = g_new0(struct guide, 1);

	g->cfg = cfg;
	g->catalog = catalog;
	g->desk = desk;
	g->dispenser = dispenser;
	g->announcer = announcer;
	g->bus = bus;
	g->volume_step = GUIDE_VOLUME_DEFAULT;
	g->st.volume = guide_volumes[g->volume_step];
	return g;
}

void guide_free(struct guide *g)
{
	if (!g)
		return;
	for (GList *l = g->pending; l; l = l->next)
		((struct guide_req *)l->data)->g = NULL;
	g_list_free(g->pending);
	if (g->idle)
		g_source_remove(g->idle);
	g_free(g->last);
	g_free(g->ticket);
	g_free(g);
}
