/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * http_guard: see http_guard.h.
 *
 * Invariants.  A connection is known by its GSocket: its record (struct
 * guard_conn) is the socket's object data, so it goes when libsoup lets the
 * socket go, whatever path libsoup took.  The record is in one of three
 * states: BUSY (a request is being read or answered: libsoup owns it),
 * IDLE (answered, kept alive, nothing received since: the guard watches the
 * socket at G_PRIORITY_HIGH, above libsoup's G_PRIORITY_DEFAULT, so it
 * sees a close before libsoup reads it), IDLE_TLS_DATA (TLS only: bytes
 * came that may be a close_notify rather than a request; the guard watches
 * at G_PRIORITY_LOW, after libsoup).  Closing: a BUSY connection is shut
 * down (libsoup reads the EOF on a request it completes, and disconnects
 * it itself); an IDLE one is stolen from libsoup through the answered
 * message and closed; an IDLE_TLS_DATA one whose peer has gone is past
 * libsoup's reach (it already read the EOF), so only its socket is closed.
 */

#include "http_guard.h"
#include "json.h"

#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <json-glib/json-glib.h>
#include <netdb.h>
#include <stdarg.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>

#define GUARD_KEY "vuoro-http-guard"

enum guard_state {
	GUARD_BUSY,
	GUARD_IDLE,
	GUARD_IDLE_TLS_DATA,
};

struct http_guard {
	int refs; /* the owner's and one per message in flight */
	SoupServer *server;
	struct http_guard_limits lim;
	GHashTable *hosts;    /* lower-case names a Host may carry */
	GHashTable *per_addr; /* remote address → struct guard_addr * */
	GHashTable *conns;    /* struct guard_conn * (set) */
	bool default_hosts;   /* no [api] hosts: the listen address counts too */
	gulong sig_started, sig_read, sig_finished, sig_aborted;
};

struct guard_addr {
	unsigned n;
	bool logged; /* "too many connections from" said since it last fell below */
};

struct guard_conn {
	struct http_guard *g; /* NULL once the guard is gone */
	GSocket *sock;        /* not a reference: the record is its data */
	char *addr;
	enum guard_state state;
	bool tls;
	SoupServerMessage *idle_msg; /* IDLE*: the answered message (a reference) */
	GSource *watch;              /* IDLE*: the socket's readability */
	guint idle_timer;            /* IDLE*: idle-timeout-s */
	guint header_timer;          /* BUSY until the request's headers are read */
};

/* Per request: what its body has brought so far. */
struct guard_msg {
	struct http_guard *g; /* a reference */
	gint64 body;
	bool refused;
};

static struct http_guard *guard_ref(struct http_guard *g)
{
	g->refs++;
	return g;
}

static void guard_unref(struct http_guard *g)
{
	if (--g->refs > 0)
		return;
	g_hash_table_unref(g->hosts);
	g_hash_table_unref(g->per_addr);
	g_hash_table_unref(g->conns);
	g_strfreev(g->lim.hosts);
	g_free(g);
}

/* ---------------------------------------------------------------------- */
/* Refusals */

static void G_GNUC_PRINTF(4, 5)
    guard_refuse(SoupServerMessage *msg, guint status, const char *code, const char *fmt, ...)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) node = NULL;
	g_autofree char *message = NULL;
	SoupMessageHeaders *h = soup_server_message_get_response_headers(msg);
	SoupMessageBody *body = soup_server_message_get_request_body(msg);
	struct guard_msg *m = g_object_get_data(G_OBJECT(msg), GUARD_KEY);
	char *text;
	va_list ap;

	va_start(ap, fmt);
	message = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "error");
	json_builder_add_string_value(b, code);
	json_builder_set_member_name(b, "message");
	json_builder_add_string_value(b, message);
	json_builder_end_object(b);
	node = json_builder_get_root(b);
	text = json_to_string(node, FALSE);
	soup_server_message_set_status(msg, status, NULL);
	soup_message_headers_replace(h, "Cache-Control", "no-store");
	soup_message_headers_replace(h, "Connection", "close");
	soup_server_message_set_response(msg, "application/json", SOUP_MEMORY_TAKE, text,
					 strlen(text));
	/* What came of the body is dropped, and what is still to come. */
	soup_message_body_set_accumulate(body, FALSE);
	soup_message_body_truncate(body);
	if (m)
		m->refused = true;
}

