/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ical_lib: see ical_lib.h. */

#include "ical_lib.h"

/* Filled once per process (lazylib.h). */
static struct ical_lib ical;
static struct lazylib_once ical_once;

static const struct lazylib ical_libs[] = {
    LAZYLIB("libical.so.3", ICAL_LIB_FUNCTIONS, struct ical_lib, ),
};

const struct ical_lib *ical_lib_open(GError **error)
{
	const char *why = lazylib_open_once(&ical_once, ical_libs, G_N_ELEMENTS(ical_libs), &ical);

	if (why) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
			    "libical could not be loaded: %s; install libical3", why);
		return NULL;
	}
	return &ical;
}

const struct ical_lib *ical_lib(void)
{
	return &ical;
}
