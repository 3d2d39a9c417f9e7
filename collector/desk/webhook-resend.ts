/**
 * Sending a failed webhook delivery again by hand (API, dashboard): the outbox puts it back in the
 * queue, the audit trail records who did it and how the delivery had failed, and the sender is
 * kicked so the attempt goes out now.
 */
import { auditRecord, type Actor } from '../core/desk/audit-record.js';
import type { AuditPort, StoredDelivery, WebhookOutboxPort } from '../store/port.js';

export interface ResendDeps {
  outbox: Pick<WebhookOutboxPort, 'resend'>;
  audit: Pick<AuditPort, 'append'>;
  sender: { kick(): void };
}

export async function resendDelivery(deps: ResendDeps, id: number, actor: Actor, nowMs: number): Promise<StoredDelivery> {
  const d = await deps.outbox.resend(id, nowMs);
  await deps.audit.append([auditRecord(nowMs, actor, { kind: 'webhook', id: d.deliveryId }, 'webhook-resend', {
    from: 'failed', to: 'pending', reason: 'failed delivery sent again by hand',
    details: { delivery: d.id, webhook: d.webhookId, event: d.event, attempts: d.attempts.length, lastError: d.lastError },
  })]);
  deps.sender.kick();
  return d;
}
