# SPDX-License-Identifier: GPL-3.0-or-later
"""Printers as sites have them, read back by tools we did not write.

- 58 mm paper (384 dots: 32 columns of font A, 42 of font B): tickets from
  vuorod in every site language (fi sv en se uk ar) and long texts from
  build/vuoro-ticket are parsed by the npm `npos` decoder
  (tests/escpos/decode.js).  Every text line, measured in the print mode
  npos saw before it (ESC M font, GS ! width), fits the paper; every word
  of the texts that print as text is whole; every picture (GS v 0) is as
  wide as the paper; the sim printer's PNG is 384 dots wide and zbarimg
  reads its QR code.  The PNGs are kept in build/paper/ to be looked at.
- cp865 (printers without cp858): ESC t 5, and å ä ö Å Ä Ö æ ø come back
  through Python's own cp865 codec.
- codepage = none: no ESC t, only ASCII as text, the Nordic lines as
  pictures (tesseract reads them back when it has Finnish).
"""
import json
import os
import re
import shutil
import struct
import subprocess

import pytest

from conftest import ROOT, conf_with, make_daemon
from test_raster import padded

BUILD = os.path.abspath(os.environ.get("BUILD_DIR", os.path.join(ROOT, "build")))
TICKET = os.path.join(BUILD, "vuoro-ticket")
DECODE = os.path.join(ROOT, "tests", "escpos", "decode.js")
KEEP = os.path.join(BUILD, "paper")
URL_BASE = "https://jono.example.fi"
URL = URL_BASE + "/t/3f9a2c"
NORDIC = "å ä ö Å Ä Ö æ ø"
LANGS = ["fi", "sv", "en", "se", "uk", "ar"]


def decode(path, pbm_prefix=None):
    args = ["node", DECODE, path] + ([pbm_prefix] if pbm_prefix else [])
    p = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, "npos could not read the stream (exit %d): %s" % (p.returncode, p.stderr)
    dec = json.loads(p.stdout)
    assert dec["bytes"] == os.path.getsize(path) and dec["cuts"] == 1
    return dec


def printed_lines(dec, codec):
    """Each text line as npos parsed it, with the dots it takes: characters
    × the font's cell (12 font A, 9 font B: ESC M) × the width (GS !)."""
    events = sorted([(c["offset"], "cmd", c) for c in dec["commands"]] +
                    [(t["offset"], "text", t) for t in dec["texts"]], key=lambda e: e[0])
    font_b, wmul, cur, lines = 0, 1, b"", []
    for _, kind, e in events:
        if kind == "cmd":
            if e["name"] == "ESC @":
                font_b, wmul = 0, 1
            elif e["name"] == "ESC M":
                font_b = e["params"][0] & 1
            elif e["name"] == "GS !":
                wmul = ((e["params"][0] >> 4) & 7) + 1
            continue
        for b in e["text"].encode("latin1"):
            if b == 0x0A:
                text = cur.decode(codec)
                lines.append((text, len(text) * (9 if font_b else 12) * wmul, font_b))
                cur = b""
            else:
                cur += bytes([b])
    assert cur == b"", "text after the last LF: %r" % cur
    return lines


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def check_fits(dec, codec, dots, columns, words_from=()):
    """Every line within @dots; the body in the font @columns means; each
    word of @words_from that prints as text is a whole word of a line."""
    lines = printed_lines(dec, codec)
    assert lines
    font_b = columns * 12 > dots
    for text, width, font in lines:
        assert width <= dots, "%r takes %d dots of %d" % (text, width, dots)
    # The body in the paper's font; the number ("K002") always font A.
    body = set(font for text, _, font in lines if text and not re.fullmatch(r"[A-Z]+[0-9]+", text))
    assert body == {1 if font_b else 0}, lines
    assert all(font == 0 for text, _, font in lines if re.fullmatch(r"[A-Z]+[0-9]+", text))
    for img in dec["images"]:
        assert img["m"] == 0 and img["width"] == dots and 0 < img["height"] < 255
    words = set(w for text, _, _ in lines for w in text.split())
    whole = 0
    for src in words_from:
        try:
            src.encode(codec)
        except UnicodeEncodeError:
            continue  # a picture: pango wraps it (tests/unit/test-ticket-layout.c)
        for w in src.split():
            assert w in words, "%r is not a whole word on the ticket: %r" % (w, [t for t, _, _ in lines])
            whole += 1
    return lines, whole


