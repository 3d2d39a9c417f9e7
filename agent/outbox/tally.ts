/** In-memory counts of what the outbox holds and has evicted, per device and kind (the file is the truth; these mirror it). */
import { OUTBOX_KINDS, zeroCounts, type KindCounts, type OutboxDepth, type OutboxKind } from './types.js';

interface Held {
  count: KindCounts;
  bytes: KindCounts;
}

function sum(counts: KindCounts): number {
  return OUTBOX_KINDS.reduce((s, k) => s + counts[k], 0);
}

export class HeldTally {
  private readonly byDevice = new Map<string, Held>();
  private readonly bytesOfKind = zeroCounts();
  private total = 0;

  clear(): void {
    this.byDevice.clear();
    for (const k of OUTBOX_KINDS) this.bytesOfKind[k] = 0;
    this.total = 0;
  }

  add(device: string, kind: OutboxKind, bytes: number, count = 1): void {
    let held = this.byDevice.get(device);
    if (!held) {
      held = { count: zeroCounts(), bytes: zeroCounts() };
      this.byDevice.set(device, held);
    }
    held.count[kind] += count;
    held.bytes[kind] += bytes;
    this.bytesOfKind[kind] += bytes;
    this.total += bytes;
  }

  remove(device: string, kind: OutboxKind, bytes: number, count = 1): void {
    this.add(device, kind, -bytes, -count);
  }

  depth(device?: string): OutboxDepth {
    if (device !== undefined) {
      const held = this.byDevice.get(device);
      const counts = held ? { ...held.count } : zeroCounts();
      return { ...counts, total: sum(counts) };
    }
    const counts = zeroCounts();
    for (const [d, held] of this.byDevice) {
      if (device !== undefined && d !== device) continue;
      for (const k of OUTBOX_KINDS) counts[k] += held.count[k];
    }
    return { ...counts, total: sum(counts) };
  }

  bytes(device?: string): number {
    if (device === undefined) return this.total;
    const held = this.byDevice.get(device);
    return held ? sum(held.bytes) : 0;
  }

  bytesByKind(): KindCounts {
    return { ...this.bytesOfKind };
  }
}

export class EvictionTally {
  private readonly byDevice = new Map<string, KindCounts>();

  clear(): void {
    this.byDevice.clear();
  }

  add(device: string, kind: OutboxKind, count: number): void {
    let c = this.byDevice.get(device);
    if (!c) {
      c = zeroCounts();
      this.byDevice.set(device, c);
    }
    c[kind] += count;
  }

  get(device?: string): KindCounts {
    const out = zeroCounts();
    for (const [d, c] of this.byDevice) {
      if (device !== undefined && d !== device) continue;
      for (const k of OUTBOX_KINDS) out[k] += c[k];
    }
    return out;
  }
}
