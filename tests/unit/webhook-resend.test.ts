/**
 * #15.8: a webhook delivery that failed for good can be sent again from the API (and the
 * dashboard, which calls the same route): it goes out once more to a real HTTP receiver on
 * loopback, with the same delivery id, and the resend is in the audit trail with who did it.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { apiCaller } from '../helpers/api-auth.js';
import { deskApi } from '../helpers/desk-api.js';
import { birth, deskHarness, DESK_YAML, fault, T0 } from '../helpers/desk-harness.js';

t.test('a failed delivery is sent again by an engineer, delivered, and audited', async (t) => {
  let answer = 400;
  const received: string[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    received.push(String(req.headers['x-faultline-delivery'] ?? ''));
    req.resume();
    req.on('end', () => { res.statusCode = answer; res.end(); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
  const port = (server.address() as AddressInfo).port;
  const yaml = DESK_YAML.replace('http://127.0.0.1:9/hook?token=abc', `http://127.0.0.1:${port}/hook`);
  t.not(yaml, DESK_YAML, 'the harness webhook points at the receiver');

  const h = await deskHarness(t, yaml);
  const app = await deskApi(t, h);
  const engineer = await apiCaller(h.store, 'engineer', 'erin');
  const operator = await apiCaller(h.store, 'operator', 'otto');
  await h.commit(birth(), fault('raise', T0));
  await h.desk.webhooks.runDue(T0);
  const failed = await app.inject({ method: 'GET', url: '/api/webhooks/deliveries?status=failed', headers: engineer.headers });
  const deliveries = (failed.json() as { deliveries: Array<{ id: number; deliveryId: string; lastError: string }> }).deliveries;
  t.ok(deliveries.length >= 1, 'HTTP 400 is not retried: the delivery failed for good');
  const d = deliveries[0];
  if (!d) throw new Error('no failed delivery');
  t.equal(received.filter((x) => x === d.deliveryId).length, 1, 'sent once so far');

  const url = `/api/webhooks/deliveries/${d.id}/resend`;
  t.equal((await app.inject({ method: 'POST', url, headers: operator.headers })).statusCode, 403, 'an operator may not');
  const resent = await app.inject({ method: 'POST', url, headers: engineer.headers });
  t.equal(resent.statusCode, 200, resent.body);
  t.match(resent.json(), { id: d.id, deliveryId: d.deliveryId, status: 'pending', attempts: [{ attempt: 1, result: { kind: 'status', status: 400 } }] });
  const twice = await app.inject({ method: 'POST', url, headers: engineer.headers });
  t.equal(twice.statusCode, 409);
  t.match(twice.json(), { error: { code: 'FL_ERR_WEBHOOK_NOT_FAILED' } });
  const missing = await app.inject({ method: 'POST', url: '/api/webhooks/deliveries/99999/resend', headers: engineer.headers });
  t.equal(missing.statusCode, 404);
  t.match(missing.json(), { error: { code: 'FL_ERR_WEBHOOK_DELIVERY_NOT_FOUND' } });
  t.equal((await app.inject({ method: 'POST', url: '/api/webhooks/deliveries/abc/resend', headers: engineer.headers })).statusCode, 400);

  answer = 200;
  await h.desk.webhooks.runDue(T0);
  t.equal(received.filter((x) => x === d.deliveryId).length, 2, 'the receiver got it again, same delivery id');
  t.match(await h.store.webhooks.get(d.id), { status: 'delivered', attempts: [{ attempt: 1 }, { attempt: 2, result: { status: 200 } }] });

  const trail = await h.store.audit.list({ subject: d.deliveryId, limit: 10 });
  t.match(trail, [{
    action: 'webhook-resend', actor: { kind: 'user', id: 'erin', via: 'token:tests' }, subject: { kind: 'webhook', id: d.deliveryId },
    from: 'failed', to: 'pending', details: { delivery: d.id, webhook: 'chat', attempts: 1, lastError: /400/ },
  }]);
  t.equal(trail.length, 1, 'refused resends leave no record');
  t.ok((await h.store.audit.verify()).ok);
});
