/**
 * Audit records: what the core hands the edge for every state change, decision and action, so the
 * edge can append them to the tamper-evident log. Hashing needs node:crypto, so it is the edge's
 * job; the core fixes the record shape and its canonical serialisation (the bytes that get hashed).
 */

/** Who did it: a person, a device (through its events) or the collector itself (timers, rules). */
export interface Actor {
  kind: 'user' | 'device' | 'system';
  id: string;
}

export const SYSTEM: Actor = { kind: 'system', id: 'collector' };

export type AuditSubjectKind = 'alarm' | 'ticket' | 'flood' | 'chatter' | 'routing' | 'assignment';

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
  return `${prevHash}\n${canonical(record)}`;
}
