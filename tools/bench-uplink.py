#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""make bench: vuorod on the sim board with [uplink] connected to a local
nats-server (TLS, JetStream; the test harness of tests/integration/
test_uplink.py), idle for 30 s: its CPU and resident memory.

  tools/bench-uplink.py BUILD [SECONDS]"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
os.environ.setdefault("VUOROD", os.path.join(ROOT, sys.argv[1] if len(sys.argv) > 1 else "build",
                                             "vuorod"))
from conftest import VUOROD, conf_with, wait_for  # noqa: E402
from fleet import NatsCluster  # noqa: E402
from test_uplink import uplink_conf  # noqa: E402


def cpu_ns(pid):
    """CPU time of every thread, in ns (schedstat: finer than clock ticks)."""
    total = 0
    for t in os.listdir("/proc/%d/task" % pid):
        try:
            total += int(open("/proc/%d/task/%s/schedstat" % (pid, t)).read().split()[0])
        except OSError:
            pass  # a thread that ended meanwhile
    return total


def main():
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    work = tempfile.mkdtemp(prefix="bench-uplink-", dir=os.path.join(ROOT, sys.argv[1]
                                                                    if len(sys.argv) > 1 else "build"))
    nats = None
    proc = None
    try:
        nats = NatsCluster(work, nodes=1, sites=["s1"]).start()
        nats.setup_stream(duplicates_s=600)
        text = uplink_conf(nats)
        text = re.sub(r"^\[announcer\]\s*$", "[announcer]\nchime = false\nspeak = false", text,
                      count=1, flags=re.M)
        text = re.sub(r"^sim-dir\s*=.*$", "sim-dir = " + os.path.join(work, "tickets"), text,
                      flags=re.M)
        conf = os.path.join(work, "bench.conf")
        with open(conf, "w") as f:
            f.write(text)
        os.symlink(os.path.join(ROOT, "board-config", "displays"), os.path.join(work, "displays"))
        err = open(os.path.join(work, "vuorod.err"), "w")
        proc = subprocess.Popen([VUOROD, "--config", conf, "--db", os.path.join(work, "vuoro.db"),
                                 "--listen", "127.0.0.1:0"], stdout=subprocess.DEVNULL, stderr=err)
        wait_for(lambda: "uplink: connected" in open(err.name).read(), 15, "the uplink connected")
        time.sleep(2)  # the first live state and fault scan
        t0, c0 = time.monotonic(), cpu_ns(proc.pid)
        time.sleep(seconds)
        t1, c1 = time.monotonic(), cpu_ns(proc.pid)
        rss_kb = int(re.search(r"^VmRSS:\s+(\d+)", open("/proc/%d/status" % proc.pid).read(),
                               re.M).group(1))
        print("BENCH uplink_idle_cpu_pct=%.2f %%" % (100.0 * (c1 - c0) / 1e9 / (t1 - t0)))
        print("BENCH idle_rss_uplink_mb=%.1f MB" % (rss_kb / 1024))
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=10)
        if nats:
            nats.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
