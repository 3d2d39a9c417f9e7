/**
 * Versioned schema migrations. Append only: never edit or renumber an applied migration, add a
 * new one. Each migration runs in its own transaction together with its schema_migrations row.
 */
import { SLA_DUE_MIGRATION_NAME, slaDueSchema } from '../sla-due-schema.js';
import type { Database } from 'better-sqlite3';
import { FaultlineError } from '../../../protocol/errors.js';
import type { Migration } from './migration.js';
import { DESK_MIGRATION } from './migrations-desk.js';
import { DEVICE_KEY_MIGRATIONS } from './migrations-device-keys.js';
import { INGEST_MIGRATIONS } from './migrations-ingest.js';
import { KNOWLEDGE_MIGRATIONS } from './migrations-knowledge.js';
import { LOGIN_MIGRATIONS } from './migrations-login.js';
import { ON_CALL_MIGRATIONS } from './migrations-on-call.js';
import { SECURITY_MIGRATIONS } from './migrations-security.js';
import { USERS_MIGRATIONS } from './migrations-users.js';
import { LATEST_VALUES_MIGRATION } from './migrations-latest.js';
import { TICKET_VIEWS_TABLE } from '../ticket-view-rows.js';
import { QUALITY_REASON_MIGRATION } from './migrations-quality.js';

export type { Migration };

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'events, tickets, devices, telemetry',
    sql: `
      CREATE TABLE tickets (
        id INTEGER PRIMARY KEY,
        number TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        device TEXT NOT NULL,
        site TEXT NOT NULL,
        code TEXT NOT NULL,
        category TEXT NOT NULL,
        severity TEXT NOT NULL,
        priority TEXT NOT NULL,
        priority_reason TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'new',
        fault_active INTEGER NOT NULL,
        occurrences INTEGER NOT NULL,
        opened_at_ms INTEGER NOT NULL,
        first_seen_ms INTEGER NOT NULL,
        last_seen_ms INTEGER NOT NULL,
        cleared_at_ms INTEGER,
        closed_at_ms INTEGER,
        snapshot TEXT NOT NULL,
        log_excerpt TEXT NOT NULL,
        remedy TEXT NOT NULL,
        adapter_id TEXT NOT NULL
      );
      -- at most one open ticket per fault on a device
      CREATE UNIQUE INDEX tickets_open_fault ON tickets(site, device, code) WHERE closed_at_ms IS NULL;
      CREATE INDEX tickets_device ON tickets(site, device);

      CREATE TABLE ticket_day_counters (
        day TEXT PRIMARY KEY,
        last INTEGER NOT NULL
      );

      CREATE TABLE events (
        id TEXT PRIMARY KEY,
        device TEXT NOT NULL,
        site TEXT NOT NULL,
        seq INTEGER NOT NULL,
        time_ms INTEGER NOT NULL,
        source TEXT NOT NULL,
        category TEXT NOT NULL,
        code TEXT NOT NULL,
        severity TEXT NOT NULL,
        transition TEXT NOT NULL,
        message TEXT NOT NULL,
        snapshot TEXT NOT NULL,
        log_excerpt TEXT NOT NULL,
        labels TEXT NOT NULL,
        adapter_id TEXT NOT NULL,
        remedy TEXT NOT NULL,
        received_ms INTEGER NOT NULL,
        ticket_id INTEGER REFERENCES tickets(id)
      );
      CREATE INDEX events_ticket ON events(ticket_id, time_ms);
      CREATE INDEX events_device_seq ON events(site, device, seq);

      CREATE TABLE devices (
        site TEXT NOT NULL,
        device TEXT NOT NULL,
        online INTEGER NOT NULL,
        model TEXT NOT NULL,
        firmware TEXT NOT NULL,
        adapter_id TEXT NOT NULL,
        agent_version TEXT NOT NULL,
        parameters TEXT NOT NULL,
        session_id TEXT NOT NULL,
        last_seen_ms INTEGER NOT NULL,
        last_birth_ms INTEGER,
        last_death_ms INTEGER,
        last_death_reason TEXT NOT NULL,
        last_status TEXT,
        PRIMARY KEY (site, device)
      );

      CREATE TABLE telemetry (
        site TEXT NOT NULL,
        device TEXT NOT NULL,
        parameter TEXT NOT NULL,
        value REAL NOT NULL,
        quality TEXT NOT NULL,
        time_ms INTEGER NOT NULL
      );
      CREATE INDEX telemetry_device_time ON telemetry(site, device, time_ms);
      CREATE INDEX telemetry_time ON telemetry(time_ms);
    `,
  },
  DESK_MIGRATION,
  ...SECURITY_MIGRATIONS,
  ...KNOWLEDGE_MIGRATIONS,
  ...USERS_MIGRATIONS,
  ...DEVICE_KEY_MIGRATIONS,
  ...INGEST_MIGRATIONS,
  ...LOGIN_MIGRATIONS,
  LATEST_VALUES_MIGRATION,
  { version: 13, name: 'saved views of the ticket table, per user', sql: TICKET_VIEWS_TABLE('INTEGER') },
  ...ON_CALL_MIGRATIONS,
  QUALITY_REASON_MIGRATION,
  { version: 17, name: SLA_DUE_MIGRATION_NAME, sql: slaDueSchema('sqlite') },
];

interface AppliedRow {
  version: number;
  name: string;
}

/** Applies pending migrations; refuses a database written by newer code. Returns the versions applied. */
export function migrate(db: Database, nowMs: number, migrations: readonly Migration[] = MIGRATIONS): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms INTEGER NOT NULL)`);
  const applied = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all() as AppliedRow[];
  const latest = migrations.at(-1)?.version ?? 0;
  const newest = applied.at(-1)?.version ?? 0;
  if (newest > latest) {
    throw new FaultlineError('FL_ERR_STORE_SCHEMA_NEWER', `database schema version ${newest} is newer than this collector understands (${latest})`, {
      context: { databaseVersion: newest, codeVersion: latest, file: db.name },
      hint: 'run a collector at least as new as the one that last wrote this database, or restore a backup',
    });
  }
  const done = new Map(applied.map((r) => [r.version, r.name]));
  const insert = db.prepare('INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, ?, ?)');
  const ran: number[] = [];
  for (const m of migrations) {
    if (done.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      insert.run(m.version, m.name, nowMs);
    })();
    ran.push(m.version);
  }
  return ran;
}
