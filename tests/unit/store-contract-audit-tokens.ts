/**
 * The store port's contract, continued (issue #15 items 2, 7, 8): the audit chain's head and
 * verification against anchors, revoking all of a user's API tokens, and sending a failed webhook
 * delivery again. Written against collector/store/port.ts only; storeContract runs it for every adapter.
 */
import type { Test } from 'tap';
import type { AuditRecord } from '../../collector/core/desk/audit-record.js';
import type { StorePort } from '../../collector/store/port.js';
import type { WebhookDelivery } from '../../collector/core/notifications/webhook-delivery.js';

const NOW = Date.parse('2024-03-06T00:01:01Z');

const record = (atMs: number, id: string): AuditRecord => ({
  atMs, actor: { kind: 'user', id: 'ann' }, subject: { kind: 'ticket', id }, action: 'comment', from: null, to: null, reason: 'contract', details: {},
});

const delivery = (id: string): WebhookDelivery => ({
  webhookId: 'chat', body: `{"deliveryId":"${id}"}`,
  payload: { deliveryId: id, event: 'ticket.opened', occurredAt: new Date(NOW).toISOString(), site: 'plant-a', reason: 'contract', recipients: [], ticket: null, details: {} },
});

export function auditTokensContract(test: (name: string, fn: (t: Test, store: StorePort) => Promise<void>) => void): void {
  test('the audit head is the newest row; verify fails when an anchored row is gone or differs', async (t, store) => {
    t.equal(await store.audit.head(), undefined, 'an empty log has no head');
    await store.audit.append([record(NOW, 'TS-1'), record(NOW + 1, 'TS-2'), record(NOW + 2, 'TS-3')]);
    const rows = await store.audit.list({ limit: 10 });
    const head = await store.audit.head();
    t.same(head, { seq: rows[2]?.seq, hash: rows[2]?.hash });
    const seq = head?.seq ?? 0;
    const hash = head?.hash ?? '';
    t.match(await store.audit.verify([{ seq, hash, atMs: NOW }]), { ok: true, records: 3, headSeq: seq, headHash: hash }, 'an anchor at the head holds');
    t.match(await store.audit.verify([{ seq: seq + 2, hash, atMs: NOW }]),
      { ok: false, brokenSeq: seq + 1, reason: new RegExp(`rows ${seq + 1}-${seq + 2} are missing`) }, 'an anchor beyond the head: rows were cut off');
    t.match(await store.audit.verify([{ seq: seq - 1, hash: 'f'.repeat(64), atMs: NOW }]),
      { ok: false, brokenSeq: seq - 1, reason: /the checkpoint of .* says row/ }, 'an anchor whose hash differs');
  });

  test('an admin revokes every API token of a user at once; other users keep theirs', async (t, store) => {
    const ann = await store.users.create({ username: 'ann', role: 'operator', password: 'ann password 123' }, NOW);
    const ben = await store.users.create({ username: 'ben', role: 'operator', password: 'ben password 123' }, NOW);
    const a1 = await store.tokens.create(ann.id, 'one', NOW);
    const a2 = await store.tokens.create(ann.id, 'two', NOW);
    const b1 = await store.tokens.create(ben.id, 'bens', NOW);
    const revoked = await store.tokens.revokeAll(ann.id);
    t.same(revoked.map((x) => [x.id, x.name]), [[a1.info.id, 'one'], [a2.info.id, 'two']], 'the revoked tokens, by id');
    t.equal(await store.tokens.resolve(a1.token, NOW), undefined);
    t.equal(await store.tokens.resolve(a2.token, NOW), undefined);
    t.same(await store.tokens.list(ann.id), []);
    t.ok(await store.tokens.resolve(b1.token, NOW), 'another user\'s token still works');
    t.same(await store.tokens.revokeAll(ann.id), [], 'nothing left: an empty list');
  });

  test('a failed webhook delivery can be sent again: pending and due now, its attempts kept; others are refused', async (t, store) => {
    await store.desk.transaction({}, ({ repo }) => repo.webhooks.enqueue(delivery('r1'), NOW));
    const [d] = await store.webhooks.due(NOW, 10, new Set());
    const id = d?.id ?? -1;
    await t.rejects(store.webhooks.resend(id, NOW), { code: 'FL_ERR_WEBHOOK_NOT_FAILED' }, 'a pending delivery is not sent again');
    await store.webhooks.recordAttempt(id, { webhookId: 'chat', deliveryId: 'r1', attempt: 1, atMs: NOW, result: { kind: 'status', status: 400 } },
      { type: 'give-up', reason: 'HTTP 400 is not retryable' }, NOW);
    t.match(await store.webhooks.get(id), { status: 'failed', nextAttemptMs: null });
    const again = await store.webhooks.resend(id, NOW + 5000);
    t.match(again, { id, status: 'pending', nextAttemptMs: NOW + 5000, attempts: [{ attempt: 1 }] });
    t.same((await store.webhooks.due(NOW + 5000, 10, new Set())).map((x) => x.deliveryId), ['r1'], 'due at once');
    await t.rejects(store.webhooks.resend(id, NOW + 6000), { code: 'FL_ERR_WEBHOOK_NOT_FAILED' }, 'twice: it is pending again');
    await t.rejects(store.webhooks.resend(987654, NOW), { code: 'FL_ERR_WEBHOOK_DELIVERY_NOT_FOUND' });
  });
}
