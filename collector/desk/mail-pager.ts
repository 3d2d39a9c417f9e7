/**
 * Sends e-mail pages over SMTP (nodemailer): the outbox entry's body is the page (core/paging.ts);
 * the mail gets a signed acknowledge link (ack-link.ts) to `${publicUrl}/ack/<token>`. The answer
 * is the server's reply code, or a network error (retried by the outbox's schedule). The password
 * and link key are never logged.
 */
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { Logger } from '../../protocol/logger.js';
import type { DeliveryResult } from '../core/notifications/webhook-delivery.js';
import type { Page } from '../core/notifications/paging.js';
import { pageMail } from '../core/notifications/page-mail.js';
import type { StoredDelivery } from '../store/port.js';
import { ACK_LINK_TTL_MS, signAckLink } from './ack-link.js';
import type { MailChannel } from './webhook-sender.js';

export interface SmtpSettings {
  host: string;
  port: number;
  /** tls: TLS from the start (465); starttls: upgrade required; none: plain (a relay on loopback). */
  tls: 'tls' | 'starttls' | 'none';
  user?: string | undefined;
  password?: string | undefined;
  from: string;
  /** The dashboard's address as people reach it; links point here. */
  publicUrl: string;
  /** The HMAC key of acknowledge links. */
  linkSecret: string;
  linkTtlMs?: number;
  timeoutMs?: number;
}

export class MailPager implements MailChannel {
  private readonly transport: Transporter;

  constructor(private readonly settings: SmtpSettings, private readonly log: Logger) {
    const timeout = settings.timeoutMs ?? 10_000;
    this.transport = nodemailer.createTransport({
      host: settings.host, port: settings.port, secure: settings.tls === 'tls', requireTLS: settings.tls === 'starttls',
      ignoreTLS: settings.tls === 'none',
      ...(settings.user ? { auth: { user: settings.user, pass: settings.password ?? '' } } : {}),
      connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout,
    });
  }

  /** The page's mail, with its link signed to expire `linkTtlMs` after nowMs. */
  compose(page: Page, nowMs: number): { to: string; subject: string; text: string; ackUrl: string } {
    const expiresMs = nowMs + (this.settings.linkTtlMs ?? ACK_LINK_TTL_MS);
    const base = this.settings.publicUrl.replace(/\/+$/, '');
    const ackUrl = `${base}/ack/${signAckLink({ ticketId: page.ticket.id, member: page.memberId, expiresMs }, this.settings.linkSecret)}`;
    const mail = pageMail(page, { ack: ackUrl, ticket: `${base}/#/tickets/${page.ticket.id}` }, new Date(expiresMs).toISOString());
    return { to: page.email, ...mail, ackUrl };
  }

  async send(d: StoredDelivery, nowMs: number): Promise<DeliveryResult> {
    let page: Page;
    try {
      page = JSON.parse(d.body) as Page;
    } catch {
      return { kind: 'smtp', code: 554, message: 'the queued page cannot be read' };
    }
    const mail = this.compose(page, nowMs);
    try {
      const info = await this.transport.sendMail({ from: this.settings.from, to: mail.to, subject: mail.subject, text: mail.text });
      const code = Number.parseInt(String(info.response).slice(0, 3), 10);
      this.log.info({ delivery: d.deliveryId, member: page.memberId, ticket: page.ticket.number }, 'mail page sent');
      return { kind: 'smtp', code: Number.isFinite(code) ? code : 250, message: 'accepted' };
    } catch (err) {
      const e = err as { responseCode?: unknown; message?: unknown };
      const message = typeof e.message === 'string' ? e.message : String(err);
      return typeof e.responseCode === 'number' ? { kind: 'smtp', code: e.responseCode, message } : { kind: 'network-error', message };
    }
  }

  close(): void {
    this.transport.close();
  }
}
