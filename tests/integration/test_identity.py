# SPDX-License-Identifier: GPL-3.0-or-later
"""Identity at the ticket kiosk and the counter: the citizen proves who they
are with the ID card's chip (a SoftHSM2 token from tests/identity/make-pki.sh)
while waiting; the advisor who calls the ticket sees the name and the
identity code, nobody else does, the database never holds the code, and the
visit's record says how the identity was checked."""
import os
import shutil
import sqlite3
import subprocess
import tempfile

import pytest

from conftest import ROOT, USERS, Daemon, add_user, conf_with

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
CODE = "010190-123A"  # the test cards' identity code (make-pki.sh)


@pytest.fixture(scope="module")
def pki():
    d = tempfile.mkdtemp(prefix="vuoro-pki-")
    subprocess.run([os.path.join(ROOT, "tests", "identity", "make-pki.sh"), d], check=True,
                   capture_output=True)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def start(workdir, pki, card="ec", identity=True):
    keys = {}
    if identity:
        keys = {("identity", "module"): MODULE,
                ("identity", "trust-anchors"): os.path.join(pki, "root", "ca.pem"),
                ("identity", "crl"): os.path.join(pki, "crl.pem"),
                ("identity", "site-secret"): os.path.join(pki, "site-secret")}
    d = Daemon(workdir, conf_with(keys))
    d.env = dict(os.environ, SOFTHSM2_CONF=os.path.join(pki, "cards", card, "softhsm2.conf"))
    for name, (role, password) in USERS.items():
        add_user(d.db, name, role, password)
    return d.start()


@pytest.fixture
def card_daemon(workdir, pki):
    d = start(workdir, pki)
    yield d
    assert d.stop() == 0, open(d.stderr_path).read()[-3000:]
    err = open(d.stderr_path).read()
    assert "AddressSanitizer" not in err and "runtime error" not in err, err[-3000:]


def draw(d, service="guide"):
    r = d.post("/api/tickets", {"service": service, "lang": "sv", "handout": "screen"})
    assert r.status_code == 201, r.text
    return r.json()["ticket"]


def counter_view(d, counter, user):
    return next(c for c in d.get("/api/status", user=user).json()["counters"] if c["id"] == counter)


def test_kiosk_card_check_reaches_the_advisor_who_calls_the_ticket(card_daemon):
    d = card_daemon
    assert d.get("/api/status").json()["identity_reader"] is True
    t = draw(d)
    wrong = d.post(f"/api/tickets/{t['id']}/identity", {"pin": "0000"})
    assert wrong.status_code == 200, wrong.text
    assert wrong.json()["verdict"] == "wrong_pin"
    assert "PIN" in wrong.json()["text"]["sv"] and "PIN" in wrong.json()["text"]["fi"]
    ok = d.post(f"/api/tickets/{t['id']}/identity", {"pin": "1234"}).json()
    assert ok["verdict"] == "verified", ok
    assert "Matti" not in str(ok) and CODE not in str(ok), "the kiosk's answer names nobody"

    d.post("/api/counters/1/open", {}, user="anna")
    assert d.post("/api/counters/1/call", {}, user="anna").json()["ticket"]["id"] == t["id"]
    view = counter_view(d, 1, "anna")
    assert view["ticket"]["identity"] == {"method": "card", "verdict": "verified",
                                          "name": "Matti Meikäläinen", "document_type": None}
    assert "identity" not in counter_view(d, 1, None)["ticket"], "not in the public view"
    assert CODE not in d.get("/api/status", user="anna").text, "no code in the staff view"

    r = d.get("/api/counters/1/identity", user="anna")
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["ticket"] == t["id"] and got["code"] == t["code"]
    assert got["identity"]["identity_code"] == CODE and got["identity"]["name"] == "Matti Meikäläinen"
    assert got["identity"]["cert_serial"] and "CN" in got["identity"]["cert_issuer"]
    r = d.get("/api/counters/1/identity", user="bertil")
    assert r.status_code == 403 and "anna" in r.json()["message"]

    # A failed try after the pass does not hide the pass.
    d.post(f"/api/tickets/{t['id']}/identity", {"pin": "9999"})
    assert d.get("/api/counters/1/identity", user="anna").json()["identity"]["verdict"] == "verified"
    # A document checked as well: stored, but the card's name and code stay on show.
    assert d.post("/api/counters/1/identity", {"document_type": "passport"},
                  user="anna").status_code == 201
    got = d.get("/api/counters/1/identity", user="anna").json()["identity"]
    assert got["identity_code"] == CODE and got["document_type"] == "passport", got
    assert counter_view(d, 1, "anna")["ticket"]["identity"]["document_type"] == "passport"

    d.post("/api/counters/1/start", {}, user="anna")
    assert d.post("/api/counters/1/end", {"outcome": "resolved"}, user="anna").status_code == 200
    r = d.get("/api/counters/1/identity", user="anna")
    assert r.status_code == 409 and "serves nobody" in r.json()["message"]
    r = d.post(f"/api/tickets/{t['id']}/identity", {"pin": "1234"})
    assert r.status_code == 409 and r.json()["error"] == "not_waiting", r.text

    with sqlite3.connect(d.db) as db:
        checks = db.execute("SELECT method, result, counter, id_hmac IS NOT NULL, cert_serial "
                            "IS NOT NULL FROM identity_checks WHERE ticket = ? ORDER BY id",
                            (t["id"],)).fetchall()
        visit = db.execute("SELECT identity FROM visits WHERE ticket = ?", (t["id"],)).fetchone()
    assert checks == [("card", "wrong_pin", 0, 0, 1), ("card", "verified", 0, 1, 1),
                      ("card", "wrong_pin", 0, 0, 1), ("document", "checked", 1, 0, 0)], checks
    assert visit == ("document",), "the visit's method: the last check that passed"
    d.stop()
    for name in os.listdir(os.path.dirname(d.db)):
        if name.startswith(os.path.basename(d.db)):
            with open(os.path.join(os.path.dirname(d.db), name), "rb") as f:
                assert CODE.encode() not in f.read(), name + " holds the identity code"
    d.start()


