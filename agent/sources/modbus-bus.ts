/**
 * One Modbus connection (a TCP device or gateway, an RTU-over-TCP serial server, or a serial
 * port) shared by every slave behind it. Requests are serialised, as the wire requires; the
 * connection opens lazily and is dropped after a connection-level failure, to be reopened by
 * the next request. Slaves on different buses never wait for each other.
 */
import type { Logger } from '../../protocol/logger.js';
import { FaultlineError } from '../../protocol/errors.js';
import { modbusClientFor } from './modbus-client.js';
import type { BusSpec, ModbusClient, UnopenedModbusClient } from './modbus-client-types.js';

const CONNECT_TIMEOUT_MS = 5000;

export type { BusSpec };

/** Devices whose specs give the same key share one bus. */
export function busKey(spec: BusSpec): string {
  return spec.transport === 'rtu' ? `rtu:${spec.path ?? ''}` : `${spec.transport}://${spec.host ?? ''}:${spec.port}`;
}

export class ModbusBus {
  private client: ModbusClient | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private stopped = false;
  connects = 0;

  constructor(readonly spec: BusSpec, private readonly log: Logger) {}

  get key(): string {
    return busKey(this.spec);
  }

  /** Runs `op` against unit `unitId` when the bus is free. */
  run<T>(unitId: number, timeoutMs: number, op: (c: ModbusClient) => Promise<T>): Promise<T> {
    const task = async (): Promise<T> => {
      if (this.stopped) throw new FaultlineError('FL_ERR_MODBUS_STOPPED', `bus ${this.key} is stopped`);
      const c = await this.connection();
      c.setID(unitId);
      c.setTimeout(timeoutMs);
      return op(c);
    };
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** After a timeout or a broken frame the link state is unknown: start afresh on the next request. */
  reset(): void {
    if (this.client) {
      const c = this.client;
      this.client = null;
      c.close(() => undefined);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.queue;
    this.reset();
  }

  private async connection(): Promise<ModbusClient> {
    if (this.client?.isOpen) return this.client;
    this.reset();
    const s = this.spec;
    let made: UnopenedModbusClient;
    try {
      made = await modbusClientFor(s);
    } catch (cause) {
      throw new FaultlineError('FL_ERR_MODBUS_CONNECT', `cannot load the Modbus client for ${this.key}: ${(cause as Error).message}`, {
        cause, context: { bus: this.key }, hint: 'reinstall the agent (npm ci): transport rtu needs modbus-serial and serialport',
      });
    }
    const { client: c, open } = made;
    let timer: NodeJS.Timeout | undefined;
    // A connect to an unreachable host can hang for minutes at the OS level: give up much sooner.
    const giveUp = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no connection within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
    });
    try {
      await Promise.race([giveUp, open()]);
    } catch (cause) {
      c.close(() => undefined);
      throw new FaultlineError('FL_ERR_MODBUS_CONNECT', `cannot open Modbus bus ${this.key}: ${(cause as Error).message}`, {
        cause, context: { bus: this.key },
        hint: s.transport === 'rtu' ? 'check the serial device path and permissions' : 'check the address, the port and that the device is powered',
      });
    } finally {
      clearTimeout(timer);
    }
    this.connects++;
    this.log.debug({ bus: this.key }, 'modbus bus connected');
    this.client = c;
    return c;
  }
}
