# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures: a real vuorod on a free loopback port with a fresh database.

Run with Debian's /usr/bin/python3 (requests, websocket-client, pytest).
VUOROD / VUOROCTL name the binaries (tests/run sets them)."""
import os
import re
import select
import shutil
import signal
import subprocess
import tempfile
import time

import pytest
import requests

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
VUOROD = os.path.abspath(os.environ.get("VUOROD", os.path.join(ROOT, "build", "vuorod")))
VUOROCTL = os.path.abspath(os.environ.get("VUOROCTL", os.path.join(ROOT, "build", "vuoroctl")))
SIM_CONF = os.path.join(ROOT, "board-config", "sim.conf")
# A sanitized vuorod (ASan or TSan: make test-asan, make test-tsan) is slower
# and its memory figures are the sanitizer's.
ASAN = os.environ.get("VUORO_ASAN") == "1" or os.environ.get("VUORO_TSAN") == "1"
START_TIMEOUT = 30 if ASAN else 10
# Debian's faketime: the test clock (Daemon.set_clock).
LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"

USERS = {
    "admin1": ("admin", "admin-pass-long-1"),
    "anna": ("advisor", "advisor-pass-long-1"),
    "bertil": ("advisor", "advisor-pass-long-2"),
    "tech": ("technician", "tech-pass-long-123"),
    "maija": ("manager", "manager-pass-long-1"),
    "eero": ("expert", "expert-pass-long-1"),
    "rita": ("reception", "reception-pass-long-1"),
}


def wait_for(pred, timeout=5.0, what="condition"):
    """@pred's first true value within @timeout seconds, else an AssertionError."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)


def sim_text(base=SIM_CONF):
    """The sim config without its [identity] group (make run's test card):
    a test that wants an ID-card reader gives its own."""
    text = open(base, encoding="utf-8").read()
    return re.sub(r"^\[identity\][^\[]*", "", text, flags=re.M)


def conf_with(overrides, base=SIM_CONF):
    """The sim config with some keys replaced: {("api", "kiosk-addresses"): "10.9.9.9"}."""
    text = sim_text(base)
    for (group, key), value in overrides.items():
        pattern = re.compile(r"(^\[%s\][^\[]*?)^%s\s*=[^\n]*$" % (re.escape(group), re.escape(key)),
                             re.M | re.S)
        if pattern.search(text):
            text = pattern.sub(lambda m: m.group(1) + "%s = %s" % (key, value), text, count=1)
        elif not re.search(r"^\[%s\]\s*$" % re.escape(group), text, re.M):
            text += "\n[%s]\n%s = %s\n" % (group, key, value)
        else:
            text = re.sub(r"^\[%s\]\s*$" % re.escape(group),
                          lambda m: m.group(0) + "\n%s = %s" % (key, value), text, count=1, flags=re.M)
    return text


def add_user(db, name, role, password):
    subprocess.run([VUOROD, "--db", db, "--add-user", name, "--role", role],
                   input=password + "\n", text=True, check=True, capture_output=True)


