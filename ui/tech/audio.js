// SPDX-License-Identifier: GPL-3.0-or-later
// Audio: the announcer's sink, queue and fault and its recent announcements
// (GET /api/announcer); a test tone or test speech (POST /api/announcer/test)
// is followed in the list until it has played or failed.

import { get, post } from "/ui/common/api.js";
import { h, clear } from "/ui/common/dom.js";
import { t, word } from "./strings.js";
import { act, action, facts, langSelect, session } from "./util.js";

const FOLLOW_MS = 500;
const FOLLOW_FOR_MS = 60000;

export function audioCard(root, { changed } = {}) {
  let data = null;
  let error = null;
  let follow = null; // timer while a test is queued or playing
  const state = h("div");
  const list = h("div", { id: "announcements" });

  function render() {
    clear(root);
    const lang = langSelect("speech-lang", "speech_lang", t.lang());
    const test = (kind) => async () => {
      const r = await post("/api/announcer/test", kind === "speech" ? { kind, lang: lang.sel.value } : { kind });
      followUntilDone(r.id);
      return t("queued_as", { id: r.id });
    };
    const tone = action(t("test_tone"), (b, out) => act(b, out, test("tone")), { id: "test-tone" });
    const speech = action(t("test_speech"), (b, out) => act(b, out, test("speech")), { id: "test-speech" });
    root.append(
      h("h2", { id: "audio-title" }, t("audio")),
      state,
      h("div", { class: "actions" }, tone.row, h("div", { class: "action-group" }, lang.el, speech.row)),
      h("h3", { id: "recent-title" }, t("recent")),
      list);
    paint();
  }

  function item(a) {
    const text = a.text?.[t.lang()] || Object.values(a.text || {})[0];
    const what = [word("kind_", a.kind), a.output === "headset" ? t("output_headset") : null, a.ticket,
      a.counter ? t("counter_n", { n: a.counter }) : null].filter(Boolean).join(" · ");
    const cls = a.state === "failed" ? "bad" : a.state === "played" ? "good" : a.state === "dropped" ? "muted" : "warn";
    // A call no longer current: dropped, or (when started) its other languages left out.
    // Speech guidance: dropped or cut short by a key, the headset or the idle timeout.
    const why = a.reason ? t(a.state === "dropped" ? "dropped_why" : a.kind === "guide" ? "cut_why" : "rest_dropped_why",
      { reason: t("why_" + a.reason.replace(/[ -]/g, "_")) }) : null;
    return h("li", { dataset: { id: a.id, state: a.state } },
      h("span", { class: "pill " + cls }, word("st_", a.state)),
      " ", h("strong", {}, `#${a.id}`), " ", what,
      text ? h("div", { class: "small" }, `“${text}”`) : null,
      why ? h("div", { class: "small" }, why) : null,
      a.error ? h("div", { class: "small error" }, a.error) : null);
  }

  function paint() {
    clear(state);
    clear(list);
    if (error) state.append(h("p", { role: "alert", class: "error" }, error));
    if (!data) return;
    state.append(facts([
      [t("sink"), word("sink_", data.sink)],
      [t("pending"), String(data.pending)],
      [t("fault"), data.fault || t("none"), data.fault ? "bad" : null],
    ]));
    const recent = [...(data.recent || [])].reverse(); // newest first
    list.append(recent.length
      ? h("ul", { class: "recent", "aria-labelledby": "recent-title", tabindex: "0" }, recent.map(item))
      : h("p", { class: "muted" }, t("no_recent")));
  }

  async function load() {
    try {
      data = await get("/api/announcer");
      error = null;
    } catch (e) {
      if (e.status === 401) session.expired();
      error = e.message;
    }
    paint();
    return data;
  }

  // Reads the list until the test has played or failed (or a minute passed).
  function followUntilDone(id) {
    clearTimeout(follow);
    const until = Date.now() + FOLLOW_FOR_MS;
    const step = async () => {
      const d = await load();
      const it = d?.recent?.find((a) => a.id === id);
      if (it && (it.state === "played" || it.state === "failed")) {
        changed?.();
        return;
      }
      if (Date.now() < until && !error) follow = setTimeout(step, FOLLOW_MS);
    };
    step();
  }

  return { render, load };
}
