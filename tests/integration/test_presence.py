# SPDX-License-Identifier: GPL-3.0-or-later
"""Offer only what can be served (issue 16, item 5): the hub publishes the
presence of its experts on vuoro.hub.presence (the experts' contract); the
site (a real vuorod with [uplink] on a real nats-server) takes it.  No
expert of a provider online → its remote service is refused at the kiosk
(status and POST 409, with what to take instead), the customers already in
its line are told on /api/follow, and every page hears "availability" on
/api/events; an expert online (busy or not) → served again; the presence
older than [uplink] presence-valid-s → the booths' own state, as without a
hub.  The hub here is the NATS project's JavaScript client as the `hub`
user (tests/fleet/natsctl.mjs pub … --core)."""
import hashlib
import json
import time

import pytest
import websocket

from conftest import make_daemon, wait_for
from fleet import NatsCluster
from test_uplink import SITE, kv_value, uplink, uplink_conf

VALID_S = 4  # [uplink] presence-valid-s: short, so that going stale is seen


@pytest.fixture
def nats(workdir):
    c = NatsCluster(workdir, nodes=1, sites=[SITE]).start()
    c.setup_stream(duplicates_s=600)
    yield c
    c.stop()


@pytest.fixture
def site(workdir, nats):
    d = make_daemon(workdir, uplink_conf(nats, presence_valid_s=str(VALID_S)))
    wait_for(lambda: uplink(d)["connected"], 15, "the uplink connected")
    yield d
    assert d.stop() == 0


def presence(nats, **providers):
    body = {"v": 1, "at": int(time.time()), "providers": {
        p: {"online": on, "free": free} for p, (on, free) in providers.items()}}
    code, out = nats.natsctl("hub", "pub", "vuoro.hub.presence", json.dumps(body), "--core")
    assert code == 0 and out == [{"published": True}], out


def services(d):
    return {s["code"]: s for s in d.get("/api/status").json()["services"]}


def events(d):
    ws = websocket.create_connection(d.url.replace("http://", "ws://") + "/api/events", timeout=15)
    assert json.loads(ws.recv())["type"] == "hello"
    return ws


def wait_event(ws, kind):
    while True:
        ev = json.loads(ws.recv())
        if ev["type"] == kind:
            return ev


def test_no_expert_online_refuses_the_remote_service_and_tells_those_waiting(site, nats):
    d = site
    s = services(d)
    # No word from the hub yet: the booths' state, as today (the booth works).
    assert s["kela-video"]["open"] is True and s["kela-video"]["staffed"] is True, s["kela-video"]
    assert "experts" not in s["kela-video"]
    assert uplink(d)["presence"] is None
    # A customer already in the Kela video line, following on a phone.
    r = d.post("/api/tickets", {"service": "kela-video", "lang": "sv", "handout": "screen"})
    assert r.status_code == 201, r.text
    ref = r.json()["ticket"]["ref"]
    assert "unavailable" not in d.get("/api/follow/" + ref).json()

    ws = events(d)
    # The hub: an employment expert online, none of Kela.
    presence(nats, te=(1, 1))
    wait_event(ws, "availability")
    s = services(d)
    kv = s["kela-video"]
    assert kv["open"] is False and kv["refusal"] == "no_expert", kv
    assert kv["staffed"] is False and kv["wait_s"] is None, kv
    assert kv["experts"] == {"online": 0, "free": 0}, kv
    # What else: Kela's own counter service.
    assert kv["instead"]["code"] == "kela" and kv["instead"]["names"]["sv"] == "FPA:s förmåner", kv
    assert s["te-video"]["open"] is True and s["te-video"]["experts"] == {"online": 1, "free": 1}
    assert s["kela"]["open"] is True and "experts" not in s["kela"]
    # Drawing one through the API: a clear 409 with what to do.
    r = d.post("/api/tickets", {"service": "kela-video", "lang": "fi", "handout": "screen"})
    assert r.status_code == 409, r.text
    err = r.json()
    assert err["error"] == "no_expert", err
    assert "no expert" in err["message"] and '"kela"' in err["message"] and "book" in err["message"], err
    assert d.post("/api/tickets", {"service": "te-video", "lang": "fi",
                                   "handout": "screen"}).status_code == 201
    # The one already waiting is told, with where staff can move it.
    f = d.get("/api/follow/" + ref).json()
    assert f["state"] == "waiting" and f["unavailable"] == "no_expert", f
    assert f["instead"]["code"] == "kela", f
    # … and so does the live state: the hub's /t/<site>.REF tells it too.
    key = hashlib.sha256(ref.encode()).hexdigest()[:32]
    live = wait_for(lambda: (lambda v: v if v and v["follow"].get(key, {}).get("unavailable") else None)(
        kv_value(nats)), 15, "the live state's follow entry says no expert")
    assert live["follow"][key]["unavailable"] == "no_expert"
    pres = uplink(d)["presence"]
    assert pres["valid_s"] == VALID_S and pres["providers"] == {"te": {"online": 1, "free": 1}}, pres

    # A Kela expert comes online but is busy: still a line (a longer wait).
    presence(nats, te=(1, 1), kela=(1, 0))
    wait_event(ws, "availability")
    kv = services(d)["kela-video"]
    assert kv["open"] is True and kv["refusal"] not in ("no_expert", "no_booth") and "instead" not in kv, kv
    assert kv["experts"] == {"online": 1, "free": 0} and kv["staffed"] is True, kv
    assert "unavailable" not in d.get("/api/follow/" + ref).json()
    assert d.post("/api/tickets", {"service": "kela-video", "lang": "fi",
                                   "handout": "screen"}).status_code == 201

    # The same word again changes nothing: no event (the next one is ours).
    presence(nats, te=(1, 1), kela=(1, 0))
    presence(nats, te=(1, 1))
    ev = wait_event(ws, "availability")
    assert services(d)["kela-video"]["refusal"] == "no_expert"
    t0 = time.monotonic()
    # The hub falls silent: after presence-valid-s the booths' own state counts.
    ev = wait_event(ws, "availability")
    waited = time.monotonic() - t0
    assert VALID_S - 1.5 <= waited <= VALID_S + 2, waited
    kv = services(d)["kela-video"]
    assert kv["open"] is True and kv["staffed"] is True and "experts" not in kv, kv
    assert uplink(d)["presence"] is None
    assert "unavailable" not in d.get("/api/follow/" + ref).json()
    ws.close()


