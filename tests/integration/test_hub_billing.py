# SPDX-License-Identifier: GPL-3.0-or-later
"""Billing statements at the hub (issue 15, item 4): real peers only — a real
nats-server (fleet.py, TLS, users by certificate), a real PostgreSQL 15
(pg.py), a real vuoro-hub with [prices], and real vuorod sites with [uplink]
serving visits.  The verdicts: for an open period the hub's events equal the
sum of the sites' own billing reports; a closed period's statement is
byte-identical after a late record, which shows as an adjustment in the next
open period; CSV says what JSON says; a provider-manager reads only its own
provider; a closed period is never closed twice nor reopened."""
import csv
import io
import json
import os
import sqlite3
import subprocess

import pytest
import requests

from conftest import ROOT, conf_with, make_daemon, wait_for
from hubweb import DB_ROLE, PASSWORD, HubWeb
from pg import Postgres
from test_hub_ingest import BUILD, HUB, SQL_DIR, Broker

PRICES = {
    "kunta.*.*": "9.90",
    "kunta.guide.remote_video": "12.00",
    "kela.*.*": "14.00",
    "kela.kela.e_service": "7.25",
    "vero.tax.*": "11.50",
    "vero.*.in_person": "3.00",  # tax.in_person takes vero.tax.* (service first)
}
BILLABLE_NOT = ("no_show", "cancelled", "voided", "reset", "interrupted")
DAY_2026_10_15 = 20741
DAY_2026_09_10 = 20706
DAY_2026_06_10 = 20614


class Web:
    """The hub's HTTP API as its users (hubweb.py's logins: cookie + CSRF)."""

    def __init__(self, hub):
        self.hub = hub
        self.sessions = {}

    def session(self, user):
        if user not in self.sessions:
            self.sessions[user] = self.hub.login(user)
        return self.sessions[user]

    def get(self, path, user):
        return self.session(user).get(self.hub.url(path), timeout=60)

    def post(self, path, user, body=None):
        return self.session(user).post(self.hub.url(path), json=body or {}, timeout=60)

    def statement(self, provider, period, user="boss", fmt=None):
        q = "provider=%s&period=%s" % (provider, period) + ("&format=" + fmt if fmt else "")
        r = self.get("/api/hub/billing/statements?" + q, user)
        assert r.status_code == 200, r.text
        return r


# The hub's users: (role, provider).
HUB_USERS = {"root": ("admin", None), "boss": ("manager", None),
             "kaisa": ("provider-manager", "kela")}


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    """One NATS node, PostgreSQL (the hub as an ordinary role, under
    row-level security), one vuoro-hub with its web and [prices]."""
    workdir = str(tmp_path_factory.mktemp("billing"))
    pg = Postgres(workdir)
    pg.psql("CREATE ROLE %s LOGIN; GRANT ALL ON SCHEMA public TO %s" % (DB_ROLE, DB_ROLE))
    broker = Broker(workdir, 1)
    hub = HubWeb(workdir, broker, pg, **{"duplicates-seconds": 60})
    with open(hub.conf, "a") as f:
        f.write("\n[billing]\ntime-zone = Europe/Helsinki\n\n[prices]\n")
        f.write("".join("%s = %s\n" % kv for kv in PRICES.items()))
    try:
        hub.start()
        wait_for(lambda: "pages and API" in hub.log() or hub.proc.poll() is not None, 20,
                 "the hub's web")
        assert hub.proc.poll() is None, hub.log()[-3000:]
        for name, (role, provider) in HUB_USERS.items():
            out = hub.add_user(name, role, provider)
            assert out.returncode == 0, out.stderr
        yield broker, pg, hub, Web(hub)
        hub.stop()
    finally:
        if hub.proc and hub.proc.poll() is None:
            hub.proc.kill()
            hub.proc.wait(10)
        broker.stop()
        pg.cleanup()


def stored(pg, where="TRUE"):
    return int(pg.psql("SELECT count(*) FROM visits WHERE %s" % where)[0][0])


# --- sites serving visits, the hub's statement against their own reports ---

