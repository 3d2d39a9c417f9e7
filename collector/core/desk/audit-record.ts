/**
 * Audit records: what the core hands the edge for every state change, decision and action, so the
 * edge can append them to the tamper-evident log. Hashing needs node:crypto, so it is the edge's
 * job; the core fixes the record shape and its canonical serialisation (the bytes that get hashed).
 */

/** Who did it: a person, a device (through its events) or the collector itself (timers, rules). */
export interface Actor {
  kind: 'user' | 'device' | 'system';
  id: string;
  /** How a person acted when not through a dashboard session, e.g. "token:wallboard" (an API token's name). */
  via?: string;
}

export const SYSTEM: Actor = { kind: 'system', id: 'collector' };

/**
 * 'device': an engineer's request to a device (live read, describe, logs, write), subject id "site/device".
 * 'user': a change to a user's API tokens, subject id the username. 'webhook': a delivery sent again, subject id the delivery id.
 */
export type AuditSubjectKind = 'alarm' | 'ticket' | 'flood' | 'chatter' | 'routing' | 'assignment' | 'device' | 'user' | 'webhook';

export type AuditDetail = string | number | boolean | null;

export interface AuditRecord {
  /** Collector time (epoch ms) of the change. */
  atMs: number;
  actor: Actor;
  subject: { kind: AuditSubjectKind; id: string };
  /** What happened, e.g. 'acknowledge', 'shelve', 'route', 'sla-breach'. */
  action: string;
  /** State before and after, when the record is a state change. */
  from: string | null;
  to: string | null;
  /** Why, in words: the operator's reason or the rule that decided. */
  reason: string;
  details: Record<string, AuditDetail>;
}

export function auditRecord(
  atMs: number, actor: Actor, subject: AuditRecord['subject'], action: string,
  change: { from?: string | null; to?: string | null; reason: string; details?: Record<string, AuditDetail> },
): AuditRecord {
  return { atMs, actor, subject, action, from: change.from ?? null, to: change.to ?? null, reason: change.reason, details: change.details ?? {} };
}

/** Keys in UTF-16 code unit order (as `<` compares them), properties holding undefined left out. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = record[k];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(k)}:${canonical(v)}`;
    first = false;
  }
  return `${out}}`;
}

/**
 * The canonical JSON of a record (keys sorted at every level, no whitespace), prefixed by the
 * previous record's hash: the edge hashes exactly this string to extend the chain.
 */
export function auditChainInput(prevHash: string, record: AuditRecord): string {
  return `${prevHash}\n${canonicalRecord(record)}`;
}

const str = (v: string | number | null): string => JSON.stringify(v);

/**
 * canonical(record) for a record of exactly the AuditRecord shape (every audit append hashes one),
 * written out in sorted key order without sorting; anything else goes the general way.
 */
function canonicalRecord(r: AuditRecord): string {
  const { actor, subject } = r;
  const exact = Object.keys(r).length === 8 && r.action !== undefined && r.atMs !== undefined && r.details !== undefined
    && r.from !== undefined && r.to !== undefined && r.reason !== undefined && actor !== undefined && subject !== undefined
    && typeof actor === 'object' && typeof subject === 'object' && actor !== null && subject !== null
    && Object.keys(actor).length === 2 && actor.id !== undefined && actor.kind !== undefined
    && Object.keys(subject).length === 2 && subject.id !== undefined && subject.kind !== undefined;
  if (!exact) return canonical(r);
  return `{"action":${str(r.action)},"actor":{"id":${str(actor.id)},"kind":${str(actor.kind)}},"atMs":${str(r.atMs)},`
    + `"details":${canonical(r.details)},"from":${str(r.from)},"reason":${str(r.reason)},`
    + `"subject":{"id":${str(subject.id)},"kind":${str(subject.kind)}},"to":${str(r.to)}}`;
}
