#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The flashable image boots and serves (issue 18 item 5): tools/build-image's
# x86-64 image in qemu under TCG (no KVM needed), kernel and initrd given
# with -kernel/-initrd, the API's port forwarded to 127.0.0.1.
#   tests/image/run.sh BUILD
# 1. Writes the site's settings on the VUORO-BOOT partition (mtools, no
#    mount): a board-config listening on the LAN and an admin password.
# 2. Boots; waits for /api/health through the forwarded port: the figure
#    BENCH image_boot_to_health_s (qemu start → health answering).  Checks
#    on the serial console that first boot installed the config, made the
#    admin and the kiosk device, and that /var/lib/vuoro is the data
#    partition; logs in as admin and draws a ticket.
# 3. Re-flashes the system partition from the root (IMAGE_ROOT_ONLY=1: as an
#    upgrade by a new image would), boots again: the admin and the ticket
#    are still there, first boot did not run again.
# Needs root (the image's files belong to the board's users), qemu-system-x86.
# The serial logs go in BUILD/image/boot-N.log.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
build=${1:-build}
work=$(cd "$build/image" 2>/dev/null && pwd) || {
	echo "image-test: no $build/image: run tools/build-image $build first" >&2
	exit 1
}
img=$work/vuoro-amd64.img
port=${IMAGE_PORT:-18080}
password=board-admin-pass-1
qpid=

[ "$(id -u)" -eq 0 ] || {
	echo "image-test: needs root (tools/build-image): run as root" >&2
	exit 1
}
command -v qemu-system-x86_64 >/dev/null || {
	echo "image-test: qemu-system-x86_64 missing: run tools/install-deps --long" >&2
	exit 1
}
[ -f "$img" ] || {
	echo "image-test: no $img: run tools/build-image $build" >&2
	exit 1
}

stop_qemu() {
	[ -n "$qpid" ] || return 0
	kill "$qpid" 2>/dev/null || true
	wait "$qpid" 2>/dev/null || true
	qpid=
}
trap stop_qemu EXIT
trap 'exit 130' INT TERM

fail() {
	echo "image-test: FAILED: $*" >&2
	[ -n "${serial:-}" ] && tail -40 "$serial" >&2
	exit 1
}

part_offset() { # N: byte offset of partition N
	sfdisk --json "$img" | /usr/bin/python3 -c '
import json, sys
print(json.load(sys.stdin)["partitiontable"]["partitions"][int(sys.argv[1]) - 1]["start"] * 512)' "$1"
}

# 1. The site's settings on VUORO-BOOT: the sim board, listening on the LAN
# (qemu's user network forwards to the guest's address, not its loopback).
boot="$img@@$(part_offset 1)"
sed -e 's|^listen = .*|listen = 0.0.0.0:8080|' -e 's|= build/run/|= /var/lib/vuoro/|' \
	board-config/sim.conf >"$work/site.conf"
printf '%s\n' "$password" >"$work/admin-password"
mcopy -o -i "$boot" "$work/site.conf" ::/vuoro.conf
mcopy -o -i "$boot" "$work/admin-password" ::/admin-password
rm -f "$work/admin-password"

boot_and_wait() { # N: boots, waits for health; sets secs
	serial=$work/boot-$1.log
	: >"$serial"
	local t0 t1
	t0=$(date +%s.%N)
	qemu-system-x86_64 -accel tcg -m 1536 -smp 2 -nographic -no-reboot \
		-kernel "$work/vmlinuz-amd64" -initrd "$work/initrd-amd64.img" \
		-append "root=LABEL=vuoro-root ro console=ttyS0 panic=-1 systemd.show_status=1" \
		-drive "file=$img,format=raw,if=virtio" \
		-nic "user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:$port-:8080" \
		-serial "file:$serial" -monitor none </dev/null >/dev/null 2>&1 &
	qpid=$!
	for _ in $(seq 900); do
		if curl -fsS -m 5 "http://127.0.0.1:$port/api/health" >"$work/health.json" 2>/dev/null; then
			t1=$(date +%s.%N)
			secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
			return 0
		fi
		kill -0 "$qpid" 2>/dev/null || fail "qemu exited before /api/health answered"
		sleep 1
	done
	fail "no /api/health within 15 minutes"
}

api() { # METHOD PATH [JSON]: with the admin's token
	curl -sS -m 20 -X "$1" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
		${3:+--data "$3"} "http://127.0.0.1:$port$2"
}

login() {
	token=$(curl -fsS -m 20 -H 'Content-Type: application/json' \
		--data "{\"user\":\"admin\",\"password\":\"$password\"}" \
		"http://127.0.0.1:$port/api/login" | sed -n 's/.*"token" *: *"\([^"]*\)".*/\1/p')
	[ -n "$token" ] || fail "admin cannot log in"
}

echo "image-test: booting $img (qemu TCG, $(du -m --apparent-size "$img" | cut -f1) MiB)"
boot_and_wait 1
echo "image-test: /api/health answered after ${secs} s: $(cat "$work/health.json" | head -c 200)"
grep -q '"status":"ok"' "$work/health.json" || fail "health is not ok"
# The console's first-boot lines (journal+console), a little later than health.
for _ in $(seq 60); do
	grep -q 'vuoro-firstboot: .*pair' "$serial" && break
	sleep 1
done
grep -q 'vuoro-firstboot: installed the board-config' "$serial" || fail "first boot did not install vuoro.conf"
grep -q 'vuoro-firstboot: made the user admin' "$serial" || fail "first boot made no admin"
grep -q "vuoro-firstboot: made the kiosk screen's device" "$serial" || fail "first boot made no kiosk device"
grep -q 'vuoro-firstboot: /var/lib/vuoro is LABEL=vuoro-data' "$serial" || fail "/var/lib/vuoro is not the data partition"
login
devices=$(api GET /api/devices)
echo "image-test: devices: $devices"
echo "$devices" | grep -q '"kiosk"' || fail "no kiosk device"
ticket=$(api POST /api/tickets '{"service":"guide","lang":"fi"}')
code=$(echo "$ticket" | sed -n 's/.*"code" *: *"\([^"]*\)".*/\1/p' | head -1)
[ -n "$code" ] || fail "no ticket drawn: $ticket"
echo "image-test: drew ticket $code"
sync_ok=$(api GET /api/queue)
echo "$sync_ok" | grep -q "$code" || fail "ticket $code not in the queue"
# The boot partition's password file is gone (first boot deleted it).
stop_qemu
mdir -i "$boot" ::/ | grep -qi 'admin-pa' && fail "admin-password still on VUORO-BOOT"
echo "BENCH image_boot_to_health_s=$secs s"

# 3. The re-flash of the system partition: data and boot partitions stay.
echo "image-test: re-flashing the system partition"
IMAGE_REUSE=1 IMAGE_ROOT_ONLY=1 tools/build-image "$build" amd64
first_secs=$secs
boot_and_wait 2
echo "image-test: after the re-flash, /api/health answered after ${secs} s"
login
api GET /api/queue | grep -q "$code" || fail "ticket $code lost by the re-flash"
grep -q 'vuoro-firstboot: made the user admin' "$serial" && fail "first boot ran again after the re-flash"
grep -q 'vuoro-firstboot: installed the board-config' "$serial" || fail "the re-flashed system did not take vuoro.conf from VUORO-BOOT"
stop_qemu
echo "image-test: ok (first boot ${first_secs} s to health; ticket $code and the admin kept across a re-flash of the system)"
