// SPDX-License-Identifier: GPL-3.0-or-later
// /manager: the service-point manager's page.  Log in (manager or admin),
// then today's numbers (live), the monthly report with its CSV, and the
// notices on the info-TV and the kiosk, and the opening-hour exceptions.

import { live } from "/ui/common/live.js";
import { staffPage } from "/ui/common/staff.js";
import { t, roleName } from "./strings.js";
import { todayView } from "./today.js";
import { reportView } from "./report.js";
import { noticesView } from "./notices.js";
import { hoursView } from "./hours.js";
import { staffAlarm } from "/ui/common/alarm.js";
import { wordsView } from "./words.js";

const $ = (id) => document.getElementById(id);
let stream = null;

const expired = () => page.expired();
const today = todayView($("today"), { expired });
const report = reportView($("report"), { expired, providers: () => today.status()?.providers || [],
  services: () => today.status()?.services || [] });
const notices = noticesView($("notices"), { expired });
const hours = hoursView($("hours"), { expired, services: () => today.status()?.services || [] });
const alarm = staffAlarm(t);
const words = wordsView($("words"), { expired });

async function start() {
  today.render();
  report.render();
  notices.render();
  hours.render();
  words.render();
  // The socket after login: staff sockets carry whole tickets.
  stream?.stop();
  let first = true;
  stream = live({
    onEvent: (ev) => {
      today.event(ev);
      notices.event(ev);
      hours.event(ev);
      alarm.event(ev);
      words.event(ev);
    },
    onState: (s) => {
      $("offline").hidden = s === "open";
      // Back after a drop: what happened meanwhile came without events.
      if (s === "open" && !first) {
        today.load();
        notices.load();
        hours.load();
        words.load();
      }
      if (s === "open") alarm.load();
      if (s === "open") first = false;
    },
  });
  notices.load();
  hours.load();
  words.load();
  await today.load();
  const st = today.status();
  if (st) report.setToday(st.day);
  hours.render(); // the exceptions' services by name, now that they are known
}

const page = staffPage({
  roles: ["manager", "admin"],
  t,
  roleName,
  start,
  stop() {
    stream?.stop();
    stream = null;
    alarm.clear();
  },
  relabel() {
    alarm.render();
    today.render();
    report.render();
    notices.render();
    hours.render();
    words.render();
  },
});
