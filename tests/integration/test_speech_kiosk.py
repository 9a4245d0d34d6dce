# SPDX-License-Identifier: GPL-3.0-or-later
"""The kiosk's speech-guided, tactile path to a ticket (issue 20, items 1-2).

Real vuorod on the sim board: the keys and the headset jack are sim GPIO
lines (POST /api/gpio/sim), the speech is espeak-ng through the announcer's
GStreamer wav sink, recorded in real time — the room's loudspeaker in
[audio] wav-dir, the headset's output in [kiosk] headset-wav-dir — and the
tickets are the sim printer's.  What was said is read back from GET
/api/announcer (kind "guide", its text and output) and checked against the
catalogs; each recording must hold sound (RMS well above silence).

- A service button of the button-only dispenser says the service chosen,
  prints the ticket and says it whole: number, service, people ahead, where
  to go — on the room's (kiosk's) speaker, nothing on the headset.
- With a headset in: the guidance starts by itself; down, select draws and
  prints a ticket of the service spoken; the ticket is spoken whole and
  again on repeat; language switches to Swedish; all of it on the headset
  only, while a counter's call is still announced in the room; pulling the
  headset cuts the ticket being said short (well before its end) and resets
  the volume and language (plugging it in again speaks the Finnish welcome
  at the default volume).  A key cuts the prompt playing, as a screen
  reader does, and "… chosen" is followed by the ticket without a cut.
- Without a headset the speech key guides aloud on the kiosk's (room's)
  speaker; guide-idle-seconds without a key stops it, and the next key
  starts afresh at the default volume.

About 55 s: the prompts play in real time (at 420 words a minute here).
  VUOROD=$PWD/build/vuorod VUOROCTL=$PWD/build/vuoroctl BUILD_DIR=$PWD/build \
    /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration/test_speech_kiosk.py
"""
import json
import math
import os
import struct
import time
import wave

from conftest import ROOT, make_daemon, sim_text, wait_for

FAST = 420  # words per minute: the same path, said faster (the bench uses the site's rate)


def catalog(lang):
    with open(os.path.join(ROOT, "ui", "i18n", lang + ".json"), encoding="utf-8") as f:
        return json.load(f)


FI, SV = catalog("fi"), catalog("sv")


def conf(rate=FAST, idle_s=60):
    text = sim_text()
    text = text.replace("guide-idle-seconds = 60", "guide-idle-seconds = %d" % idle_s)
    return text.replace("[announcer]\nrate = 160", "[announcer]\nrate = %d" % rate)


def line(d, name):
    return next(x for x in d.get("/api/gpio", user="tech").json()["lines"] if x["name"] == name)


def press(d, name, **kw):
    """Presses and lets go of a key, as a finger does, and waits until the
    kiosk took the press (its count went up and the line is back at rest);
    a level (the headset jack) is held until set again."""
    before = line(d, name)["presses"]
    body = {"name": name}
    body.update(kw)
    r = d.post("/api/gpio/sim", body, user="tech")
    assert r.status_code == 202, r.text
    if "level" not in kw:
        wait_for(lambda: (lambda x: x["presses"] > before and x["value"] == 0)(line(d, name)),
                 5, "the %s key taken" % name)


def guide_items(d):
    return [a for a in d.get("/api/announcer", user="tech").json()["recent"]
            if a["kind"] == "guide"]


def said(d, n, what, state=("playing", "played")):
    """The first @n guide prompts once the @n-th has reached @state."""
    def ready():
        items = guide_items(d)
        return items[:n] if len(items) >= n and items[n - 1]["state"] in state else None
    try:
        return wait_for(ready, 30, what)
    except AssertionError:
        raise AssertionError("%s: %r" % (what, [(x["id"], x["state"], x["reason"], text(x)[:25]) for x in guide_items(d)]))


def text(item):
    (t,) = item["text"].values()
    return t


