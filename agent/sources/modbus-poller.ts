/**
 * Polls one Modbus slave for one device: its adapter's registers, grouped by poll group, each
 * group read with as few requests as the read plan allows, decoded to samples. Failures are
 * classified (timeout, exception reply, CRC, I/O), retried, counted; a slave that stops
 * answering is polled less and less often (bounded backoff) so that it does not hog a shared bus.
 *
 * One bad block never blinds its group (see group-read.ts): a block answered with a register
 * exception (01-04) is read again register by register; a block that times out while another
 * block of the group answers gives bad samples (timeout) and, after a few polls in a row, is read
 * register by register once. The registers that still raise the exception, or stay silent alone,
 * are marked unsupported (one bad sample, one warning), left out of later polls (no request spans
 * them) and read alone again every `reprobeMs`. Such a poll succeeded: the link works. A poll in
 * which no block answers, gateway exceptions (0A/0B: the gateway cannot reach the slave) and the
 * transient ones (05/06: busy) fail the poll: that is the link.
 */
import type { Logger } from '../../protocol/logger.js';
import type { ReadRequest } from '../../firmware-adapters/index.js';
import { decodeRegisterAt, decodeText, encodeRegister, inexactWriteValue, writableRange } from '../../firmware-adapters/register-codec.js';
import type { ReadPlanOptions } from '../../firmware-adapters/read-plan.js';
import { BIT_TABLES, registerSpan, type Adapter, type PollGroup, type RegisterDef } from '../../firmware-adapters/schema.js';
import { FaultlineError, type ErrorCode } from '../../protocol/errors.js';
import { UNSUPPORTED_NO_REPLY, type QualityReason, type Sample, type UnsupportedRegister } from '../../protocol/values.js';
import { planAround, singleRequest, type SilenceStreaks } from './block-silence.js';
import { isTimeout, readGroup, registerException, type BlockReader, type GroupRead } from './group-read.js';
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

const DEFAULT_REPROBE_MS = 300_000;

interface Unsupported extends UnsupportedRegister {
  def: RegisterDef;
  group: PollGroup;
  nextProbeMs: number;
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
  /** Per group: blocks that timed out while another answered, polls in a row (see block-silence.ts). */
  private readonly streaks = new Map<PollGroup, SilenceStreaks>();
  /** Registers read one request each: their block timed out as a whole but each answered alone. */
  private readonly alone = new Set<string>();
  private readonly now: () => number;
  private readonly io: BlockReader = { readBlock: (req, retries) => this.readBlock(req, retries), now: () => this.now() };

  constructor(private readonly opts: ModbusPollerOptions) {
    this.now = opts.now ?? Date.now;
    for (const r of opts.adapter.registers) this.byGroup.set(r.poll ?? 'normal', [...(this.byGroup.get(r.poll ?? 'normal') ?? []), r]);
    for (const g of this.byGroup.keys()) this.replan(g);
  }

  /** Registers the device refused with a Modbus exception (or never answered alone: code UNSUPPORTED_NO_REPLY), oldest first. */
  unsupported(): UnsupportedRegister[] {
    return [...this.missing.values()].map(({ parameter, exceptionCode, sinceMs }) => ({ parameter, exceptionCode, sinceMs }));
  }

  private replan(group: PollGroup): void {
    const left = [...this.missing.values()].map((u) => u.def);
    this.plans.set(group, planAround((this.byGroup.get(group) ?? []).filter((r) => !this.missing.has(r.name)), left, this.alone, this.opts.plan));
  }

  /** Poll groups this slave has registers in, with their read requests. */
  get groups(): ReadonlyMap<PollGroup, readonly ReadRequest[]> {
    return this.plans;
  }

