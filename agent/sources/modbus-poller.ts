/**
 * Polls one Modbus slave for one device: its adapter's registers, grouped by poll group, each
 * group read with as few requests as the read plan allows, decoded to samples. Failures are
 * classified (timeout, exception reply, CRC, I/O), retried, counted; a slave that stops
 * answering is polled less and less often (bounded backoff) so that it does not hog a shared bus.
 *
 * A block answered with a register exception (01-04: the device lacks or refuses one of the
 * registers in it) is read again register by register: the registers that answer give their
 * samples, the ones that still raise the exception are marked unsupported (one bad sample,
 * one warning), left out of later polls and read alone again every `reprobeMs`. Such a poll
 * succeeded: the link works. Gateway exceptions (0A/0B: the gateway cannot reach the slave)
 * and the transient ones (05/06: busy) fail the poll like a timeout does: that is the link.
 */
import type { Logger } from '../../protocol/logger.js';
import { decodeRegister, planReads, sliceWords, type ReadRequest } from '../../firmware-adapters/index.js';
import { decodeText, encodeRegister, inexactWriteValue, writableRange } from '../../firmware-adapters/register-codec.js';
import type { ReadPlanOptions } from '../../firmware-adapters/read-plan.js';
import { BIT_TABLES, registerSpan, type Adapter, type PollGroup, type RegisterDef } from '../../firmware-adapters/schema.js';
import { FaultlineError, type ErrorCode } from '../../protocol/errors.js';
import type { QualityReason, Sample, UnsupportedRegister } from '../../protocol/values.js';
import type { ModbusBus } from './modbus-bus.js';
import type { ModbusClient } from './modbus-client.js';

export interface ModbusPollerOptions {
  adapter: Adapter;
  bus: ModbusBus;
  unitId: number;
  timeoutMs: number;
  retries: number;
  plan: ReadPlanOptions;
  /** How often a register marked unsupported is read again (default 5 minutes). */
  reprobeMs?: number;
  log: Logger;
  now?: () => number;
}

export interface ModbusCounters {
  requests: number;
  retries: number;
  timeouts: number;
  exceptions: number;
  crcErrors: number;
  ioErrors: number;
  badReplies: number;
}

type FailureKind = 'timeout' | 'exception' | 'crc' | 'io';

const FAILURE_CODES = {
  timeout: 'FL_ERR_MODBUS_TIMEOUT', exception: 'FL_ERR_MODBUS_EXCEPTION', crc: 'FL_ERR_MODBUS_CRC', io: 'FL_ERR_MODBUS_IO',
} as const satisfies Record<FailureKind, ErrorCode>;

/** Exception codes that speak of the register asked for, not of the link (illegal function, address, value; slave device failure). */
export const REGISTER_EXCEPTIONS: ReadonlySet<number> = new Set([1, 2, 3, 4]);
const DEFAULT_REPROBE_MS = 300_000;

interface Unsupported extends UnsupportedRegister {
  def: RegisterDef;
  group: PollGroup;
  nextProbeMs: number;
}

/** The exception code of a failed request when the slave answered with a register exception (01-04). */
function registerException(err: unknown): number | undefined {
  if (!(err instanceof FaultlineError) || err.code !== 'FL_ERR_MODBUS_EXCEPTION') return undefined;
  const code = err.context['modbusCode'];
  return typeof code === 'number' && REGISTER_EXCEPTIONS.has(code) ? code : undefined;
}

/** A decoded value with its quality: bad when it is no number, uncertain outside the register's measuring range. */
export function judgedSample(def: RegisterDef, value: number, timeMs: number): Sample {
  if (!Number.isFinite(value)) return { parameter: def.name, value: 0, quality: 'bad', reason: 'decode', timeMs };
  if (def.range && (value < def.range.min || value > def.range.max)) return { parameter: def.name, value, quality: 'uncertain', reason: 'out-of-range', timeMs };
  return { parameter: def.name, value, quality: 'good', timeMs };
}

/** Why a poll that threw gave no values, as a sample quality reason. */
export function failureReason(err: unknown): QualityReason {
  const code = err instanceof FaultlineError ? err.code : '';
  if (code === 'FL_ERR_MODBUS_TIMEOUT') return 'timeout';
  if (code === 'FL_ERR_MODBUS_EXCEPTION') return 'exception';
  return 'link';
}

