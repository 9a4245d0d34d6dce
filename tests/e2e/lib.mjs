// SPDX-License-Identifier: GPL-3.0-or-later
// The browser tests' harness: a real vuorod on the sim board (its own folder,
// database and port), Debian's Chromium driven by playwright-core, axe-core
// audits, screenshots under build/e2e/.
//
//   import { test, startVuorod, browser, audit, shot, expect } from "./lib.mjs";
//   test("a citizen draws a ticket", async () => { ... });
//
// run.mjs imports every *.test.mjs and runs the registered tests in order,
// printing "ok N - name" / "not ok N - name" and "e2e: N passed, N failed".

import { spawn, spawnSync, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BUILD = path.resolve(process.env.BUILD_DIR || path.join(ROOT, "build"));
export const SHOTS = path.join(BUILD, "e2e");
const VUOROD = process.env.VUOROD || path.join(BUILD, "vuorod");

export const USERS = {
  anna: ["advisor", "advisor-pass-long-1"],
  bertil: ["advisor", "advisor-pass-long-2"],
  tech: ["technician", "tech-pass-long-123"],
  maija: ["manager", "manager-pass-long-1"],
  admin1: ["admin", "admin-pass-long-1"],
  eero: ["expert", "expert-pass-long-1", "kela"],
  tea: ["expert", "expert-pass-long-2", "te"],
  rita: ["reception", "reception-pass-long-1"],
};

export const tests = [];
// The pages a test closed: their address, text and errors (run.mjs prints them when it fails).
export const closedPages = [];
// The vuorods a test started (run.mjs prints their log's end when it fails).
export const daemons = [];
export function test(name, fn) {
  tests.push({ name, fn });
}

export function expect(cond, what) {
  if (!cond) throw new Error("expected: " + what);
}

// Tab (or Shift+Tab) until the focus is on @selector; fails if it never
// comes, i.e. the control cannot be reached from the keyboard.
export async function tabTo(page, selector, { max = 120, back = false } = {}) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press(back ? "Shift+Tab" : "Tab");
  }
  throw new Error(`Tab never reaches ${selector} on ${page.url()}`);
}

// A staff log-in with the keyboard alone: Tab to the user name, type it, Tab
// on to the password, type it, Enter.  The form is drawn once the page knows
// there is no session.
export async function keyboardLogIn(page, user, password) {
  await page.waitForSelector("#user", { state: "visible", timeout: 10000 });
  await tabTo(page, "#user");
  await page.keyboard.type(user);
  await page.keyboard.press("Tab");
  expect(await page.evaluate(() => document.activeElement?.id === "password"),
    "Tab goes on from the user name to the password on " + page.url());
  await page.keyboard.type(password);
  await page.keyboard.press("Enter");
}

export async function waitFor(pred, what, timeoutMs = 5000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > end) throw new Error("timed out waiting for " + what);
    await new Promise((r) => setTimeout(r, 25));
  }
}

// "[group] key = value" replaced or added in the sim config text.
export function setKey(text, group, key, value) {
  const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const re = new RegExp(`(^\\[${esc(group)}\\][^\\[]*?)^${esc(key)}\\s*=[^\\n]*$`, "ms");
  if (re.test(text)) return text.replace(re, (_, a) => `${a}${key} = ${value}`);
  if (!new RegExp(`^\\[${esc(group)}\\]\\s*$`, "m").test(text)) return `${text}\n[${group}]\n${key} = ${value}\n`;
  return text.replace(new RegExp(`^\\[${esc(group)}\\]\\s*$`, "m"), (m) => `${m}\n${key} = ${value}`);
}

