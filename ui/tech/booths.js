// SPDX-License-Identifier: GPL-3.0-or-later
// Remote-service booths (GET /api/booths, the technician's full view): each
// booth's state and fault (the part named, what to do), its session with the
// expert, the session's error and media counters, the last session's end;
// "Check again" (POST /api/booths/N/check) and, on the sim board, "Simulate
// camera unplug" (POST /api/booths/N/sim; vuorod refuses it for a real
// camera and says so).

import { get, post } from "/ui/common/api.js";
import { h, clear } from "/ui/common/dom.js";
import { t, word } from "./strings.js";
import { act, facts, session, clock } from "./util.js";

const STATE_CLASS = { idle: "good", live: "good", fault: "bad" };
const PARTS = ["camera", "document camera", "microphone", "speaker", "screen", "network", "recorder", "media pipeline"];

export function boothsCard(root, { changed } = {}) {
  let list = [];
  let error = null;
  let rows = new Map(); // booth id → {el, info}
  const body = h("div", { id: "booths-list" });

  function render() {
    clear(root);
    rows = new Map();
    root.append(h("h2", { id: "booths-title" }, t("booths")), body);
    paint();
  }

  const find = (id) => list.find((b) => b.id === id);

  // What to do about a part, in the technician's language.
  function todo(part) {
    const i = PARTS.indexOf(part);
    return t(i >= 0 ? "booth_fix_" + PARTS[i].replace(/ /g, "_") : "booth_fix_other");
  }

  function stateWord(b) {
    return word("booth_st_", b.state);
  }

  function sessionFacts(s) {
    const m = s.media || {};
    return [
      h("h4", {}, t("booth_session", { code: s.code })),
      facts([
        [t("state"), word("booth_st_", s.state) + (s.reconnecting ? " · " + t("booth_reconnecting") : ""), s.reconnecting ? "warn" : null],
        [t("booth_service"), `${s.service} (${s.provider})`],
        [t("booth_expert"), s.expert],
        [t("booth_lang"), s.lang],
        [t("booth_consent"), s.consent + (s.recording ? " · " + t("booth_recording") : "")],
        [t("booth_document"), s.document ? t("yes") : t("no")],
        [t("booth_media"), s.media
          ? t("booth_media_n", { vin: m.video_in_frames ?? 0, ain: m.audio_in_buffers ?? 0,
            vout: m.video_out_frames ?? 0, doc: m.document_frames ?? 0 })
          : null],
        s.message && [t("booth_message"), s.message.template || s.message.text],
        s.error && [t("booth_error"), s.error, "bad"],
      ]),
    ];
  }

  function fill(r, b) {
    const bad = b.state === "fault";
    clear(r.head).append(
      h("h3", { id: `booth-${b.id}-title` }, `${b.name} (${t("counter_n", { n: b.id })})`),
      h("span", { class: "pill " + (STATE_CLASS[b.state] || "warn"), dataset: { state: b.state } }, stateWord(b)));
    clear(r.info).append(...[
      bad || b.fault ? h("div", { class: "booth-fault", id: `booth-${b.id}-fault` },
        h("p", { class: "error" }, t("booth_fault_part", { part: b.fault_part || "?" }), " ", b.fault),
        h("p", {}, todo(b.fault_part))) : null,
      facts([
        [t("booth_services"), (b.services || []).join(", ")],
        [t("booth_document_camera"), b.document_camera ? t("yes") : t("no")],
        [t("booth_recording_offered"), b.recording_offered ? t("booth_recording_ask") : t("no")],
        [t("booth_codec"), b.video_codec],
        b.last && [t("booth_last"), t("booth_last_text", { code: b.last.code, reason: word("booth_end_", b.last.reason),
          time: clock(new Date(b.last.at * 1000)) })],
      ]),
      b.session ? sessionFacts(b.session) : null,
    ].flat().filter(Boolean));
  }

  function row(b) {
    const head = h("div", { class: "card-head" });
    const info = h("div");
    const out = h("span", { class: "out" });
    const check = h("button", { type: "button", id: `booth-check-${b.id}`,
      "aria-describedby": `booth-${b.id}-title` }, t("booth_check"));
    check.addEventListener("click", () => act(check, out, async () => {
      try {
        await post(`/api/booths/${b.id}/check`);
      } catch (e) {
        if (e.status === 401) throw e;
        await load();
        // The booth's own fault names the part better than a bare errno.
        const now = find(b.id);
        return { error: now?.fault ? t("booth_still", { fault: now.fault }) : e.message };
      }
      await load();
      changed?.();
      return t("booth_ready");
    }));
    const unplug = h("button", { type: "button", class: "secondary", id: `booth-unplug-${b.id}`,
      "aria-describedby": `booth-${b.id}-title` }, t("booth_unplug"));
    const out2 = h("span", { class: "out" });
    unplug.addEventListener("click", () => act(unplug, out2, async () => {
      await post(`/api/booths/${b.id}/sim`, { unplug: "camera" });
      await load();
      changed?.();
      return t("booth_unplugged");
    }));
    const el = h("article", { class: "booth", dataset: { booth: String(b.id) }, "aria-labelledby": `booth-${b.id}-title` },
      head, info,
      h("div", { class: "actions" },
        h("div", { class: "action" }, check, out),
        h("div", { class: "action" }, unplug, out2)));
    return { el, head, info };
  }

  function paint() {
    const ids = list.map((b) => b.id).join();
    if (ids !== [...rows.keys()].join() || error || !list.length) {
      clear(body);
      rows = new Map();
      if (error) body.append(h("p", { role: "alert", class: "error" }, error));
      if (!list.length) {
        if (!error) body.append(h("p", { class: "muted" }, t("no_booths")));
        return;
      }
      for (const b of list) {
        const r = row(b);
        rows.set(b.id, r);
        body.append(r.el);
      }
    }
    list.forEach((b) => fill(rows.get(b.id), b));
  }

  async function load() {
    try {
      list = (await get("/api/booths")).booths || [];
      error = null;
    } catch (e) {
      if (e.status === 401) session.expired();
      list = [];
      error = e.code === "no_booths" ? null : e.message;
    }
    paint();
  }

  return { render, load };
}
