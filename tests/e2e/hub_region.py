# SPDX-License-Identifier: GPL-3.0-or-later
"""A region for the browser tests (hubfleet.test.mjs): one NATS node
(tests/integration/fleet.py), PostgreSQL (pg.py), vuoro-hub with its web and
a technician, and one sim site "s1" with [uplink] public-url at the hub.
Prints one JSON line {hub, site, tech: [user, password], silent_s}, then runs
until its standard input closes, and stops everything."""
import json
import os
import sys
import tempfile
import shutil

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))

from conftest import make_daemon  # noqa: E402
from fleet import NatsCluster  # noqa: E402
from pg import Postgres  # noqa: E402
from test_hub_fleet import SILENT_S, TECH, Hub, site_conf  # noqa: E402


def main():
    work = tempfile.mkdtemp(prefix="vuoro-e2e-hub-")
    nats = pg = hub = site = None
    try:
        nats = NatsCluster(work, nodes=1, sites=["s1"]).start()
        nats.setup_stream(duplicates_s=120)
        pg = Postgres(work)
        hub = Hub(work, nats, pg)
        hub.add_user(TECH[0], "technician", TECH[1])
        hub.start()
        os.mkdir(os.path.join(work, "s1"))
        site = make_daemon(os.path.join(work, "s1"), site_conf(nats, "s1", hub.url))
        print(json.dumps({"hub": hub.url, "site": site.url, "tech": list(TECH),
                          "silent_s": SILENT_S}), flush=True)
        sys.stdin.read()
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
