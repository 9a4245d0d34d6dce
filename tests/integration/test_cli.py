# SPDX-License-Identifier: GPL-3.0-or-later
"""The command lines scripts rely on: vuorod's and vuoroctl's."""
import glob
import json
import os
import sqlite3
import subprocess

from conftest import ROOT, VUOROCTL, VUOROD, USERS


def ctl(daemon, *args, stdin=None, env_extra=None, home=None):
    env = dict(os.environ)
    env["VUORO_URL"] = daemon.url if daemon else "http://127.0.0.1:9"
    env["XDG_CONFIG_HOME"] = home or os.path.join(daemon.workdir, "xdg")
    env.pop("VUORO_TOKEN", None)
    env.pop("VUORO_COUNTER", None)
    env.update(env_extra or {})
    return subprocess.run([VUOROCTL] + list(args), input=stdin, text=True, capture_output=True, env=env, timeout=60)


def test_check_config_good_and_bad():
    for conf in glob.glob(os.path.join(ROOT, "board-config", "*.conf")):
        r = subprocess.run([VUOROD, "--check-config", conf], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
    bad = sorted(glob.glob(os.path.join(ROOT, "tests", "fixtures", "bad-*.conf")))
    assert bad, "no bad config fixtures"
    for conf in bad:
        r = subprocess.run([VUOROD, "--check-config", conf], capture_output=True, text=True)
        assert r.returncode != 0, conf
        line = r.stderr.strip()
        assert os.path.basename(conf) in line and "\n" not in line, line
        expect = [l[len("# expect: "):].strip() for l in open(conf, encoding="utf-8") if l.startswith("# expect: ")]
        if expect:
            assert line == "vuorod: " + expect[0] or line == expect[0], (line, expect[0])


def test_add_user_validates(workdir):
    db = os.path.join(workdir, "u.db")
    r = subprocess.run([VUOROD, "--db", db, "--add-user", "x", "--role", "pope"], input="longpassword\n",
                       text=True, capture_output=True)
    assert r.returncode != 0 and "role" in r.stderr
    r = subprocess.run([VUOROD, "--db", db, "--add-user", "x", "--role", "advisor"], input="short\n",
                       text=True, capture_output=True)
    assert r.returncode != 0 and "password" in r.stderr
    r = subprocess.run([VUOROD, "--db", db, "--add-user", "x", "--role", "advisor"], input="longpassword\n",
                       text=True, capture_output=True)
    assert r.returncode == 0, r.stderr
    row = sqlite3.connect(db).execute("SELECT role, hash FROM users WHERE name='x'").fetchone()
    assert row[0] == "advisor" and row[1].startswith("$argon2id$") and "longpassword" not in row[1]


def test_vuoroctl_flow(daemon, status):
    counter = next(c["id"] for c in status["counters"] if c["kind"] == "counter" and c["profile"])
    service = next(c["profile"][0] for c in status["counters"] if c["id"] == counter)
    r = ctl(daemon, "login", "anna", stdin=USERS["anna"][1] + "\n")
    assert r.returncode == 0, r.stderr
    r = ctl(daemon, "issue", service, "--json")
    assert r.returncode == 0, r.stderr
    ticket = json.loads(r.stdout)["ticket"]
    r = ctl(daemon, "open", str(counter))
    assert r.returncode == 0, r.stderr
    r = ctl(daemon, "call", str(counter))
    assert r.returncode == 0 and ticket["code"] in r.stdout, r.stdout + r.stderr
    # recall / end use the counter of the last command.
    assert ctl(daemon, "recall").returncode == 0
    r = ctl(daemon, "end", "--outcome", "resolved", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["ticket"]["state"] == "done"
    r = ctl(daemon, "status", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["services"]
    r = ctl(daemon, "status")
    assert r.returncode == 0 and service in r.stdout
    # Refused: one line, exit 1.
    r = ctl(daemon, "call", str(counter))
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and r.stderr.startswith("vuoroctl: ")
    r = ctl(daemon, "issue", "no-such-service")
    assert r.returncode == 1
    # Usage: exit 2.
    assert ctl(daemon, "frobnicate").returncode == 2
    assert ctl(daemon, "issue").returncode == 2
    assert ctl(daemon, "--help").returncode == 0


def test_vuoroctl_password_from_env_and_users(daemon):
    r = ctl(daemon, "login", "admin1", env_extra={"VUORO_PASSWORD": USERS["admin1"][1]})
    assert r.returncode == 0, r.stderr
    r = ctl(daemon, "users", "add", "carl", "manager", stdin="carl-password-1\n")
    assert r.returncode == 0, r.stderr
    r = ctl(daemon, "users", "list", "--json")
    assert any(u["name"] == "carl" and u["role"] == "manager" for u in json.loads(r.stdout)["users"])
    r = ctl(daemon, "users", "passwd", "carl", stdin="carl-password-2\n")
    assert r.returncode == 0, r.stderr
    r = ctl(daemon, "login", "carl", stdin="carl-password-2\n", home=os.path.join(daemon.workdir, "carl"))
    assert r.returncode == 0, r.stderr
    r = ctl(daemon, "report", "--json", home=os.path.join(daemon.workdir, "carl"))
    assert r.returncode == 0 and "monthly" in json.loads(r.stdout)


def test_vuoroctl_db_backup_and_check(daemon, status):
    service = status["services"][0]["code"]
    for _ in range(5):
        daemon.post("/api/tickets", {"service": service})
    assert ctl(daemon, "login", "tech", stdin=USERS["tech"][1] + "\n").returncode == 0
    r = ctl(daemon, "db", "check")
    assert r.returncode == 0 and "ok" in r.stdout
    backup = os.path.join(daemon.workdir, "backup.db")
    # A technician's backup: every ticket, no password hash.
    r = ctl(daemon, "db", "backup", backup)
    assert r.returncode == 0, r.stderr
    db = sqlite3.connect(backup)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 5
    assert db.execute("SELECT count(*) FROM users WHERE hash != ''").fetchone()[0] == 0
    r = ctl(daemon, "db", "backup", backup)
    assert r.returncode == 2 and "exists" in r.stderr


def test_vuoroctl_unreachable(workdir):
    r = ctl(None, "status", home=os.path.join(workdir, "xdg"))
    assert r.returncode == 3 and "cannot reach vuorod" in r.stderr


def diag_lines(out):
    return {(l.split()[0], l.split()[1]): l for l in out.splitlines() if len(l.split()) > 1}


def test_vuoroctl_diag_names_the_broken_part(daemon):
    r = ctl(daemon, "login", "tech", stdin=USERS["tech"][1] + "\n")
    assert r.returncode == 0, r.stderr
    r = ctl(daemon, "diag")
    assert r.returncode == 0, r.stdout + r.stderr
    parts = [l.split()[0] for l in r.stdout.splitlines()]
    for part in ("printer", "display", "gpio", "disk", "database"):
        assert part in parts, r.stdout
    assert all(l.split()[1] == "ok" for l in r.stdout.splitlines()), r.stdout
    assert len([p for p in parts if p == "display"]) == 4  # counter1-3 and main on the sim bus
    # Paper out: the printer line says FAULT and what to do; exit 1.
    assert daemon.post("/api/printer/sim", {"paper_end": True}, user="tech").status_code == 200
    r = ctl(daemon, "diag", "printer")
    assert r.returncode == 1, r.stdout + r.stderr
    line = r.stdout.strip()
    assert line.split()[:2] == ["printer", "FAULT"] and "paper" in line, line
    # Actions: a test pattern, a unit scan, a lamp, a test tone.
    r = ctl(daemon, "diag", "displays", "test", "main")
    assert r.returncode == 0 and r.stdout.split()[:2] == ["display", "ok"], r.stdout + r.stderr
    r = ctl(daemon, "diag", "displays", "scan", "rs485-1", "1", "12")
    assert r.returncode == 0 and "units answering: 1, 2, 3" in r.stdout, r.stdout + r.stderr  # the sim answers every unit
    r = ctl(daemon, "diag", "gpio", "toggle", "booth-busy", "on")
    assert r.returncode == 0, r.stdout + r.stderr
    assert next(x for x in daemon.get("/api/gpio", user="tech").json()["lines"]
                if x["name"] == "booth-busy")["value"] == 1
    r = ctl(daemon, "diag", "audio", "tone")
    assert r.returncode == 0 and "announcement" in r.stdout, r.stdout + r.stderr
    r = ctl(daemon, "diag", "db")
    assert r.returncode == 0 and "integrity ok" in r.stdout, r.stdout + r.stderr
    r = ctl(daemon, "diag", "nonsense")
    assert r.returncode == 2 and "usage" in r.stderr


def test_vuoroctl_diag_config_without_vuorod(workdir):
    good = os.path.join(ROOT, "board-config", "sim.conf")
    r = ctl(None, "diag", "config", good, home=workdir)
    assert r.returncode == 0 and "4 displays on 1 buses" in r.stdout, r.stdout + r.stderr
    bad = os.path.join(ROOT, "tests", "fixtures", "bad-languages.conf")
    r = ctl(None, "diag", "config", bad, home=workdir)
    assert r.returncode == 1, r.stdout
    assert r.stdout.split()[:2] == ["config", "FAULT"] and "languages" in r.stdout
