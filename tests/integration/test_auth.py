# SPDX-License-Identifier: GPL-3.0-or-later
"""Credentials and what they may touch, against a real vuorod: a token per
device (kiosk, booth screen) paired once by a one-time code, bound to its own
booth or its own fresh tickets; login throttling; password rules; disabled
users; sockets that end with their login; roles by provider and desk kind."""
import json
import os
import re
import socket
import sqlite3
import subprocess
import time

import pytest
import requests
import websocket

from conftest import ROOT, USERS, VUOROD, conf_with, make_daemon, wait_for

# Loopback is not a kiosk here: every device call needs its credential.
NO_ADDRESS_TRUST = {("api", "kiosk-addresses"): "10.9.9.9"}


def bearer(token):
    return {"Authorization": "Bearer " + token}


def admin_add_device(d, name, role, booth=0):
    body = {"name": name, "role": role}
    if booth:
        body["booth"] = booth
    r = d.post("/api/devices", body, user="admin1")
    assert r.status_code == 201, r.text
    return r.json()["token"]


def pair(d, name):
    """A browser session of device @name, paired as cog would be: by code."""
    r = d.post("/api/devices/%s/pair" % name, user="admin1")
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    assert re.fullmatch(r"\d{8}", code)
    s = requests.Session()
    r = s.post(d.url + "/api/devices/pair", json={"code": code}, timeout=30)
    assert r.status_code == 200, r.text
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("vuoro_device=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    return s, code


def booth_id(d):
    return next(c["id"] for c in d.get("/api/status").json()["counters"] if c["kind"] == "expert")


@pytest.fixture
def strict(workdir):
    d = make_daemon(workdir, conf_with(NO_ADDRESS_TRUST))
    yield d
    assert d.stop() == 0


def test_device_added_paired_by_code_and_its_cookie_works(strict):
    d = strict
    service = d.get("/api/status").json()["services"][0]["code"]
    # No credential, no ticket: the loopback address is not trusted here.
    assert d.post("/api/tickets", {"service": service}).status_code == 401
    token = admin_add_device(d, "lobby", "kiosk")
    assert d.post("/api/tickets", {"service": service}, headers=bearer(token)).status_code == 201
    s, code = pair(d, "lobby")
    me = s.get(d.url + "/api/whoami", timeout=30).json()
    assert me["role"] == "kiosk"
    r = s.post(d.url + "/api/tickets", json={"service": service}, timeout=30)
    assert r.status_code == 201, r.text
    # The code is spent, and pairing gave a new token: the printed one is gone.
    assert requests.post(d.url + "/api/devices/pair", json={"code": code}).status_code == 401
    assert d.post("/api/tickets", {"service": service}, headers=bearer(token)).status_code == 401
    # Only an admin lists, adds or pairs devices; nobody sees a token again.
    listed = d.get("/api/devices", user="admin1").json()["devices"]
    assert [x["name"] for x in listed] == ["lobby"] and listed[0]["paired_at"] > 0
    assert "token" not in listed[0] and "token_hash" not in listed[0]
    assert d.get("/api/devices", user="tech").status_code == 403
    assert d.post("/api/devices/lobby/pair", user="anna").status_code == 403
    assert s.get(d.url + "/api/devices", timeout=30).status_code == 401
    # The store keeps the token's SHA-256, never the token.
    row = sqlite3.connect(d.db).execute("SELECT token_hash, pair_hash FROM devices").fetchone()
    assert len(row[0]) == 64 and row[1] is None


def test_revoked_device_is_refused_and_its_socket_closed(strict):
    d = strict
    service = d.get("/api/status").json()["services"][0]["code"]
    admin_add_device(d, "lobby", "kiosk")
    s, _ = pair(d, "lobby")
    cookie = "vuoro_device=" + s.cookies["vuoro_device"]
    ws = websocket.create_connection(d.url.replace("http", "ws") + "/api/events", timeout=10,
                                     header=["Cookie: " + cookie])
    assert ws.recv() == '{"type":"hello"}'
    assert d.post("/api/devices/lobby/revoke", user="admin1").status_code == 200
    with pytest.raises(websocket.WebSocketConnectionClosedException):
        while True:
            ws.recv()
    assert s.post(d.url + "/api/tickets", json={"service": service}, timeout=30).status_code == 401
    assert d.get("/api/devices", user="admin1").json()["devices"] == []


def test_revoked_booth_screen_loses_its_video_stream(strict):
    d = strict
    booth = booth_id(d)
    token = admin_add_device(d, "booth-screen", "booth", booth)
    # The screen's <img>: a long answer that sends nothing until a frame
    # (no session here) — read raw, to the end.
    sock = socket.create_connection(("127.0.0.1", d.port), timeout=10)
    sock.sendall(("GET /api/booths/%d/video HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  "Authorization: Bearer %s\r\n\r\n" % (booth, token)).encode())
    # A full round trip on another connection: vuorod has read the one above.
    assert d.get("/api/health").status_code == 200
    assert d.post("/api/devices/booth-screen/revoke", user="admin1").status_code == 200
    # The stream ends with its last chunk, rather than running on.
    got = b""
    while not got.endswith(b"0\r\n\r\n"):
        chunk = sock.recv(65536)
        assert chunk, got
        got += chunk
    assert got.startswith(b"HTTP/1.1 200") and b"multipart/x-mixed-replace" in got
    sock.close()
    assert requests.get(d.url + "/api/booths/%d/video" % booth, headers=bearer(token), timeout=10).status_code == 401


def test_wrong_pairing_codes_are_refused_and_counted(strict):
    d = strict
    admin_add_device(d, "lobby", "kiosk")
    r = d.post("/api/devices/lobby/pair", user="admin1")
    code = r.json()["code"]
    wrong = "%08d" % ((int(code) + 1) % 10 ** 8)
    for _ in range(5):
        r = requests.post(d.url + "/api/devices/pair", json={"code": wrong})
        assert r.status_code == 401 and r.json()["error"] == "bad_code"
    # Counted before it is checked: now even the right code waits.
    r = requests.post(d.url + "/api/devices/pair", json={"code": code})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1


def test_cli_add_list_revoke_device(workdir):
    db = os.path.join(workdir, "cli.db")
    conf = os.path.join(ROOT, "board-config", "sim.conf")
    r = subprocess.run([VUOROD, "--db", db, "--add-device", "booth-a", "--role", "booth", "--booth", "2",
                        "--config", conf], capture_output=True, text=True)
    assert r.returncode == 2 and "kind = expert" in r.stderr
    r = subprocess.run([VUOROD, "--db", db, "--add-device", "lobby", "--role", "kiosk"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    token = r.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"[0-9a-f]{64}", token)
    r = subprocess.run([VUOROD, "--db", db, "--add-device", "lobby", "--role", "kiosk"],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "already" in r.stderr
    r = subprocess.run([VUOROD, "--db", db, "--list-devices"], capture_output=True, text=True)
    assert r.returncode == 0 and "lobby" in r.stdout and token not in r.stdout
    r = subprocess.run([VUOROD, "--db", db, "--revoke-device", "lobby"], capture_output=True, text=True)
    assert r.returncode == 0
    r = subprocess.run([VUOROD, "--db", db, "--list-devices"], capture_output=True, text=True)
    assert "lobby" not in r.stdout


def test_booth_screen_acts_for_its_own_booth_only(strict):
    d = strict
    booth = booth_id(d)
    token = admin_add_device(d, "booth-screen", "booth", booth)
    other = admin_add_device(d, "lobby", "kiosk")
    # Its own booth: the route answers (no session to leave), not a 403.
    r = d.post("/api/booths/%d/leave" % booth, headers=bearer(token))
    assert r.status_code != 403 and r.status_code < 500, r.text
    assert requests.get(d.url + "/api/booths/%d" % booth, headers=bearer(token)).status_code == 200
    # Another booth, a ticket, another counter's feedback: refused.
    for path, body in [("/api/booths/%d/leave" % (booth + 1), None),
                       ("/api/booths/%d/consent" % (booth + 1), {"given": True}),
                       ("/api/tickets", {"service": "guide"}),
                       ("/api/feedback", {"rating": 5, "counter": 1})]:
        r = d.post(path, body, headers=bearer(token))
        assert r.status_code == 403, (path, r.text)
        assert "booth-screen" in r.json()["message"]
    # A kiosk acts for no booth.
    r = d.post("/api/booths/%d/consent" % booth, {"given": True}, headers=bearer(other))
    assert r.status_code == 403
    # A wrong token of the same length is nobody.
    wrong = ("0" if token[0] != "0" else "1") + token[1:]
    assert d.post("/api/booths/%d/leave" % booth, headers=bearer(wrong)).status_code == 401


def test_kiosk_acts_only_on_its_own_fresh_tickets(strict):
    d = strict
    k1 = admin_add_device(d, "kiosk-1", "kiosk")
    k2 = admin_add_device(d, "kiosk-2", "kiosk")
    mine = d.post("/api/tickets", {"service": "guide"}, headers=bearer(k1)).json()["ticket"]["id"]
    theirs = d.post("/api/tickets", {"service": "guide"}, headers=bearer(k2)).json()["ticket"]["id"]
    staff = d.post("/api/tickets", {"service": "guide"}, user="anna").json()["ticket"]["id"]
    for t in (theirs, staff):
        r = d.post("/api/tickets/%d/cancel" % t, headers=bearer(k1))
        assert r.status_code == 403 and "drew itself" in r.json()["message"]
        r = d.post("/api/tickets/%d/identity" % t, {"pin": "1234"}, headers=bearer(k1))
        assert r.status_code == 403
    assert d.post("/api/tickets/%d/cancel" % mine, headers=bearer(k1)).status_code == 200
    # A ticket drawn before a restart is old: the kiosk no longer acts on it.
    old = d.post("/api/tickets", {"service": "guide"}, headers=bearer(k1)).json()["ticket"]["id"]
    d.restart()
    assert d.post("/api/tickets/%d/cancel" % old, headers=bearer(k1)).status_code == 403
    fresh = d.post("/api/tickets", {"service": "guide"}, headers=bearer(k1)).json()["ticket"]["id"]
    assert d.post("/api/tickets/%d/cancel" % fresh, headers=bearer(k1)).status_code == 200


def test_legacy_kiosk_token_placeholder_is_refused(workdir):
    """The example's placeholder is no credential: the board-config that
    carries it does not load (and so never serves with it)."""
    token = "change-me-to-a-long-random-device-token"
    conf = os.path.join(workdir, "placeholder.conf")
    with open(conf, "w", encoding="utf-8") as f:
        f.write(conf_with({**NO_ADDRESS_TRUST, ("api", "kiosk-token"): token}))
    r = subprocess.run([VUOROD, "--check-config", conf], capture_output=True, text=True)
    assert r.returncode != 0 and "[api] kiosk-token" in r.stderr and "placeholder" in r.stderr, r.stderr


def test_real_board_trusts_no_address(workdir):
    """[site] board = real: loopback draws no ticket without a device."""
    from test_board import real_conf
    d = make_daemon(workdir, real_conf(workdir))
    try:
        r = d.post("/api/tickets", {"service": "guide", "handout": "screen"})
        assert r.status_code == 401, r.text
        token = admin_add_device(d, "lobby", "kiosk")
        r = d.post("/api/tickets", {"service": "guide", "handout": "screen"}, headers=bearer(token))
        # Drawn, or refused by the opening hours of a real board: let in either way.
        assert r.status_code in (201, 409), r.text
    finally:
        assert d.stop() == 0


# ---------------------------------------------------------------------------
# Logins


def login(d, user, password):
    return requests.post(d.url + "/api/login", json={"user": user, "password": password}, timeout=30)


def test_login_failures_grow_delays_with_retry_after(daemon):
    for _ in range(5):
        assert login(daemon, "anna", "not-her-password").status_code == 401
    r = login(daemon, "anna", USERS["anna"][1])
    assert r.status_code == 429 and r.headers["Retry-After"] == "1", r.text
    time.sleep(1.05)  # the delay runs out …
    assert login(daemon, "anna", "not-her-password").status_code == 401
    r = login(daemon, "anna", USERS["anna"][1])
    assert r.status_code == 429 and r.headers["Retry-After"] == "2"  # … and doubles
    assert "wait 2 s" in r.json()["message"]


def test_own_login_does_not_reset_the_count_of_others(daemon):
    for _ in range(4):
        assert login(daemon, "anna", "not-her-password").status_code == 401
    # The guesser logs in as themself: that takes back only its own attempt.
    assert login(daemon, "bertil", USERS["bertil"][1]).status_code == 200
    assert login(daemon, "anna", "not-her-password").status_code == 401
    # The fifth failure counts: anyone from this address now waits.
    r = login(daemon, "anna", USERS["anna"][1])
    assert r.status_code == 429 and "Retry-After" in r.headers
    assert login(daemon, "bertil", USERS["bertil"][1]).status_code == 429


def test_parallel_guesses_are_counted_before_checking(daemon):
    import concurrent.futures
    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(lambda _: login(daemon, "anna", "not-her-password").status_code, range(20)))
    # Five are checked; a late thread may find the first 1-s delay over.
    assert codes.count(401) <= 7 and codes.count(429) >= 13, codes


def test_password_rules_and_old_password(daemon):
    r = daemon.post("/api/users", {"name": "carl", "role": "advisor", "password": "x" * 11}, user="admin1")
    assert r.status_code == 400 and "12" in r.json()["message"]
    r = daemon.post("/api/users", {"name": "carl", "role": "advisor", "password": "x" * 12}, user="admin1")
    assert r.status_code == 201, r.text
    new = "anna-new-password-1"
    r = daemon.post("/api/users/anna/password", {"password": new}, user="anna")
    assert r.status_code == 400 and r.json()["error"] == "old_password_required"
    r = daemon.post("/api/users/anna/password", {"password": new, "old": "not-her-password"}, user="anna")
    assert r.status_code == 403
    r = daemon.post("/api/users/anna/password", {"password": new, "old": USERS["anna"][1]}, user="anna")
    assert r.status_code == 200, r.text
    assert login(daemon, "anna", new).status_code == 200
    # An admin resets another's password without it; nobody else may.
    assert daemon.post("/api/users/bertil/password", {"password": "bertil-reset-pass"},
                       user="admin1").status_code == 200
    assert daemon.post("/api/users/maija/password", {"password": "maija-reset-pass", "old": "x"},
                       user="tech").status_code == 403


def events(d, token):
    ws = websocket.create_connection(d.url.replace("http", "ws") + "/api/events?token=" + token, timeout=10)
    assert ws.recv() == '{"type":"hello"}'
    return ws


def wait_closed(ws):
    """The server closes @ws: recv ends with the close (or raises)."""
    try:
        while ws.recv():
            pass
    except websocket.WebSocketConnectionClosedException:
        pass
    assert not ws.connected


def test_disabled_user_cannot_log_in_and_their_socket_closes(daemon):
    daemon.login("anna")
    token = daemon.tokens["anna"]
    ws = events(daemon, token)
    assert daemon.post("/api/users/anna/disable", user="admin1").status_code == 200
    wait_closed(ws)
    assert requests.get(daemon.url + "/api/queue", headers=bearer(token)).status_code == 401
    r = login(daemon, "anna", USERS["anna"][1])
    assert r.status_code == 403 and r.json()["error"] == "disabled"
    assert daemon.post("/api/users/admin1/disable", user="admin1").status_code == 409
    assert daemon.post("/api/users/bertil/disable", user="maija").status_code == 403
    assert daemon.post("/api/users/anna/enable", user="admin1").status_code == 200
    assert login(daemon, "anna", USERS["anna"][1]).status_code == 200


def test_logout_and_new_password_close_sockets(daemon):
    daemon.login("anna")
    ws = events(daemon, daemon.tokens["anna"])
    other = events(daemon, daemon.login("bertil")["Authorization"][7:])
    assert daemon.post("/api/logout", user="anna").status_code == 200
    wait_closed(ws)
    r = daemon.post("/api/users/bertil/password", {"password": "bertil-reset-pass"}, user="admin1")
    assert r.status_code == 200
    wait_closed(other)


def test_vuoroctl_users_disable_and_devices(daemon):
    from test_cli import ctl
    r = ctl(daemon, "login", "admin1", env_extra={"VUORO_PASSWORD": USERS["admin1"][1]})
    assert r.returncode == 0, r.stderr
    r = ctl(daemon, "users", "disable", "bertil")
    assert r.returncode == 0 and "disabled" in r.stdout, r.stderr
    assert login(daemon, "bertil", USERS["bertil"][1]).status_code == 403
    assert ctl(daemon, "users", "enable", "bertil").returncode == 0
    r = ctl(daemon, "devices", "add", "lobby", "kiosk")
    assert r.returncode == 0, r.stderr
    token = r.stdout.strip().splitlines()[-1]
    r = ctl(daemon, "devices", "pair", "lobby", "--json")
    code = json.loads(r.stdout)["code"]
    assert requests.post(daemon.url + "/api/devices/pair", json={"code": code}).status_code == 200
    r = ctl(daemon, "devices", "list")
    assert "lobby" in r.stdout and "paired" in r.stdout and token not in r.stdout
    assert ctl(daemon, "devices", "revoke", "lobby").returncode == 0
    assert ctl(daemon, "devices", "revoke", "lobby").returncode == 1
    # One's own password with the old one, through vuoroctl.
    r = ctl(daemon, "users", "passwd", "admin1", stdin="admin-new-pass-1\n")
    assert r.returncode == 1 and "old" in r.stderr
    r = ctl(daemon, "users", "passwd", "admin1", "--old", stdin="admin-new-pass-1\n" + USERS["admin1"][1] + "\n")
    assert r.returncode == 0, r.stderr


# ---------------------------------------------------------------------------
# Roles


def add_expert(d, name, provider, password="expert-pass-long-9"):
    subprocess.run([VUOROD, "--db", d.db, "--add-user", name, "--role", "expert", "--provider", provider],
                   input=password + "\n", text=True, check=True, capture_output=True)
    r = login(d, name, password)
    assert r.status_code == 200, r.text
    return bearer(r.json()["token"])


def test_expert_opens_only_their_providers_desks_and_tickets(daemon):
    kela = add_expert(daemon, "kaisa", "kela")
    counters = {c["id"]: c for c in daemon.get("/api/status").json()["counters"]}
    mixed = next(i for i, c in counters.items() if c["kind"] == "counter" and "tax" in c["profile"])
    r = daemon.post("/api/counters/%d/open" % mixed, headers=kela)
    assert r.status_code == 403 and "vero" in r.json()["message"], r.text
    r = daemon.post("/api/counters/%d/open" % mixed, {"profile": "tax"}, headers=kela)
    assert r.status_code == 403
    tax = daemon.post("/api/tickets", {"service": "tax"}).json()["ticket"]
    own = daemon.post("/api/tickets", {"service": "kela"}).json()["ticket"]
    r = daemon.post("/api/counters/%d/open" % mixed, {"profile": "kela"}, headers=kela)
    assert r.status_code == 200, r.text
    r = daemon.post("/api/counters/%d/call" % mixed, {"ticket": tax["id"]}, headers=kela)
    assert r.status_code == 403 and tax["code"] in r.json()["message"]
    # The tax ticket was not called: it is still waiting, and the expert's is called.
    assert daemon.get("/api/tickets/%d" % tax["id"], user="anna").json()["state"] == "waiting"
    r = daemon.post("/api/counters/%d/call" % mixed, {"ticket": own["id"]}, headers=kela)
    assert r.status_code == 200 and r.json()["ticket"]["code"] == own["code"]
    # An expert without a provider opens no counter.
    assert daemon.post("/api/counters/%d/open" % mixed, user="eero").status_code == 403


def test_only_experts_open_expert_desks(daemon):
    booth = booth_id(daemon)
    r = daemon.post("/api/counters/%d/open" % booth, user="anna")
    assert r.status_code == 403 and "only experts" in r.json()["message"]
    # An admin may (to look after a desk).
    assert daemon.post("/api/counters/%d/open" % booth, user="admin1").status_code == 200


def test_backup_holds_password_hashes_for_the_admin_only(daemon, workdir):
    """The admin's backup is whole; a technician's is the same database
    without the password hashes and sessions (read back with SQLite)."""
    import sqlite3
    for user, hashes in (("admin1", True), ("tech", False)):
        r = daemon.get("/api/db/backup", user=user)
        assert r.status_code == 200 and r.content.startswith(b"SQLite format 3"), r.text[:200]
        assert (b"$argon2" in r.content) == hashes, user
        path = os.path.join(workdir, "backup-%s.db" % user)
        with open(path, "wb") as f:
            f.write(r.content)
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            names = {n for (n,) in db.execute("SELECT name FROM users")}
            assert {"anna", "tech", "admin1"} <= names, "the users stay, by name and role"
            assert (db.execute("SELECT count(*) FROM tokens").fetchone()[0] > 0) == hashes
