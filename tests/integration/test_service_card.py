# SPDX-License-Identifier: GPL-3.0-or-later
"""Service cards (issue 17, item 11): per service, the provider's
instructions (per language), support phone and chat from board-config
([service:CODE] instructions-url[-LANG], support-phone, support-chat-url).
Staff read them in GET /api/status (/advisor) and GET /api/expert (/expert);
anonymous callers (the kiosk, the display, the follow page) never see them.
A broken card key stops vuorod at start with a line naming file, group and
key."""
import subprocess

from conftest import USERS, VUOROD, conf_with, make_daemon, wait_for
from test_uplink import kv_value, nats, uplink, uplink_conf  # noqa: F401 (nats: a fixture)

TAX = {"instructions": {"fi": "https://www.vero.fi/henkiloasiakkaat/",
                        "sv": "https://www.vero.fi/sv/privatpersoner/",
                        "en": "https://www.vero.fi/en/individuals/",
                        "se": "https://www.vero.fi/henkiloasiakkaat/",
                        "uk": "https://www.vero.fi/henkiloasiakkaat/",
                        "ar": "https://www.vero.fi/henkiloasiakkaat/"},
       "phone": "+358 29 497 000", "chat": None}
KELA_VIDEO = {"instructions": {lang: "https://www.kela.fi/asiointipisteet"
                               for lang in ("fi", "sv", "en", "se", "uk", "ar")},
              "phone": "+358 20 692 200", "chat": "https://www.kela.fi/chat"}


def services(d, user=None):
    r = d.get("/api/status", user=user)
    assert r.status_code == 200, r.text
    return {s["code"]: s for s in r.json()["services"]}


def test_staff_see_the_card_anonymous_callers_do_not(daemon):
    anon = services(daemon)
    assert all("card" not in s for s in anon.values()), anon
    for user in ("anna", "eero", "maija"):
        staff = services(daemon, user)
        assert staff["tax"]["card"] == TAX, staff["tax"]
        assert staff["kela-video"]["card"] == KELA_VIDEO, staff["kela-video"]
        # No card keys in board-config: no card (null), not an empty one.
        assert staff["guide"]["card"] is None, staff["guide"]
    # The follow page's ticket and the kiosk's catalog carry no card either.
    r = daemon.post("/api/tickets", {"service": "tax", "lang": "en"})
    assert r.status_code == 201, r.text
    assert "vero.fi" not in r.text and "497" not in r.text
    f = daemon.get("/api/follow/" + r.json()["ticket"]["ref"])
    assert f.status_code == 200 and "vero.fi" not in f.text, f.text


def test_the_expert_reads_the_card_of_their_services(workdir):
    d = make_daemon(workdir, users=False)
    try:
        subprocess.run([VUOROD, "--db", d.db, "--add-user", "eero", "--role", "expert",
                        "--provider", "kela"], input=USERS["eero"][1] + "\n", text=True,
                       check=True, capture_output=True)
        r = d.get("/api/expert", user="eero")
        assert r.status_code == 200, r.text
        svc = {s["code"]: s for s in r.json()["services"]}
        assert set(svc) == {"kela-video"}, svc
        assert svc["kela-video"]["card"] == KELA_VIDEO, svc
        assert d.get("/api/expert").status_code == 401
    finally:
        assert d.stop() == 0


def test_a_card_that_is_not_https_stops_vuorod(workdir):
    path = workdir + "/bad.conf"
    with open(path, "w", encoding="utf-8") as f:
        f.write(conf_with({("service:tax", "support-chat-url"): "http://chat.vero.fi/"}))
    r = subprocess.run([VUOROD, "--check-config", path], capture_output=True, text=True, timeout=30)
    assert r.returncode != 0, r.stderr
    assert ("bad.conf: [service:tax] support-chat-url: expected an https:// address like "
            "https://www.example.fi/help, got \"http://chat.vero.fi/\"") in r.stderr, r.stderr


def test_the_live_state_carries_the_public_card_for_the_hub(workdir, nats):
    """The hub's expert workplace reads the card from the site's live state
    (NATS KV): the provider's public links per service, nothing else."""
    d = make_daemon(workdir, uplink_conf(nats))
    try:
        wait_for(lambda: uplink(d)["connected"], 15, "the uplink connected")
        v = wait_for(lambda: kv_value(nats), 10, "the live state in the KV bucket")
        svc = {s["code"]: s for s in v["services"]}
        assert svc["kela-video"]["card"] == KELA_VIDEO, svc["kela-video"]
        assert svc["tax"]["card"] == TAX and svc["guide"]["card"] is None, svc
    finally:
        assert d.stop() == 0
