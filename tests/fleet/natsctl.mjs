// SPDX-License-Identifier: GPL-3.0-or-later
// natsctl: the fleet tests' hands on the broker, through the NATS project's
// own JavaScript client (npm nats): an independent peer of libnats.
//
//   node natsctl.mjs --servers tls://H:P[,…] --ca CA --cert CRT --key KEY COMMAND …
//     setup [--replicas N] [--duplicates S]   the records stream VUORO_REC and the
//                                             vuoro-sites bucket (as the hub)
//     read [--stream S]                       every message, one JSON line each:
//                                             {"seq", "subject", "msgid", "data"}
//     count [--stream S]                      {"messages", "first", "last"}
//     kv-get KEY                              the value's text (exit 1 if none)
//     pub SUBJECT TEXT [--msgid ID] [--core]  a JetStream publish (prints the ack)
//                                             or a core publish (--core, flushed)
//     kv-put KEY TEXT                         a put into vuoro-sites
//     serve SUBJECT [REPLY]                   subscribe (prints {"ready":true}), then
//                                             each message as {"subject","data"}, and
//                                             answer requests with REPLY (a site's
//                                             commands); until --deadline or killed.
//                                             --by-verb: REPLY is {"VERB": reply, …} by
//                                             the subject's last token ("*": others)
//     sub SUBJECT [--for S]                   subscribe and wait 1 s; with --for, then
//                                             print every message for S seconds, one
//                                             JSON line each: {"subject", "data"}
//     req SUBJECT JSON [--timeout MS]         a request (as the hub's commands):
//                                             prints the reply's JSON (exit 1 on no
//                                             reply within MS, default 3000)
// --inbox PREFIX: the reply inbox prefix (a site's is _INBOX_SITE).
// --deadline S: give up after S seconds (20).
// A refusal by the server (a permissions violation) prints
// {"refused": "the server's words"} and exits 3; other errors exit 1.
import { connect, StringCodec, headers, nanos, StorageType } from "nats";

const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf("--" + name);
  if (i < 0) return def;
  const v = argv[i + 1];
  argv.splice(i, 2);
  return v;
};
const flag = (name) => {
  const i = argv.indexOf("--" + name);
  if (i < 0) return false;
  argv.splice(i, 1);
  return true;
};

const servers = opt("servers", "").split(",").filter(Boolean);
const tls = { caFile: opt("ca"), certFile: opt("cert"), keyFile: opt("key") };
const stream = opt("stream", "VUORO_REC");
const inboxPrefix = opt("inbox", "_INBOX");
const replicas = Number(opt("replicas", "1"));
const duplicates = Number(opt("duplicates", "7200"));
const msgid = opt("msgid");
const core = flag("core");
const byVerb = flag("by-verb");
// A connection the server refuses (a certificate of another CA) may hang: not past --deadline.
const deadline = Number(opt("deadline", "20"));
const watchS = Number(opt("for", "0"));
const reqTimeout = Number(opt("timeout", "3000"));
const [cmd, ...rest] = argv;
const sc = StringCodec();

setTimeout(() => {
  console.error(`natsctl: no answer in ${deadline} s`);
  process.exit(1);
}, deadline * 1000).unref();

let refused = null;
const nc = await connect({ servers, tls, name: "natsctl", inboxPrefix, maxReconnectAttempts: 0, timeout: 10000 });
(async () => {
  for await (const s of nc.status()) {
    const pc = s.permissionContext; // the server's -ERR, parsed by the client
    const what = pc ? `Permissions Violation for ${pc.operation} to "${pc.subject}"` : String(s.data?.message || s.data);
    if (s.type === "error" && /permission/i.test(what)) refused ??= what;
  }
})();
const out = (o) => console.log(JSON.stringify(o));
const refusal = (e) => /permission/i.test(String(e?.message || e)) ? String(e.message || e) : null;

async function done(code = 0) {
  await nc.close().catch(() => {});
  process.exit(code);
}

