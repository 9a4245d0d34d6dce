# SPDX-License-Identifier: GPL-3.0-or-later
"""Feedback in words (issue 17, item 9): after the rating (POST
/api/feedback gives its id) the kiosk or the booth screen adds an optional
comment (at most 500 characters) and a yes/no answer to the manager's one
question; the words appear in the feedback report's words
(/api/feedback/words), are cleared by retention like other personal text,
and never go into the outbox.  The question is set per site language on
/manager and audited."""
import csv
import datetime
import io
import json
import re
import sqlite3
import time
import zoneinfo

from conftest import conf_with, make_daemon
from test_feedback import serve_one
from test_outbox import UPLINK, outbox

OLD = int(time.time()) - 100 * 86400  # past the 90 days of [identity] retention-days


def audit(d, command):
    with sqlite3.connect(d.db) as db:
        return [(u, json.loads(x) if x else None) for u, x in db.execute(
            "SELECT user, detail FROM audit WHERE command = ? ORDER BY id", (command,))]


def set_question(d, **texts):
    r = d.post("/api/feedback/question", texts, user="maija")
    assert r.status_code == 200, r.text
    return r.json()["question"]


def test_question_comment_and_answer_in_the_report(daemon):
    d = daemon
    assert d.get("/api/feedback/question").json() == {"question": None}
    q = set_question(d, text_fi="Puuttuiko palveluita?", text_sv="Saknades tjänster?")
    assert q["texts"] == {"fi": "Puuttuiko palveluita?", "sv": "Saknades tjänster?"}
    # anybody (the kiosk) reads it; en falls back to the main language
    shown = d.get("/api/feedback/question").json()["question"]["shown"]
    assert shown["sv"] == "Saknades tjänster?" and shown["en"] == "Puuttuiko palveluita?"
    assert audit(d, "feedback_question_set") == [("maija", {"langs": ["fi", "sv"],
                                                            "question": q["id"]})]
    serve_one(d)
    r = d.post("/api/feedback", {"rating": 4, "counter": 1})
    assert r.status_code == 201 and r.json()["tied"], r.text
    fid = r.json()["id"]
    comment = "Ajanvaraus puuttui – ärsyttävää 😀"
    r = d.post("/api/feedback/%d/words" % fid, {"comment": "  " + comment + " ", "answer": "yes"})
    assert r.status_code == 201, r.text
    # once a rating
    r = d.post("/api/feedback/%d/words" % fid, {"comment": "again"})
    assert r.status_code == 404 and "has its words already" in r.json()["message"]
    # a second rating: only the answer
    serve_one(d, "tax", counter=2, user="bertil")
    fid2 = d.post("/api/feedback", {"rating": 2, "counter": 2}).json()["id"]
    assert d.post("/api/feedback/%d/words" % fid2, {"answer": "no"}).status_code == 201
    fid3 = d.post("/api/feedback", {"rating": 5}).json()["id"]  # no words: not in the list
    words = d.get("/api/feedback/words", user="maija").json()
    with sqlite3.connect(d.db) as db:
        raw = db.execute("SELECT id, rating, comment, answer, question FROM feedback "
                         "WHERE words_at != 0 ORDER BY at DESC, id DESC").fetchall()
    assert [(w["id"], w["rating"], w["comment"], w["answer"], w["question"])
            for w in words["words"]] == raw
    assert raw[1] == (fid, 4, comment, "yes", q["id"]) and raw[0][0] == fid2
    assert fid3 not in [w["id"] for w in words["words"]]
    assert words["answers"] == {"yes": sum(r[3] == "yes" for r in raw),
                                "no": sum(r[3] == "no" for r in raw)} == {"yes": 1, "no": 1}
    # … and as CSV (format=csv), read back by Python's csv module: the same rows,
    # times in the site's time zone, a formula kept as text for a spreadsheet
    fid5 = d.post("/api/feedback", {"rating": 1}).json()["id"]
    formula = '=HYPERLINK("http://example.invalid","x"), said "he"'
    assert d.post("/api/feedback/%d/words" % fid5, {"comment": formula}).status_code == 201
    r = d.get("/api/feedback/words?format=csv", user="maija")
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="vuoro-feedback-words-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv"',
                        r.headers["Content-Disposition"]), r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8"), newline="")))
    assert rows[0] == ["time", "rating", "service", "counter", "source", "answer", "comment"]
    listed = d.get("/api/feedback/words", user="maija").json()["words"]
    tz = zoneinfo.ZoneInfo("Europe/Helsinki")
    assert rows[1:] == [[datetime.datetime.fromtimestamp(w["at"], tz).strftime("%Y-%m-%d %H:%M"),
                         str(w["rating"]), w["service"] or "", str(w["counter"] or ""),
                         w["source"] or "", w["answer"] or "",
                         "'" + w["comment"] if w["comment"] == formula else w["comment"] or ""]
                        for w in listed]
    assert [row[6] for row in rows[1:3]] == ["'" + formula, ""] and rows[3][6] == comment
    r = d.get("/api/feedback/words?format=xml", user="maija")
    assert r.status_code == 400 and "format must be json or csv" in r.json()["message"]
    assert d.get("/api/feedback/words?format=csv", user="anna").status_code == 403
    # withdrawn: nothing asked, an answer is refused
    assert d.post("/api/feedback/question/withdraw", user="maija").status_code == 200
    assert d.get("/api/feedback/question").json() == {"question": None}
    assert [u for u, _ in audit(d, "feedback_question_withdraw")] == ["maija"]
    fid4 = d.post("/api/feedback", {"rating": 3}).json()["id"]
    r = d.post("/api/feedback/%d/words" % fid4, {"answer": "yes"})
    assert r.status_code == 400 and "no question is asked now" in r.json()["message"]


