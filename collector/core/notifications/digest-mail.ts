/**
 * The text of a digest e-mail (pure): every page held for one member's digest in one mail, oldest
 * first, each with its ticket, priority, what happened and when, and its own signed acknowledge
 * link. Also reads a digest's outbox body back (one page per line, a page queued twice kept once).
 */
import type { Page } from './paging.js';
import { PAGE_WHAT, type PageMail } from './page-mail.js';

export interface DigestEntry {
  page: Page;
  links: { ack: string; ticket: string };
}

/** The pages of an outbox body: one JSON page per line; null when a line is not a page. */
export function digestPages(body: string): Page[] | null {
  const pages: Page[] = [];
  const seen = new Set<string>();
  for (const line of body.split('\n')) {
    if (line.trim() === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      return null;
    }
    const p = raw as Partial<Page> | null;
    if (!p || typeof p !== 'object' || typeof p.deliveryId !== 'string' || typeof p.email !== 'string' || !p.ticket || typeof p.atMs !== 'number') return null;
    if (seen.has(p.deliveryId)) continue;
    seen.add(p.deliveryId);
    pages.push(p as Page);
  }
  return pages.length > 0 ? pages.sort((a, b) => a.atMs - b.atMs) : null;
}

export function digestMail(entries: readonly DigestEntry[], expiresAt: string): PageMail {
  const top = entries.map((e) => e.page.ticket.priority).sort()[0] ?? '';
  const tickets = new Set(entries.map((e) => e.page.ticket.id)).size;
  const subject = `[faultline] digest: ${entries.length} page${entries.length === 1 ? '' : 's'} on ${tickets} ticket${tickets === 1 ? '' : 's'}${top ? ` (highest ${top})` : ''}`;
  const lines = [`Your faultline digest: ${entries.length} page${entries.length === 1 ? '' : 's'} held since the last one, oldest first.`, ''];
  entries.forEach(({ page, links }, i) => {
    const t = page.ticket;
    lines.push(
      `${i + 1}. ${t.priority} ${t.number}: ${t.title}`,
      `   ${PAGE_WHAT[page.event]}${page.reason ? ` (${page.reason})` : ''} at ${new Date(page.atMs).toISOString()}`,
      `   Site ${t.site}, device ${t.device}, code ${t.code}; team ${t.team ?? '-'} ${t.tier}; ${page.why === 'assignee' ? 'assigned to you' : 'you are on call'}.`,
      `   Acknowledge: ${links.ack}`,
      `   Open: ${links.ticket}`,
      '',
    );
  });
  lines.push(`Each acknowledge link works once, without logging in, until ${expiresAt}.`);
  return { subject, text: `${lines.join('\n')}\n` };
}
