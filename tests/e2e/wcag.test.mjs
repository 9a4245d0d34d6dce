// SPDX-License-Identifier: GPL-3.0-or-later
// WCAG 2.2 AA beyond what axe sees (issue 20 item 6), over every page a
// citizen or a member of staff uses, in a real Chromium against a real
// vuorod, with the keyboard only — no mouse, no click:
//   - the staff pages' log-in: Tab to the user name, type, Tab, type, Enter;
//   - 2.4.7 / 2.4.13 focus visible: Tab through the page, and every stop
//     shows a focus ring of at least 2 px (outline or box shadow), in view;
//   - 2.5.8 target size: every visible control at least 24 × 24 CSS px.
//   - 1.4.10 reflow: the staff pages at 320 CSS px (a 1280 px window at
//     400 %) scroll only up and down, and nothing but a data table (or a
//     region made to scroll) reaches past the right edge.
//   - 1.4.12 text spacing: with the spacing overridden, no text is cut off.
// The kiosk, the display and the booth screen are fixed screens (closed
// functionality, EN 301 549 clause 5): reflow does not apply to them; the
// follow page and the statement reflow in accessibility.test.mjs.

import { test, startVuorod, open, expect, focusAndTargets, reflow320, keyboardLogIn } from "./lib.mjs";

const PAGES = [
  { path: "/kiosk", size: { width: 1080, height: 1920 }, ready: "button.service" },
  { path: "/accessibility", size: { width: 390, height: 844 }, ready: "#works li" },
  { path: "/t/{ref}", size: { width: 390, height: 844 }, ready: "#number:not(:empty)" },
  { path: "/booth?booth=1", size: { width: 1920, height: 1080 }, ready: "body" },
  { path: "/advisor", size: { width: 1280, height: 800 }, user: "anna", ready: "#counter-view:not([hidden])" },
  { path: "/manager", size: { width: 1280, height: 800 }, user: "maija", ready: "#app:not([hidden])" },
  { path: "/tech", size: { width: 1280, height: 800 }, user: "tech", ready: "#app:not([hidden])" },
  { path: "/reception", size: { width: 1280, height: 800 }, user: "rita", ready: "#app:not([hidden])" },
  { path: "/expert", size: { width: 1280, height: 800 }, user: "eero", ready: "#app:not([hidden])" },
];

test("wcag: every page with the keyboard only — log in, a visible focus at every stop, 24 px targets, reflow at 320 px", async () => {
  const { USERS } = await import("./lib.mjs");
  const v = await startVuorod([["visitors", "enabled", "yes"]]);
  const problems = [];
  try {
    const t = await v.api("POST", "/api/tickets", { service: "guide", lang: "fi" });
    for (const p of PAGES) {
      const page = await open(v.url + p.path.replace("{ref}", t.body.ticket.ref), p.size);
      if (p.user) await keyboardLogIn(page, p.user, USERS[p.user][1]);
      await page.waitForSelector(p.ready, { timeout: 10000 });
      await page.waitForTimeout(300); // the first render's late parts
      const { stops, small } = await focusAndTargets(page, p.path, problems);
      console.log(`# ${p.path}: ${stops} focus stops, ${small} small targets`);
      if (process.env.WCAG_DEBUG) console.log(await page.evaluate(() => [...window.wcagStops.keys()].map((e) => e.outerHTML.slice(0, 80)).join("\n")));
      await page.context().close();
    }
    // Reflow at 320 px, logged in with the keyboard.
    for (const p of PAGES.filter((x) => x.user)) {
      const page = await open(v.url + p.path, { width: 320, height: 640 });
      await keyboardLogIn(page, p.user, USERS[p.user][1]);
      await page.waitForSelector(p.ready, { timeout: 10000 });
      await page.waitForTimeout(300);
      await reflow320(page, p.path, problems);
      await page.context().close();
    }
    expect(problems.length === 0, problems.join("\n"));
  } finally {
    await v.cleanup();
  }
});

// 1.4.12 text spacing: with the criterion's own override (line height 1.5,
// paragraphs 2 em apart, letters 0.12 em, words 0.16 em) no text is cut off
// by a box that hides its overflow.  The pages a person reads on their own
// device or at a desk; the kiosk, the display and the booth screen are
// closed functionality (no user style sheets there).
const SPACING = `* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
  word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }`;

test("wcag: text spacing overridden (1.4.12) — no text cut off on the follow page, the statement and the staff pages", async () => {
  const { USERS } = await import("./lib.mjs");
  const v = await startVuorod([["visitors", "enabled", "yes"]]);
  const problems = [];
  try {
    const t = await v.api("POST", "/api/tickets", { service: "guide", lang: "fi" });
    for (const p of PAGES.filter((x) => !["/kiosk", "/booth?booth=1"].includes(x.path))) {
      const page = await open(v.url + p.path.replace("{ref}", t.body.ticket.ref), p.size);
      if (p.user) await keyboardLogIn(page, p.user, USERS[p.user][1]);
      await page.waitForSelector(p.ready, { timeout: 10000 });
      // A constructed style sheet, as a user's style sheet or extension adds
      // it (the page's CSP blocks a <style> tag, rightly).
      await page.evaluate((css) => {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(css);
        document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
      }, SPACING);
      expect(await page.evaluate(() => getComputedStyle(document.body).letterSpacing !== "normal"),
        "the spacing override took on " + p.path);
      await page.waitForTimeout(300); // the first render's late parts, and the new layout
      const cut = await page.evaluate(() => {
        const out = [];
        const hides = (s) => ["hidden", "clip"].includes(s.overflowX) || ["hidden", "clip"].includes(s.overflowY);
        const tiny = (r) => r.width <= 2 || r.height <= 2; // visually hidden for screen readers
        for (const e of document.querySelectorAll("body *")) {
          if (e.offsetParent === null && getComputedStyle(e).position !== "fixed") continue;
          const own = [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
          if (!own) continue;
          const r = e.getBoundingClientRect();
          if (tiny(r)) continue;
          const s = getComputedStyle(e);
          const name = `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""} "${e.textContent.trim().slice(0, 30)}"`;
          if ((hides(s) || s.textOverflow === "ellipsis") &&
            (e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1)) {
            out.push(`${name} cut inside itself (${e.scrollWidth}x${e.scrollHeight} in ${e.clientWidth}x${e.clientHeight})`);
            continue;
          }
          for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
            const as = getComputedStyle(a);
            if (!hides(as)) continue;
            const ar = a.getBoundingClientRect();
            if (tiny(ar)) break;
            // A box that scrolls (auto/scroll) keeps its text reachable; hidden does not.
            if (r.right > ar.right + 1 || r.bottom > ar.bottom + 1 || r.left < ar.left - 1 || r.top < ar.top - 1) {
              out.push(`${name} cut by ${a.tagName.toLowerCase()}${a.id ? "#" + a.id : ""}.${a.className}`);
              break;
            }
          }
        }
        return out.slice(0, 10);
      });
      for (const c of cut) problems.push(`${p.path}: ${c}`);
      console.log(`# ${p.path}: ${cut.length} texts cut off with the spacing overridden`);
      await page.context().close();
    }
    expect(problems.length === 0, problems.join("\n"));
  } finally {
    await v.cleanup();
  }
});
