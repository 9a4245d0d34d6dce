# SPDX-License-Identifier: GPL-3.0-or-later
"""The reception's visitor register (issue 17 item 8).

- Only the reception, managers and admins see it; a site without
  [visitors] enabled = yes answers 404 saying how to turn it on.
- Sign in: a badge number (the smallest one free among those in the
  building), the row in SQLite before the answer, an audit line without the
  name; the badge's bytes read by the npm `npos` decoder (not our code):
  name, host, number, date.  Paper out: the visitor stays registered and the
  answer says what to do.
- Sign out frees the number; delete erases the row.
- Retention: rows older than [visitors] retention-days go when vuorod
  starts (and daily), as test_retention does it.
- The name is in no other table than visitors (no outbox, no audit)."""
import glob
import os
import sqlite3
import subprocess
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from conftest import VUOROD, conf_with, make_daemon
from test_outbox import UPLINK
from test_printer import decode

ON = {("visitors", "enabled"): "yes"}
TZ = ZoneInfo("Europe/Helsinki")  # board-config/sim.conf [site] timezone


def site_day(t, fmt):
    """The site's calendar date of a stored time: the site keeps Helsinki
    time, the test machine may keep UTC (they differ for 2-3 h a night)."""
    return datetime.fromtimestamp(t, TZ).strftime(fmt)


@pytest.fixture
def site(workdir):
    d = make_daemon(workdir, conf_with(ON))
    yield d
    assert d.stop() == 0
    err = open(d.stderr_path).read()
    assert "AddressSanitizer" not in err and "runtime error" not in err, err[-3000:]


def newest_print(d):
    files = glob.glob(os.path.join(d.tickets, "ticket-*.bin"))
    return max(files, key=lambda f: int(f.rsplit("-", 1)[1].split(".")[0]))


def sign_in(d, user="rita", **body):
    if "host_user" not in body:
        body.setdefault("host", "Liisa Lahtinen")
    return d.post("/api/visitors", body, user=user)


def test_roles_see_the_register_or_get_403(site):
    d = site
    for user in ("rita", "maija", "admin1"):
        r = d.get("/api/visitors", user=user)
        assert r.status_code == 200, (user, r.text)
    for user in ("anna", "eero", "tech"):
        r = d.get("/api/visitors", user=user)
        assert r.status_code == 403, (user, r.text)
        r = sign_in(d, user=user, name="Ville Vieras")
        assert r.status_code == 403, (user, r.text)
    assert d.get("/api/visitors").status_code == 401
    # The reception sees nothing of the queue.
    assert d.get("/api/queue", user="rita").status_code == 403
    assert d.get("/api/whoami", user="rita").json()["role"] == "reception"
    # Whom a visitor may visit: the site's users, names and roles only.
    from conftest import USERS
    hosts = d.get("/api/visitors/hosts", user="rita").json()["hosts"]
    assert {(h["name"], h["role"]) for h in hosts} == {(n, r) for n, (r, _) in USERS.items()}
    assert all(set(h) == {"name", "role"} for h in hosts)
    assert d.get("/api/visitors/hosts", user="anna").status_code == 403


