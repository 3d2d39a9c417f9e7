/**
 * Paging by e-mail, the pure rules (issue #16 "Paging"): which desk notifications are pages, who
 * gets them (assignee and the on-call of the ticket's team and tier), and when (immediately,
 * digest, none; quiet hours in the member's own time zone). Time is passed in; no sockets.
 */
import t from 'tap';
import { notifyTicket } from '../../collector/core/notifications/notifications.js';
import {
  digestDeliveryId, nextDigestMs, pageDelivery, pageEventOf, pagesFor, pageTiming, quietUntilMs, type Page, type PagingContext, type PagingPrefs,
} from '../../collector/core/notifications/paging.js';
import { pageMail } from '../../collector/core/notifications/page-mail.js';
import type { Team } from '../../collector/core/routing/on-call.js';
import type { DeskTicket } from '../../collector/core/tickets/desk-ticket.js';
import { deviceDeskTicket } from './collector-core-fixtures.js';

const T0 = Date.parse('2024-03-05T10:00:00Z');
const H = 3_600_000;

const team: Team = {
  id: 'drives', name: 'Drives',
  members: [
    { id: 'lena', name: '', tier: 'L1', skills: [], timeZone: 'UTC' },
    { id: 'lars', name: '', tier: 'L1', skills: [], timeZone: 'UTC' },
    { id: 'omar', name: '', tier: 'L2', skills: [], timeZone: 'UTC' },
  ],
  rotations: [
    { id: 'l1', tier: 'L1', timeZone: 'UTC', kind: 'weekly', handover: '00:00', startDate: '2024-01-01', participants: ['lars'], overrides: [] },
    { id: 'l2', tier: 'L2', timeZone: 'UTC', kind: 'weekly', handover: '00:00', startDate: '2024-01-01', participants: ['omar'], overrides: [] },
  ],
};

const prefs = (over: Partial<PagingPrefs> = {}): PagingPrefs => ({
  email: 'x@plant.example', mode: 'immediately', timeZone: 'UTC', quietHours: null, digestAt: '08:00', ...over,
});

const ctx = (p: Record<string, PagingPrefs>, nowMs = T0): PagingContext => ({ nowMs, teams: { drives: team }, prefs: p });

const ticket = (over: Partial<DeskTicket> = {}): DeskTicket => ({ ...deviceDeskTicket({}, 1), priority: 'P1', team: 'drives', tier: 'L1', assignee: 'lena', ...over });

t.test('which notifications are pages', async (t) => {
  const cases: Array<[string, DeskTicket['priority'], string | null]> = [
    ['ticket.opened', 'P1', 'ticket.opened'], ['ticket.opened', 'P2', 'ticket.opened'], ['ticket.opened', 'P3', null], ['ticket.opened', 'P4', null],
    ['ticket.escalated', 'P4', 'ticket.escalated'], ['ticket.sla-warning', 'P3', 'ticket.sla-warning'], ['ticket.sla-breach', 'P3', 'ticket.sla-breach'],
    ['ticket.acknowledged', 'P1', null], ['ticket.commented', 'P1', null], ['ticket.resolved', 'P1', null],
  ];
  for (const [event, priority, expected] of cases) {
    const e = notifyTicket(ticket({ priority }), event as never, T0, 'why');
    t.equal(pageEventOf(e), expected, `${event} ${priority}`);
  }
});

t.test('a new P1 goes to the assignee and the on-call of its team and tier, each with an address', async (t) => {
  const e = notifyTicket(ticket(), 'ticket.opened', T0, 'opened');
  const pages = pagesFor(e, ctx({ lena: prefs({ email: 'lena@plant.example' }), lars: prefs({ email: 'lars@plant.example' }), omar: prefs() }));
  t.same(pages.map((p) => [p.memberId, p.email, p.why, p.sendAtMs, p.held]), [
    ['lena', 'lena@plant.example', 'assignee', T0, null],
    ['lars', 'lars@plant.example', 'on-call', T0, null],
  ], 'omar (L2) is not on call for L1');
  t.same(pagesFor(e, ctx({ lars: prefs() })).map((p) => p.memberId), ['lars'], 'no address: not paged');
  t.same(pagesFor(e, ctx({ lena: prefs({ mode: 'none' }), lars: prefs() })).map((p) => p.memberId), ['lars'], 'mode none: not paged');
  t.same(pagesFor(notifyTicket(ticket({ priority: 'P3' }), 'ticket.opened', T0, ''), ctx({ lena: prefs() })), [], 'a P3 is no page');
  const esc = notifyTicket(ticket({ tier: 'L2', assignee: 'omar' }), 'ticket.escalated', T0, 'escalated');
  t.same(pagesFor(esc, ctx({ lena: prefs(), omar: prefs() })).map((p) => [p.memberId, p.why]), [['omar', 'assignee']], 'an escalation pages the new tier, once per person');
});

t.test('an override on the rotation changes who is paged', async (t) => {
  const covered: Team = { ...team, rotations: team.rotations.map((r) => (r.id === 'l1' ? { ...r, overrides: [{ fromMs: T0 - H, toMs: T0 + H, memberId: 'lena', reason: 'swap' }] } : r)) };
  const e = notifyTicket(ticket({ assignee: null }), 'ticket.opened', T0, '');
  t.same(pagesFor(e, { nowMs: T0, teams: { drives: covered }, prefs: { lena: prefs(), lars: prefs() } }).map((p) => p.memberId), ['lena']);
});

