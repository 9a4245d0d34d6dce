# SPDX-License-Identifier: GPL-3.0-or-later
"""Remote service through the hub, the site's side (issue 16, items 2 and 3;
the experts' contract): a real vuorod with [uplink] hears the hub's commands
on vuoro.site.s1.cmd.<verb> (NATS request/reply, sent here by the NATS
project's own client as the `hub` user) and publishes its booth's signalling
on vuoro.hub.s1.sig.<client>.  A call rings the booth and its offer (with
the call's ICE servers and the data channel) reaches the hub; another
provider's call is refused (403), an unknown session is 404; end ends the
session; peer-gone makes a connecting session wait and end network_lost
after the window; the live state carries the remote tickets and the booth's
providers and session."""
import json
import subprocess
import threading
import time

import pytest

from conftest import USERS, VUOROD, Daemon, conf_with, wait_for
from fleet import NATSCTL, NatsCluster

SITE = "s1"
TURN = [{"urls": "stun:192.0.2.10:3478"},
        {"urls": ["turn:192.0.2.10:3478?transport=udp", "turn:192.0.2.10:3478?transport=tcp"],
         "username": "1893456000:hanna", "credential": "bm90LWEtcmVhbC1jcmVkZW50aWFs"}]


@pytest.fixture
def nats(workdir):
    c = NatsCluster(workdir, nodes=1, sites=[SITE, "s2"]).start()
    c.setup_stream()
    yield c
    c.stop()


class Watch:
    """natsctl sub SUBJECT --for S as the hub: every message, as it comes."""

    def __init__(self, nats, subject, seconds=120):
        crt, key = nats.client("hub")
        self.msgs = []
        self.p = subprocess.Popen(["node", NATSCTL, "--servers", ",".join(nats.urls), "--ca", nats.ca,
                                   "--cert", crt, "--key", key, "--deadline", str(seconds + 10),
                                   "sub", subject, "--for", str(seconds)],
                                  stdout=subprocess.PIPE, text=True)
        self.subscribed = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        assert self.subscribed.wait(20), "natsctl sub did not subscribe"

    def _read(self):
        for line in self.p.stdout:
            m = json.loads(line)
            if "subscribed" in m:
                self.subscribed.set()
            elif "subject" in m:
                self.msgs.append((m["subject"], json.loads(m["data"])))

    def until(self, pred, timeout=15, what="a signalling message"):
        return wait_for(lambda: next((m for m in list(self.msgs) if pred(m)), None), timeout, what)

    def close(self):
        self.p.kill()
        self.p.wait()


def req(nats, verb, body, site=SITE):
    code, out = nats.natsctl("hub", "req", "vuoro.site.%s.cmd.%s" % (site, verb), json.dumps(body),
                             "--timeout", "3000", check=False)
    assert code == 0, out
    return out[0]


def start_site(workdir, nats):
    cert, key = nats.client("site-" + SITE)
    conf = conf_with({
        ("uplink", "servers"): ";".join(nats.urls),
        ("uplink", "site"): SITE,
        ("uplink", "ca"): nats.ca,
        ("uplink", "cert"): cert,
        ("uplink", "key"): key,
        ("uplink", "retry-max-seconds"): "2",
        ("webrtc", "reconnect-seconds"): "2",
    })
    d = Daemon(workdir, conf)
    # A local expert of kela too: the hub's hanna is another person.
    subprocess.run([VUOROD, "--db", d.db, "--add-user", "eero", "--role", "expert", "--provider",
                    "kela"], input=USERS["eero"][1] + "\n", text=True, check=True, capture_output=True)
    subprocess.run([VUOROD, "--db", d.db, "--add-user", "tech", "--role", "technician"],
                   input=USERS["tech"][1] + "\n", text=True, check=True, capture_output=True)
    d.start()
    wait_for(lambda: d.get("/api/uplink", user="tech").json()["connected"], 15, "the uplink connected")
    return d


def kv(nats, pred, timeout=10, what="the live state"):
    def get():
        code, out = nats.natsctl("hub", "kv-get", SITE, check=False)
        v = out[0] if code == 0 and out and isinstance(out[0], dict) else None
        return v if v and pred(v) else None
    return wait_for(get, timeout, what)