def test_every_booth_out_of_order_with_presence_is_no_booth(site, nats):
    d = site
    presence(nats, kela=(2, 2), te=(1, 1))
    wait_for(lambda: "experts" in services(d)["kela-video"], 10, "presence taken")
    assert services(d)["kela-video"]["open"] is True
    r = d.post("/api/booths/4/sim", {"unplug": "camera"}, user="tech")
    assert r.status_code == 200, r.text
    kv = wait_for(lambda: (lambda s: s if s["refusal"] == "no_booth" else None)(services(d)["kela-video"]),
                  10, "kela-video refused: no booth")
    assert kv["open"] is False and kv["instead"]["code"] == "kela", kv
    r = d.post("/api/tickets", {"service": "te-video", "lang": "en", "handout": "screen"})
    assert r.status_code == 409 and r.json()["error"] == "no_booth", r.text
    assert "out of order" in r.json()["message"] and "book an appointment" in r.json()["message"]
    # te has no counter service at this site: only a booking is offered.
    assert services(d)["te-video"]["instead"] is None


def test_an_advisor_takes_over_a_ticket_no_expert_can_answer(site, nats):
    """The advisor page's "Call here": the counter calls the remote ticket by
    id (outside its profile), then transfers it to the provider's counter
    service, where it waits at the front."""
    d = site
    r = d.post("/api/tickets", {"service": "kela-video", "lang": "en", "handout": "screen"})
    assert r.status_code == 201, r.text
    tk = r.json()["ticket"]
    presence(nats, te=(1, 1))
    wait_for(lambda: services(d)["kela-video"]["refusal"] == "no_expert", 10, "no Kela expert")
    q = d.get("/api/queue", user="anna").json()["tickets"]
    mine = [x for x in q if x["id"] == tk["id"]][0]
    assert mine["unavailable"] == "no_expert" and mine["instead"]["code"] == "kela", mine
    assert d.post("/api/counters/1/open", {}, user="anna").status_code == 200
    r = d.post("/api/counters/1/call", {"ticket": tk["id"]}, user="anna")
    assert r.status_code == 200, r.text
    assert r.json()["ticket"]["counter"] == 1 and r.json()["ticket"]["state"] == "called"
    r = d.post("/api/counters/1/transfer", {"service": "kela", "front": True}, user="anna")
    assert r.status_code == 200, r.text
    f = d.get("/api/follow/" + tk["ref"]).json()
    assert f["service"] == "kela" and f["state"] == "waiting" and "unavailable" not in f, f
    assert f["ahead"] == 0, f
