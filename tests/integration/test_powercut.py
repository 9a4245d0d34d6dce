# SPDX-License-Identifier: GPL-3.0-or-later
"""Power cuts (issue 19, item 1): vuorod with SQLite behind a VFS that holds
every write in memory until it is synced (tests/powercut/vfs-cut.c,
LD_PRELOADed) is cut at random points of mixed traffic — issue, call,
start, end, no-show, feedback, outbox records — and what a power cut would
leave on disk is checked after each cut: PRAGMA integrity_check is ok,
every ticket whose HTTP answer was received exists with its number, no
number is issued twice in a day, no ticket that was never handed out was
called, every acknowledged call and end is there, and the outbox has every
ticket and finished visit exactly once.  A SIGKILL test cannot see a missing
fsync (the kernel keeps a killed process's writes); this one can, and
test_a_disk_that_drops_wal_syncs_is_caught proves it does.

POWERCUT_N cuts (default 20, make test); make test-long runs 1,000 and
prints BENCH power_cuts and power_cut_lost_tickets.  POWERCUT_SEED repeats a
run.  Plain build only: under ASan libasan must be the first object loaded,
so the shim is not preloaded into the ASan vuorod."""
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import threading
import time

import pytest
import requests
import websocket

from conftest import ROOT, VUOROD, Daemon, add_user, USERS, conf_with

VFSCUT_EXIT = 86  # tests/powercut/vfs-cut.c
N = int(os.environ.get("POWERCUT_N", "20"))
BUILD = os.path.abspath(os.environ.get("BUILD_DIR", os.path.join(ROOT, "build")))
SHIM = os.path.join(BUILD, "tests", "libvfscut.so")

UPLINK = {  # an uplink that never connects: every change writes its outbox record
    ("uplink", "servers"): "tls://192.0.2.10:4222",
    ("uplink", "site"): "kuohu-1",
    ("uplink", "ca"): "/etc/vuoro/hub-ca.pem",
    ("uplink", "cert"): "/etc/vuoro/site.pem",
    ("uplink", "key"): "/etc/vuoro/site.key",
}


class Acks:
    """What vuorod acknowledged over HTTP, over all runs."""

    def __init__(self):
        self.lock = threading.Lock()
        self.issued = {}  # ticket id -> code
        self.called = set()  # ticket ids
        self.ended = set()  # ticket ids whose visit ended
        self.feedback = 0
        self.sessions = set()  # booth sessions acknowledged as ringing
        self.sessions_ended = set()  # … and as ended by the expert


def traffic(url, auth, acks, rng, stop):
    """Mixed kiosk and counter traffic until vuorod is gone or @stop."""
    s = requests.Session()
    ops = 0
    while not stop.is_set():
        try:
            op = rng.random()
            counter = rng.choice((1, 2))
            h = auth[counter]
            if op < 0.4:
                # "printer": committed as issued, printed by the sim printer,
                # then handed out; "screen": the answer hands it out.
                r = s.post(url + "/api/tickets", json={"service": rng.choice(("guide", "tax")),
                                                       "handout": rng.choice(("screen", "printer"))},
                           timeout=5)
                if r.status_code == 201:
                    t = r.json()["ticket"]
                    with acks.lock:
                        acks.issued[t["id"]] = t["code"]
            elif op < 0.6:
                r = s.post(url + "/api/counters/%d/call" % counter, json={}, headers=h, timeout=5)
                if r.status_code == 200:
                    with acks.lock:
                        acks.called.add(r.json()["ticket"]["id"])
            elif op < 0.7:
                s.post(url + "/api/counters/%d/start" % counter, json={}, headers=h, timeout=5)
            elif op < 0.85:
                r = s.post(url + "/api/counters/%d/end" % counter, json={"outcome": "resolved"},
                           headers=h, timeout=5)
                if r.status_code == 200:
                    with acks.lock:
                        acks.ended.add(r.json()["ticket"]["id"])
            elif op < 0.92:
                s.post(url + "/api/counters/%d/noshow" % counter, json={}, headers=h, timeout=5)
            else:
                r = s.post(url + "/api/feedback", json={"rating": rng.randint(1, 5), "counter": counter},
                           timeout=5)
                if r.status_code in (200, 201):
                    with acks.lock:
                        acks.feedback += 1
            ops += 1
        except requests.RequestException:
            return ops
    return ops


