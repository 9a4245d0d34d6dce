// SPDX-License-Identifier: GPL-3.0-or-later
// The kiosk's weight (issue 22 item 6): what /kiosk loads before it can be
// used stays within 40 kB as transferred because vuorod gzips its text files
// (firmware/web/web.c) and /api/catalog for a client that takes gzip, and
// the kiosk loads its rarer screens' modules when first wanted.
//
//   1. In Chromium (which takes gzip, as cog/WPE does): every page file and
//      the words came gzip-encoded, one catalog (the main language's), one
//      status, none of the later screens' modules, and the bodies sum to
//      ≤ 40 kB.  Then each of those files asked for over raw HTTP: gzip to
//      "Accept-Encoding: gzip" (decoding to the file on disk, byte for
//      byte), plain to no Accept-Encoding and to "gzip;q=0"; "Vary:
//      Accept-Encoding" on both; each form its own ETag, a 304 only for
//      the form the client holds.
//   2. The kiosk in every language it offers: the start, the booking-code
//      keypad and the feedback screen in that language's words (as
//      /api/catalog gives them); each later module loaded once, on the
//      first tap; with vuorod gone the keypad's tap says the system cannot
//      be reached, and works again once vuorod is back.

import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import zlib from "node:zlib";
import { test, startVuorod, open, expect, waitFor, shot, ROOT } from "./lib.mjs";

const BUDGET_KB = 40;
const LATER = ["checkin.js", "pin.js", "feedback.js", "guide.js"];

// A raw GET (node's http: no decoding, no headers of its own).
function rawGet(url, headers = {}) {
  return new Promise((resolve, reject) => {
    http.get(url, { headers }, (res) => {
      const parts = [];
      res.on("data", (d) => parts.push(d));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts) }));
    }).on("error", reject);
  });
}

// The file on disk a page address is served from.
function fileOf(pathname) {
  if (pathname === "/kiosk") return path.join(ROOT, "ui", "kiosk", "index.html");
  expect(pathname.startsWith("/ui/"), "a page file under /ui/: " + pathname);
  return path.join(ROOT, "ui", pathname.slice(4));
}

test("kiosk weight: ≤ 40 kB as transferred, gzip to a client that takes it and plain to one that does not (ETag, Vary)", async () => {
  const v = await startVuorod();
  try {
    const page = await open("about:blank", { width: 1080, height: 1920 });
    const loads = [];
    page.on("requestfinished", (req) => loads.push((async () => {
      const r = await req.response();
      const sizes = await req.sizes();
      return { url: new URL(req.url()), sent: sizes.responseBodySize, encoding: r.headers()["content-encoding"] };
    })()));
    await page.goto(v.url + "/kiosk");
    await page.waitForSelector("button.service");
    await page.waitForLoadState("networkidle");
    const got = await Promise.all(loads);
    await shot(page, "kiosk-weight");
    await page.context().close();

    const files = got.filter((x) => x.url.pathname === "/kiosk" || x.url.pathname.startsWith("/ui/"));
    const catalogs = got.filter((x) => x.url.pathname === "/api/catalog");
    const plain = [...files, ...catalogs].filter((x) => x.encoding !== "gzip").map((x) => x.url.pathname);
    expect(plain.length === 0, "every page file and the words gzip-encoded to Chromium; plain: " + plain.join(", "));
    expect(catalogs.length === 1 && !["sv", "en", "se", "uk", "ar"].includes(catalogs[0].url.searchParams.get("lang")),
      "one catalog, the main language's: " + catalogs.map((x) => x.url.search).join(", "));
    expect(got.filter((x) => x.url.pathname === "/api/status").length === 1, "the status read once");
    const early = files.filter((x) => LATER.some((f) => x.url.pathname.endsWith("/" + f)));
    expect(early.length === 0, "no later screen's module with the page: " + early.map((x) => x.url.pathname).join(", "));
    const kb = got.reduce((a, x) => a + x.sent, 0) / 1024;
    console.log(`# kiosk: ${got.length} answers, ${kb.toFixed(1)} kB as transferred`);
    expect(kb <= BUDGET_KB, `the kiosk within ${BUDGET_KB} kB as transferred, not ${kb.toFixed(1)} kB`);

    for (const { url } of files) {
      const where = url.pathname;
      const disk = fs.readFileSync(fileOf(where));
      const gz = await rawGet(v.url + where, { "Accept-Encoding": "gzip, deflate" });
      expect(gz.status === 200 && gz.headers["content-encoding"] === "gzip", `${where}: gzip to gzip, deflate`);
      expect(zlib.gunzipSync(gz.body).equals(disk), `${where}: its gzip form decodes to the file`);
      expect(gz.body.length < disk.length, `${where}: smaller gzipped (${gz.body.length} of ${disk.length})`);
      expect(/^"[0-9a-f]+-[0-9a-f]+-gz"$/.test(gz.headers.etag || ""), `${where}: the gzip form's own ETag, ${gz.headers.etag}`);
      for (const ae of [null, "gzip;q=0, br", "identity"]) {
        const p = await rawGet(v.url + where, ae ? { "Accept-Encoding": ae } : {});
        expect(p.status === 200 && !p.headers["content-encoding"], `${where}: plain to Accept-Encoding ${ae}`);
        expect(p.body.equals(disk), `${where}: the file as it is on disk to Accept-Encoding ${ae}`);
        expect(/^"[0-9a-f]+-[0-9a-f]+"$/.test(p.headers.etag || ""), `${where}: the plain form's ETag, ${p.headers.etag}`);
        expect(/accept-encoding/i.test(p.headers.vary || ""), `${where}: Vary: Accept-Encoding (plain)`);
      }
      expect(/accept-encoding/i.test(gz.headers.vary || ""), `${where}: Vary: Accept-Encoding (gzip)`);
      expect(gz.headers["cache-control"] === "no-cache", `${where}: revalidated (no-cache), ${gz.headers["cache-control"]}`);
      const plainTag = (await rawGet(v.url + where)).headers.etag;
      const same = await rawGet(v.url + where, { "Accept-Encoding": "gzip", "If-None-Match": gz.headers.etag });
      expect(same.status === 304 && same.body.length === 0, `${where}: 304 for the gzip form held`);
      const samePlain = await rawGet(v.url + where, { "If-None-Match": plainTag });
      expect(samePlain.status === 304, `${where}: 304 for the plain form held`);
      const other = await rawGet(v.url + where, { "If-None-Match": gz.headers.etag });
      expect(other.status === 200 && other.body.equals(disk), `${where}: a gzip form held is no 304 for a client without gzip`);
    }

    // The words: gzip to a client that takes it, the same JSON plain.
    const q = "/api/catalog?ns=kiosk&lang=uk";
    const cgz = await rawGet(v.url + q, { "Accept-Encoding": "gzip" });
    const cplain = await rawGet(v.url + q);
    expect(cgz.status === 200 && cgz.headers["content-encoding"] === "gzip", "the catalog gzip-encoded");
    expect(cplain.status === 200 && !cplain.headers["content-encoding"], "the catalog plain without Accept-Encoding");
    expect(zlib.gunzipSync(cgz.body).equals(cplain.body), "the catalog's gzip form decodes to the plain one");
    expect(JSON.parse(cplain.body).lang === "uk", "the catalog in Ukrainian");
    expect(/accept-encoding/i.test(cgz.headers.vary || "") && /accept-encoding/i.test(cplain.headers.vary || ""),
      "the catalog: Vary: Accept-Encoding");
  } finally {
    await v.cleanup();
  }
});

