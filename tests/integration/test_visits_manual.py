# SPDX-License-Identifier: GPL-3.0-or-later
"""Visits without a ticket, transfer notes and trial mode (issue 17, items 6
and 10).  An advisor records a visit that had no ticket (POST /api/visits)
with any channel, phone and provider_on_site among them; the reports count
it by its channel, checked here against the visits rows read with SQLite
itself; the hub's record carries it (manual, trial) but never a transfer's
note.  A transfer carries a short note that whoever calls the ticket next
sees; the retention prune erases it.  A service (or the whole site) on trial
keeps its visits out of the billing figures and shows them apart."""
import datetime
import json
import sqlite3
import time
from collections import Counter
from zoneinfo import ZoneInfo

import pytest

import subprocess

from conftest import VUOROD, conf_with, make_daemon

TZ = ZoneInfo("Europe/Helsinki")  # board-config/sim.conf [site] timezone
CHANNELS = ["in_person", "remote_video", "e_service", "paper_form", "phone", "provider_on_site"]
BILLED = ("no_show", "cancelled", "voided", "reset", "interrupted")
# An [uplink] that is never reached: the outbox is written all the same.
UPLINK = {
    ("uplink", "servers"): "tls://192.0.2.10:4222",
    ("uplink", "site"): "kuohu-1",
    ("uplink", "ca"): "/etc/vuoro/hub-ca.pem",
    ("uplink", "cert"): "/etc/vuoro/site.pem",
    ("uplink", "key"): "/etc/vuoro/site.key",
}


def rows(d, sql, args=()):
    con = sqlite3.connect("file:%s?mode=ro" % d.db, uri=True)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def outbox_visits(d):
    return [json.loads(body) for (body,) in rows(d, "SELECT body FROM outbox WHERE kind = 'visit' "
                                                  "ORDER BY id")]


def today_query():
    day = datetime.datetime.now(TZ) - datetime.timedelta(hours=3)  # daily-reset 03:00
    start = day.date()
    return "from=%s&to=%s&period=day" % (start, start + datetime.timedelta(days=1))


def billing(d):
    r = d.get("/api/report?%s&kind=billing" % today_query(), user="maija")
    assert r.status_code == 200, r.text
    return {(b["period"], b["provider"]): b for b in r.json()["billing"]}


def expected_billing(d):
    """Billed events and trial events per provider, from the visits rows."""
    billed, trial = Counter(), Counter()
    for provider, channel, outcome, is_trial in rows(
            d, "SELECT provider, channel, outcome, trial FROM visits"):
        if outcome in BILLED:
            continue
        for p in (provider, "*"):
            (trial if is_trial else billed)[(p, channel)] += 1
    return billed, trial


def check_billing(d):
    billed, trial = expected_billing(d)
    got = billing(d)
    site = got[("total", "*")]
    for provider in {p for p, _ in billed} | {p for p, _ in trial}:
        row = got[("total", provider)]
        assert row["channels"] == {c: billed[(provider, c)] for c in CHANNELS}, provider
        assert row["events"] == sum(billed[(provider, c)] for c in CHANNELS)
        assert row["trial"]["channels"] == {c: trial[(provider, c)] for c in CHANNELS}, provider
        assert row["trial"]["events"] == sum(trial[(provider, c)] for c in CHANNELS)
    return site


def record(d, body, user="anna"):
    return d.post("/api/visits", body, user=user)


@pytest.fixture
def uplinked(workdir):
    d = make_daemon(workdir, conf_with({**UPLINK, ("service:tax", "trial"): "yes"}))
    yield d
    assert d.stop() == 0


