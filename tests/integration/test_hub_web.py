# SPDX-License-Identifier: GPL-3.0-or-later
"""vuoro-hub's web: logins and roles at the hub, with vuorod's rules (the
same paths, cookie, CSRF header and throttle), the pages, and the hub's
route table (EXPECT: every route's roles, like test_matrix.py's).

Real peers: vuoro-hub, PostgreSQL 15 (pg.py), the region's broker (fleet.py)."""
import datetime
import json
import os
import subprocess
import zoneinfo

import pytest
import requests

from conftest import wait_for
from hubweb import DB_ROLE, make_hub_web
from test_hub_ingest import HUB, SQL_DIR

HUB_STAFF = {"admin", "manager", "technician", "provider-manager", "expert"}
FIGURES = {"admin", "manager", "provider-manager"}
ANYBODY = {"anonymous"} | HUB_STAFF
# Who may call what at the hub: the policy, written here and not read from C
# (vuoro-hub --list-routes must agree; every route is called as everyone).
EXPECT = {
    "GET /api/catalog": ANYBODY,
    "POST /api/login": ANYBODY,
    "POST /api/logout": HUB_STAFF,
    "GET /api/whoami": HUB_STAFF,
    "GET /api/hub/reports": FIGURES,
    "GET /api/hub/reports/sites": FIGURES,
    "GET /api/hub/fleet": {"admin", "technician"},
    "GET /api/follow/*": ANYBODY,
    "GET /api/hub/billing/statements": FIGURES,
    "GET /api/hub/billing/periods": FIGURES,
    "POST /api/hub/billing/periods/*/close": {"admin"},
    "GET /api/hub/expert": {"expert"},
    "POST /api/hub/expert/call": {"expert"},
    "POST /api/hub/expert/book": {"expert"},
    "POST /api/hub/sessions/*/*/end": {"expert"},
    "POST /api/hub/sessions/*/*/message": {"expert"},
    "POST /api/hub/sessions/*/*/document": {"expert"},
    "POST /api/hub/sessions/*/*/consent": {"expert"},
    "POST /api/hub/sessions/*/*/ask-identity": {"expert"},
    "POST /api/hub/sessions/*/*/identity": {"expert"},
}
AS_USER = {"admin": "ada", "manager": "mia", "technician": "teo", "provider-manager": "kelaboss",
           "expert": "kelaexpert"}

USERS = [("ada", "admin", None), ("mia", "manager", None), ("teo", "technician", None),
         ("kelaboss", "provider-manager", "kela"), ("verboss", "provider-manager", "vero"),
         ("kelaexpert", "expert", "kela")]


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    gen = make_hub_web(str(tmp_path_factory.mktemp("hubweb")))
    h = next(gen)
    for name, role, provider in USERS:
        out = h.add_user(name, role, provider)
        assert out.returncode == 0, out.stderr
    yield h
    next(gen, None)


def routes():
    out = subprocess.run([HUB, "--list-routes"], check=True, capture_output=True, text=True)
    return [json.loads(line) for line in out.stdout.splitlines()]


def test_every_route_has_the_policys_roles():
    listed = {"%s %s" % (r["method"], r["path"]): r for r in routes()}
    assert set(listed) == set(EXPECT), sorted(set(listed) ^ set(EXPECT))
    for k, r in listed.items():
        coded = ANYBODY if r["anybody"] else set(r["roles"])
        assert coded == EXPECT[k], "%s: the code lets %s, the policy %s" % (k, coded, EXPECT[k])


def test_route_by_caller(hub):
    sessions = {role: hub.login(name) for role, name in AS_USER.items()}
    sessions["anonymous"] = requests.Session()
    for r in routes():
        k = "%s %s" % (r["method"], r["path"])
        for caller, s in sessions.items():
            if r["method"] == "GET":
                resp = s.get(hub.url(r["path"]))
            else:
                # a field no route has: 400 after the role check, nothing done
                resp = s.post(hub.url(r["path"]), json={"matrix_probe": True})
            j = resp.json()
            refused = j.get("error") == "login_required" or (
                j.get("error") == "forbidden" and j.get("message", "").endswith("may not do this"))
            if caller in EXPECT[k]:
                assert not refused, (k, caller, resp.text)
                if r["fields"] is not None:
                    assert resp.status_code == 400 and j["error"] == "unknown_field", (k, caller)
            else:
                assert refused and resp.status_code == (401 if caller == "anonymous" else 403), (
                    k, caller, resp.status_code, resp.text)
            assert "$argon2" not in resp.text