def uplink_conf(broker, site):
    cert, key = broker.cluster.client("site-" + site)
    return conf_with({("uplink", "servers"): ";".join(broker.cluster.urls),
                      ("uplink", "site"): site, ("uplink", "ca"): broker.cluster.ca,
                      ("uplink", "cert"): cert, ("uplink", "key"): key,
                      ("uplink", "retry-max-seconds"): "2"})


def serve(d, counter, service, channel=None, outcome="resolved", user="anna"):
    r = d.post("/api/tickets", {"service": service, "lang": "fi", "handout": "screen"})
    assert r.status_code == 201, r.text
    ticket = r.json()["ticket"]["id"] if "ticket" in r.json() else r.json()["id"]
    r = d.post("/api/counters/%d/call" % counter, {"ticket": ticket}, user=user)
    assert r.status_code == 200, r.text
    if outcome == "no_show":
        r = d.post("/api/counters/%d/noshow" % counter, {}, user=user)
        assert r.status_code == 200, r.text
        return
    assert d.post("/api/counters/%d/start" % counter, {}, user=user).status_code == 200
    body = {"outcome": outcome}
    if channel:
        body["channel"] = channel
    r = d.post("/api/counters/%d/end" % counter, body, user=user)
    assert r.status_code == 200, r.text


def site_billing(d):
    """The site's own billing report: {(period, provider): row}."""
    r = d.get("/api/report?kind=billing&period=month", user="maija")
    assert r.status_code == 200, r.text
    return {(x["period"], x["provider"]): x for x in r.json()["billing"]}


def site_visits(db):
    """(provider, service, channel) → billable visits, from the site's own table."""
    out = {}
    with sqlite3.connect(db) as c:
        for provider, service, channel, outcome in c.execute(
                "SELECT s.provider, v.service, v.channel, v.outcome FROM visits v "
                "LEFT JOIN services s ON s.code = v.service"):
            if outcome in BILLABLE_NOT or not provider:
                continue
            k = (provider, service, channel)
            out[k] = out.get(k, 0) + 1
    return out


def test_open_period_equals_the_sites_own_reports(workdir, region):
    broker, pg, hub, web = region
    s1 = make_daemon(os.path.join(workdir), uplink_conf(broker, "s1"))
    os.makedirs(os.path.join(workdir, "b"))
    s2 = make_daemon(os.path.join(workdir, "b"), uplink_conf(broker, "s2"))
    try:
        for d in (s1, s2):
            for c in (1, 2):
                assert d.post("/api/counters/%d/open" % c, {}, user="anna" if c == 1 else "bertil").status_code == 200
        serve(s1, 1, "guide")
        serve(s1, 1, "guide", "remote_video")
        serve(s1, 1, "kela", "e_service")
        serve(s1, 1, "kela")
        serve(s1, 1, "guide", outcome="no_show")
        serve(s1, 2, "tax", user="bertil")
        serve(s1, 2, "tax", "paper_form", outcome="referred", user="bertil")
        serve(s2, 1, "permits", "in_person")
        serve(s2, 2, "tax", user="bertil")
        serve(s2, 2, "kela", "remote_video", outcome="follow_up", user="bertil")
        serve(s2, 2, "kela", outcome="no_show", user="bertil")

        def site_rows(d):
            with sqlite3.connect(d.db) as c:
                return c.execute("SELECT count(*) FROM visits").fetchone()[0]
        want = site_rows(s1) + site_rows(s2)
        before = stored(pg, "site IN ('s1', 's2')")
        wait_for(lambda: stored(pg, "site IN ('s1', 's2')") == want, 30,
                 "every visit of both sites at the hub (%d before)" % before)

        reports = [site_billing(s1), site_billing(s2)]
        # The month the sites served in (their service day's).
        period = next(p for (p, prov), row in reports[0].items()
                      if p != "total" and prov == "*" and row["events"] > 0)
        visits = [site_visits(s1.db), site_visits(s2.db)]
        for provider in ("kunta", "kela", "vero"):
            st = web.statement(provider, period).json()
            assert st["state"] == "open" and st["provider"] == provider
            assert st["unpriced"] == []
            # Per channel: the sites' own reports, summed.
            channels = {}
            for rep in reports:
                row = rep.get((period, provider))
                for ch, n in (row["channels"] if row else {}).items():
                    channels[ch] = channels.get(ch, 0) + n
            # (The other tests' site s3 may bill in this month too.)
            lines = [l for l in st["lines"] if l["site"] in ("s1", "s2")]
            hub_channels = {}
            for line in lines:
                hub_channels[line["channel"]] = hub_channels.get(line["channel"], 0) + line["events"]
            assert hub_channels == {k: v for k, v in channels.items() if v} != {}
            assert sum(l["events"] for l in lines) == sum(
                rep[(period, provider)]["events"] for rep in reports if (period, provider) in rep)
            sites = {x["site"]: x for x in st["sites"]}
            for site in ("s1", "s2"):
                assert sites[site]["events"] == sum(l["events"] for l in lines if l["site"] == site)
            # Per site × service × channel: each site's own visits.
            for site, vis in zip(("s1", "s2"), visits):
                mine = {(l["service"], l["channel"]): l["events"] for l in st["lines"]
                        if l["site"] == site}
                theirs = {(s, ch): n for (p, s, ch), n in vis.items() if p == provider}
                assert mine == theirs, (provider, site)
            # Prices: the most specific key wins; amounts add up.
            for line in st["lines"]:
                assert line["amount_cents"] == line["unit_cents"] * line["events"]
            assert st["total"]["amount_cents"] == sum(l["amount_cents"] for l in st["lines"])
            assert sum(s["events"] for s in st["sites"]) == st["total"]["events"]
        kela = web.statement("kela", period).json()
        units = {(l["service"], l["channel"]): l["unit_cents"] for l in kela["lines"]}
        assert units[("kela", "e_service")] == 725 and units[("kela", "in_person")] == 1400
        vero = web.statement("vero", period).json()
        assert {l["unit_cents"] for l in vero["lines"]} == {1150}
        kunta = web.statement("kunta", period).json()
        units = {(l["service"], l["channel"]): l["unit_cents"] for l in kunta["lines"]}
        assert units[("guide", "remote_video")] == 1200 and units[("guide", "in_person")] == 990
    finally:
        for d in (s1, s2):
            d.stop()


