/** What the agent asks of a Modbus client and of a bus's connection settings (the types every transport shares). */
import type { ModbusConfig } from '../config/agent-config-schema.js';

/** The connection part of a device's Modbus config: devices with the same one share a bus. */
export type BusSpec = Pick<ModbusConfig, 'transport' | 'host' | 'port' | 'path' | 'baudRate' | 'parity' | 'dataBits' | 'stopBits' | 'timeoutMs'>;

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
