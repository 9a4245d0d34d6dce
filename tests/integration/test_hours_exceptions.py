# SPDX-License-Identifier: GPL-3.0-or-later
"""Opening-hour exceptions (issue 17, item 4): public holidays, closed days
and special evening hours per site and per service, from board-config
([hours-exception:NAME]) or an imported iCalendar file (stored, audited);
the kiosk refuses tickets on a closed day with the reason and the next
opening, special hours are honoured, a ticket whose estimated call falls
after the day's closing says so, and /api/status carries it all.

The exceptions are written for today's local date, and the tests work out
what to expect from the wall clock in the site's time zone
(board-config/sim.conf, Europe/Helsinki); near midnight vuorod runs on a
shifted clock (libfaketime, conftest's Daemon.set_clock)."""
import datetime
import json
import os
import sqlite3
import subprocess
from zoneinfo import ZoneInfo

import pytest
import requests

from conftest import ROOT, VUOROD, conf_with, make_daemon

TZ = ZoneInfo("Europe/Helsinki")
FIXTURE = os.path.join(ROOT, "tests", "fixtures", "hours-2030.ics")
# sim.conf's week for every service: mon-thu 08:00-18:00; fri 08:00-17:00.
WEEK = {0: (480, 1080), 1: (480, 1080), 2: (480, 1080), 3: (480, 1080), 4: (480, 1020)}


def now_local():
    return datetime.datetime.now(TZ)


def minute_of(dt):
    return dt.hour * 60 + dt.minute


def next_open(after, closed_dates):
    """The first day after @after the week opens that is not in @closed_dates,
    and its opening minute: worked out here from the week, not asked."""
    d = after + datetime.timedelta(days=1)
    while d.weekday() not in WEEK or d.isoformat() in closed_dates:
        d += datetime.timedelta(days=1)
    return d.isoformat(), WEEK[d.weekday()][0]


