/* SPDX-License-Identifier: GPL-3.0-or-later */
/* render_lib: see render_lib.h. */

#include "render_lib.h"

/* Filled once per process (lazylib.h). */
static struct render_lib render;
static struct lazylib_once render_once;

static const struct lazylib render_libs[] = {
    LAZYLIB("libfontconfig.so.1", RENDER_LIB_FONTCONFIG, struct render_lib, ),
    LAZYLIB("libcairo.so.2", RENDER_LIB_CAIRO, struct render_lib, ),
    LAZYLIB("libpangocairo-1.0.so.0", RENDER_LIB_PANGOCAIRO, struct render_lib, ),
    LAZYLIB("libpangoft2-1.0.so.0", RENDER_LIB_PANGOFT2, struct render_lib, ),
    LAZYLIB("libpango-1.0.so.0", RENDER_LIB_PANGO, struct render_lib, ),
};

const struct render_lib *render_lib_open(const char **ret_why)
{
	*ret_why = lazylib_open_once(&render_once, render_libs, G_N_ELEMENTS(render_libs), &render);
	return *ret_why ? NULL : &render;
}

const struct render_lib *render_lib(void)
{
	return &render;
}
