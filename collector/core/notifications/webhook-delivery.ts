/**
 * Outbound webhooks, the pure half: which subscriptions a notification goes to, the JSON payload,
 * the exact string to sign, the signature header format, and the retry schedule. The edge does the
 * HTTP call and the HMAC-SHA256 (node:crypto) and appends each attempt to the delivery log.
 */
import type { NotifyEffect, NotifyEvent, Recipient, TicketSnapshot } from './notifications.js';
import type { AuditDetail } from '../desk/audit-record.js';

export interface WebhookSubscription {
  id: string;
  /** Events to send; '*' for all. */
  events: NotifyEvent[] | '*';
  /** Only these sites; all when absent. */
  sites?: string[];
}

export interface WebhookPayload {
  /** Stable per event and webhook: a receiver drops repeats by it (retries resend the same id). */
  deliveryId: string;
  event: NotifyEvent;
  occurredAt: string;
  site: string;
  reason: string;
  recipients: Recipient[];
  ticket: TicketSnapshot | null;
  details: Record<string, AuditDetail>;
}

export interface WebhookDelivery {
  webhookId: string;
  payload: WebhookPayload;
  /** The exact body to send and sign. */
  body: string;
  /** Not sent before this instant (a page held for quiet hours or a digest); absent: right away. */
  notBeforeMs?: number;
  /**
   * A digest page: appended as one more line to the entry with this delivery id (one row per digest,
   * claimed and sent as a unit) while that entry is untouched (pending, never claimed or tried). Once
   * it was claimed its mail may be out, so the body is queued on its own under `payload.deliveryId`:
   * a page is never lost.
   */
  appendTo?: string;
}

export const SIGNATURE_HEADER = 'x-faultline-signature';
export const DELIVERY_HEADER = 'x-faultline-delivery';

export function webhookDeliveries(effect: NotifyEffect, subscriptions: readonly WebhookSubscription[]): WebhookDelivery[] {
  const subject = effect.ticket ? `ticket-${effect.ticket.id}` : `site-${effect.site}`;
  return subscriptions
    .filter((s) => (s.events === '*' || s.events.includes(effect.event)) && (!s.sites || s.sites.includes(effect.site)))
    .map((s) => {
      const payload: WebhookPayload = {
        deliveryId: `${effect.event}:${subject}:${effect.atMs}:${s.id}`, event: effect.event,
        occurredAt: new Date(effect.atMs).toISOString(), site: effect.site, reason: effect.reason,
        recipients: effect.recipients, ticket: effect.ticket, details: effect.details,
      };
      return { webhookId: s.id, payload, body: JSON.stringify(payload) };
    });
}

/** The string the edge signs with HMAC-SHA256 under the webhook's secret: "<unix seconds>.<body>". */
export function signatureBase(timestampS: number, body: string): string {
  return `${timestampS}.${body}`;
}

/** The signature header value, e.g. "t=1700000000,v1=5257a8…"; the receiver recomputes v1 and checks t is recent. */
export function signatureHeader(timestampS: number, hmacHex: string): string {
  return `t=${timestampS},v1=${hmacHex}`;
}

export interface RetryPolicy {
  /** Delay after the first failed attempt. */
  baseDelayMs: number;
  factor: number;
  maxDelayMs: number;
  /** Attempts in all, the first included. */
  maxAttempts: number;
}

/** 1 s, 2 s, 4 s … capped at 1 h, 10 attempts (about 17 minutes of retries before the cap bites). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseDelayMs: 1000, factor: 2, maxDelayMs: 3_600_000, maxAttempts: 10 };

/**
 * Delay before the next attempt after attempt `attempt` (1-based) failed; null when no attempt is
 * left. `jitter` in [0, 1) spreads retries of many deliveries: the delay is scaled into
 * [50 %, 100 %] of the computed value (0 = half, omitted = the full value).
 */
export function retryDelayMs(attempt: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY, jitter?: number): number | null {
  if (!Number.isInteger(attempt) || attempt < 1 || attempt >= policy.maxAttempts) return null;
  const full = Math.min(policy.maxDelayMs, policy.baseDelayMs * policy.factor ** (attempt - 1));
  return jitter === undefined ? full : Math.round(full * (0.5 + Math.min(Math.max(jitter, 0), 1) / 2));
}

/** An HTTP status, a network error, or an SMTP server's reply code (mail pages go through the same outbox). */
export type DeliveryResult =
  | { kind: 'status'; status: number }
  | { kind: 'network-error'; message: string }
  | { kind: 'smtp'; code: number; message: string };

/** Worth retrying: network errors, 408, 429 and 5xx; SMTP 4xx (transient). Other 4xx and SMTP 5xx mean the request itself is wrong. */
export function isRetryable(result: DeliveryResult): boolean {
  if (result.kind === 'network-error') return true;
  if (result.kind === 'smtp') return result.code >= 400 && result.code < 500;
  return result.status === 408 || result.status === 429 || result.status >= 500;
}

export function isDelivered(result: DeliveryResult): boolean {
  if (result.kind === 'smtp') return result.code >= 200 && result.code < 300;
  return result.kind === 'status' && result.status >= 200 && result.status < 300;
}

/** The result in a few words, for logs and the delivery log's last error. */
export function describeResult(result: DeliveryResult): string {
  if (result.kind === 'status') return `HTTP ${result.status}`;
  if (result.kind === 'smtp') return `SMTP ${result.code} ${result.message}`.trim();
  return result.message;
}

export interface DeliveryAttempt {
  webhookId: string;
  deliveryId: string;
  attempt: number;
  atMs: number;
  result: DeliveryResult;
}

export type DeliveryStep =
  | { type: 'delivered' }
  /** Make attempt number `attempt` at `notBeforeMs` (null: right away). */
  | { type: 'send'; attempt: number; notBeforeMs: number | null }
  | { type: 'give-up'; reason: string };

/** What to do after the latest attempt of one delivery (attempts in order). */
export function nextDeliveryStep(attempts: readonly DeliveryAttempt[], policy: RetryPolicy = DEFAULT_RETRY_POLICY, jitter?: number): DeliveryStep {
  const last = attempts[attempts.length - 1];
  if (!last) return { type: 'send', attempt: 1, notBeforeMs: null };
  if (isDelivered(last.result)) return { type: 'delivered' };
  const what = describeResult(last.result);
  if (!isRetryable(last.result)) return { type: 'give-up', reason: `${what} is not retryable` };
  const delay = retryDelayMs(last.attempt, policy, jitter);
  if (delay === null) return { type: 'give-up', reason: `${what} after ${last.attempt} attempts` };
  return { type: 'send', attempt: last.attempt + 1, notBeforeMs: last.atMs + delay };
}
