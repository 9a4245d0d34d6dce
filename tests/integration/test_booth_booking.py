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

from conftest import USERS, VUOROD, Daemon, add_user, conf_with, wait_for


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


SECOND_BOOTH = """
[counter:5]
name = Etäpalvelu 2 / Distansservice 2 / Remote service 2
kind = expert
profile = kela-video
camera = test:ball
document-camera = none
microphone = test
speaker = none
screen = page
video-codec = vp8
width = 320
height = 240
fps = 15
"""


def test_call_next_without_a_booth_goes_to_the_booked_booth(workdir):
    """Two booths: the booked customer due now is called into the booth they
    booked (5), although booth 4 comes first and a walk-in waited longer."""
    conf = conf_with({("service:kela-video", "hours"): "mon-sun 00:00-24:00",
                      ("service:kela-video", "last-ticket-min"): "0"}) + SECOND_BOOTH
    d = Daemon(workdir, conf)
    for name, (role, password) in USERS.items():
        if name != "eero":
            add_user(d.db, name, role, password)
    subprocess.run([VUOROD, "--db", d.db, "--add-user", "eero", "--role", "expert",
                    "--provider", "kela"], input=USERS["eero"][1] + "\n", text=True,
                   check=True, capture_output=True)
    d.start()
    ws = None
    try:
        walk_in = d.post("/api/tickets", {"service": "kela-video"})
        assert walk_in.status_code == 201, walk_in.text
        r = book(d, int(time.time()) + 300, booth=5)
        assert r.status_code == 201, r.text
        r = d.post("/api/checkin", {"code": r.json()["code"], "lang": "sv"})
        assert r.status_code == 201, r.text
        booked = r.json()["ticket"]
        ws = websocket.create_connection(
            d.url.replace("http://", "ws://") + "/api/signal",
            header=["Authorization: " + d.login("eero")["Authorization"]], timeout=10)
        hello = json.loads(ws.recv())
        r = d.post("/api/expert/call", {"client": hello["client"]}, user="eero")
        assert r.status_code == 201, r.text
        messages_until(ws, "offer")
        booths = {b["id"]: b for b in d.get("/api/booths").json()["booths"]}
        assert booths[5]["session"] and booths[5]["session"]["code"] == booked["code"], booths
        assert not booths[4].get("session"), booths
        assert d.post("/api/sessions/%d/end" % r.json()["session"], {}, user="eero").status_code == 200
    finally:
        if ws:
            ws.close()
        assert d.stop() == 0


# ---------------------------------------------------------------------------
# The hub's commands `book` and `cancel-booking` over NATS (a real
# nats-server, the hub's requests made with the NATS project's own client)
# and the live state's bookings, also for a booking made while cut off.

SITE = "s1"


@pytest.fixture
def nats(workdir):
    from fleet import NatsCluster

    c = NatsCluster(workdir, nodes=1, sites=[SITE]).start()
    c.setup_stream(duplicates_s=600)
    yield c
    c.stop()


def hub_req(nats, verb, body):
    code, out = nats.natsctl("hub", "req", "vuoro.site.%s.cmd.%s" % (SITE, verb), json.dumps(body),
                             check=False)
    assert code == 0 and out and isinstance(out[0], dict), (code, out)
    return out[0]


def live_bookings(nats):
    code, out = nats.natsctl("hub", "kv-get", SITE, check=False)
    if code != 0 or not out or not isinstance(out[0], dict):
        return None
    return {b["id"]: b for b in out[0].get("bookings", [])}


def test_hub_books_and_cancels_and_learns_a_booking_made_while_cut(workdir, nats):
    cert, key = nats.client("site-" + SITE)
    conf = conf_with({("service:kela-video", "hours"): "mon-sun 00:00-24:00",
                      ("uplink", "servers"): ";".join(nats.urls), ("uplink", "site"): SITE,
                      ("uplink", "ca"): nats.ca, ("uplink", "cert"): cert,
                      ("uplink", "key"): key, ("uplink", "retry-max-seconds"): "2"})
    d = Daemon(workdir, conf)
    for name, (role, password) in USERS.items():
        add_user(d.db, name, role, password)
    d.start()

    def connected():
        return d.get("/api/uplink", user="tech").json()["connected"]

    try:
        wait_for(connected, 15, "the uplink connected")
        base = (int(time.time()) // 3600 + 2) * 3600
        ask = {"expert": "kaisa", "provider": "kela", "service": "kela-video", "booth": 4,
               "at": base, "minutes": 30}
        r = hub_req(nats, "book", ask)
        assert r["ok"] is True and r["booth"] == 4 and r["at"] == base and r["minutes"] == 30, r
        assert r["service"] == "kela-video" and len(r["code"]) == 6, r
        first = r["id"]
        # The same slot again, with or without a booth: the booth's calendar says no.
        r = hub_req(nats, "book", dict(ask, at=base + 600))
        assert r["ok"] is False and r["status"] == 409 and r["error"] == "busy", r
        assert r["message"].startswith("booth 4 is booked ") and "pick another time" in r["message"]
        r = hub_req(nats, "book", {k: v for k, v in ask.items() if k != "booth"})
        assert r["ok"] is False and r["status"] == 409, r
        # Not this expert's provider; not a remote service.
        r = hub_req(nats, "book", dict(ask, provider="te", at=base + 7200))
        assert r["ok"] is False and r["status"] == 403, r
        r = hub_req(nats, "book", dict(ask, service="guide", at=base + 7200))
        assert r["ok"] is False and r["status"] == 400, r
        # No booth named: the first booth free for the slot.
        r = hub_req(nats, "book", {k: v for k, v in ask.items() if k != "booth"} | {"at": base + 3600})
        assert r["ok"] is True and r["booth"] == 4, r
        second = r["id"]
        # The site's own list has them, by the expert, from the hub.
        listed = {a["id"]: a for a in d.get("/api/appointments", user="anna").json()["appointments"]}
        assert listed[first]["staff"] == "kaisa" and listed[first]["source"] == "hub"

        # The live state (the hub's view): bookings without names or codes.
        got = wait_for(lambda: (lambda b: b if b and second in b else None)(live_bookings(nats)),
                       10, "the bookings in the live state")
        assert got[first] == {"id": first, "booth": 4, "service": "kela-video", "provider": "kela",
                              "at": base, "minutes": 30, "state": "booked"}, got[first]

        r = hub_req(nats, "cancel-booking", {"expert": "kaisa", "provider": "kela", "id": first})
        assert r == {"ok": True, "id": first}, r
        r = hub_req(nats, "cancel-booking", {"expert": "kaisa", "provider": "kela", "id": first})
        assert r["ok"] is False and r["status"] == 409, r
        wait_for(lambda: (live_bookings(nats) or {}).get(first, {}).get("state") == "cancelled",
                 10, "the cancel in the live state")

        # Cut from the hub: an advisor books at the site; the hub learns it
        # when the site is back.
        nats.stop()
        wait_for(lambda: not connected(), 15, "the uplink sees the cut")
        r = book(d, base + 5400)
        assert r.status_code == 201, r.text
        local_id = r.json()["id"]
        nats.start()
        wait_for(connected, 20, "the uplink back")
        got = wait_for(lambda: (lambda b: b if b and local_id in b else None)(live_bookings(nats)),
                       15, "the booking made while cut in the live state")
        assert got[local_id]["booth"] == 4 and got[local_id]["state"] == "booked"
    finally:
        assert d.stop() == 0
