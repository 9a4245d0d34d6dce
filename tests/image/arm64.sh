#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The arm64 (Raspberry Pi 4) image's content, checked offline (issue 18
# item 5): tools/build-image BUILD arm64's vuoro-arm64.img is read as a file
# (sfdisk, blkid on each partition's bytes, mtools, debugfs: no loop device,
# no mount), since no Raspberry Pi is at hand.
#   tests/image/arm64.sh BUILD
# 1. An MBR (dos) disk: partition 1 FAT (type c, bootable) labelled
#    VUORO-BOOT, 2 ext4 vuoro-root, 3 ext4 vuoro-data.
# 2. VUORO-BOOT holds what a Pi 4's boot loader reads: start4.elf,
#    fixup4.dat, bcm2711-rpi-4-b.dtb (and the Pi 400's),
#    config.txt naming the kernel and initrd that are there, cmdline.txt
#    with root=LABEL=vuoro-root and no cma= (raspi-firmware writes
#    cma=64M when it does not run on a Pi 4, whose boot that breaks); and
#    the site's README.txt and example.
#    The initrd (zstd/gzip/xz cpio) holds, or the kernel has built in
#    (modules.builtin), every module a Pi 4 needs to mount its root from an
#    SD card or a USB disk (and qemu virt from virtio).
# 3. vuoro-root: /usr/bin/vuorod is an ARM aarch64 ELF (dumped by debugfs,
#    read by file), the vuoro package is installed, fonts for every
#    language's script are there (Noto for Arabic), fstab mounts by label.
# 4. With ARM64_BOOT=1 (make test-image-arm64 sets it): a copy of the image boots in qemu-system-aarch64
#    (the generic "virt" machine, Cortex-A72 as in a Pi 4, TCG) with its own
#    kernel and initrd by -kernel/-initrd and root=LABEL=vuoro-root; first
#    boot takes the sim board's config from VUORO-BOOT and /api/health
#    answers through a forwarded port (BENCH image_arm64_boot_to_health_s).
#    Not the Pi's boot path (its firmware): the kernel, root and services.
# Prints BENCH image_arm64_mib (the image's size).  Needs debugfs, mtools,
# sfdisk, blkid, file, cpio and zstd (tools/install-deps --long), qemu-system-arm for 4;
# not root.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
work=$(cd "$build/image" 2>/dev/null && pwd) || {
	echo "image-arm64-test: no $build/image: run make image ARCH=arm64 first" >&2
	exit 1
}
img=$work/vuoro-arm64.img
[ -f "$img" ] || {
	echo "image-arm64-test: no $img: run make image ARCH=arm64" >&2
	exit 1
}
for t in sfdisk blkid mdir mtype debugfs file cpio zstd; do
	command -v "$t" >/dev/null || {
		echo "image-arm64-test: $t missing: run tools/install-deps --long" >&2
		exit 1
	}
