// SPDX-License-Identifier: GPL-3.0-or-later
// Who the customer at this counter is: their ID card checked at the kiosk
// (name and identity code), or a document the advisor checked; and the
// control that records "document checked".
//
// The status's counter view says only that the ticket has a check
// (ticket.identity: method, verdict, name?, document_type?); the details
// come from GET /api/counters/N/identity, asked again when that summary
// changes or an "identity" event names the ticket.  The identity code is
// held only while its ticket is at this counter.

import { get, post } from "/ui/common/api.js";
import { h } from "/ui/common/dom.js";
import { S, t, $, counter, note } from "./state.js";
import { command } from "./console.js";

export const DOCUMENT_TYPES = ["passport", "id_card", "driving_licence", "residence_permit", "other"];

// What was fetched: for which ticket and summary, and the answer.
let have = { key: null, ticket: null, data: null };
let seq = 0;

export function documentName(type) {
  return DOCUMENT_TYPES.includes(type) ? t("d_" + type) : type;
}

function summaryKey(tk) {
  return tk ? JSON.stringify([S.counterId, tk.id, tk.identity ?? null]) : null;
}

// Draws the identity of the counter's ticket; fetches the details when they
// may have changed.
export function renderIdentity() {
  const tk = counter()?.ticket || null;
  const row = $("cur-identity");
  row.hidden = !tk;
  fillDocumentTypes();
  $("b-doc").disabled = !tk || Boolean(S.busy);
  $("doc-type").disabled = !tk;
  if (!tk) {
    have = { key: null, ticket: null, data: null };
    $("identity").replaceChildren();
    delete $("identity").dataset.sig;
    return;
  }
  const key = summaryKey(tk);
  if (key !== have.key) {
    const stale = have.ticket !== tk.id;
    have = { key, ticket: tk.id, data: stale ? null : have.data };
    if (tk.identity) fetchIdentity(key);
    else have.data = null;
  }
  draw(tk);
}

async function fetchIdentity(key) {
  const mine = ++seq;
  let data = null;
  try {
    data = await get(`/api/counters/${S.counterId}/identity`);
  } catch (e) {
    if (e.status !== 404) S.failed(e);
  }
  if (mine !== seq || have.key !== key) return; // a newer question is on its way
  have.data = data;
  const tk = counter()?.ticket;
  if (tk && tk.id === have.ticket) draw(tk);
}

function draw(tk) {
  const box = $("identity");
  // The details fetched, while they still answer to the summary shown.
  const got = have.data?.ticket === tk.id ? have.data.identity : null;
  const id = got && got.method === tk.identity?.method && got.verdict === tk.identity?.verdict ? got : null;
  const sum = id || tk.identity;
  let content;
  if (!sum) {
    content = [h("p", { class: "id-none" }, t("id_none"))];
  } else if (sum.method === "document") {
    content = [h("p", { class: "id-main ok" }, t("id_doc", { type: documentName(sum.document_type) }))];
  } else if (sum.verdict === "verified") {
    content = [
      h("p", { class: "id-main ok" },
        h("span", { class: "id-name" }, sum.name || ""),
        id?.identity_code
          ? [" · ", h("span", { class: "visually-hidden" }, t("id_code") + " "),
            h("span", { class: "id-code", id: "identity-code" }, id.identity_code)]
          : null),
      h("p", { class: "id-how" }, id ? t("id_card_ok") : t("id_loading")),
      sum.document_type ? h("p", { class: "id-how" }, t("id_doc", { type: documentName(sum.document_type) })) : null]
      .filter(Boolean);
  } else {
    content = [h("p", { class: "id-main bad" }, t("id_card_failed"))];
  }
  // A live region: replaced only when what it says changes (every render
  // would have a screen reader say it again).
  const sig = content.map((p) => p.className + ":" + p.textContent).join("|");
  if (box.dataset.sig === sig) return;
  box.dataset.sig = sig;
  box.replaceChildren(...content);
  box.dataset.verdict = sum ? sum.verdict : "";
}

function fillDocumentTypes() {
  const sel = $("doc-type");
  const labels = DOCUMENT_TYPES.map((d) => t("d_" + d));
  if ([...sel.options].map((o) => o.text).join("|") === labels.join("|")) return;
  const keep = sel.value;
  sel.replaceChildren(...DOCUMENT_TYPES.map((d, i) => h("option", { value: d }, labels[i])));
  if (keep) sel.value = keep;
}

// An "identity" event: a check of ticket ev.ticket was stored.
export function identityEvent(ev) {
  if (ev.ticket && ev.ticket === have.ticket) have.key = null;
}

async function recordDocument() {
  const tk = counter()?.ticket;
  if (!tk || S.busy) return;
  const type = $("doc-type").value;
  await command(async () => {
    await post(`/api/counters/${S.counterId}/identity`, { document_type: type });
    note("did_doc", { code: tk.code, type: () => documentName(type) });
    have.key = null;
  });
  if (!$("b-doc").disabled) $("b-doc").focus();
}

export function initIdentity() {
  $("b-doc").addEventListener("click", recordDocument);
}