def test_ticketless_visits_each_channel_reports_and_records(uplinked):
    d = uplinked
    before = time.time()
    made = []
    for i, channel in enumerate(CHANNELS):
        body = {"service": "guide", "provider": "kunta", "channel": channel,
                "outcome": ["resolved", "referred", "follow_up"][i % 3]}
        if i % 2:
            body["service_min"] = 5 + i
        if channel == "in_person":
            body["counter"] = 1
        r = record(d, body, user="anna" if i % 2 else "eero")
        assert r.status_code == 201, r.text
        v = r.json()
        assert (v["service"], v["provider"], v["channel"], v["trial"]) == ("guide", "kunta", channel, False)
        made.append((v["id"], body))
    # a trial service's visit: not billed, shown apart
    r = record(d, {"service": "tax", "channel": "phone", "outcome": "resolved"})
    assert r.status_code == 201 and r.json()["trial"] is True and r.json()["provider"] == "vero"

    # The rows, read with SQLite itself.
    got = {row[0]: row[1:] for row in rows(
        d, "SELECT id, ticket, manual, service, provider, channel, outcome, user, counter, "
           "started_at, ended_at, trial FROM visits")}
    for vid, body in made:
        ticket, manual, service, provider, channel, outcome, user, counter, started, ended, trial = got[vid]
        assert (ticket, manual, service, provider, trial) == (0, 1, "guide", "kunta", 0)
        assert (channel, outcome) == (body["channel"], body["outcome"])
        assert counter == body.get("counter", 0)
        assert before - 1 <= ended <= time.time() + 1
        assert started == (ended - 60 * body["service_min"] if "service_min" in body else 0)
    assert got[max(got)][-1] == 1  # the tax visit: trial

    # Reports count them by channel, as SQLite's rows say.
    site = check_billing(d)
    assert site["channels"]["phone"] == 1 and site["channels"]["provider_on_site"] == 1
    assert site["trial"]["events"] == 1 and site["trial"]["channels"]["phone"] == 1
    assert ("total", "vero") in billing(d) and billing(d)[("total", "vero")]["events"] == 0
    csv = d.get("/api/report?%s&kind=billing&format=csv" % today_query(), user="maija").text
    head, *lines = csv.strip().split("\r\n")
    assert head.split(",")[3:9] == CHANNELS and head.endswith(",trial_events")
    total = [ln.split(",") for ln in lines if ln.startswith("total,*,")][0]
    assert int(total[-1]) == 1 and int(total[2]) == site["events"]

    # The hub's records: one a visit, channel and trial; no person's words.
    recs = outbox_visits(d)
    assert [r["channel"] for r in recs] == CHANNELS + ["phone"]
    assert all(r["manual"] is True and r["ticket"] == 0 for r in recs)
    assert [r["trial"] for r in recs] == [False] * len(CHANNELS) + [True]
    assert recs[-1]["provider"] == "vero"

    # Audited: who recorded what.
    audit = rows(d, "SELECT user, detail FROM audit WHERE command = 'visit_record' ORDER BY id")
    assert [u for u, _ in audit] == ["eero", "anna"] * 3 + ["anna"]
    assert [json.loads(x)["channel"] for _, x in audit] == CHANNELS + ["phone"]


@pytest.mark.parametrize("body, status, words", [
    ({"service": "guide", "channel": "fax", "outcome": "resolved"}, 400, "channel must be"),
    ({"service": "guide", "channel": "phone", "outcome": "transferred"}, 400, "outcome must be"),
    ({"service": "nope", "channel": "phone", "outcome": "resolved"}, 404, 'no service "nope"'),
    ({"service": "guide", "provider": "vero", "channel": "phone", "outcome": "resolved"}, 400,
     'provided by "kunta"'),
    ({"service": "guide", "channel": "phone", "outcome": "resolved", "service_min": 0}, 400,
     "service_min"),
    ({"service": "guide", "channel": "phone", "outcome": "resolved", "counter": 99}, 404, "no counter 99"),
    ({"channel": "phone", "outcome": "resolved"}, 400, "service"),
])
def test_bad_visits_are_refused_with_words(daemon, body, status, words):
    r = record(daemon, body)
    assert r.status_code == status, r.text
    assert words in r.json()["message"], r.json()
    assert rows(daemon, "SELECT count(*) FROM visits") == [(0,)]
    # the daemon keeps serving
    assert record(daemon, {"service": "guide", "channel": "phone", "outcome": "resolved"}).status_code == 201