done
tmp=$(mktemp -d)
qpid=
stop() {
	[ -z "$qpid" ] || kill "$qpid" 2>/dev/null || true
	[ -z "$qpid" ] || wait "$qpid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap stop EXIT
trap 'exit 130' INT TERM

fail() {
	echo "image-arm64-test: FAILED: $*" >&2
	exit 1
}

# 1. The partition table.
sfdisk --json "$img" >"$tmp/table.json"
sfdisk -l "$img"
read -r label types boot <<<"$(/usr/bin/python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["partitiontable"]
ps = t["partitions"]
print(t["label"], ",".join(p["type"] for p in ps), ps[0].get("bootable", False))' "$tmp/table.json")"
[ "$label" = dos ] || fail "the disk label is $label, not dos (MBR): a Pi 4 may not read it"
[ "$types" = c,83,83 ] || fail "partition types are $types, not c,83,83"
[ "$boot" = True ] || fail "partition 1 is not marked bootable"
part() { # N start|size in sectors
	/usr/bin/python3 -c '
import json, sys
print(json.load(open(sys.argv[1]))["partitiontable"]["partitions"][int(sys.argv[2]) - 1][sys.argv[3]])' \
		"$tmp/table.json" "$1" "$2"
}
for n in 1 2 3; do
	dd if="$img" of="$tmp/p$n" bs=512 skip="$(part $n start)" count="$(part $n size)" conv=sparse status=none
done
check_fs() { # N type label
	local got
	got=$(blkid -o export "$tmp/p$1" | grep -E '^(TYPE|LABEL)=' | sort | paste -sd' ')
	echo "image-arm64-test: partition $1: $got"
	[ "$got" = "LABEL=$3 TYPE=$2" ] || fail "partition $1 is '$got', not a $2 file system labelled $3"
}
check_fs 1 vfat VUORO-BOOT
check_fs 2 ext4 vuoro-root
check_fs 3 ext4 vuoro-data
rm -f "$tmp/p1" "$tmp/p3"

# 2. The Pi's boot partition.
boot="$img@@$(($(part 1 start) * 512))"
mdir -b -i "$boot" ::/ >"$tmp/boot.ls"
echo "image-arm64-test: VUORO-BOOT: $(wc -l <"$tmp/boot.ls") files: $(sed 's|^::/||' "$tmp/boot.ls" | grep -v / | head -30 | paste -sd' ')"
for f in start4.elf fixup4.dat bcm2711-rpi-4-b.dtb bcm2711-rpi-400.dtb config.txt cmdline.txt README.txt example-site.conf; do
	grep -qix "::/$f" "$tmp/boot.ls" || fail "no $f on VUORO-BOOT"
done
mtype -i "$boot" ::/config.txt | tr -d '\r' >"$tmp/config.txt"
mtype -i "$boot" ::/cmdline.txt | tr -d '\r' >"$tmp/cmdline.txt"
echo "image-arm64-test: cmdline.txt: $(cat "$tmp/cmdline.txt")"
grep -q 'root=LABEL=vuoro-root' "$tmp/cmdline.txt" || fail "cmdline.txt does not boot root=LABEL=vuoro-root"
! grep -q 'cma=' "$tmp/cmdline.txt" || fail "cmdline.txt sets cma=: raspi-firmware leaves it out on a Pi 4, whose boot it breaks (CMA=0 in /etc/default/raspi-firmware)"
grep -q '^arm_64bit=1' "$tmp/config.txt" || fail "config.txt does not set arm_64bit=1"
kernel=$(sed -n 's/^kernel=//p' "$tmp/config.txt" | head -1)
initrd=$(sed -n 's/^initramfs \([^ ]*\).*/\1/p' "$tmp/config.txt" | head -1)
echo "image-arm64-test: config.txt: kernel=$kernel initramfs=$initrd"
[ -n "$kernel" ] && grep -qix "::/$kernel" "$tmp/boot.ls" || fail "config.txt's kernel '$kernel' is not on VUORO-BOOT"
[ -n "$initrd" ] && grep -qix "::/$initrd" "$tmp/boot.ls" || fail "config.txt's initramfs '$initrd' is not on VUORO-BOOT"
mcopy -i "$boot" "::/$kernel" "$tmp/kernel"
file -b "$tmp/kernel" | tee "$tmp/kernel.type"
grep -qi -e 'aarch64' -e 'arm64' -e 'gzip' "$tmp/kernel.type" || fail "the kernel is not an arm64 one: $(cat "$tmp/kernel.type")"
[ "$(stat -c %s "$tmp/kernel")" -gt 4000000 ] || fail "the kernel is too small"

# 2b. The initrd (made once, MODULES=list): whatever a Pi 4 needs to mount
# its root from an SD card or a USB disk, and qemu virt from virtio, is in it
# or built into the kernel (the root's modules.builtin).
kver=${kernel#vmlinuz-}
debugfs -R "dump /usr/lib/modules/$kver/modules.builtin $tmp/modules.builtin" "$tmp/p2" 2>/dev/null
[ -s "$tmp/modules.builtin" ] || fail "no /usr/lib/modules/$kver/modules.builtin on vuoro-root (the kernel $kernel's modules)"
mcopy -i "$boot" "::/$initrd" "$tmp/initrd.img"
case $(file -b "$tmp/initrd.img") in
Zstandard*) unpack=(zstd -dc) ;;
gzip*) unpack=(gzip -dc) ;;
XZ*) unpack=(xz -dc) ;;
*) fail "the initrd $initrd is not zstd, gzip or xz: $(file -b "$tmp/initrd.img")" ;;
esac
"${unpack[@]}" "$tmp/initrd.img" | cpio -t --quiet >"$tmp/initrd.ls" || fail "cannot list the initrd $initrd (${unpack[*]} | cpio -t)"
ko() { sed -n 's|.*/\([^/]*\)\.ko\(\.[a-z]*\)\{0,1\}$|\1|p' "$1" | tr - _ | sort -u; }
ko "$tmp/initrd.ls" >"$tmp/initrd.mods"
ko "$tmp/modules.builtin" >"$tmp/builtin.mods"
echo "image-arm64-test: initrd $initrd: $(stat -c %s "$tmp/initrd.img") bytes, $(wc -l <"$tmp/initrd.mods") modules"
in_initrd='' builtin=''
for m in sdhci-iproc sdhci-pltfm bcm2835 mmc_block gpio-raspberrypi-exp gpio-regulator \
	pcie-brcmstb xhci-pci dwc2 usb-storage uas sd_mod ext4 vfat nls_cp437 virtio_pci virtio_blk; do
	n=${m//-/_}
	if grep -qx "$n" "$tmp/initrd.mods"; then
		in_initrd+=" $m"
	elif grep -qx "$n" "$tmp/builtin.mods"; then
		builtin+=" $m"
	else
		fail "module $m is neither in the initrd nor built into $kernel: the Pi 4 may not mount its root"
	fi
done
echo "image-arm64-test: initrd modules:$in_initrd; built in:$builtin"
rm -f "$tmp/initrd.img"

# 3. The system partition.
debugfs -R 'dump /usr/bin/vuorod '"$tmp/vuorod" "$tmp/p2" 2>/dev/null
[ -s "$tmp/vuorod" ] || fail "no /usr/bin/vuorod on vuoro-root"
echo "image-arm64-test: vuorod: $(file -b "$tmp/vuorod")"
file -b "$tmp/vuorod" | grep -q 'ELF 64-bit LSB .*ARM aarch64' || fail "vuorod is not an aarch64 program"
debugfs -R 'dump /var/lib/dpkg/status '"$tmp/status" "$tmp/p2" 2>/dev/null
for pkg in vuoro vuoro-kiosk linux-image-arm64 raspi-firmware systemd-timesyncd fake-hwclock fonts-noto-core; do
	awk -v p="$pkg" '$0 == "Package: " p { f = 1 } f && /^Status:/ { print; exit }' "$tmp/status" |
		grep -q 'install ok installed' || fail "package $pkg not installed in the root"
done
grep -A8 '^Package: vuoro$' "$tmp/status" | grep -q '^Architecture: arm64' || fail "the vuoro package is not the arm64 one"
debugfs -R 'dump /etc/fstab '"$tmp/fstab" "$tmp/p2" 2>/dev/null
grep -q '^LABEL=vuoro-root ' "$tmp/fstab" && grep -q '^LABEL=VUORO-BOOT  */boot/firmware' "$tmp/fstab" ||
	fail "fstab does not mount by label: $(cat "$tmp/fstab")"
debugfs -R 'ls -l /usr/share/fonts/truetype/noto' "$tmp/p2" 2>/dev/null >"$tmp/noto.ls"
grep -q 'NotoSansArabic-Regular.ttf' "$tmp/noto.ls" || fail "no Noto Sans Arabic on vuoro-root"
debugfs -R 'ls -l /usr/share/fonts/truetype/dejavu' "$tmp/p2" 2>/dev/null | grep -q 'DejaVuSans.ttf' ||
	fail "no DejaVu Sans on vuoro-root"
echo "BENCH image_arm64_mib=$(du -m --apparent-size "$img" | cut -f1) MiB"

# 4. Boot a copy in qemu (virt, TCG).
if [ "${ARM64_BOOT:-0}" = 1 ]; then
	command -v qemu-system-aarch64 >/dev/null || fail "qemu-system-aarch64 missing: run tools/install-deps --long"
	port=${IMAGE_PORT:-18081}
	mcopy -i "$boot" "::/$initrd" "$tmp/initrd"
	rm -f "$tmp/p2"
	cp --sparse=always "$img" "$tmp/boot.img"
	copy="$tmp/boot.img@@$(($(part 1 start) * 512))"
	sed -e 's|^listen = .*|listen = 0.0.0.0:8080|' -e 's|= build/run/|= /var/lib/vuoro/|' \
		board-config/sim.conf >"$tmp/site.conf"
	mcopy -o -i "$copy" "$tmp/site.conf" ::/vuoro.conf
	printf '%s\n' board-admin-pass-1 >"$tmp/admin-password"
	mcopy -o -i "$copy" "$tmp/admin-password" ::/admin-password
	serial=$work/boot-arm64.log
	: >"$serial"
	t0=$(date +%s.%N)
	qemu-system-aarch64 -M virt -cpu cortex-a72 -accel tcg -m 2048 -smp 2 -nographic -no-reboot \
		-kernel "$tmp/kernel" -initrd "$tmp/initrd" \
		-append "root=LABEL=vuoro-root ro console=ttyAMA0 panic=-1" \
		-drive "file=$tmp/boot.img,format=raw,if=virtio" \
		-nic "user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:$port-:8080" \
		-serial "file:$serial" -monitor none </dev/null >/dev/null 2>&1 &
	qpid=$!
	echo "image-arm64-test: booting a copy in qemu-system-aarch64 (virt, cortex-a72, TCG; console in $serial)"
	ok=0
	for _ in $(seq 1800); do
		if curl -fsS -m 5 "http://127.0.0.1:$port/api/health" >"$tmp/health.json" 2>/dev/null; then
			ok=1
			break
		fi
		kill -0 "$qpid" 2>/dev/null || break
		sleep 1
	done
	[ "$ok" = 1 ] || {
		tail -30 "$serial" >&2
		fail "no /api/health from the arm64 image in qemu"
	}
	secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	echo "image-arm64-test: /api/health after ${secs} s: $(head -c 200 "$tmp/health.json")"
	grep -q '"status":"ok"' "$tmp/health.json" || fail "health is not ok"
	for _ in $(seq 60); do
		grep -q 'vuoro-firstboot: made the user admin' "$serial" && break
		sleep 1
	done
	grep -q 'vuoro-firstboot: installed the board-config' "$serial" || fail "first boot did not install vuoro.conf"
	grep -q 'vuoro-firstboot: made the user admin' "$serial" || fail "first boot made no admin"
	grep -q 'vuoro-firstboot: /var/lib/vuoro is LABEL=vuoro-data' "$serial" || fail "/var/lib/vuoro is not the data partition"
	echo "BENCH image_arm64_boot_to_health_s=$secs s"
fi
echo "image-arm64-test: ok ($(basename "$img"): MBR, Pi firmware and kernel on VUORO-BOOT, aarch64 vuorod, fonts$([ "${ARM64_BOOT:-0}" = 1 ] && echo "; booted in qemu virt to /api/health"))"
