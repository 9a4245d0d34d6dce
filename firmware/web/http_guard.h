/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * http_guard: what keeps a SoupServer standing on a hostile network.  It
 * knows nothing of tickets or users; vuorod and the central hub both wrap
 * their server with it.
 *
 * - Connections: the listening socket is made here (backlog from the
 *   config, not GLib's 10); at most max_conns_per_addr open connections per
 *   client address (more are cut, logged once per address); a request
 *   whose headers are not complete header_timeout_s after its first byte
 *   (or after the accept) is cut; a keep-alive connection idle for
 *   idle_timeout_s is closed.
 * - libsoup 3.2.3 keeps every idle keep-alive connection that the client
 *   closes (CLOSE-WAIT, one fd each; fixed upstream in 3.3.0, d20c6601).
 *   After each answer the guard watches the idle socket itself, at a
 *   priority above libsoup's: when the client closes it first, the guard
 *   takes the connection from libsoup (soup_server_message_steal_connection
 *   on the answered message) and closes it, before libsoup can read the EOF
 *   into its leaking path.  Keep-alive stays; no fd is kept.
 * - Requests: the Host must be one of this board's names (DNS-rebinding
 *   defence: 421); "?token=" only on a WebSocket upgrade (400); a body past
 *   max_body_kb, announced or chunked, on any path, is refused with 413 and
 *   Connection: close as soon as it passes the limit: what was buffered is
 *   dropped and the rest is read and thrown away (libsoup 3.2.3 answers
 *   only after the body), so memory does not grow with it.  A body whose
 *   JSON nests deeper than json_max_depth gets 400 before any handler
 *   parses it (json-glib's parser recurses per level).
 * - Refusals are JSON {"error": CODE, "message": TEXT} like the API's.
 */
#pragma once

#include <glib.h>
#include <libsoup/soup.h>
#include <stdbool.h>

struct http_guard_limits {
	int header_timeout_s;
	int idle_timeout_s;
	int max_conns_per_addr;
	int max_body_kb;
	int json_max_depth;
	int backlog;
	char **hosts; /* extra names (NULL-terminated, may be NULL): replace the defaults */
};

struct http_guard;

/* Guards @server (which must outlive the guard's use; the guard takes a
 * reference).  @lim is copied. */
struct http_guard *http_guard_new(SoupServer *server, const struct http_guard_limits *lim);
void http_guard_free(struct http_guard *g);
typedef struct http_guard HttpGuard; /* for g_autoptr(HttpGuard) only */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HttpGuard, http_guard_free)

/* Listens on @addr with the configured backlog (soup_server_listen_socket)
 * and, when no [api] hosts are set, allows the address as a Host.
 * 0 or -errno with @error. */
int http_guard_listen(struct http_guard *g, GSocketAddress *addr, SoupServerListenOptions options,
		      GError **error);

/* 0 when @data (JSON or not) opens at most @max_depth nested arrays or
 * objects, honouring strings and escapes; -E2BIG when deeper. */
int http_guard_json_depth(const char *data, size_t len, int max_depth);
/* The same with the guard's limit. */
int http_guard_json_check(const struct http_guard *g, const char *data, size_t len);

/* A request that asks for a WebSocket (Upgrade: websocket). */
bool http_guard_is_upgrade(SoupServerMessage *msg);

/* Open file descriptors of this process and its RLIMIT_NOFILE (soft). */
int http_guard_fd_use(unsigned *ret_used, unsigned *ret_limit);
/* A fault in words when fd use reaches @percent of the limit, else NULL.
 * Caller frees. */
char *http_guard_fd_fault(int percent);

/* Connections open now (all addresses). */
unsigned http_guard_connections(const struct http_guard *g);
