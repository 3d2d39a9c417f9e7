/**
 * E-mail digests end to end (issue #16 "Paging", digest mode): a real SMTP server on loopback
 * (smtp-server), a desk on a real SQLite store and the real HTTP API on a random port, time
 * injected. A member who chose "digest" gets every page held since the last digest in ONE mail at
 * the digest time (ticket, priority, event, time, each page with its own signed single-use link),
 * sent once; the collector restarting between the hold and the send loses nothing; an SMTP 4xx
 * retries the whole digest as one mail, a 5xx gives it up; a page that arrives at the digest
 * instant waits for the next digest.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { birth, DESK_YAML, fault, H, T0 } from '../helpers/desk-harness.js';
import { mailCollector, type MailCollector } from '../helpers/mail-collector.js';
import { smtpSink } from '../helpers/smtp-sink.js';
import { tempDir } from '../helpers/temp-dir.js';

// lars (L1 on call for drives) takes his pages as a digest at 08:00 UTC; nobody else has an address.
const YAML = DESK_YAML.replace(/webhooks:[\s\S]*$/, '')
  .replace('- { id: lars, tier: L1, skills: [software] }',
    '- { id: lars, tier: L1, skills: [software], email: lars@plant.example, paging: { mode: digest, digestAt: "08:00" } }');
/** T0 is 2024-03-05 10:00 UTC: the next digest is the morning after. */
const DIGEST = Date.parse('2024-03-06T08:00:00Z');
const CODES = ['vfd.overcurrent', 'vfd.overvoltage', 'vfd.ground_fault'];

function home(t: Test): string {
  const dir = tempDir('faultline-digest-');
  t.teardown(dir.remove);
  writeFileSync(join(dir.path, 'desk.yaml'), YAML);
  return dir.path;
}

/** Three P1 faults an hour apart: three tickets, three pages held for lars's digest. */
async function threeFaults(c: MailCollector, clock: { now: number }): Promise<void> {
  await c.store.ingest.commit([birth()], T0);
  for (const [i, code] of CODES.entries()) {
    clock.now = T0 + i * H;
    await c.store.ingest.commit([fault('raise', clock.now, { code, message: `Trip ${code}` })], clock.now);
  }
}

