#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# bench-idle-rss.sh BUILD: vuorod's resident memory at idle (issue 22).
#
#   BENCH idle_rss_mb           the sim board as `make run` starts it: its own
#                               board-config/sim.conf (booths, announcer, ID-card
#                               reader on a SoftHSM2 card), no uplink
#   BENCH idle_rss_no_booth_mb  the same config without its booth (the expert
#                               desk [counter:4], its remote services, door and lamp)
#
# Each is the median of 3 starts, read from /proc/PID/status (VmRSS) once
# vuorod has settled: at least 2.5 s after its "API on" line and unchanged
# (within 64 kB) over the last half second, so that the booth's pipeline,
# prepared ahead, is in the figure.  Paths under build/run/ of sim.conf go to a
# fresh folder; the test PKI is made once and kept in BUILD/bench-pki.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
work=$(mktemp -d "$PWD/$build/bench-rss.XXXXXX")
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

pki="$build/bench-pki"
[ -f "$pki/site-secret" ] || tests/identity/make-pki.sh "$pki" >/dev/null
sed -e "s|build/run/pki/|$PWD/$pki/|g" -e "s|build/run/|$work/run/|g" board-config/sim.conf \
	>"$work/sim.conf"
/usr/bin/python3 - "$work/sim.conf" "$work/no-booth.conf" <<'EOF'
import re, sys
drop = {"[counter:4]", "[service:kela-video]", "[service:te-video]",
        "[button:booth-door]", "[lamp:booth-busy]"}
text = open(sys.argv[1], encoding="utf-8").read()
parts = re.split(r"(?m)^(?=\[)", text)
open(sys.argv[2], "w", encoding="utf-8").write(
    "".join(p for p in parts if p.split("\n", 1)[0] not in drop))
EOF
ln -s "$PWD/board-config/displays" "$work/displays" # maps are found next to the config
"$build/vuorod" --check-config "$work/no-booth.conf" >/dev/null

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

# One start: prints the settled VmRSS in kB.
settled_rss() { # CONFIG
	rm -rf "$work/run" && mkdir -p "$work/run"
	SOFTHSM2_CONF="$PWD/$pki/cards/ec/softhsm2.conf" "$build/vuorod" --config "$1" \
		--db "$work/run/vuoro.db" --listen 127.0.0.1:0 >"$work/out" 2>"$work/err" &
	pid=$!
	for _ in $(seq 300); do
		grep -q 'API on' "$work/out" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q 'API on' "$work/out"; then
		echo "bench-idle-rss: vuorod did not start: $(cat "$work/err")" >&2
		exit 1
	fi
	local last now i
	sleep 2
	last=$(rss_kb "$pid")
	for i in $(seq 40); do
		sleep 0.5
		now=$(rss_kb "$pid")
		[ $((now - last)) -le 64 ] && [ $((last - now)) -le 64 ] && break
		last=$now
	done
	echo "$now"
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	pid=
}

median_mb() { # NAME CONFIG
	local a b c
	a=$(settled_rss "$2")
	b=$(settled_rss "$2")
	c=$(settled_rss "$2")
	printf '%s\n%s\n%s\n' "$a" "$b" "$c" | sort -n | sed -n 2p |
		awk -v name="$1" '{ printf "BENCH %s=%.1f MB\n", name, $1 / 1024 }'
}

median_mb idle_rss_mb "$work/sim.conf"
median_mb idle_rss_no_booth_mb "$work/no-booth.conf"
