# SPDX-License-Identifier: GPL-3.0-or-later
"""A full disk and a read-only database: the command fails with a clear
error, the daemon keeps serving, nothing committed is lost.  Uses a real
small tmpfs (needs root, as CI has)."""
import os
import shutil
import sqlite3
import subprocess

import pytest

from conftest import Daemon, SIM_CONF, USERS, add_user


@pytest.fixture
def small_fs(workdir):
    mnt = os.path.join(workdir, "mnt")
    os.mkdir(mnt)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", mnt], capture_output=True)
    if r.returncode != 0:
        pytest.skip("cannot mount a tmpfs here: " + r.stderr.decode())
    yield mnt
    subprocess.run(["umount", "-l", mnt])


def start_on(path, workdir):
    d = Daemon(workdir, open(SIM_CONF, encoding="utf-8").read())
    d.db = os.path.join(path, "vuoro.db")
    add_user(d.db, "anna", *USERS["anna"])
    return d.start()


def test_full_disk(small_fs, workdir):
    d = start_on(small_fs, workdir)
    try:
        service = d.get("/api/status").json()["services"][0]["code"]
        ok = []
        for _ in range(20):
            r = d.post("/api/tickets", {"service": service})
            assert r.status_code == 201
            ok.append(r.json()["ticket"]["code"])
        # Fill the disk to the last byte.
        filler = os.path.join(small_fs, "filler")
        with open(filler, "wb") as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError:
                pass
            try:
                while True:
                    f.write(b"\0" * 512)
                    f.flush()
            except OSError:
                pass
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
        assert d.get("/api/health").json()["status"] == "ok"
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
    d = start_on(small_fs, workdir)
    try:
        service = d.get("/api/status").json()["services"][0]["code"]
        first = d.post("/api/tickets", {"service": service}).json()["ticket"]
        subprocess.run(["mount", "-o", "remount,ro", small_fs], check=True)
        r = d.post("/api/tickets", {"service": service})
        assert r.status_code in (503, 500) and r.json()["error"] in ("read_only", "internal"), r.text
        assert "read-only" in r.json()["message"] or "read only" in r.json()["message"]
        s = d.get("/api/status").json()
        assert next(x for x in s["services"] if x["code"] == service)["waiting"] == 1
        subprocess.run(["mount", "-o", "remount,rw", small_fs], check=True)
        r = d.post("/api/tickets", {"service": service})
        assert r.status_code == 201, r.text
        assert int(r.json()["ticket"]["code"][1:]) == int(first["code"][1:]) + 1
        assert d.stop() == 0
    finally:
        subprocess.run(["mount", "-o", "remount,rw", small_fs])
        d.kill()
