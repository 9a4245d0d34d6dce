/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * printer_sim: a ticket printer in memory — for `make run` without
 * hardware, the tests and the technician's API.
 *
 * It keeps every byte written.  A write that ends a ticket (GS V, the cut)
 * is also saved as sim_dir/ticket-N.bin and rendered to ticket-N.png, so a
 * person can look at what a citizen would have got.  The status that DLE
 * EOT answers is whatever hal_printer_sim_set_status() set last (paper end,
 * cover open …).  A mutex guards both, since tests and the API poke at it
 * from the main thread while the dispenser's worker prints.
 */

#include <errno.h>
#include <string.h>

#include <glib.h>

#include "escpos.h"
#include "printer.h"

struct printer_sim {
	struct hal_printer base;
	GMutex lock;
	GByteArray *bytes;
	struct hal_printer_status status;
	char *dir;
	int paper_dots;
	unsigned tickets;
};

static int sim_open(const struct hal_printer_config *cfg, struct hal_printer **ret_printer)
{
	struct printer_sim *s;

	if (cfg->sim_dir && g_mkdir_with_parents(cfg->sim_dir, 0755) < 0)
		return -errno;
	s = g_new0(struct printer_sim, 1);
	g_mutex_init(&s->lock);
	s->bytes = g_byte_array_new();
	s->dir = g_strdup(cfg->sim_dir);
	s->paper_dots = cfg->paper_dots;
	*ret_printer = &s->base;
	return 0;
}

static bool sim_ends_ticket(const uint8_t *data, size_t len)
{
	return len >= 4 && data[len - 4] == 0x1d && data[len - 3] == 'V';
}

static int sim_write(struct hal_printer *base, const uint8_t *data, size_t len)
{
	struct printer_sim *s = (struct printer_sim *)base;
	g_autofree char *bin = NULL, *png = NULL;
	g_autoptr(GError) error = NULL;
	unsigned n;

	g_mutex_lock(&s->lock);
	g_byte_array_append(s->bytes, data, (guint)len);
	n = sim_ends_ticket(data, len) ? ++s->tickets : 0;
	g_mutex_unlock(&s->lock);
	if (!n || !s->dir)
		return 0;
	bin = g_strdup_printf("%s/ticket-%u.bin", s->dir, n);
	png = g_strdup_printf("%s/ticket-%u.png", s->dir, n);
	if (!g_file_set_contents(bin, (const char *)data, (gssize)len, &error))
		g_debug("sim printer: %s", error->message);
	if (escpos_render_png(data, len, s->paper_dots, png) < 0)
		g_debug("sim printer: cannot write %s", png);
	return 0;
}

static int sim_status(struct hal_printer *base, struct hal_printer_status *ret_status)
{
	struct printer_sim *s = (struct printer_sim *)base;

	g_mutex_lock(&s->lock);
	*ret_status = s->status;
	g_mutex_unlock(&s->lock);
	return 0;
}

static void sim_close(struct hal_printer *base)
{
	struct printer_sim *s = (struct printer_sim *)base;

	g_byte_array_unref(s->bytes);
	g_mutex_clear(&s->lock);
	g_free(s->dir);
	g_free(s);
}

const struct hal_printer_ops hal_printer_sim_ops = {
    .name = "sim",
    .open = sim_open,
    .write = sim_write,
    .status = sim_status,
    .close = sim_close,
};

int hal_printer_sim_set_status(struct hal_printer *p, const struct hal_printer_status *st)
{
	struct printer_sim *s = (struct printer_sim *)p;

	if (p->ops != &hal_printer_sim_ops)
		return -ENOTSUP;
	g_mutex_lock(&s->lock);
	s->status = *st;
	g_mutex_unlock(&s->lock);
	return 0;
}

uint8_t *hal_printer_sim_bytes(struct hal_printer *p, size_t *ret_len)
{
	struct printer_sim *s = (struct printer_sim *)p;
	uint8_t *copy;

	if (p->ops != &hal_printer_sim_ops)
		return NULL;
	g_mutex_lock(&s->lock);
	copy = g_memdup2(s->bytes->data, s->bytes->len);
	*ret_len = s->bytes->len;
	g_mutex_unlock(&s->lock);
	return copy;
}
