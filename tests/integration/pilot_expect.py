# SPDX-License-Identifier: GPL-3.0-or-later
"""The independent side of the reports' booths and pilot kinds (and of a
booth's idle time): the board-config read with configparser, the figures
computed from the raw SQLite rows with our own code (definitions:
firmware/report/report_pilot.h)."""
import configparser
import datetime
import json
import math
import sqlite3
from collections import defaultdict

EPOCH = datetime.date(1970, 1, 1)
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
NON_EVENTS = {"no_show", "cancelled", "voided", "reset", "interrupted"}
ENDS = {"expert_ended": "served", "no_answer": "no_answer", "network_lost": "network_lost",
        "customer_left": "customer_left", "error": "error"}
ALL = "*"


def rounded(num, den, scale=10):
    if not den:
        return None
    return math.floor(scale * num / den + 0.5) / scale


def rank_pick(values):
    """Median and p90 by nearest rank: ranks ceil(n/2) and ceil(9n/10)."""
    if not values:
        return None, None
    v = sorted(values)
    n = len(v)
    return v[(n + 1) // 2 - 1], v[(9 * n + 9) // 10 - 1]


def parse_hours(text):
    """'mon-thu 08:00-18:00; fri 08:00-17:00' → [(open_min, close_min)] * 7."""
    out = [(0, 0)] * 7
    for item in text.split(";"):
        item = item.strip()
        if not item:
            continue
        days, times = item.split()
        a, _, b = days.partition("-")
        lo, hi = DAYS.index(a), DAYS.index(b or a)
        o, _, c = times.partition("-")
        to_min = lambda hhmm: int(hhmm[:2]) * 60 + int(hhmm[3:5])
        for d in range(lo, hi + 1):
            out[d] = (to_min(o), to_min(c))
    return out


class Conf:
    def __init__(self, path):
        cp = configparser.ConfigParser(interpolation=None, strict=False)
        cp.read(path, encoding="utf-8")
        self.services, self.booths = {}, {}
        for g in cp.sections():
            if g.startswith("service:"):
                s = cp[g]
                start = s.get("start-date")
                self.services[g[8:]] = {
                    "provider": s["provider"], "kind": s.get("kind", "counter"),
                    "hours": parse_hours(s["hours"]),
                    "start": (datetime.date.fromisoformat(start) - EPOCH).days if start else None,
                    "start_date": start}
            elif g.startswith("counter:") and cp[g].get("kind") == "expert":
                self.booths[int(g[8:])] = [p.split(":")[0].strip() for p in cp[g]["profile"].split(",")]

    def booth_minutes(self, booth):
        svcs = self.booths[booth]
        remote = [s for s in svcs if self.services[s]["kind"] == "remote"] or svcs
        minutes = [set() for _ in range(7)]
        for s in remote:
            for w, (o, c) in enumerate(self.services[s]["hours"]):
                minutes[w].update(range(o, min(c, 1440)))
        return minutes

    def booth_open(self, booth, day, tz, now):
        """Open seconds of @booth on service day @day: its hours' runs on that
        date, from local midnight, cut at now."""
        minutes = self.booth_minutes(booth)[(day + 3) % 7]
        d = EPOCH + datetime.timedelta(days=day)
        midnight = int(datetime.datetime(d.year, d.month, d.day, tzinfo=tz).timestamp())
        total, m = 0, 0
        while m < 1440:
            if m not in minutes:
                m += 1
                continue
            end = m
            while end < 1440 and end in minutes:
                end += 1
            a, z = midnight + 60 * m, min(midnight + 60 * end, now)
            total += max(0, z - a)
            m = end
        return total


def session_days(db, from_day, to_day):
    """(booth, day) → seconds in session of the ended sessions."""
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    out = defaultdict(int)
    for booth, day, created, ended in con.execute(
            "SELECT booth, day, created_at, ended_at FROM sessions WHERE day >= ? AND day < ?",
            (from_day, to_day)):
        out[(booth, day)] += max(0, ended - created)
    con.close()
    return out


def booths_expected(db, conf, from_day, to_day, label, tz, now):
    """(period, booth, provider) → the row's figures."""
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    rows = defaultdict(lambda: {"open_s": 0, "session_s": 0, "sessions": 0, "left_before_served": 0,
                                "waits": [], **{e: 0 for e in ENDS.values()}})
    booths = set(conf.booths)
    sessions = con.execute("SELECT booth, day, provider, end_reason, created_at, ended_at FROM sessions "
                           "WHERE day >= ? AND day < ?", (from_day, to_day)).fetchall()
    booths |= {s[0] for s in sessions}

    def keys(booth, prov, day):
        out = []
        for per in (label(day), "total"):
            out += [(per, 0, prov), (per, 0, ALL)]
            if booth:
                out += [(per, booth, prov), (per, booth, ALL)]
        return out

    for booth, day, prov, reason, created, ended in sessions:
        for k in keys(booth, prov, day):
            r = rows[k]
            r["sessions"] += 1
            r["session_s"] += max(0, ended - created)
            if reason in ENDS:
                r[ENDS[reason]] += 1
    for counter, day, prov, outcome, issued, called in con.execute(
            "SELECT v.counter, v.day, v.provider, v.outcome, v.issued_at, v.called_at FROM visits v, services s "
            "WHERE s.code = v.service AND s.kind = 'remote' AND v.day >= ? AND v.day < ?", (from_day, to_day)):
        for k in keys(counter if counter in booths else 0, prov, day):
            r = rows[k]
            r["left_before_served"] += outcome in ("no_show", "cancelled")
            if called > 0:
                r["waits"].append(called - issued)
    for per in {label(d) for d in range(from_day, to_day)} | {"total"}:
        rows[(per, 0, ALL)]
        for b in booths:
            rows[(per, b, ALL)]
    for day in range(from_day, to_day):
        for b in booths:
            o = conf.booth_open(b, day, tz, now) if b in conf.booths else 0
            for k in list(rows):
                if k[0] in (label(day), "total") and k[1] in (b, 0):
                    rows[k]["open_s"] += o
    con.close()
    for r in rows.values():
        r["waited"] = len(r["waits"])
        r["wait_median_s"], r["wait_p90_s"] = rank_pick(r.pop("waits"))
        r["occupancy_pct"] = rounded(100 * r["session_s"], r["open_s"])
    return rows


def pilot_expected(db, conf, from_day, to_day, periods, day_start, now):
    """(period, provider, service) → the row's figures.  @periods: [(label,
    from, to)]; @day_start(day): the service day's first second."""
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    n = to_day - from_day
    spans = periods + [("total", from_day, to_day)]
    label_of = {d: lab for lab, a, b in periods for d in range(a, b)}
    rows = defaultdict(lambda: {"events": 0, "previous_events": 0, "resolved": 0, "referred": 0,
                                "follow_up": 0, "chains": 0, "staff_s": 0, "new_services": 0})
    visits = con.execute("SELECT ticket, day, provider, service, outcome FROM visits WHERE day >= ? AND day < ? "
                         "ORDER BY ticket, id", (from_day - n, to_day)).fetchall()
    events_day = defaultdict(int)  # (provider, service, day)
    tickets = defaultdict(list)
    pairs = set()
    for ticket, day, prov, svc, outcome in visits:
        pairs.add((prov, svc))
        if outcome not in NON_EVENTS:
            events_day[(prov, svc, day)] += 1
        if day < from_day:
            continue
        for per in (label_of[day], "total"):
            for k in ((per, prov, svc), (per, prov, ALL), (per, ALL, ALL)):
                r = rows[k]
                r["events"] += outcome not in NON_EVENTS
                if outcome in ("resolved", "referred", "follow_up"):
                    r[outcome] += 1
        if outcome not in NON_EVENTS:
            tickets[ticket].append((day, prov, svc))
    for prov, svc in pairs:
        for lab, a, b in spans:
            prev = sum(events_day.get((prov, svc, d), 0) for d in range(a - (b - a), a))
            for k in ((lab, prov, svc), (lab, prov, ALL), (lab, ALL, ALL)):
                rows[k]["previous_events"] += prev
    for visits_of in tickets.values():
        provs = {p for _, p, _ in visits_of}
        if len(provs) < 2:
            continue
        day = min(d for d, _, _ in visits_of)
        for per in (label_of[day], "total"):
            rows[(per, ALL, ALL)]["chains"] += 1
            for p in provs:
                rows[(per, p, ALL)]["chains"] += 1
            for p, s in {(p, s) for _, p, s in visits_of}:
                rows[(per, p, s)]["chains"] += 1
    # Staff time: audit open → close per counter, by the opener's provider.
    users = dict(con.execute("SELECT name, provider FROM users"))
    lo, hi = day_start(from_day), day_start(to_day)
    since = {}

    def add(prov, a, b):
        a, b = max(a, lo), min(b, hi, now)
        for day in range(from_day, to_day):
            s, e = max(a, day_start(day)), min(b, day_start(day + 1))
            if e > s:
                for per in (label_of[day], "total"):
                    rows[(per, prov, ALL)]["staff_s"] += e - s
                    rows[(per, ALL, ALL)]["staff_s"] += e - s

    for at, user, command, detail in con.execute(
            "SELECT at, user, command, detail FROM audit WHERE command IN ('open', 'close') ORDER BY id"):
        if at >= hi:
            continue
        counter = json.loads(detail).get("counter")
        if command == "open":
            if counter not in since:
                since[counter] = (at, users.get(user) or "")
        elif counter in since:
            a, prov = since.pop(counter)
            add(prov, a, at)
    for a, prov in since.values():
        add(prov, a, now)
    for code, s in conf.services.items():
        if s["start"] is not None and from_day <= s["start"] < to_day:
            for per in (label_of[s["start"]], "total"):
                for k in ((per, s["provider"], code), (per, s["provider"], ALL), (per, ALL, ALL)):
                    rows[k]["new_services"] += 1
    con.close()
    for (per, prov, svc), r in rows.items():
        fin = r["resolved"] + r["referred"] + r["follow_up"]
        r["growth_pct"] = rounded(100 * (r["events"] - r["previous_events"]), r["previous_events"])
        r["resolved_pct"] = rounded(100 * r["resolved"], fin)
        r["referred_pct"] = rounded(100 * r["referred"], fin)
        if svc != ALL:
            r["staff_s"] = None
            r["start_date"] = conf.services.get(svc, {}).get("start_date")
        else:
            r["start_date"] = None
    return rows
