/** Reads, parses and validates the agent's YAML config; every problem is reported with its key, line and fix. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { LineCounter, parseDocument, isNode } from 'yaml';
import { yamlData } from '../../protocol/yaml-data.js';
import { FaultlineError } from '../../protocol/errors.js';
import { describeSchemaError, formatProblems, locate, type ConfigProblem, type LocateKey, type SchemaError } from '../../protocol/config-errors.js';
import { ADAPTERS } from '../../firmware-adapters/index.js';
import type { Adapter } from '../../firmware-adapters/schema.js';
import { adapterProblems, duplicateIdProblems } from './device-checks.js';
import { inlineMapProblems } from './inline-map-problems.js';
import { checkSystemDetectionConfig } from '../core/system-detection.js';
import type { AgentConfig } from './agent-config-schema.js';

interface CompiledValidator {
  (data: unknown): data is AgentConfig;
  errors?: SchemaError[] | null;
}

/**
 * The schema in agent-config-schema.ts, compiled at build time (validator-codegen.mjs) with ajv
 * (allErrors, useDefaults, verbose): the agent loads neither ajv's compiler nor TypeBox.
 */
const validate = createRequire(import.meta.url)('./agent-config-validate.gen.cjs') as CompiledValidator;

/**
 * Loads the adapters a config may use (its adapterFiles ahead of the built-in ones); when given,
 * every device is checked to find its adapter, in the same run as every other check.
 */
export type AdaptersFor = (adapterFiles: readonly string[]) => readonly Adapter[];

export function parseAgentConfig(text: string, file = '<config>', adaptersFor?: AdaptersFor): AgentConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length > 0) {
    const msg = doc.errors.map((e) => `${file}:${e.linePos?.[0]?.line ?? '?'}${e.linePos?.[0]?.col ? `:${e.linePos[0].col}` : ''}: ${e.message.split('\n')[0]}`).join('\n');
    throw new FaultlineError('FL_ERR_CONFIG_YAML', `${file} is not valid YAML:\n${msg}`, { context: { file }, hint: 'fix the YAML syntax at the line shown' });
  }
  return checkAgentConfig(yamlData(doc, file) ?? {}, file, (path) => {
    const node = path.length === 0 ? doc.contents : doc.getIn(path, true);
    return isNode(node) && node.range ? lines.linePos(node.range[0]) : undefined;
  }, adaptersFor);
}

/**
 * Validates already-parsed config data (filling in defaults); `lineOf` maps a key path to its
 * line (and column) when known. Every problem is reported at once: schema errors, duplicate
 * device ids, devices without an adapter (with `adaptersFor`), and the rules across keys.
 */
export function checkAgentConfig(data: unknown, file = '<config>', lineOf: LocateKey = () => undefined, adaptersFor?: AdaptersFor): AgentConfig {
  const valid = validate(data);
  const problems: ConfigProblem[] = valid ? [] : (validate.errors ?? []).map((e) => describeSchemaError(e, lineOf));
  problems.push(...duplicateIdProblems(data, lineOf), ...inlineMapProblems(data, lineOf));
  if (valid) problems.push(...crossChecks(data, lineOf));
  if (adaptersFor) {
    const files = (data as { adapterFiles?: unknown } | null)?.adapterFiles;
    let adapters: readonly Adapter[] = ADAPTERS;
    try {
      adapters = adaptersFor(Array.isArray(files) ? files.filter((f): f is string => typeof f === 'string') : []);
    } catch (err) {
      problems.push({ key: 'adapterFiles', ...locate(lineOf, ['adapterFiles']), message: err instanceof Error ? err.message : String(err), fix: 'fix the adapter files; firmware-adapters/schema.ts describes every field' });
    }
    problems.push(...adapterProblems(data, adapters, lineOf));
  }
  if (problems.length === 0) return data as AgentConfig;
  problems.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER) || (a.col ?? 0) - (b.col ?? 0));
  // A union type can fail its branches the same way twice: say it once.
  const said = new Set<string>();
  const distinct = problems.filter((p) => { const k = `${p.key} ${p.message}`; if (said.has(k)) return false; said.add(k); return true; });
  throw new FaultlineError('FL_ERR_CONFIG_INVALID', `${file} has ${distinct.length} problem(s):\n${formatProblems(file, distinct)}`, {
    context: { file, problems: distinct },
  });
}

