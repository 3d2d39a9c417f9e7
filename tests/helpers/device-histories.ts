/**
 * Per-device order tests (issue 13): fault histories of a few devices, each numbered by its
 * device's sequence as an agent numbers them, delivered in sequence order or shuffled (seeded), and
 * the desk state that must not depend on the delivery: alarms and tickets, without collector times.
 */
import type { FaultEvent, Transition } from '../../protocol/values.js';
import type { IngestMessage } from '../../collector/core/devices/ingest-message.js';
import { alarmState } from '../../collector/core/alarms/alarm-state.js';
import type { StorePort } from '../../collector/store/port.js';

export const HISTORY_T0 = Date.parse('2024-03-05T10:00:00Z');

export interface HistoryOptions {
  /** site/device names */
  devices: ReadonlyArray<{ site: string; device: string }>;
  codes: readonly string[];
  /** Raise/clear transitions per (device, code), alternating, starting with a raise. */
  perAlarm: number;
  /** Distinguishes the ids of two histories in one database. */
  idPrefix?: string;
  seed: number;
}

/** A small deterministic PRNG (mulberry32), so a failing order can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffled<T>(xs: readonly T[], rand: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Every device's events in its own sequence order (devices interleaved at random, as they happen). */
export function deviceHistories(o: HistoryOptions): FaultEvent[] {
  const rand = prng(o.seed);
  // Each device's alarms go raise, clear, raise, … ; the devices and their codes interleave at random.
  const pending = o.devices.map((d) => ({ ...d, seq: 0, done: new Map(o.codes.map((c) => [c, 0])) }));
  const out: FaultEvent[] = [];
  let clock = HISTORY_T0;
  for (let n = 1; n <= o.devices.length * o.codes.length * o.perAlarm; n++) {
    const open = pending.filter((p) => [...p.done.values()].some((k) => k < o.perAlarm));
    const p = open[Math.floor(rand() * open.length)];
    const codes = p ? [...p.done].filter(([, k]) => k < o.perAlarm) : [];
    const picked = codes[Math.floor(rand() * codes.length)];
    if (!p || !picked) break;
    const [code, k] = picked;
    p.done.set(code, k + 1);
    p.seq++;
    clock += rand() < 0.3 ? 0 : 1 + Math.floor(rand() * 500); // some events share a device millisecond
    const transition: Transition = k % 2 === 0 ? 'raise' : 'clear';
    out.push({
      id: `018e0f3a-0000-7000-a000-${(o.idPrefix ?? '').padStart(4, '0')}${String(n).padStart(8, '0')}`, device: p.device, site: p.site, seq: p.seq, timeMs: clock,
      source: 'modbus', category: 'hardware', code, severity: 'major', transition, message: `${code} ${transition}`,
      snapshot: [], logExcerpt: [], labels: {}, adapterId: 'generic-vfd', remedy: '',
    });
  }
  return out;
}

export const asMessage = (e: FaultEvent, receivedMs: number): IngestMessage => ({ kind: 'event', receivedMs, event: e });

/** Splits into batches of 1..maxBatch messages. */
export function batches<T>(xs: readonly T[], maxBatch: number, rand: () => number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length;) {
    const size = 1 + Math.floor(rand() * maxBatch);
    out.push(xs.slice(i, i + size));
    i += size;
  }
  return out;
}

/** The desk state that must equal the in-sequence one: per alarm and per fault's tickets, sorted. */
export async function deskOutcome(store: StorePort): Promise<{ alarms: string[]; tickets: string[] }> {
  const alarms = (await store.queries.listAlarms({ limit: 10_000 })).map(({ alarm: a }) =>
    `${a.key.site}/${a.key.device}/${a.key.code} ${alarmState(a)} raises=${a.raiseCount} lastRaise=${a.lastRaiseMs} lastClear=${a.lastClearMs}`).sort();
  const tickets = (await store.queries.listTickets({ limit: 10_000 })).map((t) =>
    `${t.site}/${t.device}/${t.code} ${t.status} active=${t.faultActive} occurrences=${t.occurrences} lastSeen=${t.lastSeenMs} cleared=${t.clearedAtMs}`).sort();
  return { alarms, tickets };
}