def rms_of(path):
    with wave.open(path, "rb") as w:
        frames = w.readframes(w.getnframes())
        secs = w.getnframes() / w.getframerate()
        ch = w.getnchannels()
    samples = struct.unpack("<%dh" % (len(frames) // 2), frames)[::ch]
    return secs, math.sqrt(sum(s * s for s in samples) / max(1, len(samples)))


def wavs(folder, prefix="guide-"):
    return sorted(f for f in os.listdir(folder) if f.startswith(prefix)) \
        if os.path.isdir(folder) else []


def spoken_code(code):
    """"V001" is said "V 1"."""
    return "%s %s" % (code[0], code[1:].lstrip("0") or "0")


def test_a_service_button_says_the_service_and_the_ticket(workdir):
    d = make_daemon(workdir, conf(), announcer=True)
    try:
        press(d, "tax")
        chosen, ticket = said(d, 2, "the service and the ticket spoken", ("played",))
        t = wait_for(lambda: d.get("/api/queue", user="anna").json()["tickets"], what="a ticket")[0]
        assert os.path.exists(os.path.join(d.tickets, "ticket-1.bin"))
        assert text(chosen) == FI["guide.chosen"].replace("{name}", "Verotus")
        expect = FI["guide.ticket"].replace("{letter} {digits}", spoken_code(t["code"])) \
            .replace("{service}", "Verotus")
        assert text(ticket).startswith(expect), text(ticket)
        assert FI["kiosk.ahead_0"] in text(ticket) and FI["kiosk.take_ticket"] in text(ticket)
        assert chosen["output"] == ticket["output"] == "room"
        for item in (chosen, ticket):
            secs, level = rms_of(os.path.join(d.audio, "guide-%d.wav" % item["id"]))
            assert secs > 1.0 and level > 300, (item, secs, level)
        assert wavs(d.headset) == []
    finally:
        assert d.stop() == 0


def test_headset_keypad_ticket_spoken_only_in_the_headset(workdir):
    d = make_daemon(workdir, conf(), announcer=True)
    try:
        r = d.post("/api/counters/1/open", {}, user="anna")
        assert r.status_code in (200, 201), r.text
        press(d, "headset-jack", level=1)
        (welcome,) = said(d, 1, "the welcome in the headset")
        assert text(welcome).startswith(FI["guide.welcome"]) and "Yleinen neuvonta" in text(welcome)
        assert welcome["output"] == "headset" and welcome["volume"] == 70
        press(d, "speech-down")
        second = said(d, 2, "the second service")[1]
        assert text(second).startswith("Rakennusluvat")
        press(d, "speech-select")
        chosen = said(d, 3, "the service chosen")[2]
        assert text(chosen) == FI["guide.chosen"].replace("{name}", "Rakennusluvat")
        ticket = said(d, 4, "the ticket")[3]
        t = wait_for(lambda: [x for x in d.get("/api/queue", user="anna").json()["tickets"]
                              if x["service"] == "permits"], what="the printed ticket")[0]
        assert os.path.exists(os.path.join(d.tickets, "ticket-1.bin"))
        assert spoken_code(t["code"]) in text(ticket) and "Rakennusluvat" in text(ticket)
        assert FI["guide.ticket_keys"] in text(ticket)
        press(d, "speech-repeat")
        again = said(d, 5, "the ticket again")[4]
        assert text(again) == text(ticket)
        # A call meanwhile is still announced in the room.
        r = d.post("/api/counters/1/call", {}, user="anna")
        assert r.status_code == 200, r.text
        press(d, "speech-language")
        sv = said(d, 6, "Swedish")[5]
        assert text(sv) == SV["guide.language"]
        press(d, "speech-volume")
        loud = said(d, 7, "the volume")[6]
        assert loud["volume"] == 100 and text(loud) == SV["guide.volume"] \
            .replace("{level}", "3").replace("{max}", "3")
        # Pulled while the ticket is being said again: cut short, nothing more.
        press(d, "speech-repeat")
        cut = said(d, 8, "the ticket a third time")[7]
        assert text(cut) == text(ticket)
        press(d, "headset-jack", level=0)
        items = wait_for(lambda: (lambda g: g if all(x["state"] in ("played", "dropped")
                                                     for x in g) else None)(guide_items(d)),
                         30, "the guidance to stop")
        cut = items[7]
        assert cut["reason"] == "headset pulled", cut
        assert (cut["ended_us"] - cut["started_us"]) / 1e6 < cut["audio_s"] - 1.0, cut
        for x in items:
            # played (a key cuts the prompt playing: "replaced"), none dropped
            assert x["state"] == "played" and x["reason"] in (None, "replaced", "headset pulled"), \
                [(y["id"], y["state"], y["reason"], text(y)[:30]) for y in items]
        calls = [a for a in d.get("/api/announcer", user="tech").json()["recent"]
                 if a["kind"] == "call"]
        assert calls and wait_for(lambda: os.path.exists(
            os.path.join(d.audio, "announce-%d.wav" % calls[0]["id"])), 20, "the call's wav")
        # Everything of the guidance went to the headset, none to the room.
        played = [x for x in items if x["state"] == "played"]
        assert all(x["output"] == "headset" for x in items)
        assert wavs(d.audio) == []
        assert wavs(d.headset) == sorted("guide-%d.wav" % x["id"] for x in played)
        for x in played:
            if x["reason"]:
                continue  # cut short: its recording may end anywhere
            secs, level = rms_of(os.path.join(d.headset, "guide-%d.wav" % x["id"]))
            assert secs > 0.3 and level > 300, (x, secs, level)
        # In again: a fresh start, at the default volume, in the main language.
        press(d, "headset-jack", level=1)
        fresh = said(d, len(items) + 1, "the welcome again")[-1]
        assert fresh["volume"] == 70 and text(fresh).startswith(FI["guide.welcome"])
    finally:
        assert d.stop() == 0


def test_without_a_headset_the_speech_key_guides_aloud_until_idle(workdir):
    d = make_daemon(workdir, conf(idle_s=10), announcer=True)
    try:
        press(d, "speech-key")
        (welcome,) = said(d, 1, "the welcome aloud")
        assert welcome["output"] == "room" and text(welcome).startswith(FI["guide.welcome"])
        press(d, "speech-volume")
        loud = said(d, 2, "the volume")[1]
        assert loud["volume"] == 100 and loud["output"] == "room"
        pressed = time.monotonic()  # the idle timer starts when the key is taken
        press(d, "speech-down")
        down = said(d, 3, "the second service")[2]
        assert text(down).startswith("Rakennusluvat")
        # No key for guide-idle-seconds (10): stopped.  The next key starts
        # afresh (the welcome, the first service) at the default volume.  The
        # timeout itself is what is tested: waited out, with GLib's second
        # timers' slack.
        time.sleep(max(0.0, pressed + 10 + 2.5 - time.monotonic()))
        press(d, "speech-down")
        fresh = said(d, 4, "a fresh start")[3]
        assert text(fresh).startswith(FI["guide.welcome"]) and fresh["volume"] == 70
        assert wavs(d.headset) == []
    finally:
        assert d.stop() == 0


def test_a_stop_does_not_wait_for_a_long_prompt(workdir):
    """SIGTERM while the guidance says a long ticket: the prompt is cut and
    vuorod exits at once (it used to wait for the clip, 15–20 s, and
    make bench's 10 s stop timed out)."""
    d = make_daemon(workdir, conf(), announcer=True)
    press(d, "tax")
    said(d, 2, "the ticket being said", ("playing",))
    t0 = time.monotonic()
    assert d.stop() == 0
    assert time.monotonic() - t0 < 5, "vuorod took %.1f s to stop" % (time.monotonic() - t0)
