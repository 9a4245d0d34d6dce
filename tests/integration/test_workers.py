# SPDX-License-Identifier: GPL-3.0-or-later
"""Nothing slow on the loop: reports, the integrity check and the backup run
on worker threads with read-only connections of their own, every Argon2 hash
and check on a pool of two threads, imports in one transaction.

The loop's answer is /api/status: while a year's report, a backup or an
integrity check runs, it keeps answering in a small part of the time the job
takes (before, it waited for the whole job)."""
import itertools
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
import requests

from conftest import ASAN, ROOT, VUOROD, make_daemon, wait_for

VISITS = 150000


@pytest.fixture(scope="module")
def year_db(tmp_path_factory):
    """A generated year of visits (tools/gen-visits.py), made once."""
    db = str(tmp_path_factory.mktemp("year") / "year.db")
    subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen-visits.py"), "--db", db,
                    "--visits", str(VISITS), "--seed", "3", "--year", "2025", "--vuorod", VUOROD,
                    "--force"], check=True, capture_output=True)
    return db


@pytest.fixture
def year_daemon(workdir, year_db):
    """vuorod on a copy of the year."""
    shutil.copy(year_db, os.path.join(workdir, "vuoro.db"))
    d = make_daemon(workdir)
    yield d
    assert d.stop() == 0, open(d.stderr_path).read()[-3000:]


def proc_status(pid, key):
    for line in open("/proc/%d/status" % pid):
        if line.startswith(key + ":"):
            return int(line.split()[1])  # kB
    raise KeyError(key)


def while_running(daemon, path, user):
    """GET @path as @user; meanwhile /api/status again and again on a kept-alive
    connection.  Returns (response, seconds it took, status latencies)."""
    headers = daemon.login(user)
    out = {}
    done = threading.Event()

    def job():
        t0 = time.monotonic()
        out["r"] = requests.get(daemon.url + path, headers=headers, timeout=120)
        out["dt"] = time.monotonic() - t0
        done.set()

    s = requests.Session()
    s.get(daemon.url + "/api/status", timeout=10)  # the connection is open
    th = threading.Thread(target=job)
    th.start()
    lat = []
    while not done.is_set():
        t0 = time.monotonic()
        assert s.get(daemon.url + "/api/status", timeout=30).status_code == 200
        lat.append(time.monotonic() - t0)
    th.join()
    return out["r"], out["dt"], lat


@pytest.mark.parametrize("path,user", [
    ("/api/report?from=2025-01-01&to=2026-01-01&period=day", "maija"),
    ("/api/report?from=2025-01-01&to=2026-01-01", "maija"),
    ("/api/db/backup", "admin1"),
    ("/api/db/check", "tech"),
])
def test_loop_answers_while_a_job_runs(year_daemon, path, user):
    r, dt, lat = while_running(year_daemon, path, user)
    assert r.status_code == 200, r.text[:300]
    assert len(lat) >= 3, "only %d status answers in the %.3f s of the job: %s" % (len(lat), dt, lat)
    # On the loop, a status asked just after the job began waited for all of it.
    # A sanitized vuorod (make test-asan, test-tsan) answers everything 5-15x
    # slower: 1.5 s there, still a fraction of the job's own time.
    assert max(lat) < min(max(0.5 * dt, 0.05), 1.5 if ASAN else 0.3), \
        "/api/status took up to %.3f s while %s took %.3f s" % (max(lat), path, dt)


