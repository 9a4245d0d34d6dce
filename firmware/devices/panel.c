/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * panel: see panel.h.
 */

#include "panel.h"

#include <errno.h>
#include <glib-unix.h>
#include <string.h>

struct panel_button {
	struct panel *panel;
	const struct config_button *cfg;
	guint watch;
	bool pressed;        /* what we decided, after debounce */
	bool long_done;      /* the long action ran for this press */
	gint64 quiet_until;  /* edges before this are bounces */
	gint64 cool_until;   /* presses before this are ignored */
	guint settle_source; /* reads the line when the debounce window closes */
	guint long_source;
	gint64 press_us;
	unsigned presses, ignored;
};

struct panel {
	const struct config *cfg;
	struct hal_gpio *gpio;
	panel_press_fn fn;
	gpointer data;
	GPtrArray *buttons; /* of struct panel_button * */
};

static void panel_emit(struct panel_button *b, const struct config_button_do *what, bool long_press,
		       int level, gint64 edge_us)
{
	struct panel_press press = {
	    .button = b->cfg,
	    .what = *what,
	    .long_press = long_press,
	    .level = level,
	    .edge_us = edge_us,
	};

	b->presses++;
	b->panel->fn(&press, b->panel->data);
}

static bool panel_is_door(const struct panel_button *b)
{
	/* A headset jack too: plugged in and pulled out both matter. */
	return b->cfg->press.action == CONFIG_BUTTON_DOOR ||
	       b->cfg->press.action == CONFIG_BUTTON_HEADSET;
}

static gboolean panel_long_fire(gpointer data)
{
	struct panel_button *b = data;

	b->long_source = 0;
	if (b->pressed && !b->long_done) {
		b->long_done = true;
		b->cool_until = g_get_monotonic_time() + (gint64)b->cfg->cooldown_ms * 1000;
		panel_emit(b, &b->cfg->long_press, true, 1, b->press_us);
	}
	return G_SOURCE_REMOVE;
}

/* A debounced level change of button @b at @now. */
static void panel_level(struct panel_button *b, int value, gint64 now)
{
	const struct config_button *c = b->cfg;
	bool has_long = c->long_press.action != CONFIG_BUTTON_NONE;

	if ((value != 0) == b->pressed)
		return;
	b->pressed = value != 0;
	if (panel_is_door(b)) {
		panel_emit(b, &c->press, false, value, now);
		return;
	}
	if (b->pressed) {
		if (now < b->cool_until) {
			b->ignored++;
			b->long_done = true; /* nothing on release either */
			return;
		}
		b->press_us = now;
		b->long_done = false;
		if (!has_long) {
			b->long_done = true;
			b->cool_until = now + (gint64)c->cooldown_ms * 1000;
			panel_emit(b, &c->press, false, 1, now);
			return;
		}
		b->long_source = g_timeout_add((guint)c->long_press_ms, panel_long_fire, b);
		return;
	}
	if (b->long_source) {
		g_source_remove(b->long_source);
		b->long_source = 0;
	}
	if (!b->long_done) {
		b->long_done = true;
		b->cool_until = now + (gint64)c->cooldown_ms * 1000;
		panel_emit(b, &c->press, false, 1, b->press_us);
	}
}

static gboolean panel_settle(gpointer data)
{
	struct panel_button *b = data;
	int value;

	b->settle_source = 0;
	if (hal_gpio_get_value(b->panel->gpio, (unsigned)b->cfg->line, &value) == 0)
		panel_level(b, value, g_get_monotonic_time());
	return G_SOURCE_REMOVE;
}

static gboolean panel_readable(gint fd, GIOCondition cond, gpointer data)
{
	struct panel_button *b = data;
	struct hal_gpio_event ev;

	while (hal_gpio_read_event(b->panel->gpio, (unsigned)b->cfg->line, &ev) == 0) {
		gint64 now = (gint64)(ev.ts_ns / 1000);

		if (now < b->quiet_until)
			continue; /* a bounce */
		b->quiet_until = now + (gint64)b->cfg->debounce_ms * 1000;
		panel_level(b, ev.value, now);
		if (b->cfg->debounce_ms > 0 && !b->settle_source)
			b->settle_source =
			    g_timeout_add((guint)b->cfg->debounce_ms + 1, panel_settle, b);
	}
	return G_SOURCE_CONTINUE;
}

static void panel_button_free(gpointer p)
{
	struct panel_button *b = p;

	if (b->watch)
		g_source_remove(b->watch);
	if (b->settle_source)
		g_source_remove(b->settle_source);
	if (b->long_source)
		g_source_remove(b->long_source);
	g_free(b);
}

static int panel_fail(const struct config *cfg, int line, const char *kind, const char *name,
		      int rc, GError **error)
{
	const char *hint = rc == -EBUSY    ? "another program holds it (see gpioinfo)"
			   : rc == -EINVAL ? "the chip has no such line: check [gpio] chip and line"
			   : rc == -ENOENT
			       ? "no such chip: check [gpio] chip (gpiodetect lists them)"
			   : rc == -EACCES ? "add vuorod's user to the gpio group"
					   : "check the board's wiring and [gpio]";

	g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(-rc),
		    "gpio: line %d ([%s:%s]) on %s: %s — %s", line, kind, name,
		    cfg->gpio_backend ? cfg->gpio_chip : "sim", g_strerror(-rc), hint);
	return rc;
}

