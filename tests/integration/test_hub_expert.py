# SPDX-License-Identifier: GPL-3.0-or-later
"""The experts' workplace at the hub (issue 16, experts-contract.md "Hub: experts").

Real peers: the region's broker (one nats-server, TLS, users by certificate),
PostgreSQL, vuoro-hub.  The sites are played by the NATS project's own
JavaScript client (tests/fleet/natsctl.mjs) with each site's certificate: it
puts their live states into the bucket and answers their command subjects
(`serve`), so the hub's side is checked against the contract's wire: roles,
the provider's queue from the live states, "call next" picking the
longest-waiting customer at a site with a free booth and falling back when
that site refuses, 504 when a site does not answer, presence, TURN
credentials (coturn's HMAC), signalling to the right socket only, peer-gone
when a socket closes."""
import base64
import hashlib
import hmac
import json
import os
import queue
import struct
import subprocess
import threading
import time

import pytest
import websocket

from conftest import wait_for
from fleet import NATSCTL
from hubweb import DB_ROLE, HubWeb
from pg import Postgres
from test_hub_ingest import Broker

TURN_SECRET = "coturn-static-auth-secret-1"
TURN_TTL = 600


@pytest.fixture
def hub(workdir, request):
    pg = Postgres(workdir)
    pg.psql("CREATE ROLE %s LOGIN; GRANT ALL ON SCHEMA public TO %s" % (DB_ROLE, DB_ROLE))
    nats = Broker(workdir, 1)
    # @pytest.mark.hub_web({"key": "value"}): more [web] keys for this test's hub.
    mark = request.node.get_closest_marker("hub_web")
    hw = HubWeb(workdir, nats, pg, web=mark.args[0] if mark else None)
    with open(hw.conf, "a") as f:
        f.write("\n[turn]\nurls = turn:203.0.113.10:3478?transport=udp;stun:203.0.113.10:3478\n"
                "secret = %s\nttl-s = %d\n" % (TURN_SECRET, TURN_TTL))
    hw.start()
    wait_for(lambda: "pages and API" in hw.log() or hw.proc.poll() is not None, 20, "the hub's web")
    assert hw.proc.poll() is None, hw.log()[-3000:]
    servers = []
    hw.servers = servers
    try:
        yield hw
        for s in servers:
            s.stop()
        hw.stop()
    finally:
        for s in servers:
            s.stop()
        if hw.proc and hw.proc.poll() is None:
            hw.proc.kill()
            hw.proc.wait(10)
        nats.cluster.stop()
        pg.cleanup()


class Serve:
    """natsctl serve: a site's side of a subject (its commands, presence)."""

    def __init__(self, hw, user, subject, reply=None):
        cluster = hw.nats.cluster
        crt, key = cluster.client(user)
        inbox = "_INBOX_" + user[len("site-"):] if user.startswith("site-") else "_INBOX"
        argv = ["node", NATSCTL, "--servers", ",".join(cluster.urls), "--ca", cluster.ca,
                "--cert", crt, "--key", key, "--inbox", inbox, "--deadline", "300"]
        if isinstance(reply, dict):
            argv += ["--by-verb", "serve", subject, json.dumps(reply)]
        else:
            argv += ["serve", subject] + ([json.dumps(reply)] if reply is not None else [])
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
        self.msgs = queue.Queue()
        self.seen = []
        threading.Thread(target=self._read, daemon=True).start()
        first = self.msgs.get(timeout=20)
        assert first == {"ready": True}, first
        hw.servers.append(self)

    def _read(self):
        for line in self.proc.stdout:
            self.msgs.put(json.loads(line))

    def next(self, timeout=10, subject=None):
        """The next message (on @subject's last token when given), its data parsed."""
        deadline = time.monotonic() + timeout
        while True:
            m = self.msgs.get(timeout=max(0.01, deadline - time.monotonic()))
            m["data"] = json.loads(m["data"])
            self.seen.append(m)
            if subject is None or m["subject"].endswith("." + subject):
                return m

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def live_state(site, now, booths, remote):
    return {"v": 1, "site": site, "name": "Palvelupiste " + site, "at": now, "epoch": "e1",
            "languages": ["fi", "sv"], "services": [], "counters": [], "faults": [],
            "booths": booths, "remote": remote}


def put_live(hw, site, state):
    hw.nats.cluster.natsctl("hub", "kv-put", site, json.dumps(state))


