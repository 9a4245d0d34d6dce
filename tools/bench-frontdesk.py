#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Front-desk latencies end to end, through vuorod (BENCH lines):

  press_to_print_median_ms / _p99_ms   a sim button press (POST /api/gpio/sim)
                                       until the ticket's first byte (ESC @)
                                       reaches the printer's serial line
  call_to_display_median_ms / _p99_ms  POST /api/counters/1/call until the
                                       counter display's FC16 frame has fully
                                       arrived on its RS-485 line
  press_to_print_raster_median_ms / _p99_ms
                                       a press until the ticket's cut (GS V)
                                       has fully arrived at a printer whose
                                       line is paced at 115200 baud, for a
                                       service whose name the code page lacks
                                       (an Arabic ticket: GS v 0 pictures)

The printer is a pty peer in this process that answers DLE EOT status queries;
the raster case runs a second vuorod against a printer peer that paces what it
receives as a serial line would (one byte each 10/115200 s, as
tools/bench-display-relay.py does); the displays are the tests' pymodbus RTU slave on a socat pty pair, which notes
when it decoded each write (CLOCK_MONOTONIC, as here).  Each measurement is
taken with nothing else in flight.

  tools/bench-frontdesk.py BUILD [ROUNDS]
"""
import json
import os
import re
import select
import shutil
import signal
import statistics
import struct
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


class Printer:
    """Answers DLE EOT n with "ready"; notes when a ticket starts (ESC @).

    It runs in a process of its own, as a printer is a device of its own: as a
    thread of this process it waited for Python's GIL while the main thread
    read the press's answer (up to the 5 ms switch interval), both to answer
    vuorod's status query and to note the time, and that wait was most of
    press_to_print's p99.  The times (CLOCK_MONOTONIC, as here) come back
    through a pipe."""

    def __init__(self):
        self.master, self.path = pty_pair()
        self._times, w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(self._times)
            try:
                self._serve(w)
            finally:
                os._exit(0)
        os.close(w)
        os.set_blocking(self._times, False)
        self._started = []

    def _serve(self, w):
        tail = b""
        parent = os.getppid()
        while os.getppid() == parent:
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
                os.write(w, struct.pack("d", now))
            tail = data[-2:]

    @property
    def started(self):
        """Monotonic times of ESC @ so far."""
        try:
            data = os.read(self._times, 8 * 4096)
        except BlockingIOError:
            data = b""
        self._started.extend(t for (t,) in struct.iter_unpack("d", data))
        return self._started

    def stop(self):
        os.kill(self.pid, signal.SIGTERM)
        os.waitpid(self.pid, 0)


# The raster case: the sim site with Arabic as its main language, so a button
# press prints an Arabic ticket (service name-ar, labels of ui/i18n/ar.json,
# footer-ar) — every line but the site's Latin name and the number a picture.
RASTER_NAME = "خدمات الضرائب والضمان الاجتماعي"
BAUD = 115200


class PacedPrinter(threading.Thread):
    """A printer at the end of a paced serial line: byte k arrives at
    t_k = max(t_{k-1}, sent) + 10/BAUD (a pty passes bytes at once), a DLE EOT
    is answered when it has arrived (and its answer takes a character time
    back), and the time each cut (GS V m n) fully arrived is noted.  The
    stream is parsed, so that GS v 0 and GS ( k data are never read as
    commands."""

    def __init__(self):
        super().__init__(daemon=True)
        self.master, self.path = pty_pair()
        self.cuts = []  # arrival times of GS V's last byte
        self.received = 0
        self.running = True
        self.char = 10.0 / BAUD
        self.free_at = 0.0
        self.buf = b""
        self.skip = 0

    def run(self):
        while self.running:
            r, _, _ = select.select([self.master], [], [], 0.2)
            if not r:
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                time.sleep(0.01)
                continue
            self.feed(chunk, time.monotonic())

    def arrive(self, n, sent):
        """Arrival time of the last of @n more bytes sent at @sent."""
        self.free_at = max(self.free_at, sent) + n * self.char
        self.received += n
        return self.free_at

    def feed(self, chunk, sent):
        self.buf += chunk
        while self.buf:
            b = self.buf
            if self.skip:
                n = min(self.skip, len(b))
                self.arrive(n, sent)
                self.skip -= n
                self.buf = b[n:]
                continue
            need, size = 1, 1
            if b[0] == 0x1b:
                need = size = 2 if len(b) > 1 and b[1] == 0x40 else 3
            elif b[0] == 0x10:
                need = size = 3
            elif b[0] == 0x1d:
                kind = b[1:2]
                if kind == b"v":
                    need = 8
                    if len(b) >= 8:
                        size = 8 + (b[4] | b[5] << 8) * (b[6] | b[7] << 8)
                elif kind == b"(":
                    need = 5
                    if len(b) >= 5:
                        size = 5 + (b[3] | b[4] << 8)
                elif kind == b"V":
                    need = size = 4 if len(b) > 2 and b[2] >= 65 else 3
                else:
                    need = size = 3
            if len(b) < need:
                return  # the rest of the command is still on its way
            if size > len(b):
                self.skip = size - len(b)
                self.arrive(len(b), sent)
                self.buf = b""
                return
            t = self.arrive(size, sent)
            if b[0] == 0x1d and b[1:2] == b"V":
                self.cuts.append(t)
            elif b[0] == 0x10 and b[1] == 0x04:
                wait = t + self.char - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                os.write(self.master, b"\x12")
            self.buf = b[size:]


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


def start_vuorod(vuorod, work, name, text):
    """vuorod on config @text with a fresh database (users tech and anna)."""
    conf, db = os.path.join(work, name + ".conf"), os.path.join(work, name + ".db")
    with open(conf, "w", encoding="utf-8") as f:
        f.write(text)
    subprocess.run([vuorod, "--db", db, "--add-user", "tech", "--role", "technician"],
                   input="tech-pass-long-1\n", text=True, check=True, capture_output=True)
    subprocess.run([vuorod, "--db", db, "--add-user", "anna", "--role", "advisor"],
                   input="anna-pass-long-1\n", text=True, check=True, capture_output=True)
    proc = subprocess.Popen([vuorod, "--config", conf, "--db", db, "--listen", "127.0.0.1:0"],
                            stdout=subprocess.PIPE, stderr=open(os.path.join(work, "err"), "w"), text=True)
    return proc, re.search(r"http://127\.0\.0\.1:\d+", proc.stdout.readline()).group(0)


def session(url, user=None, pw=None):
    """One session (a keep-alive connection, no cookie jar shared) per
    caller.  A login answers with a session cookie too: a session that kept
    it would send it along, and a cookie session's POSTs need its CSRF header
    (a second login in it is refused).  So the staff carry only their bearer
    token, and the kiosk (this address) nothing."""
    s = requests.Session()
    if user:
        r = requests.post(url + "/api/login", json={"user": user, "password": pw})
        if r.status_code != 200 or "token" not in r.json():
            sys.exit("bench-frontdesk: login as %s refused: %s %s" % (user, r.status_code, r.text))
        s.headers["Authorization"] = "Bearer " + r.json()["token"]
    return s


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    work = tempfile.mkdtemp(prefix="bench-frontdesk-", dir=os.path.join(ROOT, build))
    printer, display = Printer(), Display(work)
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
    os.symlink(os.path.join(ROOT, "board-config", "displays"), os.path.join(work, "displays"))
    vuorod = os.path.join(ROOT, build, "vuorod")
    proc, url = start_vuorod(vuorod, work, "bench", text)
    raster = None
    try:
        tech, anna, kiosk = session(url, "tech", "tech-pass-long-1"), session(url, "anna", "anna-pass-long-1"), \
            session(url)

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
        proc.terminate()
        proc.wait(10)

        # The raster case: its own vuorod, the printer behind a paced line.
        raster = PacedPrinter()
        raster.start()
        text = set_key(text, "printer", "device", raster.path)
        text = set_key(text, "site", "languages", "ar;fi;sv;en;se;uk")
        text = set_key(text, "service:guide", "name-ar", RASTER_NAME)
        proc, url = start_vuorod(vuorod, work, "raster", text)
        tech = session(url, "tech", "tech-pass-long-1")
        times, sizes = [], []
        for _ in range(rounds):
            n, got0 = len(raster.cuts), raster.received
            t0 = time.monotonic()
            r = tech.post(url + "/api/gpio/sim", json={"name": "guide", "hold_ms": HOLD_MS})
            assert r.status_code == 202, r.text
            if not wait_until(lambda: len(raster.cuts) > n, 10):
                fail(work, "no raster ticket was cut within 10 s (press %d)" % (len(times) + 1))
            times.append((raster.cuts[n] - t0) * 1000)
            sizes.append(raster.received - got0)
            if not wait_until(lambda: guide_line(tech, url)["value"] == 0, 5, every=0.005):
                fail(work, "the guide button was not released")
            # The line idle (the status query after the print answered) and
            # a debounce window, before the next press.
            wait_until(lambda: time.monotonic() > raster.free_at + 0.01, 5)
            time.sleep(DEBOUNCE_MS * 2 / 1000.0)
        print("BENCH raster_ticket_bytes=%d bytes" % statistics.median(sizes))  # status queries too
        print("BENCH press_to_print_raster_median_ms=%.2f ms" % statistics.median(times))
        print("BENCH press_to_print_raster_p99_ms=%.2f ms" % percentile(times, 99))
    finally:
        proc.terminate()
        proc.wait(10)
        printer.stop()
        if raster:
            raster.running = False
        display.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
