/**
 * Priority P1–P4 from the fault's severity, the asset's criticality (A/B/C, per device, else per
 * site, else a default) and its scope (devices affected, production stopped). Criticality B gives
 * the same priorities as severity alone (priority.ts); A raises one level, C lowers one. Production
 * stopped is always P1; a wide scope raises one level. Every decision explains itself, and a manual
 * override keeps the computed decision beside who overrode it and why.
 */
import type { Severity } from '../../../protocol/values.js';
import { auditRecord, type Actor, type AuditRecord } from '../desk/audit-record.js';
import { DESK_ERROR_CODES, deskError } from '../desk/desk-errors.js';
import { PRIORITIES, type Priority } from '../tickets/ticket.js';

export const CRITICALITIES = ['A', 'B', 'C'] as const;
export type Criticality = (typeof CRITICALITIES)[number];

export interface CriticalityConfig {
  default: Criticality;
  /** By site id. */
  sites: Record<string, Criticality>;
  /** By "site/device"; wins over the site's. */
  devices: Record<string, Criticality>;
}

export interface PriorityMatrixConfig {
  matrix: Record<Severity, Record<Criticality, Priority>>;
  /** This many devices affected (or more) raise the priority one level. */
  wideScopeDevices: number;
  criticality: CriticalityConfig;
}

export const DEFAULT_PRIORITY_MATRIX: PriorityMatrixConfig = {
  matrix: {
    critical: { A: 'P1', B: 'P1', C: 'P2' },
    major: { A: 'P1', B: 'P2', C: 'P3' },
    minor: { A: 'P2', B: 'P3', C: 'P4' },
    warning: { A: 'P3', B: 'P4', C: 'P4' },
    info: { A: 'P4', B: 'P4', C: 'P4' },
  },
  wideScopeDevices: 3,
  criticality: { default: 'B', sites: {}, devices: {} },
};

export interface PriorityInput {
  severity: Severity;
  site: string;
  /** '' for a ticket about a whole site. */
  device: string;
  /** Devices affected by the same cause (1 for a single device). */
  devicesAffected: number;
  productionStopped: boolean;
}

export interface PriorityOverride {
  by: Actor;
  atMs: number;
  why: string;
  /** What the matrix had computed. */
  computed: Priority;
}

export interface PriorityAssessment {
  priority: Priority;
  /** For people, e.g. "P1: critical severity on a criticality-A asset". */
  reason: string;
  criticality: Criticality;
  criticalitySource: 'device' | 'site' | 'default';
  override: PriorityOverride | null;
}

export function criticalityOf(config: CriticalityConfig, site: string, device: string): { criticality: Criticality; source: 'device' | 'site' | 'default' } {
  const byDevice = device === '' ? undefined : config.devices[`${site}/${device}`];
  if (byDevice) return { criticality: byDevice, source: 'device' };
  const bySite = config.sites[site];
  if (bySite) return { criticality: bySite, source: 'site' };
  return { criticality: config.default, source: 'default' };
}

function raiseOne(p: Priority): Priority {
  return PRIORITIES[Math.max(0, PRIORITIES.indexOf(p) - 1)] ?? 'P1';
}

export function assessPriority(input: PriorityInput, config: PriorityMatrixConfig = DEFAULT_PRIORITY_MATRIX): PriorityAssessment {
  const { criticality, source } = criticalityOf(config.criticality, input.site, input.device);
  const base = config.matrix[input.severity][criticality];
  const basis = `${input.severity} severity on a criticality-${criticality} asset`;
  let priority = base;
  let why = '';
  if (input.productionStopped) {
    priority = 'P1';
    why = base === 'P1' ? '; production stopped' : `, raised from ${base}: production stopped`;
  } else if (input.devicesAffected >= config.wideScopeDevices) {
    priority = raiseOne(base);
    const scope = `${input.devicesAffected} devices affected`;
    why = priority === base ? `; ${scope}` : `, raised from ${base}: ${scope}`;
  }
  return { priority, reason: `${priority}: ${basis}${why}`, criticality, criticalitySource: source, override: null };
}

/** A person sets the priority by hand; the computed one and the reason are kept. */
export function overridePriority<T extends Pick<PriorityAssessment, 'priority' | 'reason' | 'override'>>(
  current: T, change: { priority: Priority; by: Actor; why: string; atMs: number }, ticketId: string,
): { assessment: T; audit: AuditRecord } {
  const why = change.why.trim();
  if (why === '') {
    throw deskError(DESK_ERROR_CODES.priorityOverride, 'a priority override needs a reason', { ticket: ticketId },
      'say why the priority differs from the computed one');
  }
  const computed = current.override?.computed ?? current.priority;
  const assessment: T = {
    ...current, priority: change.priority,
    reason: `${change.priority}: set by ${change.by.id} (computed ${computed}): ${why}`,
    override: { by: change.by, atMs: change.atMs, why, computed },
  };
  const audit = auditRecord(change.atMs, change.by, { kind: 'ticket', id: ticketId }, 'priority-override',
    { from: current.priority, to: change.priority, reason: why, details: { computed } });
  return { assessment, audit };
}
