# SPDX-License-Identifier: GPL-3.0-or-later
"""A real PostgreSQL 15 cluster for a test (fleet-contract.md, "Test harnesses").

initdb and pg_ctl refuse root: they run as the unprivileged `postgres` user
(runuser -u postgres --) when the test runs as root.  The data directory and
the unix socket live in the test's own directory (chowned to that user); the
server listens on a free TCP port of 127.0.0.1 too.  Trust authentication:
local to this test only.

    pg = Postgres(workdir)      # initdb + start
    pg.dsn                      # libpq conninfo for vuoro-hub
    pg.psql("SELECT 1")         # rows as lists of strings
    pg.restart(); pg.stop(); pg.kill()
"""
import os
import pwd
import shutil
import signal
import subprocess
import time
from ports import free_port

PG_BIN = os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin")
USER = "postgres"



class Postgres:
    def __init__(self, workdir, name="pg", port=None, start=True):
        self.dir = os.path.join(os.path.abspath(workdir), name)
        self.data = os.path.join(self.dir, "data")
        self.sock = os.path.join(self.dir, "sock")
        self.log = os.path.join(self.dir, "server.log")
        self.port = port or free_port()
        os.makedirs(self.sock, exist_ok=True)
        self._as_root = os.geteuid() == 0
        if self._as_root:
            pw = pwd.getpwnam(USER)
            # The user must reach its directory through the test's temp dirs.
            d = self.dir
            while d not in ("/", ""):
                os.chmod(d, os.stat(d).st_mode | 0o711)
                d = os.path.dirname(d)
            for root, dirs, files in os.walk(self.dir):
                os.chown(root, pw.pw_uid, pw.pw_gid)
        self._run([os.path.join(PG_BIN, "initdb"), "-D", self.data, "-U", USER, "-A", "trust",
                   "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
        with open(os.path.join(self.data, "postgresql.auto.conf"), "a") as f:
            f.write("listen_addresses = '127.0.0.1'\nport = %d\n"
                    "unix_socket_directories = '%s'\nfsync = on\n"
                    "max_connections = 50\n" % (self.port, self.sock))
        if start:
            self.start()

    @property
    def dsn(self):
        return "host=%s port=%d user=%s dbname=postgres" % (self.sock, self.port, USER)

    def _cmd(self, argv):
        return (["runuser", "-u", USER, "--"] + argv) if self._as_root else argv

    def _run(self, argv, **kw):
        return subprocess.run(self._cmd(argv), check=True, capture_output=True, text=True, **kw)

    def start(self):
        self._run([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-l", self.log, "-w",
                   "-t", "30", "start"])

    def stop(self, mode="fast"):
        if self.pid():
            self._run([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-m", mode, "-w",
                       "stop"])

    def restart(self):
        self.stop()
        self.start()

    def pid(self):
        try:
            with open(os.path.join(self.data, "postmaster.pid")) as f:
                pid = int(f.readline())
            os.kill(pid, 0)
            return pid
        except (OSError, ValueError):
            return None

    def kill(self):
        """SIGKILL the postmaster (its backends exit when they notice)."""
        pid = self.pid()
        if pid:
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    os.kill(pid, 0)
                except OSError:
                    break
                time.sleep(0.02)

    def psql(self, sql, db="postgres"):
        """Rows of @sql's last statement, each a list of strings (NULL → None)."""
        out = subprocess.run([os.path.join(PG_BIN, "psql"), "-X", "-q", "-A", "-t", "-F", "\x1f",
                              "-v", "ON_ERROR_STOP=1", "-P", "null=\x1e", "-h", self.sock,
                              "-p", str(self.port), "-U", USER, "-d", db, "-c", sql],
                             check=True, capture_output=True, text=True).stdout
        rows = []
        for line in out.split("\n"):
            if line == "":
                continue
            rows.append([None if c == "\x1e" else c for c in line.split("\x1f")])
        return rows

    def scalar(self, sql, db="postgres"):
        rows = self.psql(sql, db)
        return rows[0][0] if rows else None

    def tool(self, name, *args, **kw):
        """Runs a PostgreSQL client program (pg_dump, pg_restore, …) against this server."""
        argv = [os.path.join(PG_BIN, name), "-h", self.sock, "-p", str(self.port), "-U", USER]
        return subprocess.run(argv + list(args), check=True, capture_output=True, **kw)

    def cleanup(self):
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            self.kill()
