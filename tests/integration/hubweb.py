# SPDX-License-Identifier: GPL-3.0-or-later
"""A real vuoro-hub with its web, for the hub's page and API tests.

    with_hub = make_hub_web(workdir)        # a generator for a fixture
    hw = next(with_hub)
    hw.add_user("mia", "manager")           # vuoro-hub --add-user (password on stdin)
    s = hw.login("mia")                     # a requests.Session with the cookie + CSRF
    s.get(hw.url("/api/whoami"))
    hw.publish(msgs)                        # records as the sites publish them
    hw.pg.psql(...)                         # PostgreSQL as its superuser

The hub connects to PostgreSQL as DB_ROLE, an ordinary role (no superuser,
no BYPASSRLS) that owns the hub's tables: row-level security applies to it
as it does in production (FORCE ROW LEVEL SECURITY)."""
import os
import subprocess

import requests

from conftest import ROOT, wait_for
from pg import Postgres
from test_hub_ingest import HUB, Broker, Hub
from ports import free_port

DB_ROLE = "vuoro_hub"
PASSWORD = "hub-pass-long-%s-1"



class HubWeb(Hub):
    """vuoro-hub with [web] listen on a free port."""

    def __init__(self, workdir, nats, pg, name="hub", web=None, **nats_keys):
        super().__init__(workdir, nats, pg, name=name, pg_user=DB_ROLE, **nats_keys)
        self.pg = pg
        self.nats = nats
        self.port = free_port()
        keys = {"listen": "127.0.0.1:%d" % self.port, "ui-dir": os.path.join(ROOT, "ui")}
        keys.update(web or {})
        with open(self.conf, "a") as f:
            f.write("\n[web]\n")
            for k, v in keys.items():
                f.write("%s = %s\n" % (k, v))

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def add_user(self, name, role, provider=None, password=None):
        argv = [HUB, "--config", self.conf, "--add-user", name, "--role", role]
        if provider:
            argv += ["--provider", provider]
        return subprocess.run(argv, input=(password or PASSWORD % name) + "\n",
                              capture_output=True, text=True, timeout=30)

    def login(self, name, password=None):
        s = requests.Session()
        r = s.post(self.url("/api/login"), json={"user": name,
                                                 "password": password or PASSWORD % name})
        assert r.status_code == 200, r.text
        s.headers["X-CSRF-Token"] = r.json()["csrf"]
        return s

    def publish(self, msgs, name="pub"):
        return self.nats.publish(msgs, name)


def make_hub_web(workdir, **web):
    """Yields a started HubWeb on a fresh PostgreSQL and a one-node broker."""
    pg = Postgres(workdir)
    pg.psql("CREATE ROLE %s LOGIN; GRANT ALL ON SCHEMA public TO %s" % (DB_ROLE, DB_ROLE))
    nats = Broker(workdir, 1)
    hub = HubWeb(workdir, nats, pg, web=web)
    hub.start()
    wait_for(lambda: "pages and API" in hub.log() or hub.proc.poll() is not None, 20,
             "the hub's web")
    assert hub.proc.poll() is None, hub.log()[-3000:]
    try:
        yield hub
        hub.stop()
    finally:
        if hub.proc and hub.proc.poll() is None:
            hub.proc.kill()
            hub.proc.wait(10)
        nats.stop()
        pg.cleanup()