# --- closing a period, late records, CSV, roles ---

SEQ = {"n": 1000}


def visit(site, day, provider, service, channel, outcome="resolved"):
    SEQ["n"] += 1
    seq = SEQ["n"]
    at = day * 86400 + 36000
    r = {"v": 1, "kind": "visit", "seq": seq, "at": at, "visit": seq, "ticket": seq, "day": day,
         "service": service, "provider": provider, "counter": 1, "channel": channel,
         "outcome": outcome, "lang": "fi", "recalls": 0, "transfers": 0, "appointment": False,
         "issued_at": at - 600, "called_at": at - 300, "started_at": at - 290, "ended_at": at}
    return {"subject": "vuoro.rec.%s.visit" % site, "id": "%s-ab12-%d" % (site, seq),
            "body": json.dumps(r, separators=(",", ":"))}


def publish_and_wait(broker, pg, msgs):
    want = stored(pg) + len(msgs)
    out = broker.publish(msgs, name="pub%d" % SEQ["n"])
    assert out["published"] == len(msgs) and out["duplicates"] == 0
    wait_for(lambda: stored(pg) == want, 30, "the hub stored %d visits" % len(msgs))


def csv_rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def assert_csv_is_json(st, text):
    rows = csv_rows(text)
    assert len(rows) == len(st["lines"])
    for row, line in zip(rows, st["lines"]):
        assert row["period"] == st["period"] and row["provider"] == st["provider"]
        assert row["state"] == st["state"]
        for k in ("site", "service", "channel", "belongs_to"):
            # a field a spreadsheet would run as a formula is made inert
            assert row[k] == ("'" if line[k][:1] in ("=", "+", "-", "@") else "") + line[k]
        assert row["adjustment"] == ("yes" if line["adjustment"] else "no")
        assert int(row["events"]) == line["events"]
        assert row["unit_price"] == "%d.%02d" % divmod(line["unit_cents"], 100)
        assert row["amount"] == "%d.%02d" % divmod(line["amount_cents"], 100)


