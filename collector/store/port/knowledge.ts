/** The knowledge base and the ticket view it works from, as the store port offers them (asynchronous). */
import type { KbDraft, KbEntry } from '../../core/knowledge/knowledge-rank.js';

export interface KbSearch {
  q?: string | undefined;
  /** Keep entries whose model pattern matches this model. */
  model?: string | undefined;
  code?: string | undefined;
  reviewed?: boolean | undefined;
  limit: number;
}

export interface KbFixRef {
  ticketId: number;
  atMs: number;
}

export interface KbTicket {
  id: number;
  number: string;
  title: string;
  code: string;
  site: string;
  device: string;
  status: string;
  /** '' when the device is not in the registry. */
  model: string;
  firmware: string;
  /** The model pattern of the ticket's adapter, when known. */
  familyPattern: string | null;
  resolution: { cause: string; action: string; fix: 'workaround' | 'permanent' } | null;
}

export type TicketRefInput = { id: number } | { number: string };

/** A built-in entry from a firmware adapter: seeded at start; an entry people edited is kept as they left it. */
export interface KbSeed extends KbDraft {
  /** 'adapter:{id}:{code}': stable, so reseeding updates rather than duplicates. */
  seedKey: string;
}

export interface KnowledgePort {
  /** Inserts new seeds and refreshes unedited ones; returns [inserted, refreshed]. */
  seed(seeds: readonly KbSeed[], nowMs: number): Promise<[number, number]>;
  get(id: number): Promise<KbEntry | undefined>;
  forCode(code: string): Promise<KbEntry[]>;
  search(s: KbSearch): Promise<KbEntry[]>;
  create(d: KbDraft, nowMs: number): Promise<KbEntry>;
  /** Replaces an entry's content (it needs review again); undefined when there is no such entry. */
  update(id: number, d: KbDraft, nowMs: number): Promise<KbEntry | undefined>;
  review(id: number, reviewer: string, reviewed: boolean, nowMs: number): Promise<KbEntry | undefined>;
  fixedTickets(entryId: number, limit?: number): Promise<KbFixRef[]>;
  /** Credits the entry with fixing a ticket (once per ticket); false when it already was, or there is no such entry. */
  recordFix(entryId: number, ticketId: number, nowMs: number): Promise<boolean>;
  /**
   * What a resolution taught, in one transaction: a new entry (no `entryId`) or an update of entry
   * `entryId`, credited with fixing the ticket. Undefined when the entry to update is gone.
   */
  learn(change: { entryId?: number; draft: KbDraft }, ticketId: number, nowMs: number): Promise<KbEntry | undefined>;
  /** A ticket as the knowledge base sees it (with its device's model and its adapter's family). */
  ticket(ref: TicketRefInput): Promise<KbTicket | undefined>;
}
