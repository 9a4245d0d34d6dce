# SPDX-License-Identifier: GPL-3.0-or-later
"""The pages' server side: static files from ui/, the browser session
(HttpOnly cookie + CSRF token), Origin checks on changes and on the
WebSocket, the public event stream, the QR image."""
import json
import os
import socket
import subprocess
import time

import requests
import websocket

from conftest import ROOT, USERS, Daemon, add_user, conf_with, make_daemon

import pytest


@pytest.fixture
def web(workdir):
    d = make_daemon(workdir, conf_with({("api", "ui-dir"): os.path.join(ROOT, "ui")}))
    yield d
    assert d.stop() == 0


def test_static_files_and_their_headers(web):
    r = requests.get(web.url + "/ui/common/base.css", timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/css")
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    etag = r.headers["ETag"]
    r2 = requests.get(web.url + "/ui/common/base.css", headers={"If-None-Match": etag}, timeout=10)
    assert r2.status_code == 304
    r = requests.get(web.url + "/ui/common/api.js", timeout=10)
    assert r.headers["Content-Type"].startswith("text/javascript")
    # Nothing outside ui/, nothing of an unknown type, no directory listing.
    for bad in ("/ui/../README.md", "/ui/%2e%2e/README.md", "/ui/common/", "/ui/common",
                "/ui/../firmware/api.c", "/etc/passwd", "/kiosk/../../README.md"):
        r = requests.get(web.url + bad, timeout=10)
        assert r.status_code == 404, bad
    assert requests.post(web.url + "/ui/common/base.css", timeout=10).status_code == 405
    r = requests.get(web.url + "/", allow_redirects=False, timeout=10)
    assert r.status_code == 302 and r.headers["Location"].endswith("/kiosk")


def test_json_answers_of_a_few_kb_are_gzipped_for_a_client_that_takes_it(web):
    """The status (a page's first read, ~4 kB) gzipped to a client that takes
    gzip, plain otherwise; a small answer (a ticket drawn) always plain."""
    gz = requests.get(web.url + "/api/status", headers={"Accept-Encoding": "gzip"}, timeout=10)
    plain = requests.get(web.url + "/api/status", headers={"Accept-Encoding": "identity"},
                         timeout=10)
    assert gz.headers.get("Content-Encoding") == "gzip" and "Accept-Encoding" in gz.headers["Vary"]
    assert int(gz.headers["Content-Length"]) < len(plain.content) / 2
    assert "Content-Encoding" not in plain.headers and plain.json()["site"] == gz.json()["site"]
    assert [s["code"] for s in gz.json()["services"]] == [s["code"] for s in plain.json()["services"]]
    r = requests.post(web.url + "/api/tickets", json={"service": "guide"},
                      headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert r.status_code == 201 and "Content-Encoding" not in r.headers


def test_cookie_session_needs_its_csrf_token(web):
    s = requests.Session()
    r = s.post(web.url + "/api/login", json={"user": "anna", "password": USERS["anna"][1]}, timeout=30)
    assert r.status_code == 200
    cookie = r.headers["Set-Cookie"]
    assert "vuoro_session=" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    csrf = r.json()["csrf"]
    # Reads work with the cookie alone.
    who = s.get(web.url + "/api/whoami", timeout=10).json()
    assert who["user"] == "anna" and who["csrf"] == csrf
    # A change without the token is refused, with it it goes through.
    r = s.post(web.url + "/api/counters/1/open", json={}, timeout=10)
    assert r.status_code == 403 and r.json()["error"] == "csrf"
    r = s.post(web.url + "/api/counters/1/open", json={}, headers={"X-CSRF-Token": "0" * 32}, timeout=10)
    assert r.status_code == 403
    r = s.post(web.url + "/api/counters/1/open", json={}, headers={"X-CSRF-Token": csrf}, timeout=10)
    assert r.status_code == 200, r.text
    # Logout ends the session and clears the cookie.
    r = s.post(web.url + "/api/logout", json={}, headers={"X-CSRF-Token": csrf}, timeout=10)
    assert r.status_code == 200 and "Max-Age=0" in r.headers["Set-Cookie"]
    old = {"vuoro_session": cookie.split(";")[0].split("=", 1)[1]}
    who = requests.get(web.url + "/api/whoami", cookies=old, timeout=10).json()
    assert who["user"] is None and who["role"] == "kiosk"  # 127.0.0.1 is the sim's kiosk


def test_changes_from_another_sites_page_are_refused(web):
    token = web.login("anna")
    bad = dict(token, Origin="https://evil.example")
    r = requests.post(web.url + "/api/counters/1/open", json={}, headers=bad, timeout=10)
    assert r.status_code == 403 and r.json()["error"] == "bad_origin"
    # The kiosk's address alone (no login) does not let another site draw tickets.
    r = requests.post(web.url + "/api/tickets", json={"service": "guide"},
                      headers={"Origin": "http://evil.example"}, timeout=10)
    assert r.status_code == 403
    host = web.url.split("//")[1]
    r = requests.post(web.url + "/api/tickets", json={"service": "guide"},
                      headers={"Origin": "http://" + host}, timeout=10)
    assert r.status_code == 201, r.text
    # The WebSocket refuses a foreign Origin.
    ws_url = web.url.replace("http", "ws") + "/api/events"
    ws = websocket.create_connection(ws_url, origin="https://evil.example", timeout=5)
    try:
        with pytest.raises(Exception):
            while True:
                ws.recv()
    finally:
        ws.close()


def test_anonymous_socket_gets_public_calls_only(workdir):
    # Not from a kiosk address: an anonymous browser, like a phone.
    d = make_daemon(workdir, conf_with({("api", "kiosk-addresses"): "10.9.9.9"}))
    ws = websocket.create_connection(d.url.replace("http", "ws") + "/api/events", timeout=5)
    try:
        assert json.loads(ws.recv())["type"] == "hello"
        r = d.post("/api/tickets", {"service": "guide", "lang": "fi"}, user="anna")
        assert r.status_code == 201, r.text
        ref = r.json()["ticket"]["ref"]
        events = []
        while not any(e["type"] in ("issued", "waiting") for e in events):
            events.append(json.loads(ws.recv()))
        ev = next(e for e in events if e["type"] in ("issued", "waiting"))
        assert ev["ticket"]["code"] == r.json()["ticket"]["code"]
        assert "ref" not in ev["ticket"] and ref not in json.dumps(events)
    finally:
        ws.close()
        assert d.stop() == 0


def test_the_event_socket_declines_compression(web):
    # A browser offers permessage-deflate; each socket's deflate state would
    # hold some 300 kB in vuorod for small JSON events on a local network.
    ws = websocket.create_connection(
        web.url.replace("http", "ws") + "/api/events", timeout=5,
        header=["Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"])
    try:
        assert "sec-websocket-extensions" not in ws.getheaders(), ws.getheaders()
        assert json.loads(ws.recv())["type"] == "hello"
    finally:
        ws.close()


def test_qr_image(web):
    r = requests.get(web.url + "/api/qr", params={"text": "https://jono.example.fi/t/abc"}, timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"] == "image/svg+xml"
    assert r.text.startswith("<svg") and "<path" in r.text
    assert requests.get(web.url + "/api/qr", timeout=10).status_code == 400
    assert requests.get(web.url + "/api/qr", params={"text": "x" * 600}, timeout=10).status_code == 400


def test_https_with_a_configured_certificate(workdir):
    cert, key = os.path.join(workdir, "cert.pem"), os.path.join(workdir, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    d = make_daemon(workdir, conf_with({("api", "tls-cert"): cert, ("api", "tls-key"): key}))
    try:
        assert d.url.startswith("https://")
        r = requests.get(d.url + "/api/health", verify=cert, timeout=10)
        assert r.status_code == 200 and r.json()["status"] in ("ok", "degraded")
        r = requests.post(d.url + "/api/login", json={"user": "anna", "password": USERS["anna"][1]},
                          verify=cert, timeout=30)
        assert "Secure" in r.headers["Set-Cookie"]
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(d.url.replace("https", "http") + "/api/health", timeout=5)
    finally:
        assert d.stop() == 0


def test_a_bad_certificate_is_a_clear_error(workdir):
    bad = os.path.join(workdir, "nope.pem")
    with open(bad, "w") as f:
        f.write("not a certificate\n")
    d = Daemon(workdir, conf_with({("api", "tls-cert"): bad}))
    with pytest.raises(RuntimeError) as e:
        d.start()
    assert "tls-cert" in str(e.value) and "PEM" in str(e.value)


def test_systemd_ready_and_watchdog(workdir):
    # systemd's notify protocol: datagrams on $NOTIFY_SOCKET.
    path = os.path.join(workdir, "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(10)
    d = Daemon(workdir)
    d.env = dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC="200000")
    add_user(d.db, "anna", *USERS["anna"])
    d.start()
    try:
        got = []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and got.count("WATCHDOG=1") < 3:
            got.append(sock.recv(4096).decode())
        assert got[0] == "READY=1", got
        assert got.count("WATCHDOG=1") >= 3, got
    finally:
        assert d.stop() == 0
        sock.close()
