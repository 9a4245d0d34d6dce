# SPDX-License-Identifier: GPL-3.0-or-later
"""A board without a real-time clock (a Raspberry Pi) may boot with a clock
in the past until network time comes: vuorod then issues no ticket (503
clock_behind, a health fault naming the clock) while its clock is before the
latest time its store holds, and lifts that by itself once the clock is
right.  The wrong clock is real: vuorod runs under libfaketime (Debian's
faketime), whose offset is read from a file on every call."""
import os
import shutil

import pytest
import requests

from conftest import LIBFAKETIME, make_daemon, wait_for


def issue(d):
    return d.post("/api/tickets", {"service": "guide", "lang": "fi"})


def health(d):
    return requests.get(d.url + "/api/health", headers=d.login("tech"), timeout=10).json()


def test_no_ticket_with_a_clock_before_the_stored_time(workdir):
    if not os.path.exists(LIBFAKETIME):
        pytest.skip("needs Debian's faketime (libfaketime): run tools/install-deps")
    d = make_daemon(workdir)
    try:
        r = issue(d)
        assert r.status_code == 201, r.text
        first = r.json()["ticket"]
        d.stop()

        # The board boots a day in the past (fake-hwclock's stale time).
        d.set_clock("-1d")
        d.start()
        r = issue(d)
        assert r.status_code == 503, r.text
        assert r.json()["error"] == "clock_behind", r.text
        assert "the clock is behind the last stored time" in r.json()["message"], r.text
        assert "set the time or wait for network time" in r.json()["message"], r.text
        h = health(d)
        assert h["status"] != "ok", h
        assert any(f.startswith("clock: behind the last stored time") for f in h["faults"]), h
        # The ticket of before is still there, nothing new was stored.
        r = d.get("/api/tickets/%d" % first["id"], user="admin1")
        assert r.status_code in (200, 404), r.text

        # Network time comes: the clock is right again, without a restart.
        d.set_clock("+0")
        # (A fresh login: the one of the wrong clock expired with it.)
        d.tokens.clear()
        wait_for(lambda: health(d)["status"] == "ok", timeout=10, what="the clock fault to lift")
        r = issue(d)
        assert r.status_code == 201, r.text
        # Today's numbers continue (the engine, loaded on the wrong day,
        # was rebuilt from the store): not a second ...001.
        assert r.json()["ticket"]["id"] > first["id"]
        assert r.json()["ticket"]["code"] != first["code"], (first, r.json())
    finally:
        if d.proc and d.proc.poll() is None:
            assert d.stop() == 0
