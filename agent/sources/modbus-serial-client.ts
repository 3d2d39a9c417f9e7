/**
 * Modbus RTU on a serial port: modbus-serial with serialport (a native addon), imported only when
 * a device is configured on a serial port (dynamically, so that the agent bundle does not load
 * it at start either). Its typings declare an ES default export but the package is CommonJS
 * (module.exports = ModbusRTU), so under NodeNext the default import is typed as the namespace;
 * this file states the real shape once.
 */
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';
import type { BusSpec, UnopenedModbusClient } from './modbus-client-types.js';

export async function serialModbusClient(spec: BusSpec): Promise<UnopenedModbusClient> {
  const ModbusRtuClient = (await import('modbus-serial')).default as unknown as typeof ModbusRTU;
  const client = new ModbusRtuClient();
  // Once the port is open, modbus-serial re-emits serial port errors (an unplugged USB adapter, EIO)
  // as 'error': without a listener Node would throw and end the agent. The request in flight then
  // fails (timeout or "Port Not Open") and the poller resets the bus, which reports it.
  client.on('error', () => undefined);
  return {
    client,
    open: () => client.connectRTUBuffered(spec.path ?? '', { baudRate: spec.baudRate, parity: spec.parity, dataBits: spec.dataBits, stopBits: spec.stopBits }),
  };
}
