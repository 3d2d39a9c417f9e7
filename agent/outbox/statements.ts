/** The outbox's SQL, prepared once per open file. */
import type Database from 'better-sqlite3';
import type { OutboxKind } from './types.js';

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
    insert: db.prepare<[string, string, string, Uint8Array, number, number, number], { seq: number }>(
      'INSERT INTO outbox (device, kind, topic, payload, qos, created_ms, bytes) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING seq'),
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
    requeueDeadLetters: db.prepare<[string]>('UPDATE outbox SET refused = 0 WHERE device = ? AND refused != 0'),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
