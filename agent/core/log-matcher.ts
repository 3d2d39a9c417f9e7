/**
 * Maps parsed log records to faults through an adapter's `logPatterns`, and keeps log faults'
 * raise/clear state. A log fault has no natural clear: it is raised by the first match and
 * cleared after `clearAfterMs` without another match. Pure: time comes in as an argument.
 */
import type { FaultDef, LogPattern } from '../../firmware-adapters/schema.js';
import { FaultlineError } from '../../protocol/errors.js';
import { CATEGORIES, SEVERITIES } from '../../protocol/values.js';
import type { FaultTransition } from './detection.js';
import type { ParsedLogRecord } from './log-parsers/index.js';

export const DEFAULT_CLEAR_AFTER_MS = 300_000;
/** Longest value of a named group copied into labels and messages. */
const MAX_GROUP_CHARS = 256;
const MAX_MESSAGE_CHARS = 512;

export interface LogMatch {
  patternId: string;
  fault: FaultDef;
  clearAfterMs: number;
  /** `pattern` (its id), the named groups, and the record's app/host when known. */
  labels: Record<string, string>;
  record: ParsedLogRecord;
}

type Groups = Record<string, string | undefined>;
type Template = (groups: Groups) => string;

/** A fault-code fragment: lower case, a-z 0-9 _ only. */
function codeSafe(v: string): string {
  return v.toLowerCase().replace(/[^a-z0-9_]+/g, '_').slice(0, 64);
}

function clip(v: string, max: number): string {
  return v.length > max ? `${v.slice(0, max - 1)}…` : v;
}

/** Splits `a${x}b` once, so rendering is a join, not a regex per match. */
function compileTemplate(template: string, escape: (v: string) => string): Template {
  const parts = template.split(/\$\{([^}]*)\}/); // odd indexes are group names
  if (parts.length === 1) return () => template;
  return (groups) => {
    let out = parts[0]!;
    for (let i = 1; i < parts.length; i += 2) out += escape(groups[parts[i]!] ?? '') + parts[i + 1]!;
    return out;
  };
}

interface CompiledPattern {
  def: LogPattern;
  re: RegExp;
  app: RegExp | undefined;
  code: Template;
  message: Template;
  clearAfterMs: number;
}

function compileRegex(source: string, flags: string, where: string): RegExp {
  try {
    return new RegExp(source, flags);
  } catch (cause) {
    throw new FaultlineError('FL_ERR_LOG_PATTERN', `${where}: not a valid regular expression: ${(cause as Error).message}`, {
      cause, context: { where, pattern: source }, hint: 'fix the adapter\'s log pattern (validateAdapter reports it with its path)',
    });
  }
}

export class LogMatcher {
  private readonly compiled: CompiledPattern[];

  /** Throws FL_ERR_LOG_PATTERN for a pattern that does not compile (validateAdapter catches this earlier). */
  constructor(patterns: readonly LogPattern[]) {
    this.compiled = patterns.map((def, i) => ({
      def,
      re: compileRegex(def.pattern, def.ignoreCase ? 'i' : '', `logPatterns[${i}].pattern`),
      app: def.app === undefined ? undefined : compileRegex(def.app, '', `logPatterns[${i}].app`),
      code: compileTemplate(def.code, codeSafe),
      message: compileTemplate(def.message, (v) => clip(v, MAX_GROUP_CHARS)),
      clearAfterMs: def.clearAfterMs ?? DEFAULT_CLEAR_AFTER_MS,
    }));
  }

  get size(): number {
    return this.compiled.length;
  }

  /** The first pattern (in adapter order) that matches the record's message, if any. */
  match(record: ParsedLogRecord): LogMatch | undefined {
    for (const p of this.compiled) {
      if (p.app && (record.app === undefined || !p.app.test(record.app))) continue;
      const m = p.re.exec(record.message);
      if (!m) continue;
      const groups: Groups = m.groups ?? {};
      const labels: Record<string, string> = {};
      for (const [k, v] of Object.entries(groups)) if (v !== undefined) labels[k] = clip(v, MAX_GROUP_CHARS);
      if (record.app !== undefined) labels.app = record.app;
      if (record.host !== undefined) labels.host = record.host;
      labels.pattern = p.def.id;
      return {
        patternId: p.def.id,
        fault: {
          code: p.code(groups), category: p.def.category, severity: p.def.severity,
          message: clip(p.message(groups), MAX_MESSAGE_CHARS), remedy: p.def.remedy,
        },
        clearAfterMs: p.clearAfterMs,
        labels,
        record,
      };
    }
    return undefined;
  }
}

