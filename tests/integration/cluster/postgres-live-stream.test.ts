/**
 * One desk, many doors (issue 13): two collectors on one PostgreSQL.
 * - A ticket opened through collector A's API appears on collector B's live stream (/api/stream)
 *   within seconds, carried by LISTEN/NOTIFY (not the 30 s safety poll); an acknowledgement through B reaches A's stream.
 * - Sign-in: wrong passwords tried through both collectors count together (the throttle's failures
 *   live in the database); a session signed in on A works on B, with its CSRF token.
 */
import t, { type Test } from 'tap';
import { silentLogger } from '../../../protocol/logger.js';
import { startCollector } from '../../../collector/collector.js';
import { openStore } from '../../../collector/store/index.js';
import { apiCaller, TEST_PASSWORD } from '../../helpers/api-auth.js';
import { startPostgres, type PostgresServer } from '../../helpers/postgres-server.js';
import { openSse } from '../../helpers/sse-client.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { waitFor } from '../../helpers/wait.js';

interface TicketData { id: number; number: string; title: string; status: string }

let server: PostgresServer | undefined;
t.before(async () => { server = await startPostgres(); });
t.teardown(async () => { await server?.stop(); });

async function twoCollectors(t: Tap, name: string) {
  if (!server) throw new Error('no PostgreSQL server');
  const database = await server.createDatabase(name);
  const start = async (which: string) => {
    const dir = tempDir(`faultline-${name}-${which}-`);
    const collector = await startCollector({
      dataDir: dir.path, database, log: silentLogger(), mqttHost: '127.0.0.1', mqttPort: 0, httpHost: '127.0.0.1', httpPort: 0,
    });
    t.teardown(async () => { await collector.stop(); dir.remove(); });
    return { collector, dir };
  };
  const a = await start('a');
  const b = await start('b');
  const store = await openStore({ dataDir: a.dir.path, database, log: silentLogger(), nowMs: Date.now() });
  t.teardown(() => store.close());
  return { a, b, store };
}

type Tap = Test;

t.test('a ticket opened on collector A is on collector B\'s live stream within a second', async (t) => {
  const { a, b, store } = await twoCollectors(t, 'live');
  const operator = await apiCaller(store, 'engineer');

  const stream = await openSse(`${b.collector.httpUrl}/api/stream`, operator.headers);
  t.teardown(() => stream.close());
  t.equal(stream.status, 200);
  await waitFor('hello on B', () => stream.messages.find((m) => m.event === 'hello'));

  const res = await fetch(`${a.collector.httpUrl}/api/tickets`, {
    method: 'POST', headers: { ...operator.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ origin: 'phone', reporter: 'night shift', title: 'Conveyor 3 stopped', site: 'plant-a', category: 'hardware', severity: 'major' }),
  });
  t.equal(res.status, 201, 'opened through collector A');
  const opened = await res.json() as TicketData;
  const committedAt = Date.now(); // A answers after its commit
  const onB = await waitFor('the ticket on B\'s stream', () => stream.messages.find((m) => m.event === 'ticket' && (m.data as TicketData).id === opened.id), 5000, 10);
  const tookMs = Date.now() - committedAt;
  t.match(onB.data, { number: opened.number, title: 'Conveyor 3 stopped' });
  t.ok(tookMs <= 5000, `on B's stream ${tookMs} ms after A answered (committed): by NOTIFY, not the 30 s safety poll`);

  // An action on B shows on a stream of A: both ways.
  const streamA = await openSse(`${a.collector.httpUrl}/api/stream`, operator.headers);
  t.teardown(() => streamA.close());
  await waitFor('hello on A', () => streamA.messages.find((m) => m.event === 'hello'));
  const ack = await fetch(`${b.collector.httpUrl}/api/tickets/${opened.id}/ack`, {
    method: 'POST', headers: { ...operator.headers, 'content-type': 'application/json' }, body: '{}',
  });
  t.equal(ack.status, 200, 'acknowledged through collector B');
  const acked = await waitFor('the acknowledgement on A\'s stream', () =>
    streamA.messages.find((m) => m.event === 'ticket' && (m.data as TicketData).id === opened.id && (m.data as TicketData).status === 'acknowledged'), 5000, 10);
  t.ok(acked);
});

t.test('sign-in on either collector: failures count together, a session from A works on B with its CSRF token', async (t) => {
  const { a, b, store } = await twoCollectors(t, 'doors');
  await apiCaller(store, 'engineer', 'ann');
  const login = (url: string, password: string) => fetch(`${url}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ann', password }),
  });
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await login((i % 2 === 0 ? a : b).collector.httpUrl, `wrong guess ${i}`)).status);
  t.same(statuses, [401, 401, 401, 401, 401], 'five wrong passwords, alternating collectors');
  t.equal((await login(b.collector.httpUrl, 'wrong guess 5')).status, 429, 'the sixth is throttled on B');
  t.equal((await login(a.collector.httpUrl, TEST_PASSWORD)).status, 429, 'and on A, even with the right password');

  await apiCaller(store, 'engineer', 'bob');
  const signIn = await fetch(`${a.collector.httpUrl}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bob', password: TEST_PASSWORD }),
  });
  t.equal(signIn.status, 200, 'bob signs in on A');
  const { csrfToken } = await signIn.json() as { csrfToken: string };
  const cookie = signIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const open = (headers: Record<string, string>) => fetch(`${b.collector.httpUrl}/api/tickets`, {
    method: 'POST', headers: { cookie, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ origin: 'chat', reporter: 'bob', title: 'Door test', site: 'plant-a', category: 'hardware', severity: 'minor' }),
  });
  t.equal((await open({})).status, 403, 'B refuses the session\'s unsafe request without the CSRF token');
  t.equal((await open({ 'x-csrf-token': csrfToken })).status, 201, 'B takes A\'s session with its CSRF token');
});