def test_add_user_refuses_what_it_cannot_store_and_says_what_to_do(hub):
    out = hub.add_user("x", "provider-manager")
    assert out.returncode == 1 and "needs --provider" in out.stderr
    out = hub.add_user("x", "manager", "kela")
    assert out.returncode == 1 and "provider-manager or an expert only" in out.stderr
    out = hub.add_user("x", "boss")
    assert out.returncode == 1 and "admin, manager, technician, provider-manager or expert" in out.stderr
    out = hub.add_user("x", "manager", password="short")
    assert out.returncode == 1 and "12" in out.stderr
    assert hub.pg.scalar("SELECT count(*) FROM hub_users WHERE name = 'x'") == "0"


def test_a_database_a_newer_hub_migrated_is_refused_with_what_to_do(hub):
    """A downgrade (or an old hub beside a new one): a schema newer than this
    vuoro-hub's SQL is refused, with both versions and what to do, and nothing
    is written; the running hub serves on."""
    known = max(int(f[:3]) for f in os.listdir(SQL_DIR) if f.endswith(".sql"))
    newer = known + 1
    hub.pg.psql("INSERT INTO schema_version (version, name) VALUES (%d, '%03d-from-a-newer-hub.sql')"
                % (newer, newer))
    try:
        out = hub.add_user("newer", "manager")
        assert out.returncode == 1, out.stderr
        assert ("the database has schema version %d, newer than this vuoro-hub understands (%d"
                % (newer, known)) in out.stderr, out.stderr
        assert "install the newer vuoro-hub again or restore a backup" in out.stderr
        assert hub.pg.scalar("SELECT count(*) FROM hub_users WHERE name = 'newer'") == "0"
        # a hub started on it stops before it serves or takes a record
        started = subprocess.run([HUB, "--config", hub.conf], capture_output=True, text=True,
                                 timeout=60)
        assert started.returncode == 1, started.stderr
        assert "newer than this vuoro-hub understands" in started.stderr, started.stderr
        assert hub.pg.scalar("SELECT max(version) FROM schema_version") == str(newer)
    finally:
        hub.pg.psql("DELETE FROM schema_version WHERE version = %d" % newer)
    assert hub.proc.poll() is None
    assert hub.login("mia").get(hub.url("/api/whoami")).status_code == 200


def test_login_whoami_logout_with_cookie_and_csrf(hub):
    s = hub.login("kelaboss")
    cookie = s.cookies.get("vuoro_session")
    assert cookie
    me = s.get(hub.url("/api/whoami")).json()
    assert me["user"] == "kelaboss" and me["role"] == "provider-manager"
    assert me["provider"] == "kela" and me["csrf"] == s.headers["X-CSRF-Token"]
    # the token is kept only as its digest
    assert hub.pg.scalar("SELECT count(*) FROM hub_sessions WHERE token_digest = '%s'"
                         % cookie) == "0"
    # a write with the cookie but without the CSRF header is refused
    r = requests.post(hub.url("/api/logout"), cookies={"vuoro_session": cookie}, json={})
    assert r.status_code == 403 and r.json()["error"] == "csrf"
    assert s.get(hub.url("/api/whoami")).status_code == 200
    r = s.post(hub.url("/api/logout"), json={})
    assert r.status_code == 200 and "Max-Age=0" in r.headers["Set-Cookie"]
    assert "Secure" not in r.headers["Set-Cookie"]  # [web] secure-cookies is false here
    assert requests.get(hub.url("/api/whoami"),
                        cookies={"vuoro_session": cookie}).status_code == 401


