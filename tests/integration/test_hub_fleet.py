# SPDX-License-Identifier: GPL-3.0-or-later
"""/hub/fleet and the follow page from anywhere (issue 15 item 4).

Real peers only: the region's broker (fleet.py: nats-server, JetStream, TLS,
users by certificate), PostgreSQL 15 (pg.py), vuoro-hub, and real vuorod sim
sites with [uplink] (their uplink writes the live state into the vuoro-sites
bucket; the hub watches it).  A fault raised at a site shows on the hub's
fleet API and clears; a stopped site goes silent after the (shortened)
[fleet] silent-seconds; a printed ticket's QR points at the hub's
/t/<site>.<REF>, which the hub answers from the site's live state: the place,
then "called" with the counter; a made-up reference is "not found"."""
import json
import os
import signal
import subprocess
import time

import pytest
import requests
import websocket

from conftest import ROOT, conf_with, make_daemon, wait_for
from fleet import NatsCluster
from pg import Postgres
from ports import free_port

BUILD = os.path.abspath(os.environ.get("BUILD_DIR", os.path.join(ROOT, "build")))
HUB = os.path.join(BUILD, "vuoro-hub")
SQL_DIR = os.path.join(ROOT, "hub", "sql")
# Above the uplink's 30 s heartbeat: a site that runs is never silent.
SILENT_S = 34
TECH = ("tina", "tina-tekniikka-1")
MANAGER = ("mia", "mia-manageri-pitka-1")



class Hub:
    def __init__(self, workdir, nats, pg):
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.conf = os.path.join(workdir, "hub.conf")
        self.log_path = os.path.join(workdir, "hub.log")
        crt, key = nats.client("hub")
        with open(self.conf, "w") as f:
            f.write("[nats]\nservers = %s\nca = %s\ncert = %s\nkey = %s\nreplicas = 1\n"
                    "duplicates-seconds = 120\n" % (";".join(nats.urls), nats.ca, crt, key))
            f.write("\n[postgres]\nconninfo = %s\nsql-dir = %s\n" % (pg.dsn, SQL_DIR))
            f.write("\n[web]\nlisten = 127.0.0.1:%d\nui-dir = %s\n" % (self.port, os.path.join(ROOT, "ui")))
            f.write("\n[fleet]\nsilent-seconds = %d\n" % SILENT_S)
        self.proc = None
        self.tokens = {}

    def start(self):
        self.err = open(self.log_path, "a")
        self.proc = subprocess.Popen([HUB, "--config", self.conf], stderr=self.err)
        wait_for(lambda: self.up() or self.proc.poll() is not None, 30, "vuoro-hub's web")
        assert self.proc.poll() is None, self.log()[-3000:]
        return self

    def up(self):
        try:
            return requests.get(self.url + "/api/follow/x.y", timeout=2).status_code == 404
        except requests.ConnectionError:
            return False

    def add_user(self, name, role, password):
        p = subprocess.run([HUB, "--config", self.conf, "--add-user", name, "--role", role],
                           input=password + "\n", text=True, capture_output=True, timeout=30)
        assert p.returncode == 0, p.stderr

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def login(self, user=TECH):
        if user[0] not in self.tokens:
            r = requests.post(self.url + "/api/login", json={"user": user[0], "password": user[1]},
                              timeout=30)
            assert r.status_code == 200, r.text
            self.tokens[user[0]] = r.json()["token"]
        return self.tokens[user[0]]

    def get(self, path, auth=True, user=TECH):
        headers = {"Authorization": "Bearer " + self.login(user)} if auth else {}
        return requests.get(self.url + path, headers=headers, timeout=30)

    def events(self, token=None):
        url = self.url.replace("http://", "ws://") + "/api/hub/fleet/events"
        return websocket.create_connection(url + ("?token=" + token if token else ""), timeout=15)

    def fleet(self):
        r = self.get("/api/hub/fleet")
        assert r.status_code == 200, r.text
        return {s["site"]: s for s in r.json()["sites"]}

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            rc = self.proc.wait(20)
            self.err.close()
            assert rc == 0, self.log()[-3000:]
        err = self.log()
        assert "AddressSanitizer" not in err and "runtime error" not in err, err[-3000:]