def booth4(d):
    return [b for b in d.get("/api/booths").json()["booths"] if b["id"] == 4][0]


def answer_of(offer_sdp):
    """An answer webrtcbin takes (the offer's lines, the other DTLS role):
    enough to make the session connecting; no media will flow."""
    return offer_sdp.replace("a=setup:actpass", "a=setup:active")


def test_a_call_through_the_hub_rings_and_its_offer_reaches_the_hub(workdir, nats):
    d = start_site(workdir, nats)
    w = Watch(nats, "vuoro.hub.%s.sig.>" % SITE)
    live = Watch(nats, "$KV.vuoro-sites.%s" % SITE)
    try:
        # The first change after a quiet period is put at once.
        kv(nats, lambda v: "remote" in v)
        time.sleep(0.5)  # quiet: nothing else in flight
        t0 = time.monotonic()
        r = d.post("/api/tickets", {"service": "kela-video", "lang": "sv"})
        assert r.status_code == 201, r.text
        code = r.json()["ticket"]["code"]
        live.until(lambda m: any(t["code"] == code for t in m[1].get("remote", [])), 5,
                   "the ticket in a put of the live state")
        ms = (time.monotonic() - t0) * 1000
        print("ticket drawn → live state put seen by the hub: %.0f ms" % ms)
        assert ms < 1000, ms
        # The waiting remote ticket is in the live state (no names), the
        # booth with its providers and no session.
        v = kv(nats, lambda v: v.get("remote"), what="the remote ticket in the live state")
        assert [(t["code"], t["service"], t["provider"], t["lang"], t["booked"]) for t in v["remote"]] == \
            [(code, "kela-video", "kela", "sv", False)]
        assert set(v["remote"][0]) == {"ticket", "code", "service", "provider", "lang", "since", "booked"}
        b = [b for b in v["booths"] if b["id"] == 4][0]
        assert sorted(b["providers"]) == ["kela", "te"] and b["session"] is None and b["state"] == "free"

        # Another provider's expert cannot use this booth; a bad client id is 400.
        rep = req(nats, "call", {"expert": "vera", "provider": "vero", "client": "c1", "booth": 4,
                                 "ice_servers": TURN})
        assert rep["ok"] is False and rep["status"] == 403 and rep["error"] == "wrong_provider", rep
        assert "vero" in rep["message"]
        rep = req(nats, "call", {"expert": "hanna", "provider": "kela", "client": "c 1"})
        assert rep["ok"] is False and rep["status"] == 400, rep
        rep = req(nats, "no-such-verb", {})
        assert rep["ok"] is False and rep["status"] == 404 and rep["error"] == "unknown_command", rep

        t0 = time.monotonic()
        rep = req(nats, "call", {"expert": "hanna", "provider": "kela", "client": "c1",
                                 "ice_servers": TURN})
        assert rep["ok"] is True, rep
        assert rep["booth"] == 4 and rep["code"] == code and rep["ticket"] > 0 and rep["session"] > 0
        sid = rep["session"]
        subj = "vuoro.hub.%s.sig.c1" % SITE
        _, offer = w.until(lambda m: m[0] == subj and m[1]["type"] == "offer", what="the offer")
        print("call → offer on the hub's subject: %.0f ms" % ((time.monotonic() - t0) * 1000))
        assert offer["session"] == sid and offer["booth"] == 4
        # The call's ICE servers, not board-config's; the data channel is offered.
        assert offer["ice_servers"] == TURN
        assert "m=application" in offer["sdp"] and "webrtc-datachannel" in offer["sdp"]
        states = [m[1]["state"] for m in w.msgs if m[0] == subj and m[1]["type"] == "state"]
        assert states[:2] == ["waiting", "ringing"], states
        # The booth rings (its screen and the staff see it), called by hanna.
        b = booth4(d)
        assert b["state"] == "ringing" and b["session"]["code"] == code
        # "waiting" may be put first; "ringing" follows within the 200 ms coalescing.
        v = kv(nats, lambda v: ([b for b in v["booths"] if b["id"] == 4][0]["session"] or {})
               .get("state") == "ringing", what="the booth's ringing session in the live state")
        assert [b for b in v["booths"] if b["id"] == 4][0]["session"] == \
            {"id": sid, "state": "ringing", "expert": "hanna", "service": "kela-video"}
        assert v["remote"] == []

        # Another expert (or a local one of the same provider) cannot end it.
        rep = req(nats, "end", {"expert": "eero", "session": sid})
        assert rep["ok"] is False and rep["status"] == 403, rep
        rep = req(nats, "end", {"expert": "hanna", "session": 99999})
        assert rep["ok"] is False and rep["status"] == 404 and rep["error"] == "not_found", rep
        rep = req(nats, "message", {"expert": "hanna", "session": sid, "template": "wait"})
        assert rep == {"ok": True}, rep
        assert booth4(d)["session"]["message"]["template"] == "wait"
        # The expert records a document the customer showed: kept with the visit at the
        # site, told to the expert over the hub's subject.
        rep = req(nats, "identity", {"expert": "eero", "session": sid, "document_type": "passport"})
        assert rep["ok"] is False and rep["status"] == 403, rep
        rep = req(nats, "identity", {"expert": "hanna", "session": sid, "document_type": ""})
        assert rep["ok"] is False and rep["status"] == 400 and "document_type" in rep["message"], rep
        rep = req(nats, "identity", {"expert": "hanna", "session": sid, "document_type": "passport"})
        assert rep["ok"] is True and rep["method"] == "document" and rep["verdict"] == "checked" \
            and rep["document_type"] == "passport", rep
        _, idm = w.until(lambda m: m[0] == subj and m[1]["type"] == "identity", what="the check")
        assert idm["result"]["document_type"] == "passport"
        staff = [b for b in d.get("/api/booths", user="tech").json()["booths"] if b["id"] == 4][0]
        assert staff["session"]["identity"]["document_type"] == "passport", staff

        rep = req(nats, "end", {"expert": "hanna", "session": sid, "outcome": "resolved"})
        assert rep == {"ok": True}, rep
        _, end = w.until(lambda m: m[0] == subj and m[1].get("state") == "ended", what="the end")
        assert end["reason"] == "expert_ended" and end["session"] == sid
        b = booth4(d)
        assert "session" not in b and b["last"]["session"] == sid and b["last"]["reason"] == "expert_ended"
        kv(nats, lambda v: [b for b in v["booths"] if b["id"] == 4][0]["session"] is None,
           what="the booth free again in the live state")
        rep = req(nats, "end", {"expert": "hanna", "session": sid})
        assert rep["status"] == 404, rep
    finally:
        w.close()
        live.close()
        d.stop()


