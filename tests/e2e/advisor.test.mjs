// SPDX-License-Identifier: GPL-3.0-or-later
// The advisor console (/advisor) in a real Chromium at 1280×800 and 1366×768:
// login errors, transfer (and the question before a transfer nobody would
// serve), no-show (back in line, and where), the ticket Call next takes,
// the service profile chosen from the services, park and resume,
// keyboard-only use, the CSRF token, a resumed session and the offline
// banner across a vuorod restart.

import { test, startVuorod, open, shot, audit, expect, waitFor, USERS } from "./lib.mjs";


const CONSOLE = { width: 1280, height: 800, lang: "en" };

async function draw(v, service = "guide") {
  const r = await v.api("POST", "/api/tickets", { service, lang: "fi", handout: "screen" });
  expect(r.status === 201, "the kiosk drew a ticket: " + JSON.stringify(r.body));
  return r.body.ticket;
}

const ticket = async (v, id) => (await v.api("GET", `/api/tickets/${id}`, null, "admin1")).body;
const text = (page, sel) => page.textContent(sel);
const code = (page) => text(page, "#cur-code");

async function loginAs(page, user, password = USERS[user][1]) {
  await page.waitForSelector("#login-view:not([hidden])");
  await page.fill("#user", user);
  await page.fill("#password", password);
  await page.press("#password", "Enter");
}

// Logged in and at an open counter, ready to call.
async function atCounter(v, user = "anna", id = 1) {
  const page = await open(v.url + "/advisor", CONSOLE);
  await loginAs(page, user);
  await page.waitForSelector("#counter-view:not([hidden])");
  await page.check(`#counter-list input[value="${id}"]`);
  await page.click("#open-btn");
  await page.waitForSelector("#console-view:not([hidden])");
  await waitFor(async () => (await text(page, "#hdr-counter")).includes(`Counter ${id}`), "the console");
  return page;
}

// Presses a shortcut with the focus on a button (never in a field).
async function key(page, k) {
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press(k);
}

// The services ticked in the profile chooser, in call order.
const ticked = (page) => page.$$eval("#profile-list li.on", (els) => els.map((e) => e.dataset.code).join(","));
// The ticket marked as the one Call next takes, and the button's code.
const marked = (page) => page.$$eval("#my-queue li.next .q-code", (els) => els.map((e) => e.textContent).join(","));
const onButton = (page) => text(page, "#next-code");

function noErrors(page) {
  expect(page.jsErrors.length === 0, "no JS errors: " + page.jsErrors.join("; "));
}