export function classifyModbusError(err: unknown): FailureKind {
  const e = err as { modbusCode?: unknown; name?: unknown; message?: unknown };
  if (typeof e.modbusCode === 'number') return 'exception';
  const text = `${String(e.name)} ${String(e.message)}`;
  if (/timed? ?out/i.test(text)) return 'timeout';
  if (/crc/i.test(text)) return 'crc';
  return 'io';
}

export class ModbusPoller {
  readonly counters: ModbusCounters = { requests: 0, retries: 0, timeouts: 0, exceptions: 0, crcErrors: 0, ioErrors: 0, badReplies: 0 };
  private readonly plans = new Map<PollGroup, ReadRequest[]>();
  private readonly byGroup = new Map<PollGroup, RegisterDef[]>();
  private readonly missing = new Map<string, Unsupported>();
  private readonly now: () => number;

  constructor(private readonly opts: ModbusPollerOptions) {
    this.now = opts.now ?? Date.now;
    for (const r of opts.adapter.registers) this.byGroup.set(r.poll ?? 'normal', [...(this.byGroup.get(r.poll ?? 'normal') ?? []), r]);
    for (const g of this.byGroup.keys()) this.replan(g);
  }

  /** Registers the device refused with a Modbus exception, oldest first. */
  unsupported(): UnsupportedRegister[] {
    return [...this.missing.values()].map(({ parameter, exceptionCode, sinceMs }) => ({ parameter, exceptionCode, sinceMs }));
  }

  private replan(group: PollGroup): void {
    this.plans.set(group, planReads((this.byGroup.get(group) ?? []).filter((r) => !this.missing.has(r.name)), this.opts.plan));
  }

  /** Poll groups this slave has registers in, with their read requests. */
  get groups(): ReadonlyMap<PollGroup, readonly ReadRequest[]> {
    return this.plans;
  }

  /**
   * Reads one poll group (its supported registers, and the unsupported ones due for a re-probe).
   * Throws FL_ERR_MODBUS_* when the slave (or the link to it) does not answer properly.
   */
  async pollGroup(group: PollGroup): Promise<Sample[]> {
    const samples = await this.read(this.plans.get(group) ?? []);
    const now = this.now();
    const due = [...this.missing.values()].filter((u) => u.group === group && u.nextProbeMs <= now);
    for (const u of due) {
      const req: ReadRequest = { table: u.def.table, address: u.def.address, length: registerSpan(u.def), registers: [u.def] };
      try {
        samples.push(...await this.readBlock(req));
      } catch (err) {
        const code = registerException(err);
        if (code === undefined) throw err;
        u.nextProbeMs = this.now() + (this.opts.reprobeMs ?? DEFAULT_REPROBE_MS);
        u.exceptionCode = code;
        continue;
      }
      this.missing.delete(u.parameter);
      this.replan(group);
      this.opts.log.info({ parameter: u.parameter, unsupportedForMs: now - u.sinceMs }, 'a register marked unsupported answers again; polling it');
    }
    return samples;
  }

  /** A fresh read of the named parameters (never a cache), for live RPC reads. */
  readNamed(names: readonly string[]): Promise<Sample[]> {
    const wanted = new Set(names);
    return this.read(planReads(this.opts.adapter.registers.filter((r) => wanted.has(r.name)), this.opts.plan));
  }

