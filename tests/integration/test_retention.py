# SPDX-License-Identifier: GPL-3.0-or-later
"""Retention: personal fields older than [identity] retention-days are
cleared when vuorod starts (and daily); the counts the reports need stay."""
import sqlite3
import time

from conftest import conf_with, make_daemon, wait_for

OLD = int(time.time()) - 100 * 86400  # past the 90 days of the default


def test_old_personal_fields_are_pruned_counts_stay(workdir):
    d = make_daemon(workdir)
    d.stop()
    now = int(time.time())
    with sqlite3.connect(d.db) as db:
        for at, hmac in ((OLD, "aa" * 32), (now, "bb" * 32)):
            db.execute("INSERT INTO identity_checks (ticket, day, method, result, cert_issuer, "
                       "cert_serial, id_hmac, at) VALUES (1, 1, 'card', 'verified', 'CN=Test CA', "
                       "'1001', ?, ?)", (hmac, at))
        db.execute("INSERT INTO visits (ticket, day, service, provider, code, channel, outcome, "
                   "lang, issued_at, ended_at) VALUES (1, 1, 'guide', 'kunta', 'A001', "
                   "'in_person', 'resolved', 'fi', ?, ?)", (OLD, OLD))
        db.execute("INSERT INTO appointments (code, service, at, name, source, host_email) VALUES "
                   "('OLD1', 'guide', ?, 'Maija Meikäläinen', 'api', 'anna@kunta.example.fi')", (OLD,))
        # The host's mail (issue 17): an old one goes, sent or not; a recent one stays.
        for at, sent in ((OLD, OLD), (OLD, 0), (now, 0)):
            db.execute("INSERT INTO mail_queue (recipient, subject, body, created_at, next_at, sent_at) "
                       "VALUES ('anna@kunta.example.fi', 'Maija Meikäläinen', 'x', ?, ?, ?)",
                       (at, at + 10**9, sent))
    d.start()
    d.stop()
    with sqlite3.connect(d.db) as db:
        checks = db.execute("SELECT cert_serial, id_hmac, pruned_at > 0, result FROM identity_checks "
                            "ORDER BY at").fetchall()
        assert checks[0] == (None, None, 1, "verified")  # old: the person is gone, the count stays
        assert checks[1] == ("1001", "bb" * 32, 0, "verified")  # recent: kept
        assert db.execute("SELECT count(*), max(pruned_at) > 0 FROM visits").fetchone() == (1, 1)
        assert db.execute("SELECT name, host_email FROM appointments WHERE code = 'OLD1'").fetchone() == \
            (None, None)
        assert db.execute("SELECT created_at FROM mail_queue").fetchall() == [(now,)]


def test_retention_days_come_from_board_config(workdir):
    d = make_daemon(workdir, conf_with({("identity", "retention-days"): "365"}))
    d.stop()
    with sqlite3.connect(d.db) as db:
        db.execute("INSERT INTO identity_checks (ticket, day, method, result, id_hmac, at) "
                   "VALUES (1, 1, 'card', 'verified', 'cc', ?)", (OLD,))
    d.start()
    d.stop()
    with sqlite3.connect(d.db) as db:
        assert db.execute("SELECT id_hmac FROM identity_checks").fetchone() == ("cc",)


def test_retention_runs_when_a_command_rolls_the_day_over(workdir):
    """The day's retention does not wait for vuorod's own tick to see the
    new service day first: a ticket drawn just after the daily reset rolls
    the day over itself, and the tick (every 20 s) must still prune."""
    conf = conf_with({("identity", "retention-days"): "1"})
    d = make_daemon(workdir, conf, clock="+0")
    d.stop()
    half_day_ago = int(time.time()) - 12 * 3600  # kept today, one day old tomorrow
    with sqlite3.connect(d.db) as db:
        db.execute("INSERT INTO identity_checks (ticket, day, method, result, id_hmac, at) "
                   "VALUES (1, 1, 'card', 'verified', 'dd', ?)", (half_day_ago,))
    d.start()
    try:
        kept = lambda: sqlite3.connect(d.db).execute(  # noqa: E731
            "SELECT id_hmac FROM identity_checks").fetchone()[0]
        assert kept() == "dd"  # the start's retention left it
        d.set_clock("+1d")  # the running vuorod is a day on at once
        # Drawn at once, well inside the tick's 20 s: this command rolls the day.
        r = d.post("/api/tickets", {"service": "guide", "lang": "fi"})
        assert r.status_code in (200, 201, 409), r.text
        wait_for(lambda: kept() is None, timeout=30, what="the tick's retention on the new day")
    finally:
        d.stop()
