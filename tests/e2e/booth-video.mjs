// SPDX-License-Identifier: GPL-3.0-or-later
// The booth's video measured where people see it (issue 20 item 5), shared by
// tests/e2e/booth-video.test.mjs and tools/bench-booth-video.mjs:
//
//   expertFps(page, ms)   booth → expert: frames the expert's page presents
//                         in <video id="remote"> (requestVideoFrameCallback's
//                         presentedFrames over ms), and the video's size
//   boothFps(screen, ms)  expert → booth: distinct pictures the booth screen's
//                         <img id="video"> (vuorod's MJPEG stream) shows,
//                         sampled on every animation frame, over ms
//   avSync(page, {ms, settle})     booth → expert lip sync: the booth runs the sim
//                         board's flash-and-beep pattern (camera = test:flash,
//                         microphone = test:beep: a white frame and a 1 kHz
//                         beep start together once a second); the page notes
//                         when each white frame is shown (rVFC's expected
//                         display time, the canvas luma) and when each beep is
//                         heard (a WebAudio AnalyserNode on the remote audio
//                         track, the sample's time through getOutputTimestamp).
//                         Returns {pairs: [{at, offset}]}: each flash paired
//                         with a beep, ms after the start, and its offset
//                         (audio minus video, ms).  With settle: stops once
//                         the median |offset| of the last five is ≤ settle
//                         ms ({settled}: when), or after ms.
//   liveCall(v, lang)     a booth call to measure: a remote ticket, the expert
//                         logged in (peer connections kept), called and
//                         connected, and the booth screen showing the
//                         expert's video: {page, screen}

import { waitFor, open } from "./lib.mjs";
import { loginExpert, issueRemote, callAndConnect } from "./expert.test.mjs";

// The sim board's lip-sync pattern (board-config: [counter:4] camera/microphone).
export const SYNC = [
  ["counter:4", "camera", "test:flash"],
  ["counter:4", "microphone", "test:beep"],
  ["counter:4", "speaker", "test"],
];

export async function liveCall(v, lang) {
  await issueRemote(v);
  const page = await loginExpert(v);
  await keepPeerConnections(page);
  await waitFor(async () => !(await page.locator("#call").isDisabled()), "call enabled", 15000);
  await callAndConnect(page, v);
  const screen = await open(v.url + "/booth?booth=4", { width: 1280, height: 720, lang });
  await waitFor(() => screen.evaluate(() => document.getElementById("video")?.naturalWidth > 0),
    "the expert's video on the booth screen", 10000);
  return { page, screen };
}

export async function expertFps(page, ms) {
  return page.evaluate((ms) => new Promise((resolve) => {
    const v = document.getElementById("remote");
    let first = null;
    let last = null;
    const t0 = performance.now();
    const cb = (now, meta) => {
      if (!first) first = meta;
      last = meta;
      if (meta.expectedDisplayTime - first.expectedDisplayTime < ms) v.requestVideoFrameCallback(cb);
      else {
        const s = (last.expectedDisplayTime - first.expectedDisplayTime) / 1000;
        resolve({ fps: (last.presentedFrames - first.presentedFrames) / s, seconds: s,
          wall: (performance.now() - t0) / 1000,
          width: v.videoWidth, height: v.videoHeight });
      }
    };
    v.requestVideoFrameCallback(cb);
  }), ms);
}

export async function boothFps(screen, ms) {
  return screen.evaluate((ms) => new Promise((resolve) => {
    const img = document.getElementById("video");
    const c = document.createElement("canvas");
    c.width = 80;
    c.height = 60;
    const g = c.getContext("2d", { willReadFrequently: true });
    let prev = null;
    let changes = 0;
    let samples = 0;
    const t0 = performance.now();
    const tick = () => {
      g.drawImage(img, 0, 0, c.width, c.height);
      const d = g.getImageData(0, 0, c.width, c.height).data;
      let diff = 0;
      if (prev) for (let i = 0; i < d.length; i += 4) diff += Math.abs(d[i + 1] - prev[i + 1]);
      if (prev && diff > 0) changes++;
      prev = d;
      samples++;
      const s = (performance.now() - t0) / 1000;
      if (s * 1000 < ms) requestAnimationFrame(tick);
      else resolve({ fps: changes / s, seconds: s, samples, width: img.naturalWidth, height: img.naturalHeight });
    };
    requestAnimationFrame(tick);
  }), ms);
}