// Starts vuorod on the sim board.  overrides: [[group, key, value], …].
// Returns { url, dir, stop(), restart(), api(method, path, body, user) }.
export async function startVuorod(overrides = []) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vuoro-e2e-"));
  // Without make run's test card: a test that wants a reader gives [identity].
  let text = fs.readFileSync(path.join(ROOT, "board-config", "sim.conf"), "utf8")
    .replace(/^\[identity\][^[]*/m, "");
  const base = [
    ["api", "ui-dir", path.join(ROOT, "ui")],
    ["printer", "sim-dir", path.join(dir, "tickets")],
    ["audio", "wav-dir", path.join(dir, "audio")],
    ["kiosk", "headset-wav-dir", path.join(dir, "headset")],
    ["recording", "dir", path.join(dir, "recordings")],
    ["announcer", "speak", "false"],
    ["announcer", "chime", "false"],
  ];
  for (const [g, k, v] of [...base, ...overrides]) text = setKey(text, g, k, v);
  fs.writeFileSync(path.join(dir, "test.conf"), text);
  fs.symlinkSync(path.join(ROOT, "board-config", "displays"), path.join(dir, "displays"));
  const db = path.join(dir, "vuoro.db");
  for (const [name, [role, pw, provider]] of Object.entries(USERS)) {
    const args = ["--db", db, "--add-user", name, "--role", role];
    if (provider) args.push("--provider", provider);
    const r = spawnSync(VUOROD, args, { input: pw + "\n" });
    if (r.status !== 0) throw new Error("add-user: " + r.stderr);
  }
  let port = 0;
  let proc = null;
  const v = { dir, url: null };
  daemons.push(v);
  v.start = async () => {
    const err = fs.openSync(path.join(dir, "vuorod.stderr"), "a");
    proc = spawn(VUOROD, ["--config", path.join(dir, "test.conf"), "--db", db,
      "--listen", `127.0.0.1:${port}`], { stdio: ["ignore", "pipe", err] });
    const line = await new Promise((resolve, reject) => {
      let buf = "";
      const t = setTimeout(() => reject(new Error("vuorod did not start")), 15000);
      proc.stdout.on("data", (d) => {
        buf += d;
        if (buf.includes("\n")) {
          clearTimeout(t);
          resolve(buf);
        }
      });
      proc.on("exit", (c) => reject(new Error("vuorod exited " + c + ": " +
        fs.readFileSync(path.join(dir, "vuorod.stderr"), "utf8").slice(-2000))));
    });
    const m = line.match(/http:\/\/127\.0\.0\.1:(\d+)/);
    port = Number(m[1]);
    v.url = `http://127.0.0.1:${port}`;
  };
  v.stop = async () => {
    if (!proc || proc.exitCode !== null) return;
    const done = new Promise((r) => proc.on("exit", r));
    proc.kill("SIGTERM");
    await done;
  };
  v.restart = async () => {
    await v.stop();
    await v.start();
  };
  const tokens = {};
  v.api = async (method, p, body, user) => {
    const headers = { "Content-Type": "application/json" };
    if (user) {
      if (!tokens[user]) {
        const r = await fetch(v.url + "/api/login", { method: "POST", headers,
          body: JSON.stringify({ user, password: USERS[user][1] }) });
        tokens[user] = (await r.json()).token;
      }
      headers.Authorization = "Bearer " + tokens[user];
    }
    const r = await fetch(v.url + p, { method, headers, body: body ? JSON.stringify(body) : undefined });
    const t = await r.text();
    return { status: r.status, body: t ? JSON.parse(t) : null };
  };
  v.cleanup = async () => {
    await v.stop();
    v.log = fs.readFileSync(path.join(dir, "vuorod.stderr"), "utf8").slice(-1500); // for run.mjs
    fs.rmSync(dir, { recursive: true, force: true });
  };
  await v.start();
  return v;
}

