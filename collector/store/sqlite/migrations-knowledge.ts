/**
 * Schema of the knowledge base (collector/knowledge/): entries keyed by device-model pattern and
 * fault code, the fixes they are credited with, and an FTS5 index over their text (better-sqlite3
 * bundles SQLite with FTS5 enabled). Kept apart from migrations.ts; the composition root appends
 * these to MIGRATIONS. Append only.
 *
 * Part of the store's MIGRATIONS list (collector/store/migrations.ts).
 */
import type { Migration } from './migration.js';

export const KNOWLEDGE_MIGRATIONS: readonly Migration[] = [
  {
    version: 4,
    name: 'knowledge base',
    sql: `
      CREATE TABLE kb_entries (
        id INTEGER PRIMARY KEY,
        -- a RegExp source on the device model ('' = any model), e.g. ^VFD-\\d{4}$
        model_pattern TEXT NOT NULL,
        code TEXT NOT NULL,
        title TEXT NOT NULL,
        symptoms TEXT NOT NULL,
        -- JSON array of steps
        diagnosis TEXT NOT NULL,
        remedy TEXT NOT NULL,
        reviewed INTEGER NOT NULL DEFAULT 0,
        reviewed_by TEXT,
        reviewed_ms INTEGER,
        -- 'adapter:{id}' (seeded), 'ticket:{number}' (learned from a resolution) or 'manual'
        source TEXT NOT NULL,
        -- set for seeded entries: 'adapter:{id}:{code}'; reseeding updates an entry a person has not edited
        seed_key TEXT UNIQUE,
        edited INTEGER NOT NULL DEFAULT 0,
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL
      );
      CREATE INDEX kb_entries_code ON kb_entries(code);

      -- one row per ticket an entry helped fix; the entry's fixes counter is their count
      CREATE TABLE kb_fixes (
        entry_id INTEGER NOT NULL REFERENCES kb_entries(id) ON DELETE CASCADE,
        ticket_id INTEGER NOT NULL,
        code TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        PRIMARY KEY (entry_id, ticket_id)
      );
      CREATE INDEX kb_fixes_code ON kb_fixes(code, entry_id);

      CREATE VIRTUAL TABLE kb_fts USING fts5(
        title, symptoms, diagnosis, remedy, code,
        content = 'kb_entries', content_rowid = 'id', tokenize = 'unicode61'
      );
      CREATE TRIGGER kb_entries_ai AFTER INSERT ON kb_entries BEGIN
        INSERT INTO kb_fts(rowid, title, symptoms, diagnosis, remedy, code)
        VALUES (new.id, new.title, new.symptoms, new.diagnosis, new.remedy, new.code);
      END;
      CREATE TRIGGER kb_entries_ad AFTER DELETE ON kb_entries BEGIN
        INSERT INTO kb_fts(kb_fts, rowid, title, symptoms, diagnosis, remedy, code)
        VALUES ('delete', old.id, old.title, old.symptoms, old.diagnosis, old.remedy, old.code);
      END;
      CREATE TRIGGER kb_entries_au AFTER UPDATE ON kb_entries BEGIN
        INSERT INTO kb_fts(kb_fts, rowid, title, symptoms, diagnosis, remedy, code)
        VALUES ('delete', old.id, old.title, old.symptoms, old.diagnosis, old.remedy, old.code);
        INSERT INTO kb_fts(rowid, title, symptoms, diagnosis, remedy, code)
        VALUES (new.id, new.title, new.symptoms, new.diagnosis, new.remedy, new.code);
      END;
    `,
  },
];
