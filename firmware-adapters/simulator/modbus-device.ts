/**
 * The Modbus TCP face of a simulated device: modbus-serial's ServerTCP answering reads from a
 * DeviceModel. Only the adapter's unit id answers, like a real slave.
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
  stop(): Promise<void>;
}

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
  const vector = {
    getMultipleHoldingRegisters: read('holding'),
    getMultipleInputRegisters: read('input'),
    getHoldingRegister: (addr: number) => read('holding')(addr, 1)[0] ?? 0,
    getInputRegister: (addr: number) => read('input')(addr, 1)[0] ?? 0,
    getCoil: (addr: number) => read('coil')(addr, 1)[0] === 1,
    getDiscreteInput: (addr: number) => read('discrete')(addr, 1)[0] === 1,
    setCoil: (addr: number, value: boolean) => write('coil', addr, [value ? 1 : 0]),
    setRegisterArray: (addr: number, values: number[]) => write('holding', addr, values),
    setRegister: (addr: number, value: number) => write('holding', addr, [value]),
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
      stop: () => {
        if (stopped) return Promise.resolve();
        stopped = true;
        for (const sock of server.socks.keys()) sock.destroy();
        return new Promise<void>((r) => server.close(() => r()));
      },
    };
  }
}