test("kiosk weight: every language's start, keypad and feedback screens with their modules loaded on the first tap; a tap while vuorod is gone", async () => {
  const v = await startVuorod();
  try {
    const page = await open(v.url + "/kiosk", { width: 1080, height: 1920 });
    const asked = [];
    page.on("request", (req) => asked.push(new URL(req.url()).pathname));
    await page.waitForSelector("button.service");
    const langs = await page.locator("#langs button").evaluateAll((bs) => bs.map((b) => b.lang));
    expect(langs.length === 6, "six languages offered: " + langs.join(" "));
    const text = (sel) => page.locator(sel).innerText();
    for (const lang of langs) {
      const words = (await v.api("GET", `/api/catalog?ns=kiosk&lang=${lang}`)).body.strings;
      await page.click(`#langs button[lang="${lang}"]`);
      await waitFor(async () => await page.evaluate(() => document.documentElement.lang) === lang, `<html lang=${lang}>`);
      await waitFor(async () => (await text("#start-title")) === words["kiosk.choose"], `${lang}: the start's title`);
      await page.click("button.appointment");
      await waitFor(async () => (await page.locator("#checkin-title").count()) === 1 &&
        (await text("#checkin-title")) === words["kiosk.checkin_title"], `${lang}: the keypad's title`);
      await page.click(`#screen [data-focus-key="back"]`);
      await page.waitForSelector("#start-title");
      await page.click("#rate-visit");
      await waitFor(async () => (await page.locator("#feedback-title").count()) === 1 &&
        (await text("#feedback-title")) === words["kiosk.feedback_title"], `${lang}: the feedback's title`);
      await page.click(`#screen [data-focus-key="back"]`);
      await page.waitForSelector("#start-title");
      if (lang === "ar") await shot(page, "kiosk-weight-ar");
    }
    for (const f of ["checkin.js", "feedback.js"]) {
      const n = asked.filter((p) => p.endsWith("/kiosk/" + f)).length;
      expect(n === 1, `${f} loaded once, on the first tap, not ${n} times`);
    }
    expect(!asked.some((p) => p.endsWith("/kiosk/pin.js") || p.endsWith("/kiosk/guide.js")),
      "the PIN pad's and the guidance's modules not loaded unwanted");

    // A later screen's module while vuorod is gone: said, then loaded once back.
    const page2 = await open(v.url + "/kiosk", { width: 1080, height: 1920 });
    await page2.waitForSelector("button.service");
    const fi = (await v.api("GET", "/api/catalog?ns=kiosk&lang=fi")).body.strings;
    await v.stop();
    await page2.waitForSelector("#offline:not([hidden])");
    await page2.click("button.appointment");
    await waitFor(async () => (await page2.locator("#screen .message").count()) === 1 &&
      (await page2.locator("#screen .message").innerText()).includes(fi["kiosk.error_unreachable"]),
    "the keypad's tap says the system cannot be reached");
    await v.start();
    await page2.waitForSelector("#offline", { state: "hidden", timeout: 15000 });
    await page2.click("button.appointment");
    await waitFor(async () => (await page2.locator("#checkin-title").count()) === 1, "the keypad once vuorod is back", 10000);
  } finally {
    await v.cleanup();
  }
});