def test_bearer_token_needs_no_csrf(hub):
    r = requests.post(hub.url("/api/login"), json={"user": "teo",
                                                   "password": "hub-pass-long-teo-1"})
    token = r.json()["token"]
    auth = {"Authorization": "Bearer " + token}
    assert requests.get(hub.url("/api/whoami"), headers=auth).json()["role"] == "technician"
    assert requests.post(hub.url("/api/logout"), headers=auth, json={}).status_code == 200
    assert requests.get(hub.url("/api/whoami"), headers=auth).status_code == 401


def test_disabled_user_cannot_log_in_and_loses_sessions(hub):
    out = hub.add_user("gone", "manager")
    assert out.returncode == 0, out.stderr
    s = hub.login("gone")
    hub.pg.psql("UPDATE hub_users SET disabled = true WHERE name = 'gone'")
    assert s.get(hub.url("/api/whoami")).status_code == 401
    r = requests.post(hub.url("/api/login"), json={"user": "gone",
                                                   "password": "hub-pass-long-gone-1"})
    assert r.status_code == 403 and r.json()["error"] == "disabled"


def test_pages_and_catalog(hub):
    for path in ["/hub", "/hub/", "/ui/hub/hub.js"]:
        r = requests.get(hub.url(path))
        assert r.status_code == 200, path
        assert r.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert requests.get(hub.url("/"), allow_redirects=False).headers["Location"].endswith(":%d/hub" % hub.port)
    r = requests.get(hub.url("/kiosk"))
    assert r.status_code == 404 and "/hub/reports" in r.text
    # DNS rebinding: another site's name in Host is refused (http_guard)
    assert requests.get(hub.url("/hub"), headers={"Host": "evil.example"}).status_code == 421
    cat = requests.get(hub.url("/api/catalog?ns=hub&lang=sv")).json()
    assert cat["lang"] == "sv" and cat["strings"]["hub.page_reports"] == "Rapporter"


# ---------------------------------------------------------------------------
# Reports and row-level security, from records published as the sites do.

DAY = 20790  # 2026-12-03
# (site, provider, channel, outcome, wait_s or None, service_s or None, category)
VISITS = [
    ("s1", "kela", "in_person", "ended", 300, 600, "benefits"),
    ("s1", "kela", "in_person", "ended", 120, 300, "benefits"),
    ("s1", "kela", "remote_video", "ended", 900, 1200, None),
    ("s1", "kela", "in_person", "no_show", 1500, None, None),
    ("s2", "kela", "in_person", "ended", 60, 240, "housing"),
    ("s1", "vero", "in_person", "ended", 30, 100, "tax"),
    ("s2", "vero", "paper_form", "ended", 45, 200, None),
    ("s2", "vero", "in_person", "cancelled", None, None, None),
    ("s2", "vero", "in_person", "voided", None, None, None),  # ticket 9: no arrival
]
# Tickets issued (site, provider, ticket, unix time of issue): ticket 9 was voided.
TICKETS = [("s1", "kela", 1, 1796286600), ("s1", "kela", 2, 1796290200),
           ("s1", "vero", 6, 1796290300), ("s2", "vero", 9, 1796290400),
           ("s2", "kela", 5, 1796371200)]
FEEDBACK = [("s1", "kela", 5), ("s1", "kela", 3), ("s2", "vero", 4), ("s1", None, 1)]