/** Rules one key's schema cannot express: unique devices, what each transport needs, consistent shared buses. */
function crossChecks(config: AgentConfig, lineOf: LocateKey): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (path: Array<string | number>, message: string, fix: string): void => {
    const p = path.map(String);
    problems.push({ key: p.join('.'), ...locate(lineOf, p), message, fix });
  };
  if (config.mqtt.reconnect.maxMs < config.mqtt.reconnect.minMs) add(['mqtt', 'reconnect', 'maxMs'], `must be at least mqtt.reconnect.minMs (${config.mqtt.reconnect.minMs})`, 'raise maxMs or lower minMs');
  if (config.delivery.maxResendIntervalMs < config.delivery.receiptTimeoutMs) add(['delivery', 'maxResendIntervalMs'], `must be at least delivery.receiptTimeoutMs (${config.delivery.receiptTimeoutMs})`, 'raise maxResendIntervalMs or lower receiptTimeoutMs');
  const tls = config.mqtt.tls;
  if (tls && Boolean(tls.certFile) !== Boolean(tls.keyFile)) add(['mqtt', 'tls'], 'certFile and keyFile go together', 'set both mqtt.tls.certFile and mqtt.tls.keyFile, or neither');
  const units = new Map<string, number>();
  const serial = new Map<string, { i: number; settings: string }>();
  config.devices.forEach((d, i) => {
    d.logs.forEach((f, k) => {
      if (f.format === 'regex' && !f.pattern) add(['devices', i, 'logs', k], 'format regex needs a pattern', `add devices.${i}.logs.${k}.pattern with named groups (time, host, app, pid, severity, message)`);
      const patterns: Array<[string, string | undefined]> = [['pattern', f.pattern]];
      if (f.multiline) patterns.push(['multiline.startPattern', f.multiline.startPattern], ['multiline.continuationPattern', f.multiline.continuationPattern]);
      for (const [key, source] of patterns) {
        if (source === undefined) continue;
        try { new RegExp(source); } catch (e) { add(['devices', i, 'logs', k, ...key.split('.')], `not a valid regular expression: ${(e as Error).message}`, 'fix the pattern (JavaScript regular expression syntax)'); }
      }
    });
    for (const p of checkSystemDetectionConfig(d.system)) add(['devices', i, 'system', ...p.path.split('.')], p.message, `lower devices.${i}.system.${p.path}`);
    const m = d.modbus;
    if (!m) return;
    if (m.transport === 'rtu' && !m.path) add(['devices', i, 'modbus'], 'transport rtu needs a serial port', `add devices.${i}.modbus.path, e.g. /dev/ttyUSB0`);
    if (m.transport !== 'rtu' && !m.host) add(['devices', i, 'modbus'], `transport ${m.transport} needs a host`, `add devices.${i}.modbus.host (the device or gateway address)`);
    const bus = m.transport === 'rtu' ? `rtu:${m.path ?? ''}` : `${m.transport}://${m.host ?? ''}:${m.port}`;
    const unitKey = `${bus}#${m.unitId ?? 'adapter-default'}`;
    const sameUnit = units.get(unitKey);
    if (sameUnit !== undefined && m.unitId !== undefined) add(['devices', i, 'modbus', 'unitId'], `unit id ${m.unitId} on ${bus} is already used by devices.${sameUnit}`, 'give each slave on a bus its own unit id');
    units.set(unitKey, i);
    if (m.transport === 'rtu') {
      const settings = `${m.baudRate} ${m.dataBits}${m.parity[0]?.toUpperCase()}${m.stopBits}`;
      const other = serial.get(bus);
      if (other && other.settings !== settings) add(['devices', i, 'modbus'], `serial settings ${settings} differ from devices.${other.i} (${other.settings}) on the same port`, 'use the same baudRate, parity, dataBits and stopBits for every device on one serial line');
      if (!other) serial.set(bus, { i, settings });
    }
  });
  return problems;
}

export function loadAgentConfig(file: string, adaptersFor?: AdaptersFor): AgentConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new FaultlineError('FL_ERR_CONFIG_READ', `cannot read config file ${file}: ${(cause as Error).message}`, {
      cause, context: { file }, hint: 'pass an existing YAML file with --config FILE',
    });
  }
  return parseAgentConfig(text, file, adaptersFor);
}
