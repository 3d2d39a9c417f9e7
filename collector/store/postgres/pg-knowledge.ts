/**
 * The knowledge base on PostgreSQL (the SQLite adapter's knowledge-store.ts): full-text search over
 * the stored tsvector column (schema-knowledge.ts) instead of FTS5 — every word of the query as a
 * prefix, all required (as ftsQuery builds for FTS5), ranked by ts_rank — and the ticket view.
 */
import type pg from 'pg';
import { FaultlineError } from '../../../protocol/errors.js';
import { ADAPTERS } from '../../../firmware-adapters/index.js';
import { modelMatches, type KbDraft, type KbEntry } from '../../core/knowledge/knowledge-rank.js';
import type { KbFixRef, KbSearch, KbSeed, KbTicket, KnowledgePort, TicketRefInput } from '../port/knowledge.js';
import type { Queryable } from './pool.js';
import type { WithTx } from './pg-transaction.js';

interface EntryRow {
  id: number; model_pattern: string; code: string; title: string; symptoms: string; diagnosis: string; remedy: string;
  reviewed: number; reviewed_by: string | null; reviewed_ms: number | null; source: string; created_ms: number; updated_ms: number; fixes: number;
}

const MAX_CANDIDATES = 2000;
const SELECT = `SELECT e.id, e.model_pattern, e.code, e.title, e.symptoms, e.diagnosis, e.remedy, e.reviewed, e.reviewed_by, e.reviewed_ms,
  e.source, e.created_ms, e.updated_ms, (SELECT count(*) FROM kb_fixes f WHERE f.entry_id = e.id) AS fixes FROM kb_entries e`;

function fromRow(r: EntryRow): KbEntry {
  return {
    id: r.id, modelPattern: r.model_pattern, code: r.code, title: r.title, symptoms: r.symptoms,
    diagnosis: JSON.parse(r.diagnosis) as string[], remedy: r.remedy, reviewed: r.reviewed === 1, reviewedBy: r.reviewed_by,
    reviewedAtMs: r.reviewed_ms, source: r.source, fixes: r.fixes, createdAtMs: r.created_ms, updatedAtMs: r.updated_ms,
  };
}

/** The query's words as a tsquery: each a prefix, all required; null when it has no word. */
export function tsQuery(q: string): string | null {
  const words = q.toLowerCase().match(/[\p{L}\p{N}]+/gu)?.slice(0, 16) ?? [];
  return words.length === 0 ? null : words.map((w) => `'${w}':*`).join(' & ');
}

const params = (d: KbDraft): unknown[] => [d.modelPattern, d.code, d.title, d.symptoms, JSON.stringify(d.diagnosis), d.remedy, d.source];

interface TicketRow {
  id: number; number: string; title: string; code: string; site: string; device: string; status: string; adapter_id: string;
  model: string | null; firmware: string | null; resolution: string | null;
}

function parseResolution(text: string | null): KbTicket['resolution'] {
  if (text === null) return null;
  try {
    const r = JSON.parse(text) as { cause?: unknown; action?: unknown; fix?: unknown };
    if (typeof r.cause !== 'string' || typeof r.action !== 'string') return null;
    return { cause: r.cause, action: r.action, fix: r.fix === 'workaround' ? 'workaround' : 'permanent' };
  } catch {
    return null;
  }
}

export class PgKnowledge implements KnowledgePort {
  constructor(private readonly pool: pg.Pool, private readonly withTx: WithTx) {}

  async seed(seeds: readonly KbSeed[], nowMs: number): Promise<[number, number]> {
    return this.withTx(async (tx) => {
      let inserted = 0;
      let updated = 0;
      for (const s of seeds) {
        const ins = await tx.query(`INSERT INTO kb_entries (model_pattern, code, title, symptoms, diagnosis, remedy, source, reviewed, reviewed_by, reviewed_ms,
          seed_key, edited, created_ms, updated_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, true, $7, $8, $9, false, $8, $8) ON CONFLICT (seed_key) DO NOTHING`,
        [...params(s), nowMs, s.seedKey]);
        if (ins.rowCount === 1) { inserted++; continue; }
        const up = await tx.query(`UPDATE kb_entries SET model_pattern = $1, code = $2, title = $3, symptoms = $4, diagnosis = $5, remedy = $6, updated_ms = $8
          WHERE seed_key = $9 AND NOT edited AND $7::text IS NOT NULL
          AND (model_pattern, title, symptoms, diagnosis, remedy) IS DISTINCT FROM ($1, $3, $4, $5::jsonb, $6)`, [...params(s), nowMs, s.seedKey]);
        if (up.rowCount === 1) updated++;
      }
      return [inserted, updated];
    });
  }

