# SPDX-License-Identifier: GPL-3.0-or-later
"""The HTTP calls of tests/packages/clean-install.sh on an installed vuorod
(standard library only: it runs with the host's /usr/bin/python3).
  vuoro_api.py health URL VERSION    wait (60 s) for /api/health; check the version
  vuoro_api.py day URL USER PASSWORD draw 3 tickets, open counter 1, call one;
                                     prints the tickets' ids
  vuoro_api.py snapshot URL USER PASSWORD ID...
                                     the tickets (code, service, state, counter)
                                     and /api/queue's, as JSON (compared across an upgrade)
Exits non-zero with the reason on a failed call."""
import json
import sys
import time
import urllib.error
import urllib.request


def call(url, method, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def ok(url, method, path, body=None, token=None, want=(200, 201)):
    status, answer = call(url, method, path, body, token)
    if status not in want:
        sys.exit("%s %s: %s %s" % (method, path, status, answer))
    return answer


def login(url, user, password):
    return ok(url, "POST", "/api/login", {"user": user, "password": password})["token"]


def health(url, version):
    deadline, last = time.monotonic() + 60, None
    while time.monotonic() < deadline:
        try:
            status, answer = call(url, "GET", "/api/health")
            if status == 200:
                break
            last = (status, answer)
        except OSError as e:
            last = e
        time.sleep(0.1)
    else:
        sys.exit("vuorod did not answer /api/health within 60 s: %s" % (last,))
    with urllib.request.urlopen(url + "/api/health", timeout=30) as r:
        server = r.headers.get("Server", "")
    if not server.startswith("vuorod/%s" % version):
        sys.exit("/api/health is from %r, not vuorod/%s" % (server, version))
    print(json.dumps(answer))


def day(url, user, password):
    token = login(url, user, password)
    ids = [ok(url, "POST", "/api/tickets", {"service": s}, token)["ticket"]["id"]
           for s in ("guide", "permits", "guide")]
    ok(url, "POST", "/api/counters/1/open", {}, token)
    called = ok(url, "POST", "/api/counters/1/call", {}, token)["ticket"]
    if called["id"] != ids[0] or called["state"] != "called":
        sys.exit("counter 1 called %s, not the first ticket %s" % (called, ids[0]))
    print(" ".join(str(i) for i in ids))


def snapshot(url, user, password, ids):
    token = login(url, user, password)
    tickets = {}
    for i in ids:
        t = ok(url, "GET", "/api/tickets/%s" % i, None, token)
        t = t.get("ticket", t)
        tickets[i] = {k: t.get(k) for k in ("id", "code", "service", "state", "counter", "day")}
    queue = ok(url, "GET", "/api/queue", None, token)
    line = sorted(t["id"] for t in queue["tickets"])
    print(json.dumps({"tickets": tickets, "queue": line}, indent=1, sort_keys=True))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "health":
        health(*args)
    elif cmd == "day":
        day(*args)
    elif cmd == "snapshot":
        snapshot(args[0], args[1], args[2], args[3:])
    else:
        sys.exit("unknown command " + cmd)