// A fresh test PKI and SoftHSM2 cards (tests/identity/make-pki.sh), the "ec"
// card in the reader, and vuorod with an [identity] group.  Returns {v, done()}.
export async function withCardReader(overrides = []) {
  const pki = fs.mkdtempSync(path.join(os.tmpdir(), "vuoro-pki-"));
  execFileSync(path.join(ROOT, "tests", "identity", "make-pki.sh"), [pki], { stdio: "ignore" });
  const saved = process.env.SOFTHSM2_CONF;
  process.env.SOFTHSM2_CONF = path.join(pki, "cards", "ec", "softhsm2.conf");
  const done = () => {
    if (saved === undefined) delete process.env.SOFTHSM2_CONF;
    else process.env.SOFTHSM2_CONF = saved;
    fs.rmSync(pki, { recursive: true, force: true });
  };
  try {
    const v = await startVuorod([
      ["identity", "module", "/usr/lib/softhsm/libsofthsm2.so"],
      ["identity", "trust-anchors", path.join(pki, "root", "ca.pem")],
      ["identity", "crl", path.join(pki, "crl.pem")],
      ["identity", "site-secret", path.join(pki, "site-secret")], ...overrides]);
    return { v, done };
  } catch (e) {
    done();
    throw e;
  }
}

// Debian's Chromium, headless.  The expert's camera: Chromium's fake device,
// allowed without asking; vuorod and the browser meet on loopback ([webrtc]
// local-addresses).
export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
export const CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
  "--autoplay-policy=no-user-gesture-required",
  "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream=fps=30",
  "--allow-loopback-in-peer-connection"];

let shared = null;
// The browser contexts still open: a failed test's are closed by run.mjs, which
// then prints what their pages showed.
export const openContexts = () => (shared ? shared.contexts() : []);
// One Chromium for the whole run; each test makes its own contexts.
export async function browser() {
  if (!shared) {
    shared = await chromium.launch({
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
    });
  }
  return shared;
}

export async function closeBrowser() {
  if (shared) await shared.close();
  shared = null;
}

// The staff login form's labels (ui/common/staff.js) in the page's language.
const LOGIN_LABELS = {
  en: { user: "User name", password: "Password", login: "Log in" },
  fi: { user: "Käyttäjätunnus", password: "Salasana", login: "Kirjaudu" },
};

// Logs @user in on a staff page's login form (ui/common/staff.js), found by
// its labels in @lang, and waits until the page is past it: its app or its
// "this page is for …" refusal.  A login vuorod refused fails here, with the
// words the page showed.
export async function logIn(page, user, { password = USERS[user][1], lang = "en" } = {}) {
  const labels = LOGIN_LABELS[lang];
  // Typed only once the form shows: it shows when the page has asked who is
  // logged in (none), and then moves the focus to the user name — keys
  // typed before that went to a hidden field, or the password's last ones
  // into the user name.
  await page.locator("#login").waitFor({ state: "visible" });
  await page.getByLabel(labels.user).pressSequentially(user);
  await page.getByLabel(labels.password).pressSequentially(password);
  await page.getByRole("button", { name: labels.login }).click();
  await page.waitForSelector("#app:not([hidden]), #refused:not([hidden]), #login-out .error");
  if (await page.locator("#login-out .error").count())
    throw new Error(`logging in as ${user}: ${await page.locator("#login-out").innerText()}`);
}

// A page at a viewport: kiosk 1080×1920 portrait, display 1920×1080 …
export async function open(url, { width = 1280, height = 800, lang } = {}) {
  const b = await browser();
  const ctx = await b.newContext({ viewport: { width, height } });
  const page = await ctx.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.jsErrors = errors;
  // What the page showed when its test closed it, printed by run.mjs if the test failed.
  const net = [];
  page.on("requestfailed", (r) => net.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`));
  page.on("response", (r) => {
    if (r.status() >= 500) net.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`);
  });
  const close = ctx.close.bind(ctx);
  ctx.close = async (...args) => {
    const text = await Promise.race([
      page.evaluate(() => document.body?.innerText ?? ""),
      new Promise((resolve) => setTimeout(() => resolve("(no answer in 2 s)"), 2000)),
    ]).catch((e) => `(no text: ${e.message})`);
    closedPages.push({ url: page.url(), text, errors: [...errors, ...net] });
    return close(...args);
  };
  if (lang) await ctx.addInitScript((l) => localStorage.setItem("vuoro-lang", l), lang);
  await page.goto(url);
  return page;
}

