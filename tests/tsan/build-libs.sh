#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds Debian 12's own GLib and GStreamer core (the installed versions, from
# their source packages with Debian's patches) with ThreadSanitizer into
# DIR/lib, for make test-tsan.
#   tests/tsan/build-libs.sh DIR
# Why: GLib's GMutex and GCond are futex-based on Linux, not pthread's, and
# GStreamer's objects and messages live by atomic reference counts: in
# Debian's (uninstrumented) builds TSan sees none of it, and reports every
# GTask, GAsyncQueue, main-loop or GstMessage hand-off as a race.  Built
# with -Db_sanitize=thread their atomics are instrumented and each of those
# hand-offs is a happens-before edge TSan sees.  The SAN=thread programs find
# DIR/lib through their RPATH (Makefile); GStreamer's plugins, libsoup and
# libnice stay Debian's and lock through these.
# The sources come by apt-get source from the Debian archive (a private
# deb-src list under DIR: the host's apt configuration is not touched).
# About 8 min on 2 cores; done once per installed version (DIR/lib/.built).
set -euo pipefail
dir=$(realpath -m "${1:?usage: tests/tsan/build-libs.sh DIR}")
glib_ver=$(dpkg-query -W -f '${Version}' libglib2.0-0)
gst_ver=$(dpkg-query -W -f '${Version}' libgstreamer1.0-0)
want="glib2.0 $glib_ver gstreamer1.0 $gst_ver"
if [ -f "$dir/lib/.built" ] && [ "$(cat "$dir/lib/.built")" = "$want" ]; then
	exit 0
fi
for t in meson ninja dpkg-source flex bison; do
	command -v "$t" >/dev/null || { echo "build-libs: $t missing: run tools/install-deps --long" >&2; exit 1; }
done
multiarch=$(gcc -print-multiarch)
rm -rf "$dir/lib"
mkdir -p "$dir/apt/lists/partial" "$dir/lib"
. /etc/os-release
{
	echo "deb-src http://deb.debian.org/debian $VERSION_CODENAME main"
	echo "deb-src http://deb.debian.org/debian-security $VERSION_CODENAME-security main"
	echo "deb-src http://deb.debian.org/debian $VERSION_CODENAME-updates main"
} >"$dir/apt/sources.list"
apt_opts=(-o Dir::Etc::SourceList="$dir/apt/sources.list" -o Dir::Etc::SourceParts=/nonexistent
	-o Dir::State::Lists="$dir/apt/lists" -o APT::Sandbox::User=root)
apt-get "${apt_opts[@]}" -q update >"$dir/apt/update.log" 2>&1 ||
	{ tail -5 "$dir/apt/update.log"; echo "build-libs: apt-get update of deb-src failed" >&2; exit 1; }

build() { # source-package version name meson-options… ; libraries in $libs
	local pkg=$1 ver=$2 name=$3 src=$dir/src/$3 out=$dir/build-$3
	shift 3
	# A build of this version that was cut short goes on where it was.
	if [ "$(cat "$out/.version" 2>/dev/null)" != "$ver" ]; then
		rm -rf "$src" "$out" && mkdir -p "$dir/src"
		(cd "$dir/src" && apt-get "${apt_opts[@]}" -q source --download-only "$pkg=$ver" \
			>"$dir/apt/source-$name.log" 2>&1) ||
			{ tail -5 "$dir/apt/source-$name.log"; echo "build-libs: apt-get source $pkg=$ver failed" >&2; exit 1; }
		(cd "$dir/src" && dpkg-source -q -x "${pkg}_${ver#*:}.dsc" "$name" >/dev/null)
		meson setup "$out" "$src" --prefix=/usr --libdir="lib/$multiarch" --buildtype=debugoptimized \
			-Db_sanitize=thread -Db_lundef=false "$@" >"$dir/meson-$name.log" 2>&1 ||
			{ tail -20 "$dir/meson-$name.log"; echo "build-libs: meson setup of $name failed, see $dir/meson-$name.log" >&2; exit 1; }
		echo "$ver" >"$out/.version"
	fi
	ninja -C "$out" -j "${JOBS:-2}" >"$dir/ninja-$name.log" 2>&1 ||
		{ tail -20 "$dir/ninja-$name.log"; echo "build-libs: $name failed to build, see $dir/ninja-$name.log" >&2; exit 1; }
	for l in $libs; do
		cp -L "$(find "$out/" -name "$l" -print -quit)" "$dir/lib/"
	done
}

# Only the libraries: no tests, tools, docs, introspection or translations.
libs="libglib-2.0.so.0 libgobject-2.0.so.0 libgio-2.0.so.0 libgmodule-2.0.so.0 libgthread-2.0.so.0"
build glib2.0 "$glib_ver" glib -Dtests=false -Dinstalled_tests=false -Dgtk_doc=false -Dman=false \
	-Dnls=disabled -Dselinux=disabled -Dlibmount=disabled -Dxattr=false -Dlibelf=disabled \
	-Dsysprof=disabled -Dglib_debug=disabled
# GStreamer's debug system stays on, as in Debian's build (its ABI has it);
# plugins and the plugin scanner are Debian's, from the usual paths.
libs="libgstreamer-1.0.so.0 libgstbase-1.0.so.0 libgstcontroller-1.0.so.0 libgstnet-1.0.so.0"
build gstreamer1.0 "$gst_ver" gstreamer -Dtests=disabled -Dexamples=disabled -Dbenchmarks=disabled \
	-Dtools=disabled -Ddoc=disabled -Dintrospection=disabled -Dnls=disabled -Dlibunwind=disabled \
	-Dlibdw=disabled -Dbash-completion=disabled -Dcheck=disabled -Dptp-helper-permissions=none \
	-Dlibexecdir="lib/$multiarch/gstreamer1.0"
echo "$want" >"$dir/lib/.built"
echo "build-libs: GLib $glib_ver and GStreamer $gst_ver with TSan in $dir/lib"
