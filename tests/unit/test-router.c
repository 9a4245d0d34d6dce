/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of firmware/web/router.c and web/json.c: requests without a socket
 * through a small table of its own (matching, roles, CSRF, origins, body
 * checks with bounds, nesting, U+0000, answers held for later), and every
 * route table of vuorod's API walked for fields without bounds. */
#include <glib.h>
#include <string.h>

#include "api.h"
#include "router.h"

enum {
	ROLE_CLERK = 1 << 0,
	ROLE_BOSS = 1 << 1
};

struct app {
	unsigned role;    /* who the next request is */
	const char *csrf; /* its session's CSRF token, NULL: a script */
	int ran;          /* handlers run */
	struct web_exchange *held;
};

static void identify(void *data, struct web_req *r, struct web_caller *ret)
{
	struct app *app = data;

	memset(ret, 0, sizeof(*ret));
	ret->role = app->role;
	ret->user = app->role ? g_strdup("someone") : NULL;
	ret->csrf = g_strdup(app->csrf);
}

static const char *role_name(unsigned role)
{
	return role == ROLE_BOSS ? "boss" : "clerk";
}

static const struct web_router_hooks hooks = {
    .identify = identify,
    .role_name = role_name,
};

static void echo(struct web_req *r)
{
	struct app *app = r->app;
	g_autoptr(JsonBuilder) b = json_builder_new();

	app->ran++;
	json_builder_begin_object(b);
	web_json_add_int(b, "n", web_int(r, "n", -1));
	web_json_add_str(b, "name", web_str(r, "name"));
	web_json_add_str(b, "seg", r->seg[2]);
	json_builder_end_object(b);
	web_reply_builder(r, 200, b);
}

static void later(struct web_req *r)
{
	struct app *app = r->app;

	app->ran++;
	app->held = web_req_hold(r);
}

static const struct web_field echo_fields[] = {WEB_FIELD_INT("n", FALSE, 1, 10),
					       WEB_FIELD_STR("name", FALSE, 8), WEB_FIELDS_END};

static const struct web_route routes[] = {
    {"GET", "/api/things/*", 0, echo, NULL},
    {"POST", "/api/things/*", ROLE_CLERK | ROLE_BOSS, echo, echo_fields},
    {"POST", "/api/boss", ROLE_BOSS, echo, echo_fields},
    {"POST", "/api/later", 0, later, echo_fields},
};

struct answer {
	guint status;
	char *error; /* the "error" member, NULL when none */
	JsonNode *root;
};

static void answer_clear(struct answer *a)
{
	g_free(a->error);
	if (a->root)
		json_node_unref(a->root);
}

static struct answer call(struct web_router *router, const char *method, const char *path,
			  const char *body, SoupMessageHeaders *headers)
{
	g_autoptr(GBytes) bytes = body ? g_bytes_new(body, strlen(body)) : NULL;
	g_autoptr(web_exchange) x =
	    web_router_call(router, method, path, headers, bytes, "192.0.2.9");
	struct answer a = {0};
	GBytes *out = web_exchange_body(x);
	g_autoptr(JsonParser) p = json_parser_new();
	gsize len = 0;
	const char *data = out ? g_bytes_get_data(out, &len) : NULL;

	g_assert_true(web_exchange_finished(x));
	a.status = web_exchange_status(x);
	if (len && json_parser_load_from_data(p, data, (gssize)len, NULL)) {
		JsonObject *o = json_node_get_object(json_parser_get_root(p));

		a.root = json_node_copy(json_parser_get_root(p));
		if (json_object_has_member(o, "error"))
			a.error = g_strdup(json_object_get_string_member(o, "error"));
	}
	return a;
}

static struct web_router *router_new(struct app *app)
{
	struct web_router *router = web_router_new(app, &hooks, "X-CSRF-Token");

