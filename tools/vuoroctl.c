/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * vuoroctl: the command line of technicians, admins and scripts.
 *
 * Talks to vuorod's HTTP API (--url, else $VUORO_URL, else the sim board's
 * default).  The login token is kept in $XDG_CONFIG_HOME/vuoro/session (or
 * taken from $VUORO_TOKEN), with the counter last used, so that `recall`,
 * `noshow`, `end` … act on the counter of the last `call`.
 *
 * Exit codes: 0 done; 1 vuorod refused (the reason on stderr, one line);
 * 2 bad usage; 3 vuorod could not be reached.
 */

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "config.h"
#include "report.h"
#include "identity.h"

enum {
	CTL_OK = 0,
	CTL_REFUSED = 1,
	CTL_USAGE = 2,
	CTL_UNREACHABLE = 3,
};

struct ctl {
	struct ctl_client *client;
	char *url;
	gboolean json;
	char *lang;
	char *profile;
	char *service;
	char *outcome;
	char *channel;
	char *from;
	char *to;
	char *kind;
	char *period;
	char *handout;
	char *note;   /* transfer: for the next server */
	char *pin;    /* diag identity */
	char *config; /* diag identity: the board-config */
	gboolean csv;
	gboolean front;
	gint to_counter;
	gint counter;
	gint ticket;
	gint priority;
	gint minutes;    /* visit: its service time */
	gint booth;      /* devices add: a booth screen's booth */
	gboolean old_pw; /* users passwd: the old password follows on stdin */
	char **args;     /* positional arguments after the command */
	int n_args;
};

struct ctl_cmd {
	const char *name;
	const char *usage;
	int (*fn)(struct ctl *c);
	const char *help;
};

static void ctl_fail(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void ctl_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("vuoroctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---------------------------------------------------------------------- */
/* The session file: url, token, counter */

static char *ctl_session_path(void)
{
	return g_build_filename(g_get_user_config_dir(), "vuoro", "session", NULL);
}

static GKeyFile *ctl_session_load(void)
{
	g_autofree char *path = ctl_session_path();
	GKeyFile *kf = g_key_file_new();

	g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL);
	return kf;
}

static int ctl_session_save(GKeyFile *kf)
{
	g_autofree char *path = ctl_session_path();
	g_autofree char *dir = g_path_get_dirname(path);
	g_autoptr(GError) error = NULL;
	g_autofree char *data = NULL;
	gsize len;

	g_mkdir_with_parents(dir, 0700);
	data = g_key_file_to_data(kf, &len, NULL);
	if (!g_file_set_contents_full(path, data, (gssize)len, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
				      &error)) {
		ctl_fail("cannot save the session in %s: %s", path, error->message);
		return -EIO;
	}
	return 0;
}

static char *ctl_session_token(const char *url)
{
	g_autoptr(GKeyFile) kf = NULL;
	const char *env = g_getenv("VUORO_TOKEN");

	if (env && *env)
		return g_strdup(env);
	kf = ctl_session_load();
	return g_key_file_get_string(kf, url, "token", NULL);
}

static int ctl_counter(struct ctl *c, int arg_index, int *ret)
{
	g_autoptr(GKeyFile) kf = NULL;
	const char *env = g_getenv("VUORO_COUNTER");
	guint64 v;

	if (c->n_args > arg_index) {
		if (!g_ascii_string_to_unsigned(c->args[arg_index], 10, 1, 32767, &v, NULL)) {
			ctl_fail("\"%s\" is not a counter number", c->args[arg_index]);
			return -EINVAL;
		}
		*ret = (int)v;
		return 0;
	}
	if (c->counter > 0) {
		*ret = c->counter;
		return 0;
	}
	if (env && g_ascii_string_to_unsigned(env, 10, 1, 32767, &v, NULL)) {
		*ret = (int)v;
		return 0;
	}
	kf = ctl_session_load();
	*ret = g_key_file_get_integer(kf, c->url, "counter", NULL);
	if (*ret <= 0) {
		ctl_fail("which counter? give it as an argument, with --counter, or in "
			 "VUORO_COUNTER");
		return -EINVAL;
	}
	return 0;
}

static void ctl_remember_counter(struct ctl *c, int counter)
{
	g_autoptr(GKeyFile) kf = ctl_session_load();

	g_key_file_set_integer(kf, c->url, "counter", counter);
	ctl_session_save(kf);
}

/* ---------------------------------------------------------------------- */
/* Requests */

/* Sends and checks; on success *ret_node is the parsed answer (may be NULL
 * for non-JSON answers, see ret_bytes). */
static int ctl_call(struct ctl *c, const char *method, const char *path, JsonNode *json,
		    GBytes *raw, const char *type, JsonNode **ret_node, GBytes **ret_bytes)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) body = NULL;
	guint status;

	status = ctl_request(c->client, method, path, json, raw, type, &body, &error);
	if (status == 0) {
		ctl_fail("cannot reach vuorod at %s: %s — is it running? (--url or VUORO_URL)",
			 c->url, error->message);
		return CTL_UNREACHABLE;
	}
	if (status >= 300) {
		g_autofree char *message = ctl_error_message(status, body);

		ctl_fail("%s", message);
		return CTL_REFUSED;
	}
	if (ret_node)
		*ret_node = ctl_json_parse(body);
	if (ret_bytes)
		*ret_bytes = g_steal_pointer(&body);
	return CTL_OK;
}

static void ctl_print_json(JsonNode *node)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autofree char *text = NULL;

	json_generator_set_pretty(gen, TRUE);
	json_generator_set_root(gen, node);
	text = json_generator_to_data(gen, NULL);
	printf("%s\n", text);
}

static const char *ctl_str(JsonObject *o, const char *name)
{
	JsonNode *n = o && json_object_has_member(o, name) ? json_object_get_member(o, name) : NULL;

	return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING
		   ? json_node_get_string(n)
		   : NULL;
}

static gint64 ctl_int(JsonObject *o, const char *name, gint64 fallback)
{
	JsonNode *n = o && json_object_has_member(o, name) ? json_object_get_member(o, name) : NULL;

	return n && JSON_NODE_HOLDS_VALUE(n) ? json_node_get_int(n) : fallback;
}

