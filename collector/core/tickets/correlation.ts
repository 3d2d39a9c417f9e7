/**
 * Where a raised fault goes. In order:
 * 1. an open ticket on the same site + device + code: counted as an occurrence;
 * 2. a ticket on the same key that was resolved (or closed within the reopen window): reopened;
 * 3. a site-wide cause: a fault of the site-wide category (link) while an open site parent at the
 *    site is recent (opened within `joinWindowMs`) joins it as a child; or, when it makes
 *    `minDevices` devices at the site with an open, unparented ticket of that category opened within
 *    `windowMs`, a new parent ticket is opened with all of them as children;
 * 4. otherwise a new ticket.
 * The decision says which and why; the edge creates / links the tickets.
 */
import type { Category, Severity } from '../../../protocol/values.js';
import { auditRecord } from '../desk/audit-record.js';
import { DEFAULT_LIFECYCLE_POLICY, type DeskContext, type TicketOutcome } from '../desk/desk-context.js';
import { manualTicket, ticketRef, type DeskTicket, type NewDeskTicket } from './desk-ticket.js';
import type { PriorityAssessment } from '../priority/priority-matrix.js';
import type { SlaPolicy } from '../sla/sla-policy.js';
import { withinReopenWindow } from './ticket-lifecycle.js';

export interface CorrelationPolicy {
  siteWideCategory: Category;
  minDevices: number;
  windowMs: number;
  joinWindowMs: number;
  reopenWindowMs: number;
}

export const DEFAULT_CORRELATION_POLICY: CorrelationPolicy = {
  siteWideCategory: 'link', minDevices: 3, windowMs: 2 * 60_000, joinWindowMs: 30 * 60_000,
  reopenWindowMs: DEFAULT_LIFECYCLE_POLICY.reopenWindowMs,
};

/** What correlation needs to know of each candidate ticket (open ones, and recently resolved ones, at the site). */
export type CandidateTicket = Pick<DeskTicket, 'id' | 'site' | 'device' | 'code' | 'category' | 'status' | 'openedAtMs' | 'resolvedAtMs' | 'parentId' | 'siteParent'>;

export interface RaisedFault {
  site: string;
  device: string;
  code: string;
  category: Category;
  /** Collector time of the raise. */
  atMs: number;
}

export type CorrelationDecision =
  | { type: 'occurrence'; ticketId: number; reason: string }
  | { type: 'reopen'; ticketId: number; reason: string }
  /** A new ticket; with parentId, as a child of that site parent. */
  | { type: 'open'; parentId: number | null; reason: string }
  /** A new ticket and a new site parent; the listed tickets become its children too. */
  | { type: 'open-with-site-parent'; adoptChildIds: number[]; devices: string[]; reason: string };

const isOpen = (t: CandidateTicket): boolean => t.status !== 'resolved' && t.status !== 'closed';

export function correlateRaise(
  fault: RaisedFault, candidates: readonly CandidateTicket[], policy: CorrelationPolicy = DEFAULT_CORRELATION_POLICY,
): CorrelationDecision {
  const key = `${fault.site}/${fault.device}/${fault.code}`;
  const same = candidates.filter((t) => !t.siteParent && t.site === fault.site && t.device === fault.device && t.code === fault.code);
  const open = same.find(isOpen);
  if (open) return { type: 'occurrence', ticketId: open.id, reason: `open ticket #${open.id} for ${key}` };
  const recent = same
    .filter((t) => t.status === 'resolved' || withinReopenWindow(t, fault.atMs, policy.reopenWindowMs))
    .sort((a, b) => (b.resolvedAtMs ?? 0) - (a.resolvedAtMs ?? 0))[0];
  if (recent) {
    const ago = Math.round((fault.atMs - (recent.resolvedAtMs ?? fault.atMs)) / 60_000);
    return { type: 'reopen', ticketId: recent.id, reason: `${key} recurred ${ago} min after ticket #${recent.id} was resolved` };
  }
  if (fault.category !== policy.siteWideCategory) return { type: 'open', parentId: null, reason: `no open or recent ticket for ${key}` };

  const parent = candidates.find((t) => t.siteParent && t.site === fault.site && isOpen(t) && fault.atMs - t.openedAtMs <= policy.joinWindowMs);
  if (parent) return { type: 'open', parentId: parent.id, reason: `site ${fault.site} already has site-wide ${fault.category} ticket #${parent.id}` };

  const peers = candidates.filter((t) => !t.siteParent && t.parentId === null && isOpen(t) && t.site === fault.site
    && t.category === policy.siteWideCategory && t.device !== fault.device
    && t.openedAtMs <= fault.atMs && fault.atMs - t.openedAtMs <= policy.windowMs);
  const devices = [...new Set([...peers.map((t) => t.device), fault.device])].sort();
  const within = `${policy.windowMs / 60_000} min`;
  if (devices.length < policy.minDevices) {
    return { type: 'open', parentId: null, reason: `${devices.length} device(s) at ${fault.site} lost ${fault.category} within ${within}, below ${policy.minDevices}` };
  }
  return {
    type: 'open-with-site-parent', adoptChildIds: peers.map((t) => t.id).sort((a, b) => a - b), devices,
    reason: `${devices.length} devices at ${fault.site} lost ${fault.category} within ${within}: ${devices.join(', ')}`,
  };
}

/** The parent ticket for a site-wide cause. It has no single device, so it is closed by hand (or by the edge once its children are). */
export function siteParentTicket(
  input: { site: string; devices: string[]; category: Category; severity: Severity; reason: string }, nowMs: number,
  opts: { policy?: SlaPolicy; priority?: PriorityAssessment } = {},
): NewDeskTicket {
  const base = manualTicket({
    origin: 'api', reporter: 'collector', title: `Site ${input.site}: ${input.devices.length} devices lost ${input.category}`,
    description: input.reason, site: input.site, device: '', category: input.category, severity: input.severity,
  }, nowMs, opts);
  return { ...base, origin: 'device', reporter: input.site, code: `site.${input.category}`, siteParent: true };
}

/** Makes `child` a child of the site parent `parentId`. */
export function attachToParent(child: DeskTicket, parentId: number, ctx: DeskContext, reason: string): TicketOutcome {
  return {
    ticket: { ...child, parentId },
    effects: [],
    audit: [auditRecord(ctx.nowMs, ctx.actor, { kind: 'ticket', id: ticketRef(child) }, 'attach-to-parent', {
      from: child.parentId === null ? null : `#${child.parentId}`, to: `#${parentId}`, reason,
    })],
  };
}