def ticket(n, code, since, provider="kela", service="kela-video"):
    return {"ticket": n, "code": code, "service": service, "provider": provider, "lang": "fi",
            "since": since, "booked": False}


def booth(n, state, providers=("kela",), session=None):
    return {"id": n, "state": state, "providers": list(providers), "session": session}


def socket_for(hw, session):
    """The expert's WebSocket with its login cookie."""
    url = hw.url("/api/hub/expert/socket").replace("http://", "ws://")
    cookie = "; ".join("%s=%s" % (k, v) for k, v in session.cookies.items())
    ws = websocket.create_connection(url, cookie=cookie, timeout=15)
    return ws, json.loads(ws.recv())


def recv(ws, type_=None):
    while True:
        m = json.loads(ws.recv())
        if m.get("type") == "ping":  # the hub asks whether the page is still there
            ws.send(json.dumps({"type": "pong"}))
            continue
        if type_ is None or m.get("type") == type_:
            return m


def test_roles(hub):
    p = hub.add_user("anna", "expert")
    assert p.returncode != 0 and "--provider" in p.stderr, p.stderr
    assert hub.add_user("anna", "expert", provider="kela").returncode == 0
    assert hub.add_user("mia", "manager").returncode == 0
    anna = hub.login("anna")
    me = anna.get(hub.url("/api/whoami")).json()
    assert me["role"] == "expert" and me["provider"] == "kela", me
    assert anna.get(hub.url("/api/hub/expert")).status_code == 200
    for path in ("/api/hub/fleet", "/api/hub/reports?kind=billing&from=2026-11-01&to=2026-11-30",
                 "/api/hub/billing/periods"):
        assert anna.get(hub.url(path)).status_code == 403, path
    mia = hub.login("mia")
    assert mia.get(hub.url("/api/hub/expert")).status_code == 403
    assert mia.post(hub.url("/api/hub/expert/call"), json={"client": "x"}).status_code == 403
    # the socket is for experts only
    url = hub.url("/api/hub/expert/socket").replace("http://", "ws://")
    cookie = "; ".join("%s=%s" % (k, v) for k, v in mia.cookies.items())
    ws = websocket.create_connection(url, cookie=cookie, timeout=15)
    # Closed at once with a reason (1008, policy violation).  Only the close
    # frame is read: what follows it, the end of the connection, comes as an
    # orderly end or as a reset, as the hub's close and our reply cross.
    opcode, frame = ws.recv_data_frame(True)
    assert opcode == websocket.ABNF.OPCODE_CLOSE, (opcode, frame.data)
    assert struct.unpack("!H", frame.data[:2])[0] == 1008, frame.data
    assert "for experts" in frame.data[2:].decode(), frame.data
    ws.close()
    # the expert's page is served
    assert anna.get(hub.url("/hub/expert")).status_code == 200


