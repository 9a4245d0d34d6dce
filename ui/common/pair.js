// SPDX-License-Identifier: GPL-3.0-or-later
// Pairing of a device page (/kiosk, /booth) on a real board: the page has no
// credential until an admin's one-time code (vuoroctl devices pair NAME) is
// entered here, or handed to the unit once as ?pair=CODE.  vuorod answers
// with an HttpOnly cookie; the page never sees the token.  On the sim board
// the kiosk address is trusted and no prompt appears.

import { get, post } from "/ui/common/api.js";
import { h } from "/ui/common/dom.js";

async function pair(code) {
  await post("/api/devices/pair", { code: code.trim() });
}

async function paired() {
  try {
    await get("/api/whoami");
    return true;
  } catch (e) {
    if (e.status === 401) return false;
    return true; // unreachable: the page's own banner says so
  }
}

function prompt() {
  const input = h("input", { id: "pair-code", inputmode: "numeric", autocomplete: "off",
    maxlength: "8", "aria-label": "Code / Koodi" });
  const error = h("p", { id: "pair-error", role: "alert" });
  const form = h("form", { id: "pair-form", class: "pair" },
    h("h1", {}, "Laitteen yhdistäminen / Pair this device"),
    h("p", {}, "Syötä ylläpitäjän antama koodi (vuoroctl devices pair NIMI). / " +
      "Enter the code an admin got with vuoroctl devices pair NAME."),
    input, h("button", { type: "submit" }, "OK"), error);
  const dialog = h("dialog", { id: "pair-dialog" }, form);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      await pair(input.value);
      location.reload();
    } catch (e) {
      error.textContent = e.message;
      input.select();
    }
  });
  document.body.append(dialog);
  dialog.showModal();
  input.focus();
}

// Pairs with ?pair=CODE if given, then prompts when the page has no
// credential.  Resolves true when the page may work.
export async function ensurePaired() {
  const url = new URL(location.href);
  const code = url.searchParams.get("pair");
  if (code) {
    url.searchParams.delete("pair");
    history.replaceState(null, "", url); // the code is spent: not kept in history
    try {
      await pair(code);
    } catch {
      // The prompt below says what to do.
    }
  }
  if (await paired()) return true;
  prompt();
  return false;
}