struct panel *panel_new(const struct config *cfg, panel_press_fn fn, gpointer data, GError **error)
{
	g_autoptr(Panel) p = g_new0(struct panel, 1);
	struct hal_gpio_config gc = {
	    .backend = cfg->gpio_backend ? HAL_GPIO_GPIOD : HAL_GPIO_SIM,
	    .chip = cfg->gpio_chip,
	    .consumer = "vuorod",
	};
	int rc;

	p->cfg = cfg;
	p->fn = fn;
	p->data = data;
	p->buttons = g_ptr_array_new_with_free_func(panel_button_free);
	rc = hal_gpio_open(&gc, &p->gpio);
	if (rc < 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(-rc),
			    "gpio: cannot open %s: %s — check [gpio] chip (gpiodetect lists them)",
			    cfg->gpio_chip, g_strerror(-rc));
		return NULL;
	}
	for (guint i = 0; i < cfg->buttons->len; i++) {
		const struct config_button *c = g_ptr_array_index(cfg->buttons, i);
		struct panel_button *b = g_new0(struct panel_button, 1);
		int fd, value = 0;

		b->panel = p;
		b->cfg = c;
		g_ptr_array_add(p->buttons, b);
		rc = hal_gpio_request_input(p->gpio, (unsigned)c->line, c->active_low, &fd);
		if (rc < 0) {
			panel_fail(cfg, c->line, "button", c->name, rc, error);
			return NULL;
		}
		/* A door may be occupied at start; a button held at start is
		 * not a press. */
		if (hal_gpio_get_value(p->gpio, (unsigned)c->line, &value) == 0)
			b->pressed = value != 0;
		if (panel_is_door(b) && b->pressed)
			panel_emit(b, &c->press, false, 1, g_get_monotonic_time());
		b->long_done = true;
		b->watch = g_unix_fd_add(fd, G_IO_IN, panel_readable, b);
	}
	for (guint i = 0; i < cfg->lamps->len; i++) {
		const struct config_lamp *m = g_ptr_array_index(cfg->lamps, i);

		rc = hal_gpio_request_output(p->gpio, (unsigned)m->line, m->active_low, 0);
		if (rc < 0) {
			panel_fail(cfg, m->line, "lamp", m->name, rc, error);
			return NULL;
		}
	}
	return g_steal_pointer(&p);
}

void panel_free(struct panel *p)
{
	if (!p)
		return;
	if (p->buttons)
		g_ptr_array_unref(p->buttons);
	hal_gpio_close(p->gpio);
	g_free(p);
}

void panel_lamps_follow(struct panel *p, panel_fact_fn fact, gpointer data)
{
	for (guint i = 0; i < p->cfg->lamps->len; i++) {
		const struct config_lamp *m = g_ptr_array_index(p->cfg->lamps, i);
		int rc =
		    hal_gpio_set_value(p->gpio, (unsigned)m->line, fact(m->follows, m->arg, data));

		if (rc < 0)
			g_warning("gpio: lamp %s (line %d): %s", m->name, m->line, g_strerror(-rc));
	}
}

int panel_lamp_set(struct panel *p, const char *name, int value)
{
	for (guint i = 0; i < p->cfg->lamps->len; i++) {
		const struct config_lamp *m = g_ptr_array_index(p->cfg->lamps, i);

		if (strcmp(m->name, name) == 0)
			return hal_gpio_set_value(p->gpio, (unsigned)m->line, value);
	}
	return -ENOENT;
}

GArray *panel_lines(struct panel *p)
{
	GArray *out = g_array_new(FALSE, TRUE, sizeof(struct panel_line_state));

	for (guint i = 0; i < p->buttons->len; i++) {
		const struct panel_button *b = g_ptr_array_index(p->buttons, i);
		struct panel_line_state st = {
		    .name = b->cfg->name,
		    .line = b->cfg->line,
		    .presses = b->presses,
		    .ignored = b->ignored,
		};

		hal_gpio_get_value(p->gpio, (unsigned)b->cfg->line, &st.value);
		g_array_append_val(out, st);
	}
	for (guint i = 0; i < p->cfg->lamps->len; i++) {
		const struct config_lamp *m = g_ptr_array_index(p->cfg->lamps, i);
		struct panel_line_state st = {.name = m->name, .line = m->line, .lamp = true};

		hal_gpio_get_value(p->gpio, (unsigned)m->line, &st.value);
		g_array_append_val(out, st);
	}
	return out;
}

struct hal_gpio *panel_gpio(struct panel *p)
{
	return p->gpio;
}

int panel_line_of(struct panel *p, const char *name, bool *ret_active_low)
{
	for (guint i = 0; i < p->cfg->buttons->len; i++) {
		const struct config_button *c = g_ptr_array_index(p->cfg->buttons, i);

		if (strcmp(c->name, name) == 0) {
			*ret_active_low = c->active_low;
			return c->line;
		}
	}
	for (guint i = 0; i < p->cfg->lamps->len; i++) {
		const struct config_lamp *m = g_ptr_array_index(p->cfg->lamps, i);

		if (strcmp(m->name, name) == 0) {
			*ret_active_low = m->active_low;
			return m->line;
		}
	}
	return -1;
}
