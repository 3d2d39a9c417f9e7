/**
 * The last `windowMs` of samples per parameter, bounded in count, kept so that a fault event can
 * carry what its parameters did just before it. Pure data structure, no timers.
 *
 * Kept column by column: each parameter's times and values in arrays of plain numbers, and the
 * sample object itself only when it says more than a good value (another quality, a reason, a
 * text). A 100-register device polled every second holds ~3,000 samples for the default 30 s;
 * as objects, every one of them outlived its poll and was copied by the garbage collector into
 * the old generation (about a tenth of the agent's CPU at one poll a second). Snapshots build
 * the good samples again, equal to what was added.
 */
import type { Sample } from '../../protocol/values.js';

interface Series {
  times: number[];
  values: number[];
  /** The sample as added when it is not a plain good value (else undefined), by position. */
  others: Array<Sample | undefined>;
}

/** A sample that says no more than parameter, time and a good value. */
const plain = (s: Sample): boolean => s.quality === 'good' && s.text === undefined && s.reason === undefined;

export class SampleWindow {
  private readonly series = new Map<string, Series>();

  constructor(private readonly windowMs: number, private readonly maxPerParameter = 600) {}

  add(samples: readonly Sample[]): void {
    // Runs for every sample of every poll: an index loop, and shift() for the usual one sample out.
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i]!;
      let list = this.series.get(s.parameter);
      if (!list) this.series.set(s.parameter, (list = { times: [], values: [], others: [] }));
      list.times.push(s.timeMs);
      list.values.push(s.value);
      list.others.push(plain(s) ? undefined : s);
      const cutoff = s.timeMs - this.windowMs;
      const n = list.times.length;
      let drop = 0;
      while (drop < n && (list.times[drop]! < cutoff || n - drop > this.maxPerParameter)) drop++;
      if (drop === 1) {
        list.times.shift();
        list.values.shift();
        list.others.shift();
      } else if (drop > 1) {
        list.times.splice(0, drop);
        list.values.splice(0, drop);
        list.others.splice(0, drop);
      }
    }
  }

  /** Samples of the named parameters (all parameters when `names` is empty) within the window ending at nowMs, oldest first. */
  snapshot(names: readonly string[], nowMs: number): Sample[] {
    const cutoff = nowMs - this.windowMs;
    const keys = names.length > 0 ? names : [...this.series.keys()];
    const out: Sample[] = [];
    for (const name of keys) {
      const list = this.series.get(name);
      if (!list) continue;
      for (let i = 0; i < list.times.length; i++) {
        const t = list.times[i]!;
        if (t >= cutoff && t <= nowMs) out.push(sampleAt(name, list, i));
      }
    }
    return out.sort((a, b) => a.timeMs - b.timeMs);
  }

  latest(name: string): Sample | undefined {
    const list = this.series.get(name);
    return list && list.times.length > 0 ? sampleAt(name, list, list.times.length - 1) : undefined;
  }
}

function sampleAt(parameter: string, list: Series, i: number): Sample {
  return list.others[i] ?? { parameter, value: list.values[i]!, quality: 'good', timeMs: list.times[i]! };
}
