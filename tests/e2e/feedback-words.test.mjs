// SPDX-License-Identifier: GPL-3.0-or-later
// Feedback in words (issue 17, item 9) in a real Chromium: the manager sets
// the question on /manager (refused without Finnish, then saved in Finnish
// and Swedish); the kiosk asks it after the rating, in the citizen's
// language, with an optional comment; what was written shows in the
// manager's list with the answers counted.  axe on each view.

import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { test, startVuorod, open, shot, audit, expect, waitFor, logIn } from "./lib.mjs";

const sql = (v, query) => execFileSync("sqlite3", [path.join(v.dir, "vuoro.db"), query], { encoding: "utf8" }).trim();

// /manager in English, logged in as maija, the words section drawn.
async function managerPage(v) {
  const manager = await open(v.url + "/manager", { lang: "en" });
  await logIn(manager, "maija");
  await manager.waitForSelector("#words-none");
  return manager;
}

test("feedback words: the manager's question on /manager, asked on the kiosk with a comment, listed back", async () => {
  const v = await startVuorod();
  try {
    const manager = await managerPage(v);
    await manager.locator("#question-text-sv").fill("Saknades tjänster?");
    await manager.getByRole("button", { name: "Save the question" }).click();
    await waitFor(async () => (await manager.locator("#question-result").innerText()).includes("main language"),
      "refused without Finnish, saying why");
    expect(await manager.locator("#question-text-sv").inputValue() === "Saknades tjänster?", "the form keeps its text");
    await manager.locator("#question-text-fi").fill("Puuttuiko palveluita?");
    await manager.getByRole("button", { name: "Save the question" }).click();
    await waitFor(async () => (await manager.locator("#question-result").innerText()) === "Question saved: it is asked now.",
      "saved");
    await shot(manager, "words-manager-question");
    await audit(manager, "manager question editor");

    const kiosk = await open(v.url + "/kiosk", { width: 1080, height: 1920 });
    await kiosk.waitForSelector("button.service");
    await kiosk.click("#rate-visit");
    await kiosk.getByRole("button", { name: "Svenska" }).click();
    await kiosk.getByRole("button", { name: "Bra", exact: true }).click();
    await waitFor(async () => (await kiosk.locator("#feedback-title").innerText()) === "Vill du berätta mer?", "the words step");
    expect(await kiosk.locator("#feedback-question").innerText() === "Saknades tjänster?", "the question in Swedish");
    await kiosk.getByRole("button", { name: "Ja" }).click();
    expect(await kiosk.getByRole("button", { name: "Ja" }).getAttribute("aria-pressed") === "true", "the answer is chosen");
    await kiosk.getByLabel("Kommentar (frivillig)").fill("Tidsbokningen saknades.");
    await shot(kiosk, "words-kiosk");
    await audit(kiosk, "kiosk words step");
    await kiosk.getByRole("button", { name: "Skicka" }).click();
    await waitFor(async () => (await kiosk.locator("#feedback-title").innerText()) === "Tack för din respons!", "thanks");
    const row = sql(v, "SELECT rating, comment, answer FROM feedback");
    expect(row === "5|Tidsbokningen saknades.|yes", "stored: " + row);

    // The manager's list, re-read on reload of the section.
    await manager.reload();
    await manager.waitForSelector("#words-table");
    const cells = await manager.locator("#words-table tbody tr td").allInnerTexts();
    expect(cells[1] === "5" && cells[3] === "yes" && cells[4] === "Tidsbokningen saknades.", "listed: " + cells.join("|"));
    expect((await manager.locator("#words-answers").innerText()) === "Answers: yes 1, no 0", "counted");
    // … and downloaded as CSV, the file the link names.
    // Its own name, not the report's "Download CSV" (two links, one name, two files).
    expect(await manager.locator("#words-csv").innerText() === "Download the comments (CSV)", "the link's name");
    const [download] = await Promise.all([manager.waitForEvent("download"),
      manager.getByRole("link", { name: "Download the comments (CSV)" }).click()]);
    expect(/^vuoro-feedback-words-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv$/.test(download.suggestedFilename()),
      "the CSV's name: " + download.suggestedFilename());
    const lines = fs.readFileSync(await download.path(), "utf8").trim().split("\r\n");
    expect(lines.length === 2 && lines[0] === "time,rating,service,counter,source,answer,comment" &&
      /^\d{4}-\d\d-\d\d \d\d:\d\d,5,.*,yes,Tidsbokningen saknades\.$/.test(lines[1]), "the CSV: " + lines.join(" / "));
    await shot(manager, "words-manager-list");
    await audit(manager, "manager words list");
    await manager.getByRole("button", { name: "Withdraw the question" }).click();
    await waitFor(async () => (await manager.locator("#question-result").innerText()).includes("withdrawn"), "withdrawn");
    // The refused question's 400 is logged by Chromium as a failed resource: expected, nothing else.
    for (const p of [manager, kiosk]) {
      const errors = p.jsErrors.filter((e) => !e.includes("status of 400"));
      expect(errors.length === 0, "no JS errors: " + errors.join("; "));
    }
  } finally {
    await v.cleanup();
  }
});

test("feedback words: what a manager types survives a redraw (another manager saves a question meanwhile)", async () => {
  const v = await startVuorod();
  try {
    const manager = await managerPage(v);
    await manager.locator("#question-text-sv").pressSequentially("Saknades tjänster?");
    // Another manager (the API as admin1) saves a question: the page hears
    // of it and draws the form again.
    const other = await v.api("POST", "/api/feedback/question", { text_fi: "Toinen kysymys?" }, "admin1");
    expect(other.status === 200, "the other manager's question: " + JSON.stringify(other.body));
    await waitFor(async () => (await manager.locator("#question-withdraw").count()) === 1, "the page redrawn with a question");
    expect(await manager.locator("#question-text-sv").inputValue() === "Saknades tjänster?",
      "the Swedish text typed is still there: " + (await manager.locator("#question-text-sv").inputValue()));
    expect(await manager.locator("#question-text-fi").inputValue() === "Toinen kysymys?",
      "the field not typed in shows the question saved meanwhile");
    await manager.context().close();
  } finally {
    await v.cleanup();
  }
});
