#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds Debian 12's own GLib (the installed version, from its source package
# with Debian's patches) with ThreadSanitizer into DIR/lib, for make test-tsan.
#   tests/tsan/build-glib.sh DIR
# Why: GLib's GMutex and GCond are futex-based on Linux, not pthread's, so a
# TSan vuorod on Debian's (uninstrumented) GLib sees none of the locking that
# GLib, GIO (GTask's pool), GStreamer and libsoup do through it, and reports
# races that are not there.  Built with -Db_sanitize=thread, GLib's atomics
# are instrumented and every GMutex, GCond, GAsyncQueue and main-context hop
# is a happens-before edge TSan sees.  Run with LD_LIBRARY_PATH=DIR/lib.
# The source comes by apt-get source from the Debian archive (a private
# deb-src list under DIR: the host's apt configuration is not touched).
# Takes ~5 min on 2 cores; done once (DIR/lib/.built names the version).
set -euo pipefail
dir=$(realpath -m "${1:?usage: tests/tsan/build-glib.sh DIR}")
ver=$(dpkg-query -W -f '${Version}' libglib2.0-0)
if [ -f "$dir/lib/.built" ] && [ "$(cat "$dir/lib/.built")" = "$ver" ]; then
	exit 0
fi
for t in meson ninja dpkg-source; do
	command -v "$t" >/dev/null || { echo "build-glib: $t missing: run tools/install-deps --long" >&2; exit 1; }
done
rm -rf "$dir/src" "$dir/apt" "$dir/lib"
mkdir -p "$dir/apt/lists/partial" "$dir/src"
. /etc/os-release
{
	echo "deb-src http://deb.debian.org/debian $VERSION_CODENAME main"
	echo "deb-src http://deb.debian.org/debian-security $VERSION_CODENAME-security main"
	echo "deb-src http://deb.debian.org/debian $VERSION_CODENAME-updates main"
} >"$dir/apt/sources.list"
apt_opts=(-o Dir::Etc::SourceList="$dir/apt/sources.list" -o Dir::Etc::SourceParts=/nonexistent
	-o Dir::State::Lists="$dir/apt/lists" -o APT::Sandbox::User=root)
apt-get "${apt_opts[@]}" -q update >"$dir/apt/update.log" 2>&1 ||
	{ tail -5 "$dir/apt/update.log"; echo "build-glib: apt-get update of deb-src failed" >&2; exit 1; }
(cd "$dir/src" && apt-get "${apt_opts[@]}" -q source --download-only "glib2.0=$ver" >../apt/source.log 2>&1) ||
	{ tail -5 "$dir/apt/source.log"; echo "build-glib: apt-get source glib2.0=$ver failed" >&2; exit 1; }
(cd "$dir/src" && dpkg-source -q -x ./*.dsc glib >/dev/null)
# Only the libraries: no tests, docs, introspection or translations.
rm -rf "$dir/build"
meson setup "$dir/build" "$dir/src/glib" --prefix=/usr --libdir=lib --buildtype=debugoptimized \
	-Db_sanitize=thread -Db_lundef=false -Dtests=false -Dinstalled_tests=false \
	-Dgtk_doc=false -Dman=false -Dnls=disabled -Dselinux=disabled -Dlibmount=disabled \
	-Dxattr=false -Dlibelf=disabled -Dsysprof=disabled -Dglib_debug=disabled \
	-Dgio_module_dir="/usr/lib/$(gcc -print-multiarch)/gio/modules" >"$dir/meson.log" 2>&1 ||
	{ tail -20 "$dir/meson.log"; echo "build-glib: meson setup failed, see $dir/meson.log" >&2; exit 1; }
ninja -C "$dir/build" -j "${JOBS:-2}" >"$dir/ninja.log" 2>&1 ||
	{ tail -20 "$dir/ninja.log"; echo "build-glib: build failed, see $dir/ninja.log" >&2; exit 1; }
mkdir -p "$dir/lib"
for l in glib gobject gio gmodule gthread; do
	cp -L "$dir/build/$l/lib$l-2.0.so.0" "$dir/lib/"
done
echo "$ver" >"$dir/lib/.built"
echo "build-glib: GLib $ver with TSan in $dir/lib"
