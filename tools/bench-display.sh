#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The display bus figures: sets up two socat pty pairs with pymodbus RTU
# slaves — one direct, one behind the byte-pacing relay at 19200 baud — and
# runs bench-display.  Prints BENCH lines.
#   tools/bench-display.sh BUILD
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
case $build in /*) ;; *) build=$PWD/$build ;; esac
work=$(mktemp -d "$build/bench-display.XXXXXX")
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

wait_path() { # path what
	for _ in $(seq 150); do [ -e "$1" ] && return 0; sleep 0.1; done
	echo "bench-display: $2 did not come up" >&2; exit 1
}
pair() { # name: $work/NAME-A (our side) <-> $work/NAME-B
	socat pty,raw,echo=0,link="$work/$1-A" pty,raw,echo=0,link="$work/$1-B" 2>/dev/null &
	pids+=($!)
	wait_path "$work/$1-A" "socat $1"; wait_path "$work/$1-B" "socat $1"
}
slave() { # port dump
	/usr/bin/python3 tests/integration/modbus_slave.py --port "$1" --units 1 --dump "$2" \
		--keep-writes 10 2>"$2.err" &
	pids+=($!)
	for _ in $(seq 150); do grep -q '"ready": true' "$2" 2>/dev/null && return 0; sleep 0.1; done
	echo "bench-display: pymodbus slave on $1 did not start: $(cat "$2.err")" >&2; exit 1
}

pair direct
slave "$work/direct-B" "$work/direct.json"
pair near
pair far
/usr/bin/python3 tools/bench-display-relay.py --baud 19200 "$work/near-B" "$work/far-A" &
pids+=($!)
slave "$work/far-B" "$work/far.json"

"$build/bench-display" --device "$work/direct-A" --count 200 \
	--paced-device "$work/near-A" --wire-count 50 --baud 19200