def test_queue_call_signalling_presence(hub):
    assert hub.add_user("anna", "expert", provider="kela").returncode == 0
    assert hub.add_user("bo", "expert", provider="kela").returncode == 0
    now = int(time.time())
    put_live(hub, "s1", live_state("s1", now, [booth(4, "free")],
                                   [ticket(7, "R007", now - 300)]))
    put_live(hub, "s2", live_state("s2", now, [booth(5, "free"), booth(6, "free", ("vero",))],
                                   [ticket(3, "R003", now - 600),
                                    ticket(9, "V009", now - 2000, "vero", "vero-video")]))
    put_live(hub, "s3", live_state("s3", now, [booth(2, "busy")],
                                   [ticket(1, "R001", now - 900)]))
    presence = Serve(hub, "site-s1", "vuoro.hub.presence")
    anna = hub.login("anna")

    # The queue: kela's tickets at every site, the longest waiting first;
    # vero's booth and ticket are not shown.
    def view():
        v = anna.get(hub.url("/api/hub/expert")).json()
        return v if len(v["sites"]) == 3 else None
    v = wait_for(view, 10, "the three sites' live states at the hub")
    assert v["provider"] == "kela"
    assert [(t["site"], t["ticket"], t["code"]) for t in v["tickets"]] == [
        ("s3", 1, "R001"), ("s2", 3, "R003"), ("s1", 7, "R007")]
    assert 590 <= v["tickets"][1]["waited_s"] <= 660
    s2 = next(s for s in v["sites"] if s["site"] == "s2")
    assert s2["booths"] == [{"id": 5, "state": "free"}] and s2["name"] == "Palvelupiste s2"

    # The socket: hello with the client id and TURN credentials (coturn's
    # use-auth-secret: HMAC-SHA1 of the username, base64).
    ws, hello = socket_for(hub, anna)
    assert hello["type"] == "hello" and 1 <= len(hello["client"]) <= 64
    client = hello["client"]
    turn, stun = hello["ice_servers"]
    assert turn["urls"] == "turn:203.0.113.10:3478?transport=udp" and "username" not in stun
    expiry, user = turn["username"].split(":")
    assert user == "anna" and abs(int(expiry) - (time.time() + TURN_TTL)) < 10
    mac = hmac.new(TURN_SECRET.encode(), turn["username"].encode(), hashlib.sha1).digest()
    assert turn["credential"] == base64.b64encode(mac).decode()

    # Presence: anna online and free.
    while presence.next()["data"]["providers"].get("kela") != {"online": 1, "free": 1}:
        pass

    # A change of kela's part of s1 → {"type":"queue"}.
    put_live(hub, "s1", live_state("s1", now, [booth(4, "free")],
                                   [ticket(7, "R007", now - 300), ticket(8, "R008", now - 10)]))
    assert recv(ws)["type"] == "queue"

    # No site answers: 504 after the 3 s wait.
    r = anna.post(hub.url("/api/hub/expert/call"), json={"client": client, "site": "s1"})
    assert r.status_code == 504 and "s1 did not answer" in r.json()["message"], r.text

    # Call next: s3 waits longest but has no free booth; s2 is asked first
    # and refuses (409), s1 takes the call.
    s2cmd = Serve(hub, "site-s2", "vuoro.site.s2.cmd.>",
                  {"call": {"ok": False, "status": 409, "error": "booth_busy",
                            "message": "booth 5 is busy: call at another site"}})
    s1cmd = Serve(hub, "site-s1", "vuoro.site.s1.cmd.>",
                  {"call": {"ok": True, "session": 12, "booth": 4, "ticket": 7, "code": "R007"},
                   "*": {"ok": True}})
    r = anna.post(hub.url("/api/hub/expert/call"), json={"client": client})
    assert r.status_code == 201, r.text
    assert r.json() == {"site": "s1", "session": 12, "booth": 4, "ticket": 7, "code": "R007"}
    asked = s2cmd.next(subject="call")["data"]
    assert asked["ticket"] == 3 and asked["expert"] == "anna" and asked["provider"] == "kela"
    assert asked["client"] == client and asked["ice_servers"][0]["username"].endswith(":anna")
    assert s1cmd.next(subject="call")["data"]["ticket"] == 7
    while presence.next()["data"]["providers"].get("kela") != {"online": 1, "free": 0}:
        pass
    sessions = anna.get(hub.url("/api/hub/expert")).json()["sessions"]
    assert [(s["site"], s["session"], s["state"]) for s in sessions] == [("s1", 12, "ringing")]

    # Signalling site → hub goes to that client's socket only (bo's socket
    # gets only its own), with "site".
    bo = hub.login("bo")
    ws_bo, hello_bo = socket_for(hub, bo)
    hub.nats.cluster.natsctl("site-s1", "pub", "vuoro.hub.s1.sig." + client,
                             json.dumps({"type": "offer", "session": 12, "sdp": "v=0 anna"}),
                             "--core")
    hub.nats.cluster.natsctl("site-s1", "pub", "vuoro.hub.s1.sig." + hello_bo["client"],
                             json.dumps({"type": "offer", "session": 99, "sdp": "v=0 bo"}),
                             "--core")
    m = recv(ws, "offer")
    assert m == {"type": "offer", "session": 12, "sdp": "v=0 anna", "site": "s1"}
    assert recv(ws_bo, "offer")["sdp"] == "v=0 bo"  # its first offer is its own

    # Browser → site: the signal command, without "site".
    ws.send(json.dumps({"type": "answer", "site": "s1", "session": 12, "sdp": "v=0 answer"}))
    sig = s1cmd.next(subject="signal")["data"]
    assert sig == {"expert": "anna", "client": client,
                   "msg": {"type": "answer", "session": 12, "sdp": "v=0 answer"}}

    # A session command: the site's body with the expert and the session.
    r = anna.post(hub.url("/api/hub/sessions/s1/12/end"),
                  json={"outcome": "resolved", "category": "asumistuki"})
    assert r.status_code == 200, r.text
    end = s1cmd.next(subject="end")["data"]
    assert end == {"expert": "anna", "session": 12, "outcome": "resolved",
                   "category": "asumistuki"}
    while presence.next()["data"]["providers"].get("kela") != {"online": 2, "free": 2}:
        pass
    # A refusal comes back with the site's words.
    s2cmd.stop()
    s2cmd = Serve(hub, "site-s2", "vuoro.site.s2.cmd.>",
                  {"*": {"ok": False, "status": 403, "error": "not_yours",
                         "message": "session 5 is another expert's"}})
    r = anna.post(hub.url("/api/hub/sessions/s2/5/message"), json={"text": "hei"})
    assert r.status_code == 403 and r.json()["message"] == "session 5 is another expert's"

    # A live session, then the socket closes: its site hears peer-gone.
    hub.nats.cluster.natsctl("site-s1", "pub", "vuoro.hub.s1.sig." + client,
                             json.dumps({"type": "state", "session": 13, "booth": 4,
                                         "state": "live"}), "--core")
    assert recv(ws, "state")["state"] == "live"
    ws.close()
    gone = s1cmd.next(subject="peer-gone")["data"]
    assert gone == {"client": client}
    while presence.next()["data"]["providers"].get("kela") != {"online": 1, "free": 1}:
        pass
    ws_bo.close()


