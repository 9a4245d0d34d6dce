// SPDX-License-Identifier: GPL-3.0-or-later
// The expert's side of tests/integration/test_nat_turn.py: run inside the
// expert's network namespace (behind natB) by the Python test, it drives
// Debian's headless Chromium (playwright-core, as lib.mjs) on the site's
// /expert page reached through natA's port forward, calls the next customer,
// waits for the first frames both ways and prints one JSON line per session:
//   {"ok":true,"local":"relay","remote":"srflx","framesDecoded":N,
//    "clickToFirstFrameMs":…,"stats":{…}}
// Then it reads commands from stdin, one per line: "call" (another session),
// "end" (the expert ends the session), "quit".
//
//   node tests/e2e/nat-expert.mjs '{"url":"http://203.0.113.2:8080","user":"eero","password":"…"}'

import readline from "node:readline";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, waitFor } from "./lib.mjs";

const opt = JSON.parse(process.argv[2]);
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");

// The site is plain HTTP on a sim board: treat its origin as secure so the
// page may open the (fake) camera, as on https in the field.
const b = await chromium.launch({
  executablePath: CHROMIUM,
  // No loopback candidate: behind a NAT it means nothing, and the site's TURN
  // server refuses a permission for it (403), which libnice takes badly.
  args: [...CHROMIUM_ARGS.filter((a) => a !== "--allow-loopback-in-peer-connection"),
    `--unsafely-treat-insecure-origin-as-secure=${opt.url}`],
});
const ctx = await b.newContext({ viewport: { width: 1280, height: 800 } });
// Every RTCPeerConnection the page makes, for getStats().
await ctx.addInitScript(() => {
  const Orig = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = function (...a) {
    const pc = new Orig(...a);
    window.__pcs.push(pc);
    // what ICE did, for the report of a failure (the page closes a failed connection)
    const log = (window.__icelog = []);
    log.push("config " + JSON.stringify(a[0]?.iceServers?.map((s) => s.urls)));
    pc.addEventListener("icecandidate", (e) => log.push("local " + (e.candidate?.candidate ?? "end")));
    pc.addEventListener("iceconnectionstatechange", async () => {
      log.push("ice " + pc.iceConnectionState);
      if (pc.iceConnectionState !== "connected") return;
      const st = {};
      (await pc.getStats()).forEach((x) => { st[x.id] = x; });
      for (const t of Object.values(st)) {
        const p = t.type === "transport" && st[t.selectedCandidatePairId];
        if (!p) continue;
        const l = st[p.localCandidateId];
        const r = st[p.remoteCandidateId];
        log.push(`pair ${l.candidateType} ${l.address}:${l.port} -> ${r.candidateType} ${r.address}:${r.port}`);
      }
    });
    const add = pc.addIceCandidate.bind(pc);
    pc.addIceCandidate = (c, ...r) => {
      log.push("remote " + (c?.candidate ?? JSON.stringify(c)));
      return add(c, ...r);
    };
    return pc;
  };
  window.RTCPeerConnection.prototype = Orig.prototype;
  localStorage.setItem("vuoro-lang", "en");
});
const page = await ctx.newPage();
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));

async function login() {
  await page.goto(opt.url + (opt.path || "/expert"));
  await page.fill("#user", opt.user);
  await page.fill("#password", opt.password);
  await page.click("#login-button");
  await page.waitForSelector("#app:not([hidden])", { timeout: 15000 });
  await waitFor(() => page.evaluate(() => document.getElementById("self").readyState >= 2),
    "the expert's own camera", 15000);
}

