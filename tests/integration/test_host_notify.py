# SPDX-License-Identifier: GPL-3.0-or-later
"""A booked visitor's host is told (issue 17, item 1).  A real SMTP server
(aiosmtpd, STARTTLS required, AUTH) takes the host's e-mail; the host's own
page gets the arrival live (and no other page the visitor's name), the host
acknowledges, and the kiosk's and display's stream say the host is coming.
The mail server is stopped mid-test: the mail waits in the durable queue
(through a restart of vuorod), /api/health says why, and once the server is
back it is delivered exactly once."""
import asyncio
import email
import email.policy
import json
import os
import sqlite3
import ssl
import subprocess
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import websocket
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from conftest import ROOT, VUOROD, conf_with, make_daemon, wait_for
from ports import free_port

FROM = "vuoro@kuohu.example.fi"
HOST_MAIL = "anna.virtanen@kunta.example.fi"
SMTP_USER, SMTP_PASSWORD = "vuoro", "smtp-secret-1"
TZ = ZoneInfo("Europe/Helsinki")  # board-config/sim.conf [site] timezone


class Inbox:
    """What the SMTP server accepted: (envelope recipients, parsed message)."""

    def __init__(self):
        self.mails = []

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.mails.append((list(envelope.rcpt_tos), envelope.mail_from, msg, session.authenticated))
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == SMTP_USER.encode() and auth_data.password == SMTP_PASSWORD.encode()
    return AuthResult(success=ok)


class Smtp:
    """aiosmtpd on a fixed port, stoppable and startable again."""

    def __init__(self, tmp):
        self.cert = os.path.join(tmp, "smtp-cert.pem")
        self.key = os.path.join(tmp, "smtp-key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-keyout", self.key, "-out", self.cert, "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
        self.port = free_port()
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.cert, self.key)
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, tls_context=ctx,
                                     require_starttls=True, authenticator=authenticator,
                                     auth_required=True, auth_require_tls=True)
        self.controller.start()

    def stop(self):
        self.controller.stop()
        self.controller = None

    def url(self):
        return "smtp://127.0.0.1:%d" % self.port


def notify_conf(smtp, **extra):
    keys = {("notify", "smtp-url"): smtp.url(), ("notify", "from"): FROM,
            ("notify", "username"): SMTP_USER, ("notify", "password"): SMTP_PASSWORD,
            ("notify", "ca-file"): smtp.cert, ("notify", "retry-max-seconds"): "1",
            ("notify", "timeout-seconds"): "5"}
    keys.update({("notify", k): v for k, v in extra.items()})
    return conf_with(keys)