def test_close_freezes_and_late_records_become_adjustments(region):
    broker, pg, hub, web = region
    d = DAY_2026_10_15
    publish_and_wait(broker, pg, [
        visit("s3", d, "kela", "kela", "in_person"),
        visit("s3", d, "kela", "kela", "in_person"),
        visit("s3", d + 1, "kela", "kela", "e_service"),
        visit("s3", d, "kela", "kela", "in_person", outcome="no_show"),
        visit("s3", d, "kela", "kela", "in_person", outcome="cancelled"),
        visit("s3", d, "vero", "tax", "remote_video"),
    ])
    st = web.statement("kela", "2026-10").json()
    assert st["state"] == "open" and st["total"]["events"] == 3
    assert st["total"]["amount_cents"] == 2 * 1400 + 725
    # Only an admin closes.
    assert web.post("/api/hub/billing/periods/2026-10/close", "boss").status_code == 403
    r = web.post("/api/hub/billing/periods/2026-10/close", "root")
    assert r.status_code == 200, r.text
    closed_json = web.statement("kela", "2026-10").content
    closed_csv = web.statement("kela", "2026-10", fmt="csv").content
    closed_vero = web.statement("vero", "2026-10").content
    st = json.loads(closed_json)
    assert st["state"] == "closed" and st["closed_by"] == "root" and st["total"]["events"] == 3
    assert_csv_is_json(st, closed_csv.decode())

    # Late: a visit of 2026-10 stored after the close, and one of November.
    publish_and_wait(broker, pg, [visit("s3", d + 2, "kela", "kela", "in_person"),
                                  visit("s3", d + 2, "kela", "kela", "in_person", outcome="voided"),
                                  visit("s3", d + 20, "kela", "kela", "remote_video")])
    assert web.statement("kela", "2026-10").content == closed_json
    assert web.statement("kela", "2026-10", fmt="csv").content == closed_csv
    assert web.statement("vero", "2026-10").content == closed_vero
    nov = web.statement("kela", "2026-11").json()
    assert nov["state"] == "open"
    own = [l for l in nov["lines"] if not l["adjustment"]]
    adj = [l for l in nov["lines"] if l["adjustment"]]
    assert [(l["channel"], l["events"], l["belongs_to"]) for l in own] == [("remote_video", 1, "2026-11")]
    assert [(l["site"], l["channel"], l["events"], l["belongs_to"]) for l in adj] == \
        [("s3", "in_person", 1, "2026-10")]
    assert nov["total"]["adjustment_events"] == 1 and nov["total"]["adjustment_cents"] == 1400
    assert nov["total"]["events"] == 2
    assert_csv_is_json(nov, web.statement("kela", "2026-11", fmt="csv").text)

    # Never twice, never reopened, never edited in PostgreSQL either.
    r = web.post("/api/hub/billing/periods/2026-10/close", "root")
    assert r.status_code == 409 and "closed already" in r.json()["message"]
    assert web.post("/api/hub/billing/periods/2026-10/reopen", "root").status_code in (404, 405)
    for sql in ("DELETE FROM billing_periods", "UPDATE billing_lines SET events = 0",
                "TRUNCATE billing_lines CASCADE"):
        with pytest.raises(subprocess.CalledProcessError) as e:
            pg.psql(sql)
        assert "never changes" in e.value.stderr
    # The current month has not ended.
    cur = web.get("/api/hub/billing/periods", "boss").json()["current"]
    r = web.post("/api/hub/billing/periods/%s/close" % cur, "root")
    assert r.status_code == 409 and "not ended" in r.json()["message"]

    # November closed with its adjustment; a later late one goes to the next open.
    assert web.post("/api/hub/billing/periods/2026-11/close", "root").status_code == 200
    assert json.loads(web.statement("kela", "2026-11").content)["lines"] == nov["lines"]
    publish_and_wait(broker, pg, [visit("s3", d + 3, "kela", "kela", "e_service")])
    dec = web.statement("kela", "2026-12").json()
    assert [(l["channel"], l["belongs_to"]) for l in dec["lines"] if l["adjustment"]] == \
        [("e_service", "2026-10")]
    assert web.statement("kela", "2026-10").content == closed_json

    periods = web.get("/api/hub/billing/periods", "boss").json()["periods"]
    state = {p["period"]: p["state"] for p in periods}
    assert state["2026-10"] == "closed" and state["2026-11"] == "closed" and state[cur] == "open"