export interface ActiveLogFault {
  fault: FaultDef;
  labels: Record<string, string>;
  clearAfterMs: number;
  firstMs: number;
  lastMs: number;
  /** Matches since it was raised. */
  count: number;
}

/** Active log faults by fault code. Plain data (it can be persisted as JSON). */
export interface LogFaultState {
  active: Readonly<Record<string, ActiveLogFault>>;
}

export function initialLogFaultState(): LogFaultState {
  return { active: {} };
}

export interface LogFaultTransition extends FaultTransition {
  source: 'log';
  /** The match that raised it (raise only). */
  match?: LogMatch;
  /** The log lines up to and including the match (filled in by the log source; empty for a clear). */
  excerpt: string[];
}

export interface LogFaultStep {
  state: LogFaultState;
  transitions: LogFaultTransition[];
}

/**
 * Applies this moment's matches (raise on the first match of a code, refresh on later ones),
 * then clears every active fault quiet for its clearAfterMs. Call it with no matches
 * periodically so that clears happen.
 */
export function stepLogFaults(state: LogFaultState, matches: readonly LogMatch[], nowMs: number): LogFaultStep {
  const active: Record<string, ActiveLogFault> = { ...state.active };
  const transitions: LogFaultTransition[] = [];
  for (const m of matches) {
    const code = m.fault.code;
    const known = Object.hasOwn(active, code) ? active[code] : undefined;
    if (known) {
      active[code] = { ...known, lastMs: nowMs, count: known.count + 1 };
      continue;
    }
    active[code] = { fault: m.fault, labels: m.labels, clearAfterMs: m.clearAfterMs, firstMs: nowMs, lastMs: nowMs, count: 1 };
    transitions.push({ fault: m.fault, source: 'log', transition: 'raise', related: [], labels: m.labels, match: m, excerpt: [] });
  }
  for (const [code, a] of Object.entries(active)) {
    if (nowMs - a.lastMs < a.clearAfterMs) continue;
    delete active[code];
    transitions.push({
      fault: a.fault, source: 'log', transition: 'clear', related: [],
      labels: { ...a.labels, matches: String(a.count) }, excerpt: [],
    });
  }
  return { state: { active }, transitions };
}

/** When the next clear is due (for scheduling), if any fault is active. */
export function nextLogClearMs(state: LogFaultState): number | undefined {
  let next: number | undefined;
  for (const a of Object.values(state.active)) {
    const due = a.lastMs + a.clearAfterMs;
    if (next === undefined || due < next) next = due;
  }
  return next;
}

/**
 * Active log faults saved by an earlier run (plain JSON), checked field by field; whatever does
 * not look like an ActiveLogFault is dropped. Restoring them means a fault raised before a
 * restart is still cleared after its quiet time, and not raised a second time.
 */
export function restoreLogFaultState(saved: unknown): LogFaultState {
  const active: Record<string, ActiveLogFault> = {};
  if (typeof saved !== 'object' || saved === null) return { active };
  for (const [code, v] of Object.entries(saved)) {
    const a = v as Partial<ActiveLogFault> | null;
    const f = a?.fault;
    if (!a || !f || typeof f.code !== 'string' || f.code !== code || typeof f.message !== 'string' || typeof f.remedy !== 'string'
      || !(CATEGORIES as readonly unknown[]).includes(f.category) || !(SEVERITIES as readonly unknown[]).includes(f.severity)
      || typeof a.lastMs !== 'number' || typeof a.firstMs !== 'number' || typeof a.clearAfterMs !== 'number' || typeof a.count !== 'number'
      || typeof a.labels !== 'object' || a.labels === null || !Object.values(a.labels).every((x) => typeof x === 'string')) continue;
    active[code] = {
      fault: { code: f.code, category: f.category, severity: f.severity, message: f.message, remedy: f.remedy },
      labels: { ...a.labels }, clearAfterMs: a.clearAfterMs, firstMs: a.firstMs, lastMs: a.lastMs, count: a.count,
    };
  }
  return { active };
}
