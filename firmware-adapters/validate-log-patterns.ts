/**
 * Validator rules for an adapter's `logPatterns` (see LogPattern in schema.ts), kept apart from
 * validate.ts so each file stays small. Reports every problem with its path, e.g.
 * `logPatterns[2].pattern: not a valid regular expression: ...`.
 */
import { CATEGORIES, SEVERITIES } from '../protocol/values.js';

export interface LogPatternProblem {
  path: string;
  message: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const CODE = /^[a-z0-9_]+(\.[a-z0-9_]+)+$/;
const ID = /^[a-z0-9][a-z0-9_.-]*$/;
const PLACEHOLDER = /\$\{([^}]*)\}/g;
const MAX_CLEAR_MS = 7 * 24 * 3600 * 1000;

/** Names of the named groups a RegExp source declares (`(?<name>`), not lookbehinds. */
export function namedGroups(source: string): Set<string> {
  return new Set([...source.matchAll(/\(\?<([A-Za-z_$][\w$]*)>/g)].map((m) => m[1]!));
}

/** `${name}` placeholders in a template. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

function compiles(source: string, flags: string): string | undefined {
  try {
    new RegExp(source, flags);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * `list` is the adapter's `logPatterns` (undefined is fine: they are optional). `codes` holds the
 * fault codes seen so far in the adapter; fixed (placeholder-free) log codes are added to it and
 * reported when already taken, so knowledge entries may refer to them.
 */
export function validateLogPatterns(list: unknown, codes: Set<string>): LogPatternProblem[] {
  const problems: LogPatternProblem[] = [];
  const add = (path: string, message: string): void => void problems.push({ path, message });
  if (list === undefined) return problems;
  if (!Array.isArray(list)) return [{ path: 'logPatterns', message: 'must be an array' }];
  const ids = new Set<string>();
  list.forEach((lp, i) => {
    const p = `logPatterns[${i}]`;
    if (!isObj(lp)) return add(p, 'must be an object');
    const str = (key: string): string | undefined => {
      const v = lp[key];
      if (typeof v === 'string' && v.length > 0) return v;
      add(`${p}.${key}`, 'must be a non-empty string');
      return undefined;
    };
    const id = str('id');
    if (id !== undefined) {
      if (!ID.test(id)) add(`${p}.id`, `must match ${ID}`);
      if (ids.has(id)) add(`${p}.id`, `duplicate log pattern id "${id}"`);
      ids.add(id);
    }
    if (lp.ignoreCase !== undefined && typeof lp.ignoreCase !== 'boolean') add(`${p}.ignoreCase`, 'must be true or false');
    const pattern = str('pattern');
    let groups = new Set<string>();
    if (pattern !== undefined) {
      const err = compiles(pattern, lp.ignoreCase === true ? 'i' : '');
      if (err !== undefined) add(`${p}.pattern`, `not a valid regular expression: ${err}`);
      else groups = namedGroups(pattern);
    }
    if (lp.app !== undefined) {
      if (typeof lp.app !== 'string' || lp.app.length === 0) add(`${p}.app`, 'must be a non-empty string');
      else {
        const err = compiles(lp.app, '');
        if (err !== undefined) add(`${p}.app`, `not a valid regular expression: ${err}`);
      }
    }
    const checkPlaceholders = (key: string, template: string): void => {
      for (const name of placeholders(template)) {
        if (pattern !== undefined && !groups.has(name)) add(`${p}.${key}`, `\${${name}} is not a named group of the pattern`);
      }
    };
    const code = str('code');
    if (code !== undefined) {
      checkPlaceholders('code', code);
      if (!CODE.test(code.replace(PLACEHOLDER, 'x'))) add(`${p}.code`, `must match ${CODE} (with \${group} placeholders standing for a-z 0-9 _)`);
      else if (placeholders(code).length === 0) {
        if (codes.has(code)) add(`${p}.code`, `duplicate fault code "${code}"`);
        codes.add(code);
      }
    }
    const message = str('message');
    if (message !== undefined) checkPlaceholders('message', message);
    str('remedy');
    if (!(CATEGORIES as readonly unknown[]).includes(lp.category)) add(`${p}.category`, `must be one of ${CATEGORIES.join(', ')}`);
    if (!(SEVERITIES as readonly unknown[]).includes(lp.severity)) add(`${p}.severity`, `must be one of ${SEVERITIES.join(', ')}`);
    const clear = lp.clearAfterMs;
    if (clear !== undefined && (typeof clear !== 'number' || !Number.isInteger(clear) || clear < 1000 || clear > MAX_CLEAR_MS)) {
      add(`${p}.clearAfterMs`, `must be an integer from 1000 to ${MAX_CLEAR_MS} (milliseconds)`);
    }
  });
  return problems;
}
