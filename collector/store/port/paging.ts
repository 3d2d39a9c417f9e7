/**
 * Keyset paging, as the store port offers it for lists people page through: a page is the items
 * after a position in one stable order (the sort key, then the id as a tie-break), with the total
 * the list's filter matches. A position names values, not an offset, so rows added or removed
 * meanwhile never shift a page: nothing is skipped or shown twice.
 */
import type { Priority, TicketStatus } from '../../core/tickets/ticket.js';
import type { AlarmFilter } from './desk-repo.js';

export const SORT_DIRECTIONS = ['asc', 'desc'] as const;
export type SortDirection = (typeof SORT_DIRECTIONS)[number];

/** Where a page starts: after the item with this sort value and id. */
export interface PagePosition {
  value: string | number;
  id: number;
}

export interface Page<T> {
  items: T[];
  /** How many items the filter matches in all (every page). */
  total: number;
  /** Where the next page starts; null on the last page. */
  next: PagePosition | null;
}

/** Columns a ticket list sorts by (age is `opened`; `sla` the next SLA due instant, tickets without one last either way). */
export const TICKET_SORTS = ['opened', 'priority', 'status', 'team', 'assignee', 'site', 'device', 'number', 'sla'] as const;
export type TicketSort = (typeof TICKET_SORTS)[number];

/** Whether a ticket sort's values are numbers (else text): what a position in it carries. */
export const ticketSortIsNumeric = (sort: TicketSort): boolean => sort === 'opened' || sort === 'sla';

/**
 * Which tickets by state: `open` not resolved or closed, `current` not closed (the board),
 * `done` resolved or closed.
 */
export const TICKET_SCOPES = ['open', 'current', 'done'] as const;
export type TicketScope = (typeof TICKET_SCOPES)[number];

export interface TicketPageQuery {
  status?: TicketStatus | undefined;
  scope?: TicketScope | undefined;
  device?: string | undefined;
  site?: string | undefined;
  assignee?: string | undefined;
  team?: string | undefined;
  priority?: Priority | undefined;
  /** Only tickets whose next SLA due instant is before this (UTC ms): due soon, or breached with the time now. */
  slaDueBeforeMs?: number | undefined;
  sort: TicketSort;
  dir: SortDirection;
  after?: PagePosition | undefined;
  limit: number;
}

/** A page of alarms: the alarm filter, newest change first; `after` is the last alarm's change time and id. */
export type AlarmPageQuery = AlarmFilter & { after?: PagePosition | undefined };

/** A page of audit records: the newest `limit` of a subject (or of all) before sequence number `before`. */
export interface AuditPageQuery {
  subject?: string | undefined;
  before?: number | undefined;
  limit: number;
}

/** Audit records of one page, oldest first (as the chain reads), with the total and where the next (older) page ends. */
export interface AuditPage<T> {
  records: T[];
  total: number;
  /** Pass as `before` for the next, older page; null when there is none. */
  before: number | null;
}

/** A page of the device registry in (site, device) order; `after`'s value is the last device's "site/device". */
export interface DevicePageQuery {
  after?: PagePosition | undefined;
  limit: number;
}

/** A page of users in username order (bytes); `after`'s value is the last user's name, its id the user's id. */
export interface UserPageQuery {
  after?: PagePosition | undefined;
  limit: number;
}

/**
 * A page of stored fault events, newest received first (ties: id, descending), filtered by site,
 * device, fault code and ticket; `after`'s value is the last event's "receivedMs/eventId" (id 0).
 */
export interface EventPageQuery {
  site?: string | undefined;
  device?: string | undefined;
  code?: string | undefined;
  ticketId?: number | undefined;
  after?: PagePosition | undefined;
  limit: number;
}
