# SPDX-License-Identifier: GPL-3.0-or-later
"""What the follow page and the waiting-room display are told of calls, over
real HTTP: a ticket's "missed" call after a no-show (requeued, then dropped),
GET /api/status "recent_calls" (newest first, a transferred or requeued
ticket's call leaves it, a served one stays); both after a restart."""

from conftest import make_daemon


def counters_of(status):
    return [c for c in status["counters"] if c["kind"] == "counter" and c["profile"]]


def open_counter(d, user, counter):
    r = d.post("/api/counters/%d/open" % counter, user=user)
    assert r.status_code == 200, r.text


def call(d, user, counter, ticket=None):
    r = d.post("/api/counters/%d/call" % counter, {"ticket": ticket} if ticket else None, user=user)
    assert r.status_code == 200, r.text
    return r.json()["ticket"]


def recent(d):
    return [(c["code"], c["counter"]) for c in d.get("/api/status").json()["recent_calls"]]


def test_missed_call_is_told_then_expires(daemon, status):
    counter = counters_of(status)[0]
    service = counter["profile"][0]
    t = daemon.post("/api/tickets", {"service": service, "lang": "sv"}).json()["ticket"]
    assert "missed" not in daemon.get("/api/follow/" + t["ref"]).json()
    open_counter(daemon, "anna", counter["id"])
    call(daemon, "anna", counter["id"])
    assert "missed" not in daemon.get("/api/follow/" + t["ref"]).json()

    # sim.conf requeues one no-show: back in line, and the page learns where it was called.
    r = daemon.post("/api/counters/%d/noshow" % counter["id"], user="anna")
    assert r.status_code == 200, r.text
    f = daemon.get("/api/follow/" + t["ref"]).json()
    assert f["state"] == "waiting" and f["lang"] == "sv"
    assert f["missed"]["counter"] == counter["id"] and f["missed"]["requeued"] is True
    assert f["missed"]["at"] >= t["issued_at"]
    # Staff see the same on the ticket.
    assert daemon.get("/api/tickets/%d" % t["id"], user="anna").json()["missed"]["counter"] == counter["id"]

    # vuorod restarts (a power cut): the counter is read back from the audit log.
    daemon.restart()
    assert daemon.get("/api/follow/" + t["ref"]).json()["missed"] == f["missed"]

    # Called again: the missed call is over.
    call(daemon, "anna", counter["id"], t["id"])
    assert "missed" not in daemon.get("/api/follow/" + t["ref"]).json()

    # The second no-show drops it: expired, and at which counter.
    r = daemon.post("/api/counters/%d/noshow" % counter["id"], user="anna")
    assert r.json()["ticket"]["state"] == "no_show"
    f = daemon.get("/api/follow/" + t["ref"]).json()
    assert f["state"] == "no_show"
    assert f["missed"] == {"counter": counter["id"], "at": f["ended_at"], "requeued": False}


def test_transferred_ticket_is_not_missed(daemon, status):
    counter = counters_of(status)[0]
    service = counter["profile"][0]
    other = next(s["code"] for s in status["services"] if s["code"] != service and s["kind"] == "counter")
    t = daemon.post("/api/tickets", {"service": service}).json()["ticket"]
    open_counter(daemon, "anna", counter["id"])
    call(daemon, "anna", counter["id"])
    r = daemon.post("/api/counters/%d/transfer" % counter["id"], {"service": other}, user="anna")
    assert r.status_code == 200, r.text
    f = daemon.get("/api/follow/" + t["ref"]).json()
    assert f["state"] == "waiting" and "missed" not in f


def test_recent_calls_newest_first_and_only_current(workdir):
    d = make_daemon(workdir)
    try:
        st = d.get("/api/status").json()
        assert st["recent_calls"] == []
        (a, b) = counters_of(st)[:2]
        service = a["profile"][0]
        other = next(s["code"] for s in st["services"] if s["code"] != service and s["kind"] == "counter")
        tickets = [d.post("/api/tickets", {"service": service}).json()["ticket"] for _ in range(3)]
        codes = [t["code"] for t in tickets]
        open_counter(d, "anna", a["id"])
        call(d, "anna", a["id"], tickets[0]["id"])
        assert recent(d) == [(codes[0], a["id"])]
        # Served and ended: it stays in the list (history).
        d.post("/api/counters/%d/end" % a["id"], user="anna")
        call(d, "anna", a["id"], tickets[1]["id"])
        assert recent(d) == [(codes[1], a["id"]), (codes[0], a["id"])]
        first = d.get("/api/status").json()["recent_calls"][0]
        assert first["at"] >= tickets[1]["issued_at"]

        # Transferred: "B → counter" is no longer true, it leaves the list.
        r = d.post("/api/counters/%d/transfer" % a["id"], {"service": other}, user="anna")
        assert r.status_code == 200, r.text
        assert recent(d) == [(codes[0], a["id"])]

        # A no-show that goes back in line leaves it too.
        call(d, "anna", a["id"], tickets[2]["id"])
        assert recent(d)[0] == (codes[2], a["id"])
        d.post("/api/counters/%d/noshow" % a["id"], user="anna")
        assert recent(d) == [(codes[0], a["id"])]

        # Called again elsewhere: one line for the ticket, newest first.
        open_counter(d, "bertil", b["id"])
        r = d.post("/api/counters/%d/call" % b["id"], {"ticket": tickets[2]["id"]}, user="bertil")
        if r.status_code == 200:  # counter b may not serve the service: then a
            want_b = (codes[2], b["id"])
        else:
            call(d, "anna", a["id"], tickets[2]["id"])
            want_b = (codes[2], a["id"])
        assert recent(d) == [want_b, (codes[0], a["id"])]

        # A restart rebuilds the list from the store.
        before = recent(d)
        d.restart()
        assert recent(d) == before
    finally:
        d.stop()
