/**
 * modbus-serial's client class. Its typings declare an ES default export but the package is
 * CommonJS (module.exports = ModbusRTU), so under NodeNext the default import is typed as the
 * namespace; this file states the real shape once.
 */
import modbusSerial from 'modbus-serial';
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';

export type ModbusClient = ModbusRTU;
export const ModbusClient = modbusSerial as unknown as typeof ModbusRTU;
