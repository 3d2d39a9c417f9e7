/**
 * Fuzz targets: every parser of outside input, each with a fast-check arbitrary of hostile input
 * and the one property that matters: it answers or refuses with a FaultlineError (a clear, typed
 * error), never with anything else (a crash). The API target throws random JSON at every route that
 * takes a body, with an admin's token, and wants a 4xx with an error code, never a 5xx.
 * Run with a small count by tests/unit/fuzz.test.ts and with ≥ 1,000,000 inputs by `npm run fuzz`.
 */
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { stringify } from 'yaml';
import { parseAgentConfig } from '../../agent/config/load-config.js';
import { createParser, LOG_FORMATS } from '../../agent/core/log-parsers/index.js';
import { parseDeskConfig } from '../../collector/desk-config/load-desk-config.js';
import * as codec from '../../protocol/codec.js';
import { FaultlineError } from '../../protocol/errors.js';
import { parseTopic, TOPIC_KINDS } from '../../protocol/topics.js';

export interface FuzzTarget<T = unknown> {
  name: string;
  arbitrary: fc.Arbitrary<T>;
  /** Throws when the input crashed the code under test (anything but an answer or a FaultlineError). */
  check(input: T): void | Promise<void>;
  /** This target's share of a run, relative to the others (cheap targets get more inputs). */
  weight: number;
}

/** Runs `fn`; a FaultlineError is a fine answer to bad input, anything else thrown is a crash. */
function refusesCleanly(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (err instanceof FaultlineError) return;
    throw new Error(`crashed with ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`, { cause: err });
  }
}

const NOW = Date.parse('2026-12-01T12:00:00Z');

function valid(): Uint8Array[] {
  return [
    codec.encodeFaultEvent({
      id: '018e0f3a-0000-7000-9000-000000000001', device: 'drive-1', site: 'plant', seq: 1, timeMs: NOW, source: 'modbus', category: 'hardware',
      code: 'vfd.overcurrent', severity: 'major', transition: 'raise', message: 'Overcurrent',
      snapshot: [{ parameter: 'motor_current', value: 9.5, quality: 'good', timeMs: NOW }], logExcerpt: ['E001'], labels: { line: '3' }, adapterId: 'generic-vfd', remedy: 'x',
    }),
    codec.encodeTelemetry({ site: 'plant', device: 'drive-1', samples: [{ parameter: 'f', value: 1, quality: 'good', timeMs: NOW }] }),
  ];
}

/** Bytes: random, or a valid message with a few bytes changed, cut or added. */
const bytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.tuple(fc.constantFrom(...valid()), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat())
    .map(([base, edits, cut]) => {
      const b = Uint8Array.from(base);
      for (const [at, v] of edits) b[at % b.length] = v;
      return b.subarray(0, b.length - (cut % 4));
    }),
);

const DECODERS = [codec.decodeFaultEvent, codec.decodeTelemetry, codec.decodeBirth, codec.decodeDeath, codec.decodeStatus, codec.decodeRpcRequest, codec.decodeRpcResponse];

const idPart = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('plant', 'drive-1', '', '+', '#', '..', 'a b', 'x'.repeat(200)));
const topic: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.tuple(idPart, idPart, fc.oneof(fc.constantFrom(...TOPIC_KINDS), fc.string({ maxLength: 10 })))
    .map(([site, device, kind]) => `fl/v1/${site}/${device}/${kind}`),
  fc.array(idPart, { maxLength: 8 }).map((parts) => ['fl', 'v1', ...parts].join('/')),
);

const logLine: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.tuple(fc.nat(200), fc.string({ maxLength: 40 }), fc.string({ maxLength: 60 }))
    .map(([pri, host, msg]) => `<${pri}>1 2026-12-01T12:00:00.000Z ${host} app - - [id@1 a="${msg}"] ${msg}`),
  fc.tuple(fc.nat(200), fc.string({ maxLength: 60 })).map(([pri, msg]) => `<${pri}>Dec  1 12:00:00 host app[1]: ${msg}`),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
);
const PARSERS = LOG_FORMATS.map((format) => createParser(format === 'regex' ? { format, pattern: '^(?<time>\\S+) (?<message>.*)$' } : { format }));

/** YAML: random text, random documents, and documents shaped like a config with random values. */
function yamlText(keys: readonly string[]): fc.Arbitrary<string> {
  const value = fc.jsonValue({ maxDepth: 3 });
  return fc.oneof(
    fc.string({ maxLength: 200 }),
    value.map((v) => stringify(v)),
    fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 8 })), value, { maxKeys: 6 }).map((v) => stringify(v)),
  );
}
const AGENT_KEYS = ['mqtt', 'devices', 'stateDir', 'telemetry', 'detection', 'logs', 'outbox', 'system'];
const DESK_KEYS = ['teams', 'routing', 'calendars', 'sla', 'webhooks', 'lifecycle', 'alarms', 'priority', 'criticality', 'escalation'];

