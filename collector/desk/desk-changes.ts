/**
 * Which alarms, tickets and sites' flood states one committed piece of desk work touched: what the
 * live stream (dashboard) needs to know to push fresh rows. Collected while the work runs, handed
 * to listeners only after the transaction committed (a rolled-back change is never announced).
 */
export interface DeskChanges {
  alarms: number[];
  tickets: number[];
  /** Sites whose flood state was written. */
  floodSites: string[];
}

export type DeskChangeListener = (changes: DeskChanges) => void;

export class ChangeSet {
  private readonly alarms = new Set<number>();
  private readonly tickets = new Set<number>();
  private readonly floodSites = new Set<string>();

  alarm(id: number): void { this.alarms.add(id); }
  ticket(id: number): void { this.tickets.add(id); }
  flood(site: string): void { this.floodSites.add(site); }

  merge(other: ChangeSet): void {
    for (const id of other.alarms) this.alarms.add(id);
    for (const id of other.tickets) this.tickets.add(id);
    for (const site of other.floodSites) this.floodSites.add(site);
  }

  get empty(): boolean {
    return this.alarms.size === 0 && this.tickets.size === 0 && this.floodSites.size === 0;
  }

  /** The collected changes; the set is empty afterwards. */
  take(): DeskChanges {
    const out: DeskChanges = { alarms: [...this.alarms], tickets: [...this.tickets], floodSites: [...this.floodSites] };
    this.clear();
    return out;
  }

  clear(): void {
    this.alarms.clear();
    this.tickets.clear();
    this.floodSites.clear();
  }
}
