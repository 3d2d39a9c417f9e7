/**
 * Checks an adapter definition (a TypeScript module or parsed JSON/YAML) and reports every
 * problem at once, each with its path, e.g. `registers[2].type: must be one of int16, ...`.
 */
import { validateZh } from './validate-zh.js';
import { CATEGORIES, SEVERITIES } from '../protocol/values.js';
import { validateLogPatterns } from './validate-log-patterns.js';
import { checkCondition, checkRules, checkSignalCounter, checkTableKey, checkTableKind, type RuleContext } from './validate-rules.js';
import { BIT_TABLES, POLL_GROUPS, REGISTER_TABLES, REGISTER_TYPES, WORD_ORDERS, registerWidth, type RegisterTable, type RegisterType } from './schema.js';

export interface AdapterProblem {
  path: string;
  message: string;
}

type Obj = Record<string, unknown>;
/** `registers[2].type`, or just `id` at the top level. */
const at = (path: string, key: string): string => (path ? `${path}.${key}` : key);
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

class Checker {
  readonly problems: AdapterProblem[] = [];
  add(path: string, message: string): void {
    this.problems.push({ path, message });
  }
  str(o: Obj, key: string, path: string, opts: { optional?: boolean; pattern?: RegExp } = {}): string | undefined {
    const v = o[key];
    if (v === undefined && opts.optional) return undefined;
    if (typeof v !== 'string' || v.length === 0) return this.add(at(path, key), 'must be a non-empty string'), undefined;
    if (opts.pattern && !opts.pattern.test(v)) this.add(at(path, key), `must match ${opts.pattern}`);
    return v;
  }
  num(o: Obj, key: string, path: string, opts: { optional?: boolean; min?: number; max?: number; int?: boolean } = {}): number | undefined {
    const v = o[key];
    if (v === undefined && opts.optional) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) return this.add(at(path, key), 'must be a finite number'), undefined;
    if (opts.int && !Number.isInteger(v)) this.add(at(path, key), 'must be an integer');
    if (opts.min !== undefined && v < opts.min) this.add(at(path, key), `must be >= ${opts.min}`);
    if (opts.max !== undefined && v > opts.max) this.add(at(path, key), `must be <= ${opts.max}`);
    return v;
  }
  oneOf(o: Obj, key: string, path: string, allowed: readonly string[], optional = false): void {
    const v = o[key];
    if (v === undefined && optional) return;
    if (typeof v !== 'string' || !allowed.includes(v)) this.add(at(path, key), `must be one of ${allowed.join(', ')}`);
  }
  regex(o: Obj, key: string, path: string, optional = false): void {
    const v = this.str(o, key, path, { optional });
    if (v === undefined) return;
    try { new RegExp(v); } catch (e) { this.add(at(path, key), `not a valid regular expression: ${(e as Error).message}`); }
  }
  arr(o: Obj, key: string, path: string): unknown[] {
    const v = o[key];
    if (!Array.isArray(v)) return this.add(at(path, key), 'must be an array'), [];
    return v;
  }
  obj(o: Obj, key: string, path: string): Obj {
    const v = o[key];
    if (!isObj(v)) return this.add(at(path, key), 'must be an object'), {};
    return v;
  }
  faultFields(o: Obj, path: string, withCodeAndMessage = true): void {
    if (withCodeAndMessage) {
      this.str(o, 'code', path, { pattern: /^[a-z0-9_]+(\.[a-z0-9_]+)+$/ });
      this.str(o, 'message', path);
    }
    this.oneOf(o, 'category', path, CATEGORIES);
    this.oneOf(o, 'severity', path, SEVERITIES);
    this.str(o, 'remedy', path);
    for (const z of validateZh(o, path, ['message', 'remedy'])) this.add(z.path, z.message);
  }
}