export const PURE_TARGETS: readonly FuzzTarget[] = [
  {
    name: 'protobuf decoders', weight: 10, arbitrary: fc.tuple(fc.nat(DECODERS.length - 1), bytes) as fc.Arbitrary<unknown>,
    check: (input) => { const [i, b] = input as [number, Uint8Array]; refusesCleanly(() => DECODERS[i]?.(b)); },
  },
  { name: 'topic parser', weight: 10, arbitrary: topic as fc.Arbitrary<unknown>, check: (input) => refusesCleanly(() => parseTopic(input as string)) },
  {
    name: 'log parsers', weight: 6, arbitrary: fc.tuple(fc.nat(PARSERS.length - 1), logLine) as fc.Arbitrary<unknown>,
    check: (input) => {
      const [i, line] = input as [number, string];
      // A parser never throws: it answers { ok: false, reason } for what it cannot read.
      const r = PARSERS[i]?.(line, NOW);
      if (r === undefined || typeof r.ok !== 'boolean') throw new Error('a log parser answered nothing');
    },
  },
  { name: 'agent config YAML', weight: 1, arbitrary: yamlText(AGENT_KEYS) as fc.Arbitrary<unknown>, check: (input) => refusesCleanly(() => parseAgentConfig(input as string, 'fuzz.yaml')) },
  { name: 'desk config YAML', weight: 1, arbitrary: yamlText(DESK_KEYS) as fc.Arbitrary<unknown>, check: (input) => refusesCleanly(() => parseDeskConfig(input as string, 'fuzz.yaml', NOW)) },
];

interface Operation {
  method: string;
  url: string;
  properties: string[];
}

/** Every operation of the app's OpenAPI document that takes a JSON body, with its body's property names. */
export async function bodyOperations(app: FastifyInstance, headers: Record<string, string>): Promise<Operation[]> {
  const doc = (await app.inject({ url: '/api/docs', headers })).json() as {
    paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> } }>>;
  };
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const schema = op.requestBody?.content?.['application/json']?.schema;
      if (!schema) continue;
      const url = path.replace(/\{site\}/g, 'plant-a').replace(/\{device\}/g, 'drive-1').replace(/\{username\}/g, 'fuzz-ghost')
        .replace(/\{id\}/g, '1').replace(/\{[A-Za-z]+\}/g, 'x');
      ops.push({ method: method.toUpperCase(), url, properties: Object.keys(schema.properties ?? {}) });
    }
  }
  return ops;
}

/** Random JSON bodies for one operation: anything, or objects with its own keys and random values. */
function body(op: Operation): fc.Arbitrary<unknown> {
  const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.string({ maxLength: 30 }), fc.integer(), fc.constantFrom(null, true, '', -1, 1e308, 'P1', 'closed'));
  const keys = op.properties.length > 0 ? fc.oneof(fc.constantFrom(...op.properties), fc.string({ maxLength: 6 })) : fc.string({ maxLength: 6 });
  return fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.dictionary(keys, value, { maxKeys: op.properties.length + 2 }));
}

/** The API target: random bodies at every route that takes one; 4xx with an error code is right, 5xx is a crash. */
export function apiTarget(app: FastifyInstance, ops: readonly Operation[], headers: Record<string, string>): FuzzTarget {
  return {
    name: `API bodies (${ops.length} routes)`, weight: 1,
    arbitrary: fc.nat(ops.length - 1).chain((i) => fc.tuple(fc.constant(i), body(ops[i] as Operation))) as fc.Arbitrary<unknown>,
    check: async (input) => {
      const [i, payload] = input as [number, unknown];
      const op = ops[i] as Operation;
      const res = await app.inject({ method: op.method as 'POST', url: op.url, headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
      // 502/503/504 with a code of their own are answers about the device behind the route (it answered
      // wrongly, is offline, timed out), not crashes; 500 (FL_ERR_INTERNAL) and anything without a code is.
      const code = res.statusCode >= 400 ? (res.json() as { error?: { code?: string } }).error?.code : undefined;
      const gateway = [502, 503, 504].includes(res.statusCode) && code !== undefined && code !== 'FL_ERR_INTERNAL';
      if (res.statusCode >= 500 && !gateway) throw new Error(`${op.method} ${op.url} answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
      if (res.statusCode >= 400 && !code) throw new Error(`${op.method} ${op.url} answered ${res.statusCode} without an error code`);
    },
  };
}

export interface TargetRun {
  name: string;
  runs: number;
  failure: string | null;
}

/** Runs one target `runs` times; returns how many inputs it took and the first crash, shrunk. */
export async function runTarget(target: FuzzTarget, runs: number, seed?: number): Promise<TargetRun> {
  const property = fc.asyncProperty(target.arbitrary, async (input) => { await target.check(input); });
  const result = await fc.check(property, { numRuns: runs, ...(seed === undefined ? {} : { seed }) });
  const failure = result.failed ? `${String((result.errorInstance as Error | undefined)?.message ?? result.errorInstance)}\n  input: ${fc.stringify(result.counterexample)}\n  seed ${result.seed}, path ${result.counterexamplePath ?? ''}` : null;
  return { name: target.name, runs: result.numRuns, failure };
}
