// SPDX-License-Identifier: GPL-3.0-or-later
// /tech: the technician's page.  Log in (technician or admin), then health at
// the top and one card per part with its live state and test actions.  Queue
// events on the live stream (a print, a call on the displays) refresh health
// and the parts; a slow timer refreshes every card, so a fault that comes
// without an event, or a load that failed, is caught within its period.

import { live } from "/ui/common/live.js";
import { staffPage } from "/ui/common/staff.js";
import { t, roleName } from "./strings.js";
import { session } from "./util.js";
import { healthCard, diskCard } from "./health.js";
import { printerCard } from "./printer.js";
import { displaysCard } from "./displays.js";
import { gpioCard } from "./gpio.js";
import { audioCard } from "./audio.js";
import { boothsCard } from "./booths.js";
import { staffAlarm } from "/ui/common/alarm.js";

const HEALTH_EVERY_MS = 10000;

const $ = (id) => document.getElementById(id);
let stream = null;
const alarm = staffAlarm(t);
let healthTimer = null;

const disk = diskCard($("disk"));
const health = healthCard($("health"), { onData: (d) => disk.set(d.disk) });
const refreshHealth = () => health.load();
const refreshAll = () => loadAll();
const cards = [
  health,
  printerCard($("printer"), { changed: refreshHealth }),
  displaysCard($("displays"), { changed: refreshHealth }),
  gpioCard($("gpio")),
  audioCard($("audio"), { changed: refreshHealth }),
  disk,
  boothsCard($("booths"), { changed: refreshHealth }),
];
const gpio = cards[3];

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
    cards[6].load(); // the booths (their events carry no staff detail)
  }, 250);
}

function start() {
  cards.forEach((c) => c.render());
  loadAll();
  gpio.start();
  stream?.stop();
  stream = live({
    onEvent: (ev) => {
      alarm.event(ev);
      soon(ev);
    },
    onState: (s) => {
      $("offline").hidden = s === "open";
      if (s === "open") loadAll();
      if (s === "open") alarm.load();
    },
  });
  clearInterval(healthTimer);
  healthTimer = setInterval(refreshAll, HEALTH_EVERY_MS);
}

const page = staffPage({
  roles: ["technician", "admin"],
  t,
  roleName,
  start,
  stop() {
    stream?.stop();
    stream = null;
    clearInterval(healthTimer);
    gpio.stop();
    alarm.clear();
  },
  relabel() {
    alarm.render();
    cards.forEach((c) => c.render());
    loadAll();
  },
});
session.expired = () => page.expired();