class Daemon:
    """One vuorod process; restartable on the same database."""

    def __init__(self, workdir, conf_text=None, announcer=False):
        self.workdir = workdir
        self.db = os.path.join(workdir, "vuoro.db")
        self.conf = os.path.join(workdir, "test.conf")
        text = conf_text if conf_text is not None else sim_text()
        # The sim printer's tickets go to this test's own folder.
        self.tickets = os.path.join(workdir, "tickets")
        text = re.sub(r"^sim-dir\s*=.*$", "sim-dir = " + self.tickets, text, flags=re.M)
        # … and what the loudspeaker would play to its own folder too.
        self.audio = os.path.join(workdir, "audio")
        text = re.sub(r"^wav-dir\s*=.*$", "wav-dir = " + self.audio, text, flags=re.M)
        # The kiosk's headset output (speech guidance) apart from the room's.
        self.headset = os.path.join(workdir, "headset")
        text = re.sub(r"^headset-wav-dir\s*=.*$", "headset-wav-dir = " + self.headset, text,
                      flags=re.M)
        # Spoken calls take seconds each in real time: only the tests of the
        # announcer keep them.
        if not announcer:
            text = re.sub(r"^\[announcer\]\s*$", "[announcer]\nchime = false\nspeak = false", text,
                          count=1, flags=re.M)
        # Display maps are found next to the config.
        maps = os.path.join(workdir, "displays")
        if not os.path.lexists(maps):
            os.symlink(os.path.join(ROOT, "board-config", "displays"), maps)
        with open(self.conf, "w", encoding="utf-8") as f:
            f.write(text)
        self.proc = None
        self.url = None
        self.port = 0
        self.tokens = {}
        self.stderr_path = os.path.join(workdir, "vuorod.stderr")

    def set_clock(self, offset):
        """Run vuorod's wall clock at an offset from the real one (a
        libfaketime offset such as "-1d", "+3h" or "+0"): Debian's
        libfaketime, preloaded, reads the offset file on every call, so a
        running vuorod follows a change at once, and the next start keeps it.
        Monotonic time stays real (GLib's timers)."""
        if not os.path.exists(LIBFAKETIME):
            pytest.skip("needs Debian's faketime (libfaketime): run tools/install-deps")
        path = os.path.join(self.workdir, "faketime")
        with open(path, "w") as f:
            f.write(offset + "\n")
        self.env = dict(os.environ, LD_PRELOAD=LIBFAKETIME, FAKETIME_TIMESTAMP_FILE=path,
                        FAKETIME_NO_CACHE="1", FAKETIME_DONT_FAKE_MONOTONIC="1",
                        ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0")

    def start(self):
        listen = "127.0.0.1:%d" % self.port
        self.stderr = open(self.stderr_path, "a")
        self.proc = subprocess.Popen([VUOROD, "--config", self.conf, "--db", self.db, "--listen", listen],
                                     stdout=subprocess.PIPE, stderr=self.stderr, text=True,
                                     env=getattr(self, "env", None))
        deadline = time.monotonic() + START_TIMEOUT
        line = ""
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if ready:
                line = self.proc.stdout.readline()
                break
            if self.proc.poll() is not None:
                break
        m = re.search(r"(https?)://127\.0\.0\.1:(\d+)/", line)
        if not m:
            self.proc.kill()
            raise RuntimeError("vuorod did not start: %r; stderr: %s" % (line, open(self.stderr_path).read()[-2000:]))
        self.port = int(m.group(2))
        self.url = "%s://127.0.0.1:%d" % (m.group(1), self.port)
        return self

    def kill(self, sig=signal.SIGKILL):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=30)
        if self.proc:
            self.proc.stdout.close()
        self.stderr.close()

    def stop(self):
        self.kill(signal.SIGTERM)
        return self.proc.returncode

    def restart(self):
        self.kill()
        return self.start()

    def login(self, name):
        if name not in self.tokens:
            r = requests.post(self.url + "/api/login", json={"user": name, "password": USERS[name][1]}, timeout=30)
            assert r.status_code == 200, r.text
            self.tokens[name] = r.json()["token"]
        return {"Authorization": "Bearer " + self.tokens[name]}

    def get(self, path, user=None, **kw):
        return requests.get(self.url + path, headers=self.login(user) if user else None, timeout=30, **kw)

    def post(self, path, body=None, user=None, **kw):
        headers = dict(self.login(user)) if user else {}
        headers.update(kw.pop("headers", {}))
        if body is None and "data" not in kw:
            kw["data"] = b""
        return requests.post(self.url + path, json=body, headers=headers, timeout=30, **kw)


def make_daemon(tmp, conf_text=None, users=True, announcer=False, clock=None):
    """A started vuorod; clock, if given, is a libfaketime offset for its
    wall clock (Daemon.set_clock)."""
    d = Daemon(tmp, conf_text, announcer)
    if clock is not None:
        d.set_clock(clock)
    if users:
        for name, (role, password) in USERS.items():
            add_user(d.db, name, role, password)
    return d.start()


@pytest.fixture
def small_fs(workdir):
    """A real small file system (a 3 MiB tmpfs): a full disk on demand."""
    mnt = os.path.join(workdir, "mnt")
    os.mkdir(mnt)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", mnt], capture_output=True)
    if r.returncode != 0:
        pytest.skip("cannot mount a tmpfs here: " + r.stderr.decode())
    yield mnt
    subprocess.run(["umount", "-l", mnt])


@pytest.fixture
def workdir():
    d = tempfile.mkdtemp(prefix="vuoro-test-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def daemon(workdir):
    d = make_daemon(workdir)
    yield d
    rc = d.stop()
    assert rc == 0, "vuorod exited %s on SIGTERM; stderr: %s" % (rc, open(d.stderr_path).read()[-3000:])
    err = open(d.stderr_path).read()
    assert "AddressSanitizer" not in err and "runtime error" not in err, err[-3000:]


@pytest.fixture
def status(daemon):
    return daemon.get("/api/status").json()


def pytest_configure(config):
    config.addinivalue_line("markers", "hub_web(keys): more [web] keys for test_hub_expert's hub")
