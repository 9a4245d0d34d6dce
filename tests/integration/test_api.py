# SPDX-License-Identifier: GPL-3.0-or-later
"""The HTTP/JSON API over real HTTP on loopback: queue commands, roles, bad
input, the WebSocket stream, persistence across restarts."""
import json
import os
import sqlite3
import threading
import time

import requests
import websocket

from conftest import conf_with, make_daemon


def first_counter_and_service(status):
    """A counter (not an expert desk) and the first service of its profile."""
    for c in status["counters"]:
        if c["kind"] == "counter" and c["profile"]:
            return c["id"], c["profile"][0]
    raise AssertionError("sim.conf has no counter with a profile")


def open_counter(d, user, counter):
    r = d.post("/api/counters/%d/open" % counter, user=user)
    assert r.status_code == 200, r.text
    return r.json()


def test_health_and_status_are_public(daemon):
    h = daemon.get("/api/health").json()
    assert h["status"] == "ok"
    s = daemon.get("/api/status").json()
    assert len(s["services"]) >= 6
    assert len({svc["provider"] for svc in s["services"]}) >= 3
    assert any(svc["kind"] == "remote" for svc in s["services"])
    for svc in s["services"]:
        assert set(svc["names"]) == {"fi", "sv", "en", "se", "uk", "ar"} and all(svc["names"].values())
    # Staff names are not shown to the public.
    assert all("user" not in c for c in s["counters"])


def test_issue_call_recall_end_makes_a_visit(daemon, status):
    counter, service = first_counter_and_service(status)
    r = daemon.post("/api/tickets", {"service": service, "lang": "sv"})
    assert r.status_code == 201, r.text
    t = r.json()["ticket"]
    assert t["state"] == "waiting" and t["lang"] == "sv" and t["code"].endswith("001")
    assert t["follow"] == "/t/" + t["ref"] and len(t["ref"]) >= 16

    open_counter(daemon, "anna", counter)
    r = daemon.post("/api/counters/%d/call" % counter, user="anna")
    assert r.status_code == 200, r.text
    called = r.json()["ticket"]
    assert called["id"] == t["id"] and called["state"] == "called" and called["counter"] == counter
    r = daemon.post("/api/counters/%d/recall" % counter, user="anna")
    assert r.json()["ticket"]["recalls"] == 1
    r = daemon.post("/api/counters/%d/end" % counter, {"outcome": "referred", "channel": "paper_form"}, user="anna")
    assert r.status_code == 200, r.text
    done = r.json()["ticket"]
    assert done["state"] == "done" and done["outcome"] == "referred" and done["channel"] == "paper_form"

    # The visit is in SQLite, read with SQLite itself.
    db = sqlite3.connect(daemon.db)
    rows = db.execute("SELECT service, provider, channel, outcome, counter, user, issued_at, called_at, "
                      "started_at, ended_at FROM visits WHERE ticket = ?", (t["id"],)).fetchall()
    assert len(rows) == 1
    v = rows[0]
    assert v[0] == service and v[2] == "paper_form" and v[3] == "referred" and v[4] == counter and v[5] == "anna"
    assert v[6] <= v[7] <= v[8] <= v[9]
    db.close()

    # The follow page sees the end too, without a login.
    f = daemon.get("/api/follow/" + t["ref"]).json()
    assert f["state"] == "done"
    assert daemon.get("/api/follow/not-a-ref").status_code == 404


def test_numbers_run_per_service(daemon, status):
    services = [s["code"] for s in status["services"] if s["open"]][:2]
    codes = [daemon.post("/api/tickets", {"service": services[0]}).json()["ticket"]["code"] for _ in range(3)]
    other = daemon.post("/api/tickets", {"service": services[1]}).json()["ticket"]["code"]
    assert [c[1:] for c in codes] == ["001", "002", "003"]
    assert other[1:] == "001" and other[0] != codes[0][0]


