/**
 * What the agent asks of a Modbus client, and the client for each transport: our own over TCP
 * (Modbus TCP and rtu-over-tcp, modbus-net-client.ts), modbus-serial with serialport on a
 * serial port (modbus-serial-client.ts, loaded only when a device is configured there).
 */
import type { BusSpec, UnopenedModbusClient } from './modbus-client-types.js';
import { NetModbusClient } from './modbus-net-client.js';

export type { BusSpec, ModbusClient, UnopenedModbusClient } from './modbus-client-types.js';

export async function modbusClientFor(spec: BusSpec): Promise<UnopenedModbusClient> {
  if (spec.transport === 'rtu') {
    const { serialModbusClient } = await import('./modbus-serial-client.js');
    return serialModbusClient(spec);
  }
  const client = new NetModbusClient(spec.transport === 'tcp' ? 'mbap' : 'rtu');
  return { client, open: () => client.connect(spec.host ?? '', spec.port) };
}