static JsonObject *ctl_obj(JsonObject *o, const char *name)
{
	JsonNode *n = o && json_object_has_member(o, name) ? json_object_get_member(o, name) : NULL;

	return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

static void ctl_print_ticket(JsonObject *t)
{
	gint64 wait = ctl_int(t, "wait_s", -1);

	printf("%s  %-10s %-9s", ctl_str(t, "code"), ctl_str(t, "service"), ctl_str(t, "state"));
	if (ctl_int(t, "counter", 0))
		printf("  counter %" G_GINT64_FORMAT, ctl_int(t, "counter", 0));
	if (wait >= 0)
		printf("  %" G_GINT64_FORMAT " ahead, about %" G_GINT64_FORMAT " min",
		       ctl_int(t, "ahead", 0), (wait + 59) / 60);
	printf("  (id %" G_GINT64_FORMAT ")\n", ctl_int(t, "id", 0));
}

/* Prints a command's answer: the ticket it acted on, else the counter. */
static int ctl_print_result(struct ctl *c, JsonNode *node)
{
	JsonObject *o = node && JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
	JsonObject *t = ctl_obj(o, "ticket");
	JsonObject *counter = ctl_obj(o, "counter");

	if (c->json) {
		ctl_print_json(node);
		return CTL_OK;
	}
	if (t)
		ctl_print_ticket(t);
	else if (counter)
		printf("counter %" G_GINT64_FORMAT ": %s\n", ctl_int(counter, "id", 0),
		       json_object_get_boolean_member_with_default(counter, "open", FALSE)
			   ? "open"
			   : "closed");
	return CTL_OK;
}

static int ctl_counter_cmd(struct ctl *c, const char *verb, JsonNode *body, int arg_index)
{
	g_autoptr(JsonNode) owned = body;
	g_autoptr(JsonNode) node = NULL;
	g_autofree char *path = NULL;
	int counter, rc;

	if (ctl_counter(c, arg_index, &counter) < 0)
		return CTL_USAGE;
	path = g_strdup_printf("/api/counters/%d/%s", counter, verb);
	rc = ctl_call(c, "POST", path, owned, NULL, NULL, &node, NULL);
	if (rc != CTL_OK)
		return rc;
	ctl_remember_counter(c, counter);
	return ctl_print_result(c, node);
}

/* ---------------------------------------------------------------------- */
/* Commands */

static char *ctl_read_secret(const char *env)
{
	char line[512];
	const char *v = env ? g_getenv(env) : NULL;

	if (v && *v)
		return g_strdup(v);
	if (isatty(STDIN_FILENO))
		fprintf(stderr, "password: ");
	if (!fgets(line, sizeof(line), stdin))
		return NULL;
	line[strcspn(line, "\r\n")] = '\0';
	return g_strdup(line);
}

static int ctl_login(struct ctl *c)
{
	const char *user = c->n_args > 0 ? c->args[0] : g_getenv("VUORO_USER");
	g_autofree char *password = NULL;
	g_autoptr(JsonNode) body = NULL;
	g_autoptr(JsonNode) node = NULL;
	g_autoptr(GKeyFile) kf = NULL;
	JsonObject *o;
	int rc;

	if (!user) {
		ctl_fail("login needs a user name (argument or VUORO_USER)");
		return CTL_USAGE;
	}
	password = ctl_read_secret("VUORO_PASSWORD");
	if (!password) {
		ctl_fail("give the password on standard input or in VUORO_PASSWORD");
		return CTL_USAGE;
	}
	body =
	    ctl_json_object("user", G_TYPE_STRING, user, "password", G_TYPE_STRING, password, NULL);
	rc = ctl_call(c, "POST", "/api/login", body, NULL, NULL, &node, NULL);
	if (rc != CTL_OK)
		return rc;
	o = json_node_get_object(node);
	kf = ctl_session_load();
	g_key_file_set_string(kf, c->url, "token", ctl_str(o, "token"));
	if (ctl_session_save(kf) < 0)
		return CTL_REFUSED;
	if (c->json)
		ctl_print_json(node);
	else
		printf("logged in as %s (%s)\n", ctl_str(o, "user"), ctl_str(o, "role"));
	return CTL_OK;
}

static int ctl_logout(struct ctl *c)
{
	g_autoptr(GKeyFile) kf = ctl_session_load();
	int rc = ctl_call(c, "POST", "/api/logout", NULL, NULL, NULL, NULL, NULL);

	g_key_file_remove_key(kf, c->url, "token", NULL);
	ctl_session_save(kf);
	return rc;
}

static int ctl_get_print(struct ctl *c, const char *path, void (*human)(JsonObject *o))
{
	g_autoptr(JsonNode) node = NULL;
	int rc = ctl_call(c, "GET", path, NULL, NULL, NULL, &node, NULL);

	if (rc != CTL_OK)
		return rc;
	if (c->json || !human)
		ctl_print_json(node);
	else
		human(json_node_get_object(node));
	return CTL_OK;
}

static void ctl_status_human(JsonObject *o)
{
	JsonArray *services = json_object_get_array_member(o, "services");
	JsonArray *counters = json_object_get_array_member(o, "counters");

	printf("%s\n\n%-14s %-6s %-5s %7s %10s  %s\n", ctl_str(o, "site"), "service", "prefix",
	       "open", "waiting", "wait min", "provider");
	for (guint i = 0; i < json_array_get_length(services); i++) {
		JsonObject *s = json_array_get_object_element(services, i);
		gint64 wait_s = ctl_int(s, "wait_s", -1); /* null: no counter open for it */
		g_autofree char *wait =
		    wait_s < 0 ? g_strdup("no counter")
			       : g_strdup_printf("%" G_GINT64_FORMAT, (wait_s + 59) / 60);

		printf("%-14s %-6s %-5s %7" G_GINT64_FORMAT " %10s  %s\n", ctl_str(s, "code"),
		       ctl_str(s, "prefix"),
		       json_object_get_boolean_member(s, "open") ? "yes" : "no",
		       ctl_int(s, "waiting", 0), wait, ctl_str(s, "provider"));
	}
	printf("\n%-8s %-22s %-7s %s\n", "counter", "name", "state", "ticket");
	for (guint i = 0; i < json_array_get_length(counters); i++) {
		JsonObject *k = json_array_get_object_element(counters, i);
		JsonObject *t = ctl_obj(k, "ticket");

		printf("%-8" G_GINT64_FORMAT " %-22s %-7s %s\n", ctl_int(k, "id", 0),
		       ctl_str(k, "name"),
		       json_object_get_boolean_member(k, "open") ? "open" : "closed",
		       t ? ctl_str(t, "code") : "-");
	}
}

static int ctl_status(struct ctl *c)
{
	return ctl_get_print(c, "/api/status", ctl_status_human);
}

static void ctl_health_human(JsonObject *o)
{
	/* Anonymous callers get the status alone. */
	if (!json_object_has_member(o, "faults")) {
		printf("%s (log in with vuoroctl login for the parts and their faults)\n",
		       ctl_str(o, "status"));
		return;
	}
	printf("%s: %s, version %s, up %" G_GINT64_FORMAT " s\n", ctl_str(o, "site"),
	       ctl_str(o, "status"), ctl_str(o, "version"), ctl_int(o, "uptime_s", 0));
}

static int ctl_health(struct ctl *c)
{
	return ctl_get_print(c, "/api/health", ctl_health_human);
}

static void ctl_queue_human(JsonObject *o)
{
	JsonArray *tickets = json_object_get_array_member(o, "tickets");

	for (guint i = 0; i < json_array_get_length(tickets); i++)
		ctl_print_ticket(json_array_get_object_element(tickets, i));
	if (json_array_get_length(tickets) == 0)
		printf("no tickets in line\n");
}

static int ctl_queue(struct ctl *c)
{
	g_autofree char *path = c->service ? g_strdup_printf("/api/queue?service=%s", c->service)
					   : g_strdup("/api/queue");

	return ctl_get_print(c, path, ctl_queue_human);
}

static int ctl_issue(struct ctl *c)
{
	g_autoptr(JsonNode) body = NULL;
	g_autoptr(JsonNode) node = NULL;
	int rc;

	if (c->n_args < 1) {
		ctl_fail("issue needs a service code (vuoroctl status lists them)");
		return CTL_USAGE;
	}
	body = ctl_json_object("service", G_TYPE_STRING, c->args[0], "lang", G_TYPE_STRING, c->lang,
			       "handout", G_TYPE_STRING, c->handout, NULL);
	if (c->priority > 0)
		json_object_set_int_member(json_node_get_object(body), "priority", c->priority);
	rc = ctl_call(c, "POST", "/api/tickets", body, NULL, NULL, &node, NULL);
	return rc == CTL_OK ? ctl_print_result(c, node) : rc;
}

static int ctl_cancel(struct ctl *c)
{
	g_autofree char *path = NULL;
	g_autoptr(JsonNode) node = NULL;
	int rc;

	if (c->n_args < 1) {
		ctl_fail("cancel needs a ticket id");
		return CTL_USAGE;
	}
	path = g_strdup_printf("/api/tickets/%s/cancel", c->args[0]);
	rc = ctl_call(c, "POST", path, NULL, NULL, NULL, &node, NULL);
	return rc == CTL_OK ? ctl_print_result(c, node) : rc;
}

static int ctl_open(struct ctl *c)
{
	return ctl_counter_cmd(c, "open",
			       ctl_json_object("profile", G_TYPE_STRING, c->profile, NULL), 0);
}

static int ctl_close(struct ctl *c)
{
	return ctl_counter_cmd(c, "close", NULL, 0);
}

static int ctl_call_next(struct ctl *c)
{
	JsonNode *body =
	    c->ticket > 0 ? ctl_json_object("ticket", G_TYPE_INT64, (gint64)c->ticket, NULL) : NULL;

	return ctl_counter_cmd(c, "call", body, 0);
}

static int ctl_recall(struct ctl *c)
{
	return ctl_counter_cmd(c, "recall", NULL, 0);
}

static int ctl_start(struct ctl *c)
{
	return ctl_counter_cmd(c, "start", NULL, 0);
}

static int ctl_noshow(struct ctl *c)
{
	return ctl_counter_cmd(c, "noshow", NULL, 0);
}

static int ctl_park(struct ctl *c)
{
	return ctl_counter_cmd(c, "park", NULL, 0);
}

static int ctl_resume(struct ctl *c)
{
	if (c->ticket <= 0) {
		ctl_fail("resume needs --ticket ID (vuoroctl queue shows parked tickets)");
		return CTL_USAGE;
	}
	return ctl_counter_cmd(c, "resume",
			       ctl_json_object("ticket", G_TYPE_INT64, (gint64)c->ticket, NULL), 0);
}

static int ctl_transfer(struct ctl *c)
{
	JsonNode *body;

	if (!c->service && c->to_counter <= 0) {
		ctl_fail("transfer needs --service CODE and/or --to-counter N");
		return CTL_USAGE;
	}
	body = ctl_json_object("service", G_TYPE_STRING, c->service, "front", G_TYPE_BOOLEAN,
			       c->front, NULL);
	if (c->to_counter > 0)
		json_object_set_int_member(json_node_get_object(body), "counter", c->to_counter);
	if (c->note)
		json_object_set_string_member(json_node_get_object(body), "note", c->note);
	return ctl_counter_cmd(c, "transfer", body, 0);
}

/* A visit that had no ticket: a phone call, a walk-up, the provider's staff. */
static int ctl_visit(struct ctl *c)
{
	g_autoptr(JsonNode) body = NULL;
	g_autoptr(JsonNode) node = NULL;
	JsonObject *o;
	int rc;

	if (!c->service || !c->channel) {
		ctl_fail("visit needs --service CODE and --channel C (phone, in_person, "
			 "provider_on_site, …)");
		return CTL_USAGE;
	}
	body = ctl_json_object("service", G_TYPE_STRING, c->service, "channel", G_TYPE_STRING,
			       c->channel, "outcome", G_TYPE_STRING,
			       c->outcome ? c->outcome : "resolved", NULL);
	if (c->minutes > 0)
		json_object_set_int_member(json_node_get_object(body), "service_min", c->minutes);
	if (c->counter > 0)
		json_object_set_int_member(json_node_get_object(body), "counter", c->counter);
	rc = ctl_call(c, "POST", "/api/visits", body, NULL, NULL, &node, NULL);
	if (rc != CTL_OK)
		return rc;
	if (c->json) {
		ctl_print_json(node);
		return CTL_OK;
	}
	o = json_node_get_object(node);
	printf("visit %" G_GINT64_FORMAT " recorded: %s (%s), %s, %s%s\n", ctl_int(o, "id", 0),
	       ctl_str(o, "service"), ctl_str(o, "provider"), ctl_str(o, "channel"),
	       ctl_str(o, "outcome"),
	       json_object_get_boolean_member_with_default(o, "trial", FALSE) ? ", trial" : "");
	return CTL_OK;
}

static int ctl_end(struct ctl *c)
{
	return ctl_counter_cmd(c, "end",
			       ctl_json_object("outcome", G_TYPE_STRING, c->outcome, "channel",
					       G_TYPE_STRING, c->channel, NULL),
			       0);
}

static int ctl_checkin(struct ctl *c)
{
	g_autoptr(JsonNode) body = NULL;
	g_autoptr(JsonNode) node = NULL;
	int rc;

	if (c->n_args < 1) {
		ctl_fail("checkin needs the booking code");
		return CTL_USAGE;
	}
	body = ctl_json_object("code", G_TYPE_STRING, c->args[0], "lang", G_TYPE_STRING, c->lang,
			       NULL);
	rc = ctl_call(c, "POST", "/api/checkin", body, NULL, NULL, &node, NULL);
	return rc == CTL_OK ? ctl_print_result(c, node) : rc;
}

static void ctl_users_human(JsonObject *o)
{
	JsonArray *users = json_object_get_array_member(o, "users");

	for (guint i = 0; i < json_array_get_length(users); i++) {
		JsonObject *u = json_array_get_object_element(users, i);

		printf("%-24s %s\n", ctl_str(u, "name"), ctl_str(u, "role"));
	}
}

/* visitors: the reception's register (issue 17) */
static void ctl_visitors_human(JsonObject *o)
{
	JsonArray *visitors = json_object_get_array_member(o, "visitors");

	printf("%-5s %-17s %-17s %-28s %s\n", "badge", "in", "out", "name", "host");
	for (guint i = 0; i < json_array_get_length(visitors); i++) {
		JsonObject *v = json_array_get_object_element(visitors, i);
		const char *out = ctl_str(v, "out_local");

		printf("%-5" G_GINT64_FORMAT " %-17s %-17s %-28s %s\n", ctl_int(v, "badge", 0),
		       ctl_str(v, "in_local"), out && *out ? out : "(in)", ctl_str(v, "name"),
		       ctl_str(v, "host"));
	}
	printf("\n%" G_GINT64_FORMAT " in the building\n", ctl_int(o, "in_building", 0));
}

static int ctl_visitors(struct ctl *c)
{
	const char *which = c->n_args > 0 ? c->args[0] : "today";
	g_autofree char *escaped = NULL;
	g_autofree char *path = NULL;

	if (strcmp(which, "today") == 0)
		return ctl_get_print(c, "/api/visitors", ctl_visitors_human);
	if (strcmp(which, "in") == 0)
		return ctl_get_print(c, "/api/visitors?in=1", ctl_visitors_human);
	escaped = g_uri_escape_string(which, NULL, FALSE);
	path = g_strdup_printf("/api/visitors?day=%s", escaped);
	return ctl_get_print(c, path, ctl_visitors_human);
}

static int ctl_users(struct ctl *c)
{
	const char *sub = c->n_args > 0 ? c->args[0] : "list";
	g_autofree char *password = NULL;
	g_autoptr(JsonNode) body = NULL;
	g_autoptr(JsonNode) node = NULL;
	g_autofree char *path = NULL;
	int rc;

	if (strcmp(sub, "list") == 0)
		return ctl_get_print(c, "/api/users", ctl_users_human);
	if (strcmp(sub, "add") == 0 && c->n_args == 3) {
		password = ctl_read_secret("VUORO_NEW_PASSWORD");
		if (!password)
			return CTL_USAGE;
		body = ctl_json_object("name", G_TYPE_STRING, c->args[1], "role", G_TYPE_STRING,
				       c->args[2], "password", G_TYPE_STRING, password, NULL);
		rc = ctl_call(c, "POST", "/api/users", body, NULL, NULL, &node, NULL);
		if (rc == CTL_OK && !c->json)
			printf("user %s (%s) added\n", c->args[1], c->args[2]);
		return rc;
	}
	if (strcmp(sub, "passwd") == 0 && c->n_args == 2) {
		g_autofree char *old = NULL;

		password = ctl_read_secret("VUORO_NEW_PASSWORD");
		if (!password)
			return CTL_USAGE;
		/* One's own password changes only with the old one. */
		if (c->old_pw || g_getenv("VUORO_OLD_PASSWORD")) {
			old = ctl_read_secret("VUORO_OLD_PASSWORD");
			if (!old)
				return CTL_USAGE;
		}
		body = old ? ctl_json_object("password", G_TYPE_STRING, password, "old",
					     G_TYPE_STRING, old, NULL)
			   : ctl_json_object("password", G_TYPE_STRING, password, NULL);
		path = g_strdup_printf("/api/users/%s/password", c->args[1]);
		rc = ctl_call(c, "POST", path, body, NULL, NULL, &node, NULL);
		if (rc == CTL_OK && !c->json)
			printf("password of %s changed\n", c->args[1]);
		return rc;
	}
	if ((strcmp(sub, "disable") == 0 || strcmp(sub, "enable") == 0) && c->n_args == 2) {
		path = g_strdup_printf("/api/users/%s/%s", c->args[1], sub);
		rc = ctl_call(c, "POST", path, NULL, NULL, NULL, &node, NULL);
		if (rc == CTL_OK && !c->json)
			printf("user %s %sd%s\n", c->args[1], sub,
			       strcmp(sub, "disable") == 0 ? ": their sessions ended" : "");
		return rc;
	}
	ctl_fail("usage: users list | users add NAME ROLE (advisor, expert, technician, manager, "
		 "admin, reception) | users passwd NAME [--old] "
		 "(new password on stdin or in VUORO_NEW_PASSWORD; with --old, your own old "
		 "password on the next line or in VUORO_OLD_PASSWORD) | users disable NAME | "
		 "users enable NAME");
	return CTL_USAGE;
}

static void ctl_devices_human(JsonObject *o)
{
	JsonArray *devices = json_object_get_array_member(o, "devices");

	for (guint i = 0; devices && i < json_array_get_length(devices); i++) {
		JsonObject *d = json_array_get_object_element(devices, i);

		printf("%-20s %-6s", ctl_str(d, "name"), ctl_str(d, "role"));
		if (ctl_int(d, "booth", 0))
			printf(" booth %-4" G_GINT64_FORMAT, ctl_int(d, "booth", 0));
		else
			printf(" %-10s", "");
		printf(" %s\n", ctl_int(d, "paired_at", 0) ? "paired" : "not paired");
	}
}

/* Devices: a kiosk or a booth's screen, each with its own credential. */
static int ctl_devices(struct ctl *c)
{
	const char *sub = c->n_args > 0 ? c->args[0] : "list";
	g_autoptr(JsonNode) body = NULL;
	g_autoptr(JsonNode) node = NULL;
	g_autofree char *path = NULL;
	JsonObject *o;
	int rc;

	if (strcmp(sub, "list") == 0 && c->n_args <= 1)
		return ctl_get_print(c, "/api/devices", ctl_devices_human);
	if (strcmp(sub, "add") == 0 && c->n_args == 3) {
		body = ctl_json_object("name", G_TYPE_STRING, c->args[1], "role", G_TYPE_STRING,
				       c->args[2], "booth", G_TYPE_INT64, (gint64)c->booth, NULL);
		rc = ctl_call(c, "POST", "/api/devices", body, NULL, NULL, &node, NULL);
		if (rc != CTL_OK)
			return rc;
		if (c->json) {
			ctl_print_json(node);
			return rc;
		}
		o = json_node_get_object(node);
		printf("device %s (%s) added; its token, shown only now:\n%s\n", c->args[1],
		       c->args[2], ctl_str(o, "token"));
		return rc;
	}
	if ((strcmp(sub, "revoke") == 0 || strcmp(sub, "pair") == 0) && c->n_args == 2) {
		path = g_strdup_printf("/api/devices/%s/%s", c->args[1], sub);
		rc = ctl_call(c, "POST", path, NULL, NULL, NULL, &node, NULL);
		if (rc != CTL_OK)
			return rc;
		if (c->json) {
			ctl_print_json(node);
			return rc;
		}
		o = json_node_get_object(node);
		if (strcmp(sub, "revoke") == 0)
			printf("device %s revoked\n", c->args[1]);
		else
			printf("pairing code for %s: %s (once, for 10 minutes): enter it on the "
			       "device's page, or open the page with ?pair=%s\n",
			       c->args[1], ctl_str(o, "code"), ctl_str(o, "code"));
		return rc;
	}
	ctl_fail("usage: devices list | devices add NAME kiosk | devices add NAME booth --booth N "
		 "| devices revoke NAME | devices pair NAME");
	return CTL_USAGE;
}

static void ctl_report_human(JsonObject *o)
{
	JsonArray *rows = json_object_get_array_member(o, "monthly");

	printf("%-12s %-8s %7s %7s %7s %9s %9s %8s\n", "provider", "month", "visits", "remote",
	       "noshow", "wait med", "wait p90", "in target");
	for (guint i = 0; rows && i < json_array_get_length(rows); i++) {
		JsonObject *r = json_array_get_object_element(rows, i);
		JsonObject *ch = ctl_obj(r, "channels");

		printf("%-12s %-8s %7" G_GINT64_FORMAT " %7" G_GINT64_FORMAT " %7" G_GINT64_FORMAT
		       " %8" G_GINT64_FORMAT "m %8" G_GINT64_FORMAT "m %7" G_GINT64_FORMAT "%%\n",
		       ctl_str(r, "provider"), ctl_str(r, "month"), ctl_int(r, "visits", 0),
		       ctl_int(ch, "remote_video", 0), ctl_int(r, "no_shows", 0),
		       ctl_int(r, "wait_median_s", 0) / 60, ctl_int(r, "wait_p90_s", 0) / 60,
		       ctl_int(r, "within_target_pct", 0));
	}
}

/* A figure or "-" when there is none (JSON null). */
static void ctl_cell(JsonObject *o, const char *name, int width, int divisor, const char *unit)
{
	JsonNode *n = o && json_object_has_member(o, name) ? json_object_get_member(o, name) : NULL;

	if (!n || !JSON_NODE_HOLDS_VALUE(n))
		printf(" %*s", width, "-");
	else if (json_node_get_value_type(n) == G_TYPE_DOUBLE)
		printf(" %*.*f%s", width - (int)strlen(unit), divisor, json_node_get_double(n),
		       unit);
	else
		printf(" %*" G_GINT64_FORMAT "%s", width - (int)strlen(unit),
		       json_node_get_int(n) / MAX(divisor, 1), unit);
}

static void ctl_counts(JsonObject *o, const char *name, guint from, guint to, int width)
{
	JsonArray *a = o ? json_object_get_array_member(o, name) : NULL;

	for (guint i = from; i < to; i++)
		printf(" %*" G_GINT64_FORMAT, width,
		       a && i < json_array_get_length(a) ? json_array_get_int_element(a, i) : 0);
}

/* One report kind (GET /api/report?kind=K) as a table: a row per period and
 * provider (or counter), the site's ("*") and the whole range's ("total")
 * too. */
static void ctl_report_kind_human(JsonObject *o)
{
	static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
	JsonArray *rows = NULL;
	const char *kind = NULL;
	guint h0 = 24, h1 = 0;

	for (int k = 0; k < REPORT_N_KINDS && !rows; k++) {
		kind = report_kind_name(k);
		rows =
		    json_object_has_member(o, kind) ? json_object_get_array_member(o, kind) : NULL;
	}
	if (!rows)
		return;
	printf("%s, %s to %s (not included), by %s\n", kind, ctl_str(o, "from"), ctl_str(o, "to"),
	       ctl_str(o, "period"));
	if (strcmp(kind, "billing") == 0)
		printf("%-10s %-10s %7s %9s %7s %7s %7s %7s %7s %7s %7s %7s %7s\n", "period",
		       "provider", "events", "in_person", "remote", "e_serv", "paper", "phone",
		       "on_site", "noshow", "cancel", "interr", "trial");
	else if (strcmp(kind, "times") == 0)
		printf("%-10s %-10s %7s %9s %9s %8s %7s %9s %9s\n", "period", "provider", "waited",
		       "wait med", "wait p90", "in tgt", "served", "serv med", "serv p90");
	else if (strcmp(kind, "idle") == 0)
		printf("%-10s %7s %8s %8s %8s %7s\n", "period", "counter", "open", "busy", "idle",
		       "idle");
	else if (strcmp(kind, "feedback") == 0)
		printf("%-10s %-10s %6s %6s %5s %5s %5s %5s %5s\n", "period", "provider", "count",
		       "mean", "1", "2", "3", "4", "5");
	else if (strcmp(kind, "categories") == 0)
		printf("%-10s %-10s %-24s %7s\n", "period", "provider", "category", "events");
	else if (strcmp(kind, "booths") == 0)
		printf("%-10s %5s %-10s %8s %8s %6s %5s %6s %6s %6s %6s %6s %6s %8s %8s\n",
		       "period", "booth", "provider", "open", "session", "occ", "sess", "served",
		       "noans", "netlost", "left", "error", "gone", "wait med", "wait p90");
	else if (strcmp(kind, "pilot") == 0)
		printf("%-10s %-10s %-12s %6s %6s %7s %6s %6s %6s %8s %4s\n", "period", "provider",
		       "service", "events", "prev", "growth", "resolv", "refer", "chains", "staff",
		       "new");
	else {
		/* Arrivals: the hours that had any, after the weekdays. */
		for (guint i = 0; i < json_array_get_length(rows); i++) {
			JsonArray *h = json_object_get_array_member(
			    json_array_get_object_element(rows, i), "hours");

			for (guint k = 0; k < json_array_get_length(h); k++)
				if (json_array_get_int_element(h, k)) {
					h0 = MIN(h0, k);
					h1 = MAX(h1, k + 1);
				}
		}
		h0 = MIN(h0, h1);
		printf("%-10s %-10s %7s", "period", "provider", "tickets");
		for (int d = 0; d < 7; d++)
			printf(" %5s", days[d]);
		for (guint k = h0; k < h1; k++)
			printf("   %02u", k);
		printf("\n");
	}
	for (guint i = 0; i < json_array_get_length(rows); i++) {
		JsonObject *r = json_array_get_object_element(rows, i);

		printf("%-10s", ctl_str(r, "period"));
		if (strcmp(kind, "idle") == 0) {
			ctl_cell(r, "counter", 8, 1, "");
			ctl_cell(r, "open_s", 8, 3600, "h");
			ctl_cell(r, "busy_s", 8, 3600, "h");
			ctl_cell(r, "idle_s", 8, 3600, "h");
			ctl_cell(r, "idle_pct", 7, 1, "%");
			printf("\n");
			continue;
		}
		if (strcmp(kind, "booths") == 0) {
			static const char *const ends[] = {"served",       "no_answer",
							   "network_lost", "customer_left",
							   "error",        "left_before_served"};

			ctl_cell(r, "booth", 6, 1, "");
			printf(" %-10s", ctl_str(r, "provider"));
			ctl_cell(r, "open_s", 8, 3600, "h");
			ctl_cell(r, "session_s", 8, 3600, "h");
			ctl_cell(r, "occupancy_pct", 6, 1, "%");
			ctl_cell(r, "sessions", 5, 1, "");
			for (size_t e = 0; e < G_N_ELEMENTS(ends); e++)
				ctl_cell(r, ends[e], 6, 1, "");
			ctl_cell(r, "wait_median_s", 8, 60, "m");
			ctl_cell(r, "wait_p90_s", 8, 60, "m");
			printf("\n");
			continue;
		}
		if (strcmp(kind, "pilot") == 0) {
			printf(" %-10s %-12s", ctl_str(r, "provider"), ctl_str(r, "service"));
			ctl_cell(r, "events", 6, 1, "");
			ctl_cell(r, "previous_events", 6, 1, "");
			ctl_cell(r, "growth_pct", 7, 1, "%");
			ctl_cell(r, "resolved_pct", 6, 1, "%");
			ctl_cell(r, "referred_pct", 6, 1, "%");
			ctl_cell(r, "chains", 6, 1, "");
			ctl_cell(r, "staff_s", 8, 3600, "h");
			ctl_cell(r, "new_services", 4, 1, "");
			printf("\n");
			continue;
		}
		printf(" %-10s", ctl_str(r, "provider"));
		if (strcmp(kind, "billing") == 0) {
			JsonObject *ch = ctl_obj(r, "channels");

			ctl_cell(r, "events", 7, 1, "");
			ctl_cell(ch, "in_person", 9, 1, "");
			ctl_cell(ch, "remote_video", 7, 1, "");
			ctl_cell(ch, "e_service", 7, 1, "");
			ctl_cell(ch, "paper_form", 7, 1, "");
			ctl_cell(ch, "phone", 7, 1, "");
			ctl_cell(ch, "provider_on_site", 7, 1, "");
			ctl_cell(r, "no_shows", 7, 1, "");
			ctl_cell(r, "cancelled", 7, 1, "");
			ctl_cell(r, "interrupted", 7, 1, "");
			ctl_cell(ctl_obj(r, "trial"), "events", 7, 1, "");
		} else if (strcmp(kind, "times") == 0) {
			ctl_cell(r, "waited", 7, 1, "");
			ctl_cell(r, "wait_median_s", 9, 60, "m");
			ctl_cell(r, "wait_p90_s", 9, 60, "m");
			ctl_cell(r, "within_target_pct", 8, 1, "%");
			ctl_cell(r, "served", 7, 1, "");
			ctl_cell(r, "service_median_s", 9, 60, "m");
			ctl_cell(r, "service_p90_s", 9, 60, "m");
		} else if (strcmp(kind, "feedback") == 0) {
			ctl_cell(r, "count", 6, 1, "");
			ctl_cell(r, "mean", 6, 2, "");
			ctl_counts(r, "ratings", 0, 5, 5);
		} else if (strcmp(kind, "categories") == 0) {
			printf(" %-24s", ctl_str(r, "category"));
			ctl_cell(r, "events", 7, 1, "");
		} else {
			ctl_cell(r, "tickets", 7, 1, "");
			ctl_counts(r, "weekdays", 0, 7, 5);
			ctl_counts(r, "hours", h0, h1, 4);
		}
		printf("\n");
	}
}

static int ctl_report(struct ctl *c)
{
	GString *path = g_string_new("/api/report?format=");
	g_autoptr(GBytes) bytes = NULL;
	int rc;

	if (c->kind && report_kind_parse(c->kind) < 0) {
		ctl_fail("--kind is billing, times, arrivals, idle, feedback, categories, booths "
			 "or pilot");
		g_string_free(path, TRUE);
		return CTL_USAGE;
	}
	if (c->period && report_period_parse(c->period) < 0) {
		ctl_fail("--period is day, week or month");
		g_string_free(path, TRUE);
		return CTL_USAGE;
	}
	g_string_append(path, c->csv ? "csv" : "json");
	if (c->from)
		g_string_append_printf(path, "&from=%s", c->from);
	if (c->to)
		g_string_append_printf(path, "&to=%s", c->to);
	if (c->kind)
		g_string_append_printf(path, "&kind=%s", c->kind);
	if (c->period)
		g_string_append_printf(path, "&period=%s", c->period);
	if (!c->csv) {
		rc =
		    ctl_get_print(c, path->str, c->kind ? ctl_report_kind_human : ctl_report_human);
		g_string_free(path, TRUE);
		return rc;
	}
	rc = ctl_call(c, "GET", path->str, NULL, NULL, NULL, NULL, &bytes);
	g_string_free(path, TRUE);
	if (rc == CTL_OK)
		fwrite(g_bytes_get_data(bytes, NULL), 1, g_bytes_get_size(bytes), stdout);
	return rc;
}

static int ctl_db(struct ctl *c)
{
	const char *sub = c->n_args > 0 ? c->args[0] : "";
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(GError) error = NULL;
	int rc;

	if (strcmp(sub, "check") == 0) {
		g_autoptr(JsonNode) node = NULL;

		rc = ctl_call(c, "GET", "/api/db/check", NULL, NULL, NULL, &node, NULL);
		if (rc != CTL_OK)
			return rc;
		if (c->json)
			ctl_print_json(node);
		else
			printf("database integrity: %s\n",
			       ctl_str(json_node_get_object(node), "integrity"));
		return CTL_OK;
	}
	if (strcmp(sub, "backup") == 0 && c->n_args == 2) {
		if (g_file_test(c->args[1], G_FILE_TEST_EXISTS)) {
			ctl_fail("%s exists already: give a new file name", c->args[1]);
			return CTL_USAGE;
		}
		rc = ctl_call(c, "GET", "/api/db/backup", NULL, NULL, NULL, NULL, &bytes);
		if (rc != CTL_OK)
			return rc;
		if (!g_file_set_contents(c->args[1], g_bytes_get_data(bytes, NULL),
					 (gssize)g_bytes_get_size(bytes), &error)) {
			ctl_fail("cannot write %s: %s", c->args[1], error->message);
			return CTL_REFUSED;
		}
		if (!c->json)
			printf("backup written to %s (%zu bytes)\n", c->args[1],
			       g_bytes_get_size(bytes));
		return CTL_OK;
	}
	ctl_fail("usage: db check | db backup FILE");
	return CTL_USAGE;
}

/* POSTs @file as is (@type) to @path: the importers. */
static int ctl_post_file(struct ctl *c, const char *path, const char *file, const char *type,
			 JsonNode **ret_node)
{
	g_autofree char *data = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) raw = NULL;
	gsize len;

	if (!g_file_get_contents(file, &data, &len, &error)) {
		ctl_fail("%s", error->message);
		return CTL_USAGE;
	}
	raw = g_bytes_new_take(g_steal_pointer(&data), len);
	return ctl_call(c, "POST", path, NULL, raw, type, ret_node, NULL);
}