def test_transfer_keeps_issue_time_and_noshow_park_resume(daemon, status):
    counter, service = first_counter_and_service(status)
    other = next(s["code"] for s in status["services"] if s["code"] != service and s["kind"] == "counter")
    t = daemon.post("/api/tickets", {"service": service}).json()["ticket"]
    open_counter(daemon, "anna", counter)
    daemon.post("/api/counters/%d/call" % counter, user="anna")
    r = daemon.post("/api/counters/%d/transfer" % counter, {"service": other, "front": True}, user="anna")
    assert r.status_code == 200, r.text
    moved = r.json()["ticket"]
    assert moved["service"] == other and moved["state"] == "waiting"
    assert moved["queued_at"] == t["issued_at"] and moved["transfers"] == 1
    # Park and resume.
    r = daemon.post("/api/counters/%d/call" % counter, {"ticket": t["id"]}, user="anna")
    assert r.status_code == 200, r.text
    assert daemon.post("/api/counters/%d/park" % counter, user="anna").json()["ticket"]["state"] == "parked"
    # Never started: resuming calls the customer back (a started one would be served on).
    r = daemon.post("/api/counters/%d/resume" % counter, {"ticket": t["id"]}, user="anna")
    assert r.json()["ticket"]["state"] == "called"
    # No-show drops it (sim.conf requeues no-shows at most as configured).
    r = daemon.post("/api/counters/%d/noshow" % counter, user="anna")
    assert r.status_code == 200 and r.json()["ticket"]["state"] in ("no_show", "waiting")


def test_roles(daemon, status):
    counter, _ = first_counter_and_service(status)
    assert daemon.get("/api/queue").status_code == 401
    assert daemon.get("/api/queue", user="anna").status_code == 200
    r = daemon.get("/api/users", user="anna")
    assert r.status_code == 403 and r.json()["error"] == "forbidden"
    assert daemon.get("/api/users", user="admin1").status_code == 200
    assert daemon.get("/api/report", user="anna").status_code == 403
    assert daemon.get("/api/report", user="maija").status_code == 200
    assert daemon.get("/api/db/check", user="tech").json()["integrity"] == "ok"
    # A counter opened by anna is hers: bertil may not call there.
    open_counter(daemon, "anna", counter)
    r = daemon.post("/api/counters/%d/call" % counter, user="bertil")
    assert r.status_code == 403 and "anna" in r.json()["message"]
    # The kiosk (loopback here) may issue but not call.
    assert daemon.post("/api/counters/%d/call" % counter).status_code == 401


def test_login_errors_and_logout(daemon):
    r = requests.post(daemon.url + "/api/login", json={"user": "anna", "password": "wrong-password"})
    assert r.status_code == 401 and r.json()["error"] == "bad_login"
    r = requests.post(daemon.url + "/api/login", json={"user": "nobody", "password": "wrong-password"})
    assert r.status_code == 401
    h = daemon.login("anna")
    assert daemon.post("/api/logout", user="anna").status_code == 200
    assert requests.get(daemon.url + "/api/queue", headers=h).status_code == 401


def test_login_rate_limit(daemon):
    for _ in range(10):
        requests.post(daemon.url + "/api/login", json={"user": "anna", "password": "nope-nope"})
    r = requests.post(daemon.url + "/api/login", json={"user": "anna", "password": "advisor-pass-long-1"})
    assert r.status_code == 429 and "wait" in r.json()["message"]


