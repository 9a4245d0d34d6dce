# SPDX-License-Identifier: GPL-3.0-or-later
"""Idle memory (issue 22): what vuorod does not need until it is used is not
in its memory until then.

espeak-ng (and the PulseAudio, D-Bus and ALSA libraries it pulls in) is
opened at the first announcement, not linked: /proc/PID/maps of the sim board
as `make run` starts it, announcer on, has no libespeak-ng; after the first
spoken test announcement it has.  libcurl (and LDAP, SASL, SSH, RTMP, GnuTLS
it pulls in) is opened only on a site that mails ([notify] smtp-url;
test_host_notify.py mails through it); the sim board does not.  libical
(and ICU's i18n library) comes with the first iCalendar import; Pango, cairo
and fontconfig with the first ticket picture (the sim printer draws every
ticket as a PNG).
GStreamer is started by the booth (its pipeline is prepared ahead, for the
first frame); without a booth, only by the first sound: the announcer's
self-test of its sink runs in a child (vuorod --check-audio), and still
reports a missing element at start.  libnice (with GUPnP, libxml2 and ICU)
is not linked either: a booth's webrtcbin loads it, and webrtcbin joins the
prepared pipeline at the call.
tools/bench-idle-rss.sh gives the figures (idle_rss_mb, idle_rss_no_booth_mb)."""
import os
import re

from conftest import USERS, Daemon, add_user, make_daemon, sim_text, wait_for

NO_BOOTH = {"[counter:4]", "[service:kela-video]", "[service:te-video]", "[button:booth-door]",
            "[lamp:booth-busy]"}


def no_booth_text():
    """The sim board without its booth (as tools/bench-idle-rss.sh makes it)."""
    parts = re.split(r"(?m)^(?=\[)", sim_text())
    return "".join(p for p in parts if p.split("\n", 1)[0] not in NO_BOOTH)


def gst_logs(workdir):
    """GStreamer's own debug log of each process that started it
    (GST_DEBUG_FILE gst-%p.log): pid -> whether it read its registry."""
    logs = {}
    for name in os.listdir(workdir):
        m = re.fullmatch(r"gst-(\d+)\.log", name)
        if m:
            with open(os.path.join(workdir, name), encoding="utf-8", errors="replace") as f:
                logs[int(m.group(1))] = "registry" in f.read()
    return logs


def say_test(d):
    r = d.post("/api/announcer/test", {"kind": "speech", "lang": "en"}, user="tech")
    assert r.status_code == 202, r.text
    return wait_for(lambda: next((a for a in d.get("/api/announcer", user="tech").json()["recent"]
                                  if a["state"] in ("played", "failed")), None),
                    30, "the test announcement")


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
        assert not mapped(d, "libical.so"), "libical is loaded before any iCalendar import"
        for lib in ("libcairo.so", "libpango-1.0.so", "libfontconfig.so"):
            assert not mapped(d, lib), "%s is loaded before any ticket is drawn" % lib
        x = say_test(d)
        assert x["state"] == "played", x
        assert mapped(d, "libespeak-ng.so"), "the announcement was spoken without espeak-ng?"
        ics = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//vuoro tests//FI",
                            "BEGIN:VEVENT", "UID:idle@x", "DTSTART;VALUE=DATE:20310101",
                            "SUMMARY:Uusivuosi", "END:VEVENT", "END:VCALENDAR", ""])
        r = d.post("/api/hours/exceptions/import", user="maija", data=ics.encode(),
                   headers={"Content-Type": "text/calendar"})
        assert r.status_code == 200, r.text
        assert mapped(d, "libical.so"), "the calendar was read without libical?"
        r = d.post("/api/tickets", {"service": "guide", "lang": "fi", "handout": "printer"})
        assert r.status_code == 201 and r.json()["print"]["ok"] is True, r.text
        wait_for(lambda: any(n.endswith(".png") for n in os.listdir(d.tickets))
                 if os.path.isdir(d.tickets) else False, 10, "the ticket's picture")
        assert mapped(d, "libcairo.so"), "the ticket was drawn without cairo?"
    finally:
        assert d.stop() == 0