static void ctl_hours_human(JsonObject *o)
{
	JsonArray *list = json_object_get_array_member(o, "exceptions");

	for (guint i = 0; list && i < json_array_get_length(list); i++) {
		JsonObject *e = json_array_get_object_element(list, i);
		JsonObject *names = json_object_get_object_member(e, "names");
		g_autofree char *hours =
		    json_object_get_boolean_member(e, "closed")
			? g_strdup("closed")
			: g_strdup_printf("%s-%s", ctl_str(e, "opens"), ctl_str(e, "closes"));
		g_autofree char *id =
		    json_object_get_null_member(e, "id")
			? g_strdup("-")
			: g_strdup_printf("%" G_GINT64_FORMAT, ctl_int(e, "id", 0));
		JsonArray *svc = json_object_get_null_member(e, "services")
				     ? NULL
				     : json_object_get_array_member(e, "services");
		g_autoptr(GString) services = g_string_new(svc ? "" : "all");
		GList *langs = names ? json_object_get_members(names) : NULL;

		for (guint k = 0; svc && k < json_array_get_length(svc); k++)
			g_string_append_printf(services, "%s%s", k ? "," : "",
					       json_array_get_string_element(svc, k));
		printf("%-5s %s  %-11s %-20s %-12s %s\n", id, ctl_str(e, "date"), hours,
		       services->str, ctl_str(e, "source"),
		       langs ? ctl_str(names, langs->data) : "");
		g_list_free(langs);
	}
}

