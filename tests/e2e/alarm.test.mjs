// SPDX-License-Identifier: GPL-3.0-or-later
// The staff alarm (issue 17, item 7) in a real Chromium against a real
// vuorod: an advisor at counter 1 presses Ctrl+Alt+A; the manager's page,
// open beside it, shows the red band with the counter's name at once (the
// "alarm" event, staff sockets only), the lamp is lit; the waiting-room
// display's socket never hears it.  The manager acknowledges it: the band leaves
// both staff pages and the lamp goes out.  axe on the advisor with its
// help, and on the manager with the alarm.

import { test, startVuorod, open, shot, audit, expect, waitFor, USERS, logIn } from "./lib.mjs";

const lamp = async (v) => (await v.api("GET", "/api/gpio", null, "tech")).body.lines.find((l) => l.name === "alarm").value;

test("alarm: Ctrl+Alt+A on /advisor shows on /manager, lights the lamp, not on /display; acknowledged, it clears", async () => {
  const v = await startVuorod();
  try {
    const display = await open(v.url + "/display?mute=1", { width: 1920, height: 1080 });
    await display.waitForSelector("#services li");
    // What the display's kind of socket (no staff role) hears, from the display's own page.
    await display.evaluate(() => new Promise((resolve) => {
      window.__heard = [];
      const ws = new WebSocket(`ws://${location.host}/api/events`);
      ws.onmessage = (m) => window.__heard.push(JSON.parse(m.data).type);
      ws.onopen = resolve;
    }));

    const manager = await open(v.url + "/manager", { lang: "en" });
    await logIn(manager, "maija");
    await manager.waitForSelector("#notices-none");
    expect(await manager.locator("#staff-alarm").isHidden(), "no alarm yet");

    const advisor = await open(v.url + "/advisor", { width: 1280, height: 800, lang: "en" });
    await advisor.waitForSelector("#login-view:not([hidden])");
    await advisor.fill("#user", "anna");
    await advisor.fill("#password", USERS.anna[1]);
    await advisor.press("#password", "Enter");
    await advisor.waitForSelector("#counter-view:not([hidden])");
    await advisor.check('#counter-list input[value="1"]');
    await advisor.click("#open-btn");
    await advisor.waitForSelector("#console-view:not([hidden])");
    // On the button from 1300 px up; below, in its tooltip (the header keeps one row at 1280).
    const shown = await advisor.locator("#b-alarm").innerText();
    const tip = await advisor.locator("#b-alarm").getAttribute("title");
    expect(!shown.includes("Ctrl+Alt+A") && tip === "Ctrl+Alt+A",
      "at 1280 px the combination is the alarm button's tooltip: " + shown + " / " + tip);
    await advisor.setViewportSize({ width: 1366, height: 768 });
    const wide = await advisor.locator("#b-alarm").innerText();
    expect(wide.includes("Ctrl+Alt+A"), "at 1366 px it is shown on the alarm button: " + wide);
    await advisor.setViewportSize({ width: 1280, height: 800 });
    const help = await advisor.locator("#alarm-help").textContent();
    expect(help.includes("Ctrl+Alt+A") && help.includes("waiting room"), "and in its help: " + help);
    expect(await advisor.locator("#b-alarm").getAttribute("aria-keyshortcuts") === "Control+Alt+A", "announced");
    await audit(advisor, "advisor with the alarm help");
    expect(await lamp(v) === 0, "the lamp is off");

    // In a text field too: help is needed now.
    await advisor.focus("#category");
    await advisor.keyboard.press("Control+Alt+KeyA");
    await waitFor(async () => await manager.locator("#staff-alarm").isVisible(), "the manager sees the alarm");
    const band = await manager.locator("#staff-alarm").innerText();
    expect(band.includes("ALARM") && band.includes("Counter 1") && band.includes("anna"),
      "the band names the counter and who raised it: " + band);
    await waitFor(async () => (await advisor.locator("#staff-alarm").innerText()).includes("Counter 1"),
      "the advisor's page shows it too");
    await waitFor(async () => await lamp(v) === 1, "the lamp lights");
    await shot(manager, "alarm-manager");
    await shot(advisor, "alarm-advisor");
    await audit(manager, "manager with an alarm");

    // The waiting room: nothing changed (no band, no text).
    expect(await display.locator("#staff-alarm").count() === 0, "no alarm element on the display");
    // A ticket: an event the waiting room does hear, after the alarm's.
    expect((await v.api("POST", "/api/tickets", { service: "guide", lang: "fi", handout: "screen" })).status === 201, "a ticket");
    await waitFor(async () => (await display.evaluate(() => window.__heard)).includes("issued"), "the display hears the ticket");
    const heard = await display.evaluate(() => window.__heard);
    expect(!heard.includes("alarm"), "the display never hears the alarm: " + heard.join(","));

    const rows = (await v.api("GET", "/api/alarms", null, "maija")).body.alarms;
    expect(rows.length === 1 && rows[0].source === "key" && rows[0].raised_by === "anna", "recorded: " + JSON.stringify(rows));

    await manager.getByRole("button", { name: /Acknowledge – on it: Counter 1/ }).click();
    await waitFor(async () => await manager.locator("#staff-alarm").isHidden(), "gone on /manager");
    await waitFor(async () => await advisor.locator("#staff-alarm").isHidden(), "gone on /advisor");
    await waitFor(async () => await lamp(v) === 0, "the lamp goes out");
    const after = (await v.api("GET", "/api/alarms", null, "anna")).body.alarms;
    expect(after[0].acknowledged_by === "maija" && !after[0].open, "acknowledged by the manager");
    for (const p of [manager, advisor, display]) {
      expect(p.jsErrors.length === 0, "no JS errors: " + p.jsErrors.join("; "));
    }
  } finally {
    await v.cleanup();
  }
});
