# SPDX-License-Identifier: GPL-3.0-or-later
"""Every route × every caller, generated from vuorod's own route tables
(`vuorod --list-routes`) and checked against the policy written down here,
independently of the code: a route without an expected answer fails, a
route whose roles in C drift from this table fails, and no answer carries
what its caller may not see (a password hash, the identity code, a booked
visitor's name)."""
import json
import os
import secrets
import subprocess
import time

import pytest
import requests

from conftest import USERS, VUOROD, Daemon, add_user, conf_with
from test_identity import CODE, MODULE, pki  # noqa: F401  (the SoftHSM2 card fixture)

STAFF = {"advisor", "expert", "technician", "manager", "admin"}
COUNTER_STAFF = {"advisor", "expert", "admin"}
TECHS = {"technician", "admin"}
EXPERTS = {"expert", "admin"}
# The reception (issue 17): the visitor register, nothing of the queue.
PEOPLE = STAFF | {"reception"}
RECEPTION = {"reception", "manager", "admin"}
ANYBODY = {"anonymous", "kiosk"} | PEOPLE
# Who may call what: the site's policy, written here and not read from C.
EXPECT = {
    "GET /api/health": ANYBODY,
    "GET /api/status": ANYBODY,
    "GET /api/catalog": ANYBODY,
    "GET /api/queue": STAFF,
    "GET /api/uplink": TECHS,
    "POST /api/login": ANYBODY,
    "POST /api/logout": PEOPLE,
    "GET /api/whoami": PEOPLE | {"kiosk"},
    "GET /api/users": {"admin"},
    "POST /api/users": {"admin"},
    "POST /api/users/*/password": PEOPLE,
    "POST /api/tickets": COUNTER_STAFF | {"kiosk"},
    "GET /api/tickets/*": STAFF,
    "POST /api/tickets/*/cancel": COUNTER_STAFF | {"kiosk"},
    "POST /api/tickets/*/handout": COUNTER_STAFF | {"kiosk"},
    "POST /api/tickets/*/print": COUNTER_STAFF | {"kiosk"},
    "GET /api/follow/*": ANYBODY,
    "GET /api/qr": ANYBODY,
    "GET /api/counters/*": COUNTER_STAFF,
    "POST /api/counters/*/open": COUNTER_STAFF,
    "POST /api/counters/*/close": COUNTER_STAFF,
    "POST /api/counters/*/call": COUNTER_STAFF,
    "POST /api/counters/*/recall": COUNTER_STAFF,
    "POST /api/counters/*/start": COUNTER_STAFF,
    "POST /api/counters/*/noshow": COUNTER_STAFF,
    "POST /api/counters/*/park": COUNTER_STAFF,
    "POST /api/counters/*/resume": COUNTER_STAFF,
    "POST /api/counters/*/transfer": COUNTER_STAFF,
    "POST /api/counters/*/end": COUNTER_STAFF,
    "GET /api/printer": STAFF,
    "POST /api/printer/check": TECHS,
    "POST /api/printer/test": TECHS,
    "GET /api/displays": STAFF,
    "POST /api/displays/scan": TECHS,
    "POST /api/displays/*/test": TECHS,
    "GET /api/announcer": STAFF,
    "POST /api/announcer/test": TECHS,
    "GET /api/gpio": STAFF,
    "POST /api/gpio/lamp": TECHS,
    "POST /api/printer/sim": TECHS,
    "POST /api/gpio/sim": TECHS,
    "GET /api/appointments": STAFF,
    "POST /api/appointments": COUNTER_STAFF | {"manager"},
    "POST /api/appointments/import": {"manager", "admin"},
    "GET /api/notices": {"manager", "admin"},
    "GET /api/notices/current": ANYBODY,
    "POST /api/notices": {"manager", "admin"},
    "POST /api/notices/*": {"manager", "admin"},
    "POST /api/notices/*/withdraw": {"manager", "admin"},
    "GET /api/visitors": RECEPTION,
    "GET /api/visitors/hosts": RECEPTION,
    "POST /api/visitors": RECEPTION,
    "POST /api/visitors/*/out": RECEPTION,
    "POST /api/visitors/*/delete": RECEPTION,
    "GET /api/hours/exceptions": STAFF,
    "POST /api/hours/exceptions/import": {"manager", "admin"},
    "POST /api/hours/exceptions/*/delete": {"manager", "admin"},
    "POST /api/visits": COUNTER_STAFF,
    # A booked visitor's host (issue 17 item 1): any staff user, their own.
    "GET /api/host/arrivals": STAFF,
    "POST /api/host/arrivals/*/ack": STAFF,
    "POST /api/checkin": COUNTER_STAFF | {"kiosk"},
    "GET /api/report": {"manager", "admin"},
    "GET /api/db/check": TECHS,
    "GET /api/db/backup": TECHS,
    "GET /api/booths": STAFF | {"kiosk"},
    "GET /api/booths/*": STAFF | {"kiosk"},
    "GET /api/booths/*/video": STAFF | {"kiosk"},
    "POST /api/booths/*/leave": EXPERTS | {"kiosk"},
    "POST /api/booths/*/consent": {"kiosk"},
    "POST /api/booths/*/identity-declined": {"kiosk"},
    "POST /api/booths/*/text": {"kiosk"},
    "POST /api/booths/*/check": TECHS,
    "POST /api/booths/*/sim": TECHS,
    "GET /api/expert": EXPERTS,
    "POST /api/expert/call": EXPERTS,
    "POST /api/sessions/*/end": EXPERTS,
    "POST /api/sessions/*/message": EXPERTS,
    "POST /api/sessions/*/document": EXPERTS,
    "POST /api/sessions/*/consent": EXPERTS,
    "POST /api/sessions/*/ask-identity": EXPERTS,
    "POST /api/booths/*/identity": {"kiosk"},
    "POST /api/tickets/*/identity": {"kiosk"},
    "POST /api/sessions/*/identity": EXPERTS,
    "POST /api/counters/*/identity": COUNTER_STAFF,
    "GET /api/counters/*/identity": COUNTER_STAFF,
    "POST /api/feedback": {"kiosk"},
    "POST /api/feedback/*/words": {"kiosk"},
    "GET /api/feedback/question": ANYBODY,
    "POST /api/feedback/question": {"manager", "admin"},
    "POST /api/feedback/question/withdraw": {"manager", "admin"},
    "GET /api/feedback/words": {"manager", "admin"},
    "POST /api/alarms": COUNTER_STAFF,
    "GET /api/alarms": STAFF | {"reception"},
    "POST /api/alarms/*/acknowledge": STAFF | {"reception"},
    "GET /api/devices": {"admin"},
    "POST /api/devices": {"admin"},
    "POST /api/devices/pair": ANYBODY,
    "POST /api/devices/*/pair": {"admin"},
    "POST /api/devices/*/revoke": {"admin"},
    "POST /api/users/*/disable": {"admin"},
    "POST /api/users/*/enable": {"admin"},
}
# Paired devices call with the kiosk role, bound further by what they are:
# the matrix checks them against the kiosk's column, and test_device_scope
# what lies beyond a route's roles.
DEVICES = {"kiosk-device", "booth-device"}
# The user each staff role calls as (tests/integration/conftest.py USERS).
AS_USER = {"advisor": "anna", "expert": "eero", "technician": "tech", "manager": "maija",
           "admin": "admin1", "reception": "rita"}
