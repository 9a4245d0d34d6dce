# SPDX-License-Identifier: GPL-3.0-or-later
"""The booths' use and the pilot's figures (issue 17, items 2 and 3): traffic
made through the real API — tickets, calls, a transfer between providers,
ends with each outcome, booth sessions the expert ends, the customer leaves
and nobody answers, a remote ticket cancelled while waiting — then GET
/api/report?kind=booths|pilot (JSON and CSV) checked against an independent
computation from the raw SQLite rows (pilot_expect.py; definitions:
firmware/report/report_pilot.h), and a service's start-date refused with a
clear error when it is no date."""
import csv
import datetime
import io
import json
import subprocess
import time
import zoneinfo

import pytest
import websocket

from conftest import USERS, VUOROD, Daemon, add_user, conf_with, wait_for
from pilot_expect import ALL, Conf, booths_expected, pilot_expected

TZ = zoneinfo.ZoneInfo("Europe/Helsinki")  # sim.conf
RESET_MIN = 180
EPOCH = datetime.date(1970, 1, 1)


def service_day(t):
    lt = datetime.datetime.fromtimestamp(t, TZ)
    day = (lt.date() - EPOCH).days
    return day if lt.hour * 60 + lt.minute >= RESET_MIN else day - 1


def day_start(day):
    d = EPOCH + datetime.timedelta(days=day)
    return int(datetime.datetime(d.year, d.month, d.day, RESET_MIN // 60, RESET_MIN % 60, tzinfo=TZ).timestamp())


def iso(day):
    return (EPOCH + datetime.timedelta(days=day)).isoformat()


@pytest.fixture
def site(workdir):
    today = iso(service_day(time.time()))
    conf = conf_with({("service:kela-video", "hours"): "mon-sun 00:00-24:00",
                      ("service:kela-video", "last-ticket-min"): "0",
                      ("service:te-video", "hours"): "mon-sun 06:00-22:00",
                      ("service:te-video", "start-date"): today,
                      ("service:guide", "start-date"): "2020-01-15",
                      ("webrtc", "ring-seconds"): "3"})
    d = Daemon(workdir, conf)
    for name, (role, password) in USERS.items():
        if name in ("anna", "eero"):
            continue
        add_user(d.db, name, role, password)
    for name, provider in (("anna", "kunta"), ("eero", "kela")):
        subprocess.run([VUOROD, "--db", d.db, "--add-user", name, "--role", USERS[name][0],
                        "--provider", provider], input=USERS[name][1] + "\n", text=True,
                       check=True, capture_output=True)
    d.start()
    yield d
    assert d.stop() == 0
    err = open(d.stderr_path).read()
    assert "AddressSanitizer" not in err and "runtime error" not in err, err[-3000:]


def ok(r, code=200):
    assert r.status_code == code, r.text
    return r.json()


def ticket(d, service):
    return ok(d.post("/api/tickets", {"service": service}), 201)["ticket"]


def messages_until(ws, pred, timeout=20):
    ws.settimeout(timeout)
    while True:
        m = json.loads(ws.recv())
        if pred(m):
            return m


def expert_socket(d):
    ws = websocket.create_connection(d.url.replace("http://", "ws://") + "/api/signal",
                                     header=["Authorization: " + d.login("eero")["Authorization"]],
                                     timeout=10)
    hello = json.loads(ws.recv())
    assert hello["type"] == "hello", hello
    return ws, hello["client"]


def booth_session(d, ws, client, end):
    """A remote ticket called into booth 4 and its session ended by @end."""
    t = ticket(d, "kela-video")
    sid = ok(d.post("/api/expert/call", {"client": client}, user="eero"), 201)["session"]
    messages_until(ws, lambda m: m["type"] == "offer")
    if end == "expert":
        ok(d.post("/api/sessions/%d/end" % sid, {}, user="eero"))
    elif end == "customer":
        ok(d.post("/api/booths/4/leave", user="eero"))
    # no answer: the ring timer (ring-seconds = 3) ends it
    messages_until(ws, lambda m: m["type"] == "state" and m["state"] == "ended", timeout=30)
    wait_for(lambda: d.get("/api/booths").json()["booths"][0].get("session") is None, 10, "booth free")
    return t, sid


def make_traffic(d):
    # A chain: guide (kunta) at counter 1, transferred to kela, referred at counter 2.
    a = ticket(d, "guide")
    b = ticket(d, "guide")
    c = ticket(d, "tax")
    ok(d.post("/api/counters/1/open", user="anna"))
    ok(d.post("/api/counters/1/call", {"ticket": a["id"]}, user="anna"))
    ok(d.post("/api/counters/1/start", user="anna"))
    ok(d.post("/api/counters/1/transfer", {"service": "kela"}, user="anna"))
    ok(d.post("/api/counters/1/call", {"ticket": b["id"]}, user="anna"))
    ok(d.post("/api/counters/1/end", {"outcome": "resolved"}, user="anna"))
    ok(d.post("/api/counters/2/open", user="bertil"))
    ok(d.post("/api/counters/2/call", {"ticket": a["id"]}, user="bertil"))
    ok(d.post("/api/counters/2/end", {"outcome": "referred"}, user="bertil"))
    ok(d.post("/api/counters/2/call", {"ticket": c["id"]}, user="bertil"))
    ok(d.post("/api/counters/2/end", {"outcome": "follow_up"}, user="bertil"))
    # A citizen who gave up on a remote service while waiting.
    gone = ticket(d, "te-video")
    ok(d.post("/api/tickets/%d/cancel" % gone["id"], user="anna"))
    ws, client = expert_socket(d)
    try:
        booth_session(d, ws, client, "expert")
        booth_session(d, ws, client, "customer")
        booth_session(d, ws, client, "none")
    finally:
        ws.close()
    # The counters were open for the seconds the sessions took.
    ok(d.post("/api/counters/1/close", user="anna"))
    ok(d.post("/api/counters/2/close", user="bertil"))


def report(d, kind, from_day, to_day, fmt="json"):
    r = d.get("/api/report?kind=%s&period=day&from=%s&to=%s&format=%s" % (kind, iso(from_day), iso(to_day), fmt),
              user="maija")
    assert r.status_code == 200, r.text
    return r


def periods_of(from_day, to_day):
    return [(iso(day), day, day + 1) for day in range(from_day, to_day)]


def check_booths(d, conf, from_day, to_day):
    t0 = int(time.time())
    got = report(d, "booths", from_day, to_day).json()
    t1 = int(time.time()) + 1
    rows = {(r["period"], r["booth"], r["provider"]): r for r in got["booths"]}
    assert len(rows) == len(got["booths"])
    label = lambda day: iso(day)
    # The report's clock (its now) lies in [t0, t1]: one of them matches.
    tried = []
    for now in range(t0, t1 + 1):
        exp = booths_expected(d.db, conf, from_day, to_day, label, TZ, now)
        mismatch = [k for k in set(rows) | set(exp)
                    if k not in rows or k not in exp or any(rows[k][f] != v for f, v in exp[k].items())]
        if not mismatch:
            return got
        tried.append((now, mismatch[:3], [(rows.get(k), exp.get(k)) for k in mismatch[:1]]))
    raise AssertionError(tried)


def test_booths_and_pilot_figures(site):
    d = site
    make_traffic(d)

    today = service_day(time.time())
    conf = Conf(d.conf)

    # -- booths ------------------------------------------------------------
    got = check_booths(d, conf, today, today + 1)
    total = {(r["booth"], r["provider"]): r for r in got["booths"] if r["period"] == "total"}
    b4 = total[(4, ALL)]
    assert b4["sessions"] == 3 and (b4["served"], b4["customer_left"], b4["no_answer"]) == (1, 1, 1), b4
    assert b4["network_lost"] == 0 and b4["error"] == 0
    assert b4["open_s"] > 0 and b4["session_s"] > 0 and b4["occupancy_pct"] is not None
    # The cancelled te-video ticket; the customer who left the booth before
    # the expert answered went back to the line (no visit), as the engine has it.
    assert total[(0, ALL)]["left_before_served"] == 1 and total[(0, "te")]["left_before_served"] == 1
    assert total[(4, ALL)]["left_before_served"] == 0
    # Two calls wrote a visit (the no-answer and the ended one came back to the line).
    assert total[(4, "kela")]["waited"] == 2 and total[(4, "kela")]["wait_median_s"] is not None
    # The idle report of booth 4: its hours less its time in session.
    idle = d.get("/api/report?kind=idle&period=day&from=%s&to=%s" % (iso(today), iso(today + 1)),
                 user="maija").json()["idle"]
    i4 = [r for r in idle if r["period"] == "total" and r["counter"] == 4][0]
    assert i4["busy_s"] == b4["session_s"] and abs(i4["open_s"] - b4["open_s"]) <= 2, (i4, b4)
    assert i4["idle_s"] == max(0, i4["open_s"] - i4["busy_s"]) and i4["open_s"] > i4["busy_s"]
    # CSV: the same rows.
    text = report(d, "booths", today, today + 1, "csv").text
    lines = list(csv.DictReader(io.StringIO(text)))
    assert [(int(r["booth"]), r["provider"], int(r["sessions"])) for r in lines if r["period"] == "total"] == \
        [(r["booth"], r["provider"], r["sessions"]) for r in got["booths"] if r["period"] == "total"]

    # -- pilot -------------------------------------------------------------
    for from_day, to_day in ((today, today + 1), (today - 1, today + 1), (today + 1, today + 2)):
        now = int(time.time())
        got = report(d, "pilot", from_day, to_day).json()
        exp = pilot_expected(d.db, conf, from_day, to_day, periods_of(from_day, to_day), day_start, now)
        rows = {(r["period"], r["provider"], r["service"]): r for r in got["pilot"]}
        assert len(rows) == len(got["pilot"])
        for k, e in exp.items():
            assert k in rows, k
        zero = {"events": 0, "previous_events": 0, "resolved": 0, "referred": 0, "follow_up": 0, "chains": 0,
                "new_services": 0, "growth_pct": None, "resolved_pct": None, "referred_pct": None}
        for k, row in rows.items():
            e = exp.get(k, dict(zero, staff_s=0 if k[2] == ALL else None,
                                start_date=conf.services.get(k[2], {}).get("start_date")))
            for f, v in e.items():
                assert row[f] == v, (k, f, row, e)
    # What the traffic must show, beyond agreeing.
    got = report(d, "pilot", today, today + 1).json()
    rows = {(r["period"], r["provider"], r["service"]): r for r in got["pilot"]}
    site_total = rows[("total", ALL, ALL)]
    assert site_total["chains"] == 1 and rows[("total", "kunta", ALL)]["chains"] == 1
    assert rows[("total", "kela", "kela")]["chains"] == 1
    # No session went live: none was resolved by video.
    assert (site_total["resolved"], site_total["referred"], site_total["follow_up"]) == (1, 1, 1)
    assert site_total["resolved_pct"] == 33.3 and site_total["referred_pct"] == 33.3
    # anna serves for kunta, bertil for the site itself ("").
    assert rows[("total", "kunta", ALL)]["staff_s"] >= 3 and rows[("total", "", ALL)]["staff_s"] >= 3
    assert rows[("total", "kunta", "guide")]["staff_s"] is None
    assert rows[("total", "te", "te-video")]["new_services"] == 1
    assert rows[("total", "te", "te-video")]["start_date"] == iso(today)
    assert rows[("total", "kunta", "guide")]["new_services"] == 0
    assert rows[("total", "kunta", "guide")]["start_date"] == "2020-01-15"
    assert site_total["new_services"] == 1
    # The next day: nothing yet, all of today's use was the previous period.
    nxt = report(d, "pilot", today + 1, today + 2).json()
    nrows = {(r["period"], r["provider"], r["service"]): r for r in nxt["pilot"]}
    assert nrows[("total", ALL, ALL)]["previous_events"] == site_total["events"] > 0
    assert nrows[("total", ALL, ALL)]["growth_pct"] == -100.0
    # CSV has the same rows and a header.
    text = report(d, "pilot", today, today + 1, "csv").text
    lines = list(csv.DictReader(io.StringIO(text)))
    assert len(lines) == len(got["pilot"])
    assert lines[0].keys() >= {"period", "provider", "service", "events", "growth_pct", "chains", "staff_s"}
    # An unknown kind names the new ones.
    r = d.get("/api/report?kind=nope", user="maija")
    assert r.status_code == 400 and "booths or pilot" in r.json()["message"]


def test_service_start_date_must_be_a_date(workdir):
    conf = conf_with({("service:guide", "start-date"): "15.1.2026"})
    path = Daemon(workdir, conf).conf  # written, with its display maps beside it
    r = subprocess.run([VUOROD, "--check-config", path], capture_output=True, text=True)
    assert r.returncode != 0
    assert "[service:guide] start-date: expected a date" in r.stderr + r.stdout, r.stderr
    assert "15.1.2026" in r.stderr + r.stdout
