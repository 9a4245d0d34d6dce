# SPDX-License-Identifier: GPL-3.0-or-later
"""A booth soak (make test-long; not collected by `make test`): remote-service
sessions back to back on one site, through coturn's relay and directly by
turns, with the expert's network cut now and then (test_nat_turn.py's world:
the site behind natA, the expert's headless Chromium behind natB).

What it found: GStreamer 1.22's rtpsession drops its lock inside its RTCP
thread's walk over the sources at a session's first report (media.c,
media_tolerate_rtpsession_race); a remote source added in that window raised
a GLib critical that aborted vuorod under G_DEBUG=fatal-criticals, 1 session
in 12 to 40 here under load (once in CI's test_nat_turn.py).  The verdict:
every session goes live with the expert's frames decoded and ends, the site's
vuorod lives through all of them with no more open files or threads; its
memory should not creep, and today it does (test_memory_flat, an expected
failure: libnice 0.1.21 keeps a pruned TURN allocation until its deallocation
times out, 4.5 s on, and these sessions last a second: README "A booth soak")."""
import os
import time

import pytest

from test_nat_turn import lose_the_expert, run_session, world  # noqa: F401 — the module's fixture

SESSIONS = int(os.environ.get("BOOTH_SOAK_N", "300"))
CUT_EVERY = 50
SERIES = {}  # test_sessions_back_to_back's readings, for test_memory_flat
KNOWN = "g_hash_table_foreach: assertion 'version == hash_table->version' failed"


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def threads(pid):
    return len(os.listdir("/proc/%d/task" % pid))


def test_sessions_back_to_back(world):
    topo, _, site, expert = world
    started = time.monotonic()
    relayed = direct = 0
    rss, fd, th = [], [], []  # vuorod's RSS, open files and threads every 25 sessions
    for i in range(SESSIONS):
        topo.drop_direct_udp(i % 2 == 0)
        res = run_session(site, expert)
        if "relay" in (res["local"], res["remote"]):
            relayed += 1
        else:
            direct += 1
        if i % 25 == 24:
            rss.append(rss_kb(site.proc.pid))
            fd.append(fds(site.proc.pid))
            th.append(threads(site.proc.pid))
        if i % CUT_EVERY == CUT_EVERY - 1:
            b = lose_the_expert(world)[2]
            assert b["last"]["reason"] == "network_lost", b["last"]
    topo.drop_direct_udp(True)
    with open(site.stderr_path, errors="replace") as f:
        met = f.read().count(KNOWN)
    print("booth soak: %d sessions (%d relayed, %d direct) and %d lost experts in %.0f s; "
          "vuorod's RSS every 25 sessions %s kB, open files %s, threads %s; "
          "GStreamer's rtpsession race met %d times"
          % (SESSIONS, relayed, direct, SESSIONS // CUT_EVERY, time.monotonic() - started,
             rss, fd, th, met))
    SERIES["rss"] = rss
    assert relayed >= SESSIONS // 2 and direct >= SESSIONS // 4, (relayed, direct)
    assert fd[-1] <= fd[0] and th[-1] <= th[0], (fd, th)


@pytest.mark.xfail(strict=True, reason="libnice 0.1.21 frees a pruned TURN allocation (the one over "
                   "TCP beside the one over UDP) only when its deallocation times out, 4.5 s on: "
                   "these sessions of a second leak two or three of 52 kB each (fixed in libnice "
                   "0.1.23; README 'A booth soak')")
def test_memory_flat():
    """A session's media is freed with it: over the second half of the soak
    no more than 20 kB a session kept (the first sessions fill the
    allocator's arenas)."""
    rss = SERIES.get("rss") or pytest.skip("needs test_sessions_back_to_back")
    assert len(rss) >= 4, "BOOTH_SOAK_N=%d: at least 100 sessions for a verdict on memory" % SESSIONS
    half = len(rss) // 2
    assert rss[-1] - rss[half] < 20 * 25 * (len(rss) - 1 - half), rss
