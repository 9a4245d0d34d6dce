// SPDX-License-Identifier: GPL-3.0-or-later
// Real-time text in the booth (EN 301 549 6.2): ITU-T T.140 over the
// session's WebRTC data channel "t140" (RFC 8865), which vuorod's booth
// opens in every call.  What is typed goes character by character; an
// erase is BACKSPACE (U+0008), a new line LINE SEPARATOR (U+2028).
//
//   t140Diff(before, after)  the burst that turns the other side's copy of
//                            @before into @after (any edit of a text field:
//                            erase back to where they differ, type the rest)
//   t140Apply(text, burst)   @text after a received burst (what a screen shows)
//   showText(el, text)       puts @text in the live region @el: what was added is
//                            a node of its own, so a screen reader says only that
//   rttPanel({ t, id })      the expert's panel: the customer's text live
//                            (role=log, aria-live) and the expert's own field;
//                            .attach(channel, session), .detach(), .relabel()
//
// Plain functions first: the booth page and Node tests import them too.

import { h } from "/ui/common/dom.js";

export const BS = "\u0008";
export const LS = "\u2028";
export const TEXT_MAX = 4000; // characters a screen keeps (vuorod keeps ~4 KB too)

export function t140Diff(before, after) {
  const a = Array.from(before);
  const b = Array.from(after);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return BS.repeat(a.length - i) + b.slice(i).join("").replace(/\r\n|\r|\n/g, LS);
}

// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\ufeff]/;

export function t140Apply(text, burst) {
  const out = Array.from(text);
  let cr = false;
  for (const c of burst) {
    if (c === BS) out.pop();
    else if (c === LS || c === "\r" || (c === "\n" && !cr)) out.push("\n");
    else if (!INVISIBLE.test(c)) out.push(c);
    cr = c === "\r";
  }
  return out.slice(-TEXT_MAX).join("");
}

export function showText(el, text) {
  const now = el.textContent;
  if (text.startsWith(now) && text.length > now.length) el.append(text.slice(now.length));
  else if (text !== now) el.textContent = text;
  el.scrollTop = el.scrollHeight;
}

// The expert's panel.  @t: the page's words (expert.rtt_*); @id: a prefix
// for the element ids.  Each keystroke in the field goes at once (a T.140
// burst per input event); the customer's text is shown as it comes.
export function rttPanel({ t, id = "rtt" }) {
  const title = h("h3", { id: `${id}-title` });
  const theirsLabel = h("p", { id: `${id}-theirs-label`, class: "rtt-label" });
  const theirs = h("div", { id: `${id}-theirs`, class: "rtt-text rtt-theirs", role: "log",
    "aria-live": "polite", "aria-labelledby": `${id}-theirs-label`, tabindex: "0" });
  const mineLabel = h("label", { for: `${id}-mine`, class: "rtt-label" });
  const hint = h("p", { id: `${id}-hint`, class: "rtt-hint" });
  const mine = h("textarea", { id: `${id}-mine`, class: "rtt-text rtt-mine", rows: "3",
    "aria-describedby": `${id}-hint`, autocomplete: "off", spellcheck: "false", maxlength: String(TEXT_MAX) });
  const status = h("p", { id: `${id}-status`, class: "rtt-status", role: "status" });
  const box = h("section", { id, class: "rtt", "aria-labelledby": `${id}-title`, hidden: true },
    title, theirsLabel, theirs, mineLabel, hint, mine, status);
  let channel = null;
  let session = null; // whose text the field holds
  let sent = ""; // what the customer's screen shows of ours
  let text = ""; // the customer's

  mine.disabled = true;
  mine.addEventListener("input", () => {
    if (channel?.readyState !== "open") return;
    const burst = t140Diff(sent, mine.value);
    if (burst) channel.send(burst);
    sent = mine.value;
  });

  function relabel() {
    title.textContent = t("rtt_title");
    theirsLabel.textContent = t("rtt_theirs");
    mineLabel.textContent = t("rtt_mine");
    hint.textContent = t("rtt_hint");
    status.textContent = channel?.readyState === "open" ? "" : t("rtt_waiting");
  }

  const show = () => showText(theirs, text);

  relabel();
  return {
    el: box,
    relabel,
    // The "t140" channel (RTCDataChannel) of session @id, as ondatachannel
    // gave it.  The customer's text starts afresh: vuorod's booth sends it
    // whole first on a session's new channel (after a reload or a lost
    // connection).  The expert's own text stays when the session is the
    // same: the customer's screen still shows it.
    attach(ch, id) {
      channel = ch;
      text = "";
      if (id !== session) {
        session = id;
        sent = "";
        mine.value = "";
      }
      show();
      box.hidden = false;
      const open = () => {
        mine.disabled = false;
        relabel();
        // What was typed while the connection was lost goes now.
        const burst = t140Diff(sent, mine.value);
        if (burst) ch.send(burst);
        sent = mine.value;
      };
      ch.onopen = open;
      if (ch.readyState === "open") open();
      ch.onclose = () => {
        mine.disabled = true;
        relabel();
      };
      ch.onmessage = (m) => {
        if (typeof m.data !== "string") return;
        text = t140Apply(text, m.data);
        show();
      };
    },
    // The call ended: the text stays readable until the next one.
    detach() {
      if (channel) channel.onmessage = channel.onopen = channel.onclose = null;
      channel = null;
      mine.disabled = true;
      relabel();
    },
  };
}