def test_roles(daemon):
    body = {"service": "guide", "channel": "phone", "outcome": "resolved"}
    assert daemon.post("/api/visits", body).status_code == 401
    assert record(daemon, body, user="maija").status_code == 403
    assert record(daemon, body, user="tech").status_code == 403
    assert record(daemon, body, user="admin1").status_code == 201


def test_transfer_note_shown_on_call_kept_out_of_the_outbox_and_pruned(workdir):
    d = make_daemon(workdir, conf_with(UPLINK))
    note = "Asiakas hakee asumistukea; liitteet tarkistettu.\nTarvitsee tulkin."
    r = d.post("/api/tickets", {"service": "guide"})
    assert r.status_code == 201, r.text
    ticket = r.json()["ticket"]["id"]
    for user, counter in (("anna", 1), ("bertil", 2)):
        assert d.post("/api/counters/%d/open" % counter, user=user).status_code == 200
    assert d.post("/api/counters/1/call", user="anna").status_code == 200
    # Too long, or control characters: refused, and the ticket stays.
    r = d.post("/api/counters/1/transfer", {"counter": 2, "note": "x" * 281}, user="anna")
    assert r.status_code == 400 and "at most 280" in r.json()["message"], r.text
    r = d.post("/api/counters/1/transfer", {"counter": 2, "note": "a\x07b"}, user="anna")
    assert r.status_code == 400 and "control characters" in r.json()["message"], r.text
    # 280 characters after trimming pass.
    assert len(note) <= 280
    r = d.post("/api/counters/1/transfer", {"counter": 2, "service": "tax", "note": "  %s \n" % note},
               user="anna")
    assert r.status_code == 200, r.text
    r = d.post("/api/counters/2/call", {"ticket": ticket}, user="bertil")
    assert r.status_code == 200, r.text
    c = d.get("/api/counters/2", user="bertil").json()
    shown = c.get("counter", c)["ticket"]
    assert shown["id"] == ticket and shown["transfer_note"] == note
    # not for the public
    pub = [x for x in d.get("/api/status").json()["counters"] if x["id"] == 2][0]
    assert "transfer_note" not in json.dumps(pub)
    # Kept with the visit of the transfer; the audit says only that there was one.
    assert rows(d, "SELECT transfer_note FROM visits WHERE ticket = ? AND outcome = 'transferred'",
                (ticket,)) == [(note,)]
    detail = json.loads(rows(d, "SELECT detail FROM audit WHERE command = 'transfer'")[0][0])
    assert detail["note"] is True and note not in json.dumps(detail)
    assert d.post("/api/counters/2/end", user="bertil").status_code == 200
    # Never in a record for the hub.
    bodies = [b for (b,) in rows(d, "SELECT body FROM outbox")]
    assert any(json.loads(b)["kind"] == "visit" and json.loads(b)["outcome"] == "transferred" for b in bodies)
    assert not any("tulkin" in b or "transfer_note" in b for b in bodies)
    # A restart reads it again while the ticket is still served elsewhere:
    # another transfer, without a note, shows none.
    r = d.post("/api/tickets", {"service": "guide"})
    t2 = r.json()["ticket"]["id"]
    assert d.post("/api/counters/1/call", {"ticket": t2}, user="anna").status_code == 200
    assert d.post("/api/counters/1/transfer", {"counter": 2, "note": "toinen"}, user="anna").status_code == 200
    d.restart()
    d.tokens.clear()
    assert d.post("/api/counters/2/call", {"ticket": t2}, user="bertil").status_code == 200
    c = d.get("/api/counters/2", user="bertil").json()
    assert c.get("counter", c)["ticket"]["transfer_note"] == "toinen"
    assert d.post("/api/counters/2/transfer", {"counter": 1}, user="bertil").status_code == 200
    assert d.post("/api/counters/1/call", {"ticket": t2}, user="anna").status_code == 200
    c = d.get("/api/counters/1", user="anna").json()
    assert c.get("counter", c)["ticket"]["transfer_note"] is None
    # Retention: a visit older than [identity] retention-days loses its note.
    d.stop()
    old = int(time.time()) - 100 * 86400
    with sqlite3.connect(d.db) as db:
        db.execute("UPDATE visits SET ended_at = ? WHERE ticket = ?", (old, ticket))
    d.start()
    d.tokens.clear()
    assert rows(d, "SELECT transfer_note, pruned_at > 0 FROM visits WHERE ticket = ? AND "
                   "outcome = 'transferred'", (ticket,)) == [(None, 1)]
    assert rows(d, "SELECT transfer_note FROM visits WHERE ticket = ? AND outcome = 'transferred'",
                (t2,))[0] == ("toinen",)
    assert d.stop() == 0


