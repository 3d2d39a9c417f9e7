/**
 * Desk tickets <-> rows of the tickets table (schema v2). Nested values are JSON columns; a ticket
 * written before the desk (sla IS NULL) is lifted with the default SLA policy, its clocks running
 * from its opening.
 */
import type { Actor } from '../../core/desk/audit-record.js';
import type {
  DeskTicket, EscalationState, NewDeskTicket, Resolution, SatisfactionRating, TicketComment, TicketOrigin, Tier,
} from '../../core/tickets/desk-ticket.js';
import { liftStoredTicket } from '../../core/tickets/desk-ticket.js';
import type { PriorityOverride } from '../../core/priority/priority-matrix.js';
import type { TicketClocks } from '../../core/sla/sla-policy.js';
import { ticketFromRow, type TicketRow } from './row-mapping.js';

export interface DeskTicketRow extends TicketRow {
  origin: string;
  reporter: string;
  description: string;
  labels: string;
  team: string | null;
  tier: string;
  assignee: string | null;
  required_skills: string;
  priority_override: string | null;
  acknowledged_at_ms: number | null;
  resolved_at_ms: number | null;
  sla: string | null;
  fault_clear_since_ms: number | null;
  resolution: string | null;
  satisfaction: string | null;
  reopen_count: number;
  parent_id: number | null;
  site_parent: number;
  escalation: string;
}

export interface CommentRow {
  ticket_id: number;
  at_ms: number;
  author_kind: string;
  author_id: string;
  text: string;
  visibility: string;
}

const json = <T>(s: string): T => JSON.parse(s) as T;
const jsonOrNull = <T>(s: string | null): T | null => (s === null ? null : json<T>(s));

export function commentFromRow(r: CommentRow): TicketComment {
  return {
    atMs: r.at_ms, author: { kind: r.author_kind as Actor['kind'], id: r.author_id }, text: r.text,
    visibility: r.visibility as TicketComment['visibility'],
  };
}

export function commentToRow(ticketId: number, c: TicketComment): CommentRow {
  return { ticket_id: ticketId, at_ms: c.atMs, author_kind: c.author.kind, author_id: c.author.id, text: c.text, visibility: c.visibility };
}

// Enum-like columns are written only from validated domain values, so reading them back is a cast.
export function deskTicketFromRow(r: DeskTicketRow, comments: TicketComment[]): DeskTicket {
  const base = ticketFromRow(r);
  if (r.sla === null) return { ...liftStoredTicket(base), comments };
  return {
    ...base,
    origin: r.origin as TicketOrigin, reporter: r.reporter, description: r.description, labels: json<Record<string, string>>(r.labels),
    team: r.team, tier: r.tier as Tier, assignee: r.assignee, requiredSkills: json<string[]>(r.required_skills),
    priorityOverride: jsonOrNull<PriorityOverride>(r.priority_override), acknowledgedAtMs: r.acknowledged_at_ms,
    resolvedAtMs: r.resolved_at_ms, sla: json<TicketClocks>(r.sla), faultClearSinceMs: r.fault_clear_since_ms, comments,
    resolution: jsonOrNull<Resolution>(r.resolution), satisfaction: jsonOrNull<SatisfactionRating>(r.satisfaction),
    reopenCount: r.reopen_count, parentId: r.parent_id, siteParent: r.site_parent === 1, escalation: json<EscalationState>(r.escalation),
  };
}

/** Every column but id and number (which the store assigns once). */
export function deskTicketParams(t: NewDeskTicket) {
  return { ...mutableTicketParams(t), device: t.device, site: t.site, code: t.code, opened_at_ms: t.openedAtMs, first_seen_ms: t.firstSeenMs,
    snapshot: JSON.stringify(t.snapshot), log_excerpt: JSON.stringify(t.logExcerpt), remedy: t.remedy, adapter_id: t.adapterId,
    origin: t.origin, reporter: t.reporter, site_parent: t.siteParent ? 1 : 0 };
}

/** The columns a later change may touch (the rest are written once). */
export function mutableTicketParams(t: NewDeskTicket) {
  return {
    title: t.title, category: t.category, severity: t.severity,
    priority: t.priority, priority_reason: t.priorityReason, status: t.status, fault_active: t.faultActive ? 1 : 0,
    occurrences: t.occurrences, last_seen_ms: t.lastSeenMs, cleared_at_ms: t.clearedAtMs, closed_at_ms: t.closedAtMs, reporter: t.reporter, description: t.description, labels: JSON.stringify(t.labels), team: t.team,
    tier: t.tier, assignee: t.assignee, required_skills: JSON.stringify(t.requiredSkills),
    priority_override: t.priorityOverride === null ? null : JSON.stringify(t.priorityOverride),
    acknowledged_at_ms: t.acknowledgedAtMs, resolved_at_ms: t.resolvedAtMs, sla: JSON.stringify(t.sla),
    fault_clear_since_ms: t.faultClearSinceMs, resolution: t.resolution === null ? null : JSON.stringify(t.resolution),
    satisfaction: t.satisfaction === null ? null : JSON.stringify(t.satisfaction), reopen_count: t.reopenCount,
    parent_id: t.parentId, escalation: JSON.stringify(t.escalation),
  };
}