def test_bad_words_are_refused_clearly(daemon):
    d = daemon
    set_question(d, text_fi="Puuttuiko palveluita?")
    fid = d.post("/api/feedback", {"rating": 3}).json()["id"]
    r = d.post("/api/feedback/%d/words" % fid, {"comment": "ä" * 501})
    assert r.status_code == 400 and "501 characters: at most 500" in r.json()["message"]
    r = d.post("/api/feedback/%d/words" % fid, {"answer": "maybe"})
    assert r.status_code == 400 and '"yes" or "no"' in r.json()["message"]
    r = d.post("/api/feedback/%d/words" % fid, {"comment": "   "})
    assert r.status_code == 400 and "nothing to save" in r.json()["message"]
    r = d.post("/api/feedback/99999/words", {"comment": "hei"})
    assert r.status_code == 404
    assert d.post("/api/feedback/%d/words" % fid, {"comment": "hei"}, user="anna").status_code == 403
    # 500 characters fit exactly
    assert d.post("/api/feedback/%d/words" % fid, {"comment": "ä" * 500}).status_code == 201
    r = d.post("/api/feedback/question", {"text_sv": "Saknades?"}, user="maija")
    assert r.status_code == 400 and "main language" in r.json()["message"]
    r = d.post("/api/feedback/question", {"text_fi": "x" * 301}, user="maija")
    assert r.status_code == 400
    assert d.post("/api/feedback/question", {"text_fi": "x"}, user="anna").status_code == 403
    r = d.get("/api/feedback/words?from=yesterday", user="maija")
    assert r.status_code == 400 and "2026-11-01" in r.json()["message"]


def test_words_never_go_to_the_outbox(workdir):
    d = make_daemon(workdir, conf_with(UPLINK))
    try:
        set_question(d, text_fi="Puuttuiko palveluita?")
        d.post("/api/counters/1/open", {}, user="anna")
        serve_one(d)
        fid = d.post("/api/feedback", {"rating": 5, "counter": 1}).json()["id"]
        assert d.post("/api/feedback/%d/words" % fid,
                      {"comment": "Salainen kommentti 4711", "answer": "no"}).status_code == 201
        assert d.stop() == 0
        rows = outbox(d.db)
        assert "feedback" in [k for _, k, _, _, _ in rows]
        text = json.dumps([b for _, _, _, b, _ in rows], ensure_ascii=False)
        assert "Salainen" not in text and "4711" not in text
        assert "comment" not in text and "answer" not in text and "Puuttuiko" not in text
    finally:
        if d.proc.poll() is None:
            d.stop()


def test_retention_clears_comments_keeps_ratings_and_answers(workdir):
    d = make_daemon(workdir)
    d.stop()
    now = int(time.time())
    with sqlite3.connect(d.db) as db:
        for at, comment in ((OLD, "vanha kommentti"), (now, "uusi kommentti")):
            db.execute("INSERT INTO feedback (day, counter, rating, source, at, comment, question, "
                       "answer, words_at) VALUES (?, 1, 4, 'screen', ?, ?, 1, 'yes', ?)",
                       (at // 86400, at, comment, at))
    d.start()
    d.stop()
    with sqlite3.connect(d.db) as db:
        got = db.execute("SELECT rating, comment, answer FROM feedback ORDER BY at").fetchall()
    assert got == [(4, None, "yes"), (4, "uusi kommentti", "yes")]
