# SPDX-License-Identifier: GPL-3.0-or-later
"""Two NATs and a TURN server in network namespaces (issue 16, "Proof across NAT").

    topo = NatTopology(workdir)          # as root; removed by topo.close() (and atexit)
    topo.drop_direct_udp(True)           # media between the two NATs only through TURN
    turn = Coturn(topo, "secret")        # turnserver in the public namespace
    user, cred = turn.credentials("eero", 3600)
    p = topo.run("site", ["vuorod", ...])  # subprocess.Popen inside the site's namespace
    topo.call("site", requests.get, url)   # a Python call whose sockets live in the namespace

Namespaces (each run has its own short prefix, so runs may overlap):
    public  bridge br0, 203.0.113.10/24 (TURN, NATS, the hub)
    natA    wan 203.0.113.2/24, lan 192.0.2.1/24       nftables masquerade on "wan"
    natB    wan 203.0.113.3/24, lan 198.51.100.1/24    nftables masquerade on "wan"
    site    eth0 192.0.2.10/24, default via natA
    expert  eth0 198.51.100.10/24, default via natB
Only the documentation ranges; no veth end lives in the machine's own namespace, so
no packet of the test can reach (or leave through) the machine's interfaces.

The NATs map endpoint-independently (Linux's masquerade keeps the source port
when it is free) and filter by address and port, as most office routers do.
Unsolicited UDP to a NAT itself is dropped in its input hook, so that it leaves
no conntrack entry behind (one would take the port that the next outgoing
flow keeps, and that flow would get another):
with direct UDP allowed two peers behind them meet by ICE (srflx/prflx);
symmetric=True gives "masquerade random" (a new port per destination, as a
carrier-grade NAT), where only TURN gets through.  The public namespace routes
the two LANs to their NATs, which drop what comes unasked: as on the Internet,
a packet to a private address vanishes (coturn closes an allocation whose
relay gets ENETUNREACH).

cut(role)/heal(role) take a namespace's uplink down and up: "site"/"expert"
(their eth0: the host's network drops), "natA"/"natB" (the NAT's wan: the
office's line drops)."""
import atexit
import concurrent.futures
import ctypes
import os
import secrets
import shutil
import subprocess
import time
import base64
import hashlib
import hmac

PUBLIC_IP = "203.0.113.10"
NAT_A_WAN = "203.0.113.2"
NAT_B_WAN = "203.0.113.3"
SITE_IP = "192.0.2.10"
EXPERT_IP = "198.51.100.10"
CLONE_NEWNET = 0x40000000
ROLES = ("public", "natA", "natB", "site", "expert")


def _sh(*argv, check=True):
    r = subprocess.run(list(argv), capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(argv), r.stderr.strip() or r.stdout.strip()))
    return r


