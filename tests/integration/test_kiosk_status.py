# SPDX-License-Identifier: GPL-3.0-or-later
"""GET /api/status for the kiosk (issue 14, items 2 and 4): the [kiosk]
settings, and per service "staffed" — some open counter's profile has it
(or, for a remote service, a booth in order serves it) — with wait_s null
when nobody staffs it: no wait is promised that cannot be computed."""
import os
import subprocess

from conftest import ROOT, VUOROD, conf_with, make_daemon, wait_for


def services(d):
    return {s["code"]: s for s in d.get("/api/status").json()["services"]}


def test_staffed_follows_open_counters_and_booths(daemon):
    st = daemon.get("/api/status").json()
    assert st["kiosk"] == {"ticket_seconds": 8, "unstaffed": "show"}, st["kiosk"]
    s = {x["code"]: x for x in st["services"]}
    # Nobody at a counter yet: no counter line is staffed, and no wait is given.
    for code in ("guide", "permits", "tax", "kela"):
        assert s[code]["staffed"] is False and s[code]["wait_s"] is None, s[code]
        assert s[code]["counters_open"] == 0 and s[code]["open"] is True, s[code]
    # The booth (counter 4, kind expert) is in order: its remote lines are served.
    for code in ("kela-video", "te-video"):
        assert s[code]["staffed"] is True and isinstance(s[code]["wait_s"], int), s[code]

    # A ticket for a line nobody serves can still be drawn: it waits for a counter.
    r = daemon.post("/api/tickets", {"service": "tax", "lang": "en"})
    assert r.status_code == 201, r.text
    tax = services(daemon)["tax"]
    assert tax["waiting"] == 1 and tax["staffed"] is False and tax["wait_s"] is None, tax

    # Counter 1 opens (guide, permits, kela): those lines are staffed, tax is not.
    assert daemon.post("/api/counters/1/open", {}, user="anna").status_code == 200
    s = services(daemon)
    for code in ("guide", "permits", "kela"):
        assert s[code]["staffed"] is True and s[code]["counters_open"] == 1, s[code]
        assert isinstance(s[code]["wait_s"], int), s[code]
    assert s["tax"]["staffed"] is False and s["tax"]["wait_s"] is None, s["tax"]

    # Counter 2 (tax, guide, kela) opens: the tax ticket has a counter and a wait.
    assert daemon.post("/api/counters/2/open", {}, user="bertil").status_code == 200
    tax = services(daemon)["tax"]
    assert tax["staffed"] is True and tax["wait_s"] == 10 * 60, tax  # service-min = 10
    # … and closes again: back to no promise.
    assert daemon.post("/api/counters/2/close", {}, user="bertil").status_code == 200
    tax = services(daemon)["tax"]
    assert tax["staffed"] is False and tax["wait_s"] is None, tax

    # The booth's camera fails: the remote lines have nobody to serve them.
    r = daemon.post("/api/booths/4/sim", {"unplug": "camera"}, user="tech")
    assert r.status_code == 200, r.text
    s = wait_for(lambda: (lambda x: x if not x["kela-video"]["staffed"] else None)(services(daemon)),
                 what="kela-video unstaffed after the booth's fault")
    assert s["kela-video"]["wait_s"] is None and s["te-video"]["staffed"] is False, s["kela-video"]


def test_kiosk_settings_from_board_config(workdir):
    d = make_daemon(workdir, conf_with({("kiosk", "ticket-seconds"): "3", ("kiosk", "unstaffed"): "hide"}))
    try:
        assert d.get("/api/status").json()["kiosk"] == {"ticket_seconds": 3, "unstaffed": "hide"}
    finally:
        assert d.stop() == 0


def test_kiosk_settings_out_of_range_are_refused(workdir):
    os.symlink(os.path.join(ROOT, "board-config", "displays"), os.path.join(workdir, "displays"))
    for key, value, words in (("ticket-seconds", "31", "ticket-seconds"), ("ticket-seconds", "2", "ticket-seconds"),
                              ("unstaffed", "maybe", "unstaffed")):
        path = os.path.join(workdir, "k.conf")
        with open(path, "w", encoding="utf-8") as f:
            f.write(conf_with({("kiosk", key): value}))
        r = subprocess.run([VUOROD, "--check-config", path], capture_output=True, text=True, timeout=30)
        assert r.returncode != 0, (key, value)
        assert "[kiosk]" in r.stderr and words in r.stderr and value in r.stderr, r.stderr


def test_a_ticket_nobody_serves_promises_no_wait(daemon):
    """The ticket's own estimate (the kiosk's reply, the follow page) is null
    while no open counter serves its line; a number once one opens."""
    r = daemon.post("/api/tickets", {"service": "permits", "lang": "fi", "handout": "screen"})
    assert r.status_code == 201, r.text
    tk = r.json()["ticket"]
    assert tk["wait_s"] is None, tk
    assert daemon.get(tk["follow"].replace("/t/", "/api/follow/")).json()["wait_s"] is None
    assert daemon.post("/api/counters/1/open", {}, user="anna").status_code == 200
    assert isinstance(daemon.get(tk["follow"].replace("/t/", "/api/follow/")).json()["wait_s"], int)
