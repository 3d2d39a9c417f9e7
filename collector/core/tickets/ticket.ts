/** The collector's ticket and stored-event records: plain data shared by the rules, the store and the API. */
import type { Category, FaultEvent, Sample, Severity } from '../../../protocol/values.js';

export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type Priority = (typeof PRIORITIES)[number];

/**
 * Workflow status: new → acknowledged (first response) → in-progress → resolved → closed, with
 * waiting-on-customer beside in-progress. The rules live in ticket-lifecycle.ts; the store so far
 * writes only 'new'.
 */
export const TICKET_STATUSES = ['new', 'acknowledged', 'in-progress', 'waiting-on-customer', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export interface Ticket {
  id: number;
  number: string;
  title: string;
  device: string;
  site: string;
  code: string;
  category: Category;
  severity: Severity;
  priority: Priority;
  priorityReason: string;
  status: TicketStatus;
  /** true while the device reports the fault as present (last transition was a raise). */
  faultActive: boolean;
  occurrences: number;
  /** Collector time the ticket was opened. */
  openedAtMs: number;
  /** Device time of the first raise and of the latest raise. */
  firstSeenMs: number;
  lastSeenMs: number;
  /** Device time of the latest clear, null while the fault is active. */
  clearedAtMs: number | null;
  /** Collector time the ticket was closed; null while open (closing is a later issue). */
  closedAtMs: number | null;
  snapshot: Sample[];
  logExcerpt: string[];
  remedy: string;
  adapterId: string;
}

/** A fault event as stored: the wire event plus when it arrived and the ticket it belongs to. */
export interface StoredEvent extends FaultEvent {
  receivedMs: number;
  ticketId: number | null;
}
