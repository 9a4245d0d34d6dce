/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * display_sim: a bus of simulated displays that keep their holding registers
 * in memory — for `make run` without hardware, the unit tests and the API.
 *
 * Every unit id answers except the configured silent ones (those give
 * -ETIMEDOUT at once, without waiting); each unit has registers [0,
 * sim_registers) and answers a write or read outside them like a real slave:
 * exception 0x02 (illegal data address) as -EPROTO.  A mutex guards the
 * registers so tests may read them from another thread.
 */

#include <errno.h>
#include <string.h>

#include "display.h"

struct display_sim {
	struct hal_display base;
	GMutex lock;
	unsigned n_regs;
	GHashTable *units; /* unit id → uint16_t[n_regs] */
	GArray *silent;    /* int */
};

static int sim_open(const struct hal_display_config *cfg, struct hal_display **ret_display)
{
	struct display_sim *s = g_new0(struct display_sim, 1);

	g_mutex_init(&s->lock);
	s->n_regs = cfg->sim_registers ? cfg->sim_registers : 256;
	s->units = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	s->silent = g_array_new(FALSE, FALSE, sizeof(int));
	if (cfg->n_sim_silent_units)
		g_array_append_vals(s->silent, cfg->sim_silent_units, cfg->n_sim_silent_units);
	*ret_display = &s->base;
	return 0;
}

static bool sim_is_silent(const struct display_sim *s, int unit)
{
	for (guint i = 0; i < s->silent->len; i++)
		if (g_array_index(s->silent, int, i) == unit)
			return true;
	return false;
}

/* With the lock held: the unit's registers, or an error as a slave gives it. */
static int sim_unit_regs(struct display_sim *s, int unit, uint16_t addr, size_t n,
			 uint16_t **ret_regs)
{
	uint16_t *regs;

	if (sim_is_silent(s, unit))
		return -ETIMEDOUT;
	if ((size_t)addr + n > s->n_regs) {
		s->base.last_exception = 0x02;
		return -EPROTO;
	}
	regs = g_hash_table_lookup(s->units, GINT_TO_POINTER(unit));
	if (!regs) {
		regs = g_new0(uint16_t, s->n_regs);
		g_hash_table_insert(s->units, GINT_TO_POINTER(unit), regs);
	}
	*ret_regs = regs;
	return 0;
}

static int sim_write_registers(struct hal_display *d, int unit, uint16_t addr, const uint16_t *regs,
			       size_t n)
{
	struct display_sim *s = (struct display_sim *)d;
	uint16_t *store = NULL;
	int r;

	g_mutex_lock(&s->lock);
	r = sim_unit_regs(s, unit, addr, n, &store);
	if (r == 0)
		memcpy(store + addr, regs, n * sizeof(*regs));
	g_mutex_unlock(&s->lock);
	return r;
}

static int sim_read_registers(struct hal_display *d, int unit, uint16_t addr, uint16_t *regs,
			      size_t n)
{
	struct display_sim *s = (struct display_sim *)d;
	uint16_t *store = NULL;
	int r;

	g_mutex_lock(&s->lock);
	r = sim_unit_regs(s, unit, addr, n, &store);
	if (r == 0)
		memcpy(regs, store + addr, n * sizeof(*regs));
	g_mutex_unlock(&s->lock);
	return r;
}

static void sim_close(struct hal_display *d)
{
	struct display_sim *s = (struct display_sim *)d;

	g_hash_table_destroy(s->units);
	g_array_free(s->silent, TRUE);
	g_mutex_clear(&s->lock);
	g_free(s);
}

const struct hal_display_ops hal_display_sim_ops = {
    .name = "sim",
    .open = sim_open,
    .write_registers = sim_write_registers,
    .read_registers = sim_read_registers,
    .close = sim_close,
};
