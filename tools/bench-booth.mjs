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
//                                         SESSIONS sessions after ten of warm-up
//                                         (one of them the held one): the RSS
//                                         each leaves behind, settled, the last
//                                         ten's median against the first ten's
//   node tools/bench-booth.mjs [BUILD] [SESSIONS]

import fs from "node:fs";
import { startVuorod, waitFor, open, closeBrowser } from "../tests/e2e/lib.mjs";
import { loginExpert, issueRemote, RTC, booth } from "../tests/e2e/expert.test.mjs";

const sessions = Math.max(2, Number(process.argv[3] || 50));
const CPU_SECONDS = 10;
const WARM_UP = 10;

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

// RSS by kind (kB): the main heap, anonymous maps (arenas, stacks), files.
function smaps(pid) {
  const r = { heap: 0, anon: 0, files: 0 };
  let name = "";
  for (const line of fs.readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n")) {
    const m = line.match(/^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/);
    if (m) name = m[1];
    const k = line.match(/^Rss:\s+(\d+)/);
    if (k) r[name === "[heap]" ? "heap" : name === "" || name.startsWith("[") ? "anon" : "files"] += Number(k[1]);
  }
  return r;
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
let failed = null;
try {
  const pid = pidOf(v.dir);
  const page = await loginExpert(v);
  const screen = await open(v.url + "/booth?booth=4", { width: 1280, height: 720 });
  const latencies = [];
  const toExpert = []; // the click → the booth's picture on the expert's page
  const toBooth = []; // the click → vuorod's word that the booth decoded the expert
  let warm = null;

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

  // What a process holds once it has run every kind of session it will run:
  // the held session leaves more behind than the short ones, once (smaps:
  // +0.6 MB, and the short ones after it stay there); measured after it, RSS
  // settled (a pipeline's threads end after the session does).
  async function settled() {
    let last = proc(pid);
    for (let waited = 0; waited < 8000; waited += 500) {
      await new Promise((r) => setTimeout(r, 500));
      const now = proc(pid);
      if (Math.abs(now.rssKb - last.rssKb) < 64 && now.threads === last.threads && now.fds === last.fds)
        break;
      last = now;
    }
    return { ...proc(pid), smaps: smaps(pid) };
  }

  // Ten sessions of warm-up, the ninth held for CPU_SECONDS (vuorod's share
  // of one core, its largest RSS), then SESSIONS more: what they leave behind
  // is the growth.
  let cpu = 0;
  let rssMax = 0;
  async function held() {
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
  }
  const after = []; // settled RSS (kB) after each measured session
  for (let i = 1; i <= WARM_UP + sessions; i++) {
    latencies.push(await oneSession(i === WARM_UP - 1 ? held : null));
    if (i === WARM_UP) warm = await settled();
    else if (i > WARM_UP) after.push((await settled()).rssKb);
  }
  const end = await settled();
  // What one session leaves behind varies a little (what was still in
  // flight, where the allocator's free pages fall): the growth is the median
  // settled RSS after the last ten sessions minus that after the first ten.
  const ends = Math.min(10, Math.floor(sessions / 2));
  const growthKb = percentile(after.slice(-ends), 50) - percentile(after.slice(0, ends), 50);

  console.log(`BENCH expert_call_to_first_frame_median_ms=${percentile(latencies, 50).toFixed(0)} ms`);
  console.log(`BENCH expert_call_to_first_frame_p90_ms=${percentile(latencies, 90).toFixed(0)} ms`);
  console.log(`BENCH expert_call_to_first_frame_ms=${percentile(latencies, 50).toFixed(0)} ms`);
  console.log(`BENCH expert_call_to_expert_frame_ms=${percentile(toExpert, 50).toFixed(0)} ms (median, the booth seen by the expert)`);
  console.log(`BENCH expert_call_to_booth_frame_ms=${percentile(toBooth, 50).toFixed(0)} ms (median, the expert decoded by the booth)`);
  console.log(`BENCH session_cpu_pct=${cpu.toFixed(1)} %`);
  console.log(`BENCH session_rss_mb=${(rssMax / 1024).toFixed(1)} MB`);
  console.log(`BENCH session_leak_fds=${end.fds - warm.fds} fds (after ${sessions} sessions more than the ${WARM_UP} of warm-up)`);
  console.log(`BENCH session_leak_threads=${end.threads - warm.threads} threads`);
  console.log(`BENCH session_rss_growth_mb=${(growthKb / 1024).toFixed(1)} MB (over ${sessions} sessions, the median of the last ${ends} against the first ${ends}; RSS ${(warm.rssKb / 1024).toFixed(1)} before them, ${(end.rssKb / 1024).toFixed(1)} after: ${["heap", "anon", "files"].map((k) => `${k} ${((end.smaps[k] - warm.smaps[k]) / 1024).toFixed(1)}`).join(", ")})`);
  await screen.context().close();
  await page.context().close();
} catch (e) {
  failed = e;
} finally {
  await closeBrowser();
  await v.cleanup();
}
if (failed) {
  console.error("vuorod's log, its end:\n" + v.log);
  throw failed;
}
