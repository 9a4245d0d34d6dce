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


def starts_with_chime(samples, rate):
    """The first 0.3 s are the chime's 660 Hz tone: nearly all their energy
    at that one frequency (a pure tone gives the ratio 1; speech far less)."""
    head = samples[:int(0.3 * rate)]
    energy = sum(x * x for x in head) * len(head) / 2
    return energy > 0 and goertzel(head, rate, 660) / energy > 0.5


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
        # Finnish tickets on a Finnish site: Finnish only ("A001" said "A 1").
        assert first["text"] == {"fi": "Vuoronumero %s %d, palvelupiste 1." % (a[0], int(a[1:]))}
        # One loudspeaker: the second starts after the first ended.
        assert second["started_us"] >= first["ended_us"]
        for i, x in enumerate((first, second)):
            rate, secs, samples = wav_info(os.path.join(d.audio, "announce-%d.wav" % x["id"]))
            assert abs(secs - x["audio_s"]) < 0.05 * x["audio_s"], (secs, x["audio_s"])
            # Played in real time, as a loudspeaker would.
            assert (x["ended_us"] - x["started_us"]) / 1e6 >= 0.9 * secs
            # One sentence: seconds, and not silence.
            assert 1.5 < secs < 10.0
            assert rms(samples) > 300
            # A chime before the first; the second follows at once, without.
            assert starts_with_chime(samples, rate) == (i == 0), i
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


def test_a_call_is_spoken_in_the_main_language_and_the_tickets_own(workdir):
    """On a site of six (main fi, [announcer] languages unset): a Ukrainian
    ticket's call is spoken in Finnish and Ukrainian (espeak-ng has a voice),
    a Northern Sámi one's in Finnish only (espeak-ng has none: the main
    language stands in, and it was spoken already)."""
    d = make_daemon(workdir, announcer=True)
    try:
        open_counter(d, 1, "anna")
        uk = d.post("/api/tickets", {"service": "guide", "lang": "uk"}).json()["ticket"]["code"]
        se = d.post("/api/tickets", {"service": "guide", "lang": "se"}).json()["ticket"]["code"]
        call(d, 1, "anna")
        played(d, 1, 60)  # said whole while the ticket was current
        assert d.post("/api/counters/1/end", {}, user="anna").status_code == 200
        call(d, 1, "anna")
        first, second = played(d, 2, 60)
        assert first["ticket"] == uk and second["ticket"] == se
        assert list(first["text"]) == ["fi", "uk"], first["text"]
        assert first["text"]["uk"] == "Номер %s %d, вікно 1." % (uk[0], int(uk[1:]))
        assert list(second["text"]) == ["fi"], second["text"]
        assert first["state"] == second["state"] == "played", (first, second)
        # The Ukrainian sentence is heard, after the Finnish one.
        rate, secs, samples = wav_info(os.path.join(d.audio, "announce-%d-uk.wav" % first["id"]))
        assert 1.0 < secs < 6.0 and rms(samples) > 300
        fi_secs = wav_info(os.path.join(d.audio, "announce-%d.wav" % first["id"]))[1]
        assert abs(first["audio_s"] - (secs + fi_secs)) < 0.1, (first, secs, fi_secs)
        assert not os.path.exists(os.path.join(d.audio, "announce-%d-se.wav" % second["id"]))
    finally:
        assert d.stop() == 0


def test_announcer_languages_are_also_spoken(workdir):
    """[announcer] languages = en: a Swedish ticket's call in fi, sv, then en."""
    d = make_daemon(workdir, conf_with({("announcer", "languages"): "en"}), announcer=True)
    try:
        open_counter(d, 1, "anna")
        sv = d.post("/api/tickets", {"service": "guide", "lang": "sv"}).json()["ticket"]["code"]
        call(d, 1, "anna")
        x = played(d, 1, 30)[0]
        assert x["ticket"] == sv and x["state"] == "played", x
        assert x["text"] == {"fi": "Vuoronumero %s %d, palvelupiste 1." % (sv[0], int(sv[1:])),
                             "sv": "Nummer %s %d, disk 1." % (sv[0], int(sv[1:])),
                             "en": "Number %s %d, counter 1." % (sv[0], int(sv[1:]))}, x
        for lang in ("sv", "en"):
            assert os.path.exists(os.path.join(d.audio, "announce-%d-%s.wav" % (x["id"], lang)))
    finally:
        assert d.stop() == 0


def by_ticket(d, ticket, kind="call"):
    return [a for a in announcements(d)["recent"] if a["ticket"] == ticket and a["kind"] == kind]


def all_done(d):
    return wait_for(lambda: (lambda r: r if r["pending"] == 0 else None)(announcements(d)), 60,
                    "the announcer done")["recent"]


