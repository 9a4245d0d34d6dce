/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * post: hand a result from a worker thread to a main loop.
 *
 * g_main_context_invoke() runs its function at once on the calling thread
 * when nobody owns the context — and nobody does once g_main_loop_run() has
 * returned.  A worker that reports while vuorod shuts down would then run
 * main-loop code on its own thread, next to the main thread freeing the very
 * modules that code calls.  post_to_loop() always queues: what is posted runs
 * on the loop that iterates @context, or never.
 */
#pragma once

#include <glib.h>

/* Queues @fn(@data) on @context (NULL: the global default) at default
 * priority; @destroy frees @data after it ran.  Thread-safe. */
void post_to_loop(GMainContext *context, const char *name, GSourceFunc fn, gpointer data,
		  GDestroyNotify destroy);
