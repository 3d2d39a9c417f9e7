/**
 * A simulated device driven by its adapter: every register's engineering value moves along the
 * adapter's simulation profile (sine + noise), an injected fault code forces the values the
 * adapter lists for it, and single values can be forced (e.g. a heatsink running hot).
 * Pure state: time comes in as an argument; noise is a seeded generator, so runs repeat.
 */
import { decodeRegister, encodeRegister, encodeText } from '../register-codec.js';
import { registerSpan, type Adapter, type RegisterDef, type RegisterTable } from '../schema.js';

export class DeviceModel {
  private faultValue = 0;
  private readonly forced = new Map<string, number>();
  private readonly written = new Map<string, number>();
  private rng: number;

  constructor(readonly adapter: Adapter, seed = 1) {
    this.rng = seed >>> 0 || 1;
  }

  /** Injects a fault by its register value (e.g. 1 = vfd.overcurrent); 0 clears it. */
  injectFault(value: number): void {
    this.faultValue = value;
  }

  clearFault(): void {
    this.faultValue = 0;
  }

  get activeFault(): number {
    return this.faultValue;
  }

  /** Forces one parameter to a value until released (e.g. heatsink_temperature to 88). */
  force(name: string, value: number): void {
    this.forced.set(name, value);
  }

  release(name: string): void {
    this.forced.delete(name);
  }

  private noise(): number {
    // xorshift32: deterministic, cheap, good enough for plausible jitter
    let x = this.rng;
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    this.rng = x >>> 0;
    return (this.rng / 0xffffffff) * 2 - 1;
  }

  valueAt(name: string, tMs: number): number {
    const forced = this.forced.get(name);
    if (forced !== undefined) return forced;
    const effect = this.faultValue !== 0 ? this.adapter.simulation.faultEffects[this.faultValue]?.[name] : undefined;
    if (effect !== undefined) return effect;
    if (this.adapter.faultTables.some((t) => t.register === name)) return this.faultValue;
    const written = this.written.get(name);
    if (written !== undefined) return written;
    const sig = this.adapter.simulation.signals[name];
    if (!sig) return 0;
    return sig.base + sig.amplitude * Math.sin((2 * Math.PI * tMs) / 1000 / sig.periodS) + sig.noise * this.noise();
  }

  /** Register words (0/1 per bit for coil/discrete tables) for a read of `length` from `address` of `table`; unmapped ones read 0. */
  readWords(table: RegisterTable, address: number, length: number, tMs: number): number[] {
    const words = new Array<number>(length).fill(0);
    for (const r of this.adapter.registers) {
      if (r.table !== table) continue;
      const width = registerSpan(r);
      if (r.address + width <= address || r.address >= address + length) continue;
      const raw = r.type === 'string' ? encodeText(r, this.adapter.simulation.texts?.[r.name] ?? '') : encodeRegister(r, this.valueAt(r.name, tMs));
      raw.forEach((w, i) => {
        const at = r.address + i - address;
        if (at >= 0 && at < length) words[at] = w;
      });
    }
    return words;
  }

  /**
   * A write from a Modbus master (FC 5/6/15/16): `words` are register words, or 0/1 per coil.
   * Every writable register the write covers whole takes the new value; returns those registers.
   */
  write(table: 'holding' | 'coil', address: number, words: readonly number[]): RegisterDef[] {
    const hit = this.adapter.registers.filter((r) => r.table === table && r.writable && r.type !== 'string'
      && r.address >= address && r.address + registerSpan(r) <= address + words.length);
    for (const r of hit) {
      const start = r.address - address;
      this.written.set(r.name, decodeRegister(r, words.slice(start, start + registerSpan(r))));
    }
    return hit;
  }
}
