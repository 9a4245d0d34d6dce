# SPDX-License-Identifier: GPL-3.0-or-later
"""Number displays over Modbus RTU against a real peer: pymodbus 3.0 slaves
(tests/integration/modbus_slave.py) on socat pty pairs, driven through
build/vuoro-displaytest, which uses firmware/display_bus like vuorod.

Run with Debian's /usr/bin/python3.  BUILD_DIR names the build (tests/run
sets it).  Every wait is on an event (a line from the tool, a change of the
slave's datastore file) with a deadline, never a fixed sleep."""
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time

import pytest

import conftest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.abspath(os.environ.get("BUILD_DIR", os.path.join(ROOT, "build")))
TOOL = os.path.join(BUILD, "vuoro-displaytest")
SLAVE = os.path.join(os.path.dirname(__file__), "modbus_slave.py")
SLOW = 3 if conftest.ASAN else 1


def wait_for(pred, timeout, what):
    return conftest.wait_for(pred, timeout * SLOW, what)


def ascii_regs(text, chars):
    text = text.ljust(chars)
    return [(ord(text[i]) << 8) | ord(text[i + 1]) for i in range(0, chars, 2)]


class Wire:
    """A socat pty pair: the tool opens .master_end, the slave .slave_end."""

    def __init__(self, workdir, name):
        self.a = os.path.join(workdir, name + "-A")
        self.b = os.path.join(workdir, name + "-B")
        self.proc = None
        self.start()

    def start(self):
        for p in (self.a, self.b):
            if os.path.lexists(p):
                os.unlink(p)
        self.proc = subprocess.Popen(
            ["socat", "-d", "-d", "pty,raw,echo=0,link=" + self.a, "pty,raw,echo=0,link=" + self.b],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: os.path.exists(self.a) and os.path.exists(self.b), 5, "socat ptys")

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(5)


