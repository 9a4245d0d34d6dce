/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lazylib: see lazylib.h. */

#include "lazylib.h"

#include <dlfcn.h>
#include <errno.h>

int lazylib_open(const char *soname, const struct lazylib_sym *syms, size_t n_syms, char **ret_why)
{
	void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (!lib) {
		*ret_why = g_strdup(dlerror());
		return -ENOENT;
	}
	for (size_t i = 0; i < n_syms; i++) {
		*syms[i].fn = dlsym(lib, syms[i].name);
		if (!*syms[i].fn) {
			*ret_why = g_strdup_printf("%s has no %s", soname, syms[i].name);
			return -ENOENT;
		}
	}
	return 0;
}
