/**
 * The knowledge base in SQLite (tables kb_entries, kb_fixes, kb_fts — see
 * store/migrations-knowledge.ts). SQL only; the rules (matching, ranking, learning from a
 * resolution) are in core/knowledge-rank.ts. Full-text search uses SQLite FTS5 (bundled with
 * better-sqlite3), ranked by bm25; every other listing is newest first.
 */
import type { Database } from 'better-sqlite3';
import { FaultlineError } from '../../../protocol/errors.js';
import { ftsQuery, modelMatches, type KbDraft, type KbEntry } from '../../core/knowledge/knowledge-rank.js';
import type { KbSeed } from '../../knowledge/adapter-seeds.js';
import type { KbSearch, KbFixRef } from '../port/knowledge.js';

interface EntryRow {
  id: number;
  model_pattern: string;
  code: string;
  title: string;
  symptoms: string;
  diagnosis: string;
  remedy: string;
  reviewed: number;
  reviewed_by: string | null;
  reviewed_ms: number | null;
  source: string;
  created_ms: number;
  updated_ms: number;
  fixes: number;
}

/** Candidate rows read before the model filter (which is a RegExp, applied in code). */
const MAX_CANDIDATES = 2000;

const SELECT = `SELECT e.*, (SELECT count(*) FROM kb_fixes f WHERE f.entry_id = e.id) AS fixes FROM kb_entries e`;

function fromRow(r: EntryRow): KbEntry {
  return {
    id: r.id, modelPattern: r.model_pattern, code: r.code, title: r.title, symptoms: r.symptoms,
    diagnosis: JSON.parse(r.diagnosis) as string[], remedy: r.remedy, reviewed: r.reviewed === 1, reviewedBy: r.reviewed_by,
    reviewedAtMs: r.reviewed_ms, source: r.source, fixes: r.fixes, createdAtMs: r.created_ms, updatedAtMs: r.updated_ms,
  };
}

export class KnowledgeBase {
  private readonly st;

  constructor(private readonly db: Database) {
    const has = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE name IN ('kb_entries', 'kb_fixes', 'kb_fts')").get();
    if (has?.n !== 3) {
      throw new FaultlineError('FL_ERR_KB_SCHEMA', 'the database has no knowledge-base tables', {
        hint: 'append KNOWLEDGE_MIGRATIONS (collector/store/migrations-knowledge.ts) to the store\'s MIGRATIONS',
      });
    }
    this.st = {
      byId: db.prepare<[number], EntryRow>(`${SELECT} WHERE e.id = ?`),
      byCode: db.prepare<[string], EntryRow>(`${SELECT} WHERE e.code = ?`),
      bySeed: db.prepare<[string], { id: number; edited: number }>('SELECT id, edited FROM kb_entries WHERE seed_key = ?'),
      insert: db.prepare(`INSERT INTO kb_entries (model_pattern, code, title, symptoms, diagnosis, remedy, reviewed, reviewed_by, reviewed_ms,
        source, seed_key, edited, created_ms, updated_ms) VALUES (@model_pattern, @code, @title, @symptoms, @diagnosis, @remedy, @reviewed,
        @reviewed_by, @reviewed_ms, @source, @seed_key, 0, @now, @now)`),
      reseed: db.prepare(`UPDATE kb_entries SET model_pattern = @model_pattern, code = @code, title = @title, symptoms = @symptoms,
        diagnosis = @diagnosis, remedy = @remedy, updated_ms = @now WHERE id = @id AND edited = 0
        AND (model_pattern, title, symptoms, diagnosis, remedy) IS NOT (@model_pattern, @title, @symptoms, @diagnosis, @remedy)`),
      update: db.prepare(`UPDATE kb_entries SET model_pattern = @model_pattern, code = @code, title = @title, symptoms = @symptoms,
        diagnosis = @diagnosis, remedy = @remedy, source = @source, reviewed = 0, reviewed_by = NULL, reviewed_ms = NULL, edited = 1,
        updated_ms = @now WHERE id = @id`),
      review: db.prepare<[number, string | null, number | null, number]>('UPDATE kb_entries SET reviewed = ?, reviewed_by = ?, reviewed_ms = ? WHERE id = ?'),
      addFix: db.prepare<[number, number, string, number]>('INSERT INTO kb_fixes (entry_id, ticket_id, code, at_ms) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING'),
      fixesOf: db.prepare<[number, number], { ticket_id: number; at_ms: number }>('SELECT ticket_id, at_ms FROM kb_fixes WHERE entry_id = ? ORDER BY at_ms DESC LIMIT ?'),
    };
  }

