# SPDX-License-Identifier: GPL-3.0-or-later
"""The staff alarm (issue 17, item 7): the button under counter 1 (sim.conf
[button:c1-alarm], pressed on the sim GPIO chip) or the key combination on
/advisor (POST /api/alarms) is recorded and audited, lights [lamp:alarm],
reaches every staff socket (the reception's too) and no other; acknowledging it puts the lamp out."""
import json
import sqlite3

import websocket

from conftest import wait_for


def socket(d, user=None):
    url = d.url.replace("http://", "ws://") + "/api/events"
    if user:
        d.login(user)
        url += "?token=" + d.tokens[user]
    ws = websocket.create_connection(url, timeout=15)
    assert json.loads(ws.recv())["type"] == "hello"
    return ws


def next_of(ws, kinds, heard=None):
    while True:
        text = ws.recv()
        if heard is not None:
            heard.append(text)
        ev = json.loads(text)
        if ev["type"] in kinds:
            return ev


def lamp(d):
    lines = d.get("/api/gpio", user="tech").json()["lines"]
    return next(x for x in lines if x["name"] == "alarm")["value"]


def rows(d):
    con = sqlite3.connect("file:%s?mode=ro" % d.db, uri=True)
    try:
        return con.execute("SELECT counter, source, raised_by, acknowledged_at > 0, "
                           "acknowledged_by FROM alarms ORDER BY id").fetchall()
    finally:
        con.close()


def audit(d):
    con = sqlite3.connect("file:%s?mode=ro" % d.db, uri=True)
    try:
        return [(c, u, json.loads(x) if x else None) for c, u, x in con.execute(
            "SELECT command, user, detail FROM audit WHERE command LIKE 'alarm_%' ORDER BY id")]
    finally:
        con.close()


def test_button_alarm_reaches_staff_lights_the_lamp_and_is_acknowledged(daemon):
    d = daemon
    # every staff role, the reception's too (help may come through its door)
    staff = {u: socket(d, u) for u in ("anna", "maija", "tech", "eero", "rita")}
    waiting_room = socket(d)  # the display and the kiosk: no staff role
    assert lamp(d) == 0
    r = d.post("/api/gpio/sim", {"name": "c1-alarm"}, user="tech")
    assert r.status_code == 202, r.text
    for u, ws in staff.items():
        ev = next_of(ws, {"alarm"})["alarm"]
        assert (ev["counter"], ev["counter_name"], ev["source"], ev["open"]) == \
            (1, "Palvelupiste 1 / Disk 1 / Counter 1", "gpio", True), u
    wait_for(lambda: lamp(d) == 1, what="the alarm lamp")
    assert rows(d) == [(1, "gpio", "button:c1-alarm", 0, None)]
    # a ticket: an event the waiting room does get; no alarm came before it
    assert d.post("/api/tickets", {"service": "guide"}, user="anna").status_code in (200, 201)
    heard = []
    ev = next_of(waiting_room, {"alarm", "issued"}, heard)
    assert ev["type"] == "issued"
    # not even the button's device event names the alarm
    assert not [x for x in heard if "alarm" in x], heard
    open_ = d.get("/api/alarms", user="maija").json()["alarms"]
    assert [a["source"] for a in open_ if a["open"]] == ["gpio"]
    # acknowledged by the manager: the lamp goes out, every staff page hears it
    r = d.post("/api/alarms/%d/acknowledge" % open_[0]["id"], user="maija")
    assert r.status_code == 200 and r.json()["acknowledged_by"] == "maija", r.text
    assert next_of(staff["anna"], {"alarm"})["alarm"]["open"] is False
    wait_for(lambda: lamp(d) == 0, what="the alarm lamp off")
    assert rows(d) == [(1, "gpio", "button:c1-alarm", 1, "maija")]
    assert [(c, u) for c, u, _ in audit(d)] == [("alarm_raise", "button:c1-alarm"),
                                               ("alarm_acknowledge", "maija")]
    assert audit(d)[0][2] == {"counter": 1, "source": "gpio", "alarm": 1}
    # twice is an error that says so
    r = d.post("/api/alarms/%d/acknowledge" % open_[0]["id"], user="anna")
    assert r.status_code == 404 and "acknowledged already" in r.json()["message"]
    for ws in list(staff.values()) + [waiting_room]:
        ws.close()


def test_key_alarm_from_the_advisor(daemon):
    d = daemon
    manager = socket(d, "maija")
    r = d.post("/api/alarms", {"counter": 2}, user="anna")
    assert r.status_code == 201, r.text
    a = r.json()
    assert (a["counter"], a["source"], a["raised_by"], a["open"]) == (2, "key", "anna", True)
    ev = next_of(manager, {"alarm"})["alarm"]
    assert ev["id"] == a["id"] and ev["raised_by"] == "anna"
    wait_for(lambda: lamp(d) == 1, what="the alarm lamp (any counter)")
    # the lamp stays while any alarm is open
    r2 = d.post("/api/alarms", {"counter": 1}, user="eero").json()
    assert d.post("/api/alarms/%d/acknowledge" % a["id"], user="anna").status_code == 200
    assert lamp(d) == 1
    assert d.post("/api/alarms/%d/acknowledge" % r2["id"], user="eero").status_code == 200
    wait_for(lambda: lamp(d) == 0, what="the alarm lamp off")
    assert [x[:3] for x in rows(d)] == [(2, "key", "anna"), (1, "key", "eero")]
    manager.close()


def test_alarm_bad_input(daemon):
    d = daemon
    r = d.post("/api/alarms", {"counter": 77}, user="anna")
    assert r.status_code == 400 and "no counter 77" in r.json()["message"]
    r = d.post("/api/alarms", {}, user="anna")
    assert r.status_code == 400
    assert d.post("/api/alarms", {"counter": 1}).status_code in (401, 403)  # the kiosk
    r = d.post("/api/alarms/999/acknowledge", user="anna")
    assert r.status_code == 404 and "no alarm 999" in r.json()["message"]
    assert rows(d) == []
    d.get("/api/status")  # still serving


def test_vuoroctl_presses_the_alarm_button(daemon):
    """The technician's tool presses the sim button: the same path as the hardware."""
    from conftest import USERS
    from test_cli import ctl
    d = daemon
    r = ctl(d, "login", "tech", stdin=USERS["tech"][1] + "\n")
    assert r.returncode == 0, r.stderr
    r = ctl(d, "diag", "gpio", "press", "c1-alarm")
    assert r.returncode == 0, r.stdout + r.stderr
    wait_for(lambda: rows(d) == [(1, "gpio", "button:c1-alarm", 0, None)], what="the alarm recorded")
    wait_for(lambda: lamp(d) == 1, what="the alarm lamp")