/* Opening-hour exceptions: the coming ones, an .ics import, a delete. */
static int ctl_hours(struct ctl *c)
{
	const char *sub = c->n_args > 0 ? c->args[0] : "list";
	g_autoptr(JsonNode) node = NULL;
	int rc;

	if (strcmp(sub, "list") == 0 && c->n_args <= 1)
		return ctl_get_print(c, "/api/hours/exceptions", ctl_hours_human);
	if (strcmp(sub, "import") == 0 && c->n_args == 2) {
		rc = ctl_post_file(c, "/api/hours/exceptions/import", c->args[1], "text/calendar",
				   &node);
		if (rc == CTL_OK) {
			if (c->json)
				ctl_print_json(node);
			else
				printf("%" G_GINT64_FORMAT " days imported\n",
				       ctl_int(json_node_get_object(node), "imported", 0));
		}
		return rc;
	}
	if (strcmp(sub, "delete") == 0 && c->n_args == 2) {
		g_autofree char *path =
		    g_strdup_printf("/api/hours/exceptions/%s/delete", c->args[1]);
		rc = ctl_call(c, "POST", path, NULL, NULL, NULL, &node, NULL);
		if (rc == CTL_OK && !c->json)
			printf("exception %s deleted\n", c->args[1]);
		return rc;
	}
	ctl_fail("usage: hours list | hours import FILE.ics | hours delete ID");
	return CTL_USAGE;
}

