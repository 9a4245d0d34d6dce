#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The arm64 build (Raspberry Pi 4/5 on Debian 12 / Raspberry Pi OS bookworm)
# checked on this amd64 machine: its packages, its unit tests under
# qemu-user, and vuorod itself answering HTTP under qemu-user.
#   tests/arm64/run.sh BUILD
# 1. the packages of `make deb ARCH=arm64` (BUILD/deb-arm64, made before
#    this script by make test-arm64): vuoro and vuoro-hub are arm64 with
#    ARM aarch64 programs, vuoro-kiosk is all, Depends name Debian's
#    library packages (dpkg-shlibdeps resolved them for arm64), apt resolves
#    them on a bare Debian 12 arm64 board, lintian finds no error;
# 2. the unit tests cross-built (BUILD/arm64/tests/test-*) and run one by
#    one with qemu-aarch64 -L SYSROOT (binfmt_misc is not mounted here, so
#    no arm64 program runs without it); each prints pass/fail;
# 3. vuorod --version and --check-config of every board-config, then vuorod
#    on the sim board on a loopback port, and GET /api/health.
# Ends with "N passed, N failed".  The sysroot (tests/arm64/sysroot.sh) is
# BUILD/arm64/sysroot.  Why some things differ under qemu-user:
# - a program that runs itself again (GLib's g_test_trap_subprocess) or
#   another arm64 program would need binfmt_misc: each test runs through a
#   small host script named like it that starts qemu-aarch64 with -0 (argv[0]
#   = that script), so GLib's re-run goes through qemu again;
# - GStreamer scans its plugins in a helper program (gst-plugin-scanner,
#   arm64): GST_REGISTRY_FORK=no scans them in the test's own process.
# No unit test is skipped.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
sysroot=$PWD/$build/arm64/sysroot
abuild=$build/arm64
deb_dir=$build/deb-arm64
version=$(cat VERSION)
passed=0
failed=0
failures=()
work=$(mktemp -d /tmp/vuoro-arm64.XXXXXX)
pid=

cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in qemu-aarch64 aarch64-linux-gnu-gcc; do
	command -v "$tool" >/dev/null || {
		echo "arm64: $tool missing: run tools/install-deps --long" >&2
		exit 1
	}
done

check() { # name command…: one pass or fail
	local name=$1
	shift
	if "$@" >"$work/check.log" 2>&1; then
		passed=$((passed + 1))
		echo "ok   $name"
	else
		failed=$((failed + 1))
		failures+=("$name")
		echo "FAIL $name"
		tail -20 "$work/check.log" | sed 's/^/     /'
	fi
}

# 1. The packages.
deb_arch() { # deb file: it is arm64 (all for the kiosk)
	dpkg-deb -f "$1" Architecture
}
elf_aarch64() { # deb program-path: the program in the package is an arm64 ELF
	dpkg-deb -x "$1" "$work/x" && file -L "$work/x$2" | tee /dev/stderr | grep -q 'ELF 64-bit LSB .*ARM aarch64'
}
depends_has() { # deb regex: Depends names it (resolved by dpkg-shlibdeps)
	dpkg-deb -f "$1" Depends | tee /dev/stderr | grep -qE "$2"
}
vuoro_deb=$deb_dir/vuoro_${version}_arm64.deb
hub_deb=$deb_dir/vuoro-hub_${version}_arm64.deb
kiosk_deb=$deb_dir/vuoro-kiosk_${version}_all.deb
check "deb vuoro is arm64" test "$(deb_arch "$vuoro_deb")" = arm64
check "deb vuoro-hub is arm64" test "$(deb_arch "$hub_deb")" = arm64
check "deb vuoro-kiosk is all" test "$(deb_arch "$kiosk_deb")" = all
check "deb vuoro: vuorod is ARM aarch64" elf_aarch64 "$vuoro_deb" /usr/bin/vuorod
check "deb vuoro: vuoroctl is ARM aarch64" elf_aarch64 "$vuoro_deb" /usr/bin/vuoroctl
check "deb vuoro-hub: vuoro-hub is ARM aarch64" elf_aarch64 "$hub_deb" /usr/bin/vuoro-hub
# The libraries' packages, as the arm64 symbols files name them (a missing
# shlibs resolution would leave them out and the package would install
# without its libraries).
for lib in 'libc6 \(>= 2\.' 'libglib2\.0-0 \(>= ' 'libsoup-3\.0-0 \(>= ' 'libgstreamer1\.0-0 \(>= ' \
	'libgpiod2 \(>= ' 'libmodbus5 \(>= ' 'libnats3\.' 'libsqlite3-0 \(>= '; do
	check "deb vuoro Depends: ${lib%% *}" depends_has "$vuoro_deb" "$lib"
done
check "deb vuoro-hub Depends: libpq5" depends_has "$hub_deb" 'libpq5'
# What a Raspberry Pi on Debian 12 arm64 would install: apt, with the
# sysroot's bookworm arm64 lists and an empty dpkg status (a bare board),
# resolves the three packages' dependencies from Debian's archive (-s: a
# simulation, nothing is installed on this machine).
apt_arm64() {
	mkdir -p "$work/apt/cache" "$work/apt/parts"
	: >"$work/apt/status"
	apt-get -s --no-install-recommends -o Debug::NoLocking=1 \
		-o APT::Architecture=arm64 -o APT::Architectures::=arm64 \
		-o Dir::Etc::SourceList="$sysroot/etc/apt/sources.list" \
		-o Dir::Etc::SourceParts="$work/apt/parts" -o Dir::Etc::PreferencesParts="$work/apt/parts" \
		-o Dir::Etc::Preferences="$work/apt/parts/none" \
		-o Dir::State::Lists="$sysroot/var/lib/apt/lists" -o Dir::State::status="$work/apt/status" \
		-o Dir::Cache="$work/apt/cache" install "$PWD/$vuoro_deb" "$PWD/$hub_deb" "$PWD/$kiosk_deb" \
		>"$work/apt.log" 2>&1 || { cat "$work/apt.log"; return 1; }
	grep -E '^Inst (vuoro|vuoro-hub|vuoro-kiosk|cage|cog) ' "$work/apt.log"
	echo "apt: $(grep -c '^Inst ' "$work/apt.log") packages on a bare arm64 board"
	[ "$(grep -cE '^Inst (vuoro|vuoro-hub|vuoro-kiosk) .*\[(arm64|all)\]' "$work/apt.log")" -eq 3 ]
}
check "apt resolves the packages on Debian 12 arm64 (bookworm)" apt_arm64
check "lintian on the arm64 packages: no errors" \
	lintian --fail-on error "$deb_dir/vuoro_${version}_arm64.changes"
