/**
 * How the simulator makes each of an adapter's faults happen, derived from the adapter's own
 * rules so that the simulator and the detectors cannot disagree: a fault-table entry sets its
 * register value or bit, a threshold pushes its parameter past the limit and the deadband, a
 * rate rule ramps its parameter at twice the limit, a stuck rule freezes its parameter.
 * `simulation.faultEffects[code]` adds the side effects a real device shows (e.g. a trip stops the motor).
 */
import type { Adapter } from '../schema.js';

export type FaultRecipe =
  | { kind: 'enum'; register: string; value: number }
  | { kind: 'bit'; register: string; bit: number }
  | { kind: 'force'; parameter: string; value: number }
  | { kind: 'ramp'; parameter: string; perS: number }
  | { kind: 'freeze'; parameter: string };

/** Every fault the simulator can produce over Modbus, in a stable order: fault tables, thresholds, rules. Log-pattern faults are not among them. */
export function faultRecipes(adapter: Adapter): Map<string, FaultRecipe> {
  const out = new Map<string, FaultRecipe>();
  for (const t of adapter.faultTables) {
    for (const [key, def] of Object.entries(t.codes)) {
      out.set(def.code, t.kind === 'bitfield' ? { kind: 'bit', register: t.register, bit: Number(key) } : { kind: 'enum', register: t.register, value: Number(key) });
    }
  }
  for (const r of adapter.thresholds) {
    const reg = adapter.registers.find((x) => x.name === r.parameter);
    // Past the limit and the deadband by 5 % of the limit, and by at least two steps of an integer register's resolution.
    const step = reg && !reg.type.startsWith('float') ? Math.abs(reg.scale ?? 1) : 0;
    const margin = r.deadband + Math.max(0.05 * Math.abs(r.limit), 2 * step, 1e-3);
    out.set(r.code, { kind: 'force', parameter: r.parameter, value: r.direction === 'above' ? r.limit + margin : r.limit - margin });
  }
  for (const r of adapter.rules ?? []) {
    if (r.kind === 'rate') {
      const perS = 2 * r.limitPerS + r.deadbandPerS;
      out.set(r.code, { kind: 'ramp', parameter: r.parameter, perS: r.direction === 'falling' ? -perS : perS });
    } else {
      out.set(r.code, { kind: 'freeze', parameter: r.parameter });
    }
  }
  return out;
}

/** How long after injection the agent's detectors need, at most, to see each fault (0 for fault-table entries). */
export function detectionDelays(adapter: Adapter): Map<string, number> {
  return new Map([
    ...adapter.thresholds.map((r): [string, number] => [r.code, r.onDelayMs]),
    ...(adapter.rules ?? []).map((r): [string, number] => [r.code, r.kind === 'rate' ? r.windowMs + r.onDelayMs : r.afterMs]),
  ]);
}

/** How long after injection the agent's detectors need, at most, to see any fault of this adapter. */
export function detectionHorizonMs(adapter: Adapter): number {
  return Math.max(0, ...detectionDelays(adapter).values());
}
