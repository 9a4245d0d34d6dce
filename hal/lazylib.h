/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lazylib: a library opened at its first use (dlopen), not linked.
 *
 * Every library vuorod is linked against is mapped, relocated and its
 * constructors run at start, used or not: with some 115 of them that is
 * most of an idle vuorod's memory (issue 22, tools/bench-idle-rss.sh).  A
 * module whose library serves a rare act (speech, mail, an iCalendar
 * import) keeps a table of that library's functions and fills it here the
 * first time it is needed; the Makefile's LAZY_LIBS leaves the library off
 * the link.  A library once opened stays: none of them may be unloaded
 * safely while their state lives.
 */
#pragma once

#include <glib.h>

struct lazylib_sym {
	const char *name;
	void **fn; /* where the function's address goes */
};

/* Opens @soname (e.g. "libcurl.so.4") and fills every @syms[i].fn.  Returns
 * 0, or -ENOENT with @ret_why (the loader's words) set. */
int lazylib_open(const char *soname, const struct lazylib_sym *syms, size_t n_syms, char **ret_why);
