# SPDX-License-Identifier: GPL-3.0-or-later
"""The transactional outbox (issue 15, item 1): with [uplink], every change
writes its record for the hub in its own transaction; without, none is
written.  Records carry codes, counts and times, never a name, a code that
identifies a person, a follow reference or free text.  SIGKILL between a
change and its record is impossible by construction: a kill loop proves
that every ticket and visit has its record and every record its row."""
import json
import os
import random
import shutil
import sqlite3
import threading
import time

import requests

from conftest import conf_with, make_daemon, wait_for

KILLS = int(os.environ.get("VUORO_OUTBOX_KILLS", "40"))

UPLINK = {
    ("uplink", "servers"): "tls://192.0.2.10:4222;tls://192.0.2.11:4222",
    ("uplink", "site"): "kuohu-1",
    ("uplink", "ca"): "/etc/vuoro/hub-ca.pem",
    ("uplink", "cert"): "/etc/vuoro/site.pem",
    ("uplink", "key"): "/etc/vuoro/site.key",
}


def outbox(db_path):
    with sqlite3.connect(db_path) as db:
        return [(i, k, at, json.loads(b), sent) for i, k, at, b, sent in
                db.execute("SELECT id, kind, at, body, sent_at FROM outbox ORDER BY id")]


def epoch(db_path):
    with sqlite3.connect(db_path) as db:
        return db.execute("SELECT value FROM meta WHERE key = 'epoch'").fetchone()[0]


def serve(d, counter, service, user, **end):
    t = d.post("/api/tickets", {"service": service, "lang": "fi", "handout": "screen"}).json()["ticket"]
    assert d.post(f"/api/counters/{counter}/call", {}, user=user).status_code == 200
    assert d.post(f"/api/counters/{counter}/start", {}, user=user).status_code == 200
    r = d.post(f"/api/counters/{counter}/end", dict({"outcome": "resolved"}, **end), user=user)
    assert r.status_code == 200, r.text
    return t


def test_no_uplink_no_records(daemon):
    daemon.post("/api/counters/1/open", {}, user="anna")
    serve(daemon, 1, "guide", "anna")
    daemon.post("/api/feedback", {"rating": 4, "counter": 1})
    assert daemon.stop() == 0
    assert outbox(daemon.db) == []
    assert len(epoch(daemon.db)) == 16
    daemon.start()


def test_every_change_has_its_record_and_none_names_anybody(workdir):
    d = make_daemon(workdir, conf_with(UPLINK))
    try:
        at = time.strftime("%Y-%m-%d %H:%M", time.localtime(time.time() + 600))
        r = d.post("/api/appointments", {"service": "guide", "at": at, "staff": "anna",
                                          "name": "Testi Henkilö"}, user="anna")
        assert r.status_code in (200, 201), r.text
        booking = r.json()["code"]
        assert d.post("/api/checkin", {"code": booking, "lang": "en"}).status_code in (200, 201)
        assert d.post("/api/counters/1/open", {}, user="anna").status_code == 200
        assert d.post("/api/counters/2/open", {}, user="bertil").status_code == 200
        serve(d, 1, "guide", "anna", category="neuvonta")
        serve(d, 2, "tax", "bertil")
        assert d.post("/api/feedback", {"rating": 5, "counter": 1}).json()["tied"] is True
        assert d.post("/api/tickets", {"service": "guide", "handout": "screen"}).status_code == 201
        assert d.post("/api/counters/1/call", {}, user="anna").status_code == 200
        assert d.post("/api/counters/1/start", {}, user="anna").status_code == 200
        r = d.post("/api/counters/1/transfer", {"service": "tax"}, user="anna")
        assert r.status_code == 200, r.text
        assert d.post("/api/counters/1/close", {}, user="anna").status_code == 200
        assert d.stop() == 0

        rows = outbox(d.db)
        kinds = [k for _, k, _, _, _ in rows]
        for kind in ("ticket.issued", "visit", "counter.opened", "counter.closed", "feedback"):
            assert kind in kinds, kinds
        assert "day.summary" not in kinds  # a first day has no day before it
        for i, kind, at_, body, sent in rows:
            assert body["v"] == 1 and body["seq"] == i and body["kind"] == kind and body["at"] == at_
            assert sent == 0  # nothing is sent before the uplink exists
        assert [r[0] for r in rows] == list(range(rows[0][0], rows[0][0] + len(rows)))
        with sqlite3.connect(d.db) as db:
            tickets = db.execute("SELECT id, ref, code FROM tickets").fetchall()
            visits = {v[0]: v for v in db.execute(
                "SELECT id, ticket, service, provider, counter, channel, outcome, ended_at FROM visits")}
        issued = sorted(b["ticket"] for _, k, _, b, _ in rows if k == "ticket.issued")
        assert issued == sorted(x[0] for x in tickets)
        assert {b["visit"]: (b["visit"], b["ticket"], b["service"], b["provider"], b["counter"],
                             b["channel"], b["outcome"], b["ended_at"])
                for _, k, _, b, _ in rows if k == "visit"} == visits
        served = [b for _, k, _, b, _ in rows if k == "visit" and b.get("category") == "neuvonta"]
        assert served and served[0]["provider"] == "kunta" and served[0]["channel"], served
        assert any(v[6] == "transferred" for v in visits.values()), visits  # a transfer's leg
        fb = [b for _, k, _, b, _ in rows if k == "feedback"][0]
        assert fb["tied"] is True and fb["rating"] == 5 and fb["service"] == "guide"
        # No name, booking code or follow reference anywhere in a record.
        text = "\n".join(json.dumps(b, ensure_ascii=False) for _, _, _, b, _ in rows)
        needles = ["anna", "bertil", "Testi", "Henkilö", booking] + [ref for _, ref, _ in tickets]
        found = [n for n in needles if n in text]
        assert not found, found
        d.start()
    finally:
        d.kill()


