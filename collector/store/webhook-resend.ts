/**
 * Sending a failed webhook delivery again, as both store adapters do it: only a delivery that
 * failed for good goes back to pending, due now; its attempts so far stay in its log (the retry
 * schedule then allows one more attempt). The errors both adapters answer with.
 */
import { FaultlineError } from '../../protocol/errors.js';
import type { StoredDelivery } from './port.js';

export function deliveryNotFound(id: number): FaultlineError {
  return new FaultlineError('FL_ERR_WEBHOOK_DELIVERY_NOT_FOUND', `no webhook delivery ${id}`, { context: { id }, hint: 'GET /api/webhooks/deliveries lists them' });
}

export function deliveryNotFailed(d: StoredDelivery): FaultlineError {
  return new FaultlineError('FL_ERR_WEBHOOK_NOT_FAILED', `webhook delivery ${d.id} is ${d.status}; only a failed delivery can be sent again`, {
    context: { id: d.id, status: d.status }, hint: d.status === 'pending' ? 'it is still being retried' : 'it was delivered',
  });
}

/** SQL both adapters run (SQLite's parameters: now, now, id; PostgreSQL's: $1 id, $2 now). */
export const RESEND_FAILED_SQL = {
  sqlite: "UPDATE webhook_deliveries SET status = 'pending', next_attempt_ms = ?, updated_ms = ? WHERE id = ? AND status = 'failed'",
  postgres: "UPDATE webhook_deliveries SET status = 'pending', next_attempt_ms = $2, updated_ms = $2 WHERE id = $1 AND status = 'failed'",
} as const;
