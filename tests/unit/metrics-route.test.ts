/**
 * Prometheus /metrics (#15, "missing for people who run it"): protected like health's details (an
 * API token of any role, as scrapers are given, or an admin's session), in the text exposition
 * format, with the figures the issue lists: ingest counts, refusals by kind, open tickets by
 * priority, open alarms, timers pending, webhook backlog, connected clients, database size.
 */
import t, { type Test } from 'tap';
import { IngestCounters } from '../../collector/ingest/counters.js';
import { SecurityCounters } from '../../collector/security/security-counters.js';
import { apiCaller, TEST_PASSWORD } from '../helpers/api-auth.js';
import { deskApi } from '../helpers/desk-api.js';
import { birth, deskHarness, fault, T0 } from '../helpers/desk-harness.js';

async function setup(t: Test) {
  const h = await deskHarness(t);
  const ingest = new IngestCounters();
  const security = new SecurityCounters();
  const app = await deskApi(t, h, {
    health: { startedAtMs: T0, broker: () => ({ port: 1883, clients: 7 }), ingest: () => ingest.snapshot(), security: async () => security.snapshot('required') },
  });
  const directory = h.store;
  await directory.users.create({ username: 'vic', role: 'viewer', password: TEST_PASSWORD }, T0);
  await directory.users.create({ username: 'ada', role: 'admin', password: TEST_PASSWORD }, T0);
  const cookieOf = async (username: string): Promise<string> => {
    const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: TEST_PASSWORD } });
    return `fl_session=${/^fl_session=([^;]*)/.exec(String(res.headers['set-cookie']))?.[1] ?? ''}`;
  };
  return { h, app, ingest, security, cookieOf };
}

t.test('who may scrape: an API token of any role, or an admin\'s session', async (t) => {
  const { h, app, cookieOf } = await setup(t);
  const get = async (headers: Record<string, string>) => (await app.inject({ method: 'GET', url: '/metrics', headers })).statusCode;
  t.equal(await get({}), 401, 'nobody');
  t.equal(await get({ cookie: await cookieOf('vic') }), 403, 'a viewer\'s dashboard session');
  t.equal(await get({ cookie: await cookieOf('ada') }), 200, 'an admin\'s session');
  t.equal(await get((await apiCaller(h.store, 'viewer', 'scraper')).headers), 200, 'a viewer\'s API token (what a scraper is given)');
});

t.test('the figures, in the Prometheus text format', async (t) => {
  const { h, app, ingest, security } = await setup(t);
  await h.commit(birth(), fault('raise', T0), fault('raise', T0, { code: 'vfd.overvoltage', severity: 'minor' }));
  ingest.receivedOne('event');
  ingest.eventCommitted();
  ingest.badInput('badPayload', { timeMs: T0, code: 'FL_ERR_PROTO_DECODE', message: 'x', topic: 't' });
  security.refusedOne({ timeMs: T0, reason: 'bad-credentials', username: 'm', clientId: 'c', topic: '', message: 'wrong password' });
  const res = await app.inject({ method: 'GET', url: '/metrics', headers: (await apiCaller(h.store, 'viewer', 'scraper')).headers });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  const lines = res.body.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  t.same(lines.filter((l) => !/^[a-z_:][a-z0-9_:]*(\{[^}]*\})? -?[0-9.e+-]+$|^[a-z_:][a-z0-9_:]*(\{[^}]*\})? (NaN|\+Inf|-Inf)$/i.test(l)), [], 'every sample line parses');
  const value = (name: string): number | undefined => {
    const line = lines.find((l) => l.startsWith(`${name} `));
    return line === undefined ? undefined : Number(line.slice(name.length + 1));
  };
  t.equal(value('faultline_ingest_messages_total{kind="event"}'), 1);
  t.equal(value('faultline_ingest_events_committed_total'), 1);
  t.equal(value('faultline_ingest_refused_total{reason="bad_payload"}'), 1);
  t.equal(value('faultline_mqtt_refused_total{reason="bad-credentials"}'), 1);
  t.equal(value('faultline_mqtt_connected_clients'), 7);
  t.equal(value('faultline_open_tickets{priority="P1"}'), 1, 'the critical fault: one open P1 ticket');
  t.equal([1, 2, 3, 4].reduce((n, p) => n + (value(`faultline_open_tickets{priority="P${p}"}`) ?? 0), 0), 2, 'two open tickets in all');
  t.ok((value('faultline_open_alarms{state="active-unacknowledged",severity="critical"}') ?? 0) >= 1, 'open alarms by state and severity');
  t.ok(lines.some((l) => l.startsWith('faultline_timers_pending{kind=')), 'timers pending by kind (SLA warnings, escalations …)');
  t.ok((value('faultline_webhook_backlog') ?? 0) >= 2, `the new tickets' notifications wait for the harness's chat webhook, which nothing sends in this test (${value('faultline_webhook_backlog')})`);
  t.ok((value('faultline_database_bytes') ?? 0) > 0, 'the database size');
  t.ok(lines.some((l) => l.startsWith('faultline_api_refused_total{reason="unauthenticated"}')), 'API refusals by kind');
});
