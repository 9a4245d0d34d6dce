# SPDX-License-Identifier: GPL-3.0-or-later
"""Tickets in scripts the printer's code page lacks, read back by tools we did
not write.

build/vuoro-ticket lays a ticket out as vuorod does; the npm `npos` decoder
(tests/escpos/decode.js) parses the bytes and dumps each GS v 0 picture as a
PBM; tesseract reads the pictures (Arabic, Ukrainian; Northern Sámi with its
Finnish data, Debian has none for Sámi) and zbarimg the QR code of the sim
printer's PNG.  Lines the code page carries must stay text: only what needs
it is a picture (a picture line is ~1.5 KB on the printer's serial line).
"""
import difflib
import json
import os
import subprocess

import pytest

from conftest import ROOT, conf_with, make_daemon

BUILD = os.path.abspath(os.environ.get("BUILD_DIR", os.path.join(ROOT, "build")))
TICKET = os.path.join(BUILD, "vuoro-ticket")
DECODE = os.path.join(ROOT, "tests", "escpos", "decode.js")
URL = "https://jono.example.fi/t/3f9a2c"
AT = "1764770000"


def tesseract_langs():
    p = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True)
    return set(p.stdout.split()[1:]) if p.returncode == 0 else set()


def ticket(tmp_path, name, *args):
    """Bytes, npos' reading of them and the sim printer's PNG of one ticket."""
    out, png = tmp_path / (name + ".bin"), tmp_path / (name + ".png")
    p = subprocess.run([TICKET, "--code", "A012", "--url", URL, "--at", AT, "--tz", "Europe/Helsinki",
                        "-o", str(out), "--png", str(png)] + list(args), capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    assert "AddressSanitizer" not in p.stderr and "runtime error" not in p.stderr, p.stderr
    d = subprocess.run(["node", DECODE, str(out), str(tmp_path / name)], capture_output=True, text=True,
                       timeout=60)
    assert d.returncode == 0, "npos could not read the stream (exit %d): %s" % (d.returncode, d.stderr)
    dec = json.loads(d.stdout)
    data = out.read_bytes()
    assert dec["bytes"] == len(data) and dec["cuts"] == 1
    assert dec["qr"] == [URL]
    z = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True, text=True, timeout=60)
    assert z.stdout.strip() == URL, z.stderr
    for img in dec["images"]:
        assert img["m"] == 0 and img["width"] == 576 and 0 < img["height"] < 255
    return data, dec


def padded(pbm, margin=32):
    """@pbm with a white border (tesseract wants one): P4 rows, whole bytes."""
    head, dims, body = open(pbm, "rb").read().split(b"\n", 2)
    w, h = map(int, dims.split())
    rb, mb = (w + 7) // 8, margin // 8
    out = bytearray(b"P4\n%d %d\n" % (w + 2 * margin, h + 2 * margin))
    blank = bytes(rb + 2 * mb)
    out += blank * margin
    for y in range(h):
        out += bytes(mb) + body[y * rb:(y + 1) * rb] + bytes(mb)
    out += blank * margin
    path = pbm[:-4] + "-padded.pbm"
    with open(path, "wb") as f:
        f.write(out)
    return path