static void ctl_appointments_human(JsonObject *o)
{
	JsonArray *list = json_object_get_array_member(o, "appointments");

	for (guint i = 0; list && i < json_array_get_length(list); i++) {
		JsonObject *a = json_array_get_object_element(list, i);
		g_autoptr(GDateTime) at = g_date_time_new_from_unix_local(ctl_int(a, "at", 0));
		g_autofree char *when = g_date_time_format(at, "%Y-%m-%d %H:%M");

		printf("%-8s %s  %-12s %-9s %s\n", ctl_str(a, "code"), when, ctl_str(a, "service"),
		       ctl_str(a, "state"), ctl_str(a, "staff") ? ctl_str(a, "staff") : "");
	}
}

static int ctl_appointments(struct ctl *c)
{
	const char *sub = c->n_args > 0 ? c->args[0] : "list";
	g_autoptr(JsonNode) node = NULL;
	g_autoptr(GError) error = NULL;
	int rc;

	if (strcmp(sub, "list") == 0)
		return ctl_get_print(c, "/api/appointments", ctl_appointments_human);
	if (strcmp(sub, "import") == 0 && c->n_args == 2) {
		const char *type =
		    g_str_has_suffix(c->args[1], ".ics") ? "text/calendar" : "text/csv";

		rc = ctl_post_file(c, "/api/appointments/import", c->args[1], type, &node);
		if (rc == CTL_OK) {
			JsonObject *o = json_node_get_object(node);

			if (c->json)
				ctl_print_json(node);
			else
				printf("%" G_GINT64_FORMAT " appointments added, %" G_GINT64_FORMAT
				       " already there\n",
				       ctl_int(o, "added", 0), ctl_int(o, "skipped_existing", 0));
		}
		return rc;
	}
	if (strcmp(sub, "add") == 0 && c->n_args == 3) {
		g_autoptr(JsonNode) body = ctl_json_object("service", G_TYPE_STRING, c->args[1],
							   "at", G_TYPE_STRING, c->args[2], NULL);

		rc = ctl_call(c, "POST", "/api/appointments", body, NULL, NULL, &node, NULL);
		if (rc == CTL_OK) {
			if (c->json)
				ctl_print_json(node);
			else
				printf("booking code %s\n",
				       ctl_str(json_node_get_object(node), "code"));
		}
		return rc;
	}
	ctl_fail("usage: appointments list | appointments add SERVICE 'YYYY-MM-DD HH:MM' | "
		 "appointments import FILE.csv|FILE.ics");
	return CTL_USAGE;
}