@pytest.mark.hub_web({"expert-silence-s": "3"})
def test_a_page_that_answers_no_ping_is_let_go(hub):
    """An expert whose network is gone says nothing (no close): the hub pings
    and closes a socket silent for [web] expert-silence-s; its sessions' sites
    hear peer-gone and presence counts the expert out.  A page that answers
    stays."""
    assert hub.add_user("anna", "expert", provider="kela").returncode == 0
    assert hub.add_user("bo", "expert", provider="kela").returncode == 0
    now = int(time.time())
    put_live(hub, "s1", live_state("s1", now, [booth(4, "busy")], []))
    s1cmd = Serve(hub, "site-s1", "vuoro.site.s1.cmd.>")
    hub.servers.append(s1cmd)
    presence = Serve(hub, "site-s1", "vuoro.hub.presence")
    hub.servers.append(presence)
    silent, hello = socket_for(hub, hub.login("anna"))
    answering, _ = socket_for(hub, hub.login("bo"))
    while presence.next()["data"]["providers"].get("kela") != {"online": 2, "free": 2}:
        pass
    # anna's page has a live session at s1, then goes silent (reads nothing, answers nothing).
    hub.nats.cluster.natsctl("site-s1", "pub", "vuoro.hub.s1.sig." + hello["client"],
                             json.dumps({"type": "state", "session": 21, "booth": 4,
                                         "state": "live"}), "--core")
    assert recv(silent, "state")["state"] == "live"
    t0 = time.monotonic()
    stop = threading.Event()

    def pong():  # bo's page answers every ping
        while not stop.is_set():
            try:
                m = json.loads(answering.recv())
            except Exception:
                return
            if m.get("type") == "ping":
                answering.send(json.dumps({"type": "pong"}))

    t = threading.Thread(target=pong, daemon=True)
    t.start()
    try:
        gone = s1cmd.next(subject="peer-gone", timeout=20)["data"]
        assert gone == {"client": hello["client"]}
        took = time.monotonic() - t0
        assert 2.5 < took < 15, took
        while presence.next()["data"]["providers"].get("kela") != {"online": 1, "free": 1}:
            pass
        assert "answered no ping for 3 s" in hub.log()
        # bo's page answered: his socket is open, he still counts (online 1 above)
        assert answering.connected
    finally:
        stop.set()
        answering.close()
        silent.close()


def test_turn_config_says_what_is_missing(workdir):
    from test_hub_ingest import HUB, SQL_DIR
    conf = os.path.join(workdir, "hub.conf")
    base = "[nats]\nservers = nats://127.0.0.1:1\n[postgres]\nconninfo = dbname=x\nsql-dir = %s\n" % SQL_DIR
    for turn, words in (("urls = turn:203.0.113.10:3478\n", "[turn] secret: missing"),
                        ("secret = s\n", "[turn] urls: missing"),
                        ("urls = http://x\nsecret = s\n", "expected turn:HOST:PORT")):
        with open(conf, "w") as f:
            f.write(base + "[turn]\n" + turn)
        p = subprocess.run([HUB, "--config", conf, "--add-user", "x", "--role", "admin"],
                           input="x\n", capture_output=True, text=True, timeout=30)
        assert p.returncode == 2 and words in p.stderr, p.stderr


