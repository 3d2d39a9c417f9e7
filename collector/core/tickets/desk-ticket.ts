/**
 * The service-desk view of a ticket: the stored Ticket plus what a support desk tracks — origin,
 * reporter, team/tier/assignee, SLA clocks, comments, resolution, satisfaction, reopen count,
 * parent (site-wide cause) and escalation. Factories build one from a device fault (the existing
 * ticket rules' NewTicket), from a phone/email/chat report, or lift a ticket already in the store.
 */
import type { Category, Severity } from '../../../protocol/values.js';
import type { Actor } from '../desk/audit-record.js';
import { DESK_ERROR_CODES, requireText } from '../desk/desk-errors.js';
import type { PriorityAssessment, PriorityOverride } from '../priority/priority-matrix.js';
import { priorityFor } from '../priority/priority.js';
import { DEFAULT_SLA_POLICY, startTicketClocks, type SlaPolicy, type TicketClocks } from '../sla/sla-policy.js';
import type { Ticket } from './ticket.js';
import type { NewTicket } from './ticket-rules.js';

export const TICKET_ORIGINS = ['device', 'phone', 'email', 'chat', 'api'] as const;
export type TicketOrigin = (typeof TICKET_ORIGINS)[number];
export type ManualOrigin = Exclude<TicketOrigin, 'device'>;

export const TIERS = ['L1', 'L2', 'L3'] as const;
export type Tier = (typeof TIERS)[number];

export interface TicketComment {
  atMs: number;
  author: Actor;
  text: string;
  /** internal: engineers only; public: shown to the reporter / customer. */
  visibility: 'internal' | 'public';
}

export const FIX_KINDS = ['workaround', 'permanent'] as const;
export type FixKind = (typeof FIX_KINDS)[number];

export interface ResolutionNote {
  cause: string;
  action: string;
  fix: FixKind;
}

export interface Resolution extends ResolutionNote {
  by: Actor;
  atMs: number;
}

export interface SatisfactionRating {
  /** 1 (very unhappy) … 5 (very happy) */
  score: number;
  comment: string;
  by: Actor;
  atMs: number;
}

export interface EscalationState {
  /** How many times the ticket moved up a tier. */
  count: number;
  lastAtMs: number | null;
  /** Set when an escalation past the top tier notified management (once). */
  managementNotifiedAtMs: number | null;
}

export interface DeskTicket extends Ticket {
  origin: TicketOrigin;
  /** Who reported it: a person for manual tickets, the device id for device tickets. */
  reporter: string;
  description: string;
  labels: Record<string, string>;
  team: string | null;
  tier: Tier;
  assignee: string | null;
  /** Skills the assignee should have (from the routing rule, else the category). */
  requiredSkills: string[];
  priorityOverride: PriorityOverride | null;
  acknowledgedAtMs: number | null;
  resolvedAtMs: number | null;
  sla: TicketClocks;
  /** Collector time since when the device's fault has been cleared; null while active or for manual tickets. */
  faultClearSinceMs: number | null;
  comments: TicketComment[];
  resolution: Resolution | null;
  satisfaction: SatisfactionRating | null;
  reopenCount: number;
  /** The site-wide parent this ticket is a child of. */
  parentId: number | null;
  /** true for a parent ticket standing for a site-wide cause. */
  siteParent: boolean;
  escalation: EscalationState;
}

export type NewDeskTicket = Omit<DeskTicket, 'id' | 'number'>;

/** How a ticket is named in audit records and errors: its number, else its id. */
export function ticketRef(t: Pick<Ticket, 'id' | 'number'>): string {
  return t.number !== '' ? t.number : `#${t.id}`;
}

function deskFields(base: NewTicket, origin: TicketOrigin, reporter: string, policy: SlaPolicy): Omit<NewDeskTicket, keyof NewTicket> {
  return {
    origin, reporter, description: '', labels: {}, team: null, tier: 'L1', assignee: null, requiredSkills: [], priorityOverride: null,
    acknowledgedAtMs: null, resolvedAtMs: null, sla: startTicketClocks(policy, base.priority, base.openedAtMs),
    faultClearSinceMs: null, comments: [], resolution: null, satisfaction: null, reopenCount: 0, parentId: null,
    siteParent: false, escalation: { count: 0, lastAtMs: null, managementNotifiedAtMs: null },
  };
}

/** A device-raised ticket (from decideTicket's 'open'), with the matrix's priority when given. */
export function deviceTicket(
  base: NewTicket, opts: { policy?: SlaPolicy; priority?: PriorityAssessment; labels?: Record<string, string> } = {},
): NewDeskTicket {
  const withPriority = opts.priority ? { ...base, priority: opts.priority.priority, priorityReason: opts.priority.reason } : base;
  return { ...withPriority, ...deskFields(withPriority, 'device', base.device, opts.policy ?? DEFAULT_SLA_POLICY), labels: opts.labels ?? {} };
}

export interface ManualTicketInput {
  origin: ManualOrigin;
  reporter: string;
  title: string;
  description: string;
  site: string;
  /** '' when the report is not about one device. */
  device: string;
  category: Category;
  severity: Severity;
  labels?: Record<string, string>;
}

/** A ticket reported by phone, e-mail, chat or the API: same fields, no device verification. */
export function manualTicket(input: ManualTicketInput, nowMs: number, opts: { policy?: SlaPolicy; priority?: PriorityAssessment } = {}): NewDeskTicket {
  const code = DESK_ERROR_CODES.ticketFieldRequired;
  const title = requireText(input.title, 'title', code);
  const reporter = requireText(input.reporter, 'reporter', code);
  const site = requireText(input.site, 'site', code);
  const computed = opts.priority ?? priorityFor(input.severity);
  const base: NewTicket = {
    title, device: input.device.trim(), site, code: '', category: input.category, severity: input.severity,
    priority: computed.priority, priorityReason: computed.reason, status: 'new', faultActive: false, occurrences: 1,
    openedAtMs: nowMs, firstSeenMs: nowMs, lastSeenMs: nowMs, clearedAtMs: null, closedAtMs: null,
    snapshot: [], logExcerpt: [], remedy: '', adapterId: '',
  };
  return {
    ...base, ...deskFields(base, input.origin, reporter, opts.policy ?? DEFAULT_SLA_POLICY),
    description: input.description.trim(), labels: input.labels ?? {},
  };
}

/** A ticket already in the store (status 'new', opened by a device) as a desk ticket, clocks from its opening. */
export function liftStoredTicket(ticket: Ticket, policy: SlaPolicy = DEFAULT_SLA_POLICY): DeskTicket {
  const { id, number, ...rest } = ticket;
  return {
    id, number, ...rest, ...deskFields(rest, 'device', ticket.device, policy),
    faultClearSinceMs: ticket.faultActive ? null : ticket.clearedAtMs,
  };
}