def test_a_call_no_longer_current_is_dropped_when_its_turn_comes(workdir):
    """The loudspeaker is busy with counter 1's call; counter 2 calls and
    starts serving before its turn (the citizen saw the display): its
    announcement is dropped, not said to a room where nobody waits for it."""
    d = make_daemon(workdir, announcer=True)
    try:
        open_counter(d, 1, "anna")
        open_counter(d, 2, "bertil")
        a, b = issue(d), issue(d)
        call(d, 1, "anna")
        wait_for(lambda: by_ticket(d, a)[0]["state"] == "playing", 10, "the first call playing")
        call(d, 2, "bertil")
        assert by_ticket(d, b)[0]["state"] == "queued"
        assert d.post("/api/counters/2/start", {}, user="bertil").status_code == 200
        x = by_ticket(d, b)[0]
        assert x["state"] == "dropped" and x["reason"] == "started" and x["started_us"] is None, x
        recent = all_done(d)
        assert [r["ticket"] for r in recent if r["state"] == "played"] == [a]
        assert not os.path.exists(os.path.join(d.audio, "announce-%d.wav" % x["id"]))
        # Ended, marked no-show: the same.
        assert d.post("/api/counters/2/end", {}, user="bertil").status_code == 200
        c = issue(d)
        assert d.post("/api/counters/1/end", {}, user="anna").status_code == 200
        e = issue(d)
        call(d, 1, "anna")   # c, playing
        call(d, 2, "bertil")  # e, waits
        assert d.post("/api/counters/2/noshow", {}, user="bertil").status_code == 200
        x = by_ticket(d, e)[0]
        assert x["state"] == "dropped" and x["reason"] == "no-show", x
        all_done(d)
        assert by_ticket(d, c)[0]["state"] == "played"
    finally:
        assert d.stop() == 0


def test_a_recall_replaces_the_call_that_waits(workdir):
    d = make_daemon(workdir, announcer=True)
    try:
        open_counter(d, 1, "anna")
        open_counter(d, 2, "bertil")
        a, b = issue(d), issue(d)
        call(d, 1, "anna")
        wait_for(lambda: by_ticket(d, a)[0]["state"] == "playing", 10, "the first call playing")
        call(d, 2, "bertil")
        assert d.post("/api/counters/2/recall", {}, user="bertil").status_code == 200
        old, = by_ticket(d, b)
        assert old["state"] == "dropped" and old["reason"] == "recalled", old
        all_done(d)
        new, = by_ticket(d, b, "recall")
        assert new["state"] == "played" and new["text"]["fi"].startswith("Vuoronumero"), new
        # Said once: the wav of the recall, none of the dropped call.
        assert os.path.exists(os.path.join(d.audio, "announce-%d.wav" % new["id"]))
        assert not os.path.exists(os.path.join(d.audio, "announce-%d.wav" % old["id"]))
    finally:
        assert d.stop() == 0


def test_a_burst_of_calls_waits_for_one_sentence_not_for_other_languages(workdir):
    """A Swedish ticket's call is said in Finnish; two counters call while it
    plays: their Finnish sentences come next, at once and without another
    chime, and the Swedish sentence of the first after them (it is still
    current).  Each new call waited for one sentence and the new ones before
    it, not for the languages of older calls."""
    d = make_daemon(workdir, announcer=True)
    try:
        open_counter(d, 1, "anna")
        open_counter(d, 2, "bertil")
        open_counter(d, 3, "admin1")
        first = d.post("/api/tickets", {"service": "guide", "lang": "sv"}).json()["ticket"]["code"]
        codes = [issue(d), issue(d)]
        call(d, 1, "anna")
        wait_for(lambda: by_ticket(d, first)[0]["state"] == "playing", 10, "the first call playing")
        call(d, 2, "bertil")
        call(d, 3, "admin1")
        recent = all_done(d)
        one = next(r for r in recent if r["ticket"] == first)
        burst = [next(r for r in recent if r["ticket"] == c) for c in codes]
        assert one["state"] == "played" and list(one["text"]) == ["fi", "sv"], one
        assert [r["state"] for r in burst] == ["played"] * 2, burst
        fi_secs = wav_info(os.path.join(d.audio, "announce-%d.wav" % one["id"]))[1]
        sv_secs = wav_info(os.path.join(d.audio, "announce-%d-sv.wav" % one["id"]))[1]
        # The first's Finnish sentence, then the two calls, then its Swedish one.
        assert one["started_us"] < burst[0]["started_us"] < burst[1]["started_us"] < one["ended_us"]
        assert one["started_us"] + fi_secs * 1e6 <= burst[0]["started_us"]
        assert burst[1]["ended_us"] + sv_secs * 0.9e6 <= one["ended_us"]
        for r in burst:
            lag = (r["started_us"] - r["queued_us"]) / 1e6
            assert lag <= fi_secs + burst[0]["audio_s"] + 1.0, (lag, r)
            rate, secs, samples = wav_info(os.path.join(d.audio, "announce-%d.wav" % r["id"]))
            assert abs(secs - r["audio_s"]) < 0.05 * secs
            assert not starts_with_chime(samples, rate), "a second chime"
        rate, secs, samples = wav_info(os.path.join(d.audio, "announce-%d.wav" % one["id"]))
        assert starts_with_chime(samples, rate)
    finally:
        assert d.stop() == 0
