# SPDX-License-Identifier: GPL-3.0-or-later
"""The fleet end to end (issue 15, item 6): real vuorod sites with [uplink]
→ a real 3-node NATS cluster (JetStream R3, TLS, a user per site) → a real
vuoro-hub → a real PostgreSQL 15.  Faults while tickets keep being drawn at
every site (HTTP 201s):

  (a) a site's network cut (its vuorod in a network namespace, the veth's
      far end down, the drawing inside the namespace), (b) a NATS node
      SIGKILLed mid-stream, (c) the hub SIGKILLed mid-batch, (d) PostgreSQL
      restarted, (e) a site SIGKILLed mid-publish, (f) a site's database
      restored from an older backup (a new epoch: both kept).

After each: every outbox row of every site is in PostgreSQL's ledger exactly
once under its (site, epoch, seq), with its kind, and in its record table: 0
lost, 0 duplicated.  The cuts are seconds long here; the minutes-long ones
are tests/integration/long_fleet.py (make test-long).  Also: `make
run-fleet`'s tools/run-fleet starts a region and stops every process of it."""
import contextlib
import json
import os
import re
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import types

import pytest
import requests

from conftest import ROOT, USERS, VUOROD, Daemon, add_user, conf_with, wait_for
from fleet import NatsCluster
from pg import Postgres
from test_hub_ingest import Hub

SITES = ["s1", "s2", "s3"]
NS_SITE = "s1"  # the site in a network namespace: case (a)
KIND_TABLE = {"ticket.issued": "tickets", "visit": "visits", "feedback": "feedback",
              "counter.opened": "counter_events", "counter.closed": "counter_events",
              "fault.raised": "faults", "fault.cleared": "faults", "session.ended": "sessions"}

# Draws tickets at URL until SIGTERM, a line per answer ("201", "ERR …") in
# OUT.  Runs inside the site's namespace for the namespaced site.
DRAWER = r"""
import signal, sys, time, requests
url, out, pause = sys.argv[1], sys.argv[2], float(sys.argv[3])
stop = []
signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
s = requests.Session()
with open(out, "a", buffering=1) as f:
    while not stop:
        try:
            r = s.post(url + "/api/tickets", json={"service": "guide", "lang": "fi",
                                                   "handout": "screen"}, timeout=5)
            f.write("%d\n" % r.status_code)
        except Exception as e:
            f.write("ERR %s\n" % type(e).__name__)
            s = requests.Session()
        time.sleep(pause)
"""


class Netns:
    """A network namespace joined to the host by a veth pair, a /30 of
    198.51.100.0/24 (TEST-NET-2), no route out; cut() downs its end."""

    def __init__(self):
        n = os.getpid() % 10000
        self.name = "vfleet%d" % n
        self.host_if, self.ns_if = "vfh%d" % n, "vfs%d" % n
        self.delete()
        # A /30 no other test on this host holds.
        used = subprocess.run(["ip", "-4", "-o", "addr"], capture_output=True, text=True).stdout
        base = next(b for b in [4 * ((os.getpid() + i) % 63) for i in range(63)]
                    if "198.51.100.%d/" % (b + 1) not in used)
        self.host_ip, self.ns_ip = "198.51.100.%d" % (base + 1), "198.51.100.%d" % (base + 2)
        for cmd in (["ip", "netns", "add", self.name],
                    ["ip", "link", "add", self.host_if, "type", "veth", "peer", "name", self.ns_if],
                    ["ip", "link", "set", self.ns_if, "netns", self.name],
                    ["ip", "addr", "add", self.host_ip + "/30", "dev", self.host_if],
                    ["ip", "link", "set", self.host_if, "up"],
                    ["ip", "-n", self.name, "addr", "add", self.ns_ip + "/30", "dev", self.ns_if],
                    ["ip", "-n", self.name, "link", "set", self.ns_if, "up"],
                    ["ip", "-n", self.name, "link", "set", "lo", "up"]):
            subprocess.run(cmd, check=True, capture_output=True)

    def prefix(self):
        return ["ip", "netns", "exec", self.name]

    def cut(self):
        subprocess.run(["ip", "-n", self.name, "link", "set", self.ns_if, "down"], check=True)

    def heal(self):
        subprocess.run(["ip", "-n", self.name, "link", "set", self.ns_if, "up"], check=True)

    def delete(self):
        subprocess.run(["ip", "link", "del", self.host_if], capture_output=True)
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)


