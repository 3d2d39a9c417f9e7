/**
 * A signed audit checkpoint as webhook deliveries: one per subscription that lists the event
 * `audit.checkpoint` by name ("*" does not include it: a chat relay need not post the audit head
 * every few seconds). The payload's `details` is the checkpoint itself (seq, hash, atMs, mac), so a
 * receiver that keeps the bodies, one per line, has a file `faultline audit verify --checkpoints`
 * reads; the delivery id names the row, so a resend is dropped by the receiver.
 */
import type { WebhookDelivery, WebhookPayload, WebhookSubscription } from './webhook-delivery.js';

export const CHECKPOINT_EVENT = 'audit.checkpoint';

export interface SignedHead {
  seq: number;
  hash: string;
  atMs: number;
  mac: string;
}

export function wantsCheckpoints(subscriptions: readonly WebhookSubscription[]): boolean {
  return subscriptions.some((s) => s.events !== '*' && s.events.includes(CHECKPOINT_EVENT));
}

export function checkpointDeliveries(cp: SignedHead, subscriptions: readonly WebhookSubscription[]): WebhookDelivery[] {
  return subscriptions.filter((s) => s.events !== '*' && s.events.includes(CHECKPOINT_EVENT)).map((s) => {
    const payload: WebhookPayload = {
      deliveryId: `${CHECKPOINT_EVENT}:${cp.seq}:${cp.atMs}:${s.id}`, event: CHECKPOINT_EVENT, occurredAt: new Date(cp.atMs).toISOString(), site: '',
      reason: `audit trail head at row ${cp.seq}`, recipients: [], ticket: null,
      details: { seq: cp.seq, hash: cp.hash, atMs: cp.atMs, mac: cp.mac },
    };
    return { webhookId: s.id, payload, body: JSON.stringify(payload) };
  });
}
