/**
 * #15.2: steps that fall due while the collector is down run when it is back; their audit records
 * say both when they were due and when they ran (before, they were back-dated to the due time and
 * read as if the desk had acted on time). Steps run on time are recorded as before.
 */
import t from 'tap';
import { birth, deskHarness, fault, H, MIN, T0 } from '../helpers/desk-harness.js';

t.test('an escalation missed while the collector was down is recorded as due then, run now', async (t) => {
  const first = await deskHarness(t);
  await first.commit(birth(), fault('raise', T0));
  await first.close();
  // Down for two hours: the 15-minute response target and the escalation fell due meanwhile.
  const again = await deskHarness(t, undefined, { dataDir: first.dataDir, clock: first.clock });
  const ranAt = T0 + 2 * H;
  await again.desk.scheduler.runDue(ranAt);
  const records = again.store.repo.audit.list({ subject: 'TS-20240305-0001', limit: 100 });
  const escalate = records.find((r) => r.action === 'escalate');
  t.match(escalate, { atMs: ranAt, details: { dueAtMs: T0 + 15 * MIN } }, 'the escalation: ran at restart, due at the target');
  const breach = records.find((r) => r.action === 'sla-breach');
  t.match(breach, { atMs: ranAt, details: { dueAtMs: T0 + 15 * MIN } }, 'the breach too');
  t.notOk(records.some((r) => r.atMs < ranAt && r.atMs > T0), 'nothing the late run did is back-dated');
  const lastAt = again.store.repo.tickets.list({ limit: 1 })[0]?.escalation.lastAtMs ?? ranAt;
  t.ok(lastAt < ranAt, 'the ticket keeps the instants the rules fix (SLA figures stay exact)');
});

t.test('a step run on time carries no due time of its own', async (t) => {
  const h = await deskHarness(t);
  await h.commit(birth(), fault('raise', T0));
  await h.desk.scheduler.runDue(T0 + 15 * MIN);
  const escalate = h.store.repo.audit.list({ subject: 'TS-20240305-0001', limit: 100 }).find((r) => r.action === 'escalate');
  t.equal(escalate?.atMs, T0 + 15 * MIN);
  t.equal(escalate?.details.dueAtMs, undefined);
});
