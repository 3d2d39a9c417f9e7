/** The text of an e-mail page (pure): subject and body, with the acknowledge link the edge signed. */
import type { Page } from './paging.js';

/** What happened, as a page's mail says it. */
export const PAGE_WHAT: Record<Page['event'], string> = {
  'ticket.opened': 'new ticket', 'ticket.escalated': 'escalated to you', 'ticket.sla-warning': 'SLA breach warning', 'ticket.sla-breach': 'SLA breached',
};

export interface PageMail {
  subject: string;
  text: string;
}

export function pageMail(page: Page, links: { ack: string; ticket: string }, expiresAt: string): PageMail {
  const t = page.ticket;
  const subject = `[faultline] ${t.priority} ${t.number} ${PAGE_WHAT[page.event]}: ${t.title}`;
  const why = page.why === 'assignee' ? 'the ticket is assigned to you' : `you are on call for ${t.team ?? 'the team'} ${t.tier}`;
  const lines = [
    `${t.priority} ${t.number}: ${t.title}`,
    `Site ${t.site}, device ${t.device}, code ${t.code}; team ${t.team ?? '-'} ${t.tier}; status ${t.status}.`,
    `What happened: ${PAGE_WHAT[page.event]}${page.reason ? ` (${page.reason})` : ''} at ${new Date(page.atMs).toISOString()}.`,
    `You get this because ${why}.`,
    ...(page.held === 'quiet-hours' ? ['(Held until the end of your quiet hours.)'] : page.held === 'digest' ? ['(Held for your digest; it came after the digest was on its way.)'] : []),
    '',
    `Acknowledge without logging in (once, until ${expiresAt}):`,
    links.ack,
    '',
    `Open the ticket: ${links.ticket}`,
  ];
  return { subject, text: `${lines.join('\n')}\n` };
}