// The selected candidate pair of the newest peer connection, and what it decoded.
async function stats() {
  return page.evaluate(async () => {
    const pc = window.__pcs[window.__pcs.length - 1];
    if (!pc) return null;
    const r = await pc.getStats();
    const all = {};
    r.forEach((s) => { all[s.id] = s; });
    let pair = null;
    for (const s of Object.values(all)) {
      if (s.type === "transport" && s.selectedCandidatePairId) pair = all[s.selectedCandidatePairId];
    }
    if (!pair) {
      pair = Object.values(all).find((s) => s.type === "candidate-pair" && s.nominated &&
        s.state === "succeeded") || null;
    }
    const inbound = Object.values(all).filter((s) => s.type === "inbound-rtp" && s.kind === "video");
    const outbound = Object.values(all).filter((s) => s.type === "outbound-rtp" && s.kind === "video");
    const l = pair && all[pair.localCandidateId];
    const rm = pair && all[pair.remoteCandidateId];
    return {
      connection: pc.connectionState,
      local: l?.candidateType ?? null,
      localAddress: l ? `${l.address}:${l.port}` : null,
      remote: rm?.candidateType ?? null,
      remoteAddress: rm ? `${rm.address}:${rm.port}` : null,
      framesDecoded: inbound.reduce((n, s) => n + (s.framesDecoded || 0), 0),
      framesSent: outbound.reduce((n, s) => n + (s.framesSent || 0), 0),
      bytesReceived: pair?.bytesReceived ?? 0,
      candidates: Object.values(all).filter((c) => c.type.endsWith("-candidate"))
        .map((c) => `${c.type[0]}:${c.candidateType}:${c.address}:${c.port}`),
      pairs: Object.values(all).filter((c) => c.type === "candidate-pair")
        .map((c) => `${all[c.localCandidateId]?.candidateType}-${all[c.remoteCandidateId]?.candidateType}:${c.state}`),
    };
  });
}

async function session() {
  const before = await page.evaluate(() => window.__pcs.length);
  await page.click("#call");
  await waitFor(() => page.evaluate(() => window.__vuoro.metrics.remoteFrame > 0 &&
    window.__vuoro.metrics.boothFrame > 0 && window.__vuoro.metrics.click > 0 &&
    window.__vuoro.metrics.remoteFrame > window.__vuoro.metrics.click), "first frames both ways", 30000);
  const m = await page.evaluate(() => ({ ...window.__vuoro.metrics }));
  const pcs = await page.evaluate(() => window.__pcs.length);
  // frames keep coming: a few decoded, on the selected pair
  const s = await waitFor(async () => {
    const x = await stats();
    return x && x.local && x.framesDecoded > 10 ? x : null;
  }, "frames decoded on a selected pair", 15000);
  out({
    ok: true, ...s, newPeer: pcs > before,
    clickToFirstFrameMs: Math.max(m.remoteFrame, m.boothFrame) - m.click,
  });
}

try {
  await login();
  out({ ready: true });
  const rl = readline.createInterface({ input: process.stdin });
  for await (const line of rl) {
    const cmd = line.trim();
    try {
      if (cmd === "call") {
        await page.evaluate(() => {
          const m = window.__vuoro.metrics;
          m.click = 0; m.remoteFrame = 0; m.boothFrame = 0;
        });
        await session();
      } else if (cmd === "stats") {
        out({ ok: true, ...(await stats()) });
      } else if (cmd === "end") {
        await page.selectOption("#outcome", "resolved");
        await page.click("#end");
        await waitFor(() => page.evaluate(() => !window.__vuoro.session ||
          window.__vuoro.session.state === "ended"), "the session ended", 10000);
        out({ ok: true, ended: true });
      } else if (cmd.startsWith("shot ")) {
        await page.screenshot({ path: cmd.slice(5), fullPage: true });
        out({ ok: true });
      } else if (cmd === "quit") {
        break;
      }
    } catch (e) {
      out({ ok: false, error: e.message, errors, stats: await stats().catch((x) => x.message),
        ice: await page.evaluate(() => window.__icelog).catch(() => null) });
    }
  }
} catch (e) {
  out({ ok: false, error: e.message, errors });
} finally {
  await b.close();
}
