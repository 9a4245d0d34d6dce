# SPDX-License-Identifier: GPL-3.0-or-later
"""The reports of GET /api/report (and vuoroctl report) against an independent
computation: tools/gen-visits.py makes a year of 20,000 visits in vuorod's own
schema, vuorod serves it, and this file recomputes every figure from the same
tables with its own SQL and statistics (definitions: firmware/report.h).
Counts must be equal, percentiles too (nearest rank), means and shares to the
rounding both sides document."""
import csv
import datetime
import io
import json
import math
import os
import sqlite3
import subprocess
import time
import zoneinfo
from collections import defaultdict

import pytest

from conftest import ROOT, SIM_CONF, VUOROCTL, VUOROD, USERS, make_daemon
from pilot_expect import Conf, rank_pick, session_days

GEN = os.path.join(ROOT, "tools", "gen-visits.py")
YEAR = 2025
TARGET_MIN = 15
TZ = zoneinfo.ZoneInfo("Europe/Helsinki")  # board-config/sim.conf
RESET_MIN = 180
EPOCH = datetime.date(1970, 1, 1)
SITE = "*"
NON_EVENTS = {"no_show", "cancelled", "voided", "reset", "interrupted"}
CHANNELS = ["in_person", "remote_video", "e_service", "paper_form", "phone", "provider_on_site"]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    work = str(tmp_path_factory.mktemp("report"))
    db = os.path.join(work, "vuoro.db")
    r = subprocess.run(["/usr/bin/python3", GEN, "--db", db, "--visits", "20000", "--seed", "7",
                        "--year", str(YEAR), "--vuorod", VUOROD], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    d = make_daemon(work)
    yield d, db
    assert d.stop() == 0
    err = open(d.stderr_path).read()
    assert "AddressSanitizer" not in err and "runtime error" not in err, err[-3000:]


# -- the independent side ---------------------------------------------------

def day_date(day):
    return EPOCH + datetime.timedelta(days=day)


def day_of(date):
    return (date - EPOCH).days


def label(day, period):
    d = day_date(day)
    if period == "day":
        return d.isoformat()
    if period == "week":
        iso = d.isocalendar()
        return "%04d-W%02d" % (iso[0], iso[1])
    return "%04d-%02d" % (d.year, d.month)


def rounded(num, den, scale):
    """round(scale·num/den)/scale as C's round() does it (halves away from 0)."""
    if not den:
        return None
    return math.floor(scale * num / den + 0.5) / scale


def service_day(t):
    lt = datetime.datetime.fromtimestamp(t, TZ)
    day = day_of(lt.date())
    return day if lt.hour * 60 + lt.minute >= RESET_MIN else day - 1


def day_start(day):
    """The first second of a service day: the first 03:00 of its date (fold 0:
    the earlier of two in October; in a gap, the time the clocks jump)."""
    d = day_date(day)
    return int(datetime.datetime(d.year, d.month, d.day, RESET_MIN // 60, RESET_MIN % 60, tzinfo=TZ).timestamp())


class Expected:
    """Every report of [from, to) by period, computed from the database."""

    def __init__(self, db, from_day, to_day, period, now, target_min=TARGET_MIN):
        self.period = period
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
        self.providers = sorted(r[0] for r in con.execute("SELECT code FROM providers"))
        service_provider = dict(con.execute("SELECT code, provider FROM services"))
        days = range(from_day, to_day)
        self.periods = sorted({label(d, period) for d in days})
        key = lambda day, prov: (label(day, period), prov)
        zero = lambda: defaultdict(int)

        self.billing = defaultdict(zero)
        self.cats = defaultdict(int)
        waits, services = defaultdict(list), defaultdict(list)
        busy = defaultdict(int)  # (counter, day)
        visits = con.execute(
            "SELECT provider, day, channel, outcome, issued_at, called_at, started_at, ended_at, counter, "
            "category FROM visits WHERE day BETWEEN ? AND ?", (from_day, to_day - 1)).fetchall()
        for prov, day, channel, outcome, issued, called, started, ended, counter, category in visits:
            if prov not in self.providers:
                self.providers.append(prov)
            for k in (key(day, prov), key(day, SITE), ("total", prov), ("total", SITE)):
                b = self.billing[k]
                b["rows"] += 1
                if outcome in NON_EVENTS:
                    b[{"no_show": "no_shows"}.get(outcome, outcome)] += 1
                else:
                    b["events"] += 1
                    b[channel] += 1
                    self.cats[k + (category or "uncategorised",)] += 1
                    if started > 0:
                        services[k].append(ended - started)
                if called > 0:
                    waits[k].append(called - issued)
            begin = called if called > 0 else started
            if counter > 0 and begin > 0 and ended > begin:
                busy[(counter, day)] += ended - begin
        self.providers.sort()
        self.times = {}
        for k in set(waits) | set(services):
            w, s = waits.get(k, []), services.get(k, [])
            self.times[k] = {
                "waited": len(w), "within_target": sum(1 for x in w if x <= target_min * 60),
                "served": len(s), "wait": rank_pick(w), "service": rank_pick(s),
            }

        self.arrivals = defaultdict(lambda: {"tickets": 0, "hours": [0] * 24, "weekdays": [0] * 7})
        for day, service, issued in con.execute(
                "SELECT day, service, issued_at FROM tickets WHERE day BETWEEN ? AND ? AND state != 'voided'",
                (from_day, to_day - 1)):
            lt = datetime.datetime.fromtimestamp(issued, TZ)
            prov = service_provider.get(service)
            for k in [key(day, SITE), ("total", SITE)] + ([key(day, prov), ("total", prov)] if prov else []):
                a = self.arrivals[k]
                a["tickets"] += 1
                a["hours"][lt.hour] += 1
                a["weekdays"][lt.weekday()] += 1

        self.feedback = defaultdict(lambda: {"count": 0, "sum": 0, "ratings": [0] * 5})
        for day, ticket, prov, rating in con.execute(
                "SELECT day, ticket, provider, rating FROM feedback WHERE day BETWEEN ? AND ?",
                (from_day, to_day - 1)):
            if not 1 <= rating <= 5:
                continue
            keys = [key(day, SITE), ("total", SITE)]
            if ticket != 0 and prov is not None:
                keys += [key(day, prov), ("total", prov)]
            for k in keys:
                f = self.feedback[k]
                f["count"] += 1
                f["sum"] += rating
                f["ratings"][rating - 1] += 1

        # Counters: open intervals from the audit log, cut at service days.
        lo, hi = day_start(from_day), day_start(to_day)
        opened = defaultdict(int)  # (counter, day)
        since = {}
        rows = con.execute("SELECT at, command, detail FROM audit WHERE command IN ('open', 'close') "
                           "ORDER BY id").fetchall()

        def add(counter, a, b):
            a, b = max(a, lo), min(b, hi, now)
            while a < b:
                d = service_day(a)
                end = min(b, day_start(d + 1))
                opened[(counter, d)] += end - a
                a = end

        for at, command, detail in rows:
            if at >= hi:
                continue
            counter = json.loads(detail).get("counter")
            if command == "open":
                since.setdefault(counter, at)
            elif counter in since:
                add(counter, since.pop(counter), at)
        for counter, at in since.items():
            add(counter, at, now)
        # A booth: open its remote-service hours, busy its time in session
        # (report_pilot.h), not the audit's and the visits'.
        conf = Conf(SIM_CONF)
        in_session = session_days(db, from_day, to_day)
        for b in conf.booths:
            for day in range(from_day, to_day):
                opened[(b, day)] = conf.booth_open(b, day, TZ, now)
                busy[(b, day)] = in_session.get((b, day), 0)
        self.idle = defaultdict(lambda: {"open_s": 0, "busy_s": 0, "idle_s": 0})
        for counter, day in set(opened) | set(busy):
            if not from_day <= day < to_day:
                continue
            o, b = opened.get((counter, day), 0), busy.get((counter, day), 0)
            for k in ((label(day, period), counter), ("total", counter), (label(day, period), 0), ("total", 0)):
                self.idle[k]["open_s"] += o
                self.idle[k]["busy_s"] += b
                self.idle[k]["idle_s"] += max(0, o - b)
        con.close()


def get_json(d, query):
    r = d.get("/api/report?" + query, user="maija")
    assert r.status_code == 200, r.text
    return r.json()


def by_key(rows, field="provider"):
    out = {}
    for row in rows:
        k = (row["period"], row[field])
        assert k not in out, "two rows for %s" % (k,)
        out[k] = row
    return out


def check_all(report, exp):
    labels = exp.periods + ["total"]
    providers = exp.providers + [SITE]
    assert [p["period"] for p in report["periods"]] == exp.periods
    assert report["providers"] == exp.providers

    billing = by_key(report["billing"])
    assert set(billing) == {(p, v) for p in labels for v in providers}
    for k, row in billing.items():
        e = exp.billing.get(k, {})
        assert row["events"] == e.get("events", 0), k
        assert row["channels"] == {c: e.get(c, 0) for c in CHANNELS}, k
        for name in ("no_shows", "cancelled", "voided", "reset", "interrupted"):
            assert row[name] == e.get(name, 0), (k, name)
    assert sum(r["events"] for r in report["billing"] if r["period"] == "total" and r["provider"] == SITE) > 0

    times = by_key(report["times"])
    assert set(times) == set(billing)
    for k, row in times.items():
        e = exp.times.get(k, {"waited": 0, "within_target": 0, "served": 0, "wait": (None, None),
                              "service": (None, None)})
        assert (row["waited"], row["within_target"], row["served"]) == (e["waited"], e["within_target"], e["served"]), k
        assert (row["wait_median_s"], row["wait_p90_s"]) == e["wait"], k
        assert (row["service_median_s"], row["service_p90_s"]) == e["service"], k
        assert row["within_target_pct"] == rounded(100 * e["within_target"], e["waited"], 10), k
        assert row["no_shows"] == exp.billing.get(k, {}).get("no_shows", 0), k

    arrivals = by_key(report["arrivals"])
    assert set(arrivals) == set(billing)
    for k, row in arrivals.items():
        e = exp.arrivals.get(k, {"tickets": 0, "hours": [0] * 24, "weekdays": [0] * 7})
        assert (row["tickets"], row["hours"], row["weekdays"]) == (e["tickets"], e["hours"], e["weekdays"]), k

    feedback = by_key(report["feedback"])
    assert set(feedback) == set(billing)
    for k, row in feedback.items():
        e = exp.feedback.get(k, {"count": 0, "sum": 0, "ratings": [0] * 5})
        assert (row["count"], row["sum"], row["ratings"]) == (e["count"], e["sum"], e["ratings"]), k
        assert row["mean"] == rounded(e["sum"], e["count"], 100), k

    cats = {(r["period"], r["provider"], r["category"]): r["events"] for r in report["categories"]}
    assert cats == dict(exp.cats)

    idle = by_key(report["idle"], "counter")
    expected_counters = {c for (_, c) in exp.idle}
    assert {c for (_, c) in idle} >= expected_counters
    for k, row in idle.items():
        e = exp.idle.get(k, {"open_s": 0, "busy_s": 0, "idle_s": 0})
        assert (row["open_s"], row["busy_s"], row["idle_s"]) == (e["open_s"], e["busy_s"], e["idle_s"]), k
        assert row["idle_pct"] == rounded(100 * e["idle_s"], e["open_s"], 10), k
    total = idle[("total", 0)]
    assert total["open_s"] > total["busy_s"] > 0 and total["idle_s"] > 0


# -- the tests --------------------------------------------------------------

def test_year_by_month_against_independent_computation(served):
    d, db = served
    report = get_json(d, "from=%d-01-01&to=%d-01-01&target_min=%d" % (YEAR, YEAR + 1, TARGET_MIN))
    assert report["period"] == "month" and report["timezone"] == "Europe/Helsinki"
    assert report["target_wait_min"] == TARGET_MIN
    exp = Expected(db, day_of(datetime.date(YEAR, 1, 1)), day_of(datetime.date(YEAR + 1, 1, 1)), "month", time.time())
    assert len(exp.periods) == 12
    check_all(report, exp)
    # The first report's rows are still there, the same figures.
    monthly = {(r["month"], r["provider"]): r for r in report["monthly"]}
    assert monthly
    for (month, prov), row in monthly.items():
        b = exp.billing[(month, prov)]
        t = exp.times[(month, prov)]
        assert row["visits"] == b.get("events", 0) and row["no_shows"] == b.get("no_shows", 0)
        assert row["cancelled"] == b.get("cancelled", 0)
        assert (row["wait_median_s"], row["wait_p90_s"]) == t["wait"]
        assert (row["waited"], row["within_target"]) == (t["waited"], t["within_target"])
    assert {k for k, v in exp.billing.items() if k[0] != "total" and k[1] != SITE and v["rows"]} == set(monthly)


def test_weeks_and_days_across_the_clock_changes(served):
    d, db = served
    now = time.time()
    # ISO weeks over the year: the first and last are cut at the range.
    report = get_json(d, "from=%d-01-01&to=%d-01-01&period=week&target_min=10" % (YEAR, YEAR + 1))
    exp = Expected(db, day_of(datetime.date(YEAR, 1, 1)), day_of(datetime.date(YEAR + 1, 1, 1)), "week", now,
                   target_min=10)
    check_all(report, exp)
    assert report["periods"][0] == {"period": "2025-W01", "from": "2025-01-01", "to": "2025-01-06"}
    # Days around both changes of the clocks (30 March, 26 October 2025).
    for start, end in (("2025-03-24", "2025-04-03"), ("2025-10-20", "2025-10-31")):
        report = get_json(d, "from=%s&to=%s&period=day" % (start, end))
        exp = Expected(db, day_of(datetime.date.fromisoformat(start)), day_of(datetime.date.fromisoformat(end)),
                       "day", now)
        check_all(report, exp)


def test_csv_of_every_kind_matches_the_json(served):
    d, _ = served
    query = "from=2025-03-01&to=2025-05-01&period=month"
    report = get_json(d, query)
    for kind in ("billing", "times", "arrivals", "idle", "feedback", "categories"):
        r = d.get("/api/report?%s&format=csv&kind=%s" % (query, kind), user="maija")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv"), r.text
        assert "vuoro-%s-2025-03-01-2025-05-01.csv" % kind in r.headers["content-disposition"]
        assert r.text.endswith("\r\n") and "\n" not in r.text.replace("\r\n", "")
        rows = list(csv.DictReader(io.StringIO(r.text, newline="")))
        assert len(rows) == len(report[kind]), kind
        for c, j in zip(rows, report[kind]):
            assert c["period"] == j["period"]
            if kind == "billing":
                assert c["provider"] == j["provider"] and int(c["events"]) == j["events"]
                assert [int(c[ch]) for ch in CHANNELS] == [j["channels"][ch] for ch in CHANNELS]
                assert int(c["interrupted"]) == j["interrupted"] and int(c["no_shows"]) == j["no_shows"]
            elif kind == "times":
                for f in ("waited", "wait_median_s", "wait_p90_s", "within_target", "served",
                          "service_median_s", "service_p90_s"):
                    assert (int(c[f]) if c[f] else None) == j[f], (kind, f)
                assert (float(c["within_target_pct"]) if c["within_target_pct"] else None) == j["within_target_pct"]
            elif kind == "arrivals":
                assert [int(c["h%02d" % h]) for h in range(24)] == j["hours"]
                assert [int(c[w]) for w in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")] == j["weekdays"]
            elif kind == "idle":
                assert int(c["counter"]) == j["counter"]
                assert [int(c[f]) for f in ("open_s", "busy_s", "idle_s")] == [j["open_s"], j["busy_s"], j["idle_s"]]
            elif kind == "feedback":
                assert [int(c["r%d" % i]) for i in range(1, 6)] == j["ratings"]
                assert (float(c["mean"]) if c["mean"] else None) == j["mean"]
            else:
                assert (c["provider"], c["category"], int(c["events"])) == (j["provider"], j["category"], j["events"])
        # kind alone as JSON: that report only.
        only = get_json(d, "%s&kind=%s" % (query, kind))
        assert only[kind] == report[kind] and "monthly" not in only
        assert all(k not in only for k in ("billing", "times", "arrivals", "idle", "feedback", "categories")
                   if k != kind)
    # The first CSV, without kind, keeps its header.
    r = d.get("/api/report?%s&format=csv" % query, user="maija")
    assert r.text.split("\r\n")[0] == ("provider,month,visits,in_person,remote_video,e_service,paper_form,"
                                       "no_shows,cancelled,wait_median_s,wait_p90_s,service_median_s,"
                                       "service_p90_s,within_target,waited")
    assert len(r.text.split("\r\n")) - 2 == len(report["monthly"])


def test_bad_parameters_and_roles(served):
    d, _ = served
    for query, word in (("period=year", "period"), ("kind=money", "kind"), ("format=xml", "format"),
                        ("from=2025-13-01", "from"), ("target_min=0", "target_min"),
                        ("from=2025-02-01&to=2025-01-01", "report")):
        r = d.get("/api/report?" + query, user="maija")
        assert r.status_code == 400, (query, r.status_code, r.text)
        assert word in r.text, (query, r.text)
    assert d.get("/api/report", user="anna").status_code == 403
    assert d.get("/api/report").status_code == 401


def ctl(d, *args):
    env = dict(os.environ, VUORO_URL=d.url, XDG_CONFIG_HOME=os.path.join(d.workdir, "xdg-report"))
    env.pop("VUORO_TOKEN", None)
    return subprocess.run([VUOROCTL] + list(args), input=USERS["maija"][1] + "\n" if args[0] == "login" else None,
                          text=True, capture_output=True, env=env, timeout=60)


def test_vuoroctl_report(served):
    d, db = served
    assert ctl(d, "login", "maija").returncode == 0
    r = ctl(d, "report", "--from", "2025-03-01", "--to", "2025-04-01")
    assert r.returncode == 0, r.stderr
    assert "kela" in r.stdout and "2025-03" in r.stdout
    r = ctl(d, "report", "--from", "2025-03-01", "--to", "2025-04-01", "--kind", "feedback", "--period", "week")
    assert r.returncode == 0, r.stderr
    assert "2025-W10" in r.stdout and "total" in r.stdout
    r = ctl(d, "report", "--from", "2025-03-01", "--to", "2025-04-01", "--kind", "idle", "--csv")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("period,counter,open_s,busy_s,idle_s,idle_pct\n")  # text mode: \r\n read as \n
    r = ctl(d, "report", "--from", "2025-03-01", "--to", "2025-04-01", "--csv")
    assert r.stdout.startswith("provider,month,visits,")
    r = ctl(d, "report", "--from", "2025-03-01", "--to", "2025-04-01", "--json", "--kind", "arrivals")
    assert r.returncode == 0 and "arrivals" in json.loads(r.stdout)
    for kind in ("billing", "times", "arrivals", "idle", "categories"):
        r = ctl(d, "report", "--from", "2025-03-01", "--to", "2025-04-01", "--kind", kind)
        assert r.returncode == 0 and r.stdout.count("\n") > 2, (kind, r.stdout, r.stderr)
    # The booths' use and the pilot's figures (issue 17): booth 4 and its
    # hours; each provider's events and the site's staff time.
    r = ctl(d, "report", "--from", "2025-03-01", "--to", "2025-04-01", "--kind", "booths")
    assert r.returncode == 0, r.stderr
    assert any(line.split()[:2] == ["total", "4"] for line in r.stdout.splitlines()), r.stdout
    r = ctl(d, "report", "--from", "2025-03-01", "--to", "2025-04-01", "--kind", "pilot")
    assert r.returncode == 0, r.stderr
    assert any(line.split()[:3] == ["total", "kela", "*"] for line in r.stdout.splitlines()), r.stdout
    r = ctl(d, "report", "--kind", "money")
    assert r.returncode == 2 and "kind" in r.stderr
    r = ctl(d, "report", "--period", "year")
    assert r.returncode == 2 and "period" in r.stderr


def test_a_missed_call_served_later_is_an_event_not_a_no_show(workdir):
    """Issue 14: a ticket that missed its call, went back in line and was
    served is a service event and no no-show; a ticket given up after its
    last call is one no-show; a transfer makes one event per service (the
    reason "served today" on /manager can be less than the events)."""
    d = make_daemon(workdir)
    try:
        ids = [d.post("/api/tickets", {"service": "guide", "lang": "fi"}).json()["ticket"]["id"]
               for _ in range(3)]

        def do(verb, body=None):
            r = d.post("/api/counters/1/" + verb, body or {}, user="anna")
            assert r.status_code == 200, (verb, r.text)
            return r.json()

        do("open")
        do("call", {"ticket": ids[0]})
        assert do("noshow")["ticket"]["state"] == "waiting"  # requeue-no-shows = 1
        do("call", {"ticket": ids[0]})
        do("start")
        do("end", {"outcome": "resolved"})
        do("call", {"ticket": ids[1]})
        do("start")
        do("transfer", {"service": "kela"})
        do("call", {"ticket": ids[1]})
        do("start")
        do("end", {"outcome": "resolved"})
        do("call", {"ticket": ids[2]})
        do("noshow")
        do("call", {"ticket": ids[2]})
        assert do("noshow")["ticket"]["state"] == "no_show"

        day = d.get("/api/status").json()["day"]
        iso = lambda n: day_date(n).isoformat()
        rep = d.get("/api/report?from=%s&to=%s&kind=billing" % (iso(day), iso(day + 1)), user="maija").json()
        total = {r["provider"]: r for r in rep["billing"] if r["period"] == "total"}
        assert (total["kunta"]["events"], total["kunta"]["no_shows"]) == (2, 1), total["kunta"]
        assert (total["kela"]["events"], total["kela"]["no_shows"]) == (1, 0), total["kela"]
        assert (total[SITE]["events"], total[SITE]["no_shows"]) == (3, 1), total[SITE]
        today = d.get("/api/queue?day=today", user="maija").json()["tickets"]
        served = [t for t in today if t["state"] == "done"]
        assert len(served) == 2 and sum(t["no_shows"] for t in served) == 1
    finally:
        assert d.stop() == 0
