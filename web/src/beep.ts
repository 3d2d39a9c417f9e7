/** The new-alarm sound: a short WebAudio beep (no audio file), mutable, remembered in localStorage. */
const MUTE_KEY = 'fl.muted';
let ctx: AudioContext | undefined;
let muted = (() => { try { return localStorage.getItem(MUTE_KEY) === '1'; } catch { return false; } })();
let lastBeepMs = 0;

export const isMuted = (): boolean => muted;
export function setMuted(m: boolean): void {
  muted = m;
  try { localStorage.setItem(MUTE_KEY, m ? '1' : '0'); } catch { /* ignore */ }
}

/** Browsers allow audio only after a user gesture: call this from one (the login click does). */
export function unlockAudio(): void {
  try {
    ctx ??= new AudioContext();
    if (ctx.state === 'suspended') void ctx.resume();
  } catch { /* no audio */ }
}

/** Higher and doubled for P1. At most one beep per 800 ms, however many alarms arrive. */
export function beep(urgent: boolean): void {
  if (muted) return;
  const now = Date.now();
  if (now - lastBeepMs < 800) return;
  lastBeepMs = now;
  try {
    ctx ??= new AudioContext();
    if (ctx.state !== 'running') return;
    const tones = urgent ? [0, 0.22] : [0];
    for (const at of tones) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'square';
      osc.frequency.value = urgent ? 1175 : 880;
      gain.gain.setValueAtTime(0.0001, ctx.currentTime + at);
      gain.gain.exponentialRampToValueAtTime(0.15, ctx.currentTime + at + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + at + 0.18);
      osc.connect(gain).connect(ctx.destination);
      osc.start(ctx.currentTime + at);
      osc.stop(ctx.currentTime + at + 0.2);
    }
  } catch { /* no audio */ }
}
