#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A byte-pacing relay between two serial devices (pty ends): each byte is
passed on one character time after the previous one in that direction
(10 bits at --baud: 1/1920 s at 19200 8N1), so a pty behaves like a real
wire.  Deadlines are absolute (t_k = t_{k-1} + 10/baud), so the scheduler's
wake-up jitter does not add up over a frame.

  bench-display-relay.py --baud 19200 DEVICE_A DEVICE_B
"""
import argparse
import os
import select
import termios
import time
import tty


def open_raw(path):
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    tty.setraw(fd)
    attrs = termios.tcgetattr(fd)
    attrs[3] &= ~termios.ECHO
    termios.tcsetattr(fd, termios.TCSANOW, attrs)
    return fd


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--baud", type=int, default=19200)
    ap.add_argument("a")
    ap.add_argument("b")
    args = ap.parse_args()
    char_time = 10.0 / args.baud
    fds = [open_raw(args.a), open_raw(args.b)]
    # per direction: list of (deadline, byte) and the time the line is free
    queues = [[], []]
    free_at = [0.0, 0.0]
    while True:
        now = time.monotonic()
        timeout = None
        for d in (0, 1):
            q = queues[d]
            n = 0
            while n < len(q) and q[n][0] <= now:
                n += 1
            if n:
                os.write(fds[1 - d], bytes(b for _, b in q[:n]))
                del q[:n]
            if q:
                wait = q[0][0] - now
                timeout = wait if timeout is None else min(timeout, wait)
        r, _, _ = select.select(fds, [], [], timeout)
        now = time.monotonic()
        for d, fd in enumerate(fds):
            if fd in r:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    data = b""
                for byte in data:
                    free_at[d] = max(free_at[d], now) + char_time
                    queues[d].append((free_at[d], byte))


if __name__ == "__main__":
    main()