def booth_traffic(url, auth, acks, stop):
    """An expert calls the booth and ends the session, again and again."""
    s = requests.Session()
    ops = 0
    ws = None
    try:
        ws = websocket.create_connection(url.replace("http://", "ws://") + "/api/signal",
                                         header=["Authorization: " + auth["Authorization"]], timeout=5)
        client = json.loads(ws.recv())["client"]
        while not stop.is_set():
            s.post(url + "/api/tickets", json={"service": "kela-video", "handout": "screen"}, timeout=5)
            r = s.post(url + "/api/expert/call", json={"client": client}, headers=auth, timeout=5)
            ops += 2
            if r.status_code != 201:
                continue
            sid = r.json()["session"]
            with acks.lock:
                acks.sessions.add(sid)
            r = s.post(url + "/api/sessions/%d/end" % sid, json={}, headers=auth, timeout=5)
            ops += 1
            if r.status_code == 200:
                with acks.lock:
                    acks.sessions_ended.add(sid)
            while True:  # the socket says the end too: read up to it
                m = json.loads(ws.recv())
                if m["type"] == "state" and m.get("state") == "ended":
                    break
    except (requests.RequestException, websocket.WebSocketException, OSError, ValueError):
        pass
    finally:
        if ws:
            ws.close()
    return ops


def snapshot(d, dest):
    """A copy of what is on disk now (the database, its WAL and journal; the
    -shm is rebuilt from the WAL), opened as any SQLite would after a reboot."""
    os.makedirs(dest, exist_ok=True)
    copy = os.path.join(dest, "vuoro.db")
    for suffix in ("", "-wal", "-journal"):
        if os.path.exists(copy + suffix):
            os.unlink(copy + suffix)
        if os.path.exists(d.db + suffix):
            shutil.copyfile(d.db + suffix, copy + suffix)
    return copy


