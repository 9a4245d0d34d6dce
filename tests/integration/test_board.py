# SPDX-License-Identifier: GPL-3.0-or-later
"""[site] board = real | sim: a real board runs real devices only, has no sim
routes, and serves beyond loopback over TLS only; /api/health tells anonymous
callers ok or not and staff the details."""
import os
import re
import subprocess

from conftest import wait_for, USERS, VUOROCTL, VUOROD, conf_with, make_daemon

SIM_ROUTES = [("/api/printer/sim", {"paper_end": True}),
              ("/api/gpio/sim", {"name": "guide"}),
              ("/api/booths/4/sim", {"unplug": "camera"})]


def real_conf(workdir, extra=None):
    """sim.conf made real with devices that start on this machine and fail
    in plain sight: a printer that is a file, a GPIO chip that is not there,
    a display wire to a closed TCP port, a booth camera that is not there."""
    overrides = {
        ("site", "board"): "real",
        ("site", "demo-hours"): "false",
        ("printer", "transport"): "file",
        ("printer", "device"): os.path.join(workdir, "printer.out"),
        ("printer", "url-base"): "https://jono.example.fi",
        ("gpio", "backend"): "gpiod",
        ("gpio", "chip"): "vuoro-no-such-chip",
        ("bus:rs485-1", "transport"): "tcp",
        ("bus:rs485-1", "host"): "127.0.0.1",
        ("bus:rs485-1", "port"): "9",
        ("counter:4", "camera"): "v4l2:/dev/video-vuoro-missing",
        ("counter:4", "document-camera"): "none",
        ("counter:4", "microphone"): "none",
        ("audio", "sink"): "none",
        ("kiosk", "headset-sink"): "none",
    }
    overrides.update(extra or {})
    return conf_with(overrides)