def test_document_check_and_category_at_the_counter_go_to_the_visit(card_daemon):
    d = card_daemon
    t = draw(d)
    d.post("/api/counters/1/open", {}, user="anna")
    d.post("/api/counters/1/call", {}, user="anna")
    assert d.get("/api/counters/1/identity", user="anna").status_code == 404
    r = d.post("/api/counters/1/identity", {"document_type": "passport"}, user="anna")
    assert r.status_code == 201 and r.json()["verdict"] == "checked", r.text
    assert counter_view(d, 1, "anna")["ticket"]["identity"]["document_type"] == "passport"
    got = d.get("/api/counters/1/identity", user="anna").json()["identity"]
    assert got["method"] == "document" and "identity_code" not in got
    assert d.post("/api/counters/1/identity", {"document_type": ""}, user="anna").status_code == 400
    d.post("/api/counters/1/start", {}, user="anna")
    r = d.post("/api/counters/1/end", {"outcome": "resolved", "category": "x" * 65}, user="anna")
    assert r.status_code == 400 and "category" in r.json()["message"], r.text
    r = d.post("/api/counters/1/end", {"outcome": "referred", "category": "asumistuki"}, user="anna")
    assert r.status_code == 200, r.text
    with sqlite3.connect(d.db) as db:
        assert db.execute("SELECT identity, category, outcome, channel, provider FROM visits "
                          "WHERE ticket = ?", (t["id"],)).fetchone() == \
            ("document", "asumistuki", "referred", "in_person", "kunta")


def test_bad_cards_at_the_kiosk_never_pass(workdir, pki):
    for card, verdict in (("revoked", "revoked"), ("wrongca", "untrusted"), ("expired", "expired"),
                          ("empty", "no_card")):
        sub = os.path.join(workdir, card)
        os.mkdir(sub)
        d = start(sub, pki, card)
        try:
            t = draw(d)
            r = d.post(f"/api/tickets/{t['id']}/identity", {"pin": "1234"})
            assert r.status_code == 200 and r.json()["verdict"] == verdict, (card, r.text)
            assert all(r.json()["text"][lang] for lang in ("fi", "sv", "en"))
            d.post("/api/counters/1/open", {}, user="anna")
            d.post("/api/counters/1/call", {}, user="anna")
            got = d.get("/api/counters/1/identity", user="anna").json()["identity"]
            assert got["verdict"] == verdict and "name" not in got and "identity_code" not in got
        finally:
            assert d.stop() == 0


def test_no_reader_is_a_clear_error(workdir, pki):
    d = start(workdir, pki, identity=False)
    try:
        assert d.get("/api/status").json()["identity_reader"] is False
        t = draw(d)
        r = d.post(f"/api/tickets/{t['id']}/identity", {"pin": "1234"})
        assert r.status_code == 503 and "[identity]" in r.json()["message"], r.text
        r = d.post("/api/tickets/999999/identity", {"pin": "1234"})
        assert r.status_code == 503
    finally:
        assert d.stop() == 0