KIOSK_TOKEN = secrets.token_hex(32)
# The router's own refusals ("log in first", "a technician may not do
# this"); a handler's refusal (not your counter, …) says something else and
# means the role was let through.
ROLE_REFUSALS = {"login_required", "forbidden"}


def role_refusal(error, message):
    return error == "login_required" or (error == "forbidden" and message.endswith("may not do this"))
# Streams that never end: only their status line is read.
STREAMS = {"GET /api/booths/*/video"}


def routes():
    out = subprocess.run([VUOROD, "--list-routes"], check=True, capture_output=True, text=True)
    return [json.loads(line) for line in out.stdout.splitlines()]


def key(route):
    return "%s %s" % (route["method"], route["path"])


def test_every_route_has_an_expected_answer():
    listed = {key(r) for r in routes()}
    assert not listed - set(EXPECT), "routes with no expected answer here: %s" % sorted(listed - set(EXPECT))
    assert not set(EXPECT) - listed, "expected answers of routes that are gone: %s" % sorted(set(EXPECT) - listed)


def test_route_roles_match_the_policy():
    for r in routes():
        coded = set(r["roles"]) if not r["anybody"] else ANYBODY
        if not r["anybody"]:
            coded = set(r["roles"])
        assert coded == EXPECT[key(r)], "%s: the code lets %s, the policy %s" % (
            key(r), sorted(coded), sorted(EXPECT[key(r)]))


