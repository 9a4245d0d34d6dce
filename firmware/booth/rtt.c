/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rtt: T.140 real-time text of a booth session (see rtt.h).
 *
 * T.140 (02/1998, amended 2000) §5: the text is ISO 10646 in UTF-8; BS
 * (U+0008) erases the last character; the line separator (U+2028) or CR LF
 * starts a new line; U+FEFF is a no-op.  Other C0 controls and the SGR
 * escape sequences this booth never sends are dropped, so that nothing
 * invisible reaches a screen.
 */

#include "rtt.h"

#include <errno.h>
#include <string.h>

#define T140_BACKSPACE      0x0008
#define T140_LINE_SEPARATOR 0x2028
#define T140_BOM            0xFEFF

struct rtt {
	GString *text[2];    /* per side, lines end with '\n' */
	gsize line_start[2]; /* where the line being typed begins in text[] */
	GString *transcript; /* NULL until a line was transcribed */
	gboolean transcribing;
	gboolean cr[2]; /* the last character was CR: an LF after it adds nothing */
};

static const char *const side_names[] = {
    [RTT_CUSTOMER] = "customer",
    [RTT_EXPERT] = "expert",
};

struct rtt *rtt_new(void)
{
	struct rtt *r = g_new0(struct rtt, 1);

	r->text[RTT_CUSTOMER] = g_string_new(NULL);
	r->text[RTT_EXPERT] = g_string_new(NULL);
	return r;
}

void rtt_free(struct rtt *r)
{
	if (!r)
		return;
	g_string_free(r->text[RTT_CUSTOMER], TRUE);
	g_string_free(r->text[RTT_EXPERT], TRUE);
	if (r->transcript)
		g_string_free(r->transcript, TRUE);
	g_free(r);
}

/* "12:04:31 customer: the line" */
static void transcript_line(GString *into, enum rtt_side side, const char *line, gsize len,
			    int64_t now)
{
	g_autoptr(GDateTime) at = g_date_time_new_from_unix_local(now);
	g_autofree char *stamp = at ? g_date_time_format(at, "%H:%M:%S") : g_strdup("--:--:--");

	if (len)
		g_string_append_printf(into, "%s %s: %.*s\n", stamp, side_names[side], (int)len,
				       line);
}

/* The line being typed is finished: into the transcript, a new line. */
static void end_line(struct rtt *r, enum rtt_side side, int64_t now)
{
	GString *t = r->text[side];

	if (r->transcribing) {
		if (!r->transcript)
			r->transcript = g_string_new(NULL);
		transcript_line(r->transcript, side, t->str + r->line_start[side],
				t->len - r->line_start[side], now);
	}
	g_string_append_c(t, '\n');
	r->line_start[side] = t->len;
}

static void erase_last(struct rtt *r, enum rtt_side side)
{
	GString *t = r->text[side];
	const char *prev;

	if (t->len == 0)
		return;
	prev = g_utf8_find_prev_char(t->str, t->str + t->len);
	g_string_truncate(t, prev ? (gsize)(prev - t->str) : 0);
	if (t->len < r->line_start[side]) {
		/* Back over a line end: the line before is being typed again. */
		const char *nl = g_strrstr_len(t->str, (gssize)t->len, "\n");

		r->line_start[side] = nl ? (gsize)(nl - t->str) + 1 : 0;
	}
}

/* Keeps a side's text bounded: whole lines go first, then bytes. */
static void trim(struct rtt *r, enum rtt_side side)
{
	GString *t = r->text[side];
	gsize cut;

	if (t->len <= RTT_TEXT_MAX)
		return;
	cut = t->len - RTT_TEXT_MAX;
	{
		const char *nl = memchr(t->str + cut, '\n', t->len - cut);

		if (nl && (gsize)(nl - t->str) < r->line_start[side])
			cut = (gsize)(nl - t->str) + 1;
		else
			while (cut < t->len && (t->str[cut] & 0xC0) == 0x80)
				cut++; /* not inside a character */
	}
	g_string_erase(t, 0, (gssize)cut);
	r->line_start[side] = r->line_start[side] > cut ? r->line_start[side] - cut : 0;
}

int rtt_apply(struct rtt *r, enum rtt_side side, const char *chunk, gssize len, int64_t now)
{
	const char *end;

	if (len < 0)
		len = (gssize)strlen(chunk);
	if (!g_utf8_validate(chunk, len, NULL))
		return -EINVAL;
	end = chunk + len;
	for (const char *p = chunk; p < end; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		gboolean after_cr = r->cr[side];

		r->cr[side] = c == '\r';
		if (c == T140_BACKSPACE)
			erase_last(r, side);
		else if (c == T140_LINE_SEPARATOR || c == '\r' || (c == '\n' && !after_cr))
			end_line(r, side, now);
		else if (c == T140_BOM || c == '\n' || g_unichar_iscntrl(c))
			continue;
		else
			g_string_append_len(r->text[side], p, g_utf8_next_char(p) - p);
	}
	trim(r, side);
	return 0;
}

const char *rtt_text(const struct rtt *r, enum rtt_side side)
{
	return r->text[side]->str;
}

void rtt_transcribe(struct rtt *r, gboolean on)
{
	r->transcribing = on;
}

char *rtt_transcript(struct rtt *r, int64_t now)
{
	g_autoptr(GString) out = g_string_new(r->transcript ? r->transcript->str : "");

	/* The lines still being typed, as they stand now. */
	for (int side = RTT_CUSTOMER; r->transcribing && side <= RTT_EXPERT; side++) {
		GString *t = r->text[side];

		transcript_line(out, side, t->str + r->line_start[side],
				t->len - r->line_start[side], now);
	}
	if (out->len == 0)
		return NULL;
	return g_string_free(g_steal_pointer(&out), FALSE);
}