test("advisor: login errors in words: empty, not a counter role, wrong password, too many logins", async () => {
  const v = await startVuorod();
  try {
    const page = await open(v.url + "/advisor", CONSOLE);
    await page.waitForSelector("#login-view:not([hidden])");
    await page.click("#login-btn");
    await waitFor(async () => (await text(page, "#login-error")).includes("Enter your user name and password"),
      "the empty-form message");

    await loginAs(page, "tech");
    await waitFor(async () => (await text(page, "#login-error")).includes("this console is for advisors"),
      "the role message");
    expect(await page.isVisible("#login-view"), "still at the login");

    await loginAs(page, "anna", "not-her-password");
    await waitFor(async () => (await text(page, "#login-error")).includes("Wrong user name or password"),
      "the wrong-password message");
    expect(await page.getAttribute("#password", "aria-invalid") === "true", "the field is marked invalid");
    expect(await page.getAttribute("#login-error", "role") === "alert", "the message is announced");
    await shot(page, "advisor-login-error");
    await audit(page, "advisor login error");

    // After five failures each one makes the next wait longer: 1 s, 2 s, 4 s …
    for (let i = 0; i < 5; i++) await v.api("POST", "/api/login", { user: "anna", password: "wrong" });
    for (const s of [1, 2]) {
      await new Promise((resolve) => setTimeout(resolve, s * 1000 + 100)); // the delay itself
      await v.api("POST", "/api/login", { user: "anna", password: "wrong" });
    }
    await loginAs(page, "anna");
    await waitFor(async () => /Too many failed logins.*Wait \d seconds/.test(await text(page, "#login-error")),
      "the too-many-logins message");
    expect(await page.isVisible("#login-view"), "not logged in");
    // The browser logs the refused logins themselves (401, 429): expected here.
    const other = page.jsErrors.filter((e) => !/status of (401|429)/.test(e));
    expect(other.length === 0, "no JS errors: " + other.join("; "));
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});

test("advisor: transfer to another service, then to another counter at the front of the line", async () => {
  const v = await startVuorod();
  try {
    const a = await draw(v, "guide");
    const b = await draw(v, "guide");
    const page = await atCounter(v);
    await key(page, "n");
    await waitFor(async () => (await code(page)) === a.code, "A called");
    await page.selectOption("#t-service", "tax");
    await shot(page, "advisor-transfer");
    // No counter is open for taxation: asked first, then transferred anyway.
    await page.click("#b-transfer");
    await page.waitForSelector("#t-confirm[open]");
    expect((await text(page, "#t-confirm-text")).includes("No counter is open for Taxation"), "the question names the service");
    await page.click("#t-confirm-yes");
    await waitFor(async () => (await code(page)) === b.code || (await code(page)) === "—", "the counter freed");
    let t = await ticket(v, a.id);
    expect(t.service === "tax" && t.state === "waiting" && t.transfers === 1, "A waits for tax: " + JSON.stringify(t));
    expect(await page.$eval("#t-service", (s) => s.value) === "", "the choice is reset");
    await waitFor(async () => (await text(page, "#note")).includes(`${a.code} transferred`), "the note");

    await key(page, "n");
    await waitFor(async () => (await code(page)) === b.code, "B called");
    // Transfer without saying where: the page asks, vuorod is not bothered.
    await key(page, "t");
    await waitFor(async () => (await text(page, "#alert")).includes("Choose the service or counter"), "the question");
    expect(await page.evaluate(() => document.activeElement.id) === "t-service", "focus on the choice");
    await page.selectOption("#t-counter", "3");
    await page.check("#t-front");
    await page.click("#b-transfer");
    await page.waitForSelector("#t-confirm[open]");
    expect((await text(page, "#t-confirm-text")).includes("is closed now"), "the question names the closed counter");
    await page.click("#t-confirm-yes");
    await waitFor(async () => (await code(page)) === "—", "the counter is free");
    t = await ticket(v, b.id);
    expect(t.target_counter === 3 && t.state === "waiting" && t.service === "guide", "B waits for counter 3: " + JSON.stringify(t));
    expect(!(await text(page, "#my-queue")).includes(b.code), "B no longer waits for counter 1");
    expect((await text(page, "#alert")) === "", "the question is gone");
    await audit(page, "advisor after transfers");
    noErrors(page);
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});

test("advisor: no-show goes back in line once, then ends as a no-show", async () => {
  const v = await startVuorod();
  try {
    const a = await draw(v, "guide");
    const page = await atCounter(v);
    await key(page, "n");
    await waitFor(async () => (await code(page)) === a.code, "A called");
    await key(page, "x");
    await waitFor(async () => (await code(page)) === "—", "the counter is free");
    await waitFor(async () => (await text(page, "#my-queue")).includes(a.code), "A back in line");
    expect((await ticket(v, a.id)).no_shows === 1, "one no-show counted");

    await key(page, "n");
    await waitFor(async () => (await code(page)) === a.code, "A called again");
    await key(page, "x");
    await waitFor(async () => (await code(page)) === "—", "the counter is free again");
    const t = await ticket(v, a.id);
    expect(t.state === "no_show" && t.outcome === "no_show", "A ended as a no-show: " + JSON.stringify(t));
    await page.waitForSelector("#b-next[disabled]");
    expect((await text(page, "#my-queue")).includes("Nobody is waiting"), "nobody waits");
    noErrors(page);
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});

test("advisor: park a ticket, serve another, resume the parked one (called, then serving)", async () => {
  const v = await startVuorod();
  try {
    const a = await draw(v, "guide");
    const b = await draw(v, "permits");
    const page = await atCounter(v);
    await key(page, "n");
    await waitFor(async () => (await code(page)) === a.code, "A called");
    await page.waitForSelector("#b-resume[disabled]");
    await key(page, "p");
    await waitFor(async () => (await code(page)) === "—", "the counter is free");
    await waitFor(async () => (await text(page, "#parked")).includes(a.code), "A listed as parked");
    await page.waitForSelector("#b-resume:not([disabled])");
    await page.waitForSelector("#b-next:not([disabled])");
    await shot(page, "advisor-parked");
    await audit(page, "advisor with a parked ticket");

    await key(page, "n");
    await waitFor(async () => (await code(page)) === b.code, "B called");
    await page.waitForSelector("#b-resume[disabled]");
    await key(page, "e");
    await waitFor(async () => (await code(page)) === "—", "B ended");

    await key(page, "u");
    await waitFor(async () => (await code(page)) === a.code, "A resumed");
    expect((await ticket(v, a.id)).state === "called", "not started: called again");
    await key(page, "s");
    await waitFor(async () => (await text(page, "#cur-facts")).includes("being served"), "A served");
    await key(page, "p");
    await waitFor(async () => (await code(page)) === "—", "A parked again");
    await page.click("#b-resume");
    await waitFor(async () => (await code(page)) === a.code, "A resumed again");
    expect((await ticket(v, a.id)).state === "serving", "started before: serving");
    noErrors(page);
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});

test("advisor: every command button is off from the click until its answer is drawn; a double click sends one command", async () => {
  const v = await startVuorod();
  try {
    const a = await draw(v, "guide");
    await draw(v, "guide");
    const page = await atCounter(v);
    await page.waitForSelector("#b-next:not([disabled])");
    // In the click's own task: "Call next" and every other command are off
    // (the state shown predates the call), the counter cannot be closed.
    const off = await page.evaluate(() => {
      document.getElementById("b-next").click();
      return [...document.querySelectorAll("[data-act], #close-counter, #b-doc")].filter((b) => !b.disabled)
        .map((b) => b.id);
    });
    expect(off.length === 0, "enabled right after the click: " + off.join(" "));
    await waitFor(async () => (await code(page)) === a.code, "A called");
    // Drawn after the answer: what a called ticket allows; another waits,
    // but "Call next" stays off while A is at the counter.
    await page.waitForSelector("#b-recall:not([disabled])");
    expect(await page.isDisabled("#b-next"), "Call next off while A is called");

    // A double click recalls once; the keyboard's place stays on Recall.
    await page.dblclick("#b-recall");
    await waitFor(async () => (await text(page, "#cur-facts")).includes("Recalls1"), "one recall drawn");
    await page.waitForSelector("#b-recall:not([disabled])");
    expect((await ticket(v, a.id)).recalls === 1, "one recall stored");
    await page.focus("#b-recall");
    await page.keyboard.press("Enter");
    await waitFor(async () => (await text(page, "#cur-facts")).includes("Recalls2"), "the second recall drawn");
    await page.waitForSelector("#b-recall:not([disabled])");
    expect(await page.evaluate(() => document.activeElement.id) === "b-recall", "the focus stays on Recall");

    // An early click: No-show right after Start lands on a disabled button.
    const early = await page.evaluate(() => {
      document.getElementById("b-start").click();
      const noshow = document.getElementById("b-noshow");
      const wasOff = noshow.disabled;
      noshow.click();
      return wasOff;
    });
    expect(early, "No-show is off while Start is on its way");
    await waitFor(async () => (await text(page, "#cur-facts")).includes("being served"), "A served");
    const t = await ticket(v, a.id);
    expect(t.state === "serving" && t.no_shows === 0, "served, no no-show: " + JSON.stringify(t));
    noErrors(page);
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});

test("advisor: keyboard alone: login, choose, Tab reaches every action with a visible focus, no shortcut while typing", async () => {
  const v = await startVuorod();
  try {
    await draw(v, "tax");
    const page = await open(v.url + "/advisor", CONSOLE);
    await page.waitForSelector("#login-view:not([hidden])");
    expect(await page.evaluate(() => document.activeElement.id) === "user", "the user field has the focus");
    // Typing "n" and "e" in the fields must stay letters.
    await page.keyboard.type("anna");
    await page.keyboard.press("Tab");
    await page.keyboard.type(USERS.anna[1]);
    await page.keyboard.press("Enter");
    await page.waitForSelector("#counter-view:not([hidden])");
    expect(await page.evaluate(() => document.activeElement.value) === "1", "focus on the first counter");
    await page.keyboard.press("ArrowDown");
    await waitFor(async () => (await ticked(page)) === "tax,guide,kela", "counter 2's profile");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement.id) === "profile-summary", "then the profile");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#console-view:not([hidden])");
    await waitFor(async () => (await page.evaluate(() => document.activeElement.id)) === "b-next", "focus on Call next");

    // Every action button says its shortcut.
    const shortcuts = await page.$$eval("[data-act]", (els) => els.map((e) =>
      [e.id, e.getAttribute("aria-keyshortcuts"), e.querySelector("kbd")?.textContent]));
    for (const [id, aria, kbd] of shortcuts) expect(aria && aria === kbd, `${id}: aria-keyshortcuts ${aria}, shown ${kbd}`);
    expect(shortcuts.length === 8, "eight actions");

    await page.keyboard.press("n");
    await waitFor(async () => (await code(page)) !== "—", "a ticket called");
    await waitFor(async () => (await page.evaluate(() => document.activeElement.id)) === "b-start", "focus moved on to Start");

    // Tab around the page: every control of this state, each with a ring.
    const seen = new Set();
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press(i < 25 ? "Tab" : "Shift+Tab");
      const f = await page.evaluate(() => {
        const el = document.activeElement;
        const s = getComputedStyle(el);
        return { id: el.id || el.name || el.tagName, ring: el.matches(":focus-visible") && s.outlineStyle !== "none" &&
          parseFloat(s.outlineWidth) >= 3 };
      });
      if (f.id === "BODY") continue;
      expect(f.ring, "a visible focus ring on " + f.id);
      seen.add(f.id);
    }
    for (const id of ["b-recall", "b-start", "b-noshow", "b-park", "outcome", "channel", "b-end",
      "t-service", "t-counter", "t-front", "b-transfer", "lang", "logout"]) {
      expect(seen.has(id), `Tab reaches ${id} (reached: ${[...seen].join(" ")})`);
    }
    expect(!seen.has("b-next") && !seen.has("b-resume"), "disabled actions are skipped");

    // In a select a letter chooses an option: "e" must not end the visit.
    await page.focus("#t-service");
    await page.keyboard.press("e");
    await page.focus("#b-start");
    await page.keyboard.press("r");
    await waitFor(async () => (await text(page, "#cur-facts")).includes("Recalls1"), "recalled by R");
    expect((await code(page)) !== "—", "E in the select did not end the visit");
    await page.keyboard.press("e");
    await waitFor(async () => (await code(page)) === "—", "ended by E");

    // Log out by keyboard too.
    await page.focus("#logout");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#login-view:not([hidden])");
    noErrors(page);
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});

test("advisor: a POST from the page without the CSRF token gets 403; with it, it passes", async () => {
  const v = await startVuorod();
  try {
    const page = await open(v.url + "/advisor", CONSOLE);
    await loginAs(page, "anna");
    await page.waitForSelector("#counter-view:not([hidden])");
    const post = (withToken) => page.evaluate(async (withToken) => {
      const headers = { "Content-Type": "application/json" };
      if (withToken) headers["X-CSRF-Token"] = (await (await fetch("/api/whoami")).json()).csrf;
      const r = await fetch("/api/counters/1/open", { method: "POST", headers, body: "{}" });
      return { status: r.status, body: await r.json() };
    }, withToken);
    const bad = await post(false);
    expect(bad.status === 403 && bad.body.error === "csrf", "403 csrf: " + JSON.stringify(bad));
    expect(/X-CSRF-Token/.test(bad.body.message), "the message says what to send");
    const c = await v.api("GET", "/api/status");
    expect(!c.body.counters[0].open, "counter 1 stayed closed");
    const good = await post(true);
    expect(good.status === 200 && good.body.counter.open, "with the token it opens: " + JSON.stringify(good));
    // The page's own fetches (ui/common/api.js) send it.
    await waitFor(async () => (await text(page, "#counter-list")).includes("open, yours"), "the page sees it open");
    // An API refusal is shown in the alert region in the API's words.
    await page.check('#counter-list input[value="2"]');
    await waitFor(async () => (await ticked(page)) === "tax,guide,kela", "counter 2's profile");
    await page.click("#profile-summary");
    await page.fill('#profile-list li[data-code="guide"] input.weight', "150");
    await page.press('#profile-list li[data-code="guide"] input.weight', "Tab");
    await page.click("#open-btn");
    await waitFor(async () => (await text(page, "#alert")).includes("weight of guide must be 1 to 100"), "the refusal shown");
    expect(await page.getAttribute("#alert", "role") === "alert", "in an alert region");
    expect(await page.evaluate(() => Boolean(document.activeElement.closest("#profile-list"))), "focus back on the profile");
    await shot(page, "advisor-open-error");
    await audit(page, "advisor, refused profile");
    await page.check('#counter-list input[value="1"]');
    await page.click("#open-btn");
    await page.waitForSelector("#console-view:not([hidden])");
    expect((await text(page, "#alert")) === "", "the alert is cleared by the next success");
    // The browser logs the refused requests themselves (403, 400): expected.
    const other = page.jsErrors.filter((e) => !/status of (403|400)/.test(e));
    expect(other.length === 0, "no JS errors: " + other.join("; "));
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});

test("advisor: the session resumes on reload; offline banner while vuorod restarts; live again after", async () => {
  const v = await startVuorod();
  try {
    const page = await atCounter(v, "anna", 1);
    await page.reload();
    await page.waitForSelector("#console-view:not([hidden])");
    expect((await text(page, "#who-name")).includes("anna"), "still anna after a reload");

    await v.stop();
    await page.waitForSelector("#offline", { state: "visible", timeout: 5000 });
    await shot(page, "advisor-offline");
    await audit(page, "advisor offline");
    await v.start();
    await page.waitForSelector("#offline", { state: "hidden", timeout: 10000 });

    const a = await draw(v, "guide");
    await waitFor(async () => (await text(page, "#my-queue")).includes(a.code), "a new ticket shows up live");
    await page.click("#b-next");
    await waitFor(async () => (await code(page)) === a.code, "and can be called");
    const other = page.jsErrors.filter((e) => !/ERR_CONNECTION_REFUSED|WebSocket|Failed to load resource/.test(e));
    expect(other.length === 0, "no JS errors: " + other.join("; "));
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});

test("advisor at 1366×768: the whole console fits, the parked list is not cut", async () => {
  const v = await startVuorod();
  try {
    await draw(v, "guide");
    for (let i = 0; i < 12; i++) await draw(v, i % 2 ? "permits" : "kela");
    const page = await open(v.url + "/advisor", { width: 1366, height: 768, lang: "en" });
    await loginAs(page, "anna");
    await page.waitForSelector("#counter-view:not([hidden])");
    await page.check('#counter-list input[value="1"]');
    await page.click("#open-btn");
    await page.waitForSelector("#console-view:not([hidden])");
    // A shortcut while its button is off (the page still loading, a command
    // in flight) is not taken: press each once its button is on.
    await page.waitForSelector("#b-next:not([disabled])");
    await key(page, "n");
    await waitFor(async () => (await code(page)) !== "—", "a ticket called");
    await page.waitForSelector("#b-park:not([disabled])");
    await key(page, "p");
    await waitFor(async () => (await page.$$eval("#parked option[value]:not([value=''])", (o) => o.length)) === 1, "one parked");
    await page.waitForSelector("#b-next:not([disabled])");
    await key(page, "n");
    await waitFor(async () => (await code(page)) !== "—", "the next called");
    const m = await page.evaluate(() => {
      const box = (id) => document.getElementById(id).getBoundingClientRect();
      return { scroll: document.documentElement.scrollHeight, inner: innerHeight, wide: document.documentElement.scrollWidth,
        parked: box("parked").bottom, resume: box("b-resume").bottom, close: box("close-counter").bottom };
    });
    console.log("  1366×768:", JSON.stringify(m));
    await shot(page, "advisor-1366x768");
    expect(m.scroll <= 768 && m.wide <= 1366, "no scrolling at 1366×768: " + JSON.stringify(m));
    expect(m.parked <= 768 && m.resume <= 768 && m.close <= 768, "the parked list and Close are on screen: " + JSON.stringify(m));
    await audit(page, "advisor at 1366×768");
    noErrors(page);
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});

test("advisor: the ticket Call next takes is marked and on the button, and the call takes it: profile order, no-show back in line, weights", async () => {
  const v = await startVuorod();
  try {
    const k1 = await draw(v, "kela"); // waited longest
    const g1 = await draw(v, "guide");
    const page = await atCounter(v); // counter 1: guide, permits, kela
    // By profile order guidance goes first although kela waited longer.
    await waitFor(async () => (await marked(page)) === g1.code, "guidance marked as next");
    expect((await onButton(page)).includes(g1.code), "and on the button");
    expect(await page.$eval("#my-queue li", (li) => li.classList.contains("next")), "first in the list");
    await shot(page, "advisor-next");
    await key(page, "n");
    await waitFor(async () => (await code(page)) === g1.code, "the call took it");
    expect((await onButton(page)) === "", "no code on the button while a ticket is at the counter");

    // No-show: back in line, and the page says where; still next by profile order.
    await key(page, "x");
    await waitFor(async () => (await text(page, "#note")).includes(`${g1.code} did not come: back in line for General guidance, place 1`),
      "the no-show note says where: " + await text(page, "#note"));
    await waitFor(async () => (await marked(page)) === g1.code, "the no-show is next again");
    // The language changes: the last message too.
    await page.selectOption("#lang", "fi");
    await waitFor(async () => (await text(page, "#note")).includes(`${g1.code} ei tullut: takaisin jonoon (Yleinen neuvonta), sijalle 1`),
      "the note in Finnish: " + await text(page, "#note"));
    await page.selectOption("#lang", "sv");
    await waitFor(async () => (await text(page, "#note")).includes(`${g1.code} kom inte: tillbaka i kön`), "the note in Swedish");
    await page.selectOption("#lang", "en");
    await waitFor(async () => (await text(page, "#note")).includes("did not come: back in line"), "the note in English again");
    await key(page, "n");
    await waitFor(async () => (await code(page)) === g1.code, "the call took the no-show, as shown");
    await key(page, "x");
    await waitFor(async () => (await text(page, "#note")).includes(`${g1.code} did not come again: the ticket has expired`), "expired");
    await waitFor(async () => (await marked(page)) === k1.code, "kela is next");
    await key(page, "n");
    await waitFor(async () => (await code(page)) === k1.code, "the call took kela");
    await key(page, "e");
    await waitFor(async () => (await code(page)) === "—", "ended");

    // Weights, chosen in the profile: kela × 5 beats guidance × 1 that waited a moment longer.
    await page.click("#close-counter");
    await page.waitForSelector("#counter-view:not([hidden])");
    await page.check('#counter-list input[value="1"]');
    await waitFor(async () => (await ticked(page)) === "guide,permits,kela", "counter 1's profile");
    await page.click("#profile-summary");
    await page.uncheck('#profile-list li[data-code="permits"] input[type=checkbox]');
    await page.fill('#profile-list li[data-code="kela"] input.weight', "5");
    await page.press('#profile-list li[data-code="kela"] input.weight', "Tab");
    await page.fill('#profile-list li[data-code="guide"] input.weight', "1");
    await page.press('#profile-list li[data-code="guide"] input.weight', "Tab");
    // Kela moved up to the top by its button.
    await page.click('#profile-list li[data-code="kela"] [data-role="up"]');
    await waitFor(async () => (await ticked(page)) === "guide,kela", "kela moved up: " + await ticked(page));
    await page.click('#profile-list li[data-code="kela"] [data-role="up"]');
    await waitFor(async () => (await ticked(page)) === "kela,guide", "kela first");
    await shot(page, "advisor-profile");
    await audit(page, "advisor, the profile chooser");
    const g2 = await draw(v, "guide");
    const k2 = await draw(v, "kela");
    await page.click("#open-btn");
    await page.waitForSelector("#console-view:not([hidden])");
    const c = await v.api("GET", "/api/counters/1", null, "anna");
    expect(JSON.stringify(c.body.profile) === JSON.stringify([{ service: "kela", weight: 5 }, { service: "guide", weight: 1 }]),
      "opened with the chosen profile: " + JSON.stringify(c.body.profile));
    await waitFor(async () => (await marked(page)) === k2.code, "kela × 5 marked next");
    await key(page, "n");
    await waitFor(async () => (await code(page)) === k2.code, "the call took it");
    await key(page, "e");
    await waitFor(async () => (await marked(page)) === g2.code, "then guidance");
    await key(page, "n");
    await waitFor(async () => (await code(page)) === g2.code, "the call took it");
    noErrors(page);
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});

test("advisor: a transfer to a service nobody serves now is asked first; Cancel and Escape keep the customer; a staffed one is not asked", async () => {
  const v = await startVuorod();
  try {
    const a = await draw(v, "guide");
    const page = await atCounter(v); // counter 1 serves guide, permits, kela
    await key(page, "n");
    await waitFor(async () => (await code(page)) === a.code, "A called");
    expect((await text(page, '#lines tr[data-code="tax"]')).includes("no counter open"), "the lines say taxation is not served");
    await page.selectOption("#t-service", "tax");
    await page.click("#b-transfer");
    await page.waitForSelector("#t-confirm[open]");
    expect((await text(page, "#t-confirm-text")) ===
      "No counter is open for Taxation now – the citizen would wait until one opens. Transfer anyway?",
    "the question: " + await text(page, "#t-confirm-text"));
    expect(await page.evaluate(() => document.activeElement.id) === "t-confirm-no", "the safe answer has the focus");
    // A shortcut does nothing while the question is open.
    await page.keyboard.press("e");
    await shot(page, "advisor-transfer-warning");
    await audit(page, "advisor, the transfer question");
    await page.keyboard.press("Enter"); // Cancel
    await page.waitForSelector("#t-confirm[open]", { state: "detached" });
    let t = await ticket(v, a.id);
    expect(t.state === "called" && t.service === "guide", "still at the counter: " + JSON.stringify(t));
    await page.click("#b-transfer");
    await page.waitForSelector("#t-confirm[open]");
    await page.keyboard.press("Escape");
    await page.waitForSelector("#t-confirm[open]", { state: "detached" });
    expect((await ticket(v, a.id)).state === "called", "Escape kept it too");
    // Another advisor opens counter 2 (tax first): taxation is staffed now.
    expect((await v.api("POST", "/api/counters/2/open", {}, "bertil")).status === 200, "counter 2 open");
    // The lines say who is served: taxation was nobody's, now it is.
    await waitFor(async () => !(await text(page, '#lines tr[data-code="tax"]')).includes("no counter open"),
      "the page saw counter 2 open");
    await page.selectOption("#t-service", "tax");
    await page.click("#b-transfer");
    await waitFor(async () => (await code(page)) === "—", "transferred without a question");
    t = await ticket(v, a.id);
    expect(t.service === "tax" && t.state === "waiting", "A waits for taxation: " + JSON.stringify(t));
    noErrors(page);
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});

test("advisor: books a remote service at a booth: the code shown large; the booth's slot taken says so", async () => {
  const v = await startVuorod();
  try {
    const page = await atCounter(v);
    await page.click("#book-open");
    await page.waitForSelector("#book-dialog[open]");
    // A counter service: no booth to choose.
    await page.selectOption("#book-service", "guide");
    expect(await page.isHidden("#book-booth-field"), "no booth for a counter service");
    await page.selectOption("#book-service", "kela-video");
    await page.waitForSelector("#book-booth-field:not([hidden])");
    const booths = await page.$$eval("#book-booth option", (os) => os.map((o) => o.value));
    expect(booths.join(",") === "4", "the booths offered: " + booths);
    await page.fill("#book-at", "2030-01-15T09:30");
    await page.fill("#book-min", "30");
    await page.fill("#book-name", "Aino Testi");
    await page.click("#book-btn");
    await page.waitForSelector("#book-result .book-code");
    const shown = await text(page, "#book-result .book-code");
    expect(/^[A-Z2-9]{6}$/.test(shown), "a booking code: " + shown);
    const said = await text(page, "#book-result");
    expect(said.includes("booth 4") && said.includes("2030-01-15 09:30") && said.includes("kiosk"), said);
    const list = (await v.api("GET", "/api/appointments?from=2030-01-15%2000:00&to=2030-01-16%2000:00",
      null, "anna")).body.appointments;
    expect(list.length === 1 && list[0].code === shown && list[0].booth === 4 && list[0].name === "Aino Testi",
      "stored as shown: " + JSON.stringify(list));
    await shot(page, "advisor-booking-code");
    await audit(page, "advisor booking");
    noErrors(page);

    // The same booth 15 minutes later: refused in vuorod's words, in the dialog.
    await page.fill("#book-at", "2030-01-15T09:45");
    await page.click("#book-btn");
    await waitFor(async () => (await text(page, "#book-error")).includes("booth 4 is booked"), "the overlap message");
    const said2 = await text(page, "#book-error");
    expect(said2.includes("09:30–10:00") && said2.includes("pick another time or booth"), said2);
    expect(!(await page.$("#book-result .book-code")), "no code shown for a refused booking");
    await shot(page, "advisor-booking-taken");
    // Escape closes it; the console is as it was.
    await page.keyboard.press("Escape");
    await page.waitForSelector("#book-dialog[open]", { state: "detached" });
    expect(page.jsErrors.every((e) => e.includes("409")), "no JS errors but the 409: " + page.jsErrors.join("; "));
    await page.context().close();
  } finally {
    await v.cleanup();
  }
});