@pytest.fixture(scope="module")
def site(pki, tmp_path_factory):  # noqa: F811
    workdir = str(tmp_path_factory.mktemp("matrix"))
    # Loopback is nobody in particular here: the kiosk has its token.
    keys = {("api", "kiosk-addresses"): "192.0.2.77",
            ("api", "kiosk-token"): KIOSK_TOKEN,
            ("identity", "module"): MODULE,
            ("identity", "trust-anchors"): os.path.join(pki, "root", "ca.pem"),
            ("identity", "crl"): os.path.join(pki, "crl.pem"),
            ("identity", "site-secret"): os.path.join(pki, "site-secret"),
            ("visitors", "enabled"): "yes"}
    d = Daemon(workdir, conf_with(keys))
    d.env = dict(os.environ, SOFTHSM2_CONF=os.path.join(pki, "cards", "ec", "softhsm2.conf"))
    for name, (role, password) in USERS.items():
        add_user(d.db, name, role, password)
    d.start()
    kiosk = {"Authorization": "Bearer " + KIOSK_TOKEN}
    # A citizen identified with the ID card at the kiosk, called to counter 1;
    # a booked visitor with a name.
    t = requests.post(d.url + "/api/tickets", json={"service": "guide", "lang": "fi", "handout": "screen"},
                      headers=kiosk, timeout=30).json()["ticket"]
    ok = requests.post(d.url + "/api/tickets/%d/identity" % t["id"], json={"pin": "1234"},
                       headers=kiosk, timeout=30).json()
    assert ok["verdict"] == "verified", ok
    assert d.post("/api/counters/1/open", {}, user="anna").status_code == 200
    assert d.post("/api/counters/1/call", {}, user="anna").json()["ticket"]["id"] == t["id"]
    at = time.strftime("%Y-%m-%d %H:%M", time.localtime(time.time() + 3600))
    r = d.post("/api/appointments", {"service": "guide", "at": at, "staff": "anna",
                                     "name": "Maria Matrix-Visitor"}, user="anna")
    assert r.status_code == 201, r.text
    r = d.post("/api/visitors", {"name": "Vera Matrix-Visitor", "host": "Heikki Host"}, user="rita")
    assert r.status_code == 201, r.text
    booth = next(c["id"] for c in d.get("/api/status").json()["counters"] if c["kind"] == "expert")
    d.ticket, d.booth, d.kiosk = t, booth, kiosk
    # The devices: a kiosk of its own and the booth's screen, each with its
    # own credential (added through the admin's API).
    d.devices = {}
    for name, role, n in (("lobby", "kiosk", 0), ("screen", "booth", booth)):
        body = {"name": name, "role": role}
        if n:
            body["booth"] = n
        r = d.post("/api/devices", body, user="admin1")
        assert r.status_code == 201, r.text
        d.devices[name] = {"Authorization": "Bearer " + r.json()["token"]}
    yield d
    assert d.stop() == 0, open(d.stderr_path).read()[-3000:]


def headers_of(d, caller):
    if caller == "anonymous":
        return {}
    if caller == "kiosk":
        return dict(d.kiosk)
    if caller in DEVICES:
        return dict(d.devices["lobby" if caller == "kiosk-device" else "screen"])
    return dict(d.login(AS_USER[caller]))


def concrete(d, path):
    ids = {"tickets": d.ticket["id"], "counters": 1, "booths": d.booth, "sessions": 1,
           "follow": d.ticket["ref"], "users": "nobody", "displays": "main", "devices": "nothing"}
    seg = path.split("/")
    for i, s in enumerate(seg):
        if s == "*":
            seg[i] = str(ids.get(seg[i - 1], 1))
    return "/".join(seg)


def test_route_by_caller(site):
    d = site
    seen = []
    for r in routes():
        k = key(r)
        path = concrete(d, r["path"])
        if r["path"] == "/api/qr":
            path += "?text=matrix"
        for caller in sorted(ANYBODY | DEVICES):
            h = headers_of(d, caller)
            if k in STREAMS:
                # A stream sends its headers with its first frame: a refusal
                # comes at once, a stream to an idle booth keeps quiet.
                try:
                    resp = requests.get(d.url + path, headers=h, timeout=(5, 1.5), stream=True)
                except requests.exceptions.ReadTimeout:
                    assert (caller if caller not in DEVICES else "kiosk") in EXPECT[k], \
                        "%s as %s: not refused" % (k, caller)
                    continue
            elif r["method"] == "GET":
                resp = requests.get(d.url + path, headers=h, timeout=30)
            elif r["raw_body"]:
                h["Content-Type"] = "text/plain"
                resp = requests.post(d.url + path, data=b"matrix", headers=h, timeout=30)
            else:
                # A field no route has: the router answers 400 after the role
                # check and before any handler runs, so nothing changes.
                resp = requests.post(d.url + path, json={"matrix_probe": True}, headers=h, timeout=30)
            if k in STREAMS and resp.status_code == 200:
                body, error, message = "", None, ""
                resp.close()
            else:
                body = resp.text
                try:
                    j = resp.json() if body.startswith("{") else {}
                except ValueError:
                    j = {}
                error, message = j.get("error"), j.get("message") or ""
            allowed = (caller if caller not in DEVICES else "kiosk") in EXPECT[k]
            if allowed:
                assert not role_refusal(error, message), "%s as %s: refused (%s) but the policy allows it" % (
                    k, caller, body[:200])
                if r["method"] == "POST" and not r["raw_body"] and r["fields"] is not None:
                    assert resp.status_code == 400 and error == "unknown_field", (k, caller, body[:200])
            else:
                want = 401 if caller in {"anonymous", "kiosk"} | DEVICES else 403
                assert resp.status_code == want and role_refusal(error, message), "%s as %s: %d %s" % (
                    k, caller, resp.status_code, body[:200])
            # What an answer carries.
            # Backups: the admin's whole database; a technician's without
            # password hashes or sessions.
            if (k, caller) != ("GET /api/db/backup", "admin"):
                assert "$argon2" not in body, "%s as %s: a password hash" % (k, caller)
            if CODE in body:
                seen.append((k, caller))
            if "Maria Matrix-Visitor" in body:
                assert caller not in DEVICES, "%s as %s: a booked visitor's name" % (k, caller)
                assert caller in STAFF, "%s as %s: a booked visitor's name" % (k, caller)
            if "Vera Matrix-Visitor" in body:
                assert caller in RECEPTION, "%s as %s: a registered visitor's name" % (k, caller)
    # The identity code: only to the advisor serving the citizen (and the
    # admin, who may act for any counter).
    assert set(seen) <= {("GET /api/counters/*/identity", "advisor"),
                         ("GET /api/counters/*/identity", "admin")}, seen
    assert ("GET /api/counters/*/identity", "advisor") in seen, "the serving advisor sees the code"


