/** Saved views of the ticket table (a named filter and sort), kept per user, as the store port offers them. */

/** A view's settings as the dashboard saved them: filter and sort fields by name (validated by the API). */
export type TicketViewSettings = Record<string, string>;

export interface SavedTicketView {
  name: string;
  settings: TicketViewSettings;
  updatedMs: number;
}

export interface TicketViewsPort {
  /** The user's views by name. */
  list(userId: number): Promise<SavedTicketView[]>;
  /** Creates or replaces the user's view of that name. */
  save(userId: number, name: string, settings: TicketViewSettings, nowMs: number): Promise<SavedTicketView>;
  /** false when the user has no view of that name. */
  remove(userId: number, name: string): Promise<boolean>;
}
