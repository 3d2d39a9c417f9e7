/**
 * What the knowledge routes (and the service desk) use: suggestions for a ticket, learning from
 * a ticket's resolution, crediting an entry with a fix. Wires the SQLite knowledge base and the
 * read-only ticket view to the pure rules in core/knowledge-rank.ts.
 */
import type { Database } from 'better-sqlite3';
import { FaultlineError } from '../../protocol/errors.js';
import {
  draftFromResolution, findSameRemedy, mergeResolution, rankEntries, type KbEntry, type RankedEntry, type ResolutionInput,
} from '../core/knowledge-rank.js';
import { KnowledgeBase } from './knowledge-store.js';
import { TicketLookup, type KbTicket, type TicketRefInput } from './ticket-lookup.js';

/** Text-search suggestions for a ticket without a fault code (manual tickets), at most this many. */
const TEXT_SUGGESTIONS = 5;

export interface LearnInput {
  /** Update this entry; without it an entry for the same code, pattern and action is updated, else one is created. */
  entryId?: number | undefined;
  /** Override / supply the resolution (else the ticket's stored resolution is used). */
  cause?: string | undefined;
  action?: string | undefined;
  fix?: 'workaround' | 'permanent' | undefined;
}

export interface Learned {
  entry: KbEntry;
  created: boolean;
}

export class KnowledgeService {
  readonly kb: KnowledgeBase;
  readonly tickets: TicketLookup;

  constructor(db: Database) {
    this.kb = new KnowledgeBase(db);
    this.tickets = new TicketLookup(db);
  }

  ticket(ref: TicketRefInput): KbTicket | undefined {
    return this.tickets.find(ref);
  }

  /** Entries for the ticket's fault code that fit its device model, best first; a text match on the title when it has no code. */
  suggest(t: KbTicket): RankedEntry[] {
    if (t.code !== '') return rankEntries(this.kb.forCode(t.code), t);
    return this.kb.search({ q: t.title, limit: TEXT_SUGGESTIONS })
      .map((entry, i) => ({ entry, rank: i + 1, reason: 'the ticket has no fault code: matched on its title' }));
  }

  /** Turns the ticket's resolution into a new entry or an update (unreviewed either way), credited with fixing the ticket. */
  learn(t: KbTicket, input: LearnInput, nowMs: number): Learned {
    const cause = input.cause ?? t.resolution?.cause;
    const action = input.action ?? t.resolution?.action;
    if (cause === undefined || action === undefined || cause.trim() === '' || action.trim() === '') {
      throw new FaultlineError('FL_ERR_API_BAD_REQUEST', `ticket ${t.number} has no resolution to learn from`, {
        context: { ticket: t.number }, hint: 'resolve the ticket first, or give cause and action in the request',
      });
    }
    const r: ResolutionInput = {
      ticketNumber: t.number, title: t.title, code: t.code, model: t.model, familyPattern: t.familyPattern,
      cause: cause.trim(), action: action.trim(), fix: input.fix ?? t.resolution?.fix ?? 'permanent',
    };
    return this.kb.transaction(() => {
      const target = input.entryId !== undefined ? this.kb.get(input.entryId) : findSameRemedy(this.kb.forCode(t.code), r);
      if (input.entryId !== undefined && !target) {
        throw new FaultlineError('FL_ERR_API_NOT_FOUND', `no knowledge entry ${input.entryId}`, { context: { entry: input.entryId } });
      }
      const learned: Learned = target
        ? { entry: this.mustUpdate(target.id, mergeResolution(target, r), nowMs), created: false }
        : { entry: this.kb.create(draftFromResolution(r), nowMs), created: true };
      this.kb.recordFix(learned.entry.id, t.id, nowMs);
      return { ...learned, entry: this.kb.get(learned.entry.id) ?? learned.entry };
    });
  }

  private mustUpdate(id: number, d: ReturnType<typeof mergeResolution>, nowMs: number): KbEntry {
    const e = this.kb.update(id, d, nowMs);
    if (!e) throw new FaultlineError('FL_ERR_API_NOT_FOUND', `no knowledge entry ${id}`, { context: { entry: id } });
    return e;
  }
}
