#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The README's promise on a stock Debian 12: `make test` in a minimal
# bookworm root that holds only git and make (debootstrap --variant=minbase),
# entered with chroot.  Everything else comes from `make deps` inside it, so
# what our own machines carry besides (Node.js 20, llvm-symbolizer,
# libc6-dbg, …) cannot hide a missing dependency.
#   tests/stock/run.sh BUILD
# The root goes in BUILD/stock/root (a few GB; made afresh each run unless
# STOCK_REUSE=1), the log in BUILD/stock/make-test.log.  It tests the
# committed HEAD of this repository (a clone), not uncommitted changes.
# Needs root (debootstrap, mount, chroot) and the Debian archive
# (STOCK_MIRROR, default http://deb.debian.org/debian).  Ends with make
# test's closing line and its exit status.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
build=${1:-build}
mkdir -p "$build/stock"
work=$(cd "$build/stock" && pwd)
root=$work/root
log=$work/make-test.log
mirror=${STOCK_MIRROR:-http://deb.debian.org/debian}

if [ "$(id -u)" -ne 0 ]; then
	echo "stock: needs root (debootstrap, mount, chroot): run make test-long as root" >&2
	exit 1
fi
command -v debootstrap >/dev/null || {
	echo "stock: debootstrap missing: run tools/install-deps --long" >&2
	exit 1
}

cleanup() {
	local pid
	# Whatever the tests left running in the root (a server, a browser)
	# holds its mounts: end those processes, found by their root directory.
	for pid in /proc/[0-9]*; do
		[ "$(readlink "$pid/root" 2>/dev/null)" = "$root" ] && kill -KILL "${pid#/proc/}" 2>/dev/null
	done
	# Ours and any the tests made below them (ip netns add mounts in the
	# root's /run/netns), deepest first.
	awk -v r="$root" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/self/mounts | sort -r |
		while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mounted() { # dir: is anything mounted at or below it?
	grep -q " $1[/ ]" /proc/self/mounts
}

if [ "${STOCK_REUSE:-0}" = 1 ] && [ -x "$root/usr/bin/git" ]; then
	echo "stock: reusing $root"
else
	if mounted "$root"; then
		echo "stock: something is still mounted under $root: unmount it first" >&2
		exit 1
	fi
	rm -rf "$root"
	echo "stock: debootstrap bookworm (minbase, git and make) into $root"
	debootstrap --variant=minbase --include=git,make bookworm "$root" "$mirror" \
		>"$work/debootstrap.log" 2>&1 || {
		tail -20 "$work/debootstrap.log"
		exit 1
	}
	# A stock install follows the point releases and security updates.
	cat >"$root/etc/apt/sources.list" <<-EOF
		deb $mirror bookworm main
		deb $mirror bookworm-updates main
		deb http://deb.debian.org/debian-security bookworm-security main
	EOF
	# No init runs in a chroot: packages must not start their services
	# (PostgreSQL, coturn, nats-server); the tests run their own.
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 755 "$root/usr/sbin/policy-rc.d"
fi
# The host's network, as a site's machine would have its own: the name
# servers, and the local CAs it trusts (/usr/local/share/ca-certificates,
# e.g. an HTTPS proxy's), which ca-certificates adds to the system's store.
cp /etc/resolv.conf "$root/etc/resolv.conf"
if [ -d /usr/local/share/ca-certificates ]; then
	mkdir -p "$root/usr/local/share/ca-certificates"
	cp -r /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
	[ ! -x "$root/usr/sbin/update-ca-certificates" ] ||
		chroot "$root" /usr/sbin/update-ca-certificates >/dev/null 2>&1
fi

rm -rf "$root/src/vuoro"
mkdir -p "$root/src"
git clone --quiet --no-hardlinks "$repo" "$root/src/vuoro"
echo "stock: testing $(git -C "$root/src/vuoro" log --oneline -1)"

mnt() { # type source target [options]
	mkdir -p "$3"
	mount -t "$1" ${4:+-o "$4"} "$2" "$3"
}
# The root a mount point of its own (ip netns exec remounts / as a slave:
# a plain directory is refused), private, with the kernel's file systems.
mount --bind "$root" "$root"
mount --make-private "$root"
mnt proc proc "$root/proc"
mnt sysfs sys "$root/sys"
for d in /dev /dev/pts; do
	mkdir -p "$root$d"
	mount --bind "$d" "$root$d"
	# Where the host's mounts are shared (systemd), what is mounted on the
	# root's /dev/shm must not appear on the host's.
	mount --make-private "$root$d"
done
mnt tmpfs shm "$root/dev/shm" mode=1777
mnt tmpfs tmp "$root/tmp" mode=1777

echo "stock: make test in the root (log: $log)"
rc=0
chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	sh -c 'cd /src/vuoro && exec make test' >"$log" 2>&1 || rc=$?
grep -E '^(FAILED|install-deps|e2e|unit|pytest|qemu)' "$log" | grep -vE ': [0-9]+ (ok|passed), 0 (not ok|failed)' || true
tail -1 "$log"
[ "$rc" -eq 0 ] || echo "stock: make test exited $rc"
exit "$rc"