const links = (text: string): string[] => [...text.matchAll(/(http:\/\/127\.0\.0\.1:\d+\/ack\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/g)].map((m) => m[1] ?? '');

t.test('pages held for a digest go out as one mail at the digest time, after a restart, each link working once', async (t) => {
  const sink = await smtpSink(t);
  const dir = home(t);
  const clock = { now: T0 };
  const first = await mailCollector(t, dir, clock, sink.port);
  await threeFaults(first, clock);
  const tickets = await first.store.queries.listTickets({ limit: 10 });
  t.equal(tickets.length, 3, 'three tickets');
  t.ok(tickets.every((x) => x.priority === 'P1'), 'all P1 (each one a page)');
  t.equal(await first.desk.webhooks.runDue(clock.now), 0, 'nothing goes out before the digest time');
  t.equal(await first.store.webhooks.count({ webhookId: 'mail:lars' }), 1, 'the three pages wait in one outbox entry');

  // The collector restarts between the hold and the send.
  await first.stop();
  clock.now = DIGEST;
  const second = await mailCollector(t, dir, clock, sink.port);
  t.equal(await second.desk.webhooks.runDue(DIGEST - 1), 0, 'still held a millisecond before');
  t.equal(await second.desk.webhooks.runDue(DIGEST), 1, 'the digest is sent at its time');
  t.equal(await second.desk.webhooks.runDue(DIGEST + 60_000), 0, 'and only once');
  t.equal(sink.mails.length, 1, 'one mail');
  const [mail] = sink.mails;
  t.same(mail?.to, ['lars@plant.example']);
  t.match(mail?.subject, /digest: 3 pages on 3 tickets \(highest P1\)/);
  const text = mail?.text ?? '';
  const byTime = [...tickets].sort((a, b) => a.openedAtMs - b.openedAtMs);
  for (const [i, tk] of byTime.entries()) {
    t.match(text, `${i + 1}. P1 ${tk.number}: ${tk.title}`, `lists ${tk.number} with its priority and title`);
    t.match(text, new RegExp(`new ticket \\(P1: [^)]*\\) at ${new Date(tk.openedAtMs).toISOString()}`), 'what happened, why and when');
  }
  const acks = links(text);
  t.equal(acks.length, 3, 'one acknowledge link per page');
  t.equal(new Set(acks).size, 3, 'each its own');
  t.match(await second.store.webhooks.list({ webhookId: 'mail:lars', limit: 5 }), [{ status: 'delivered', attempts: [{ result: { kind: 'smtp', code: 250 } }] }]);

  for (const [i, link] of acks.entries()) {
    const tk = byTime[i];
    clock.now = DIGEST + (i + 1) * 60_000;
    const res = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    t.equal(res.status, 200, `link ${i + 1} acknowledges`);
    t.match(await res.text(), /acknowledged by lars/);
    t.equal((await second.store.queries.getTicket({ number: tk?.number ?? '?' }))?.acknowledgedAtMs, clock.now, `${tk?.number} is acknowledged (its own ticket)`);
    t.equal((await fetch(link, { method: 'POST' })).status, 409, `link ${i + 1} works once`);
  }
  const audit = await second.store.audit.list({ limit: 200 });
  t.equal(audit.filter((r) => r.action === 'acknowledge' && r.actor.kind === 'user' && r.actor.id === 'lars').length, 3, 'three acknowledgements, audited as lars');
});

t.test('SMTP 4xx retries the digest as one mail; 5xx gives it up; a page at the digest instant waits for the next one', async (t) => {
  const sink = await smtpSink(t, { refuse: (n) => (n === 1 ? 451 : n === 3 ? 550 : null) });
  const clock = { now: T0 };
  const c = await mailCollector(t, home(t), clock, sink.port);
  await threeFaults(c, clock);
  clock.now = DIGEST;
  t.equal(await c.desk.webhooks.runDue(DIGEST), 1);
  const [held] = await c.store.webhooks.list({ webhookId: 'mail:lars', limit: 5 });
  t.match(held, { status: 'pending', attempts: [{ result: { kind: 'smtp', code: 451 } }] }, 'a 4xx keeps the digest queued');
  t.equal(sink.mails.length, 0);

  // A fault exactly at the digest instant: its page joins tomorrow's digest, not the one being retried.
  await c.store.ingest.commit([fault('raise', DIGEST, { code: 'vfd.phase_loss', message: 'Trip vfd.phase_loss' })], DIGEST);
  t.equal(await c.store.webhooks.count({ webhookId: 'mail:lars' }), 2, 'a new digest entry for the next day');

  clock.now = held?.nextAttemptMs ?? DIGEST;
  t.equal(await c.desk.webhooks.runDue(clock.now), 1, 'retried');
  t.equal(sink.mails.length, 1, 'one mail');
  t.match(sink.mails[0]?.subject, /3 pages/, 'with all three pages, as before the failure');
  t.equal(links(sink.mails[0]?.text ?? '').length, 3);

  clock.now = DIGEST + 24 * H;
  t.equal(await c.desk.webhooks.runDue(clock.now), 1, 'tomorrow\'s digest');
  t.equal(sink.offered(), 3);
  t.equal(sink.mails.length, 1, 'refused with 550');
  const all = await c.store.webhooks.list({ webhookId: 'mail:lars', limit: 5 });
  t.match(all, [{ status: 'failed', attempts: [{ result: { kind: 'smtp', code: 550 } }] }, { status: 'delivered' }], 'a 5xx gives the digest up, the earlier one stays delivered');
});