class Site(Daemon):
    """vuorod on the sim board with [uplink] for @site; inside @ns if given
    (listening on every address of the namespace: 127.0.0.1 for the
    drawing inside it, the veth's address for the test)."""

    def __init__(self, workdir, site, cluster, ns=None):
        folder = os.path.join(workdir, site)
        os.makedirs(folder, exist_ok=True)
        crt, key = cluster.client("site-" + site)
        text = conf_with({("uplink", "servers"): ";".join(cluster.urls), ("uplink", "site"): site,
                          ("uplink", "ca"): cluster.ca, ("uplink", "cert"): crt,
                          ("uplink", "key"): key, ("uplink", "retry-max-seconds"): "2"})
        super().__init__(folder, text)
        self.site, self.ns = site, ns
        # The records of past epochs ({(epoch, seq): kind}) and the rows of
        # this database sent under an earlier epoch (a restored backup's).
        self.past, self.sent_before = {}, set()
        self.drawer = None
        for name, (role, password) in USERS.items():
            add_user(self.db, name, role, password)

    def start(self):
        listen = "%s:%d" % ("0.0.0.0" if self.ns else "127.0.0.1", self.port)
        argv = [VUOROD, "--config", self.conf, "--db", self.db, "--listen", listen]
        if self.ns:
            argv = self.ns.prefix() + argv
        self.stderr = open(self.stderr_path, "a")
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self.stderr, text=True)
        line = ""
        ready, _, _ = select.select([self.proc.stdout], [], [], 15)
        if ready:
            line = self.proc.stdout.readline()
        m = re.search(r"https?://[0-9.]+:(\d+)/", line)
        if not m:
            self.proc.kill()
            raise RuntimeError("vuorod %s did not start: %r; %s" % (
                self.site, line, open(self.stderr_path).read()[-2000:]))
        self.port = int(m.group(1))
        self.local_url = "http://127.0.0.1:%d" % self.port  # inside its namespace
        self.url = "http://%s:%d" % (self.ns.ns_ip if self.ns else "127.0.0.1", self.port)
        self.tokens = {}
        return self

    def uplink(self):
        r = self.get("/api/uplink", user="tech")
        assert r.status_code == 200, r.text
        return r.json()

    def outbox(self):
        # Closed at once: an open connection to a file replaced under it
        # (a restore) would share its stale locks with the next one.
        with contextlib.closing(sqlite3.connect("file:%s?mode=ro" % self.db, uri=True,
                                                timeout=10)) as c:
            rows = c.execute("SELECT id, kind, sent_at FROM outbox ORDER BY id").fetchall()
            ep = c.execute("SELECT value FROM meta WHERE key = 'epoch'").fetchone()[0]
        return ep, rows

    def expected(self):
        """{(epoch, seq): kind} of every record this site has made."""
        ep, rows = self.outbox()
        exp = dict(self.past)
        exp.update({(ep, r[0]): r[1] for r in rows if r[0] not in self.sent_before})
        return exp

    def unsent(self):
        return sum(1 for r in self.outbox()[1] if r[2] == 0)

    def draw_start(self, pause=0.05):
        """Tickets drawn continuously (inside the namespace for its site)."""
        if self.drawer:
            self.draw_stop()
        self.drawn = os.path.join(self.workdir, "drawn-%d.txt" % time.monotonic_ns())
        open(self.drawn, "w").close()
        argv = [sys.executable, "-c", DRAWER, self.local_url, self.drawn, str(pause)]
        self.drawer = subprocess.Popen((self.ns.prefix() if self.ns else []) + argv)

    def draws(self):
        with open(self.drawn) as f:
            return f.read().split()

    def served(self):
        return self.draws().count("201")

    def draw_stop(self):
        """Every answer since draw_start: all 201, or the failures."""
        if self.drawer:
            self.drawer.send_signal(signal.SIGTERM)
            self.drawer.wait(15)
            self.drawer = None
        answers = self.draws()
        return answers.count("201"), [a for a in answers if a != "201"]


def start_hub(workdir, broker, pg, tries=5):
    """vuoro-hub started; again if it exited because the cluster's JetStream
    was not ready yet (as systemd's Restart= does)."""
    for i in range(tries):
        hub = Hub(workdir, broker, pg, name="hub", **{"duplicates-seconds": 120})
        try:
            return hub.start()
        except AssertionError:
            if i == tries - 1 or "JetStream" not in hub.log():
                raise
            time.sleep(1)


