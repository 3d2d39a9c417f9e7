/**
 * Knowledge-base seeds from the firmware adapters: each adapter's `knowledge` entries (symptoms,
 * diagnosis steps, remedy) and, for every other fault it can raise (fault tables, thresholds,
 * rate/stuck rules, log patterns with a fixed code), an entry from the fault's message and remedy.
 * Seeds are reviewed (they ship with the adapter) and filed under the adapter's model pattern.
 */
import type { Adapter, FaultDef } from '../../firmware-adapters/schema.js';
import type { KbSeed } from '../store/port/knowledge.js';

export type { KbSeed };

function faultsOf(a: Adapter): FaultDef[] {
  const fixed = (a.logPatterns ?? []).filter((p) => !p.code.includes('${'));
  return [...a.faultTables.flatMap((t) => Object.values(t.codes)), ...a.thresholds, ...(a.rules ?? []), ...fixed];
}

export function adapterSeeds(adapters: readonly Adapter[]): KbSeed[] {
  const seeds = new Map<string, KbSeed>();
  for (const a of adapters) {
    const source = `adapter:${a.id}`;
    const messages = new Map<string, string>();
    for (const f of faultsOf(a)) {
      messages.set(f.code, f.message);
      const seedKey = `${source}:${f.code}`;
      if (seeds.has(seedKey)) continue;
      seeds.set(seedKey, {
        seedKey, source, modelPattern: a.match.model, code: f.code, title: f.message, symptoms: f.message, diagnosis: [], remedy: f.remedy,
      });
    }
    for (const k of a.knowledge) {
      const seedKey = `${source}:${k.code}`;
      seeds.set(seedKey, {
        seedKey, source, modelPattern: a.match.model, code: k.code, title: messages.get(k.code) ?? k.code,
        symptoms: k.symptoms, diagnosis: [...k.diagnosis], remedy: k.remedy,
      });
    }
  }
  return [...seeds.values()];
}
