#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""make bench: an expert's call across two NATs (tests/integration/nat.py: the
site behind natA, the expert's headless Chromium behind natB, coturn in the
public namespace).

On the hub (tests/integration/test_nat_hub.py: nats-server, PostgreSQL,
vuoro-hub and coturn public, the site's [uplink] dialing out, the expert on
/hub/expert):
  hub_call_to_first_frame_ms         the click on "Call next" to the first
                                     decoded frame both ways, through the relay
                                     (direct UDP dropped), median of SESSIONS
  hub_call_to_first_frame_direct_ms  the same with direct UDP allowed
  hub_expert_queue_update_p99_ms     a ticket drawn at the site to its row on
                                     /hub/expert, p99 of TICKETS (one every 0.3 s)
On the site's own /expert page (natA forwarding its HTTP port, test_nat_turn.py):
  expert_nat_call_to_first_frame_ms, expert_nat_call_to_first_frame_direct_ms.
Needs root (network namespaces); without it, says so and prints nothing.

  tools/bench-expert-hub.py BUILD [SESSIONS [TICKETS]]"""
import os
import statistics
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BUILD = os.path.join(ROOT, sys.argv[1] if len(sys.argv) > 1 else "build")
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
os.environ.setdefault("VUOROD", os.path.join(BUILD, "vuorod"))
os.environ.setdefault("BUILD_DIR", BUILD)
import nat  # noqa: E402
from test_nat_turn import nat_world, run_session  # noqa: E402
import test_nat_hub  # noqa: E402


def note(msg):
    print("bench-expert-hub: " + msg, file=sys.stderr)


def sessions(site, expert, n, relay, run=None):
    """Click-to-first-frame of @n sessions; None when the first one fails."""
    times = []
    for i in range(n):
        try:
            res = run() if run else run_session(site, expert)
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


def p99(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, -(-99 * len(xs) // 100) - 1))]


def queue_updates(w, n):
    """ms from drawing each of @n tickets at the site to its row on /hub/expert."""
    lat = []
    for _ in range(n):
        t0 = time.time() * 1000
        ticket = w.site.ticket()
        seen = w.expert.do("seen %s %d" % (test_nat_hub.SITE, ticket["id"]), timeout=30)
        if not seen.get("ok"):
            note("ticket %s never shown on /hub/expert: %s" % (ticket["code"], seen))
            return None
        lat.append(seen["at"] - t0)
        time.sleep(0.3)  # customers arrive one by one, not in a burst
    return lat


def hub(n, tickets):
    # room in the line for the queue's tickets (the sim's kela-video takes 15)
    with test_nat_hub.hub_world({("service:kela-video", "max-queue"): str(tickets + 20)}) as w:
        run = lambda: test_nat_hub.run_session(w)  # noqa: E731
        w.topo.drop_direct_udp(False)
        direct = sessions(w.site, w.expert, n, relay=False, run=run)
        w.topo.drop_direct_udp(True)
        relay = sessions(w.site, w.expert, n, relay=True, run=run)
        queue = queue_updates(w, tickets)
    if relay:
        print("BENCH hub_call_to_first_frame_ms=%.0f ms" % statistics.median(relay))
    else:
        note("hub_call_to_first_frame_ms: no session went live through the relay")
    if direct:
        print("BENCH hub_call_to_first_frame_direct_ms=%.0f ms" % statistics.median(direct))
    if queue:
        note("queue updates: median %.0f ms, max %.0f ms over %d tickets"
             % (statistics.median(queue), max(queue), len(queue)))
        print("BENCH hub_expert_queue_update_p99_ms=%.0f ms" % p99(queue))
    sys.stdout.flush()


def site(n):
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
    sys.stdout.flush()


def main():
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    tickets = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    why = nat.available()
    if why:
        note("skipped: " + why)
        return 0
    hub(n, tickets)
    site(n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
