# SPDX-License-Identifier: GPL-3.0-or-later
"""Languages as data: the message catalogs (ui/i18n/LANG.json).

- vuorod --check-catalogs passes on the shipped catalogs and, on a copy
  with a gap in the kiosk's Ukrainian and a placeholder lost in Arabic,
  names both and exits 1; a staff page not translated is only noted.
- A site offering a language without a catalog is refused at start-up with
  the file named; a broken catalog likewise.
- GET /api/catalog: the page's strings in the language asked for, the main
  language filling gaps, right to left for Arabic, the staff pages offered
  only in the languages that translate them; a bad ns is a 400.
- A ticket drawn in Arabic keeps its language; a language the site does not
  offer is refused with the site's list.
"""
import json
import os
import re
import shutil
import subprocess

import pytest

from conftest import ROOT, SIM_CONF, VUOROD, conf_with, make_daemon

I18N = os.path.join(ROOT, "ui", "i18n")


def check(*args, cwd=ROOT):
    return subprocess.run([VUOROD, "--check-catalogs", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=60)


def load(lang):
    with open(os.path.join(I18N, lang + ".json"), encoding="utf-8") as f:
        return json.load(f)


def test_shipped_catalogs_pass_the_check():
    r = check()
    assert r.returncode == 0, r.stdout + r.stderr
    assert "6 languages" in r.stdout and "0 problems" in r.stdout, r.stdout
    # Machine drafts are listed as such; staff pages not in Arabic are noted.
    assert re.search(r"^ar: \d+ strings machine-drafted, awaiting a translator's review", r.stdout, re.M), r.stdout
    assert "ar: tech: not translated" in r.stdout
    r = check("--config", SIM_CONF)
    assert r.returncode == 0, r.stdout + r.stderr


def test_gaps_and_lost_placeholders_are_named(workdir):
    ui = os.path.join(workdir, "ui")
    shutil.copytree(os.path.join(ROOT, "ui"), ui)
    uk = load("uk")
    del uk["kiosk.done"]
    ar = load("ar")
    ar["kiosk.ahead_n"] = ar["kiosk.ahead_n"].replace("{n}", "")
    for lang, cat in (("uk", uk), ("ar", ar)):
        with open(os.path.join(ui, "i18n", lang + ".json"), "w", encoding="utf-8") as f:
            json.dump(cat, f, ensure_ascii=False)
    r = check(cwd=workdir)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "uk: kiosk.done: missing" in r.stdout, r.stdout
    assert "ar: kiosk.ahead_n: its {placeholders} differ from fi's" in r.stdout, r.stdout
    assert "2 problems" in r.stdout


def test_an_offered_language_without_a_catalog_is_refused(workdir):
    conf = os.path.join(workdir, "de.conf")
    with open(conf, "w", encoding="utf-8") as f:
        f.write(conf_with({("site", "languages"): "fi;de", ("announcer", "languages"): "fi"}))
    os.symlink(os.path.join(ROOT, "board-config", "displays"), os.path.join(workdir, "displays"))
    r = subprocess.run([VUOROD, "--check-config", conf], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 1
    assert "de.json: missing: the site offers \"de\" ([site] languages) but there is no catalog" \
        in r.stderr, r.stderr
    # A catalog that is not JSON stops vuorod with its file named.
    ui = os.path.join(workdir, "ui")
    shutil.copytree(os.path.join(ROOT, "ui"), ui)
    with open(os.path.join(ui, "i18n", "sv.json"), "w") as f:
        f.write('{"kiosk.title": ')
    with open(conf, "w", encoding="utf-8") as f:
        f.write(conf_with({("api", "ui-dir"): ui}))
    r = subprocess.run([VUOROD, "--config", conf, "--db", os.path.join(workdir, "x.db")],
                       cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert r.returncode == 1 and "sv.json" in r.stderr, r.stderr


def test_api_catalog(daemon):
    r = daemon.get("/api/catalog?lang=ar&ns=kiosk,identity")
    assert r.status_code == 200, r.text
    c = r.json()
    ar = load("ar")
    assert c["lang"] == "ar" and c["dir"] == "rtl" and c["main"] == "fi" and c["name"] == "العربية"
    assert c["strings"]["kiosk.choose"] == ar["kiosk.choose"]
    assert c["strings"]["identity.no_card"] == ar["identity.no_card"]
    assert not any(k.startswith("advisor.") for k in c["strings"])
    assert [x["code"] for x in c["languages"]] == ["fi", "sv", "en", "se", "uk", "ar"]
    assert [x["name"] for x in c["languages"]][3:] == ["Davvisámegiella", "Українська", "العربية"]
    # Staff pages: only where a catalog translates them; Arabic asked, Finnish given.
    s = daemon.get("/api/catalog?lang=ar&ns=advisor").json()
    assert s["lang"] == "fi" and [x["code"] for x in s["languages"]] == ["fi", "sv", "en"]
    assert len(s["site_languages"]) == 6
    # A language the site does not offer: the main one.
    assert daemon.get("/api/catalog?lang=de&ns=kiosk").json()["lang"] == "fi"
    for bad in ("Kiosk", "kiosk;x", ",".join(["a"] * 40)):
        r = daemon.get("/api/catalog", params={"ns": bad})
        assert r.status_code == 400 and r.json()["error"] == "invalid", (bad, r.text)


def test_a_ticket_keeps_its_language_and_unknown_ones_are_refused(daemon):
    r = daemon.post("/api/tickets", {"service": "tax", "lang": "ar"})
    assert r.status_code == 201, r.text
    assert r.json()["ticket"]["lang"] == "ar"
    r = daemon.post("/api/tickets", {"service": "tax", "lang": "de"})
    assert r.status_code == 400
    assert '"fi", "sv", "en", "se", "uk", "ar"' in r.json()["message"], r.text
    names = next(s for s in daemon.get("/api/status").json()["services"] if s["code"] == "tax")["names"]
    assert names["uk"] == "Оподаткування" and names["ar"] == "الضرائب"
