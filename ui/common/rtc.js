// SPDX-License-Identifier: GPL-3.0-or-later
// The expert's side of a booth session: the signalling socket (/api/signal)
// and one RTCPeerConnection per session.  vuorod's booth makes the offer
// (m-lines: booth camera ⇄ expert camera, booth microphone ⇄ expert
// microphone, document camera → expert); the browser answers with the
// expert's camera and microphone, opened before the call.
//
//   const sig = signalling({ onMessage, onState });   // sig.client(): id for POST /api/expert/call
//   const call = answerCall({ offer, local, send: sig.send, onTrack, onConnection, onData });
//   call.ice(msg); call.close();

// A socket that comes back by itself; onState("open" | "closed").
// @path: the socket's (vuorod's /api/signal, the hub's /api/hub/expert/socket).
export function signalling({ onMessage, onState, path = "/api/signal" }) {
  let ws = null;
  let client = null;
  let delay = 500;
  let stopped = false;
  let timer = null;
  const waiters = [];

  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    ws = new WebSocket(`${scheme}//${location.host}${path}`);
    ws.onmessage = (m) => {
      let msg;
      try {
        msg = JSON.parse(m.data);
      } catch {
        return;
      }
      if (msg.type === "hello") {
        client = msg.client;
        delay = 500;
        waiters.splice(0).forEach((w) => w(client));
        onState?.("open", client);
        return;
      }
      onMessage?.(msg);
    };
    ws.onclose = () => {
      client = null;
      onState?.("closed");
      if (stopped) return;
      timer = setTimeout(connect, delay);
      delay = Math.min(delay * 2, 4000);
    };
  }
  connect();
  return {
    // The socket's id, once it said hello.
    client: () => (client ? Promise.resolve(client) : new Promise((r) => waiters.push(r))),
    send(msg) {
      if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      ws?.close();
    },
  };
}

// Answers vuorod's @offer with the @local stream (camera and microphone).
// onTrack(index, track): 0 booth camera, 1 booth microphone, 2 document
// camera.  onConnection(state) follows RTCPeerConnection.connectionState.
// onData(msg): a message over the session's data channel "vuoro", which a
// session through the hub has: {type:"identity", session, result} with the
// name and identity code (the signalling has the result without them).
// onText(channel): the session's real-time text channel (T.140, RFC 8865:
// protocol "t140"), which every session has (ui/common/rtt.js).
export async function answerCall({ offer, local, send, onTrack, onConnection, onData, onText }) {
  const session = offer.session;
  const pc = new RTCPeerConnection({ iceServers: offer.ice_servers || [], bundlePolicy: "max-bundle" });
  const pending = [];
  let described = false;

  pc.onicecandidate = (e) => {
    send({
      type: "ice",
      session,
      mline: e.candidate ? e.candidate.sdpMLineIndex : 0,
      candidate: e.candidate ? e.candidate.candidate : "",
    });
  };
  pc.ontrack = (e) => {
    const index = pc.getTransceivers().indexOf(e.transceiver);
    onTrack?.(index, e.track);
  };
  pc.onconnectionstatechange = () => onConnection?.(pc.connectionState);
  pc.ondatachannel = (e) => {
    if (e.channel.protocol === "t140") {
      onText?.(e.channel);
      return;
    }
    if (e.channel.label !== "vuoro") return;
    e.channel.onmessage = (m) => {
      let msg;
      try {
        msg = JSON.parse(m.data);
      } catch {
        return;
      }
      if (msg && typeof msg.type === "string") onData?.({ ...msg, session: msg.session ?? session });
    };
  };

  await pc.setRemoteDescription({ type: "offer", sdp: offer.sdp });
  described = true;
  const video = local?.getVideoTracks()[0] || null;
  const audio = local?.getAudioTracks()[0] || null;
  pc.getTransceivers().forEach((t, i) => {
    const kind = t.receiver.track.kind;
    if (i === 0 && kind === "video") {
      t.direction = video ? "sendrecv" : "recvonly";
      if (video) t.sender.replaceTrack(video);
    } else if (i === 1 && kind === "audio") {
      t.direction = audio ? "sendrecv" : "recvonly";
      if (audio) t.sender.replaceTrack(audio);
    } else {
      t.direction = "recvonly";
    }
  });
  const answer = await pc.createAnswer();
  await pc.setLocalDescription(answer);
  // Sign language needs the frame rate more than the resolution: when the
  // expert's computer or network cannot keep up, the browser scales the
  // picture down before it drops frames (EN 301 549 6.5: ≥ 20 fps).
  for (const sender of pc.getSenders()) {
    if (sender.track?.kind !== "video") continue;
    const params = sender.getParameters();
    params.degradationPreference = "maintain-framerate";
    await sender.setParameters(params).catch(() => {});
  }
  send({ type: "answer", session, sdp: pc.localDescription.sdp });
  for (const c of pending.splice(0)) await pc.addIceCandidate(c).catch(() => {});

  return {
    session,
    pc,
    async ice(msg) {
      const c = { candidate: msg.candidate, sdpMLineIndex: msg.mline };
      if (!described) pending.push(c);
      else await pc.addIceCandidate(c).catch(() => {});
    },
    close() {
      pc.getReceivers().forEach((r) => r.track?.stop());
      pc.close();
    },
  };
}