def site_conf(nats, site, hub_url):
    cert, key = nats.client("site-" + site)
    return conf_with({
        ("uplink", "servers"): ";".join(nats.urls),
        ("uplink", "site"): site,
        ("uplink", "ca"): nats.ca,
        ("uplink", "cert"): cert,
        ("uplink", "key"): key,
        ("uplink", "retry-max-seconds"): "2",
        ("uplink", "public-url"): hub_url + "/",
    })


@pytest.fixture
def region(workdir):
    """One NATS node, PostgreSQL, the hub, and two sim sites s1 and s2."""
    nats = NatsCluster(workdir, nodes=1, sites=["s1", "s2"]).start()
    nats.setup_stream(duplicates_s=120)
    pg = Postgres(workdir)
    hub = Hub(workdir, nats, pg)
    hub.add_user(TECH[0], "technician", TECH[1])
    hub.add_user(MANAGER[0], "manager", MANAGER[1])
    hub.start()
    sites = {}
    for s in ("s1", "s2"):
        d = os.path.join(workdir, s)
        os.mkdir(d)
        sites[s] = make_daemon(d, site_conf(nats, s, hub.url))
    yield hub, sites, nats
    for d in sites.values():
        if d.proc and d.proc.poll() is None:
            d.stop()
    hub.stop()
    nats.stop()
    pg.cleanup()


def test_fleet_shows_every_site_a_fault_comes_and_goes_a_stopped_site_goes_silent(region):
    hub, sites, _ = region
    f = wait_for(lambda: (lambda f: len(f) == 2 and f)(hub.fleet()), 20, "both sites on the fleet")
    for s in ("s1", "s2"):
        assert f[s]["silent"] is False and f[s]["faults"] == [] and f[s]["version"]
        assert f[s]["backlog"]["unsent"] >= 0 and f[s]["seen"] > time.time() - 60
        assert f[s]["name"].startswith("Yhteispalvelupiste") or f[s]["name"]
    # Only technicians and admins, on the API and the stream.
    assert hub.get("/api/hub/fleet", auth=False).status_code == 401
    assert hub.get("/api/hub/fleet", user=MANAGER).status_code == 403
    for token in (None, hub.login(MANAGER)):
        ws = hub.events(token)
        op, data = ws.recv_data(control_frame=True)
        assert op == websocket.ABNF.OPCODE_CLOSE and data[:2] == (1008).to_bytes(2, "big"), data
        assert b"technicians and admins" in data
        ws.close()
    ws = hub.events(hub.login())
    assert json.loads(ws.recv()) == {"type": "hello"}

    d = sites["s1"]
    t0 = time.monotonic()
    assert d.post("/api/printer/sim", {"paper_end": True}, user="tech").status_code == 200
    d.post("/api/tickets", {"service": "guide", "handout": "printer"})  # finds the paper out
    # The stream tells it (an event, not a poll).
    while True:
        ev = json.loads(ws.recv())
        assert ev["type"] == "site"
        if ev["site"]["site"] == "s1" and ev["site"]["faults"]:
            break
    took = time.monotonic() - t0
    ws.close()
    f = hub.fleet()
    assert [(x["device"], x["code"]) for x in f["s1"]["faults"]] == [("printer", "paper_out")]
    assert f["s1"]["faults"][0]["since"] > 0 and f["s2"]["faults"] == []
    print("BENCH-INFO fleet_fault_seen_s %.2f" % took)
    assert d.post("/api/printer/sim", {}, user="tech").json()["printer"]["ok"] is True
    wait_for(lambda: hub.fleet()["s1"]["faults"] == [], 10, "the fault cleared at the hub")

    # s2 stops: silent after SILENT_S without its heartbeat; s1 is not.
    assert hub.fleet()["s2"]["silent"] is False
    sites["s2"].stop()
    f = wait_for(lambda: (lambda f: f["s2"]["silent"] and f)(hub.fleet()), SILENT_S + 10,
                 "s2 silent")
    assert time.time() >= f["s2"]["seen"] + SILENT_S - 1, "silent too early"
    assert f["s1"]["silent"] is False and f["s2"]["faults"] == []
    assert "site s2 is silent" in hub.log()


