/**
 * One stored timer per desk object: its next deadline from the core (`ticketNextDeadline`,
 * `alarmNextDeadline`, `floodNextDeadline`, `chatterNextDeadline`). Written in the same transaction
 * as the object, so after a restart the scheduler re-arms from here.
 */
import type { Database } from 'better-sqlite3';
import type { TimerKind, DeskTimer, DeskTimerTable } from '../port/desk-repo.js';
import type { PendingWrites } from './pending-writes.js';

export interface SqliteTimerTable extends DeskTimerTable, PendingWrites {}

interface TimerRow { kind: string; key: string; due_ms: number }

const fromRow = (r: TimerRow): DeskTimer => ({ kind: r.kind as TimerKind, key: r.key, dueMs: r.due_ms });

export function createDeskTimerTable(db: Database): SqliteTimerTable {
  const upsert = db.prepare<[string, string, number]>(`INSERT INTO desk_timers (kind, key, due_ms) VALUES (?, ?, ?)
    ON CONFLICT(kind, key) DO UPDATE SET due_ms = excluded.due_ms`);
  const remove = db.prepare<[string, string]>('DELETE FROM desk_timers WHERE kind = ? AND key = ?');
  const next = db.prepare<[], TimerRow>('SELECT * FROM desk_timers ORDER BY due_ms LIMIT 1');
  const due = db.prepare<[number, number], TimerRow>('SELECT * FROM desk_timers WHERE due_ms <= ? ORDER BY due_ms, kind, key LIMIT ?');
  const get = db.prepare<[string, string], TimerRow>('SELECT * FROM desk_timers WHERE kind = ? AND key = ?');
  const write = (kind: TimerKind, key: string, dueMs: number | null): void => {
    if (dueMs === null) remove.run(kind, key);
    else upsert.run(kind, key, dueMs);
  };
  /** Deadlines set inside the current transaction, by kind and key: only the last one is written. */
  const pending = new Map<string, DeskTimer | { kind: TimerKind; key: string; dueMs: null }>();
  const flush = (): void => {
    if (pending.size === 0) return;
    for (const t of pending.values()) write(t.kind, t.key, t.dueMs);
    pending.clear();
  };
  const readable = (): void => {
    if (db.inTransaction) flush();
  };
  return {
    set(kind, key, dueMs) {
      if (!db.inTransaction) write(kind, key, dueMs);
      else pending.set(`${kind}\u0000${key}`, { kind, key, dueMs });
    },
    next() {
      readable();
      const row = next.get();
      return row ? fromRow(row) : undefined;
    },
    due: (nowMs, limit) => {
      readable();
      return due.all(nowMs, limit).map(fromRow);
    },
    get(kind, key) {
      readable();
      const row = get.get(kind, key);
      return row ? fromRow(row) : undefined;
    },
    flush,
    discard: () => pending.clear(),
  };
}