def test_a_period_with_an_unpriced_line_cannot_be_closed(region):
    broker, pg, hub, web = region
    publish_and_wait(broker, pg, [visit("s3", DAY_2026_09_10, "te", "te-video", "remote_video")])
    st = web.statement("te", "2026-09").json()
    assert st["unpriced"] == ["te.te-video.remote_video"]
    assert st["lines"][0]["amount_cents"] is None and st["total"]["unpriced_events"] == 1
    r = web.post("/api/hub/billing/periods/2026-09/close", "root")
    assert r.status_code == 409 and "te.te-video.remote_video" in r.json()["message"]
    state = {p["period"]: p["state"] for p in web.get("/api/hub/billing/periods", "root").json()["periods"]}
    assert state["2026-09"] == "open"


def test_a_provider_manager_reads_only_its_provider(region):
    broker, pg, hub, web = region
    publish_and_wait(broker, pg, [visit("s3", DAY_2026_09_10 + 5, "kela", "kela", "in_person"),
                                  visit("s3", DAY_2026_09_10 + 5, "vero", "tax", "in_person"),
                                  visit("s3", DAY_2026_09_10 + 6, "kela", '=HYPERLINK("x")',
                                        "in_person")])
    r = web.get("/api/hub/billing/statements?provider=vero&period=2026-09", "kaisa")
    assert r.status_code == 403, r.text
    r = web.get("/api/hub/billing/statements?provider=vero&period=2026-09&format=csv", "kaisa")
    assert r.status_code == 403, r.text
    mine = web.get("/api/hub/billing/statements?provider=kela&period=2026-09", "kaisa")
    assert mine.status_code == 200 and mine.json()["total"]["events"] == 2
    text = web.get("/api/hub/billing/statements?provider=kela&period=2026-09&format=csv",
                   "kaisa").text
    assert '"\'=HYPERLINK(""x"")"' in text
    assert_csv_is_json(mine.json(), text)
    # Without provider: its own.
    r = web.get("/api/hub/billing/statements?period=2026-09", "kaisa")
    assert r.status_code == 200 and r.json()["provider"] == "kela"
    assert web.post("/api/hub/billing/periods/2026-09/close", "kaisa").status_code == 403
    # The manager sees both.
    assert web.statement("vero", "2026-09").json()["total"]["events"] >= 1
    # In PostgreSQL too (row-level security, as the hub's role): the
    # statement's query in a provider-manager's scope sees its provider only.
    def lines(scope, provider, want):
        return int(pg.psql(
            "SET ROLE %s; SELECT set_config('vuoro.scope', '%s', false), "
            "set_config('vuoro.provider', '%s', false); "
            "SELECT count(*) FROM hub_billing_open_lines('2026-09-01', %s)"
            % (DB_ROLE, scope, provider, want))[-1][0])
    assert lines("", "kela", "'vero'") == 0 and lines("", "kela", "NULL") >= 1
    assert lines("all", "", "'vero'") >= 1


