/**
 * `faultline agent check --probe` (like `telegraf --test`): reads every register of every
 * configured device once, one register per request, and prints a table per device (raw words,
 * decoded value, unit, quality, exception, latency); then connects to the broker as each device
 * (credentials, TLS), subscribes to its rpc/req and publishes an empty telemetry batch to see
 * whether the broker's ACL lets it (an MQTT 5 broker says so with a reason code; an MQTT 3.1.1
 * broker cannot). Any failure makes the command exit 1.
 */
import { performance } from 'node:perf_hooks';
import type { MqttClient } from 'mqtt';
import connectModule from 'mqtt/lib/connect/index';
import type { Logger } from '../protocol/logger.js';
import { BIT_TABLES, registerSpan, type Adapter, type RegisterDef } from '../firmware-adapters/schema.js';
import { decodeRegister, decodeText } from '../firmware-adapters/register-codec.js';
import { encodeTelemetry } from '../protocol/codec.js';
import { errorMessage } from '../protocol/errors.js';
import { topicFor } from '../protocol/topics.js';
import type { AgentConfig, DeviceConfig } from './config/agent-config-schema.js';
import { connectOptions, redactUrl, tlsOptions } from './mqtt/client-options.js';
import { ModbusBus } from './sources/modbus-bus.js';
import { judgedSample } from './sources/modbus-poller.js';

const connect = (connectModule as unknown as { default: (url: string, opts?: object) => MqttClient }).default;

export interface ProbeRow {
  parameter: string;
  where: string;
  raw: string;
  value: string;
  unit: string;
  quality: string;
  exception: string;
  latencyMs: number;
  ok: boolean;
}

const hex = (w: number): string => `0x${w.toString(16).padStart(4, '0')}`;

async function readOne(bus: ModbusBus, unitId: number, timeoutMs: number, def: RegisterDef): Promise<ProbeRow> {
  const where = `${def.table} ${def.address}`;
  const started = performance.now();
  const base = { parameter: def.name, where, unit: def.unit };
  try {
    const words = await bus.run(unitId, timeoutMs, async (c): Promise<number[]> => {
      const n = registerSpan(def);
      switch (def.table) {
        case 'holding': return (await c.readHoldingRegisters(def.address, n)).data;
        case 'input': return (await c.readInputRegisters(def.address, n)).data;
        case 'coil': return (await c.readCoils(def.address, n)).data.map((b) => (b ? 1 : 0));
        case 'discrete': return (await c.readDiscreteInputs(def.address, n)).data.map((b) => (b ? 1 : 0));
      }
    });
    const latencyMs = Math.round(performance.now() - started);
    const raw = BIT_TABLES.includes(def.table) ? words.join(' ') : words.map(hex).join(' ');
    if (def.type === 'string') return { ...base, raw, value: JSON.stringify(decodeText(def, words)), quality: 'good', exception: '', latencyMs, ok: true };
    const s = judgedSample(def, decodeRegister(def, words), 0);
    return {
      ...base, raw, value: s.quality === 'bad' ? '-' : String(Math.round(s.value * 1e6) / 1e6), quality: s.reason ? `${s.quality}: ${s.reason}` : s.quality,
      exception: '', latencyMs, ok: s.quality === 'good',
    };
  } catch (err) {
    const latencyMs = Math.round(performance.now() - started);
    const code = (err as { modbusCode?: unknown }).modbusCode;
    if (typeof code === 'number') return { ...base, raw: '-', value: '-', quality: 'bad: exception', exception: code.toString(16).padStart(2, '0'), latencyMs, ok: false };
    bus.reset();
    const why = /timed? ?out/i.test(errorMessage(err)) ? 'timeout' : 'link';
    return { ...base, raw: '-', value: '-', quality: `bad: ${why}`, exception: errorMessage(err).slice(0, 60), latencyMs, ok: false };
  }
}

function table(rows: readonly ProbeRow[]): string[] {
  const head = ['parameter', 'register', 'raw', 'value', 'unit', 'quality', 'exception', 'ms'];
  const cells = rows.map((r) => [r.parameter, r.where, r.raw, r.value, r.unit, r.quality, r.exception, String(r.latencyMs)]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => `    ${c.map((x, i) => x.padEnd(widths[i]!)).join('  ').trimEnd()}`;
  return [line(head), ...cells.map(line)];
}

/** Reads every register of the device once; lines to print and whether all were good. */
export async function probeModbus(device: DeviceConfig, adapter: Adapter, log: Logger): Promise<{ lines: string[]; ok: boolean }> {
  const m = device.modbus;
  if (!m) return { lines: ['  modbus: off'], ok: true };
  const bus = new ModbusBus(m, log);
  const unitId = m.unitId ?? adapter.unitId;
  try {
    const rows: ProbeRow[] = [];
    for (const def of adapter.registers) rows.push(await readOne(bus, unitId, m.timeoutMs, def));
    const bad = rows.filter((r) => !r.ok).length;
    return {
      lines: [`  modbus ${bus.key} unit ${unitId}: ${rows.length - bad} of ${rows.length} registers good`, ...table(rows)],
      ok: bad === 0,
    };
  } finally {
    await bus.stop();
  }
}

/** Connects as the device, subscribes to its rpc/req and publishes an empty telemetry batch. */
export async function probeBroker(config: AgentConfig, device: DeviceConfig): Promise<{ lines: string[]; ok: boolean }> {
  const m = config.mqtt;
  const url = redactUrl(m.url);
  let client: MqttClient | undefined;
  try {
    const opts = connectOptions({
      site: device.site, device: `${device.id}-probe`, username: device.username, password: device.password, protocolVersion: m.protocolVersion,
      keepaliveS: m.keepaliveS, connectTimeoutMs: m.connectTimeoutMs, will: { topic: topicFor(device.site, device.id, 'death'), payload: new Uint8Array() },
    }, tlsOptions(m.url, m.tls));
    delete opts.will; // a probe must not announce the device's death
    const c = connect(m.url, opts);
    client = c;
    await new Promise<void>((resolve, reject) => {
      c.once('connect', () => resolve());
      c.once('error', reject);
      c.once('close', () => reject(new Error('the broker closed the connection (refused credentials or TLS?)')));
    });
    const lines = [`  broker ${url}: connected as ${device.username ?? '(no user name)'}${m.url.startsWith('mqtts') || m.url.startsWith('ssl') ? ' over TLS' : ''}`];
    let ok = true;
    const granted = await c.subscribeAsync(topicFor(device.site, device.id, 'rpc/req'), { qos: 1 });
    if (granted.some((g) => g.qos === 128 || g.qos >= 0x80)) { ok = false; lines.push('  subscribe rpc/req: REFUSED by the broker (live reads and writes will not work)'); }
    else lines.push('  subscribe rpc/req: granted');
    try {
      await c.publishAsync(topicFor(device.site, device.id, 'telemetry'), Buffer.from(encodeTelemetry({ device: device.id, site: device.site, samples: [] })), { qos: 1 });
      lines.push(m.protocolVersion === 5 ? '  publish telemetry: accepted' : '  publish telemetry: acknowledged (MQTT 3.1.1 cannot tell a refusal: use protocolVersion 5 to check the ACL)');
    } catch (err) {
      ok = false;
      lines.push(`  publish telemetry: REFUSED by the broker (${errorMessage(err)}): fix the device's ACL`);
    }
    return { lines, ok };
  } catch (err) {
    return { lines: [`  broker ${url}: FAILED: ${errorMessage(err)}`], ok: false };
  } finally {
    client?.end(true);
  }
}
