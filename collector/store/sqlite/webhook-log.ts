/**
 * The webhook outbox and delivery log. Deliveries are enqueued in the same transaction as the desk
 * change that caused them (so a committed change always gets its notification, even across a
 * crash), then sent by the webhook sender, which appends every attempt here.
 */
import type { Database } from 'better-sqlite3';
import { describeResult, isDelivered, type DeliveryAttempt, type DeliveryResult, type DeliveryStep } from '../../core/notifications/webhook-delivery.js';
import type { DeliveryStatus, StoredDelivery, WebhookLog } from '../port/desk-repo.js';

interface DeliveryRow {
  id: number; delivery_id: string; webhook_id: string; event: string; body: string; status: string; attempts: number;
  next_attempt_ms: number | null; last_error: string | null; created_ms: number; updated_ms: number;
}
interface AttemptRow { delivery: number; attempt: number; at_ms: number; result: string }

export function createWebhookLog(db: Database): WebhookLog {
  const enqueue = db.prepare(`INSERT INTO webhook_deliveries (delivery_id, webhook_id, event, body, status, attempts, next_attempt_ms, created_ms, updated_ms)
    VALUES (@delivery_id, @webhook_id, @event, @body, 'pending', 0, @due, @now, @now) ON CONFLICT(delivery_id) DO NOTHING`);
  // A digest's next page: one more line of its entry while that is untouched (pending, never tried, not
  // claimed: a claim moves next_attempt_ms to its lease); else nothing changes and the page is queued alone.
  const append = db.prepare(`INSERT INTO webhook_deliveries (delivery_id, webhook_id, event, body, status, attempts, next_attempt_ms, created_ms, updated_ms)
    VALUES (@delivery_id, @webhook_id, @event, @body, 'pending', 0, @due, @now, @now)
    ON CONFLICT(delivery_id) DO UPDATE SET body = body || char(10) || excluded.body, updated_ms = excluded.updated_ms
    WHERE status = 'pending' AND attempts = 0 AND next_attempt_ms = excluded.next_attempt_ms`);
  const due = db.prepare<[number, number], DeliveryRow>(`SELECT * FROM webhook_deliveries
    WHERE status = 'pending' AND next_attempt_ms <= ? ORDER BY next_attempt_ms, id LIMIT ?`);
  const nextDue = db.prepare<[number], { id: number; t: number }>(`SELECT id, next_attempt_ms AS t FROM webhook_deliveries
    WHERE status = 'pending' ORDER BY next_attempt_ms, id LIMIT ?`);
  const attempts = db.prepare<[number], AttemptRow>('SELECT * FROM webhook_attempts WHERE delivery = ? ORDER BY attempt');
  const insertAttempt = db.prepare<[number, number, number, string]>('INSERT INTO webhook_attempts (delivery, attempt, at_ms, result) VALUES (?, ?, ?, ?)');
  const update = db.prepare(`UPDATE webhook_deliveries SET status = @status, attempts = @attempts, next_attempt_ms = @next,
    last_error = @error, updated_ms = @now WHERE id = @id`);
  const byId = db.prepare<[number], DeliveryRow>('SELECT * FROM webhook_deliveries WHERE id = ?');

  const attemptsOf = (id: number): DeliveryAttempt[] => attempts.all(id).map((r) => ({
    webhookId: '', deliveryId: '', attempt: r.attempt, atMs: r.at_ms, result: JSON.parse(r.result) as DeliveryResult,
  }));
  const fromRow = (r: DeliveryRow, withAttempts: boolean): StoredDelivery => ({
    id: r.id, deliveryId: r.delivery_id, webhookId: r.webhook_id, event: r.event, body: r.body, status: r.status as DeliveryStatus,
    attempts: withAttempts ? attemptsOf(r.id).map((a) => ({ ...a, webhookId: r.webhook_id, deliveryId: r.delivery_id })) : [],
    nextAttemptMs: r.next_attempt_ms, lastError: r.last_error, createdMs: r.created_ms, updatedMs: r.updated_ms,
  });
  const record = db.transaction((id: number, a: DeliveryAttempt, step: DeliveryStep, nowMs: number) => {
    insertAttempt.run(id, a.attempt, a.atMs, JSON.stringify(a.result));
    const error = isDelivered(a.result) ? null : describeResult(a.result);
    const status: DeliveryStatus = step.type === 'delivered' ? 'delivered' : step.type === 'give-up' ? 'failed' : 'pending';
    const next = step.type === 'send' ? step.notBeforeMs ?? nowMs : null;
    update.run({ id, status, attempts: a.attempt, next, error: step.type === 'give-up' ? step.reason : error, now: nowMs });
  });

  return {
    enqueue(d, nowMs) {
      const row = { delivery_id: d.payload.deliveryId, webhook_id: d.webhookId, event: d.payload.event, body: d.body, now: nowMs, due: d.notBeforeMs ?? nowMs };
      if (d.appendTo === undefined || append.run({ ...row, delivery_id: d.appendTo }).changes === 0) enqueue.run(row);
    },
    due: (nowMs, limit, skip) => due.all(nowMs, limit + skip.size).filter((r) => !skip.has(r.id)).slice(0, limit).map((r) => fromRow(r, true)),
    nextDueMs: (skip) => nextDue.all(skip.size + 1).find((r) => !skip.has(r.id))?.t ?? null,
    recordAttempt: (id, a, step, nowMs) => record(id, a, step, nowMs),
    giveUp(id, reason, nowMs) {
      const row = byId.get(id);
      if (row) update.run({ id, status: 'failed', attempts: row.attempts, next: null, error: reason, now: nowMs });
    },
    attempts: attemptsOf,
    list(f) {
      const where: string[] = [];
      const params: Array<string | number> = [];
      if (f.status !== undefined) { where.push('status = ?'); params.push(f.status); }
      if (f.webhookId !== undefined) { where.push('webhook_id = ?'); params.push(f.webhookId); }
      if (f.beforeId !== undefined) { where.push('id < ?'); params.push(f.beforeId); }
      const sql = `SELECT * FROM webhook_deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
      return (db.prepare(sql).all(...params, f.limit) as DeliveryRow[]).map((r) => fromRow(r, true));
    },
    get(id) {
      const row = byId.get(id);
      return row ? fromRow(row, true) : undefined;
    },
  };
}
