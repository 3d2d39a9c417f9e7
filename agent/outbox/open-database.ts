/**
 * Opens (or creates) the outbox's SQLite file and brings its schema up to date.
 *
 * Durability: WAL journal with `synchronous = FULL` by default, so a committed transaction has
 * been fsync'd to the WAL before `append` returns: a fault event in the outbox survives a process
 * crash, a kill -9 and a power cut (given a disk that honours fsync). Telemetry, status and
 * deletions commit with `synchronous = NORMAL` (outbox.ts): in the WAL, safe from a crash of the
 * process, synced by the next FULL commit or checkpoint. `locking_mode = EXCLUSIVE` holds
 * the file's lock for as long as it is open, so a second agent pointed at the same file fails at
 * once with FL_ERR_OUTBOX_LOCKED instead of interleaving sequence numbers. A quick integrity
 * check runs on open, so a damaged file is reported at start, not in the middle of an outage.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import '../../runtime/sqlite-guard.js';
import { decodeFaultEvent } from '../../protocol/codec.js';
import { FaultlineError } from '../../protocol/errors.js';

/** Bumped with every schema change; a file written by a newer agent is refused. */
export const OUTBOX_SCHEMA_VERSION = 3;

const SCHEMA_V1 = `
  CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    device TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('event', 'telemetry', 'status')),
    topic TEXT NOT NULL,
    payload BLOB NOT NULL,
    qos INTEGER NOT NULL CHECK (qos IN (0, 1)),
    created_ms INTEGER NOT NULL,
    bytes INTEGER NOT NULL
  );
  CREATE INDEX outbox_device_seq ON outbox (device, seq);
  CREATE INDEX outbox_kind_seq ON outbox (kind, seq);
  -- per-device event sequence: the last number handed out
  CREATE TABLE device_seq (device TEXT PRIMARY KEY, last INTEGER NOT NULL);
  -- messages evicted from a full outbox since the file was created
  CREATE TABLE evictions (device TEXT NOT NULL, kind TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (device, kind));
  -- small state other agent parts keep here
  CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_ms INTEGER NOT NULL);
`;

// v2: a message the broker refused (MQTT 5 reason code >= 0x80) is kept as a dead letter: `refused`
// holds the reason code (0 = not refused); the drainer skips dead letters until the next connection.
const SCHEMA_V2 = `
  ALTER TABLE outbox ADD COLUMN refused INTEGER NOT NULL DEFAULT 0;
`;

// v3: receipts (faultline.proto Receipt). A fault event stays stored after the broker's PUBACK
// until a collector's receipt names its `event_id`; `sends` counts PUBACKed sends awaiting that
// receipt and `resend_at_ms` (set on a PUBACK, NULL while unsent) says when it goes again without
// one. `refused` < 0 marks a permanent dead letter: the collector refused it as bad input.
const SCHEMA_V3 = `
  ALTER TABLE outbox ADD COLUMN event_id TEXT;
  ALTER TABLE outbox ADD COLUMN sends INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE outbox ADD COLUMN resend_at_ms INTEGER;
  CREATE INDEX outbox_event_id ON outbox (device, event_id) WHERE event_id IS NOT NULL;
  CREATE INDEX outbox_resend ON outbox (device, resend_at_ms) WHERE resend_at_ms IS NOT NULL;
`;

/** Events stored by an agent before v3 get their id from their payload (one that does not decode keeps none). */
function fillEventIds(db: Database.Database): void {
  const rows = db.prepare<[], { seq: number; payload: Buffer }>("SELECT seq, payload FROM outbox WHERE kind = 'event' AND event_id IS NULL").all();
  const set = db.prepare<[string, number]>('UPDATE outbox SET event_id = ? WHERE seq = ?');
  for (const r of rows) {
    try {
      set.run(decodeFaultEvent(r.payload).id, r.seq);
    } catch {
      // not a fault event this agent can read: it is still sent, and a refusal receipt can name it by its payload
    }
  }
}

/** Largest WAL file left on disk after a checkpoint. */
const WAL_SIZE_LIMIT = 8 * 1024 * 1024;
/**
 * SQLite's page cache for the outbox, in KiB (SQLite's default is 2000). The agent appends and
 * deletes a few small rows a second, so a few pages are hot; the start-up quick_check reads every
 * page, and with SQLite's default a backlog left by an outage kept up to 2 MiB of them in the
 * cache for the rest of the process's life.
 */
export const PAGE_CACHE_KIB = 256;

interface SqliteError {
  code?: unknown;
  message?: unknown;
}

function sqliteCode(err: unknown): string {
  const code = (err as SqliteError | null)?.code;
  return typeof code === 'string' ? code : '';
}

/** Maps an SQLite failure while opening to an error naming the file and the fix. */
export function openError(file: string, cause: unknown): FaultlineError {
  const code = sqliteCode(cause);
  const why = cause instanceof Error ? cause.message : String(cause);
  if (cause instanceof FaultlineError) return cause;
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new FaultlineError('FL_ERR_OUTBOX_CORRUPT', `outbox file ${file} is damaged or not an outbox: ${why}`, {
      cause, context: { file, sqlite: code },
      hint: `stop the agent and move the file aside (mv ${file} ${file}.damaged); the agent starts with an empty outbox and the messages that were queued in it are not sent`,
    });
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new FaultlineError('FL_ERR_OUTBOX_LOCKED', `outbox file ${file} is in use by another process`, {
      cause, context: { file, sqlite: code },
      hint: 'run one agent per outbox file: stop the other agent, or give this one its own outbox file',
    });
  }
  return new FaultlineError('FL_ERR_OUTBOX_OPEN', `cannot open outbox file ${file}: ${why}`, {
    cause, context: { file, sqlite: code },
    hint: 'check that the directory exists or can be created and that the agent may read and write it',
  });
}

function migrate(db: Database.Database, file: string): void {
  const version = Number(db.pragma('user_version', { simple: true }));
  if (version > OUTBOX_SCHEMA_VERSION) {
    throw new FaultlineError('FL_ERR_OUTBOX_SCHEMA_NEWER', `outbox file ${file} was written by a newer agent (schema ${version}, this agent knows ${OUTBOX_SCHEMA_VERSION})`, {
      context: { file, fileVersion: version, codeVersion: OUTBOX_SCHEMA_VERSION },
      hint: 'run an agent at least as new as the one that wrote the file, or move the file aside',
    });
  }
  if (version === OUTBOX_SCHEMA_VERSION) return;
  db.transaction(() => {
    if (version < 1) db.exec(SCHEMA_V1);
    if (version < 2) db.exec(SCHEMA_V2);
    if (version < 3) {
      db.exec(SCHEMA_V3);
      fillEventIds(db);
    }
    db.pragma(`user_version = ${OUTBOX_SCHEMA_VERSION}`);
  })();
}

export function openOutboxDatabase(file: string): Database.Database {
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (cause) {
    throw openError(file, cause);
  }
  let db: Database.Database | undefined;
  try {
    // timeout 0: a lock held by another process is reported at once, not after 5 s.
    db = new Database(file, { timeout: 0 });
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
    db.pragma(`cache_size = ${-PAGE_CACHE_KIB}`);
    migrate(db, file);
    const check = String(db.pragma('quick_check(1)', { simple: true }));
    if (check !== 'ok') throw Object.assign(new Error(`integrity check failed: ${check}`), { code: 'SQLITE_CORRUPT' });
    return db;
  } catch (cause) {
    if (db?.open) db.close();
    throw openError(file, cause);
  }
}
