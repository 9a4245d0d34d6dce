# SPDX-License-Identifier: GPL-3.0-or-later
"""A NATS node for hubrelay.test.mjs (tests/integration/fleet.py): prints one
JSON line {servers, ca, hub: [crt, key], site: [crt, key]} (the test plays
the hub with the npm client and starts the site itself), then runs until
its standard input closes, and stops the node."""
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))

from fleet import NatsCluster  # noqa: E402


def main():
    work = tempfile.mkdtemp(prefix="vuoro-e2e-relay-")
    nats = None
    try:
        nats = NatsCluster(work, nodes=1, sites=["s1"]).start()
        nats.setup_stream(duplicates_s=120)
        print(json.dumps({"servers": nats.urls, "ca": nats.ca, "hub": list(nats.client("hub")),
                          "site": list(nats.client("site-s1"))}), flush=True)
        sys.stdin.read()
    finally:
        if nats:
            nats.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