def published():
    out, seqs = [], {}
    for i, (site, prov, ch, outcome, w, sv, cat) in enumerate(VISITS):
        seqs[site] = seqs.get(site, 0) + 1
        at = 1796300000 + i * 60
        r = {"v": 1, "kind": "visit", "seq": seqs[site], "at": at, "visit": i + 1,
             "ticket": i + 1, "day": DAY, "service": prov + "-svc", "provider": prov,
             "counter": 1, "channel": ch, "outcome": outcome, "lang": "fi", "recalls": 0,
             "transfers": 0, "appointment": False, "issued_at": at - 2000,
             "called_at": at - 2000 + w if w is not None else 0,
             "started_at": at - 1000 if sv is not None else 0,
             "ended_at": at - 1000 + sv if sv is not None else at}
        if cat:
            r["category"] = cat
        out.append({"subject": "vuoro.rec.%s.visit" % site, "id": "%s-0a-%d" % (site, seqs[site]),
                    "body": json.dumps(r)})
    for site, prov, ticket, issued in TICKETS:
        seqs[site] += 1
        r = {"v": 1, "kind": "ticket.issued", "seq": seqs[site], "at": issued, "ticket": ticket,
             "day": DAY + (issued - 1796286600) // 86400, "service": prov + "-svc",
             "provider": prov, "code": "A%03d" % ticket, "lang": "fi", "priority": 0,
             "appointment": False, "issued_at": issued}
        out.append({"subject": "vuoro.rec.%s.ticket.issued" % site,
                    "id": "%s-0a-%d" % (site, seqs[site]), "body": json.dumps(r)})
    for i, (site, prov, rating) in enumerate(FEEDBACK):
        seqs[site] += 1
        r = {"v": 1, "kind": "feedback", "seq": seqs[site], "at": 1796300000 + i,
             "tied": prov is not None, "ticket": i + 1 if prov else 0, "day": DAY,
             "service": prov and prov + "-svc", "provider": prov, "counter": 1,
             "rating": rating, "source": "kiosk"}
        out.append({"subject": "vuoro.rec.%s.feedback" % site,
                    "id": "%s-0a-%d" % (site, seqs[site]), "body": json.dumps(r)})
    return out


