# SPDX-License-Identifier: GPL-3.0-or-later
"""Proof across NAT through the hub (issue 16, items 4 and 7): the region in the
public namespace (nats-server with TLS on 203.0.113.10, PostgreSQL, vuoro-hub
with its web on 203.0.113.10 and [turn] = coturn's URL and secret, coturn),
the site's vuorod behind natA with its [uplink] dialing out to NATS (nothing
connects into the site: no port forward), the expert's headless Chromium
behind natB on the hub's /hub/expert (tests/e2e/nat-hub-expert.mjs).

With direct UDP between the NATs dropped a session called from /hub/expert
goes live through the relay (the selected pair is relay, coturn's address),
frames decoded both ways; with direct UDP allowed it does not use the relay.
Mid-session: the site's uplink drops (TCP to NATS dropped at natA, the media
keep going, commands fail with the hub's 504 and work again when it is back),
the hub restarts (the media keep going, the page's socket comes back and
attaches, a message and the end work), the expert's network drops (the booth
ends it network_lost, the ticket waits again).  One topology for the module:
the scenarios cost seconds each.  Needs root (network namespaces)."""
import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import time

import pytest
import requests

from conftest import ROOT, wait_for
from fleet import NATS_SERVER, NATSCTL, NatsCluster
from pg import Postgres
from test_hub_ingest import HUB, SQL_DIR
import nat
from test_nat_turn import EXPERT, NODE, NsSite

HUB_PORT = 8090
SITE = "s1"
TURN_SECRET = "nat-hub-test-secret"

why = nat.available()
pytestmark = pytest.mark.skipif(why is not None, reason=why or "")


class NsNats(NatsCluster):
    """One nats-server (TLS, the region's users) listening on the public
    namespace's address: its certificate names 203.0.113.10, the address the
    site and the hub dial."""

    def __init__(self, topo, workdir, sites):
        self.topo = topo
        super().__init__(workdir, nodes=1, sites=sites, host=nat.PUBLIC_IP)

    def start_node(self, i):
        log = open(os.path.join(self.dir, self.names[i] + ".log"), "ab")
        self.procs[i] = self.topo.run("public", [NATS_SERVER, "-c", os.path.join(self.dir, self.names[i] + ".conf")],
                                      stdout=log, stderr=subprocess.STDOUT)

    def healthy(self, i):
        return self.topo.call("public", NatsCluster.healthy, self, i)

    def natsctl(self, user, *args, check=True, timeout=60):
        crt, key = self.client(user)
        r = subprocess.run(["ip", "netns", "exec", self.topo.ns["public"], NODE, NATSCTL, "--servers",
                            ",".join(self.urls), "--ca", self.ca, "--cert", crt, "--key", key, *args],
                           capture_output=True, text=True, timeout=timeout)
        if check and r.returncode != 0:
            raise AssertionError("natsctl %s: exit %d: %s %s" % (" ".join(args), r.returncode, r.stdout, r.stderr))
        return r.returncode, r.stdout.splitlines()


class NsPostgres(Postgres):
    """PostgreSQL inside the public namespace (its loopback and its unix socket)."""

    def __init__(self, topo, workdir):
        self.topo = topo
        super().__init__(workdir)

    def _cmd(self, argv):
        return ["ip", "netns", "exec", self.topo.ns["public"]] + super()._cmd(argv)


class NsHub:
    """vuoro-hub in the public namespace: [web] on 203.0.113.10:HUB_PORT, [turn] coturn."""

    def __init__(self, topo, workdir, nats, pg, turn):
        self.topo = topo
        self.url = "http://%s:%d" % (nat.PUBLIC_IP, HUB_PORT)
        self.conf = os.path.join(workdir, "hub.conf")
        self.log_path = os.path.join(workdir, "hub.log")
        crt, key = nats.client("hub")
        urls = "stun:%s:%d;%s" % (nat.PUBLIC_IP, turn.port, turn.url("udp"))
        with open(self.conf, "w") as f:
            f.write("[nats]\nservers = %s\nca = %s\ncert = %s\nkey = %s\nreplicas = 1\n"
                    "duplicates-seconds = 120\n" % (";".join(nats.urls), nats.ca, crt, key))
            f.write("\n[postgres]\nconninfo = %s\nsql-dir = %s\n" % (pg.dsn, SQL_DIR))
            f.write("\n[web]\nlisten = %s:%d\nui-dir = %s\n" % (nat.PUBLIC_IP, HUB_PORT, os.path.join(ROOT, "ui")))
            f.write("\n[fleet]\nsilent-seconds = 10\n")
            f.write("\n[turn]\nurls = %s\nsecret = %s\nttl-s = 3600\n" % (urls, turn.secret))
        self.proc = None
        self.err = None

    def add_user(self, name, role, password, provider):
        p = subprocess.run(["ip", "netns", "exec", self.topo.ns["public"], HUB, "--config", self.conf,
                            "--add-user", name, "--role", role, "--provider", provider],
                           input=password + "\n", text=True, capture_output=True, timeout=30)
        assert p.returncode == 0, p.stderr

    def up(self):
        def get():
            try:
                return requests.get(self.url + "/api/follow/x.y", timeout=2).status_code == 404
            except requests.ConnectionError:
                return False
        return self.topo.call("public", get)

    def start(self):
        self.err = open(self.log_path, "a")
        self.proc = self.topo.run("public", [HUB, "--config", self.conf], stderr=self.err,
                                  env=dict(os.environ, G_MESSAGES_DEBUG=""))
        wait_for(lambda: self.proc.poll() is not None or self.up(), 30, "vuoro-hub's web")
        assert self.proc.poll() is None, self.log()[-3000:]

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.err:
            self.err.close()
            self.err = None

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()


