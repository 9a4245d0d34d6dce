# SPDX-License-Identifier: GPL-3.0-or-later
"""Notices on the info-TV and the kiosk (issue 17, item 5): a manager
publishes a text per site language with a start and an end; /api/notices/current
shows it in every language (the main one standing in for a missing one) while
start <= now < end; edits and withdrawals reach the pages as an event; every
change is audited; notices never become hub records."""
import datetime
import json
import sqlite3
from zoneinfo import ZoneInfo

import websocket

TZ = ZoneInfo("Europe/Helsinki")  # board-config/sim.conf [site] timezone


def local(delta_min):
    """The site's local time @delta_min minutes from now, as the API takes it."""
    t = datetime.datetime.now(TZ) + datetime.timedelta(minutes=delta_min)
    return t.strftime("%Y-%m-%d %H:%M")


def events(d):
    ws = websocket.create_connection(d.url.replace("http://", "ws://") + "/api/events", timeout=15)
    assert json.loads(ws.recv())["type"] == "hello"
    return ws


def wait_event(ws, kind):
    while True:
        ev = json.loads(ws.recv())
        if ev["type"] == kind:
            return ev


def current(d):
    r = d.get("/api/notices/current")
    assert r.status_code == 200, r.text
    return r.json()


def audit(d, command):
    con = sqlite3.connect("file:%s?mode=ro" % d.db, uri=True)
    try:
        return [(user, json.loads(detail)) for user, detail in con.execute(
            "SELECT user, detail FROM audit WHERE command = ? ORDER BY id", (command,))]
    finally:
        con.close()


def test_publish_languages_fallback_and_event(daemon):
    d = daemon
    ws = events(d)  # anonymous, like the info-TV
    r = d.post("/api/notices", {"text_fi": "Verotoimiston etäpalvelu ei toimi perjantaina.",
                                "text_sv": "Skatteförvaltningens distanstjänst är stängd på fredag.",
                                "start": local(-5), "end": local(60)}, user="maija")
    assert r.status_code == 201, r.text
    n = r.json()
    assert n["current"] is True and n["created_by"] == "maija"
    assert n["texts"] == {"fi": "Verotoimiston etäpalvelu ei toimi perjantaina.",
                          "sv": "Skatteförvaltningens distanstjänst är stängd på fredag."}
    ev = wait_event(ws, "notices")
    assert ev["at"] > 0
    cur = current(d)
    assert [c["id"] for c in cur["notices"]] == [n["id"]]
    shown = cur["notices"][0]["shown"]
    assert set(shown) == {"fi", "sv", "en", "se", "uk", "ar"}
    assert shown["sv"].startswith("Skatteförvaltningens")
    # en, se, uk, ar were not given: the main language stands in
    for lang in ("en", "se", "uk", "ar"):
        assert shown[lang] == shown["fi"], lang
    # the page's next re-read: the notice's end
    assert 3500 < cur["next_change_in_s"] <= 3600 + 60
    # a blank text is no text: the main language stands in
    r = d.post("/api/notices", {"text_fi": "Tauko", "text_en": "   ", "start": local(-1),
                                "end": local(30)}, user="admin1")
    assert r.status_code == 201, r.text
    assert r.json()["texts"] == {"fi": "Tauko"} and r.json()["shown"]["en"] == "Tauko"
    ws.close()


def test_not_shown_before_start_or_after_end(daemon):
    d = daemon
    r = d.post("/api/notices", {"text_fi": "Huomenna", "start": local(24 * 60),
                                "end": local(25 * 60)}, user="maija")
    assert r.status_code == 201, r.text
    later = r.json()
    assert later["current"] is False
    cur = current(d)
    assert cur["notices"] == []
    # the page re-reads when the notice begins
    assert 24 * 3600 - 120 < cur["next_change_in_s"] <= 24 * 3600
    # managers still see it, to edit
    listed = d.get("/api/notices", user="maija").json()["notices"]
    assert [x["id"] for x in listed] == [later["id"]]
    # an edit that moved its end into the past: ended, shown nowhere
    r = d.post("/api/notices/%d" % later["id"], {"text_fi": "Eilen", "start": local(-120),
                                                  "end": local(-60)}, user="maija")
    assert r.status_code == 200, r.text
    assert r.json()["current"] is False
    assert current(d)["notices"] == []
    assert d.get("/api/notices", user="maija").json()["notices"] == []


