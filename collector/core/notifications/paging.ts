/**
 * Paging by e-mail, the pure half: which desk notifications are pages, who gets each one (the
 * ticket's assignee and whoever is on call for the ticket's team and tier), and when it goes out
 * given each person's choice (immediately, digest, none) and quiet hours in their own time zone.
 * The edge queues the pages in the durable outbox (not before `sendAtMs`) and sends them over SMTP.
 *
 * Pages: a new P1 or P2 ticket, an escalation, an SLA breach warning and an SLA breach. Everything
 * else stays on the board and the webhooks.
 */
import type { NotifyEffect, TicketSnapshot } from './notifications.js';
import type { WebhookDelivery, WebhookPayload } from './webhook-delivery.js';
import { onCallFor, type Team } from '../routing/on-call.js';
import { addDays, civilDateAt, instantAt, parseClockTime, wallClockAt } from '../sla/time-zone.js';

export const PAGING_MODES = ['immediately', 'digest', 'none'] as const;
export type PagingMode = (typeof PAGING_MODES)[number];

/** One person's paging choices. Times are "HH:MM" in `timeZone`. */
export interface PagingPrefs {
  email: string;
  mode: PagingMode;
  timeZone: string;
  /** No mail between start and end (end may be past midnight); held until end. */
  quietHours: { start: string; end: string } | null;
  /** When the digest goes out each day. */
  digestAt: string;
}

export type PageEvent = 'ticket.opened' | 'ticket.escalated' | 'ticket.sla-warning' | 'ticket.sla-breach';

export interface Page {
  /** Stable: the same desk change never queues the same person twice. */
  deliveryId: string;
  memberId: string;
  email: string;
  event: PageEvent;
  /** Why this person: the ticket is theirs, or they are on call for its team and tier. */
  why: 'assignee' | 'on-call';
  ticket: TicketSnapshot;
  reason: string;
  atMs: number;
  /** Not sent before this instant. */
  sendAtMs: number;
  /** Why it waits: null when it goes out now. */
  held: 'quiet-hours' | 'digest' | null;
}

export interface PagingContext {
  nowMs: number;
  teams: Readonly<Record<string, Team>>;
  /** Per member id; a member without an entry (no e-mail address) is never paged. */
  prefs: Readonly<Record<string, PagingPrefs>>;
}

/** The page event a notification is, or null when it is not a page. */
export function pageEventOf(effect: NotifyEffect): PageEvent | null {
  const t = effect.ticket;
  if (!t) return null;
  switch (effect.event) {
    case 'ticket.opened': return t.priority === 'P1' || t.priority === 'P2' ? 'ticket.opened' : null;
    case 'ticket.escalated':
    case 'ticket.sla-warning':
    case 'ticket.sla-breach':
      return effect.event;
    default: return null;
  }
}

/** The people a page goes to: the assignee first, then the on-call of the ticket's team at its tier. */
export function pageRecipients(ticket: TicketSnapshot, ctx: PagingContext): Array<{ memberId: string; why: Page['why'] }> {
  const out: Array<{ memberId: string; why: Page['why'] }> = [];
  if (ticket.assignee) out.push({ memberId: ticket.assignee, why: 'assignee' });
  const team = ticket.team ? ctx.teams[ticket.team] : undefined;
  if (team) {
    for (const s of onCallFor(team, ticket.tier, ctx.nowMs)) {
      if (!out.some((r) => r.memberId === s.memberId)) out.push({ memberId: s.memberId, why: 'on-call' });
    }
  }
  return out;
}

/** The end of the quiet period atMs falls in, or null when atMs is not in quiet hours. */
export function quietUntilMs(prefs: PagingPrefs, atMs: number): number | null {
  if (!prefs.quietHours) return null;
  const start = parseClockTime(prefs.quietHours.start);
  const end = parseClockTime(prefs.quietHours.end);
  if (start === end) return null;
  const minute = wallClockAt(prefs.timeZone, atMs).minuteOfDay;
  const today = civilDateAt(prefs.timeZone, atMs);
  if (start < end) return minute >= start && minute < end ? instantAt(prefs.timeZone, today, end) : null;
  // Over midnight, e.g. 22:00–07:00.
  if (minute >= start) return instantAt(prefs.timeZone, addDays(today, 1), end);
  if (minute < end) return instantAt(prefs.timeZone, today, end);
  return null;
}

