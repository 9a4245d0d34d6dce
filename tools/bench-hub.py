#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""make bench: the region's hub.  A 3-node nats-server cluster (TLS, the
records stream R3, made by vuoro-hub), PostgreSQL 15, one vuoro-hub, and
tools/bench-hub.c publishing as many sites over the sites' protocol (as the
bench user "loadgen": hub/deploy/nats/users.sh --loadgen).  Everything on
this machine's shared cores.

  hub_lag_p99_ms    publish-ack → the record's row in PostgreSQL (the ledger's
                    stored_at: the ingest transaction's start, its commit
                    follows within milliseconds), 1,000 records/s from 100
                    sites for 15 s; target ≤ 500
  hub_catchup_s     500 sites reconnecting with an hour of backlog each
                    (30 records a site-hour: 15,000), from the first publish
                    to the last record in PostgreSQL, the hub running
  hub_ingest_per_s  100,000 records of 100 sites waiting in the stream, a hub
                    started: records/s into PostgreSQL from its first row to
                    its last; target ≥ 10,000

  tools/bench-hub.py BUILD"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import types

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build"))
os.environ.setdefault("BUILD_DIR", BUILD)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from fleet import NatsCluster  # noqa: E402
from pg import Postgres  # noqa: E402
from test_hub_ingest import Hub  # noqa: E402


class Bench:
    def __init__(self, work):
        self.work = work
        self.cluster = NatsCluster(work, nodes=3, sites=["s1"], loadgen=True).start()
        self.pg = Postgres(work)
        self.broker = types.SimpleNamespace(cluster=self.cluster, servers=";".join(self.cluster.urls))
        self.hub = None
        self.hubs = 0

    def start_hub(self):
        """Again if it exited because JetStream was not ready yet (as
        systemd's Restart= would)."""
        for i in range(5):
            self.hubs += 1
            self.hub = Hub(self.work, self.broker, self.pg, name="hub%d" % self.hubs,
                           **{"ack-wait-seconds": 30})
            try:
                return self.hub.start()
            except AssertionError:
                if i == 4 or "JetStream" not in self.hub.log():
                    raise
                time.sleep(1)

    def stop_hub(self):
        self.hub.stop()
        self.hub = None

    def publish(self, sites, per_site, prefix, rate=0, acks=None):
        crt, key = self.cluster.client("loadgen")
        argv = [os.path.join(BUILD, "bench-hub"), "--servers", ",".join(self.cluster.urls),
                "--ca", self.cluster.ca, "--cert", crt, "--key", key, "--sites", str(sites),
                "--per-site", str(per_site), "--prefix", prefix, "--rate", str(rate)]
        if acks:
            argv += ["--acks", acks]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            raise RuntimeError("bench-hub: %s %s" % (r.stdout, r.stderr))
        return json.loads(r.stdout.strip().splitlines()[-1])

    def stored(self, prefix):
        return int(self.pg.scalar("SELECT count(*) FROM ledger WHERE site LIKE '%s%%'" % prefix))

    def wait_stored(self, prefix, n, timeout, what):
        """Polled every 0.1 s (each poll is a psql: not to take the cores the
        hub needs); on a timeout, says how many were stored and what the hub
        logged last."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.stored(prefix)
            if got >= n:
                return
            if time.monotonic() > deadline:
                tail = "\n".join(self.hub.log().splitlines()[-30:]) if self.hub else "(no hub)"
                raise AssertionError("%s: %d of %d stored in %d s; the hub logged last:\n%s"
                                     % (what, got, n, timeout, tail))
            time.sleep(0.1)

    def close(self):
        if self.hub and self.hub.proc.poll() is None:
            self.hub.proc.kill()
            self.hub.proc.wait(10)
        self.cluster.stop()
        self.pg.cleanup()


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1))))]


def lag(b):
    n_sites, seconds, rate = 100, 15, 1000
    acks = os.path.join(b.work, "acks.txt")
    b.publish(n_sites, rate * seconds // n_sites, "lag", rate=rate, acks=acks)
    total = rate * seconds
    b.wait_stored("lag", total, 120, "the lag bench's records")
    acked = {}
    with open(acks) as f:
        for line in f:
            site, epoch, seq, ms = line.split()
            acked[(site, int(seq))] = int(ms)
    rows = b.pg.psql("SELECT site, seq, (extract(epoch FROM stored_at) * 1000)::bigint "
                     "FROM ledger WHERE site LIKE 'lag%'")
    lags = [int(ms) - acked[(site, int(seq))] for site, seq, ms in rows]
    print("BENCH hub_lag_p99_ms=%d ms" % max(0, pct(lags, 99)))
    print("hub_lag: p50 %d ms, max %d ms over %d records" % (pct(lags, 50), max(lags), len(lags)),
          file=sys.stderr)


def catchup(b):
    sites, per_site = 500, 30
    t0 = time.monotonic()
    out = b.publish(sites, per_site, "c")
    b.wait_stored("c", sites * per_site, 300, "the backlogs")
    print("BENCH hub_catchup_s=%.1f s" % (time.monotonic() - t0))
    print("hub_catchup: %d records published and acked in %.1f s" % (out["acked"], out["seconds"]),
          file=sys.stderr)


def ingest(b):
    """From the ledger's own times: the records after the first batch over
    the time from the first batch's transaction to the last's (polled
    slowly, not to take the cores the hub needs)."""
    sites, per_site = 100, 1000
    b.stop_hub()
    b.publish(sites, per_site, "i")
    b.start_hub()
    b.wait_stored("i", sites * per_site, 300, "the stream's records")
    first, span = b.pg.psql("SELECT min(stored_at), extract(epoch FROM max(stored_at) - min(stored_at)) "
                            "FROM ledger WHERE site LIKE 'i%'")[0]
    n0 = int(b.pg.scalar("SELECT count(*) FROM ledger WHERE site LIKE 'i%%' AND stored_at = '%s'"
                         % first))
    print("BENCH hub_ingest_per_s=%d records/s" % ((sites * per_site - n0) / float(span)))
    print("hub_ingest: %d records in %.1f s after the first batch" % (sites * per_site - n0, float(span)),
          file=sys.stderr)


def main():
    work = tempfile.mkdtemp(prefix="bench-hub-", dir=BUILD)
    b = None
    try:
        b = Bench(work)
        b.start_hub()
        lag(b)
        catchup(b)
        ingest(b)
    finally:
        if b:
            b.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