class Region:
    def __init__(self, workdir):
        self.workdir = workdir
        self.ns = self.cluster = self.pg = self.hub = None
        self.sites = {}
        try:
            self.start()
        except BaseException:
            self.close()  # what did start: nothing left running
            raise

    def start(self):
        workdir = self.workdir
        self.ns = Netns()
        # The brokers listen on the host's end of the veth: the namespaced
        # site reaches them there, everyone else too (over the loopback).
        self.cluster = NatsCluster(workdir, nodes=3, sites=SITES, host=self.ns.host_ip)
        self.cluster.start()
        self.pg = Postgres(workdir)
        self.broker = types.SimpleNamespace(cluster=self.cluster, servers=";".join(self.cluster.urls))
        self.hub = start_hub(workdir, self.broker, self.pg)
        for s in SITES:
            self.sites[s] = Site(workdir, s, self.cluster, ns=self.ns if s == NS_SITE else None).start()
        for s in self.sites.values():
            wait_for(lambda: s.uplink()["connected"], 20, "site %s connected" % s.site)

    def hub_restart(self):
        self.hub = start_hub(self.workdir, self.broker, self.pg)
        return self.hub

    def ledger(self):
        """{site: {(epoch, seq): kind}} as PostgreSQL has it."""
        out = {s: {} for s in SITES}
        for site, ep, seq, kind in self.pg.psql("SELECT site, epoch, seq, kind FROM ledger"):
            out.setdefault(site, {})[(ep, int(seq))] = kind
        return out

    def stored_count(self):
        return int(self.pg.scalar("SELECT count(*) FROM ledger"))

    def close(self):
        for s in self.sites.values():
            if s.drawer:
                s.draw_stop()
            if s.proc:
                s.kill()
        if self.hub and self.hub.proc and self.hub.proc.poll() is None:
            self.hub.proc.kill()
            self.hub.proc.wait(10)
        if self.cluster:
            self.cluster.stop()
        if self.pg:
            self.pg.cleanup()
        if self.ns:
            self.ns.delete()


def make_region():
    workdir = tempfile.mkdtemp(prefix="vuoro-fleet-")
    region = None
    try:
        region = Region(workdir)
        yield region
    finally:
        if region:
            region.close()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def region():
    yield from make_region()


def assert_exactly_once(region, timeout=60):
    """Every outbox row of every site in the ledger once, nothing else; its
    row in its record table; no rejects."""
    def same():
        led = region.ledger()
        return all(not s.unsent() and led.get(name, {}) == s.expected()
                   for name, s in region.sites.items()) and led

    try:
        led = wait_for(same, timeout, "every site's outbox in PostgreSQL")
    except AssertionError:
        led = region.ledger()
        for name, s in region.sites.items():
            exp = s.expected()
            lost = sorted(set(exp) - set(led.get(name, {})))
            extra = sorted(set(led.get(name, {})) - set(exp))
            print("%s: %d expected, %d stored, %d unsent, lost %s…, unexpected %s…" % (
                name, len(exp), len(led.get(name, {})), s.unsent(), lost[:5], extra[:5]))
        raise
    # Each record in its table, once (the ledger is the key; the tables follow it).
    for table in sorted(set(KIND_TABLE.values())):
        kinds = [k for k, t in KIND_TABLE.items() if t == table]
        want = sum(1 for site in led.values() for k in site.values() if k in kinds)
        assert int(region.pg.scalar("SELECT count(*) FROM %s" % table)) == want, table
    assert region.pg.scalar("SELECT count(*) FROM rejects") == "0"
    return led


def drawing(region, names=SITES):
    for n in names:
        region.sites[n].draw_start()


def served_through(region, names=SITES, more=5):
    """The sites of @names served @more tickets more from now; then the
    drawing stops and every answer was a 201."""
    base = {n: region.sites[n].served() for n in names}
    wait_for(lambda: all(region.sites[n].served() >= base[n] + more for n in names), 30,
             "tickets served after the fault")
    for n in names:
        ok, failed = region.sites[n].draw_stop()
        assert failed == [] and ok > 0, "site %s: %d served, failures %s" % (n, ok, failed[:5])


