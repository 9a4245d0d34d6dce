/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * billing: the providers' statements (DESIGN.md "Billing", hub/sql/004-billing.sql).
 *
 * A billable event is a finished visit leg served (outcome none of no_show,
 * cancelled, voided, reset, interrupted: the site's "service event"); a
 * period is a calendar month of the service day, "YYYY-MM".  The statement of
 * a provider for a period: its events per site × service × channel, each line
 * priced from [prices], totals per service × channel, per site and in all.
 *
 * Prices: the unit price of an event is the first of PROVIDER.SERVICE.CHANNEL,
 * PROVIDER.SERVICE.*, PROVIDER.*.CHANNEL, PROVIDER.*.* in [prices]; a line
 * without one shows no amount (and is listed under "unpriced"), and its
 * period cannot be closed until it has one.
 *
 * Closing a period (one that has ended in [billing] time-zone) freezes every
 * provider's lines with the prices of that moment; a closed period's
 * statement is read from those lines only, so it never changes.  A visit
 * stored after its month's close goes to the first later month still open
 * then, as an adjustment naming its own month ("belongs_to").
 *
 * Every function runs blocking on @conn (a worker thread's connection, in
 * the request's row-level security: a provider-manager's sees only its
 * provider's visits) and returns 0 or -errno with @error saying what to do:
 * -EINVAL a bad argument, -EEXIST the period is closed already, -EAGAIN the
 * period has not ended, -ENOENT a line has no price, -EIO PostgreSQL.
 */
#pragma once

#include <glib.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "hub_config.h"
#include "router.h"

#define BILLING_ERROR (billing_error_quark())
GQuark billing_error_quark(void);

/* The unit price in cents; -ENOENT when [prices] has none that applies. */
int billing_price(const struct hub_config *cfg, const char *provider, const char *service,
		  const char *channel, int64_t *ret_cents);

/* "2026-11" → 0 and "2026-11-01" in @ret (11 bytes); -EINVAL otherwise. */
int billing_period_parse(const char *text, char ret[11]);

/* The current month in [billing] time-zone, "YYYY-MM" (8 bytes). */
void billing_period_now(const struct hub_config *cfg, char ret[8]);

/* @provider's statement for @period ("YYYY-MM"): JSON, or CSV (a line per
 * statement line, amounts in euros) when @csv. */
int billing_statement(PGconn *conn, const struct hub_config *cfg, const char *provider,
		      const char *period, bool csv, char **ret, gsize *ret_len, GError **error);

/* Closes @period for every provider, by @by (a user name), in the caller's
 * transaction (it COMMITs on 0, else ROLLBACKs). */
int billing_close(PGconn *conn, const struct hub_config *cfg, const char *period, const char *by,
		  GError **error);

/* The periods as JSON: {"current": "YYYY-MM", "providers": [the codes
 * [prices] names; @only's alone when not NULL], "periods": [{"period",
 * "state": "open"|"closed", "closed_at", "closed_by"}] newest first: every
 * month with visits, every closed one and the current one}. */
int billing_periods(PGconn *conn, const struct hub_config *cfg, const char *only, char **ret,
		    gsize *ret_len, GError **error);

/* The routes (hub_web_add_routes): GET /api/hub/billing/statements,
 * GET /api/hub/billing/periods, POST /api/hub/billing/periods/YYYY-MM/close. */
extern const struct web_route billing_routes[];
extern const size_t billing_n_routes;