def keep(png, name):
    os.makedirs(KEEP, exist_ok=True)
    shutil.copyfile(png, os.path.join(KEEP, name))


def zbar(png):
    z = subprocess.run(["zbarimg", "-q", "--raw", png], capture_output=True, text=True, timeout=60)
    return z.stdout.strip()


def catalog(lang):
    with open(os.path.join(ROOT, "ui", "i18n", lang + ".json"), encoding="utf-8") as f:
        return json.load(f)


LONG = {
    "service": "Verohallinnon henkilöasiakkaiden palvelut",
    "line": "Ajanvaraus: torstai 4.12. klo 14.30, verohallinnon neuvoja, palvelupiste 3.",
    "footer": "Tervetuloa! Muistathan ottaa henkilöllisyystodistuksen mukaan.",
}


@pytest.mark.parametrize("columns", [32, 42])
def test_58mm_long_texts(tmp_path, columns):
    out, png = str(tmp_path / "t.bin"), str(tmp_path / "t.png")
    p = subprocess.run([TICKET, "--paper", "58mm", "--columns", str(columns), "--lang", "fi",
                        "--header", "Yhteispalvelupiste Kuohu", "--service", LONG["service"],
                        "--line", LONG["line"], "--footer", LONG["footer"], "--code", "A012",
                        "--ahead", "3", "--wait-min", "12", "--url", URL, "--at", "1764770000",
                        "--tz", "Europe/Helsinki", "--test", "-o", out, "--png", png],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    dec = decode(out)
    fi = catalog("fi")
    lines, whole = check_fits(dec, "cp858", 384, columns,
                              list(LONG.values()) + [fi["ticket.test"], fi["ticket.follow"]])
    assert whole >= 20
    assert next(c for c in dec["commands"] if c["name"] == "ESC t")["params"] == [19]
    assert any(c["name"] == "ESC M" for c in dec["commands"]) == (columns == 42)
    assert dec["images"] == [] and dec["qr"] == [URL]
    # "henkilöasiakkaiden" (18 letters) is longer than half of 32 columns:
    # the service goes double height only, not cut; 42 columns hold it.
    sizes = [c["params"][0] for c in dec["commands"] if c["name"] == "GS !"]
    assert sizes[0] == (0x01 if columns == 32 else 0x11), sizes
    assert png_size(png)[0] == 384
    assert zbar(png) == URL
    keep(png, "long-58mm-%d.png" % columns)


def test_58mm_refused_widths():
    p = subprocess.run([TICKET, "--paper", "58mm", "--columns", "48", "--code", "A1"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    assert "--columns: expected 32 (font A) or 42 (font B) on 58mm paper, got 48" in p.stderr


@pytest.mark.parametrize("columns", [32, 42])
def test_vuorod_58mm_every_language(workdir, columns):
    d = make_daemon(workdir, conf_with({("printer", "url-base"): URL_BASE, ("printer", "paper"): "58mm",
                                        ("printer", "columns"): str(columns)}))
    try:
        names = next(s for s in d.get("/api/status").json()["services"] if s["code"] == "kela")["names"]
        n = 0
        for lang in LANGS:
            for _ in range(2):  # the second has someone ahead: every label
                r = d.post("/api/tickets", {"service": "kela", "lang": lang, "handout": "printer"})
                assert r.status_code == 201 and r.json()["print"]["ok"] is True, r.text
                n += 1
            t = r.json()["ticket"]
            path = os.path.join(d.tickets, "ticket-%d" % n)
            dec = decode(path + ".bin", os.path.join(workdir, "%s-%d" % (lang, n)))
            cat = catalog(lang)
            ahead = cat["ticket.ahead"].replace("{n}", "")  # n grows: the words around it
            lines, _ = check_fits(dec, "cp858", 384, columns,
                                  [names[lang], ahead, cat["ticket.follow"]])
            text = "\n".join(t for t, _, _ in lines)
            assert t["code"] in text.split("\n") and "?" not in text, text
            assert dec["qr"] == [URL_BASE + t["follow"]]
            if lang in ("uk", "ar"):
                assert len(dec["images"]) >= 3  # the service, the labels, the footer
            png = path + ".png"
            assert png_size(png)[0] == 384
            assert zbar(png) == URL_BASE + t["follow"]
            keep(png, "vuorod-58mm-%d-%s.png" % (columns, lang))
    finally:
        assert d.stop() == 0
    err = open(d.stderr_path).read()
    assert "AddressSanitizer" not in err and "runtime error" not in err, err[-3000:]


def test_cp865_nordic_letters(workdir, tmp_path):
    out, png = str(tmp_path / "t.bin"), str(tmp_path / "t.png")
    p = subprocess.run([TICKET, "--paper", "58mm", "--codepage", "cp865", "--lang", "sv",
                        "--header", "Kuohu", "--service", "Skatteförvaltningen", "--line", NORDIC,
                        "--code", "A012", "--ahead", "2", "--url", URL, "-o", out, "--png", png],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    dec = decode(out)
    assert next(c for c in dec["commands"] if c["name"] == "ESC t")["params"] == [5]
    raw = bytes.fromhex(dec["text_hex"])
    assert NORDIC.encode("cp865") in raw  # æ is 0x91, ø 0x9b: not cp858's or latin-1's
    text = raw.decode("cp865")
    assert NORDIC + "\n" in text and "Skatteförvaltningen" in text and "?" not in text
    assert dec["images"] == []
    check_fits(dec, "cp865", 384, 32, [NORDIC])
    keep(png, "cp865-58mm.png")

    # vuorod with codepage = cp865: the Swedish ticket as text, in cp865.
    d = make_daemon(workdir, conf_with({("printer", "codepage"): "cp865"}), users=False)
    try:
        r = d.post("/api/tickets", {"service": "tax", "lang": "sv", "handout": "printer"})
        assert r.json()["print"]["ok"] is True, r.text
        dec = decode(os.path.join(d.tickets, "ticket-1.bin"))
        assert next(c for c in dec["commands"] if c["name"] == "ESC t")["params"] == [5]
        text = bytes.fromhex(dec["text_hex"]).decode("cp865")
        assert "Välkommen!" in text and "Följ din tur" in text and "?" not in text
        assert dec["images"] == []
    finally:
        assert d.stop() == 0


def test_codepage_none_nordic_text_is_raster(workdir):
    d = make_daemon(workdir, conf_with({("printer", "codepage"): "none", ("printer", "paper"): "58mm"}),
                    users=False)
    try:
        for _ in range(2):
            r = d.post("/api/tickets", {"service": "tax", "lang": "fi", "handout": "printer"})
            assert r.json()["print"]["ok"] is True, r.text
        dec = decode(os.path.join(d.tickets, "ticket-2.bin"), os.path.join(workdir, "none"))
        assert not any(c["name"] == "ESC t" for c in dec["commands"])
        raw = bytes.fromhex(dec["text_hex"])
        assert all(b < 0x80 for b in raw), raw
        text = raw.decode("ascii")
        fi = catalog("fi")
        assert "Verotus" in text and "Seuraa vuoroasi puhelimella:" in text and "Tervetuloa!" in text
        assert "Edess" not in text and "?" not in text  # "Edessäsi jonossa: 1" is a picture
        assert len(dec["images"]) == 1 and dec["images"][0]["width"] == 384
        check_fits(dec, "ascii", 384, 32, [fi["ticket.follow"]])
        keep(os.path.join(d.tickets, "ticket-2.png"), "none-58mm.png")
        langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True).stdout.split()
        if "fin" in langs:
            img = dec["images"][0]["pbm"]
            p = subprocess.run(["tesseract", padded(img), "-", "-l", "fin", "--psm", "7"], capture_output=True,
                               text=True, timeout=120)
            assert "Edessäsi" in p.stdout, p.stdout
    finally:
        assert d.stop() == 0