def available():
    """None when this machine can build the topology, else why not (for pytest.skip)."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    for tool in ("ip", "nft", "turnserver", "turnutils_uclient"):
        if not shutil.which(tool) and not os.path.exists("/usr/sbin/" + tool) \
                and not os.path.exists("/usr/bin/" + tool):
            return "%s is not installed (tools/install-deps installs it)" % tool
    return None


class NatTopology:
    def __init__(self, workdir, symmetric=False):
        self.workdir = workdir
        self.symmetric = symmetric
        self.prefix = "v" + secrets.token_hex(3)
        self.ns = {role: "%s-%s" % (self.prefix, role) for role in ROLES}
        self.procs = []
        self.executors = {}
        self.site_dnat = []
        self.direct_dropped = False
        self.closed = False
        atexit.register(self.close)
        try:
            self._build()
        except BaseException:
            self.close()
            raise

    # -- building ------------------------------------------------------------------
    def ip(self, role, *args):
        return _sh("ip", "-n", self.ns[role], *args)

    def sh(self, role, *argv, check=True):
        return _sh("ip", "netns", "exec", self.ns[role], *argv, check=check)

    def _veth(self, a, a_if, b, b_if):
        _sh("ip", "-n", self.ns[a], "link", "add", a_if, "type", "veth", "peer", "name", b_if,
            "netns", self.ns[b])

    def _build(self):
        for role in ROLES:
            _sh("ip", "netns", "add", self.ns[role])
            # IPv4 documentation ranges only: no IPv6 link-local addresses either
            self.sh(role, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
                    "net.ipv6.conf.default.disable_ipv6=1")
            self.ip(role, "link", "set", "lo", "up")
        # public: a bridge with the TURN server (and NATS, the hub) on it
        self.ip("public", "link", "add", "br0", "type", "bridge")
        self.ip("public", "addr", "add", PUBLIC_IP + "/24", "dev", "br0")
        self.ip("public", "link", "set", "br0", "up")
        # The LANs behind the NATs are private: on the Internet a packet to such an
        # address vanishes without a word (here: it reaches the NAT, whose forward
        # hook drops it).  Without a route coturn's relay gets ENETUNREACH for a
        # peer's host candidate and closes the whole allocation.
        self.ip("public", "route", "add", "192.0.2.0/24", "via", NAT_A_WAN, "onlink", "dev", "br0")
        self.ip("public", "route", "add", "198.51.100.0/24", "via", NAT_B_WAN, "onlink", "dev", "br0")
        for nat, wan_ip, lan_net, lan_ip, inner, inner_ip, port in (
                ("natA", NAT_A_WAN, "192.0.2.0/24", "192.0.2.1", "site", SITE_IP, "pa"),
                ("natB", NAT_B_WAN, "198.51.100.0/24", "198.51.100.1", "expert", EXPERT_IP, "pb")):
            self._veth(nat, "wan", "public", port)
            self.ip("public", "link", "set", port, "master", "br0")
            self.ip("public", "link", "set", port, "up")
            self.ip(nat, "addr", "add", wan_ip + "/24", "dev", "wan")
            self.ip(nat, "link", "set", "wan", "up")
            self._veth(nat, "lan", inner, "eth0")
            self.ip(nat, "addr", "add", lan_ip + "/24", "dev", "lan")
            self.ip(nat, "link", "set", "lan", "up")
            self.ip(inner, "addr", "add", inner_ip + "/24", "dev", "eth0")
            self.ip(inner, "link", "set", "eth0", "up")
            self.ip(inner, "route", "add", "default", "via", lan_ip)
            self.sh(nat, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1")
            self._nft_base(nat, lan_net)

    def _nft_base(self, nat, lan_net):
        masq = "masquerade random" if self.symmetric else "masquerade"
        rules = """
table ip vuoro {
  chain pre { type nat hook prerouting priority dstnat; }
  chain post { type nat hook postrouting priority srcnat; oifname "wan" %s; }
  chain forward { type filter hook forward priority filter; policy accept;
    iifname "wan" ct state established,related accept
    iifname "wan" ct status dnat accept
    iifname "wan" ip daddr %s drop
  }
  chain direct { }
  chain input { type filter hook input priority filter; policy accept;
    iifname "wan" ct state established,related accept
    iifname "wan" meta l4proto udp drop
  }
}
""" % (masq, lan_net)
        self._nft(nat, rules)
        # "direct" is jumped to first from forward: the UDP-between-NATs switch
        self._nft(nat, "insert rule ip vuoro forward jump direct\n")

    def _nft(self, role, text):
        path = os.path.join(self.workdir, "%s-%d.nft" % (role, time.monotonic_ns()))
        with open(path, "w") as f:
            f.write(text)
        self.sh(role, "nft", "-f", path)

    # -- switches ------------------------------------------------------------------
    def drop_direct_udp(self, drop=True):
        """Drop (True) or allow (False) UDP between the two NATs' public addresses in
        both NATs' forward hooks: then TURN is the only media path."""
        for nat, other in (("natA", NAT_B_WAN), ("natB", NAT_A_WAN)):
            self.sh(nat, "nft", "flush", "chain", "ip", "vuoro", "direct")
            if drop:
                self._nft(nat, "add rule ip vuoro direct meta l4proto udp ip daddr %s counter drop\n"
                               "add rule ip vuoro direct meta l4proto udp ip saddr %s counter drop\n"
                          % (other, other))
            # forget the NAT's mappings so no old flow outlives the switch
            self.sh(nat, "conntrack", "-F", check=False)
        self.direct_dropped = drop

    def forward_site_tcp(self, port):
        """natA's public address forwards TCP @port to the site (the site's HTTP only):
        signalling can come in, media cannot."""
        self._nft("natA", "add rule ip vuoro pre iifname \"wan\" tcp dport %d dnat to %s:%d\n"
                  % (port, SITE_IP, port))
        self.site_dnat.append(port)
        return "%s:%d" % (NAT_A_WAN, port)

    def _uplink(self, role):
        """The link that connects @role to the rest: its own eth0 (site, expert), its
        wan (natA, natB)."""
        if role in ("site", "expert"):
            return role, "eth0"
        if role in ("natA", "natB"):
            return role, "wan"
        raise ValueError("no uplink to cut in " + role)

    def cut(self, role):
        """@role's network drops (link down: its sockets see no more packets)."""
        ns, dev = self._uplink(role)
        self.ip(ns, "link", "set", dev, "down")

    def heal(self, role):
        ns, dev = self._uplink(role)
        self.ip(ns, "link", "set", dev, "up")
        if role in ("site", "expert"):
            gw = "192.0.2.1" if role == "site" else "198.51.100.1"
            self.ip(ns, "route", "replace", "default", "via", gw)

    # -- running -------------------------------------------------------------------
    def run(self, role, argv, **kw):
        """subprocess.Popen of @argv inside @role's namespace; killed by close()."""
        p = subprocess.Popen(["ip", "netns", "exec", self.ns[role]] + list(argv), **kw)
        self.procs.append(p)
        return p

    def call(self, role, fn, *args, **kw):
        """fn(*args, **kw) on a thread inside @role's network namespace (sockets made
        there belong to it): the test's own HTTP to a daemon in a namespace."""
        ex = self.executors.get(role)
        if ex is None:
            ex = concurrent.futures.ThreadPoolExecutor(
                max_workers=1, initializer=_enter_netns, initargs=(self.ns[role],))
            self.executors[role] = ex
        return ex.submit(fn, *args, **kw).result()

    def close(self):
        if self.closed:
            return
        self.closed = True
        for p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        for ex in self.executors.values():
            ex.shutdown(wait=False)
        for role in ROLES:
            # processes still in the namespace (what a test started otherwise)
            r = _sh("ip", "netns", "pids", self.ns[role], check=False)
            for pid in r.stdout.split():
                try:
                    os.kill(int(pid), 9)
                except (ProcessLookupError, ValueError):
                    pass
            _sh("ip", "netns", "del", self.ns[role], check=False)
        atexit.unregister(self.close)


