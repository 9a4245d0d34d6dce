# SPDX-License-Identifier: GPL-3.0-or-later
"""Idle memory (issue 22): what vuorod does not need until it is used is not
in its memory until then.

espeak-ng (and the PulseAudio, D-Bus and ALSA libraries it pulls in) is
opened at the first announcement, not linked: /proc/PID/maps of the sim board
as `make run` starts it, announcer on, has no libespeak-ng; after the first
spoken test announcement it has.  libcurl (and LDAP, SASL, SSH, RTMP, GnuTLS
it pulls in) is opened only on a site that mails ([notify] smtp-url;
test_host_notify.py mails through it); the sim board does not.
tools/bench-idle-rss.sh gives the figures
(idle_rss_mb, idle_rss_no_booth_mb)."""
import os

from conftest import make_daemon, wait_for


def mapped(d, name):
    """Whether a file whose name starts with @name is mapped in vuorod."""
    with open("/proc/%d/maps" % d.proc.pid, encoding="utf-8") as f:
        return any(os.path.basename(line.split()[-1]).startswith(name)
                   for line in f if len(line.split()) >= 6)


def test_speech_is_loaded_at_the_first_announcement_not_before(workdir):
    d = make_daemon(workdir, announcer=True)
    try:
        # Idle: up, serving, its announcer's sink checked (health answers),
        # and nothing said yet.
        h = d.get("/api/health", user="tech").json()
        assert h["announcer"]["ok"] is True, h
        assert not mapped(d, "libespeak-ng.so"), "espeak-ng is loaded before any announcement"
        assert not mapped(d, "libcurl.so"), "libcurl is loaded on a site that does not mail"
        r = d.post("/api/announcer/test", {"kind": "speech", "lang": "en"}, user="tech")
        assert r.status_code == 202, r.text
        x = wait_for(lambda: next((a for a in d.get("/api/announcer", user="tech").json()["recent"]
                                   if a["state"] in ("played", "failed")), None),
                     30, "the test announcement")
        assert x["state"] == "played", x
        assert mapped(d, "libespeak-ng.so"), "the announcement was spoken without espeak-ng?"
    finally:
        assert d.stop() == 0