	web_router_add(router, routes, G_N_ELEMENTS(routes));
	web_router_set_max_body(router, 64 * 1024);
	return router;
}

static void test_match_and_roles(void)
{
	struct app app = {0};
	g_autoptr(web_router) router = router_new(&app);
	struct answer a;

	a = call(router, "GET", "/api/things/42/", NULL, NULL);
	g_assert_cmpuint(a.status, ==, 200);
	g_assert_cmpstr(json_object_get_string_member(json_node_get_object(a.root), "seg"), ==,
			"42");
	answer_clear(&a);
	a = call(router, "GET", "/api/nothing", NULL, NULL);
	g_assert_cmpuint(a.status, ==, 404);
	answer_clear(&a);
	a = call(router, "DELETE", "/api/things/1", NULL, NULL);
	g_assert_cmpuint(a.status, ==, 405);
	answer_clear(&a);
	a = call(router, "GET", "/api/things/1/more", NULL, NULL);
	g_assert_cmpuint(a.status, ==, 404);
	answer_clear(&a);
	a = call(router, "POST", "/api/things/1", "{}", NULL);
	g_assert_cmpuint(a.status, ==, 401);
	answer_clear(&a);
	app.role = ROLE_CLERK;
	a = call(router, "POST", "/api/boss", "{}", NULL);
	g_assert_cmpuint(a.status, ==, 403);
	g_assert_cmpstr(a.error, ==, "forbidden");
	answer_clear(&a);
	a = call(router, "POST", "/api/things/1", "{\"n\": 3}", NULL);
	g_assert_cmpuint(a.status, ==, 200);
	answer_clear(&a);
	g_assert_cmpint(app.ran, ==, 2);
}

static void test_csrf_and_origin(void)
{
	struct app app = {.role = ROLE_CLERK, .csrf = "tok"};
	g_autoptr(web_router) router = router_new(&app);
	SoupMessageHeaders *h = soup_message_headers_new(SOUP_MESSAGE_HEADERS_REQUEST);
	struct answer a;

	a = call(router, "POST", "/api/things/1", "{}", h);
	g_assert_cmpstr(a.error, ==, "csrf");
	answer_clear(&a);
	soup_message_headers_replace(h, "X-CSRF-Token", "tok");
	a = call(router, "POST", "/api/things/1", "{}", h);
	g_assert_cmpuint(a.status, ==, 200);
	answer_clear(&a);
	soup_message_headers_replace(h, "Host", "desk.example:8080");
	soup_message_headers_replace(h, "Origin", "http://evil.example");
	a = call(router, "POST", "/api/things/1", "{}", h);
	g_assert_cmpstr(a.error, ==, "bad_origin");
	answer_clear(&a);
	soup_message_headers_replace(h, "Origin", "http://desk.example:8080");
	a = call(router, "POST", "/api/things/1", "{}", h);
	g_assert_cmpuint(a.status, ==, 200);
	answer_clear(&a);
	soup_message_headers_unref(h);
}

static void test_body_checks(void)
{
	struct app app = {.role = ROLE_CLERK};
	g_autoptr(web_router) router = router_new(&app);
	static const struct {
		const char *body;
		const char *error;
	} cases[] = {
	    {"{\"n\": 11}", "out_of_range"},
	    {"{\"n\": 0}", "out_of_range"},
	    /* 2^32 + 3 was once stored as 3 */
	    {"{\"n\": 4294967299}", "out_of_range"},
	    {"{\"name\": \"123456789\"}", "out_of_range"},
	    {"{\"name\": \"guide\\u0000junk\"}", "malformed_json"},
	    {"{\"n\": \"3\"}", "wrong_type"},
	    {"{\"m\": 3}", "unknown_field"},
	    {"[1]", "malformed_json"},
	    {"{\"n\": ", "malformed_json"},
	};
	struct answer a;

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		a = call(router, "POST", "/api/things/1", cases[i].body, NULL);
		g_assert_cmpuint(a.status, ==, 400);
		g_assert_cmpstr(a.error, ==, cases[i].error);
		answer_clear(&a);
	}
	/* A backslash before the u that is itself escaped is text, not U+0000. */
	a = call(router, "POST", "/api/things/1", "{\"name\": \"a\\\\u0000\"}", NULL);
	g_assert_cmpuint(a.status, ==, 200);
	answer_clear(&a);
	g_assert_cmpint(app.ran, ==, 1);
}