def _enter_netns(name):
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open("/run/netns/" + name, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns " + name)
    finally:
        os.close(fd)


class Coturn:
    """turnserver (coturn 4.6, Debian) by hand in the public namespace, REST credentials
    (use-auth-secret)."""

    def __init__(self, topo, secret, realm="vuoro.test", port=3478):
        self.topo = topo
        self.secret = secret
        self.realm = realm
        self.port = port
        self.dir = os.path.join(topo.workdir, "coturn")
        os.makedirs(self.dir, exist_ok=True)
        self.conf = os.path.join(self.dir, "turnserver.conf")
        self.pidfile = os.path.join(self.dir, "turnserver.pid")
        self.log = os.path.join(self.dir, "turnserver.log")
        with open(self.conf, "w") as f:
            f.write("\n".join([
                "listening-ip=" + PUBLIC_IP,
                "relay-ip=" + PUBLIC_IP,
                "listening-port=%d" % port,
                "min-port=49152", "max-port=65535",
                "use-auth-secret",
                "static-auth-secret=" + secret,
                "realm=" + realm,
                "fingerprint",
                "no-tls", "no-dtls", "no-cli",
                "no-multicast-peers",
                "allowed-peer-ip=203.0.113.0-203.0.113.255",
                "allowed-peer-ip=192.0.2.0-192.0.2.255",
                "allowed-peer-ip=198.51.100.0-198.51.100.255",
                "pidfile=" + self.pidfile,
                "log-file=" + self.log,
                "simple-log", "verbose",
                "no-stdout-log",
                "",
            ]))
        self.proc = topo.run("public", ["turnserver", "-c", self.conf],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # ready when it listens (the log says so)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("turnserver exited %s: %s" % (self.proc.returncode, self.log_text()[-2000:]))
            r = topo.sh("public", "ss", "-Hlun", "sport = :%d" % port, check=False)
            if PUBLIC_IP in r.stdout:
                return
            time.sleep(0.05)
        raise RuntimeError("turnserver did not listen: " + self.log_text()[-2000:])

    def url(self, transport="udp"):
        return "turn:%s:%d?transport=%s" % (PUBLIC_IP, self.port, transport)

    def credentials(self, user, ttl=3600):
        """(username, credential) per coturn's REST scheme: "expiry:user" and
        base64(HMAC-SHA1(secret, username))."""
        username = "%d:%s" % (int(time.time()) + ttl, user)
        mac = hmac.new(self.secret.encode(), username.encode(), hashlib.sha1).digest()
        return username, base64.b64encode(mac).decode()

    def log_text(self):
        # simple-log may add a date to the name
        for name in sorted(os.listdir(self.dir)):
            if name.startswith("turnserver") and name.endswith(".log"):
                with open(os.path.join(self.dir, name), errors="replace") as f:
                    return f.read()
        return ""

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
