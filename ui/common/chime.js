// SPDX-License-Identifier: GPL-3.0-or-later
// A chime of sine tones from the Web Audio API: no sound files needed.
//   const c = chimer();                      // one AudioContext per page
//   c.unlock();                              // on a touch: most browsers need one first
//   await c.play([[523.25, 0], [783.99, 0.3]], { gain: 0.4 }); // [Hz, start s]
// play() resolves when the tones have sounded, or at once where there is no
// Web Audio (the screen, and vibration on a phone, still tell).

export function chimer() {
  let audio = null;

  function unlock() {
    try {
      audio ??= new AudioContext();
      if (audio.state === "suspended") audio.resume().catch(() => {});
    } catch {
      audio = null;
    }
    return audio;
  }

  function play(tones, { gain = 0.3, length = 0.6 } = {}) {
    if (!unlock()) return Promise.resolve();
    const t0 = audio.currentTime + 0.05;
    for (const [freq, dt] of tones) {
      const osc = audio.createOscillator();
      const g = audio.createGain();
      osc.type = "sine";
      osc.frequency.value = freq;
      g.gain.setValueAtTime(0.0001, t0 + dt);
      g.gain.exponentialRampToValueAtTime(gain, t0 + dt + 0.03);
      g.gain.exponentialRampToValueAtTime(0.0001, t0 + dt + length);
      osc.connect(g).connect(audio.destination);
      osc.start(t0 + dt);
      osc.stop(t0 + dt + length + 0.05);
    }
    const end = Math.max(...tones.map(([, dt]) => dt)) + length + 0.15;
    return new Promise((resolve) => setTimeout(resolve, end * 1000));
  }

  return { unlock, play };
}
