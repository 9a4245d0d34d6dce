/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lazylib: see lazylib.h. */

#include "lazylib.h"

#include <dlfcn.h>
#include <errno.h>

int lazylib_open(const struct lazylib *lib, void *table, char **ret_why)
{
	void *handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);

	if (!handle) {
		*ret_why = g_strdup(dlerror());
		return -ENOENT;
	}
	for (size_t i = 0; i < lib->n_syms; i++) {
		void *fn = dlsym(handle, lib->syms[i].name);

		if (!fn) {
			*ret_why = g_strdup_printf("%s has no %s", lib->soname, lib->syms[i].name);
			return -ENOENT;
		}
		*(void **)((char *)table + lib->syms[i].offset) = fn;
	}
	return 0;
}

const char *lazylib_open_once(struct lazylib_once *once, const struct lazylib *libs, size_t n_libs,
			      void *table)
{
	if (g_once_init_enter(&once->done)) {
		for (size_t i = 0; i < n_libs && !once->why; i++)
			lazylib_open(&libs[i], table, &once->why);
		g_once_init_leave(&once->done, 1);
	}
	return once->why;
}
