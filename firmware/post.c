/* SPDX-License-Identifier: GPL-3.0-or-later */
/* post: see post.h. */

#include "post.h"

void post_to_loop(GMainContext *context, const char *name, GSourceFunc fn, gpointer data,
		  GDestroyNotify destroy)
{
	GSource *src = g_idle_source_new();

	g_source_set_priority(src, G_PRIORITY_DEFAULT);
	g_source_set_callback(src, fn, data, destroy);
	g_source_set_static_name(src, name);
	g_source_attach(src, context);
	g_source_unref(src);
}
