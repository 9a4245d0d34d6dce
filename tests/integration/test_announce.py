# SPDX-License-Identifier: GPL-3.0-or-later
"""A call as the waiting room sees and hears it.

- Number displays: vuorod drives Modbus RTU over a socat pty pair to a
  pymodbus slave (modbus_slave.py) that plays three displays: counter 1
  (unit 1), counter 2 (unit 2) and the main display (unit 10).  The slave's
  datastore is what the displays would show.
- The announcer: espeak-ng speech after a chime, played in real time into the
  sim's WAV recordings, read back with Python's wave module.
"""
import math
import os
import struct
import time
import wave

import pytest

from conftest import ROOT, conf_with, make_daemon
from test_display import Slave, Wire, ascii_regs, wait_for

COUNTER_MAP_REGS = 7  # board-config/displays/counter.map: registers 0–6
MAIN_BASE = 16        # board-config/displays/main.map: base 16, 4 lines of 8 registers


def counter_regs(ticket, counter, blink):
    number = int(ticket[1:], 16) if ticket else 0  # BCD of the digits
    return ascii_regs(ticket, 6) + [number, counter, blink, 12]


def main_line(ticket, counter):
    return ascii_regs(ticket + (str(counter) if counter else "").rjust(16 - len(ticket)), 16)


def open_counter(d, counter, user):
    r = d.post("/api/counters/%d/open" % counter, {}, user=user)
    assert r.status_code == 200, r.text


def issue(d, service="guide"):
    r = d.post("/api/tickets", {"service": service, "lang": "fi"})
    assert r.status_code == 201, r.text
    return r.json()["ticket"]["code"]


def call(d, counter, user):
    r = d.post("/api/counters/%d/call" % counter, {}, user=user)
    assert r.status_code == 200, r.text
    return r.json()


def display(d, name):
    return next(x for x in d.get("/api/displays", user="tech").json()["displays"] if x["name"] == name)


@pytest.fixture
def wired(workdir):
    """vuorod with its display bus on a pty; the slave answers units 1, 2, 10."""
    wire = Wire(workdir, "rs485")
    slave = Slave(workdir, wire.b, [1, 2, 10])
    conf = conf_with({("bus:rs485-1", "transport"): "rtu", ("bus:rs485-1", "device"): wire.a,
                      ("bus:rs485-1", "baud"): "19200", ("bus:rs485-1", "timeout-ms"): "200",
                      ("bus:rs485-1", "tries"): "2"})
    d = make_daemon(workdir, conf)
    yield d, slave
    assert d.stop() == 0
    slave.stop()
    wire.stop()
    err = open(d.stderr_path).read()
    assert "AddressSanitizer" not in err and "runtime error" not in err, err[-3000:]


def test_call_lights_the_counter_and_the_main_display(wired):
    d, slave = wired
    open_counter(d, 1, "anna")
    open_counter(d, 2, "bertil")
    a = issue(d, "guide")
    b = issue(d, "guide")
    call(d, 1, "anna")
    slave.wait_regs(1, 0, counter_regs(a, 1, 1))
    slave.wait_regs(10, MAIN_BASE, main_line(a, 1) + main_line("", 0))
    call(d, 2, "bertil")
    slave.wait_regs(2, 0, counter_regs(b, 2, 1))
    # The main display: the latest call on top, the one before under it.
    slave.wait_regs(10, MAIN_BASE, main_line(b, 2) + main_line(a, 1))
    # Counter 1's display kept its own call.
    assert slave.regs(1, 0, 3) == ascii_regs(a, 6)
    info = display(d, "counter1")
    assert info["state"] == "ok" and info["showing"] == ["%s 1" % a] and info["writes"] >= 1
    assert display(d, "main")["showing"] == ["%s 2" % b, "%s 1" % a]


def test_blink_is_cleared_after_blink_seconds(workdir):
    wire = Wire(workdir, "rs485")
    slave = Slave(workdir, wire.b, [1, 2, 10])
    try:
        d = make_daemon(workdir, conf_with({("bus:rs485-1", "transport"): "rtu",
                                            ("bus:rs485-1", "device"): wire.a,
                                            ("bus:rs485-1", "blink-seconds"): "1"}))
        open_counter(d, 1, "anna")
        a = issue(d)
        call(d, 1, "anna")
        slave.wait_regs(1, 0, counter_regs(a, 1, 1))
        slave.wait_regs(1, 0, counter_regs(a, 1, 0), timeout=4)
        # A recall blinks again.
        assert d.post("/api/counters/1/recall", {}, user="anna").status_code == 200
        slave.wait_regs(1, 0, counter_regs(a, 1, 1))
        assert d.stop() == 0
    finally:
        slave.stop()
        wire.stop()


