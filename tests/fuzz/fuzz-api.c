/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api: a request to any route of vuorod's API, through the router and the
 * route's handler without a socket (web_router_call), on the sim board's
 * site (site.h).
 *
 * The input: byte 0 picks the route (every route, in table order), byte 1
 * the caller (anonymous, a logged-in person of one role, or the kiosk by
 * its address as the sim board trusts it), byte 2 the number in the path's
 * '*' segments; the rest is the body (a query for GET).  State carries
 * over from one input to the next (tickets issued, counters opened), as
 * it does in the daemon.  A handler that never answers, a critical or a
 * sanitizer report is a crash.
 */
#include "site.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static GPtrArray *routes; /* of const struct web_route * */

static void add_route(const struct web_route *route, void *data)
{
	g_ptr_array_add(data, (gpointer)route);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	site_open();
	routes = g_ptr_array_new();
	web_router_foreach(site.api->router, add_route, routes);
	return 0;
}

/* The route's pattern with @id for each "*" segment. */
static char *route_path(const char *pattern, const char *id)
{
	g_auto(GStrv) parts = g_strsplit(pattern, "/", -1);

	for (char **p = parts; *p; p++)
		if (strcmp(*p, "*") == 0) {
			g_free(*p);
			*p = g_strdup(id);
		}
	return g_strjoinv("/", parts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const ids[] = {
	    "1", "2", "3", "4", "0", "-1", "x", "9999999999999999999", "%00", "A001", "kunta"};
	const struct web_route *route;
	g_autofree char *path = NULL;

	if (size < 3)
		return 0;
	route = g_ptr_array_index(routes, data[0] % routes->len);
	path = route_path(route->path, ids[data[2] % G_N_ELEMENTS(ids)]);
	site_call(route->method, path, data[1] % G_N_ELEMENTS(role_names),
		  (route->flags & WEB_ROUTE_RAW_BODY) != 0, data + 3, size - 3);
	return 0;
}
