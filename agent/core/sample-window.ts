/**
 * The last `windowMs` of samples per parameter, bounded in count, kept so that a fault event can
 * carry what its parameters did just before it. Pure data structure, no timers.
 */
import type { Sample } from '../../protocol/values.js';

export class SampleWindow {
  private readonly series = new Map<string, Sample[]>();

  constructor(private readonly windowMs: number, private readonly maxPerParameter = 600) {}

  add(samples: readonly Sample[]): void {
    // Runs for every sample of every poll: an index loop, and shift() for the usual one sample out (splice makes an array of what it removes).
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i]!;
      let list = this.series.get(s.parameter);
      if (!list) this.series.set(s.parameter, (list = []));
      list.push(s);
      const cutoff = s.timeMs - this.windowMs;
      let drop = 0;
      while (drop < list.length && (list[drop]!.timeMs < cutoff || list.length - drop > this.maxPerParameter)) drop++;
      if (drop === 1) list.shift();
      else if (drop > 1) list.splice(0, drop);
    }
  }

  /** Samples of the named parameters (all parameters when `names` is empty) within the window ending at nowMs, oldest first. */
  snapshot(names: readonly string[], nowMs: number): Sample[] {
    const cutoff = nowMs - this.windowMs;
    const keys = names.length > 0 ? names : [...this.series.keys()];
    return keys.flatMap((n) => (this.series.get(n) ?? []).filter((s) => s.timeMs >= cutoff && s.timeMs <= nowMs))
      .sort((a, b) => a.timeMs - b.timeMs);
  }

  latest(name: string): Sample | undefined {
    const list = this.series.get(name);
    return list?.[list.length - 1];
  }
}