@pytest.mark.parametrize("key,value,says", [
    ("kela.guide", "12.50", "PROVIDER.SERVICE.CHANNEL"),
    ("kela.guide.fax", "12.50", "in_person, remote_video"),
    ("kela.guide.in_person", "12,50", "like 12.50"),
    ("kela.guide.in_person", "-3", "like 12.50"),
    ("kela.guide.in_person", "1.505", "like 12.50"),
    ("*.guide.in_person", "1.50", "PROVIDER.SERVICE.CHANNEL"),
])
def test_a_bad_price_is_refused_with_what_to_write(workdir, key, value, says):
    conf = os.path.join(workdir, "hub.conf")
    with open(conf, "w") as f:
        f.write("[nats]\nservers = nats://127.0.0.1:1\n[postgres]\nconninfo = x\nsql-dir = %s\n"
                "[prices]\n%s = %s\n" % (SQL_DIR, key, value))
    r = subprocess.run([HUB, "--config", conf], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2
    assert "[prices] %s" % key in r.stderr and says in r.stderr, r.stderr


def page(hub, user, lang, provider, period, *action):
    """tests/e2e/hub-billing-page.mjs in a real Chromium: what it saw."""
    e2e = os.path.join(ROOT, "tests", "e2e")
    r = subprocess.run(["node", os.path.join(e2e, "hub-billing-page.mjs"), hub.url(""), user,
                        PASSWORD % user, lang, provider, period, *action],
                       cwd=e2e, capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, BUILD_DIR=BUILD))
    assert r.returncode == 0, r.stdout + r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_the_printable_page(region):
    broker, pg, hub, web = region
    publish_and_wait(broker, pg, [visit("s3", DAY_2026_09_10 + 7, "vero", "tax", "in_person"),
                                  visit("s2", DAY_2026_09_10 + 8, "vero", "tax", "paper_form"),
                                  visit("s2", DAY_2026_09_10 + 8, "kela", "kela", "in_person")])
    st = web.statement("vero", "2026-09").json()
    seen = page(hub, "root", "fi", "vero", "2026-09")
    assert seen["errors"] == [] and seen["hiddenInPrint"] and seen["pdfBytes"] > 1000
    assert seen["heading"] == "Laskutus" and "vero" in seen["title"] and "syyskuu 2026" in seen["title"]
    assert seen["closeVisible"]  # an admin, an ended open month
    assert len(seen["rows"]) == len(st["lines"])
    for row, line in zip(seen["rows"], st["lines"]):
        assert row[0].startswith(line["site"]) and row[1] == line["service"]
        assert row[3] == str(line["events"])
    assert seen["sums"][0] == "Yhteensä" and seen["sums"][1] == str(st["total"]["events"])
    assert seen["csvHref"].endswith("provider=vero&period=2026-09&format=csv")
    # A provider-manager: its own provider only, no close.
    seen = page(hub, "kaisa", "sv", "kela", "2026-09")
    assert seen["errors"] == [] and seen["providers"] == ["kela"] and seen["providerDisabled"]
    assert not seen["closeVisible"] and seen["heading"] == "Fakturering"
    # An admin closes a month on the page (English): the statement says so.
    publish_and_wait(broker, pg, [visit("s2", DAY_2026_06_10, "vero", "tax", "e_service")])
    seen = page(hub, "root", "en", "vero", "2026-06", "close")
    assert seen["errors"] == [] and seen["closedSaid"] == "June 2026 closed."
    assert seen["state"].startswith("Closed ") and "by root" in seen["state"]
    assert not seen["closeVisible"]
    assert web.statement("vero", "2026-06").json()["state"] == "closed"


def test_a_close_while_records_stream_in_loses_none(region):
    """Every visit of a month closed mid-ingest is in its frozen lines or, if
    stored after the close, an adjustment of the next month: never both,
    never neither (the close holds the ledger in SHARE mode; without that
    lock a batch begun before the close and committed after it went missing
    in 1 run of 3)."""
    broker, pg, hub, web = region
    july = 20635  # 2026-07-01
    msgs = [visit("s3", july + i % 31, "kela", "kela", ("in_person", "e_service")[i % 2])
            for i in range(30000)]
    before = stored(pg)
    procs = broker.publish_async(msgs, name="race")
    wait_for(lambda: stored(pg) > before + 2000, 90, "the first visits of July stored")
    r = web.post("/api/hub/billing/periods/2026-07/close", "root")
    assert r.status_code == 200, r.text
    for p in procs:
        assert p.wait(120) == 0, p.stderr.read()
    wait_for(lambda: stored(pg) == before + len(msgs), 180, "every visit of July stored")
    closed = web.statement("kela", "2026-07").json()
    late = [l for l in web.statement("kela", "2026-08").json()["lines"]
            if l["adjustment"] and l["belongs_to"] == "2026-07"]
    frozen = closed["total"]["events"]
    assert frozen + sum(l["events"] for l in late) == len(msgs)
    print("race: %d frozen, %d late" % (frozen, len(msgs) - frozen))
    assert 0 < frozen < len(msgs), "the close did not fall mid-ingest (%d)" % frozen


# --- trial mode (issue 17, item 10) and visits without a ticket ---

