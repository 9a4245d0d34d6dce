# SPDX-License-Identifier: GPL-3.0-or-later
"""I/O errors (issue 19, item 2): the N-th write, fsync or open of the
database, its WAL or its journal fails (EIO or ENOSPC) for N = 1, 2, 3, …
through a fixed scenario — issue, call, start, end, feedback, a report —
run against the real vuorod with the power-cut VFS in its fault mode
(tests/powercut/vfs-cut.c, VFSFAULT_*; LD_PRELOADed).

For each N: vuorod starts, the staff log in, then the fault is armed (the
shim counts calls only while VFSFAULT_FILE exists) and the scenario runs,
cycle after cycle, until the N-th call has failed.  Checked:

- every answer is a 2xx or a clear error: a 5xx whose message names the
  database or its disk, never a hang, never a refused connection; a 4xx
  only as the consequence of an earlier failure (nobody waiting, since the
  ticket was not issued);
- a lasting fault (VFSFAULT_COUNT=0) is named in /api/health (what /tech
  shows) while it lasts, and a lasting write or sync fault refuses a new
  ticket (an open fails only for a report's read-only connection here: the
  writer's files stay open);
- once the fault clears (the file removed, or after its one failure) the
  next requests succeed — the same vuorod, no restart — and /api/health no
  longer names it;
- after vuorod stops, the database (read with sqlite3) is intact and holds
  exactly what was acknowledged: every ticket whose answer was 2xx, and no
  ticket, call, visit or rating whose answer was an error.  The shim holds
  unsynced writes in memory and drops them when vuorod ends, so "stored"
  here means synced.

IOFAULT_N (default 30: N = 1..30 for writes, 1..10 for syncs, a few ENOSPC,
one-off and open faults, about 20 s, make test); make test-long sets IOFAULT_N=200: every
N up to 200 for each kind, then IOFAULT_SAMPLE random N beyond (default 100),
and prints BENCH io_faults_tried.  IOFAULT_SEED repeats the sample."""
import os
import random
import shutil
import signal
import sqlite3
import time

import pytest
import requests

from conftest import VUOROD, Daemon, add_user, USERS, conf_with
from test_powercut import SHIM, UPLINK, needs_shim

N = int(os.environ.get("IOFAULT_N", "30"))
LONG = N > 30
SAMPLE = int(os.environ.get("IOFAULT_SAMPLE", "100")) if LONG else 0
MAX_CYCLES = 60  # a scenario that never reaches the N-th call ends here
STORAGE_WORDS = ("database", "disk")


def storage_message(r):
    try:
        msg = r.json().get("message") or ""
    except ValueError:
        return ""
    return msg if any(w in msg for w in STORAGE_WORDS) else ""


