/** The agent's YAML config: one TypeBox schema, the TypeScript type derived from it. */
import { Type, type Static } from '@sinclair/typebox';

const Id = (description: string) => Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', description });
const Ms = (def: number, description: string, minimum = 1) => Type.Integer({ minimum, default: def, description });

export const AgentConfigSchema = Type.Object({
  device: Type.Object({
    id: Id('the device id: 1-64 letters, digits, ".", "_" or "-"'),
    site: Id('the site id: 1-64 letters, digits, ".", "_" or "-"'),
    model: Type.String({ minLength: 1, description: 'the device model, e.g. VFD-4000; picks the firmware adapter' }),
    firmware: Type.String({ minLength: 1, description: 'the device firmware version, e.g. 2.1.0' }),
    adapter: Type.Optional(Type.String({ minLength: 1, description: 'an adapter id (e.g. generic-vfd) to use instead of matching by model' })),
  }, { additionalProperties: false, description: 'which device this agent speaks for' }),
  mqtt: Type.Object({
    url: Type.String({ pattern: '^(mqtt|mqtts|tcp|ssl)://', default: 'mqtt://127.0.0.1:1883', description: 'the broker URL, e.g. mqtt://collector.example:1883' }),
    username: Type.Optional(Type.String({ description: 'the device user name on the broker' })),
    password: Type.Optional(Type.String({ description: 'the device password on the broker (never logged)' })),
    protocolVersion: Type.Union([Type.Literal(4), Type.Literal(5)], { default: 4, description: '4 (MQTT 3.1.1) or 5 (MQTT 5)' }),
    keepaliveS: Type.Integer({ minimum: 5, maximum: 3600, default: 30, description: 'keep-alive seconds, 5-3600' }),
    reconnectMs: Ms(2000, 'milliseconds between reconnect attempts', 100),
  }, { additionalProperties: false, default: {}, description: 'the MQTT broker the agent publishes to' }),
  modbus: Type.Optional(Type.Object({
    host: Type.String({ minLength: 1, description: 'the device IP address or host name' }),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 502, description: 'a TCP port, 1-65535' }),
    unitId: Type.Optional(Type.Integer({ minimum: 0, maximum: 255, description: 'the Modbus unit id, 0-255 (default: the adapter\'s)' })),
    timeoutMs: Ms(1000, 'milliseconds to wait for a reply'),
    pollIntervalMs: Ms(1000, 'milliseconds between polls', 10),
    maxRegistersPerRequest: Type.Integer({ minimum: 1, maximum: 125, default: 125, description: 'registers per read request, 1-125' }),
    maxGap: Type.Integer({ minimum: 0, maximum: 100, default: 0, description: 'unused registers a request may span to join two groups, 0-100' }),
    failuresBeforeCommLoss: Type.Integer({ minimum: 1, maximum: 100, default: 3, description: 'consecutive failed polls before a comm-loss fault, 1-100' }),
  }, { additionalProperties: false, description: 'the Modbus TCP connection to the device' })),
  system: Type.Object({
    enabled: Type.Boolean({ default: true, description: 'true or false' }),
    intervalMs: Ms(5000, 'milliseconds between system metric reads', 500),
  }, { additionalProperties: false, default: {}, description: 'host health metrics (CPU, memory, disk)' }),
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
