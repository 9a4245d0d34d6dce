/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * qr_svg: a QR code (libqrencode: version chosen by length, error
 * correction M) as an SVG image, for pages that show one — the kiosk's
 * "follow your ticket on a phone" when the printer failed.  One <path> of
 * unit squares with a 4-module quiet zone; crisp at any size.
 */
#pragma once

#include <glib.h>

#define QR_SVG_MAX_TEXT 512

/* The SVG text, or NULL with @error (-EINVAL: empty or over
 * QR_SVG_MAX_TEXT bytes; -ENOMEM). */
char *qr_svg(const char *text, GError **error);
