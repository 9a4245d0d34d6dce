/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gst_plugins: GStreamer reads only the plugins vuorod uses.
 *
 * gst_init reads the registry of every installed plugin (some 260 on a
 * Debian 12 desktop) into memory, a megabyte of element factories, pad
 * templates and caps that vuorod never looks at (issue 22: idle and
 * session memory).  Before GStreamer starts, vuorod points it at a folder
 * of links to the plugins its pipelines name (the booth's WebRTC, codecs,
 * sources and sinks; the announcer's output) and at a registry file of its
 * own, so that the shared one in ~/.cache is left to other programs.  A
 * plugin still loads at its first use, as before; the folder only limits
 * what is read at start.
 *
 * A site's own choice outside that list (an [counter:N] h264-encoder of a
 * board's hardware, say) is found by gst_plugins_find(), which reads all
 * plugins once when an element is not among them.  Nothing is changed when
 * the environment already says where GStreamer looks
 * (GST_PLUGIN_SYSTEM_PATH_1_0, GST_REGISTRY_1_0: tests, a developer), or
 * when the folder cannot be made (then GStreamer reads everything).
 */
#pragma once

#include <glib.h>

/* Sets GStreamer's plugin folder and registry for this process.  Call in
 * main() before any thread starts (it sets environment variables) and
 * before gst_init.  FALSE when GStreamer is left to its defaults. */
gboolean gst_plugins_prepare(void);

/* TRUE when an element factory @name exists, after reading every
 * installed plugin if it was not among those read at start.  Call after
 * gst_init, from the main thread. */
gboolean gst_plugins_find(const char *name);
