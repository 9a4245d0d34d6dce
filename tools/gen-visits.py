#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""gen-visits: a vuoro database holding a generated year of a service point.

    tools/gen-visits.py --db FILE [--visits 250000] [--seed 1] [--year 2025]
                        [--config board-config/sim.conf] [--vuorod build/vuorod]

The schema is vuorod's own: `vuorod --db FILE --add-user` creates and migrates
the file (the user is a manager, password from --password).  The providers,
services and counters of the board-config are mirrored the way vuorod does at
start, so that the services name their providers before vuorod ever runs.

Then, day by day (Monday to Friday, and the first Saturday of each month),
counters open and close (audit rows "open"/"close" with {"counter": N}, some
with a lunch break, now and then one left open overnight), tickets are drawn
with a morning and an afternoon peak and served by a small queue simulation:
every channel and outcome (resolved, referred, follow_up, transferred with a
second visit, no_show, cancelled, voided, reset, interrupted), categories of
matter, feedback tied to visits and feedback by the exit not tied to any, and
(unless --audit counters) the audit rows of every command.  Exactly --visits
visit rows; the same --seed gives the same file.

Only the standard library (sqlite3, zoneinfo, configparser, random).
"""
import argparse
import configparser
import datetime
import json
import math
import os
import random
import secrets
import sqlite3
import subprocess
import sys
import zoneinfo

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))

CATEGORIES = {
    "kunta": ["housing", "permits", "address", "social-services", "other"],
    "vero": ["tax-card", "tax-return", "inheritance", "other"],
    "kela": ["housing-allowance", "unemployment", "sickness", "family", "other"],
    "te": ["job-seeking", "training", "unemployment", "other"],
}
# Tickets per hour of the day (08 … 17), relative.
HOUR_WEIGHTS = [1.0, 1.6, 1.5, 1.2, 1.3, 1.4, 1.1, 0.9, 0.7, 0.4]
WEEKDAY_WEIGHTS = [1.3, 1.1, 1.0, 1.0, 0.8, 0.5]  # Mon … Sat
RATING_WEIGHTS = [6, 7, 12, 30, 45]  # 1 … 5


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", required=True, help="the database to create")
    p.add_argument("--visits", type=int, default=250000, help="visit rows (default 250000)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--year", type=int, default=2025)
    p.add_argument("--config", default=os.path.join(ROOT, "board-config", "sim.conf"))
    p.add_argument("--vuorod", default=os.environ.get("VUOROD", os.path.join(ROOT, "build", "vuorod")))
    p.add_argument("--user", default="gen-manager", help="the manager account to add")
    p.add_argument("--password", default=None, help="its password (default: random)")
    p.add_argument("--audit", choices=["full", "counters"], default="full",
                   help="audit rows of every command, or of counters' open/close only")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    return p.parse_args()


def read_config(path):
    cp = configparser.ConfigParser(interpolation=None, strict=False, comment_prefixes=("#", ";"),
                                   inline_comment_prefixes=None)
    cp.optionxform = str
    with open(path, encoding="utf-8") as f:
        cp.read_file(f)
    site = cp["site"] if cp.has_section("site") else {}
    reset = site.get("daily-reset", "03:00")
    conf = {
        "timezone": site.get("timezone", "Europe/Helsinki"),
        "reset_min": int(reset[:2]) * 60 + int(reset[3:5]),
        "providers": [],
        "services": [],
        "counters": [],
    }
    for sec in cp.sections():
        kind, _, code = sec.partition(":")
        s = cp[sec]
        if kind == "provider":
            conf["providers"].append((code, s.get("name-fi"), s.get("name-sv"), s.get("name-en")))
        elif kind == "service":
            conf["services"].append({
                "code": code, "provider": s["provider"], "prefix": s["prefix"],
                "kind": s.get("kind", "counter"), "service_min": int(s.get("service-min", "10")),
                "names": (s.get("name-fi"), s.get("name-sv"), s.get("name-en")),
            })
        elif kind == "counter":
            conf["counters"].append((int(code), s.get("name"), 1 if s.get("kind") == "expert" else 0))
    return conf


def create_schema(args):
    """vuorod makes the file: its schema, its migrations."""
    password = args.password or secrets.token_urlsafe(18)
    r = subprocess.run([args.vuorod, "--db", args.db, "--add-user", args.user, "--role", "manager"],
                       input=password + "\n", text=True, capture_output=True)
    if r.returncode != 0:
        sys.exit("gen-visits: vuorod --add-user failed: " + r.stderr.strip())


def mirror_config(db, conf):
    db.executemany("INSERT OR IGNORE INTO providers (code, name_fi, name_sv, name_en) VALUES (?, ?, ?, ?)",
                   conf["providers"])
    db.executemany("INSERT OR IGNORE INTO services (code, provider, prefix, kind, name_fi, name_sv, name_en) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)",
                   [(s["code"], s["provider"], s["prefix"], s["kind"]) + s["names"] for s in conf["services"]])
    db.executemany("INSERT OR IGNORE INTO counters (id, name, expert) VALUES (?, ?, ?)", conf["counters"])


def working_days(year):
    d = datetime.date(year, 1, 1)
    out = []
    while d.year == year:
        wd = d.weekday()
        if wd < 5 or (wd == 5 and d.day <= 7):
            out.append(d)
        d += datetime.timedelta(days=1)
    return out


def split(total, weights):
    """total split in proportion to weights, exactly."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(x) for x in raw]
    rest = total - sum(out)
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)[:rest]:
        out[i] += 1
    return out