export type DeskTicketParams = ReturnType<typeof deskTicketParams>;
type MutableParams = ReturnType<typeof mutableTicketParams>;

const jsonOf = (v: unknown): string => JSON.stringify(v);
const jsonOrNullOf = (v: unknown): string | null => (v === null ? null : JSON.stringify(v));

/**
 * Each mutable column with the ticket field it comes from and how it is written. A field whose
 * value is the same (for nested values: the same object, as the pure core keeps unchanged parts)
 * leaves its column alone, so an update neither re-serialises nor rewrites what did not change.
 */
const MUTABLE_COLUMN_SOURCES: ReadonlyArray<readonly [keyof MutableParams, keyof NewDeskTicket, (v: never) => unknown]> = [
  ['title', 'title', (v: string) => v], ['category', 'category', (v: string) => v], ['severity', 'severity', (v: string) => v],
  ['priority', 'priority', (v: string) => v], ['priority_reason', 'priorityReason', (v: string) => v], ['status', 'status', (v: string) => v],
  ['fault_active', 'faultActive', (v: boolean) => (v ? 1 : 0)], ['occurrences', 'occurrences', (v: number) => v],
  ['last_seen_ms', 'lastSeenMs', (v: number) => v], ['cleared_at_ms', 'clearedAtMs', (v: number | null) => v],
  ['closed_at_ms', 'closedAtMs', (v: number | null) => v], ['description', 'description', (v: string) => v],
  ['labels', 'labels', jsonOf], ['team', 'team', (v: string | null) => v], ['tier', 'tier', (v: string) => v],
  ['assignee', 'assignee', (v: string | null) => v], ['required_skills', 'requiredSkills', jsonOf],
  ['priority_override', 'priorityOverride', jsonOrNullOf], ['acknowledged_at_ms', 'acknowledgedAtMs', (v: number | null) => v],
  ['resolved_at_ms', 'resolvedAtMs', (v: number | null) => v], ['sla', 'sla', jsonOf],
  ['fault_clear_since_ms', 'faultClearSinceMs', (v: number | null) => v], ['resolution', 'resolution', jsonOrNullOf],
  ['satisfaction', 'satisfaction', jsonOrNullOf], ['reopen_count', 'reopenCount', (v: number) => v],
  ['parent_id', 'parentId', (v: number | null) => v], ['escalation', 'escalation', jsonOf],
];

/** The mutable columns whose source field differs between `before` and `t`, with their new values. */
export function changedTicketParams(t: NewDeskTicket, before: NewDeskTicket): Record<string, unknown> {
  const changed: Record<string, unknown> = {};
  for (const [column, field, write] of MUTABLE_COLUMN_SOURCES) {
    if (t[field] !== before[field]) changed[column] = write(t[field] as never);
  }
  return changed;
}

/** Fields stored only when the ticket is opened: a save that changes one of them cannot be cached as written. */
export const IMMUTABLE_TICKET_FIELDS: ReadonlyArray<keyof DeskTicket> = [
  'id', 'number', 'device', 'site', 'code', 'openedAtMs', 'firstSeenMs', 'snapshot', 'logExcerpt', 'remedy', 'adapterId', 'origin', 'reporter', 'siteParent',
];

/** Columns written once, when the ticket is opened. */
export const IMMUTABLE_TICKET_COLUMNS: ReadonlyArray<keyof DeskTicketParams> = [
  'device', 'site', 'code', 'opened_at_ms', 'first_seen_ms', 'snapshot', 'log_excerpt', 'remedy', 'adapter_id', 'origin', 'reporter', 'site_parent',
];

/** Column names of deskTicketParams, for INSERT and UPDATE statements. */
export const DESK_TICKET_COLUMNS: ReadonlyArray<keyof DeskTicketParams> = [
  'title', 'device', 'site', 'code', 'category', 'severity', 'priority', 'priority_reason', 'status', 'fault_active',
  'occurrences', 'opened_at_ms', 'first_seen_ms', 'last_seen_ms', 'cleared_at_ms', 'closed_at_ms', 'snapshot', 'log_excerpt',
  'remedy', 'adapter_id', 'origin', 'reporter', 'description', 'labels', 'team', 'tier', 'assignee', 'required_skills',
  'priority_override', 'acknowledged_at_ms', 'resolved_at_ms', 'sla', 'fault_clear_since_ms', 'resolution', 'satisfaction',
  'reopen_count', 'parent_id', 'site_parent', 'escalation',
];
