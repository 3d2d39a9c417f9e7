/**
 * The agent's YAML config: one TypeBox schema, the TypeScript type derived from it.
 * One agent process speaks for one or more devices (e.g. several Modbus slaves behind one
 * gateway); each device has its own MQTT identity, adapter and sources.
 */
import { Type, type Static } from '@sinclair/typebox';

const Id = (description: string) => Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', description });
const Ms = (def: number, description: string, minimum = 1) => Type.Integer({ minimum, default: def, description });
const Port = (def: number) => Type.Integer({ minimum: 1, maximum: 65535, default: def, description: 'a TCP port, 1-65535' });

const LevelRule = (enabled: boolean, raiseAt: number, clearAt: number, onDelayMs: number, what: string) => Type.Object({
  enabled: Type.Boolean({ default: enabled, description: 'true or false' }),
  raiseAt: Type.Number({ default: raiseAt, description: `the level (${what}) above which the fault is raised` }),
  clearAt: Type.Number({ default: clearAt, description: `the level (${what}) at or below which it clears; below raiseAt` }),
  onDelayMs: Ms(onDelayMs, 'milliseconds the level must hold before the fault is raised', 0),
}, { additionalProperties: false, default: {} });

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
  reprobeMs: Ms(300000, 'milliseconds between re-reads of a register marked unsupported (the device answered it with an exception, or never answered it alone; not polled meanwhile)', 100),
}, { additionalProperties: false, description: 'how to reach the device over Modbus' });

export const LogFileSchema = Type.Object({
  path: Type.String({ minLength: 1, description: 'the log file to follow, e.g. /var/log/syslog' }),
  format: Type.Union([Type.Literal('syslog3164'), Type.Literal('syslog5424'), Type.Literal('jsonl'), Type.Literal('plain'), Type.Literal('regex')], { description: 'syslog3164, syslog5424, jsonl, plain or regex' }),
  pattern: Type.Optional(Type.String({ minLength: 1, description: 'for format regex: a pattern with named groups time/host/app/pid/severity/message' })),
  zone: Type.Union([Type.Literal('local'), Type.Literal('utc')], { default: 'local', description: 'local or utc: how zone-less syslog times are read' }),
  startAt: Type.Union([Type.Literal('end'), Type.Literal('beginning')], { default: 'end', description: 'end or beginning: where to start in a file met for the first time' }),
  maxLineBytes: Type.Integer({ minimum: 256, maximum: 1048576, default: 16384, description: 'longer lines are cut and counted, 256-1048576' }),
  multiline: Type.Optional(Type.Union([Type.Literal(false), Type.Object({
    startPattern: Type.Optional(Type.String({ minLength: 1 })),
    continuationPattern: Type.Optional(Type.String({ minLength: 1 })),
    flushMs: Type.Optional(Type.Integer({ minimum: 10, maximum: 60000 })),
    maxLines: Type.Optional(Type.Integer({ minimum: 2, maximum: 10000 })),
  }, { additionalProperties: false })], { description: 'false, or the rules that join stack-trace lines into one record (default on, except for jsonl)' })),
  json: Type.Optional(Type.Object({
    messageField: Type.Optional(Type.String({ minLength: 1 })),
    levelField: Type.Optional(Type.String({ minLength: 1 })),
    timeField: Type.Optional(Type.String({ minLength: 1 })),
  }, { additionalProperties: false, description: 'field names for jsonl' })),
}, { additionalProperties: false });

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
  registers: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }), {
    minItems: 1, description: 'an inline register map for a device no adapter file describes: a list of registers with the fields of an adapter\'s (name, table, address, type, wordOrder, scale, unit, description, …), validated like adapters',
  })),
  thresholds: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }), {
    description: 'with registers: threshold rules on them, with the fields of an adapter\'s thresholds',
  })),
  logs: Type.Array(LogFileSchema, { default: [], description: 'a list of log files of this device to follow; matches of its adapter\'s log patterns become faults' }),
  system: Type.Object({
    enabled: Type.Boolean({ default: false, description: 'true or false' }),
    intervalMs: Ms(5000, 'milliseconds between system metric reads', 500),
    readTimeoutMs: Ms(3000, 'longest wait for one part of a system read', 100),
    mounts: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'a list of mount points to report; empty: every real file system' }),
    interfaces: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'a list of network interfaces expected to have link (a link-down fault each); empty: report every physical one, no link-down fault' }),
    processes: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'a list of process names expected to run (a process-down fault each)' }),
    processDownDelayMs: Ms(0, 'milliseconds a process may be missing before the fault is raised', 0),
    linkDownDelayMs: Ms(0, 'milliseconds an interface may be down before the fault is raised', 0),
    diskFull: LevelRule(true, 90, 85, 0, 'percent used per mount'),
    cpuHigh: LevelRule(false, 95, 80, 60000, 'percent CPU load'),
    memoryHigh: LevelRule(false, 95, 85, 60000, 'percent memory in use'),
    temperatureHigh: LevelRule(true, 85, 75, 10000, '°C per sensor'),
  }, { additionalProperties: false, default: {}, description: 'host health (CPU, memory, disks, temperatures, network links, processes) reported as this device\'s' }),
}, { additionalProperties: false, description: 'a device this agent speaks for' });

