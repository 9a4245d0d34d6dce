# SPDX-License-Identifier: GPL-3.0-or-later
"""The installed systemd unit: vuorod as its own user in a sandbox whose
exposure systemd-analyze rates at most 3.0 (offline: no systemd runs here),
made by a `make install` that needs no root, with the user and modes made by
systemd-sysusers and systemd-tmpfiles from the installed files."""
import grp
import os
import re
import shutil
import subprocess
import tempfile

import pytest

from conftest import ROOT

BUILD = os.path.abspath(os.environ.get("BUILD_DIR", os.path.join(ROOT, "build")))
MAX_EXPOSURE = 3.0


def analyze(unit):
    """systemd-analyze's overall exposure of @unit, and its return code with
    --threshold at MAX_EXPOSURE."""
    r = subprocess.run(["systemd-analyze", "security", "--offline=true",
                        "--threshold=%d" % int(MAX_EXPOSURE * 10), unit],
                       capture_output=True, text=True, timeout=60)
    m = re.search(r"Overall exposure level for \S+: ([0-9.]+)", r.stdout)
    assert m, r.stdout[-2000:] + r.stderr
    return float(m.group(1)), r.returncode


NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


@pytest.fixture(scope="module")
def installed():
    if not shutil.which("systemd-analyze"):
        pytest.fail("systemd-analyze is missing: run tools/install-deps (package systemd)")
    dest = tempfile.mkdtemp(prefix="vuoro-destdir-")
    os.chmod(dest, 0o777)
    # As nobody when nobody can read the tree: make install must need no
    # root (it builds nothing here: the programs are built).
    as_nobody = os.geteuid() == 0 and subprocess.run(
        NOBODY + ["test", "-r", os.path.join(ROOT, "Makefile")]).returncode == 0
    r = subprocess.run((NOBODY if as_nobody else []) +
                       ["make", "--no-print-directory", "-C", ROOT, "install", "BUILD=" + BUILD,
                        "DESTDIR=" + dest, "PREFIX=/usr"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    yield dest
    shutil.rmtree(dest, ignore_errors=True)


def test_unit_runs_vuorod_as_its_own_user_in_a_sandbox(installed):
    unit = os.path.join(installed, "usr/lib/systemd/system/vuorod.service")
    text = open(unit, encoding="utf-8").read()
    for line in ("User=vuoro", "Group=vuoro", "ProtectSystem=strict", "PrivateTmp=yes",
                 "NoNewPrivileges=yes", "CapabilityBoundingSet=\n", "DevicePolicy=closed",
                 "SystemCallFilter=@system-service", "ExecStart=/usr/bin/vuorod --config "
                 "/etc/vuoro/vuoro.conf"):
        assert line in text, line
    exposure, rc = analyze(unit)
    print("BENCH unit_exposure=%.1f (target <= %.1f)" % (exposure, MAX_EXPOSURE))
    assert exposure <= MAX_EXPOSURE and rc == 0, exposure


def test_the_exposure_check_fails_an_open_unit(installed, tmp_path):
    """The same unit without its sandbox lines is refused: the check can fail."""
    text = open(os.path.join(installed, "usr/lib/systemd/system/vuorod.service"),
                encoding="utf-8").read()
    keep = ("[", "Description", "Type", "ExecStart", "User", "Group", "WantedBy", "Restart")
    bare = "\n".join(l for l in text.splitlines() if l.startswith(keep) or not l.strip())
    unit = tmp_path / "vuorod.service"
    unit.write_text(bare)
    exposure, rc = analyze(str(unit))
    assert exposure > MAX_EXPOSURE and rc != 0, exposure


def test_sysusers_and_tmpfiles_make_the_user_and_modes(installed):
    # A package's files belong to root once installed, whoever staged them.
    if os.geteuid() == 0:
        subprocess.run(["chown", "-R", "0:0", installed], check=True)
    # systemd-sysusers in the installed tree makes vuoro and the gpio group …
    r = subprocess.run(["systemd-sysusers", "--root=" + installed], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    passwd = open(os.path.join(installed, "etc/passwd")).read()
    groups = {l.split(":")[0]: l.split(":") for l in open(os.path.join(installed, "etc/group"))}
    user = next(l.split(":") for l in passwd.splitlines() if l.startswith("vuoro:"))
    assert user[6] == "/usr/sbin/nologin" and user[5] == "/var/lib/vuoro", user
    assert "gpio" in groups and "vuoro" in groups
    # … and systemd-tmpfiles gives /etc/vuoro to its group only.
    r = subprocess.run(["systemd-tmpfiles", "--root=" + installed, "--create"], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    gid = int(groups["vuoro"][2])
    for path, mode in (("etc/vuoro", 0o750), ("etc/vuoro/vuoro.conf", 0o640),
                       ("etc/vuoro/tls", 0o750), ("var/lib/vuoro", 0o750)):
        st = os.stat(os.path.join(installed, path))
        assert st.st_gid == gid and st.st_mode & 0o777 == mode, (path, oct(st.st_mode), st.st_gid)
    # Every supplementary group of the unit exists on Debian or is ours.
    unit = open(os.path.join(installed, "usr/lib/systemd/system/vuorod.service")).read()
    wanted = re.search(r"^SupplementaryGroups=(.*)$", unit, re.M).group(1).split()
    ours = re.findall(r"^g (\S+)", open(os.path.join(ROOT, "board-config/vuoro.sysusers")).read(),
                      re.M)
    for g in wanted:
        assert g in ours or grp.getgrnam(g), g