def write(workdir, name, text):
    path = os.path.join(workdir, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    os.path.lexists(os.path.join(workdir, "displays")) or os.symlink(
        os.path.join(os.path.dirname(__file__), "..", "..", "board-config", "displays"),
        os.path.join(workdir, "displays"))
    return path


def test_sim_board_keeps_its_sim_routes_and_health_details_are_for_staff(daemon):
    for path, body in SIM_ROUTES:
        r = daemon.post(path, body, user="tech")
        assert r.status_code in (200, 202), (path, r.status_code, r.text)
    # The kiosk (loopback) and anonymous callers: the status and nothing else.
    h = daemon.get("/api/health")
    assert h.status_code == 200 and h.json() == {"status": "degraded"}, h.text
    # Staff see which part and where.
    for user in ("anna", "tech", "eero", "maija"):
        h = daemon.get("/api/health", user=user).json()
        assert h["status"] == "degraded" and h["faults"], (user, h)
        assert "printer" in h and "disk" in h and h["disk"]["path"], h
    # vuoroctl without a login says so; with one it shows the site.
    env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(daemon.workdir, "xdg"))
    env.pop("VUORO_TOKEN", None)
    r = subprocess.run([VUOROCTL, "--url", daemon.url, "health"], env=env, capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0 and r.stdout.startswith("degraded") and "vuoroctl login" in r.stdout, \
        r.stdout + r.stderr
    r = subprocess.run([VUOROCTL, "--url", daemon.url, "login", "tech"], env=env,
                       input=USERS["tech"][1] + "\n", capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([VUOROCTL, "--url", daemon.url, "health"], env=env, capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0 and "Kuohu" in r.stdout and "version" in r.stdout, r.stdout + r.stderr


def test_real_board_has_no_sim_routes_and_tells_anonymous_callers_no_paths(workdir):
    d = make_daemon(workdir, real_conf(workdir))
    try:
        for path, body in SIM_ROUTES:
            r = d.post(path, body, user="tech")
            assert r.status_code == 404 and r.json()["error"] == "not_found", (path, r.text)
            r = d.post(path, body, user="admin1")
            assert r.status_code == 404, (path, r.text)
        # The routes that are not sim-only are there.
        assert d.get("/api/printer", user="tech").status_code == 200
        assert d.get("/api/gpio", user="tech").json()["error"] != "not_found"  # 409: no chip
        assert d.post("/api/printer/check", {}, user="tech").status_code in (200, 409)
        # Health: the missing chip, camera and wire are faults for staff …
        # (the display wire is a fault once its tries ran out: waited for)
        def faults():
            h = d.get("/api/health", user="tech").json()
            text = " ".join(h.get("faults", []))
            return h if all(x in text for x in ("vuoro-no-such-chip", "/dev/video-vuoro-missing",
                                                  "127.0.0.1:9")) else None
        h = wait_for(faults, timeout=20, what="the chip, the camera and the wire as faults")
        assert h["status"] == "degraded", h
        # … and none of it for anyone else.
        r = d.get("/api/health")
        assert r.status_code == 200 and r.json() == {"status": "degraded"}, r.text
        assert "/dev/" not in r.text and "chip" not in r.text
    finally:
        assert d.stop() == 0


def check(path):
    return subprocess.run([VUOROD, "--check-config", path], capture_output=True, text=True, timeout=30)


def test_check_config_names_what_a_real_board_lacks(workdir):
    good = write(workdir, "real.conf", real_conf(workdir))
    r = check(good)
    assert r.returncode == 0 and "real board" in r.stdout, r.stdout + r.stderr
    # Each device left at its simulated default is named, group and key.
    extra_words = {"gpio": " (and chip, gpiodetect lists them)"}
    for group, key, why in [("printer", "transport", "file, serial, usb or tcp"),
                            ("gpio", "backend", "gpiod"),
                            ("bus:rs485-1", "transport", "rtu or tcp")]:
        text = re.sub(r"(^\[%s\][^\[]*?)^%s\s*=[^\n]*\n" % (re.escape(group), key), r"\1",
                      real_conf(workdir), count=1, flags=re.M | re.S)
        r = check(write(workdir, "bad.conf", text))
        assert r.returncode != 0, group
        assert r.stderr.strip() == "bad.conf: [%s] %s: expected %s%s on a real board, got nothing " \
            "(the simulated default)" % (group, key, why, extra_words.get(group, "")), r.stderr
    # Where phones open the ticket's QR code (issue 14): said, and why.
    text = re.sub(r"^url-base\s*=[^\n]*\n", "", real_conf(workdir), count=1, flags=re.M)
    r = check(write(workdir, "bad.conf", text))
    assert r.returncode != 0 and r.stderr.strip() == (
        "bad.conf: [printer] url-base: expected the https address at which phones open the "
        "ticket's QR code (the site's public address, like https://jono.example.fi) on a real "
        "board, got nothing (the QR code would point at the board itself)"), r.stderr
    r = check(write(workdir, "bad.conf", real_conf(workdir, {("printer", "url-base"): "http://10.0.0.5"})))
    assert r.returncode != 0 and 'url-base: expected the https address' in r.stderr \
        and 'got "http://10.0.0.5"' in r.stderr, r.stderr
    # A booth's test camera.
    r = check(write(workdir, "bad.conf", real_conf(workdir, {("counter:4", "camera"): "test:ball"})))
    assert r.returncode != 0 and "[counter:4] camera: expected v4l2:/dev/videoN" in r.stderr, r.stderr
    # The example's placeholder token, on any board.
    r = check(write(workdir, "bad.conf", real_conf(
        workdir, {("api", "kiosk-token"): "change-me-to-a-long-random-device-token"})))
    assert r.returncode != 0 and "[api] kiosk-token" in r.stderr and "placeholder" in r.stderr, r.stderr


def test_real_board_beyond_loopback_needs_tls(workdir):
    lan = write(workdir, "lan.conf", real_conf(workdir, {("api", "listen"): "0.0.0.0:8443"}))
    r = check(lan)
    assert r.returncode != 0 and "[api] tls-cert: expected a PEM certificate" in r.stderr, r.stderr
    # --listen cannot take a loopback board onto the LAN without TLS either.
    good = write(workdir, "real.conf", real_conf(workdir))
    db = os.path.join(workdir, "x.db")
    r = subprocess.run([VUOROD, "--config", good, "--db", db, "--listen", "0.0.0.0:0"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "tls-cert" in r.stderr, r.stderr
    # With a certificate it passes.
    cert, key = os.path.join(workdir, "cert.pem"), os.path.join(workdir, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-days", "400", "-subj", "/CN=board", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    r = check(write(workdir, "lan.conf", real_conf(workdir, {
        ("api", "listen"): "0.0.0.0:8443", ("api", "tls-cert"): cert, ("api", "tls-key"): key})))
    assert r.returncode == 0, r.stderr


def test_a_certificate_near_its_end_is_a_fault_for_staff(workdir):
    import requests
    cert, key = os.path.join(workdir, "cert.pem"), os.path.join(workdir, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-days", "10", "-subj", "/CN=127.0.0.1", "-addext",
                    "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    d = make_daemon(workdir, conf_with({("api", "tls-cert"): cert, ("api", "tls-key"): key}))
    try:
        assert d.url.startswith("https://")
        r = requests.post(d.url + "/api/login", json={"user": "tech", "password": USERS["tech"][1]},
                          verify=cert, timeout=30)
        token = r.json()["token"]
        h = requests.get(d.url + "/api/health", headers={"Authorization": "Bearer " + token},
                         verify=cert, timeout=10).json()
        tls = [f for f in h["faults"] if f.startswith("tls:")]
        assert h["status"] == "degraded" and len(tls) == 1, h
        assert "expires in 10 days" in tls[0] and "renew" in tls[0], tls
        r = requests.get(d.url + "/api/health", verify=cert, timeout=10)
        assert r.json() == {"status": "degraded"}, r.text
    finally:
        assert d.stop() == 0
