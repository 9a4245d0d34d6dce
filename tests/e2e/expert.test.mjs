// SPDX-License-Identifier: GPL-3.0-or-later
// The remote-service booth end to end: headless Chromium (fake camera) is the
// expert on /expert; vuorod's booth on the sim board sends the ball test
// pattern and a tone through webrtcbin.  Media must flow both ways, decoded
// on both sides; the session ends from either side; a killed browser frees
// the booth; a missing camera is a clear fault.

import { test, expect, waitFor, startVuorod, open, shot, audit, browser } from "./lib.mjs";

// Loopback only: the test host's other addresses play no part.
export const RTC = [
  ["webrtc", "local-addresses", "127.0.0.1"],
  ["webrtc", "reconnect-seconds", "3"],
  ["webrtc", "ring-seconds", "10"],
];

export async function loginExpert(v, user = "eero", pass = "expert-pass-1") {
  const page = await open(v.url + "/expert", { lang: "en" });
  await page.fill("#user", user);
  await page.fill("#password", pass);
  await page.click("#login-button");
  await page.waitForSelector("#app:not([hidden])");
  // The camera is open before any call, as a working expert's would be.
  await waitFor(() => page.evaluate(() => document.getElementById("self").readyState >= 2),
    "the expert's own camera", 10000);
  return page;
}

export async function issueRemote(v, service = "kela-video") {
  const r = await v.api("POST", "/api/tickets", { service, lang: "fi", handout: "screen" });
  expect(r.status === 201, "ticket issued: " + JSON.stringify(r.body));
  return r.body.ticket;
}

export const booth = async (v) => (await v.api("GET", "/api/booths/4", null, "tech")).body;

// Pixels of a <video> drawn on a canvas: mean and spread of the luma.
export async function videoPixels(page, id) {
  return page.evaluate((vid) => {
    const v = document.getElementById(vid);
    const c = document.createElement("canvas");
    c.width = 64;
    c.height = 48;
    const g = c.getContext("2d");
    g.drawImage(v, 0, 0, 64, 48);
    const d = g.getImageData(0, 0, 64, 48).data;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < d.length; i += 4) {
      const y = 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
      sum += y;
      sq += y * y;
    }
    const n = d.length / 4;
    return { mean: sum / n, sd: Math.sqrt(sq / n - (sum / n) ** 2), w: v.videoWidth, h: v.videoHeight };
  }, id);
}

export async function callAndConnect(page, v) {
  await page.click("#call");
  await waitFor(async () => (await booth(v)).session?.state === "live", "the session live", 15000);
  await waitFor(() => page.evaluate(() => window.__vuoro.metrics.remoteFrame > 0 &&
    window.__vuoro.metrics.boothFrame > 0), "first frames both ways", 15000);
}

test("expert: a session with media both ways, ended by the expert", async () => {
  const v = await startVuorod(RTC);
  try {
    const ticket = await issueRemote(v);
    const page = await loginExpert(v);
    await waitFor(() => page.locator("#tickets .code").first().textContent()
      .then((s) => s === ticket.code).catch(() => false), "the ticket in the expert's queue");
    await audit(page, "/expert before a call");
    await callAndConnect(page, v);

    // The booth decodes the expert's frames; the expert's page decodes the booth's.
    const b = await waitFor(async () => {
      const x = await booth(v);
      return x.session?.media?.video_in_frames > 20 && x.session.media.audio_in_buffers > 20 ? x : null;
    }, "frames and audio decoded by the booth", 10000);
    expect(b.session.code === ticket.code, "the session serves the ticket");
    const px = await waitFor(async () => {
      const p = await videoPixels(page, "remote");
      return p.w === 640 && p.sd > 10 ? p : null;
    }, "the booth's ball pattern decoded in the browser", 10000);
    expect(px.h === 480, "640x480 from the booth");
    await shot(page, "expert-live");
    await audit(page, "/expert in a session");

    // A message and the document camera.
    await page.selectOption("#template", "show_id");
    await page.click("#send");
    await waitFor(async () => (await booth(v)).session?.message?.template === "show_id",
      "the message at the booth");
    await page.click("#doc-toggle");
    await waitFor(async () => (await booth(v)).session?.media?.document_frames > 10,
      "the document camera's frames", 10000);
    await waitFor(() => page.evaluate(() => document.getElementById("document").videoWidth === 640),
      "the document camera shown to the expert", 10000);

    // The expert ends: the visit is remote video, the booth is free.
    await page.selectOption("#outcome", "resolved");
    await page.fill("#category", "housing benefit");
    await page.click("#end");
    await waitFor(async () => (await booth(v)).state === "idle", "the booth free again", 10000);
    const last = (await booth(v)).last;
    expect(last.reason === "expert_ended", "ended by the expert: " + JSON.stringify(last));
    const tk = await v.api("GET", `/api/tickets/${ticket.id}`, null, "tech");
    expect(tk.body.state === "done" && tk.body.channel === "remote_video",
      "the visit is done by remote video: " + JSON.stringify(tk.body));
    expect(page.jsErrors.length === 0, "no page errors: " + page.jsErrors.join("; "));
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});
