/**
 * A simulated device driven by its adapter: every register's engineering value moves along the
 * adapter's simulation profile (sine + noise, counters that count), injected faults show the
 * way the adapter's rules expect (see fault-recipes.ts) plus the side effects it lists, and
 * single values can be forced (e.g. a heatsink running hot).
 * Pure state: time comes in as an argument; noise is a seeded generator, so runs repeat.
 */
import { FaultlineError } from '../../protocol/errors.js';
import { decodeRegister, encodeRegister, encodeText } from '../register-codec.js';
import { registerSpan, type Adapter, type RegisterDef, type RegisterTable } from '../schema.js';
import { faultRecipes, type FaultRecipe } from './fault-recipes.js';

/** A rule-driven change of one parameter; ramps and freezes start from the value seen at their first read. */
/** A Modbus exception reply a simulated slave gives for chosen addresses (thrown from readWords/write). */
export class ModbusExceptionReply extends Error {
  /** modbus-serial's ServerTCP answers with this exception code. */
  readonly modbusErrorCode: number;
  constructor(readonly code: number, table: RegisterTable, address: number) {
    super(`exception ${code} for ${table} ${address}`);
    this.name = 'ModbusExceptionReply';
    this.modbusErrorCode = code;
  }
}

type Override =
  | { kind: 'force'; value: number }
  | { kind: 'ramp'; perS: number; from?: { tMs: number; value: number } }
  | { kind: 'freeze'; value?: number };

export class DeviceModel {
  private readonly recipes: Map<string, FaultRecipe>;
  /** Injected fault codes, in injection order. */
  private readonly injected = new Set<string>();
  /** Enum fault registers: the value shown (an injected code's value, or a raw value from injectFault). */
  private readonly enumValues = new Map<string, number>();
  private readonly overrides = new Map<string, Override>();
  private readonly forced = new Map<string, number>();
  private readonly written = new Map<string, number>();
  /** Addresses ("table:address") the device answers with a Modbus exception, and which one. */
  private readonly refused = new Map<string, number>();
  /** Addresses ("table:address") the device never answers a read of (see mute()). */
  private readonly muted = new Set<string>();
  private rng: number;
  /** When counters (signals with ratePerS) started: the first time the model is read. */
  private originMs: number | undefined;

  constructor(readonly adapter: Adapter, seed = 1) {
    this.rng = seed >>> 0 || 1;
    this.recipes = faultRecipes(adapter);
  }

  /** The fault codes this device can be made to show, in a stable order. */
  get faultCodes(): string[] {
    return [...this.recipes.keys()];
  }

  /** Makes the device show a fault by its code (e.g. 'vfd.overcurrent', a bit of a diagnostic word, a threshold excursion). */
  injectFaultCode(code: string): void {
    const recipe = this.recipes.get(code);
    if (!recipe) {
      throw new FaultlineError('FL_ERR_SIM_UNKNOWN_FAULT', `adapter ${this.adapter.id} cannot simulate fault "${code}"`, {
        context: { adapter: this.adapter.id, code }, hint: `use one of: ${this.faultCodes.join(', ')}`,
      });
    }
    if (recipe.kind === 'enum') {
      for (const other of this.injected) {
        const r = this.recipes.get(other);
        if (r?.kind === 'enum' && r.register === recipe.register) this.injected.delete(other);
      }
      this.enumValues.set(recipe.register, recipe.value);
    } else if (recipe.kind === 'force' || recipe.kind === 'ramp' || recipe.kind === 'freeze') {
      this.overrides.set(recipe.parameter, recipe.kind === 'force' ? { kind: 'force', value: recipe.value } : recipe.kind === 'ramp' ? { kind: 'ramp', perS: recipe.perS } : { kind: 'freeze' });
    }
    this.injected.add(code);
  }

  clearFaultCode(code: string): void {
    if (!this.injected.delete(code)) return;
    const recipe = this.recipes.get(code);
    if (recipe?.kind === 'enum' && this.enumValues.get(recipe.register) === recipe.value) this.enumValues.delete(recipe.register);
    if (recipe && (recipe.kind === 'force' || recipe.kind === 'ramp' || recipe.kind === 'freeze')) this.overrides.delete(recipe.parameter);
  }

  get activeFaults(): string[] {
    return [...this.injected];
  }

  /** Sets the first enum fault table's register to `value` (e.g. 1 = vfd.overcurrent); 0 clears it. Values the table does not list are shown as they are. */
  injectFault(value: number): void {
    const table = this.adapter.faultTables.find((t) => t.kind !== 'bitfield');
    if (!table) return;
    const code = table.codes[value]?.code;
    if (code) return this.injectFaultCode(code);
    for (const c of Object.values(table.codes)) this.clearFaultCode(c.code);
    if (value === 0) this.enumValues.delete(table.register); else this.enumValues.set(table.register, value);
  }

