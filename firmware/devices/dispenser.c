/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * dispenser: see dispenser.h.
 *
 * Threads: the main loop owns everything but the printer handle's I/O.  One
 * worker thread takes print jobs from an async queue and talks to the
 * printer; each job comes back to the main context through an idle source.
 * The jobs hold a reference to a small shared link whose dispenser pointer
 * is cleared at dispenser_free(), after the worker was joined, so that a
 * result still on its way finds nobody and only frees itself.
 *
 * Tickets are laid out on the main loop, rasters too (ticket_raster: text
 * the code page lacks): a rastered line costs ~0.2 ms, a ticket with two
 * rastered paragraphs ~1.5 ms, against the printer's ~0.1 s a picture line
 * at 115200 baud.  The fonts are read at the first picture (~10 ms, against
 * the second or more its ticket takes on the line) and let go after
 * DISPENSER_RASTER_KEEP_S without one: a site whose tickets all fit the code
 * page never holds pango, harfbuzz and the fonts in memory (~6 MB).
 */

#include "dispenser.h"

/* A site printing in Arabic keeps its fonts through a busy hour. */
#define DISPENSER_RASTER_KEEP_S 600

#include <errno.h>
#include <string.h>

#include "post.h"
#include "store.h"
#include "ticket_layout.h"

enum job_kind {
	JOB_ISSUE,    /* issue → print → hand out (or void) */
	JOB_REPRINT,  /* print → hand out when still issued */
	JOB_TEST,     /* print a test ticket */
	JOB_BADGE,    /* print a visitor's badge */
	JOB_CHECK,    /* status only */
	JOB_PREFETCH, /* the status for the issue behind it, asked while it commits */
	JOB_QUIT,
};

struct dispenser_link {
	gint refs;
	struct dispenser *d; /* NULL once freed */
};

struct job {
	enum job_kind kind;
	struct dispenser_link *link;
	char *user;
	bool void_on_failure;
	uint32_t ticket;
	bool was_issued;
	GByteArray *bytes; /* what to print; NULL: status only */
	/* filled by the worker */
	int rc;
	struct hal_printer_status status;
	bool status_known;
	char message[256];
	/* the queue side */
	struct queue_result res;
	dispenser_done_fn done;
	gpointer data;
};

struct dispenser {
	const struct config *cfg;
	const struct catalog *catalog;
	struct desk *desk;
	struct bus *bus;
	struct hal_printer_config hw;
	char *describe;
	GMainContext *context;
	GThread *worker;
	GAsyncQueue *jobs;
	struct dispenser_link *link;
	struct hal_printer *printer; /* the worker's; the sim is opened up front */
	struct job *prefetched;      /* the worker's: the last JOB_PREFETCH, if no job came since */
	GMutex lock;                 /* state */
	struct dispenser_printer_state state;
	bool near_end_alerted;
	struct ticket_raster *raster; /* the main loop's */
	guint raster_keep;            /* lets its fonts go when no picture came for a while */
	char *follow_base;            /* "https://jono.example.fi": the QR's URL before "/t/REF" */
	char *follow_site;            /* "s1." with [uplink] public-url, else "" */
};

static struct dispenser_link *link_ref(struct dispenser_link *l)
{
	g_atomic_int_inc(&l->refs);
	return l;
}

static void link_unref(struct dispenser_link *l)
{
	if (g_atomic_int_dec_and_test(&l->refs))
		g_free(l);
}

static void job_free(struct job *j)
{
	if (!j)
		return;
	if (j->link)
		link_unref(j->link);
	g_free(j->user);
	if (j->bytes)
		g_byte_array_unref(j->bytes);
	queue_result_free(&j->res);
	g_free(j);
}

static struct job *job_new(struct dispenser *d, enum job_kind kind, dispenser_done_fn done,
			   gpointer data)
{
	struct job *j = g_new0(struct job, 1);

	j->kind = kind;
	j->link = link_ref(d->link);
	j->done = done;
	j->data = data;
	queue_result_init(&j->res);
	return j;
}

