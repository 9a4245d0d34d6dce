#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Register-level emulators of vendors' Modbus RTU number displays, each
written from the register table of its manual alone (not from vuoro's maps),
served by pymodbus 3.0 on a serial device (a socat pty), for the display
map tests.

An emulated unit has only the registers its manual lists.  Like the real
modules it refuses, with exception 0x02 (illegal data address), a read or
write that touches a register it does not have, an FC16 write to registers
its manual says take FC06 only, and an FC06 write to registers it says take
FC16 only.  Every request that changed registers, and every one refused, is
recorded; after each one the state is rewritten atomically to --dump as JSON:
  {"ready": true, "family": NAME,
   "regs": {"UNIT": {"ADDR": value, …}},
   "writes": [[t, unit, fc, addr, n, [values]], …], "refused": [[t, unit, fc, addr, n], …]}
with t = time.monotonic() when the request was decoded.

Run with Debian's /usr/bin/python3:
  display_emulator.py --family led485 --port /tmp/ptyB --units 1 --dump /tmp/e.json
"""
import argparse
import asyncio
import json
import logging
import os
import time

from pymodbus.datastore import ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartAsyncSerialServer
from pymodbus.transaction import ModbusRtuFramer

# Each family: its manual, and its holding registers as (first, last, writes)
# where writes is "any" (FC06 or FC16), "fc06" or "fc16".
FAMILIES = {
    # Issue 21's "LED-485" module: brightness at 0x0024, its 12-character
    # text at 0x0070–0x0075, raw 7-segment masks at 0x0080 (12 digits, two
    # a register: 0x0080–0x0085), no blink register.
    "led485": [(0x0024, 0x0024, "any"), (0x0070, 0x0075, "any"), (0x0080, 0x0085, "any")],
    # DM36B06 6-digit tube display (lamaplc.com register table): 0–5 one
    # ASCII code a digit tube, 6–7 the number to display; FC06 or FC16.
    "dm36": [(0, 5, "any"), (6, 7, "any")],
    # EmbeddedArt LED display control card (its online manual): 29–44
    # settings, "use function 06"; line 1 from 1000 and line 2 from 2000,
    # "use function 16" (the manual gives no length: 16 registers here).
    "eacard": [(29, 44, "fc06"), (1000, 1015, "fc16"), (2000, 2015, "fc16")],
}


class Recorder:
    def __init__(self, path, family):
        self.path = path
        self.family = family
        self.units = {}
        self.writes = []
        self.refused = []

    def dump(self):
        data = {"ready": True, "pid": os.getpid(), "family": self.family,
                "regs": {str(u): {str(a): v for a, v in ctx.regs.items()} for u, ctx in self.units.items()},
                "writes": self.writes[-2000:], "refused": self.refused[-2000:]}
        tmp = self.path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f)
        os.replace(tmp, self.path)


class UnitContext(ModbusSlaveContext):
    """One unit of the family: the manual's registers, nothing else."""

    def __init__(self, unit, table, recorder):
        super().__init__(zero_mode=True)
        self.unit = unit
        self.recorder = recorder
        self.regs = {}
        self.access = {}
        for first, last, writes in table:
            for a in range(first, last + 1):
                self.regs[a] = 0
                self.access[a] = writes

    def validate(self, fc_as_hex, address, count=1):
        span = range(address, address + count)
        ok = all(a in self.regs for a in span)
        if ok and fc_as_hex == 16:
            ok = all(self.access[a] != "fc06" for a in span)
        if ok and fc_as_hex == 6:
            ok = all(self.access[a] != "fc16" for a in span)
        if not ok:
            self.recorder.refused.append([time.monotonic(), self.unit, fc_as_hex, address, count])
            self.recorder.dump()
        return ok

    def getValues(self, fc_as_hex, address, count=1):
        return [self.regs[a] for a in range(address, address + count)]

    def setValues(self, fc_as_hex, address, values):
        for i, v in enumerate(values):
            self.regs[address + i] = v
        self.recorder.writes.append([time.monotonic(), self.unit, fc_as_hex, address, len(values),
                                     list(values)])
        self.recorder.dump()


async def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--family", required=True, choices=sorted(FAMILIES))
    ap.add_argument("--port", required=True, help="serial device (a pty end)")
    ap.add_argument("--units", default="1", help="comma-separated unit ids that answer")
    ap.add_argument("--baud", type=int, default=19200)
    ap.add_argument("--dump", required=True, help="JSON file rewritten after each request")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)

    rec = Recorder(args.dump, args.family)
    for u in (int(x) for x in args.units.split(",") if x):
        rec.units[u] = UnitContext(u, FAMILIES[args.family], rec)
    context = ModbusServerContext(slaves=rec.units, single=False)
    server = await StartAsyncSerialServer(
        context=context, framer=ModbusRtuFramer, port=args.port, baudrate=args.baud,
        ignore_missing_slaves=True, defer_start=True)
    await server.start()
    rec.dump()
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
