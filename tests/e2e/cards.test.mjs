// SPDX-License-Identifier: GPL-3.0-or-later
// Service cards (issue 17, item 11): the provider's instructions, support
// phone and chat next to the ticket being served, on /advisor and /expert,
// from board-config's [service:CODE] card keys (board-config/sim.conf: tax
// and kela-video have one, guide none).

import { test, startVuorod, open, shot, audit, expect, waitFor, USERS } from "./lib.mjs";

const RTC = [["webrtc", "local-addresses", "127.0.0.1"], ["webrtc", "ring-seconds", "10"]];

async function draw(v, service) {
  const r = await v.api("POST", "/api/tickets", { service, lang: "fi", handout: "screen" });
  expect(r.status === 201, "the kiosk drew a ticket: " + JSON.stringify(r.body));
  return r.body.ticket;
}

// The card's links as the page draws them.
const cardLinks = (page, sel) => page.$$eval(`${sel} .service-card a`, (as) => as.map((a) => ({
  cls: a.className, href: a.getAttribute("href"), target: a.getAttribute("target"),
  rel: a.getAttribute("rel"), text: a.textContent })));

function checkLinks(links, want) {
  const by = Object.fromEntries(links.map((l) => [l.cls, l]));
  expect(links.length === Object.keys(want).length, "the card's links: " + JSON.stringify(links));
  for (const [cls, href] of Object.entries(want)) {
    expect(by[cls]?.href === href, `${cls} is ${href}: ` + JSON.stringify(by[cls]));
    if (cls === "card-phone") continue;
    expect(by[cls].target === "_blank" && by[cls].rel.split(" ").includes("noopener"),
      `${cls} opens in a new tab without the opener: ` + JSON.stringify(by[cls]));
  }
}

test("cards: /advisor shows the service card of the ticket served, in the page's language", async () => {
  const v = await startVuorod();
  try {
    const tax = await draw(v, "tax");
    const page = await open(v.url + "/advisor", { width: 1280, height: 800, lang: "en" });
    await page.waitForSelector("#login-view:not([hidden])");
    await page.fill("#user", "anna");
    await page.fill("#password", USERS.anna[1]);
    await page.press("#password", "Enter");
    await page.waitForSelector("#counter-view:not([hidden])");
    await page.check('#counter-list input[value="2"]');
    await page.click("#open-btn");
    await page.waitForSelector("#console-view:not([hidden])");
    expect(await page.$("#cur-card .service-card") === null, "no card before a ticket is called");

    await page.click("#b-next");
    await waitFor(async () => (await page.textContent("#cur-code")) === tax.code, "the tax ticket called");
    await page.waitForSelector("#cur-card .service-card");
    checkLinks(await cardLinks(page, "#cur-card"), {
      "card-instructions": "https://www.vero.fi/en/individuals/",
      "card-phone": "tel:+35829497000",
    });
    const card = await page.textContent("#cur-card .service-card");
    expect(card.includes("Service card") && card.includes("+358 29 497 000") &&
      card.includes("(opens in a new tab)"), "the card's words: " + card);
    // The whole console still fits the screen with the card.
    const fit = await page.evaluate(() => ({ scroll: document.documentElement.scrollHeight, inner: innerHeight }));
    expect(fit.scroll <= fit.inner, "the console fits 1280×800: " + JSON.stringify(fit));
    // A live update (another customer draws a ticket) leaves a focused link focused.
    await page.focus("#cur-card .card-instructions");
    const other = await draw(v, "kela");
    await waitFor(async () => (await page.textContent("#my-queue")).includes(other.code),
      "the new ticket on the page");
    await waitFor(() => page.evaluate(() => document.activeElement?.classList.contains("card-instructions")),
      "the focus still on the instructions link");
    await shot(page, "cards-advisor");
    await audit(page, "/advisor with a service card");

    // In Swedish: the Swedish instructions.
    await page.selectOption("#lang", "sv");
    await waitFor(async () => (await cardLinks(page, "#cur-card"))
      .some((l) => l.href === "https://www.vero.fi/sv/privatpersoner/" && l.text.startsWith("Tjänstens anvisningar")),
    "the Swedish card");

    // A service without a card: none shown.
    await page.selectOption("#lang", "en");
    const guide = await draw(v, "guide");
    await page.click("#b-start");
    await waitFor(async () => (await v.api("GET", `/api/tickets/${tax.id}`, null, "admin1")).body.state === "serving",
      "the tax ticket served");
    await page.click("#b-end");
    await waitFor(async () => (await page.$("#cur-card .service-card")) === null, "the card gone with the ticket");
    await page.click("#b-next");
    await waitFor(async () => (await page.textContent("#cur-code")) === guide.code, "the guide ticket called");
    expect(await page.$("#cur-card .service-card") === null, "guide has no card");
  } finally {
    await v.stop();
  }
});

test("cards: /expert shows the card of the session's service", async () => {
  const v = await startVuorod(RTC);
  try {
    const ticket = await draw(v, "kela-video");
    const page = await open(v.url + "/expert", { lang: "en" });
    await page.fill("#user", "eero");
    await page.fill("#password", USERS.eero[1]);
    await page.click("#login-button");
    await page.waitForSelector("#app:not([hidden])");
    await waitFor(() => page.locator("#tickets .code").first().textContent()
      .then((s) => s === ticket.code).catch(() => false), "the ticket in the expert's queue");
    expect(await page.$("#session-card .service-card") === null, "no card before a session");
    await page.click("#call");
    await page.waitForSelector("#session-card .service-card", { timeout: 15000 });
    checkLinks(await cardLinks(page, "#session-card"), {
      "card-instructions": "https://www.kela.fi/asiointipisteet",
      "card-phone": "tel:+35820692200",
      "card-chat": "https://www.kela.fi/chat",
    });
    await shot(page, "cards-expert");
    await audit(page, "/expert with a service card");
  } finally {
    await v.stop();
  }
});
