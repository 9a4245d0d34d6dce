#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The packages on a clean machine (issue 18 items 2 and 3): a minimal Debian
# 12 root (debootstrap --variant=minbase, entered with chroot) gets the
# three .deb files from apt, with their dependencies from the Debian archive.
#   tests/packages/clean-install.sh BUILD
# 1. Installed: `apt-get install ./vuoro_*.deb ./vuoro-kiosk_*.deb
#    ./vuoro-hub_*.deb`; the units pass `systemd-analyze verify` in the root;
#    the postinst made the user vuoro, /etc/vuoro/vuoro.conf and
#    /var/lib/vuoro (vuoro's, the unit's StateDirectoryMode); vuorod, started
#    as its unit says (ExecStart, User, Group, SupplementaryGroups,
#    WorkingDirectory, UMask read from the installed unit; no systemd runs as
#    PID 1 here) serves /api/health with VERSION; a ticket is drawn; `apt-get
#    remove` keeps the database and /etc/vuoro, `apt-get purge` deletes both
#    (the system user stays: see README "Install from packages").
#    BENCH deb_install_s (clean root → /api/health answers) and the size of
#    each package.
# 2. Upgraded: version N (the firmware of OLD_COMMIT, whose database schema
#    is older, packaged by this tree's debian/ and Makefile as VERSION~old1)
#    is installed and keeps a day's queue (3 tickets, one called); N+1 (this
#    tree) installed over it takes a backup first (/var/lib/vuoro/backup),
#    its vuorod migrates the database and shows the same tickets in the same
#    states; installing N again is refused by N's preinst and leaves the
#    database as it was.
# Needs root (debootstrap, mount, chroot) and the Debian archive
# (PKG_MIRROR, default http://deb.debian.org/debian).  Work and logs in
# BUILD/pkgclean; the debootstrapped base is kept there as base.tar (delete
# it to make it again), the root (BUILD/pkgclean/root) only after a failure.  VUORO_DEB_DIR=DIR takes this tree's packages from
# DIR (e.g. build/deb after make deb) instead of building them.  Takes
# 10-20 minutes (two package builds, three installs from the archive).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
build=${1:-build}
mkdir -p "$build/pkgclean"
work=$(cd "$build/pkgclean" && pwd)
root=$work/root
mirror=${PKG_MIRROR:-http://deb.debian.org/debian}
# The newest commit of schema 15 (the one before schema 16: a5bb5f1^).
old_commit=${OLD_COMMIT:-c08b60f}
version=$(cat VERSION)
old_version=$version~old1
python=/usr/bin/python3
api() { "$python" "$repo/tests/packages/vuoro_api.py" "$@"; }
say() { echo "packages: $*"; }
fail() {
	echo "packages: FAILED: $*" >&2
	exit 1
}

if [ "$(id -u)" -ne 0 ]; then
	echo "packages: needs root (debootstrap, mount, chroot): run make test-packages as root" >&2
	exit 1
fi
command -v debootstrap >/dev/null || {
	echo "packages: debootstrap missing: run tools/install-deps --long" >&2
	exit 1
}

vuorod_pid=
cleanup() {
	local pid
	[ -z "$vuorod_pid" ] || kill "$vuorod_pid" 2>/dev/null || true
	for pid in /proc/[0-9]*; do
		[ "$(readlink "$pid/root" 2>/dev/null)" = "$root" ] && kill -KILL "${pid#/proc/}" 2>/dev/null
	done
	awk -v r="$root" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/self/mounts | sort -r |
		while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_root() { # command...: in the root, with a clean environment
	chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
		DEBIAN_FRONTEND=noninteractive \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

# --- the packages: this tree's (N+1) and OLD_COMMIT's firmware (N) ---------
if [ -n "${VUORO_DEB_DIR:-}" ]; then
	new_debs=$(cd "$VUORO_DEB_DIR" && pwd)
else
	say "make deb (this tree, $version)"
	make --no-print-directory deb BUILD="$work/new" >"$work/make-deb-new.log" 2>&1 ||
		{ tail -20 "$work/make-deb-new.log"; fail "make deb"; }
	new_debs=$work/new/deb
fi
for p in vuoro vuoro-kiosk vuoro-hub; do
	ls "$new_debs/${p}_${version}_"*.deb >/dev/null 2>&1 || fail "no ${p}_$version in $new_debs"
done

# N: the tree of OLD_COMMIT with this tree's packaging (debian/, the unit
# and sysusers files), VERSION~old1.  Its firmware, store, schema and
# Makefile are OLD_COMMIT's (the Makefile holds the firmware's link flags:
# a library opened lazily now was linked then).
old_src=$work/old/src
schema_of() { sed -n 's/^#define STORE_SCHEMA_VERSION \([0-9]*\)$/\1/p' "$1"; }
new_schema=$(schema_of firmware/store/store.h)
old_schema=$(git show "$old_commit:firmware/store/store.h" | schema_of /dev/stdin)
[ -n "$old_schema" ] && [ "$old_schema" -lt "$new_schema" ] ||
	fail "OLD_COMMIT $old_commit has schema '$old_schema', not older than $new_schema"
# N is made again when OLD_COMMIT or this tree's packaging changed.
made_from="$(git rev-parse "$old_commit") $(find debian Makefile board-config -type f | sort |
	xargs cat | sha256sum | cut -d' ' -f1)"
if [ -f "$work/old/deb/vuoro_${old_version}_amd64.deb" ] &&
	[ "$(cat "$work/old/made-from" 2>/dev/null)" = "$made_from" ]; then
	say "reusing N ($old_version, $old_commit, schema $old_schema) in $work/old/deb"
else
	say "make deb of N: $old_commit's firmware (schema $old_schema) as $old_version"
	rm -rf "$work/old" && mkdir -p "$old_src"
	git archive "$old_commit" | tar -x -C "$old_src"
	rm -rf "$old_src/debian"
	cp -r debian "$old_src/"
	cp board-config/*.service.in board-config/*.sysusers board-config/vuoro.tmpfiles \
		"$old_src/board-config/"
	echo "$old_version" >"$old_src/VERSION"
	{
		printf 'vuoro (%s) unstable; urgency=medium\n\n' "$old_version"
		printf '  * Test build: the firmware of %s (schema %s).\n\n' "$old_commit" "$old_schema"
		printf ' -- vuoro tests <tests@vuoro.invalid>  %s\n\n' "$(date -R)"
		cat debian/changelog
	} >"$old_src/debian/changelog"
	# make deb copies the files git knows of.
	git -C "$old_src" init -q
	make --no-print-directory -C "$old_src" deb BUILD="$work/old" >"$work/make-deb-old.log" 2>&1 ||
		{ tail -20 "$work/make-deb-old.log"; fail "make deb of $old_commit"; }
	echo "$made_from" >"$work/old/made-from"
fi
old_debs=$work/old/deb

for deb in "$new_debs"/vuoro_*.deb "$new_debs"/vuoro-kiosk_*.deb "$new_debs"/vuoro-hub_*.deb; do
	name=$(dpkg-deb -f "$deb" Package)
	echo "BENCH deb_size_${name//-/_}_kb=$(($(stat -c %s "$deb") / 1024)) kB"
	echo "BENCH deb_installed_size_${name//-/_}_kb=$(dpkg-deb -f "$deb" Installed-Size) kB"
done

# --- the clean root --------------------------------------------------------
base=$work/base.tar
if [ ! -s "$base" ]; then
	say "debootstrap bookworm (minbase) into $work/base-root"
	rm -rf "$work/base-root"
	debootstrap --variant=minbase bookworm "$work/base-root" "$mirror" \
		>"$work/debootstrap.log" 2>&1 || {
		tail -20 "$work/debootstrap.log"
		fail "debootstrap"
	}
	cat >"$work/base-root/etc/apt/sources.list" <<-EOF
		deb $mirror bookworm main
		deb $mirror bookworm-updates main
		deb http://deb.debian.org/debian-security bookworm-security main
	EOF
	# No init runs in a chroot: no package may start its service.
	printf '#!/bin/sh\nexit 101\n' >"$work/base-root/usr/sbin/policy-rc.d"
	chmod 755 "$work/base-root/usr/sbin/policy-rc.d"
	tar -C "$work/base-root" -cf "$base.tmp" . && mv "$base.tmp" "$base"
	rm -rf "$work/base-root"
fi

fresh_root() { # the base, unpacked afresh, with the kernel's file systems
	cleanup
	! grep -q " $root[/ ]" /proc/self/mounts || fail "something is still mounted under $root"
	rm -rf "$root" && mkdir -p "$root"
	tar -C "$root" -xf "$base"
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	if [ -d /usr/local/share/ca-certificates ]; then
		mkdir -p "$root/usr/local/share/ca-certificates"
		cp -r /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
	fi
	mount --bind "$root" "$root"
	mount --make-private "$root"
	mount -t proc proc "$root/proc"
	mount -t sysfs sys "$root/sys"
	for d in /dev /dev/pts; do
		mkdir -p "$root$d"
		mount --bind "$d" "$root$d"
		mount --make-private "$root$d"
	done
	mount -t tmpfs -o mode=1777 tmp "$root/tmp"
	# The packages part 1 downloaded (its measure is from an empty cache).
	if [ "${1:-}" = cached ]; then
		mount --bind "$work/apt-cache" "$root/var/cache/apt/archives"
	fi
}

apt_opts=()
apt_install() { # log debs...: apt-get install ${apt_opts[@]} in the root from /root/debs
	local log=$1
	shift
	rm -rf "$root/root/debs" && mkdir -p "$root/root/debs"
	cp "$@" "$root/root/debs/"
	local names=()
	for deb in "$@"; do names+=("./${deb##*/}"); done
	in_root sh -c 'cd /root/debs && apt-get -y -o Dpkg::Use-Pty=0 install "$@"' sh \
		${apt_opts[@]+"${apt_opts[@]}"} "${names[@]}" \
		>"$log" 2>&1
}

