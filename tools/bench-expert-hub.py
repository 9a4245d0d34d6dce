#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""make bench: an expert's call across two NATs (tests/integration/nat.py: the
site behind natA, the expert's headless Chromium behind natB, coturn in the
public namespace), the click on "Call next" to the first decoded frame both
ways, median over SESSIONS sessions.

Issue 16 names hub_call_to_first_frame_ms (through the relay),
hub_call_to_first_frame_direct_ms and hub_expert_queue_update_p99_ms: those
are the expert on the hub's /hub/expert.  Until this tree's test topology
runs the hub (tests/integration/test_nat_turn.py still signals over natA's
port forward to the site's own /expert page) this prints the same figures for
the site's page, named expert_nat_call_to_first_frame_ms and
expert_nat_call_to_first_frame_direct_ms, and says on stderr what it left
out.  Needs root (network namespaces); without it, says so and prints nothing.

  tools/bench-expert-hub.py BUILD [SESSIONS]"""
import os
import statistics
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BUILD = os.path.join(ROOT, sys.argv[1] if len(sys.argv) > 1 else "build")
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
os.environ.setdefault("VUOROD", os.path.join(BUILD, "vuorod"))
os.environ.setdefault("BUILD_DIR", BUILD)
import nat  # noqa: E402
from test_nat_turn import nat_world, run_session  # noqa: E402


def note(msg):
    print("bench-expert-hub: " + msg, file=sys.stderr)


def sessions(site, expert, n, relay):
    """Click-to-first-frame of @n sessions; None when the first one fails."""
    times = []
    for i in range(n):
        try:
            res = run_session(site, expert)
        except AssertionError as e:
            note("%s session %d failed: %s" % ("relay" if relay else "direct", i + 1,
                                               str(e).splitlines()[0][:300]))
            if not times:
                return None
            continue
        if relay and "relay" not in (res["local"], res["remote"]):
            note("a session with direct UDP dropped did not use the relay: %s" % res)
            return None
        if not relay and "relay" in (res["local"], res["remote"]):
            note("a session with direct UDP allowed used the relay: %s" % res)
        times.append(res["clickToFirstFrameMs"])
    return times


def main():
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    why = nat.available()
    if why:
        note("skipped: " + why)
        return 0
    if not os.path.exists(os.path.join(ROOT, "ui", "hub", "expert.html")):
        note("no /hub/expert in this tree: the site's own /expert across the NATs instead; "
             "hub_expert_queue_update_p99_ms not measured")
    with nat_world() as (topo, _turn, site, expert):
        topo.drop_direct_udp(False)
        direct = sessions(site, expert, n, relay=False)
        topo.drop_direct_udp(True)
        relay = sessions(site, expert, n, relay=True)
    if relay:
        print("BENCH expert_nat_call_to_first_frame_ms=%.0f ms" % statistics.median(relay))
    else:
        note("expert_nat_call_to_first_frame_ms: no session went live through the relay")
    if direct:
        print("BENCH expert_nat_call_to_first_frame_direct_ms=%.0f ms" % statistics.median(direct))
    return 0


if __name__ == "__main__":
    sys.exit(main())