def test_peer_gone_waits_then_ends_network_lost_and_resume_moves_the_session(workdir, nats):
    d = start_site(workdir, nats)
    w = Watch(nats, "vuoro.hub.%s.sig.>" % SITE)
    try:
        for _ in range(2):
            assert d.post("/api/tickets", {"service": "kela-video"}).status_code == 201
        rep = req(nats, "call", {"expert": "hanna", "provider": "kela", "client": "c1",
                                 "ice_servers": TURN})
        assert rep["ok"], rep
        sid = rep["session"]
        c1 = "vuoro.hub.%s.sig.c1" % SITE
        _, offer = w.until(lambda m: m[0] == c1 and m[1]["type"] == "offer", what="the offer")
        rep = req(nats, "signal", {"expert": "hanna", "client": "c1",
                                   "msg": {"type": "answer", "session": sid, "sdp": answer_of(offer["sdp"])}})
        assert rep == {"ok": True}, rep
        w.until(lambda m: m[0] == c1 and m[1].get("state") == "connecting", what="connecting")
        # Signalling from another client of the hub is refused as from another page.
        rep = req(nats, "signal", {"expert": "hanna", "client": "c2",
                                   "msg": {"type": "ice", "session": sid, "mline": 0,
                                           "candidate": "candidate:1 1 UDP 1 192.0.2.1 9 typ host"}})
        assert rep["ok"] is False and rep["status"] == 403 and "resume" in rep["message"], rep
        # A page that comes back may take over only a connection that holds (attach):
        # this one never went live, so it is told to resume.
        rep = req(nats, "signal", {"expert": "hanna", "client": "c2",
                                   "msg": {"type": "attach", "session": sid}})
        assert rep["ok"] is False and rep["status"] == 409 and rep["error"] == "not_connected" \
            and "resume" in rep["message"], rep

        # The expert's page comes back as client c2: resume moves the session
        # there and a new offer goes to c2.
        rep = req(nats, "signal", {"expert": "hanna", "client": "c2",
                                   "msg": {"type": "resume", "session": sid}})
        assert rep == {"ok": True}, rep
        c2 = "vuoro.hub.%s.sig.c2" % SITE
        _, offer2 = w.until(lambda m: m[0] == c2 and m[1]["type"] == "offer", what="the offer to c2")
        assert offer2["session"] == sid and offer2["ice_servers"] == TURN
        rep = req(nats, "signal", {"expert": "hanna", "client": "c2",
                                   "msg": {"type": "answer", "session": sid, "sdp": answer_of(offer2["sdp"])}})
        assert rep == {"ok": True}, rep
        # c1's going is nothing to the session now.
        assert req(nats, "peer-gone", {"client": "c1"}) == {"ok": True}
        assert booth4(d)["session"]["reconnecting"] is True  # since the resume
        assert booth4(d)["state"] == "connecting"

        # c2's socket to the hub closes: the session waits the window
        # (reconnect-seconds = 2), then ends network_lost.
        t0 = time.monotonic()
        assert req(nats, "peer-gone", {"client": "c2"}) == {"ok": True}
        b = wait_for(lambda: (lambda b: b if "session" not in b else None)(booth4(d)), 10,
                     "the session ended after the window")
        waited = time.monotonic() - t0
        print("peer-gone → network_lost: %.1f s" % waited)
        assert b["last"]["session"] == sid and b["last"]["reason"] == "network_lost", b
        assert waited >= 1.0
    finally:
        w.close()
        d.stop()


