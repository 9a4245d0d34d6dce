# SPDX-License-Identifier: GPL-3.0-or-later
"""An accelerated month (issue 19 item 4): the real vuorod, under a test
clock, through MONTH_DAYS (30) days of traffic — MONTH_TICKETS (3,000)
tickets a day over 10 counters (issue, call, end; no-shows), 20 remote
(booth) visits a day, the daily reset and retention, a backup and the day's
report every day, a restart once a week — and after each day its RSS, open
files, threads and database size from /proc.

The clock: vuorod runs under Debian's libfaketime (as test_clock.py) with
an absolute, frozen time in FAKETIME_TIMESTAMP_FILE, read on every call
(FAKETIME_NO_CACHE=1); the monotonic clock stays real, so GLib's timers run
in real time.  Each event of the day's schedule sets the file to its own
second before its request: vuorod stores exactly the times this file
computed, and the expected report is computed from this file's own record
of what it did, never from vuorod's database.  The daily reset and the
retention run from vuorod's own 20 s tick (desk.c: DESK_TICK_S), which
checks the wall clock: after the jump to a new day's 07:00 the test waits
until the tick has rolled the day over, as the board's quiet night would.

Booth visits: a real booth session is a GStreamer media session per visit
(seconds each); the month records its 20 remote visits a day through
POST /api/visits (channel remote_video, the expert's own record), so the
visits and the reports carry them, not the media path.

Run: make test-long (or MONTH_DAYS=3 … pytest -s this file).  Prints
BENCH soak_rss_growth_pct (the median RSS of the last three days against
that of days 2-4) and BENCH soak_days."""
import datetime
import os
import random
import shutil
import sqlite3
import tempfile
import time

import pytest
import requests

import conftest
from conftest import Daemon, USERS, add_user, conf_with, wait_for
from pilot_expect import rank_pick

LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
DAYS = int(os.environ.get("MONTH_DAYS", "30"))
TICKETS = int(os.environ.get("MONTH_TICKETS", "3000"))
BOOTH_VISITS = int(os.environ.get("MONTH_BOOTH", "20"))
SEED = int(os.environ.get("MONTH_SEED", "19"))
GROWTH_MAX_PCT = 5.0
# Mondays in January 2027: after any time the store may already hold (the
# users are added with the real clock), no clock change in the month.
FIRST = datetime.date(2027, 1, 4)
RESET_HOUR = 3  # sim.conf daily-reset, Helsinki time (UTC+2 in winter)
UTC = datetime.timezone.utc
HEL_OFFSET = 2 * 3600
COUNTERS = [1, 2, 3, 5, 6, 7, 8, 9, 10, 11]
# The services each counter serves (sim.conf's three, seven more added).
PROFILES = {1: ["guide", "permits", "kela"], 2: ["tax", "guide", "kela"], 3: ["kela", "tax", "guide"]}
PROFILES.update({c: ["guide", "tax", "kela"] for c in COUNTERS[3:]})
PROVIDER = {"guide": "kunta", "permits": "kunta", "tax": "vero", "kela": "kela"}
NO_SHOW = 0.05
TARGET_MIN = 15


def epoch_day(date):
    return (date - datetime.date(1970, 1, 1)).days


def month_conf():
    text = conf_with({("queue", "requeue-no-shows"): "0",
                      # Short enough that the month's retention has work to do.
                      ("identity", "retention-days"): "7",
                      ("visitors", "retention-days"): "7"})
    for c in COUNTERS[3:]:
        text += "\n[counter:%d]\nname = Counter %d\nprofile = %s\n" % (c, c, ",".join(PROFILES[c]))
    return text


