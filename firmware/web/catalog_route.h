/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * catalog_route: GET /api/catalog?lang=uk&ns=kiosk,identity for any program
 * that serves the pages (vuorod, vuoro-hub): the words of the pages in
 * @lang (the main language filling its gaps, and in place of a language the
 * program does not offer), with the languages that carry any of @ns in
 * their own names.  Public: the kiosk and the follow page read it.
 */
#pragma once

#include "catalog.h"
#include "router.h"

void web_catalog_reply(struct web_req *r, const struct catalog *c);
