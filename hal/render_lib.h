/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * render_lib: Pango, cairo and fontconfig, opened at the first ticket
 * picture (escpos_render_png, ticket_raster_render), not linked: linked,
 * they and what they pull in (FreeType, HarfBuzz, pixman, libpng, X11) cost
 * some 2 MB of every idle vuorod (issue 22, lazylib.h).
 */
#pragma once

#include <fontconfig/fontconfig.h>
#include <glib.h>
#include <pango/pangocairo.h>
#include <pango/pangofc-fontmap.h>

#include "lazylib.h"

/* The functions escpos.c and ticket_raster.c call, by their names, one
 * list a library (lazylib.h). */
#define RENDER_LIB_FONTCONFIG(X, t, p)                                                             \
	X(t, p, FcConfigAppFontAddFile)                                                            \
	X(t, p, FcConfigCreate)                                                                    \
	X(t, p, FcConfigDestroy)

#define RENDER_LIB_CAIRO(X, t, p)                                                                  \
	X(t, p, cairo_create)                                                                      \
	X(t, p, cairo_destroy)                                                                     \
	X(t, p, cairo_fill)                                                                        \
	X(t, p, cairo_font_options_create)                                                         \
	X(t, p, cairo_font_options_destroy)                                                        \
	X(t, p, cairo_font_options_set_antialias)                                                  \
	X(t, p, cairo_font_options_set_hint_metrics)                                               \
	X(t, p, cairo_font_options_set_hint_style)                                                 \
	X(t, p, cairo_image_surface_create)                                                        \
	X(t, p, cairo_image_surface_get_data)                                                      \
	X(t, p, cairo_image_surface_get_stride)                                                    \
	X(t, p, cairo_move_to)                                                                     \
	X(t, p, cairo_paint)                                                                       \
	X(t, p, cairo_rectangle)                                                                   \
	X(t, p, cairo_restore)                                                                     \
	X(t, p, cairo_save)                                                                        \
	X(t, p, cairo_scale)                                                                       \
	X(t, p, cairo_select_font_face)                                                            \
	X(t, p, cairo_set_font_size)                                                               \
	X(t, p, cairo_set_source_rgb)                                                              \
	X(t, p, cairo_set_source_surface)                                                          \
	X(t, p, cairo_show_text)                                                                   \
	X(t, p, cairo_surface_destroy)                                                             \
	X(t, p, cairo_surface_flush)                                                               \
	X(t, p, cairo_surface_status)                                                              \
	X(t, p, cairo_surface_write_to_png)                                                        \
	X(t, p, cairo_text_extents)                                                                \
	X(t, p, cairo_translate)

#define RENDER_LIB_PANGOCAIRO(X, t, p)                                                             \
	X(t, p, pango_cairo_context_set_font_options)                                              \
	X(t, p, pango_cairo_context_set_resolution)                                                \
	X(t, p, pango_cairo_font_map_new)                                                          \
	X(t, p, pango_cairo_show_layout)                                                           \
	X(t, p, pango_cairo_update_layout)

#define RENDER_LIB_PANGOFT2(X, t, p)                                                               \
	X(t, p, pango_fc_font_map_get_type)                                                        \
	X(t, p, pango_fc_font_map_set_config)

#define RENDER_LIB_PANGO(X, t, p)                                                                  \
	X(t, p, pango_font_description_free)                                                       \
	X(t, p, pango_font_description_from_string)                                                \
	X(t, p, pango_font_description_set_absolute_size)                                          \
	X(t, p, pango_font_description_set_weight)                                                 \
	X(t, p, pango_font_map_create_context)                                                     \
	X(t, p, pango_layout_get_pixel_size)                                                       \
	X(t, p, pango_layout_new)                                                                  \
	X(t, p, pango_layout_set_alignment)                                                        \
	X(t, p, pango_layout_set_font_description)                                                 \
	X(t, p, pango_layout_set_text)                                                             \
	X(t, p, pango_layout_set_width)                                                            \
	X(t, p, pango_layout_set_wrap)

struct render_lib {
	RENDER_LIB_FONTCONFIG(LAZYLIB_FIELD, _, )
	RENDER_LIB_CAIRO(LAZYLIB_FIELD, _, )
	RENDER_LIB_PANGOCAIRO(LAZYLIB_FIELD, _, )
	RENDER_LIB_PANGOFT2(LAZYLIB_FIELD, _, )
	RENDER_LIB_PANGO(LAZYLIB_FIELD, _, )
};

/* Opens the libraries (once; thread-safe).  Returns the table, or NULL
 * with @ret_why (not to be freed) set when they cannot be loaded. */
const struct render_lib *render_lib_open(const char **ret_why);
/* The table, after a render_lib_open() that succeeded. */
const struct render_lib *render_lib(void);
