/** The webhook outbox on PostgreSQL (the SQLite adapter's webhook-log.ts, asynchronous). */
import type pg from 'pg';
import { describeResult, isDelivered, type DeliveryAttempt, type DeliveryResult, type DeliveryStep } from '../../core/notifications/webhook-delivery.js';
import type { WebhookOutboxPort } from '../port.js';
import { deliveryNotFailed, deliveryNotFound, RESEND_FAILED_SQL } from '../webhook-resend.js';
import type { DeliveryFilter, DeliveryStatus, StoredDelivery } from '../port/desk-repo.js';
import type { WithTx } from './pg-transaction.js';

interface DeliveryRow {
  id: number; delivery_id: string; webhook_id: string; event: string; body: string; status: string; attempts: number;
  next_attempt_ms: number | null; last_error: string | null; created_ms: number; updated_ms: number;
}
interface AttemptRow { delivery: number; attempt: number; at_ms: number; result: string }

export class PgWebhooks implements WebhookOutboxPort {
  constructor(private readonly pool: pg.Pool, private readonly withTx: WithTx) {}

  private async withAttempts(rows: DeliveryRow[]): Promise<StoredDelivery[]> {
    if (rows.length === 0) return [];
    const { rows: attempts } = await this.pool.query<AttemptRow>('SELECT * FROM webhook_attempts WHERE delivery = ANY($1::bigint[]) ORDER BY delivery, attempt', [rows.map((r) => r.id)]);
    return rows.map((r) => ({
      id: r.id, deliveryId: r.delivery_id, webhookId: r.webhook_id, event: r.event, body: r.body, status: r.status as DeliveryStatus,
      attempts: attempts.filter((a) => a.delivery === r.id).map((a): DeliveryAttempt => ({
        webhookId: r.webhook_id, deliveryId: r.delivery_id, attempt: a.attempt, atMs: a.at_ms, result: JSON.parse(a.result) as DeliveryResult,
      })),
      nextAttemptMs: r.next_attempt_ms, lastError: r.last_error, createdMs: r.created_ms, updatedMs: r.updated_ms,
    }));
  }

  async due(nowMs: number, limit: number, skip: ReadonlySet<number>): Promise<StoredDelivery[]> {
    const { rows } = await this.pool.query<DeliveryRow>(`SELECT * FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_ms <= $1
      AND NOT (id = ANY($2::bigint[])) ORDER BY next_attempt_ms, id LIMIT $3`, [nowMs, [...skip], limit]);
    return this.withAttempts(rows);
  }

  async claim(nowMs: number, limit: number, skip: ReadonlySet<number>, leaseUntilMs: number): Promise<StoredDelivery[]> {
    const { rows } = await this.pool.query<DeliveryRow & { due_ms: number }>(`WITH claimed AS (
        SELECT id, next_attempt_ms FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_ms <= $1 AND NOT (id = ANY($2::bigint[]))
        ORDER BY next_attempt_ms, id LIMIT $3 FOR UPDATE SKIP LOCKED)
      UPDATE webhook_deliveries w SET next_attempt_ms = $4 FROM claimed WHERE w.id = claimed.id RETURNING w.*, claimed.next_attempt_ms AS due_ms`,
    [nowMs, [...skip], limit, leaseUntilMs]);
    // As `due` shows them (when they were due), oldest due first.
    const sorted = rows.sort((a, b) => a.due_ms - b.due_ms || a.id - b.id).map(({ due_ms, ...r }) => ({ ...r, next_attempt_ms: due_ms }));
    return this.withAttempts(sorted);
  }

  async nextDueMs(skip: ReadonlySet<number>): Promise<number | null> {
    const { rows } = await this.pool.query<{ t: number | null }>(`SELECT min(next_attempt_ms) AS t FROM webhook_deliveries
      WHERE status = 'pending' AND NOT (id = ANY($1::bigint[]))`, [[...skip]]);
    return rows[0]?.t ?? null;
  }

  async recordAttempt(id: number, a: DeliveryAttempt, step: DeliveryStep, nowMs: number): Promise<void> {
    await this.withTx(async (tx) => {
      await tx.query('INSERT INTO webhook_attempts (delivery, attempt, at_ms, result) VALUES ($1, $2, $3, $4)', [id, a.attempt, a.atMs, JSON.stringify(a.result)]);
      const error = isDelivered(a.result) ? null : describeResult(a.result);
      const status: DeliveryStatus = step.type === 'delivered' ? 'delivered' : step.type === 'give-up' ? 'failed' : 'pending';
      const next = step.type === 'send' ? step.notBeforeMs ?? nowMs : null;
      await tx.query(`UPDATE webhook_deliveries SET status = $2, attempts = $3, next_attempt_ms = $4, last_error = $5, updated_ms = $6 WHERE id = $1`,
        [id, status, a.attempt, next, step.type === 'give-up' ? step.reason : error, nowMs]);
    });
  }

  async giveUp(id: number, reason: string, nowMs: number): Promise<void> {
    await this.pool.query(`UPDATE webhook_deliveries SET status = 'failed', next_attempt_ms = NULL, last_error = $2, updated_ms = $3 WHERE id = $1`, [id, reason, nowMs]);
  }

  async count(f: Pick<DeliveryFilter, 'status' | 'webhookId'>): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_deliveries
      WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR webhook_id = $2)`, [f.status ?? null, f.webhookId ?? null]);
    return rows[0]?.n ?? 0;
  }

  async list(f: DeliveryFilter): Promise<StoredDelivery[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.status !== undefined) { params.push(f.status); where.push(`status = $${params.length}`); }
    if (f.webhookId !== undefined) { params.push(f.webhookId); where.push(`webhook_id = $${params.length}`); }
    if (f.beforeId !== undefined) { params.push(f.beforeId); where.push(`id < $${params.length}`); }
    params.push(f.limit);
    const { rows } = await this.pool.query<DeliveryRow>(`SELECT * FROM webhook_deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.length}`, params);
    return this.withAttempts(rows);
  }

  async resend(id: number, nowMs: number): Promise<StoredDelivery> {
    const { rowCount } = await this.pool.query(RESEND_FAILED_SQL.postgres, [id, nowMs]);
    const d = await this.get(id);
    if (!d) throw deliveryNotFound(id);
    if (rowCount === 0) throw deliveryNotFailed(d);
    return d;
  }

  async get(id: number): Promise<StoredDelivery | undefined> {
    const { rows } = await this.pool.query<DeliveryRow>('SELECT * FROM webhook_deliveries WHERE id = $1', [id]);
    return (await this.withAttempts(rows))[0];
  }
}
