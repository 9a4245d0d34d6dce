# SPDX-License-Identifier: GPL-3.0-or-later
"""A full disk and a read-only database: the command fails with a clear
error, the daemon keeps serving, nothing committed is lost.  Uses a real
small tmpfs (needs root, as CI has)."""
import os
import sqlite3
import subprocess


from conftest import Daemon, USERS, add_user, sim_text


def start_on(path, workdir):
    d = Daemon(workdir, sim_text())
    d.db = os.path.join(path, "vuoro.db")
    add_user(d.db, "anna", *USERS["anna"])
    return d.start()


def test_full_disk(small_fs, workdir):
    d = start_on(small_fs, workdir)
    try:
        service = d.get("/api/status").json()["services"][0]["code"]
        d.login("anna")  # health's details are for staff: log in while there is room
        ok = []
        for _ in range(20):
            r = d.post("/api/tickets", {"service": service})
            assert r.status_code == 201
            ok.append(r.json()["ticket"]["code"])
        # Fill the disk to the last byte (unbuffered: every byte that fits is written).
        filler = os.path.join(small_fs, "filler")
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
        for size in (65536, 4096, 512, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                pass
        os.close(fd)
        refused = None
        for _ in range(200):
            r = d.post("/api/tickets", {"service": service})
            if r.status_code != 201:
                refused = r
                break
            ok.append(r.json()["ticket"]["code"])
        assert refused is not None, "the disk never filled"
        assert refused.status_code == 507 and refused.json()["error"] == "disk_full", refused.text
        assert "free" in refused.json()["message"]
        # Still serving reads.
        assert d.get("/api/status").status_code == 200
        # Health names the disk and what to do.
        h = d.get("/api/health", user="anna").json()
        assert h["status"] == "degraded" and h["disk"]["ok"] is False, h
        assert "MB free" in h["disk"]["message"] and "remove" in h["disk"]["message"], h
        # Space back: it works again, and nothing acknowledged was lost.
        os.unlink(filler)
        r = d.post("/api/tickets", {"service": service})
        assert r.status_code == 201, r.text
        ok.append(r.json()["ticket"]["code"])
        assert d.stop() == 0
        db = sqlite3.connect(d.db)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {row[0] for row in db.execute("SELECT code FROM tickets")}
        assert set(ok) <= stored
        assert len(ok) == len(set(ok))
    finally:
        d.kill()


def test_read_only_database(small_fs, workdir):
    """The kernel remounted the database's file system read-only (as ext4
    does after errors): vuorod still starts and serves what can be read,
    refuses changes with a clear error, and works again once writable."""
    d = start_on(small_fs, workdir)
    try:
        service = d.get("/api/status").json()["services"][0]["code"]
        first = d.post("/api/tickets", {"service": service}).json()["ticket"]
        assert d.stop() == 0
        subprocess.run(["mount", "-o", "remount,ro", small_fs], check=True)
        d.start()
        s = d.get("/api/status").json()
        assert next(x for x in s["services"] if x["code"] == service)["waiting"] == 1
        r = d.post("/api/tickets", {"service": service})
        assert r.status_code == 503 and r.json()["error"] == "read_only", r.text
        assert "read-only" in r.json()["message"]
        assert d.get("/api/health").status_code == 200
        assert d.stop() == 0
        subprocess.run(["mount", "-o", "remount,rw", small_fs], check=True)
        d.start()
        r = d.post("/api/tickets", {"service": service})
        assert r.status_code == 201, r.text
        assert int(r.json()["ticket"]["code"][1:]) == int(first["code"][1:]) + 1
        assert d.stop() == 0
    finally:
        subprocess.run(["mount", "-o", "remount,rw", small_fs])
        d.kill()
