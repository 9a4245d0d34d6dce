/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hub_reports: the site's reports (firmware/report/report.h: billing,
 * times, feedback, categories, arrivals) across the region's sites, from
 * PostgreSQL.  (The site's idle time per counter is not offered: the hub
 * has the counters' open and close records but no report of them yet.)
 *
 *   GET /api/hub/reports?kind=K&from=YYYY-MM-DD&to=YYYY-MM-DD[&site=S]
 *       [&period=day|week|month][&target_min=N][&format=csv]
 *   GET /api/hub/reports/sites      the sites that sent records
 *
 * The days are service days [from, to); rows per period and provider, with
 * "total" for the whole range and provider "*" for every provider together,
 * as the site's.  Without site, every site together.  Arrivals count hours
 * and weekdays in the region's time zone ([web] timezone).  The definitions are
 * the site's (report.h), computed in SQL.  A provider-manager sees only
 * their provider's rows: row-level security does it (hub.h); this code
 * adds no WHERE of its own for it.
 */
#pragma once

#include "hub.h"

extern const struct web_route hub_reports_routes[];
extern const size_t hub_reports_n_routes;
