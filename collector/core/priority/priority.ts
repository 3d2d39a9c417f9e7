/** Ticket priority from fault severity. SLA targets and routing build on this later. */
import type { Severity } from '../../../protocol/values.js';
import type { Priority } from '../tickets/ticket.js';

export interface PriorityDecision {
  priority: Priority;
  /** For people: why this priority, e.g. "P1: critical severity". */
  reason: string;
}

const BY_SEVERITY: Readonly<Record<Severity, Priority>> = {
  critical: 'P1',
  major: 'P2',
  minor: 'P3',
  warning: 'P4',
  info: 'P4',
};

/** The priority a fault of this severity gets before the desk's matrix weighs the asset (the dashboard shows it for alarms without a ticket). */
export function severityPriority(severity: Severity): Priority {
  return BY_SEVERITY[severity];
}

export function priorityFor(severity: Severity): PriorityDecision {
  const priority = BY_SEVERITY[severity];
  return { priority, reason: `${priority}: ${severity} severity` };
}