def test_a_dead_display_is_named_and_does_not_delay_the_others(wired):
    d, slave = wired
    # counter3 (unit 3) is configured but nobody answers there.
    wait_for(lambda: display(d, "counter3")["state"] == "failed", 10, "counter3 marked failed")
    info = display(d, "counter3")
    assert "counter3" in info["message"] or "unit 3" in info["message"], info["message"]
    h = d.get("/api/health", user="tech").json()
    assert h["status"] == "degraded" and h["displays"]["faults"] == 1, h
    assert [f for f in h["faults"] if "counter3" in f and "check wiring" in f], h["faults"]
    open_counter(d, 1, "anna")
    open_counter(d, 3, "bertil")
    a = issue(d)
    b = issue(d)
    t0 = time.monotonic()
    call(d, 3, "bertil")   # to the dead display: skipped, not waited for
    call(d, 1, "anna")
    slave.wait_regs(1, 0, counter_regs(b, 1, 1))
    assert time.monotonic() - t0 < 1.5, "a live display waited for a dead one"
    assert display(d, "counter3")["state"] == "failed"


def test_test_pattern_and_scan(wired):
    d, slave = wired
    r = d.post("/api/displays/counter1/test", {"hold_ms": 300}, user="tech")
    assert r.status_code == 200 and r.json()["ok"], r.text
    assert slave.regs(1, 0, 5) == ascii_regs("8888", 6) + [0x8888, 88]
    # After the hold the display shows the queue again (nothing called: blank).
    slave.wait_regs(1, 0, counter_regs("", 0, 0))
    r = d.post("/api/displays/scan", {"bus": "rs485-1", "from": 1, "to": 4}, user="tech")
    assert r.status_code == 200, r.text
    assert r.json()["units"] == [1, 2]
    assert d.post("/api/displays/scan", {"bus": "nope"}, user="tech").status_code == 404
    assert d.post("/api/displays/nope/test", {}, user="tech").status_code == 404
    assert d.post("/api/displays/counter1/test", {}, user="anna").status_code == 403


def test_a_missing_serial_device_is_reported_and_queue_keeps_working(workdir):
    d = make_daemon(workdir, conf_with({("bus:rs485-1", "transport"): "rtu",
                                        ("bus:rs485-1", "device"): "/dev/ttyNOPE9"}))
    try:
        info = wait_for(lambda: (lambda x: x if x["state"] == "failed" else None)(display(d, "main")),
                        10, "the main display marked failed")
        assert "/dev/ttyNOPE9" in info["message"], info
        assert "rs485-1" in info["message"]
        open_counter(d, 1, "anna")
        issue(d)
        call(d, 1, "anna")
        assert d.get("/api/health").json()["status"] == "degraded"
    finally:
        assert d.stop() == 0


# ---- the announcer ----