def test_a_network_cut_of_a_site(region):
    s1 = region.sites[NS_SITE]
    drawing(region)
    wait_for(lambda: region.ledger()[NS_SITE], 20, "s1's records flowing")
    region.ns.cut()
    try:
        # The site serves on, its records wait: unsent rows pile up while
        # nothing of s1 reaches PostgreSQL.
        before = s1.served()
        wait_for(lambda: s1.unsent() >= 30, 30, "s1's records waiting during the cut")
        assert s1.served() > before
        stored = len(region.ledger()[NS_SITE])
        wait_for(lambda: s1.unsent() >= 60, 30, "more of s1's records waiting")
        assert len(region.ledger()[NS_SITE]) <= stored + 256  # at most what was in flight
    finally:
        region.ns.heal()
    served_through(region)
    led = assert_exactly_once(region)
    assert len(led[NS_SITE]) >= 60


def test_b_a_nats_node_sigkilled_mid_stream(region):
    drawing(region)
    n0 = region.stored_count()
    wait_for(lambda: region.stored_count() >= n0 + 20, 20, "records flowing")
    region.cluster.kill(1)
    n1 = region.stored_count()
    wait_for(lambda: region.stored_count() >= n1 + 50, 30, "records flowing on two nodes")
    region.cluster.start_node(1)
    region.cluster.wait_healthy([1])
    served_through(region)
    assert_exactly_once(region)


def test_c_the_hub_sigkilled_mid_batch(region):
    drawing(region)
    n0 = region.stored_count()
    wait_for(lambda: region.stored_count() >= n0 + 20, 20, "records flowing")
    region.hub.kill()
    # A backlog in the stream, then killed again while it drains it.
    marks = {n: len(s.outbox()[1]) for n, s in region.sites.items()}
    wait_for(lambda: all(len(s.outbox()[1]) >= marks[n] + 30 for n, s in region.sites.items()),
             30, "a backlog while the hub is down")
    n1 = region.stored_count()
    hub = region.hub_restart()
    wait_for(lambda: region.stored_count() > n1, 20, "the hub draining")
    hub.kill()
    region.hub_restart()
    served_through(region)
    assert_exactly_once(region)


def test_d_postgresql_restarted(region):
    drawing(region)
    n0 = region.stored_count()
    wait_for(lambda: region.stored_count() >= n0 + 20, 20, "records flowing")
    region.pg.restart()
    n1 = region.stored_count()
    wait_for(lambda: region.stored_count() >= n1 + 50, 30, "records flowing after the restart")
    served_through(region)
    assert_exactly_once(region)
    assert region.hub.proc.poll() is None


def test_e_a_site_sigkilled_mid_publish(region):
    s2 = region.sites["s2"]
    for _ in range(3):
        drawing(region)
        wait_for(lambda: s2.uplink()["published"] >= 10, 20, "s2 publishing")
        n = len(s2.outbox()[1])
        wait_for(lambda: len(s2.outbox()[1]) >= n + 10, 20, "s2 drawing and publishing")
        s2.kill()
        ok, failed = s2.draw_stop()
        assert ok > 0
        served_through(region, ["s1", "s3"])
        s2.start()
        wait_for(lambda: s2.uplink()["connected"], 20, "s2 reconnected")
    drawing(region)
    served_through(region)
    assert_exactly_once(region)


def restore_older_backup(region, site, put_back):
    """A backup of @site's database while it runs and draws (sqlite3
    .backup), more served, the site stopped, the copy put back by
    @put_back(backup, db), the site started: a new epoch, whose records
    (seqs the old epoch used too) all arrive; both epochs kept."""
    s = region.sites[site]
    drawing(region, [site])
    wait_for(lambda: s.unsent() == 0 and len(s.outbox()[1]) > 0, 20, "%s sent its records" % site)
    backup = os.path.join(s.workdir, "backup-%d.db" % time.monotonic_ns())
    subprocess.run(["sqlite3", s.db, ".backup '%s'" % backup], check=True, timeout=60)
    old_epoch, rows = s.outbox()
    n = len(rows)
    wait_for(lambda: len(s.outbox()[1]) >= n + 30, 30, "more served after the backup")
    s.draw_stop()
    wait_for(lambda: s.unsent() == 0, 30, "%s sent everything" % site)
    assert s.stop() == 0
    # Every record of the old file stays in PostgreSQL under its epoch.
    ep, rows = s.outbox()
    assert ep == old_epoch
    s.past.update({(ep, r[0]): r[1] for r in rows})
    with contextlib.closing(sqlite3.connect(backup)) as c:
        s.sent_before = {r[0] for r in c.execute("SELECT id FROM outbox WHERE sent_at > 0")}
    for suffix in ("-wal", "-shm"):
        if os.path.exists(s.db + suffix):
            os.unlink(s.db + suffix)
    put_back(backup, s.db)
    s.start()
    new_epoch = s.outbox()[0]
    assert new_epoch != old_epoch, "the restored database kept the epoch of the live one"
    drawing(region, [site])
    wait_for(lambda: len(s.outbox()[1]) >= n + 40, 30, "%s serving on the restored database" % site)
    served_through(region, [site])
    led = assert_exactly_once(region)
    # None of the new epoch's records taken for a duplicate of the old's.
    reused = {seq for (e, seq) in led[site] if e == new_epoch} & \
        {seq for (e, seq) in led[site] if e == old_epoch}
    assert len(reused) >= 30
    epochs = region.pg.scalar("SELECT epochs FROM sites WHERE site = '%s'" % site)
    assert {old_epoch, new_epoch} <= set(epochs.strip("{}").split(","))