def zbar(png):
    z = subprocess.run(["zbarimg", "-q", "--raw", png], capture_output=True, text=True, timeout=60)
    return z.stdout.strip()


def test_the_tickets_qr_points_at_the_hub_which_follows_it(region):
    hub, sites, _ = region
    d = sites["s1"]
    assert d.post("/api/counters/1/open", {}, user="anna").status_code == 200
    first = d.post("/api/tickets", {"service": "guide", "lang": "sv", "handout": "screen"})
    assert first.status_code == 201, first.text
    r = d.post("/api/tickets", {"service": "guide", "lang": "sv", "handout": "printer"})
    assert r.status_code == 201 and r.json()["print"]["ok"] is True, r.text
    tk = r.json()["ticket"]
    ref = tk["follow"].rsplit("/", 1)[1]
    assert ref.startswith("s1.") and tk["follow"] == "/t/" + ref
    n = len([x for x in os.listdir(d.tickets) if x.endswith(".png")])
    url = zbar(os.path.join(d.tickets, "ticket-%d.png" % n))
    assert url == hub.url + "/t/" + ref

    # The page itself, and its API from the site's live state: second in line.
    page = requests.get(url, timeout=10)
    assert page.status_code == 200 and "/ui/follow/follow.js" in page.text
    f = wait_for(lambda: (lambda r: r.status_code == 200 and r.json())(
        hub.get("/api/follow/" + ref, auth=False)), 10, "the ticket at the hub")
    assert f["code"] == tk["code"] and f["lang"] == "sv" and f["service"] == "guide"
    assert f["state"] == "waiting" and f["ahead"] == 1
    assert f["status"]["languages"][0] == "fi" and f["status"]["site"]
    assert any(s["code"] == "guide" and s["names"]["sv"] for s in f["status"]["services"])
    # The site answers the hub's form of its own reference too.
    assert d.get("/api/follow/" + ref).json()["code"] == tk["code"]

    # The advisor calls the first, then this one: "called", counter 1.
    assert d.post("/api/counters/1/call", {}, user="anna").status_code == 200
    wait_for(lambda: hub.get("/api/follow/" + ref, auth=False).json().get("ahead") == 0, 10,
             "first in line")
    assert d.post("/api/counters/1/end", {"outcome": "resolved"}, user="anna").status_code == 200
    assert d.post("/api/counters/1/call", {}, user="anna").status_code == 200
    t0 = time.monotonic()
    f = wait_for(lambda: (lambda j: j["state"] == "called" and j)(
        hub.get("/api/follow/" + ref, auth=False).json()), 10, "called at the hub")
    print("BENCH-INFO follow_called_seen_s %.2f" % (time.monotonic() - t0))
    assert f["counter"] == 1

    # Made up, malformed, another site's: the same "not found".
    for bad in ("s1.AAAAAAAAAAAAAAAAAAAAAA", "s2." + ref[3:], "nosuch." + ref[3:], "s1",
                "S1." + ref[3:], "s1." + ref[3:] + "%21", ref[3:]):
        r = hub.get("/api/follow/" + bad, auth=False)
        assert r.status_code == 404, (bad, r.text)
    assert requests.get(hub.url + "/t/s1.AAAAAAAAAAAAAAAA", timeout=10).status_code == 200


def test_the_fleet_follows_on_after_the_broker_restarts(region):
    """The NATS node SIGKILLed and started again: the hub's watcher goes on
    (a fault raised after it still reaches the fleet)."""
    hub, sites, nats = region
    wait_for(lambda: len(hub.fleet()) == 2, 20, "both sites on the fleet")
    nats.restart(0)
    d = sites["s1"]
    wait_for(lambda: d.get("/api/uplink", user="tech").json()["connected"], 20, "s1 reconnected")
    assert d.post("/api/printer/sim", {"paper_end": True}, user="tech").status_code == 200
    d.post("/api/tickets", {"service": "guide", "handout": "printer"})
    f = wait_for(lambda: (lambda f: f["s1"]["faults"] and f)(hub.fleet()), 20,
                 "the fault at the hub after the restart")
    assert [(x["device"], x["code"]) for x in f["s1"]["faults"]] == [("printer", "paper_out")]