def booking(n, at, state="booked", provider="kela", booth=4, service="kela-video", ticket=None):
    b = {"id": n, "booth": booth, "service": service, "provider": provider, "at": at,
         "minutes": 30, "state": state}
    if ticket:
        b["ticket"] = ticket
    return b


def test_bookings_listed_and_booked_through_the_site(hub):
    """Item 6 at the hub: the provider's bookings from the sites' live states
    (site added, soonest first, another provider's not shown, no codes), a
    change of them (an arrival) tells the page; POST /api/hub/expert/book
    asks the site (cmd book) and answers 201 with its reply, or the site's
    refusal, or 504 when it is silent."""
    assert hub.add_user("anna", "expert", provider="kela").returncode == 0
    now = int(time.time())
    services = [{"code": "kela-video", "provider": "kela", "remote": True,
                 "names": {"fi": "Kela etänä", "en": "Kela by video"}},
                {"code": "kela", "provider": "kela", "remote": False, "names": {"fi": "Kela"}},
                {"code": "vero-video", "provider": "vero", "remote": True, "names": {"fi": "Vero"}}]
    s1 = dict(live_state("s1", now, [booth(4, "free")], []), services=services,
              bookings=[booking(2, now + 7200), booking(3, now + 600, provider="vero")])
    s2 = dict(live_state("s2", now, [booth(5, "free")], []), services=services,
              bookings=[booking(8, now + 1800, booth=5)])
    put_live(hub, "s1", s1)
    put_live(hub, "s2", s2)
    anna = hub.login("anna")

    def view():
        v = anna.get(hub.url("/api/hub/expert")).json()
        return v if len(v["bookings"]) == 2 else None
    v = wait_for(view, 10, "the bookings at the hub")
    assert [(b["site"], b["id"]) for b in v["bookings"]] == [("s2", 8), ("s1", 2)], v["bookings"]
    assert v["bookings"][1] == dict(booking(2, now + 7200), site="s1")
    s1v = next(s for s in v["sites"] if s["site"] == "s1")
    assert s1v["services"] == [{"code": "kela-video", "names": {"fi": "Kela etänä", "en": "Kela by video"}}]

    # An arrival at s2: the page is told to re-read, and sees it.
    ws, _ = socket_for(hub, anna)
    put_live(hub, "s2", dict(s2, bookings=[booking(8, now + 1800, "arrived", booth=5, ticket=41)]))
    assert recv(ws)["type"] == "queue"
    v = anna.get(hub.url("/api/hub/expert")).json()
    assert v["bookings"][0]["state"] == "arrived" and v["bookings"][0]["ticket"] == 41

    # Booking: s1 silent → 504; then s1 answers.
    ask = {"site": "s1", "booth": 4, "service": "kela-video", "at": now + 3600, "minutes": 30}
    r = anna.post(hub.url("/api/hub/expert/book"), json=ask)
    assert r.status_code == 504 and "s1 did not answer" in r.json()["message"], r.text
    reply = {"ok": True, "id": 9, "code": "ABC234", "booth": 4, "service": "kela-video",
             "at": now + 3600, "minutes": 30}
    s1cmd = Serve(hub, "site-s1", "vuoro.site.s1.cmd.>", {"book": reply})
    r = anna.post(hub.url("/api/hub/expert/book"), json=ask)
    assert r.status_code == 201, r.text
    assert r.json() == dict({k: v for k, v in reply.items() if k != "ok"}, site="s1"), r.json()
    asked = s1cmd.next(subject="book")["data"]
    assert asked == {"expert": "anna", "provider": "kela", "booth": 4, "service": "kela-video",
                     "at": now + 3600, "minutes": 30}, asked
    s1cmd.stop()
    # The site's refusal goes to the page as the site said it.
    Serve(hub, "site-s1", "vuoro.site.s1.cmd.>",
          {"book": {"ok": False, "status": 409, "error": "busy",
                    "message": "booth 4 is booked 23.11. 09:30–10:00 — pick another time or booth"}})
    r = anna.post(hub.url("/api/hub/expert/book"), json=ask)
    assert r.status_code == 409 and r.json()["message"].startswith("booth 4 is booked"), r.text
    # A site the hub does not know.
    r = anna.post(hub.url("/api/hub/expert/book"), json=dict(ask, site="s9"))
    assert r.status_code == 404, r.text
    ws.close()
