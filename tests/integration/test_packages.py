# SPDX-License-Identifier: GPL-3.0-or-later
"""The Debian packages (README "Install from packages"): `make deb` builds
vuoro, vuoro-kiosk and vuoro-hub of VERSION; each holds its files and declares
its dependencies; lintian finds no error and only the warnings the README
lists; the unit files pass `systemd-analyze verify` in a root made of the
packages; and VERSION is the one version of the packages, `vuorod --version`,
`vuoroctl --version`, /api/health and CHANGELOG.md.

VUORO_DEB_DIR=DIR uses the packages a run already built there instead of
building them again (`make deb` takes a minute or two)."""
import os
import re
import shutil
import subprocess
import tempfile

import pytest
import requests

from conftest import ROOT, USERS, VUOROCTL, VUOROD

BUILD = os.path.abspath(os.environ.get("BUILD_DIR", os.path.join(ROOT, "build")))
VERSION = open(os.path.join(ROOT, "VERSION")).read().strip()
PACKAGES = ("vuoro", "vuoro-kiosk", "vuoro-hub")


def run(cmd, **kw):
    kw.setdefault("timeout", 120)
    # Not the variables of a make this runs under (make test: MAKEFLAGS).
    kw.setdefault("env", {k: v for k, v in os.environ.items()
                          if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")})
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


@pytest.fixture(scope="module")
def debs():
    """{package: path of its .deb} and the folder that holds them."""
    out = os.environ.get("VUORO_DEB_DIR")
    if not out:
        # Its own BUILD (a fresh tree for the copy), so a `make deb` the
        # developer ran is not replaced underneath.
        build = os.path.join(BUILD, "pkgtest")
        r = run(["make", "--no-print-directory", "-C", ROOT, "deb", "BUILD=" + build], timeout=900)
        assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
        out = os.path.join(build, "deb")
    found = {}
    for name in os.listdir(out):
        m = re.match(r"^([a-z-]+)_([^_]+)_(amd64|arm64|all)\.deb$", name)
        if m and m.group(1) in PACKAGES:
            assert m.group(2) == VERSION, name
            found[m.group(1)] = os.path.join(out, name)
    assert sorted(found) == sorted(PACKAGES), sorted(os.listdir(out))
    return found, out


def field(deb, name):
    r = run(["dpkg-deb", "-f", deb, name])
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def contents(deb):
    """The paths in @deb (./usr/bin/vuorod → usr/bin/vuorod), files only."""
    r = run(["dpkg-deb", "-c", deb])
    assert r.returncode == 0, r.stderr
    paths = []
    for line in r.stdout.splitlines():
        parts = line.split(None, 5)
        if not parts[0].startswith("d"):
            paths.append(parts[5].split(" -> ")[0].lstrip("./"))
    return paths


def deps(deb):
    """The package names of Depends (alternatives and versions dropped)."""
    return {re.split(r"[ (:]", d.strip())[0] for d in re.split(r"[,|]", field(deb, "Depends"))}


def test_three_packages_of_version_with_their_dependencies(debs):
    found, out = debs
    for pkg, deb in found.items():
        assert field(deb, "Package") == pkg and field(deb, "Version") == VERSION, deb
    changes = [f for f in os.listdir(out) if f.endswith(".changes")]
    assert len(changes) == 1, os.listdir(out)
    assert re.search(r"^Version: %s$" % re.escape(VERSION),
                     open(os.path.join(out, changes[0])).read(), re.M)
    # Declared, not bundled: the libraries come from shlibs, the run-time
    # parts by name.
    vuoro = deps(found["vuoro"])
    assert {"libsoup-3.0-0", "libsqlite3-0", "libgstreamer1.0-0", "libmodbus5", "libgpiod2",
            "libespeak-ng1", "libnats3.4", "systemd", "glib-networking",
            "gstreamer1.0-plugins-base", "gstreamer1.0-plugins-good",
            "gstreamer1.0-plugins-bad", "gstreamer1.0-nice", "espeak-ng-data",
            "fonts-dejavu-core", "p11-kit-modules"} <= vuoro, vuoro
    assert "libpq5" not in vuoro  # only the hub talks to PostgreSQL
    assert {"cage", "cog", "vuoro"} <= deps(found["vuoro-kiosk"])
    assert field(found["vuoro-kiosk"], "Architecture") == "all"
    assert {"libpq5", "libnats3.4", "systemd"} <= deps(found["vuoro-hub"])
    for pkg, deb in found.items():
        assert not [p for p in contents(deb) if re.search(r"\.so(\.|$)", p)], pkg


def test_each_package_holds_its_files(debs):
    found, _ = debs
    files = {pkg: contents(deb) for pkg, deb in found.items()}
    vuoro = set(files["vuoro"])
    for path in ("usr/bin/vuorod", "usr/bin/vuoroctl", "usr/share/vuoro/ui/kiosk/index.html",
                 "usr/share/vuoro/ui/i18n/fi.json", "usr/share/vuoro/board-config/sim.conf",
                 "usr/share/vuoro/board-config/example-site.conf", "etc/vuoro/vuoro.conf",
                 "etc/vuoro/displays/counter.map", "lib/systemd/system/vuorod.service",
                 "usr/lib/sysusers.d/vuoro.conf", "usr/lib/tmpfiles.d/vuoro.conf",
                 "lib/udev/rules.d/60-vuoro-gpio.rules", "usr/share/doc/vuoro/copyright"):
        assert path in vuoro, path
    # vuorod looks for its pages where the package puts them (-DVUORO_UIDIR),
    # and for display maps next to its config (/etc/vuoro/displays).
    assert b"/usr/share/vuoro/ui\0" in open(extract(found["vuoro"], "usr/bin/vuorod"), "rb").read()
    assert set(files["vuoro-kiosk"]) >= {"lib/systemd/system/vuoro-kiosk@.service",
                                         "usr/lib/sysusers.d/vuoro-kiosk.conf"}
    hub = set(files["vuoro-hub"])
    assert {"usr/bin/vuoro-hub", "lib/systemd/system/vuoro-hub.service",
            "usr/lib/sysusers.d/vuoro-hub.conf", "usr/share/vuoro/hub/hub.conf.example",
            "usr/share/vuoro/hub/nats/node.conf.in", "usr/share/vuoro/hub/nats/users.sh"} <= hub
    assert any(p.startswith("usr/share/vuoro/hub/sql/") for p in hub)
    # No file in two packages, nothing under /usr/local.
    every = [p for pkg in files for p in files[pkg] if not p.startswith("usr/share/doc/")]
    assert len(every) == len(set(every)), sorted(p for p in every if every.count(p) > 1)
    assert not [p for p in every if p.startswith("usr/local")]
    # The board-config is a conffile; the data directory is made (and given
    # to vuoro) by tmpfiles, the user by sysusers, both in the postinst.
    ctl = tempfile.mkdtemp(prefix="vuoro-ctl-")
    try:
        assert run(["dpkg-deb", "-e", found["vuoro"], ctl]).returncode == 0
        assert "/etc/vuoro/vuoro.conf" in open(os.path.join(ctl, "conffiles")).read().split()
        postinst = open(os.path.join(ctl, "postinst")).read()
        users, tmpfiles = postinst.find("systemd-sysusers"), postinst.find("systemd-tmpfiles")
        assert 0 <= users < tmpfiles, "the user must exist before tmpfiles gives it its folders"
        assert "rm -rf /var/lib/vuoro" in open(os.path.join(ctl, "postrm")).read()
    finally:
        shutil.rmtree(ctl)
    tmp = open(os.path.join(ROOT, "board-config/vuoro.tmpfiles")).read()
    assert re.search(r"^d /var/lib/vuoro 0750 vuoro vuoro", tmp, re.M)


_extracted = {}


def extract(deb, path):
    """@path of @deb, extracted once into a temporary root."""
    if deb not in _extracted:
        _extracted[deb] = tempfile.mkdtemp(prefix="vuoro-deb-")
        assert run(["dpkg-deb", "-x", deb, _extracted[deb]]).returncode == 0
    return os.path.join(_extracted[deb], path)


def readme_warnings():
    """The lintian tags the README's "Packages" list names (`tag`)."""
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    m = re.search(r"^lintian's warnings[^\n]*\n((?:- [^\n]*\n(?:  [^\n]*\n)*)+)", text, re.M)
    assert m, "README.md: the list of lintian's warnings is missing"
    return set(re.findall(r"^- `([a-z0-9-]+)`", m.group(1), re.M))


def test_lintian_finds_no_error_and_only_the_listed_warnings(debs):
    _, out = debs
    changes = [os.path.join(out, f) for f in os.listdir(out) if f.endswith(".changes")]
    r = run(["lintian", "--fail-on", "error"] + changes, timeout=300)
    lines = [l for l in r.stdout.splitlines() if re.match(r"^[EW]: ", l)]
    errors = [l for l in lines if l.startswith("E: ")]
    assert r.returncode == 0 and not errors, r.stdout[-3000:] + r.stderr[-2000:]
    tags = {l.split()[2] for l in lines if l.startswith("W: ")}
    listed = readme_warnings()
    assert tags <= listed, "lintian warns of %s: fix it or list it with its reason in README.md" \
        % sorted(tags - listed)
    assert listed <= tags, "README.md lists warnings lintian no longer gives: %s" \
        % sorted(listed - tags)


@pytest.fixture(scope="module")
def unit_root(debs):
    """A root with the three packages and the host's own systemd units
    (sysinit.target, …), for `systemd-analyze verify --root`."""
    found, _ = debs
    root = tempfile.mkdtemp(prefix="vuoro-root-")
    for deb in found.values():
        assert run(["dpkg-deb", "-x", deb, root]).returncode == 0
    units = os.path.join(root, "lib/systemd/system")
    for name in os.listdir("/lib/systemd/system"):
        src, dst = os.path.join("/lib/systemd/system", name), os.path.join(units, name)
        if not os.path.lexists(dst):
            if os.path.islink(src):
                os.symlink(os.readlink(src), dst)
            elif os.path.isfile(src):
                shutil.copy(src, dst)
    # The kiosk's instance, as `systemctl enable vuoro-kiosk@kiosk` names it.
    os.symlink("vuoro-kiosk@.service", os.path.join(units, "vuoro-kiosk@kiosk.service"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


def verify(root, *units):
    r = run(["systemd-analyze", "verify", "--root=" + root] + list(units), timeout=60)
    return r.returncode, [l for l in (r.stdout + r.stderr).splitlines() if l.strip()]


def test_units_pass_systemd_analyze_verify(unit_root):
    rc, out = verify(unit_root, "vuorod.service", "vuoro-hub.service")
    assert rc == 0 and not out, out
    # cage and cog come with vuoro-kiosk's dependencies, not with this
    # machine: without them, their absence is the only thing verify may say.
    for prog in ("cage", "cog"):
        host = shutil.which(prog)
        if host:
            shutil.copy(host, os.path.join(unit_root, "usr/bin", prog))
    rc, out = verify(unit_root, "vuoro-kiosk@kiosk.service")
    allowed = [l for l in out if re.match(
        r"^vuoro-kiosk@kiosk\.service: Command /usr/bin/cage is not executable", l)]
    assert (rc == 0 and not out) or (allowed and allowed == out and not shutil.which("cage")), out


def test_verify_fails_a_broken_unit(unit_root):
    """The same check on a unit with a mistake fails: it can."""
    units = os.path.join(unit_root, "lib/systemd/system")
    text = open(os.path.join(units, "vuorod.service")).read()
    with open(os.path.join(units, "vuoro-broken.service"), "w") as f:
        f.write(text.replace("ExecStart=/usr/bin/vuorod", "ExecStart=/usr/bin/vuorod-missing"))
    rc, out = verify(unit_root, "vuoro-broken.service")
    assert rc != 0 and any("vuorod-missing" in l for l in out), out


def test_one_version_everywhere(debs, daemon):
    found, _ = debs
    for prog, want in ((VUOROD, "vuorod"), (VUOROCTL, "vuoroctl"),
                       (extract(found["vuoro"], "usr/bin/vuorod"), "vuorod"),
                       (extract(found["vuoro"], "usr/bin/vuoroctl"), "vuoroctl"),
                       (extract(found["vuoro-hub"], "usr/bin/vuoro-hub"), "vuoro-hub")):
        r = run([prog, "--version"], timeout=30)
        assert r.returncode == 0 and r.stdout.strip() == "%s %s" % (want, VERSION), \
            (prog, r.stdout, r.stderr)
    h = daemon.get("/api/health", user="tech").json()
    assert h["version"] == VERSION, h
    assert daemon.get("/api/health").headers["Server"].startswith("vuorod/%s" % VERSION)
    # debian/changelog's first entry and CHANGELOG.md's first section.
    r = run(["dpkg-parsechangelog", "-l", os.path.join(ROOT, "debian/changelog"), "-S",
             "Version"])
    assert r.stdout.strip() == VERSION, r.stdout + r.stderr
    first = re.search(r"^## (.*)$", open(os.path.join(ROOT, "CHANGELOG.md")).read(), re.M)
    assert first and re.match(r"^\[?%s\]?\b" % re.escape(VERSION), first.group(1)), first


def test_the_packaged_vuorod_serves_from_the_installed_paths(debs, workdir):
    """The package's vuorod on the package's /etc/vuoro/vuoro.conf (its display
    maps next to it), with its pages from /usr/share/vuoro/ui: only the root
    (an extracted tree, not /) and the state directory differ."""
    found, _ = debs
    vuorod = extract(found["vuoro"], "usr/bin/vuorod")
    root = os.path.dirname(os.path.dirname(os.path.dirname(vuorod)))
    text = open(os.path.join(root, "etc/vuoro/vuoro.conf")).read()
    assert "build/run" not in text and re.search(r"^db = /var/lib/vuoro/vuoro\.db$", text, re.M)
    state = os.path.join(workdir, "state")
    os.mkdir(state)
    text = text.replace("= /var/lib/vuoro/", "= %s/" % state)
    text = re.sub(r"^\[api\]$", "[api]\nui-dir = %s/usr/share/vuoro/ui" % root, text, count=1,
                  flags=re.M)
    conf = os.path.join(root, "etc/vuoro/test.conf")
    with open(conf, "w") as f:
        f.write(text)
    r = run([vuorod, "--check-config", conf], cwd=state, timeout=30)
    assert r.returncode == 0 and "ok (sim board" in r.stdout, r.stdout + r.stderr
    r = run([vuorod, "--db", os.path.join(state, "vuoro.db"), "--add-user", "tech", "--role",
             "technician"], input=USERS["tech"][1] + "\n", cwd=state, timeout=60)
    assert r.returncode == 0, r.stderr
    proc = subprocess.Popen([vuorod, "--config", conf, "--listen", "127.0.0.1:0"], cwd=state,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        m = re.search(r"(http://127\.0\.0\.1:\d+)/", proc.stdout.readline())
        assert m, "the packaged vuorod did not start"
        url = m.group(1)
        assert requests.get(url + "/kiosk", timeout=30).status_code == 200
        assert requests.get(url + "/ui/i18n/fi.json", timeout=30).status_code == 200
        token = requests.post(url + "/api/login", json={"user": "tech",
                                                        "password": USERS["tech"][1]},
                              timeout=30).json()["token"]
        h = requests.get(url + "/api/health", headers={"Authorization": "Bearer " + token},
                         timeout=30).json()
        assert h["version"] == VERSION, h
        displays = requests.get(url + "/api/displays", headers={
            "Authorization": "Bearer " + token}, timeout=30).json()["displays"]
        assert displays, "the sim board's displays (maps from /etc/vuoro/displays)"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    # Its database went to the state directory, nothing to the working tree.
    assert os.path.exists(os.path.join(state, "vuoro.db"))
    assert not os.path.exists(os.path.join(state, "build"))


def test_build_depends_are_what_install_deps_installs():
    """debian/control's Build-Depends come from tools/install-deps' list, so
    `make deps` is all a `make deb` needs."""
    control = open(os.path.join(ROOT, "debian/control")).read()
    bd = re.search(r"^Build-Depends:(.*?)^\S", control, re.M | re.S).group(1)
    wanted = {re.split(r"[ (]", d.strip())[0] for d in bd.split(",") if d.strip()}
    wanted.discard("debhelper-compat")
    text = open(os.path.join(ROOT, "tools/install-deps")).read()
    listed = set(re.sub(r"#[^\n]*", "", re.search(r"^packages=\((.*?)^\)", text,
                                                  re.M | re.S).group(1)).split())
    assert wanted <= listed, sorted(wanted - listed)
    assert {"debhelper", "dpkg-dev", "fakeroot", "lintian"} <= listed


def test_make_deb_refuses_a_version_the_changelog_does_not_name():
    r = run(["make", "--no-print-directory", "-C", ROOT, "deb", "VERSION=99.0.0",
             "BUILD=" + os.path.join(BUILD, "pkgtest-refused")], timeout=60)
    assert r.returncode != 0 and "debian/changelog says %s, VERSION says 99.0.0" % VERSION \
        in r.stderr, r.stdout + r.stderr
    assert not os.path.exists(os.path.join(BUILD, "pkgtest-refused"))


def teardown_module(module):
    for d in _extracted.values():
        shutil.rmtree(d, ignore_errors=True)