export async function avSync(page, { ms, settle = 0 }) {
  return page.evaluate(({ ms, settle }) => new Promise((resolve) => {
    const v = document.getElementById("remote");
    const track = v.srcObject.getAudioTracks()[0];
    const ctx = new AudioContext();
    const an = ctx.createAnalyser();
    an.fftSize = 2048;
    ctx.createMediaStreamSource(new MediaStream([track])).connect(an);
    const buf = new Float32Array(an.fftSize);
    const beeps = [];
    const flashes = [];
    let loud = false;
    const hush = Math.round(ctx.sampleRate * 0.03); // 30 ms quiet ends a beep
    const poll = setInterval(() => {
      an.getFloatTimeDomainData(buf);
      const ts = ctx.getOutputTimestamp();
      const end = ctx.currentTime;
      let first = -1;
      let lastLoud = -1;
      for (let i = 0; i < buf.length; i++) {
        if (Math.abs(buf[i]) > 0.05) {
          if (first < 0) first = i;
          lastLoud = i;
        }
      }
      if (!loud && first >= 0) {
        loud = true;
        // Only an onset with quiet before it in this window is timed.
        if (first > hush) {
          const t = end - (buf.length - first) / ctx.sampleRate;
          beeps.push(ts.performanceTime + (t - ts.contextTime) * 1000);
        }
      } else if (loud && (lastLoud < 0 || buf.length - lastLoud > hush)) {
        loud = false;
      }
    }, 8);
    // Each flash with the beep nearest to it (within half a period), once
    // the beep would have come.
    const pairs = (now) => {
      const out = [];
      for (const f of flashes) {
        if (now - f < 500) continue;
        let best = null;
        for (const b of beeps) if (best === null || Math.abs(b - f) < Math.abs(best - f)) best = b;
        if (best !== null && Math.abs(best - f) < 500) out.push({ at: f, offset: best - f });
      }
      return out;
    };
    const med = (xs) => {
      const s = [...xs].sort((a, b) => a - b);
      return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    };
    const c = document.createElement("canvas");
    c.width = 32;
    c.height = 24;
    const g = c.getContext("2d", { willReadFrequently: true });
    let bright = false;
    let frames = 0;
    const t0 = performance.now();
    let settled = null;
    const cb = (now, meta) => {
      g.drawImage(v, 0, 0, c.width, c.height);
      const d = g.getImageData(0, 0, c.width, c.height).data;
      let sum = 0;
      for (let i = 0; i < d.length; i += 4) sum += 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
      const luma = sum / (d.length / 4);
      // A flash is timed only when the frame before it was presented too.
      if (!bright && luma > 128 && meta.presentedFrames === frames + 1) flashes.push(meta.expectedDisplayTime);
      bright = luma > 128;
      frames = meta.presentedFrames;
      const p = pairs(performance.now());
      const last = p.slice(-5).map((x) => Math.abs(x.offset));
      if (settle && last.length === 5 && med(last) <= settle) settled = performance.now() - t0;
      if (settled === null && performance.now() - t0 < ms) v.requestVideoFrameCallback(cb);
      else {
        clearInterval(poll);
        ctx.close();
        resolve({ pairs: p.map((x) => ({ at: x.at - t0, offset: x.offset })), settled,
          flashes: flashes.length, beeps: beeps.length });
      }
    };
    v.requestVideoFrameCallback(cb);
  }), { ms, settle });
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}


// What vuorod counted while @during ran, per second: frames of the booth's
// camera encoded; the expert's frames decoded and JPEGs of them handed to
// the booth screen.  @media() gives
// GET /api/booths/N's session.media.
export async function vuorodRates(media, during) {
  const a = await media();
  const t0 = Date.now();
  const result = await during;
  const b = await media();
  const s = (Date.now() - t0) / 1000;
  return { result, decoded: (b.video_in_frames - a.video_in_frames) / s,
    jpegs: (b.screen_frames - a.screen_frames) / s,
    encoded: (b.video_out_frames - a.video_out_frames) / s };
}

