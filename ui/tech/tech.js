// SPDX-License-Identifier: GPL-3.0-or-later
// /tech: the technician's page.  Log in (technician or admin), then health at
// the top and one card per part with its live state and test actions.  Queue
// events on the live stream (a print, a call on the displays) refresh health
// and the parts; a slow timer catches faults that come without an event.

import { login, logout, whoami } from "/ui/common/api.js";
import { live } from "/ui/common/live.js";
import { t, roleName } from "./strings.js";
import { session, say } from "./util.js";
import { healthCard, diskCard } from "./health.js";
import { printerCard } from "./printer.js";
import { displaysCard } from "./displays.js";
import { gpioCard } from "./gpio.js";
import { audioCard } from "./audio.js";

const ROLES = ["technician", "admin"];
const HEALTH_EVERY_MS = 10000;

const $ = (id) => document.getElementById(id);
let me = null;
let stream = null;
let healthTimer = null;

const disk = diskCard($("disk"));
const health = healthCard($("health"), { onData: (d) => disk.set(d.disk) });
const refreshHealth = () => health.load();
const cards = [
  health,
  printerCard($("printer"), { changed: refreshHealth }),
  displaysCard($("displays"), { changed: refreshHealth }),
  gpioCard($("gpio")),
  audioCard($("audio"), { changed: refreshHealth }),
  disk,
];
const gpio = cards[3];

// The static words of index.html.
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

async function loadAll() {
  await Promise.all(cards.map((c) => c.load?.()));
}

// Debounced: a burst of queue events is one refresh.
let pending = null;
function soon() {
  clearTimeout(pending);
  pending = setTimeout(() => {
    health.load();
    cards[1].load(); // printed/failed counts
    cards[2].load(); // what the displays show
    cards[4].load(); // the call's announcement
  }, 250);
}

function startApp() {
  words();
  if (!ROLES.includes(me.role)) {
    show("refused");
    return;
  }
  show("app");
  cards.forEach((c) => c.render());
  loadAll();
  gpio.start();
  stream?.stop();
  stream = live({
    onEvent: soon,
    onState: (s) => {
      $("offline").hidden = s === "open";
      if (s === "open") loadAll();
    },
  });
  clearInterval(healthTimer);
  healthTimer = setInterval(refreshHealth, HEALTH_EVERY_MS);
}

function stopApp() {
  stream?.stop();
  stream = null;
  $("offline").hidden = true;
  clearInterval(healthTimer);
  gpio.stop();
}

function showLogin(message) {
  stopApp();
  me = null;
  words();
  show("login");
  say($("login-out"), message, "error");
  $("user").focus();
}

session.expired = () => {
  if (me) showLogin(t("session_gone"));
};

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
    startApp();
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
langSel.value = t.lang();
langSel.addEventListener("change", () => t.setLang(langSel.value));
t.onLang(() => {
  words();
  if (me && ROLES.includes(me.role)) {
    cards.forEach((c) => c.render());
    loadAll();
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
