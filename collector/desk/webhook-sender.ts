/**
 * Sends queued webhook deliveries: POST of the stored JSON body, signed with HMAC-SHA256 under the
 * webhook's secret (header `x-faultline-signature: t=<unix s>,v1=<hex>` over "<t>.<body>"), the
 * delivery id in `x-faultline-delivery`. Every attempt is appended to the delivery log; the core's
 * retry schedule (nextDeliveryStep) decides whether and when to try again. At most `concurrency`
 * requests are in flight; requests go only to the URL configured for the delivery's webhook id
 * (redirects are not followed), and a delivery whose webhook is no longer configured is given up.
 * One timer, for the earliest pending retry. Tests drive `runDue(now)` with `autoArm: false`.
 */
import type { StoredDelivery, WebhookOutboxPort } from '../store/port.js';
import { createHmac } from 'node:crypto';
import type { Logger } from '../../protocol/logger.js';
import {
  DELIVERY_HEADER, describeResult, nextDeliveryStep, SIGNATURE_HEADER, signatureBase, signatureHeader, type DeliveryAttempt, type DeliveryResult,
} from '../core/notifications/webhook-delivery.js';
import { MAIL_CHANNEL_PREFIX } from '../core/notifications/paging.js';
import { redactUrl } from '../desk-config/config-view.js';
import type { DeskSettings, WebhookTarget } from '../desk-config/desk-settings.js';

/** A claimed delivery is not due for other collectors for this long at least (twice the send timeout when longer). */
const LEASE_MIN_MS = 60_000;

export interface WebhookSenderOptions {
  outbox: WebhookOutboxPort;
  settings: () => DeskSettings;
  now: () => number;
  logger: Logger;
  autoArm: boolean;
  /** [0, 1): spreads retries; default Math.random. */
  random?: () => number;
  /** Sends e-mail pages (outbox entries whose webhook id starts with "mail:"); none: they are given up. */
  mail?: MailChannel;
}

/** Where e-mail pages go out (SMTP in mail-pager.ts); resolves with the server's answer, never rejects. */
export interface MailChannel {
  send(d: StoredDelivery, nowMs: number): Promise<DeliveryResult>;
}

const MAX_DELAY_MS = 2_147_483_647;
/** After the sender itself failed (e.g. the store could not log an attempt), it pauses this long. */
export const SENDER_ERROR_PAUSE_MS = 5_000;

/** The signature header value for `body` sent at `timestampS`. */
export function signBody(secret: string, timestampS: number, body: string): string {
  return signatureHeader(timestampS, createHmac('sha256', secret).update(signatureBase(timestampS, body), 'utf8').digest('hex'));
}

