/**
 * The agent's YAML config: one TypeBox schema, the TypeScript type derived from it.
 * One agent process speaks for one or more devices (e.g. several Modbus slaves behind one
 * gateway); each device has its own MQTT identity, adapter and sources.
 */
import { Type, type Static } from '@sinclair/typebox';

const Id = (description: string) => Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', description });
const Ms = (def: number, description: string, minimum = 1) => Type.Integer({ minimum, default: def, description });
const Port = (def: number) => Type.Integer({ minimum: 1, maximum: 65535, default: def, description: 'a TCP port, 1-65535' });

export const ModbusSchema = Type.Object({
  transport: Type.Union([Type.Literal('tcp'), Type.Literal('rtu-over-tcp'), Type.Literal('rtu')], {
    default: 'tcp', description: 'tcp (Modbus TCP), rtu-over-tcp (RTU frames through a TCP serial server) or rtu (a serial port)',
  }),
  host: Type.Optional(Type.String({ minLength: 1, description: 'the device or gateway address (tcp, rtu-over-tcp)' })),
  port: Port(502),
  path: Type.Optional(Type.String({ minLength: 1, description: 'the serial device, e.g. /dev/ttyUSB0 (rtu)' })),
  baudRate: Type.Integer({ minimum: 300, maximum: 921600, default: 19200, description: 'serial speed (rtu)' }),
  parity: Type.Union([Type.Literal('none'), Type.Literal('even'), Type.Literal('odd')], { default: 'even', description: 'none, even or odd (rtu)' }),
  dataBits: Type.Union([Type.Literal(7), Type.Literal(8)], { default: 8, description: '7 or 8 (rtu)' }),
  stopBits: Type.Union([Type.Literal(1), Type.Literal(2)], { default: 1, description: '1 or 2 (rtu)' }),
  unitId: Type.Optional(Type.Integer({ minimum: 0, maximum: 255, description: 'the Modbus unit id, 0-255 (default: the adapter\'s)' })),
  timeoutMs: Ms(1000, 'milliseconds to wait for a reply'),
  retries: Type.Integer({ minimum: 0, maximum: 5, default: 1, description: 'retries of a failed request before the poll counts as failed, 0-5' }),
  intervals: Type.Object({
    fast: Ms(250, 'poll period of registers marked poll: fast', 10),
    normal: Ms(1000, 'poll period of ordinary registers', 10),
    slow: Ms(10000, 'poll period of registers marked poll: slow', 10),
  }, { additionalProperties: false, default: {}, description: 'poll group periods in milliseconds' }),
  maxRegistersPerRequest: Type.Integer({ minimum: 1, maximum: 125, default: 125, description: 'registers per read request, 1-125' }),
  maxGap: Type.Integer({ minimum: 0, maximum: 100, default: 0, description: 'unused registers a request may span to join two groups, 0-100' }),
  failuresBeforeCommLoss: Type.Integer({ minimum: 1, maximum: 100, default: 3, description: 'consecutive failed polls before a comm-loss fault, 1-100' }),
  backoffMaxMs: Ms(30000, 'longest pause between polls of a slave that stopped answering', 100),
}, { additionalProperties: false, description: 'how to reach the device over Modbus' });

export const DeviceSchema = Type.Object({
  id: Id('the device id: 1-64 letters, digits, ".", "_" or "-"'),
  site: Id('the site id: 1-64 letters, digits, ".", "_" or "-"'),
  model: Type.String({ minLength: 1, description: 'the device model, e.g. VFD-4000; picks the firmware adapter' }),
  firmware: Type.String({ minLength: 1, description: 'the device firmware version, e.g. 2.1.0' }),
  adapter: Type.Optional(Type.String({ minLength: 1, description: 'an adapter id (e.g. generic-vfd) to use instead of matching by model' })),
  username: Type.Optional(Type.String({ description: 'this device\'s user name on the broker' })),
  password: Type.Optional(Type.String({ description: 'this device\'s password on the broker (never logged)' })),
  writeKey: Type.Optional(Type.String({ minLength: 16, description: 'shared secret (16+ characters) the collector signs parameter writes with; without it writes are refused' })),
  modbus: Type.Optional(ModbusSchema),
  system: Type.Object({
    enabled: Type.Boolean({ default: false, description: 'true or false' }),
    intervalMs: Ms(5000, 'milliseconds between system metric reads', 500),
  }, { additionalProperties: false, default: {}, description: 'host health metrics (CPU, memory, disk) reported as this device\'s' }),
}, { additionalProperties: false, description: 'a device this agent speaks for' });

export const AgentConfigSchema = Type.Object({
  mqtt: Type.Object({
    url: Type.String({ pattern: '^(mqtt|mqtts|tcp|ssl)://', default: 'mqtt://127.0.0.1:1883', description: 'the broker URL, e.g. mqtt://collector.example:1883' }),
    protocolVersion: Type.Union([Type.Literal(4), Type.Literal(5)], { default: 4, description: '4 (MQTT 3.1.1) or 5 (MQTT 5)' }),
    keepaliveS: Type.Integer({ minimum: 5, maximum: 3600, default: 30, description: 'keep-alive seconds, 5-3600' }),
    reconnectMs: Ms(2000, 'milliseconds between reconnect attempts', 100),
  }, { additionalProperties: false, default: {}, description: 'the MQTT broker the agent publishes to' }),
  devices: Type.Array(DeviceSchema, { minItems: 1, description: 'a list of the devices this agent speaks for' }),
  detection: Type.Object({
    preFaultWindowS: Type.Integer({ minimum: 1, maximum: 3600, default: 30, description: 'seconds of samples attached to each event, 1-3600' }),
  }, { additionalProperties: false, default: {} }),
  telemetry: Type.Object({
    intervalMs: Ms(5000, 'milliseconds between telemetry batches (0 disables)', 0),
  }, { additionalProperties: false, default: {} }),
  status: Type.Object({
    intervalMs: Ms(60000, 'milliseconds between status messages', 1000),
  }, { additionalProperties: false, default: {} }),
}, { additionalProperties: false });

export type AgentConfig = Static<typeof AgentConfigSchema>;
export type DeviceConfig = Static<typeof DeviceSchema>;
export type ModbusConfig = Static<typeof ModbusSchema>;
