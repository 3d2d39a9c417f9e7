/**
 * Stale quality on the agent: which values have not been refreshed in time. Pure, time passed in.
 *
 * Every watched parameter has its poll interval. A parameter whose last sample was a value (good,
 * uncertain) is **stale** once nothing new was said of it (no good read and no failed read) for
 * longer than `factor × interval`, and at least MIN_STALE_MS (so timer jitter on a busy machine
 * does not make fast registers flicker stale): a poll that is still waiting on the device (a block that times
 * out, with retries), a poll that overran, a shared bus busy with other slaves. `overdue()` then
 * returns one stale sample carrying the last value (reason `overdue`, time = when it was judged
 * stale), once per such episode; the next read (good or bad) ends it. A parameter whose last sample
 * was bad (a failed read, an unsupported register) already says "no value": it does not become
 * stale. One never read has nothing to be stale.
 */
import type { Quality, Sample } from '../../protocol/values.js';

/** The shortest time without news after which a value is stale, whatever its interval. */
export const MIN_STALE_MS = 1000;

interface Entry {
  intervalMs: number;
  /** When a sample of it was last seen (or judged stale); the watch start before the first. */
  lastMs: number;
  lastQuality: Quality | null;
  value: number;
  text: string | undefined;
}

export class Freshness {
  private readonly entries = new Map<string, Entry>();

  /** @param factor how many poll intervals may pass without news before a value is stale (> 1). */
  constructor(private readonly factor: number) {}

  private staleAfter(e: Entry): number {
    return Math.max(e.intervalMs * this.factor, MIN_STALE_MS);
  }

  /** Expects `parameter` to be read every `intervalMs` from `nowMs` on (again: only the interval changes). */
  watch(parameter: string, intervalMs: number, nowMs: number): void {
    const had = this.entries.get(parameter);
    if (had) had.intervalMs = intervalMs;
    else this.entries.set(parameter, { intervalMs, lastMs: nowMs, lastQuality: null, value: 0, text: undefined });
  }

  /** Takes note of samples just recorded (any quality; unwatched parameters are ignored). */
  observe(samples: readonly Sample[]): void {
    // Index loops here and below: run for every sample of every poll, under the agent's interpreter-only V8 (no iterator objects).
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i]!;
      const e = this.entries.get(s.parameter);
      if (!e || s.timeMs < e.lastMs) continue;
      e.lastMs = s.timeMs;
      e.lastQuality = s.quality;
      if (s.quality === 'good' || s.quality === 'uncertain') {
        e.value = s.value;
        e.text = s.text;
      }
    }
  }

  /** How often `parameter` is read, or undefined when it is not watched. */
  intervalOf(parameter: string): number | undefined {
    return this.entries.get(parameter)?.intervalMs;
  }

  /** Stale samples for the values not refreshed within factor × interval, each once per episode. */
  overdue(nowMs: number): Sample[] {
    const out: Sample[] = [];
    this.entries.forEach((e, parameter) => {
      if (e.lastQuality !== 'good' && e.lastQuality !== 'uncertain') return;
      if (nowMs - e.lastMs <= this.staleAfter(e)) return;
      const s: Sample = { parameter, value: e.value, quality: 'stale', reason: 'overdue', timeMs: nowMs };
      if (e.text !== undefined) s.text = e.text;
      out.push(s);
      e.lastMs = nowMs;
      e.lastQuality = 'stale';
    });
    return out;
  }
}