def check(path, acks):
    """The problems in the database at @path, and the acknowledged tickets lost."""
    problems = []
    db = sqlite3.connect(path)
    try:
        ic = db.execute("PRAGMA integrity_check").fetchall()
        if ic != [("ok",)]:
            problems.append("integrity_check: %s" % ic[:5])
        rows = {r[0]: r[1:] for r in db.execute(
            "SELECT id, code, state, called_at, day, origin, number FROM tickets")}
        visits = {t for (t,) in db.execute("SELECT ticket FROM visits")}
        visit_ids = sorted(v for (v,) in db.execute("SELECT id FROM visits"))
        feedback = db.execute("SELECT count(*) FROM feedback").fetchone()[0]
        sessions = dict(db.execute("SELECT id, state FROM sessions"))
        outbox = db.execute("SELECT kind, json_extract(body, '$.ticket'), json_extract(body, '$.visit') "
                            "FROM outbox").fetchall()
    except sqlite3.DatabaseError as e:
        return problems + ["unreadable: %s" % e], None
    finally:
        db.close()
    with acks.lock:
        issued = dict(acks.issued)
        called = set(acks.called)
        ended = set(acks.ended)
        fb = acks.feedback
        rang = set(acks.sessions)
        hung_up = set(acks.sessions_ended)
    lost = sorted(i for i in issued if i not in rows)
    if lost:
        problems.append("%d acknowledged tickets lost, e.g. %s" % (len(lost), [issued[i] for i in lost[:5]]))
    voided = [issued[i] for i in issued if i in rows and rows[i][1] == "voided"]
    if voided:
        problems.append("acknowledged tickets voided as never handed out: %s" % voided[:5])
    wrong = [(issued[i], rows[i][0]) for i in issued if i in rows and rows[i][0] != issued[i]]
    if wrong:
        problems.append("acknowledged tickets with another number now: %s" % wrong[:5])
    seen = {}
    for i, (code, state, called_at, day, origin, number) in rows.items():
        if (day, origin, number) in seen:
            problems.append("number %s issued twice on day %s" % (code, day))
        seen[(day, origin, number)] = i
        if state in ("issued", "voided") and called_at:
            problems.append("ticket %s was never handed out but was called" % code)
    for i in called:
        # (a no-show puts a called ticket back in line: waiting again, called_at kept)
        if i not in rows or not rows[i][2] or rows[i][1] in ("issued", "voided"):
            problems.append("acknowledged call of ticket %s lost: %s" % (i, rows.get(i)))
    for i in ended:
        if i not in visits:
            problems.append("acknowledged end of ticket %s has no visit" % i)
    for i in rang:
        if i not in sessions:
            problems.append("acknowledged booth session %d lost" % i)
    for i in hung_up:
        if sessions.get(i) != "ended":
            problems.append("acknowledged end of booth session %d lost: %s" % (i, sessions.get(i)))
    if feedback < fb:
        problems.append("%d ratings acknowledged, %d stored" % (fb, feedback))
    out_tickets = sorted(t for k, t, _ in outbox if k == "ticket.issued")
    if out_tickets != sorted(rows):
        problems.append("outbox ticket.issued records %d, tickets %d" % (len(out_tickets), len(rows)))
    out_visits = sorted(v for k, _, v in outbox if k == "visit")
    if out_visits != visit_ids:
        problems.append("outbox visit records differ from the finished visits: %d records, %d visits"
                        % (len(out_visits), len(visit_ids)))
    if sum(1 for k, _, _ in outbox if k == "feedback") != feedback:
        problems.append("outbox feedback records differ from the ratings")
    return problems, len(lost)


