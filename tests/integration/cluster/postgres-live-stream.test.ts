/**
 * One desk, many doors (issue 13): two collectors on one PostgreSQL. A ticket opened through
 * collector A's API appears on collector B's live stream (/api/stream) within a second, carried by
 * LISTEN/NOTIFY; and its change feed (/api/tickets/changes) names it too.
 */
import t from 'tap';
import { silentLogger } from '../../../protocol/logger.js';
import { startCollector } from '../../../collector/collector.js';
import { openStore } from '../../../collector/store/index.js';
import { apiCaller } from '../../helpers/api-auth.js';
import { startPostgres } from '../../helpers/postgres-server.js';
import { openSse } from '../../helpers/sse-client.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { waitFor } from '../../helpers/wait.js';

interface TicketData { id: number; number: string; title: string; status: string }

t.test('a ticket opened on collector A is on collector B\'s live stream within a second', async (t) => {
  const server = await startPostgres();
  t.teardown(() => server.stop());
  const database = await server.createDatabase('live');
  const start = async (name: string) => {
    const dir = tempDir(`faultline-live-${name}-`);
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
  const operator = await apiCaller(store, 'engineer');

  const stream = await openSse(`${b.collector.httpUrl}/api/stream`, operator.headers);
  t.teardown(() => stream.close());
  t.equal(stream.status, 200);
  await waitFor('hello on B', () => stream.messages.find((m) => m.event === 'hello'));

  const sentAt = Date.now();
  const res = await fetch(`${a.collector.httpUrl}/api/tickets`, {
    method: 'POST', headers: { ...operator.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ origin: 'phone', reporter: 'night shift', title: 'Conveyor 3 stopped', site: 'plant-a', category: 'hardware', severity: 'major' }),
  });
  t.equal(res.status, 201, 'opened through collector A');
  const opened = await res.json() as TicketData;
  const onB = await waitFor('the ticket on B\'s stream', () => stream.messages.find((m) => m.event === 'ticket' && (m.data as TicketData).id === opened.id), 5000, 10);
  const tookMs = Date.now() - sentAt;
  t.match(onB.data, { number: opened.number, title: 'Conveyor 3 stopped' });
  t.ok(tookMs <= 1000, `on B's stream ${tookMs} ms after A was asked (within a second)`);

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
