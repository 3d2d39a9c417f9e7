/**
 * The Modbus TCP edge of the agent: reads the adapter's registers with as few requests as the
 * read plan allows, decodes them, and reports failures as typed errors. One request at a time
 * per connection; a failed connection is dropped and reopened on the next poll.
 */
import type { Logger } from 'pino';
import { decodeRegister, planReads, sliceWords, type ReadRequest } from '../../firmware-adapters/index.js';
import type { ReadPlanOptions } from '../../firmware-adapters/read-plan.js';
import type { Adapter } from '../../firmware-adapters/schema.js';
import { FaultlineError } from '../../protocol/errors.js';
import type { Sample } from '../../protocol/values.js';
import { ModbusClient } from './modbus-client.js';

export interface ModbusPollerOptions {
  adapter: Adapter;
  host: string;
  port: number;
  unitId: number;
  timeoutMs: number;
  plan: ReadPlanOptions;
  log: Logger;
  now?: () => number;
}

export class ModbusPoller {
  private client: ModbusClient | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly plan: ReadRequest[];
  private readonly now: () => number;
  errors = 0;
  requests = 0;

  constructor(private readonly opts: ModbusPollerOptions) {
    this.plan = planReads(opts.adapter.registers, opts.plan);
    this.now = opts.now ?? Date.now;
  }

  /** The read requests one full poll makes (for `agent check` and tests). */
  get readPlan(): readonly ReadRequest[] {
    return this.plan;
  }

  /** Reads every register once. Throws FL_ERR_MODBUS_* on failure. */
  pollAll(): Promise<Sample[]> {
    return this.serial(() => this.read(this.plan));
  }

  /** A fresh read of the named registers (not a cache), for live RPC reads. */
  readNamed(names: readonly string[]): Promise<Sample[]> {
    const wanted = new Set(names);
    const regs = this.opts.adapter.registers.filter((r) => wanted.has(r.name));
    return this.serial(() => this.read(planReads(regs, this.opts.plan)));
  }

  stop(): Promise<void> {
    return this.serial(async () => this.drop());
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async connection(): Promise<ModbusClient> {
    if (this.client?.isOpen) return this.client;
    this.drop();
    const c = new ModbusClient();
    try {
      await c.connectTCP(this.opts.host, { port: this.opts.port, timeout: this.opts.timeoutMs });
    } catch (cause) {
      c.close(() => undefined);
      throw new FaultlineError('FL_ERR_MODBUS_CONNECT', `cannot connect to Modbus device ${this.opts.host}:${this.opts.port}: ${(cause as Error).message}`, {
        cause, context: { host: this.opts.host, port: this.opts.port },
      });
    }
    c.setID(this.opts.unitId);
    c.setTimeout(this.opts.timeoutMs);
    this.client = c;
    return c;
  }

  private drop(): void {
    if (this.client) {
      const c = this.client;
      this.client = null;
      c.close(() => undefined);
    }
  }

  private async read(reqs: readonly ReadRequest[]): Promise<Sample[]> {
    const c = await this.connection().catch((e: unknown) => { this.errors++; throw e; });
    const samples: Sample[] = [];
    for (const req of reqs) {
      this.requests++;
      let words: number[];
      try {
        const res = req.table === 'holding' ? await c.readHoldingRegisters(req.address, req.length) : await c.readInputRegisters(req.address, req.length);
        words = res.data;
      } catch (cause) {
        this.errors++;
        const err = cause as Error & { modbusCode?: number; errno?: string };
        // A timeout or a broken socket leaves the connection in doubt; an exception reply does not.
        if (err.modbusCode === undefined) this.drop();
        throw new FaultlineError('FL_ERR_MODBUS_READ', `reading ${req.table} ${req.address}+${req.length} from unit ${this.opts.unitId} failed: ${err.message}`, {
          cause, context: { table: req.table, address: req.address, length: req.length, unitId: this.opts.unitId, modbusCode: err.modbusCode },
        });
      }
      if (!Array.isArray(words) || words.length < req.length) {
        this.errors++;
        throw new FaultlineError('FL_ERR_MODBUS_REPLY', `short reply for ${req.table} ${req.address}+${req.length}: ${Array.isArray(words) ? words.length : 0} registers`, {
          context: { table: req.table, address: req.address, length: req.length },
        });
      }
      const t = this.now();
      for (const [def, w] of sliceWords(req, words)) {
        const value = decodeRegister(def, w);
        samples.push({ parameter: def.name, value, quality: Number.isFinite(value) ? 'good' : 'bad', timeMs: t });
      }
    }
    return samples;
  }
}
