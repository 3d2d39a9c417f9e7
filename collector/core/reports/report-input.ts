/**
 * What service reports are computed from: plain rows the edge loads (tickets, alarm
 * annunciations and acknowledgements, flood episodes, the fleet per model/firmware), which of
 * the optional figures the store can supply, and the filters. Pure.
 */
import type { Category } from '../../../protocol/values.js';
import type { SlaClock } from '../sla/sla-clock.js';
import type { Priority, TicketStatus } from '../tickets/ticket.js';

/** A figure the store can supply, or why not (e.g. a column that does not exist yet). */
export type Available<T> = { available: true; value: T } | { available: false; reason: string };

export const available = <T>(value: T): Available<T> => ({ available: true, value });
export const unavailable = <T>(reason: string): Available<T> => ({ available: false, reason });

export type SlaOutcome = 'met' | 'missed' | 'pending';

/** A clock's outcome: missed once a breach was recorded, met once stopped without one, else pending. */
export function slaOutcome(clock: Pick<SlaClock, 'stoppedMs' | 'breachedAtMs'>): SlaOutcome {
  if (clock.breachedAtMs !== null) return 'missed';
  return clock.stoppedMs !== null ? 'met' : 'pending';
}

export interface ReportTicket {
  id: number;
  site: string;
  device: string;
  /** '' when unknown (manual ticket, device not in the registry). */
  model: string;
  firmware: string;
  /** '' for manual tickets. */
  code: string;
  category: Category;
  priority: Priority;
  status: TicketStatus;
  /** A site-wide parent stands for others; it is not counted as a fault of its own. */
  siteParent: boolean;
  occurrences: number;
  openedAtMs: number;
  acknowledgedAtMs: number | null;
  resolvedAtMs: number | null;
  reopenCount: number;
  escalations: number;
  responseSla: SlaOutcome | null;
  resolutionSla: SlaOutcome | null;
  /** 1–5, null when not rated. */
  satisfaction: number | null;
}

/** Which optional ticket fields the store supplied (the rest read as null / 0 and their figures are unavailable). */
export interface TicketFields {
  acknowledged: boolean;
  resolved: boolean;
  sla: boolean;
  reopen: boolean;
  escalation: boolean;
  satisfaction: boolean;
}

/** An alarm shown to operators as new (ISA-18.2 annunciation). */
export interface ReportAnnunciation {
  site: string;
  device: string;
  model: string;
  firmware: string;
  code: string;
  atMs: number;
}

export interface ReportAcknowledgement {
  site: string;
  device: string;
  model: string;
  firmware: string;
  operator: string;
  atMs: number;
}

export interface ReportFloodEpisode {
  site: string;
  startMs: number;
  endMs: number | null;
  alarms: number;
  peak: number;
}

/** Devices in the registry per model and firmware (for faults per device). */
export interface FleetCount {
  model: string;
  firmware: string;
  devices: number;
}

export interface ReportFilter {
  site?: string | undefined;
  model?: string | undefined;
  firmware?: string | undefined;
}

export function matchesFilter(row: { site: string; model: string; firmware: string }, f: ReportFilter): boolean {
  return (f.site === undefined || row.site === f.site)
    && (f.model === undefined || row.model === f.model)
    && (f.firmware === undefined || row.firmware === f.firmware);
}

/** Numeric-aware comparison, so firmware 2.10 sorts after 2.9. */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' });
}
