# SPDX-License-Identifier: GPL-3.0-or-later
"""A booth session shows nothing it could not store: with the disk full, the
expert's message and document camera are refused with a clear error and
the booth's view (what the booth screen draws) keeps what was stored; with
room again they go through.  A real vuorod on a real small tmpfs (needs
root, as CI has), the expert's signalling socket as the expert page holds
it."""
import json
import os
import sqlite3
import subprocess

import pytest
import websocket

from conftest import Daemon, USERS, VUOROD, add_user, sim_text, wait_for


@pytest.fixture
def small_fs(workdir):
    mnt = os.path.join(workdir, "mnt")
    os.mkdir(mnt)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", mnt], capture_output=True)
    if r.returncode != 0:
        pytest.skip("cannot mount a tmpfs here: " + r.stderr.decode())
    yield mnt
    subprocess.run(["umount", "-l", mnt])


def fill(path):
    """Fills the file system of @path to the last byte; returns the filler."""
    filler = os.path.join(path, "filler")
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    for size in (65536, 4096, 512, 1):
        try:
            while True:
                os.write(fd, b"\0" * size)
        except OSError:
            pass
    os.close(fd)
    return filler


def messages_until(ws, kind, timeout=20):
    """The signalling messages up to the first of type @kind."""
    ws.settimeout(timeout)
    got = []
    while True:
        m = json.loads(ws.recv())
        got.append(m)
        if m["type"] == kind:
            return got


def test_booth_session_shows_only_what_is_stored(small_fs, workdir):
    d = Daemon(workdir, sim_text())
    d.db = os.path.join(small_fs, "vuoro.db")
    subprocess.run([VUOROD, "--db", d.db, "--add-user", "eero", "--role", "expert",
                    "--provider", "kela"], input=USERS["eero"][1] + "\n", text=True, check=True,
                   capture_output=True)
    d.start()
    ws = None
    filler = None
    try:
        ws = websocket.create_connection(d.url.replace("http://", "ws://") + "/api/signal",
                                         header=["Authorization: " + d.login("eero")["Authorization"]],
                                         timeout=10)
        hello = json.loads(ws.recv())
        assert hello["type"] == "hello", hello
        assert d.post("/api/tickets", {"service": "kela-video"}).status_code == 201
        r = d.post("/api/expert/call", {"client": hello["client"]}, user="eero")
        assert r.status_code == 201, r.text
        sid = r.json()["session"]
        got = messages_until(ws, "offer")
        states = [m["state"] for m in got if m["type"] == "state"]
        # Ringing is stored and said before the offer goes out.
        assert states == ["waiting", "ringing"], got

        def session():
            return d.get("/api/booths").json()["booths"][0]["session"]

        assert session()["state"] == "ringing"
        r = d.post(f"/api/sessions/{sid}/message", {"text": "stored"}, user="eero")
        assert r.status_code == 200, r.text
        assert session()["message"]["text"] == "stored"

        filler = fill(small_fs)
        refused = None
        for i in range(300):
            r = d.post(f"/api/sessions/{sid}/message", {"text": "m%d" % i}, user="eero")
            if r.status_code != 200:
                refused = (i, r)
                break
        assert refused is not None, "the disk never filled"
        i, r = refused
        assert r.status_code == 507 and r.json()["error"] == "disk_full", r.text
        assert "full" in r.json()["message"]
        s = session()
        assert s["message"]["text"] == ("m%d" % (i - 1) if i else "stored"), s
        assert s["state"] == "ringing"
        r = d.post(f"/api/sessions/{sid}/document", {"on": True}, user="eero")
        assert r.status_code == 507, r.text
        assert session()["document"] is False

        os.unlink(filler)
        filler = None
        r = d.post(f"/api/sessions/{sid}/message", {"text": "again"}, user="eero")
        assert r.status_code == 200, r.text
        assert session()["message"]["text"] == "again"
        assert d.post(f"/api/sessions/{sid}/document", {"on": True}, user="eero").status_code == 200
        assert session()["document"] is True
        r = d.post(f"/api/sessions/{sid}/end", {}, user="eero")
        assert r.status_code == 200, r.text
        got = messages_until(ws, "state")
        assert got[-1]["state"] == "ended" and got[-1]["reason"] == "expert_ended", got
        with sqlite3.connect(d.db) as db:
            texts = [t for (t,) in db.execute(
                "SELECT detail FROM session_events WHERE session = ? AND event = 'message' "
                "ORDER BY id", (sid,))]
            row = db.execute("SELECT state, end_reason FROM sessions WHERE id = ?", (sid,)).fetchone()
        # Every message shown was stored, the refused one never.
        assert texts == ["stored"] + ["m%d" % k for k in range(i)] + ["again"], texts
        assert row == ("ended", "expert_ended")
        assert d.stop() == 0
    finally:
        if filler:
            os.unlink(filler)
        if ws:
            ws.close()
        d.kill()
