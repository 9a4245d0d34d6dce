# SPDX-License-Identifier: GPL-3.0-or-later
"""A booth session shows nothing it could not store: with the disk full, the
expert's message, document camera and end are refused with a clear error
and the booth's view (what the booth screen draws) keeps what was stored;
with room again they go through.  An end that cannot wait (the ring timer)
still ends the session, says it was not recorded, and the next start
closes its row.  A real vuorod on a real small tmpfs (needs root, as CI
has), the expert's signalling socket as the expert page holds it."""
import json
import os
import sqlite3
import subprocess

import websocket

from conftest import Daemon, USERS, VUOROD, conf_with, sim_text


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


def start_with_expert(path, workdir, conf_text):
    d = Daemon(workdir, conf_text)
    d.db = os.path.join(path, "vuoro.db")
    subprocess.run([VUOROD, "--db", d.db, "--add-user", "eero", "--role", "expert",
                    "--provider", "kela"], input=USERS["eero"][1] + "\n", text=True, check=True,
                   capture_output=True)
    return d.start()


def call(d):
    """The expert's socket and a session ringing on it: (ws, session id)."""
    ws = websocket.create_connection(d.url.replace("http://", "ws://") + "/api/signal",
                                     header=["Authorization: " + d.login("eero")["Authorization"]],
                                     timeout=10)
    hello = json.loads(ws.recv())
    assert hello["type"] == "hello", hello
    assert d.post("/api/tickets", {"service": "kela-video"}).status_code == 201
    r = d.post("/api/expert/call", {"client": hello["client"]}, user="eero")
    assert r.status_code == 201, r.text
    got = messages_until(ws, "offer")
    states = [m["state"] for m in got if m["type"] == "state"]
    # Ringing is stored and said before the offer goes out.
    assert states == ["waiting", "ringing"], got
    return ws, r.json()["session"]


def booth(d):
    return d.get("/api/booths").json()["booths"][0]


def test_booth_session_shows_only_what_is_stored(small_fs, workdir):
    d = start_with_expert(small_fs, workdir, sim_text())
    ws = None
    filler = None
    try:
        ws, sid = call(d)

        def session():
            return booth(d)["session"]

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
        # The expert's end: refused, the session goes on as it was.
        r = d.post(f"/api/sessions/{sid}/end", {}, user="eero")
        assert r.status_code == 507 and "full" in r.json()["message"], r.text
        assert session()["state"] == "ringing"

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
        err = open(d.stderr_path).read()
        assert "AddressSanitizer" not in err and "runtime error" not in err, err[-3000:]
    finally:
        if filler:
            os.unlink(filler)
        if ws:
            ws.close()
        d.kill()


def test_an_end_that_cannot_wait_says_it_was_not_recorded(small_fs, workdir):
    d = start_with_expert(small_fs, workdir, conf_with({("webrtc", "ring-seconds"): "3"}))
    ws = None
    filler = None
    try:
        ws, sid = call(d)
        filler = fill(small_fs)
        # Nobody answers: the ring timer ends the session, stored or not.
        got = messages_until(ws, "state")
        end = got[-1]
        assert end["state"] == "ended" and end["reason"] == "no_answer", got
        assert "not recorded" in end["error"] and "full" in end["error"], end
        b = booth(d)
        assert "session" not in b and b["last"]["reason"] == "no_answer", b
        os.unlink(filler)
        filler = None
        assert d.stop() == 0
        with sqlite3.connect(d.db) as db:
            assert db.execute("SELECT state FROM sessions WHERE id = ?", (sid,)).fetchone() != ("ended",)
        d.start()
        with sqlite3.connect(d.db) as db:
            row = db.execute("SELECT state, end_reason, error FROM sessions WHERE id = ?",
                             (sid,)).fetchone()
        assert row == ("ended", "error", "vuorod restarted during the session"), row
        # The ticket the session could not hand back is in line again.
        kela = next(x for x in d.get("/api/status").json()["services"] if x["code"] == "kela-video")
        assert kela["waiting"] == 1, kela
        assert d.stop() == 0
        err = open(d.stderr_path).read()
        assert "AddressSanitizer" not in err and "runtime error" not in err, err[-3000:]
    finally:
        if filler:
            os.unlink(filler)
        if ws:
            ws.close()
        d.kill()
