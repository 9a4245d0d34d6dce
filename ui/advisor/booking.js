// SPDX-License-Identifier: GPL-3.0-or-later
// Booking an appointment from the console (a dialog, from the header): a
// service, a time, for a remote service a booth (an expert counter; vuorod refuses one that does not serve
// the service or is booked then, in words that say what to do).  The booking
// code is shown here once, large: the customer types it at the kiosk.  (No
// slip is printed: the counter has no printer of its own.)

import { post } from "/ui/common/api.js";
import { h } from "/ui/common/dom.js";
import { S, t, $, service, serviceName, counterName } from "./state.js";

let shown = null; // the last booking made: {code, service, at, booth}

const pad = (n) => String(n).padStart(2, "0");

// The next whole half hour from now, as a datetime-local value.
function nextSlot() {
  const d = new Date(Date.now() + 30 * 60 * 1000);
  d.setMinutes(d.getMinutes() < 30 ? 30 : 60, 0, 0);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function booths() {
  return (S.status?.counters || []).filter((c) => c.kind === "expert");
}

export function renderBooking() {
  if (!S.status || !$("book-dialog").open) return;
  const sel = $("book-service");
  const was = sel.value;
  sel.replaceChildren(...S.status.services.map((s) => h("option", { value: s.code }, serviceName(s.code))));
  if (was) sel.value = was;
  const remote = service(sel.value)?.kind === "remote";
  $("book-booth-field").hidden = !remote;
  const bs = $("book-booth");
  const boothWas = bs.value;
  bs.replaceChildren(...booths().map((c) => h("option", { value: String(c.id) }, `${c.id} – ${counterName(c)}`)));
  if (boothWas) bs.value = boothWas;
  if (!$("book-at").value) $("book-at").value = nextSlot();
  drawResult();
}

function drawResult() {
  const box = $("book-result");
  if (!shown) {
    box.replaceChildren();
    return;
  }
  const when = shown.at.replace("T", " ");
  box.replaceChildren(
    h("span", { class: "book-code" }, shown.code),
    t(shown.booth ? "book_done_booth" : "book_done",
      { service: serviceName(shown.service), when, booth: shown.booth ?? "" }));
}

async function onBook(e) {
  e.preventDefault();
  const code = $("book-service").value;
  const at = $("book-at").value;
  const body = { service: code, at: at.replace("T", " "), duration_min: Number($("book-min").value) || 30 };
  if (service(code)?.kind === "remote" && $("book-booth").value) body.booth = Number($("book-booth").value);
  if ($("book-name").value.trim()) body.name = $("book-name").value.trim();
  $("book-btn").disabled = true;
  $("book-error").textContent = "";
  try {
    const r = await post("/api/appointments", body);
    shown = { code: r.code, service: code, at, booth: r.booth };
    $("book-name").value = "";
    drawResult();
    $("book-result").focus();
  } catch (err) {
    shown = null;
    drawResult();
    // In vuorod's own words (they say what to do); a lost session as anywhere.
    if (err.status === 401) S.failed(err);
    else $("book-error").textContent = err.message;
  } finally {
    $("book-btn").disabled = false;
  }
}

function openBooking() {
  shown = null;
  $("book-error").textContent = "";
  $("book-dialog").showModal();
  renderBooking();
  $("book-service").focus();
}

export function initBooking() {
  $("book-open").addEventListener("click", openBooking);
  $("book-close").addEventListener("click", () => $("book-dialog").close());
  $("book-form").addEventListener("submit", onBook);
  $("book-service").addEventListener("change", renderBooking);
}