def hhmm(m):
    return "%02d:%02d" % (m // 60, m % 60)


def exception_conf(today, extra=None, **overrides):
    """sim.conf enforcing hours, with exceptions appended (name → keys)."""
    base = {("site", "demo-hours"): "false"}
    base.update(overrides.get("keys", {}))
    text = conf_with(base)
    for name, keys in (extra or {}).items():
        text += "\n[hours-exception:%s]\n" % name + "".join("%s = %s\n" % kv for kv in keys.items())
    return text


def check_config(workdir, text):
    """vuorod --check-config on @text, display maps next to it as in a daemon's folder."""
    path = os.path.join(workdir, "bad.conf")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    maps = os.path.join(workdir, "displays")
    if not os.path.lexists(maps):
        os.symlink(os.path.join(ROOT, "board-config", "displays"), maps)
    return subprocess.run([VUOROD, "--check-config", path], capture_output=True, text=True, timeout=30)


def services(d):
    return {s["code"]: s for s in d.get("/api/status").json()["services"]}


def audit(d, command):
    con = sqlite3.connect("file:%s?mode=ro" % d.db, uri=True)
    try:
        return [(user, json.loads(detail) if detail else None) for user, detail in con.execute(
            "SELECT user, detail FROM audit WHERE command = ? ORDER BY id", (command,))]
    finally:
        con.close()


def stored(d):
    con = sqlite3.connect("file:%s?mode=ro" % d.db, uri=True)
    try:
        return sorted(con.execute("SELECT uid, date, closed, open_min, close_min, services "
                                  "FROM hours_exceptions"))
    finally:
        con.close()


def ics(*events):
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//vuoro tests//FI"]
    for ev in events:
        lines += ["BEGIN:VEVENT"] + ev + ["END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def import_ics(d, body, user="maija", ctype="text/calendar"):
    return d.post("/api/hours/exceptions/import", user=user, data=body,
                  headers={"Content-Type": ctype})


def test_board_config_closed_day_special_hours_and_estimate_past_closing(workdir):
    # Special hours around now need room on both sides within one day: near
    # midnight the test moves vuorod's clock (and its own "now") by 2 h.
    shift = 0
    m = minute_of(now_local())
    if m + 25 >= 24 * 60:
        shift = -2 * 3600
    elif m < 5:
        shift = 2 * 3600
    start = now_local() + datetime.timedelta(seconds=shift)
    m = minute_of(start)
    today = start.date()
    close = m + 20
    conf = exception_conf(today, {
        "vero-kiinni": {"date": today.isoformat(), "closed": "yes", "services": "tax",
                        "name-fi": "Verotoimisto suljettu", "name-sv": "Skattebyrån stängd",
                        "name-en": "Tax office closed"},
        "kela-ilta": {"date": today.isoformat(), "hours": "%s-%s" % (hhmm(m - 5), hhmm(close)),
                      "services": "kela", "name-fi": "Kelan iltavastaanotto"},
    }, keys={("service:kela", "last-ticket-min"): "0"})
    d = make_daemon(workdir, conf, clock="%+d" % shift if shift else None)
    try:
        st = d.get("/api/status").json()
        assert st["today"] == today.isoformat(), st["today"]
        s = {x["code"]: x for x in st["services"]}
        # tax: closed by the exception, whatever the week says; the reason in
        # every site language (the main one standing in) and the next opening.
        tax = s["tax"]
        assert tax["open"] is False and tax["refusal"] == "closed_today", tax
        assert tax["exception"]["closed"] is True and tax["exception"]["source"] == "board-config"
        assert tax["exception"]["names"]["sv"] == "Skattebyrån stängd"
        assert tax["exception"]["names"]["uk"] == "Verotoimisto suljettu"
        assert tax["opens_min"] == -1 and tax["closes_min"] == -1, tax
        date, opens = next_open(today, set())
        assert tax["next_open"]["date"] == date and tax["next_open"]["min"] == opens, tax
        r = d.post("/api/tickets", {"service": "tax", "lang": "fi"})
        assert r.status_code == 409 and r.json()["error"] == "closed_today", r.text
        assert "Verotoimisto suljettu" in r.json()["message"], r.text
        # kela: the evening hours of today, not the week's.
        kela = s["kela"]
        assert kela["open"] is True and kela["exception"]["closed"] is False, kela
        assert (kela["opens_min"], kela["closes_min"]) == (m - 5, close), kela
        assert kela["exception"]["opens"] == hhmm(m - 5) and kela["exception"]["services"] == ["kela"]
        # The next exceptions, by date, for the pages.
        assert [(e["key"], e["date"]) for e in st["hours_exceptions"]] == \
            [("vero-kiinni", today.isoformat()), ("kela-ilta", today.isoformat())], st["hours_exceptions"]

        # A counter serves kela: each new ticket waits longer; the ones whose
        # estimated call falls after today's closing say so.
        assert d.post("/api/counters/1/open", {}, user="anna").status_code == 200
        seen = []
        for _ in range(8):
            r = d.post("/api/tickets", {"service": "kela", "lang": "fi"})
            assert r.status_code == 201, r.text
            tk = r.json()["ticket"]
            at = datetime.datetime.fromisoformat(tk["issued_at"].replace("Z", "+00:00")).astimezone(TZ) \
                if isinstance(tk["issued_at"], str) else datetime.datetime.fromtimestamp(tk["issued_at"], TZ)
            assert tk["closes_min"] == close, tk
            expect = minute_of(at) * 60 + tk["wait_s"] > close * 60
            assert tk["after_closing"] is expect, (tk, minute_of(at))
            seen.append(expect)
            if expect:
                break
        assert seen[0] is False and seen[-1] is True, seen
        f = d.get("/api/follow/" + tk["ref"]).json()
        assert f["after_closing"] is True and f["closes_min"] == close, f
    finally:
        d.stop()


BAD = [
    ({"date": "2026-02-30", "closed": "yes", "name-fi": "x"}, "date", "expected a date like"),
    ({"date": "2026-12-24", "name-fi": "x"}, "closed", "got neither"),
    ({"date": "2026-12-24", "closed": "yes", "hours": "16:00-19:00", "name-fi": "x"}, "hours", "not both"),
    ({"date": "2026-12-24", "hours": "19:00-16:00", "name-fi": "x"}, "hours", "closing after opening"),
    ({"date": "2026-12-24", "closed": "maybe", "name-fi": "x"}, "closed", "expected yes or no"),
    ({"date": "2026-12-24", "closed": "yes", "services": "tax,sauna", "name-fi": "x"}, "services",
     '"sauna"'),
    ({"date": "2026-12-24", "closed": "yes"}, "name-fi", "missing"),
]


@pytest.mark.parametrize("keys,key,words", BAD)
def test_bad_config_names_the_group_and_key(workdir, keys, key, words):
    r = check_config(workdir, exception_conf(None, {"joulu": keys}))
    assert r.returncode != 0, r.stdout + r.stderr
    out = r.stdout + r.stderr
    assert "[hours-exception:joulu] %s:" % key in out and words in out, out


def test_two_exceptions_for_one_service_and_day_are_refused(workdir):
    r = check_config(workdir, exception_conf(None, {
        "a": {"date": "2026-12-24", "closed": "yes", "name-fi": "a"},
        "b": {"date": "2026-12-24", "hours": "10:00-12:00", "services": "tax", "name-fi": "b"}}))
    assert r.returncode != 0 and "[hours-exception:b] date:" in r.stderr and "[hours-exception:a]" in r.stderr, \
        r.stderr


def test_ical_import_list_delete_audit_and_restart(workdir):
    d = make_daemon(workdir, conf_with({}))
    try:
        body = open(FIXTURE, "rb").read()
        assert import_ics(d, body, user="anna").status_code == 403
        r = import_ics(d, body)
        assert r.status_code == 200 and r.json() == {"imported": 6}, r.text
        # What the file says, worked out by hand from it: all-day = closed,
        # DTEND exclusive; timed = special hours in the site's time (13:00Z in
        # June is 16:00 in Helsinki); CANCELLED left out.
        assert stored(d) == [
            ("joulu-2030@kuohu.example.fi#2030-12-24", "2030-12-24", 1, 0, 0, None),
            ("joulu-2030@kuohu.example.fi#2030-12-25", "2030-12-25", 1, 0, 0, None),
            ("joulu-2030@kuohu.example.fi#2030-12-26", "2030-12-26", 1, 0, 0, None),
            ("kela-ilta-2030@kuohu.example.fi", "2030-06-12", 0, 960, 1140, "kela,kela-video"),
            ("uusivuosi-2030@kuohu.example.fi", "2030-01-01", 1, 0, 0, None),
            ("vero-ilta-2030@kuohu.example.fi", "2030-01-15", 0, 960, 1140, "tax"),
        ]
        lst = d.get("/api/hours/exceptions", user="anna").json()["exceptions"]
        assert [e["date"] for e in lst] == sorted(e["date"] for e in lst)
        assert [e["date"] for e in lst if e["source"] == "import"] == \
            ["2030-01-01", "2030-01-15", "2030-06-12", "2030-12-24", "2030-12-25", "2030-12-26"]
        vero = next(e for e in lst if e["date"] == "2030-01-15")
        assert vero["services"] == ["tax"] and vero["opens"] == "16:00" and vero["closes"] == "19:00"
        assert vero["names"]["fi"] == "Verotoimiston iltavastaanotto"
        assert vero["names"]["sv"] == "Skattebyråns kvällsmottagning"
        assert vero["names"]["en"] == "Verotoimiston iltavastaanotto"  # the main one stands in
        new_year = next(e for e in lst if e["date"] == "2030-01-01")
        assert new_year["closed"] is True and new_year["services"] is None
        assert new_year["names"]["en"] == "New Year's Day"
        assert audit(d, "hours_import")[-1][0] == "maija"
        assert audit(d, "hours_import")[-1][1]["days"] == 6

        # Imported again: the same UIDs replace their rows, nothing doubles.
        assert import_ics(d, body).json() == {"imported": 6}
        assert len(stored(d)) == 6

        # Deleted by a manager (not an advisor), audited; a second time 404.
        assert d.post("/api/hours/exceptions/%d/delete" % vero["id"], {}, user="anna").status_code == 403
        r = d.post("/api/hours/exceptions/%d/delete" % vero["id"], {}, user="maija")
        assert r.status_code == 200, r.text
        assert audit(d, "hours_delete") == [("maija", {"exception": vero["id"]})]
        r = d.post("/api/hours/exceptions/%d/delete" % vero["id"], {}, user="maija")
        assert r.status_code == 404 and "board-config" in r.json()["message"], r.text

        # Durable: after a restart the same list.
        before = d.get("/api/hours/exceptions", user="maija").json()
        d.restart()
        d.tokens = {}
        assert d.get("/api/hours/exceptions", user="maija").json() == before
        assert len(stored(d)) == 5
    finally:
        d.stop()


def test_bad_ical_is_400_naming_the_problem_and_nothing_stored_is_lost(workdir):
    d = make_daemon(workdir, conf_with({}))
    try:
        assert import_ics(d, open(FIXTURE, "rb").read()).status_code == 200
        before = stored(d)
        good = ["UID:ok@x", "DTSTART;VALUE=DATE:20310101", "SUMMARY:Uusivuosi"]
        cases = [
            (b"not a calendar", "BEGIN:VCALENDAR"),
            (ics(), "no VEVENT"),
            (ics(good, ["UID:nosum@x", "DTSTART;VALUE=DATE:20310102"]), "event nosum@x: no SUMMARY"),
            (ics(good, ["UID:svc@x", "DTSTART;VALUE=DATE:20310102", "SUMMARY:x", "X-VUORO-SERVICE:sauna"]),
             "event svc@x: X-VUORO-SERVICE names \"sauna\""),
            (ics(good, ["UID:span@x", "DTSTART:20310102T160000", "DTEND:20310103T010000", "SUMMARY:x"]),
             "event span@x: special hours must start and end on the same local day"),
            (ics(good, ["UID:rr@x", "DTSTART;VALUE=DATE:20310102", "SUMMARY:x", "RRULE:FREQ=YEARLY"]),
             "event rr@x: repeating events (RRULE)"),
            (ics(good, ["UID:noend@x", "DTSTART:20310102T160000", "SUMMARY:x"]), "event noend@x: special hours need a DTEND"),
            (ics(good, ["UID:tz@x", "DTSTART;TZID=Mars/Olympus:20310102T160000",
                        "DTEND;TZID=Mars/Olympus:20310102T170000", "SUMMARY:x"]), "event tz@x: DTSTART has a time zone"),
        ]
        for body, words in cases:
            r = import_ics(d, body)
            assert r.status_code == 400 and words in r.json()["message"], (words, r.text)
            assert stored(d) == before, words
        r = import_ics(d, ics(good), ctype="text/csv")
        assert r.status_code == 415 and "text/calendar" in r.json()["message"], r.text
        # … and the daemon keeps serving.
        assert d.get("/api/status").status_code == 200 and stored(d) == before
    finally:
        d.stop()


def test_imported_closed_day_refuses_tickets_with_the_reason_and_next_opening(workdir):
    today = now_local().date()
    tomorrow = today + datetime.timedelta(days=1)
    d = make_daemon(workdir, exception_conf(today))
    try:
        body = ics(["UID:suljettu@x", "DTSTART;VALUE=DATE:" + today.strftime("%Y%m%d"),
                    "DTEND;VALUE=DATE:" + (tomorrow + datetime.timedelta(days=1)).strftime("%Y%m%d"),
                    "SUMMARY:Henkilöstön koulutuspäivä", "X-VUORO-NAME-SV:Personalens utbildningsdag"])
        assert import_ics(d, body).json() == {"imported": 2}
        s = services(d)
        closed = {today.isoformat(), tomorrow.isoformat()}
        date, opens = next_open(today, closed)
        for code in ("guide", "tax", "kela", "te-video"):
            x = s[code]
            assert x["open"] is False and x["refusal"] == "closed_today", x
            assert x["exception"]["source"] == "import" and x["exception"]["names"]["sv"] == "Personalens utbildningsdag"
            assert x["next_open"] == {"date": date, "min": opens,
                                      "wday": datetime.date.fromisoformat(date).weekday()}, x
        r = d.post("/api/tickets", {"service": "guide", "lang": "sv"})
        assert r.status_code == 409 and r.json()["error"] == "closed_today", r.text
        assert "Henkilöstön koulutuspäivä" in r.json()["message"]
        # Deleting today's brings back the week's hours for today.
        today_id = next(e["id"] for e in d.get("/api/hours/exceptions", user="maija").json()["exceptions"]
                        if e["date"] == today.isoformat())
        assert d.post("/api/hours/exceptions/%d/delete" % today_id, {}, user="maija").status_code == 200
        assert services(d)["guide"]["exception"] is None
    finally:
        d.stop()


def test_vuoroctl_hours_list_import_delete(workdir):
    d = make_daemon(workdir, conf_with({}))
    env = dict(os.environ, VUORO_URL=d.url, XDG_CONFIG_HOME=os.path.join(workdir, "xdg"))
    env.pop("VUORO_TOKEN", None)

    def ctl(*args, stdin=None):
        return subprocess.run([os.environ.get("VUOROCTL", os.path.join(ROOT, "build", "vuoroctl"))] + list(args),
                              input=stdin, text=True, capture_output=True, env=env, timeout=60)
    try:
        assert ctl("login", "maija", stdin="manager-pass-long-1\n").returncode == 0
        r = ctl("hours", "import", FIXTURE)
        assert r.returncode == 0 and r.stdout.strip() == "6 days imported", r.stdout + r.stderr
        r = ctl("--json", "hours", "list")
        rows = json.loads(r.stdout)["exceptions"]
        assert len(rows) == 6 and len(stored(d)) == 6, r.stdout
        r = ctl("hours", "list")
        line = next(l for l in r.stdout.splitlines() if "2030-01-15" in l)
        assert "16:00-19:00" in line and "tax" in line and "import" in line, r.stdout
        first = rows[0]["id"]
        r = ctl("hours", "delete", str(first))
        assert r.returncode == 0 and len(stored(d)) == 5, r.stdout + r.stderr
        r = ctl("hours", "delete", str(first))
        assert r.returncode != 0 and "board-config" in r.stderr, r.stdout + r.stderr
        r = ctl("hours", "import", os.path.join(workdir, "missing.ics"))
        assert r.returncode != 0 and "missing.ics" in r.stderr, r.stderr
    finally:
        d.stop()
