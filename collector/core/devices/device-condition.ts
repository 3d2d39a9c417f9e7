/**
 * What one look at a device should tell (pure): in alarm (by the highest priority: the working
 * ticket's, else the severity's), link lost, in maintenance (alarms shelved, suppressed or out of
 * service), registers the device does not support, or normal. Worst first. The plant overview
 * computes it on the server (to count, sort and page every device) and in the browser (live).
 */
import type { Severity } from '../../../protocol/values.js';
import { severityPriority } from '../priority/priority.js';
import type { Priority } from '../tickets/ticket.js';

export const CONDITIONS = ['P1', 'P2', 'P3', 'P4', 'link-lost', 'maintenance', 'unsupported', 'normal'] as const;
export type Condition = (typeof CONDITIONS)[number];

/** Alarm states that put a device in alarm. */
export const ALARMING: ReadonlySet<string> = new Set(['active-unacknowledged', 'active-acknowledged', 'cleared-unacknowledged']);
const MAINTENANCE: ReadonlySet<string> = new Set(['shelved', 'suppressed-by-design', 'out-of-service']);

/** An alarm as the condition needs it. */
export interface ConditionAlarm { state: string; severity: Severity; priority: Priority | null }

/** What the condition of a device is made of. */
export interface ConditionInput {
  online: boolean;
  alarms: readonly ConditionAlarm[];
  unsupported: readonly string[];
  values: ReadonlyArray<{ reason?: string }>;
}

export const alarmPriorityOf = (a: ConditionAlarm): Priority => a.priority ?? severityPriority(a.severity);

export function deviceCondition(d: ConditionInput): Condition {
  let worst: Priority | undefined;
  for (const a of d.alarms) {
    if (!ALARMING.has(a.state)) continue;
    const p = alarmPriorityOf(a);
    if (worst === undefined || p < worst) worst = p;
  }
  if (worst !== undefined) return worst;
  if (!d.online) return 'link-lost';
  if (d.alarms.some((a) => MAINTENANCE.has(a.state))) return 'maintenance';
  if (d.unsupported.length > 0 || d.values.some((v) => v.reason === 'unsupported')) return 'unsupported';
  return 'normal';
}

export const conditionRank = (c: Condition): number => CONDITIONS.indexOf(c);