def at_in(minutes):
    """The site's local time @minutes from now, as the API takes it."""
    return (datetime.now(TZ) + timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M")


def book(d, name, staff="anna", host_email=HOST_MAIL, minutes=10):
    body = {"service": "guide", "at": at_in(minutes), "staff": staff, "name": name}
    if host_email:
        body["host_email"] = host_email
    r = d.post("/api/appointments", body, user="anna")
    assert r.status_code == 201, r.text
    return r.json()


def stream(d, user=None):
    q = "?token=" + d.tokens[user] if user else ""
    ws = websocket.create_connection(d.url.replace("http://", "ws://") + "/api/events" + q, timeout=10)
    assert json.loads(ws.recv())["type"] == "hello"
    return ws


def next_of(ws, kind, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ws.settimeout(max(0.1, deadline - time.monotonic()))
        ev = json.loads(ws.recv())
        if ev["type"] == kind:
            return ev
    raise AssertionError("no %s event" % kind)


def drain(ws, seconds=1.0):
    """Every message @ws gets within @seconds, as text."""
    got = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ws.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            got.append(ws.recv())
        except websocket.WebSocketTimeoutException:
            break
    return got


def queue_rows(db):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        return con.execute("SELECT id, recipient, subject, attempts, last_error, sent_at FROM mail_queue "
                           "ORDER BY id").fetchall()
    finally:
        con.close()


def mail_faults(d):
    return [f for f in d.get("/api/health", user="tech").json()["faults"] if f.startswith("mail:")]


@pytest.fixture
def smtp(workdir):
    s = Smtp(workdir)
    s.start()
    yield s
    if s.controller:
        s.stop()


def test_host_told_by_page_and_mail_acknowledges(workdir, smtp):
    d = make_daemon(workdir, notify_conf(smtp))
    try:
        d.login("anna"), d.login("bertil")
        anna, bertil, public = stream(d, "anna"), stream(d, "bertil"), stream(d)
        a = book(d, "Matti Meikäläinen")
        assert a["host_email"] == HOST_MAIL and a["staff"] == "anna"
        r = d.post("/api/checkin", {"code": a["code"], "lang": "fi"})
        assert r.status_code == 201, r.text
        ticket = r.json()["ticket"]["code"]
        # The host's page: at once, with the visitor's name.
        ev = next_of(anna, "host_arrival")["arrival"]
        assert ev["id"] == a["id"] and ev["name"] == "Matti Meikäläinen" and ev["ticket"] == ticket
        assert ev["state"] == "arrived" and ev["mailed"] is True and ev["acknowledged_at"] is None
        # The kiosk hears that the host was told, by ticket number alone.
        assert next_of(public, "host_told") == {"type": "host_told", "ticket": ticket}
        # No other page hears the name (another advisor, the display).
        for other in (bertil, public):
            assert not any("Meikäläinen" in m or HOST_MAIL in m for m in drain(other, 0.5))
        # The e-mail, through STARTTLS and AUTH, in the site's main language.
        wait_for(lambda: smtp.inbox.mails, 15, "the host's e-mail")
        rcpt, sender, msg, authed = smtp.inbox.mails[0]
        assert rcpt == [HOST_MAIL] and sender == FROM and authed
        assert msg["To"] == "<%s>" % HOST_MAIL or HOST_MAIL in msg["To"]
        assert msg["Subject"] == "Matti Meikäläinen on saapunut (vuoronumero %s)" % ticket
        body = msg.get_body(("plain",)).get_content()
        booked = datetime.fromtimestamp(a["at"], TZ).strftime("%H:%M")
        assert "klo %s" % booked in body and "vuoronumeron %s" % ticket in body
        assert "Kuohu" in body
        rows = queue_rows(d.db)
        assert len(rows) == 1 and rows[0][1] == HOST_MAIL and rows[0][3] == 1 and rows[0][5] > 0
        # The host's list: theirs only.
        mine = d.get("/api/host/arrivals", user="anna").json()
        assert [x["id"] for x in mine["arrivals"]] == [a["id"]] and mine["user"] == "anna"
        assert d.get("/api/host/arrivals", user="bertil").json()["arrivals"] == []
        # Only the host acknowledges; the kiosk and the display hear the ticket.
        path = "/api/host/arrivals/%d/ack" % a["id"]
        r = d.post(path, {}, user="bertil")
        assert r.status_code == 403 and "only its host" in r.json()["message"]
        r = d.post(path, {}, user="anna")
        assert r.status_code == 200, r.text
        first = r.json()["acknowledged_at"]
        assert first
        ev = next_of(public, "host_coming")
        assert ev == {"type": "host_coming", "ticket": ticket, "at": ev["at"]}
        assert next_of(anna, "host_acknowledged")["id"] == a["id"]
        r = d.post(path, {}, user="anna")
        assert r.status_code == 200 and r.json()["acknowledged_at"] == first
        con = sqlite3.connect("file:%s?mode=ro" % d.db, uri=True)
        audits = con.execute("SELECT user, detail FROM audit WHERE command = 'host_ack'").fetchall()
        outbox = " ".join(b for (b,) in con.execute("SELECT body FROM outbox"))
        con.close()
        assert [(u, json.loads(x)["appointment"]) for u, x in audits] == [("anna", a["id"])]
        assert "Meikäläinen" not in outbox and HOST_MAIL not in outbox
        # A booking not yet arrived cannot be acknowledged.
        b = book(d, "Liisa", minutes=20)
        r = d.post("/api/host/arrivals/%d/ack" % b["id"], {}, user="anna")
        assert r.status_code == 409 and "not arrived" in r.json()["message"], r.text
        for ws in (anna, bertil, public):
            ws.close()
    finally:
        assert d.stop() == 0


def test_mail_waits_while_the_server_is_down_and_goes_once(workdir, smtp):
    d = make_daemon(workdir, notify_conf(smtp))
    try:
        first = book(d, "Ensimmäinen")
        assert d.post("/api/checkin", {"code": first["code"]}).status_code == 201
        wait_for(lambda: len(smtp.inbox.mails) == 1, 15, "the first mail")
        assert mail_faults(d) == []
        smtp.stop()
        second = book(d, "Toinen Vieras")
        r = d.post("/api/checkin", {"code": second["code"]})
        assert r.status_code == 201, r.text
        # Said on /api/health (and so on /tech): the server, its error, what to do.
        f = wait_for(lambda: mail_faults(d), 15, "the delivery fault")[0]
        assert smtp.url() in f and "connect" in f.lower(), f
        assert "[notify] smtp-url" in f and "nothing is lost" in f
        mail = d.get("/api/health", user="tech").json()["mail"]
        assert mail["ok"] is False and mail["server"] == smtp.url() and mail["waiting"] == 1
        rows = wait_for(lambda: (lambda r: r[1][3] >= 2 and r)(queue_rows(d.db)), 15, "retries")
        assert rows[1][5] == 0 and rows[1][4] and "Toinen Vieras" in rows[1][2]
        # Durable: vuorod killed and started while the server is still down.
        d.restart()
        before = queue_rows(d.db)[1][3]
        wait_for(lambda: queue_rows(d.db)[1][3] > before, 15, "a retry after the restart")
        wait_for(lambda: mail_faults(d), 15, "the fault after the restart")
        assert len(smtp.inbox.mails) == 1
        smtp.start()
        wait_for(lambda: queue_rows(d.db)[1][5] > 0, 20, "the mail sent once the server is back")
        wait_for(lambda: mail_faults(d) == [], 10, "the fault cleared")
        mail = d.get("/api/health", user="tech").json()["mail"]
        assert mail == {"ok": True, "server": smtp.url(), "waiting": 0, "message": None}
        time.sleep(2.5)  # two more retry periods: nothing goes twice
        subjects = [m[2]["Subject"] for m in smtp.inbox.mails]
        assert len(subjects) == 2 and sum("Toinen Vieras" in s for s in subjects) == 1, subjects
        assert all(r[5] > 0 for r in queue_rows(d.db))
    finally:
        assert d.stop() == 0


def test_no_mail_without_an_address_and_bad_addresses_refused(workdir, smtp):
    d = make_daemon(workdir, notify_conf(smtp))
    try:
        a = book(d, "Ilman Osoitetta", host_email=None)
        assert d.post("/api/checkin", {"code": a["code"]}).status_code == 201
        r = d.post("/api/appointments", {"service": "guide", "at": at_in(30), "staff": "anna",
                                         "host_email": "anna@kunta.example.fi\r\nBcc: x@y.fi"}, user="anna")
        assert r.status_code == 400 and "host_email" in r.json()["message"]
        csv = "service,start,staff,host_email\nguide,%s,anna,not-an-address\n" % at_in(40)
        r = d.post("/api/appointments/import", data=csv.encode(), headers={"Content-Type": "text/csv"},
                   user="maija")
        assert r.status_code == 400 and "column host_email" in r.json()["message"], r.text
        csv = "service,start,staff,host_email\nguide,%s,bertil,bertil@kunta.example.fi\n" % at_in(40)
        r = d.post("/api/appointments/import", data=csv.encode(), headers={"Content-Type": "text/csv"},
                   user="maija")
        assert r.status_code == 200 and r.json()["added"] == 1, r.text
        ics = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:x1\r\n"
               "DTSTART:%s\r\nX-VUORO-SERVICE:guide\r\nX-VUORO-CODE:ICSH01\r\n"
               "ORGANIZER;CN=eero:mailto:eero.esimerkki@vero.example.fi\r\n"
               "ATTENDEE;CN=Visiting Person:mailto:visitor@example.org\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
               % time.strftime("%Y%m%dT%H%M00", time.localtime(time.time() + 3600)))
        r = d.post("/api/appointments/import", data=ics.encode(), headers={"Content-Type": "text/calendar"},
                   user="maija")
        assert r.status_code == 200 and r.json()["added"] == 1, r.text
        lst = d.get("/api/appointments", user="anna").json()["appointments"]
        by_code = {x["code"]: x for x in lst}
        assert by_code["ICSH01"]["staff"] == "eero"
        assert by_code["ICSH01"]["host_email"] == "eero.esimerkki@vero.example.fi"
        assert sorted(x["host_email"] or "" for x in lst) == ["", "bertil@kunta.example.fi",
                                                               "eero.esimerkki@vero.example.fi"]
        time.sleep(1)
        assert smtp.inbox.mails == [] and queue_rows(d.db) == []
    finally:
        assert d.stop() == 0


@pytest.mark.parametrize("key,value,expect", [
    ("smtp-url", "http://mail.example.fi", "[notify] smtp-url: expected the mail server as smtp://HOST:PORT"),
    ("smtp-url", "smtp://", "[notify] smtp-url: expected"),
    ("from", "vuoro at kuohu", "[notify] from: expected the sender's e-mail address"),
    ("starttls", "maybe", "[notify] starttls"),
])
def test_bad_notify_config_is_a_clear_error(workdir, smtp, key, value, expect):
    conf = os.path.join(workdir, "bad.conf")
    os.symlink(os.path.join(ROOT, "board-config", "displays"), os.path.join(workdir, "displays"))
    with open(conf, "w", encoding="utf-8") as f:
        f.write(notify_conf(smtp, **{key: value}))
    r = subprocess.run([VUOROD, "--check-config", conf], capture_output=True, text=True, timeout=30)
    assert r.returncode != 0 and expect in r.stderr, r.stderr
    # vuorod itself will not start on it, with the same words.
    r = subprocess.run([VUOROD, "--config", conf, "--db", os.path.join(workdir, "x.db"), "--listen",
                        "127.0.0.1:0"], capture_output=True, text=True, timeout=30)
    assert r.returncode != 0 and expect in r.stderr, r.stderr
