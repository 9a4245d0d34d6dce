# SPDX-License-Identifier: GPL-3.0-or-later
"""GET /api/counters/N over real HTTP: the ticket "call next" would take is
the one the call then takes — by profile order, by weights, after a no-show
went back in line — and the counter's profile with its weights."""
from conftest import USERS  # noqa: F401  (the users the daemon fixture adds)


def issue(d, service):
    r = d.post("/api/tickets", {"service": service, "handout": "screen"})
    assert r.status_code in (200, 201), r.text
    return r.json()["ticket"]


def next_of(d, counter, user="anna"):
    r = d.get("/api/counters/%d" % counter, user=user)
    assert r.status_code == 200, r.text
    return r.json()


def call_agrees(d, counter, user="anna"):
    """Previews, calls, and checks they name the same ticket; returns it."""
    want = next_of(d, counter, user)["next"]
    assert want is not None
    r = d.post("/api/counters/%d/call" % counter, user=user)
    assert r.status_code == 200, r.text
    got = r.json()["ticket"]
    assert got["id"] == want["id"], (want["code"], got["code"])
    return got


def test_next_agrees_with_call(daemon):
    d = daemon
    c1 = next_of(d, 1)
    assert c1["counter"]["id"] == 1 and c1["next"] is None  # closed
    assert [p["service"] for p in c1["configured_profile"]] == ["guide", "permits", "kela"]
    assert next_of(d, 3)["configured_profile"] == [
        {"service": "kela", "weight": 1}, {"service": "tax", "weight": 2}, {"service": "guide", "weight": 1}]
    assert d.get("/api/counters/99", user="anna").status_code == 404
    assert d.get("/api/counters/1").status_code == 401

    kela = issue(d, "kela")   # waited longest
    guide = issue(d, "guide")
    assert d.post("/api/counters/1/open", {}, user="anna").status_code == 200
    # Profile order: guidance first although kela waited longer.
    assert next_of(d, 1)["next"]["id"] == guide["id"]
    assert call_agrees(d, 1)["id"] == guide["id"]
    assert next_of(d, 1)["next"] is None  # busy with a ticket
    # The no-show goes back in line (sim.conf requeues once) and, by
    # profile order, is still next: the preview says so before the call.
    r = d.post("/api/counters/1/noshow", user="anna")
    assert r.status_code == 200, r.text
    back = r.json()["ticket"]
    assert back["state"] == "waiting" and back["ahead"] == 0 and back["no_shows"] == 1
    assert next_of(d, 1)["next"]["id"] == guide["id"]
    assert call_agrees(d, 1)["id"] == guide["id"]
    # Second no-show: expired, out of the line.
    r = d.post("/api/counters/1/noshow", user="anna")
    assert r.json()["ticket"]["state"] == "no_show"
    assert call_agrees(d, 1)["id"] == kela["id"]
    assert d.post("/api/counters/1/end", {}, user="anna").status_code == 200
    assert next_of(d, 1)["next"] is None  # nobody waits


def test_next_with_weights(daemon):
    d = daemon
    first = issue(d, "guide")
    second = issue(d, "kela")
    third = issue(d, "guide")
    r = d.post("/api/counters/2/open", {"profile": "guide:1,kela:5"}, user="bertil")
    assert r.status_code == 200, r.text
    got = next_of(d, 2, "bertil")
    assert got["profile"] == [{"service": "guide", "weight": 1}, {"service": "kela", "weight": 5}]
    # Weighted by wait × weight: kela's weight 5 outweighs guidance's
    # few seconds more of waiting.
    assert got["next"]["id"] == second["id"]
    seen = []
    for _ in range(3):
        seen.append(call_agrees(d, 2, "bertil")["id"])
        assert d.post("/api/counters/2/end", {}, user="bertil").status_code == 200
    assert seen[0] == second["id"] and sorted(seen) == sorted([first["id"], second["id"], third["id"]])
