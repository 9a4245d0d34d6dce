# SPDX-License-Identifier: GPL-3.0-or-later
"""The region's broker for the fleet tests: a real NATS cluster (nats-server,
JetStream) with TLS and per-site users, made from hub/deploy/nats/ exactly as
a region deploys it, and the NATS project's own client (tests/fleet/natsctl.mjs,
npm nats) as the tests' independent hands on it.

    c = NatsCluster(tmpdir, nodes=3, sites=["s1", "s2"])
    c.start(); c.setup_stream(duplicates_s=60)
    c.natsctl("site-s1", "pub", "vuoro.rec.s1.visit", "{}", "--msgid", "s1-ab-1")
    c.kill(1); c.restart(1); c.stop()
"""
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from ports import free_port

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEPLOY = os.path.join(ROOT, "hub", "deploy", "nats")
NATSCTL = os.path.join(ROOT, "tests", "fleet", "natsctl.mjs")
NATS_SERVER = shutil.which("nats-server") or "/usr/bin/nats-server"



def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


class Pki:
    """The region's CA and its certificates (EC P-256), made with openssl."""

    def __init__(self, folder):
        self.dir = folder
        os.makedirs(folder, exist_ok=True)
        self.ca = os.path.join(folder, "ca.crt")
        if not os.path.exists(self.ca):
            openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", "ca.key", "-out", "ca.crt", "-days", "30", "-subj", "/CN=vuoro test region CA",
                    cwd=folder)

    def issue(self, name, subject, ips=(), dns=()):
        """(cert, key) for @name: a certificate of @subject, with the
        addresses in its subjectAltName (servers) or none (clients)."""
        crt, key = os.path.join(self.dir, name + ".crt"), os.path.join(self.dir, name + ".key")
        if os.path.exists(crt):
            return crt, key
        ext = os.path.join(self.dir, name + ".ext")
        san = ["IP:" + ip for ip in ips] + ["DNS:" + d for d in dns]
        with open(ext, "w") as f:
            f.write("basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
                    "extendedKeyUsage=serverAuth,clientAuth\n")
            if san:
                f.write("subjectAltName=" + ",".join(san) + "\n")
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", name + ".key", "-out", name + ".csr", "-subj", subject, cwd=self.dir)
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", name + ".crt", "-days", "30", "-extfile", name + ".ext",
                cwd=self.dir)
        return crt, key


