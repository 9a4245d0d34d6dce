# SPDX-License-Identifier: GPL-3.0-or-later
"""A site that hears the hub's presence, for kiosk-presence.test.mjs: one
NATS node (tests/integration/fleet.py) and a sim vuorod with [uplink] (its
ui from this tree).  Prints {"site": URL} once the uplink is connected; then
each line on its standard input is a presence body, published on
vuoro.hub.presence as the hub (natsctl --core), answered by a line "ok".
Stops everything when its standard input closes."""
import json
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from conftest import make_daemon, wait_for  # noqa: E402
from fleet import NatsCluster  # noqa: E402
from test_uplink import SITE, uplink, uplink_conf  # noqa: E402


def main():
    work = tempfile.mkdtemp(prefix="vuoro-e2e-presence-")
    nats = site = None
    try:
        nats = NatsCluster(work, nodes=1, sites=[SITE]).start()
        nats.setup_stream(duplicates_s=120)
        conf = uplink_conf(nats, presence_valid_s="600")
        conf = conf.replace("[api]\n", "[api]\nui-dir = %s\n" % os.path.join(HERE, "..", "..", "ui"), 1)
        site = make_daemon(work, conf)
        wait_for(lambda: uplink(site)["connected"], 20, "the uplink connected")
        print(json.dumps({"site": site.url}), flush=True)
        for line in sys.stdin:
            body = json.loads(line)
            body.setdefault("v", 1)
            body.setdefault("at", int(time.time()))
            nats.natsctl("hub", "pub", "vuoro.hub.presence", json.dumps(body), "--core")
            print("ok", flush=True)
    finally:
        if site and site.proc and site.proc.poll() is None:
            site.stop()
        if nats:
            nats.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