unit_key() { # key: its value in the installed vuorod.service (the last one)
	awk -F= -v k="$1" '$1 == k { sub(/^[^=]*=/, ""); v = $0 } END { print v }' \
		"$root/lib/systemd/system/vuorod.service"
}

free_port() {
	"$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# vuorod as vuorod.service starts it: its command line, user, groups,
# working directory and umask from the installed unit, on a free loopback
# port (--listen) instead of the config's.
start_vuorod() { # log
	local exec user group groups wd umask
	exec=$(unit_key ExecStart)
	user=$(unit_key User)
	group=$(unit_key Group)
	groups=$(unit_key SupplementaryGroups)
	wd=$(unit_key WorkingDirectory)
	umask=$(unit_key UMask)
	[ -n "$exec" ] && [ -n "$user" ] && [ -n "$wd" ] || fail "vuorod.service lacks ExecStart, User or WorkingDirectory"
	port=$(free_port)
	url=http://127.0.0.1:$port
	# shellcheck disable=SC2086 # ExecStart's words
	chroot "$root" /usr/bin/env -i LANG=C.UTF-8 PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME="$(in_root getent passwd "$user" | cut -d: -f6)" sh -c \
		'umask "$1"; cd "$2" && shift 2 && exec "$@"' sh "${umask:-0022}" "$wd" \
		setpriv --reuid="$user" --regid="${group:-$user}" \
		--groups="$(echo "$groups" | tr ' ' ',')" -- $exec --listen "127.0.0.1:$port" \
		>"$1" 2>&1 &
	vuorod_pid=$!
}

stop_vuorod() {
	kill "$vuorod_pid"
	wait "$vuorod_pid" || true
	vuorod_pid=
}

add_user() { # name role password: vuorod --add-user on the packaged database, as vuoro
	local db
	db=$(awk -F= '/^\[/ { s = $0 } s == "[store]" && $1 ~ /^db *$/ { gsub(/ /, "", $2); print $2 }' \
		"$root/etc/vuoro/vuoro.conf")
	echo "$3" | in_root setpriv --reuid=vuoro --regid=vuoro --clear-groups -- \
		/usr/bin/vuorod --db "$db" --add-user "$1" --role "$2" >/dev/null
}

rstat() { # format path: stat in the root (its users and groups)
	in_root stat -c "$1" "$2"
}

sql() { # database statement: sqlite3 in the root, as vuoro
	in_root setpriv --reuid=vuoro --regid=vuoro --clear-groups -- sqlite3 "$@"
}

db=/var/lib/vuoro/vuoro.db
pw=advisor-pass-long-1
debs_of() { # dir version
	echo "$1/vuoro_$2_"*.deb "$1/vuoro-kiosk_$2_all.deb" "$1/vuoro-hub_$2_"*.deb
}

# --- 1. installed on a clean machine ----------------------------------------
say "1. install $version on a clean root"
fresh_root
t0=$(date +%s.%N)
in_root apt-get -o Dpkg::Use-Pty=0 update >"$work/apt-update.log" 2>&1 ||
	{ tail "$work/apt-update.log"; fail "apt-get update in the root"; }
# shellcheck disable=SC2046
apt_install "$work/apt-install.log" $(debs_of "$new_debs" "$version") ||
	{ tail -30 "$work/apt-install.log"; fail "apt-get install of the three packages"; }
start_vuorod "$work/vuorod-1.log"
api health "$url" "$version" >/dev/null || { tail "$work/vuorod-1.log"; fail "vuorod as its unit"; }
t1=$(date +%s.%N)
echo "BENCH deb_install_s=$(echo "$t0 $t1" | awk '{ printf "%.0f", $2 - $1 }') s"
say "vuorod $version serves $url/api/health as $(unit_key User)"

# The units, in the root that has their programs and dependencies.
ln -sf vuoro-kiosk@.service "$root/lib/systemd/system/vuoro-kiosk@kiosk.service"
out=$(in_root systemd-analyze verify vuorod.service vuoro-hub.service vuoro-kiosk@kiosk.service 2>&1) ||
	fail "systemd-analyze verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify says: $out"
rm "$root/lib/systemd/system/vuoro-kiosk@kiosk.service"
say "systemd-analyze verify: vuorod, vuoro-hub, vuoro-kiosk@kiosk pass"

# What the postinst made.
pw_line=$(in_root getent passwd vuoro) || fail "no user vuoro"
[ "$(echo "$pw_line" | cut -d: -f6,7)" = /var/lib/vuoro:/usr/sbin/nologin ] ||
	fail "user vuoro: $pw_line"
[ "$(echo "$pw_line" | cut -d: -f3)" -lt 1000 ] || fail "vuoro is not a system user: $pw_line"
[ "$(rstat '%a %U %G' /etc/vuoro/vuoro.conf)" = "640 root vuoro" ] ||
	fail "/etc/vuoro/vuoro.conf: $(rstat '%a %U %G' /etc/vuoro/vuoro.conf)"
mode=$(unit_key StateDirectoryMode)
[ "$(rstat '%a %U %G' /var/lib/vuoro)" = "${mode#0} vuoro vuoro" ] ||
	fail "/var/lib/vuoro: $(rstat '%a %U %G' /var/lib/vuoro), unit: $mode vuoro"
say "postinst: user vuoro ($pw_line), /etc/vuoro/vuoro.conf 640 root:vuoro, /var/lib/vuoro $mode vuoro:vuoro"

# A ticket, so there is data to keep.
add_user anna advisor "$pw"
ids=$(api day "$url" anna "$pw") || fail "drawing tickets"
stop_vuorod
n=$(sql "$db" 'SELECT count(*) FROM tickets')
[ "$n" = 3 ] || fail "the database holds $n tickets, not 3"

in_root apt-get -y -o Dpkg::Use-Pty=0 remove vuoro-kiosk vuoro-hub vuoro >"$work/apt-remove.log" 2>&1 ||
	{ tail "$work/apt-remove.log"; fail "apt-get remove"; }
[ ! -e "$root/usr/bin/vuorod" ] || fail "remove left /usr/bin/vuorod"
[ "$(sql "$db" 'SELECT count(*) FROM tickets')" = 3 ] || fail "remove lost the tickets"
[ -f "$root/etc/vuoro/vuoro.conf" ] || fail "remove deleted /etc/vuoro/vuoro.conf"
say "remove: vuorod gone; $db (3 tickets) and /etc/vuoro/vuoro.conf kept"
in_root apt-get -y -o Dpkg::Use-Pty=0 purge vuoro >"$work/apt-purge.log" 2>&1 ||
	{ tail "$work/apt-purge.log"; fail "apt-get purge"; }
[ ! -e "$root/var/lib/vuoro" ] || fail "purge left /var/lib/vuoro: $(ls -A "$root/var/lib/vuoro")"
[ ! -e "$root/etc/vuoro" ] || fail "purge left /etc/vuoro: $(find "$root/etc/vuoro")"
in_root getent passwd vuoro >/dev/null || fail "purge removed the user vuoro"
say "purge: /var/lib/vuoro and /etc/vuoro gone; the system user vuoro stays (Debian's practice)"
rm -rf "$work/apt-cache"
cp -a "$root/var/cache/apt/archives" "$work/apt-cache"

# --- 2. upgrades keep the data ----------------------------------------------
say "2. N = $old_version ($old_commit, schema $old_schema) then N+1 = $version (schema $new_schema)"
fresh_root cached
in_root apt-get -o Dpkg::Use-Pty=0 update >"$work/apt-update-2.log" 2>&1 || fail "apt-get update"
# shellcheck disable=SC2046
apt_install "$work/apt-install-old.log" $(debs_of "$old_debs" "$old_version") ||
	{ tail -30 "$work/apt-install-old.log"; fail "apt-get install of N"; }
start_vuorod "$work/vuorod-old.log"
api health "$url" "$old_version" >/dev/null || { tail "$work/vuorod-old.log"; fail "vuorod N"; }
add_user anna advisor "$pw"
ids=$(api day "$url" anna "$pw") || fail "drawing tickets in N"
# shellcheck disable=SC2086
api snapshot "$url" anna "$pw" $ids >"$work/day-old.json"
stop_vuorod
[ "$(sql "$db" 'PRAGMA user_version')" = "$old_schema" ] || fail "N's database is not at schema $old_schema"
say "N's day: tickets $ids, the first called ($(tr -d ' \n' <"$work/day-old.json" | head -c 200)…)"

# Copies of earlier upgrades (older than N's): the three newest stay after this one.
mkdir -p "$root/var/lib/vuoro/backup"
for age in 3 2 1; do
	echo "a copy of $age days ago" >"$root/var/lib/vuoro/backup/vuoro-0.0.$((4 - age)).db"
	touch -d "$age days ago" "$root/var/lib/vuoro/backup/vuoro-0.0.$((4 - age)).db"
done

# shellcheck disable=SC2046
apt_install "$work/apt-upgrade.log" $(debs_of "$new_debs" "$version") ||
	{ tail -30 "$work/apt-upgrade.log"; fail "apt-get install of N+1 over N"; }
grep 'vuoro: .* kept as' "$work/apt-upgrade.log" || fail "the upgrade said nothing of a backup"
kept=$(cd "$root/var/lib/vuoro/backup" && LC_ALL=C ls -1 | tr '\n' ' ')
[ "$kept" = "vuoro-$old_version.db vuoro-0.0.2.db vuoro-0.0.3.db " ] ||
	[ "$kept" = "vuoro-0.0.2.db vuoro-0.0.3.db vuoro-$old_version.db " ] ||
	fail "the backups after the upgrade: $kept (the three newest should stay)"
grep -q 'vuoro: removed /var/lib/vuoro/backup/vuoro-0.0.1.db' "$work/apt-upgrade.log" ||
	fail "the upgrade did not say it removed the oldest copy"
say "backups: the three newest kept ($kept), the oldest removed"
backup=/var/lib/vuoro/backup/vuoro-$old_version.db
[ -f "$root$backup" ] || fail "no $backup after the upgrade"
[ "$(sql -readonly "$backup" 'PRAGMA integrity_check')" = ok ] || fail "$backup does not open"
[ "$(sql -readonly "$backup" 'PRAGMA user_version')" = "$old_schema" ] || fail "$backup is not schema $old_schema"
[ "$(sql -readonly "$backup" 'SELECT count(*) FROM tickets')" = 3 ] || fail "$backup lacks the tickets"
[ "$(rstat '%U %a' "$backup")" = "vuoro 640" ] || fail "$backup: $(rstat '%U %a' "$backup")"
say "upgrade: $backup (schema $old_schema, 3 tickets, integrity ok)"

start_vuorod "$work/vuorod-new.log"
api health "$url" "$version" >/dev/null || { tail "$work/vuorod-new.log"; fail "vuorod N+1 on N's database"; }
# shellcheck disable=SC2086
api snapshot "$url" anna "$pw" $ids >"$work/day-new.json"
stop_vuorod
[ "$(sql "$db" 'PRAGMA user_version')" = "$new_schema" ] || fail "N+1 did not migrate to schema $new_schema"
diff -u "$work/day-old.json" "$work/day-new.json" || fail "the day's queue changed across the upgrade"
say "N+1: database at schema $new_schema, the same tickets in the same states"

sum=$(sha256sum <"$root$db")
rc=0
apt_opts=(--allow-downgrades)
# shellcheck disable=SC2046
apt_install "$work/apt-downgrade.log" $(debs_of "$old_debs" "$old_version") || rc=$?
apt_opts=()
[ "$rc" -ne 0 ] || fail "the downgrade to N was not refused"
msg=$(grep 'vuoro: refusing' "$work/apt-downgrade.log") || { tail -20 "$work/apt-downgrade.log"; fail "no refusal message"; }
echo "$msg"
case "$msg" in *"$old_version over $version"*"schema $new_schema"*"schema $old_schema"*) ;;
*) fail "the message does not name both versions and schemas" ;; esac
[ "$(in_root dpkg-query -W -f '${Version} ${db:Status-Abbrev}' vuoro)" = "$version ii " ] ||
	fail "after the refused downgrade vuoro is $(in_root dpkg-query -W -f '${Version} ${db:Status-Abbrev}' vuoro)"
[ "$(sha256sum <"$root$db")" = "$sum" ] || fail "the refused downgrade changed $db"
start_vuorod "$work/vuorod-after.log"
api health "$url" "$version" >/dev/null || fail "N+1 after the refused downgrade"
stop_vuorod
say "downgrade refused; $db unchanged (schema $new_schema), vuoro $version still installed and serving"
cleanup
rm -rf "$root" # a GB or two; a failed run leaves it for a look
echo "packages: 2 passed, 0 failed"
