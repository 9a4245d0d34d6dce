# SPDX-License-Identifier: GPL-3.0-or-later
"""A real vuoro-hub for the browser tests (tests/e2e/hub.test.mjs): starts
PostgreSQL, a one-node broker and the hub (hubweb.py), adds the users given
as NAME:ROLE[:PROVIDER] arguments (password hub-pass-long-NAME-1), publishes
the records of test_hub_web.published() and idle_published(), prints one JSON line {"url": …}
and serves until its standard input closes.

    /usr/bin/python3 tests/integration/hubweb_serve.py WORKDIR ada:admin kb:provider-manager:kela
"""
import json
import sys

from conftest import wait_for
from hubweb import make_hub_web
from test_hub_web import idle_published, published


def main():
    workdir = sys.argv[1]
    gen = make_hub_web(workdir)
    hub = next(gen)
    try:
        for spec in sys.argv[2:]:
            name, role, *provider = spec.split(":")
            out = hub.add_user(name, role, provider[0] if provider else None)
            assert out.returncode == 0, out.stderr
        msgs = published() + idle_published()
        hub.publish(msgs)
        wait_for(lambda: hub.pg.scalar("SELECT count(*) FROM ledger") == str(len(msgs)), 30,
                 "the records in PostgreSQL")
        print(json.dumps({"url": hub.url("")}), flush=True)
        sys.stdin.read()
    finally:
        next(gen, None)


if __name__ == "__main__":
    main()
