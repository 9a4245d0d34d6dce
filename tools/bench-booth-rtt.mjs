// SPDX-License-Identifier: GPL-3.0-or-later
// Real-time text in the booth (EN 301 549 6.2, T.140 over the session's
// "t140" data channel): a typed character → shown on the other side's
// screen, with Debian's Chromium as the expert on /expert and as the booth's
// screen, vuorod's booth on the sim board between them (tests/e2e/rtt-call.mjs
// says how it is measured: input event → the other page's text changed to
// exactly that, one Chromium, one clock).  A sentence each way at a brisk
// typist's pace (120 ms a key), a new line in each:
//   booth_rtt_text_latency_ms                median over both directions (target ≤ 500)
//   booth_rtt_text_latency_expert_to_booth_ms, booth_rtt_text_latency_booth_to_expert_ms
//   booth_rtt_text_latency_p90_ms
//   node tools/bench-booth-rtt.mjs [BUILD]

import { startVuorod, closeBrowser } from "../tests/e2e/lib.mjs";
import { RTT_RTC, rttCall, typeOver, latencies, median } from "../tests/e2e/rtt-call.mjs";

const DELAY_MS = 120;
const EXPERT_SAYS = "Hei, olen Kelan asiantuntija. Miten voin auttaa?\nKirjoita vapaasti";
const CUSTOMER_SAYS = "Tarvitsen apua asumistuen hakemuksen kanssa\nkiitos";

function p90(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(0.9 * s.length) - 1)];
}

const v = await startVuorod(RTT_RTC);
try {
  const { expert, screen } = await rttCall(v);
  await typeOver(expert, screen, EXPERT_SAYS, { delay: DELAY_MS });
  await typeOver(screen, expert, CUSTOMER_SAYS, { delay: DELAY_MS });
  const toBooth = await latencies(expert, screen);
  const toExpert = await latencies(screen, expert);
  if (toBooth.length < 20 || toExpert.length < 20) {
    throw new Error(`too few characters measured: ${toBooth.length} and ${toExpert.length} (need ≥ 20 each)`);
  }
  const all = [...toBooth, ...toExpert];
  console.log(`BENCH booth_rtt_text_latency_ms=${median(all).toFixed(0)} ms ` +
    `(median of ${toBooth.length} + ${toExpert.length} characters, target ≤ 500)`);
  console.log(`BENCH booth_rtt_text_latency_expert_to_booth_ms=${median(toBooth).toFixed(0)} ms`);
  console.log(`BENCH booth_rtt_text_latency_booth_to_expert_ms=${median(toExpert).toFixed(0)} ms`);
  console.log(`BENCH booth_rtt_text_latency_p90_ms=${p90(all).toFixed(0)} ms`);
  await expert.context().close();
  await screen.context().close();
} finally {
  await closeBrowser();
  await v.cleanup();
}