  /**
   * Reads one poll group (its supported registers, and the unsupported ones due for a re-probe).
   * Throws FL_ERR_MODBUS_* when the slave (or the link to it) does not answer properly: no block
   * answered, or a failure that is not about a register.
   */
  async pollGroup(group: PollGroup): Promise<Sample[]> {
    const got = await readGroup(this.plans.get(group) ?? [], this.streaks.get(group) ?? new Map(), this.io);
    this.streaks.set(group, got.streaks);
    const samples = this.settle(got);
    for (const def of got.silent) samples.push(this.markUnsupported(def, UNSUPPORTED_NO_REPLY));
    if (got.alone.length > 0) this.readAlone(group, got.alone);
    const now = this.now();
    const due = [...this.missing.values()].filter((u) => u.group === group && u.nextProbeMs <= now);
    for (const u of due) {
      try {
        // One ask, no retries: a register that stays silent costs one timeout per re-probe.
        samples.push(...await this.readBlock(singleRequest(u.def), 0));
      } catch (err) {
        const code = registerException(err) ?? (isTimeout(err) ? UNSUPPORTED_NO_REPLY : undefined);
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

  /**
   * A fresh read of the named parameters (never a cache), for live RPC reads: planned like the
   * polls (unsupported ones asked alone, no block spanning them); a block that times out while
   * another answers gives bad samples.
   */
  async readNamed(names: readonly string[]): Promise<Sample[]> {
    const wanted = new Set(names);
    const left = [...this.missing.values()].map((u) => u.def);
    const alone = new Set([...this.alone, ...left.filter((d) => wanted.has(d.name)).map((d) => d.name)]);
    const plan = planAround(this.opts.adapter.registers.filter((r) => wanted.has(r.name)), left, alone, this.opts.plan);
    return this.settle(await readGroup(plan, new Map(), this.io));
  }

  /** The samples of a group read, with the refused registers marked unsupported. */
  private settle(got: GroupRead): Sample[] {
    const samples = got.samples;
    for (const { def, code } of got.refused) samples.push(this.markUnsupported(def, code));
    return samples;
  }

  /** From now on reads each of `defs` in a request of its own (their block times out, each register answers alone). */
  private readAlone(group: PollGroup, defs: readonly RegisterDef[]): void {
    for (const d of defs) this.alone.add(d.name);
    this.replan(group);
    const first = defs[0]!;
    this.opts.log.warn({ parameters: defs.map((d) => d.name), table: first.table, address: first.address, unitId: this.opts.unitId, bus: this.opts.bus.key },
      `unit ${this.opts.unitId} does not answer the block at ${first.table} ${first.address} but answers each register alone: reading them one by one`);
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

  private async request<T>(op: (c: ModbusClient) => Promise<T>, retries = this.opts.retries): Promise<T> {
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
        if (kind === 'exception' || attempt >= retries) {
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

  /** Records a register the device refused or never answered alone; returns the bad sample that says so for this poll. */
  private markUnsupported(def: RegisterDef, code: number): Sample {
    const now = this.now();
    const group = def.poll ?? 'normal';
    if (!this.missing.has(def.name)) {
      this.missing.set(def.name, { parameter: def.name, exceptionCode: code, sinceMs: now, def, group, nextProbeMs: now + (this.opts.reprobeMs ?? DEFAULT_REPROBE_MS) });
      for (const g of this.plans.keys()) this.replan(g); // no request of any group may span it
      this.opts.log.warn({
        parameter: def.name, table: def.table, address: def.address, exceptionCode: code, unitId: this.opts.unitId, bus: this.opts.bus.key,
        reprobeInMs: this.opts.reprobeMs ?? DEFAULT_REPROBE_MS,
      }, code === UNSUPPORTED_NO_REPLY
        ? `unit ${this.opts.unitId} never answers ${def.table} ${def.address} (${def.name}), alone either, while its other registers answer: marked unsupported; the other registers are still polled`
        : `unit ${this.opts.unitId} answers exception ${code} for ${def.table} ${def.address} (${def.name}): marked unsupported; the other registers are still polled`);
    }
    return { parameter: def.name, value: 0, quality: 'bad', reason: 'unsupported', timeMs: now };
  }

  /** The parameters polled in `group` (for the bad samples of a poll that failed). */
  parametersOf(group: PollGroup): string[] {
    return (this.byGroup.get(group) ?? []).filter((r) => !this.missing.has(r.name)).map((r) => r.name);
  }

  private async readBlock(req: ReadRequest, retries?: number): Promise<Sample[]> {
    const samples: Sample[] = [];
    const isBits = BIT_TABLES.includes(req.table);
    const data = await this.request(async (c): Promise<number[]> => {
      switch (req.table) {
        case 'holding': return (await c.readHoldingRegisters(req.address, req.length)).data;
        case 'input': return (await c.readInputRegisters(req.address, req.length)).data;
        case 'coil': return (await c.readCoils(req.address, req.length)).data.map((b) => (b ? 1 : 0));
        case 'discrete': return (await c.readDiscreteInputs(req.address, req.length)).data.map((b) => (b ? 1 : 0));
      }
    }, retries);
    if (!Array.isArray(data) || data.length < req.length || (!isBits && data.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffff))) {
      this.counters.badReplies++;
      throw new FaultlineError('FL_ERR_MODBUS_REPLY', `bad reply for ${req.table} ${req.address}+${req.length} from unit ${this.opts.unitId}: ${Array.isArray(data) ? data.length : 0} values`, {
        context: { bus: this.opts.bus.key, unitId: this.opts.unitId, table: req.table, address: req.address, length: req.length },
      });
    }
    const t = this.now();
    // Decoded in place (no slice per register): this runs for every register of every poll.
    for (let i = 0; i < req.registers.length; i++) {
      const def = req.registers[i]!;
      const at = def.address - req.address;
      if (def.type === 'string') {
        samples.push({ parameter: def.name, value: registerSpan(def), quality: 'good', timeMs: t, text: decodeText(def, data.slice(at, at + registerSpan(def))) });
        continue;
      }
      samples.push(judgedSample(def, decodeRegisterAt(def, data, at), t));
    }
    return samples;
  }
}