// WCAG 2.2 AA checks beyond axe on one page (wcag.test.mjs; hub.test.mjs for
// the region's pages): what is wrong goes into @problems as "@label: …".

// The focused element: what it is, and whether it shows a ring.
const focusNow = (page) => page.evaluate(() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  window.wcagStops = window.wcagStops || new Map();
  if (!window.wcagStops.has(e)) window.wcagStops.set(e, window.wcagStops.size);
  e.scrollIntoView({ block: "nearest" });
  const s = getComputedStyle(e);
  const r = e.getBoundingClientRect();
  const ring = (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2) ||
    (s.boxShadow !== "none" && s.boxShadow !== "");
  return {
    stop: window.wcagStops.get(e),
    what: `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""} "${(e.textContent || e.value || "").trim().slice(0, 24)}"`,
    ring,
    shown: r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < window.innerHeight,
  };
});

// 2.4.7 / 2.4.13: Tab through the page (the first 40 stops, round it once),
// every stop shows a focus ring in view; 2.5.8: every visible control at
// least 24 × 24 CSS px (links inside a sentence excepted).
export async function focusAndTargets(page, label, problems) {
  const seen = new Set();
  let last = null;
  for (let i = 0; i < 60 && seen.size < 40; i++) {
    await page.keyboard.press("Tab");
    const f = await focusNow(page);
    if (!f || f.stop === last) continue; // (a date field's own parts)
    last = f.stop;
    if (seen.has(f.stop)) break; // round the page once
    seen.add(f.stop);
    if (!f.ring) problems.push(`${label}: no visible focus on ${f.what}`);
    if (!f.shown) problems.push(`${label}: the focus is out of view on ${f.what}`);
  }
  if (seen.size === 0) problems.push(`${label}: Tab reaches nothing`);
  const small = await page.evaluate(() => [...document.querySelectorAll(
    "button, a[href], input:not([type=hidden]), select, textarea, [role=button], [tabindex='0']")]
    .filter((e) => e.offsetParent !== null && !(e.tagName === "A" && e.closest("p, li")))
    .map((e) => ({ e, r: e.getBoundingClientRect() }))
    .filter(({ r }) => r.width < 24 || r.height < 24)
    .map(({ e, r }) => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}${e.type ? "[" + e.type + "]" : ""} ` +
      `${Math.round(r.width)}x${Math.round(r.height)}`));
  for (const x of small) problems.push(`${label}: target under 24 px: ${x}`);
  return { stops: seen.size, small: small.length };
}

// 1.4.10 reflow, on a page opened 320 CSS px wide (a 1280 px window at
// 400 %): it scrolls only up and down, and nothing but a data table (or a
// region made to scroll) reaches past the right edge.
export async function reflow320(page, label, problems) {
  const r = await page.evaluate(() => ({
    width: document.documentElement.scrollWidth,
    past: [...document.querySelectorAll("body *")]
      .filter((e) => e.offsetParent !== null && !e.closest("table, .scroll, [role=region]") &&
        e.getBoundingClientRect().right > window.innerWidth + 1)
      .slice(0, 5).map((e) => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}.${e.className} ` +
        `to ${Math.round(e.getBoundingClientRect().right)} px`),
  }));
  if (r.width > 320) problems.push(`${label}: scrolls sideways at 320 px (${r.width} px wide)`);
  for (const x of r.past) problems.push(`${label}: past the right edge at 320 px: ${x}`);
}

// Saves build/e2e/NAME.png (look at them).
export async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, name + ".png"), fullPage: true });
}

// axe-core in the page: throws on any serious or critical violation.
export async function audit(page, what) {
  // Evaluated, not a <script> tag: the pages' CSP (script-src 'self') would block that.
  const source = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(source);
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    await axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  if (bad.length) {
    throw new Error(`axe on ${what}: ` + bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ` +
      v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; ")).join(" | "));
  }
  return result;
}
