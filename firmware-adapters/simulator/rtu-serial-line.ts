/** Simulated slaves answering Modbus RTU on a real serial port (in tests: one end of a socat pty pair). */
import { SerialPort } from 'serialport';
import type { Adapter } from '../schema.js';
import { RtuLine } from './rtu-gateway.js';

export interface SerialRtuSlaves {
  readonly line: RtuLine;
  stop(): Promise<void>;
}

export async function startSerialRtuSlaves(path: string, baudRate: number, slaves: ReadonlyArray<{ unitId: number; adapter: Adapter; seed?: number }>): Promise<SerialRtuSlaves> {
  const line = new RtuLine(slaves);
  const port = new SerialPort({ path, baudRate, parity: 'even', dataBits: 8, stopBits: 1, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  port.on('data', line.session((frame) => port.write(Buffer.from(frame))));
  port.on('error', () => undefined);
  return {
    line,
    stop: () => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())),
  };
}
