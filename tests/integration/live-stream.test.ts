/**
 * GET /api/stream over real sockets: a fault published to the broker reaches a connected stream as
 * its alarm and its ticket; an acknowledgement through the API reaches it as the alarm's new state;
 * the collector stops cleanly with streams open.
 */
import mqtt from 'mqtt';
import t from 'tap';
import { silentLogger } from '../../protocol/logger.js';
import { startCollector } from '../../collector/collector.js';
import { encodeFaultEvent } from '../../protocol/codec.js';
import { topicFor } from '../../protocol/topics.js';
import type { FaultEvent } from '../../protocol/values.js';
import { openSse, type SseMessage } from '../helpers/sse-client.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { apiCallerIn, TEST_PASSWORD } from '../helpers/api-auth.js';

interface AlarmData { id: number; device: string; code: string; state: string; acknowledged: boolean; ticket: { number: string; priority: string } | null }
interface TicketData { number: string; code: string; priority: string }

function fault(seq: number): FaultEvent {
  return {
    id: `0190a000-0000-7000-8000-${String(seq).padStart(12, '0')}`, device: 'drive-1', site: 'plant-a', seq, timeMs: Date.now(), source: 'modbus',
    category: 'hardware', code: 'vfd.overcurrent', severity: 'critical', transition: 'raise', message: 'Output overcurrent',
    snapshot: [], logExcerpt: [], labels: {}, adapterId: 'generic-vfd', remedy: '',
  };
}

const of = <T>(messages: SseMessage[], event: string, pick: (d: T) => boolean): T | undefined =>
  messages.filter((m) => m.event === event).map((m) => m.data as T).find(pick);

t.test('alarm and ticket changes arrive on the stream after commit', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const collector = await startCollector({ dataDir: dir.path, mqttHost: '127.0.0.1', mqttPort: 0, httpHost: '127.0.0.1', httpPort: 0, log: silentLogger() });
  t.teardown(() => collector.stop());
  const { headers } = await apiCallerIn(dir.path, 'operator');

  const stream = await openSse(`${collector.httpUrl}/api/stream`, headers);
  t.teardown(() => stream.close());
  t.equal(stream.status, 200);
  t.match(stream.headers['content-type'], /^text\/event-stream/);
  await waitFor('hello', () => of(stream.messages, 'hello', () => true));

  const client = await mqtt.connectAsync(collector.mqttUrl, { protocolVersion: 4, reconnectPeriod: 0 });
  t.teardown(() => client.endAsync(true));
  const sentAt = Date.now();
  await client.publishAsync(topicFor('plant-a', 'drive-1', 'event'), Buffer.from(encodeFaultEvent(fault(1))), { qos: 1 });

  // It arrives on the stream already open: pushed, no polling or reload (how fast is the bench's business).
  const alarm = await waitFor('the raised alarm on the stream', () => of<AlarmData>(stream.messages, 'alarm', (a) => a.code === 'vfd.overcurrent'), 30_000, 5);
  t.comment(`arrived ${Date.now() - sentAt} ms after the publish`);
  t.equal(alarm.state, 'active-unacknowledged');
  t.equal(alarm.device, 'drive-1');
  t.ok(alarm.ticket, 'the alarm names the ticket working it');
  const ticket = await waitFor('the ticket on the stream', () => of<TicketData>(stream.messages, 'ticket', (x) => x.code === 'vfd.overcurrent'));
  t.equal(ticket.number, alarm.ticket?.number);
  t.equal(ticket.priority, alarm.ticket?.priority);

  const res = await fetch(`${collector.httpUrl}/api/alarms/${alarm.id}/ack`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });
  t.equal(res.status, 200);
  const acked = await waitFor('the acknowledgement on the stream', () => of<AlarmData>(stream.messages, 'alarm', (a) => a.id === alarm.id && a.acknowledged));
  t.equal(acked.state, 'active-acknowledged');

  // A second stream sees later changes too; stopping the collector ends both streams.
  const second = await openSse(`${collector.httpUrl}/api/stream`, headers);
  await waitFor('hello on the second stream', () => of(second.messages, 'hello', () => true));
  await collector.stop();
  await Promise.all([stream.ended, second.ended]);
  t.pass('collector stopped with streams open; both ended');
});

t.test('a stream ends with `signed-out` as soon as its session is logged out or its token revoked', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const collector = await startCollector({ dataDir: dir.path, mqttHost: '127.0.0.1', mqttPort: 0, httpHost: '127.0.0.1', httpPort: 0, log: silentLogger() });
  t.teardown(() => collector.stop());
  const caller = await apiCallerIn(dir.path, 'operator');

  // A dashboard session (cookie) and its stream.
  const login = await fetch(`${collector.httpUrl}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: caller.username, password: TEST_PASSWORD }),
  });
  t.equal(login.status, 200);
  const cookie = /^fl_session=[^;]*/.exec(login.headers.get('set-cookie') ?? '')?.[0] ?? '';
  const { csrfToken } = await login.json() as { csrfToken: string };
  const bySession = await openSse(`${collector.httpUrl}/api/stream`, { cookie });
  t.teardown(() => bySession.close());
  await waitFor('hello on the session stream', () => of(bySession.messages, 'hello', () => true));

  // An automation's stream on an API token of its own (made from the session: a token cannot mint tokens).
  const refused = await fetch(`${collector.httpUrl}/api/auth/tokens`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...caller.headers }, body: JSON.stringify({ name: 'wallboard' }),
  });
  t.equal(refused.status, 403, 'an API token cannot create API tokens');
  const created = await fetch(`${collector.httpUrl}/api/auth/tokens`, {
    method: 'POST', headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken }, body: JSON.stringify({ name: 'wallboard' }),
  });
  t.equal(created.status, 201);
  const { token, tokenInfo } = await created.json() as { token: string; tokenInfo: { id: number } };
  const byToken = await openSse(`${collector.httpUrl}/api/stream`, { authorization: `Bearer ${token}` });
  t.teardown(() => byToken.close());
  await waitFor('hello on the token stream', () => of(byToken.messages, 'hello', () => true));

  const out = await fetch(`${collector.httpUrl}/api/auth/logout`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrfToken } });
  t.ok(out.status < 300, `logout answered ${out.status}`);
  // Within 5 s, i.e. at once rather than at the next 15 s ping.
  await waitFor('signed-out on the session stream', () => of(bySession.messages, 'signed-out', () => true), 5000);
  await bySession.ended;
  t.notOk(of(byToken.messages, 'signed-out', () => true), 'the token stream is unaffected by the logout');

  const revoked = await fetch(`${collector.httpUrl}/api/auth/tokens/${tokenInfo.id}`, { method: 'DELETE', headers: caller.headers });
  t.equal(revoked.status, 204);
  await waitFor('signed-out on the token stream', () => of(byToken.messages, 'signed-out', () => true), 5000);
  await byToken.ended;
  t.pass('the token stream ended once its token was revoked');

  const again = await openSse(`${collector.httpUrl}/api/stream`, { cookie });
  t.teardown(() => again.close());
  t.equal(again.status, 401, 'the ended session cannot open a new stream');
  const health = await (await fetch(`${collector.httpUrl}/api/health`, { headers: (await apiCallerIn(dir.path, 'admin')).headers })).json() as { live: { clients: number; clientsSignedOut: number } };
  t.same([health.live.clients, health.live.clientsSignedOut], [0, 2], '/api/health counts the streams ended by sign-out');
});