// Call before the call: the page's RTCPeerConnections are kept in
// window.__pcs, so that expertPattern can reach the expert's senders.
export async function keepPeerConnections(page) {
  await page.evaluate(() => {
    const Orig = RTCPeerConnection;
    window.__pcs = [];
    window.RTCPeerConnection = class extends Orig {
      constructor(...args) {
        super(...args);
        window.__pcs.push(this);
      }
    };
  });
}

// expert → booth lip sync, the expert's half: the expert's camera and
// microphone replaced by a canvas (captureStream) that turns white and a
// WebAudio oscillator that beeps together once a second — the beep scheduled
// on the audio clock, the canvas painted white from the same instant mapped
// to the page's clock (±10 ms).
export async function expertPattern(page) {
  await page.evaluate(async () => {
    const pc = window.__pcs.at(-1);
    const c = document.createElement("canvas");
    c.width = 640;
    c.height = 480;
    const g = c.getContext("2d");
    const ctx = new AudioContext();
    const osc = ctx.createOscillator();
    osc.frequency.value = 1000;
    const gain = ctx.createGain();
    gain.gain.value = 0;
    const dest = ctx.createMediaStreamDestination();
    osc.connect(gain).connect(dest);
    osc.start();
    const start = Math.ceil(ctx.currentTime) + 1;
    for (let k = 0; k < 120; k++) {
      gain.gain.setValueAtTime(0.5, start + k);
      gain.gain.setValueAtTime(0, start + k + 0.16);
    }
    const perf0 = performance.now() + (start - ctx.currentTime) * 1000;
    const draw = () => {
      const t = performance.now() - perf0;
      const white = t >= 0 && t % 1000 < 160;
      g.fillStyle = white ? "#fff" : "#000";
      g.fillRect(0, 0, c.width, c.height);
      g.fillStyle = "#888"; // something moving, as a face does
      g.fillRect((performance.now() / 5) % 600, 200, 40, 40);
      requestAnimationFrame(draw);
    };
    draw();
    const stream = c.captureStream(30);
    window.__pattern = { ctx, osc, stream, dest };
    for (const s of pc.getSenders()) {
      if (s.track?.kind === "video") await s.replaceTrack(stream.getVideoTracks()[0]);
      else if (s.track?.kind === "audio") await s.replaceTrack(dest.stream.getAudioTracks()[0]);
    }
  });
}

// expert → booth lip sync, the booth's half: when the booth screen's <img>
// turns white (wall-clock ms, sampled on every animation frame) over ms.
export async function boothFlashes(screen, ms) {
  return screen.evaluate((ms) => new Promise((resolve) => {
    const img = document.getElementById("video");
    const c = document.createElement("canvas");
    c.width = 32;
    c.height = 24;
    const g = c.getContext("2d", { willReadFrequently: true });
    const flashes = [];
    let bright = false;
    const t0 = performance.now();
    const tick = () => {
      g.drawImage(img, 0, 0, c.width, c.height);
      const d = g.getImageData(0, 0, c.width, c.height).data;
      let sum = 0;
      for (let i = 0; i < d.length; i += 4) sum += 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
      const luma = sum / (d.length / 4);
      if (!bright && luma > 128) flashes.push(performance.timeOrigin + performance.now());
      bright = luma > 128;
      if (performance.now() - t0 < ms) requestAnimationFrame(tick);
      else resolve(flashes);
    };
    requestAnimationFrame(tick);
  }), ms);
}

// Each flash with the beep nearest to it (within half a period): offsets in
// ms, audio minus video.  beeps: wall-clock ms.
export function pairOffsets(flashes, beeps) {
  const out = [];
  for (const f of flashes) {
    let best = null;
    for (const b of beeps) if (best === null || Math.abs(b - f) < Math.abs(best - f)) best = b;
    if (best !== null && Math.abs(best - f) < 500) out.push(best - f);
  }
  return out;
}
