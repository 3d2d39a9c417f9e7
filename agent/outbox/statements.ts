/** The outbox's SQL, prepared once per open file. */
import type Database from 'better-sqlite3';
import type { OutboxKind, OutboxMessage } from './types.js';

export interface Row {
  seq: number;
  device: string;
  kind: OutboxKind;
  topic: string;
  payload: Buffer;
  qos: 0 | 1;
  created_ms: number;
  bytes: number;
}

export type Removed = Pick<Row, 'seq' | 'device' | 'kind' | 'bytes'>;

export function prepareStatements(db: Database.Database) {
  return {
    // Per transaction: NORMAL commits into the write-ahead log without an fsync; FULL (the connection's default) syncs it.
    syncNormal: db.prepare('PRAGMA synchronous = NORMAL'),
    syncFull: db.prepare('PRAGMA synchronous = FULL'),
    insert: db.prepare<[string, string, string, Uint8Array, number, number, number, string | null], { seq: number }>(
      'INSERT INTO outbox (device, kind, topic, payload, qos, created_ms, bytes, event_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq'),
    oldestOfKind: db.prepare<[string, number], Removed>('SELECT seq, device, kind, bytes FROM outbox WHERE kind = ? ORDER BY seq LIMIT ?'),
    deleteKindUpTo: db.prepare<[string, number]>('DELETE FROM outbox WHERE kind = ? AND seq <= ?'),
    deleteOne: db.prepare<[number], Removed>('DELETE FROM outbox WHERE seq = ? RETURNING seq, device, kind, bytes'),
    countEviction: db.prepare<[string, string, number]>(`INSERT INTO evictions (device, kind, count) VALUES (?, ?, ?)
      ON CONFLICT (device, kind) DO UPDATE SET count = count + excluded.count`),
    nextSeq: db.prepare<[string], { last: number }>(`INSERT INTO device_seq (device, last) VALUES (?, 1)
      ON CONFLICT (device) DO UPDATE SET last = last + 1 RETURNING last`),
    held: db.prepare<[], { device: string; kind: OutboxKind; n: number; bytes: number }>(
      'SELECT device, kind, COUNT(*) AS n, SUM(bytes) AS bytes FROM outbox GROUP BY device, kind'),
    evicted: db.prepare<[], { device: string; kind: OutboxKind; count: number }>('SELECT device, kind, count FROM evictions'),
    getState: db.prepare<[string], { value: string }>('SELECT value FROM kv WHERE key = ?'),
    setState: db.prepare<[string, string, number]>(`INSERT INTO kv (key, value, updated_ms) VALUES (?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_ms = excluded.updated_ms`),
    deleteState: db.prepare<[string]>('DELETE FROM kv WHERE key = ?'),
    deadLetter: db.prepare<[number, number]>('UPDATE outbox SET refused = ? WHERE seq = ?'),
    countDeadLetters: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM outbox WHERE device = ? AND refused != 0'),
    countAllDeadLetters: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM outbox WHERE refused != 0'),
    oldestCreated: db.prepare<[string], { at: number | null }>('SELECT MIN(created_ms) AS at FROM outbox WHERE device = ?'),
    // Broker refusals (> 0) go again on a new connection; collector refusals (< 0) never do.
    requeueDeadLetters: db.prepare<[string]>('UPDATE outbox SET refused = 0 WHERE device = ? AND refused > 0'),
    // receipts (schema v3)
    markSent: db.prepare<[number], { sends: number }>("UPDATE outbox SET sends = sends + 1 WHERE seq = ? AND kind = 'event' RETURNING sends"),
    setResendAt: db.prepare<[number, number]>('UPDATE outbox SET resend_at_ms = ? WHERE seq = ?'),
    postponeResend: db.prepare<[number, number]>('UPDATE outbox SET resend_at_ms = ? WHERE seq = ? AND resend_at_ms IS NOT NULL'),
    deleteReceipted: db.prepare<[string, string], Removed>("DELETE FROM outbox WHERE device = ? AND event_id = ? AND kind = 'event' RETURNING seq, device, kind, bytes"),
    dueResends: db.prepare<[string, number, number], Row>(`SELECT seq, device, kind, topic, payload, qos, created_ms, bytes FROM outbox
      WHERE device = ? AND resend_at_ms IS NOT NULL AND resend_at_ms <= ? AND refused = 0 ORDER BY seq LIMIT ?`),
    nextResendAt: db.prepare<[string], { at: number | null }>('SELECT MIN(resend_at_ms) AS at FROM outbox WHERE device = ? AND resend_at_ms IS NOT NULL AND refused = 0'),
    countUnreceipted: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM outbox WHERE device = ? AND resend_at_ms IS NOT NULL AND refused = 0'),
    countAllUnreceipted: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM outbox WHERE resend_at_ms IS NOT NULL AND refused = 0'),
    eventPayloads: db.prepare<[string], { seq: number; payload: Buffer; event_id: string | null }>(
      "SELECT seq, payload, event_id FROM outbox WHERE device = ? AND kind = 'event' AND refused >= 0 ORDER BY seq"),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;

export function toMessage(r: Row): OutboxMessage {
  return { seq: r.seq, device: r.device, kind: r.kind, topic: r.topic, payload: r.payload, qos: r.qos, createdMs: r.created_ms, bytes: r.bytes };
}

/** The peek queries (by device or not, for how many kinds), each prepared on first use. */
export class PeekStatements {
  private readonly cache = new Map<string, Database.Statement<unknown[], Row>>();

  constructor(private readonly db: Database.Database) {}

  get(byDevice: boolean, kinds: readonly OutboxKind[]): Database.Statement<unknown[], Row> {
    const key = `${byDevice ? 'd' : '-'}:${kinds.length}`;
    let st = this.cache.get(key);
    if (!st) {
      const where = [byDevice ? 'device = ?' : '', 'seq > ?', `kind IN (${kinds.map(() => '?').join(', ')})`, 'refused = 0', 'resend_at_ms IS NULL'].filter(Boolean).join(' AND ');
      st = this.db.prepare<unknown[], Row>(`SELECT seq, device, kind, topic, payload, qos, created_ms, bytes FROM outbox WHERE ${where} ORDER BY seq LIMIT ?`);
      this.cache.set(key, st);
    }
    return st;
  }
}
