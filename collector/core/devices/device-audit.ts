/**
 * Audit records of engineers' requests to a device (pure): live reads, describe, log fetches and
 * parameter writes, succeeded or failed, with who asked, the parameters named and the values
 * written (with the old values read just before and the new ones read back after). Never a write key or a signature. Subject: { kind: 'device', id: 'site/device' }.
 */
import { auditRecord, type Actor, type AuditDetail, type AuditRecord } from '../desk/audit-record.js';

export type DeviceRequestAction = 'live-read' | 'describe' | 'logs' | 'write';

export interface DeviceRequestAudit {
  atMs: number;
  actor: Actor;
  site: string;
  device: string;
  action: DeviceRequestAction;
  /** Parameter names asked for (empty for "every readable parameter"). */
  parameters?: readonly string[];
  /** Written values (write only). */
  values?: readonly { name: string; value: number }[];
  lines?: number;
  /** undefined: succeeded; else the error code and message. */
  error?: { code: string; message: string };
  /** For a write: applied, not-applied or unknown (the audit outcome instead of ok/failed; unknown is not a failure). */
  writeOutcome?: 'applied' | 'not-applied' | 'unknown';
  /** For a write: the written parameters as read just before it (value null: not good), or why they could not be read. */
  before?: readonly NamedValue[] | { unavailable: string };
  /** For a write: the written parameters as the device reads back after it. */
  after?: readonly NamedValue[];
}

/** A parameter's value as read from the device; null when the read was not good. */
export interface NamedValue {
  name: string;
  value: number | null;
}

const named = (vs: readonly NamedValue[]): string => vs.map((v) => `${v.name}=${v.value ?? '?'}`).join(';');

export function deviceSubjectId(site: string, device: string): string {
  return `${site}/${device}`;
}

const MAX_DETAIL_CHARS = 2000;
const cut = (s: string): string => (s.length > MAX_DETAIL_CHARS ? `${s.slice(0, MAX_DETAIL_CHARS - 1)}…` : s);

export function deviceRequestRecord(a: DeviceRequestAudit): AuditRecord {
  const details: Record<string, AuditDetail> = { outcome: a.writeOutcome ?? (a.error ? 'failed' : 'ok'), code: a.error?.code ?? null };
  if (a.parameters !== undefined) details.parameters = cut(a.parameters.length > 0 ? a.parameters.join(',') : '*');
  if (a.values !== undefined) details.values = cut(a.values.map((v) => `${v.name}=${v.value}`).join(';'));
  if (a.lines !== undefined) details.lines = a.lines;
  if (a.before !== undefined) details.before = cut('unavailable' in a.before ? `unavailable: ${a.before.unavailable}` : named(a.before));
  if (a.after !== undefined) details.after = cut(named(a.after));
  const what = a.action === 'live-read' ? 'live read' : a.action === 'logs' ? 'log fetch' : a.action;
  const reason = a.writeOutcome === 'unknown' ? `${what} by ${a.actor.id}, outcome unknown: ${a.error?.message ?? ''}`
    : a.error ? `${what} ${a.writeOutcome === 'not-applied' ? 'not applied' : 'failed'}: ${a.error.message}` : `${what} by ${a.actor.id}`;
  return auditRecord(a.atMs, a.actor, { kind: 'device', id: deviceSubjectId(a.site, a.device) }, a.action, { reason: cut(reason), details });
}
