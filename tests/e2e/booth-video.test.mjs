// SPDX-License-Identifier: GPL-3.0-or-later
// Video good enough for sign language (issue 20 item 5, EN 301 549 6.5):
// with the expert's fake camera at 30 fps and the booth's sim camera at
// 30 fps, 640x480, the frames people see are counted on both sides over 5 s —
// presented in the expert's <video>, shown by the booth screen's <img> — and
// must be ≥ 20 fps at ≥ 320x240; the booth's flash-and-beep pattern
// (test:flash, test:beep) must reach the expert's page with sound and picture
// within 100 ms of each other (the median over the flashes seen).

import { test, expect, waitFor, startVuorod, open, shot } from "./lib.mjs";
import { RTC, loginExpert, issueRemote, callAndConnect } from "./expert.test.mjs";
import { SYNC, expertFps, boothFps, avSync, median } from "./booth-video.mjs";

const MEASURE_MS = Number(process.env.BOOTH_VIDEO_MS || 6000);

test("booth video: ≥ 20 fps both ways at ≥ 320x240, sound and picture within 100 ms", async () => {
  const v = await startVuorod([...RTC, ...SYNC]);
  try {
    await issueRemote(v);
    const page = await loginExpert(v);
    await waitFor(async () => !(await page.locator("#call").isDisabled()), "call enabled", 15000);
    await callAndConnect(page, v);
    const screen = await open(v.url + "/booth?booth=4", { width: 1280, height: 720, lang: "en" });
    await waitFor(() => screen.evaluate(() => document.getElementById("video")?.naturalWidth > 0),
      "the expert's video on the booth screen", 10000);
    const connected = await page.evaluate(() => performance.now());
    const [toExpert, toBooth, sync] = await Promise.all([
      expertFps(page, MEASURE_MS), boothFps(screen, MEASURE_MS), avSync(page, MEASURE_MS)]);
    console.log(`# booth → expert ${toExpert.fps.toFixed(1)} fps ${toExpert.width}x${toExpert.height}; ` +
      `expert → booth ${toBooth.fps.toFixed(1)} fps ${toBooth.width}x${toBooth.height} ` +
      `(${toBooth.samples} samples); AV offsets ${sync.offsets.map((o) => o.toFixed(0)).join(" ")} ms ` +
      `(${sync.flashes} flashes, ${sync.beeps} beeps) at ${sync.at.map((t) => ((t - connected) / 1000).toFixed(1)).join(" ")} s`);
    await shot(page, "booth-video-expert");
    await shot(screen, "booth-video-screen");
    expect(toExpert.width >= 320 && toExpert.height >= 240, "booth → expert at ≥ 320x240");
    expect(toBooth.width >= 320 && toBooth.height >= 240, "expert → booth at ≥ 320x240");
    expect(toExpert.fps >= 20, `booth → expert ≥ 20 fps, got ${toExpert.fps.toFixed(1)}`);
    expect(toBooth.fps >= 20, `expert → booth ≥ 20 fps, got ${toBooth.fps.toFixed(1)}`);
    expect(sync.offsets.length >= 4, `flashes paired with beeps: ${JSON.stringify(sync)}`);
    const off = median(sync.offsets.map(Math.abs));
    expect(off <= 100, `sound and picture within 100 ms, got ${off.toFixed(0)} ms`);
    await screen.context().close();
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});