/* ---------------------------------------------------------------------- */
/* Connections */

static void guard_idle_stop(struct guard_conn *c)
{
	if (c->watch) {
		g_source_destroy(c->watch);
		g_clear_pointer(&c->watch, g_source_unref);
	}
	g_clear_handle_id(&c->idle_timer, g_source_remove);
	if (c->idle_msg) {
		g_signal_handlers_disconnect_by_data(c->idle_msg, c);
		g_clear_object(&c->idle_msg);
	}
	c->state = GUARD_BUSY;
}

static void guard_conn_free(gpointer data)
{
	struct guard_conn *c = data;
	struct http_guard *g = c->g;

	guard_idle_stop(c);
	g_clear_handle_id(&c->header_timer, g_source_remove);
	if (g) {
		struct guard_addr *a = g_hash_table_lookup(g->per_addr, c->addr);

		g_hash_table_remove(g->conns, c);
		if (a && --a->n == 0)
			g_hash_table_remove(g->per_addr, c->addr);
		else if (a && (int)a->n < g->lim.max_conns_per_addr)
			a->logged = false;
	}
	g_free(c->addr);
	g_free(c);
}

/* The connection is closed, or no longer libsoup's HTTP (a WebSocket):
 * forget it.  @sock's record goes (guard_conn_free). */
static void guard_conn_end(GSocket *sock)
{
	g_object_set_data(G_OBJECT(sock), GUARD_KEY, NULL);
}

static void guard_on_disconnected(SoupServerMessage *msg, gpointer data)
{
	GSocket *sock = data;

	/* Closed by libsoup; or taken over as a WebSocket, open still: that
	 * one counts until its socket goes (guard_conn_free). */
	if (g_socket_is_closed(sock))
		guard_conn_end(sock);
}

/* BUSY: libsoup reads the EOF on the request it is reading and closes. */
static void guard_conn_shutdown(struct guard_conn *c)
{
	g_socket_shutdown(c->sock, TRUE, TRUE, NULL);
}

/* IDLE: take the connection from libsoup and close it.  @c may be gone
 * when this returns. */
static void guard_conn_take(struct guard_conn *c)
{
	g_autoptr(SoupServerMessage) msg = g_object_ref(c->idle_msg);
	g_autoptr(GSocket) sock = g_object_ref(c->sock);
	GIOStream *stream;

	guard_idle_stop(c);
	stream = soup_server_message_steal_connection(msg);
	g_socket_close(sock, NULL);
	if (stream) {
		g_io_stream_close(stream, NULL, NULL);
		g_object_unref(stream);
	}
	guard_conn_end(sock);
}

static void guard_conn_close(struct guard_conn *c)
{
	if (c->state == GUARD_IDLE) {
		guard_conn_take(c);
	} else if (c->state == GUARD_IDLE_TLS_DATA) {
		/* libsoup has read this connection's end already: its objects
		 * stay (upstream bug), its fd does not. */
		g_autoptr(GSocket) sock = g_object_ref(c->sock);

		guard_idle_stop(c);
		g_socket_close(sock, NULL);
		guard_conn_end(sock);
	} else {
		guard_conn_shutdown(c);
	}
}

static gboolean guard_on_idle_timeout(gpointer data)
{
	struct guard_conn *c = data;

	c->idle_timer = 0;
	guard_conn_close(c);
	return G_SOURCE_REMOVE;
}

static gboolean guard_on_header_timeout(gpointer data)
{
	struct guard_conn *c = data;

	c->header_timer = 0;
	g_debug("%s: no complete request within %d s: closing", c->addr,
		c->g ? c->g->lim.header_timeout_s : 0);
	guard_conn_shutdown(c);
	return G_SOURCE_REMOVE;
}

static gboolean guard_on_idle_readable(GSocket *sock, GIOCondition cond, gpointer data);