  /** Inserts seeds that are missing and refreshes those no person has edited. Returns [inserted, updated]. */
  seed(seeds: readonly KbSeed[], nowMs: number): [number, number] {
    let inserted = 0;
    let updated = 0;
    this.db.transaction(() => {
      for (const s of seeds) {
        const params = { ...this.params(s), seed_key: s.seedKey, now: nowMs };
        const existing = this.st.bySeed.get(s.seedKey);
        if (!existing) {
          this.st.insert.run({ ...params, reviewed: 1, reviewed_by: s.source, reviewed_ms: nowMs });
          inserted++;
        } else if (this.st.reseed.run({ ...params, id: existing.id }).changes === 1) {
          updated++;
        }
      }
    })();
    return [inserted, updated];
  }

  get(id: number): KbEntry | undefined {
    const row = this.st.byId.get(id);
    return row ? fromRow(row) : undefined;
  }

  forCode(code: string): KbEntry[] {
    return this.st.byCode.all(code).map(fromRow);
  }

  search(s: KbSearch): KbEntry[] {
    const where: string[] = [];
    const params: Array<string | number> = [];
    const match = s.q === undefined ? null : ftsQuery(s.q);
    if (s.q !== undefined && match === null) return [];
    if (match !== null) { where.push('e.id IN (SELECT rowid FROM kb_fts WHERE kb_fts MATCH ?)'); params.push(match); }
    if (s.code !== undefined) { where.push('e.code = ?'); params.push(s.code); }
    if (s.reviewed !== undefined) { where.push('e.reviewed = ?'); params.push(s.reviewed ? 1 : 0); }
    const order = match !== null
      ? 'ORDER BY (SELECT bm25(kb_fts) FROM kb_fts WHERE kb_fts MATCH ? AND rowid = e.id), e.id'
      : 'ORDER BY e.updated_ms DESC, e.id DESC';
    if (match !== null) params.push(match);
    const sql = `${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ${order} LIMIT ?`;
    const rows = this.db.prepare<Array<string | number>, EntryRow>(sql).all(...params, s.model === undefined ? s.limit : MAX_CANDIDATES);
    const entries = rows.map(fromRow);
    const model = s.model;
    return (model === undefined ? entries : entries.filter((e) => modelMatches(e.modelPattern, model))).slice(0, s.limit);
  }

  create(d: KbDraft, nowMs: number): KbEntry {
    const id = Number(this.st.insert.run({ ...this.params(d), reviewed: 0, reviewed_by: null, reviewed_ms: null, seed_key: null, now: nowMs }).lastInsertRowid);
    return this.mustGet(id);
  }

  /** Replaces an entry's content; it needs review again. */
  update(id: number, d: KbDraft, nowMs: number): KbEntry | undefined {
    return this.st.update.run({ ...this.params(d), id, now: nowMs }).changes === 1 ? this.mustGet(id) : undefined;
  }

  review(id: number, reviewer: string, reviewed: boolean, nowMs: number): KbEntry | undefined {
    const changed = this.st.review.run(reviewed ? 1 : 0, reviewed ? reviewer : null, reviewed ? nowMs : null, id).changes === 1;
    return changed ? this.mustGet(id) : undefined;
  }

  /** Credits the entry with fixing a ticket (once per ticket). Returns false when it already was, or the entry does not exist. */
  recordFix(entryId: number, ticketId: number, nowMs: number): boolean {
    const entry = this.get(entryId);
    return entry !== undefined && this.st.addFix.run(entryId, ticketId, entry.code, nowMs).changes === 1;
  }

  fixedTickets(entryId: number, limit = 20): KbFixRef[] {
    return this.st.fixesOf.all(entryId, limit).map((r) => ({ ticketId: r.ticket_id, atMs: r.at_ms }));
  }

  /** Runs `fn` in one transaction (learning from a resolution writes an entry and a fix together). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  private mustGet(id: number): KbEntry {
    const e = this.get(id);
    if (!e) throw new FaultlineError('FL_ERR_INTERNAL', `knowledge entry ${id} vanished while being written`);
    return e;
  }

  private params(d: KbDraft) {
    return {
      model_pattern: d.modelPattern, code: d.code, title: d.title, symptoms: d.symptoms, diagnosis: JSON.stringify(d.diagnosis),
      remedy: d.remedy, source: d.source,
    };
  }
}
