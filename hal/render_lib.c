/* SPDX-License-Identifier: GPL-3.0-or-later */
/* render_lib: see render_lib.h. */

#include "render_lib.h"

#include "lazylib.h"

static struct render_lib render;

const struct render_lib *render_lib_open(const char **ret_why)
{
	static const struct lazylib_sym fc_syms[] = {
	    {"FcConfigAppFontAddFile", (void **)&render.FcConfigAppFontAddFile},
	    {"FcConfigCreate", (void **)&render.FcConfigCreate},
	    {"FcConfigDestroy", (void **)&render.FcConfigDestroy},
	};
	static const struct lazylib_sym cairo_syms[] = {
	    {"cairo_create", (void **)&render.cairo_create},
	    {"cairo_destroy", (void **)&render.cairo_destroy},
	    {"cairo_fill", (void **)&render.cairo_fill},
	    {"cairo_font_options_create", (void **)&render.cairo_font_options_create},
	    {"cairo_font_options_destroy", (void **)&render.cairo_font_options_destroy},
	    {"cairo_font_options_set_antialias", (void **)&render.cairo_font_options_set_antialias},
	    {"cairo_font_options_set_hint_metrics",
	     (void **)&render.cairo_font_options_set_hint_metrics},
	    {"cairo_font_options_set_hint_style",
	     (void **)&render.cairo_font_options_set_hint_style},
	    {"cairo_image_surface_create", (void **)&render.cairo_image_surface_create},
	    {"cairo_image_surface_get_data", (void **)&render.cairo_image_surface_get_data},
	    {"cairo_image_surface_get_stride", (void **)&render.cairo_image_surface_get_stride},
	    {"cairo_move_to", (void **)&render.cairo_move_to},
	    {"cairo_paint", (void **)&render.cairo_paint},
	    {"cairo_rectangle", (void **)&render.cairo_rectangle},
	    {"cairo_restore", (void **)&render.cairo_restore},
	    {"cairo_save", (void **)&render.cairo_save},
	    {"cairo_scale", (void **)&render.cairo_scale},
	    {"cairo_select_font_face", (void **)&render.cairo_select_font_face},
	    {"cairo_set_font_size", (void **)&render.cairo_set_font_size},
	    {"cairo_set_source_rgb", (void **)&render.cairo_set_source_rgb},
	    {"cairo_set_source_surface", (void **)&render.cairo_set_source_surface},
	    {"cairo_show_text", (void **)&render.cairo_show_text},
	    {"cairo_surface_destroy", (void **)&render.cairo_surface_destroy},
	    {"cairo_surface_flush", (void **)&render.cairo_surface_flush},
	    {"cairo_surface_status", (void **)&render.cairo_surface_status},
	    {"cairo_surface_write_to_png", (void **)&render.cairo_surface_write_to_png},
	    {"cairo_text_extents", (void **)&render.cairo_text_extents},
	    {"cairo_translate", (void **)&render.cairo_translate},
	};
	static const struct lazylib_sym pango_cairo_syms[] = {
	    {"pango_cairo_context_set_font_options",
	     (void **)&render.pango_cairo_context_set_font_options},
	    {"pango_cairo_context_set_resolution",
	     (void **)&render.pango_cairo_context_set_resolution},
	    {"pango_cairo_font_map_new", (void **)&render.pango_cairo_font_map_new},
	    {"pango_cairo_show_layout", (void **)&render.pango_cairo_show_layout},
	    {"pango_cairo_update_layout", (void **)&render.pango_cairo_update_layout},
	};
	static const struct lazylib_sym pango_fc_syms[] = {
	    {"pango_fc_font_map_get_type", (void **)&render.pango_fc_font_map_get_type},
	    {"pango_fc_font_map_set_config", (void **)&render.pango_fc_font_map_set_config},
	};
	static const struct lazylib_sym pango_syms[] = {
	    {"pango_font_description_free", (void **)&render.pango_font_description_free},
	    {"pango_font_description_from_string",
	     (void **)&render.pango_font_description_from_string},
	    {"pango_font_description_set_absolute_size",
	     (void **)&render.pango_font_description_set_absolute_size},
	    {"pango_font_description_set_weight",
	     (void **)&render.pango_font_description_set_weight},
	    {"pango_font_map_create_context", (void **)&render.pango_font_map_create_context},
	    {"pango_layout_get_pixel_size", (void **)&render.pango_layout_get_pixel_size},
	    {"pango_layout_new", (void **)&render.pango_layout_new},
	    {"pango_layout_set_alignment", (void **)&render.pango_layout_set_alignment},
	    {"pango_layout_set_font_description",
	     (void **)&render.pango_layout_set_font_description},
	    {"pango_layout_set_text", (void **)&render.pango_layout_set_text},
	    {"pango_layout_set_width", (void **)&render.pango_layout_set_width},
	    {"pango_layout_set_wrap", (void **)&render.pango_layout_set_wrap},
	};
	static const struct {
		const char *soname;
		const struct lazylib_sym *syms;
		size_t n;
	} libs[] = {
	    {"libfontconfig.so.1", fc_syms, G_N_ELEMENTS(fc_syms)},
	    {"libcairo.so.2", cairo_syms, G_N_ELEMENTS(cairo_syms)},
	    {"libpangocairo-1.0.so.0", pango_cairo_syms, G_N_ELEMENTS(pango_cairo_syms)},
	    {"libpangoft2-1.0.so.0", pango_fc_syms, G_N_ELEMENTS(pango_fc_syms)},
	    {"libpango-1.0.so.0", pango_syms, G_N_ELEMENTS(pango_syms)},
	};
	static gsize opened;
	static char *why;

	if (g_once_init_enter(&opened)) {
		for (size_t i = 0; i < G_N_ELEMENTS(libs) && !why; i++)
			lazylib_open(libs[i].soname, libs[i].syms, libs[i].n, &why);
		g_once_init_leave(&opened, 1);
	}
	*ret_why = why;
	return why ? NULL : &render;
}

const struct render_lib *render_lib(void)
{
	return &render;
}
