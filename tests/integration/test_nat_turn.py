# SPDX-License-Identifier: GPL-3.0-or-later
"""Proof across NAT (issue 16): the site's vuorod behind natA, the expert's
headless Chromium behind natB, coturn in the public namespace (nat.py).  With
direct UDP between the NATs dropped a session goes live through the relay and
media flows both ways; with direct UDP allowed it does not use the relay.

Signalling in this version: natA forwards the site's HTTP port (TCP only) to
the site, so the expert's browser reaches the site's /expert page while media
cannot come in directly.  One topology, one site and one browser for the
module: the scenarios cost seconds each."""
import contextlib
import errno
import json
import os
import re
import select
import socket
import subprocess
import tempfile
import threading
import shutil
import time
import urllib.parse

import pytest
import requests

from conftest import ROOT, VUOROD, add_user, conf_with, wait_for
import nat

SITE_PORT = 8080
EXPERT = ("eero", "expert", "expert-pass-long-1", "kela")
TECH = ("tech", "technician", "tech-pass-long-123")
NODE = shutil.which("node") or "/usr/bin/node"

why = nat.available()
pytestmark = pytest.mark.skipif(why is not None, reason=why or "")


def _drain(pipe, path):
    with open(path, "a") as f:
        for line in pipe:
            f.write(line)


class NsSite:
    """vuorod on the sim board inside the site's namespace, listening on every
    address of it (the test talks to it on the namespace's loopback)."""

    def __init__(self, topo, workdir, overrides):
        self.topo = topo
        self.dir = workdir
        self.db = os.path.join(workdir, "vuoro.db")
        self.conf = os.path.join(workdir, "site.conf")
        base = {("api", "ui-dir"): os.path.join(ROOT, "ui"),
                ("printer", "sim-dir"): os.path.join(workdir, "tickets"),
                ("audio", "wav-dir"): os.path.join(workdir, "audio"),
                ("recording", "dir"): os.path.join(workdir, "recordings"),
                ("announcer", "speak"): "false", ("announcer", "chime"): "false"}
        base.update(overrides)
        with open(self.conf, "w", encoding="utf-8") as f:
            f.write(conf_with(base))
        maps = os.path.join(workdir, "displays")
        if not os.path.lexists(maps):
            os.symlink(os.path.join(ROOT, "board-config", "displays"), maps)
        add_user(self.db, TECH[0], TECH[1], TECH[2])
        subprocess.run([VUOROD, "--db", self.db, "--add-user", EXPERT[0], "--role", EXPERT[1],
                        "--provider", EXPERT[3]], input=EXPERT[2] + "\n", text=True, check=True,
                       capture_output=True)
        self.url = "http://127.0.0.1:%d" % SITE_PORT
        self.token = None
        self.codes = set()  # the tickets this module drew
        self.start()

    def start(self):
        self.stderr_path = os.path.join(self.dir, "vuorod.stderr")
        self.stderr = open(self.stderr_path, "a")
        self.proc = self.topo.run("site", [VUOROD, "--config", self.conf, "--db", self.db,
                                           "--listen", "0.0.0.0:%d" % SITE_PORT],
                                  stdout=subprocess.PIPE, stderr=self.stderr, text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], 15)
        line = self.proc.stdout.readline() if ready else ""
        if "http" not in line:
            raise RuntimeError("vuorod did not start: %r %s" % (line, open(self.stderr_path).read()[-2000:]))
        # the rest of its stdout (GLib's debug messages when asked for) to a file, never blocking it
        threading.Thread(target=_drain, args=(self.proc.stdout, os.path.join(self.dir, "vuorod.stdout")),
                         daemon=True).start()

    def stop(self):
        """Stops vuorod.  If it had died on its own, or does not exit cleanly
        on SIGTERM, its log is kept in build/test-logs/ (the work folder goes)
        and this raises with the log's end: a crash on one of GStreamer's
        threads must fail the test that saw it."""
        died = self.proc.poll()
        if died is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        self.stderr.close()
        rc = self.proc.returncode
        if died is not None or rc != 0:
            keep = os.path.join(os.environ.get("BUILD_DIR", os.path.join(ROOT, "build")), "test-logs")
            os.makedirs(keep, exist_ok=True)
            kept = os.path.join(keep, "site-vuorod-%s.stderr" % time.strftime("%Y%m%dT%H%M%S"))
            shutil.copyfile(self.stderr_path, kept)
            with open(self.stderr_path, errors="replace") as f:
                tail = f.read()[-3000:]
            raise AssertionError("the site's vuorod %s (status %s); its log is kept in %s; it ends: %s" % (
                "had died during the test" if died is not None else "did not exit cleanly on SIGTERM",
                rc, kept, tail))
        return rc

    def _req(self, method, path, body=None, auth=False):
        if self.proc.poll() is not None:  # say why, not "connection refused"
            raise AssertionError("the site's vuorod has exited (status %s): %s" % (
                self.proc.returncode, open(self.stderr_path, errors="replace").read()[-3000:]))

        def go():
            headers = {}
            if auth:
                if not self.token:
                    r = requests.post(self.url + "/api/login", json={"user": TECH[0], "password": TECH[2]},
                                      timeout=10)
                    assert r.status_code == 200, r.text
                    self.token = r.json()["token"]
                headers["Authorization"] = "Bearer " + self.token
            return requests.request(method, self.url + path, json=body, headers=headers, timeout=10)
        return self.topo.call("site", go)

    def ticket(self, service="kela-video"):
        r = self._req("POST", "/api/tickets", {"service": service, "lang": "fi", "handout": "screen"})
        assert r.status_code == 201, r.text
        self.codes.add(r.json()["ticket"]["code"])
        return r.json()["ticket"]

    def booth(self, n=4):
        r = self._req("GET", "/api/booths/%d" % n, auth=True)
        assert r.status_code == 200, r.text
        return r.json()


