// SPDX-License-Identifier: GPL-3.0-or-later
// The expert's side of tests/integration/test_nat_hub.py (and of
// tools/bench-expert-hub.py): run inside the expert's network namespace
// (behind natB) by the Python test, it drives Debian's headless Chromium
// (playwright-core, as lib.mjs) on the hub's /hub/expert (vuoro-hub in the
// public namespace).  The site's booth behind natA offers through the hub
// (NATS); the media go directly or through coturn.  One command a line on
// stdin, one JSON line out:
//   call          → {"ok":true,"local":"relay",…,"framesDecoded":N,"clickToFirstFrameMs":…}
//                   (the click on "Call next" to the first decoded frame both ways:
//                   the page's <video> and the booth's {"type":"media","event":"first_frame"})
//   stats         → the selected pair and the frames decoded / sent so far
//   message TPL   → the page's answer to the message form ({"kind":"ok|error","text"})
//   end           → the expert ends the session (outcome resolved)
//   online N      → waits until the page's socket to the hub is open (more than N opened)
//   seen SITE ID  → waits for ticket ID of SITE in the queue: {"at": epoch ms it was first shown}
//   shot PATH, quit
//
//   node tests/e2e/nat-hub-expert.mjs '{"url":"http://203.0.113.10:8090","user":"eero","password":"…"}'

import readline from "node:readline";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, waitFor } from "./lib.mjs";

const opt = JSON.parse(process.argv[2]);
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");

// The hub is plain HTTP here: treat its origin as secure so the page may open the
// (fake) camera, as on https behind the region's TLS proxy.
const b = await chromium.launch({
  executablePath: CHROMIUM,
  // No loopback candidate: behind a NAT it means nothing.
  args: [...CHROMIUM_ARGS.filter((a) => a !== "--allow-loopback-in-peer-connection"),
    `--unsafely-treat-insecure-origin-as-secure=${opt.url}`],
});
const ctx = await b.newContext({ viewport: { width: 1400, height: 900 } });
await ctx.addInitScript(() => {
  // Every RTCPeerConnection the page makes, for getStats().
  const Orig = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = function (...a) {
    const pc = new Orig(...a);
    window.__pcs.push(pc);
    return pc;
  };
  window.RTCPeerConnection.prototype = Orig.prototype;
  // The booth's first decoded frame of the expert's video comes as a signalling
  // message through the hub ({"type":"media","event":"first_frame"}).
  window.__boothFrame = 0;
  window.__wsOpened = 0; // sockets that opened (the hub's restart: one more)
  const OrigWs = window.WebSocket;
  window.WebSocket = function (...a) {
    const ws = new OrigWs(...a);
    ws.addEventListener("open", () => { window.__wsOpened++; });
    ws.addEventListener("message", (e) => {
      try {
        const m = JSON.parse(e.data);
        if (m.type === "media" && m.event === "first_frame" && !window.__boothFrame) {
          window.__boothFrame = performance.now();
        }
      } catch { /* not JSON */ }
    });
    return ws;
  };
  window.WebSocket.prototype = OrigWs.prototype;
  for (const k of ["CONNECTING", "OPEN", "CLOSING", "CLOSED"]) window.WebSocket[k] = OrigWs[k];
  // When each ticket row of the queue was first shown (epoch ms): the queue bench.
  window.__seen = {};
  const watch = () => {
    const rows = document.getElementById("tickets-rows");
    if (!rows) return setTimeout(watch, 50);
    const mark = () => {
      for (const tr of rows.querySelectorAll("tr[data-ticket]")) {
        const k = `${tr.dataset.site}/${tr.dataset.ticket}`;
        if (!window.__seen[k]) window.__seen[k] = performance.timeOrigin + performance.now();
      }
    };
    new MutationObserver(mark).observe(rows, { childList: true, subtree: true });
    mark();
  };
  document.addEventListener("DOMContentLoaded", watch);
  localStorage.setItem("vuoro-hub-lang", "en");
});
const page = await ctx.newPage();
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));

