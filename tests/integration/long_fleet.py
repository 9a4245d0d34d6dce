# SPDX-License-Identifier: GPL-3.0-or-later
"""The fleet's long runs (make test-long; not collected by `make test`): the
faults of test_fleet_e2e.py at length — a site's network cut of minutes with
thousands of records waiting, a NATS node and the hub down for a minute
under load.  The same verdict: every outbox row of every site in PostgreSQL
exactly once."""
import os
import time

import pytest

from conftest import wait_for
from test_fleet_e2e import NS_SITE, assert_exactly_once, drawing, make_region, served_through

CUT_S = int(os.environ.get("VUORO_LONG_CUT_S", "180"))


@pytest.fixture(scope="module")
def region():
    yield from make_region()


def fast_drawing(region, names):
    for n in names:
        region.sites[n].draw_start(pause=0)


def test_a_network_cut_of_minutes(region):
    s1 = region.sites[NS_SITE]
    fast_drawing(region, [NS_SITE])
    drawing(region, ["s2", "s3"])
    wait_for(lambda: region.ledger()[NS_SITE], 20, "s1's records flowing")
    served0 = s1.served()
    region.ns.cut()
    try:
        t0 = time.monotonic()
        while time.monotonic() - t0 < CUT_S:  # the cut's length, not a verdict
            time.sleep(10)
            print("cut %3.0f s: s1 served %d, %d unsent" % (time.monotonic() - t0,
                                                          s1.served() - served0, s1.unsent()))
        waiting = s1.unsent()
        assert s1.served() - served0 >= 1000, "s1 served %d in the cut" % (s1.served() - served0)
        assert waiting >= 1000
    finally:
        region.ns.heal()
        for s in region.sites.values():
            if s.drawer:
                s.draw_stop()
    drawing(region)
    served_through(region)
    led = assert_exactly_once(region, timeout=300)
    assert len(led[NS_SITE]) >= waiting


def test_b_c_a_node_and_the_hub_down_a_minute(region):
    # After a long cut TCP's retransmission back-off may keep s1 stalled a
    # while longer (STALL), or it crashed in libnats (CRASH): systemd would
    # start it again; so does this.  It must serve again first.
    s1 = region.sites[NS_SITE]
    if s1.proc.poll() is not None:
        print("s1 exited %d after the cut: started again" % s1.proc.returncode)
        s1.kill()
        s1.start()
    s1.draw_start()
    wait_for(lambda: s1.served() >= 10, 300, "s1 serving again after the cut")
    s1.draw_stop()
    fast_drawing(region, ["s1", "s2", "s3"])
    n0 = region.stored_count()
    wait_for(lambda: region.stored_count() >= n0 + 100, 30, "records flowing")
    region.cluster.kill(2)
    region.hub.kill()
    marks = {n: len(s.outbox()[1]) for n, s in region.sites.items()}
    wait_for(lambda: all(len(s.outbox()[1]) >= marks[n] + 1000 for n, s in region.sites.items()),
             120, "a thousand records a site while the hub is down")
    region.cluster.start_node(2)
    region.cluster.wait_healthy([2])
    region.hub_restart()
    served_through(region)
    assert_exactly_once(region, timeout=300)
