// SPDX-License-Identifier: GPL-3.0-or-later
// Feedback in words (issue 17): the one question asked after the rating on
// the kiosk and the booth screen (a text per site language, the main one
// required; answered yes or no), and what customers wrote: each comment
// with its rating, and the answers counted.  GET/POST /api/feedback/question,
// GET /api/feedback/words.  Comments are personal text: vuorod clears them
// after [identity] retention-days, and they never leave the site.

import { get, post } from "/ui/common/api.js";
import { h, clear } from "/ui/common/dom.js";
import { t, locale } from "./strings.js";

const DAYS = 30; // the list covers this many days back

export function wordsView(root, { expired }) {
  let question = null;
  let words = [];
  let answers = { yes: 0, no: 0 };
  let message = null; // {text, error}
  let busy = false;
  let draft = null; // the form's texts when vuorod refused them
  // What the manager has typed and not yet saved: kept over every redraw
  // (a refresh, another manager's change, a language switch).
  let edited = {};

  const langs = () => t.siteLanguages();
  const fail = (e) => {
    if (e.status === 401) expired();
    message = { text: e.message, error: true };
  };

  function form() {
    const fields = langs().map((l, i) => h("div", { class: "field" },
      h("label", { for: "question-text-" + l.code },
        t(i ? "question_text" : "question_text_main", { lang: l.name })),
      h("input", { id: "question-text-" + l.code, name: "text_" + l.code, maxlength: "300", size: "60",
        lang: l.code, dir: l.dir, required: i ? null : true,
        oninput: (e) => { edited["text_" + l.code] = e.target.value; },
        value: edited["text_" + l.code] ??
          (draft ? draft["text_" + l.code] || "" : question?.texts?.[l.code] || "") })));
    const f = h("form", { class: "question-form", novalidate: true, "aria-labelledby": "question-form-title" },
      h("h3", { id: "question-form-title" }, t("question_title")),
      h("p", { class: "muted small" }, t("question_hint")),
      ...fields,
      h("div", { class: "notice-actions" },
        h("button", { type: "submit", id: "question-save", disabled: busy }, t("question_save")),
        question ? h("button", { type: "button", class: "secondary", id: "question-withdraw", disabled: busy,
          onclick: withdraw }, t("question_withdraw")) : null));
    f.addEventListener("submit", (e) => {
      e.preventDefault();
      const body = {};
      for (const l of langs()) body["text_" + l.code] = f.querySelector("#question-text-" + l.code).value;
      save(body);
    });
    return f;
  }

  // The list's first day: DAYS back.
  const since = () => new Date(Date.now() - DAYS * 86400000).toISOString().slice(0, 10);
  const answerText = (a) => (a ? t("answer_" + a) : "—");
  const time = (at) => new Date(at * 1000).toLocaleString(locale(), { dateStyle: "short", timeStyle: "short" });

  function table() {
    if (!words.length) return h("p", { class: "muted", id: "words-none" }, t("words_none"));
    return h("div", { class: "scroll" }, h("table", { id: "words-table" },
      h("caption", { class: "visually-hidden" }, t("words_title")),
      h("thead", {}, h("tr", {},
        h("th", { scope: "col" }, t("words_when")),
        h("th", { scope: "col" }, t("words_rating")),
        h("th", { scope: "col" }, t("words_service")),
        h("th", { scope: "col" }, t("words_answer")),
        h("th", { scope: "col" }, t("words_comment")))),
      h("tbody", {}, words.map((w) => h("tr", { dataset: { feedback: w.id } },
        h("td", { class: "num" }, time(w.at)),
        h("td", { class: "num" }, String(w.rating)),
        h("td", {}, w.service || "—"),
        h("td", {}, answerText(w.answer)),
        h("td", { class: "comment" }, w.comment ?? t("words_erased")))))));
  }

  function render() {
    clear(root);
    root.append(h("h2", { id: "words-title" }, t("words_title")), form(),
      h("p", { id: "question-result", class: message?.error ? "result error" : "result",
        role: message?.error ? "alert" : "status" }, message?.text || ""),
      h("div", { class: "report-head" }, h("h3", {}, t("words_list", { n: DAYS })),
        h("a", { class: "button secondary", id: "words-csv", href: `/api/feedback/words?from=${since()}&format=csv`,
          download: "" }, t("words_csv"))), // the name is vuorod's: vuoro-feedback-words-FROM-TO.csv
      h("p", { id: "words-answers" }, t("words_answers", { yes: answers.yes, no: answers.no })),
      h("p", { class: "muted small" }, t("words_definition")),
      table());
  }

  async function load() {
    try {
      const r = await get(`/api/feedback/words?from=${since()}`);
      question = r.question;
      words = r.words || [];
      answers = r.answers || { yes: 0, no: 0 };
    } catch (e) {
      fail(e);
    }
    render();
  }

  async function save(body) {
    busy = true;
    draft = body;
    try {
      question = (await post("/api/feedback/question", body)).question;
      message = { text: t("question_saved") };
      draft = null;
      edited = {};
    } catch (e) {
      fail(e);
    }
    busy = false;
    await load();
  }

  async function withdraw() {
    busy = true;
    try {
      await post("/api/feedback/question/withdraw", {});
      question = null;
      draft = null;
      edited = {};
      message = { text: t("question_withdrawn") };
    } catch (e) {
      fail(e);
    }
    busy = false;
    await load();
  }

  return { render, load, event: (ev) => ev.type === "feedback_question" && !busy && load() };
}