try {
  const jsm = ["setup", "read", "count"].includes(cmd) ? await nc.jetstreamManager() : null;
  const js = nc.jetstream();
  switch (cmd) {
    case "setup": {
      const cfg = {
        name: "VUORO_REC", subjects: ["vuoro.rec.>"], storage: StorageType.File,
        num_replicas: replicas, duplicate_window: nanos(duplicates * 1000),
        max_age: nanos(30 * 86400 * 1000),
      };
      try {
        await jsm.streams.info("VUORO_REC");
        await jsm.streams.update("VUORO_REC", cfg);
      } catch {
        await jsm.streams.add(cfg);
      }
      await js.views.kv("vuoro-sites", { history: 1, replicas });
      out({ ok: true });
      break;
    }
    case "count": {
      const i = await jsm.streams.info(stream);
      out({ messages: i.state.messages, first: i.state.first_seq, last: i.state.last_seq });
      break;
    }
    case "read": {
      const i = await jsm.streams.info(stream);
      for (let seq = i.state.first_seq; i.state.messages && seq <= i.state.last_seq; seq++) {
        let m;
        try {
          m = await jsm.streams.getMessage(stream, { seq });
        } catch {
          continue; // deleted
        }
        out({ seq: m.seq, subject: m.subject, msgid: m.header?.get("Nats-Msg-Id") || null, data: sc.decode(m.data) });
      }
      break;
    }
    case "kv-get": {
      const kv = await js.views.kv("vuoro-sites", { bindOnly: true });
      const e = await kv.get(rest[0]);
      if (!e || !e.value.length) {
        out({ none: rest[0] });
        await done(1);
      }
      console.log(sc.decode(e.value));
      break;
    }
    case "kv-put": {
      const kv = await js.views.kv("vuoro-sites", { bindOnly: true });
      out({ revision: await kv.put(rest[0], sc.encode(rest[1])) });
      break;
    }
    case "pub": {
      if (core) {
        nc.publish(rest[0], sc.encode(rest[1]));
        await nc.flush();
        await new Promise((r) => setTimeout(r, 300)); // the server's -ERR comes after
        if (refused) {
          out({ refused });
          await done(3);
        }
        out({ published: true });
      } else {
        const h = headers();
        if (msgid) h.set("Nats-Msg-Id", msgid);
        const ack = await js.publish(rest[0], sc.encode(rest[1]), { headers: h, timeout: 5000 });
        out({ stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate });
      }
      break;
    }
    case "sub": {
      const sub = nc.subscribe(rest[0]);
      let closedWith = null;
      sub.closed.then(() => {}, (e) => (closedWith = String(e?.message || e)));
      (async () => {
        try {
          for await (const m of sub) if (watchS > 0) out({ subject: m.subject, data: sc.decode(m.data) });
        } catch (e) {
          closedWith = String(e?.message || e);
        }
      })();
      await nc.flush();
      await new Promise((r) => setTimeout(r, 1000));
      const why = (closedWith && refusal(closedWith)) || refused;
      if (why) {
        out({ refused: why });
        await done(3);
      }
      out({ subscribed: rest[0] });
      if (watchS > 0) await new Promise((r) => setTimeout(r, watchS * 1000));
      break;
    }
    case "req": {
      let m;
      try {
        m = await nc.request(rest[0], sc.encode(rest[1]), { timeout: reqTimeout });
      } catch (e) {
        if (refusal(e) || refused) throw e;
        out({ noreply: String(e?.code || e?.message || e) });
        await done(1);
      }
      console.log(sc.decode(m.data));
      break;
    }
    case "serve": {
      const sub = nc.subscribe(rest[0]);
      await nc.flush();
      out({ ready: true });
      for await (const m of sub) {
        out({ subject: m.subject, data: sc.decode(m.data) });
        let reply = rest[1];
        if (byVerb && reply !== undefined) {
          const map = JSON.parse(reply);
          const verb = m.subject.split(".").pop();
          reply = verb in map ? map[verb] : map["*"];
          reply = reply === undefined ? undefined : JSON.stringify(reply);
        }
        if (m.reply && reply !== undefined) m.respond(sc.encode(reply));
      }
      break;
    }
    default:
      console.error("natsctl: unknown command " + cmd);
      await done(2);
  }
} catch (e) {
  const why = refused || refusal(e);
  if (why) {
    out({ refused: why });
    await done(3);
  }
  console.error("natsctl: " + (e?.message || e));
  await done(1);
}
await done(0);
