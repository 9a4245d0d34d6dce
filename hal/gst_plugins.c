/* SPDX-License-Identifier: GPL-3.0-or-later */
/* gst_plugins: GStreamer reads only the plugins vuorod uses (gst_plugins.h). */
#include "gst_plugins.h"

#include <errno.h>
#include <gst/gst.h>
#include <string.h>
#include <unistd.h>

#ifndef VUORO_GST_PLUGINDIR
#error "the Makefile gives GStreamer's plugin folder (pkg-config --variable=pluginsdir)"
#endif

/* The plugin files of every element vuorod's pipelines name, and of what
 * webrtcbin and the auto sinks make inside them.  Files a board does not
 * have are skipped.  Not gst-libav (avdec_h264 of an H.264 booth): its
 * hundreds of factories are what this saves; gst_plugins_find() reads it
 * where a booth needs it. */
static const char *const plugin_files[] = {
    /* core: queue, tee, valve, fakesink, filesink; appsrc, appsink; capssetter */
    "libgstcoreelements.so",
    "libgstapp.so",
    "libgstdebug.so",
    /* the booth's WebRTC: webrtcbin, ICE, DTLS, SRTP, the data channel */
    "libgstwebrtc.so",
    "libgstnice.so",
    "libgstdtls.so",
    "libgstsrtp.so",
    "libgstsctp.so",
    "libgstrtp.so",
    "libgstrtpmanager.so",
    /* codecs, parsers, the recording */
    "libgstvpx.so",
    "libgstopus.so",
    "libgstopusparse.so",
    "libgstx264.so",
    "libgstopenh264.so",
    "libgstvideoparsersbad.so",
    "libgstjpeg.so",
    "libgstmatroska.so",
    "libgstwavenc.so",
    /* conversions */
    "libgstvideoconvertscale.so",
    "libgstvideoconvert.so",
    "libgstvideoscale.so",
    "libgstvideorate.so",
    "libgstaudioconvert.so",
    "libgstaudioresample.so",
    "libgstvolume.so",
    "libgstlevel.so",
    /* sources: the sim board's test pictures and sounds, cameras, microphones */
    "libgstvideotestsrc.so",
    "libgstaudiotestsrc.so",
    "libgstvideo4linux2.so",
    "libgstalsa.so",
    "libgstpulseaudio.so",
    "libgstpipewire.so",
    /* sinks the auto sinks choose among (the announcer, a booth's screen) */
    "libgstautodetect.so",
    "libgstximagesink.so",
    "libgstxvimagesink.so",
    "libgstopengl.so",
    "libgstkms.so",
    "libgstwaylandsink.so",
    "libgstfbdevsink.so",
};

static guint list_hash(void)
{
	guint h = g_str_hash(VUORO_GST_PLUGINDIR);

	for (size_t i = 0; i < G_N_ELEMENTS(plugin_files); i++)
		h = h * 31 + g_str_hash(plugin_files[i]);
	return h;
}

/* @dir holds a link to each plugin file there is; a link another vuorod
 * made meanwhile is the same link.  FALSE (errno) when one cannot be made
 * or followed. */
static gboolean fill_folder(const char *dir)
{
	if (g_mkdir_with_parents(dir, 0755) < 0)
		return FALSE;
	for (size_t i = 0; i < G_N_ELEMENTS(plugin_files); i++) {
		g_autofree char *target =
		    g_build_filename(VUORO_GST_PLUGINDIR, plugin_files[i], NULL);
		g_autofree char *link = g_build_filename(dir, plugin_files[i], NULL);

		if (!g_file_test(target, G_FILE_TEST_EXISTS))
			continue;
		if (symlink(target, link) < 0 && errno != EEXIST)
			return FALSE;
		/* A link GStreamer could not follow (under qemu-user, whose
		 * sysroot the kernel does not see) would lose the plugin. */
		if (!g_file_test(link, G_FILE_TEST_EXISTS)) {
			errno = ENOENT;
			return FALSE;
		}
	}
	return TRUE;
}

gboolean gst_plugins_prepare(void)
{
	g_autofree char *base = NULL;
	g_autofree char *dir = NULL;
	g_autofree char *registry = NULL;
	guint h = list_hash();

	if (g_getenv("GST_PLUGIN_SYSTEM_PATH_1_0") || g_getenv("GST_PLUGIN_SYSTEM_PATH") ||
	    g_getenv("GST_REGISTRY_1_0") || g_getenv("GST_REGISTRY"))
		return FALSE;
	base = g_build_filename(g_get_user_cache_dir(), "vuoro", "gstreamer-1.0", NULL);
	dir = g_strdup_printf("%s/plugins-%08x", base, h);
	registry = g_strdup_printf("%s/registry-%08x.bin", base, h);
	if (!fill_folder(dir)) {
		g_info("GStreamer reads all its plugins: %s cannot be made (%s)", dir,
		       g_strerror(errno));
		return FALSE;
	}
	g_setenv("GST_PLUGIN_SYSTEM_PATH_1_0", dir, TRUE);
	g_setenv("GST_REGISTRY_1_0", registry, TRUE);
	return TRUE;
}

gboolean gst_plugins_find(const char *name)
{
	GstElementFactory *f = gst_element_factory_find(name);

	if (!f) {
		g_message("GStreamer element %s is not among the plugins read at start: reading "
			  "all of %s",
			  name, VUORO_GST_PLUGINDIR);
		gst_registry_scan_path(gst_registry_get(), VUORO_GST_PLUGINDIR);
		f = gst_element_factory_find(name);
	}
	if (f)
		gst_object_unref(f);
	return f != NULL;
}
