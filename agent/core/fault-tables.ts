/**
 * Fault-code registers, pure: an enum register holds one code at a time (0 = healthy), a
 * bitfield register raises and clears each of its bits on its own.
 */
import type { Adapter, FaultCodeTable, FaultDef } from '../../firmware-adapters/schema.js';
import type { Sample } from '../../protocol/values.js';
import type { FaultTransition } from './fault-transition.js';

/** Bit numbers set in a 32-bit word, lowest first. */
export function setBits(word: number): number[] {
  const bits: number[] = [];
  for (let b = 0; b < 32; b++) if (((word >>> b) & 1) === 1) bits.push(b);
  return bits;
}

/** A register value as the unsigned 32-bit word a bitfield is read from (NaN and fractions round, negatives wrap). */
export function toWord(value: number): number {
  return Number.isFinite(value) ? Math.round(value) >>> 0 : 0;
}

export function enumFault(adapter: Adapter, table: FaultCodeTable, value: number): FaultDef {
  const known = table.codes[value];
  if (known) return known;
  return { ...table.unknown, code: `${adapter.id}.unknown_${value}`, message: `Unknown fault code ${value} in ${table.register}` };
}

export function bitFault(adapter: Adapter, table: FaultCodeTable, bit: number): FaultDef {
  const known = table.codes[bit];
  if (known) return known;
  return { ...table.unknown, code: `${adapter.id}.${table.register}.bit_${bit}`, message: `Unknown fault bit ${bit} set in ${table.register}` };
}

/**
 * Judges every fault table against this poll's samples. `codes` holds each register's last
 * judged value (0 = healthy); the returned record replaces it.
 */
export function detectFaultTables(adapter: Adapter, codes: Readonly<Record<string, number>>, samples: ReadonlyMap<string, Sample>): { codes: Record<string, number>; transitions: FaultTransition[] } {
  const next = { ...codes };
  const transitions: FaultTransition[] = [];
  for (const table of adapter.faultTables) {
    const s = samples.get(table.register);
    if (!s || s.quality !== 'good') continue;
    const before = next[table.register] ?? 0;
    const emit = (fault: FaultDef, transition: 'raise' | 'clear', labels: Record<string, string>): void => {
      transitions.push({ fault, source: 'modbus', transition, related: table.related, labels: { register: table.register, ...labels } });
    };
    if (table.kind === 'bitfield') {
      const value = (toWord(s.value) & (table.mask ?? 0xffffffff)) >>> 0;
      if (value === before) continue;
      const changed = setBits((value ^ before) >>> 0);
      const isSet = (bit: number): boolean => ((value >>> bit) & 1) === 1;
      for (const bit of changed.filter((b) => !isSet(b))) emit(bitFault(adapter, table, bit), 'clear', { bit: String(bit) });
      for (const bit of changed.filter(isSet)) emit(bitFault(adapter, table, bit), 'raise', { bit: String(bit) });
      next[table.register] = value;
    } else {
      const value = Math.round(s.value);
      if (value === before) continue;
      if (before !== 0) emit(enumFault(adapter, table, before), 'clear', { value: String(before) });
      if (value !== 0) emit(enumFault(adapter, table, value), 'raise', { value: String(value) });
      next[table.register] = value;
    }
  }
  return { codes: next, transitions };
}
