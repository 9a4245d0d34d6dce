# SPDX-License-Identifier: GPL-3.0-or-later
"""vuoro-hub's web: logins and roles at the hub, with vuorod's rules (the
same paths, cookie, CSRF header and throttle), the pages, and the hub's
route table (EXPECT: every route's roles, like test_matrix.py's).

Real peers: vuoro-hub, PostgreSQL 15 (pg.py), the region's broker (fleet.py)."""
import pytest
import requests

from hubweb import make_hub_web

USERS = [("ada", "admin", None), ("mia", "manager", None), ("teo", "technician", None),
         ("kelaboss", "provider-manager", "kela"), ("verboss", "provider-manager", "vero")]


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    gen = make_hub_web(str(tmp_path_factory.mktemp("hubweb")))
    h = next(gen)
    for name, role, provider in USERS:
        out = h.add_user(name, role, provider)
        assert out.returncode == 0, out.stderr
    yield h
    next(gen, None)


def test_add_user_refuses_what_it_cannot_store_and_says_what_to_do(hub):
    out = hub.add_user("x", "provider-manager")
    assert out.returncode == 1 and "needs --provider" in out.stderr
    out = hub.add_user("x", "manager", "kela")
    assert out.returncode == 1 and "provider-manager only" in out.stderr
    out = hub.add_user("x", "boss")
    assert out.returncode == 1 and "admin, manager, technician or provider-manager" in out.stderr
    out = hub.add_user("x", "manager", password="short")
    assert out.returncode == 1 and "12" in out.stderr
    assert hub.pg.scalar("SELECT count(*) FROM hub_users WHERE name = 'x'") == "0"


def test_login_whoami_logout_with_cookie_and_csrf(hub):
    s = hub.login("kelaboss")
    cookie = s.cookies.get("vuoro_session")
    assert cookie
    me = s.get(hub.url("/api/whoami")).json()
    assert me["user"] == "kelaboss" and me["role"] == "provider-manager"
    assert me["provider"] == "kela" and me["csrf"] == s.headers["X-CSRF-Token"]
    # the token is kept only as its digest
    assert hub.pg.scalar("SELECT count(*) FROM hub_sessions WHERE token_digest = '%s'"
                         % cookie) == "0"
    # a write with the cookie but without the CSRF header is refused
    r = requests.post(hub.url("/api/logout"), cookies={"vuoro_session": cookie}, json={})
    assert r.status_code == 403 and r.json()["error"] == "csrf"
    assert s.get(hub.url("/api/whoami")).status_code == 200
    r = s.post(hub.url("/api/logout"), json={})
    assert r.status_code == 200 and "Max-Age=0" in r.headers["Set-Cookie"]
    assert requests.get(hub.url("/api/whoami"),
                        cookies={"vuoro_session": cookie}).status_code == 401


def test_bearer_token_needs_no_csrf(hub):
    r = requests.post(hub.url("/api/login"), json={"user": "teo",
                                                   "password": "hub-pass-long-teo-1"})
    token = r.json()["token"]
    auth = {"Authorization": "Bearer " + token}
    assert requests.get(hub.url("/api/whoami"), headers=auth).json()["role"] == "technician"
    assert requests.post(hub.url("/api/logout"), headers=auth, json={}).status_code == 200
    assert requests.get(hub.url("/api/whoami"), headers=auth).status_code == 401


def test_disabled_user_cannot_log_in_and_loses_sessions(hub):
    out = hub.add_user("gone", "manager")
    assert out.returncode == 0, out.stderr
    s = hub.login("gone")
    hub.pg.psql("UPDATE hub_users SET disabled = true WHERE name = 'gone'")
    assert s.get(hub.url("/api/whoami")).status_code == 401
    r = requests.post(hub.url("/api/login"), json={"user": "gone",
                                                   "password": "hub-pass-long-gone-1"})
    assert r.status_code == 403 and r.json()["error"] == "disabled"


def test_pages_and_catalog(hub):
    for path in ["/hub", "/hub/", "/ui/hub/hub.js"]:
        r = requests.get(hub.url(path))
        assert r.status_code == 200, path
        assert r.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert requests.get(hub.url("/"), allow_redirects=False).headers["Location"].endswith(":%d/hub" % hub.port)
    r = requests.get(hub.url("/kiosk"))
    assert r.status_code == 404 and "/hub/reports" in r.text
    cat = requests.get(hub.url("/api/catalog?ns=hub&lang=sv")).json()
    assert cat["lang"] == "sv" and cat["strings"]["hub.page_reports"] == "Rapporter"


# Last: it leaves this address throttled.
def test_wrong_password_is_401_and_guesses_are_throttled(hub):
    """vuorod's policy (web/session.c): 5 failures free per address (the
    disabled login above counted too), then 429 with Retry-After."""
    codes = []
    for _ in range(6):
        r = requests.post(hub.url("/api/login"), json={"user": "mia", "password": "x" * 12})
        codes.append(r.status_code)
        if r.status_code == 429:
            assert int(r.headers["Retry-After"]) >= 1
            assert r.json()["error"] == "too_many_logins"
            break
        assert r.json()["error"] == "bad_login"
    assert codes[-1] == 429 and set(codes[:-1]) == {401}, codes
    # the right password is refused as well while the delay runs
    r = requests.post(hub.url("/api/login"), json={"user": "mia",
                                                   "password": "hub-pass-long-mia-1"})
    assert r.status_code == 429