/* 100,000 levels once overflowed json-glib's stack: refused before it. */
static void test_deep_nesting(void)
{
	struct app app = {.role = ROLE_CLERK};
	g_autoptr(web_router) router = router_new(&app);
	GString *deep = g_string_new("{\"n\":");
	struct answer a;

	for (int i = 0; i < 30000; i++)
		g_string_append_c(deep, '[');
	a = call(router, "POST", "/api/things/1", deep->str, NULL);
	g_assert_cmpuint(a.status, ==, 400);
	g_assert_cmpstr(a.error, ==, "too_deep");
	answer_clear(&a);
	g_string_free(deep, TRUE);
	g_assert_cmpint(web_json_check("[[[\"]]]]]]]\"]]]", 15, 3, NULL), ==,
			0); /* brackets in strings */
	g_assert_cmpint(web_json_check("[[[[", 4, 3, NULL), ==, -E2BIG);
}

static void test_too_large(void)
{
	struct app app = {.role = ROLE_CLERK};
	g_autoptr(web_router) router = router_new(&app);
	g_autofree char *big = g_strnfill(65 * 1024, ' ');
	struct answer a = call(router, "POST", "/api/things/1", big, NULL);

	g_assert_cmpuint(a.status, ==, 413);
	answer_clear(&a);
}

static void test_held_answer(void)
{
	struct app app = {0};
	g_autoptr(web_router) router = router_new(&app);
	g_autoptr(web_exchange) x =
	    web_router_call(router, "POST", "/api/later?x=1", NULL, NULL, NULL);
	struct web_req r = {.app = &app, .x = app.held};

	g_assert_nonnull(app.held);
	g_assert_false(web_exchange_finished(x));
	web_reply_ok(&r, 202);
	web_exchange_release(app.held);
	g_assert_true(web_exchange_finished(x));
	g_assert_cmpuint(web_exchange_status(x), ==, 202);
}

/* Every field of every vuorod route says how long or how large it may be. */
static void check_route(const struct web_route *route, void *data)
{
	int *n = data;

	(*n)++;
	g_assert_true(route->path[0] == '/');
	if (!route->fields) {
		/* No JSON body: only reads and raw uploads. */
		g_assert_true(strcmp(route->method, "GET") == 0 ||
			      (route->flags & WEB_ROUTE_RAW_BODY));
		return;
	}
	for (const struct web_field *f = route->fields; f->name; f++) {
		if (f->type == WEB_INT) {
			if (f->max <= f->min)
				g_error("%s %s: field %s has no bounds", route->method, route->path,
					f->name);
		} else if (f->type == WEB_STRING) {
			if (f->max <= 0)
				g_error("%s %s: field %s has no longest length", route->method,
					route->path, f->name);
		}
	}
}

static void test_every_route_bounded(void)
{
	int n = 0;

	api_foreach_route(check_route, &n);
	g_assert_cmpint(n, >, 50);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/router/match-and-roles", test_match_and_roles);
	g_test_add_func("/router/csrf-and-origin", test_csrf_and_origin);
	g_test_add_func("/router/body-checks", test_body_checks);
	g_test_add_func("/router/deep-nesting", test_deep_nesting);
	g_test_add_func("/router/too-large", test_too_large);
	g_test_add_func("/router/held-answer", test_held_answer);
	g_test_add_func("/router/every-route-bounded", test_every_route_bounded);
	return g_test_run();
}
