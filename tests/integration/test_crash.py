# SPDX-License-Identifier: GPL-3.0-or-later
"""SIGKILL vuorod at random moments while tickets are issued and called,
200 times, restarting each time; then prove with SQLite itself that the
file is intact, no acknowledged ticket or call was lost and no number was
used twice."""
import os
import random
import sqlite3
import threading
import time

import requests

from conftest import make_daemon

KILLS = int(os.environ.get("VUORO_CRASH_KILLS", "200"))


def test_sigkill_at_random_moments(workdir):
    seed = int(os.environ.get("VUORO_CRASH_SEED", str(int(time.time()))))
    rng = random.Random(seed)
    print("crash test seed", seed)
    d = make_daemon(workdir)
    status = d.get("/api/status").json()
    counter = next(c for c in status["counters"] if c["kind"] == "counter" and c["profile"])
    service = counter["profile"][0]
    auth = d.login("anna")
    assert d.post("/api/counters/%d/open" % counter["id"], user="anna").status_code == 200

    issued = {}  # id -> code, acknowledged
    called = set()  # ids acknowledged as called
    ended = set()  # ids acknowledged as done
    lock = threading.Lock()

    def burst(stop, url):
        s = requests.Session()
        while not stop.is_set():
            try:
                op = rng.random()
                if op < 0.6:
                    r = s.post(url + "/api/tickets", json={"service": service}, timeout=5)
                    if r.status_code == 201:
                        t = r.json()["ticket"]
                        with lock:
                            issued[t["id"]] = t["code"]
                elif op < 0.8:
                    r = s.post(url + "/api/counters/%d/call" % counter["id"], headers=auth, timeout=5)
                    if r.status_code == 200:
                        with lock:
                            called.add(r.json()["ticket"]["id"])
                else:
                    r = s.post(url + "/api/counters/%d/end" % counter["id"], headers=auth, timeout=5)
                    if r.status_code == 200:
                        with lock:
                            ended.add(r.json()["ticket"]["id"])
            except requests.RequestException:
                return

    for i in range(KILLS):
        stop = threading.Event()
        th = threading.Thread(target=burst, args=(stop, d.url))
        th.start()
        time.sleep(rng.uniform(0.001, 0.03))
        d.kill()
        stop.set()
        th.join()
        d.start()

    assert d.stop() == 0
    assert issued, "no ticket was acknowledged"
    db = sqlite3.connect(d.db)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = {r[0]: r[1:] for r in db.execute("SELECT id, code, state, called_at, day, origin, number FROM tickets")}
    lost = [i for i in issued if i not in rows]
    assert not lost, "acknowledged tickets lost: %s" % lost[:10]
    for i, code in issued.items():
        assert rows[i][0] == code
    for i in called:
        assert rows[i][2], "acknowledged call of %s lost" % rows[i][0]
        assert rows[i][1] not in ("waiting", "issued"), rows[i]
    for i in ended:
        assert rows[i][1] == "done", rows[i]
    dup = db.execute("SELECT day, origin, number, count(*) FROM tickets GROUP BY day, origin, number "
                     "HAVING count(*) > 1").fetchall()
    assert not dup, dup
    # Every ticket that was never handed out was voided, never called.
    assert db.execute("SELECT count(*) FROM tickets WHERE state = 'issued'").fetchone()[0] == 0
    print("crash test: %d kills, %d tickets, %d calls, %d ends acknowledged" % (KILLS, len(issued), len(called), len(ended)))
