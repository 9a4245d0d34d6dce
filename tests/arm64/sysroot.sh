#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The arm64 sysroot that `make deb ARCH=arm64` and `make test-arm64` build
# against and that qemu-aarch64 -L runs the unit tests in: Debian 12's arm64
# packages (what a Raspberry Pi 4/5 on Debian 12 or Raspberry Pi OS bookworm
# installs), extracted by mmdebstrap --variant=extract.
#   tests/arm64/sysroot.sh SYSROOT
# Why a sysroot and not multiarch on the host (README "arm64"): installing
# the Build-Depends as :arm64 next to the host's amd64 ones does not work on
# bookworm: libsoup-3.0-dev:arm64 and libnice-dev:arm64 pull
# gobject-introspection:arm64 (Multi-Arch: no, wants python3:arm64), and
# libical-dev, libgstreamer-plugins-*-dev and libpq-dev:arm64 would remove
# the host's amd64 -dev packages.  The extracted root needs no binfmt_misc
# (nothing in it runs while it is made) and leaves the host's packages alone.
# The packages: debian/control's Build-Depends (:arm64), libc6-dev, and what
# the unit tests load at run time (SoftHSM2's module, fonts, GStreamer's
# base plugins).  Absolute symlinks in the root are made relative so that
# the cross linker (--sysroot) and qemu-aarch64 -L resolve them inside it.
# SYSROOT/DEBIAN/symbols and shlibs gather the packages' symbols and shlibs
# files: dpkg-shlibdeps -S SYSROOT finds the libraries there and takes the
# arm64 packages' own dependency information from them.
# The root keeps its apt lists: tests/arm64/run.sh asks apt whether the
# arm64 packages' dependencies resolve on Debian 12 arm64.
# Made again only when the package list or this script changed (a stamp).
# Needs root (mmdebstrap in root mode) and the Debian archive (ARM64_MIRROR,
# default http://deb.debian.org/debian; security updates from
# ARM64_SECURITY, default http://deb.debian.org/debian-security).
set -euo pipefail
cd "$(dirname "$0")/../.."
sysroot=${1:?usage: tests/arm64/sysroot.sh SYSROOT}
mirror=${ARM64_MIRROR:-http://deb.debian.org/debian}
security=${ARM64_SECURITY:-http://deb.debian.org/debian-security}

if [ "$(id -u)" -ne 0 ]; then
	echo "arm64 sysroot: needs root (mmdebstrap): run as root" >&2
	exit 1
fi
command -v mmdebstrap >/dev/null || {
	echo "arm64 sysroot: mmdebstrap missing: run tools/install-deps --long" >&2
	exit 1
}

# debian/control's Build-Depends, without debhelper and the build tools
# that run on the build machine (pkg-config is the cross one on the host).
build_deps=$(sed -n '/^Build-Depends:/,/^[A-Z][A-Za-z-]*:/{/^Build-Depends:/{s/^Build-Depends://;p;d};/^ /p}' debian/control |
	tr ',' '\n' | sed 's/(.*)//; s/[[:space:]]//g' | grep -v -e '^$' -e '^debhelper' -e '^pkg-config$')
# What vuorod needs at run time (the vuoro package's Depends but the
# ${…} substitutions and systemd) and what the unit tests open: SoftHSM2's
# module, fontconfig's configuration.
runtime=$(sed -n '/^Package: vuoro$/,/^$/{/^Depends:/,/^[A-Z][A-Za-z-]*:/{/^Depends:/{s/^Depends://;p;d};/^ /p}}' debian/control |
	tr ',' '\n' | sed 's/(.*)//; s/[[:space:]]//g' | grep -v -e '^$' -e '^\$' -e '^systemd$')
runtime="$runtime softhsm2 fontconfig-config"
include=$(printf '%s\n' libc6-dev $build_deps $runtime | sort -u | paste -sd, -)

stamp_want=$( (echo "$include" "$mirror" "$security"; cat "$0") | sha256sum | cut -d' ' -f1)
if [ -f "$sysroot/.vuoro-sysroot" ] && [ "$(cat "$sysroot/.vuoro-sysroot")" = "$stamp_want" ]; then
	echo "arm64 sysroot: $sysroot is up to date"
	exit 0
fi

echo "arm64 sysroot: extracting Debian 12 arm64 packages into $sysroot"
rm -rf "$sysroot"
mkdir -p "$(dirname "$sysroot")"
start=$(date +%s)
# The downloaded .deb files stay in the root's apt cache until their
# symbols and shlibs control files are in DEBIAN/.
mmdebstrap --variant=extract --architectures=arm64 --include="$include" \
	--skip=cleanup/apt/cache --skip=cleanup/apt/lists bookworm "$sysroot" \
	"deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
	"deb $security bookworm-security main"
mkdir -p "$sysroot/DEBIAN"
: >"$sysroot/DEBIAN/symbols"
: >"$sysroot/DEBIAN/shlibs"
for deb in "$sysroot"/var/cache/apt/archives/*.deb; do
	dpkg-deb --info "$deb" symbols >>"$sysroot/DEBIAN/symbols" 2>/dev/null || true
	dpkg-deb --info "$deb" shlibs >>"$sysroot/DEBIAN/shlibs" 2>/dev/null || true
done
rm -f "$sysroot"/var/cache/apt/archives/*.deb

# Absolute symlinks (libfoo.so -> /lib/aarch64-linux-gnu/libfoo.so.1) point
# at the host's files: make them relative, within the root.
find "$sysroot" -type l -lname '/*' -print0 | while IFS= read -r -d '' link; do
	ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$sysroot$(readlink "$link")")" "$link"
done
# The loader must be where an arm64 binary's PT_INTERP says.
[ -e "$sysroot/lib/ld-linux-aarch64.so.1" ] || {
	echo "arm64 sysroot: no /lib/ld-linux-aarch64.so.1 in $sysroot" >&2
	exit 1
}
echo "$stamp_want" >"$sysroot/.vuoro-sysroot"
echo "BENCH arm64_sysroot_s=$(($(date +%s) - start)) s"
echo "BENCH arm64_sysroot_mb=$(du -sm "$sysroot" | cut -f1) MB"
