# SPDX-License-Identifier: GPL-3.0-or-later
"""Booked remote appointments (issue 16, item 6), the site's side: an
appointment books a booth (an expert counter serving the service); the
booth cannot be booked twice for overlapping times (409 naming the booth
and the slot); the booked customer, checked in at the kiosk, is the one the
expert's "call next" brings into that booth at the booked time, ahead of a
walk-in who waited longer; the live state's bookings follow.  A real vuorod,
the expert's signalling socket as the expert page holds it."""
import json
import subprocess
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import websocket

from conftest import USERS, VUOROD, Daemon, add_user, conf_with


SITE_TZ = ZoneInfo("Europe/Helsinki")  # sim.conf's [site] timezone


def local(t, fmt="%Y-%m-%d %H:%M"):
    """Unix time @t as the site writes it (its own time zone)."""
    return datetime.fromtimestamp(t, SITE_TZ).strftime(fmt)


@pytest.fixture
def site(workdir):
    # Open all day, whenever the test runs.
    conf = conf_with({("service:kela-video", "hours"): "mon-sun 00:00-24:00",
                      ("service:kela-video", "last-ticket-min"): "0"})
    d = Daemon(workdir, conf)
    for name, (role, password) in USERS.items():
        if name != "eero":
            add_user(d.db, name, role, password)
    subprocess.run([VUOROD, "--db", d.db, "--add-user", "eero", "--role", "expert",
                    "--provider", "kela"], input=USERS["eero"][1] + "\n", text=True,
                   check=True, capture_output=True)
    d.start()
    yield d
    assert d.stop() == 0


def book(d, at, booth=4, service="kela-video", minutes=30, user="anna"):
    body = {"service": service, "at": local(at), "duration_min": minutes}
    if booth is not None:
        body["booth"] = booth
    return d.post("/api/appointments", body, user=user)


def test_booth_booking_overlap_and_refusals(site):
    d = site
    base = (int(time.time()) // 3600 + 2) * 3600  # a whole hour, later today or tomorrow
    r = book(d, base)
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["booth"] == 4 and first["code"]
    listed = d.get("/api/appointments?from=%s" % local(base - 60), user="anna").json()
    assert [(a["id"], a["booth"]) for a in listed["appointments"]] == [(first["id"], 4)]

    # Overlapping: refused, with the booked slot and what to do.
    r = book(d, base + 15 * 60)
    assert r.status_code == 409, r.text
    msg = r.json()["message"]
    hhmm, end = local(base, "%H:%M"), local(base + 1800, "%H:%M")
    assert msg.startswith("booth 4 is booked ") and (hhmm + "–" + end) in msg, msg
    assert "pick another time or booth" in msg
    # Touching is no overlap; a booking without a booth is not checked.
    assert book(d, base + 1800).status_code == 201
    assert book(d, base + 600, booth=None).status_code == 201
    # Not a booth, or a booth not serving the service.
    r = book(d, base + 7200, booth=1)
    assert r.status_code == 400 and "booth 1 does not serve kela-video" in r.json()["message"]
    assert "pick one of the booths 4" in r.json()["message"]
    r = book(d, base + 7200, service="guide")
    assert r.status_code == 400 and "booth 4 does not serve guide" in r.json()["message"]


def messages_until(ws, kind, timeout=20):
    ws.settimeout(timeout)
    got = []
    while True:
        m = json.loads(ws.recv())
        got.append(m)
        if m["type"] == kind:
            return got


def test_booked_customer_called_first_into_the_booth(site):
    d = site
    now = int(time.time())
    # A walk-in waits first; the booked customer (due in 5 minutes, inside
    # [queue] appointment-early-min) checks in after.
    walk_in = d.post("/api/tickets", {"service": "kela-video"})
    assert walk_in.status_code == 201, walk_in.text
    walk_in = walk_in.json()["ticket"]
    r = book(d, now + 300)
    assert r.status_code == 201, r.text
    booking = r.json()
    r = d.post("/api/checkin", {"code": booking["code"], "lang": "fi"})
    assert r.status_code == 201, r.text
    booked = r.json()["ticket"]
    assert booked["id"] != walk_in["id"]
    listed = d.get("/api/appointments", user="anna").json()["appointments"]
    mine = [a for a in listed if a["id"] == booking["id"]][0]
    assert mine["state"] == "arrived" and mine["ticket"] == booked["id"] and mine["booth"] == 4

    ws = websocket.create_connection(
        d.url.replace("http://", "ws://") + "/api/signal",
        header=["Authorization: " + d.login("eero")["Authorization"]], timeout=10)
    try:
        hello = json.loads(ws.recv())
        r = d.post("/api/expert/call", {"client": hello["client"]}, user="eero")
        assert r.status_code == 201, r.text
        messages_until(ws, "offer")
        session = d.get("/api/booths").json()["booths"][0]["session"]
        assert session["code"] == booked["code"], (session, booked, walk_in)
        r = d.post("/api/sessions/%d/end" % r.json()["session"], {}, user="eero")
        assert r.status_code == 200, r.text
    finally:
        ws.close()
