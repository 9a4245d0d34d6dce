#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A Modbus RTU slave (pymodbus 3.0, a server written by someone else) that
serves several unit ids on one serial device (a socat pty), for the display
tests and the display bench.

Each unit has holding registers 0..REGS-1 (zero_mode=True: address 0 is
register 0); a write beyond them gets exception 0x02.  Units not listed do
not answer at all (ignore_missing_slaves), like a display that is not there.

After every write the whole datastore is rewritten atomically to --dump as
JSON: {"seq": N, "units": {"1": [r0, r1, …]}, "writes": [[t, unit, addr, n], …]}
where t is time.monotonic() (CLOCK_MONOTONIC, the clock of GLib's
g_get_monotonic_time()) when the request was decoded.  "ready" appears in the
file once the server is listening.

Run with Debian's /usr/bin/python3:
  modbus_slave.py --port /tmp/ptyB --units 1,2 --dump /tmp/slave.json
"""
import argparse
import asyncio
import json
import logging
import os
import time

from pymodbus.datastore import (ModbusSequentialDataBlock, ModbusServerContext,
                                ModbusSlaveContext)
from pymodbus.server import StartAsyncSerialServer
from pymodbus.transaction import ModbusRtuFramer


class Recorder:
    def __init__(self, path, keep_writes):
        self.path = path
        self.keep_writes = keep_writes
        self.seq = 0
        self.writes = []
        self.units = {}

    def dump(self, ready=True):
        if not self.path:
            return
        data = {
            "ready": ready,
            "pid": os.getpid(),
            "seq": self.seq,
            "units": {str(u): ctx.store["h"].values[:] for u, ctx in self.units.items()},
            "writes": self.writes[-self.keep_writes:],
        }
        tmp = self.path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f)
        os.replace(tmp, self.path)


class RecordingContext(ModbusSlaveContext):
    """A slave context that reports each write to the recorder."""

    def __init__(self, unit, recorder, **kwargs):
        super().__init__(**kwargs)
        self.unit = unit
        self.recorder = recorder

    def setValues(self, fc_as_hex, address, values):
        super().setValues(fc_as_hex, address, values)
        self.recorder.seq += 1
        self.recorder.writes.append([time.monotonic(), self.unit, address, len(values)])
        self.recorder.dump()


async def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", required=True, help="serial device (a pty end)")
    ap.add_argument("--units", default="1", help="comma-separated unit ids that answer")
    ap.add_argument("--regs", type=int, default=64, help="holding registers per unit")
    ap.add_argument("--baud", type=int, default=19200)
    ap.add_argument("--dump", help="JSON file rewritten after each write")
    ap.add_argument("--keep-writes", type=int, default=1000)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)

    rec = Recorder(args.dump, args.keep_writes)
    for u in (int(x) for x in args.units.split(",") if x):
        # Block starts at address 0 with zero_mode=True: no off-by-one.
        rec.units[u] = RecordingContext(
            u, rec, hr=ModbusSequentialDataBlock(0, [0] * args.regs), zero_mode=True)
    context = ModbusServerContext(slaves=rec.units, single=False)
    server = await StartAsyncSerialServer(
        context=context, framer=ModbusRtuFramer, port=args.port, baudrate=args.baud,
        ignore_missing_slaves=True, defer_start=True)
    await server.start()
    rec.dump(ready=True)
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
