# SPDX-License-Identifier: GPL-3.0-or-later
"""Feedback: a rating from the exit's buttons (gpio sim) or a screen is tied
to the visit that just ended, once, within the window; never to a person."""
import sqlite3
import time

from conftest import conf_with, make_daemon, wait_for


def serve_one(daemon, service="guide", counter=1, user="anna"):
    t = daemon.post("/api/tickets", {"service": service, "lang": "fi", "handout": "screen"}).json()["ticket"]
    daemon.post(f"/api/counters/{counter}/open", {}, user=user)
    assert daemon.post(f"/api/counters/{counter}/call", {}, user=user).status_code == 200
    assert daemon.post(f"/api/counters/{counter}/start", {}, user=user).status_code == 200
    r = daemon.post(f"/api/counters/{counter}/end", {"outcome": "resolved"}, user=user)
    assert r.status_code == 200, r.text
    return t


def rows(daemon):
    with sqlite3.connect(daemon.db) as db:
        return db.execute("SELECT ticket, service, provider, counter, rating, source FROM feedback "
                          "ORDER BY id").fetchall()


def test_buttons_rate_the_visit_that_just_ended(daemon):
    t = serve_one(daemon)
    assert daemon.post("/api/gpio/sim", {"name": "smiley-good"}, user="tech").status_code == 202
    got = wait_for(lambda: rows(daemon), what="the rating stored")
    assert got == [(t["id"], "guide", "kunta", 1, 3, "button:smiley-good")]
    # Pressing again rates nothing more: kept, but not tied to the visit.
    time.sleep(1.2)  # past the button's cooldown
    daemon.post("/api/gpio/sim", {"name": "smiley-bad"}, user="tech")
    got = wait_for(lambda: len(rows(daemon)) == 2 and rows(daemon), what="the second rating")
    assert got[1][0] == 0 and got[1][4] == 1 and got[1][1] is None


def test_a_screen_rates_a_counter_s_last_visit(daemon):
    t1 = serve_one(daemon, counter=1)
    t2 = serve_one(daemon, "tax", counter=2, user="bertil")
    r = daemon.post("/api/feedback", {"rating": 5, "counter": 1})  # the kiosk's address
    assert r.status_code == 201 and r.json()["tied"] is True, r.text
    r = daemon.post("/api/feedback", {"rating": 4})  # any counter: the last visit
    assert r.json()["tied"] is True
    assert [x[:5] for x in rows(daemon)] == [(t1["id"], "guide", "kunta", 1, 5),
                                             (t2["id"], "tax", "vero", 2, 4)]
    assert daemon.post("/api/feedback", {"rating": 9}).status_code == 400
    assert daemon.post("/api/feedback", {"rating": 3, "counter": 77}).status_code == 404
    assert daemon.post("/api/feedback", {"rating": 3}, user="anna").status_code == 403


def test_a_rating_after_the_window_is_untied(workdir):
    d = make_daemon(workdir, conf_with({("queue", "feedback-window-seconds"): "10"}))
    try:
        serve_one(d)
        time.sleep(11)
        r = d.post("/api/feedback", {"rating": 2, "counter": 1})
        assert r.status_code == 201 and r.json()["tied"] is False
        assert rows(d)[0][0] == 0
    finally:
        d.stop()