t.test('quiet hours hold a page until they end, in the member time zone, also over midnight', async (t) => {
  const day = prefs({ quietHours: { start: '09:00', end: '12:00' } });
  t.equal(quietUntilMs(day, T0), Date.parse('2024-03-05T12:00:00Z'), '10:00 is quiet until 12:00');
  t.equal(quietUntilMs(day, T0 + 3 * H), null, '13:00 is not quiet');
  const night = prefs({ quietHours: { start: '22:00', end: '07:00' } });
  t.equal(quietUntilMs(night, Date.parse('2024-03-05T23:30:00Z')), Date.parse('2024-03-06T07:00:00Z'));
  t.equal(quietUntilMs(night, Date.parse('2024-03-06T03:00:00Z')), Date.parse('2024-03-06T07:00:00Z'));
  t.equal(quietUntilMs(night, T0), null);
  // Berlin is UTC+1 in March: 10:00Z is 11:00 there, inside 11:00-13:00 local, which ends at 12:00Z.
  t.equal(quietUntilMs(prefs({ timeZone: 'Europe/Berlin', quietHours: { start: '11:00', end: '13:00' } }), T0), Date.parse('2024-03-05T12:00:00Z'));
  const e = notifyTicket(ticket(), 'ticket.opened', T0, '');
  const [page] = pagesFor(e, ctx({ lena: day }));
  t.match(page, { sendAtMs: Date.parse('2024-03-05T12:00:00Z'), held: 'quiet-hours' });
  t.equal(page && pageDelivery(page, e).notBeforeMs, Date.parse('2024-03-05T12:00:00Z'), 'the outbox entry waits too');
});

t.test('digest: held until the next digest time (then past quiet hours)', async (t) => {
  const d = prefs({ mode: 'digest', digestAt: '08:00' });
  t.equal(nextDigestMs(d, T0), Date.parse('2024-03-06T08:00:00Z'), 'after 08:00: tomorrow');
  t.equal(nextDigestMs(d, Date.parse('2024-03-05T07:00:00Z')), Date.parse('2024-03-05T08:00:00Z'), 'before 08:00: today');
  t.same(pageTiming(d, T0), { sendAtMs: Date.parse('2024-03-06T08:00:00Z'), held: 'digest' });
  t.same(pageTiming(prefs({ mode: 'digest', digestAt: '08:00', quietHours: { start: '07:00', end: '09:00' } }), T0),
    { sendAtMs: Date.parse('2024-03-06T09:00:00Z'), held: 'digest' });
  t.same(pageTiming(prefs(), T0), { sendAtMs: T0, held: null }, 'immediately, no quiet hours: now');
});

t.test('the outbox entry and the mail text', async (t) => {
  const e = notifyTicket(ticket(), 'ticket.opened', T0, 'P1: critical severity');
  const [page] = pagesFor(e, ctx({ lena: prefs({ email: 'lena@plant.example' }) }));
  if (!page) throw new Error('no page');
  const d = pageDelivery(page, e);
  t.equal(d.webhookId, 'mail:lena');
  t.equal(d.notBeforeMs, undefined, 'sent right away');
  t.same(JSON.parse(d.body), page, 'the body is the page');
  t.equal(pagesFor(e, ctx({ lena: prefs() }))[0]?.deliveryId, page.deliveryId, 'the same change gives the same delivery id (no double mail)');
  const mail = pageMail(page, { ack: 'http://x/ack/abc', ticket: 'http://x/#/tickets/1' }, '2024-03-06T10:00:00.000Z');
  t.match(mail.subject, /^\[faultline\] P1 TS-20240305-0001 new ticket: /);
  t.match(mail.text, /http:\/\/x\/ack\/abc/);
  t.match(mail.text, /assigned to you/);
});

t.test('digest pages of one member and instant share one outbox entry (appended), immediate pages keep their own', async (t) => {
  const d = prefs({ mode: 'digest', digestAt: '08:00' });
  const at8 = Date.parse('2024-03-06T08:00:00Z');
  t.same(pageTiming(d, at8), { sendAtMs: Date.parse('2024-03-07T08:00:00Z'), held: 'digest' }, 'a page at the digest instant joins the next digest, never one going out');
  const page = (ticketId: number, sendAtMs: number): Page => ({
    deliveryId: `mail:ticket.opened:ticket-${ticketId}:${T0}:lars`, memberId: 'lars', email: 'x@plant.example', event: 'ticket.opened', why: 'on-call',
    ticket: { id: ticketId } as Page['ticket'], reason: '', atMs: T0, sendAtMs, held: 'digest',
  });
  const effect = { event: 'ticket.opened', site: 'plant-a', atMs: T0, reason: '', recipients: [], ticket: null, details: {} } as unknown as Parameters<typeof pageDelivery>[1];
  const a = pageDelivery(page(1, at8), effect);
  const b = pageDelivery(page(2, at8), effect);
  const later = pageDelivery(page(3, at8 + 24 * 3_600_000), effect);
  t.equal(a.appendTo, digestDeliveryId('lars', at8), 'joins lars\'s digest entry for 08:00');
  t.equal(b.appendTo, a.appendTo, 'the same digest entry');
  t.not(later.appendTo, a.appendTo, 'the next day\'s digest is another entry');
  t.equal(a.payload.deliveryId, page(1, at8).deliveryId, 'its own id, should it have to go out alone');
  t.match(a, { webhookId: 'mail:lars', notBeforeMs: at8 });
  t.equal(JSON.parse(a.body).ticket.id, 1, 'the body line is the page');
  t.equal(pageDelivery({ ...page(4, T0), held: null }, effect).appendTo, undefined, 'an immediate page is its own entry');
});