def test_sigkill_never_parts_a_change_from_its_record(workdir):
    seed = int(os.environ.get("VUORO_CRASH_SEED", str(int(time.time()))))
    rng = random.Random(seed)
    print("outbox crash test seed", seed)
    d = make_daemon(workdir, conf_with(UPLINK))
    auth = d.login("anna")
    assert d.post("/api/counters/1/open", user="anna").status_code == 200
    acked = set()

    def burst(stop, url):
        s = requests.Session()
        while not stop.is_set():
            try:
                op = rng.random()
                if op < 0.5:
                    r = s.post(url + "/api/tickets", json={"service": "guide"}, timeout=5)
                    if r.status_code == 201:
                        acked.add(r.json()["ticket"]["id"])
                elif op < 0.7:
                    s.post(url + "/api/counters/1/call", headers=auth, timeout=5)
                elif op < 0.9:
                    s.post(url + "/api/counters/1/end", headers=auth, timeout=5)
                else:
                    s.post(url + "/api/feedback", json={"rating": 3, "counter": 1}, timeout=5)
            except requests.RequestException:
                return

    try:
        for _ in range(KILLS):
            stop = threading.Event()
            th = threading.Thread(target=burst, args=(stop, d.url))
            th.start()
            time.sleep(rng.uniform(0.005, 0.05))
            d.kill()
            stop.set()
            th.join()
            d.start()
        assert d.stop() == 0
        rows = outbox(d.db)
        with sqlite3.connect(d.db) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            tickets = sorted(t for (t,) in db.execute("SELECT id FROM tickets"))
            visits = sorted(v for (v,) in db.execute("SELECT id FROM visits"))
            feedback = db.execute("SELECT count(*) FROM feedback").fetchone()[0]
        assert acked and acked <= set(tickets)
        assert sorted(b["ticket"] for _, k, _, b, _ in rows if k == "ticket.issued") == tickets
        assert sorted(b["visit"] for _, k, _, b, _ in rows if k == "visit") == visits
        assert sum(1 for r in rows if r[1] == "feedback") == feedback
        assert all(b["seq"] == i for i, _, _, b, _ in rows)
        print("outbox crash test: %d kills, %d tickets, %d visits, %d records" %
              (KILLS, len(tickets), len(visits), len(rows)))
        d.start()
    finally:
        d.kill()


def test_epoch_is_kept_and_new_after_a_restore(workdir):
    d = make_daemon(workdir, conf_with(UPLINK))
    try:
        d.post("/api/tickets", {"service": "guide"})
        r = d.get("/api/db/backup", user="admin1")
        assert r.status_code == 200, r.text
        backup = os.path.join(workdir, "backup.db")
        with open(backup, "wb") as f:
            f.write(r.content)
        d.post("/api/tickets", {"service": "guide"})
        assert d.stop() == 0
        first = epoch(d.db)
        d.start()
        assert d.stop() == 0
        assert epoch(d.db) == first  # a restart keeps it
        # The backup written over the live file (its inode stays): a new epoch.
        for suffix in ("-wal", "-shm"):
            if os.path.exists(d.db + suffix):
                os.unlink(d.db + suffix)
        with open(backup, "rb") as src, open(d.db, "r+b") as dst:
            dst.truncate(0)
            dst.write(src.read())
        d.start()
        assert d.stop() == 0
        second = epoch(d.db)
        assert second != first
        # A copy of the file put in its place (a new inode): new again.
        shutil.copyfile(d.db, d.db + ".copy")
        os.replace(d.db + ".copy", d.db)
        d.start()
        assert d.stop() == 0
        assert epoch(d.db) not in (first, second)
        d.start()
    finally:
        d.kill()


def test_sent_records_are_pruned_and_seq_never_reused(workdir):
    d = make_daemon(workdir, conf_with({**UPLINK, ("uplink", "keep-days"): "2"}))
    try:
        for _ in range(3):
            d.post("/api/tickets", {"service": "guide"})
        assert d.stop() == 0
        rows = outbox(d.db)
        last = rows[-1][0]
        old = int(time.time()) - 3 * 86400
        with sqlite3.connect(d.db) as db:
            # What the uplink will do: mark sent, here all long ago.
            db.execute("UPDATE outbox SET sent_at = ?", (old,))
        d.start()  # the prune runs at start and once a day
        wait_for(lambda: [r[0] for r in outbox(d.db)] == [last], what="the prune")
        d.post("/api/tickets", {"service": "guide"})
        assert d.stop() == 0
        after = outbox(d.db)
        # The newest row stays, so that the next seq follows it: never reused.
        assert [r[0] for r in after] == [last, last + 1], after
        assert after[1][3]["seq"] == last + 1
        d.start()
    finally:
        d.kill()