/* ---------------------------------------------------------------------- */
/* diag: every part of the front desk, for technicians */

struct ctl_diag {
	struct ctl *c;
	unsigned faults;
};

static void ctl_diag_line(struct ctl_diag *d, const char *part, gboolean ok, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);
static void ctl_diag_line(struct ctl_diag *d, const char *part, gboolean ok, const char *fmt, ...)
{
	g_autofree char *text = NULL;
	va_list ap;

	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	printf("%-10s %-5s %s\n", part, ok ? "ok" : "FAULT", text);
	d->faults += !ok;
}

static gboolean ctl_bool(JsonObject *o, const char *name)
{
	JsonNode *n = o && json_object_has_member(o, name) ? json_object_get_member(o, name) : NULL;

	return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_BOOLEAN &&
	       json_node_get_boolean(n);
}

static void ctl_diag_printer(struct ctl_diag *d, JsonObject *p)
{
	if (!p) {
		ctl_diag_line(d, "printer", TRUE, "none configured");
		return;
	}
	if (ctl_bool(p, "ok"))
		ctl_diag_line(d, "printer", TRUE, "%s: ready, %" G_GINT64_FORMAT " printed%s",
			      ctl_str(p, "device"), ctl_int(p, "printed", 0),
			      ctl_bool(p, "paper_near_end") ? " — paper near end: load a roll soon"
							    : "");
	else
		ctl_diag_line(d, "printer", FALSE, "%s: %s", ctl_str(p, "device"),
			      ctl_str(p, "message") ? ctl_str(p, "message") : "not ready");
}

static int ctl_diag_displays(struct ctl_diag *d)
{
	g_autoptr(JsonNode) node = NULL;
	JsonArray *list;
	int rc = ctl_call(d->c, "GET", "/api/displays", NULL, NULL, NULL, &node, NULL);

	if (rc != CTL_OK)
		return rc;
	list = json_object_get_array_member(json_node_get_object(node), "displays");
	if (json_array_get_length(list) == 0)
		ctl_diag_line(d, "displays", TRUE, "none configured");
	for (guint i = 0; i < json_array_get_length(list); i++) {
		JsonObject *o = json_array_get_object_element(list, i);
		const char *state = ctl_str(o, "state");
		gboolean ok = g_strcmp0(state, "failed") != 0 && g_strcmp0(state, "error") != 0;
		g_autofree char *part = g_strdup_printf("display");

		if (ok)
			ctl_diag_line(d, part, TRUE,
				      "%s: unit %" G_GINT64_FORMAT
				      " on %s (%s), %s, %" G_GINT64_FORMAT " writes, last %.1f ms",
				      ctl_str(o, "name"), ctl_int(o, "unit", 0), ctl_str(o, "bus"),
				      ctl_str(o, "wire"), state, ctl_int(o, "writes", 0),
				      json_object_get_double_member(o, "latency_ms"));
		else
			ctl_diag_line(d, part, FALSE, "%s: %s", ctl_str(o, "name"),
				      ctl_str(o, "message") ? ctl_str(o, "message") : state);
	}
	return CTL_OK;
}

static int ctl_diag_db(struct ctl_diag *d)
{
	g_autoptr(JsonNode) node = NULL;
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(GError) error = NULL;
	guint status =
	    ctl_request(d->c->client, "GET", "/api/db/check", NULL, NULL, NULL, &bytes, &error);
	JsonObject *o;

	if (!status) {
		ctl_fail("%s", error->message);
		return CTL_UNREACHABLE;
	}
	node = ctl_json_parse(bytes);
	o = node && JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
	if (status == 200 && ctl_bool(o, "ok"))
		ctl_diag_line(d, "database", TRUE, "integrity %s", ctl_str(o, "integrity"));
	else if (status == 401 || status == 403)
		ctl_diag_line(d, "database", FALSE,
			      "not checked: log in as a technician (vuoroctl login)");
	else
		ctl_diag_line(
		    d, "database", FALSE, "integrity check failed: %s — restore the last backup",
		    ctl_str(o, "integrity") ? ctl_str(o, "integrity") : ctl_str(o, "message"));
	return CTL_OK;
}

/* Everything vuorod knows about its parts, one line each. */
static int ctl_diag_all(struct ctl_diag *d, const char *only)
{
	g_autoptr(JsonNode) node = NULL;
	JsonObject *h, *x;
	int rc = ctl_call(d->c, "GET", "/api/health", NULL, NULL, NULL, &node, NULL);

	if (rc != CTL_OK)
		return rc;
	h = json_node_get_object(node);
	/* Without a login health says ok or degraded, nothing of the parts. */
	if (!json_object_has_member(h, "faults")) {
		ctl_diag_line(d, "health", g_strcmp0(ctl_str(h, "status"), "ok") == 0,
			      "%s — log in (vuoroctl login) to see each part",
			      ctl_str(h, "status"));
		return !only || strcmp(only, "db") == 0 ? ctl_diag_db(d) : CTL_OK;
	}
	if (!only || strcmp(only, "printer") == 0)
		ctl_diag_printer(d, ctl_obj(h, "printer"));
	if ((!only || strcmp(only, "displays") == 0) && (rc = ctl_diag_displays(d)) != CTL_OK)
		return rc;
	if ((!only || strcmp(only, "gpio") == 0) && (x = ctl_obj(h, "gpio")))
		ctl_diag_line(d, "gpio", ctl_bool(x, "ok"), "%s",
			      ctl_str(x, "message") ? ctl_str(x, "message")
						    : "buttons and lamps ready");
	if ((!only || strcmp(only, "audio") == 0) && (x = ctl_obj(h, "announcer")))
		ctl_diag_line(d, "audio", ctl_bool(x, "ok"), "%s",
			      ctl_str(x, "message") ? ctl_str(x, "message")
						    : "the last announcement played");
	if ((!only || strcmp(only, "disk") == 0) && (x = ctl_obj(h, "disk")))
		ctl_diag_line(d, "disk", ctl_bool(x, "ok"),
			      "%s: %" G_GINT64_FORMAT " MB free of %" G_GINT64_FORMAT " MB%s%s",
			      ctl_str(x, "path"), ctl_int(x, "free_mb", 0),
			      ctl_int(x, "total_mb", 0), ctl_str(x, "message") ? " — " : "",
			      ctl_str(x, "message") ? ctl_str(x, "message") : "");
	if (!only || strcmp(only, "db") == 0)
		return ctl_diag_db(d);
	return CTL_OK;
}

static int ctl_diag_config(struct ctl_diag *d, const char *path)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) cfg = config_load(path, &error);

	if (!cfg) {
		ctl_diag_line(d, "config", FALSE, "%s", error->message);
		return CTL_OK;
	}
	ctl_diag_line(d, "config", TRUE,
		      "%s: %u services, %u counters, %u displays on %u buses, %u buttons, %u lamps",
		      path, cfg->services->len, cfg->counters->len, cfg->displays->len,
		      cfg->display_buses->len, cfg->buttons->len, cfg->lamps->len);
	return CTL_OK;
}

/* Prints what changes on the inputs for @seconds. */
static int ctl_diag_gpio_watch(struct ctl_diag *d, double seconds)
{
	g_autoptr(GHashTable) last = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	gint64 end = g_get_monotonic_time() + (gint64)(seconds * G_USEC_PER_SEC);

	printf("watching the inputs for %.0f s: press the buttons\n", seconds);
	fflush(stdout);
	do {
		g_autoptr(JsonNode) node = NULL;
		JsonArray *lines;
		int rc = ctl_call(d->c, "GET", "/api/gpio", NULL, NULL, NULL, &node, NULL);

		if (rc != CTL_OK)
			return rc;
		lines = json_object_get_array_member(json_node_get_object(node), "lines");
		for (guint i = 0; i < json_array_get_length(lines); i++) {
			JsonObject *o = json_array_get_object_element(lines, i);
			g_autofree char *now =
			    g_strdup_printf("value %" G_GINT64_FORMAT " presses %" G_GINT64_FORMAT
					    " ignored %" G_GINT64_FORMAT,
					    ctl_int(o, "value", 0), ctl_int(o, "presses", 0),
					    ctl_int(o, "ignored", 0));
			const char *was = g_hash_table_lookup(last, ctl_str(o, "name"));

			if (g_strcmp0(ctl_str(o, "kind"), "button") != 0 ||
			    g_strcmp0(was, now) == 0)
				continue;
			if (was)
				printf("%-16s line %-3" G_GINT64_FORMAT " %s\n", ctl_str(o, "name"),
				       ctl_int(o, "line", 0), now);
			fflush(stdout);
			g_hash_table_insert(last, g_strdup(ctl_str(o, "name")),
					    g_steal_pointer(&now));
		}
		g_usleep(100 * 1000);
	} while (g_get_monotonic_time() < end);
	return CTL_OK;
}

