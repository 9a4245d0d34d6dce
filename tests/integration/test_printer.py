# SPDX-License-Identifier: GPL-3.0-or-later
"""The ticket printer against peers we did not write.

- The bytes vuorod sends are read by the npm `npos` decoder
  (tests/escpos/decode.js): every command known, nothing truncated, the
  Nordic letters in the configured code page, the QR payload right.  The sim
  printer's PNG is read back with zbarimg.
- A printer on a pty (the real ESC/POS backend, serial transport) answers
  DLE EOT like a printer does: paper end, then a new roll; or not at all.
"""
import json
import os
import subprocess
import threading
import time

import pytest

from conftest import ROOT, conf_with, make_daemon

DECODE = os.path.join(ROOT, "tests", "escpos", "decode.js")
URL_BASE = "https://jono.example.fi"

# DLE EOT answers: bits 1 and 4 always set.
ST_OK = 0x12
ST2_PAPER_STOP = 0x12 | 0x20
ST4_NEAR_END = 0x12 | 0x0C
ST4_PAPER_END = 0x12 | 0x60


def decode(data):
    path = "/tmp/vuoro-escpos-%d.bin" % os.getpid()
    with open(path, "wb") as f:
        f.write(data)
    p = subprocess.run(["node", DECODE, path], capture_output=True, text=True, timeout=60)
    os.unlink(path)
    assert p.returncode == 0, "npos could not read the stream (exit %d): %s" % (p.returncode, p.stderr)
    return json.loads(p.stdout)


def service_names(daemon, code):
    s = next(s for s in daemon.get("/api/status").json()["services"] if s["code"] == code)
    return s["names"]


@pytest.fixture
def kiosk(workdir):
    d = make_daemon(workdir, conf_with({("printer", "url-base"): URL_BASE}))
    yield d
    assert d.stop() == 0
    err = open(d.stderr_path).read()
    assert "AddressSanitizer" not in err and "runtime error" not in err, err[-3000:]


