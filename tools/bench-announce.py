#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Does the loudspeaker keep up with the calls?  (BENCH lines)

  announce_lag_p99_ms   a call (POST /api/counters/N/call sent) until its
                        announcement starts playing (the clip that says it,
                        started_us in GET /api/announcer); over the calls that
                        were spoken
  announce_spoken_pct   the calls whose announcement started while the call was
                        still current (before the counter ended the ticket to
                        call the next), of all calls made; a call dropped as
                        stale counts as not spoken

A real vuorod on the sim board with its real espeak-ng and the wav sink, which
plays against the clock like a loudspeaker.  Three counters calling every 5 s
for 3 minutes: they take turns, so a call comes every 5 s (each counter calls
the next ticket every 15 s, a third of a period after the one before it),
ending the ticket it called before (and the last one a period after it was
called) — 720 calls an hour, busier than any desk.  The tickets were drawn in
fi, sv and en in turn (the site's main language is fi).

Each of the three calling every 5 s (--every 5: a visit of 5 s at every
counter at once, three calls in 5 s) cannot be met by any order: one Finnish
sentence takes 2.0–3.7 s at 160 words a minute, so at most ~47 % of those
calls can be said while current (measured: lag p99 4.9 s, 42.6 % spoken).

  tools/bench-announce.py BUILD [--counters N] [--every S] [--seconds S]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

import requests

import benchsite

LANGS = ["fi", "sv", "en"]
PASSWORD = "bench-advisor-pass-1"


def percentile(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, -(-len(xs) * p // 100) - 1))]  # nearest rank


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--counters", type=int, default=3)
    ap.add_argument("--every", type=float, default=15.0, help="seconds between one counter's calls")
    ap.add_argument("--seconds", type=float, default=180.0)
    ap.add_argument("--verbose", action="store_true", help="every call to stderr")
    args = ap.parse_args()
    vuorod = os.path.join(os.path.abspath(args.build), "vuorod")
    work = tempfile.mkdtemp(prefix="bench-announce.", dir=os.path.abspath(args.build))
    proc = None
    try:
        conf = benchsite.config(work, {"sim-dir": os.path.join(work, "tickets"),
                                             "wav-dir": os.path.join(work, "audio")},
                                      drop=["max-queue"])
        db = os.path.join(work, "vuoro.db")
        users = ["bench%d" % (k + 1) for k in range(args.counters)]
        for u in users:
            subprocess.run([vuorod, "--db", db, "--add-user", u, "--role", "advisor"],
                           input=PASSWORD + "\n", text=True, check=True, capture_output=True)
        with open(os.path.join(work, "vuorod.err"), "w") as stderr:
            proc, url = benchsite.start(vuorod, conf, db, stderr, "bench-announce")
        s = requests.Session()
        auth = {}
        for u in users:
            r = s.post(url + "/api/login", json={"user": u, "password": PASSWORD}, timeout=30)
            if r.status_code != 200:
                sys.exit("bench-announce: login %s: %s" % (u, r.text))
            auth[u] = {"Authorization": "Bearer " + r.json()["token"]}
            s.cookies.clear()  # bearer tokens only: no cookie session, no CSRF
        for k, u in enumerate(users):
            s.post(url + "/api/counters/%d/open" % (k + 1), json={}, headers=auth[u],
                   timeout=30).raise_for_status()
        rounds = int(args.seconds / args.every)
        for i in range(args.counters * rounds + args.counters):
            s.post(url + "/api/tickets", json={"service": "guide", "lang": LANGS[i % len(LANGS)]},
                   timeout=30).raise_for_status()

        seen = {}  # announcement id → its latest state

        def poll():
            r = s.get(url + "/api/announcer", headers=auth[users[0]], timeout=30)
            r.raise_for_status()
            d = r.json()
            for a in d["recent"]:
                seen[a["id"]] = a
            return d

        calls = []  # (code, counter, sent_us)
        # The round after the last only ends the tickets: every call is current
        # for one period, the last ones too.
        plan = sorted((k * args.every / args.counters + n * args.every, k)
                      for n in range(rounds + 1) for k in range(args.counters))
        t0 = time.monotonic()
        for at, k in plan:
            while time.monotonic() - t0 < at:
                poll()
                time.sleep(min(0.25, max(0.0, at - (time.monotonic() - t0))))
            u, n = users[k], k + 1
            if calls and any(c[1] == n for c in calls):
                s.post(url + "/api/counters/%d/end" % n, json={}, headers=auth[u],
                       timeout=30).raise_for_status()
            if at >= rounds * args.every:
                continue
            sent_us = time.time_ns() // 1000
            r = s.post(url + "/api/counters/%d/call" % n, json={}, headers=auth[u], timeout=30)
            r.raise_for_status()
            calls.append((r.json()["ticket"]["code"], n, sent_us))
        # What was still being said.
        until = time.monotonic() + 60
        while poll()["pending"] and time.monotonic() < until:
            time.sleep(0.25)
        poll()

        by_code = {a["ticket"]: a for a in seen.values() if a["kind"] == "call"}
        lags, missing = [], 0
        for code, _, sent_us in calls:
            a = by_code.get(code)
            if args.verbose:
                print(code, sent_us, a and {k: a[k] for k in ("queued_us", "started_us", "ended_us",
                                                                "state", "reason", "text")},
                      file=sys.stderr)
            if a is None:
                missing += 1
            elif a["state"] in ("playing", "played") and a["started_us"]:
                lags.append((a["started_us"] - sent_us) / 1000.0)
        states = {}
        for a in by_code.values():
            states[a["state"]] = states.get(a["state"], 0) + 1
        whole = sum(1 for a in by_code.values() if a["state"] == "played" and not a["reason"])
        print("bench-announce: %d calls from %d counters every %g s, states %s, said in every "
              "language %d%s" % (len(calls), args.counters, args.every, states, whole,
                 ", %d not seen" % missing if missing else ""), file=sys.stderr)
        print("BENCH announce_lag_p99_ms=%.0f ms" % (percentile(lags, 99) if lags else float("nan")))
        print("BENCH announce_spoken_pct=%.1f %%" % (100.0 * len(lags) / max(1, len(calls))))
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
