/**
 * Polls one Modbus slave for one device: its adapter's registers, grouped by poll group, each
 * group read with as few requests as the read plan allows, decoded to samples. Failures are
 * classified (timeout, exception reply, CRC, I/O), retried, counted; a slave that stops
 * answering is polled less and less often (bounded backoff) so that it does not hog a shared bus.
 */
import type { Logger } from 'pino';
import { decodeRegister, planReads, sliceWords, type ReadRequest } from '../../firmware-adapters/index.js';
import { decodeText, encodeRegister, writableRange } from '../../firmware-adapters/register-codec.js';
import type { ReadPlanOptions } from '../../firmware-adapters/read-plan.js';
import { BIT_TABLES, registerSpan, type Adapter, type PollGroup, type RegisterDef } from '../../firmware-adapters/schema.js';
import { FaultlineError } from '../../protocol/errors.js';
import type { Sample, UnsupportedRegister } from '../../protocol/values.js';
import type { ModbusBus } from './modbus-bus.js';
import type { ModbusClient } from './modbus-client.js';

export interface ModbusPollerOptions {
  adapter: Adapter;
  bus: ModbusBus;
  unitId: number;
  timeoutMs: number;
  retries: number;
  plan: ReadPlanOptions;
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
  private readonly now: () => number;

  constructor(private readonly opts: ModbusPollerOptions) {
    this.now = opts.now ?? Date.now;
    const byGroup = new Map<PollGroup, RegisterDef[]>();
    for (const r of opts.adapter.registers) byGroup.set(r.poll ?? 'normal', [...(byGroup.get(r.poll ?? 'normal') ?? []), r]);
    for (const [g, regs] of byGroup) this.plans.set(g, planReads(regs, opts.plan));
  }

  /** Registers the device refused with a Modbus exception. */
  unsupported(): UnsupportedRegister[] {
    return [];
  }

  /** Poll groups this slave has registers in, with their read requests. */
  get groups(): ReadonlyMap<PollGroup, readonly ReadRequest[]> {
    return this.plans;
  }

  /** Reads one poll group. Throws FL_ERR_MODBUS_* when the slave does not answer properly. */
  pollGroup(group: PollGroup): Promise<Sample[]> {
    return this.read(this.plans.get(group) ?? []);
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
      if (!Number.isFinite(value)) throw new FaultlineError('FL_ERR_RPC_BAD_VALUE', `value for "${name}" must be a finite number`, { context: { name } });
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
          throw new FaultlineError(`FL_ERR_MODBUS_${kind.toUpperCase()}`, `unit ${this.opts.unitId} on ${this.opts.bus.key}: ${e.message ?? String(err)}`, {
            cause: err, context: { bus: this.opts.bus.key, unitId: this.opts.unitId, kind, modbusCode: e.modbusCode, attempts: attempt + 1 },
          });
        }
        attempt++;
        this.counters.retries++;
      }
    }
  }

  private async read(reqs: readonly ReadRequest[]): Promise<Sample[]> {
    const samples: Sample[] = [];
    for (const req of reqs) {
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
        const value = decodeRegister(def, w);
        samples.push({ parameter: def.name, value, quality: Number.isFinite(value) ? 'good' : 'bad', timeMs: t });
      }
    }
    return samples;
  }
}