  /**
   * Writes writable parameters: one coil with FC 5, several contiguous coils with FC 15, one
   * single-register parameter with FC 6, anything else with FC 16. Refuses what is not writable.
   */
  async write(values: ReadonlyArray<{ name: string; value: number }>): Promise<void> {
    const regs = values.map(({ name, value }) => {
      const def = this.opts.adapter.registers.find((r) => r.name === name);
      if (!def) throw new FaultlineError('FL_ERR_RPC_UNKNOWN_PARAMETER', `unknown parameter "${name}"`, { context: { name } });
      if (!def.writable || def.type === 'string') throw new FaultlineError('FL_ERR_RPC_NOT_WRITABLE', `parameter "${name}" is not writable`, { context: { name } });
      const inexact = inexactWriteValue(def, value);
      if (inexact) throw new FaultlineError('FL_ERR_RPC_BAD_VALUE', inexact, { context: { name, value, type: def.type, scale: def.scale ?? 1 } });
      const range = writableRange(def);
      if (value < range.min || value > range.max) {
        const unit = def.unit ? ` ${def.unit}` : '';
        throw new FaultlineError('FL_ERR_RPC_BAD_VALUE', `value ${value}${unit} for "${name}" is outside ${range.min}–${range.max}${unit}; nothing was written`, {
          context: { name, value, ...range },
        });
      }
      return { def, value };
    }).sort((a, b) => a.def.address - b.def.address);
    const coils = regs.filter((x) => x.def.table === 'coil');
    const holding = regs.filter((x) => x.def.table === 'holding');
    if (coils.length + holding.length !== regs.length) throw new FaultlineError('FL_ERR_RPC_NOT_WRITABLE', 'only coils and holding registers can be written');
    try {
      await this.send(coils, holding);
    } catch (err) {
      // An exception reply is a definite answer: the device did not take the write.
      if (err instanceof FaultlineError && err.code === 'FL_ERR_MODBUS_EXCEPTION') {
        throw new FaultlineError('FL_ERR_RPC_WRITE_REFUSED', `the device refused the write: ${err.message}`, {
          cause: err, context: { ...err.context, parameters: values.map((v) => v.name) },
        });
      }
      throw err;
    }
  }

  /**
   * Reads written parameters back and compares them with what was written (to the register's
   * resolution): the values read and whether every one matches. Throws when it cannot read them.
   */
  async readBack(values: ReadonlyArray<{ name: string; value: number }>): Promise<{ matches: boolean; samples: Sample[] }> {
    const samples = await this.readNamed(values.map((v) => v.name));
    const matches = values.every(({ name, value }) => {
      const def = this.opts.adapter.registers.find((r) => r.name === name);
      const s = samples.find((x) => x.parameter === name);
      if (!def || !s || s.quality !== 'good') return false;
      const step = def.type === 'float32' || def.type === 'float64' ? Math.abs(value) * 1e-6 : (def.scale ?? 1) / 2;
      return Math.abs(s.value - value) <= Math.max(step, 1e-9);
    });
    return { matches, samples };
  }

  private async send(coils: ReadonlyArray<{ def: RegisterDef; value: number }>, holding: ReadonlyArray<{ def: RegisterDef; value: number }>): Promise<void> {
    const contiguous = coils.every((x, i) => i === 0 || x.def.address === coils[i - 1]!.def.address + 1);
    if (coils.length === 1) await this.request((c) => c.writeCoil(coils[0]!.def.address, coils[0]!.value !== 0));
    else if (coils.length > 1 && contiguous) await this.request((c) => c.writeCoils(coils[0]!.def.address, coils.map((x) => x.value !== 0)));
    else for (const x of coils) await this.request((c) => c.writeCoil(x.def.address, x.value !== 0));
    for (const { def, value } of holding) {
      const words = encodeRegister(def, value);
      if (words.length === 1) await this.request((c) => c.writeRegister(def.address, words[0]!));
      else await this.request((c) => c.writeRegisters(def.address, words));
    }
  }

  private async request<T>(op: (c: ModbusClient) => Promise<T>): Promise<T> {
    let attempt = 0;
    for (;;) {
      this.counters.requests++;
      try {
        return await this.opts.bus.run(this.opts.unitId, this.opts.timeoutMs, op);
      } catch (err) {
        if (err instanceof FaultlineError) throw err; // bus-level: cannot connect, stopped
        const kind = classifyModbusError(err);
        if (kind === 'timeout') this.counters.timeouts++;
        else if (kind === 'exception') this.counters.exceptions++;
        else if (kind === 'crc') this.counters.crcErrors++;
        else this.counters.ioErrors++;
        // An exception reply is a definite answer; the link is fine. Anything else leaves it in doubt.
        if (kind !== 'exception') this.opts.bus.reset();
        if (kind === 'exception' || attempt >= this.opts.retries) {
          const e = err as { message?: string; modbusCode?: number };
          throw new FaultlineError(FAILURE_CODES[kind], `unit ${this.opts.unitId} on ${this.opts.bus.key}: ${e.message ?? String(err)}`, {
            cause: err, context: { bus: this.opts.bus.key, unitId: this.opts.unitId, kind, modbusCode: e.modbusCode, attempts: attempt + 1 },
          });
        }
        attempt++;
        this.counters.retries++;
      }
    }
  }

