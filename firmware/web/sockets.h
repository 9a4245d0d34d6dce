/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sockets: a live event stream's set of WebSockets (vuorod's /api/events,
 * the hub's /api/hub/fleet/events).  Each is kept from its upgrade until it
 * closes, greeted with {"type":"hello"} (ui/common/live.js), and marked
 * public (no role: sent only what the public may see) or not.  The program
 * decides who may open one; this only tracks and sends.  Main loop only.
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <stdbool.h>

struct web_sockets;

struct web_sockets *web_sockets_new(void);
void web_sockets_free(struct web_sockets *s);
/* Tracks @ws (a ref) until it closes, and says hello. */
void web_sockets_add(struct web_sockets *s, SoupWebsocketConnection *ws, bool public_only);
/* The same, the socket's roles (a program's bit mask; 0: public) kept for
 * web_sockets_send_roles(). */
void web_sockets_add_roles(struct web_sockets *s, SoupWebsocketConnection *ws, unsigned roles);
guint web_sockets_count(const struct web_sockets *s);
/* @b's JSON to the sockets with a role, @pub's (NULL: nothing) to the
 * public ones; either builder may be NULL. */
void web_sockets_send(struct web_sockets *s, JsonBuilder *b, JsonBuilder *pub);
/* @b's JSON only to the sockets whose object data @key (a string the
 * program set) is @value: one user's pages, say. */
void web_sockets_send_tagged(struct web_sockets *s, const char *key, const char *value,
			     JsonBuilder *b);
/* @b's JSON only to the sockets opened with one of @roles (a staff alarm
 * reaches no waiting-room page and no kiosk). */
void web_sockets_send_roles(struct web_sockets *s, JsonBuilder *b, unsigned roles);