export function validateAdapter(input: unknown): AdapterProblem[] {
  const c = new Checker();
  if (!isObj(input)) return [{ path: '', message: 'adapter must be an object' }];
  const a = input;
  c.str(a, 'id', '', { pattern: /^[a-z0-9][a-z0-9-]*$/ });
  c.str(a, 'vendor', '');
  c.str(a, 'description', '');
  const match = c.obj(a, 'match', '');
  c.regex(match, 'model', 'match');
  c.regex(match, 'firmware', 'match', true);
  c.num(a, 'unitId', '', { int: true, min: 0, max: 255 });

  const names = new Set<string>();
  const used = new Map<string, string>(); // "table:address" -> register name
  c.arr(a, 'registers', '').forEach((r, i) => {
    const p = `registers[${i}]`;
    if (!isObj(r)) return c.add(p, 'must be an object');
    const name = c.str(r, 'name', p, { pattern: /^[a-z][a-z0-9_]*$/ });
    if (name !== undefined) {
      if (names.has(name)) c.add(`${p}.name`, `duplicate register name "${name}"`);
      names.add(name);
    }
    c.oneOf(r, 'table', p, REGISTER_TABLES);
    c.oneOf(r, 'type', p, REGISTER_TYPES);
    c.oneOf(r, 'wordOrder', p, WORD_ORDERS, true);
    c.oneOf(r, 'byteOrder', p, WORD_ORDERS, true);
    const scale = c.num(r, 'scale', p, { optional: true });
    if (scale === 0) c.add(`${p}.scale`, 'must not be 0');
    c.num(r, 'offset', p, { optional: true });
    if (typeof r.unit !== 'string') c.add(`${p}.unit`, 'must be a string (empty for none)');
    c.str(r, 'description', p);
    c.oneOf(r, 'poll', p, POLL_GROUPS, true);
    const isBitTable = BIT_TABLES.includes(r.table as RegisterTable);
    if (isBitTable && r.type !== 'bit') c.add(`${p}.type`, `must be "bit" in the ${String(r.table)} table`);
    if (!isBitTable && r.type === 'bit') c.add(`${p}.type`, '"bit" is only for the coil and discrete tables');
    if (r.writeRange !== undefined) {
      const wp = `${p}.writeRange`;
      if (r.writable !== true) c.add(wp, 'only a writable register has a write range');
      if (!isObj(r.writeRange)) c.add(wp, 'must be an object { min, max } in engineering units');
      else {
        const min = c.num(r.writeRange, 'min', wp);
        const max = c.num(r.writeRange, 'max', wp);
        if (min !== undefined && max !== undefined && !(min < max)) c.add(wp, `min (${min}) must be below max (${max})`);
      }
    }
    if (r.range !== undefined) {
      const rp = `${p}.range`;
      if (r.type === 'string' || r.type === 'bit') c.add(rp, 'only a numeric register has a measuring range');
      if (!isObj(r.range)) c.add(rp, 'must be an object { min, max } in engineering units');
      else {
        const min = c.num(r.range, 'min', rp);
        const max = c.num(r.range, 'max', rp);
        if (min !== undefined && max !== undefined && !(min < max)) c.add(rp, `min (${min}) must be below max (${max})`);
      }
    }
    const length = c.num(r, 'length', p, { optional: r.type !== 'string', int: true, min: 1, max: 123 });
    if (r.type !== 'string' && r.length !== undefined) c.add(`${p}.length`, 'only a string has a length');
    const address = c.num(r, 'address', p, { int: true, min: 0, max: 0xffff });
    if (address !== undefined && (REGISTER_TYPES as readonly string[]).includes(String(r.type))) {
      for (let k = 0; k < registerWidth(r.type as RegisterType, length); k++) {
        const key = `${String(r.table)}:${address + k}`;
        const other = used.get(key);
        if (other !== undefined) c.add(`${p}.address`, `overlaps register "${other}" at ${String(r.table)} ${address + k}`);
        used.set(key, String(name));
      }
    }
  });

  const codes = new Set<string>();
  const seeCode = (code: unknown, path: string): void => {
    if (typeof code !== 'string') return;
    if (codes.has(code)) c.add(path, `duplicate fault code "${code}"`);
    codes.add(code);
  };
  const related = (o: Obj, p: string): void => {
    c.arr(o, 'related', p).forEach((n, k) => {
      if (typeof n !== 'string' || !names.has(n)) c.add(`${p}.related[${k}]`, `unknown register "${String(n)}"`);
    });
  };

  c.arr(a, 'faultTables', '').forEach((t, i) => {
    const p = `faultTables[${i}]`;
    if (!isObj(t)) return c.add(p, 'must be an object');
    const reg = c.str(t, 'register', p);
    if (reg !== undefined && !names.has(reg)) c.add(`${p}.register`, `unknown register "${reg}"`);
    const kind = checkTableKind(c, t, p);
    related(t, p);
    c.faultFields(c.obj(t, 'unknown', p), `${p}.unknown`, false);
    const table = c.obj(t, 'codes', p);
    if (Object.keys(table).length === 0) c.add(`${p}.codes`, 'must list at least one code');
    for (const [value, def] of Object.entries(table)) {
      const cp = `${p}.codes.${value}`;
      checkTableKey(c, kind, value, cp, t.mask);
      if (!isObj(def)) { c.add(cp, 'must be an object'); continue; }
      c.faultFields(def, cp);
      seeCode(def.code, `${cp}.code`);
    }
  });

  const ruleCtx: RuleContext = { c, names, seeCode, related };
  c.arr(a, 'thresholds', '').forEach((t, i) => {
    const p = `thresholds[${i}]`;
    if (!isObj(t)) return c.add(p, 'must be an object');
    c.faultFields(t, p);
    seeCode(t.code, `${p}.code`);
    const param = c.str(t, 'parameter', p);
    if (param !== undefined && !names.has(param)) c.add(`${p}.parameter`, `unknown register "${param}"`);
    c.oneOf(t, 'direction', p, ['above', 'below']);
    c.num(t, 'limit', p);
    c.num(t, 'deadband', p, { min: 0 });
    c.num(t, 'onDelayMs', p, { int: true, min: 0 });
    c.num(t, 'offDelayMs', p, { int: true, min: 0 });
    checkCondition(ruleCtx, t, p);
    related(t, p);
  });

  checkRules(ruleCtx, a.rules);

  const sim = c.obj(a, 'simulation', '');
  const signals = c.obj(sim, 'signals', 'simulation');
  for (const [name, s] of Object.entries(signals)) {
    const p = `simulation.signals.${name}`;
    if (!names.has(name)) c.add(p, `unknown register "${name}"`);
    if (!isObj(s)) { c.add(p, 'must be an object'); continue; }
    c.num(s, 'base', p);
    c.num(s, 'amplitude', p, { min: 0 });
    c.num(s, 'periodS', p, { min: 0.001 });
    c.num(s, 'noise', p, { min: 0 });
    checkSignalCounter(c, s, p);
  }
  const effects = c.obj(sim, 'faultEffects', 'simulation');
  for (const [code, forced] of Object.entries(effects)) {
    const p = `simulation.faultEffects.${code}`;
    if (!codes.has(code)) c.add(p, `unknown fault code "${code}" (effects are keyed by the code of a fault table entry, threshold or rule)`);
    if (!isObj(forced)) { c.add(p, 'must be an object'); continue; }
    for (const [name, v] of Object.entries(forced)) {
      if (!names.has(name)) c.add(`${p}.${name}`, `unknown register "${name}"`);
      if (typeof v !== 'number') c.add(`${p}.${name}`, 'must be a number');
    }
  }

  for (const lp of validateLogPatterns(a.logPatterns, codes)) c.add(lp.path, lp.message);
  if (Array.isArray(a.logPatterns)) {
    a.logPatterns.forEach((lp, i) => { if (isObj(lp)) for (const z of validateZh(lp, `logPatterns[${i}]`, ['message', 'remedy'])) c.add(z.path, z.message); });
  }

  c.arr(a, 'knowledge', '').forEach((k, i) => {
    const p = `knowledge[${i}]`;
    if (!isObj(k)) return c.add(p, 'must be an object');
    const code = c.str(k, 'code', p);
    if (code !== undefined && !codes.has(code)) c.add(`${p}.code`, `unknown fault code "${code}"`);
    c.str(k, 'symptoms', p);
    c.str(k, 'remedy', p);
    c.arr(k, 'diagnosis', p);
    for (const z of validateZh(k, p, ['symptoms', 'diagnosis', 'remedy'])) c.add(z.path, z.message);
  });
  return c.problems;
}