export class WebhookSender {
  private readonly inFlight = new Map<number, Promise<void>>();
  private readonly aborts = new Set<AbortController>();
  private handle: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private pausedUntilMs = 0;
  private claims: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: WebhookSenderOptions) {}

  start(): void {
    this.running = true;
    this.kick();
  }

  /** Stops sending; requests in flight are aborted and stay pending (sent again after a restart). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.handle !== undefined) clearTimeout(this.handle);
    this.handle = undefined;
    for (const a of this.aborts) a.abort();
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Something was queued or became due: send what is due now and re-arm the retry timer. */
  kick(): void {
    if (!this.running || !this.opts.autoArm) return;
    const nowMs = this.opts.now();
    if (nowMs < this.pausedUntilMs) {
      this.rearm();
      return;
    }
    void this.runDue(nowMs).catch((err: unknown) => {
      this.opts.logger.error({ err }, `webhook sender failed; pausing ${SENDER_ERROR_PAUSE_MS / 1000} s`);
      this.pausedUntilMs = this.opts.now() + SENDER_ERROR_PAUSE_MS;
      this.rearm();
    });
  }

  /** Starts every delivery due by nowMs (up to the concurrency limit) and resolves when those attempts are logged. */
  async runDue(nowMs: number): Promise<number> {
    // Claims run one after the other: a delivery read as due is in flight before the next claim reads.
    const claim = this.claims.then(() => this.claimDue(nowMs));
    this.claims = claim.catch(() => undefined);
    const started = await claim;
    await this.arm();
    await Promise.all(started);
    return started.length;
  }

  private async claimDue(nowMs: number): Promise<Array<Promise<void>>> {
    const { concurrency } = this.opts.settings().delivery;
    const free = concurrency - this.inFlight.size;
    // Claimed, not just read: with several collectors on one database each delivery goes out from one of them.
    const lease = nowMs + Math.max(LEASE_MIN_MS, 2 * this.opts.settings().delivery.timeoutMs);
    const due = free > 0 ? await this.opts.outbox.claim(nowMs, free, new Set(this.inFlight.keys()), lease) : [];
    return due.filter((d) => !this.inFlight.has(d.id)).map((d) => {
      const p = this.attempt(d).then(
        () => { this.inFlight.delete(d.id); this.kick(); },
        (err: unknown) => { this.inFlight.delete(d.id); throw err; },
      );
      this.inFlight.set(d.id, p);
      return p;
    });
  }

  private clearTimer(): void {
    if (this.handle !== undefined) clearTimeout(this.handle);
    this.handle = undefined;
  }

  private rearm(): void {
    this.arm().catch((err: unknown) => this.opts.logger.error({ err }, 'webhook outbox could not be read'));
  }

  private async arm(): Promise<void> {
    if (!this.running || !this.opts.autoArm) return;
    // At the limit, the next request to finish kicks the sender again.
    if (this.inFlight.size >= this.opts.settings().delivery.concurrency) {
      this.clearTimer();
      return;
    }
    const pending = await this.opts.outbox.nextDueMs(new Set(this.inFlight.keys()));
    if (!this.running) return;
    this.clearTimer();
    if (pending === null) return;
    const next = Math.max(pending, this.pausedUntilMs);
    const delay = Math.min(MAX_DELAY_MS, Math.max(0, next - this.opts.now()));
    this.handle = setTimeout(() => { this.handle = undefined; this.kick(); }, delay);
    this.handle.unref();
  }

  private async attempt(d: StoredDelivery): Promise<void> {
    if (d.webhookId.startsWith(MAIL_CHANNEL_PREFIX)) return this.attemptMail(d);
    const settings = this.opts.settings();
    const target = settings.webhooks.find((w) => w.id === d.webhookId);
    if (!target) {
      await this.opts.outbox.giveUp(d.id, `webhook ${d.webhookId} is no longer configured`, this.opts.now());
      this.opts.logger.warn({ webhook: d.webhookId, delivery: d.deliveryId }, 'webhook delivery given up: webhook no longer configured');
      return;
    }
    const atMs = this.opts.now();
    const result = await this.post(target, d, atMs, settings.delivery.timeoutMs);
    if (result === 'aborted') return;
    await this.record(d, atMs, result, { url: redactUrl(target.url) });
  }

  /** An e-mail page: handed to the mail channel (SMTP); given up when none is configured. */
  private async attemptMail(d: StoredDelivery): Promise<void> {
    const mail = this.opts.mail;
    if (!mail) {
      await this.opts.outbox.giveUp(d.id, 'no SMTP server is configured (collector --smtp-host)', this.opts.now());
      this.opts.logger.warn({ webhook: d.webhookId, delivery: d.deliveryId }, 'mail page given up: no SMTP server configured');
      return;
    }
    const atMs = this.opts.now();
    const result = await mail.send(d, atMs);
    await this.record(d, atMs, result, {});
  }

  private async record(d: StoredDelivery, atMs: number, result: DeliveryResult, extra: Record<string, string>): Promise<void> {
    const settings = this.opts.settings();
    const attempt: DeliveryAttempt = { webhookId: d.webhookId, deliveryId: d.deliveryId, attempt: d.attempts.length + 1, atMs, result };
    const step = nextDeliveryStep([...d.attempts, attempt], settings.delivery.retry, (this.opts.random ?? Math.random)());
    await this.opts.outbox.recordAttempt(d.id, attempt, step, this.opts.now());
    const what = describeResult(result);
    const fields = { webhook: d.webhookId, ...extra, event: d.event, delivery: d.deliveryId, attempt: attempt.attempt, result: what };
    if (step.type === 'give-up') this.opts.logger.warn({ ...fields, reason: step.reason }, 'webhook delivery failed for good');
    else if (step.type === 'send') this.opts.logger.info({ ...fields, retryAtMs: step.notBeforeMs }, 'webhook delivery failed; will retry');
    else this.opts.logger.debug(fields, 'webhook delivered');
  }

  private async post(target: WebhookTarget, d: StoredDelivery, atMs: number, timeoutMs: number): Promise<DeliveryResult | 'aborted'> {
    const stop = new AbortController();
    this.aborts.add(stop);
    const timestampS = Math.floor(atMs / 1000);
    try {
      const res = await fetch(target.url, {
        method: 'POST', redirect: 'manual', body: d.body,
        signal: AbortSignal.any([stop.signal, AbortSignal.timeout(timeoutMs)]),
        headers: {
          'content-type': 'application/json', 'user-agent': 'faultline-collector',
          [SIGNATURE_HEADER]: signBody(target.secret, timestampS, d.body), [DELIVERY_HEADER]: d.deliveryId,
        },
      });
      await res.body?.cancel().catch(() => undefined);
      return { kind: 'status', status: res.status };
    } catch (err) {
      if (stop.signal.aborted) return 'aborted';
      const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
      return { kind: 'network-error', message: `${err instanceof Error ? err.message : String(err)}${cause}` };
    } finally {
      this.aborts.delete(stop);
    }
  }
}