def test_register_in_and_out_with_badge_numbers(site):
    d = site
    a = sign_in(d, name="Ville Vieras", organisation="Verohallinto", host_user="anna")
    assert a.status_code == 201, a.text
    a = a.json()
    assert a["print"] == {"ok": True, "error": None}
    v = a["visitor"]
    assert (v["name"], v["organisation"], v["host"], v["host_user"], v["badge"], v["in"]) == \
        ("Ville Vieras", "Verohallinto", "anna", "anna", 1, True)
    b = sign_in(d, name="Åsa Öberg", user="maija").json()["visitor"]
    c = sign_in(d, name="Carl Clark", user="admin1").json()["visitor"]
    assert (b["badge"], c["badge"]) == (2, 3)
    # Stored before the answer, as the answer says.
    with sqlite3.connect(d.db) as db:
        rows = db.execute("SELECT id, name, host, badge, in_at, out_at, registered_by FROM visitors "
                          "ORDER BY id").fetchall()
    assert rows == [(v["id"], "Ville Vieras", "anna", 1, v["in_at"], 0, "rita"),
                    (b["id"], "Åsa Öberg", "Liisa Lahtinen", 2, b["in_at"], 0, "maija"),
                    (c["id"], "Carl Clark", "Liisa Lahtinen", 3, c["in_at"], 0, "admin1")]
    # Out: the number frees, the next visitor gets the smallest free one.
    r = d.post("/api/visitors/%d/out" % v["id"], {}, user="rita")
    assert r.status_code == 200, r.text
    assert r.json()["visitor"]["in"] is False and r.json()["visitor"]["signed_out_by"] == "rita"
    r = d.post("/api/visitors/%d/out" % v["id"], {}, user="rita")
    assert r.status_code == 409 and "signed out already" in r.json()["message"], r.text
    e = sign_in(d, name="Eeva Esimerkki").json()["visitor"]
    assert e["badge"] == 1
    # Lists: today, those in, by date; the counts recomputed from the rows.
    today = d.get("/api/visitors", user="rita").json()
    assert [x["name"] for x in today["visitors"]] == ["Ville Vieras", "Åsa Öberg", "Carl Clark",
                                                      "Eeva Esimerkki"]
    with sqlite3.connect(d.db) as db:
        in_now = db.execute("SELECT count(*) FROM visitors WHERE out_at = 0").fetchone()[0]
    assert today["in_building"] == in_now == 3
    inside = d.get("/api/visitors?in=1", user="rita").json()
    assert sorted(x["badge"] for x in inside["visitors"]) == [1, 2, 3]
    assert all(x["in"] for x in inside["visitors"])
    day = site_day(v["in_at"], "%Y-%m-%d")
    assert len(d.get("/api/visitors?day=" + day, user="rita").json()["visitors"]) == 4
    assert d.get("/api/visitors?day=2020-01-01", user="rita").json()["visitors"] == []
    # Delete: the row is gone.
    assert d.post("/api/visitors/%d/delete" % c["id"], {}, user="maija").status_code == 200
    assert d.post("/api/visitors/%d/delete" % c["id"], {}, user="maija").status_code == 404
    with sqlite3.connect(d.db) as db:
        assert db.execute("SELECT count(*) FROM visitors WHERE id = ?", (c["id"],)).fetchone() == (0,)
        audit = db.execute("SELECT user, command, detail FROM audit WHERE command LIKE 'visitor_%' "
                           "ORDER BY id").fetchall()
    assert [(u, cmd) for u, cmd, _ in audit] == [
        ("rita", "visitor_in"), ("maija", "visitor_in"), ("admin1", "visitor_in"),
        ("rita", "visitor_out"), ("rita", "visitor_in"), ("maija", "visitor_delete")]
    assert all("Vieras" not in (det or "") for _, _, det in audit)


def test_badge_printed_and_decoded(site):
    d = site
    r = sign_in(d, name="Ville Vieras", organisation="Verohallinto", host="Liisa Lahtinen", lang="sv")
    assert r.status_code == 201, r.text
    v = r.json()["visitor"]
    data = open(newest_print(d), "rb").read()
    dec = decode(data)
    assert dec["bytes"] == len(data) and dec["cuts"] == 1
    text = bytes.fromhex(dec["text_hex"]).decode("cp858")
    assert "Ville Vieras" in text and "Verohallinto" in text
    assert "Besöker: Liisa Lahtinen" in text and "BESÖKARE" in text
    assert site_day(v["in_at"], "%d.%m.%Y") in text
    # The number large: GS ! just before it.
    cmds = dec["commands"]
    big = [i for i, c in enumerate(cmds) if c["name"] == "GS !" and c["params"][0] >= 0x33]
    assert big, cmds
    assert "\n%d\n" % v["badge"] in text
    assert dec["qr"] == []


def test_paper_out_keeps_the_registration(site):
    d = site
    assert d.post("/api/printer/sim", {"paper_end": True}, user="tech").status_code == 200
    r = sign_in(d, name="Ville Vieras")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["print"]["ok"] is False
    assert body["print"]["error"] == "printer: paper end — load a new roll"
    assert body["visitor"]["print_error"] == body["print"]["error"]
    with sqlite3.connect(d.db) as db:
        assert db.execute("SELECT name, out_at, print_error FROM visitors").fetchall() == [
            ("Ville Vieras", 0, "printer: paper end — load a new roll")]
    listed = d.get("/api/visitors?in=1", user="rita").json()["visitors"]
    assert [x["name"] for x in listed] == ["Ville Vieras"]


def test_bad_input_is_400_with_what_to_do(site):
    d = site
    r = sign_in(d, name="   ")
    assert r.status_code == 400 and "visitor's name" in r.json()["message"], r.text
    r = d.post("/api/visitors", {"name": "Ville Vieras"}, user="rita")
    assert r.status_code == 400 and "whom the visitor visits" in r.json()["message"], r.text
    r = d.post("/api/visitors", {"name": "Ville Vieras", "host_user": "nobody"}, user="rita")
    assert r.status_code == 400 and "no user of this site" in r.json()["message"], r.text
    r = sign_in(d, name="V" * 121)
    assert r.status_code == 400, r.text
    r = sign_in(d, name="Ville Vieras", lang="xx")
    assert r.status_code == 400 and "lang" in r.json()["message"], r.text
    r = d.get("/api/visitors?day=yesterday", user="rita")
    assert r.status_code == 400 and "2026-12-04" in r.json()["message"], r.text
    r = d.get("/api/visitors?in=maybe", user="rita")
    assert r.status_code == 400, r.text
    assert d.post("/api/visitors/99/out", {}, user="rita").status_code == 404
    with sqlite3.connect(d.db) as db:
        assert db.execute("SELECT count(*) FROM visitors").fetchone() == (0,)
    # Still serving.
    assert sign_in(d, name="Ville Vieras").status_code == 201