def wav_info(path):
    with wave.open(path, "rb") as w:
        assert w.getnchannels() >= 1 and w.getsampwidth() == 2
        frames = w.readframes(w.getnframes())
        rate, n, ch = w.getframerate(), w.getnframes(), w.getnchannels()
    samples = struct.unpack("<%dh" % (len(frames) // 2), frames)[::ch]
    return rate, n / rate, samples


def rms(samples):
    return math.sqrt(sum(s * s for s in samples) / max(1, len(samples)))


def goertzel(samples, rate, freq):
    k = 2 * math.cos(2 * math.pi * freq / rate)
    s1 = s2 = 0.0
    for x in samples:
        s1, s2 = x + k * s1 - s2, s1
    return s1 * s1 + s2 * s2 - k * s1 * s2


def announcements(d):
    return d.get("/api/announcer", user="tech").json()


def played(d, n, timeout):
    return wait_for(lambda: [a for a in announcements(d)["recent"]
                             if a["state"] in ("played", "failed")][:n]
                    if len([a for a in announcements(d)["recent"]
                            if a["state"] in ("played", "failed")]) >= n else None,
                    timeout, "%d announcements" % n)


def test_two_quick_calls_are_both_spoken_one_after_the_other(workdir):
    d = make_daemon(workdir, announcer=True)
    try:
        open_counter(d, 1, "anna")
        open_counter(d, 2, "bertil")
        a = issue(d, "guide")
        b = issue(d, "guide")
        call(d, 1, "anna")
        call(d, 2, "bertil")
        first, second = played(d, 2, 60)
        assert first["state"] == second["state"] == "played", (first, second)
        assert first["ticket"] == a and second["ticket"] == b
        assert first["text"]["fi"] == "Vuoronumero %s %s, palvelupiste 1." % (a[0], a[1:])
        assert first["text"]["sv"] == "Nummer %s %s, disk 1." % (a[0], a[1:])
        assert first["text"]["en"] == "Number %s %s, counter 1." % (a[0], a[1:])
        # One loudspeaker: the second starts after the first ended.
        assert second["started_us"] >= first["ended_us"]
        for x in (first, second):
            rate, secs, samples = wav_info(os.path.join(d.audio, "announce-%d.wav" % x["id"]))
            assert abs(secs - x["audio_s"]) < 0.05 * x["audio_s"], (secs, x["audio_s"])
            # Played in real time, as a loudspeaker would.
            assert (x["ended_us"] - x["started_us"]) / 1e6 >= 0.9 * secs
            # Three languages after a chime: several seconds, and not silence.
            assert 3.0 < secs < 30.0
            assert rms(samples) > 300
            chime = samples[:int(0.3 * rate)]
            assert goertzel(chime, rate, 660) > 10 * goertzel(chime, rate, 1000)
    finally:
        assert d.stop() == 0


def test_test_tone_and_speech_and_a_broken_sound_card(workdir):
    conf = conf_with({("announcer", "languages"): "sv", ("audio", "sink"): "alsa",
                      ("audio", "device"): "hw:9,9"})
    d = make_daemon(workdir, conf, announcer=True)
    try:
        r = d.post("/api/announcer/test", {"kind": "tone"}, user="tech")
        assert r.status_code == 202, r.text
        x = played(d, 1, 30)[0]
        assert x["state"] == "failed" and "alsa" in x["error"] and "hw:9,9" in x["error"], x
        h = d.get("/api/health", user="tech").json()
        assert h["status"] == "degraded" and "alsa" in h["announcer"]["message"]
        # The queue keeps serving while the sound card is broken.
        open_counter(d, 1, "anna")
        issue(d)
        call(d, 1, "anna")
        assert d.post("/api/announcer/test", {"kind": "beep"}, user="tech").status_code == 400
        assert d.post("/api/announcer/test", {"kind": "tone"}, user="anna").status_code == 403
    finally:
        assert d.stop() == 0


def test_speech_test_in_one_language(workdir):
    d = make_daemon(workdir, conf_with({("announcer", "languages"): "fi"}), announcer=True)
    try:
        r = d.post("/api/announcer/test", {"kind": "speech", "lang": "en"}, user="tech")
        assert r.status_code == 202, r.text
        x = played(d, 1, 30)[0]
        assert x["state"] == "played" and list(x["text"]) == ["en"], x
        rate, secs, samples = wav_info(os.path.join(d.audio, "announce-%d.wav" % x["id"]))
        assert 1.0 < secs < 10.0 and rms(samples) > 300
        assert d.get("/api/health", user="tech").json()["announcer"]["ok"] is True
    finally:
        assert d.stop() == 0


def test_a_call_is_also_spoken_in_the_tickets_language_or_the_main_one_without_a_voice(workdir):
    """[announcer] languages = fi;sv;en on a site of six: a Ukrainian
    ticket's call is spoken in Ukrainian too (espeak-ng has a voice), a
    Northern Sámi one's only in the three (espeak-ng has none: the main
    language stands in, and it was spoken already)."""
    d = make_daemon(workdir, announcer=True)
    try:
        open_counter(d, 1, "anna")
        uk = d.post("/api/tickets", {"service": "guide", "lang": "uk"}).json()["ticket"]["code"]
        se = d.post("/api/tickets", {"service": "guide", "lang": "se"}).json()["ticket"]["code"]
        call(d, 1, "anna")
        assert d.post("/api/counters/1/end", {}, user="anna").status_code == 200
        call(d, 1, "anna")
        first, second = played(d, 2, 90)
        assert first["ticket"] == uk and second["ticket"] == se
        assert set(first["text"]) == {"fi", "sv", "en", "uk"}, first["text"]
        assert first["text"]["uk"] == "Номер %s %s, вікно 1." % (uk[0], uk[1:])
        assert set(second["text"]) == {"fi", "sv", "en"}, second["text"]
        # The Ukrainian sentence is heard: four sentences take longer than three.
        secs = [wav_info(os.path.join(d.audio, "announce-%d.wav" % x["id"]))[1] for x in (first, second)]
        assert first["state"] == second["state"] == "played", (first, second)
        assert secs[0] > secs[1] + 1.0, secs
    finally:
        assert d.stop() == 0
