// SPDX-License-Identifier: GPL-3.0-or-later
// The kiosk's idle timer.  Away from the start screen, a citizen who walks
// off must not leave their choices for the next one: after IDLE seconds
// without a touch or a key the kiosk goes back to the start in Finnish.
// WCAG 2.2.1 (timing adjustable): a warning with a "Continue" button shows
// at least 20 s before that; any touch or key extends.
//
// Defaults: 45 s in all, the warning from 25 s (so it stays 20 s).  For tests
// /kiosk?idle=N gives N seconds in all, and the warning is scaled the same
// way (it shows for the last 20/45 of N).
//
// patience() (optional) stretches the time before the warning on a screen
// where people need longer (3: typing an ID card's PIN); the warning itself
// lasts as long as ever, so the screen still goes back to the start.

const IDLE_S = 45;
const WARN_S = 25;

export function idleSeconds(search = location.search) {
  const n = Number(new URLSearchParams(search).get("idle"));
  const total = Number.isFinite(n) && n > 0 ? n : IDLE_S;
  return { total, warnAt: (total * WARN_S) / IDLE_S };
}

// active(): whether the timer runs now (not on a fresh start screen).
// warn(secondsLeft) / unwarn(): show or hide the warning.  timeout(): go back.
export function idleTimer({ active, warn, unwarn, timeout, search, patience = () => 1 }) {
  const idle = idleSeconds(search);
  let last = Date.now();
  let warned = false;

  function touch(e) {
    last = Date.now();
    // The warning closes on the click (or key), not on pointerdown: closing
    // it under the finger would let the click land on what lies beneath.
    if (warned && (e.type === "click" || e.type === "keydown")) {
      warned = false;
      unwarn();
    }
  }
  // Capture: a touch anywhere counts, even on a button that re-renders.
  for (const type of ["pointerdown", "click", "keydown", "touchstart", "wheel"])
    document.addEventListener(type, touch, { capture: true, passive: true });

  setInterval(() => {
    if (!active()) {
      last = Date.now();
      if (warned) {
        warned = false;
        unwarn();
      }
      return;
    }
    const stretch = Math.max(1, patience() || 1);
    const total = idle.total * stretch;
    const warnAt = total - (idle.total - idle.warnAt);
    const since = (Date.now() - last) / 1000;
    if (since >= total) {
      warned = false;
      unwarn();
      last = Date.now();
      timeout();
    } else if (since >= warnAt) {
      warned = true;
      warn(Math.ceil(total - since));
    }
  }, 250);

  return { touch };
}