class Slave:
    def __init__(self, workdir, port, units, name="slave"):
        self.port = port
        self.units = units
        self.dump = os.path.join(workdir, name + ".json")
        self.proc = None
        self.start()

    def command(self):
        return ["/usr/bin/python3", SLAVE, "--port", self.port, "--units",
                ",".join(str(u) for u in self.units), "--dump", self.dump]

    def start(self):
        if os.path.exists(self.dump):
            os.unlink(self.dump)
        self.proc = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_for(lambda: self.state().get("ready"), 15, "pymodbus slave to listen")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(5)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def state(self):
        try:
            with open(self.dump, encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def regs(self, unit, addr, n):
        return self.state().get("units", {}).get(str(unit), [])[addr:addr + n]

    def wait_regs(self, unit, addr, expected, timeout=5):
        wait_for(lambda: self.regs(unit, addr, len(expected)) == expected, timeout,
                 "unit %d registers %d.. = %r (have %r)" % (unit, addr, expected,
                                                           self.regs(unit, addr, len(expected))))


class Tool:
    """vuoro-displaytest in script mode: commands in, result lines out."""

    def __init__(self, device, *args):
        self.proc = subprocess.Popen(
            [TOOL, "--device", device, "--baud", "19200", "--maps-dir",
             os.path.join(ROOT, "board-config", "displays"), *args, "script"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            bufsize=1)
        self.lines = []
        self.buf = ""

    def send(self, *lines):
        self.proc.stdin.write("".join(l + "\n" for l in lines))
        self.proc.stdin.flush()

    def expect(self, pred, timeout=5, what="a line"):
        """The first unread line matching pred; earlier lines stay readable."""
        deadline = time.monotonic() + timeout * SLOW
        while True:
            for i, line in enumerate(self.lines):
                if pred(line):
                    del self.lines[i]
                    return line
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("timed out waiting for %s; got %r" % (what, self.lines))
            # Raw reads: a buffered readline() would hide lines from select().
            r, _, _ = select.select([self.proc.stdout], [], [], left)
            if r:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    raise AssertionError("tool exited: %s" % self.proc.stderr.read())
                self.buf += chunk.decode()
                *done, self.buf = self.buf.split("\n")
                self.lines.extend(done)

    def result(self, unit, timeout=5):
        return self.expect(lambda l: l.split()[0] in ("OK", "ERROR") and " unit=%d " % unit in l + " ",
                           timeout, "a result for unit %d" % unit)

    def close(self):
        if self.proc.poll() is None:
            try:
                self.send("quit")
                self.proc.stdin.close()
                self.proc.wait(10)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def field(line, name):
    for part in line.split():
        if part.startswith(name + "="):
            return part[len(name) + 1:]
    return None


@pytest.fixture
def rig(tmp_path):
    if not shutil.which("socat"):
        pytest.fail("socat is missing: run tools/install-deps")
    assert os.access(TOOL, os.X_OK), "build %s first" % TOOL
    made = []

    class Rig:
        def wire(self, name="bus"):
            w = Wire(str(tmp_path), name)
            made.append(w)
            return w

        def slave(self, wire, units, name="slave"):
            s = Slave(str(tmp_path), wire.b, units, name)
            made.append(s)
            return s

        def tool(self, wire, *args):
            t = Tool(wire.a, *args)
            made.append(t)
            return t

    yield Rig()
    for thing in reversed(made):
        if isinstance(thing, Tool):
            thing.close()
        else:
            thing.stop()


def counter_regs(ticket, number_bcd, counter, blink, brightness=12):
    return ascii_regs(ticket, 6) + [number_bcd, counter, blink, brightness]


def test_writes_land_in_the_datastore(rig):
    wire = rig.wire()
    slave = rig.slave(wire, [1, 2])
    tool = rig.tool(wire, "--map", "2=main", "--blink-ms", "400")
    tool.send("show 1 A123 4", "show 2 B007 12", "sync")
    assert tool.result(1).startswith("OK")
    assert tool.result(2).startswith("OK")
    # counter map: "A123  " ASCII, 0x0123 BCD, counter 4, blink 1, brightness 12
    slave.wait_regs(1, 0, counter_regs("A123", 0x0123, 4, 1))
    tool.send("show 2 A124 3", "sync")
    assert tool.result(2).startswith("OK")
    # main map at base 16: latest call on the top line, the earlier one below
    slave.wait_regs(2, 16, ascii_regs("A124           3", 16) + ascii_regs("B007          12", 16)
                    + ascii_regs("", 32) + [1, 15])
    # the worker clears the blink register (FC06) after --blink-ms
    slave.wait_regs(1, 5, [0], timeout=5)
    slave.wait_regs(2, 48, [0], timeout=5)
    assert slave.regs(1, 0, 5) == counter_regs("A123", 0x0123, 4, 0)[:5]
    tool.send("expect 1 0 0x4131 0x3233 0x2020 0x0123 4 0 12", "sync")
    assert tool.expect(lambda l: l.startswith(("MATCH", "MISMATCH"))).startswith("MATCH")


def test_exception_reply_is_eproto(rig):
    wire = rig.wire()
    rig.slave(wire, [1])
    tool = rig.tool(wire, "--timeout-ms", "300")
    tool.send("write 1 300 1 2", "sync")
    line = tool.result(1)
    assert line.startswith("ERROR")
    assert field(line, "error") == "EPROTO"
    assert field(line, "exception") == "2"
    assert field(line, "tries") == "1"  # illegal address: asking again cannot help
    assert "illegal data address" in line and "check its map" in line


def test_missing_slave_times_out_and_does_not_delay_others(rig):
    wire = rig.wire()
    slave = rig.slave(wire, [1])
    tool = rig.tool(wire, "--timeout-ms", "200", "--probe-ms", "60000")
    t0 = time.monotonic()
    tool.send("show 9 C1 1", "show 1 A1 2")
    ok = tool.result(1)
    assert ok.startswith("OK")
    # Unit 1 waits for at most the one timeout already on the wire, not for
    # unit 9's retries (3 tries × 200 ms + back-off).
    assert float(field(ok, "ms")) < 200 + 150 * SLOW, ok
    slave.wait_regs(1, 0, counter_regs("A1", 0x0001, 2, 1))
    err = tool.result(9)
    assert field(err, "error") == "ETIMEDOUT" and field(err, "tries") == "3"
    assert "display 9 (unit 9 on" in err and "no answer within 200 ms" in err
    assert "check wiring" in err
    state = tool.expect(lambda l: l.startswith("STATE") and "unit=9" in l and "state=failed" in l)
    assert "no answer" in state
    # Marked failed: skipped at once; unit 1 is served without waiting.
    tool.send("show 9 C2 1", "show 1 A2 2", "sync", "status 9")
    skipped = tool.result(9)
    assert field(skipped, "skipped") == "1" and float(field(skipped, "ms")) < 50 * SLOW
    ok = tool.result(1)
    assert ok.startswith("OK") and float(field(ok, "ms")) < 100 * SLOW, ok
    assert "state=failed" in tool.expect(lambda l: l.startswith("STATUS"))
    slave.wait_regs(1, 0, counter_regs("A2", 0x0002, 2, 1))
    assert time.monotonic() - t0 < 5 * SLOW


def test_slave_restart_recovers(rig):
    wire = rig.wire()
    slave = rig.slave(wire, [1])
    tool = rig.tool(wire, "--timeout-ms", "200", "--probe-ms", "200", "--tries", "2")
    tool.send("show 1 A1 1", "sync")
    assert tool.result(1).startswith("OK")
    slave.kill()
    tool.send("show 1 A2 1", "sync")
    err = tool.result(1)
    assert err.startswith("ERROR") and field(err, "error") in ("ETIMEDOUT", "EIO"), err
    tool.expect(lambda l: l.startswith("STATE") and "state=failed" in l)
    if not wire.alive():  # socat may go with its peer; a new pty then
        wire.start()
    slave.start()
    tool.send("show 1 A3 3", "sync")
    # skipped while failed, but kept: the next probe writes it
    tool.result(1)
    tool.expect(lambda l: l.startswith("STATE") and "state=ok" in l, timeout=10,
                what="the display to answer again")
    slave.wait_regs(1, 0, counter_regs("A3", 0x0003, 3, 1)[:5])
    tool.send("show 1 A4 4", "sync")
    assert tool.result(1).startswith("OK")
    slave.wait_regs(1, 0, counter_regs("A4", 0x0004, 4, 1))
    assert tool.close() == 1  # some writes failed on the way: exit status says so


def test_tool_help_and_usage():
    out = subprocess.run([TOOL, "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "scan" in out.stdout and "FC16" in out.stdout
    out = subprocess.run([TOOL, "show", "1", "A1", "1"], capture_output=True, text=True)
    assert out.returncode == 2 and "--device" in out.stderr
