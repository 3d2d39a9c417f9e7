/**
 * What the knowledge routes (and the service desk) use: suggestions for a ticket, learning from
 * a ticket's resolution, crediting an entry with a fix. Wires the SQLite knowledge base and the
 * read-only ticket view to the pure rules in core/knowledge-rank.ts.
 */
import type { KbTicket, KnowledgePort, TicketRefInput } from '../store/port.js';
import { FaultlineError } from '../../protocol/errors.js';
import {
  draftFromResolution, findSameRemedy, mergeResolution, rankEntries, type KbEntry, type RankedEntry, type ResolutionInput,
} from '../core/knowledge/knowledge-rank.js';

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
  constructor(readonly kb: KnowledgePort) {}

  ticket(ref: TicketRefInput): Promise<KbTicket | undefined> {
    return this.kb.ticket(ref);
  }

  /** Entries for the ticket's fault code that fit its device model, best first; a text match on the title when it has no code. */
  async suggest(t: KbTicket): Promise<RankedEntry[]> {
    if (t.code !== '') return rankEntries(await this.kb.forCode(t.code), t);
    return (await this.kb.search({ q: t.title, limit: TEXT_SUGGESTIONS }))
      .map((entry, i) => ({ entry, rank: i + 1, reason: 'the ticket has no fault code: matched on its title' }));
  }

  /** Turns the ticket's resolution into a new entry or an update (unreviewed either way), credited with fixing the ticket. */
  async learn(t: KbTicket, input: LearnInput, nowMs: number): Promise<Learned> {
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
    const target = input.entryId !== undefined ? await this.kb.get(input.entryId) : findSameRemedy(await this.kb.forCode(t.code), r);
    if (input.entryId !== undefined && !target) {
      throw new FaultlineError('FL_ERR_API_NOT_FOUND', `no knowledge entry ${input.entryId}`, { context: { entry: input.entryId } });
    }
    const change = target ? { entryId: target.id, draft: mergeResolution(target, r) } : { draft: draftFromResolution(r) };
    const entry = await this.kb.learn(change, t.id, nowMs);
    if (!entry) throw new FaultlineError('FL_ERR_API_NOT_FOUND', `no knowledge entry ${target?.id ?? ''}`, { context: { entry: target?.id } });
    return { entry, created: !target };
  }
}
