#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Front-desk latencies end to end, through vuorod (BENCH lines):

  press_to_print_median_ms / _p99_ms   a sim button press (POST /api/gpio/sim)
                                       until the ticket's first byte (ESC @)
                                       reaches the printer's serial line
  call_to_display_median_ms / _p99_ms  POST /api/counters/1/call until the
                                       counter display's FC16 frame has fully
                                       arrived on its RS-485 line

The printer is a pty peer in this process that answers DLE EOT status queries;
the displays are the tests' pymodbus RTU slave on a socat pty pair, which notes
when it decoded each write (CLOCK_MONOTONIC, as here).  Each measurement is
taken with nothing else in flight.

  tools/bench-frontdesk.py BUILD [ROUNDS]
"""
import json
import os
import re
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import requests

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
ESC_AT = b"\x1b\x40"
# A press as a finger makes one: held longer than the debounce window, so its
# release is an edge of its own and not a bounce that only the debounce's
# settle timer reads back (late when the loop is, and then the next press was
# taken for the same one: "no ticket reached the printer").
DEBOUNCE_MS = 30
HOLD_MS = 2 * DEBOUNCE_MS


def pty_pair():
    master, slave = os.openpty()
    path = os.ttyname(slave)
    os.close(slave)
    return master, path


class Printer(threading.Thread):
    """Answers DLE EOT n with "ready"; notes when a ticket starts (ESC @)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.master, self.path = pty_pair()
        self.started = []  # monotonic times of ESC @
        self.running = True

    def run(self):
        tail = b""
        while self.running:
            r, _, _ = select.select([self.master], [], [], 0.2)
            if not r:
                continue
            try:
                chunk = os.read(self.master, 4096)
            except OSError:
                time.sleep(0.01)
                continue
            now = time.monotonic()
            data = tail + chunk
            for _ in range(data.count(b"\x10\x04")):
                os.write(self.master, b"\x12")
            if ESC_AT in data:
                self.started.append(now)
            tail = data[-2:]