def test_without_a_booth_gstreamer_comes_with_the_first_sound(workdir):
    d = Daemon(workdir, no_booth_text(), announcer=True)
    for name, (role, password) in USERS.items():
        add_user(d.db, name, role, password)
    d.env = dict(os.environ, GST_DEBUG="GST_REGISTRY:4",
                 GST_DEBUG_FILE=os.path.join(workdir, "gst-%p.log"))
    d.start()
    try:
        # The self-test (in its child, which read the registry) has passed.
        wait_for(lambda: d.get("/api/health", user="tech").json()["announcer"]["ok"] is True,
                 10, "the announcer's self-test")
        # libnice (GUPnP, libxml2, ICU) is a booth's, loaded by webrtcbin.
        assert not mapped(d, "libnice.so"), "libnice is loaded on a board without a booth"
        logs = wait_for(lambda: gst_logs(workdir) or None, 10, "the self-test's GStreamer")
        assert d.proc.pid not in logs and any(logs.values()), logs
        assert say_test(d)["state"] == "played"
        assert gst_logs(workdir).get(d.proc.pid), "the announcement was played without GStreamer?"
    finally:
        assert d.stop() == 0


def test_the_self_test_still_reports_a_missing_element_at_start(workdir):
    """No GStreamer plugins at all (an empty plugin folder): the health says
    which element is missing before anything is said."""
    d = Daemon(workdir, no_booth_text(), announcer=True)
    for name, (role, password) in USERS.items():
        add_user(d.db, name, role, password)
    empty = os.path.join(workdir, "no-plugins")
    os.mkdir(empty)
    d.env = dict(os.environ, GST_PLUGIN_SYSTEM_PATH_1_0=empty, GST_PLUGIN_PATH_1_0=empty,
                 GST_REGISTRY_1_0=os.path.join(workdir, "registry.bin"))
    d.start()
    try:
        h = wait_for(lambda: (lambda x: x if x["announcer"]["ok"] is False else None)(
            d.get("/api/health", user="tech").json()), 10, "the self-test's fault")
        assert "missing" in h["announcer"]["message"] and "install" in h["announcer"]["message"], h
    finally:
        assert d.stop() == 0


def test_gstreamer_reads_only_the_plugins_vuorod_uses(workdir):
    """The booth's GStreamer reads a registry of its own, of the plugins
    vuorod's pipelines name (hal/gst_plugins.c), not the ~260 of the
    machine: a megabyte less at idle and in a session (make bench:
    idle_rss_mb).  The booth is prepared from them, and every plugin vuorod
    has loaded is one of them."""
    d = Daemon(workdir)
    for name, (role, password) in USERS.items():
        add_user(d.db, name, role, password)
    cache = os.path.join(workdir, "cache")
    d.env = dict(os.environ, XDG_CACHE_HOME=cache)
    d.start()
    try:
        wait_for(lambda: d.get("/api/booths/4", user="tech").json().get("state") == "idle"
                 and mapped(d, "libgstvpx.so") and mapped(d, "libgstdtls.so"), 20,
                 "the booth's pipeline prepared and its DTLS certificate made")
        # webrtcbin (and libnice, GnuTLS, ICU with it) joins at the call.
        assert not mapped(d, "libgstwebrtc.so") and not mapped(d, "libnice.so")
        base = os.path.join(cache, "vuoro", "gstreamer-1.0")
        folders = [n for n in os.listdir(base) if n.startswith("plugins-")]
        registries = [n for n in os.listdir(base) if n.startswith("registry-")]
        assert len(folders) == 1 and len(registries) == 1, os.listdir(base)
        plugins = os.listdir(os.path.join(base, folders[0]))
        assert 15 <= len(plugins) <= 50, plugins
        system = os.path.dirname(os.path.realpath(os.path.join(base, folders[0], plugins[0])))
        assert len(os.listdir(system)) > len(plugins), "the machine has no more plugins than these?"
        with open("/proc/%d/maps" % d.proc.pid, encoding="utf-8") as f:
            loaded = {os.path.basename(line.split()[-1]) for line in f
                      if line.split()[-1].startswith(system + "/")}
        assert {"libgstdtls.so", "libgstvpx.so", "libgstopus.so"} <= loaded, loaded
        assert loaded <= set(plugins), "loaded from outside the folder: %s" % (loaded - set(plugins))
    finally:
        assert d.stop() == 0
    # The next start finds the same folder and registry, made once.
    d.start()
    try:
        wait_for(lambda: d.get("/api/booths/4", user="tech").json().get("state") == "idle",
                 20, "the booth again")
        assert sorted(os.listdir(base)) == sorted(folders + registries), os.listdir(base)
    finally:
        assert d.stop() == 0
