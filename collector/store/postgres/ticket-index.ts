/**
 * Where a PostgreSQL desk unit finds its tickets by fault (site, device, code) and by site without
 * walking every loaded ticket: an ingest batch of n events over a site with m open tickets asked
 * the unit n times for candidates, O(n·m) before. A ticket's site, device and code never change
 * (IMMUTABLE_TICKET_COLUMNS), so an id stays under its keys; ids are only added (tickets the unit
 * loaded or inserted). A lookup returns ids; the unit reads each one's current state and skips an
 * id whose insert was rolled back (savepoint or a rerun after NeedMore).
 */
import type { DeskTicket } from '../../core/tickets/desk-ticket.js';
import { faultKey } from './desk-unit-state.js';

export class TicketIndex {
  private readonly byFault = new Map<string, Set<number>>();
  private readonly bySite = new Map<string, Set<number>>();

  constructor(tickets: Iterable<DeskTicket>) {
    for (const t of tickets) this.add(t);
  }

  add(t: DeskTicket): void {
    add(this.byFault, faultKey(t.site, t.device, t.code), t.id);
    add(this.bySite, t.site, t.id);
  }

  /** Ids of the tickets of one fault of one device, ascending. */
  ofFault(site: string, device: string, code: string): number[] {
    return sorted(this.byFault.get(faultKey(site, device, code)));
  }

  /** Ids of the tickets of one site, ascending. */
  ofSite(site: string): number[] {
    return sorted(this.bySite.get(site));
  }
}

function add(map: Map<string, Set<number>>, key: string, id: number): void {
  const ids = map.get(key);
  if (ids) ids.add(id);
  else map.set(key, new Set([id]));
}

const sorted = (ids: Set<number> | undefined): number[] => (ids ? [...ids].sort((a, b) => a - b) : []);