class HubExpert:
    """tests/e2e/nat-hub-expert.mjs in the expert's namespace: one line in, one JSON line out."""

    def __init__(self, topo, url, workdir):
        self.log = open(os.path.join(workdir, "expert.stderr"), "a")
        opt = {"url": url, "user": EXPERT[0], "password": EXPERT[2]}
        env = dict(os.environ, BUILD_DIR=os.path.join(ROOT, "build"))
        self.proc = topo.run("expert", [NODE, os.path.join(ROOT, "tests", "e2e", "nat-hub-expert.mjs"),
                                        json.dumps(opt)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log,
                             text=True, cwd=ROOT, env=env)
        first = self.read(60)
        assert first.get("ready"), first

    def read(self, timeout):
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        assert ready, "the expert's browser did not answer in %d s" % timeout
        line = self.proc.stdout.readline()
        assert line, "the expert's browser exited: %s" % self.proc.poll()
        return json.loads(line)

    def do(self, cmd, timeout=60):
        self.proc.stdin.write(cmd + "\n")
        self.proc.stdin.flush()
        return self.read(timeout)

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.close()
                self.proc.wait(timeout=15)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class World:
    def __init__(self, topo, turn, nats, hub, site, expert):
        self.topo, self.turn, self.nats, self.hub, self.site, self.expert = topo, turn, nats, hub, site, expert

    # -- the site's uplink: TCP between natA and NATS dropped, nothing else -----------
    def cut_uplink(self):
        port = int(self.nats.urls[0].rsplit(":", 1)[1])
        self.topo.sh("natA", "nft", "add", "rule", "ip", "vuoro", "uplink", "ip", "daddr", nat.PUBLIC_IP,
                     "tcp", "dport", str(port), "counter", "drop")
        self.topo.sh("natA", "nft", "add", "rule", "ip", "vuoro", "uplink", "ip", "saddr", nat.PUBLIC_IP,
                     "tcp", "sport", str(port), "counter", "drop")

    def heal_uplink(self):
        self.topo.sh("natA", "nft", "flush", "chain", "ip", "vuoro", "uplink")

    def uplink_dropped(self):
        out = self.topo.sh("natA", "nft", "list", "chain", "ip", "vuoro", "uplink").stdout
        return sum(int(w.split()[0]) for w in out.split("packets")[1:])


@contextlib.contextmanager
def hub_world(site_overrides=None):
    """The region in the public namespace, the site behind natA dialing out, the
    expert's logged-in browser behind natB on /hub/expert: a World.  Also
    tools/bench-expert-hub.py's.  Everything is stopped and the namespaces are
    removed on the way out, whatever happened."""
    workdir = tempfile.mkdtemp(prefix="vuoro-nathub-")
    os.chmod(workdir, 0o755)
    topo = nat.NatTopology(workdir)
    nats = pg = hub = site = expert = None
    try:
        # natA's switch for the site's uplink (TCP to NATS), before everything else
        topo.sh("natA", "nft", "add", "chain", "ip", "vuoro", "uplink")
        topo.sh("natA", "nft", "insert", "rule", "ip", "vuoro", "forward", "jump", "uplink")
        turn = nat.Coturn(topo, TURN_SECRET)
        nats = NsNats(topo, workdir, [SITE])
        nats.start()
        nats.setup_stream(duplicates_s=120)
        pg = NsPostgres(topo, workdir)
        hub = NsHub(topo, workdir, nats, pg, turn)
        hub.add_user(EXPERT[0], "expert", EXPERT[2], EXPERT[3])
        hub.start()
        cert, key = nats.client("site-" + SITE)
        os.makedirs(os.path.join(workdir, "site"))
        site = NsSite(topo, os.path.join(workdir, "site"), {
            ("uplink", "servers"): ";".join(nats.urls),
            ("uplink", "site"): SITE,
            ("uplink", "ca"): nats.ca,
            ("uplink", "cert"): cert,
            ("uplink", "key"): key,
            ("uplink", "retry-max-seconds"): "2",
            ("uplink", "public-url"): hub.url + "/",
            # the site's own server reflexive address; TURN comes with each call from the hub
            ("webrtc", "stun-server"): "stun://%s:%d" % (nat.PUBLIC_IP, turn.port),
            ("webrtc", "reconnect-seconds"): "3",
            ("webrtc", "ring-seconds"): "15",
            **(site_overrides or {}),
        })
        expert = HubExpert(topo, hub.url, workdir)
        yield World(topo, turn, nats, hub, site, expert)
    finally:
        crashed = None  # the site's vuorod died (NsSite.stop): raised once the rest is removed
        for part, stop in ((expert, "close"), (site, "stop"), (hub, "stop")):
            if part:
                try:
                    getattr(part, stop)()
                except AssertionError as e:
                    crashed = crashed or e
                except Exception:  # noqa: BLE001 — the rest must still be removed
                    pass
        if nats:
            nats.stop()
        if pg:
            try:
                pg.cleanup()
            except Exception:  # noqa: BLE001
                pass
        topo.close()
        if not os.environ.get("VUORO_KEEP"):
            shutil.rmtree(workdir, ignore_errors=True)
    if crashed:
        raise crashed


@pytest.fixture(scope="module")
def world():
    with hub_world() as w:
        yield w


def booth_session(site, pred, timeout, what):
    return wait_for(lambda: (lambda b: b if pred(b.get("session") or {}) else None)(site.booth()),
                    timeout=timeout, what=what)


def start_session(w):
    """A ticket drawn at the site, shown on /hub/expert, called from there: live with
    frames decoded both ways.  (the page's result, the booth)"""
    ticket = w.site.ticket()
    seen = w.expert.do("seen %s %d" % (SITE, ticket["id"]), timeout=30)
    assert seen.get("ok"), seen
    res = w.expert.do("call", timeout=90)
    assert res.get("ok"), json.dumps(res, indent=1)
    b = booth_session(w.site, lambda s: s.get("media", {}).get("video_in_frames", 0) > 0, 20,
                      "the booth decoding the expert's frames")
    assert b["session"]["state"] == "live", b["session"]
    assert b["session"]["code"] in w.site.codes, b["session"]
    assert res["framesDecoded"] > 0, res
    assert res["session"]["site"] == SITE and res["session"]["id"] == b["session"]["id"], (res, b["session"])
    return res, b, ticket


def end_session(w, reason="expert_ended"):
    end = w.expert.do("end", timeout=30)
    assert end.get("ok"), end
    b = wait_for(lambda: (lambda x: x if x["state"] == "idle" else None)(w.site.booth()), timeout=15,
                 what="the booth free again")
    assert b["last"]["reason"] == reason, b["last"]


def run_session(w):
    """One session, called and ended from /hub/expert: the page's result."""
    res, _, _ = start_session(w)
    end_session(w)
    return res


def frames(w):
    """(frames the page decoded, frames the booth decoded) now."""
    s = w.expert.do("stats")
    assert s.get("ok"), s
    b = w.site.booth()
    assert (b.get("session") or {}).get("state") == "live", b
    return s["framesDecoded"], b["session"]["media"]["video_in_frames"]


def frames_grow(w, before, by=10, timeout=15):
    return wait_for(lambda: (lambda f: f if f[0] >= before[0] + by and f[1] >= before[1] + by else None)(frames(w)),
                    timeout=timeout, what="frames decoded on both sides (%s before)" % (before,))


def message_until_ok(w, template, timeout=30):
    """The expert sends @template until the hub says it went (the site's uplink or
    the hub may take a moment to be back); the booth shows it."""
    deadline = time.monotonic() + timeout
    while True:
        r = w.expert.do("message " + template, timeout=20)
        if r.get("ok") and r["kind"] == "ok":
            break
        assert time.monotonic() < deadline, r
    booth_session(w.site, lambda s: (s.get("message") or {}).get("template") == template, 10,
                  "the message %s at the booth" % template)


def test_session_from_the_hub_goes_live_through_the_relay(world):
    w = world
    w.topo.drop_direct_udp(True)
    res, _, _ = start_session(w)
    shots = os.path.join(os.environ.get("BUILD_DIR", os.path.join(ROOT, "build")), "e2e")
    os.makedirs(shots, exist_ok=True)
    assert w.expert.do("shot " + os.path.join(shots, "nathub-relay-live.png")).get("ok")
    end_session(w)
    assert "relay" in (res["local"], res["remote"]), res
    relay = res["localAddress"] if res["local"] == "relay" else res["remoteAddress"]
    assert relay.startswith(nat.PUBLIC_IP + ":"), res
    # nothing connects into the site: natA forwards nothing
    assert not w.topo.site_dnat
    print("relay: %s → %s, first frames both ways %.0f ms after the click"
          % (res["localAddress"], res["remoteAddress"], res["clickToFirstFrameMs"]))


def test_session_from_the_hub_direct_when_allowed(world):
    w = world
    w.topo.drop_direct_udp(False)
    try:
        res = run_session(w)
    finally:
        w.topo.drop_direct_udp(True)
    assert res["local"] in ("host", "srflx", "prflx") and res["remote"] in ("host", "srflx", "prflx"), res
    print("direct: %s %s → %s %s, %.0f ms" % (res["local"], res["localAddress"], res["remote"],
                                               res["remoteAddress"], res["clickToFirstFrameMs"]))


def test_site_uplink_drops_mid_session(world):
    """The site's connection to NATS is cut at natA (TCP only): the media, which
    do not pass through NATS, keep going both ways; a command meanwhile gets the
    hub's 504; when the uplink is back a message and the end work."""
    w = world
    w.topo.drop_direct_udp(True)
    start_session(w)
    before = frames(w)
    w.cut_uplink()
    try:
        r = w.expert.do("message show_id", timeout=30)
        assert r.get("ok") and r["kind"] == "error" and "did not answer" in r["text"], r
        wait_for(lambda: w.uplink_dropped() > 0, 10, "natA dropping the uplink's packets")
        frames_grow(w, before, by=20)
        assert w.site.booth()["session"]["state"] == "live"
    finally:
        w.heal_uplink()
    message_until_ok(w, "wait")
    end_session(w)


def test_hub_restarts_mid_session(world):
    """vuoro-hub stops and starts again: the media keep going, the page's socket
    comes back and attaches to the session as it is; a message and the end work."""
    w = world
    w.topo.drop_direct_udp(True)
    res, b, _ = start_session(w)
    opened = w.expert.do("stats")
    before = frames(w)
    w.hub.stop()
    w.hub.start()
    r = w.expert.do("online %d" % opened["wsOpened"], timeout=40)
    assert r.get("ok"), r
    after = frames_grow(w, before, by=20)
    s = w.expert.do("stats")
    assert s["session"] == res["session"] or s["session"]["id"] == b["session"]["id"], (s, res)
    assert s["localAddress"] == opened["localAddress"], (s, opened)  # the same connection
    assert w.site.booth()["session"]["id"] == b["session"]["id"]
    message_until_ok(w, "wait")
    end_session(w)
    print("frames through the hub's restart: page %d→%d, booth %d→%d" % (before[0], after[0], before[1], after[1]))


def test_expert_network_drops_mid_session(world):
    """Last in the module: the expert's network drops in a live session through the
    relay; the booth notices the dead media path (no frames from the expert for
    [webrtc] media-timeout-seconds), ends it network_lost after the reconnect
    window, and the ticket waits again."""
    w = world
    w.topo.drop_direct_udp(True)
    _, b, ticket = start_session(w)
    code = b["session"]["code"]
    w.topo.cut("expert")
    try:
        cut_at = time.monotonic()
        b = wait_for(lambda: (lambda x: x if x["state"] == "idle" else None)(w.site.booth()), timeout=45,
                     what="the booth giving up on the lost expert")
        lost_s = time.monotonic() - cut_at
    finally:
        w.topo.heal("expert")
    assert b["last"]["reason"] == "network_lost", b["last"]
    # the customer keeps their place: waiting again
    tk = w.site._req("GET", "/api/tickets/%d" % ticket["id"], auth=True).json()
    assert tk["state"] == "waiting", tk
    assert code == ticket["code"], (code, ticket)
    print("network_lost %.1f s after the cut" % lost_s)
    assert lost_s < 6 + 3 + 5, lost_s