/* ---------------------------------------------------------------------- */
/* Worker thread */

/* One line that names the part, what is wrong and what to do. */
static void describe_failure(const struct dispenser *d, int rc, char *buf, size_t len)
{
	switch (rc) {
	case -ETIMEDOUT:
		g_snprintf(buf, len,
			   "printer (%s): no answer within %d ms — check power, the cable and "
			   "the baud rate in [printer]",
			   d->describe, d->cfg->printer.timeout_ms);
		break;
	case -ENOENT:
	case -ENODEV:
		g_snprintf(buf, len,
			   "printer (%s): no such device — check the cable and [printer] device",
			   d->describe);
		break;
	case -EACCES:
		g_snprintf(buf, len,
			   "printer (%s): permission denied — add vuorod's user to the lp or "
			   "dialout group",
			   d->describe);
		break;
	case -ECONNREFUSED:
	case -EHOSTUNREACH:
		g_snprintf(buf, len,
			   "printer (%s): cannot connect — check the printer's network address "
			   "and that it is on",
			   d->describe);
		break;
	case -EBADMSG:
		g_snprintf(buf, len,
			   "printer (%s): a status answer that is not ESC/POS — check the baud "
			   "rate and that this is an ESC/POS printer",
			   d->describe);
		break;
	default:
		g_snprintf(buf, len, "printer (%s): %s — check the printer and its cable",
			   d->describe, g_strerror(-rc));
		break;
	}
}

/* Refuses a print the printer cannot do; 0 when it can. */
static int status_refusal(const struct hal_printer_status *st, char *buf, size_t len)
{
	if (st->cover_open) {
		g_strlcpy(buf, "printer: cover open — close the cover", len);
		return -EIO;
	}
	if (st->paper_end) {
		g_strlcpy(buf, "printer: paper end — load a new roll", len);
		return -ENOSPC;
	}
	if (st->offline) {
		g_strlcpy(buf, "printer: offline — check the printer's power and error lamp", len);
		return -EIO;
	}
	return 0;
}

static int worker_status(struct dispenser *d, struct job *j)
{
	int rc;

	if (!d->printer) {
		rc = hal_printer_open(&d->hw, &d->printer);
		if (rc < 0)
			return rc;
	}
	rc = hal_printer_status(d->printer, &j->status);
	if (rc == -ENOTSUP) /* a file: nothing to ask */
		return 0;
	if (rc == 0)
		j->status_known = true;
	return rc;
}

static void worker_run_job(struct dispenser *d, struct job *j)
{
	int rc;

	j->message[0] = '\0';
	if (j->kind == JOB_ISSUE && d->prefetched) {
		/* Asked at the press, while the ticket was committed. */
		rc = d->prefetched->rc;
		j->status = d->prefetched->status;
		j->status_known = d->prefetched->status_known;
	} else {
		rc = worker_status(d, j);
	}
	g_clear_pointer(&d->prefetched, job_free);
	if (rc == 0 && j->status_known)
		rc = status_refusal(&j->status, j->message, sizeof(j->message));
	if (rc == 0 && j->bytes) {
		rc = hal_printer_write(d->printer, j->bytes->data, j->bytes->len);
		/* After: the ticket may have used the last of the roll. */
		if (rc == 0 && worker_status(d, j) == 0 && j->status_known &&
		    (j->status.paper_end || j->status.cover_open))
			status_refusal(&j->status, j->message, sizeof(j->message));
	}
	if (rc < 0 && !j->message[0])
		describe_failure(d, rc, j->message, sizeof(j->message));
	if (rc < 0 && rc != -ENOSPC && rc != -EIO && d->printer &&
	    d->printer->ops != &hal_printer_sim_ops) {
		/* A wire error: open afresh next time (a replugged USB printer). */
		hal_printer_close(d->printer);
		d->printer = NULL;
	}
	j->rc = rc;
}

