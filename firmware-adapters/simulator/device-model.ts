/**
 * A simulated device driven by its adapter: every register's engineering value moves along the
 * adapter's simulation profile (sine + noise), an injected fault code forces the values the
 * adapter lists for it, and single values can be forced (e.g. a heatsink running hot).
 * Pure state: time comes in as an argument; noise is a seeded generator, so runs repeat.
 */
import { encodeRegister } from '../register-codec.js';
import { registerWidth, type Adapter, type RegisterDef, type RegisterTable } from '../schema.js';

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

  /** Register words for a read of `length` registers from `address` of `table`; unmapped registers read 0. */
  readWords(table: RegisterTable, address: number, length: number, tMs: number): number[] {
    const words = new Array<number>(length).fill(0);
    for (const r of this.adapter.registers) {
      if (r.table !== table) continue;
      const width = registerWidth(r.type);
      if (r.address + width <= address || r.address >= address + length) continue;
      encodeRegister(r, this.valueAt(r.name, tMs)).forEach((w, i) => {
        const at = r.address + i - address;
        if (at >= 0 && at < length) words[at] = w;
      });
    }
    return words;
  }

  /** A write from a Modbus master: accepted only for writable single-word registers. */
  writeWord(address: number, word: number): RegisterDef | undefined {
    const r = this.adapter.registers.find((x) => x.table === 'holding' && x.address === address && x.writable && registerWidth(x.type) === 1);
    if (!r) return undefined;
    const raw = r.type === 'int16' && word > 0x7fff ? word - 0x10000 : word;
    this.written.set(r.name, raw * (r.scale ?? 1) + (r.offset ?? 0));
    return r;
  }
}
