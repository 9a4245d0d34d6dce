# SPDX-License-Identifier: GPL-3.0-or-later
"""Display maps as vendors make them (issue 21): the maps shipped in
board-config/displays/ for the LED-485 module, the DM36B06 digit tubes and
EmbeddedArt's control card, written through build/vuoro-displaytest (the
firmware's display_bus, as vuorod uses it) to register-level emulators of
those displays (tests/integration/display_emulator.py, written from each
manual's register table).  An emulator refuses what the real display would;
any refused request fails the test."""
import os

import pytest

from test_display import Slave, Tool, Wire, ascii_regs, field, wait_for

EMULATOR = os.path.join(os.path.dirname(__file__), "display_emulator.py")


class Emulator(Slave):
    """display_emulator.py for one family, as test_display's Slave runs
    modbus_slave.py."""

    def __init__(self, workdir, port, family, units=(1,)):
        self.family = family
        super().__init__(workdir, port, list(units), family)

    def command(self):
        return ["/usr/bin/python3", EMULATOR, "--family", self.family, "--port", self.port,
                "--units", ",".join(str(u) for u in self.units), "--dump", self.dump]

    def regs(self, addr, n, unit=1):
        have = self.state().get("regs", {}).get(str(unit), {})
        return [have.get(str(a)) for a in range(addr, addr + n)]

    def wait_regs(self, addr, expected, unit=1, timeout=5):
        wait_for(lambda: self.regs(addr, len(expected), unit) == expected, timeout,
                 "registers %d.. = %r (have %r)" % (addr, expected, self.regs(addr, len(expected), unit)))

    def writes(self, addr=None, fc=None):
        return [w for w in self.state().get("writes", [])
                if (addr is None or w[3] <= addr < w[3] + w[4]) and (fc is None or w[2] == fc)]

    def refused(self):
        return self.state().get("refused", [])


@pytest.fixture
def bench(tmp_path):
    made = []

    def make(family, *tool_args):
        wire = Wire(str(tmp_path), family)
        made.append(wire)
        emu = Emulator(str(tmp_path), wire.b, family)
        made.append(emu)
        tool = Tool(wire.a, "--map", family, *tool_args)
        made.append(tool)
        return emu, tool

    yield make
    for thing in reversed(made):
        thing.close() if isinstance(thing, Tool) else thing.stop()


SEG = {"R": 0x50, "0": 0x3F, "1": 0x06, "A": 0x77, "2": 0x5B}


def seg_regs(text):
    return [(SEG[text[i]] << 8) | SEG[text[i + 1]] for i in range(0, len(text), 2)]


def test_led485_text_segments_and_brightness_each_in_its_own_write(bench):
    emu, tool = bench("led485", "--timeout-ms", "300", "--probe-ms", "200", "--tries", "2")
    # What went wrong before: one FC16 from the brightness across the gap to
    # the segments.  The module refuses it, as its manual says it would.
    tool.send("write 1 36 " + " ".join(["0"] * 82), "sync")
    line = tool.result(1)
    assert field(line, "error") == "EPROTO" and field(line, "exception") == "2", line
    assert len(emu.refused()) == 1
    # A call: three blocks, each its own write; nothing refused.
    tool.send("show 1 R001 3", "sync")
    assert tool.result(1).startswith("OK")
    emu.wait_regs(0x70, ascii_regs("R001       3", 12))
    emu.wait_regs(0x80, seg_regs("R001"))
    emu.wait_regs(0x24, [10])
    assert len(emu.refused()) == 1, emu.refused()
    # The brightness went once, not with every call.
    tool.send("show 1 A012 2", "sync")
    assert tool.result(1).startswith("OK")
    emu.wait_regs(0x70, ascii_regs("A012       2", 12))
    assert len(emu.writes(0x24)) == 1, emu.writes()
    # Powered off and on again: the module has lost its settings; once it
    # answers again the worker writes the brightness and the last call back.
    emu.kill()
    tool.send("show 1 A020 2", "sync")
    assert tool.result(1).startswith("ERROR")
    tool.expect(lambda l: l.startswith("STATE") and "state=failed" in l, what="failed")
    emu.start()
    tool.expect(lambda l: l.startswith("STATE") and "state=ok" in l, timeout=10, what="back")
    emu.wait_regs(0x24, [10])
    emu.wait_regs(0x70, ascii_regs("A020       2", 12))
    assert emu.refused() == [], emu.refused()


def test_led485_blinks_by_writes_without_a_blink_register(bench):
    emu, tool = bench("led485", "--blink-ms", "2600")
    tool.send("show 1 R001 3", "sync")
    assert tool.result(1).startswith("OK")
    on, off = ascii_regs("R001       3", 12), ascii_regs("", 12)
    # Off and on every 500 ms for 2.6 s, ending with the call shown.
    texts = lambda: [w[5] for w in emu.writes(0x70)]  # noqa: E731
    wait_for(lambda: len(texts()) >= 5, 8, "the blink's writes")
    assert texts() == [on, off, on, off, on], texts()
    assert emu.regs(0x70, 6) == on and emu.refused() == []


def test_dm36_one_ascii_character_a_register(bench):
    emu, tool = bench("dm36")
    tool.send("show 1 A12 4", "sync")
    assert tool.result(1).startswith("OK")
    emu.wait_regs(0, [ord(c) for c in "A12   "])
    assert emu.refused() == [] and emu.regs(6, 2) == [0, 0]  # the number registers untouched


def test_eacard_settings_by_fc06_text_by_fc16_with_a_quiet_gap(bench):
    emu, tool = bench("eacard", "--frame-delay-ms", "60")
    tool.send("show 1 A1 2", "sync")
    assert tool.result(1).startswith("OK")
    tool.send("show 1 B2 3", "sync")
    assert tool.result(1).startswith("OK")
    emu.wait_regs(1000, ascii_regs("B2             3", 16))
    emu.wait_regs(2000, ascii_regs("A1             2", 16))
    emu.wait_regs(35, [0, 8])
    assert emu.refused() == [], emu.refused()
    assert [w[2] for w in emu.writes(35)] == [6] and [w[2] for w in emu.writes(36)] == [6]
    assert {w[2] for w in emu.writes(1000)} == {16}
    # --frame-delay-ms: the requests come at least 60 ms apart.
    t = [w[0] for w in emu.writes()]
    gaps = [b - a for a, b in zip(t, t[1:])]
    assert len(t) == 6 and min(gaps) >= 0.055, gaps
