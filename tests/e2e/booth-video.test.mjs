// SPDX-License-Identifier: GPL-3.0-or-later
// Video good enough for sign language (issue 20 item 5, EN 301 549 6.5).
// The expert is Chromium with its fake camera at 30 fps (640x480 asked); the
// booth is vuorod on the sim board with the flash-and-beep pattern at
// 640x480@30 (camera = test:flash, microphone = test:beep).  Counted where
// people see it, over 6 s: the frames the expert's <video> presents and the
// pictures the booth screen's <img> shows — each ≥ 20 fps at ≥ 320x240 (a
// second 6 s window is measured when the first falls short: on the loaded
// 2-core test machine a browser starved for a moment undercounts).
// Lip sync at the expert's page: a white frame shown vs its beep heard, the
// median |offset| of five flashes in a row ≤ 100 ms within 35 s of the call
// (Chromium's lip sync moves the video's delay a few ms a second towards the
// audio's, whose jitter buffer grows on a loaded machine: a call's first
// seconds can be 150–250 ms apart; the figure is the settled one).  At the
// booth: the expert's page sends a canvas that flashes and an oscillator that
// beeps together; the booth screen's <img> turning white vs the booth's test
// speaker (a fakesink that plays in time) playing the beep, the median
// |offset| of the flashes over 9 s ≤ 100 ms.

import { test, expect, startVuorod, shot } from "./lib.mjs";
import { RTC, booth } from "./expert.test.mjs";
import { SYNC, liveCall, expertFps, boothFps, avSync, vuorodRates, expertPattern, boothFlashes,
  pairOffsets, median } from "./booth-video.mjs";

const FPS_MS = 6000;
const SETTLE_MS = 35000;
const BACK_MS = 9000;

test("booth video: ≥ 20 fps both ways at ≥ 320x240, sound and picture within 100 ms", async () => {
  const v = await startVuorod([...RTC, ...SYNC]);
  try {
    const { page, screen } = await liveCall(v, "en");
    // The expert's browser keeps the frame rate before the resolution.
    const pref = await page.evaluate(() => window.__pcs.at(-1).getSenders()
      .find((x) => x.track?.kind === "video").getParameters().degradationPreference);
    expect(pref === "maintain-framerate", "the expert's video keeps its frame rate first: " + pref);
    const syncing = avSync(page, { ms: SETTLE_MS, settle: 100 });
    // A second window only when the first falls short: a moment when the
    // loaded test machine starves a browser is not the booth's frame rate.
    let counted;
    for (let tries = 0; tries < 2; tries++) {
      counted = await vuorodRates(async () => (await booth(v)).session.media,
        Promise.all([expertFps(page, FPS_MS), boothFps(screen, FPS_MS)]));
      if (counted.result.every((r) => r.fps >= 20)) break;
      console.log(`# short window: ${counted.result.map((r) => r.fps.toFixed(1)).join(" and ")} fps`);
    }
    const [toExpert, toBooth] = counted.result;
    await shot(page, "booth-video-expert");
    await shot(screen, "booth-video-screen");
    // The other way: the expert's flash-and-beep, seen on the booth screen and
    // played by the booth's (test) speaker.
    await expertPattern(page);
    const flashes = await boothFlashes(screen, BACK_MS);
    const beeps = ((await booth(v)).session.media.beeps_played_us || []).map((us) => us / 1000);
    const back = pairOffsets(flashes, beeps);
    const sync = await syncing;
    console.log(`# booth → expert ${toExpert.fps.toFixed(1)} fps ${toExpert.width}x${toExpert.height}; ` +
      `expert → booth ${toBooth.fps.toFixed(1)} fps ${toBooth.width}x${toBooth.height} ` +
      `(${toBooth.samples} samples; vuorod decoded ${counted.decoded.toFixed(1)}, sent ` +
      `${counted.jpegs.toFixed(1)} JPEGs/s); AV offsets (ms @ s) ` +
      sync.pairs.map((p) => `${p.offset.toFixed(0)}@${(p.at / 1000).toFixed(1)}`).join(" ") +
      `; settled after ${sync.settled === null ? "-" : (sync.settled / 1000).toFixed(1) + " s"}` +
      `; at the booth (ms) ${back.map((o) => o.toFixed(0)).join(" ")}`);
    expect(toExpert.width >= 320 && toExpert.height >= 240, "booth → expert at ≥ 320x240");
    expect(toBooth.width >= 320 && toBooth.height >= 240, "expert → booth at ≥ 320x240");
    expect(toExpert.fps >= 20, `booth → expert ≥ 20 fps, got ${toExpert.fps.toFixed(1)}`);
    expect(toBooth.fps >= 20, `expert → booth ≥ 20 fps, got ${toBooth.fps.toFixed(1)}`);
    // The screen cannot show more pictures than vuorod sent it.
    expect(toBooth.fps <= counted.jpegs * 1.1 + 1, "no more pictures seen than sent");
    expect(sync.pairs.length >= 5, `five flashes paired with beeps: ${JSON.stringify(sync)}`);
    expect(sync.settled !== null, "sound and picture within 100 ms (five flashes' median) in " +
      `${SETTLE_MS / 1000} s: ${JSON.stringify(sync.pairs)}`);
    expect(back.length >= 5, `five of the expert's flashes paired with beeps at the booth: ` +
      `${flashes.length} flashes, ${beeps.length} beeps`);
    const backMedian = median(back.map(Math.abs));
    expect(backMedian <= 100, `the expert's sound and picture within 100 ms at the booth, got ${backMedian.toFixed(0)}`);
    await screen.context().close();
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});