export const AgentConfigSchema = Type.Object({
  adapterFiles: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'a list of adapter files (JSON or YAML) or directories of them, added to the built-in adapters' }),
  stateDir: Type.String({ minLength: 1, default: './agent-state', description: 'a directory for the agent\'s durable state (outbox, log positions)' }),
  logTail: Type.Object({
    pollIntervalMs: Ms(500, 'milliseconds between checks of followed files (file-change notifications make it sooner)', 50),
    persistIntervalMs: Ms(1000, 'milliseconds between saves of read positions; 0 saves after every batch', 0),
    excerptLines: Type.Integer({ minimum: 1, maximum: 200, default: 20, description: 'log lines attached to each fault event, 1-200' }),
    keepLines: Type.Integer({ minimum: 1, maximum: 10000, default: 200, description: 'recent lines kept per file for RPC reads, 1-10000' }),
  }, { additionalProperties: false, default: {} }),
  mqtt: Type.Object({
    url: Type.String({ pattern: '^(mqtt|mqtts|tcp|ssl)://', default: 'mqtt://127.0.0.1:1883', description: 'the broker URL, e.g. mqtt://collector.example:1883' }),
    protocolVersion: Type.Union([Type.Literal(4), Type.Literal(5)], { default: 4, description: '4 (MQTT 3.1.1) or 5 (MQTT 5)' }),
    keepaliveS: Type.Integer({ minimum: 5, maximum: 3600, default: 30, description: 'keep-alive seconds, 5-3600' }),
    connectTimeoutMs: Ms(10000, 'milliseconds to wait for the broker to accept a connection', 100),
    reconnect: Type.Object({
      minMs: Ms(1000, 'shortest wait before a reconnect, in milliseconds'),
      maxMs: Ms(10000, 'longest wait before a reconnect, in milliseconds (at least minMs); after a long outage the agent is back within this plus the connect time'),
    }, { additionalProperties: false, default: {}, description: 'jittered exponential backoff between reconnect attempts' }),
    maxInFlight: Type.Integer({ minimum: 1, maximum: 1000, default: 32, description: 'unacknowledged publishes at most, 1-1000' }),
    tls: Type.Optional(Type.Object({
      caFile: Type.Optional(Type.String({ minLength: 1, description: 'a PEM file of the CA that signed the broker certificate (default: the system CAs)' })),
      certFile: Type.Optional(Type.String({ minLength: 1, description: 'this agent\'s client certificate (PEM), with keyFile' })),
      keyFile: Type.Optional(Type.String({ minLength: 1, description: 'the client certificate\'s private key (PEM), with certFile' })),
      rejectUnauthorized: Type.Boolean({ default: true, description: 'true; false accepts any broker certificate (lab use only)' }),
    }, { additionalProperties: false, description: 'TLS settings for mqtts:// URLs' })),
  }, { additionalProperties: false, default: {}, description: 'the MQTT broker the agent publishes to' }),
  outbox: Type.Object({
    file: Type.Optional(Type.String({ minLength: 1, description: 'the outbox database file (default: <stateDir>/outbox.db); one per agent process' })),
    maxBytes: Type.Integer({ minimum: 1024, default: 67108864, description: 'bytes of messages kept while the broker is unreachable; then telemetry is evicted first, oldest first' }),
    fsyncTelemetry: Type.Boolean({ default: false, description: 'false: telemetry and status batches (and deletions of sent messages) are written crash-safe but not fsync\'d each (a power cut may lose the last few batches); true: each is fsync\'d like a fault event (~0.1% of a core more at one batch a second)' }),
    unstoredMaxMs: Type.Integer({ minimum: 0, maximum: 60000, default: 1000, description: 'telemetry and status go out straight from memory while none of theirs waits in the outbox, and are stored only if the broker has not acknowledged them within this many milliseconds or the connection drops (a SIGKILL loses at most that much unacknowledged telemetry); 0: every batch is stored before it is sent. Ignored (0) when fsyncTelemetry is true. Below the poll interval it costs a wake-up per batch (the deadline timer is the next one due)' }),
  }, { additionalProperties: false, default: {}, description: 'the durable queue of everything waiting to be published' }),
  delivery: Type.Object({
    receipts: Type.Boolean({ default: true, description: 'true: a fault event leaves the outbox only when the collector\'s receipt says it is stored (a broker\'s acknowledgement alone is not enough), and unreceipted events are resent; false: deleted on the broker\'s acknowledgement (for a collector older than receipts)' }),
    receiptTimeoutMs: Ms(30000, 'milliseconds after the broker\'s acknowledgement before an event with no receipt is sent again; each further resend waits twice as long', 100),
    maxResendIntervalMs: Ms(300000, 'longest wait between two sends of an unreceipted event, in milliseconds (at least receiptTimeoutMs)', 100),
  }, { additionalProperties: false, default: {}, description: 'end-to-end delivery of fault events: receipts from the collector' }),
  devices: Type.Array(DeviceSchema, { minItems: 1, description: 'a list of the devices this agent speaks for' }),
  detection: Type.Object({
    preFaultWindowS: Type.Integer({ minimum: 1, maximum: 3600, default: 30, description: 'seconds of samples attached to each event, 1-3600' }),
    chatter: Type.Object({
      cycles: Type.Integer({ minimum: 0, maximum: 100, default: 3, description: 'raise/clear cycles within windowS that make an input chattering; 0 turns suppression off' }),
      windowS: Type.Integer({ minimum: 1, maximum: 3600, default: 60, description: 'seconds, 1-3600' }),
      holdS: Type.Integer({ minimum: 1, maximum: 3600, default: 60, description: 'seconds an input must stay stable before chattering clears, 1-3600' }),
    }, { additionalProperties: false, default: {} }),
  }, { additionalProperties: false, default: {} }),
  telemetry: Type.Object({
    intervalMs: Ms(1000, 'milliseconds between telemetry batches stored in the outbox (0 disables); what a SIGKILL or power cut can lose', 0),
    staleFactor: Type.Number({ minimum: 1.5, maximum: 100, default: 2, description: 'poll intervals a value may go without a read (good or failed) before it is sent as stale, 1.5-100' }),
  }, { additionalProperties: false, default: {} }),
  status: Type.Object({
    intervalMs: Ms(60000, 'milliseconds between status messages', 1000),
  }, { additionalProperties: false, default: {} }),
}, { additionalProperties: false });

export type AgentConfig = Static<typeof AgentConfigSchema>;
export type DeviceConfig = Static<typeof DeviceSchema>;
export type ModbusConfig = Static<typeof ModbusSchema>;
export type LogFileConfigEntry = Static<typeof LogFileSchema>;