  /** Removes every injected fault. */
  clearFault(): void {
    this.injected.clear();
    this.enumValues.clear();
    this.overrides.clear();
  }

  /** The first enum fault table's register value (0 = healthy). */
  get activeFault(): number {
    const table = this.adapter.faultTables.find((t) => t.kind !== 'bitfield');
    return table ? this.enumValues.get(table.register) ?? 0 : 0;
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
    let effect: number | undefined;
    for (const code of this.injected) effect = this.adapter.simulation.faultEffects[code]?.[name] ?? effect;
    if (effect !== undefined) return effect;
    const o = this.overrides.get(name);
    if (!o) return this.normalValue(name, tMs);
    switch (o.kind) {
      case 'force': return o.value;
      case 'freeze': return (o.value ??= this.normalValue(name, tMs));
      case 'ramp': {
        o.from ??= { tMs, value: this.normalValue(name, tMs) };
        return o.from.value + (o.perS * (tMs - o.from.tMs)) / 1000;
      }
    }
  }

  /** The value without forced values, fault effects or rule overrides. */
  private normalValue(name: string, tMs: number): number {
    const table = this.adapter.faultTables.find((t) => t.register === name);
    if (table && table.kind !== 'bitfield') return this.enumValues.get(name) ?? 0;
    if (table) {
      let bits = 0;
      for (const code of this.injected) {
        const r = this.recipes.get(code);
        if (r?.kind === 'bit' && r.register === name) bits |= 1 << r.bit;
      }
      return (Math.round(this.signalValue(name, tMs)) | bits) >>> 0;
    }
    const written = this.written.get(name);
    if (written !== undefined) return written;
    return this.signalValue(name, tMs);
  }

  private signalValue(name: string, tMs: number): number {
    const sig = this.adapter.simulation.signals[name];
    if (!sig) return 0;
    this.originMs ??= tMs;
    const counted = ((sig.ratePerS ?? 0) * (tMs - this.originMs)) / 1000;
    const v = sig.base + sig.amplitude * Math.sin((2 * Math.PI * tMs) / 1000 / sig.periodS) + sig.noise * this.noise() + counted;
    return sig.wrap ? ((v % sig.wrap) + sig.wrap) % sig.wrap : v;
  }

  /**
   * Makes the device answer any read or write that touches `address` of `table` with Modbus
   * exception `code` (2 = illegal data address: a register this unit does not implement; 4 =
   * slave device failure; 0x0A/0x0B = gateway path unavailable / target failed to respond).
   */
  refuse(table: RegisterTable, address: number, code = 2): void {
    this.refused.set(`${table}:${address}`, code);
  }

  /**
   * Makes the device never answer a read that touches `address` of `table`, alone or in a block
   * (like a drive or a serial gateway that stays silent for a register it lacks instead of
   * answering exception 02). The Modbus faces (TCP device, RTU line) ask mutes() before answering.
   */
  mute(table: RegisterTable, address: number): void {
    this.muted.add(`${table}:${address}`);
  }

  /** Answers every read again. */
  unmute(): void {
    this.muted.clear();
  }

  /** True when a read of `length` from `address` of `table` touches a muted address: it gets no answer at all. */
  mutes(table: RegisterTable, address: number, length: number): boolean {
    if (this.muted.size === 0) return false;
    for (let a = address; a < address + length; a++) if (this.muted.has(`${table}:${a}`)) return true;
    return false;
  }

  /** Undoes refuse() for one address, or for every address when none is given. */
  accept(table?: RegisterTable, address?: number): void {
    if (table === undefined || address === undefined) this.refused.clear();
    else this.refused.delete(`${table}:${address}`);
  }

  private checkRefused(table: RegisterTable, address: number, length: number): void {
    if (this.refused.size === 0) return;
    for (let a = address; a < address + length; a++) {
      const code = this.refused.get(`${table}:${a}`);
      if (code !== undefined) throw new ModbusExceptionReply(code, table, a);
    }
  }

  /** Register words (0/1 per bit for coil/discrete tables) for a read of `length` from `address` of `table`; unmapped ones read 0. */
  readWords(table: RegisterTable, address: number, length: number, tMs: number): number[] {
    this.checkRefused(table, address, length);
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
    this.checkRefused(table, address, words.length);
    const hit = this.adapter.registers.filter((r) => r.table === table && r.writable && r.type !== 'string'
      && r.address >= address && r.address + registerSpan(r) <= address + words.length);
    for (const r of hit) {
      const start = r.address - address;
      this.written.set(r.name, decodeRegister(r, words.slice(start, start + registerSpan(r))));
    }
    return hit;
  }
}
