/**
 * What one look at a device should tell (pure): in alarm (by the highest priority: the working
 * ticket's, else the severity's), link lost, in maintenance (alarms shelved, suppressed or out of
 * service), registers the device does not support, or normal. Worst first.
 */
import { severityPriority } from '../../../collector/core/priority/priority.js';
import type { PlantAlarm, PlantDevice } from './plant-types';

export const CONDITIONS = ['P1', 'P2', 'P3', 'P4', 'link-lost', 'maintenance', 'unsupported', 'normal'] as const;
export type Condition = (typeof CONDITIONS)[number];

/** Alarm states that put a device in alarm. */
export const ALARMING: ReadonlySet<string> = new Set(['active-unacknowledged', 'active-acknowledged', 'cleared-unacknowledged']);
const MAINTENANCE = new Set(['shelved', 'suppressed-by-design', 'out-of-service']);

export const alarmPriorityOf = (a: PlantAlarm): 'P1' | 'P2' | 'P3' | 'P4' => a.priority ?? severityPriority(a.severity);

export function deviceCondition(d: Pick<PlantDevice, 'online' | 'alarms' | 'unsupported' | 'values'>): Condition {
  let worst: Condition | undefined;
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