def test_request_fields_are_bounded(daemon):
    """Numbers are never truncated and text never cut at a NUL: a value
    outside the route's bounds is refused before a handler sees it."""
    d = daemon
    assert d.post("/api/counters/1/open", {}, user="anna").status_code == 200
    # counter 65538 once served counter 2 (int16 truncation)
    r = d.post("/api/counters/65538/open", {}, user="bertil")
    assert r.status_code == 404, r.text
    r = d.get("/api/counters/65537/identity", user="anna")
    assert r.status_code == 404, r.text
    r = d.post("/api/counters/1/transfer", {"counter": 65538}, user="anna")
    assert r.status_code == 400 and r.json()["error"] == "out_of_range", r.text
    # a rating of 2^32 + 3 was once stored as 3
    r = d.post("/api/feedback", {"rating": 2 ** 32 + 3})
    assert r.status_code == 400 and r.json()["error"] == "out_of_range", r.text
    # "guide\u0000junk" once drew a guide ticket
    r = d.post("/api/tickets", data=b'{"service": "guide\\u0000junk", "handout": "screen"}',
               headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "U+0000" in r.json()["message"], r.text
    r = d.post("/api/tickets", {"service": "g" * 33, "handout": "screen"})
    assert r.status_code == 400 and r.json()["error"] == "out_of_range", r.text
    r = d.post("/api/tickets", {"service": "guide", "handout": "screen", "priority": 10})
    assert r.status_code == 400 and "0 to 9" in r.json()["message"], r.text
    assert d.get("/api/queue", user="anna").json()["tickets"] == []


def test_device_scope(site):
    """Beyond a route's roles: a booth screen acts for its own booth only, a
    kiosk for no booth and only on tickets it drew itself; an expert only
    for their provider."""
    d = site
    screen, lobby = d.devices["screen"], d.devices["lobby"]
    other = d.booth + 1
    r = requests.post(d.url + "/api/booths/%d/leave" % other, json={}, headers=screen, timeout=30)
    assert r.status_code == 403 and "own booth" in r.json()["message"], r.text
    r = requests.get(d.url + "/api/booths/%d" % d.booth, headers=screen, timeout=30)
    assert r.status_code == 200, r.text
    r = requests.post(d.url + "/api/booths/%d/consent" % d.booth, json={"given": True}, headers=lobby,
                      timeout=30)
    assert r.status_code == 403 and "booth" in r.json()["message"], r.text
    # The ticket the token kiosk drew is not the lobby kiosk's to cancel.
    mine = requests.post(d.url + "/api/tickets", json={"service": "guide", "handout": "screen"},
                         headers=lobby, timeout=30).json()["ticket"]
    r = requests.post(d.url + "/api/tickets/%d/cancel" % d.ticket["id"], json={}, headers=lobby, timeout=30)
    assert r.status_code == 403, r.text
    r = requests.post(d.url + "/api/tickets/%d/cancel" % mine["id"], json={}, headers=lobby, timeout=30)
    assert r.status_code == 200, r.text
    # eero serves no provider of counter 2's profile.
    r = d.post("/api/counters/2/open", {}, user="eero")
    assert r.status_code == 403, r.text