def test_ticket_bytes_read_by_npos(kiosk):
    r = kiosk.post("/api/tickets", {"service": "tax", "lang": "sv", "handout": "printer"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["print"] == {"ok": True, "error": None, "voided": False}
    t = body["ticket"]
    assert t["state"] == "waiting"
    data = open(os.path.join(kiosk.tickets, "ticket-1.bin"), "rb").read()
    d = decode(data)
    assert d["bytes"] == len(data) and d["cuts"] == 1
    names = [c["name"] for c in d["commands"]]
    assert names[0] == "ESC @"
    esc_t = next(c for c in d["commands"] if c["name"] == "ESC t")
    assert esc_t["params"] == [19]  # cp858, as sim.conf says
    text = bytes.fromhex(d["text_hex"]).decode("cp858")
    assert service_names(kiosk, "tax")["sv"] in text
    assert t["code"] in text
    assert "Välkommen!" in text and "Följ din tur" in text
    # The number is printed large: GS ! comes before it.
    big = [c for c in d["commands"] if c["name"] == "GS !"]
    assert any(c["params"][0] >= 0x33 for c in big)
    assert d["qr"] == [URL_BASE + t["follow"]]
    png = os.path.join(kiosk.tickets, "ticket-1.png")
    z = subprocess.run(["zbarimg", "-q", "--raw", png], capture_output=True, text=True, timeout=60)
    assert z.stdout.strip() == URL_BASE + t["follow"], z.stderr
    # Issue 14: the header in the ticket's language only; the address in
    # words under the code, as people type it; 4 modules (of 6 dots) of
    # paper fed above and below the code.
    assert text.startswith("Samservicepunkt Kuohu\n"), text[:80]
    assert "Yhteispalvelupiste" not in text and "joint service" not in text
    assert "\njono.example.fi" + t["follow"] + "\n" in text
    assert b"\x1d(k\x03\x00\x31\x43\x06" in data  # GS ( k: module 6 dots
    assert b"\x1bJ\x18\x1d(k\x03\x00\x31\x51\x30\x1bJ\x18" in data


def test_sim_board_without_url_base_points_at_its_real_port(workdir):
    """No url-base on a sim board: the QR code and the words point at the
    port vuorod listens on (not the config's listen), with one warning."""
    d = make_daemon(workdir)
    try:
        t = d.post("/api/tickets", {"service": "tax", "lang": "en", "handout": "printer"}).json()["ticket"]
        d.post("/api/tickets", {"service": "tax", "lang": "fi", "handout": "printer"})
        url = "http://127.0.0.1:%d%s" % (d.port, t["follow"])
        data = open(os.path.join(d.tickets, "ticket-1.bin"), "rb").read()
        dec = decode(data)
        assert dec["qr"] == [url]
        text = bytes.fromhex(dec["text_hex"]).decode("cp858")
        assert text.startswith("Kuohu joint service point\n")
        assert "\n127.0.0.1:%d%s\n" % (d.port, t["follow"]) in text
        assert d.get(t["follow"]).status_code == 200  # a browser here reaches it
    finally:
        assert d.stop() == 0
    err = open(d.stderr_path).read()
    assert err.count("url-base is not set") == 1, err
    assert "http://127.0.0.1:%d, which no phone can reach" % d.port in err, err


def test_code_page_is_board_config(workdir):
    d = make_daemon(workdir, conf_with({("printer", "codepage"): "iso8859-15"}), users=False)
    try:
        d.post("/api/tickets", {"service": "kela", "lang": "fi", "handout": "printer"})
        dec = decode(open(os.path.join(d.tickets, "ticket-1.bin"), "rb").read())
        assert next(c for c in dec["commands"] if c["name"] == "ESC t")["params"] == [40]
        text = bytes.fromhex(dec["text_hex"]).decode("iso8859-15")
        assert "Edessäsi" in text or "Olet seuraavana" in text
    finally:
        assert d.stop() == 0


def test_paper_end_ticket_shown_on_screen_then_reprinted(kiosk):
    assert kiosk.post("/api/printer/sim", {"paper_end": True}, user="tech").status_code == 200
    r = kiosk.post("/api/tickets", {"service": "guide", "handout": "printer"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["print"]["ok"] is False
    assert body["print"]["error"] == "printer: paper end — load a new roll"
    t = body["ticket"]
    assert t["state"] == "issued"  # not callable: nobody holds it yet
    h = kiosk.get("/api/health", user="tech").json()
    assert h["status"] == "degraded" and h["printer"]["paper_end"] is True
    assert "printer: paper end — load a new roll" in h["faults"], h["faults"]
    assert h["printer"]["failed"] == 1
    # Not callable until handed out.
    kiosk.post("/api/counters/1/open", {}, user="anna")
    r = kiosk.post("/api/counters/1/call", {}, user="anna")
    assert r.status_code != 200 or (r.json().get("counter") or {}).get("ticket") is None
    # The kiosk shows the number on its screen: that hands it out.
    r = kiosk.post("/api/tickets/%d/handout" % t["id"])
    assert r.status_code == 200 and r.json()["ticket"]["state"] == "waiting"
    # A new roll; a reprint for the citizen.
    assert kiosk.post("/api/printer/sim", {}, user="tech").json()["printer"]["ok"] is True
    r = kiosk.post("/api/tickets/%d/print" % t["id"])
    assert r.status_code == 200 and r.json()["print"]["ok"] is True
    assert kiosk.get("/api/health").json()["status"] == "ok"


def test_near_end_raises_alert_and_still_prints(kiosk):
    kiosk.post("/api/printer/sim", {"paper_near_end": True}, user="tech")
    r = kiosk.post("/api/tickets", {"service": "guide", "handout": "printer"})
    assert r.json()["print"]["ok"] is True and r.json()["ticket"]["state"] == "waiting"
    p = kiosk.get("/api/printer", user="tech").json()
    assert p["paper_near_end"] is True and p["ok"] is True


def test_test_ticket_prints_nordic_letters(kiosk):
    r = kiosk.post("/api/printer/test", {"lang": "fi"}, user="tech")
    assert r.status_code == 200 and r.json()["ok"] is True
    dec = decode(open(os.path.join(kiosk.tickets, "ticket-1.bin"), "rb").read())
    text = bytes.fromhex(dec["text_hex"]).decode("cp858")
    assert "ÅÄÖ åäö" in text and "TESTILIPPU" in text
    # The tickets' own address, so a scan tells whether phones reach it.
    assert dec["qr"] == [URL_BASE + "/t/test"] and "\njono.example.fi/t/test\n" in text
    assert kiosk.post("/api/printer/test", {}, user="anna").status_code == 403


class PtyPrinter:
    """A printer on a pty: answers DLE EOT n from self.status, keeps the rest."""

    def __init__(self):
        self.master, slave = os.openpty()
        self.path = os.ttyname(slave)
        os.close(slave)
        self.status = {1: ST_OK, 2: ST_OK, 4: ST_OK}
        self.silent = False
        self.data = bytearray()
        self.queries = 0
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        pending = b""
        while not self.stop:
            try:
                chunk = os.read(self.master, 4096)
            except OSError:
                time.sleep(0.01)  # no reader on the other side yet
                continue
            pending += chunk
            while True:
                i = pending.find(b"\x10\x04")
                if i < 0 or i + 2 >= len(pending):
                    keep = pending[-2:] if pending.endswith(b"\x10") or pending.endswith(b"\x10\x04") else b""
                    self.data += pending[:len(pending) - len(keep)]
                    pending = keep
                    break
                self.data += pending[:i]
                n = pending[i + 2]
                pending = pending[i + 3:]
                self.queries += 1
                if not self.silent:
                    os.write(self.master, bytes([self.status.get(n, ST_OK)]))

    def close(self):
        self.stop = True
        os.close(self.master)


@pytest.fixture
def pty_kiosk(workdir):
    printer = PtyPrinter()
    conf = conf_with({("printer", "transport"): "serial", ("printer", "device"): printer.path,
                      ("printer", "baud"): "19200", ("printer", "timeout-ms"): "300",
                      ("printer", "url-base"): URL_BASE})
    d = make_daemon(workdir, conf)
    yield d, printer
    assert d.stop() == 0
    printer.close()


def test_pty_printer_paper_end_then_new_roll(pty_kiosk):
    d, printer = pty_kiosk
    printer.status = {1: ST_OK, 2: ST2_PAPER_STOP, 4: ST4_PAPER_END}
    r = d.post("/api/tickets", {"service": "tax", "lang": "fi", "handout": "printer"})
    body = r.json()
    assert body["print"]["ok"] is False and "paper end" in body["print"]["error"]
    assert body["ticket"]["state"] == "issued"
    assert printer.data == b""  # nothing printed on an empty roll
    printer.status = {1: ST_OK, 2: ST_OK, 4: ST4_NEAR_END}
    r = d.post("/api/tickets/%d/print" % body["ticket"]["id"])
    assert r.status_code == 200 and r.json()["print"]["ok"] is True, r.text
    assert r.json()["ticket"]["state"] == "waiting"
    assert d.get("/api/printer", user="tech").json()["paper_near_end"] is True
    dec = decode(bytes(printer.data))
    text = bytes.fromhex(dec["text_hex"]).decode("cp858")
    assert body["ticket"]["code"] in text and "Tervetuloa!" in text
    assert dec["qr"] == [URL_BASE + body["ticket"]["follow"]] and dec["cuts"] == 1
    assert printer.queries >= 6  # status before and after


def test_pty_printer_that_does_not_answer(pty_kiosk):
    d, printer = pty_kiosk
    printer.silent = True
    t0 = time.monotonic()
    r = d.post("/api/tickets", {"service": "tax", "handout": "printer"})
    assert time.monotonic() - t0 < 5
    body = r.json()
    assert body["print"]["ok"] is False
    assert "no answer within 300 ms" in body["print"]["error"] and printer.path in body["print"]["error"]
    # vuorod keeps serving; the screen hands the ticket out.
    assert d.get("/api/status").status_code == 200
    assert d.post("/api/tickets/%d/handout" % body["ticket"]["id"]).json()["ticket"]["state"] == "waiting"
    printer.silent = False
    r = d.post("/api/printer/check", {}, user="tech")
    assert r.json()["printer"]["ok"] is True
