# SPDX-License-Identifier: GPL-3.0-or-later
"""Buttons, keypads, door input and lamps on the sim GPIO chip (sim.conf).

The sim chip's hardware side is POST /api/gpio/sim; the libgpiod backend
itself is tested against the kernel's gpio-sim in qemu (tests/qemu).
"""
import time

import pytest

from conftest import wait_for


def press(d, name, **kw):
    body = {"name": name}
    body.update(kw)
    r = d.post("/api/gpio/sim", body, user="tech")
    assert r.status_code == 202, r.text


def barrier(d, name, service):
    """Presses @name (an issue:@service button) and waits for its ticket: the
    GPIO events are handled in order on vuorod's one loop, so every earlier
    press has been handled too.  What they did, or did not do, is then
    final — no sleep needed to see that nothing happened."""
    def waiting():
        return len([t for t in queue(d) if t["service"] == service and t["state"] == "waiting"])
    before = waiting()
    press(d, name)
    wait_for(lambda: waiting() > before, what="the %s button's ticket" % name)


def line(d, name):
    return next(x for x in d.get("/api/gpio", user="tech").json()["lines"] if x["name"] == name)


def queue(d):
    return d.get("/api/queue", user="anna").json()["tickets"]


def test_service_button_prints_a_callable_ticket(daemon):
    press(daemon, "tax")
    t = wait_for(lambda: [x for x in queue(daemon) if x["state"] == "waiting"], what="a ticket")[0]
    assert t["service"] == "tax" and t["code"].startswith("V")
    import os
    assert os.path.exists(os.path.join(daemon.tickets, "ticket-1.bin"))


def test_hammering_a_button_gives_one_ticket(daemon):
    for _ in range(6):  # each outside the 30 ms debounce window, inside the cooldown
        press(daemon, "guide", hold_ms=5)
        time.sleep(0.06)
    wait_for(lambda: line(daemon, "guide")["ignored"] >= 1, what="ignored presses")
    barrier(daemon, "tax", "tax")
    assert len([t for t in queue(daemon) if t["service"] == "guide"]) == 1
    st = line(daemon, "guide")
    assert st["presses"] == 1 and st["ignored"] >= 3


def test_bounces_are_one_press(daemon):
    # level 1 pressed, then contact bounce within the debounce window.
    for level in (1, 0, 1, 0, 1):
        press(daemon, "kela", level=level)
    wait_for(lambda: queue(daemon), what="a ticket")
    press(daemon, "kela", level=0)
    barrier(daemon, "tax", "tax")
    assert len([t for t in queue(daemon) if t["service"] == "kela"]) == 1
    assert line(daemon, "kela")["presses"] == 1


def test_keypad_calls_next_on_an_open_counter_only(daemon):
    press(daemon, "guide")
    wait_for(lambda: queue(daemon), what="a ticket")
    press(daemon, "c1-next")
    barrier(daemon, "tax", "tax")
    assert all(t["state"] == "waiting" for t in queue(daemon))  # counter 1 is closed
    assert line(daemon, "counter1-open")["value"] == 0
    r = daemon.post("/api/counters/1/open", {}, user="anna")
    assert r.status_code == 200, r.text
    wait_for(lambda: line(daemon, "counter1-open")["value"] == 1, what="the open lamp")
    time.sleep(1.1)  # past c1-next's cooldown
    press(daemon, "c1-next")
    c = wait_for(lambda: next(c for c in daemon.get("/api/status", user="anna").json()["counters"]
                             if c["id"] == 1)["ticket"], what="a call")
    assert c["state"] == "called"
    press(daemon, "c1-end")
    wait_for(lambda: next(c for c in daemon.get("/api/status", user="anna").json()["counters"]
                          if c["id"] == 1)["ticket"] is None, what="the end")


def test_booth_lamp_follows_the_door(daemon):
    assert line(daemon, "booth-busy")["value"] == 0
    press(daemon, "booth-door", level=1)
    wait_for(lambda: line(daemon, "booth-busy")["value"] == 1, what="booth busy")
    press(daemon, "booth-door", level=0)
    wait_for(lambda: line(daemon, "booth-busy")["value"] == 0, what="booth free")


def test_printer_fault_voids_the_button_ticket_and_lights_the_lamp(daemon):
    daemon.post("/api/printer/sim", {"paper_end": True}, user="tech")
    press(daemon, "permits")
    wait_for(lambda: line(daemon, "printer-fault")["value"] == 1, what="fault lamp")
    wait_for(lambda: daemon.get("/api/printer", user="tech").json()["failed"] >= 1,
             what="the failed print")
    assert queue(daemon) == []  # voided: nobody holds that number
    daemon.post("/api/printer/sim", {}, user="tech")
    wait_for(lambda: line(daemon, "printer-fault")["value"] == 0, what="fault lamp off")


def test_gpio_errors_are_clear(daemon):
    r = daemon.post("/api/gpio/sim", {"name": "nope"}, user="tech")
    assert r.status_code == 404 and "GET /api/gpio" in r.json()["message"]
    r = daemon.post("/api/gpio/sim", {"name": "booth-busy"}, user="tech")
    assert r.status_code == 409 and "lamp" in r.json()["message"]
    assert daemon.post("/api/gpio/sim", {"name": "tax"}, user="anna").status_code == 403
    h = daemon.get("/api/health", user="tech").json()
    assert h["gpio"] == {"ok": True, "message": None}