class Cutter:
    """Runs vuorod under the shim, cut after cut, on one database."""

    def __init__(self, workdir, rng, extra_env=None):
        self.d = Daemon(workdir, conf_with(UPLINK))
        for name in ("anna", "bertil"):
            add_user(self.d.db, name, *USERS[name])
        subprocess.run([VUOROD, "--db", self.d.db, "--add-user", "eero", "--role", "expert",
                        "--provider", "kela"], input=USERS["eero"][1] + "\n", text=True, check=True,
                       capture_output=True)
        self.rng = rng
        self.extra_env = extra_env or {}
        self.acks = Acks()
        self.cuts = 0
        self.startup_cuts = 0
        self.ops = 0
        self.snap = os.path.join(workdir, "after-cut")
        self.tokens = {}
        self.problems = []
        self.dropped = 0  # cuts that dropped unsynced blocks (the shim says so on stderr)
        self.signalled = 0

    def env(self):
        e = dict(os.environ, LD_PRELOAD=SHIM, VFSCUT_DB=os.path.abspath(self.d.db),
                 VFSCUT_SEED=str(self.rng.randrange(1 << 30)))
        e.pop("ASAN_OPTIONS", None)
        # Half the cuts drop every unsynced block, half let a random share
        # of them reach the disk first (write-back before the power went).
        e["VFSCUT_KEEP"] = "0" if self.rng.random() < 0.5 else "%.2f" % self.rng.random()
        x = self.rng.random()
        if not self.cuts and not self.startup_cuts:
            # The first start creates the tables: cut it (a new board
            # whose power goes on its first boot).
            e["VFSCUT_AFTER"] = str(self.rng.randint(1, 12))
        elif x < 0.1:
            e["VFSCUT_AFTER"] = str(self.rng.randint(1, 40))  # soon after the start
        elif x < 0.6:
            e["VFSCUT_AFTER"] = str(self.rng.randint(40, 400))
        e.update(self.extra_env)
        return e

    def one(self):
        """Start, run traffic until the cut, wait for it; returns the exit status."""
        d = self.d
        d.env = self.env()
        err_at = os.path.getsize(d.stderr_path) if os.path.exists(d.stderr_path) else 0
        try:
            d.start()
        except RuntimeError:
            d.stderr.close()
            rc = d.proc.wait(timeout=30)
            d.proc.stdout.close()
            if rc == VFSCUT_EXIT:
                self.startup_cuts += 1
                self.count_cut(err_at)
                return rc
            raise
        stop = threading.Event()
        result = []
        try:
            # Logins are stored: a token acknowledged before a cut works after it.
            d.tokens = self.tokens
            auth = {}
            for counter, name in ((1, "anna"), (2, "bertil")):
                known = name in d.tokens
                r = d.post("/api/counters/%d/open" % counter, {}, user=name)
                if r.status_code == 401 and known:
                    self.problems.append("the acknowledged login of %s was lost" % name)
                    del d.tokens[name]
                    d.post("/api/counters/%d/open" % counter, {}, user=name)
                auth[counter] = d.login(name)
            # A booth session in a third of the runs: its first offer makes
            # the DTLS certificate (about a second).
            expert = d.login("eero") if self.rng.random() < 0.3 else None
        except (requests.RequestException, AssertionError):
            auth = None  # cut while logging in
        if auth:
            threads = [threading.Thread(target=lambda: result.append(
                traffic(d.url, auth, self.acks, random.Random(self.rng.random()), stop))) for _ in range(2)]
            if expert:
                threads.append(threading.Thread(target=lambda: result.append(
                    booth_traffic(d.url, expert, self.acks, stop))))
            for t in threads:
                t.start()
            if d.env.get("VFSCUT_AFTER", "0") == "0":
                time.sleep(self.rng.uniform(0.02, 0.6))
                d.proc.send_signal(signal.SIGUSR2)
        try:
            rc = d.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            d.proc.send_signal(signal.SIGUSR2)  # the write count was never reached
            rc = d.proc.wait(timeout=20)
        stop.set()
        if auth:
            for t in threads:
                t.join()
        self.ops += sum(result)
        d.proc.stdout.close()
        d.stderr.close()
        self.count_cut(err_at)
        return rc

    def count_cut(self, at):
        with open(self.d.stderr_path, "rb") as f:
            f.seek(at)
            for line in f.read().decode(errors="replace").splitlines():
                m = re.match(r"libvfscut: cut after \d+ writes and syncs: (\d+) blocks unsynced", line)
                if m and int(m.group(1)):
                    self.dropped += 1
                elif line.startswith("libvfscut: cut by SIGUSR2"):
                    self.signalled += 1

    def cut(self):
        t = time.monotonic()
        rc = self.one()
        if os.environ.get("POWERCUT_DEBUG"):
            print("run %d: %.2f s, env %s" % (self.cuts, time.monotonic() - t,
                                              {k: v for k, v in self.d.env.items() if k.startswith("VFSCUT")}))
        assert rc == VFSCUT_EXIT, "vuorod ended %s, not by a cut; stderr: %s" % (
            rc, open(self.d.stderr_path).read()[-3000:])
        self.cuts += 1
        problems, lost = check(snapshot(self.d, self.snap), self.acks)
        problems += self.problems
        self.problems = []
        return problems, lost


def needs_shim():
    if os.environ.get("VUORO_ASAN") == "1":
        pytest.skip("the power-cut shim is not preloaded under ASan (libasan must load first)")
    if not os.path.exists(SHIM):
        pytest.fail("%s is missing: run make all (it builds the power-cut VFS)" % SHIM)