class Display:
    """Four displays (units 1, 2, 3, 10) played by the pymodbus RTU slave of the
    tests on a socat pty pair; it notes the monotonic time of every write."""

    def __init__(self, work):
        self.a, self.b = os.path.join(work, "rs485-A"), os.path.join(work, "rs485-B")
        self.socat = subprocess.Popen(["socat", "pty,raw,echo=0,link=" + self.a,
                                       "pty,raw,echo=0,link=" + self.b],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_until(lambda: os.path.exists(self.a) and os.path.exists(self.b), 10):
            sys.exit("bench-frontdesk: socat did not make the pty pair")
        self.path = self.a
        self.dump = os.path.join(work, "slave.json")
        self.slave = subprocess.Popen(
            ["/usr/bin/python3", os.path.join(ROOT, "tests", "integration", "modbus_slave.py"),
             "--port", self.b, "--units", "1,2,3,10", "--dump", self.dump, "--keep-writes", "50"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_until(lambda: self.state().get("ready"), 15):
            sys.exit("bench-frontdesk: the pymodbus slave did not start")

    def state(self):
        try:
            with open(self.dump, encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def write_after(self, unit, t0):
        """The decode time of the first write to @unit's base after @t0."""
        for t, u, addr, _ in self.state().get("writes", []):
            if u == unit and addr == 0 and t > t0:
                return t
        return None

    def stop(self):
        for p in (self.slave, self.socat):
            p.terminate()
            p.wait(5)


def percentile(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def set_key(text, group, key, value):
    pat = re.compile(r"(^\[%s\][^\[]*?)^%s\s*=[^\n]*$" % (re.escape(group), re.escape(key)), re.M | re.S)
    if pat.search(text):
        return pat.sub(lambda m: m.group(1) + "%s = %s" % (key, value), text, count=1)
    return re.sub(r"^\[%s\]\s*$" % re.escape(group), lambda m: m.group(0) + "\n%s = %s" % (key, value),
                  text, count=1, flags=re.M)


def wait_until(pred, timeout, every=0.0005):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(every)
    return None


def guide_line(s, url):
    return next(x for x in s.get(url + "/api/gpio").json()["lines"] if x["name"] == "guide")


def fail(work, what):
    """Stops the bench with @what and the end of vuorod's log (why, mostly)."""
    try:
        with open(os.path.join(work, "err"), encoding="utf-8", errors="replace") as f:
            tail = f.read()[-3000:]
    except OSError:
        tail = ""
    sys.exit("bench-frontdesk: %s\n--- vuorod's log, last lines:\n%s" % (what, tail))


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    work = tempfile.mkdtemp(prefix="bench-frontdesk-", dir=os.path.join(ROOT, build))
    printer, display = Printer(), Display(work)
    printer.start()
    text = open(os.path.join(ROOT, "board-config", "sim.conf"), encoding="utf-8").read()
    text = re.sub(r"^max-queue.*$", "", text, flags=re.M)
    for group, key, value in (("printer", "transport", "serial"), ("printer", "device", printer.path),
                              ("printer", "baud", "115200"), ("printer", "sim-dir", work),
                              ("bus:rs485-1", "transport", "rtu"), ("bus:rs485-1", "device", display.path),
                              ("bus:rs485-1", "baud", "19200"), ("audio", "sink", "none"),
                              ("announcer", "speak", "false"), ("announcer", "chime", "false"),
                              ("button:guide", "cooldown-ms", "0"),
                              ("button:guide", "debounce-ms", str(DEBOUNCE_MS))):
        text = set_key(text, group, key, value)
    conf = os.path.join(work, "bench.conf")
    with open(conf, "w", encoding="utf-8") as f:
        f.write(text)
    os.symlink(os.path.join(ROOT, "board-config", "displays"), os.path.join(work, "displays"))
    db = os.path.join(work, "vuoro.db")
    vuorod = os.path.join(ROOT, build, "vuorod")
    subprocess.run([vuorod, "--db", db, "--add-user", "tech", "--role", "technician"],
                   input="tech-pass-long-1\n", text=True, check=True, capture_output=True)
    subprocess.run([vuorod, "--db", db, "--add-user", "anna", "--role", "advisor"],
                   input="anna-pass-long-1\n", text=True, check=True, capture_output=True)
    proc = subprocess.Popen([vuorod, "--config", conf, "--db", db, "--listen", "127.0.0.1:0"],
                            stdout=subprocess.PIPE, stderr=open(os.path.join(work, "err"), "w"), text=True)
    try:
        url = re.search(r"http://127\.0\.0\.1:\d+", proc.stdout.readline()).group(0)
        # One session (a keep-alive connection, no cookie jar shared) per
        # caller.  A login answers with a session cookie too: a session that
        # kept it would send it along, and a cookie session's POSTs need its
        # CSRF header (a second login in it is refused).  So the staff carry
        # only their bearer token, and the kiosk (this address) nothing.
        def session(user=None, pw=None):
            s = requests.Session()
            if user:
                r = requests.post(url + "/api/login", json={"user": user, "password": pw})
                if r.status_code != 200 or "token" not in r.json():
                    sys.exit("bench-frontdesk: login as %s refused: %s %s" % (user, r.status_code, r.text))
                s.headers["Authorization"] = "Bearer " + r.json()["token"]
            return s
        tech, anna, kiosk = session("tech", "tech-pass-long-1"), session("anna", "anna-pass-long-1"), session()

        press = []
        for _ in range(rounds):
            n = len(printer.started)
            t0 = time.monotonic()
            r = tech.post(url + "/api/gpio/sim", json={"name": "guide", "hold_ms": HOLD_MS})
            assert r.status_code == 202, r.text
            if not wait_until(lambda: len(printer.started) > n, 5):
                r = tech.get(url + "/api/gpio")
                fail(work, "no ticket reached the printer within 5 s (press %d; printer saw %d; %s)" %
                     (len(press) + 1, len(printer.started), r.text))
            press.append((printer.started[n] - t0) * 1000)
            # The button up again, and a debounce window after that (the
            # print ends meanwhile) before the next press.
            if not wait_until(lambda: guide_line(tech, url)["value"] == 0, 5, every=0.005):
                fail(work, "the guide button was not released")
            time.sleep(DEBOUNCE_MS * 2 / 1000.0)
        for name, xs in (("press_to_print", press),):
            print("BENCH %s_median_ms=%.2f ms" % (name, statistics.median(xs)))
            print("BENCH %s_p99_ms=%.2f ms" % (name, percentile(xs, 99)))

        r = anna.post(url + "/api/counters/1/open", json={})
        assert r.status_code == 200, r.text
        for _ in range(rounds):
            r = kiosk.post(url + "/api/tickets", json={"service": "guide", "lang": "fi"})
            assert r.status_code == 201, r.text
        time.sleep(0.5)  # the start-up writes to every display are done
        call = []
        for _ in range(rounds):
            t0 = time.monotonic()
            r = anna.post(url + "/api/counters/1/call", json={})
            assert r.status_code == 200, r.text
            got = wait_until(lambda: display.write_after(1, t0), 5, every=0.005)
            if not got:
                fail(work, "the call did not reach the counter display within 5 s")
            call.append((got - t0) * 1000)
            r = anna.post(url + "/api/counters/1/noshow", json={})
            assert r.status_code == 200, r.text
            time.sleep(0.05)
        print("BENCH call_to_display_median_ms=%.2f ms" % statistics.median(call))
        print("BENCH call_to_display_p99_ms=%.2f ms" % percentile(call, 99))
    finally:
        proc.terminate()
        proc.wait(10)
        printer.running = False
        display.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