def rank(values, median):
    """report.h's nearest rank: median (n + 1) / 2, p90 (9n + 9) / 10."""
    v = sorted(values)
    if not v:
        return None
    return v[((len(v) + 1) // 2 if median else (9 * len(v) + 9) // 10) - 1]


EVENT_OUT = ("no_show", "cancelled", "voided", "reset", "interrupted")


def expect_billing(visits):
    ev = [v for v in visits if v[3] not in EVENT_OUT]
    return {"events": len(ev),
            **{ch: sum(1 for v in ev if v[2] == ch)
               for ch in ("in_person", "remote_video", "e_service", "paper_form")},
            "no_shows": sum(1 for v in visits if v[3] == "no_show"),
            "cancelled": sum(1 for v in visits if v[3] == "cancelled")}


def expect_times(visits):
    w = [v[4] for v in visits if v[4] is not None]
    s = [v[5] for v in visits if v[5] is not None and v[3] not in EVENT_OUT]
    return {"waited": len(w), "wait_median_s": rank(w, True), "wait_p90_s": rank(w, False),
            "within_target": sum(1 for x in w if x <= 15 * 60), "served": len(s),
            "service_median_s": rank(s, True), "service_p90_s": rank(s, False)}


@pytest.fixture(scope="module")
def records(hub):
    msgs = published()
    assert hub.publish(msgs)["published"] == len(msgs)
    wait_for(lambda: hub.pg.scalar("SELECT count(*) FROM ledger") == str(len(msgs)), 30,
             "the records in PostgreSQL")
    return msgs


def report(s, hub, kind, **q):
    q = dict({"kind": kind, "from": "2026-12-01", "to": "2027-01-01"}, **q)
    r = s.get(hub.url("/api/hub/reports"), params=q)
    assert r.status_code == 200, r.text
    return {(row["period"], row["provider"]): row for row in r.json()[kind]}


def test_reports_figures_equal_what_the_sites_published(hub, records):
    s = hub.login("mia")
    bill = report(s, hub, "billing")
    for prov in ("kela", "vero"):
        got = bill[("2026-12", prov)]
        assert {k: got[k] for k in expect_billing([])} == expect_billing(
            [v for v in VISITS if v[1] == prov]), prov
    assert {k: bill[("total", "*")][k] for k in expect_billing([])} == expect_billing(VISITS)
    times = report(s, hub, "times")
    for prov in ("kela", "vero"):
        got = times[("total", prov)]
        assert {k: got[k] for k in expect_times([])} == expect_times(
            [v for v in VISITS if v[1] == prov]), prov
    # one site
    s2 = report(s, hub, "billing", site="s2")
    assert s2[("total", "*")]["events"] == expect_billing([v for v in VISITS if v[0] == "s2"])["events"]
    fb = report(s, hub, "feedback")
    assert fb[("total", "*")]["count"] == 4 and fb[("total", "*")]["sum"] == 13
    assert fb[("total", "kela")]["mean"] == 4.0 and fb[("total", "vero")]["r4"] == 1
    cats = s.get(hub.url("/api/hub/reports"), params={
        "kind": "categories", "from": "2026-12-01", "to": "2027-01-01"}).json()["categories"]
    assert {"period": "total", "provider": "kela", "category": "benefits", "events": 2} in cats
    assert {"period": "total", "provider": "*", "category": "uncategorised", "events": 2} in cats


def test_arrivals_by_hour_and_weekday_in_the_regions_time_zone(hub, records):
    tz = zoneinfo.ZoneInfo("Europe/Helsinki")
    kept = [t for t in TICKETS if t[2] != 9]
    got = report(hub.login("mia"), hub, "arrivals")
    for prov in ("kela", "vero", "*"):
        mine = [t for t in kept if prov in ("*", t[1])]
        row = got[("total", prov)]
        assert row["tickets"] == len(mine), prov
        hours = [datetime.datetime.fromtimestamp(t[3], tz).hour for t in mine]
        days = [datetime.datetime.fromtimestamp(t[3], tz).isoweekday() for t in mine]
        assert [row["h%02d" % h] for h in range(24)] == [hours.count(h) for h in range(24)], prov
        assert [row[d] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")] == [
            days.count(d) for d in range(1, 8)], prov


def test_reports_csv_like_the_sites(hub, records):
    s = hub.login("ada")
    r = s.get(hub.url("/api/hub/reports"), params={
        "kind": "times", "from": "2026-12-01", "to": "2027-01-01", "format": "csv"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in r.headers["Content-Disposition"]
    lines = r.text.split("\r\n")
    assert lines[0] == ("period,provider,waited,wait_median_s,wait_p90_s,within_target,"
                        "within_target_pct,served,service_median_s,service_p90_s,no_shows")
    total = [l for l in lines if l.startswith("total,*,")][0].split(",")
    e = expect_times(VISITS)
    assert total[2:5] == [str(e["waited"]), str(e["wait_median_s"]), str(e["wait_p90_s"])]


# Idle time (report.h): counters opened and closed, and visits at them, on the
# service days 2026-11-10 (D1) and 11 (D2), midnight in the hub's
# [web] timezone (Europe/Helsinki) the boundary.
HKI = zoneinfo.ZoneInfo("Europe/Helsinki")
D1 = 20767  # 2026-11-10


def hki(day, hour, minute=0):
    d = datetime.date(2026, 11, day)
    return int(datetime.datetime(d.year, d.month, d.day, hour, minute, tzinfo=HKI).timestamp())


# (site, counter, opened?, at)
COUNTER_EVENTS = [
    ("s1", 1, True, hki(10, 8)), ("s1", 1, True, hki(10, 8, 30)),  # open while open: ignored
    ("s1", 1, False, hki(10, 12)), ("s1", 1, False, hki(10, 13)),  # close while closed: ignored
    ("s1", 2, True, hki(10, 22)), ("s1", 2, False, hki(11, 2)),  # over midnight: 2 h + 2 h
    ("s1", 3, True, hki(11, 16)),  # left open: cut at the report's end, D2's midnight
    ("s2", 1, True, hki(10, 9)), ("s2", 1, False, hki(10, 10)),
    ("s2", 2, True, hki(9, 23)), ("s2", 2, False, hki(10, 1)),  # from before the range: 1 h
]
# (site, counter, day, called_at, started_at, ended_at): busy from the call
# (from the start when never called).
IDLE_VISITS = [
    ("s1", 1, D1, hki(10, 9), hki(10, 9, 2), hki(10, 9, 10)),  # 600
    ("s1", 1, D1, 0, hki(10, 10), hki(10, 10, 5)),  # 300
    ("s1", 1, D1 + 1, hki(11, 9), hki(11, 9, 1), hki(11, 9, 5)),  # 300 on a day it was closed
    ("s1", 3, D1 + 1, hki(11, 17), hki(11, 17), hki(11, 17) + 1000),  # 1000
    ("s2", 1, D1, hki(10, 9, 30), hki(10, 9, 31), hki(10, 9, 40)),  # 600
]
# (period, site, counter): (open_s, busy_s, idle_s), worked out by hand.
IDLE_EXPECT = {
    # counter 1: D1 4 h open - 900 busy; D2 0 open - 300 busy is 0, not -300
    ("total", "s1", 1): (14400, 1200, 13500),
    ("total", "s1", 2): (14400, 0, 14400),
    ("total", "s1", 3): (28800, 1000, 27800),
    ("total", "s1", 0): (57600, 2200, 55700),
    ("total", "s2", 1): (3600, 600, 3000),
    ("total", "s2", 2): (3600, 0, 3600),
    ("total", "s2", 0): (7200, 600, 6600),
    ("total", "*", 0): (64800, 2800, 62300),
    ("2026-11-10", "s1", 2): (7200, 0, 7200),
    ("2026-11-11", "s1", 2): (7200, 0, 7200),
    ("2026-11-11", "s1", 1): (0, 300, 0),
    ("2026-11-11", "s1", 3): (28800, 1000, 27800),
    ("2026-11-10", "*", 0): (28800, 1500, 27300),
}


def idle_published():
    """COUNTER_EVENTS and IDLE_VISITS as the sites publish them (epoch 0c)."""
    out, seq = [], {}
    for site, counter, opened, at in COUNTER_EVENTS:
        seq[site] = seq.get(site, 0) + 1
        kind = "counter.opened" if opened else "counter.closed"
        r = {"v": 1, "kind": kind, "seq": seq[site], "at": at, "counter": counter,
             "booth": False}
        if opened:
            r["opened_at"] = at
        out.append({"subject": "vuoro.rec.%s.%s" % (site, kind),
                    "id": "%s-0c-%d" % (site, seq[site]), "body": json.dumps(r)})
    for i, (site, counter, day, called, started, ended) in enumerate(IDLE_VISITS):
        seq[site] += 1
        r = {"v": 1, "kind": "visit", "seq": seq[site], "at": ended, "visit": 100 + i,
             "ticket": 100 + i, "day": day, "service": "kela-svc", "provider": "kela",
             "counter": counter, "channel": "in_person", "outcome": "ended", "lang": "fi",
             "recalls": 0, "transfers": 0, "appointment": False, "issued_at": started - 600,
             "called_at": called, "started_at": started, "ended_at": ended}
        out.append({"subject": "vuoro.rec.%s.visit" % site,
                    "id": "%s-0c-%d" % (site, seq[site]), "body": json.dumps(r)})
    return out


@pytest.fixture(scope="module")
def idle_records(hub, records):
    out = idle_published()
    assert hub.publish(out, "idle")["published"] == len(out)
    n = len(records) + len(out)
    wait_for(lambda: hub.pg.scalar("SELECT count(*) FROM ledger") == str(n), 30,
             "the idle records in PostgreSQL")
    return out


def idle_report(s, hub, **q):
    q = dict({"kind": "idle", "from": "2026-11-10", "to": "2026-11-12", "period": "day"}, **q)
    r = s.get(hub.url("/api/hub/reports"), params=q)
    assert r.status_code == 200, r.text
    return r.json()["idle"]


def test_idle_time_per_site_and_counter_as_the_sites_count_it(hub, idle_records):
    s = hub.login("mia")
    rows = idle_report(s, hub)
    assert list(rows[0]) == ["period", "site", "counter", "open_s", "busy_s", "idle_s", "idle_pct"]
    got = {(r["period"], r["site"], r["counter"]): r for r in rows}
    for key, (open_s, busy_s, idle_s) in IDLE_EXPECT.items():
        assert (got[key]["open_s"], got[key]["busy_s"], got[key]["idle_s"]) == (
            open_s, busy_s, idle_s), key
    assert got[("total", "*", 0)]["idle_pct"] == 96.1  # 62300 / 64800
    assert got[("2026-11-11", "s1", 1)]["idle_pct"] is None  # never open that day: as the site
    # counters are per site: no row of "counter 1 of every site"
    assert not [k for k in got if k[1] == "*" and k[2] != 0]
    # one site: its rows only, no "*" rows
    one = {(r["period"], r["site"], r["counter"]): r for r in idle_report(s, hub, site="s2")}
    assert {k[1] for k in one} == {"s2"}
    assert (one[("total", "s2", 0)]["open_s"], one[("total", "s2", 0)]["idle_s"]) == (7200, 6600)
    # a month: the same totals
    month = {(r["period"], r["site"], r["counter"]): r for r in idle_report(s, hub, period="month")}
    assert month[("2026-11", "*", 0)]["idle_s"] == 62300
    # CSV: the site's columns (report.c), site after period
    r = s.get(hub.url("/api/hub/reports"), params={
        "kind": "idle", "from": "2026-11-10", "to": "2026-11-12", "format": "csv"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    lines = r.text.split("\r\n")
    assert lines[0] == "period,site,counter,open_s,busy_s,idle_s,idle_pct"
    assert "total,*,0,64800,2800,62300,96.1" in lines
    assert "total,s1,1,14400,1200,13500,93.8" in lines


def test_idle_time_is_not_a_provider_managers(hub, idle_records):
    r = hub.login("kelaboss").get(hub.url("/api/hub/reports"), params={
        "kind": "idle", "from": "2026-11-10", "to": "2026-11-12"})
    assert r.status_code == 403 and r.json()["error"] == "forbidden"
    assert "manager" in r.json()["message"]


def test_provider_manager_sees_only_their_provider_by_rls(hub, records):
    s = hub.login("kelaboss")
    bill = report(s, hub, "billing")
    assert {p for _, p in bill} == {"kela", "*"}
    kela = expect_billing([v for v in VISITS if v[1] == "kela"])
    # their "everyone" row is their own provider's: vero's rows are not there
    assert {k: bill[("total", "*")][k] for k in kela} == kela
    fb = report(s, hub, "feedback")
    assert fb[("total", "*")]["count"] == 2  # kela's two, not vero's nor the untied one
    # asking for another provider's site changes nothing: the rows are not there
    s2 = report(s, hub, "billing", site="s2")
    assert s2[("total", "*")]["events"] == 1
    # the proof that PostgreSQL does it, not the hub's code: without RLS on
    # visits the same request shows vero's rows
    hub.pg.psql("ALTER TABLE visits DISABLE ROW LEVEL SECURITY")
    try:
        assert {p for _, p in report(s, hub, "billing")} == {"kela", "vero", "*"}
    finally:
        hub.pg.psql("ALTER TABLE visits ENABLE ROW LEVEL SECURITY")
    assert {p for _, p in report(s, hub, "billing")} == {"kela", "*"}


def test_wrong_role_is_403_and_anonymous_401(hub):
    teo = hub.login("teo")
    q = {"kind": "billing", "from": "2026-12-01", "to": "2027-01-01"}
    r = teo.get(hub.url("/api/hub/reports"), params=q)
    assert r.status_code == 403 and r.json()["error"] == "forbidden"
    assert requests.get(hub.url("/api/hub/reports"), params=q).status_code == 401
    r = hub.login("mia").get(hub.url("/api/hub/reports"), params=dict(q, kind="nope"))
    assert r.status_code == 400 and "billing, times" in r.json()["message"]


def test_rls_in_postgresql_itself(hub, records):
    """Raw SQL as the hub's role, no WHERE on the provider: the setting decides
    (December's rows: idle_records adds November's)."""
    def count(setting, table="visits"):
        return hub.pg.scalar("SET ROLE %s; %s SELECT count(*) FROM %s WHERE day >= '2026-12-01'"
                             % (DB_ROLE, setting, table))
    kela = sum(1 for v in VISITS if v[1] == "kela")
    assert count("SET vuoro.provider = 'kela';") == str(kela)
    assert count("SET vuoro.provider = 'vero';") == str(len(VISITS) - kela)
    assert count("") == "0"  # a forgotten SET shows nothing
    assert count("SET vuoro.provider = '';") == "0"
    assert count("SET vuoro.scope = 'all';") == str(len(VISITS))
    assert count("SET vuoro.provider = 'kela';", "feedback") == "2"
    # a partition read directly is under the same policy
    assert count("SET vuoro.provider = 'kela';", "visits_202612") == str(kela)
    # in a provider's scope, another provider's rows cannot be reached, nor made
    assert hub.pg.scalar("SET ROLE %s; SET vuoro.provider = 'kela'; WITH u AS (UPDATE feedback "
                         "SET rating = 1 WHERE provider = 'vero' RETURNING 1) "
                         "SELECT count(*) FROM u" % DB_ROLE) == "0"
    with pytest.raises(subprocess.CalledProcessError) as e:
        hub.pg.psql("SET ROLE %s; SET vuoro.provider = 'kela'; UPDATE feedback SET provider "
                    "= 'vero' WHERE provider = 'kela'" % DB_ROLE)
    assert "row-level security" in e.value.stderr
    # and the ingest (scope 'ingest') wrote them all
    assert hub.pg.scalar("SELECT count(*) FROM visits WHERE day >= '2026-12-01'") == str(
        len(VISITS))


def test_secure_cookies_behind_the_https_proxy(tmp_path):
    gen = make_hub_web(str(tmp_path), **{"secure-cookies": "true"})
    h = next(gen)
    try:
        assert h.add_user("sec", "admin").returncode == 0
        r = requests.post(h.url("/api/login"), json={"user": "sec",
                                                     "password": "hub-pass-long-sec-1"})
        assert r.status_code == 200 and "; Secure" in r.headers["Set-Cookie"]
        assert "HttpOnly" in r.headers["Set-Cookie"] and "SameSite=Strict" in r.headers["Set-Cookie"]
    finally:
        next(gen, None)
    conf = open(h.conf).read().replace("secure-cookies = true", "secure-cookies = yes")
    with open(h.conf, "w") as f:
        f.write(conf)
    out = subprocess.run([HUB, "--config", h.conf, "--add-user", "x", "--role", "admin"],
                         input="x" * 12 + "\n", capture_output=True, text=True)
    assert out.returncode == 2 and "[web] secure-cookies: expected true or false" in out.stderr


def test_postgresql_restarted_the_web_and_the_ingest_go_on(hub, records):
    """The web reconnects on its next request; the ingest's reconnection
    keeps its scope (RLS would refuse its rows without it)."""
    s = hub.login("mia")
    hub.pg.restart()
    assert s.get(hub.url("/api/whoami")).status_code == 200
    r = json.loads(published()[0]["body"])
    r.update(seq=100, day=DAY + 62, visit=100)  # February: outside the other tests' range
    before = int(hub.pg.scalar("SELECT count(*) FROM visits"))
    hub.publish([{"subject": "vuoro.rec.s1.visit", "id": "s1-0a-100", "body": json.dumps(r)}],
                name="after-restart")
    wait_for(lambda: int(hub.pg.scalar("SELECT count(*) FROM visits")) == before + 1, 30,
             "the visit stored after the restart")
    feb = report(s, hub, "billing", **{"from": "2027-02-01", "to": "2027-03-01"})
    assert feb[("total", "kela")]["events"] == 1


# Last: it leaves this address throttled.
def test_wrong_password_is_401_and_guesses_are_throttled(hub):
    """vuorod's policy (web/session.c): 5 failures free per address (the
    disabled login above counted too), then 429 with Retry-After."""
    codes = []
    for _ in range(6):
        r = requests.post(hub.url("/api/login"), json={"user": "mia", "password": "x" * 12})
        codes.append(r.status_code)
        if r.status_code == 429:
            assert int(r.headers["Retry-After"]) >= 1
            assert r.json()["error"] == "too_many_logins"
            break
        assert r.json()["error"] == "bad_login"
    assert codes[-1] == 429 and set(codes[:-1]) == {401}, codes
    # the right password is refused as well while the delay runs
    r = requests.post(hub.url("/api/login"), json={"user": "mia",
                                                   "password": "hub-pass-long-mia-1"})
    assert r.status_code == 429
