// SPDX-License-Identifier: GPL-3.0-or-later
// The pages' figures, measured in Debian's Chromium (BENCH lines):
//   kiosk_page_kb               every byte /kiosk loads (HTML, modules, CSS,
//                               its words, the status JSON) until it shows its
//                               services and the network is idle, as
//                               transferred (gzip: compressed), no headers
//   kiosk_page_raw_kb           the same, decoded (uncompressed)
//   kiosk_page_headers_kb       the answers' headers, beside (not in) those
//   kiosk_page_total_kb         bodies as transferred and headers: what
//                               crossed the network
//   call_to_screen_median_ms,   the advisor's click on "Call next" on /advisor
//   call_to_screen_p99_ms       → the number on /display, at the next frame
//                               after the DOM shows it (both clocks are this
//                               machine's Date.now())
//   call_to_screen_answer_ms,   where that time goes, medians: the click →
//   call_to_screen_event_ms,    the call's answer at /advisor (answer); → the
//   call_to_screen_dom_ms       event's message at /display's WebSocket
//                               (event); that message → the number in the
//                               DOM (dom); the rest is the frame
//   node tools/bench-ui.mjs [BUILD] [ROUNDS]

import { startVuorod, open, closeBrowser, USERS } from "../tests/e2e/lib.mjs";

const rounds = Number(process.argv[3] || 30);

function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.round((p / 100) * (s.length - 1)))];
}