for deb in "$vuoro_deb" "$hub_deb" "$kiosk_deb"; do
	echo "BENCH deb_arm64_kb_$(dpkg-deb -f "$deb" Package | tr - _)=$(($(stat -c %s "$deb") / 1024)) KiB"
done

# 2. The unit tests, cross-built and run under qemu-aarch64.
mapfile -t tests < <(ls tests/unit/test-*.c | sed "s|tests/unit/\(.*\)\.c|$abuild/tests/\1|")
start=$(date +%s)
make --no-print-directory -j2 BUILD="$abuild" CC=aarch64-linux-gnu-gcc AR=aarch64-linux-gnu-ar \
	SYSROOT="$sysroot" programs "${tests[@]}" >"$work/build.log" 2>&1 || {
	tail -30 "$work/build.log"
	echo "arm64: the cross build failed (above)" >&2
	exit 1
}
echo "BENCH arm64_cross_build_s=$(($(date +%s) - start)) s"

# What tests/run sets for the unit tests, and GStreamer's cache in BUILD.
export G_DEBUG=fatal-criticals GST_REGISTRY_FORK=no XDG_CACHE_HOME=$PWD/$abuild/cache
mkdir -p "$abuild/qemu" "$abuild/test-logs"
qemu_wrap() { # arm64 program → host script that runs it under qemu-aarch64
	local w=$PWD/$abuild/qemu/$(basename "$1")
	printf '#!/bin/sh\nGST_REGISTRY_FORK=no exec qemu-aarch64 -L %s -0 "$0" %s "$@"\n' \
		"$sysroot" "$PWD/$1" >"$w"
	chmod +x "$w"
	echo "$w"
}
start=$(date +%s)
for t in "${tests[@]}"; do
	name=$(basename "$t")
	log=$abuild/test-logs/$name.log
	t0=$(date +%s)
	rc=0
	timeout 900 "$(qemu_wrap "$t")" --tap >"$log" 2>&1 || rc=$?
	ok=$(grep -c '^ok ' "$log" || true)
	nok=$(grep -c '^not ok ' "$log" || true)
	if [ "$rc" -eq 0 ] && [ "$nok" -eq 0 ] && [ "$ok" -gt 0 ]; then
		passed=$((passed + 1))
		echo "ok   unit $name under qemu-aarch64 ($ok ok, $(($(date +%s) - t0)) s)"
	else
		failed=$((failed + 1))
		failures+=("unit $name")
		echo "FAIL unit $name under qemu-aarch64 (exit $rc, $ok ok, $nok not ok): $log"
		grep -E '^not ok|ERROR|Bail out' "$log" | head -5 | sed 's/^/     /'
	fi
done
echo "BENCH arm64_qemu_unit_tests_s=$(($(date +%s) - start)) s"

# 3. vuorod under qemu-aarch64.
vuorod=$(qemu_wrap "$abuild/vuorod")
check "vuorod --version under qemu-aarch64 says $version" \
	sh -c "'$vuorod' --version | tee /dev/stderr | grep -qx 'vuorod $version'"
for f in board-config/*.conf; do
	check "vuorod --check-config $f under qemu-aarch64" "$vuorod" --check-config "$f"
done
# The sim board on a free loopback port, its files in the work folder.
sed -e "s|= build/run/|= $work/run/|" \
	-e 's|^\[announcer\][[:space:]]*$|[announcer]\nchime = false\nspeak = false|' \
	board-config/sim.conf >"$work/sim.conf"
ln -s "$PWD/board-config/displays" "$work/displays"
mkdir -p "$work/run"
start=$(date +%s)
"$vuorod" --config "$work/sim.conf" --db "$work/vuoro.db" --listen 127.0.0.1:0 \
	>"$work/vuorod.out" 2>"$work/vuorod.err" &
pid=$!
url=
for _ in $(seq 1 600); do
	url=$(grep -oE 'https?://127\.0\.0\.1:[0-9]+/' "$work/vuorod.out" | head -1 || true)
	[ -n "$url" ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
health() {
	[ -n "$url" ] || { echo "vuorod did not start:"; tail -20 "$work/vuorod.err"; return 1; }
	curl -sfk --max-time 30 -D "$work/health.head" -o "$work/health.json" "${url}api/health" || return 1
	cat "$work/health.head" "$work/health.json"
	# Every part healthy (GStreamer's webrtcbin, the sim devices), and
	# the version that answers is this one.
	grep -q '"status":"ok"' "$work/health.json" &&
		grep -qiE "^Server: vuorod/$version( |\r?\$)" "$work/health.head"
}
check "vuorod under qemu-aarch64 answers GET /api/health" health
echo "BENCH arm64_qemu_vuorod_start_to_health_s=$(($(date +%s) - start)) s"
kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
pid=

for f in "${failures[@]}"; do echo "FAILED: $f"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