def test_trial_visits_stay_out_of_the_statement_and_are_shown_apart(workdir, region):
    """A real site whose tax service is on trial (board-config trial = yes)
    serves tax and guide visits and records ticketless ones (phone,
    provider_on_site): the hub bills what the site's own billing report
    bills, per channel, and shows the trial visits apart — counted from the
    site's own rows.  A closed month's trial figures never change."""
    broker, pg, hub, web = region
    text = uplink_conf(broker, "site-4")
    text = text.replace("[service:tax]", "[service:tax]\ntrial = yes", 1)
    d = make_daemon(os.path.join(workdir), text)
    try:
        assert d.post("/api/counters/2/open", {}, user="bertil").status_code == 200
        serve(d, 2, "tax", user="bertil")
        serve(d, 2, "tax", "e_service", user="bertil")
        serve(d, 2, "tax", outcome="no_show", user="bertil")
        serve(d, 2, "guide", user="bertil")
        for body in ({"service": "tax", "channel": "phone", "outcome": "resolved"},
                     {"service": "guide", "channel": "phone", "outcome": "referred"},
                     {"service": "guide", "channel": "provider_on_site", "outcome": "resolved"}):
            r = d.post("/api/visits", body, user="bertil")
            assert r.status_code == 201, r.text
        with sqlite3.connect(d.db) as c:
            rows = c.execute("SELECT provider, service, channel, outcome, trial FROM visits").fetchall()
        wait_for(lambda: stored(pg, "site = 'site-4'") == len(rows), 30, "the site's visits at the hub")
        assert stored(pg, "site = 'site-4' AND trial") == sum(1 for r in rows if r[4])
        period = next(p for (p, prov), row in site_billing(d).items()
                      if p != "total" and prov == "*" and row["events"] + row["trial"]["events"] > 0)
        for provider in ("vero", "kunta"):
            billed, trial = {}, {}
            for prov, service, channel, outcome, is_trial in rows:
                if prov != provider or outcome in BILLABLE_NOT:
                    continue
                k = (service, channel)
                (trial if is_trial else billed)[k] = (trial if is_trial else billed).get(k, 0) + 1
            st = web.statement(provider, period).json()
            mine = {(l["service"], l["channel"]): l["events"] for l in st["lines"] if l["site"] == "site-4"}
            assert mine == billed, provider
            shown = {(x["service"], x["channel"]): x["events"] for x in st["trial"] if x["site"] == "site-4"}
            assert shown == trial, provider
            # … as the site's own billing report has it.
            own = site_billing(d)[(period, provider)]
            assert own["events"] == sum(billed.values()) and own["trial"]["events"] == sum(trial.values())
        vero = web.statement("vero", period).json()
        assert {(x["service"], x["channel"]) for x in vero["trial"] if x["site"] == "site-4"} == {
            ("tax", "in_person"), ("tax", "e_service"), ("tax", "phone")}
        assert not [l for l in vero["lines"] if l["site"] == "site-4"]
        kunta = web.statement("kunta", period).json()
        assert {l["channel"] for l in kunta["lines"] if l["site"] == "site-4"} == {
            "in_person", "phone", "provider_on_site"}
    finally:
        d.stop()


def test_a_closed_months_trial_visits_do_not_change(region):
    broker, pg, hub, web = region
    march = 20522  # 2026-03-10

    def trial_visit(channel):
        m = visit("site-5", march, "kunta", "guide", channel)
        body = json.loads(m["body"])
        body["trial"] = True
        m["body"] = json.dumps(body, separators=(",", ":"))
        return m

    publish_and_wait(broker, pg, [trial_visit("phone"), trial_visit("phone"),
                                  visit("site-5", march, "kunta", "guide", "in_person")])
    st = web.statement("kunta", "2026-03").json()
    assert [(l["site"], l["channel"], l["events"]) for l in st["lines"]] == [("site-5", "in_person", 1)]
    assert st["trial"] == [{"site": "site-5", "service": "guide", "channel": "phone", "events": 2}]
    assert web.post("/api/hub/billing/periods/2026-03/close", "root").status_code == 200
    closed = web.statement("kunta", "2026-03").content
    publish_and_wait(broker, pg, [trial_visit("phone")])
    assert web.statement("kunta", "2026-03").content == closed
    assert json.loads(closed)["trial"][0]["events"] == 2
    # The page shows them apart from the lines (axe checks it).
    seen = page(hub, "root", "en", "kunta", "2026-03")
    assert seen["errors"] == [] and seen["rows"][0][:4] == ["site-5", "guide", "in person", "1"]
    assert seen["trialRows"] == [["site-5", "guide", "phone", "2"]], seen
