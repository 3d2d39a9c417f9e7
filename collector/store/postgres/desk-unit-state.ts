/** What a PostgreSQL desk unit loaded (never changed: the reference writes are diffed against) and what it changed (cloned for a savepoint). */
import type { ChatterState } from '../../core/alarms/alarm-chatter.js';
import type { FloodEpisode, FloodState } from '../../core/alarms/alarm-flood.js';
import type { AuditRecord } from '../../core/desk/audit-record.js';
import type { WebhookDelivery } from '../../core/notifications/webhook-delivery.js';
import type { DeskTicket } from '../../core/tickets/desk-ticket.js';
import type { StoredAlarm, TicketDeviceInfo, TimerKind } from '../port/desk-repo.js';


export interface AlarmRow { id: number; data: string; chattering: number | null }

export const devKey = (site: string, device: string): string => `${site}\u0000${device}`;
export const faultKey = (site: string, device: string, code: string): string => `${site}\u0000${device}\u0000${code}`;

/** Everything a unit may change; cloned for a savepoint, restored when it throws. */
export class Changes {
  tickets = new Map<number, DeskTicket>();
  newTickets = new Map<number, TicketDeviceInfo>();
  alarms = new Map<string, StoredAlarm>();
  chatter = new Map<string, ChatterState>();
  floods = new Map<string, FloodState>();
  episodes = new Map<string, FloodEpisode>();
  timers = new Map<string, { kind: TimerKind; key: string; dueMs: number | null }>();
  /** Tickets' next SLA due instants set by the unit. */
  slaDue = new Map<number, number | null>();
  audit: AuditRecord[] = [];
  webhooks: Array<{ d: WebhookDelivery; nowMs: number }> = [];
  counters = new Map<string, number>();
  ticketIdsUsed = 0;
  alarmIdsUsed = 0;

  clone(): Changes {
    const c = new Changes();
    c.tickets = new Map(this.tickets); c.newTickets = new Map(this.newTickets); c.alarms = new Map(this.alarms);
    c.chatter = new Map(this.chatter); c.floods = new Map(this.floods); c.episodes = new Map(this.episodes);
    c.timers = new Map(this.timers); c.slaDue = new Map(this.slaDue); c.audit = [...this.audit]; c.webhooks = [...this.webhooks]; c.counters = new Map(this.counters);
    c.ticketIdsUsed = this.ticketIdsUsed; c.alarmIdsUsed = this.alarmIdsUsed;
    return c;
  }
}

/** What was loaded (never changed by the unit): the reference the writes are diffed against. */
export interface Loaded {
  all: boolean;
  sites: Set<string>;
  devices: Set<string>;
  /** Ticket ids asked for by the scope that do not exist. */
  absentTickets: Set<number>;
  absentAlarms: Set<number>;
  tickets: Map<number, DeskTicket>;
  alarms: Map<string, StoredAlarm>;
  chatter: Map<string, ChatterState>;
  floods: Map<string, FloodState>;
  floodTimes: Map<string, number[]>;
  counters: Map<string, number>;
  ticketIds: number[];
  alarmIds: number[];
  /** Undefined until taken (a lazily loaded ingest unit asks for it with NeedMore). */
  openLoad: Map<string, number> | undefined;
  resolvedSinceMs: number;
  siteOpenedSinceMs: number;
  /** An ingest unit's faults (faultKey): the devices' tickets were loaded for these only. Undefined: for every code. */
  faults?: Set<string>;
  /** False until an ingest unit (`faults`) loaded its sites' open tickets (NeedMore). */
  siteTickets?: boolean;
}

