// SPDX-License-Identifier: GPL-3.0-or-later
// "Rate your visit": three big choices in words and faces (good = 5,
// so-so = 3, poor = 1, as the booth screen and the counters' buttons give),
// POST /api/feedback {rating}, then thanks.  vuorod ties a rating to a visit
// that just ended when it can; never to a person.

import { h } from "/ui/common/dom.js";

// A face drawn as an image of its own (no emoji font on the board): the
// mouth curves up, lies flat or curves down.
function face(mood) {
  const ns = "http://www.w3.org/2000/svg";
  const el = (tag, attrs) => {
    const e = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    return e;
  };
  const mouth = { good: "M30 60 Q50 78 70 60", ok: "M32 64 L68 64", bad: "M30 70 Q50 52 70 70" }[mood];
  const svg = el("svg", { class: "face", viewBox: "0 0 100 100", width: "96", height: "96", "aria-hidden": "true",
    focusable: "false" });
  svg.append(
    el("circle", { cx: "50", cy: "50", r: "44", fill: "none", stroke: "currentColor", "stroke-width": "7" }),
    el("circle", { cx: "36", cy: "40", r: "6", fill: "currentColor" }),
    el("circle", { cx: "64", cy: "40", r: "6", fill: "currentColor" }),
    el("path", { d: mouth, fill: "none", stroke: "currentColor", "stroke-width": "7", "stroke-linecap": "round" }));
  return svg;
}

export const COMMENT_MAX = 500; // characters, as vuorod counts them

// After the rating: an optional comment and the manager's yes/no question
// (its text in the page's language, the main one standing in).
function renderWords(ctx) {
  const { t } = ctx;
  const st = ctx.feedbackState;
  const q = st.question;
  const text = q ? q.shown?.[t.lang()] || q.shown?.[t.main()] || "" : "";
  const answer = (value, label) =>
    h("button", { type: "button", class: "answer" + (st.answer === value ? " chosen" : ""), "aria-pressed": String(st.answer === value),
      dataset: { focusKey: "answer:" + value }, disabled: st.busy, onclick: () => ctx.setAnswer(value) }, label);
  const area = h("textarea", { id: "feedback-comment", maxlength: String(COMMENT_MAX), rows: "4",
    "aria-describedby": "feedback-comment-hint", dataset: { focusKey: "comment" }, disabled: st.busy });
  area.value = st.comment;
  area.addEventListener("input", () => ctx.setComment(area.value));
  return h("section", { class: "feedback-view words", "aria-labelledby": "feedback-title" },
    h("h1", { id: "feedback-title", tabindex: "-1" }, t("feedback_words_title")),
    text ? h("div", { class: "question", role: "group", "aria-labelledby": "feedback-question" },
      h("p", { id: "feedback-question", class: "question-text" }, text),
      h("div", { class: "answers" }, answer("yes", t("feedback_yes")), answer("no", t("feedback_no")))) : null,
    h("label", { for: "feedback-comment", class: "comment-label" }, t("feedback_comment")),
    h("p", { id: "feedback-comment-hint", class: "hint" }, t("feedback_comment_hint", { n: COMMENT_MAX })),
    area,
    h("div", { class: "actions" },
      h("button", { type: "button", class: "secondary", dataset: { focusKey: "feedback:skip" }, disabled: st.busy,
        onclick: () => ctx.skipWords() }, t("feedback_skip")),
      h("button", { type: "button", class: "send", dataset: { focusKey: "feedback:send" }, disabled: st.busy,
        onclick: () => ctx.sendWords() }, t("feedback_send"))));
}

// ctx: {t, feedbackState: {busy, thanked, words, comment, answer, question},
// rate(rating), setComment(text), setAnswer(value), sendWords(), skipWords(), back()}
export function renderFeedback(ctx) {
  const { t } = ctx;
  const st = ctx.feedbackState;
  if (st.words) return renderWords(ctx);
  if (st.thanked) {
    return h("section", { class: "feedback-view thanks", "aria-labelledby": "feedback-title" },
      h("h1", { id: "feedback-title", tabindex: "-1" }, t("feedback_thanks")),
      h("p", { class: "hint" }, t("feedback_thanks_text")),
      h("button", { type: "button", class: "done", dataset: { focusKey: "feedback:done" }, onclick: () => ctx.back() },
        t("done")));
  }
  const choice = (mood, rating, label) =>
    h("button", { type: "button", class: "rate " + mood, dataset: { focusKey: "rate:" + rating, rating: String(rating) },
      disabled: st.busy, onclick: () => ctx.rate(rating) },
    face(mood), h("span", { class: "rate-label" }, label));
  return h("section", { class: "feedback-view", "aria-labelledby": "feedback-title" },
    h("h1", { id: "feedback-title", tabindex: "-1" }, t("feedback_title")),
    h("p", { class: "hint" }, t("feedback_hint")),
    h("div", { class: "rates", role: "group", "aria-labelledby": "feedback-title" },
      choice("good", 5, t("feedback_good")),
      choice("ok", 3, t("feedback_ok")),
      choice("bad", 1, t("feedback_bad"))),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "secondary", dataset: { focusKey: "back" }, onclick: () => ctx.back() },
        t("back"))));
}