class NatsCluster:
    """@nodes nats-server processes (1 or 3) on @host, clustered, with
    JetStream, TLS and the users of hub/deploy/nats/users.sh for @sites."""

    def __init__(self, workdir, nodes=3, sites=("s1",), host="127.0.0.1", loadgen=False):
        self.dir = os.path.join(workdir, "nats")
        os.makedirs(self.dir, exist_ok=True)
        self.n = nodes
        self.host = host
        self.sites = list(sites)
        self.loadgen = loadgen  # users.sh --loadgen: the bench's user (tools/bench-hub.c)
        self.pki = Pki(os.path.join(self.dir, "tls"))
        self.ca = self.pki.ca
        self.names = ["nats-%d" % i for i in range(nodes)]
        self.client_ports = [free_port() for _ in range(nodes)]
        self.cluster_ports = [free_port() for _ in range(nodes)]
        self.monitor_ports = [free_port() for _ in range(nodes)]
        self.procs = [None] * nodes
        self.urls = ["tls://%s:%d" % (host, p) for p in self.client_ports]
        for name in self.names:
            self.pki.issue(name, "/CN=" + name, ips=[host, "127.0.0.1"], dns=["localhost"])
        self.write_users()
        for i in range(nodes):
            self.write_conf(i)

    def write_users(self):
        with open(os.path.join(self.dir, "users.conf"), "w") as f:
            subprocess.run([os.path.join(DEPLOY, "users.sh"), *(["--loadgen"] if self.loadgen else []),
                            *self.sites], stdout=f, check=True)

    def write_conf(self, i):
        text = open(os.path.join(DEPLOY, "node.conf.in"), encoding="utf-8").read()
        routes = "\n".join('    "nats-route://%s:%d"' % (self.host, p)
                           for j, p in enumerate(self.cluster_ports) if j != i)
        store = os.path.join(self.dir, self.names[i], "js")
        os.makedirs(store, exist_ok=True)
        for k, v in {"NAME": self.names[i], "HOST": self.host, "CLIENT_PORT": self.client_ports[i],
                     "CLUSTER_PORT": self.cluster_ports[i], "MONITOR_HOST": "127.0.0.1",
                     "MONITOR_PORT": self.monitor_ports[i], "TLS_DIR": self.pki.dir, "ROUTES": routes,
                     "STORE_DIR": store, "MAX_FILE_STORE": "1GB"}.items():
            text = text.replace("@%s@" % k, str(v))
        if self.n == 1:  # a single node: no cluster block (nothing to route to)
            start = text.index("cluster {")
            end = text.index("\n}\n", start) + 3
            text = text[:start] + text[end:]
        with open(os.path.join(self.dir, self.names[i] + ".conf"), "w") as f:
            f.write(text)

    def client(self, user):
        """(cert, key) of the client certificate for @user ("hub", "site-s1")."""
        return self.pki.issue("client-" + user, "/CN=" + user)

    def add_site(self, site):
        """A new site's user, taken by every running node at once (SIGHUP)."""
        self.sites.append(site)
        self.write_users()
        for p in self.procs:
            if p and p.poll() is None:
                p.send_signal(signal.SIGHUP)
        time.sleep(0.5)

    def start_node(self, i):
        log = open(os.path.join(self.dir, self.names[i] + ".log"), "ab")
        self.procs[i] = subprocess.Popen(
            [NATS_SERVER, "-c", os.path.join(self.dir, self.names[i] + ".conf")],
            stdout=log, stderr=subprocess.STDOUT)

    def healthy(self, i):
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % self.monitor_ports[i], timeout=1) as r:
                return r.status == 200
        except OSError:
            return False

    def wait_healthy(self, nodes=None, timeout=30):
        nodes = range(self.n) if nodes is None else nodes
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(self.healthy(i) for i in nodes):
                return
            for i in nodes:
                if self.procs[i] and self.procs[i].poll() is not None:
                    raise AssertionError("%s exited: %s" % (self.names[i], self.log(i)[-2000:]))
            time.sleep(0.1)
        raise AssertionError("the NATS cluster was not healthy in %d s: %s" % (timeout, self.log(0)[-2000:]))

    def log(self, i):
        try:
            return open(os.path.join(self.dir, self.names[i] + ".log"), encoding="utf-8", errors="replace").read()
        except OSError:
            return ""

    def start(self):
        for i in range(self.n):
            self.start_node(i)
        self.wait_healthy()
        return self

    def kill(self, i):
        """SIGKILL node @i (its JetStream store stays)."""
        p = self.procs[i]
        if p and p.poll() is None:
            p.kill()
            p.wait()
        self.procs[i] = None

    def restart(self, i):
        self.kill(i)
        self.start_node(i)
        self.wait_healthy([i])

    def stop(self):
        for i, p in enumerate(self.procs):
            if p and p.poll() is None:
                p.terminate()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
            self.procs[i] = None

    def natsctl(self, user, *args, check=True, timeout=60):
        """tests/fleet/natsctl.mjs as @user: (exit code, [JSON lines or text])."""
        crt, key = self.client(user)
        if user.startswith("site-") and "--inbox" not in args:
            args = ("--inbox", "_INBOX_" + user[len("site-"):]) + args
        servers = ",".join(u for i, u in enumerate(self.urls) if self.procs[i])
        r = subprocess.run(["node", NATSCTL, "--servers", servers, "--ca", self.ca, "--cert", crt,
                            "--key", key, *args], capture_output=True, text=True, timeout=timeout)
        if check and r.returncode != 0:
            raise AssertionError("natsctl %s: exit %d: %s %s" % (" ".join(args), r.returncode, r.stdout, r.stderr))
        lines = []
        for line in r.stdout.splitlines():
            try:
                lines.append(json.loads(line))
            except ValueError:
                lines.append(line)
        return r.returncode, lines

    def setup_stream(self, duplicates_s=7200):
        """VUORO_REC and the vuoro-sites bucket, made as the hub (replicas as nodes)."""
        deadline = time.monotonic() + 30
        while True:
            code, out = self.natsctl("hub", "setup", "--replicas", str(self.n), "--duplicates",
                                     str(duplicates_s), check=False)
            if code == 0:
                return
            if time.monotonic() > deadline:
                raise AssertionError("setting up the stream: %s" % out)
            time.sleep(0.5)

    def records(self):
        """Every message of the records stream: [{"seq", "subject", "msgid", "data"}]."""
        return self.natsctl("hub", "read")[1]
