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
 *
 * A library's functions are listed once, as an X-macro LIST(X, t, p) of
 * X(t, p, name) (p: a prefix the names share, or nothing), and the table's
 * fields and the symbols to look up both come from that list:
 *
 *   #define LIBFOO(X, t, p) X(t, p, open) X(t, p, close)
 *   struct foo_lib { LIBFOO(LAZYLIB_FIELD, _, foo_) };  // foo_open *open; ...
 *   static const struct lazylib foo = LAZYLIB("libfoo.so.1", LIBFOO, struct foo_lib, foo_);
 *
 * The tables filled once per process (render_lib, ical_lib, smtp, speech)
 * are the deliberate exception to "no globals" (STYLE.md): the library
 * they point into is mapped once per process, they are written once under
 * g_once (lazylib_open_once) and only read after.
 */
#pragma once

#include <glib.h>
#include <stddef.h>

/* One function: its name and where its address goes in the table. */
struct lazylib_sym {
	const char *name;
	size_t offset;
};

/* One library: its soname and the functions to find in it. */
struct lazylib {
	const char *soname;
	const struct lazylib_sym *syms;
	size_t n_syms;
};

/* X-macros for a list LIST(X, t, p) (see above): a table's field, a
 * symbol, and one for the count. */
#define LAZYLIB_FIELD(t, p, name) typeof(p##name) *name;
#define LAZYLIB_SYM(t, p, name)   {#p #name, offsetof(t, name)},
#define LAZYLIB_ONE(t, p, name)   +1
/* A struct lazylib initializer (static storage) for @list's functions,
 * prefixed @p, into table type @t. */
#define LAZYLIB(soname, list, t, p)                                                                \
	{                                                                                          \
		(soname), (const struct lazylib_sym[]){list(LAZYLIB_SYM, t, p)},                   \
		    0 list(LAZYLIB_ONE, t, p)                                                      \
	}

/* Opens @lib and fills its functions into @table.  Returns 0, or -ENOENT
 * with @ret_why (the loader's words) set. */
int lazylib_open(const struct lazylib *lib, void *table, char **ret_why);

/* Open once per process, whatever the thread. */
struct lazylib_once {
	gsize done;
	char *why; /* why not, kept for every later caller */
};

/* Opens each of @libs into @table the first time (thread-safe) and stops at
 * the first that fails.  Returns NULL, or why they could not be loaded (the
 * same words to every caller; not to be freed). */
const char *lazylib_open_once(struct lazylib_once *once, const struct lazylib *libs, size_t n_libs,
			      void *table);