class Run:
    """One vuorod with one fault armed, and what it answered."""

    def __init__(self, template, workdir, kind, at, err="EIO", count=0):
        self.kind, self.at, self.err, self.count = kind, at, err, count
        if os.path.exists(workdir):
            shutil.rmtree(workdir)
        os.makedirs(workdir)
        self.d = Daemon(workdir, conf_with(UPLINK))
        shutil.copyfile(template, self.d.db)
        self.fault = os.path.join(workdir, "fault")
        self.d.env = dict(os.environ, LD_PRELOAD=SHIM, VFSCUT_DB=os.path.abspath(self.d.db),
                          VFSFAULT_KIND=kind, VFSFAULT_AT=str(at), VFSFAULT_ERRNO=err,
                          VFSFAULT_COUNT=str(count), VFSFAULT_FILE=self.fault)
        self.d.env.pop("ASAN_OPTIONS", None)
        self.answers = []  # (step, status, message)
        self.problems = []
        self.failed = False  # a request got a storage error
        self.cleared = False  # the fault is over: every request must work again
        self.tickets = {}  # id -> code, acknowledged
        self.called, self.ended = set(), set()
        self.ratings = 0
        self.s = requests.Session()

    def fired(self):
        with open(self.d.stderr_path, errors="replace") as f:
            return sum(1 for line in f if line.startswith("libvfsfault: failing"))

    def req(self, step, method, path, body=None, user=None):
        d = self.d
        headers = d.login(user) if user else {}
        try:
            r = self.s.request(method, d.url + path, json=body, headers=headers, timeout=15)
        except requests.RequestException as e:
            self.problems.append("%s: no answer (%s)" % (step, e))
            raise
        self.answers.append((step, r.status_code, storage_message(r)))
        if 200 <= r.status_code < 300:
            return r
        if r.status_code >= 500:
            if self.cleared:
                self.problems.append("%s: %d after the fault cleared (no recovery without a restart): %s"
                                     % (step, r.status_code, r.text[:300]))
            elif not storage_message(r):
                self.problems.append("%s: %d without a message naming the database: %s"
                                     % (step, r.status_code, r.text[:300]))
            self.failed = True
        elif not self.failed:
            self.problems.append("%s: %d before any storage error: %s" % (step, r.status_code, r.text[:300]))
        return None

    def cycle(self, tag, today):
        for service in ("guide", "guide"):  # (counter 1 serves guide, not tax)
            r = self.req(tag + " issue", "POST", "/api/tickets", {"service": service, "handout": "screen"})
            if r:
                t = r.json()["ticket"]
                self.tickets[t["id"]] = t["code"]
        for _ in range(2):  # both served: the lines stay short over many cycles
            r = self.req(tag + " call", "POST", "/api/counters/1/call", {}, user="anna")
            if r:
                self.called.add(r.json()["ticket"]["id"])
            self.req(tag + " start", "POST", "/api/counters/1/start", {}, user="anna")
            r = self.req(tag + " end", "POST", "/api/counters/1/end", {"outcome": "resolved"}, user="anna")
            if r:
                self.ended.add(r.json()["ticket"]["id"])
        if self.req(tag + " feedback", "POST", "/api/feedback", {"rating": 4, "counter": 1}):
            self.ratings += 1
        # a report runs on a worker's own read-only connection: an open
        self.req(tag + " report", "GET", "/api/report?from=%s&to=%s" % (today, today), user="maija")

    def health(self):
        r = self.s.get(self.d.url + "/api/health", headers=self.d.login("anna"), timeout=15)
        assert r.status_code == 200, r.text
        return r.json()

    def go(self):
        """Runs the scenario; returns whether the fault fired."""
        d = self.d
        d.start()
        today = time.strftime("%Y-%m-%d")
        try:
            for name in ("anna", "maija"):
                d.login(name)
            assert d.post("/api/counters/1/open", {}, user="anna").status_code == 200
            open(self.fault, "w").close()  # armed
            cycles = 0
            while not self.fired() and cycles < MAX_CYCLES:
                self.cycle("cycle %d" % cycles, today)
                cycles += 1
            fired = self.fired()
            if not fired:
                return False
            if self.count == 0:  # a lasting fault: named while it lasts
                h = self.health()
                named = [f for f in h.get("faults", []) if any(w in f for w in STORAGE_WORDS)]
                if not named:
                    self.problems.append("the lasting %s fault is not in /api/health: %s" % (self.kind, h))
                if self.kind != "open":
                    r = self.s.post(d.url + "/api/tickets", json={"service": "guide", "handout": "screen"},
                                    timeout=15)
                    self.answers.append(("during", r.status_code, storage_message(r)))
                    if r.status_code < 500 or not storage_message(r):
                        self.problems.append("a ticket during the lasting fault: %d %s" % (r.status_code, r.text[:300]))
                    if r.status_code == 201:
                        t = r.json()["ticket"]
                        self.tickets[t["id"]] = t["code"]
                os.unlink(self.fault)  # cleared
            # Recovered: the same vuorod serves again, and says all is well.
            # A visit whose end failed is still open: end it first (or a
            # 4xx: none is — the fault may have hit a checkpoint, which no
            # request waits for), then the whole cycle must work.
            self.cleared = True
            self.failed = True
            r = self.req("after: end what is open", "POST", "/api/counters/1/end", {"outcome": "resolved"},
                         user="anna")
            if r:
                self.ended.add(r.json()["ticket"]["id"])
            self.failed = False
            self.cycle("after", today)
            h = self.health()
            named = [f for f in h.get("faults", []) if any(w in f for w in STORAGE_WORDS)]
            if named:
                self.problems.append("/api/health still names the cleared fault: %s" % named)
            return True
        except requests.RequestException:
            return True
        finally:
            rc = d.stop()
            if rc != 0:
                self.problems.append("vuorod ended %s on SIGTERM; stderr: %s"
                                     % (rc, open(d.stderr_path).read()[-2000:]))

    def check(self, before):
        """The database holds exactly what was acknowledged."""
        db = sqlite3.connect(self.d.db)
        try:
            ic = db.execute("PRAGMA integrity_check").fetchall()
            if ic != [("ok",)]:
                self.problems.append("integrity_check: %s" % ic[:5])
            rows = {i: (code, called_at) for i, code, called_at in
                    db.execute("SELECT id, code, called_at FROM tickets")}
            visits = {t for (t,) in db.execute("SELECT ticket FROM visits")}
            ratings = db.execute("SELECT count(*) FROM feedback").fetchone()[0]
        finally:
            db.close()
        new = {i: v for i, v in rows.items() if i not in before}
        lost = [c for i, c in self.tickets.items() if i not in rows or rows[i][0] != c]
        if lost:
            self.problems.append("acknowledged tickets lost: %s" % lost[:5])
        unacked = [v[0] for i, v in new.items() if i not in self.tickets]
        if unacked:
            self.problems.append("tickets stored though their answer was an error: %s" % unacked[:5])
        for i in self.called:
            if i not in rows or not rows[i][1]:
                self.problems.append("acknowledged call of ticket %s lost" % i)
        for i in self.ended:
            if i not in visits:
                self.problems.append("acknowledged end of ticket %s has no visit" % i)
        called = {i for i in new if rows[i][1]}
        if called - self.called:
            self.problems.append("calls stored though their answer was an error: %s" % sorted(called - self.called))
        if ratings != self.ratings:
            self.problems.append("%d ratings acknowledged, %d stored" % (self.ratings, ratings))
        return self.problems


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A database with the schema and the users, made once."""
    needs_shim()
    d = Daemon(str(tmp_path_factory.mktemp("iofault-template")), conf_with(UPLINK))
    for name in ("anna", "maija"):
        add_user(d.db, name, *USERS[name])
    d.start()
    assert d.stop() == 0
    return d.db


def plan():
    """(kind, N, errno, count) for this run."""
    if not LONG:
        p = [("write", n, "EIO", 0) for n in range(1, N + 1)]
        p += [("sync", n, "EIO", 0) for n in range(1, 11)]
        p += [("write", n, "ENOSPC", 0) for n in (1, 7, 20)]
        p += [("sync", 3, "ENOSPC", 1), ("write", 4, "EIO", 1), ("write", 9, "ENOSPC", 1)]  # one-off blips
        p += [("open", n, "EIO", 0) for n in (1, 2)] + [("open", 1, "ENOSPC", 1)]
        return p
    seed = int(os.environ.get("IOFAULT_SEED", str(int(time.time()))))
    print("io fault sample seed", seed)
    rng = random.Random(seed)
    p = []
    for kind in ("write", "sync", "open"):
        # (a cycle opens the database twice, for its report: MAX_CYCLES
        # reach about 120 opens)
        for n in range(1, (min(N, 120) if kind == "open" else N) + 1):
            p.append((kind, n, rng.choice(("EIO", "ENOSPC")), rng.choice((0, 0, 1))))
    for _ in range(SAMPLE):
        p.append((rng.choice(("write", "sync")), rng.randint(N + 1, 5 * N), rng.choice(("EIO", "ENOSPC")),
                  rng.choice((0, 1))))
    return p


def test_io_errors_are_reported_and_survived(template, workdir):
    needs_shim()
    before = set()
    with sqlite3.connect(template) as db:
        before = {i for (i,) in db.execute("SELECT id FROM tickets")}
    t0 = time.monotonic()
    tried = not_reached = 0
    by_kind = {}
    for kind, n, err, count in plan():
        run = Run(template, os.path.join(workdir, "run"), kind, n, err, count)
        fired = run.go()
        problems = run.check(before)
        assert not problems, "fault %s #%d %s (count %d): %s\nanswers: %s" % (
            kind, n, err, count, problems, run.answers)
        if fired:
            tried += 1
            by_kind[kind] = by_kind.get(kind, 0) + 1
        else:
            not_reached += 1
        if LONG and (tried + not_reached) % 50 == 0:
            print("… %d runs, %d faults tried, %.0f s" % (tried + not_reached, tried, time.monotonic() - t0),
                  flush=True)
    took = time.monotonic() - t0
    print("io faults: %d tried (%s), %d never reached by the scenario, %.1f s"
          % (tried, ", ".join("%s %d" % kv for kv in sorted(by_kind.items())), not_reached, took))
    assert tried, "no fault fired: the shim's fault mode does nothing"
    print("BENCH io_faults_tried=%d" % tried)
