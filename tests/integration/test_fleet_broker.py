# SPDX-License-Identifier: GPL-3.0-or-later
"""The region's broker as deployed from hub/deploy/nats/: a 3-node nats-server
cluster with TLS, JetStream R3 and one user per site by its certificate.
What a site may do there, and what not, checked with the NATS project's own
client (npm nats) — issue 15, item 3."""
import json
import shutil
import subprocess
import tempfile

import pytest

from conftest import wait_for
from fleet import DEPLOY, NATSCTL, NatsCluster, Pki


@pytest.fixture(scope="module")
def cluster():
    tmp = tempfile.mkdtemp(prefix="vuoro-broker-")
    c = NatsCluster(tmp, nodes=3, sites=["site-a", "b2"])
    try:
        c.start()
        c.setup_stream(duplicates_s=60)
        yield c
    finally:
        c.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def test_a_site_publishes_its_own_records_once_per_message_id(cluster):
    code, [ack] = cluster.natsctl("site-site-a", "pub", "vuoro.rec.site-a.visit", '{"v":1}',
                                  "--msgid", "site-a-0123abcd-1")
    assert code == 0 and ack["stream"] == "VUORO_REC" and not ack["duplicate"]
    code, [again] = cluster.natsctl("site-site-a", "pub", "vuoro.rec.site-a.visit", '{"v":1}',
                                    "--msgid", "site-a-0123abcd-1")
    assert again["duplicate"] and again["seq"] == ack["seq"], "the same message id is taken once"
    recs = [r for r in cluster.records() if r["msgid"] == "site-a-0123abcd-1"]
    assert len(recs) == 1 and recs[0]["subject"] == "vuoro.rec.site-a.visit"


def test_the_stream_is_replicated_on_three_nodes(cluster):
    with open(cluster.dir + "/nats-0.conf") as f:
        assert "verify_and_map: true" in f.read()
    # The stream's info, as the hub sees it: 3 replicas, one leader.
    out = subprocess.run(["curl", "-s", "http://127.0.0.1:%d/jsz?streams=true&config=true" % cluster.monitor_ports[0]],
                         capture_output=True, text=True, check=True).stdout
    jsz = json.loads(out)
    streams = [s for a in jsz.get("account_details", []) for s in a.get("stream_detail", [])]
    rec = [s for s in streams if s["name"] == "VUORO_REC"]
    assert rec and rec[0]["config"]["num_replicas"] == 3, streams


def test_site_a_cannot_publish_as_site_b(cluster):
    code, out = cluster.natsctl("site-site-a", "pub", "vuoro.rec.b2.visit", '{"v":1}', "--core", check=False)
    assert code == 3 and "Permissions Violation for publish to \"vuoro.rec.b2.visit\"" in out[0]["refused"], out
    assert not [r for r in cluster.records() if r["subject"].startswith("vuoro.rec.b2.")]


def test_site_a_cannot_write_site_b_live_state(cluster):
    code, out = cluster.natsctl("site-site-a", "pub", "$KV.vuoro-sites.b2", '{"v":1}', "--core", check=False)
    assert code == 3 and "Permissions Violation" in out[0]["refused"], out
    # Its own key: a plain publish on the bucket's subject, as the uplink does.
    code, out = cluster.natsctl("site-site-a", "pub", "$KV.vuoro-sites.site-a", '{"v":1,"site":"site-a"}',
                                "--core", check=False)
    assert code == 0, out
    code, out = cluster.natsctl("hub", "kv-get", "site-a")
    assert out[0]["site"] == "site-a"


def test_site_a_cannot_read_site_b_commands(cluster):
    code, out = cluster.natsctl("site-site-a", "sub", "vuoro.site.b2.cmd.>", check=False)
    assert code == 3 and "Permissions Violation for Subscription" in out[0]["refused"], out
    code, out = cluster.natsctl("site-site-a", "sub", "vuoro.site.site-a.cmd.>", check=False)
    assert code == 0, "its own commands: " + repr(out)


def test_a_site_speaks_only_for_its_own_booths_to_the_hub(cluster):
    """Issue 16: a site publishes its booths' signalling on vuoro.hub.<own>.>
    only, hears the hub's presence, and neither commands another site nor
    listens to another site's signalling."""
    code, out = cluster.natsctl("site-site-a", "pub", "vuoro.hub.b2.sig.c1", '{"type":"offer"}', "--core",
                                check=False)
    assert code == 3 and "Permissions Violation for publish to \"vuoro.hub.b2.sig.c1\"" in out[0]["refused"], out
    code, out = cluster.natsctl("site-site-a", "pub", "vuoro.site.b2.cmd.call", "{}", "--core", check=False)
    assert code == 3 and "Permissions Violation" in out[0]["refused"], out
    code, out = cluster.natsctl("site-site-a", "sub", "vuoro.hub.b2.sig.>", check=False)
    assert code == 3 and "Permissions Violation" in out[0]["refused"], out
    code, out = cluster.natsctl("site-site-a", "pub", "vuoro.hub.site-a.sig.c1", '{"type":"offer"}', "--core",
                                check=False)
    assert code == 0 and out == [{"published": True}], out
    code, out = cluster.natsctl("site-site-a", "sub", "vuoro.hub.presence", check=False)
    assert code == 0, out


def test_a_site_cannot_listen_on_every_inbox_or_read_the_stream(cluster):
    for subject in ["_INBOX.>", ">", "vuoro.rec.>", "$JS.API.>"]:
        code, out = cluster.natsctl("site-b2", "sub", subject, check=False)
        assert code == 3 and "Permissions Violation" in out[0]["refused"], (subject, out)
    code, out = cluster.natsctl("site-b2", "count", check=False)
    assert code != 0, "a site may not read the stream's info: " + repr(out)


def test_a_certificate_of_another_ca_is_refused(cluster, tmp_path):
    other = Pki(str(tmp_path / "other"))
    crt, key = other.issue("site-site-a", "/CN=site-site-a")
    before = cluster.log(0).count("TLS handshake error")
    r = subprocess.run(["node", NATSCTL, "--servers", cluster.urls[0], "--deadline", "5",
                        "--ca", cluster.ca, "--cert", crt, "--key", key, "sub", "vuoro.site.site-a.cmd.>"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "subscribed" not in r.stdout, r.stdout
    wait_for(lambda: cluster.log(0).count("TLS handshake error") > before, 10,
             "the server's log: a TLS handshake error for the foreign certificate")


def test_an_unknown_site_is_refused(cluster):
    code, out = cluster.natsctl("site-nobody", "sub", "vuoro.site.nobody.cmd.>", check=False)
    assert code != 0, out


def test_users_sh_refuses_a_bad_site_id():
    r = subprocess.run([DEPLOY + "/users.sh", "Bad Site"], capture_output=True, text=True)
    assert r.returncode == 2 and "is not a site id" in r.stderr
