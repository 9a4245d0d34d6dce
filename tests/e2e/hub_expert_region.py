# SPDX-License-Identifier: GPL-3.0-or-later
"""A region for hubexpert.test.mjs: one NATS node (tests/integration/fleet.py),
PostgreSQL (pg.py), vuoro-hub with its web and an expert of kela, and one sim
site "s1" with [uplink] at the hub and WebRTC on loopback (its booth 4 serves
kela-video).  Prints one JSON line {hub, site, expert: [user, password]},
then runs until its standard input closes, and stops everything.  A line
"restart-hub" on its standard input stops vuoro-hub (SIGTERM) and starts it
again on the same port; it answers {"restarted": true}."""
import json
import re
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))

from conftest import make_daemon  # noqa: E402
from fleet import NatsCluster  # noqa: E402
from pg import Postgres  # noqa: E402
from test_hub_fleet import HUB, Hub, site_conf  # noqa: E402

EXPERT = ("ella", "ella-etapalvelu-pitka-1")
# Loopback only (as tests/e2e/expert.test.mjs's RTC).
RTC = "\n[webrtc]\nlocal-addresses = 127.0.0.1\nreconnect-seconds = 3\nring-seconds = 10\n"


def main():
    work = tempfile.mkdtemp(prefix="vuoro-e2e-hubexpert-")
    nats = pg = hub = site = None
    try:
        nats = NatsCluster(work, nodes=1, sites=["s1"]).start()
        nats.setup_stream(duplicates_s=120)
        pg = Postgres(work)
        hub = Hub(work, nats, pg)
        p = subprocess.run([HUB, "--config", hub.conf, "--add-user", EXPERT[0], "--role", "expert",
                            "--provider", "kela"], input=EXPERT[1] + "\n", text=True,
                           capture_output=True, timeout=30)
        assert p.returncode == 0, p.stderr
        hub.start()
        os.mkdir(os.path.join(work, "s1"))
        conf = site_conf(nats, "s1", hub.url)
        conf = re.sub(r"^\[webrtc\][^\[]*", "", conf, flags=re.M) + RTC
        site = make_daemon(os.path.join(work, "s1"), conf)
        print(json.dumps({"hub": hub.url, "site": site.url, "expert": list(EXPERT),
                          "hub_log": hub.log_path}), flush=True)
        for line in sys.stdin:
            if line.strip() == "restart-hub":
                hub.stop()
                hub.start()
                print(json.dumps({"restarted": True}), flush=True)
    finally:
        if site and site.proc and site.proc.poll() is None:
            site.stop()
        if hub:
            hub.stop()
        if nats:
            nats.stop()
        if pg:
            pg.cleanup()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