static void guard_watch(struct guard_conn *c, int priority)
{
	if (c->watch) {
		g_source_destroy(c->watch);
		g_source_unref(c->watch);
	}
	c->watch = g_socket_create_source(c->sock, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
	g_source_set_priority(c->watch, priority);
	g_source_set_callback(c->watch, G_SOURCE_FUNC(guard_on_idle_readable), c, NULL);
	g_source_attach(c->watch, NULL);
}

static gboolean guard_on_idle_readable(GSocket *sock, GIOCondition cond, gpointer data)
{
	struct guard_conn *c = data;
	char byte;
	ssize_t n = recv(g_socket_get_fd(sock), &byte, 1, MSG_PEEK | MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return G_SOURCE_CONTINUE;
	if (n > 0 && c->state == GUARD_IDLE) {
		/* The next request: libsoup's (it says request-started). */
		g_clear_pointer(&c->watch, g_source_unref);
		if (c->tls) {
			/* ... or a TLS close_notify: watch on, after libsoup. */
			c->state = GUARD_IDLE_TLS_DATA;
			guard_watch(c, G_PRIORITY_LOW);
		}
		return G_SOURCE_REMOVE;
	}
	/* The peer closed (or reset) an idle connection; or, watched after
	 * libsoup (IDLE_TLS_DATA), bytes libsoup no longer reads: it took a
	 * close_notify for the end and left the connection. */
	g_clear_pointer(&c->watch, g_source_unref);
	guard_conn_close(c);
	return G_SOURCE_REMOVE;
}

static struct guard_conn *guard_conn_of(SoupServerMessage *msg)
{
	GSocket *sock = soup_server_message_get_socket(msg);

	return sock ? g_object_get_data(G_OBJECT(sock), GUARD_KEY) : NULL;
}

/* A new connection: counted against its address's cap. */
static struct guard_conn *guard_conn_new(struct http_guard *g, SoupServerMessage *msg,
					 GSocket *sock)
{
	struct guard_conn *c = g_new0(struct guard_conn, 1);
	const char *host = soup_server_message_get_remote_host(msg);
	struct guard_addr *a;

	c->g = g;
	c->sock = sock;
	c->addr = g_strdup(host ? host : "?");
	c->state = GUARD_BUSY;
	g_object_set_data_full(G_OBJECT(sock), GUARD_KEY, c, guard_conn_free);
	/* libsoup before 3.4.0 keeps the first reference of every socket
	 * its listener accepts (upstream b545d5f0, "soup-listener: Plug a
	 * leak"): ~340 bytes a connection.  Give it back, once per socket. */
	if (!soup_check_version(3, 4, 0))
		g_object_unref(sock);
	g_hash_table_add(g->conns, c);
	a = g_hash_table_lookup(g->per_addr, c->addr);
	if (!a) {
		a = g_new0(struct guard_addr, 1);
		g_hash_table_insert(g->per_addr, g_strdup(c->addr), a);
	}
	a->n++;
	if ((int)a->n > g->lim.max_conns_per_addr) {
		if (!a->logged)
			g_warning("%s has %d connections open, more than [api] "
				  "max-connections-per-address = %d: refusing more from it",
				  c->addr, (int)a->n - 1, g->lim.max_conns_per_addr);
		a->logged = true;
		guard_conn_shutdown(c);
	}
	return c;
}

/* ---------------------------------------------------------------------- */
/* Requests */

static void guard_msg_free(gpointer data)
{
	struct guard_msg *m = data;

	guard_unref(m->g);
	g_free(m);
}

static bool guard_host_ok(struct http_guard *g, SoupServerMessage *msg)
{
	const char *h =
	    soup_message_headers_get_one(soup_server_message_get_request_headers(msg), "Host");
	g_autofree char *name = NULL;
	size_t n;

	if (!h)
		return true; /* HTTP/1.0 without Host: no browser, no rebinding */
	if (h[0] == '[') {
		const char *end = strchr(h, ']');

		if (!end)
			return false;
		name = g_ascii_strdown(h + 1, end - h - 1);
	} else {
		const char *colon = strchr(h, ':');

		name = g_ascii_strdown(h, colon ? colon - h : -1);
	}
	n = strlen(name);
	if (n > 1 && name[n - 1] == '.')
		name[n - 1] = '\0';
	return g_hash_table_contains(g->hosts, name);
}

static bool guard_query_has_token(SoupServerMessage *msg)
{
	GUri *uri = soup_server_message_get_uri(msg);
	const char *query = uri ? g_uri_get_query(uri) : NULL;
	g_autoptr(GHashTable) params = NULL;

	if (!query)
		return false;
	params = g_uri_parse_params(query, -1, "&", G_URI_PARAMS_NONE, NULL);
	return !params || g_hash_table_contains(params, "token");
}

bool http_guard_is_upgrade(SoupServerMessage *msg)
{
	SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);

	return soup_message_headers_header_contains(h, "Connection", "Upgrade") &&
	       soup_message_headers_header_equals(h, "Upgrade", "websocket");
}

static void guard_on_got_headers(SoupServerMessage *msg, gpointer data)
{
	struct guard_msg *m = data;
	struct http_guard *g = m->g;
	struct guard_conn *c = guard_conn_of(msg);
	SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
	const char *host = soup_message_headers_get_one(h, "Host");
	goffset max = (goffset)g->lim.max_body_kb * 1024;

	if (c)
		g_clear_handle_id(&c->header_timer, g_source_remove);
	if (!guard_host_ok(g, msg)) {
		guard_refuse(msg, SOUP_STATUS_MISDIRECTED_REQUEST, "bad_host",
			     "this board does not answer to the name \"%s\": open it by its own "
			     "name or address, or add the name to [api] hosts",
			     host);
		return;
	}
	if (guard_query_has_token(msg) && !http_guard_is_upgrade(msg)) {
		guard_refuse(msg, SOUP_STATUS_BAD_REQUEST, "token_in_url",
			     "a token in the URL is taken only to open a WebSocket: send it as "
			     "\"Authorization: Bearer TOKEN\"");
		return;
	}
	if (soup_message_headers_get_encoding(h) == SOUP_ENCODING_CONTENT_LENGTH &&
	    soup_message_headers_get_content_length(h) > max)
		guard_refuse(msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too_large",
			     "the body is larger than %d KiB", g->lim.max_body_kb);
}

static void guard_on_got_chunk(SoupServerMessage *msg, GBytes *chunk, gpointer data)
{
	struct guard_msg *m = data;

	m->body += (gint64)g_bytes_get_size(chunk);
	if (!m->refused && m->body > (gint64)m->g->lim.max_body_kb * 1024)
		guard_refuse(msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too_large",
			     "the body is larger than %d KiB", m->g->lim.max_body_kb);
}

static void guard_on_request_started(SoupServer *server, SoupServerMessage *msg, gpointer data)
{
	struct http_guard *g = data;
	GSocket *sock = soup_server_message_get_socket(msg);
	struct guard_conn *c = sock ? g_object_get_data(G_OBJECT(sock), GUARD_KEY) : NULL;
	struct guard_msg *m = g_new0(struct guard_msg, 1);

	m->g = guard_ref(g);
	g_object_set_data_full(G_OBJECT(msg), GUARD_KEY, m, guard_msg_free);
	g_signal_connect(msg, "got-headers", G_CALLBACK(guard_on_got_headers), m);
	g_signal_connect(msg, "got-chunk", G_CALLBACK(guard_on_got_chunk), m);
	if (!sock)
		return;
	if (!c)
		c = guard_conn_new(g, msg, sock);
	/* libsoup closed it (no keep-alive, an error, shutting down) or made
	 * it a WebSocket.  The socket outlives the message's handlers. */
	g_signal_connect_data(msg, "disconnected", G_CALLBACK(guard_on_disconnected),
			      g_object_ref(sock), (GClosureNotify)(void (*)(void))g_object_unref,
			      0);
	guard_idle_stop(c);
	g_clear_handle_id(&c->header_timer, g_source_remove);
	c->header_timer =
	    g_timeout_add_seconds((guint)g->lim.header_timeout_s, guard_on_header_timeout, c);
}

static bool guard_is_upload(SoupServerMessage *msg)
{
	const char *type = soup_message_headers_get_content_type(
	    soup_server_message_get_request_headers(msg), NULL);

	return type && (g_ascii_strcasecmp(type, "text/csv") == 0 ||
			g_ascii_strcasecmp(type, "text/calendar") == 0);
}

/* The body is read, no handler has run: a JSON body too deep stops here. */
static void guard_on_request_read(SoupServer *server, SoupServerMessage *msg, gpointer data)
{
	struct http_guard *g = data;
	struct guard_msg *m = g_object_get_data(G_OBJECT(msg), GUARD_KEY);
	SoupMessageBody *body = soup_server_message_get_request_body(msg);
	g_autoptr(GBytes) bytes = NULL;
	const char *p;
	gsize len;

	if ((m && m->refused) || !body || body->length == 0)
		return;
	/* A booking system's export (CSV, iCalendar) is no JSON: its text may
	 * hold brackets. */
	if (guard_is_upload(msg))
		return;
	bytes = soup_message_body_flatten(body);
	p = g_bytes_get_data(bytes, &len);
	if (http_guard_json_check(g, p, len) < 0)
		guard_refuse(msg, SOUP_STATUS_BAD_REQUEST, "too_deep",
			     "the body nests arrays or objects more than %d deep",
			     g->lim.json_max_depth);
}

/* Answered: libsoup keeps the connection (keep-alive) or disconnects it
 * right after this; either way the guard watches until then. */
static void guard_on_request_done(SoupServer *server, SoupServerMessage *msg, gpointer data)
{
	struct guard_conn *c = guard_conn_of(msg);
	GUri *uri = soup_server_message_get_uri(msg);

	if (!c || !c->g)
		return;
	g_clear_handle_id(&c->header_timer, g_source_remove);
	guard_idle_stop(c);
	c->state = GUARD_IDLE;
	c->tls = uri && g_strcmp0(g_uri_get_scheme(uri), "https") == 0;
	c->idle_msg = g_object_ref(msg);
	guard_watch(c, G_PRIORITY_HIGH);
	c->idle_timer =
	    g_timeout_add_seconds((guint)c->g->lim.idle_timeout_s, guard_on_idle_timeout, c);
}

/* ---------------------------------------------------------------------- */
/* JSON depth */

int http_guard_json_depth(const char *data, size_t len, int max_depth)
{
	return web_json_depth(data, len, max_depth);
}

int http_guard_json_check(const struct http_guard *g, const char *data, size_t len)
{
	return http_guard_json_depth(data, len, g->lim.json_max_depth);
}

/* ---------------------------------------------------------------------- */
/* File descriptors */

int http_guard_fd_use(unsigned *ret_used, unsigned *ret_limit)
{
	struct rlimit rl;
	DIR *dir = opendir("/proc/self/fd");
	unsigned n = 0;

	if (!dir)
		return -errno;
	while (readdir(dir))
		n++;
	closedir(dir);
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	/* ".", ".." and the directory's own fd */
	*ret_used = n >= 3 ? n - 3 : 0;
	*ret_limit = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > G_MAXUINT
			 ? G_MAXUINT
			 : (unsigned)rl.rlim_cur;
	return 0;
}

char *http_guard_fd_fault(int percent)
{
	unsigned used, limit;

	if (http_guard_fd_use(&used, &limit) < 0 || limit == 0)
		return NULL;
	if ((guint64)used * 100 < (guint64)limit * (guint64)percent)
		return NULL;
	return g_strdup_printf("files: %u of %u file descriptors in use (%u %%); at the limit no "
			       "page or device can connect: find the client holding connections "
			       "(ss -tnp) or raise LimitNOFILE in vuorod.service",
			       used, limit, (unsigned)((guint64)used * 100 / limit));
}

unsigned http_guard_connections(const struct http_guard *g)
{
	return g_hash_table_size(g->conns);
}

/* ---------------------------------------------------------------------- */

static void guard_add_host(struct http_guard *g, const char *name)
{
	if (name && *name)
		g_hash_table_add(g->hosts, g_ascii_strdown(name, -1));
}

/* Every address of this machine: what a wildcard listen answers on. */
static void guard_add_local_addresses(struct http_guard *g)
{
	struct ifaddrs *list, *ifa;

	if (getifaddrs(&list) < 0)
		return;
	for (ifa = list; ifa; ifa = ifa->ifa_next) {
		char text[NI_MAXHOST];
		socklen_t len;

		if (!ifa->ifa_addr ||
		    (ifa->ifa_addr->sa_family != AF_INET && ifa->ifa_addr->sa_family != AF_INET6))
			continue;
		len = ifa->ifa_addr->sa_family == AF_INET ? sizeof(struct sockaddr_in)
							  : sizeof(struct sockaddr_in6);
		if (getnameinfo(ifa->ifa_addr, len, text, sizeof(text), NULL, 0, NI_NUMERICHOST) ==
		    0) {
			char *pct = strchr(text, '%'); /* fe80::1%eth0 */

			if (pct)
				*pct = '\0';
			guard_add_host(g, text);
		}
	}
	freeifaddrs(list);
}

struct http_guard *http_guard_new(SoupServer *server, const struct http_guard_limits *lim)
{
	struct http_guard *g = g_new0(struct http_guard, 1);

	g->refs = 1;
	g->server = g_object_ref(server);
	g->lim = *lim;
	g->lim.hosts = g_strdupv(lim->hosts);
	g->hosts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g->per_addr = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g->conns = g_hash_table_new(NULL, NULL);
	/* Loopback names are always this machine: a rebinding attack names
	 * the attacker's domain, never these. */
	guard_add_host(g, "localhost");
	guard_add_host(g, "127.0.0.1");
	guard_add_host(g, "::1");
	g->default_hosts = !g->lim.hosts || !g->lim.hosts[0];
	if (g->default_hosts) {
		const char *name = g_get_host_name();
		g_autofree char *shortname = g_strndup(name, strcspn(name, "."));
		g_autofree char *mdns = g_strconcat(shortname, ".local", NULL);

		guard_add_host(g, name);
		guard_add_host(g, shortname);
		guard_add_host(g, mdns); /* avahi's name for the board on the LAN */
	} else {
		for (char **h = g->lim.hosts; *h; h++) {
			g_autofree char *name = g_strstrip(g_strdup(*h));
			size_t n = strlen(name);

			if (name[0] == '[' && n > 2 && name[n - 1] == ']') {
				name[n - 1] = '\0';
				guard_add_host(g, name + 1);
			} else {
				guard_add_host(g, name);
			}
		}
	}
	g->sig_started =
	    g_signal_connect(server, "request-started", G_CALLBACK(guard_on_request_started), g);
	g->sig_read =
	    g_signal_connect(server, "request-read", G_CALLBACK(guard_on_request_read), g);
	g->sig_finished =
	    g_signal_connect(server, "request-finished", G_CALLBACK(guard_on_request_done), g);
	g->sig_aborted =
	    g_signal_connect(server, "request-aborted", G_CALLBACK(guard_on_request_done), g);
	return g;
}

void http_guard_free(struct http_guard *g)
{
	GList *all;

	if (!g)
		return;
	g_signal_handler_disconnect(g->server, g->sig_started);
	g_signal_handler_disconnect(g->server, g->sig_read);
	g_signal_handler_disconnect(g->server, g->sig_finished);
	g_signal_handler_disconnect(g->server, g->sig_aborted);
	/* Connections outlive the guard only while libsoup closes them.  A
	 * record may go with the last message it lets go: touch none after. */
	all = g_hash_table_get_keys(g->conns);
	g_hash_table_steal_all(g->conns);
	for (GList *l = all; l; l = l->next) {
		struct guard_conn *c = l->data;

		c->g = NULL;
		g_clear_handle_id(&c->header_timer, g_source_remove);
		guard_idle_stop(c);
	}
	g_list_free(all);
	g_clear_object(&g->server);
	guard_unref(g);
}

int http_guard_listen(struct http_guard *g, GSocketAddress *addr, SoupServerListenOptions options,
		      GError **error)
{
	g_autoptr(GSocket) sock = NULL;
	GInetAddress *inet = g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(addr));

	sock = g_socket_new(g_socket_address_get_family(addr), G_SOCKET_TYPE_STREAM,
			    G_SOCKET_PROTOCOL_TCP, error);
	if (!sock)
		return -EIO;
	g_socket_set_listen_backlog(sock, g->lim.backlog);
	if (!g_socket_bind(sock, addr, TRUE, error))
		return -EADDRINUSE;
	if (!g_socket_listen(sock, error))
		return -EIO;
	if (!soup_server_listen_socket(g->server, sock, options, error))
		return -EIO;
	if (g->default_hosts) {
		if (g_inet_address_get_is_any(inet)) {
			guard_add_local_addresses(g);
		} else {
			g_autofree char *text = g_inet_address_to_string(inet);

			guard_add_host(g, text);
		}
	}
	return 0;
}