def test_power_cuts_lose_no_acknowledged_ticket(workdir):
    needs_shim()
    seed = int(os.environ.get("POWERCUT_SEED", str(int(time.time()))))
    print("power cut seed", seed)
    c = Cutter(workdir, random.Random(seed))
    t0 = time.monotonic()
    lost_total = 0
    for i in range(N):
        problems, lost = c.cut()
        lost_total += lost or 0
        assert not problems, "after cut %d (seed %d): %s" % (i + 1, seed, problems)
    # vuorod itself recovers what the last cut left and ends cleanly.
    c.d.env = None
    c.d.start()
    assert c.d.stop() == 0
    problems, lost = check(c.d.db, c.acks)
    assert not problems, problems
    with sqlite3.connect(c.d.db) as db:
        assert db.execute("SELECT count(*) FROM tickets WHERE state = 'issued'").fetchone()[0] == 0
    took = time.monotonic() - t0
    assert c.acks.issued and c.acks.called and c.acks.ended, "the traffic acknowledged too little"
    print("power cuts: %d (%d while starting, %d by SIGUSR2 with unsynced blocks unknown, %d at a write "
          "count dropping unsynced blocks), %d requests, %d tickets, %d calls, %d ends, "
          "%d ratings, %d booth sessions rung and %d ended acknowledged, %.1f s"
          % (c.cuts, c.startup_cuts, c.signalled, c.dropped, c.ops, len(c.acks.issued), len(c.acks.called), len(c.acks.ended),
             c.acks.feedback, len(c.acks.sessions), len(c.acks.sessions_ended), took))
    print("BENCH power_cuts=%d" % c.cuts)
    print("BENCH power_cut_lost_tickets=%d" % lost_total)


def test_a_disk_that_drops_wal_syncs_is_caught(workdir):
    """The checker is not vacuous: with the WAL's fsync a no-op (as
    synchronous=NORMAL would leave it), a cut after traffic loses tickets
    that were acknowledged, and check() says so."""
    needs_shim()
    rng = random.Random(1)
    c = Cutter(workdir, rng, {"VFSCUT_UNSYNCED_WAL": "1", "VFSCUT_KEEP": "0", "VFSCUT_AFTER": "0"})
    found = []
    for _ in range(5):
        rc = c.one()
        assert rc == VFSCUT_EXIT, rc
        problems, lost = check(snapshot(c.d, c.snap), c.acks)
        if lost:
            found = problems
            break
    assert found, "a disk that never synced the WAL lost nothing: the power-cut test proves nothing"
    print("the broken disk was caught:", found[0])


SHIM_PROBE = r"""
import os, signal, sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA journal_mode = WAL")
db.execute("PRAGMA synchronous = FULL")
db.execute("CREATE TABLE t (x TEXT)")
db.execute("INSERT INTO t VALUES ('synced')")
db.execute("PRAGMA synchronous = OFF")  # commits without an fsync from here
db.execute("INSERT INTO t VALUES ('unsynced')")
print(",".join(x for (x,) in db.execute("SELECT x FROM t ORDER BY rowid")), flush=True)
os.kill(os.getpid(), signal.SIGUSR2)
"""


def test_the_shim_keeps_only_what_was_synced(workdir):
    """The shim itself, on Debian's Python (its sqlite3 module uses the same
    libsqlite3): a process sees its own unsynced commit, the cut loses it
    and keeps the synced one."""
    needs_shim()
    path = os.path.join(workdir, "probe.db")
    r = subprocess.run(["/usr/bin/python3", "-c", SHIM_PROBE, path], capture_output=True, text=True,
                       env=dict(os.environ, LD_PRELOAD=SHIM, VFSCUT_DB=path), timeout=30)
    assert r.returncode == VFSCUT_EXIT, (r.returncode, r.stderr)
    assert r.stdout.strip() == "synced,unsynced", r.stdout  # its own writes, before the cut
    assert not os.path.exists(path + "-shm")  # the cut took the shared-memory index too
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert [x for (x,) in db.execute("SELECT x FROM t ORDER BY rowid")] == ["synced"]
