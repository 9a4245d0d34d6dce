// SPDX-License-Identifier: GPL-3.0-or-later
// natsctl: the NATS project's own JavaScript client as the tests'
// independent peer (the fleet contract).  One JSON answer on stdout.
//
//   node natsctl.mjs CONN setup DUPLICATES_S   the stream VUORO_REC and the bucket vuoro-sites
//   node natsctl.mjs CONN stream               every message: seq, subject, id, body
//   node natsctl.mjs CONN kv KEY               the bucket's value of KEY (null when none)
//
// CONN is a JSON object: {"servers": [...], "ca": FILE, "cert": FILE, "key": FILE}.
import { connect, StorageType } from "nats";

const [connArg, cmd, arg] = process.argv.slice(2);
const conn = JSON.parse(connArg);
const nc = await connect({
  servers: conn.servers,
  tls: { caFile: conn.ca, certFile: conn.cert, keyFile: conn.key },
  timeout: 5000,
});
const dec = new TextDecoder();
let out;
try {
  if (cmd === "setup") {
    const jsm = await nc.jetstreamManager();
    const cfg = {
      name: "VUORO_REC",
      subjects: ["vuoro.rec.>"],
      storage: StorageType.File,
      num_replicas: 1,
      duplicate_window: Number(arg) * 1e9,
      max_age: 30 * 86400 * 1e9,
    };
    try {
      await jsm.streams.add(cfg);
    } catch (e) {
      await jsm.streams.update("VUORO_REC", cfg);
    }
    await nc.jetstream().views.kv("vuoro-sites", { history: 1 });
    out = { ok: true };
  } else if (cmd === "stream") {
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info("VUORO_REC");
    const msgs = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages; seq++) {
      const m = await jsm.streams.getMessage("VUORO_REC", { seq });
      msgs.push({
        seq: m.seq,
        subject: m.subject,
        id: m.header ? m.header.get("Nats-Msg-Id") : null,
        body: dec.decode(m.data),
      });
    }
    out = { messages: msgs };
  } else if (cmd === "kv") {
    const kv = await nc.jetstream().views.kv("vuoro-sites");
    const e = await kv.get(arg);
    out = { value: e && e.operation === "PUT" ? JSON.parse(dec.decode(e.value)) : null,
            revision: e ? e.revision : 0 };
  } else {
    throw new Error("unknown command " + cmd);
  }
} finally {
  await nc.close();
}
console.log(JSON.stringify(out));
