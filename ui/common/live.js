// SPDX-License-Identifier: GPL-3.0-or-later
// The live event stream (/api/events): reconnects by itself, with back-off,
// after vuorod restarts or the network drops.  onEvent gets each parsed
// event; onState gets "open" or "closed" (pages show a banner while closed
// and reload their data on "open").

// @path: another stream of the same kind (the hub's fleet: /api/hub/fleet/events).
export function live({ onEvent, onState, path = "/api/events" }) {
  let ws = null;
  let delay = 500;
  let stopped = false;
  let timer = null;

  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    ws = new WebSocket(`${scheme}//${location.host}${path}`);
    ws.onopen = () => {
      delay = 500;
      onState?.("open");
    };
    ws.onmessage = (m) => {
      let ev;
      try {
        ev = JSON.parse(m.data);
      } catch {
        return;
      }
      if (ev.type !== "hello") onEvent?.(ev);
    };
    ws.onclose = () => {
      onState?.("closed");
      if (stopped) return;
      timer = setTimeout(connect, delay);
      delay = Math.min(delay * 2, 5000);
    };
  }
  connect();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      ws?.close();
    },
  };
}
