# SPDX-License-Identifier: GPL-3.0-or-later
"""A sim-board vuorod for the bench scripts that drive one over HTTP.

  config(work, keys, drop)   sim.conf with its keys set (e.g. sim-dir to a
                             folder of work) and lines dropped, written as
                             work/bench.conf beside a link to the display maps
  start(...)                 vuorod on it, on a free loopback port: (proc, url)
  wait(pred, timeout, what)  pred's first true value, polled every 20 ms
"""
import os
import re
import select
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def config(work, keys, drop=()):
    """keys: {name: value}, each an existing line of sim.conf; drop: regexes of
    whole lines to remove."""
    with open(os.path.join(ROOT, "board-config", "sim.conf"), encoding="utf-8") as f:
        text = f.read()
    for pattern in drop:
        text = re.sub(r"^%s.*\n" % pattern, "", text, flags=re.M)
    for key, value in keys.items():
        text, n = re.subn(r"^%s\s*=.*$" % re.escape(key), "%s = %s" % (key, value), text,
                          flags=re.M)
        if n == 0:
            sys.exit("benchsite: sim.conf has no %s line to set" % key)
    path = os.path.join(work, "bench.conf")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    os.symlink(os.path.join(ROOT, "board-config", "displays"), os.path.join(work, "displays"))
    return path


def start(vuorod, conf, db, stderr, who):
    """Waits for the line naming vuorod's address; who names the script in errors."""
    proc = subprocess.Popen([vuorod, "--config", conf, "--db", db, "--listen", "127.0.0.1:0"],
                            stdout=subprocess.PIPE, stderr=stderr, text=True)
    ready, _, _ = select.select([proc.stdout], [], [], 30)
    line = proc.stdout.readline() if ready else ""
    m = re.search(r"http://127\.0\.0\.1:\d+", line)
    if not m:
        proc.kill()
        sys.exit("%s: vuorod did not start: %r" % (who, line))
    return proc, m.group(0)


def wait(pred, timeout, what, who):
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        v = pred()
        if v:
            return v
        time.sleep(0.02)
    sys.exit("%s: timed out waiting for %s" % (who, what))