class Clock:
    """The test clock: a frozen UTC time in the file libfaketime reads."""

    def __init__(self, path):
        self.path = path
        self.now = None

    def set(self, t):
        assert self.now is None or t >= self.now, "the test clock only goes forward"
        if t == self.now:
            return
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            f.write(datetime.datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M:%S") + "\n")
        os.rename(tmp, self.path)  # never a half-written time
        self.now = t


class Client:
    """Keep-alive HTTP with one login per user (logins expire with the jumps)."""

    def __init__(self, d):
        self.d = d
        self.s = requests.Session()
        self.tokens = {}

    def headers(self, user):
        if user is None:
            return {}
        if user not in self.tokens:
            r = self.s.post(self.d.url + "/api/login", json={"user": user, "password": USERS[user][1]},
                            timeout=30)
            assert r.status_code == 200, r.text
            self.s.cookies.clear()  # a bearer token, not the page's cookie (and its CSRF)
            self.tokens[user] = r.json()["token"]
        return {"Authorization": "Bearer " + self.tokens[user]}

    def post(self, path, body=None, user=None, want=(200, 201)):
        r = self.s.post(self.d.url + path, json=body, headers=self.headers(user), timeout=30)
        assert r.status_code in want, (path, body, r.status_code, r.text)
        return r.json() if r.content else None

    def get(self, path, user=None):
        r = self.s.get(self.d.url + path, headers=self.headers(user), timeout=60)
        assert r.status_code == 200, (path, r.status_code, r.text[:500])
        return r


def schedule(rng, day_start):
    """The day's events (time, kind, data) and each ticket's record.  Tickets
    arrive every 9 s from 08:00 local; each counter serves one at a time."""
    free = {c: day_start for c in COUNTERS}
    events, tickets = [], []
    for i in range(TICKETS):
        arrive = day_start + i * 9
        c = min(COUNTERS, key=lambda k: (max(free[k], arrive), k))
        called = max(free[c], arrive) + rng.randint(1, 20)
        t = {"n": i, "service": rng.choice(PROFILES[c]), "counter": c, "issued": arrive,
             "called": called, "noshow": rng.random() < NO_SHOW}
        if t["noshow"]:
            t["ended"] = called + 45
        else:
            t["ended"] = called + rng.randint(30, 140)
        free[c] = t["ended"]
        tickets.append(t)
        events += [(arrive, 0, t), (called, 1, t), (t["ended"], 2, t)]
    # The booth: 20 remote visits, one every 20 minutes from 09:00 local.
    booth = [{"at": day_start + 3600 + k * 1200, "service_min": 10 + k % 15,
              "service": "kela-video" if k % 2 else "te-video"} for k in range(BOOTH_VISITS)]
    events += [(b["at"], 3, b) for b in booth]
    events.sort(key=lambda e: (e[0], e[1], e[2].get("n", 0)))
    return events, tickets, booth


def expected_day(tickets, booth):
    """The day's billing/times/arrivals per provider and for the site ('*'),
    from this file's record of the tickets and visits it made."""
    exp = {}

    def row(p):
        return exp.setdefault(p, {"events": 0, "no_shows": 0, "in_person": 0, "remote_video": 0,
                                  "waits": [], "services": [], "tickets": 0, "hours": [0] * 24})

    for t in tickets:
        for p in (PROVIDER[t["service"]], "*"):
            r = row(p)
            r["tickets"] += 1
            r["hours"][(t["issued"] + HEL_OFFSET) // 3600 % 24] += 1
            r["waits"].append(t["called"] - t["issued"])
            if t["noshow"]:
                r["no_shows"] += 1
            else:
                r["events"] += 1
                r["in_person"] += 1
                r["services"].append(t["ended"] - t["called"])
    for b in booth:
        for p in ({"kela-video": "kela", "te-video": "te"}[b["service"]], "*"):
            r = row(p)
            r["events"] += 1
            r["remote_video"] += 1
            r["services"].append(b["service_min"] * 60)  # a recorded visit's length
    return exp


def check_report(report, exp, label):
    billing = {r["provider"]: r for r in report["billing"] if r["period"] == label}
    times = {r["provider"]: r for r in report["times"] if r["period"] == label}
    arrivals = {r["provider"]: r for r in report["arrivals"] if r["period"] == label}
    for p, e in exp.items():
        b, tm = billing[p], times[p]
        assert b["events"] == e["events"], (label, p, b, e["events"])
        assert b["no_shows"] == e["no_shows"], (label, p)
        assert b["channels"]["in_person"] == e["in_person"], (label, p)
        assert b["channels"]["remote_video"] == e["remote_video"], (label, p)
        assert tm["waited"] == len(e["waits"]), (label, p)
        assert (tm["wait_median_s"], tm["wait_p90_s"]) == rank_pick(e["waits"]), (label, p)
        assert tm["within_target"] == sum(1 for w in e["waits"] if w <= TARGET_MIN * 60), (label, p)
        assert tm["served"] == len(e["services"]), (label, p)
        assert (tm["service_median_s"], tm["service_p90_s"]) == rank_pick(e["services"]), (label, p)
        if e["tickets"]:
            a = arrivals[p]
            assert (a["tickets"], a["hours"]) == (e["tickets"], e["hours"]), (label, p)
    # Nothing the test did not make.
    assert {p for p, b in billing.items() if b["events"] or b["no_shows"]} <= set(exp), (label, billing)


def last_tick(db):
    """The time of the latest daily reset vuorod's tick committed (audit)."""
    with sqlite3.connect("file:%s?mode=ro" % db, uri=True) as con:
        return con.execute("SELECT coalesce(max(at), 0) FROM audit WHERE command = 'tick' "
                           "AND user = 'system'").fetchone()[0]


def proc_figures(pid, db):
    """RSS, open files and threads from /proc; the database's pages in use
    (with what the WAL holds: its file sizes move with each checkpoint)."""
    status = dict(line.split(":", 1) for line in open("/proc/%d/status" % pid))
    with sqlite3.connect("file:%s?mode=ro" % db, uri=True) as con:
        pages, free, size = (con.execute("PRAGMA " + p).fetchone()[0]
                             for p in ("page_count", "freelist_count", "page_size"))
        visits = con.execute("SELECT count(*) FROM visits").fetchone()[0]
        tickets = con.execute("SELECT count(*) FROM tickets").fetchone()[0]
    return {"rss_kb": int(status["VmRSS"].split()[0]), "anon_kb": int(status["RssAnon"].split()[0]),
            "file_kb": int(status["RssFile"].split()[0]), "shmem_kb": int(status["RssShmem"].split()[0]),
            "fds": len(os.listdir("/proc/%d/fd" % pid)),
            "threads": int(status["Threads"]), "db_bytes": (pages - free) * size, "visits": visits,
            "tickets": tickets}


@pytest.fixture
def month_dir():
    """On /dev/shm when there is one: with fsync on a shared disk a day takes
    twice as long, and the month measures memory, files and threads — what a
    power cut keeps is test_powercut.py's."""
    d = tempfile.mkdtemp(prefix="vuoro-month-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_accelerated_month(month_dir):
    workdir = month_dir
    if not os.path.exists(LIBFAKETIME):
        pytest.skip("needs Debian's faketime (libfaketime): run tools/install-deps --long")
    if conftest.ASAN:
        pytest.skip("the month measures the plain build's memory")
    rng = random.Random(SEED)
    USERS.update({"adv%d" % c: ("advisor", "advisor-month-pass-%d" % c) for c in COUNTERS})
    d = Daemon(workdir, month_conf())
    for name, (role, password) in USERS.items():
        add_user(d.db, name, role, password)
    clock = Clock(os.path.join(workdir, "faketime"))
    day_start0 = int(datetime.datetime(FIRST.year, FIRST.month, FIRST.day, 8, tzinfo=UTC).timestamp()) - HEL_OFFSET
    clock.set(day_start0 - 3600)
    d.env = dict(os.environ, LD_PRELOAD=LIBFAKETIME, FAKETIME_TIMESTAMP_FILE=clock.path,
                 FAKETIME_NO_CACHE="1", FAKETIME_DONT_FAKE_MONOTONIC="1", TZ="UTC")
    d.start()
    c = Client(d)
    figures = []
    try:
        for day in range(DAYS):
            wall0 = time.monotonic()
            date = FIRST + datetime.timedelta(days=day)
            start = day_start0 + day * 86400
            if day and day % 7 == 0:
                # The weekly restart, before the day opens: the start loads
                # the new day and runs the retention itself.
                d.stop()
                d.start()
                c = Client(d)
            elif day:
                # The quiet night: vuorod's own tick (every 20 s of real
                # time) sees the new service day and runs the daily reset and
                # the retention, before any command comes.
                wait_for(lambda: last_tick(d.db) >= start - 3600, timeout=30,
                         what="vuorod's tick to run the daily reset of %s" % date)
            c.tokens.clear()  # the night's jump outlived yesterday's logins
            for k in COUNTERS:
                c.post("/api/counters/%d/open" % k, user="adv%d" % k)
            events, tickets, booth = schedule(rng, start)
            for at, kind, t in events:
                clock.set(at)
                if kind == 0:
                    got = c.post("/api/tickets", {"service": t["service"], "lang": "fi", "handout": "screen"},
                                 want=(201,))["ticket"]
                    t["id"] = got["id"]
                elif kind == 1:
                    got = c.post("/api/counters/%d/call" % t["counter"], {"ticket": t["id"]},
                                 user="adv%d" % t["counter"])
                elif kind == 2:
                    what = "noshow" if t["noshow"] else "end"
                    c.post("/api/counters/%d/%s" % (t["counter"], what), user="adv%d" % t["counter"])
                else:
                    c.post("/api/visits", {"service": t["service"], "channel": "remote_video",
                                           "outcome": "resolved", "service_min": t["service_min"]},
                           user="eero", want=(201,))
            end = max(e[0] for e in events) + 60
            clock.set(end)
            for k in COUNTERS:
                c.post("/api/counters/%d/close" % k, user="adv%d" % k)
            if day + 1 < DAYS:
                clock.set(start + 86400 - 3600)  # the night passes: 07:00 tomorrow
            # The day's report against this file's own record; a backup.
            label = date.isoformat()
            report = c.get("/api/report?from=%s&to=%s&period=day&target_min=%d"
                           % (label, (date + datetime.timedelta(days=1)).isoformat(), TARGET_MIN),
                           user="maija").json()
            check_report(report, expected_day(tickets, booth), label)
            backup = c.get("/api/db/backup", user="tech").content
            assert backup[:16] == b"SQLite format 3\0", backup[:16]
            # The answer sent, vuorod lets go of the backup's mapped copy
            # (test_workers.py): measured after that, not during.
            wait_for(lambda: "vuoro-backup" not in open("/proc/%d/maps" % d.proc.pid).read(),
                     what="the backup's mapping to go")
            f = proc_figures(d.proc.pid, d.db)
            assert f["tickets"] == (day + 1) * TICKETS, f  # nothing lost over the restarts
            f["backup_bytes"] = len(backup)
            f["wall_s"] = round(time.monotonic() - wall0, 1)
            figures.append(f)
            print("day %2d %s: rss %d kB (anon %d, file %d, shmem %d), fds %d, threads %d, db %d B, %d visits, "
                  "%d tickets, %.1f s"
                  % (day + 1, label, f["rss_kb"], f["anon_kb"], f["file_kb"], f["shmem_kb"], f["fds"],
                     f["threads"], f["db_bytes"], f["visits"],
                     f["tickets"], f["wall_s"]), flush=True)
        # The retention (7 days here) ran: no visit older keeps its personal
        # fields, while the counts stay.
        with sqlite3.connect("file:%s?mode=ro" % d.db, uri=True) as db:
            old, pruned = db.execute("SELECT count(*), sum(pruned_at > 0) FROM visits WHERE ended_at < ?",
                                     (clock.now - 8 * 86400,)).fetchone()
        if DAYS > 8:
            assert old > 0 and pruned == old, (old, pruned)
    finally:
        if d.proc and d.proc.poll() is None:
            rc = d.stop()
            assert rc == 0, open(d.stderr_path).read()[-3000:]
    err = open(d.stderr_path).read()
    assert "CRITICAL" not in err and "AddressSanitizer" not in err, err[-3000:]
    first, last = figures[1 if DAYS > 1 else 0], figures[-1]
    # RSS moves a few hundred kB from day to day with what glibc keeps of the
    # day's report and backup (vuorod gives it back at most every 10 s):
    # the median of days 2-4 against that of the last three days.
    def median_rss(days):
        v = sorted(f["rss_kb"] for f in days)
        return v[len(v) // 2]
    early, late = median_rss(figures[1:4] or figures[:1]), median_rss(figures[-3:])
    growth = 100.0 * (late - early) / early
    print("soak: RSS median %d kB on days 2-4, %d kB on the last three days" % (early, late))
    print("BENCH soak_rss_growth_pct=%.1f %%" % growth)
    print("BENCH soak_days=%d" % DAYS)
    print("BENCH soak_day_wall_s=%.1f s" % (sum(f["wall_s"] for f in figures) / len(figures)))
    # One process's own week: day 7 against day 2 (the restart comes after day 7).
    week = figures[min(6, DAYS - 1)]
    print("soak: day %d against day 2 in one process: RSS %+.1f %%, fds %+d, threads %+d"
          % (min(7, DAYS), 100.0 * (week["rss_kb"] - first["rss_kb"]) / first["rss_kb"],
             week["fds"] - first["fds"], week["threads"] - first["threads"]))
    # The database grows by what the visits need: its bytes per stored visit
    # over the month are those of the first day's.
    if DAYS > 2:
        day_rate = (first["db_bytes"] - figures[0]["db_bytes"]) / (first["visits"] - figures[0]["visits"])
        month_rate = (last["db_bytes"] - first["db_bytes"]) / (last["visits"] - first["visits"])
        print("BENCH soak_db_bytes_per_visit=%.0f B (day 2: %.0f B; %d visits, %d bytes)"
              % (month_rate, day_rate, last["visits"], last["db_bytes"]))
        assert month_rate <= 1.15 * day_rate, (month_rate, day_rate)
    assert growth <= GROWTH_MAX_PCT, figures
    assert last["fds"] <= first["fds"] + 2, (first, last)
    assert last["threads"] <= first["threads"] + 1, (first, last)