  private async getOn(q: Queryable, id: number): Promise<KbEntry | undefined> {
    const { rows } = await q.query<EntryRow>(`${SELECT} WHERE e.id = $1`, [id]);
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  get(id: number): Promise<KbEntry | undefined> {
    return this.getOn(this.pool, id);
  }

  async forCode(code: string): Promise<KbEntry[]> {
    return (await this.pool.query<EntryRow>(`${SELECT} WHERE e.code = $1 ORDER BY e.id`, [code])).rows.map(fromRow);
  }

  async search(s: KbSearch): Promise<KbEntry[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    const match = s.q === undefined ? null : tsQuery(s.q);
    if (s.q !== undefined && match === null) return [];
    if (match !== null) { values.push(match); where.push(`e.search @@ to_tsquery('simple', $${values.length})`); }
    if (s.code !== undefined) { values.push(s.code); where.push(`e.code = $${values.length}`); }
    if (s.reviewed !== undefined) { values.push(s.reviewed); where.push(`e.reviewed = $${values.length}`); }
    const order = match !== null ? "ORDER BY ts_rank(e.search, to_tsquery('simple', $1)) DESC, e.id" : 'ORDER BY e.updated_ms DESC, e.id DESC';
    values.push(s.model === undefined ? s.limit : MAX_CANDIDATES);
    const { rows } = await this.pool.query<EntryRow>(`${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ${order} LIMIT $${values.length}`, values);
    const entries = rows.map(fromRow);
    const model = s.model;
    return (model === undefined ? entries : entries.filter((e) => modelMatches(e.modelPattern, model))).slice(0, s.limit);
  }

  private async createOn(q: Queryable, d: KbDraft, nowMs: number): Promise<KbEntry> {
    const { rows } = await q.query<{ id: number }>(`INSERT INTO kb_entries (model_pattern, code, title, symptoms, diagnosis, remedy, source, reviewed,
      edited, created_ms, updated_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, false, false, $8, $8) RETURNING id`, [...params(d), nowMs]);
    return this.mustGet(q, rows[0]?.id ?? 0);
  }

  create(d: KbDraft, nowMs: number): Promise<KbEntry> {
    return this.createOn(this.pool, d, nowMs);
  }

  private async updateOn(q: Queryable, id: number, d: KbDraft, nowMs: number): Promise<KbEntry | undefined> {
    const { rowCount } = await q.query(`UPDATE kb_entries SET model_pattern = $1, code = $2, title = $3, symptoms = $4, diagnosis = $5, remedy = $6,
      source = $7, reviewed = false, reviewed_by = NULL, reviewed_ms = NULL, edited = true, updated_ms = $8 WHERE id = $9`, [...params(d), nowMs, id]);
    return rowCount === 1 ? this.mustGet(q, id) : undefined;
  }

  update(id: number, d: KbDraft, nowMs: number): Promise<KbEntry | undefined> {
    return this.updateOn(this.pool, id, d, nowMs);
  }

  async review(id: number, reviewer: string, reviewed: boolean, nowMs: number): Promise<KbEntry | undefined> {
    const { rowCount } = await this.pool.query('UPDATE kb_entries SET reviewed = $1, reviewed_by = $2, reviewed_ms = $3 WHERE id = $4',
      [reviewed, reviewed ? reviewer : null, reviewed ? nowMs : null, id]);
    return rowCount === 1 ? this.mustGet(this.pool, id) : undefined;
  }

  async fixedTickets(entryId: number, limit = 20): Promise<KbFixRef[]> {
    const { rows } = await this.pool.query<{ ticket_id: number; at_ms: number }>('SELECT ticket_id, at_ms FROM kb_fixes WHERE entry_id = $1 ORDER BY at_ms DESC LIMIT $2', [entryId, limit]);
    return rows.map((r) => ({ ticketId: r.ticket_id, atMs: r.at_ms }));
  }

  private async recordFixOn(q: Queryable, entryId: number, ticketId: number, nowMs: number): Promise<boolean> {
    const { rowCount } = await q.query(`INSERT INTO kb_fixes (entry_id, ticket_id, code, at_ms) SELECT id, $2, code, $3 FROM kb_entries WHERE id = $1
      ON CONFLICT DO NOTHING`, [entryId, ticketId, nowMs]);
    return rowCount === 1;
  }

  recordFix(entryId: number, ticketId: number, nowMs: number): Promise<boolean> {
    return this.recordFixOn(this.pool, entryId, ticketId, nowMs);
  }

  learn(change: { entryId?: number; draft: KbDraft }, ticketId: number, nowMs: number): Promise<KbEntry | undefined> {
    return this.withTx(async (tx) => {
      const entry = change.entryId === undefined ? await this.createOn(tx, change.draft, nowMs) : await this.updateOn(tx, change.entryId, change.draft, nowMs);
      if (!entry) return undefined;
      await this.recordFixOn(tx, entry.id, ticketId, nowMs);
      return (await this.getOn(tx, entry.id)) ?? entry;
    });
  }

  async ticket(ref: TicketRefInput): Promise<KbTicket | undefined> {
    const sql = `SELECT t.id, t.number, t.title, t.code, t.site, t.device, t.status, t.adapter_id, d.model, d.firmware, t.resolution
      FROM tickets t LEFT JOIN devices d ON d.site = t.site AND d.device = t.device`;
    const { rows } = 'id' in ref
      ? await this.pool.query<TicketRow>(`${sql} WHERE t.id = $1`, [ref.id])
      : await this.pool.query<TicketRow>(`${sql} WHERE t.number = $1`, [ref.number]);
    const r = rows[0];
    if (!r) return undefined;
    const adapter = ADAPTERS.find((a) => a.id === r.adapter_id);
    return {
      id: r.id, number: r.number, title: r.title, code: r.code, site: r.site, device: r.device, status: r.status,
      model: r.model ?? '', firmware: r.firmware ?? '', familyPattern: adapter?.match.model ?? null, resolution: parseResolution(r.resolution),
    };
  }

  private async mustGet(q: Queryable, id: number): Promise<KbEntry> {
    const e = await this.getOn(q, id);
    if (!e) throw new FaultlineError('FL_ERR_INTERNAL', `knowledge entry ${id} vanished while being written`);
    return e;
  }
}
