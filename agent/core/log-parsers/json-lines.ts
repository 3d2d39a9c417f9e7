/**
 * JSON lines (one object per line: pino, bunyan, zap, logrus, structlog, ECS, …). Field names
 * are configurable; by default the first present of each list is used. A dotted name
 * (`log.level`) also looks into nested objects. JSON.parse does the work.
 */
import { fail, ok, type LogParser, type ParsedLogRecord } from './record.js';
import { severityFromLevel } from './severity.js';
import { scanRfc3339 } from './timestamp.js';

export interface JsonLinesOptions {
  /** Default: msg, then message. */
  messageField?: string;
  /** Default: level, then severity, then log.level. */
  levelField?: string;
  /** Default: time, then timestamp, then ts, then @timestamp. */
  timeField?: string;
}

type Json = Record<string, unknown>;

const DEFAULTS = {
  message: ['msg', 'message'],
  level: ['level', 'severity', 'log.level'],
  time: ['time', 'timestamp', 'ts', '@timestamp'],
  host: ['hostname', 'host'],
  app: ['app', 'name', 'service'],
};

function field(o: Json, name: string): unknown {
  if (Object.hasOwn(o, name)) return o[name];
  if (!name.includes('.')) return undefined;
  let v: unknown = o;
  for (const part of name.split('.')) {
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, part)) return undefined;
    v = (v as Json)[part];
  }
  return v;
}

function firstOf(o: Json, names: readonly string[]): unknown {
  for (const n of names) {
    const v = field(o, n);
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
}

/** Epoch numbers in seconds, milliseconds, microseconds or nanoseconds (by magnitude); RFC 3339 or Date.parse strings. */
export function timeFromValue(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) {
    if (v < 1e11) return Math.round(v * 1000);
    if (v < 1e14) return Math.round(v);
    if (v < 1e17) return Math.round(v / 1e3);
    return Math.round(v / 1e6);
  }
  if (typeof v === 'string' && v.length >= 10 && v.length <= 64) {
    const t = scanRfc3339(v, 0, true);
    if (t && t.end === v.length) return t.timeMs;
    const parsed = Date.parse(v);
    if (Number.isFinite(parsed)) return parsed;
  }
  return undefined;
}

export function createJsonLinesParser(opts: JsonLinesOptions = {}): LogParser {
  const names = {
    message: opts.messageField ? [opts.messageField] : DEFAULTS.message,
    level: opts.levelField ? [opts.levelField] : DEFAULTS.level,
    time: opts.timeField ? [opts.timeField] : DEFAULTS.time,
  };
  return (text, readTimeMs) => {
    let start = 0;
    while (text.charCodeAt(start) === 32 || text.charCodeAt(start) === 9) start++;
    if (text.charCodeAt(start) !== 123) return fail(`a JSON line must be an object starting with "{" (column ${start + 1})`);
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch (e) {
      return fail(`not valid JSON: ${(e as Error).message}`);
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) return fail('a JSON line must be an object');
    const obj = o as Json;
    const msg = firstOf(obj, names.message);
    const record: ParsedLogRecord = {
      timeMs: timeFromValue(firstOf(obj, names.time)) ?? readTimeMs,
      message: msg === undefined ? text : typeof msg === 'string' ? msg : JSON.stringify(msg),
      raw: text,
    };
    const severity = severityFromLevel(firstOf(obj, names.level));
    if (severity) record.severity = severity;
    const host = firstOf(obj, DEFAULTS.host);
    if (typeof host === 'string') record.host = host;
    const app = firstOf(obj, DEFAULTS.app);
    if (typeof app === 'string') record.app = app;
    const pid = obj.pid;
    if (typeof pid === 'number' && Number.isInteger(pid) && pid >= 0) record.pid = pid;
    return ok(record);
  };
}
