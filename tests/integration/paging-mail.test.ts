/**
 * E-mail paging end to end (issue #16 "Paging"): a real SMTP server on loopback (smtp-server), a
 * desk on a real SQLite store and the real HTTP API on a random port. A P1 fault mails the assignee
 * with the ticket number; following the link with real HTTP requests acknowledges the ticket,
 * audited as that member; a second click, a tampered and an expired link are refused; quiet hours
 * hold the on-call's mail until they end (time injected); a dead SMTP server blocks nothing.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { birth, DESK_YAML, fault, H, T0 } from '../helpers/desk-harness.js';
import { freeLoopbackPort } from '../helpers/free-port.js';
import { mailCollector } from '../helpers/mail-collector.js';
import { smtpSink } from '../helpers/smtp-sink.js';
import { tempDir } from '../helpers/temp-dir.js';

// The harness team, with addresses: lena (L1 hardware, gets the ticket) pages immediately; lars
// (L1 on call) has quiet hours 08:00-12:00 UTC; no webhooks.
const YAML = DESK_YAML.replace(/webhooks:[\s\S]*$/, '')
  .replace('- { id: lena, tier: L1, skills: [hardware] }', '- { id: lena, tier: L1, skills: [hardware], email: lena@plant.example }')
  .replace('- { id: lars, tier: L1, skills: [software] }',
    '- { id: lars, tier: L1, skills: [software], email: lars@plant.example, paging: { quietHours: { start: "08:00", end: "12:00" } } }');

async function setup(t: Test, smtpPort: number) {
  const dir = tempDir('faultline-paging-');
  t.teardown(dir.remove);
  writeFileSync(join(dir.path, 'desk.yaml'), YAML);
  const clock = { now: T0 };
  const { store, desk, base } = await mailCollector(t, dir.path, clock, smtpPort);
  return { store, desk, clock, base };
}

const linkIn = (text: string): string => {
  const m = /(http:\/\/127\.0\.0\.1:\d+\/ack\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/.exec(text);
  if (!m?.[1]) throw new Error(`no acknowledge link in:\n${text}`);
  return m[1];
};

t.test('a P1 fault mails the assignee; the link acknowledges the ticket once, as that member', async (t) => {
  const sink = await smtpSink(t);
  const { store, desk, clock } = await setup(t, sink.port);
  await store.ingest.commit([birth(), fault('raise', T0)], T0);
  const [ticket] = await store.queries.listTickets({ limit: 10 });
  t.match(ticket, { priority: 'P1', assignee: 'lena' });
  const number = ticket?.number ?? '?';

  t.equal(await desk.webhooks.runDue(T0), 1, 'one mail due now: lars is in quiet hours');
  t.equal(sink.mails.length, 1);
  const [mail] = sink.mails;
  t.same(mail?.to, ['lena@plant.example'], 'to the assignee');
  t.match(mail?.subject, new RegExp(`P1 ${number} new ticket`), 'the subject names the ticket');
  t.match(mail?.text, number);
  const held = await store.webhooks.list({ webhookId: 'mail:lars', limit: 5 });
  t.match(held, [{ status: 'pending', nextAttemptMs: Date.parse('2024-03-05T12:00:00Z'), attempts: [] }], 'the on-call mail waits for the end of quiet hours');
  t.match(await store.webhooks.list({ webhookId: 'mail:lena', limit: 5 }), [{ status: 'delivered', attempts: [{ result: { kind: 'smtp', code: 250 } }] }]);

  const link = linkIn(mail?.text ?? '');
  const shown = await fetch(link);
  t.equal(shown.status, 200, 'the link shows the ticket');
  const page = await shown.text();
  t.match(page, number);
  t.match(page, /<form method="post">/, 'a GET (a mail scanner) acknowledges nothing');
  t.equal((await store.queries.getTicket({ number }))?.acknowledgedAtMs, null);

  clock.now = T0 + 5 * 60_000;
  const acked = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
  t.equal(acked.status, 200);
  t.match(await acked.text(), /acknowledged by lena/);
  t.equal((await store.queries.getTicket({ number }))?.acknowledgedAtMs, T0 + 5 * 60_000, 'the ticket is acknowledged');
  const audit = await store.audit.list({ subject: number, limit: 50 });
  t.match(audit.filter((r) => r.action === 'acknowledge'), [{ actor: { kind: 'user', id: 'lena', via: 'mail-link' } }], 'audited as lena, via the mail link');

  const again = await fetch(link, { method: 'POST' });
  t.equal(again.status, 409, 'a second click is refused');
  t.match(await again.text(), /FL_ERR_PAGE_LINK_USED.*|already used/);
  const tampered = await fetch(`${link.slice(0, -3)}${link.endsWith('AAA') ? 'BBB' : 'AAA'}`, { method: 'POST' });
  t.equal(tampered.status, 400, 'a tampered link is refused');
  t.match(await tampered.text(), /FL_ERR_PAGE_LINK_INVALID/);

  // Quiet hours over: lars's page goes out at 12:00 with its own link, which expires after 24 h.
  clock.now = Date.parse('2024-03-05T12:00:00Z');
  t.equal(await desk.webhooks.runDue(clock.now), 1);
  t.same(sink.mails[1]?.to, ['lars@plant.example']);
  t.match(sink.mails[1]?.text, /on call for drives L1/);
  clock.now += 25 * H;
  const expired = await fetch(linkIn(sink.mails[1]?.text ?? ''));
  t.equal(expired.status, 410, 'an expired link is refused');
  t.match(await expired.text(), /FL_ERR_PAGE_LINK_EXPIRED/);
});

t.test('a dead SMTP server blocks nothing: the page is retried with backoff', async (t) => {
  const { store, desk } = await setup(t, await freeLoopbackPort());
  await store.ingest.commit([birth(), fault('raise', T0)], T0);
  t.equal(await desk.webhooks.runDue(T0), 1);
  const [d] = await store.webhooks.list({ webhookId: 'mail:lena', limit: 5 });
  t.match(d, { status: 'pending', attempts: [{ result: { kind: 'network-error' } }] }, 'the failure is logged');
  t.ok((d?.nextAttemptMs ?? 0) > T0, 'and retried later');
  const [ticket] = await store.queries.listTickets({ limit: 10 });
  t.match(await desk.ticketAction({ id: ticket?.id ?? 0 }, { type: 'ack', note: '' }, { kind: 'user', id: 'lena' }), { status: 'acknowledged' }, 'the desk works on');
});