def test_backups_are_whole_and_leave_nothing_behind(year_daemon, workdir):
    d = year_daemon
    pid = d.proc.pid
    services = [s["code"] for s in d.get("/api/status").json()["services"] if s["open"]]
    s = requests.Session()
    s.headers.update(d.login("admin1"))
    k = requests.Session()  # one connection: fds must not grow by the client's
    rss, fds = [], []
    for i in range(5):
        # Tickets drawn while the backup runs: the copy is the database as it
        # was when the backup began, whole.
        stop = threading.Event()
        refused = []  # a thread's assert would only warn: the test checks this list

        def issue():
            # Over every open line, leaving one that is full (a line's own
            # limit, or its 999 numbers of the day: a slow backup on a busy
            # machine sees many tickets); any other refusal is a failure.
            lines = list(services)
            for n in itertools.count():
                if stop.is_set():
                    return
                service = lines[n % len(lines)]
                r = k.post(d.url + "/api/tickets", json={"service": service})
                if r.status_code == 409 and r.json().get("error") == "full" and len(lines) > 1:
                    lines.remove(service)
                elif r.status_code != 201:
                    refused.append("%d %s" % (r.status_code, r.text[:300]))
                    return

        th = threading.Thread(target=issue)
        th.start()
        r = s.get(d.url + "/api/db/backup", timeout=120)
        stop.set()
        th.join()
        assert not refused, "a ticket drawn during the backup was refused: %s" % refused
        assert r.status_code == 200 and r.headers["content-type"] == "application/vnd.sqlite3"
        path = os.path.join(workdir, "backup-%d.db" % i)
        with open(path, "wb") as f:
            f.write(r.content)
        con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("SELECT count(*) FROM visits").fetchone()[0] >= VISITS
        con.close()
        os.unlink(path)
        # The answer sent, its mapped copy is gone (it stayed mapped before).
        wait_for(lambda: "vuoro-backup" not in open("/proc/%d/maps" % pid).read(),
                 what="the backup's mapping to go")
        rss.append((proc_status(pid, "VmRSS"), proc_status(pid, "RssFile") + proc_status(pid, "RssShmem")))
        fds.append(len(os.listdir("/proc/%d/fd" % pid)))
    assert fds[-1] <= fds[0] + 2, fds
    # Each backup used to keep the whole database mapped: +1 database of
    # file pages per backup.  (ASan's quarantine makes the anonymous part
    # grow for a while: its total is checked without ASan only.)
    assert rss[-1][1] < rss[0][1] + 30 * 1024, "RSS, file pages: %s kB over 5 backups" % rss
    if not ASAN:
        assert rss[-1][0] < rss[0][0] + 30 * 1024, "RSS: %s kB over 5 backups" % rss


def test_import_is_one_transaction(daemon):
    status = daemon.get("/api/status").json()
    service = [s["code"] for s in status["services"] if s["open"]][0]
    headers = dict(daemon.login("maija"), **{"Content-Type": "text/csv"})
    rows = ["code,service,start,duration_min,staff,name"]
    rows += ["TX%04d,%s,2030-01-15 10:%02d,30,anna,Person %d" % (i, service, i % 60, i) for i in range(200)]
    rows.append("TXBOOM,%s,2030-01-15 11:00,30,anna,Boom" % service)
    csv = "\r\n".join(rows) + "\r\n"
    # A row the database itself refuses, after 200 good ones.
    con = sqlite3.connect(daemon.db, timeout=10)
    con.execute("CREATE TRIGGER refuse_boom BEFORE INSERT ON appointments WHEN NEW.name = 'Boom' "
                "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")
    con.commit()
    r = requests.post(daemon.url + "/api/appointments/import", data=csv.encode(), headers=headers)
    assert r.status_code >= 400, r.text
    assert "nothing was imported" in r.json()["message"], r.text
    assert con.execute("SELECT count(*) FROM appointments WHERE code LIKE 'TX%'").fetchone()[0] == 0
    con.execute("DROP TRIGGER refuse_boom")
    con.commit()
    r = requests.post(daemon.url + "/api/appointments/import", data=csv.encode(), headers=headers)
    assert r.status_code == 200 and r.json() == {"added": 201, "skipped_existing": 0}, r.text
    r = requests.post(daemon.url + "/api/appointments/import", data=csv.encode(), headers=headers)
    assert r.status_code == 200 and r.json() == {"added": 0, "skipped_existing": 201}, r.text
    assert con.execute("SELECT count(*) FROM appointments WHERE code LIKE 'TX%'").fetchone()[0] == 201
    con.close()