class Gen:
    def __init__(self, args, conf):
        self.rnd = random.Random(args.seed)
        self.conf = conf
        self.tz = zoneinfo.ZoneInfo(conf["timezone"])
        self.full_audit = args.audit == "full"
        self.services = conf["services"]
        self.local = [s for s in self.services if s["kind"] != "remote"]
        self.remote = [s for s in self.services if s["kind"] == "remote"]
        self.ticket_id = 0
        self.tickets, self.visits, self.audit, self.feedback = [], [], [], []
        self.left_open = set()  # counters still open from an earlier day

    def pools(self, n_visits, open_min):
        """Counters: enough for the counter services at about 80 % load, and
        a few expert booths for the remote ones."""
        mean = sum(s["service_min"] for s in self.local) / len(self.local) + 1.5
        n = max(3, math.ceil(n_visits * mean / (0.8 * open_min)))
        experts = max(1, math.ceil(n / 12)) if self.remote else 0
        ids = list(range(1, n + experts + 1))
        return ids[:n], ids[n:]

    @staticmethod
    def plan(arrivals, fates, extra):
        yield from zip(arrivals, fates)
        while extra:  # grows while it is walked
            yield extra.pop()

    def fates(self, n_visits):
        """What becomes of each ticket of a day, drawn before the day is
        simulated so that the day has exactly n_visits visits."""
        rnd = self.rnd
        out = []
        left = n_visits
        while left > 0:
            remote = bool(self.remote) and rnd.random() < 0.08
            r = rnd.random()
            if r < 0.02:
                fate = "cancelled"
            elif r < 0.025:
                fate = "voided"
            elif r < 0.065:
                fate = "no_show"
            elif remote and r < 0.115:
                fate = "interrupted"
            elif not remote and r < 0.115 and left >= 2:
                fate = "transfer"
            else:
                fate = "served"
            left -= 2 if fate == "transfer" else 1
            out.append((remote, fate))
        return out

    def day(self, date, n_visits):
        rnd = self.rnd
        day = (date - datetime.date(1970, 1, 1)).days
        # Local midnight as unix time, with the day's daytime UTC offset (zone
        # changes happen at night).
        noon = datetime.datetime(date.year, date.month, date.day, 12, tzinfo=self.tz).timestamp()
        base = int(noon) - 12 * 3600
        saturday = date.weekday() == 5
        open_s, close_s = (10 * 3600, 14 * 3600) if saturday else (8 * 3600, (17 if date.weekday() == 4 else 18) * 3600)
        local_pool, expert_pool = self.pools(n_visits, (close_s - open_s) / 60 - 60)
        # Counter schedules: [(open, planned close)], one or two intervals.
        sched = {}
        for c in local_pool + expert_pool:
            start = open_s + rnd.randint(-600, 900)
            end = close_s - rnd.randint(0, 5400)
            if not saturday and rnd.random() < 0.3:
                lunch = 11 * 3600 + rnd.randint(1800, 5400)
                sched[c] = [[start, lunch], [lunch + rnd.randint(1800, 2700), end]]
            else:
                sched[c] = [[start, end]]
        free = {c: sched[c][0][0] for c in sched}
        last_end = {c: [iv[0] for iv in sched[c]] for c in sched}
        events = []  # (local second, audit tuple) of the day

        def audit(sec, user, command, detail):
            events.append((sec, user, command, json.dumps(detail, separators=(",", ":"))))

        # Tickets: arrival times with peaks, each with its fate.
        fates = self.fates(n_visits)
        hours = list(range(open_s // 3600, close_s // 3600))
        weights = HOUR_WEIGHTS[hours[0] - 8: hours[0] - 8 + len(hours)]
        arrivals = sorted(rnd.choices(hours, weights)[0] * 3600 + rnd.randint(0, 3599) for _ in fates)
        # A transfer whose first visit met the daily reset made one visit
        # less than planned: tickets given up while waiting make up for it.
        extra = []
        numbers = {}
        made = 0
        for issued_s, (remote, fate) in self.plan(arrivals, fates, extra):
            svc = rnd.choice(self.remote) if remote else rnd.choice(self.local)
            self.ticket_id += 1
            tid = self.ticket_id
            numbers[svc["prefix"]] = numbers.get(svc["prefix"], 0) + 1
            code = "%s%03d" % (svc["prefix"], numbers[svc["prefix"]])
            ref = "%05x%07x" % (day, tid)
            lang = rnd.choices(["fi", "sv", "en"], [85, 10, 5])[0]
            issued = base + issued_s
            if self.full_audit:
                audit(issued_s, "kiosk", "issue", {"ticket": tid, "service": svc["code"]})
            segments = self.serve(day, base, svc, fate, tid, code, lang, issued_s, sched, free, last_end,
                                  local_pool, expert_pool, audit)
            made += len(segments)
            if fate == "transfer" and len(segments) < 2:
                extra.append((rnd.choice(arrivals), (False, "cancelled")))
            last = segments[-1]
            state = {"no_show": "no_show", "cancelled": "cancelled", "voided": "voided",
                     "reset": "cancelled"}.get(last["outcome"], "done")
            self.tickets.append((tid, day, svc["code"], svc["code"], numbers[svc["prefix"]], code, ref, state, lang,
                                 issued, issued, last["called"], last["started"], last["ended"],
                                 last["counter"], last["channel"], last["outcome"]))
        # Counters: open and close rows.  A close waits for the last visit.
        for c, ivs in sched.items():
            user = "advisor%d" % c
            for k, (start, end) in enumerate(ivs):
                close = max(end, last_end[c][k] + rnd.randint(10, 120))
                if not (k == 0 and c in self.left_open):
                    audit(start, user, "open", {"counter": c})
                self.left_open.discard(c)
                if k == len(ivs) - 1 and rnd.random() < 0.01:
                    self.left_open.add(c)  # forgotten: closed on a later day
                    continue
                audit(close, user, "close", {"counter": c})
        events.sort(key=lambda e: e[0])
        self.audit.extend((base + sec, user, cmd, detail) for sec, user, cmd, detail in events)
        # Feedback by the exit, tied to no ticket (some name the provider).
        for _ in range(max(1, n_visits // 40)):
            sec = rnd.randint(open_s, close_s)
            prov = rnd.choice(self.conf["providers"])[0] if rnd.random() < 0.3 else None
            self.feedback.append((0, day, None, prov, 0, rnd.choices(range(1, 6), RATING_WEIGHTS)[0], "button",
                                  base + sec))
        return made

    def pick_counter(self, pool, t, sched, free):
        """The counter that can call first at or after t (None if none today)."""
        best = None
        for c in pool:
            ready = max(free[c], t)
            for k, (start, end) in enumerate(sched[c]):
                if ready < start:
                    ready = start
                if ready < end:
                    if best is None or ready < best[0]:
                        best = (ready, c, k)
                    break
        return best

    def serve(self, day, base, svc, fate, tid, code, lang, issued_s, sched, free, last_end, local_pool,
              expert_pool, audit):
        rnd = self.rnd
        remote = svc["kind"] == "remote"
        segments = []

        def visit(svc, counter, channel, outcome, called, started, ended, category):
            def unix(s):
                return base + s if s else 0

            v = {"called": unix(called), "started": unix(started), "ended": base + ended, "counter": counter,
                 "channel": channel, "outcome": outcome}
            self.visits.append((tid, day, svc["code"], svc["provider"], code, counter,
                                "advisor%d" % counter if counter else None, channel, outcome, lang,
                                base + issued_s, v["called"], v["started"], v["ended"], category))
            segments.append(v)
            return v

        channel = "remote_video" if remote else rnd.choices(["in_person", "e_service", "paper_form"], [80, 12, 8])[0]
        if fate == "cancelled":  # gave up waiting
            visit(svc, 0, channel, "cancelled", 0, 0, issued_s + rnd.randint(60, 1800), None)
            return segments
        if fate == "voided":  # a ticket never handed out
            visit(svc, 0, channel, "voided", 0, 0, issued_s + rnd.randint(5, 60), None)
            return segments
        t = issued_s + rnd.randint(5, 30)
        while True:
            pick = self.pick_counter(expert_pool if remote else local_pool, t, sched, free)
            if pick is None:  # nobody could call it today: the daily reset ends it
                reset_s = 24 * 3600 + self.conf["reset_min"] * 60
                visit(svc, 0, channel, "reset", 0, 0, reset_s, None)
                return segments
            called, counter, k = pick
            if self.full_audit:
                audit(called, "advisor%d" % counter, "call", {"counter": counter, "ticket": tid})
            if fate == "no_show":
                ended = called + rnd.randint(60, 240)
                visit(svc, counter, channel, "no_show", called, 0, ended, None)
                cmd = "no_show"
            elif fate == "interrupted":
                ended = called + rnd.randint(30, 300)
                visit(svc, counter, channel, "interrupted", called, 0, ended, None)
                cmd = "end"
            else:
                started = called + rnd.randint(10, 90)
                mean = svc["service_min"] * 60
                dur = int(min(5400, max(45, rnd.lognormvariate(math.log(mean) - 0.125, 0.5))))
                ended = started + dur
                if self.full_audit:
                    audit(started, "advisor%d" % counter, "start", {"counter": counter, "ticket": tid})
                o = rnd.random()
                outcome = "transferred" if fate == "transfer" else (
                    "resolved" if o < 0.75 else "referred" if o < 0.87 else "follow_up")
                cats = CATEGORIES.get(svc["provider"], ["other"])
                category = rnd.choice(cats) if rnd.random() < 0.85 else None
                visit(svc, counter, channel, outcome, called, started, ended, category)
                cmd = "end"
                if rnd.random() < 0.25:
                    rating = rnd.choices(range(1, 6), RATING_WEIGHTS)[0]
                    source = "booth" if remote else rnd.choice(["button", "kiosk"])
                    self.feedback.append((tid, day, svc["code"], svc["provider"], counter, rating, source,
                                          base + ended + rnd.randint(5, 90)))
            free[counter] = ended + rnd.randint(5, 40)
            last_end[counter][k] = max(last_end[counter][k], ended)
            # Back from lunch only after the last visit before it.
            ivs = sched[counter]
            if k + 1 < len(ivs) and ivs[k + 1][0] < ended + 300:
                ivs[k + 1][0] = ended + 300
                ivs[k + 1][1] = max(ivs[k + 1][1], ivs[k + 1][0] + 600)
            if self.full_audit:
                audit(ended, "advisor%d" % counter, cmd, {"counter": counter, "ticket": tid})
            if segments[-1]["outcome"] != "transferred":
                return segments
            # Sent on to another service: a second visit of the same ticket.
            svc = rnd.choice([s for s in self.local if s["code"] != svc["code"]] or self.local)
            channel = rnd.choices(["in_person", "e_service", "paper_form"], [80, 12, 8])[0]
            t = ended + rnd.randint(10, 60)
            fate = "served"


def main():
    args = parse_args()
    if os.path.exists(args.db):
        if not args.force:
            sys.exit("gen-visits: %s exists (--force replaces it)" % args.db)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(args.db + suffix):
                os.unlink(args.db + suffix)
    conf = read_config(args.config)
    create_schema(args)
    db = sqlite3.connect(args.db)
    if db.execute("PRAGMA user_version").fetchone()[0] < 4:
        sys.exit("gen-visits: %s is older than schema version 4" % args.db)
    mirror_config(db, conf)
    gen = Gen(args, conf)
    days = working_days(args.year)
    per_day = split(args.visits, [WEEKDAY_WEIGHTS[d.weekday()] for d in days])
    made = 0
    for d, n in zip(days, per_day):
        made += gen.day(d, n)
    assert made == args.visits == len(gen.visits), (made, len(gen.visits))
    with db:
        db.executemany("INSERT INTO tickets (id, day, service, origin, number, code, ref, state, lang, issued_at, "
                       "queued_at, called_at, started_at, ended_at, counter, channel, outcome) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", gen.tickets)
        db.executemany("INSERT INTO visits (ticket, day, service, provider, code, counter, user, channel, outcome, "
                       "lang, issued_at, called_at, started_at, ended_at, category) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", gen.visits)
        db.executemany("INSERT INTO audit (at, user, command, detail) VALUES (?, ?, ?, ?)", gen.audit)
        db.executemany("INSERT INTO feedback (ticket, day, service, provider, counter, rating, source, at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", gen.feedback)
    db.close()
    print("gen-visits: %s: %d visits, %d tickets, %d audit rows, %d feedback rows, %d days of %d"
          % (args.db, len(gen.visits), len(gen.tickets), len(gen.audit), len(gen.feedback), len(days), args.year))


if __name__ == "__main__":
    main()