/** The next digest instant at or after atMs. */
export function nextDigestMs(prefs: PagingPrefs, atMs: number): number {
  const today = civilDateAt(prefs.timeZone, atMs);
  const at = instantAt(prefs.timeZone, today, parseClockTime(prefs.digestAt));
  return at >= atMs ? at : instantAt(prefs.timeZone, addDays(today, 1), parseClockTime(prefs.digestAt));
}

/** When a page to this person goes out, and why it waits. */
export function pageTiming(prefs: PagingPrefs, nowMs: number): { sendAtMs: number; held: Page['held'] } {
  if (prefs.mode === 'digest') {
    // Strictly after now: a page never joins a digest that is already due (it may be going out).
    const digest = nextDigestMs(prefs, nowMs + 1);
    // A digest that falls in quiet hours waits for their end too.
    const quiet = quietUntilMs(prefs, digest);
    return { sendAtMs: quiet ?? digest, held: 'digest' };
  }
  const quiet = quietUntilMs(prefs, nowMs);
  return quiet === null ? { sendAtMs: nowMs, held: null } : { sendAtMs: quiet, held: 'quiet-hours' };
}

/** The mails one desk notification causes. */
export function pagesFor(effect: NotifyEffect, ctx: PagingContext): Page[] {
  const event = pageEventOf(effect);
  const ticket = effect.ticket;
  if (!event || !ticket) return [];
  const pages: Page[] = [];
  for (const r of pageRecipients(ticket, ctx)) {
    const prefs = ctx.prefs[r.memberId];
    if (!prefs || prefs.mode === 'none') continue;
    const timing = pageTiming(prefs, ctx.nowMs);
    pages.push({
      deliveryId: `mail:${event}:ticket-${ticket.id}:${effect.atMs}:${r.memberId}`, memberId: r.memberId, email: prefs.email,
      event, why: r.why, ticket, reason: effect.reason, atMs: effect.atMs, ...timing,
    });
  }
  return pages;
}

/** Outbox entries of mail pages carry this webhook id prefix (then the member id): the sender hands them to SMTP. */
export const MAIL_CHANNEL_PREFIX = 'mail:';

/** Outbox delivery ids of digests start with this, then the member id and the digest instant. */
export const DIGEST_DELIVERY_PREFIX = `${MAIL_CHANNEL_PREFIX}digest:`;

/** The one outbox entry holding every page of a member's digest that goes out at sendAtMs. */
export const digestDeliveryId = (memberId: string, sendAtMs: number): string => `${DIGEST_DELIVERY_PREFIX}${memberId}:${sendAtMs}`;

/**
 * The page as an outbox entry: the body is the page itself (JSON, one line); the mail is written
 * when it is sent. A page held for a digest joins its member's digest entry for that instant (one
 * more line of its body), so the digest is one row: claimed, sent and retried as a unit (a page
 * that comes too late for it, the entry already claimed, goes out on its own).
 */
export function pageDelivery(page: Page, effect: NotifyEffect): WebhookDelivery {
  const digest = page.held === 'digest';
  const payload: WebhookPayload = {
    deliveryId: page.deliveryId, event: page.event, occurredAt: new Date(page.atMs).toISOString(), site: effect.site,
    reason: page.reason, recipients: [{ kind: 'member', id: page.memberId }], ticket: page.ticket, details: effect.details,
  };
  return {
    webhookId: `${MAIL_CHANNEL_PREFIX}${page.memberId}`, payload, body: JSON.stringify(page),
    ...(digest || page.sendAtMs > page.atMs ? { notBeforeMs: page.sendAtMs } : {}), ...(digest ? { appendTo: digestDeliveryId(page.memberId, page.sendAtMs) } : {}),
  };
}
