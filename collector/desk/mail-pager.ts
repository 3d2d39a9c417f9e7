/**
 * Sends e-mail pages over SMTP (nodemailer): the outbox entry's body is the page (core/paging.ts), or
 * a digest's pages, one per line, sent as one mail with a link per page (core/digest-mail.ts);
 * the mail gets a signed acknowledge link (ack-link.ts) to `${publicUrl}/ack/<token>`. The answer
 * is the server's reply code, or a network error (retried by the outbox's schedule). The password
 * and link key are never logged.
 */
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { Logger } from '../../protocol/logger.js';
import type { DeliveryResult } from '../core/notifications/webhook-delivery.js';
import { DIGEST_DELIVERY_PREFIX, type Page } from '../core/notifications/paging.js';
import { digestMail, digestPages } from '../core/notifications/digest-mail.js';
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
    const { links, expiresAt } = this.links(page, nowMs);
    return { to: page.email, ...pageMail(page, links, expiresAt), ackUrl: links.ack };
  }

  /** A digest's one mail: every page with its own link (all expiring `linkTtlMs` after nowMs). */
  composeDigest(pages: readonly Page[], nowMs: number): { to: string; subject: string; text: string; ackUrls: string[] } {
    const entries = pages.map((page) => ({ page, links: this.links(page, nowMs).links }));
    const mail = digestMail(entries, this.links(pages[0] as Page, nowMs).expiresAt);
    return { to: pages[pages.length - 1]?.email ?? '', ...mail, ackUrls: entries.map((e) => e.links.ack) };
  }

  private links(page: Page, nowMs: number): { links: { ack: string; ticket: string }; expiresAt: string } {
    const expiresMs = nowMs + (this.settings.linkTtlMs ?? ACK_LINK_TTL_MS);
    const base = this.settings.publicUrl.replace(/\/+$/, '');
    const ack = `${base}/ack/${signAckLink({ ticketId: page.ticket.id, member: page.memberId, expiresMs }, this.settings.linkSecret)}`;
    return { links: { ack, ticket: `${base}/#/tickets/${page.ticket.id}` }, expiresAt: new Date(expiresMs).toISOString() };
  }

  /** One outbox entry, one mail: a page, or a digest (every page held for it, see core/digest-mail.ts). */
  async send(d: StoredDelivery, nowMs: number): Promise<DeliveryResult> {
    const pages = digestPages(d.body);
    if (!pages) return { kind: 'smtp', code: 554, message: 'the queued page cannot be read' };
    const digest = d.deliveryId.startsWith(DIGEST_DELIVERY_PREFIX);
    const mail = digest ? this.composeDigest(pages, nowMs) : this.compose(pages[0] as Page, nowMs);
    const member = pages[0]?.memberId;
    try {
      const info = await this.transport.sendMail({ from: this.settings.from, to: mail.to, subject: mail.subject, text: mail.text });
      const code = Number.parseInt(String(info.response).slice(0, 3), 10);
      this.log.info({ delivery: d.deliveryId, member, tickets: pages.map((p) => p.ticket.number) }, digest ? 'mail digest sent' : 'mail page sent');
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