def test_edit_and_withdraw(daemon):
    d = daemon
    ws = events(d)
    n = d.post("/api/notices", {"text_fi": "Vanha", "text_en": "Old", "start": local(-1),
                                "end": local(30)}, user="maija").json()
    wait_event(ws, "notices")
    r = d.post("/api/notices/%d" % n["id"], {"text_fi": "Uusi", "text_sv": "Ny",
                                             "start": local(-1), "end": local(90)}, user="maija")
    assert r.status_code == 200, r.text
    e = r.json()
    assert e["id"] == n["id"] and e["texts"] == {"fi": "Uusi", "sv": "Ny"}
    assert e["updated_at"] is not None
    wait_event(ws, "notices")
    shown = current(d)["notices"][0]["shown"]
    assert shown["fi"] == "Uusi" and shown["sv"] == "Ny" and shown["en"] == "Uusi"
    r = d.post("/api/notices/%d/withdraw" % n["id"], {}, user="maija")
    assert r.status_code == 200, r.text
    wait_event(ws, "notices")
    assert current(d)["notices"] == []
    # withdrawn: neither edited nor withdrawn again
    r = d.post("/api/notices/%d/withdraw" % n["id"], {}, user="maija")
    assert r.status_code == 404 and "withdrawn" in r.json()["message"], r.text
    r = d.post("/api/notices/%d" % n["id"], {"text_fi": "x", "start": local(0), "end": local(5)},
               user="maija")
    assert r.status_code == 404, r.text
    r = d.post("/api/notices/999/withdraw", {}, user="maija")
    assert r.status_code == 404, r.text
    ws.close()
    # audited: who, what, which notice; and nothing for the hub
    assert [(u, a["notice"]) for u, a in audit(d, "notice_add")] == [("maija", n["id"])]
    edits = audit(d, "notice_edit")
    assert edits == [("maija", {"notice": n["id"], "langs": ["fi", "sv"], "start": e["start"],
                                "start_local": e["start_local"], "end": e["end"],
                                "end_local": e["end_local"]})]
    assert [(u, a["notice"]) for u, a in audit(d, "notice_withdraw")] == [("maija", n["id"])]
    con = sqlite3.connect("file:%s?mode=ro" % d.db, uri=True)
    try:
        assert con.execute("SELECT count(*) FROM outbox WHERE body LIKE '%Uusi%' OR "
                           "kind LIKE '%notice%'").fetchone()[0] == 0
        assert con.execute("PRAGMA user_version").fetchone()[0] >= 10
    finally:
        con.close()


def test_bad_requests_say_what_to_do(daemon):
    d = daemon
    cases = [
        ({"text_sv": "Bara svenska", "start": local(0), "end": local(60)}, "missing_text",
         "main language"),
        ({"text_fi": "   ", "start": local(0), "end": local(60)}, "missing_text", "text_fi"),
        ({"text_fi": "x", "start": "perjantaina", "end": local(60)}, "invalid",
         "start must be a time like"),
        ({"text_fi": "x", "start": local(0), "end": "2026-13-45 99:99"}, "invalid",
         "end must be a time like"),
        ({"text_fi": "x", "start": local(60), "end": local(0)}, "invalid",
         "end must come after start"),
        ({"text_fi": "x", "start": local(-120), "end": local(-60)}, "invalid",
         "end has passed"),
        ({"text_fi": "x", "start": local(0)}, "missing_field", "end"),
    ]
    for body, error, words in cases:
        r = d.post("/api/notices", body, user="maija")
        assert r.status_code == 400, (body, r.text)
        assert r.json()["error"] == error and words in r.json()["message"], (body, r.text)
    assert current(d)["notices"] == []
    assert audit(d, "notice_add") == []


def test_a_site_without_a_language_refuses_its_text(workdir):
    from conftest import conf_with, make_daemon
    d = make_daemon(workdir, conf_with({("site", "languages"): "sv;fi"}))
    try:
        r = d.post("/api/notices", {"text_fi": "Vain suomeksi", "start": local(0),
                                    "end": local(60)}, user="maija")
        assert r.status_code == 400 and "text_sv" in r.json()["message"], r.text
        r = d.post("/api/notices", {"text_sv": "Stängt", "text_en": "Closed",
                                    "start": local(0), "end": local(60)}, user="maija")
        assert r.status_code == 400 and "\"en\"" in r.json()["message"], r.text
        r = d.post("/api/notices", {"text_sv": "Stängt", "start": local(-1),
                                    "end": local(60)}, user="maija")
        assert r.status_code == 201, r.text
        assert current(d)["notices"][0]["shown"] == {"sv": "Stängt", "fi": "Stängt"}
    finally:
        d.kill()


def test_only_managers_and_admins(daemon):
    d = daemon
    body = {"text_fi": "x", "start": local(0), "end": local(60)}
    for user in ("anna", "eero", "tech"):
        r = d.post("/api/notices", body, user=user)
        assert r.status_code == 403, (user, r.text)
        r = d.get("/api/notices", user=user)
        assert r.status_code == 403, (user, r.text)
    r = d.post("/api/notices", body)
    assert r.status_code == 401, r.text
    n = d.post("/api/notices", body, user="maija").json()
    r = d.post("/api/notices/%d/withdraw" % n["id"], {}, user="anna")
    assert r.status_code == 403, r.text
    assert len(current(d)["notices"]) == 1