def test_another_sites_user_cannot_command_or_speak_for_s1(workdir, nats):
    """s2's certificate can neither send s1's commands nor publish as s1's
    booths' signalling."""
    code, out = nats.natsctl("site-s2", "pub", "vuoro.hub.s1.sig.c1", "{}", "--core", check=False)
    assert code == 3 and "refused" in out[0], out
    code, out = nats.natsctl("site-s2", "pub", "vuoro.site.s1.cmd.call", "{}", "--core", check=False)
    assert code == 3 and "refused" in out[0], out


def test_the_hub_cannot_touch_a_local_experts_session_of_the_same_name(workdir, nats):
    """eero at the site's own /expert page calls; the hub's commands naming an
    expert "eero" are refused (the hub's eero is not this one), and the
    session's signalling stays on the local socket."""
    import websocket
    d = start_site(workdir, nats)
    ws = None
    try:
        ws = websocket.create_connection(d.url.replace("http://", "ws://") + "/api/signal",
                                         header=["Authorization: " + d.login("eero")["Authorization"]],
                                         timeout=10)
        hello = json.loads(ws.recv())
        assert d.post("/api/tickets", {"service": "kela-video"}).status_code == 201
        r = d.post("/api/expert/call", {"client": hello["client"]}, user="eero")
        assert r.status_code == 201, r.text
        sid = r.json()["session"]
        while json.loads(ws.recv())["type"] != "offer":
            pass
        for verb, body in (("end", {"expert": "eero", "session": sid}),
                           ("message", {"expert": "eero", "session": sid, "text": "hi"}),
                           ("signal", {"expert": "eero", "client": "c9",
                                       "msg": {"type": "resume", "session": sid}})):
            rep = req(nats, verb, body)
            assert rep["ok"] is False and rep["status"] == 403 and "own expert page" in rep["message"], (verb, rep)
        b = booth4(d)
        assert b["session"]["id"] == sid and b["state"] == "ringing" and "message" not in b["session"], b
    finally:
        if ws:
            ws.close()
        d.stop()