  /** Reads the requests; a block answered with a register exception is read again register by register. */
  private async read(reqs: readonly ReadRequest[]): Promise<Sample[]> {
    const samples: Sample[] = [];
    for (const req of reqs) {
      try {
        samples.push(...await this.readBlock(req));
        continue;
      } catch (err) {
        const code = registerException(err);
        if (code === undefined) throw err;
        if (req.registers.length === 1) {
          samples.push(this.markUnsupported(req.registers[0]!, code));
          continue;
        }
      }
      for (const def of req.registers) {
        try {
          samples.push(...await this.readBlock({ table: def.table, address: def.address, length: registerSpan(def), registers: [def] }));
        } catch (err) {
          const code = registerException(err);
          if (code === undefined) throw err;
          samples.push(this.markUnsupported(def, code));
        }
      }
    }
    return samples;
  }

  /** Records a register the device refused; returns the bad sample that says so for this poll. */
  private markUnsupported(def: RegisterDef, code: number): Sample {
    const now = this.now();
    const group = def.poll ?? 'normal';
    if (!this.missing.has(def.name)) {
      this.missing.set(def.name, { parameter: def.name, exceptionCode: code, sinceMs: now, def, group, nextProbeMs: now + (this.opts.reprobeMs ?? DEFAULT_REPROBE_MS) });
      if (this.plans.has(group)) this.replan(group);
      this.opts.log.warn({
        parameter: def.name, table: def.table, address: def.address, exceptionCode: code, unitId: this.opts.unitId, bus: this.opts.bus.key,
        reprobeInMs: this.opts.reprobeMs ?? DEFAULT_REPROBE_MS,
      }, `unit ${this.opts.unitId} answers exception ${code} for ${def.table} ${def.address} (${def.name}): marked unsupported; the other registers are still polled`);
    }
    return { parameter: def.name, value: 0, quality: 'bad', reason: 'unsupported', timeMs: now };
  }

  /** The parameters polled in `group` (for the bad samples of a poll that failed). */
  parametersOf(group: PollGroup): string[] {
    return (this.byGroup.get(group) ?? []).filter((r) => !this.missing.has(r.name)).map((r) => r.name);
  }

  private async readBlock(req: ReadRequest): Promise<Sample[]> {
    const samples: Sample[] = [];
    const isBits = BIT_TABLES.includes(req.table);
    const data = await this.request(async (c): Promise<number[]> => {
      switch (req.table) {
        case 'holding': return (await c.readHoldingRegisters(req.address, req.length)).data;
        case 'input': return (await c.readInputRegisters(req.address, req.length)).data;
        case 'coil': return (await c.readCoils(req.address, req.length)).data.map((b) => (b ? 1 : 0));
        case 'discrete': return (await c.readDiscreteInputs(req.address, req.length)).data.map((b) => (b ? 1 : 0));
      }
    });
    if (!Array.isArray(data) || data.length < req.length || (!isBits && data.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffff))) {
      this.counters.badReplies++;
      throw new FaultlineError('FL_ERR_MODBUS_REPLY', `bad reply for ${req.table} ${req.address}+${req.length} from unit ${this.opts.unitId}: ${Array.isArray(data) ? data.length : 0} values`, {
        context: { bus: this.opts.bus.key, unitId: this.opts.unitId, table: req.table, address: req.address, length: req.length },
      });
    }
    const t = this.now();
    for (const [def, w] of sliceWords(req, data)) {
      if (def.type === 'string') {
        samples.push({ parameter: def.name, value: registerSpan(def), quality: 'good', timeMs: t, text: decodeText(def, w) });
        continue;
      }
      samples.push(judgedSample(def, decodeRegister(def, w), t));
    }
    return samples;
  }
}
