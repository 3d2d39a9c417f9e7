/**
 * Validator rules for the detection parts of an adapter that validate.ts delegates: fault-table
 * kinds and keys, `when` conditions, and the `rules` list (rate of change, stuck value).
 * Every problem is reported with its path, e.g. `rules[1].windowMs: must be >= 1`.
 */
import { CONDITION_OPS, FAULT_TABLE_KINDS, RATE_DIRECTIONS, RULE_KINDS } from './schema.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The checks validate.ts's Checker offers (passed in, so the two files do not import each other). */
export interface FieldChecker {
  add(path: string, message: string): void;
  str(o: Obj, key: string, path: string, opts?: { optional?: boolean; pattern?: RegExp }): string | undefined;
  num(o: Obj, key: string, path: string, opts?: { optional?: boolean; min?: number; max?: number; int?: boolean }): number | undefined;
  oneOf(o: Obj, key: string, path: string, allowed: readonly string[], optional?: boolean): void;
  arr(o: Obj, key: string, path: string): unknown[];
  faultFields(o: Obj, path: string, withCodeAndMessage?: boolean): void;
}

export interface RuleContext {
  c: FieldChecker;
  /** Register names the adapter declares. */
  names: ReadonlySet<string>;
  /** Records a fault code, reporting a duplicate at `path`. */
  seeCode(code: unknown, path: string): void;
  /** Checks a `related` list. */
  related(o: Obj, path: string): void;
}

/** `kind` and `mask` of a fault table, and one key of its `codes`. */
export function checkTableKind(c: FieldChecker, t: Obj, p: string): 'enum' | 'bitfield' {
  c.oneOf(t, 'kind', p, FAULT_TABLE_KINDS, true);
  const bitfield = t.kind === 'bitfield';
  if (t.mask !== undefined) {
    if (!bitfield) c.add(`${p}.mask`, 'only a bitfield table has a mask');
    else c.num(t, 'mask', p, { int: true, min: 1, max: 0xffffffff });
  }
  return bitfield ? 'bitfield' : 'enum';
}

export function checkTableKey(c: FieldChecker, kind: 'enum' | 'bitfield', key: string, path: string, mask: unknown): void {
  if (kind === 'enum') {
    if (!/^[1-9]\d*$/.test(key)) c.add(path, 'key must be a positive integer register value (0 means healthy)');
    return;
  }
  if (!/^(0|[1-9]\d*)$/.test(key) || Number(key) > 31) return c.add(path, 'key must be a bit number 0-31');
  if (typeof mask === 'number' && ((mask >>> Number(key)) & 1) === 0) c.add(path, `bit ${key} is outside the table's mask`);
}

/** An optional `when` condition on a rule. */
export function checkCondition(ctx: RuleContext, o: Obj, p: string): void {
  if (o.when === undefined) return;
  const w = o.when;
  if (!isObj(w)) return ctx.c.add(`${p}.when`, 'must be an object { parameter, op, value }');
  const param = ctx.c.str(w, 'parameter', `${p}.when`);
  if (param !== undefined && !ctx.names.has(param)) ctx.c.add(`${p}.when.parameter`, `unknown register "${param}"`);
  ctx.c.oneOf(w, 'op', `${p}.when`, CONDITION_OPS);
  ctx.c.num(w, 'value', `${p}.when`);
}

/** The optional `rules` list. */
export function checkRules(ctx: RuleContext, rules: unknown): void {
  const { c } = ctx;
  if (rules === undefined) return;
  if (!Array.isArray(rules)) return c.add('rules', 'must be an array');
  rules.forEach((r, i) => {
    const p = `rules[${i}]`;
    if (!isObj(r)) return c.add(p, 'must be an object');
    c.oneOf(r, 'kind', p, RULE_KINDS);
    c.faultFields(r, p);
    ctx.seeCode(r.code, `${p}.code`);
    const param = c.str(r, 'parameter', p);
    if (param !== undefined && !ctx.names.has(param)) c.add(`${p}.parameter`, `unknown register "${param}"`);
    checkCondition(ctx, r, p);
    ctx.related(r, p);
    if (r.kind === 'rate') {
      c.oneOf(r, 'direction', p, RATE_DIRECTIONS);
      const limit = c.num(r, 'limitPerS', p, { min: 0 });
      if (limit === 0) c.add(`${p}.limitPerS`, 'must be > 0');
      const deadband = c.num(r, 'deadbandPerS', p, { min: 0 });
      if (limit !== undefined && deadband !== undefined && deadband >= limit) c.add(`${p}.deadbandPerS`, 'must be smaller than limitPerS');
      c.num(r, 'windowMs', p, { int: true, min: 1 });
      c.num(r, 'onDelayMs', p, { int: true, min: 0 });
      c.num(r, 'offDelayMs', p, { int: true, min: 0 });
    } else if (r.kind === 'stuck') {
      c.num(r, 'epsilon', p, { min: 0 });
      c.num(r, 'afterMs', p, { int: true, min: 1 });
    }
  });
}

/** `ratePerS` and `wrap` of a simulated signal. */
export function checkSignalCounter(c: FieldChecker, s: Obj, p: string): void {
  c.num(s, 'ratePerS', p, { optional: true });
  const wrap = c.num(s, 'wrap', p, { optional: true, min: 1 });
  if (wrap !== undefined && s.ratePerS === undefined) c.add(`${p}.wrap`, 'only a counter (ratePerS) wraps');
}