def test_bad_input_gets_named_4xx(daemon, status):
    url = daemon.url + "/api/tickets"
    cases = [
        (b"{not json", "malformed_json"),
        (b"[1,2]", "malformed_json"),
        (json.dumps({"service": "x", "colour": "red"}).encode(), "unknown_field"),
        (json.dumps({"service": 12}).encode(), "wrong_type"),
        (json.dumps({"lang": "fi"}).encode(), "missing_field"),
        (json.dumps({"service": "no-such-service"}).encode(), "not_found"),
        (json.dumps({"service": status["services"][0]["code"], "lang": "de"}).encode(), "invalid"),
    ]
    for body, code in cases:
        r = requests.post(url, data=body, headers={"Content-Type": "application/json"})
        assert 400 <= r.status_code < 500, (body, r.status_code, r.text)
        assert r.json()["error"] == code, (body, r.text)
        assert r.json()["message"]
    r = requests.post(url, data=b"{" + b" " * (1024 * 1024) + b"}", headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    r = requests.post(daemon.url + "/api/counters/abc/call", headers=daemon.login("anna"))
    assert r.status_code == 404
    assert daemon.get("/api/nothing-here").status_code == 404
    assert requests.delete(daemon.url + "/api/status").status_code == 405
    # Still serving after all that.
    assert daemon.get("/api/health").json()["status"] == "ok"


def test_issue_needs_kiosk_address_or_device_token(workdir):
    token = "9f3b27c1e8d04a6b5c7e2f19"
    conf = conf_with({("api", "kiosk-addresses"): "10.9.9.9", ("api", "kiosk-token"): token})
    d = make_daemon(workdir, conf)
    try:
        service = d.get("/api/status").json()["services"][0]["code"]
        r = d.post("/api/tickets", {"service": service})
        assert r.status_code == 401
        r = d.post("/api/tickets", {"service": service}, headers={"Authorization": "Bearer " + token})
        assert r.status_code == 201, r.text
        r = d.post("/api/tickets", {"service": service}, headers={"Authorization": "Bearer wrong-token-wrong"})
        assert r.status_code == 401
    finally:
        assert d.stop() == 0


def test_websocket_stream(daemon, status):
    counter, service = first_counter_and_service(status)
    ws_url = daemon.url.replace("http://", "ws://") + "/api/events?token=" + daemon.tokens.get("anna", "") 
    daemon.login("anna")
    ws = websocket.create_connection(daemon.url.replace("http://", "ws://") + "/api/events?token=" + daemon.tokens["anna"], timeout=10)
    assert json.loads(ws.recv())["type"] == "hello"
    t = daemon.post("/api/tickets", {"service": service}).json()["ticket"]
    open_counter(daemon, "anna", counter)
    daemon.post("/api/counters/%d/call" % counter, user="anna")
    seen = []
    while "called" not in seen:
        ev = json.loads(ws.recv())
        seen.append(ev["type"])
        if ev["type"] == "called":
            assert ev["ticket"]["id"] == t["id"] and ev["counter"] == counter
    assert seen.index("waiting") < seen.index("counter_opened") < seen.index("called")
    ws.close()
    del ws_url


def test_websocket_without_login_is_the_public_view(workdir):
    # The waiting-room display and a phone on the follow page log in to
    # nothing: they get the public view (test_web.py checks what is in it).
    conf = conf_with({("api", "kiosk-addresses"): "10.9.9.9"})
    d = make_daemon(workdir, conf, users=False)
    try:
        ws = websocket.create_connection(d.url.replace("http://", "ws://") + "/api/events", timeout=10)
        try:
            assert json.loads(ws.recv())["type"] == "hello"
        finally:
            ws.close()
    finally:
        assert d.stop() == 0


def test_restart_keeps_queue_and_numbering(daemon, status):
    counter, service = first_counter_and_service(status)
    a = daemon.post("/api/tickets", {"service": service}).json()["ticket"]
    open_counter(daemon, "anna", counter)
    daemon.post("/api/counters/%d/call" % counter, user="anna")
    daemon.restart()
    s = daemon.get("/api/status", user="anna").json()
    c = next(c for c in s["counters"] if c["id"] == counter)
    assert c["open"] and c["user"] == "anna" and c["ticket"]["id"] == a["id"]
    b = daemon.post("/api/tickets", {"service": service}).json()["ticket"]
    assert int(b["code"][1:]) == int(a["code"][1:]) + 1


def test_ghost_ticket_is_voided_at_restart(daemon, status):
    _, service = first_counter_and_service(status)
    # The printer fails and the kiosk dies before it could show the number.
    assert daemon.post("/api/printer/sim", {"paper_end": True}, user="tech").status_code == 200
    r = daemon.post("/api/tickets", {"service": service, "handout": "printer"})
    ghost = r.json()["ticket"]
    assert ghost["state"] == "issued" and r.json()["print"]["ok"] is False
    daemon.restart()
    t = daemon.get("/api/tickets/%d" % ghost["id"], user="anna").json()
    assert t["state"] == "voided"
    q = daemon.get("/api/queue", user="anna").json()["tickets"]
    assert ghost["id"] not in [x["id"] for x in q]


def test_appointment_checkin_notifies_staff(daemon, status):
    _, service = first_counter_and_service(status)
    import time as _t
    at = _t.strftime("%Y-%m-%d %H:%M", _t.localtime(_t.time() + 600))
    r = daemon.post("/api/appointments", {"service": service, "at": at, "staff": "anna", "name": "Testi"}, user="anna")
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    ws = websocket.create_connection(daemon.url.replace("http://", "ws://") + "/api/events?token=" + daemon.tokens["anna"], timeout=10)
    ws.recv()
    r = daemon.post("/api/checkin", {"code": code, "lang": "en"})
    assert r.status_code == 201, r.text
    t = r.json()["ticket"]
    assert t["appointment"] == r.json()["ticket"]["appointment"] and t["state"] == "waiting"
    types = []
    while "appointment_arrived" not in types:
        ev = json.loads(ws.recv())
        types.append(ev["type"])
        if ev["type"] == "appointment_arrived":
            assert ev["staff"] == "anna" and ev["ticket"] == t["code"]
    ws.close()
    r = daemon.post("/api/checkin", {"code": code})
    assert r.status_code == 409
    r = daemon.post("/api/checkin", {"code": "NOPE99"})
    assert r.status_code == 404 and "booking code" in r.json()["message"]


def test_appointment_import_csv(daemon, status):
    _, service = first_counter_and_service(status)
    csv = "code,service,start,duration_min,staff,name\r\nK7K7K7,%s,2030-01-15 10:00,30,anna,\"Virtanen, Ville\"\r\n" % service
    r = requests.post(daemon.url + "/api/appointments/import", data=csv.encode(),
                      headers=dict(daemon.login("maija"), **{"Content-Type": "text/csv"}))
    assert r.status_code == 200, r.text
    assert r.json()["added"] == 1
    r = requests.post(daemon.url + "/api/appointments/import", data=csv.encode(),
                      headers=dict(daemon.login("maija"), **{"Content-Type": "text/csv"}))
    assert r.json()["skipped_existing"] == 1
    bad = "code,service,start\r\nX1,nonexistent,2030-01-15 10:00\r\n"
    r = requests.post(daemon.url + "/api/appointments/import", data=bad.encode(),
                      headers=dict(daemon.login("maija"), **{"Content-Type": "text/csv"}))
    assert r.status_code == 400 and "nonexistent" in r.json()["message"]


def test_concurrent_issues_never_share_a_number(daemon, status):
    _, service = first_counter_and_service(status)
    codes, lock = [], threading.Lock()

    def worker():
        s = requests.Session()
        for _ in range(25):
            r = s.post(daemon.url + "/api/tickets", json={"service": service})
            assert r.status_code == 201
            with lock:
                codes.append(r.json()["ticket"]["code"])

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(codes) == 100 and len(set(codes)) == 100


def test_queue_of_the_whole_day(daemon):
    a = daemon.post("/api/tickets", {"service": "guide"}).json()["ticket"]
    b = daemon.post("/api/tickets", {"service": "guide"}).json()["ticket"]
    assert daemon.post("/api/counters/1/open", {}, user="anna").status_code == 200
    assert daemon.post("/api/counters/1/call", {}, user="anna").json()["ticket"]["id"] == a["id"]
    assert daemon.post("/api/counters/1/end", {}, user="anna").status_code == 200
    live = [t["id"] for t in daemon.get("/api/queue", user="maija").json()["tickets"]]
    day = daemon.get("/api/queue?day=today", user="maija").json()["tickets"]
    assert live == [b["id"]]
    assert [t["id"] for t in day] == [a["id"], b["id"]] and day[0]["state"] == "done"
    assert daemon.get("/api/queue?day=yesterday", user="maija").status_code == 400


def test_checkin_prints_like_a_drawn_ticket(daemon):
    at = time.strftime("%Y-%m-%d %H:%M", time.localtime(time.time() + 600))
    r = daemon.post("/api/appointments", {"service": "guide", "at": at}, user="admin1")
    assert r.status_code == 201, r.text
    r = daemon.post("/api/checkin", {"code": r.json()["code"], "lang": "sv", "handout": "printer"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["print"]["ok"] is True and body["ticket"]["state"] == "waiting", body
    assert os.path.exists(os.path.join(daemon.tickets, "ticket-%d.bin" % body["ticket"]["id"]))