def test_trial_site_and_bad_trial_value(workdir):
    d = make_daemon(workdir, conf_with({("site", "trial"): "yes"}))
    assert record(d, {"service": "guide", "channel": "phone", "outcome": "resolved"}).json()["trial"] is True
    r = d.post("/api/tickets", {"service": "permits"})
    assert d.post("/api/counters/1/open", user="anna").status_code == 200
    assert d.post("/api/counters/1/call", user="anna").status_code == 200
    assert d.post("/api/counters/1/end", user="anna").status_code == 200
    assert rows(d, "SELECT trial FROM visits") == [(1,), (1,)]
    site = check_billing(d)
    assert site["events"] == 0 and site["trial"]["events"] == 2
    assert d.stop() == 0
    bad = conf_with({("service:tax", "trial"): "maybe"})
    path = workdir + "/bad.conf"
    open(path, "w").write(bad)
    r = subprocess.run([VUOROD, "--check-config", path], capture_output=True, text=True)
    assert r.returncode != 0 and "trial" in r.stderr and "[service:tax]" in r.stderr, r.stderr


def test_vuoroctl_visit_transfer_note_and_billing_columns(daemon):
    from test_cli import ctl
    from conftest import USERS
    assert ctl(daemon, "login", "anna", stdin=USERS["anna"][1] + "\n").returncode == 0
    r = ctl(daemon, "visit", "--service", "guide", "--channel", "provider_on_site", "--minutes", "12")
    assert r.returncode == 0, r.stderr
    assert "recorded: guide (kunta), provider_on_site, resolved" in r.stdout
    r = ctl(daemon, "visit", "--service", "guide", "--channel", "fax")
    assert r.returncode != 0 and "channel must be" in r.stderr, r.stderr
    assert rows(daemon, "SELECT channel, ended_at - started_at, user FROM visits") == [
        ("provider_on_site", 720, "anna")]
    assert daemon.post("/api/tickets", {"service": "guide"}).status_code == 201
    assert ctl(daemon, "open", "1").returncode == 0
    assert ctl(daemon, "call", "1").returncode == 0
    r = ctl(daemon, "transfer", "1", "--to-counter", "2", "--note", "soittaa takaisin")
    assert r.returncode == 0, r.stderr
    assert rows(daemon, "SELECT transfer_note FROM visits WHERE outcome = 'transferred'") == [
        ("soittaa takaisin",)]
    assert ctl(daemon, "login", "maija", stdin=USERS["maija"][1] + "\n").returncode == 0
    r = ctl(daemon, "report", "--kind", "billing", "--period", "day")
    assert r.returncode == 0, r.stderr
    head = r.stdout.splitlines()[1].split()
    assert head[-7:] == ["paper", "phone", "on_site", "noshow", "cancel", "interr", "trial"], head
