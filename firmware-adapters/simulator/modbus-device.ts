/**
 * The Modbus TCP face of a simulated device: modbus-serial's ServerTCP answering reads from a
 * DeviceModel. Only the adapter's unit id answers, like a real slave. pause() makes it behave
 * like a slave process stopped with SIGSTOP: connections are accepted, requests are taken but
 * not answered, and on resume() they are carried out (a write held meanwhile is applied then).
 */
import type { Server } from 'node:net';
import ModbusRTU from 'modbus-serial';
import { FaultlineError } from '../../protocol/errors.js';
import type { Adapter, RegisterTable } from '../schema.js';
import { DeviceModel } from './device-model.js';
import { freePort } from './free-port.js';

export interface SimulatedModbusDevice {
  readonly model: DeviceModel;
  readonly host: string;
  readonly port: number;
  readonly unitId: number;
  /** Modbus requests answered so far. */
  readonly requests: number;
  /** Holds every request (no answer) until resume(), like a stopped slave process. */
  pause(): void;
  /** Carries out the held requests, in order, and answers again. */
  resume(): void;
  /**
   * Never answers a read that touches `address` of `table`, alone or in a block (like a drive or a
   * serial gateway that stays silent when asked for a register it lacks, instead of answering
   * exception 02); the rest still answer, until unmute().
   */
  mute(table: RegisterTable, address: number): void;
  /** Answers every read again (requests dropped meanwhile stay unanswered). */
  unmute(): void;
  stop(): Promise<void>;
}

type Callback<T> = (err: Error | null, value: T) => void;

type ServerTCPInstance = InstanceType<typeof ModbusRTU.ServerTCP> & { _server: Server };

export async function startModbusDevice(adapter: Adapter, opts: { host?: string; port?: number; seed?: number; now?: () => number } = {}): Promise<SimulatedModbusDevice> {
  const host = opts.host ?? '127.0.0.1';
  const now = opts.now ?? Date.now;
  const model = new DeviceModel(adapter, opts.seed);
  let requests = 0;
  const read = (table: RegisterTable) => (addr: number, length: number): number[] => {
    requests++;
    return model.readWords(table, addr, length, now());
  };
  const write = (table: 'holding' | 'coil', addr: number, words: number[]): void => {
    requests++;
    if (model.write(table, addr, words).length === 0) throw new FaultlineError('FL_ERR_SIM_NOT_WRITABLE', `${table} ${addr} is not writable`);
  };
  let gate: { held: Promise<void>; open: () => void } | null = null;
  const silent = (table: RegisterTable, addr: number, length: number): boolean => model.mutes(table, addr, length);
  /** Runs `fn` now, or once resumed when paused; its result or error goes to the callback. */
  const settle = <T>(fn: () => T, cb: Callback<T>, onError: T): void => {
    const run = (): void => {
      let value: T;
      try { value = fn(); } catch (err) { cb(err instanceof Error ? err : new Error(String(err)), onError); return; }
      cb(null, value);
    };
    if (gate) void gate.held.then(run); else run();
  };
  // Callback forms (4 and 3 arguments) so that an answer can wait for resume().
  const vector = {
    getMultipleHoldingRegisters: (addr: number, length: number, _unit: number, cb: Callback<number[]>) => {
      if (!silent('holding', addr, length)) settle(() => read('holding')(addr, length), cb, []);
    },
    getMultipleInputRegisters: (addr: number, length: number, _unit: number, cb: Callback<number[]>) => {
      if (!silent('input', addr, length)) settle(() => read('input')(addr, length), cb, []);
    },
    // Single-register reads (and coils, discrete inputs: one call per bit) go here: a muted address leaves the whole request unanswered.
    getHoldingRegister: (addr: number, _unit: number, cb: Callback<number>) => {
      if (!silent('holding', addr, 1)) settle(() => read('holding')(addr, 1)[0] ?? 0, cb, 0);
    },
    getInputRegister: (addr: number, _unit: number, cb: Callback<number>) => {
      if (!silent('input', addr, 1)) settle(() => read('input')(addr, 1)[0] ?? 0, cb, 0);
    },
    getCoil: (addr: number, _unit: number, cb: Callback<boolean>) => {
      if (!silent('coil', addr, 1)) settle(() => read('coil')(addr, 1)[0] === 1, cb, false);
    },
    getDiscreteInput: (addr: number, _unit: number, cb: Callback<boolean>) => {
      if (!silent('discrete', addr, 1)) settle(() => read('discrete')(addr, 1)[0] === 1, cb, false);
    },
    setCoil: (addr: number, value: boolean, _unit: number, cb: (err: Error | null) => void) => settle(() => write('coil', addr, [value ? 1 : 0]), cb, undefined),
    setRegisterArray: (addr: number, values: number[], _unit: number, cb: (err: Error | null) => void) => settle(() => write('holding', addr, values), cb, undefined),
    setRegister: (addr: number, value: number, _unit: number, cb: (err: Error | null) => void) => settle(() => write('holding', addr, [value]), cb, undefined),
  };

  // ServerTCP treats port 0 as "use 502", so a free port is chosen first; retried if another process takes it meanwhile.
  for (let attempt = 0; ; attempt++) {
    const port = opts.port ?? (await freePort(host));
    const server = new ModbusRTU.ServerTCP(vector, { host, port, unitID: adapter.unitId }) as ServerTCPInstance;
    const started = await new Promise<Error | null>((resolve) => {
      server.once('initialized', () => resolve(null));
      server.once('serverError', (err: Error) => resolve(err));
    });
    if (started) {
      await new Promise<void>((r) => server._server.close(() => r()));
      if (opts.port !== undefined || attempt >= 4) {
        throw new FaultlineError('FL_ERR_SIM_LISTEN', `simulated device cannot listen on ${host}:${port}: ${started.message}`, { cause: started, context: { host, port } });
      }
      continue;
    }
    server.on('socketError', () => { /* a client went away mid-request: not the simulator's problem */ });
    let stopped = false;
    return {
      model, host, port, unitId: adapter.unitId,
      get requests() { return requests; },
      pause: () => {
        if (gate) return;
        let open = (): void => undefined;
        const held = new Promise<void>((r) => { open = r; });
        gate = { held, open };
      },
      resume: () => {
        const g = gate;
        gate = null;
        g?.open();
      },
      mute: (table, address) => { model.mute(table, address); },
      unmute: () => { model.unmute(); },
      stop: () => {
        const g = gate;
        gate = null;
        g?.open();
        if (stopped) return Promise.resolve();
        stopped = true;
        for (const sock of server.socks.keys()) sock.destroy();
        return new Promise<void>((r) => server.close(() => r()));
      },
    };
  }
}
