// SPDX-License-Identifier: GPL-3.0-or-later
// /manager: the service-point manager's page.  Log in (manager or admin),
// then today's numbers (live) and the monthly report with its CSV.

import { login, logout, whoami } from "/ui/common/api.js";
import { live } from "/ui/common/live.js";
import { h, clear } from "/ui/common/dom.js";
import { t, roleName } from "./strings.js";
import { todayView } from "./today.js";
import { reportView } from "./report.js";

const ROLES = ["manager", "admin"];
const $ = (id) => document.getElementById(id);
let me = null;
let stream = null;

const expired = () => {
  if (me) showLogin(t("session_gone"));
};
const today = todayView($("today"), { expired });
const report = reportView($("report"), { expired, providers: () => today.status()?.providers || [] });

// The result line of the login form: status for news, alert for errors.
function say(text, kind) {
  const out = $("login-out");
  clear(out);
  if (text) out.append(h("span", { role: kind === "error" ? "alert" : "status", class: "result " + kind }, text));
}

function words() {
  document.title = `vuoro — ${t("title")}`;
  $("title").textContent = t("title");
  $("lang-label").textContent = t("lang");
  $("logout").textContent = t("logout");
  $("login-title").textContent = t("login_title");
  $("login-hint").textContent = t("login_hint");
  $("user-label").textContent = t("user");
  $("password-label").textContent = t("password");
  $("login-button").textContent = t("login");
  $("offline").textContent = t("offline");
  $("who").textContent = me ? t("signed_in", { user: me.user, role: roleName(me.role) }) : "";
  if (me && !ROLES.includes(me.role)) {
    $("refused-text").textContent = t("wrong_role", { user: me.user, role: roleName(me.role) });
  }
}

function show(which) {
  $("login").hidden = which !== "login";
  $("refused").hidden = which !== "refused";
  $("app").hidden = which !== "app";
  $("logout").hidden = !me;
}

async function startApp() {
  words();
  if (!ROLES.includes(me.role)) {
    show("refused");
    return;
  }
  show("app");
  today.render();
  report.render();
  // The socket after login: staff sockets carry whole tickets.
  stream?.stop();
  let first = true;
  stream = live({
    onEvent: (ev) => today.event(ev),
    onState: (s) => {
      $("offline").hidden = s === "open";
      // Back after a drop: what happened meanwhile came without events.
      if (s === "open" && !first) today.load();
      if (s === "open") first = false;
    },
  });
  await today.load();
  const st = today.status();
  if (st) report.setToday(st.day);
}

function stopApp() {
  stream?.stop();
  stream = null;
  $("offline").hidden = true;
}

function showLogin(message) {
  stopApp();
  me = null;
  words();
  show("login");
  say(message, "error");
  $("user").focus();
}

$("login-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const button = $("login-button");
  const user = $("user").value.trim();
  const password = $("password").value;
  if (!user || !password) {
    say(t("login_failed", { msg: "type your user name and password" }), "error");
    return;
  }
  button.disabled = true;
  say(t("logging_in"), "busy");
  try {
    await login(user, password);
    me = await whoami();
    $("password").value = "";
    say("");
    startApp();
  } catch (err) {
    say(t("login_failed", { msg: err.message }), "error");
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
langSel.value = t.lang();
langSel.addEventListener("change", () => t.setLang(langSel.value));
t.onLang(() => {
  words();
  if (me && ROLES.includes(me.role)) {
    today.render();
    report.render();
  }
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
  if (me && me.user) startApp();
  else showLogin("");
})();
