// SPDX-License-Identifier: GPL-3.0-or-later
// Recording a visit that had no ticket (a dialog, from the header): a citizen
// who walked straight up, a phone call, the provider's own staff on site.
// Service (its provider shown), channel, outcome and, if known, the minutes
// it took; POST /api/visits stores it like any visit (reports, the hub's
// records), audited.  vuorod's refusals are shown in its own words.

import { post } from "/ui/common/api.js";
import { h } from "/ui/common/dom.js";
import { S, t, $, serviceName, note } from "./state.js";

const CHANNELS = ["phone", "in_person", "provider_on_site", "e_service", "paper_form", "remote_video"];

export function renderWalkin() {
  if (!S.status || !$("walkin-dialog").open) return;
  const sel = $("walkin-service");
  const was = sel.value;
  sel.replaceChildren(...S.status.services.map((s) =>
    h("option", { value: s.code }, `${serviceName(s.code)} (${s.provider})`)));
  if (was) sel.value = was;
  const ch = $("walkin-channel");
  const chWas = ch.value;
  ch.replaceChildren(...CHANNELS.map((c) => h("option", { value: c }, t("c_" + c))));
  if (chWas) ch.value = chWas;
}

async function onRecord(e) {
  e.preventDefault();
  const code = $("walkin-service").value;
  const body = {
    service: code,
    channel: $("walkin-channel").value,
    outcome: document.querySelector('input[name="walkin-outcome"]:checked')?.value || "resolved",
  };
  const min = $("walkin-min").value.trim();
  if (min) body.service_min = Number(min);
  if (S.counterId) body.counter = S.counterId;
  $("walkin-btn").disabled = true;
  $("walkin-error").textContent = "";
  try {
    await post("/api/visits", body);
    $("walkin-min").value = "";
    $("walkin-dialog").close();
    note("did_walkin", { service: serviceName(code), channel: t("c_" + body.channel) });
  } catch (err) {
    if (err.status === 401) S.failed(err);
    else $("walkin-error").textContent = err.message;
  } finally {
    $("walkin-btn").disabled = false;
  }
}

function openWalkin() {
  $("walkin-error").textContent = "";
  $("walkin-dialog").showModal();
  renderWalkin();
  $("walkin-service").focus();
}

export function initWalkin() {
  $("walkin-open").addEventListener("click", openWalkin);
  $("walkin-close").addEventListener("click", () => $("walkin-dialog").close());
  $("walkin-form").addEventListener("submit", onRecord);
}
