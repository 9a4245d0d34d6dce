// SPDX-License-Identifier: GPL-3.0-or-later
// Runs every tests/e2e/*.test.mjs (or the files given) in a real Chromium.
//   node tests/e2e/run.mjs [FILE.test.mjs …]
// Prints "ok N - name" / "not ok N - name" lines and "e2e: N passed, N failed".

import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { tests, closedPages, daemons, openContexts, closeBrowser } from "./lib.mjs";

const here = path.dirname(new URL(import.meta.url).pathname);
const files = process.argv.slice(2).length
  ? process.argv.slice(2).map((f) => path.resolve(f))
  : fs.readdirSync(here).filter((f) => f.endsWith(".test.mjs")).sort().map((f) => path.join(here, f));

for (const f of files) await import(pathToFileURL(f).href);

let passed = 0;
let failed = 0;
// E2E_ONLY=text: only the tests whose name contains it (for quick loops).
const only = process.env.E2E_ONLY;
for (const [i, t] of tests.entries()) {
  if (only && !t.name.includes(only)) continue;
  const started = Date.now();
  closedPages.length = 0;
  daemons.length = 0;
  try {
    await Promise.race([
      t.fn(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("took over 120 s")), 120000)),
    ]);
    passed++;
    console.log(`ok ${i + 1} - ${t.name} (${Date.now() - started} ms)`);
    // Pages a test left open would go on running (a display reconnecting
    // to its stopped vuorod) beside the tests after it.
    for (const ctx of openContexts()) await ctx.close().catch(() => {});
  } catch (e) {
    failed++;
    console.log(`not ok ${i + 1} - ${t.name}`);
    console.log("# " + String(e.stack || e).split("\n").join("\n# "));
    // What the pages it left open show now (only its own: those of the tests
    // before it were closed), and what its vuorods logged.
    for (const ctx of openContexts()) await ctx.close().catch(() => {});
    for (const p of closedPages) {
      const text = p.text.replace(/\s+/g, " ").slice(0, 1500);
      console.log(`# page ${p.url} showed: ${text}`);
      for (const err of p.errors) console.log(`#   ${err}`);
    }
    for (const d of daemons) {
      let log = d.log;
      try {
        log ??= fs.readFileSync(path.join(d.dir, "vuorod.stderr"), "utf8").slice(-1500);
      } catch {
        continue; // no log
      }
      console.log(`# vuorod ${d.url} logged: ` + log.split("\n").join("\n#   "));
    }
  }
}
await closeBrowser();
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