def test_argon2_is_bounded(daemon):
    """60 wrong logins at once used to run 60 Argon2 checks of 64 MiB at once
    (RSS 954 MB); on a pool of two they wait their turn."""
    pid = daemon.proc.pid
    n = 60
    barrier = threading.Barrier(n + 1)
    codes = []
    lock = threading.Lock()

    def login(i):
        barrier.wait()
        for _ in range(20):  # GLib's listen backlog is 10: a connection may be refused
            try:
                r = requests.post(daemon.url + "/api/login",
                                  json={"user": "anna", "password": "wrong-%d" % i}, timeout=120)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        with lock:
            codes.append(r.status_code)

    threads = [threading.Thread(target=login, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    admin = daemon.login("admin1")
    s = requests.Session()  # connected before the flood fills the listen backlog
    assert s.get(daemon.url + "/api/status", timeout=10).status_code == 200
    barrier.wait()
    # While the checks queue, the loop answers, and an admin's new user (a
    # hash on the same pool) is made in its turn.
    t0 = time.monotonic()
    assert s.get(daemon.url + "/api/status", timeout=10).status_code == 200
    status_s = time.monotonic() - t0
    r = s.post(daemon.url + "/api/users", json={"name": "newbie", "role": "advisor",
                                                "password": "newbie-pass-123"},
               headers=admin, timeout=120)
    assert r.status_code == 201, r.text
    for t in threads:
        t.join()
    assert sorted(set(codes)) in ([401], [401, 429]), codes
    # The login throttle (per address and user) answers most of the flood
    # with 429 before any Argon2; those it lets through run on the pool.
    assert codes.count(401) >= 1
    hwm_mb = proc_status(pid, "VmHWM") / 1024
    # (A sanitizer's shadow memory is not vuorod's: checked without one.)
    assert ASAN or hwm_mb < 250, "peak RSS %.0f MB under %d parallel logins" % (hwm_mb, n)
    assert status_s < 0.5, "/api/status took %.3f s under a login flood" % status_s
    con = sqlite3.connect(daemon.db)
    assert con.execute("SELECT hash FROM users WHERE name = 'newbie'").fetchone()[0].startswith("$argon2id$")
    con.close()


def test_users_hashed_on_the_pool(daemon):
    admin = daemon.login("admin1")
    r = requests.post(daemon.url + "/api/users", json={"name": "newbie", "role": "advisor",
                                                       "password": "newbie-pass-123"}, headers=admin)
    assert r.status_code == 201 and r.json()["name"] == "newbie", r.text
    r = requests.post(daemon.url + "/api/users", json={"name": "short", "role": "advisor",
                                                       "password": "short"}, headers=admin)
    assert r.status_code == 400 and "characters" in r.json()["message"], r.text
    r = requests.post(daemon.url + "/api/login", json={"user": "newbie", "password": "newbie-pass-123"})
    assert r.status_code == 200, r.text
    h = {"Authorization": "Bearer " + r.json()["token"]}
    r = requests.post(daemon.url + "/api/users/newbie/password", json={"password": "newbie-pass-456"},
                      headers=h)
    assert r.status_code == 400 and r.json()["error"] == "old_password_required", r.text
    r = requests.post(daemon.url + "/api/users/newbie/password",
                      json={"password": "newbie-pass-456", "old": "not-the-old-one"}, headers=h)
    assert r.status_code == 403 and r.json()["error"] == "wrong_password", r.text
    r = requests.post(daemon.url + "/api/users/newbie/password",
                      json={"password": "newbie-pass-456", "old": "newbie-pass-123"}, headers=h)
    assert r.status_code == 200 and r.json() == {"name": "newbie", "ok": True}, r.text
    r = requests.post(daemon.url + "/api/login", json={"user": "newbie", "password": "newbie-pass-456"})
    assert r.status_code == 200, r.text
    r = requests.post(daemon.url + "/api/users/nobody/password", json={"password": "nobody-pass-456"},
                      headers=admin)
    assert r.status_code == 404, r.text
