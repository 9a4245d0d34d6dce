#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""How long does a blind citizen take to get a ticket by speech?  (BENCH line)

  kiosk_speech_ticket_s   a headset plugged into the kiosk's jack (the sim
                          GPIO line goes high) until the printed ticket is
                          there (the sim printer's ticket-N.bin written),
                          on the default keypad: listen to the welcome and
                          the first service to the end, press down, listen
                          to the second service to the end, press select.
                          It includes every prompt played at its real
                          duration at the site's rate (sim.conf: 160 words
                          a minute, in Finnish), the key presses through the
                          GPIO debounce, the ticket's commit and its print.
                          The median of three runs (pull, plug in again).
                          Not included: the ticket being told after it is
                          printed (its own ~20 s).

A real vuorod on the sim board with its real espeak-ng and the headset's wav
sink, which plays against the clock like a headset.  The scripted citizen
waits for each prompt to end (GET /api/announcer: state "played") before the
next key, as one who listens would.

  tools/bench-kiosk-speech.py BUILD [--runs N]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import requests

import benchsite

WHO = "bench-kiosk-speech"
PASSWORD = "bench-tech-pass-1"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    vuorod = os.path.join(os.path.abspath(args.build), "vuorod")
    work = tempfile.mkdtemp(prefix="bench-kiosk-speech.", dir=os.path.abspath(args.build))
    tickets = os.path.join(work, "tickets")
    proc = None
    try:
        conf = benchsite.config(work, {k: os.path.join(work, sub) for k, sub in (
            ("sim-dir", "tickets"), ("wav-dir", "audio"), ("headset-wav-dir", "headset"))})
        db = os.path.join(work, "vuoro.db")
        subprocess.run([vuorod, "--db", db, "--add-user", "bench-tech", "--role", "technician"],
                       input=PASSWORD + "\n", text=True, check=True, capture_output=True)
        with open(os.path.join(work, "vuorod.err"), "w") as stderr:
            proc, url = benchsite.start(vuorod, conf, db, stderr, WHO)
        s = requests.Session()
        r = s.post(url + "/api/login", json={"user": "bench-tech", "password": PASSWORD},
                   timeout=30)
        if r.status_code != 200:
            sys.exit("bench-kiosk-speech: login: %s" % r.text)
        auth = {"Authorization": "Bearer " + r.json()["token"]}
        s.cookies.clear()

        def gpio(name, **kw):
            s.post(url + "/api/gpio/sim", json=dict(name=name, **kw), headers=auth,
                   timeout=30).raise_for_status()

        def guide():
            r = s.get(url + "/api/announcer", headers=auth, timeout=30)
            r.raise_for_status()
            return [a for a in r.json()["recent"] if a["kind"] == "guide"]

        def listen(n):
            """Until the n-th prompt (counted from all so far) was played."""
            benchsite.wait(lambda: len(guide()) >= n and guide()[n - 1]["state"] == "played", 60,
                 "prompt %d" % n, WHO)

        def printed():
            return len([f for f in os.listdir(tickets) if f.endswith(".bin")]) \
                if os.path.isdir(tickets) else 0

        times, prompts = [], []
        for run in range(args.runs):
            before, said = printed(), len(guide())
            t0 = time.monotonic()
            gpio("headset-jack", level=1)
            listen(said + 1)  # the welcome and the first service
            gpio("speech-down")
            listen(said + 2)  # the second service
            gpio("speech-select")
            benchsite.wait(lambda: printed() > before, 30, "the ticket", WHO)
            times.append(time.monotonic() - t0)
            prompts.append(sum(a["audio_s"] for a in guide()[said:said + 2]))
            gpio("headset-jack", level=0)  # cuts the ticket being told: the next run
            benchsite.wait(lambda: all(a["state"] in ("played", "dropped") for a in guide()), 30,
                 "the guidance to end", WHO)
        print("bench-kiosk-speech: runs %s s, of which the two prompts listened to %s s" % (
            ", ".join("%.1f" % t for t in times), ", ".join("%.1f" % p for p in prompts)),
            file=sys.stderr)
        print("BENCH kiosk_speech_ticket_s=%.1f s" % statistics.median(times))
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
