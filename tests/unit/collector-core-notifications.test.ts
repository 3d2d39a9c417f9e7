import t from 'tap';
import { auditChainInput, auditRecord, SYSTEM } from '../../collector/core/desk/audit-record.js';
import { notifyTicket } from '../../collector/core/notifications/notifications.js';
import {
  DEFAULT_RETRY_POLICY, isRetryable, nextDeliveryStep, retryDelayMs, signatureBase, signatureHeader, webhookDeliveries, type DeliveryAttempt, type DeliveryResult,
} from '../../collector/core/notifications/webhook-delivery.js';
import { deviceDeskTicket, T0 } from './collector-core-fixtures.js';

t.test('a notify effect goes to the webhooks subscribed to its event and site, with a stable payload', async (t) => {
  const effect = notifyTicket({ ...deviceDeskTicket(), assignee: 'gus' }, 'ticket.sla-breach', T0, 'P1 response target missed');
  const deliveries = webhookDeliveries(effect, [
    { id: 'chat', events: ['ticket.sla-breach', 'ticket.escalated'] },
    { id: 'itsm', events: '*', sites: ['plant-a'] },
    { id: 'other-site', events: '*', sites: ['plant-b'] },
    { id: 'closed-only', events: ['ticket.closed'] },
  ]);
  t.same(deliveries.map((d) => d.webhookId), ['chat', 'itsm']);
  const first = deliveries[0];
  t.match(first?.payload, {
    deliveryId: 'ticket.sla-breach:ticket-7:1709632800000:chat', event: 'ticket.sla-breach', occurredAt: '2024-03-05T10:00:00.000Z', site: 'plant-a',
    reason: 'P1 response target missed', recipients: [{ kind: 'member', id: 'gus' }],
    ticket: { id: 7, number: 'TS-20240305-0007', priority: 'P1', status: 'new', device: 'drive-1', code: 'vfd.overcurrent', assignee: 'gus' },
  });
  t.same(JSON.parse(first?.body ?? '{}'), first?.payload, 'the body is the payload');
  t.equal(signatureBase(1709632800, '{"a":1}'), '1709632800.{"a":1}', 'what the edge signs with HMAC-SHA256');
  t.equal(signatureHeader(1709632800, 'ab12'), 't=1709632800,v1=ab12');
});

t.test('retry schedule: exponential backoff, capped, then give up', async (t) => {
  const table: Array<[number, number | null]> = [[1, 1000], [2, 2000], [3, 4000], [9, 256_000], [10, null], [0, null]];
  for (const [attempt, delay] of table) t.equal(retryDelayMs(attempt), delay, `after attempt ${attempt}`);
  t.equal(retryDelayMs(5, { ...DEFAULT_RETRY_POLICY, maxDelayMs: 10_000 }), 10_000, 'capped');
  t.equal(retryDelayMs(3, DEFAULT_RETRY_POLICY, 0), 2000, 'jitter 0: half');
  t.equal(retryDelayMs(3, DEFAULT_RETRY_POLICY, 0.5), 3000, 'jitter 0.5: three quarters');
  const results: Array<[DeliveryResult, boolean]> = [
    [{ kind: 'network-error', message: 'ECONNREFUSED' }, true], [{ kind: 'status', status: 503 }, true], [{ kind: 'status', status: 429 }, true],
    [{ kind: 'status', status: 408 }, true], [{ kind: 'status', status: 400 }, false], [{ kind: 'status', status: 410 }, false],
  ];
  for (const [r, retry] of results) t.equal(isRetryable(r), retry, JSON.stringify(r));
});

t.test('the delivery log decides the next step', async (t) => {
  const attempt = (n: number, result: DeliveryResult): DeliveryAttempt => ({ webhookId: 'chat', deliveryId: 'd', attempt: n, atMs: T0 + n * 10_000, result });
  const table: Array<[string, DeliveryAttempt[], ReturnType<typeof nextDeliveryStep>]> = [
    ['nothing tried yet: send now', [], { type: 'send', attempt: 1, notBeforeMs: null }],
    ['delivered', [attempt(1, { kind: 'status', status: 204 })], { type: 'delivered' }],
    ['5xx: retry after the backoff', [attempt(1, { kind: 'status', status: 502 })], { type: 'send', attempt: 2, notBeforeMs: T0 + 10_000 + 1000 }],
    ['third failure: 4 s', [attempt(1, { kind: 'network-error', message: 'x' }), attempt(2, { kind: 'network-error', message: 'x' }), attempt(3, { kind: 'network-error', message: 'timeout' })], { type: 'send', attempt: 4, notBeforeMs: T0 + 30_000 + 4000 }],
    ['a 4xx is not retried', [attempt(1, { kind: 'status', status: 401 })], { type: 'give-up', reason: 'HTTP 401 is not retryable' }],
    ['out of attempts', [attempt(10, { kind: 'status', status: 500 })], { type: 'give-up', reason: 'HTTP 500 after 10 attempts' }],
  ];
  for (const [name, log, want] of table) t.same(nextDeliveryStep(log), want, name);
});

t.test('audit records serialise canonically for the hash chain', async (t) => {
  const a = auditRecord(T0, SYSTEM, { kind: 'ticket', id: 'TS-1' }, 'escalate', { from: 'L1', to: 'L2', reason: 'r', details: { z: 1, a: 'x' } });
  const reordered = { details: { a: 'x', z: 1 }, reason: 'r', to: 'L2', from: 'L1', action: 'escalate', subject: { id: 'TS-1', kind: 'ticket' as const }, actor: SYSTEM, atMs: T0 };
  t.equal(auditChainInput('prev', a), auditChainInput('prev', reordered), 'key order does not matter');
  t.equal(auditChainInput('h0', a),
    'h0\n{"action":"escalate","actor":{"id":"collector","kind":"system"},"atMs":1709632800000,"details":{"a":"x","z":1},"from":"L1","reason":"r","subject":{"id":"TS-1","kind":"ticket"},"to":"L2"}');
});