async function login() {
  await page.goto(opt.url + "/hub/expert");
  await page.fill("#user", opt.user);
  await page.fill("#password", opt.password);
  await page.click("#login-button");
  await page.waitForSelector("#app:not([hidden])", { timeout: 15000 });
  await waitFor(() => page.evaluate(() => document.getElementById("self").readyState >= 2),
    "the expert's own camera", 15000);
  await online();
}

// The page's socket to the hub open, the (n+1)th that opened.
async function online(n = 0) {
  await waitFor(() => page.evaluate((k) => document.getElementById("offline").hidden &&
    window.__vuoro !== undefined && window.__wsOpened > k, n), "the page's socket to the hub open", 30000);
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
      wsOpened: window.__wsOpened,
      session: window.__vuoro.session ? { site: window.__vuoro.session.site, id: window.__vuoro.session.id,
        state: window.__vuoro.session.state } : null,
      pairs: Object.values(all).filter((c) => c.type === "candidate-pair")
        .map((c) => `${all[c.localCandidateId]?.candidateType}-${all[c.remoteCandidateId]?.candidateType}:${c.state}`),
    };
  });
}

async function session() {
  await page.evaluate(() => { window.__boothFrame = 0; });
  await page.click("#call");
  await waitFor(() => page.evaluate(() => {
    const m = window.__vuoro.metrics;
    return m.click > 0 && m.remoteFrame > m.click && window.__boothFrame > m.click;
  }), "first frames both ways", 30000);
  const m = await page.evaluate(() => ({ ...window.__vuoro.metrics, booth: window.__boothFrame }));
  const s = await waitFor(async () => {
    const x = await stats();
    return x && x.local && x.framesDecoded > 10 ? x : null;
  }, "frames decoded on a selected pair", 15000);
  out({ ok: true, ...s, clickToFirstFrameMs: Math.max(m.remoteFrame, m.booth) - m.click });
}

async function message(template) {
  await page.evaluate(() => { document.getElementById("session-out").textContent = ""; });
  await page.selectOption("#template", template);
  await page.click("#send");
  const r = await waitFor(() => page.evaluate(() => {
    const x = document.querySelector("#session-out .result");
    return x ? { kind: x.classList.contains("error") ? "error" : "ok", text: x.textContent } : null;
  }), "the answer to the message", 15000);
  out({ ok: true, ...r });
}

try {
  await login();
  out({ ready: true });
  const rl = readline.createInterface({ input: process.stdin });
  for await (const line of rl) {
    const [cmd, ...args] = line.trim().split(/\s+/);
    try {
      if (cmd === "call") {
        await session();
      } else if (cmd === "stats") {
        out({ ok: true, ...(await stats()) });
      } else if (cmd === "message") {
        await message(args[0]);
      } else if (cmd === "end") {
        await page.selectOption("#outcome", "resolved");
        await page.click("#end");
        await waitFor(() => page.evaluate(() => !window.__vuoro.session ||
          window.__vuoro.session.state === "ended"), "the session ended", 15000);
        out({ ok: true, ended: true });
      } else if (cmd === "online") {
        await online(Number(args[0] || 0));
        out({ ok: true });
      } else if (cmd === "seen") {
        const at = await waitFor(() => page.evaluate((k) => window.__seen[k] || 0, `${args[0]}/${args[1]}`),
          `ticket ${args[1]} of ${args[0]} on the page`, 15000);
        out({ ok: true, at });
      } else if (cmd === "shot") {
        await page.screenshot({ path: args[0], fullPage: true });
        out({ ok: true });
      } else if (cmd === "quit") {
        break;
      } else {
        out({ ok: false, error: "unknown command " + cmd });
      }
    } catch (e) {
      out({ ok: false, error: e.message, errors, stats: await stats().catch((x) => x.message),
        status: await page.textContent("#session-out").catch(() => null) });
    }
  }
} catch (e) {
  out({ ok: false, error: e.message, errors });
} finally {
  await b.close();
}
