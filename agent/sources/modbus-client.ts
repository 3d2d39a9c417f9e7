/**
 * What the agent asks of a Modbus client, and the client for each transport: our own over TCP
 * (Modbus TCP and rtu-over-tcp, modbus-net-client.ts), modbus-serial with serialport on a
 * serial port (modbus-serial-client.ts, loaded only when a device is configured there).
 */
import type { BusSpec } from './modbus-bus.js';
import { NetModbusClient } from './modbus-net-client.js';

export interface ModbusClient {
  readonly isOpen: boolean;
  setID(unitId: number): void;
  setTimeout(ms: number): void;
  close(done: () => void): void;
  readCoils(address: number, count: number): Promise<{ data: boolean[] }>;
  readDiscreteInputs(address: number, count: number): Promise<{ data: boolean[] }>;
  readHoldingRegisters(address: number, count: number): Promise<{ data: number[] }>;
  readInputRegisters(address: number, count: number): Promise<{ data: number[] }>;
  writeCoil(address: number, on: boolean): Promise<unknown>;
  writeCoils(address: number, values: boolean[]): Promise<unknown>;
  writeRegister(address: number, value: number): Promise<unknown>;
  writeRegisters(address: number, values: number[]): Promise<unknown>;
}

/** A client not connected yet, and how to connect it. */
export interface UnopenedModbusClient {
  client: ModbusClient;
  open(): Promise<void>;
}

export async function modbusClientFor(spec: BusSpec): Promise<UnopenedModbusClient> {
  if (spec.transport === 'rtu') {
    const { serialModbusClient } = await import('./modbus-serial-client.js');
    return serialModbusClient(spec);
  }
  const client = new NetModbusClient(spec.transport === 'tcp' ? 'mbap' : 'rtu');
  return { client, open: () => client.connect(spec.host ?? '', spec.port) };
}