def test_f_a_site_database_restored_from_an_older_backup(region):
    def put_back(backup, db):  # a new file in the old one's place
        shutil.copy(backup, db + ".restore")
        os.rename(db + ".restore", db)
    restore_older_backup(region, "s3", put_back)


def test_f_a_backup_copied_over_the_live_file(region):
    # cp over the file keeps its inode and birth time: the file's identity
    # cannot tell; PATH.sent (the newest record the hub has) can.
    restore_older_backup(region, "s2", lambda backup, db: shutil.copyfile(backup, db))


# Once (before the uplink published from a thread of its own) the site's main
# loop blocked in write() on the NATS socket in a cut, a few hundred records
# into it: the site served nothing until the link was back.
def test_a_the_site_serves_on_through_a_longer_cut(region):
    s1 = region.sites[NS_SITE]
    s1.draw_start(pause=0)
    wait_for(lambda: region.ledger()[NS_SITE], 20, "s1's records flowing")
    served0 = s1.served()
    region.ns.cut()
    try:
        # ~500 tickets a second when nothing blocks: a thousand in 20 s is slack.
        wait_for(lambda: s1.served() >= served0 + 1000, 20, "s1 serving a thousand tickets in the cut")
    finally:
        region.ns.heal()
        ok, failed = s1.draw_stop()
    assert failed == []
    assert_exactly_once(region, timeout=120)


def test_run_fleet_starts_a_region_and_stops_all_of_it(workdir):
    build = os.path.abspath(os.environ.get("BUILD_DIR", os.path.join(ROOT, "build")))
    ready = os.path.join(workdir, "ready.json")
    out = open(os.path.join(workdir, "run-fleet.out"), "w")
    p = subprocess.Popen([os.path.join(ROOT, "tools", "run-fleet"), build, "--work",
                          os.path.join(workdir, "fleet"), "--ready-file", ready],
                         stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: os.path.exists(ready) or p.poll() is not None, 90, "run-fleet ready")
        assert p.poll() is None, open(out.name).read()
        state = json.load(open(ready))
        text = open(out.name).read()
        assert state["hub"] in text and all(u in text for u in state["sites"].values())
        assert sorted(state["sites"]) == SITES and len(state["pids"]) == 7
        for site, url in state["sites"].items():
            r = requests.post(url + "api/tickets", json={"service": "guide", "handout": "screen"},
                              timeout=10)
            assert r.status_code == 201, r.text
        dsn = dict(kv.split("=", 1) for kv in state["dsn"].split())

        def ledger_sites():
            r = subprocess.run(["/usr/lib/postgresql/15/bin/psql", "-X", "-A", "-t", "-h", dsn["host"],
                                "-p", dsn["port"], "-U", dsn["user"], "-d", dsn["dbname"], "-c",
                                "SELECT DISTINCT site FROM ledger WHERE kind = 'ticket.issued' "
                                "ORDER BY 1"], capture_output=True, text=True)
            return r.stdout.split() == SITES
        wait_for(ledger_sites, 30, "a ticket of each site in the hub's database")
        p.send_signal(signal.SIGTERM)
        assert p.wait(60) == 0, open(out.name).read()
        for pid in state["pids"] + [state["postgres_pid"]]:
            assert not os.path.exists("/proc/%d" % pid) or \
                open("/proc/%d/stat" % pid).read().split()[2] == "Z", "pid %d still runs" % pid
    finally:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            p.wait(60)
        out.close()