def test_register_off_by_default_and_config_checked(workdir):
    d = make_daemon(workdir)
    r = d.get("/api/visitors", user="rita")
    assert r.status_code == 404 and "[visitors] enabled = yes" in r.json()["message"], r.text
    assert d.stop() == 0
    path = os.path.join(workdir, "bad.conf")
    for key, value, want in ((("visitors", "enabled"), "perhaps",
                              "[visitors] enabled: expected true or false (or yes, no)"),
                             (("visitors", "retention-days"), "0",
                              "[visitors] retention-days: expected a whole number from 1 to 3650")):
        with open(path, "w", encoding="utf-8") as f:
            f.write(conf_with({key: value}))
        p = subprocess.run([VUOROD, "--check-config", path], capture_output=True, text=True, timeout=30)
        assert p.returncode != 0 and want in p.stderr, p.stderr


def test_retention_erases_old_rows(workdir):
    d = make_daemon(workdir, conf_with({**ON, ("visitors", "retention-days"): "30"}))
    old = sign_in(d, name="Vanha Vieras").json()["visitor"]
    new = sign_in(d, name="Uusi Vieras").json()["visitor"]
    assert d.post("/api/visitors/%d/out" % old["id"], {}, user="rita").status_code == 200
    d.stop()
    now = int(time.time())
    with sqlite3.connect(d.db) as db:
        # Came and left 31 days ago; one more came 31 days ago and never signed out,
        # one left 29 days ago (kept).
        db.execute("UPDATE visitors SET in_at = ?, out_at = ? WHERE id = ?",
                   (now - 31 * 86400, now - 31 * 86400 + 3600, old["id"]))
        db.execute("INSERT INTO visitors (name, host, badge, in_at) VALUES ('Unohtunut', 'x', 9, ?)",
                   (now - 31 * 86400,))
        db.execute("INSERT INTO visitors (name, host, badge, in_at, out_at) VALUES ('Tuore', 'x', 10, ?, ?)",
                   (now - 40 * 86400, now - 29 * 86400))
    d.start()
    d.stop()
    with sqlite3.connect(d.db) as db:
        names = [n for (n,) in db.execute("SELECT name FROM visitors ORDER BY id")]
    # Independently: kept are those whose last time is within 30 days.
    assert names == ["Uusi Vieras", "Tuore"], names
    assert new["name"] == "Uusi Vieras"


def test_names_stay_in_the_register_only(workdir):
    """No table but visitors holds a visitor's name: not the audit, not
    the outbox (written with [uplink] set)."""
    d = make_daemon(workdir, conf_with({**ON, **UPLINK}))
    assert sign_in(d, name="Salainen Sanni", organisation="Yritys Oy", host="Heikki Host").status_code == 201
    v = d.get("/api/visitors?in=1", user="rita").json()["visitors"][0]
    assert d.post("/api/visitors/%d/out" % v["id"], {}, user="rita").status_code == 200
    d.stop()
    with sqlite3.connect(d.db) as db:
        dump = list(db.iterdump())
    leaks = [line for line in dump if ("Salainen" in line or "Heikki Host" in line or "Yritys Oy" in line)
             and not line.startswith('INSERT INTO "visitors"')]
    assert leaks == []
    with sqlite3.connect(d.db) as db:
        assert db.execute("SELECT count(*) FROM visitors").fetchone() == (1,)


def test_vuoroctl_lists_the_register(site):
    from conftest import USERS
    from test_cli import ctl
    d = site
    v = sign_in(d, name="Ville Vieras").json()["visitor"]
    assert ctl(d, "login", "rita", stdin=USERS["rita"][1] + "\n").returncode == 0
    r = ctl(d, "visitors", "in")
    assert r.returncode == 0, r.stderr
    assert "Ville Vieras" in r.stdout and "Liisa Lahtinen" in r.stdout and "1 in the building" in r.stdout
    r = ctl(d, "visitors", "2026-13-40")
    assert r.returncode == 1 and "day must be a date like" in r.stderr, (r.stdout, r.stderr)
    assert ctl(d, "login", "anna", stdin=USERS["anna"][1] + "\n").returncode == 0
    r = ctl(d, "visitors")
    assert r.returncode == 1 and "Ville" not in r.stdout
    assert v["badge"] == 1