static gboolean job_finish(gpointer data);

static gpointer worker_main(gpointer data)
{
	struct dispenser *d = data;

	for (;;) {
		struct job *j = g_async_queue_pop(d->jobs);

		if (j->kind == JOB_QUIT) {
			job_free(j);
			break;
		}
		if (j->kind == JOB_PREFETCH) {
			j->rc = worker_status(d, j);
			g_clear_pointer(&d->prefetched, job_free);
			d->prefetched = j;
			continue;
		}
		worker_run_job(d, j);
		post_to_loop(d->context, "dispenser job", job_finish, j, NULL);
	}
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* Main loop side */

static void dispenser_note(struct dispenser *d, const struct job *j)
{
	bool changed, alert = false;

	g_mutex_lock(&d->lock);
	changed = d->state.ok != (j->rc == 0) || !d->state.known ||
		  strcmp(d->state.message, j->message) != 0 ||
		  memcmp(&d->state.status, &j->status, sizeof(j->status)) != 0;
	d->state.known = true;
	d->state.ok = j->rc == 0;
	d->state.error = j->rc;
	if (j->status_known)
		d->state.status = j->status;
	g_strlcpy(d->state.message, j->message, sizeof(d->state.message));
	if (j->bytes && j->kind != JOB_CHECK) {
		if (j->rc == 0)
			d->state.printed++;
		else
			d->state.failed++;
	}
	if (j->status_known && j->status.paper_near_end && !d->near_end_alerted) {
		d->near_end_alerted = alert = true;
	} else if (j->status_known && !j->status.paper_near_end) {
		d->near_end_alerted = false;
	}
	g_mutex_unlock(&d->lock);
	if (changed)
		bus_publish(d->bus, "printer.state", &d->state);
	if (alert)
		bus_publish(d->bus, "printer.alert",
			    "printer: paper near end — load a new roll soon");
}

static void job_reply(struct job *j, struct dispenser_result *r)
{
	if (j->done)
		j->done(r, j->data);
	job_free(j);
}

static void job_reply_print(struct job *j, const struct queue_result *res, bool voided)
{
	struct dispenser_result r = {
	    .res = res,
	    .ticket = j->ticket,
	    .printed = j->rc == 0,
	    .voided = voided,
	    .print_error = j->rc == 0 ? NULL : j->message,
	};

	job_reply(j, &r);
}

static void job_handed_out(int rc, const GError *error, const struct queue_result *res,
			   gpointer data)
{
	struct job *j = data;

	if (rc < 0) {
		/* Printed but not made callable: say so rather than pretend. */
		struct dispenser_result r = {
		    .rc = rc, .error = error, .res = res, .ticket = j->ticket, .printed = true};

		job_reply(j, &r);
		return;
	}
	job_reply_print(j, res, j->rc != 0);
}

/* Runs @type on the job's ticket; the answer comes to job_handed_out. */
static void job_submit_ticket_cmd(struct dispenser *d, struct job *j, enum queue_cmd_type type)
{
	struct queue_cmd cmd = {.type = type, .ticket = j->ticket, .service = -1};
	g_autoptr(GError) error = NULL;
	int rc;

	rc = desk_submit(d->desk, &cmd, j->user, &j->res, &error, job_handed_out, j);
	if (rc == 0)
		return;
	job_handed_out(rc < 0 ? rc : 0, error, &j->res, j);
}

static gboolean job_finish(gpointer data)
{
	struct job *j = data;
	struct dispenser *d = j->link->d;
	g_autoptr(GError) error = NULL;

	if (!d) {
		job_free(j);
		return G_SOURCE_REMOVE;
	}
	dispenser_note(d, j);
	switch (j->kind) {
	case JOB_ISSUE:
	case JOB_REPRINT:
		if (j->rc == 0 && j->was_issued) {
			job_submit_ticket_cmd(d, j, QUEUE_CMD_HANDOUT);
			return G_SOURCE_REMOVE;
		}
		if (j->rc < 0) {
			store_ticket_print_failed(desk_store(d->desk), j->ticket, j->message,
						  &error);
			if (error)
				g_warning("cannot record the failed print of ticket %u: %s",
					  j->ticket, error->message);
			g_message("ticket %u: %s", j->ticket, j->message);
			if (j->void_on_failure && j->was_issued) {
				job_submit_ticket_cmd(d, j, QUEUE_CMD_VOID);
				return G_SOURCE_REMOVE;
			}
		}
		job_reply_print(j, &j->res, false);
		break;
	default:
		job_reply_print(j, NULL, false);
		break;
	}
	return G_SOURCE_REMOVE;
}

static gboolean dispenser_raster_release(gpointer data)
{
	struct dispenser *d = data;

	d->raster_keep = 0;
	ticket_raster_release(d->raster);
	return G_SOURCE_REMOVE;
}

/* After a layout: the fonts stay while pictures keep coming. */
static void dispenser_raster_used(struct dispenser *d)
{
	if (!ticket_raster_loaded(d->raster))
		return;
	if (d->raster_keep)
		g_source_remove(d->raster_keep);
	d->raster_keep =
	    g_timeout_add_seconds(DISPENSER_RASTER_KEEP_S, dispenser_raster_release, d);
}

static void dispenser_layout(struct dispenser *d, const struct queue_ticket *tk, int ahead,
			     int wait_s, GByteArray *out)
{
	const struct config *cfg = d->cfg;
	const struct config_service *svc = config_service_get(cfg, tk->service);
	int lang = tk->lang < cfg->n_langs ? tk->lang : 0;
	g_autofree char *url = NULL;
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(cfg->timezone);
	struct queue_service_status st;
	struct queue_time now;
	struct ticket_layout t;

	/* No open counter serves the line: the paper promises no wait (a remote
	 * line's booth is the booths' to tell; its estimate stays). */
	desk_time(d->desk, &now);
	queue_service_status(desk_queue(d->desk), tk->service, &now, &st);
	if (!st.staffed && svc && svc->kind != CONFIG_SERVICE_REMOTE)
		wait_s = 0;
	t = (struct ticket_layout){
	    .codepage = escpos_codepage_find(cfg->printer.codepage),
	    .width = cfg->printer.columns,
	    .dots = cfg->printer.dots,
	    .font_b = cfg->printer.font_b,
	    .header = cfg->printer.header ? cfg->printer.header : cfg->site_name,
	    .service = svc ? svc->name[lang] : "",
	    .code = tk->code,
	    .catalog = d->catalog,
	    .lang = lang,
	    .ahead = ahead,
	    .wait_s = wait_s,
	    .issued_at = tk->issued_at,
	    .tz = tz,
	    .footer = cfg->printer.footer[lang],
	    .raster = d->raster,
	};

	url = g_strdup_printf("%s/t/%s%s", d->follow_base, d->follow_site, tk->ref);
	t.url = url;
	ticket_layout_render(&t, out);
	dispenser_raster_used(d);
}

static void dispenser_push(struct dispenser *d, struct job *j)
{
	g_async_queue_push(d->jobs, j);
}

/* The ticket is committed as issued: print it. */
static void job_issued(int rc, const GError *error, const struct queue_result *res, gpointer data)
{
	struct job *j = data;
	struct dispenser *d = j->link->d;
	const struct queue_ticket *tk = NULL;

	if (rc == 0)
		for (guint i = 0; i < res->tickets->len; i++)
			if (g_array_index(res->tickets, struct queue_ticket, i).id == res->ticket)
				tk = &g_array_index(res->tickets, struct queue_ticket, i);
	if (rc < 0 || !d || !tk) {
		struct dispenser_result r = {.rc = rc < 0 ? rc : -EIO, .error = error, .res = res};

		job_reply(j, &r);
		return;
	}
	j->ticket = tk->id;
	j->was_issued = tk->state == QUEUE_ISSUED;
	j->bytes = g_byte_array_new();
	dispenser_layout(d, tk, res->ahead, res->wait_s, j->bytes);
	if (res != &j->res) {
		/* Keep the issue's result for the answer if printing fails. */
		queue_result_clear(&j->res);
		g_array_append_vals(j->res.tickets, res->tickets->data, res->tickets->len);
		j->res.ticket = res->ticket;
		j->res.ahead = res->ahead;
		j->res.wait_s = res->wait_s;
	}
	dispenser_push(d, j);
}

static gboolean job_issued_later(gpointer data)
{
	struct job *j = data;

	job_issued(j->rc, NULL, &j->res, j);
	return G_SOURCE_REMOVE;
}

void dispenser_issue(struct dispenser *d, const struct queue_cmd *cmd, const char *user,
		     bool void_on_failure, dispenser_done_fn done, gpointer data)
{
	struct job *j = job_new(d, JOB_ISSUE, done, data);
	struct queue_cmd c = *cmd;
	g_autoptr(GError) error = NULL;
	int rc;

	j->user = g_strdup(user);
	j->void_on_failure = void_on_failure;
	c.type = QUEUE_CMD_ISSUE;
	c.handed_out = false;
	rc = desk_submit(d->desk, &c, user, &j->res, &error, job_issued, j);
	if (rc < 0) {
		struct dispenser_result r = {.rc = rc, .error = error, .res = &j->res};

		/* Refused at once (closed, full …): answered now, like desk_submit. */
		job_reply(j, &r);
		return;
	}
	/* Taken: the printer's status is asked now, while the ticket commits,
	 * and not after, so that its round trip (a USB serial adapter holds an
	 * answer up to its 16 ms latency timer) is off the press-to-print path.
	 * The worker takes jobs in order: the print, pushed once the ticket is
	 * stored, finds it (or a later one's, fresher still). */
	dispenser_push(d, job_new(d, JOB_PREFETCH, NULL, NULL));
	if (rc == 0)
		return;
	j->rc = 0;
	g_idle_add(job_issued_later, j);
}

void dispenser_reprint(struct dispenser *d, uint32_t id, const char *user, dispenser_done_fn done,
		       gpointer data)
{
	struct job *j = job_new(d, JOB_REPRINT, done, data);
	const struct queue_ticket *tk = queue_ticket_get(desk_queue(d->desk), id);
	struct queue_time t;
	unsigned ahead = 0;
	int wait_s = 0;

	j->user = g_strdup(user);
	j->ticket = id;
	if (!tk || (tk->state != QUEUE_ISSUED && tk->state != QUEUE_WAITING)) {
		g_autoptr(GError) error =
		    g_error_new(DESK_ERROR, ESTALE,
				"ticket %u is not waiting: only an issued or waiting ticket can "
				"be printed again",
				id);
		struct dispenser_result r = {.rc = -ESTALE, .error = error, .ticket = id};

		job_reply(j, &r);
		return;
	}
	desk_time(d->desk, &t);
	queue_ticket_estimate(desk_queue(d->desk), id, &t, &ahead, &wait_s);
	j->was_issued = tk->state == QUEUE_ISSUED;
	j->bytes = g_byte_array_new();
	dispenser_layout(d, tk, (int)ahead, wait_s, j->bytes);
	g_array_append_vals(j->res.tickets, tk, 1);
	j->res.ticket = id;
	dispenser_push(d, j);
}

void dispenser_test(struct dispenser *d, uint8_t lang, dispenser_done_fn done, gpointer data)
{
	struct job *j = job_new(d, JOB_TEST, done, data);
	int l = lang < d->cfg->n_langs ? lang : 0;
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(d->cfg->timezone);
	/* The tickets' own address: a phone that scans it shows whether the
	 * follow page is reachable there (its "not found" is the answer). */
	g_autofree char *url = g_strdup_printf("%s/t/%stest", d->follow_base, d->follow_site);
	struct ticket_layout t = {
	    .codepage = escpos_codepage_find(d->cfg->printer.codepage),
	    .width = d->cfg->printer.columns,
	    .dots = d->cfg->printer.dots,
	    .font_b = d->cfg->printer.font_b,
	    .header = d->cfg->printer.header ? d->cfg->printer.header : d->cfg->site_name,
	    .service = catalog_text(d->catalog, l, "ticket.test_sample"),
	    .code = "T000",
	    .catalog = d->catalog,
	    .lang = l,
	    .ahead = -1,
	    .issued_at = g_get_real_time() / G_USEC_PER_SEC,
	    .tz = tz,
	    .url = url,
	    .footer = d->cfg->printer.footer[l],
	    .test = TRUE,
	    .raster = d->raster,
	};

	j->bytes = g_byte_array_new();
	ticket_layout_render(&t, j->bytes);
	dispenser_raster_used(d);
	dispenser_push(d, j);
}

void dispenser_badge(struct dispenser *d, const struct dispenser_badge *b, dispenser_done_fn done,
		     gpointer data)
{
	struct job *j = job_new(d, JOB_BADGE, done, data);
	int l = b->lang < d->cfg->n_langs ? b->lang : 0;
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(d->cfg->timezone);
	g_autofree char *number = g_strdup_printf("%d", b->number);
	g_autofree char *host = catalog_format(d->catalog, l, "ticket.badge_host", "host",
					       b->host ? b->host : "", NULL);
	/* The name, the organisation under it, whom they visit. */
	const char *lines[] = {b->name,
			       b->organisation && *b->organisation ? b->organisation : host,
			       b->organisation && *b->organisation ? host : NULL, NULL};
	struct ticket_layout t = {
	    .codepage = escpos_codepage_find(d->cfg->printer.codepage),
	    .width = d->cfg->printer.columns,
	    .dots = d->cfg->printer.dots,
	    .font_b = d->cfg->printer.font_b,
	    .header = d->cfg->printer.header ? d->cfg->printer.header : d->cfg->site_name,
	    .service = catalog_text(d->catalog, l, "ticket.badge"),
	    .code = number,
	    .catalog = d->catalog,
	    .lang = l,
	    .ahead = -1,
	    .issued_at = b->at,
	    .tz = tz,
	    .lines = lines,
	    .raster = d->raster,
	};

	j->bytes = g_byte_array_new();
	ticket_layout_render(&t, j->bytes);
	dispenser_raster_used(d);
	dispenser_push(d, j);
}

void dispenser_check(struct dispenser *d, dispenser_done_fn done, gpointer data)
{
	dispenser_push(d, job_new(d, JOB_CHECK, done, data));
}

void dispenser_state(struct dispenser *d, struct dispenser_printer_state *ret)
{
	g_mutex_lock(&d->lock);
	*ret = d->state;
	g_mutex_unlock(&d->lock);
}

struct hal_printer *dispenser_printer(struct dispenser *d)
{
	return d->hw.transport == HAL_PRINTER_SIM ? d->printer : NULL;
}

/* Without [printer] url-base (a sim board: a real one refuses to load
 * without it) the tickets point at the address vuorod listens on, which
 * is the one right answer a laptop or a test has. */
static char *follow_base_of(const char *host, int port, bool tls)
{
	bool v6 = strchr(host, ':') != NULL;

	return g_strdup_printf("%s://%s%s%s:%d", tls ? "https" : "http", v6 ? "[" : "", host,
			       v6 ? "]" : "", port);
}

struct dispenser *dispenser_new(const struct config *cfg, const struct catalog *catalog,
				struct desk *desk, struct bus *bus)
{
	struct dispenser *d = g_new0(struct dispenser, 1);
	const struct config_printer *pc = &cfg->printer;

	d->cfg = cfg;
	/* With a hub's public address the QR reaches the ticket from anywhere:
	 * <public-url>/t/<site>.<REF> (a REF is URL-safe base64, no '.'). */
	if (cfg->uplink && cfg->uplink_public_url) {
		d->follow_base = g_strdup(cfg->uplink_public_url);
		d->follow_site = g_strdup_printf("%s.", cfg->uplink_site);
	} else {
		d->follow_base = cfg->printer.url_base
				     ? g_strdup(cfg->printer.url_base)
				     : follow_base_of(cfg->listen_host, cfg->listen_port, false);
		d->follow_site = g_strdup("");
	}
	d->catalog = catalog;
	d->desk = desk;
	d->bus = bus;
	d->hw = (struct hal_printer_config){
	    .transport = (enum hal_printer_transport)pc->transport,
	    .device = pc->device,
	    .baud = pc->baud,
	    .flow = (enum hal_printer_flow)pc->flow,
	    .host = pc->host,
	    .port = pc->port,
	    .timeout_ms = (unsigned)pc->timeout_ms,
	    .sim_dir = pc->sim_dir,
	    .paper_dots = pc->dots,
	};
	d->describe = hal_printer_describe(&d->hw);
	d->raster = ticket_raster_new();
	g_strlcpy(d->state.describe, d->describe, sizeof(d->state.describe));
	g_strlcpy(d->state.paper, pc->dots == 384 ? "58mm" : "80mm", sizeof(d->state.paper));
	d->state.columns = (unsigned)pc->columns;
	g_strlcpy(d->state.codepage, pc->codepage ? pc->codepage : "", sizeof(d->state.codepage));
	g_mutex_init(&d->lock);
	d->link = g_new0(struct dispenser_link, 1);
	d->link->refs = 1;
	d->link->d = d;
	d->context = g_main_context_ref_thread_default();
	d->jobs = g_async_queue_new();
	if (d->hw.transport == HAL_PRINTER_SIM && hal_printer_open(&d->hw, &d->printer) < 0)
		g_warning("sim printer: cannot create %s", pc->sim_dir);
	d->worker = g_thread_new("printer", worker_main, d);
	return d;
}

void dispenser_set_listen(struct dispenser *d, const char *host, int port, bool tls)
{
	if (d->cfg->printer.url_base || (d->cfg->uplink && d->cfg->uplink_public_url))
		return;
	g_autoptr(GInetAddress) ip = g_inet_address_new_from_string(host);

	g_free(d->follow_base);
	d->follow_base = follow_base_of(host, port, tls);
	if (strcmp(host, "localhost") == 0 ||
	    (ip && (g_inet_address_get_is_loopback(ip) || g_inet_address_get_is_any(ip))))
		g_warning("[printer] url-base is not set: the tickets' QR codes point at %s, "
			  "which no phone can reach; set url-base to the site's public https "
			  "address",
			  d->follow_base);
}

void dispenser_free(struct dispenser *d)
{
	struct job *quit;

	if (!d)
		return;
	if (d->raster_keep)
		g_source_remove(d->raster_keep);
	quit = g_new0(struct job, 1);
	quit->kind = JOB_QUIT;
	queue_result_init(&quit->res);
	g_async_queue_push(d->jobs, quit);
	g_thread_join(d->worker);
	job_free(d->prefetched);
	/* Jobs never started: nobody will print them now. */
	for (struct job *j; (j = g_async_queue_try_pop(d->jobs));)
		job_free(j);
	g_async_queue_unref(d->jobs);
	d->link->d = NULL;
	link_unref(d->link);
	hal_printer_close(d->printer);
	g_main_context_unref(d->context);
	g_mutex_clear(&d->lock);
	g_free(d->describe);
	g_free(d->follow_base);
	g_free(d->follow_site);
	ticket_raster_free(d->raster);
	g_free(d);
}
