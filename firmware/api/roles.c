/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * api_roles: what a role may open and call beyond the route table's roles.
 *
 * An expert serves for one provider (users.provider): they open only desks
 * whose profile (the counter's, or the one they ask for) holds nothing but
 * that provider's services, and call by id only that provider's tickets.
 * Only experts open expert desks (counters of kind = expert, the booths);
 * advisors open counters.  Admins may do anything.
 */

#include <string.h>

#include "api_internal.h"
#include "auth.h"
#include "config.h"
#include "desk.h"
#include "queue.h"
#include "store.h"

gboolean api_roles_may_open(struct web_req *r, int counter, const char *profile)
{
	const struct config *cfg = api_of(r)->cfg;
	const struct config_counter *cc =
	    config_counter_get(cfg, config_counter_find(cfg, counter));
	struct config_profile_entry entries[QUEUE_PROFILE_MAX];
	g_autofree char *provider = NULL;
	char reason[192];
	uint8_t n = 0;

	if (!cc || r->caller.role & AUTH_ROLE_ADMIN)
		return TRUE;
	if (cc->expert && !(r->caller.role & AUTH_ROLE_EXPERT)) {
		web_error(r, 403, "forbidden",
			  "counter %d is a remote-service booth: only experts open it", counter);
		return FALSE;
	}
	if (!(r->caller.role & AUTH_ROLE_EXPERT))
		return TRUE;
	if (profile) {
		if (queue_profile_parse(cfg, profile, entries, &n, reason, sizeof(reason)) < 0)
			return TRUE; /* the queue refuses it with this reason */
	} else {
		n = (uint8_t)MIN(cc->profile->len, QUEUE_PROFILE_MAX);
		for (unsigned k = 0; k < n; k++)
			entries[k] = g_array_index(cc->profile, struct config_profile_entry, k);
	}
	provider = store_user_provider(desk_store(api_of(r)->desk), r->caller.user);
	for (unsigned k = 0; k < n; k++) {
		const char *p = config_provider_code(cfg, entries[k].service);

		if (!provider || g_strcmp0(p, provider) != 0) {
			const struct config_service *svc =
			    config_service_get(cfg, entries[k].service);

			web_error(r, 403, "forbidden",
				  "%s serves for %s: counter %d's profile has %s of %s (open it "
				  "with a profile of %s's services only)",
				  r->caller.user, provider ? provider : "no provider", counter,
				  svc ? svc->code : "a service", p ? p : "another provider",
				  provider ? provider : "your provider");
			return FALSE;
		}
	}
	return TRUE;
}

gboolean api_roles_may_call(struct web_req *r, uint32_t ticket)
{
	const struct queue_ticket *tk;
	g_autofree char *provider = NULL;
	const char *p;

	if (!ticket || r->caller.role & AUTH_ROLE_ADMIN || !(r->caller.role & AUTH_ROLE_EXPERT))
		return TRUE;
	tk = queue_ticket_get(desk_queue(api_of(r)->desk), ticket);
	if (!tk)
		return TRUE; /* the queue answers "not in the queue" */
	provider = store_user_provider(desk_store(api_of(r)->desk), r->caller.user);
	p = config_provider_code(api_of(r)->cfg, tk->service);
	if (provider && g_strcmp0(p, provider) == 0)
		return TRUE;
	web_error(r, 403, "forbidden", "%s is a ticket of %s: %s serves for %s", tk->code,
		  p ? p : "another provider", r->caller.user, provider ? provider : "no provider");
	return FALSE;
}