static int ctl_diag_post(struct ctl_diag *d, const char *part, const char *path, JsonNode *body)
{
	g_autoptr(JsonNode) node = NULL;
	JsonObject *o;
	int rc = ctl_call(d->c, "POST", path, body, NULL, NULL, &node, NULL);

	if (rc != CTL_OK)
		return rc;
	if (d->c->json) {
		ctl_print_json(node);
		return CTL_OK;
	}
	o = json_node_get_object(node);
	if (json_object_has_member(o, "units")) {
		JsonArray *u = json_object_get_array_member(o, "units");
		GString *s = g_string_new(NULL);

		for (guint i = 0; i < json_array_get_length(u); i++)
			g_string_append_printf(s, "%s%" G_GINT64_FORMAT, i ? ", " : "",
					       json_array_get_int_element(u, i));
		ctl_diag_line(d, part, TRUE, "units answering: %s", s->len ? s->str : "none");
		g_string_free(s, TRUE);
	} else if (json_object_has_member(o, "id")) {
		ctl_diag_line(d, part, TRUE,
			      "queued as announcement %" G_GINT64_FORMAT
			      ": listen (vuoroctl diag audio shows how it went)",
			      ctl_int(o, "id", 0));
	} else {
		ctl_diag_line(d, part, ctl_bool(o, "ok"), "%s",
			      ctl_str(o, "error") ? ctl_str(o, "error") : "done: look at it");
	}
	return CTL_OK;
}

/* The card's PIN: --pin, $VUORO_PIN, asked on a terminal, or a line of
 * stdin. */
static char *ctl_identity_pin(struct ctl *c)
{
	const char *env = g_getenv("VUORO_PIN");
	char line[128];

	if (c->pin)
		return g_strdup(c->pin);
	if (env && *env)
		return g_strdup(env);
	if (isatty(STDIN_FILENO)) {
		char *typed = getpass("Card PIN: ");
		char *pin = g_strdup(typed ? typed : "");

		if (typed)
			memset(typed, 0, strlen(typed));
		return pin;
	}
	if (!fgets(line, sizeof(line), stdin))
		return g_strdup("");
	line[strcspn(line, "\r\n")] = 0;
	return g_strdup(line);
}

/* The ID-card reader, checked here and now with the card in it: the same
 * check the booth runs, from the board-config's [identity].  The identity
 * code is never printed. */
static int ctl_diag_identity(struct ctl_diag *d)
{
	const char *env = g_getenv("VUORO_CONFIG");
	const char *path = d->c->config ? d->c->config : env;
	g_autoptr(GError) error = NULL;
	g_autoptr(Config) cfg = NULL;
	g_autoptr(Identity) id = NULL;
	g_autoptr(IdentityResult) r = NULL;
	g_autofree char *pin = NULL;

	cfg = config_load(path && *path ? path : "/etc/vuoro/vuoro.conf", &error);
	if (!cfg) {
		ctl_diag_line(d, "identity", FALSE, "%s", error->message);
		return CTL_OK;
	}
	id = identity_new_from_config(cfg);
	pin = ctl_identity_pin(d->c);
	identity_check(id, pin, &r);
	memset(pin, 0, strlen(pin));
	if (d->c->json) {
		g_autoptr(JsonBuilder) b = json_builder_new();
		g_autoptr(JsonNode) node = NULL;

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "verdict");
		json_builder_add_string_value(b, identity_verdict_name(r->verdict));
		json_builder_set_member_name(b, "detail");
		json_builder_add_string_value(b, r->detail);
		json_builder_set_member_name(b, "name");
		json_builder_add_string_value(b, r->name);
		json_builder_set_member_name(b, "cert_issuer");
		json_builder_add_string_value(b, r->cert_issuer);
		json_builder_set_member_name(b, "cert_serial");
		json_builder_add_string_value(b, r->cert_serial);
		json_builder_set_member_name(b, "pin_tries_left");
		json_builder_add_int_value(b, r->pin_tries_left);
		json_builder_set_member_name(b, "ms");
		json_builder_add_double_value(b, r->ms);
		json_builder_set_member_name(b, "total_ms");
		json_builder_add_double_value(b, r->total_ms);
		json_builder_end_object(b);
		node = json_builder_get_root(b);
		ctl_print_json(node);
		d->faults += r->verdict != IDENTITY_VERIFIED;
		return CTL_OK;
	}
	if (r->verdict == IDENTITY_VERIFIED)
		ctl_diag_line(
		    d, "identity", TRUE,
		    "verified: %s; issuer %s, serial %s; %s key, %s; %.1f ms challenge to "
		    "verdict, %.1f ms in all",
		    r->name, r->cert_issuer, r->cert_serial, r->key_type, r->mechanism, r->ms,
		    r->total_ms);
	else
		ctl_diag_line(d, "identity", FALSE, "%s: %s%s%s%s%s (%.1f ms)",
			      identity_verdict_name(r->verdict), r->detail,
			      r->cert_issuer ? " Certificate issuer " : "",
			      r->cert_issuer ? r->cert_issuer : "",
			      r->cert_serial ? ", serial " : "",
			      r->cert_serial ? r->cert_serial : "", r->total_ms);
	return CTL_OK;
}

static int ctl_diag(struct ctl *c)
{
	struct ctl_diag d = {.c = c};
	const char *part = c->n_args > 0 ? c->args[0] : NULL;
	const char *sub = c->n_args > 1 ? c->args[1] : NULL;
	int rc = CTL_USAGE;

	if (!part || strcmp(part, "all") == 0) {
		rc = ctl_diag_all(&d, NULL);
	} else if (strcmp(part, "config") == 0 && c->n_args == 2) {
		rc = ctl_diag_config(&d, c->args[1]);
	} else if (strcmp(part, "printer") == 0 && !sub) {
		rc = ctl_diag_all(&d, "printer");
	} else if (strcmp(part, "printer") == 0 && strcmp(sub, "test") == 0) {
		g_autoptr(JsonNode) body = ctl_json_object("lang", G_TYPE_STRING, c->lang, NULL);

		rc = ctl_diag_post(&d, "printer", "/api/printer/test", body);
	} else if (strcmp(part, "displays") == 0 && !sub) {
		rc = ctl_diag_all(&d, "displays");
	} else if (strcmp(part, "displays") == 0 && strcmp(sub, "test") == 0 && c->n_args == 3) {
		g_autofree char *path = g_strdup_printf("/api/displays/%s/test", c->args[2]);

		rc = ctl_diag_post(&d, "display", path, NULL);
	} else if (strcmp(part, "displays") == 0 && strcmp(sub, "scan") == 0 &&
		   (c->n_args == 3 || c->n_args == 5)) {
		g_autoptr(JsonNode) body = ctl_json_object("bus", G_TYPE_STRING, c->args[2], NULL);

		if (c->n_args == 5) {
			json_object_set_int_member(json_node_get_object(body), "from",
						   g_ascii_strtoll(c->args[3], NULL, 10));
			json_object_set_int_member(json_node_get_object(body), "to",
						   g_ascii_strtoll(c->args[4], NULL, 10));
		}
		rc = ctl_diag_post(&d, "displays", "/api/displays/scan", body);
	} else if (strcmp(part, "gpio") == 0 && !sub) {
		rc = ctl_diag_all(&d, "gpio");
	} else if (strcmp(part, "gpio") == 0 && strcmp(sub, "watch") == 0 && c->n_args <= 3) {
		rc =
		    ctl_diag_gpio_watch(&d, c->n_args == 3 ? g_ascii_strtod(c->args[2], NULL) : 10);
	} else if (strcmp(part, "gpio") == 0 && strcmp(sub, "toggle") == 0 && c->n_args == 4) {
		g_autoptr(JsonNode) body =
		    ctl_json_object("name", G_TYPE_STRING, c->args[2], "on", G_TYPE_BOOLEAN,
				    (gboolean)(strcmp(c->args[3], "on") == 0), NULL);

		rc = ctl_diag_post(&d, "lamp", "/api/gpio/lamp", body);
	} else if (strcmp(part, "gpio") == 0 && strcmp(sub, "press") == 0 && c->n_args == 3) {
		g_autoptr(JsonNode) body = ctl_json_object("name", G_TYPE_STRING, c->args[2], NULL);

		rc = ctl_call(c, "POST", "/api/gpio/sim", body, NULL, NULL, NULL, NULL);
	} else if (strcmp(part, "audio") == 0 && !sub) {
		rc = ctl_diag_all(&d, "audio");
	} else if (strcmp(part, "audio") == 0 &&
		   (strcmp(sub, "tone") == 0 || strcmp(sub, "speech") == 0) && c->n_args <= 3) {
		g_autoptr(JsonNode) body =
		    ctl_json_object("kind", G_TYPE_STRING, sub, "lang", G_TYPE_STRING,
				    c->n_args == 3 ? c->args[2] : c->lang, NULL);

		rc = ctl_diag_post(&d, "audio", "/api/announcer/test", body);
	} else if (strcmp(part, "disk") == 0 && !sub) {
		rc = ctl_diag_all(&d, "disk");
	} else if (strcmp(part, "db") == 0 && !sub) {
		rc = ctl_diag_db(&d);
	} else if (strcmp(part, "identity") == 0 && !sub) {
		rc = ctl_diag_identity(&d);
	}
	if (rc == CTL_USAGE)
		ctl_fail(
		    "usage: diag [all] | printer [test] | displays [test NAME | scan BUS "
		    "[FROM TO]] | gpio [watch [SECONDS] | toggle LAMP on|off | press BUTTON] | "
		    "audio [tone | speech [LANG]] | disk | db | config FILE | identity [--pin PIN] "
		    "[--config FILE]");
	if (rc == CTL_OK && d.faults)
		return CTL_REFUSED;
	return rc;
}

