// SPDX-License-Identifier: GPL-3.0-or-later
// The remote-service booth's figures (BENCH lines), with Debian's Chromium
// as the expert (fake camera, 640x480@30, open before the call) and vuorod's
// booth on the sim board (its test:bar camera at 640x480@30, VP8 + Opus) and the
// booth screen (/booth?booth=4) open all along, as the booth's own display
// is, showing the expert's video (VP8 decoded, JPEG to the page):
//   expert_call_to_first_frame_median_ms  the expert's click on "Call next" →
//   expert_call_to_first_frame_p90_ms     the first decoded frame, the later of
//                                         the two directions (the browser's
//                                         own frame; vuorod's word that the
//                                         booth decoded ours), over the sessions
//   expert_call_to_expert_frame_ms        each direction alone (medians): the
//   expert_call_to_booth_frame_ms         booth seen by the expert; the expert
//                                         decoded by the booth
//   session_cpu_pct                       vuorod's CPU (% of one core) during a
//   session_rss_mb                        live session, and its largest RSS
//   session_leak_fds, session_leak_threads, session_rss_growth_mb
//                                         after SESSIONS sessions minus after 10
//   node tools/bench-booth.mjs [BUILD] [SESSIONS]

import fs from "node:fs";
import { startVuorod, waitFor, open, closeBrowser } from "../tests/e2e/lib.mjs";
import { loginExpert, issueRemote, RTC, booth } from "../tests/e2e/expert.test.mjs";

const sessions = Math.max(12, Number(process.argv[3] || 50));
const CPU_SECONDS = 10;

function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

function pidOf(dir) {
  for (const p of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${p}/cmdline`, "utf8");
      if (cmd.includes("vuorod") && cmd.includes(dir)) return Number(p);
    } catch {
      // gone
    }
  }
  throw new Error("vuorod's pid not found");
}

function proc(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return {
    rssKb: Number(status.match(/VmRSS:\s+(\d+)/)[1]),
    threads: Number(status.match(/Threads:\s+(\d+)/)[1]),
    fds: fs.readdirSync(`/proc/${pid}/fd`).length,
    cpuTicks: Number(stat[11]) + Number(stat[12]), // utime + stime
  };
}

const v = await startVuorod([...RTC, ["service:kela-video", "max-queue", "0"]]);
try {
  const pid = pidOf(v.dir);
  const page = await loginExpert(v);
  const screen = await open(v.url + "/booth?booth=4", { width: 1280, height: 720 });
  const latencies = [];
  const toExpert = []; // the click → the booth's picture on the expert's page
  const toBooth = []; // the click → vuorod's word that the booth decoded the expert
  let after10 = null;

  async function oneSession(hold) {
    await issueRemote(v);
    await waitFor(async () => !(await page.locator("#call").isDisabled()), "call enabled", 15000);
    await page.click("#call");
    const both = await waitFor(() => page.evaluate(() => {
      const m = window.__vuoro.metrics;
      return m.remoteFrame && m.boothFrame ? [m.remoteFrame - m.click, m.boothFrame - m.click] : null;
    }), "first frames both ways", 20000);
    toExpert.push(both[0]);
    toBooth.push(both[1]);
    const ms = Math.max(...both);
    if (hold) await hold();
    const id = (await booth(v)).session.id;
    await v.api("POST", `/api/sessions/${id}/end`, { outcome: "resolved" }, "eero");
    await waitFor(async () => (await booth(v)).state === "idle", "the booth idle", 10000);
    return ms;
  }

  for (let i = 1; i <= sessions; i++) {
    latencies.push(await oneSession(null));
    if (i === 10) {
      await new Promise((r) => setTimeout(r, 1000));
      after10 = proc(pid);
    }
  }
  // A live session held for CPU_SECONDS: vuorod's share of one core.
  let cpu = 0;
  let rssMax = 0;
  await oneSession(async () => {
    await waitFor(() => screen.evaluate(() => document.getElementById("video")?.naturalWidth > 0),
      "the expert's video on the booth screen", 10000);
    await new Promise((r) => setTimeout(r, 1000)); // past the start-up
    const hz = 100; // USER_HZ
    const a = proc(pid);
    const t0 = Date.now();
    while (Date.now() - t0 < CPU_SECONDS * 1000) {
      rssMax = Math.max(rssMax, proc(pid).rssKb);
      await new Promise((r) => setTimeout(r, 250));
    }
    const b = proc(pid);
    cpu = (100 * (b.cpuTicks - a.cpuTicks)) / hz / ((Date.now() - t0) / 1000);
  });
  await new Promise((r) => setTimeout(r, 1000));
  const end = proc(pid);

  console.log(`BENCH expert_call_to_first_frame_median_ms=${percentile(latencies, 50).toFixed(0)} ms`);
  console.log(`BENCH expert_call_to_first_frame_p90_ms=${percentile(latencies, 90).toFixed(0)} ms`);
  console.log(`BENCH expert_call_to_first_frame_ms=${percentile(latencies, 50).toFixed(0)} ms`);
  console.log(`BENCH expert_call_to_expert_frame_ms=${percentile(toExpert, 50).toFixed(0)} ms (median, the booth seen by the expert)`);
  console.log(`BENCH expert_call_to_booth_frame_ms=${percentile(toBooth, 50).toFixed(0)} ms (median, the expert decoded by the booth)`);
  console.log(`BENCH session_cpu_pct=${cpu.toFixed(1)} %`);
  console.log(`BENCH session_rss_mb=${(rssMax / 1024).toFixed(1)} MB`);
  console.log(`BENCH session_leak_fds=${end.fds - after10.fds} fds (after ${sessions + 1} sessions vs 10)`);
  console.log(`BENCH session_leak_threads=${end.threads - after10.threads} threads`);
  console.log(`BENCH session_rss_growth_mb=${((end.rssKb - after10.rssKb) / 1024).toFixed(1)} MB`);
  await screen.context().close();
  await page.context().close();
} finally {
  await closeBrowser();
  await v.cleanup();
}
