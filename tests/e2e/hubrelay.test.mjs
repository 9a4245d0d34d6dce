// SPDX-License-Identifier: GPL-3.0-or-later
// A booth session through the hub's subjects with a real browser (issue 16):
// a NATS node (relay_region.py), a sim site with [uplink], and this test
// playing the hub with the NATS project's npm client — the site's
// signalling on vuoro.hub.s1.sig.c1 goes into Chromium's RTCPeerConnection
// (ui/common/rtc.js, as the hub's expert page uses it), what the browser
// says goes back as `signal` commands.  The session goes live with media
// both ways, the data channel "vuoro" opens, and an identity result comes
// over it as well as (without name and code) over the signalling.

import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import readline from "node:readline";
import { test, expect, waitFor, startVuorod, open, shot, ROOT } from "./lib.mjs";

// As expert.test.mjs (not imported: that would run its tests too).
const RTC = [["webrtc", "local-addresses", "127.0.0.1"], ["webrtc", "reconnect-seconds", "3"],
  ["webrtc", "ring-seconds", "10"]];
const booth = async (v) => (await v.api("GET", "/api/booths/4", null, "tech")).body;
async function issueRemote(v) {
  const r = await v.api("POST", "/api/tickets", { service: "kela-video", lang: "fi", handout: "screen" });
  expect(r.status === 201, "ticket issued: " + JSON.stringify(r.body));
  return r.body.ticket;
}

const { connect, StringCodec } = createRequire(import.meta.url)(path.join(ROOT, "tests", "fleet", "node_modules", "nats"));
const sc = StringCodec();

async function region() {
  const p = spawn("/usr/bin/python3", [path.join(ROOT, "tests", "e2e", "relay_region.py")],
    { stdio: ["pipe", "pipe", "inherit"] });
  const line = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("relay_region.py did not start")), 60000);
    readline.createInterface({ input: p.stdout }).once("line", (l) => {
      clearTimeout(t);
      resolve(l);
    });
    p.on("exit", (c) => reject(new Error("relay_region.py exited " + c)));
  });
  const r = JSON.parse(line);
  r.stop = () => new Promise((res) => {
    p.on("exit", res);
    p.stdin.end();
  });
  return r;
}

test("hub relay: a session through vuoro.site.s1.cmd / vuoro.hub.s1.sig goes live in Chromium, identity over the data channel", async () => {
  const reg = await region();
  const [siteCrt, siteKey] = reg.site;
  const v = await startVuorod([...RTC,
    ["uplink", "servers", reg.servers.join(";")], ["uplink", "site", "s1"], ["uplink", "ca", reg.ca],
    ["uplink", "cert", siteCrt], ["uplink", "key", siteKey]]);
  const nc = await connect({ servers: reg.servers, name: "hub-test",
    tls: { caFile: reg.ca, certFile: reg.hub[0], keyFile: reg.hub[1] } });
  const cmd = async (verb, body) => {
    const m = await nc.request(`vuoro.site.s1.cmd.${verb}`, sc.encode(JSON.stringify(body)), { timeout: 3000 });
    return JSON.parse(sc.decode(m.data));
  };
  const sig = [];
  let page = null;
  try {
    await waitFor(async () => (await v.api("GET", "/api/uplink", null, "tech")).body.connected,
      "the uplink connected", 15000);
    // The booth screen is the page the browser side runs in (same origin for /ui/common/rtc.js).
    page = await open(v.url + "/booth/?booth=4", { lang: "en" });
    await page.exposeFunction("hubSend", async (m) => {
      const r = await cmd("signal", { expert: "hanna", client: "c1", msg: m });
      if (!r.ok) console.log("# signal refused: " + JSON.stringify(r));
    });
    await page.evaluate(async () => {
      const { answerCall } = await import("/ui/common/rtc.js");
      const local = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
      window.hub = { data: [], calls: 0 };
      window.hub.offer = async (offer) => {
        window.hub.call?.close();
        window.hub.call = await answerCall({ offer, local, send: (m) => window.hubSend(m),
          onData: (m) => window.hub.data.push(m), onConnection: (s) => (window.hub.conn = s) });
        window.hub.calls++;
      };
    });
    const sub = nc.subscribe("vuoro.hub.s1.sig.c1");
    (async () => {
      for await (const m of sub) {
        const msg = JSON.parse(sc.decode(m.data));
        sig.push(msg);
        if (msg.type === "offer") await page.evaluate((o) => window.hub.offer(o), msg).catch(() => {});
        else if (msg.type === "ice") await page.evaluate((i) => window.hub.call?.ice(i), msg).catch(() => {});
      }
    })();
    await nc.flush();

    const ticket = await issueRemote(v);
    const t0 = Date.now();
    const r = await cmd("call", { expert: "hanna", provider: "kela", client: "c1", ice_servers: [] });
    expect(r.ok && r.code === ticket.code && r.booth === 4, "the call: " + JSON.stringify(r));
    await waitFor(async () => (await booth(v)).session?.state === "live", "the session live", 20000);
    const liveMs = Date.now() - t0;
    await waitFor(() => page.evaluate(async () => {
      const stats = await window.hub.call.pc.getStats();
      let frames = 0;
      stats.forEach((s) => {
        if (s.type === "inbound-rtp" && s.kind === "video") frames += s.framesDecoded || 0;
      });
      return frames > 10;
    }), "the booth's video decoded in Chromium", 15000);
    await waitFor(async () => ((await booth(v)).session?.media?.video_in_frames || 0) > 10,
      "the expert's video decoded at the booth", 15000);
    const firstFrameMs = Date.now() - t0;
    console.log(`# call command → live ${liveMs} ms, → frames both ways ${firstFrameMs} ms`);
    expect(sig.find((m) => m.type === "offer").ice_servers.length === 0, "the call's (empty) ICE servers in the offer");
    await waitFor(() => page.evaluate(() => window.hub.call.pc.sctp?.state === "connected"),
      "the data channel's SCTP association", 10000);
    await waitFor(() => page.locator("video, img").first().isVisible().catch(() => false), "the booth screen's video", 10000);
    await shot(page, "hubrelay-booth-live");

    // The expert asks for the ID card; the customer says "not now": the
    // result comes over the data channel and (summary) over the signalling.
    expect((await cmd("ask-identity", { expert: "hanna", session: r.session, ask: true })).ok, "ask-identity");
    const declined = await v.api("POST", "/api/booths/4/identity-declined", {});
    expect(declined.status === 200, "declined: " + JSON.stringify(declined.body));
    const over = await waitFor(() => page.evaluate(() => window.hub.data.find((m) => m.type === "identity")),
      "the identity over the data channel", 10000);
    expect(over.session === r.session && over.result.verdict === "declined", JSON.stringify(over));
    await waitFor(() => sig.find((m) => m.type === "identity"), "the identity summary over the signalling", 5000);

    expect((await cmd("end", { expert: "hanna", session: r.session, outcome: "resolved" })).ok, "end");
    await waitFor(() => sig.find((m) => m.type === "state" && m.state === "ended"), "the end on the hub's subject", 5000);
    const b = await booth(v);
    expect(!b.session && b.last.reason === "expert_ended", JSON.stringify(b));
  } finally {
    await page?.context().close();
    await nc.close();
    await v.cleanup();
    await reg.stop();
  }
});