def ocr(dec, lang):
    text = []
    for img in dec["images"]:
        p = subprocess.run(["tesseract", padded(img["pbm"]), "-", "-l", lang, "--psm", "6"],
                           capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, p.stderr
        text.append(p.stdout.strip())
    return "\n".join(text)


def found(expected, text, cutoff=0.8):
    """The share of @expected's words that come back (each at least @cutoff alike)."""
    want = expected.split()
    got = text.split()
    hits = sum(1 for w in want if difflib.get_close_matches(w, got, n=1, cutoff=cutoff))
    return hits / len(want)


def text_of(dec):
    return bytes.fromhex(dec["text_hex"]).decode("cp858")


def test_arabic_ticket(tmp_path):
    service, line = "خدمات الضرائب", "يرجى الانتظار حتى يتم استدعاء رقمك"
    data, dec = ticket(tmp_path, "ar", "--header", "Kuohu", "--service", service, "--line", line,
                       "--lang", "en", "--ahead", "3", "--wait-min", "12", "--footer", "Welcome!")
    assert len(dec["images"]) == 2  # the service and the line; nothing else
    text = text_of(dec)
    assert "Kuohu" in text and "A012" in text and "People ahead of you: 3" in text
    assert "Welcome!" in text and "?" not in text
    got = ocr(dec, "ara")
    assert found(service + " " + line, got) >= 0.8, got


def test_ukrainian_ticket(tmp_path):
    service = "Податкові послуги"
    line = "Зачекайте, будь ласка, поки вас викличуть"
    data, dec = ticket(tmp_path, "uk", "--header", "Kuohu", "--service", service, "--line", line,
                       "--footer", "Tervetuloa!")
    assert len(dec["images"]) == 2
    assert "Tervetuloa!" in text_of(dec)
    got = ocr(dec, "ukr")
    assert found(service + " " + line, got) >= 0.8, got


SAMI_RASTER = ["Dieđut ja bálvalusat", "Čuovo iežat vuoru telefovnnas", "Lea áŋgiris ja ŧ"]
SAMI_TEXT = ["Bures boahtin!", "Vuordde dás"]


def test_northern_sami_ticket(tmp_path):
    # The service (đ), two lines with Č, ŋ and ŧ: pictures.  The header and
    # lines of plain Latin (á is in cp858): text, as ever.
    data, dec = ticket(tmp_path, "se", "--header", "Kuohu", "--service", SAMI_RASTER[0],
                       "--line", SAMI_TEXT[0], "--line", SAMI_RASTER[1], "--line", SAMI_RASTER[2],
                       "--line", SAMI_TEXT[1], "--footer", "Giitu!")
    assert len(dec["images"]) == 3
    text = text_of(dec)
    for t in SAMI_TEXT + ["Kuohu", "Giitu!"]:
        assert t + "\n" in text
    assert "?" not in text
    langs = tesseract_langs()
    if "fin" not in langs and "eng" not in langs:
        pytest.skip("no tesseract data for Sámi, and neither fin nor eng to stand in")
    got = ocr(dec, "fin" if "fin" in langs else "eng")
    # Finnish data lacks đ ŋ ŧ: the words without them must come back.
    plain = [w for w in " ".join(SAMI_RASTER).split() if not set(w) & set("đŋŧČč")]
    assert found(" ".join(plain), got) >= 0.8, got


def test_latin_ticket_has_no_picture(tmp_path):
    data, dec = ticket(tmp_path, "fi", "--header", "Kuohu", "--service", "Yleinen neuvonta",
                       "--line", "Ääkköset ÅÄÖ åäö", "--footer", "Tervetuloa!")
    assert dec["images"] == []
    plain = subprocess.run([TICKET, "--no-raster", "--header", "Kuohu", "--service", "Yleinen neuvonta",
                            "--line", "Ääkköset ÅÄÖ åäö", "--footer", "Tervetuloa!", "--code", "A012",
                            "--url", URL, "--at", AT, "--tz", "Europe/Helsinki"],
                           capture_output=True, timeout=60)
    assert plain.returncode == 0 and plain.stdout == data


def vuorod_ticket(d, workdir, lang, service="tax"):
    """A ticket drawn at the kiosk in @lang, as vuorod printed it: its
    reply, npos' reading of the bytes and the sim printer's PNG."""
    r = d.post("/api/tickets", {"service": service, "lang": lang, "handout": "printer"})
    assert r.status_code == 201 and r.json()["print"]["ok"] is True, r.text
    t = r.json()["ticket"]
    n = len(os.listdir(d.tickets)) // 2
    path = os.path.join(d.tickets, "ticket-%d.bin" % n)
    p = subprocess.run(["node", DECODE, path, os.path.join(workdir, "%s-%d" % (lang, n))],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    dec = json.loads(p.stdout)
    assert dec["cuts"] == 1 and t["code"] in text_of(dec)
    z = subprocess.run(["zbarimg", "-q", "--raw", os.path.join(d.tickets, "ticket-%d.png" % n)],
                       capture_output=True, text=True, timeout=60)
    assert z.stdout.strip() == "https://jono.example.fi" + t["follow"], z.stderr
    return t, dec


def catalog(lang):
    with open(os.path.join(ROOT, "ui", "i18n", lang + ".json"), encoding="utf-8") as f:
        return json.load(f)


def test_vuorod_prints_arabic_and_sami_tickets(workdir):
    # The sim site offers ar and se: a ticket drawn in Arabic has its
    # service (name-ar), labels (ticket.* of ar.json) and footer (footer-ar)
    # as pictures, the site's Latin name and the number as text.
    d = make_daemon(workdir, conf_with({("printer", "url-base"): "https://jono.example.fi"}))
    try:
        t, dec = vuorod_ticket(d, workdir, "ar")
        assert t["lang"] == "ar"
        assert len(dec["images"]) >= 3, dec["images"]
        text = text_of(dec)
        assert "Yhteispalvelupiste Kuohu" in text and "?" not in text
        got = ocr(dec, "ara")
        ar = catalog("ar")
        assert found("الضرائب " + ar["ticket.next"] + " " + ar["ticket.follow"].rstrip(":"), got) >= 0.8, got
        # Northern Sámi: what cp858 carries stays text, the rest is pictures;
        # no letter is lost as "?".
        t, dec = vuorod_ticket(d, workdir, "se")
        text = text_of(dec)
        assert "?" not in text, text
        se = catalog("se")
        for label in (se["ticket.ahead"].replace("{n}", "1"), se["ticket.follow"], "Vearuheapmi"):
            if set(label) & set("čđŋšŧžČĐŊŠŦŽ"):
                assert label not in text, label
            else:
                assert label in text, (label, text)
        assert dec["images"], "the Sámi letters cp858 lacks are pictures"
    finally:
        assert d.stop() == 0
    err = open(d.stderr_path).read()
    assert "AddressSanitizer" not in err and "runtime error" not in err, err[-3000:]