static const struct ctl_cmd ctl_cmds[] = {
    {"login", "[USER]", ctl_login, "log in (password on stdin or in VUORO_PASSWORD)"},
    {"logout", "", ctl_logout, "end the session"},
    {"health", "", ctl_health, "is vuorod up"},
    {"status", "", ctl_status, "services, waiting, estimates, counters"},
    {"queue", "[--service CODE]", ctl_queue, "tickets in line"},
    {"issue", "SERVICE [--lang LANG]", ctl_issue, "draw a ticket"},
    {"cancel", "TICKET-ID", ctl_cancel, "cancel a ticket"},
    {"open", "[COUNTER] [--profile P]", ctl_open, "open a counter"},
    {"close", "[COUNTER]", ctl_close, "close a counter"},
    {"call", "[COUNTER] [--ticket ID]", ctl_call_next, "call the next ticket"},
    {"recall", "[COUNTER]", ctl_recall, "call the current ticket again"},
    {"start", "[COUNTER]", ctl_start, "the customer arrived"},
    {"noshow", "[COUNTER]", ctl_noshow, "the customer did not come"},
    {"park", "[COUNTER]", ctl_park, "set the current ticket aside"},
    {"resume", "[COUNTER] --ticket ID", ctl_resume, "take a parked ticket back"},
    {"transfer", "[COUNTER] --service CODE|--to-counter N [--front] [--note TEXT]", ctl_transfer,
     "send the customer on"},
    {"visit", "--service CODE --channel C [--outcome O] [--minutes N]", ctl_visit,
     "record a visit that had no ticket"},
    {"end", "[COUNTER] [--outcome O] [--channel C]", ctl_end, "end the visit"},
    {"checkin", "CODE", ctl_checkin, "check in an appointment"},
    {"appointments", "list|add|import", ctl_appointments, "booked appointments"},
    {"hours", "list|import FILE.ics|delete ID", ctl_hours,
     "opening-hour exceptions: holidays, closed days, special hours"},
    {"users", "list|add NAME ROLE|passwd NAME [--old]|disable NAME|enable NAME", ctl_users,
     "user accounts"},
    {"visitors", "[today|in|YYYY-MM-DD]", ctl_visitors,
     "the visitor register (reception, managers, admins)"},
    {"devices", "list|add NAME kiosk|add NAME booth --booth N|revoke NAME|pair NAME", ctl_devices,
     "kiosks and booth screens, each with its own credential (admin)"},
    {"report", "[--from D] [--to D] [--period P] [--kind K] [--csv]", ctl_report,
     "monthly figures per provider; --kind "
     "billing|times|arrivals|idle|feedback|categories|booths|pilot"},
    {"db", "check|backup FILE", ctl_db, "database integrity and online backup"},
    {"diag", "[PART [ACTION]]", ctl_diag,
     "diagnostics: printer, displays, gpio, audio, disk, db, config, identity (exit 1 on a "
     "fault)"},
};

static char *ctl_summary(void)
{
	GString *s = g_string_new("Commands:\n");

	for (size_t i = 0; i < G_N_ELEMENTS(ctl_cmds); i++)
		g_string_append_printf(s, "  %-13s %-48s %s\n", ctl_cmds[i].name, ctl_cmds[i].usage,
				       ctl_cmds[i].help);
	g_string_append(s, "\nCOUNTER defaults to --counter, $VUORO_COUNTER, or the counter of "
			   "the last command.\nExit: 0 done, 1 refused, 2 usage, 3 vuorod "
			   "unreachable.");
	return g_string_free(s, FALSE);
}

int main(int argc, char **argv)
{
	struct ctl c = {0};
	gboolean version = FALSE;
	GOptionEntry entries[] = {
	    {"url", 'u', 0, G_OPTION_ARG_STRING, &c.url,
	     "vuorod's address (default $VUORO_URL or " CTL_DEFAULT_URL ")", "URL"},
	    {"json", 'j', 0, G_OPTION_ARG_NONE, &c.json, "print JSON", NULL},
	    {"counter", 0, 0, G_OPTION_ARG_INT, &c.counter, "counter number", "N"},
	    {"booth", 0, 0, G_OPTION_ARG_INT, &c.booth, "devices add: the booth of a booth screen",
	     "N"},
	    {"old", 0, 0, G_OPTION_ARG_NONE, &c.old_pw,
	     "users passwd: your old password follows the new one on stdin", NULL},
	    {"ticket", 0, 0, G_OPTION_ARG_INT, &c.ticket, "ticket id", "ID"},
	    {"lang", 0, 0, G_OPTION_ARG_STRING, &c.lang, "a language of the site: fi, sv, uk, …",
	     "LANG"},
	    {"handout", 0, 0, G_OPTION_ARG_STRING, &c.handout, "screen or printer", "HOW"},
	    {"priority", 0, 0, G_OPTION_ARG_INT, &c.priority, "priority 0-9 (staff)", "N"},
	    {"profile", 0, 0, G_OPTION_ARG_STRING, &c.profile, "service profile", "P"},
	    {"service", 0, 0, G_OPTION_ARG_STRING, &c.service, "service code", "CODE"},
	    {"to-counter", 0, 0, G_OPTION_ARG_INT, &c.to_counter, "transfer to counter", "N"},
	    {"front", 0, 0, G_OPTION_ARG_NONE, &c.front, "transfer to the front", NULL},
	    {"outcome", 0, 0, G_OPTION_ARG_STRING, &c.outcome, "resolved, referred or follow_up",
	     "O"},
	    {"channel", 0, 0, G_OPTION_ARG_STRING, &c.channel,
	     "in_person, remote_video, e_service, paper_form, phone or provider_on_site", "C"},
	    {"note", 0, 0, G_OPTION_ARG_STRING, &c.note, "transfer: a note for the next server",
	     "TEXT"},
	    {"minutes", 0, 0, G_OPTION_ARG_INT, &c.minutes, "visit: the service time in minutes",
	     "N"},
	    {"from", 0, 0, G_OPTION_ARG_STRING, &c.from, "report from (YYYY-MM-DD)", "D"},
	    {"to", 0, 0, G_OPTION_ARG_STRING, &c.to, "report to (YYYY-MM-DD)", "D"},
	    {"csv", 0, 0, G_OPTION_ARG_NONE, &c.csv, "report as CSV", NULL},
	    {"kind", 0, 0, G_OPTION_ARG_STRING, &c.kind,
	     "report: billing, times, arrivals, idle, feedback, categories, booths or pilot", "K"},
	    {"period", 0, 0, G_OPTION_ARG_STRING, &c.period, "report by day, week or month", "P"},
	    {"pin", 0, 0, G_OPTION_ARG_STRING, &c.pin,
	     "ID card PIN for diag identity (else $VUORO_PIN or asked)", "PIN"},
	    {"config", 0, 0, G_OPTION_ARG_FILENAME, &c.config,
	     "board-config for diag identity (default $VUORO_CONFIG or /etc/vuoro/vuoro.conf)",
	     "FILE"},
	    {"version", 'V', 0, G_OPTION_ARG_NONE, &version, "print the version", NULL},
	    {NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("COMMAND [ARGS…]");
	g_autoptr(GError) error = NULL;
	g_autofree char *summary = ctl_summary();
	g_autofree char *token = NULL;
	const struct ctl_cmd *cmd = NULL;
	int rc;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_summary(ctx, "vuoroctl — command line of the vuoro front desk");
	g_option_context_set_description(ctx, summary);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		ctl_fail("%s (try --help)", error->message);
		return CTL_USAGE;
	}
	if (version) {
		printf("vuoroctl %s\n", VUORO_VERSION);
		return CTL_OK;
	}
	if (argc < 2) {
		g_autofree char *help = g_option_context_get_help(ctx, TRUE, NULL);

		fprintf(stderr, "%s", help);
		return CTL_USAGE;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(ctl_cmds); i++)
		if (strcmp(argv[1], ctl_cmds[i].name) == 0)
			cmd = &ctl_cmds[i];
	if (!cmd) {
		ctl_fail("unknown command \"%s\" (try --help)", argv[1]);
		return CTL_USAGE;
	}
	if (!c.url)
		c.url = g_strdup(g_getenv("VUORO_URL") ? g_getenv("VUORO_URL") : CTL_DEFAULT_URL);
	token = ctl_session_token(c.url);
	c.client = ctl_client_new(c.url, token);
	c.args = argv + 2;
	c.n_args = argc - 2;
	rc = cmd->fn(&c);
	ctl_client_free(c.client);
	g_free(c.url);
	g_free(c.lang);
	g_free(c.profile);
	g_free(c.service);
	g_free(c.outcome);
	g_free(c.channel);
	g_free(c.note);
	g_free(c.from);
	g_free(c.to);
	g_free(c.kind);
	g_free(c.period);
	g_free(c.handout);
	if (c.pin)
		memset(c.pin, 0, strlen(c.pin));
	g_free(c.pin);
	g_free(c.config);
	return rc;
}
