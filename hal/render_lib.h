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

/* The functions escpos.c and ticket_raster.c call, by their names. */
struct render_lib {
	typeof(FcConfigAppFontAddFile) *FcConfigAppFontAddFile;
	typeof(FcConfigCreate) *FcConfigCreate;
	typeof(FcConfigDestroy) *FcConfigDestroy;
	typeof(cairo_create) *cairo_create;
	typeof(cairo_destroy) *cairo_destroy;
	typeof(cairo_fill) *cairo_fill;
	typeof(cairo_font_options_create) *cairo_font_options_create;
	typeof(cairo_font_options_destroy) *cairo_font_options_destroy;
	typeof(cairo_font_options_set_antialias) *cairo_font_options_set_antialias;
	typeof(cairo_font_options_set_hint_metrics) *cairo_font_options_set_hint_metrics;
	typeof(cairo_font_options_set_hint_style) *cairo_font_options_set_hint_style;
	typeof(cairo_image_surface_create) *cairo_image_surface_create;
	typeof(cairo_image_surface_get_data) *cairo_image_surface_get_data;
	typeof(cairo_image_surface_get_stride) *cairo_image_surface_get_stride;
	typeof(cairo_move_to) *cairo_move_to;
	typeof(cairo_paint) *cairo_paint;
	typeof(cairo_rectangle) *cairo_rectangle;
	typeof(cairo_restore) *cairo_restore;
	typeof(cairo_save) *cairo_save;
	typeof(cairo_scale) *cairo_scale;
	typeof(cairo_select_font_face) *cairo_select_font_face;
	typeof(cairo_set_font_size) *cairo_set_font_size;
	typeof(cairo_set_source_rgb) *cairo_set_source_rgb;
	typeof(cairo_set_source_surface) *cairo_set_source_surface;
	typeof(cairo_show_text) *cairo_show_text;
	typeof(cairo_surface_destroy) *cairo_surface_destroy;
	typeof(cairo_surface_flush) *cairo_surface_flush;
	typeof(cairo_surface_status) *cairo_surface_status;
	typeof(cairo_surface_write_to_png) *cairo_surface_write_to_png;
	typeof(cairo_text_extents) *cairo_text_extents;
	typeof(cairo_translate) *cairo_translate;
	typeof(pango_cairo_context_set_font_options) *pango_cairo_context_set_font_options;
	typeof(pango_cairo_context_set_resolution) *pango_cairo_context_set_resolution;
	typeof(pango_cairo_font_map_new) *pango_cairo_font_map_new;
	typeof(pango_cairo_show_layout) *pango_cairo_show_layout;
	typeof(pango_cairo_update_layout) *pango_cairo_update_layout;
	typeof(pango_fc_font_map_get_type) *pango_fc_font_map_get_type;
	typeof(pango_fc_font_map_set_config) *pango_fc_font_map_set_config;
	typeof(pango_font_description_free) *pango_font_description_free;
	typeof(pango_font_description_from_string) *pango_font_description_from_string;
	typeof(pango_font_description_set_absolute_size) *pango_font_description_set_absolute_size;
	typeof(pango_font_description_set_weight) *pango_font_description_set_weight;
	typeof(pango_font_map_create_context) *pango_font_map_create_context;
	typeof(pango_layout_get_pixel_size) *pango_layout_get_pixel_size;
	typeof(pango_layout_new) *pango_layout_new;
	typeof(pango_layout_set_alignment) *pango_layout_set_alignment;
	typeof(pango_layout_set_font_description) *pango_layout_set_font_description;
	typeof(pango_layout_set_text) *pango_layout_set_text;
	typeof(pango_layout_set_width) *pango_layout_set_width;
	typeof(pango_layout_set_wrap) *pango_layout_set_wrap;
};

/* Opens the libraries (once; thread-safe).  Returns the table, or NULL
 * with @ret_why (not to be freed) set when they cannot be loaded. */
const struct render_lib *render_lib_open(const char **ret_why);
/* The table, after a render_lib_open() that succeeded. */
const struct render_lib *render_lib(void);