const v = await startVuorod();
try {
  // What the kiosk loads, from an empty cache, until it can be used: the
  // start screen drawn with the site's services, the network then idle.
  // Bodies as transferred (gzip-encoded where vuorod compresses: Chromium
  // asks for it, as cog/WPE does), the headers not counted; the raw figure
  // is the same bodies decoded.
  const kiosk = await open("about:blank", { width: 1080, height: 1920 });
  const loads = [];
  kiosk.on("requestfinished", (req) => loads.push((async () => {
    const r = await req.response();
    const sizes = await req.sizes();
    const raw = r ? await r.body().then((b) => b.length, () => 0) : 0;
    return { sent: sizes.responseBodySize, raw, headers: sizes.responseHeadersSize };
  })()));
  await kiosk.goto(v.url + "/kiosk");
  await kiosk.waitForSelector("button.service");
  await kiosk.waitForLoadState("networkidle");
  const got = await Promise.all(loads);
  await kiosk.context().close();
  const kb = (key) => (got.reduce((a, x) => a + x[key], 0) / 1024).toFixed(1);
  console.log(`BENCH kiosk_page_kb=${kb("sent")} kB`);
  console.log(`BENCH kiosk_page_raw_kb=${kb("raw")} kB`);
  console.log(`BENCH kiosk_page_headers_kb=${kb("headers")} kB`);
  console.log(`BENCH kiosk_page_total_kb=${(Number(kb("sent")) + Number(kb("headers"))).toFixed(1)} kB`);

  // The advisor at counter 1, the waiting-room display beside it.
  // Both pages note when things reach them (Date.now(), the clock of the
  // click and the frame): /display each WebSocket message, /advisor each
  // answer to a fetch — noted before the page's own handlers run.
  const display = await open("about:blank", { width: 1920, height: 1080 });
  await display.addInitScript(() => {
    const Socket = window.WebSocket;
    window.benchMessages = [];
    window.WebSocket = class extends Socket {
      constructor(...args) {
        super(...args);
        this.addEventListener("message", (m) => window.benchMessages.push([Date.now(), String(m.data)]));
      }
    };
  });
  await display.goto(v.url + "/display?mute=1");
  const advisor = await open("about:blank");
  await advisor.addInitScript(() => {
    const get = window.fetch;
    window.benchAnswers = [];
    window.fetch = async (...args) => {
      const r = await get(...args);
      window.benchAnswers.push([Date.now(), String(args[0])]);
      return r;
    };
  });
  await advisor.goto(v.url + "/advisor");
  await advisor.fill("#user", "anna");
  await advisor.fill("#password", USERS.anna[1]);
  await advisor.click("#login-btn");
  await advisor.waitForSelector("#counter-view:not([hidden]), #console-view:not([hidden])");
  if (await advisor.isVisible("#counter-view")) {
    await advisor.locator("#counter-list input[value='1']").check();
    await advisor.click("#open-btn");
  }
  await advisor.waitForSelector("#console-view:not([hidden])");

  const lat = [];
  const trace = { answer: [], event: [], dom: [], frame: [] };
  for (let i = 0; i < rounds; i++) {
    const t = await v.api("POST", "/api/tickets", { service: "guide", lang: "fi" });
    if (t.status !== 201) throw new Error("the kiosk drew no ticket: " + JSON.stringify(t.body));
    const code = t.body.ticket.code;
    // The display watches for the number before the click (installed, not
    // only sent: a late observer would measure less than there is).
    await display.evaluate((want) => {
      window.benchSeen = new Promise((resolve) => {
        const el = document.getElementById("now-code");
        const check = () => {
          if (el.textContent.includes(want) && !el.closest("[hidden]")) {
            obs.disconnect();
            window.benchDom = Date.now();
            requestAnimationFrame(() => resolve(Date.now()));
          }
        };
        const obs = new MutationObserver(check);
        obs.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
        check();
      });
    }, code);
    // Click "Call next" once the advisor's page has drawn the new ticket with
    // the button enabled, in the same task as that check: an enabled button
    // left over from the last round is not enough (the redraw that greys it
    // may land between a wait and a click).  A click that sends no command
    // (the page disables every command while one is on its way) fails.
    const t0 = await advisor.evaluate((want) => new Promise((resolve, reject) => {
      const button = document.getElementById("b-next");
      const ready = () => !button.disabled &&
        [...document.querySelectorAll("#my-queue .q-code")].some((e) => e.textContent === want);
      const click = () => {
        if (button.disabled) {
          reject(new Error(`/advisor: "Call next" is disabled at the click (${want})`));
          return;
        }
        const at = Date.now();
        button.click();
        if (!button.disabled) reject(new Error(`/advisor: a click at "Call next" sent no call (${want})`));
        else resolve(at);
      };
      if (ready()) {
        click();
        return;
      }
      const timer = setTimeout(() => {
        obs.disconnect();
        reject(new Error(`${want} did not come to /advisor's queue with "Call next" enabled`));
      }, 5000);
      const obs = new MutationObserver(() => {
        if (!ready()) return;
        obs.disconnect();
        clearTimeout(timer);
        click();
      });
      obs.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    }), code);
    const t1 = await Promise.race([display.evaluate(() => window.benchSeen), new Promise((_, reject) =>
      setTimeout(() => reject(new Error(`${code} did not appear on /display`)), 5000))]);
    lat.push(t1 - t0);
    const dom = await display.evaluate(() => window.benchDom);
    const message = await display.evaluate(([t0, want]) => window.benchMessages.find(([at, data]) =>
      at >= t0 && data.includes('"called"') && data.includes(want))?.[0], [t0, code]);
    const answer = await advisor.evaluate((t0) => window.benchAnswers.find(([at, url]) =>
      at >= t0 && url.includes("/call"))?.[0], t0);
    if (message === undefined || answer === undefined)
      throw new Error(`${code}: no call event at /display or no answer at /advisor`);
    trace.answer.push(answer - t0);
    trace.event.push(message - t0);
    trace.dom.push(dom - message);
    trace.frame.push(t1 - dom);
    for (const what of ["start", "end"]) {
      const r = await v.api("POST", `/api/counters/1/${what}`, {}, "anna");
      if (r.status !== 200) throw new Error(`${what} at counter 1: ${JSON.stringify(r.body)}`);
    }
  }
  console.log(`BENCH call_to_screen_median_ms=${percentile(lat, 50).toFixed(1)} ms`);
  console.log(`BENCH call_to_screen_p99_ms=${percentile(lat, 99).toFixed(1)} ms`);
  for (const part of ["answer", "event", "dom"])
    console.log(`BENCH call_to_screen_${part}_ms=${percentile(trace[part], 50).toFixed(1)} ms ` +
      `(p99 ${percentile(trace[part], 99).toFixed(1)})`);
  console.log(`# call_to_screen: the frame after the DOM, median ${percentile(trace.frame, 50).toFixed(1)} ms ` +
    `(p99 ${percentile(trace.frame, 99).toFixed(1)})`);
} finally {
  await closeBrowser();
  await v.cleanup();
}
