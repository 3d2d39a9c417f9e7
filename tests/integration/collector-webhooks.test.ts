/**
 * Outbound webhooks against a real HTTP server on 127.0.0.1: signed JSON, retried with the core's
 * backoff after a 500, every attempt in the delivery log, bounded concurrency, nothing sent to a
 * webhook that is no longer configured. The clock is fake; the test drives the sender's runDue.
 */
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { birth, DESK_YAML, deskHarness, fault, T0 } from '../helpers/desk-harness.js';

interface Received { headers: IncomingHttpHeaders; body: string }

async function receiver(t: Test, answer: (n: number, res: ServerResponse) => void): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString('utf8'); });
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      answer(received.length, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/desk`, received };
}

const SECRET = 'a-long-enough-secret-0123';

function config(url: string, extra = ''): string {
  return DESK_YAML.replace(/webhooks:\n.*\n/, `webhooks:\n  - { id: ops, url: "${url}", secret: "${SECRET}", events: [ticket.opened] }\n`) + extra;
}

t.test('a 500 is retried after the backoff; the 200 that follows marks it delivered; both attempts are logged', async (t) => {
  const server = await receiver(t, (n, res) => { res.statusCode = n === 1 ? 500 : 200; res.end(); });
  const h = await deskHarness(t, config(server.url));
  await h.commit(birth(), fault('raise', T0));
  const [queued] = h.store.repo.webhooks.list({ limit: 10 });
  t.match(queued, { webhookId: 'ops', event: 'ticket.opened', status: 'pending', attempts: [] });

  t.equal(await h.desk.webhooks.runDue(T0), 1);
  t.equal(server.received.length, 1);
  const first = server.received[0];
  const payload = JSON.parse(first?.body ?? '{}') as { event: string; deliveryId: string; ticket: { number: string; assignee: string } };
  t.match(payload, { event: 'ticket.opened', ticket: { number: 'TS-20240305-0001', assignee: 'lena' } });
  const signature = String(first?.headers['x-faultline-signature']);
  const [, ts, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature) ?? [];
  t.equal(Number(ts), Math.floor(T0 / 1000));
  t.equal(v1, createHmac('sha256', SECRET).update(`${ts}.${first?.body}`).digest('hex'), 'HMAC-SHA256 over "<t>.<body>" with the secret');
  t.equal(first?.headers['x-faultline-delivery'], payload.deliveryId);
  t.equal(first?.headers['content-type'], 'application/json');
  t.match(h.store.repo.webhooks.list({ limit: 1 })[0], { status: 'pending', nextAttemptMs: T0 + 1000, lastError: 'HTTP 500', attempts: [{ attempt: 1, result: { kind: 'status', status: 500 } }] });

  t.equal(await h.desk.webhooks.runDue(T0 + 999), 0, 'not before the backoff');
  h.clock.now = T0 + 1000;
  t.equal(await h.desk.webhooks.runDue(T0 + 1000), 1);
  t.equal(server.received[1]?.body, first?.body, 'the retry sends the same body');
  t.equal(server.received[1]?.headers['x-faultline-delivery'], payload.deliveryId, 'with the same delivery id');
  t.match(h.store.repo.webhooks.list({ limit: 1 })[0], { status: 'delivered', nextAttemptMs: null, attempts: [{ attempt: 1 }, { attempt: 2, atMs: T0 + 1000, result: { status: 200 } }] });
});

t.test('a 4xx is not retried; an unreachable receiver is', async (t) => {
  const server = await receiver(t, (_n, res) => { res.statusCode = 410; res.end(); });
  const h = await deskHarness(t, config(server.url));
  await h.commit(birth(), fault('raise', T0));
  await h.desk.webhooks.runDue(T0);
  t.match(h.store.repo.webhooks.list({ limit: 1 })[0], { status: 'failed', lastError: 'HTTP 410 is not retryable' });

  writeFileSync(h.configFile, config('http://127.0.0.1:9/closed-port'));
  await h.desk.reloadConfig();
  await h.commit(fault('raise', T0, { code: 'vfd.overvoltage' }));
  await h.desk.webhooks.runDue(T0);
  const [down] = h.store.repo.webhooks.list({ status: 'pending', limit: 1 });
  t.match(down, { attempts: [{ result: { kind: 'network-error' } }], nextAttemptMs: T0 + 1000 }, 'a network error is retried');
});

t.test('a delivery whose webhook was removed from the config is given up, not sent elsewhere', async (t) => {
  const server = await receiver(t, (_n, res) => { res.statusCode = 200; res.end(); });
  const h = await deskHarness(t, config(server.url));
  await h.commit(birth(), fault('raise', T0));
  writeFileSync(h.configFile, config(server.url).replace('id: ops', 'id: other'));
  await h.desk.reloadConfig();
  await h.desk.webhooks.runDue(T0);
  t.equal(server.received.length, 0);
  t.match(h.store.repo.webhooks.list({ webhookId: 'ops', limit: 1 })[0], { status: 'failed', lastError: 'webhook ops is no longer configured' });
});

t.test('at most `concurrency` requests are in flight', async (t) => {
  const held: ServerResponse[] = [];
  let arrived: () => void = () => {};
  const twoArrived = new Promise<void>((resolve) => { arrived = resolve; });
  const server = await receiver(t, (n, res) => { held.push(res); if (n === 2) arrived(); });
  const h = await deskHarness(t, config(server.url, '\nwebhookDelivery:\n  concurrency: 2\n'));
  await h.commit(birth(), ...['a', 'b', 'c', 'd', 'e'].map((c) => fault('raise', T0, { code: `vfd.${c}` })));
  t.equal(h.store.repo.webhooks.list({ status: 'pending', limit: 10 }).length, 5);
  const firstRun = h.desk.webhooks.runDue(T0);
  await twoArrived;
  t.equal(await h.desk.webhooks.runDue(T0), 0, 'no free slot while two are in flight');
  t.equal(server.received.length, 2);
  for (const res of held.splice(0)) { res.statusCode = 200; res.end(); }
  t.equal(await firstRun, 2);
  const secondRun = h.desk.webhooks.runDue(T0);
  await new Promise<void>((resolve) => { const check = (): void => { if (held.length === 2) resolve(); else setImmediate(check); }; check(); });
  for (const res of held.splice(0)) { res.statusCode = 200; res.end(); }
  t.equal(await secondRun, 2);
  t.equal(h.store.repo.webhooks.list({ status: 'delivered', limit: 10 }).length, 4);
});