class Expert:
    """tests/e2e/nat-expert.mjs in the expert's namespace: one line in, one JSON line out."""

    def __init__(self, topo, url, workdir):
        self.log = open(os.path.join(workdir, "expert.stderr"), "a")
        opt = {"url": url, "user": EXPERT[0], "password": EXPERT[2]}
        env = dict(os.environ, BUILD_DIR=os.path.join(ROOT, "build"))
        self.proc = topo.run("expert", [NODE, os.path.join(ROOT, "tests", "e2e", "nat-expert.mjs"),
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
        self.log.close()


@contextlib.contextmanager
def nat_world(site_overrides=None):
    """The topology, coturn, the site behind natA (its HTTP port forwarded) and the
    expert's logged-in browser behind natB: (topo, turn, site, expert).  Also
    tools/bench-expert-hub.py's."""
    workdir = tempfile.mkdtemp(prefix="vuoro-nat-")
    topo = nat.NatTopology(workdir)
    parts = []
    try:
        turn = nat.Coturn(topo, "nat-test-secret")
        user, cred = turn.credentials("site-s1", 3600)
        q = lambda s: urllib.parse.quote(s, safe="")  # noqa: E731 — the username has ':'
        os.makedirs(os.path.join(workdir, "site"))
        site = NsSite(topo, os.path.join(workdir, "site"), {
            ("webrtc", "stun-server"): "stun://%s:3478" % nat.PUBLIC_IP,
            ("webrtc", "turn-servers"): "turn://%s:%s@%s:3478" % (q(user), q(cred), nat.PUBLIC_IP),
            ("webrtc", "reconnect-seconds"): "3",
            ("webrtc", "ring-seconds"): "15",
            # the name the expert's browser uses: natA's public address
            ("api", "hosts"): nat.NAT_A_WAN,
            **(site_overrides or {}),
        })
        parts.append(site)
        public = topo.forward_site_tcp(SITE_PORT)
        expert = Expert(topo, "http://" + public, workdir)
        parts.append(expert)
        yield topo, turn, site, expert
    finally:
        crashed = None  # the site's vuorod died: raised once the rest is removed
        for p in reversed(parts):
            try:
                p.close() if isinstance(p, Expert) else p.stop()
            except AssertionError as e:
                crashed = e
            except Exception:  # noqa: BLE001 — the rest must still be removed
                pass
        topo.close()
        if not os.environ.get("VUORO_KEEP"):
            shutil.rmtree(workdir, ignore_errors=True)
    if crashed:
        raise crashed


@pytest.fixture(scope="module")
def world():
    with nat_world() as w:
        yield w


def udp_socket(topo, role, addr):
    def make():
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(addr)
        return s
    return topo.call(role, make)


def dropped_packets(topo, nat_role):
    out = topo.sh(nat_role, "nft", "list", "chain", "ip", "vuoro", "direct").stdout
    return sum(int(w.split()[1]) for w in out.split("counter")[1:])


def test_topology_lans_unreachable_and_direct_udp_switch(world):
    topo, _, _, _ = world
    # The expert's LAN cannot be reached from the site: natA has no route to it.
    s = udp_socket(topo, "site", (nat.SITE_IP, 0))
    # ICMP "unreachable" is not fatal to UDP: reported with IP_RECVERR only
    s.setsockopt(socket.IPPROTO_IP, getattr(socket, "IP_RECVERR", 11), 1)
    s.connect((nat.EXPERT_IP, 40000))
    s.settimeout(5)
    s.send(b"x")
    with pytest.raises(OSError) as e:
        s.recv(10)
    assert not isinstance(e.value, socket.timeout), "no ICMP unreachable from natA"
    assert e.value.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH), e.value
    s.close()

    # Hole punching between the NATs' public addresses (ports kept by masquerade).
    a = udp_socket(topo, "site", (nat.SITE_IP, 41000))
    b = udp_socket(topo, "expert", (nat.EXPERT_IP, 41001))

    def punch():
        a.sendto(b"from-site", (nat.NAT_B_WAN, 41001))
        b.sendto(b"from-expert", (nat.NAT_A_WAN, 41000))

    topo.drop_direct_udp(False)
    got = {}

    def both():
        punch()
        for name, sock in (("site", a), ("expert", b)):
            r, _, _ = select.select([sock], [], [], 0.05)
            if r:
                got[name] = sock.recvfrom(100)
        return len(got) == 2
    wait_for(both, timeout=5, what="direct UDP between the NATs")
    assert got["site"][0] == b"from-expert" and got["site"][1][0] == nat.NAT_B_WAN
    assert got["expert"][0] == b"from-site" and got["expert"][1][0] == nat.NAT_A_WAN

    topo.drop_direct_udp(True)
    punch()
    # the event: both NATs' drop rules (new, counters at 0) counted the packets
    wait_for(lambda: dropped_packets(topo, "natA") >= 1 and dropped_packets(topo, "natB") >= 1,
             timeout=5, what="both NATs dropping direct UDP")
    for sock in (a, b):
        sock.setblocking(False)
        with pytest.raises(BlockingIOError):
            sock.recvfrom(100)
        sock.close()


def test_turnutils_uclient_relays_from_the_site(world):
    topo, turn, _, _ = world
    topo.drop_direct_udp(True)
    user, cred = turn.credentials("uclient", 600)
    r = topo.sh("site", "turnutils_uclient", "-u", user, "-w", cred, "-y", "-n", "20", "-m", "1",
                "-l", "170", nat.PUBLIC_IP, check=False)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "Total lost packets 0 (0.000000%)" in r.stdout, r.stdout[-2000:]
    m = re.search(r"start_mclient: tot_send_msgs=(\d+), tot_recv_msgs=(\d+)", r.stdout)
    assert m and int(m.group(1)) > 0 and m.group(1) == m.group(2), r.stdout[-2000:]

    # a wrong credential is refused (the secret matters)
    r = topo.sh("site", "turnutils_uclient", "-u", user, "-w", "d3Jvbmc=", "-y", "-n", "2", "-m", "1",
                nat.PUBLIC_IP, check=False)
    m = re.search(r"start_mclient: tot_send_msgs=(\d+), tot_recv_msgs=(\d+)", r.stdout)
    assert r.returncode != 0 or not m or int(m.group(2)) == 0, r.stdout[-2000:]


def run_session(site, expert):
    ticket = site.ticket()
    res = expert.do("call", timeout=90)
    assert res.get("ok"), json.dumps(res, indent=1)
    b = wait_for(lambda: (lambda x: x if (x.get("session") or {}).get("media", {}).get("video_in_frames", 0) > 0
                          else None)(site.booth()), timeout=20, what="the booth decoding the expert's frames")
    # this ticket, or one an earlier failed session put back at the front
    assert b["session"]["code"] in site.codes, (b["session"], ticket)
    assert b["session"]["state"] == "live"
    assert res["framesDecoded"] > 0, res
    end = expert.do("end", timeout=30)
    assert end.get("ok"), end
    wait_for(lambda: site.booth()["state"] == "idle", timeout=15, what="the booth free again")
    return res


def test_session_goes_live_through_the_relay(world):
    topo, turn, site, expert = world
    topo.drop_direct_udp(True)
    res = run_session(site, expert)
    assert "relay" in (res["local"], res["remote"]), res
    # the relay's address is coturn's
    relay = res["localAddress"] if res["local"] == "relay" else res["remoteAddress"]
    assert relay.startswith(nat.PUBLIC_IP + ":"), res


def test_session_direct_when_allowed(world):
    topo, turn, site, expert = world
    topo.drop_direct_udp(False)
    try:
        res = run_session(site, expert)
    finally:
        topo.drop_direct_udp(True)
    assert res["local"] in ("host", "srflx", "prflx") and res["remote"] in ("host", "srflx", "prflx"), res


def lose_the_expert(world):
    """A live session through the relay whose expert's network is cut: waits
    for the booth to give up and heals the network.  Returns (the ticket
    drawn, the code of the session that went live, the booth's state after,
    seconds from the cut to the booth's giving up).  Also
    long_booth_sessions.py's."""
    topo, _, site, expert = world
    topo.drop_direct_udp(True)
    ticket = site.ticket()
    res = expert.do("call", timeout=90)
    assert res.get("ok"), json.dumps(res, indent=1)
    b = wait_for(lambda: (lambda x: x if (x.get("session") or {}).get("state") == "live" else None)(site.booth()),
                 timeout=20, what="the session live")
    code = b["session"]["code"]
    topo.cut("expert")
    try:
        cut_at = time.monotonic()
        b = wait_for(lambda: (lambda x: x if x["state"] == "idle" else None)(site.booth()), timeout=45,
                     what="the booth giving up on the lost expert")
        lost_s = time.monotonic() - cut_at
    finally:
        topo.heal("expert")
    return ticket, code, b, lost_s


def test_expert_network_drops_mid_session(world):
    """Last in the module (the browser is left behind a dead link): the expert's
    network drops in a live session through the relay; the booth gives up
    (network_lost) and the ticket goes back to the front of the queue.  Neither
    the signalling socket (libsoup 3.2 pings without a pong timeout) nor
    webrtcbin's ICE notices a network that is simply gone: the booth's watch on
    the expert's media does ([webrtc] media-timeout-seconds, then the reconnect
    window)."""
    _, _, site, _ = world
    ticket, code, b, lost_s = lose_the_expert(world)
    assert b["last"]["reason"] == "network_lost", b["last"]
    # the customer keeps their place: waiting again, first in line
    tk = site._req("GET", "/api/tickets/%d" % ticket["id"], auth=True).json()
    assert tk["state"] == "waiting", tk
    assert code == ticket["code"], (code, ticket)
    print("network_lost %.1f s after the cut" % lost_s)
    assert lost_s < 6 + 3 + 5, lost_s
