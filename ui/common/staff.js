// SPDX-License-Identifier: GPL-3.0-or-later
// The login shell of a staff page (/tech, /manager, /expert): the login
// form, the "this page is for …" refusal, the language select, log out, and
// resuming a session from the cookie.  The login form and the refusal are
// built here, at the top of the page's <main id="main">; the page's HTML has
// the other ids used below (#app, #logout, #who, #lang, #offline, #title,
// #lang-label); its strings have the keys used below.
//
//   const page = staffPage({ roles: ["manager", "admin"], t, roleName,
//                            start(me) {…}, stop() {…}, relabel() {…} });
//   page.expired();   // the API said 401: back to the login form

import { login, logout, whoami } from "/ui/common/api.js";
import { h, clear } from "/ui/common/dom.js";
import { fillLangSelect } from "/ui/common/i18n.js";

const $ = (id) => document.getElementById(id);

// A result line: status for news, alert for errors.
export function say(out, text, kind = "ok") {
  clear(out);
  if (text) out.append(h("span", { role: kind === "error" ? "alert" : "status", class: "result " + kind }, text));
}

// The login form and the refusal, hidden until staffPage shows one.
function loginSections() {
  return [
    h("section", { id: "login", class: "login", "aria-labelledby": "login-title", hidden: true },
      h("h2", { id: "login-title" }),
      h("p", { id: "login-hint", class: "muted" }),
      h("form", { id: "login-form", novalidate: true },
        h("label", { for: "user", id: "user-label" }),
        h("input", { id: "user", name: "user", autocomplete: "username", required: true }),
        h("label", { for: "password", id: "password-label" }),
        h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password",
          required: true }),
        h("p", {}, h("button", { type: "submit", id: "login-button" })),
        h("div", { id: "login-out", class: "out" }))),
    h("section", { id: "refused", class: "refused", hidden: true },
      h("p", { id: "refused-text", class: "error", role: "alert" })),
  ];
}

export function staffPage({ roles, t, roleName, start, stop, relabel }) {
  let me = null;
  $("main").prepend(...loginSections());
  const allowed = () => me && roles.includes(me.role);

  function words() {
    document.title = `vuoro — ${t("title")}`;
    for (const [id, key] of [["title", "title"], ["lang-label", "lang"], ["logout", "logout"],
      ["login-title", "login_title"], ["login-hint", "login_hint"], ["user-label", "user"],
      ["password-label", "password"], ["login-button", "login"], ["offline", "offline"]]) {
      $(id).textContent = t(key);
    }
    $("who").textContent = me ? t("signed_in", { user: me.user, role: roleName(me.role) }) : "";
    if (me && !allowed()) $("refused-text").textContent = t("wrong_role", { user: me.user, role: roleName(me.role) });
  }

  function show(which) {
    $("login").hidden = which !== "login";
    $("refused").hidden = which !== "refused";
    $("app").hidden = which !== "app";
    $("logout").hidden = !me;
  }

  function enter() {
    words();
    if (!allowed()) {
      show("refused");
      return;
    }
    show("app");
    start(me);
  }

  function showLogin(message) {
    stop();
    $("offline").hidden = true;
    me = null;
    words();
    show("login");
    say($("login-out"), message, "error");
    $("user").focus();
  }

  $("login-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const button = $("login-button");
    const out = $("login-out");
    const user = $("user").value.trim();
    const password = $("password").value;
    if (!user || !password) {
      say(out, t("login_failed", { msg: "type your user name and password" }), "error");
      return;
    }
    button.disabled = true;
    say(out, t("logging_in"), "busy");
    try {
      await login(user, password);
      me = await whoami();
      $("password").value = "";
      say(out, "");
      enter();
    } catch (err) {
      say(out, t("login_failed", { msg: err.message }), "error");
    } finally {
      button.disabled = false;
    }
  });

  $("logout").addEventListener("click", async () => {
    try {
      await logout();
    } catch {
      // The session is gone either way.
    }
    showLogin("");
  });

  const langSel = $("lang");
  fillLangSelect(langSel, t);
  langSel.addEventListener("change", () => t.setLang(langSel.value));
  t.onLang(() => {
    words();
    if (allowed()) relabel();
  });

  // Already logged in (the cookie): straight to the page.
  (async () => {
    words();
    try {
      me = await whoami();
    } catch (e) {
      showLogin(e.message);
      return;
    }
    if (me && me.user) enter();
    else showLogin("");
  })();

  return {
    expired() {
      if (me) showLogin(t("session_gone"));
    },
  };
}
