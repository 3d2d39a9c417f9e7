/**
 * The store port's contract, continued (issue #15 items 2, 7, 8): the audit chain's head and
 * verification against anchors, revoking all of a user's API tokens, and sending a failed webhook
 * delivery again. Written against collector/store/port.ts only; storeContract runs it for every adapter.
 */
import type { Test } from 'tap';
import type { AuditRecord } from '../../collector/core/desk/audit-record.js';
import type { StorePort } from '../../collector/store/port.js';

const NOW = Date.parse('2024-03-06T00:01:01Z');

const record = (atMs: number, id: string): AuditRecord => ({
  atMs, actor: { kind: 'user', id: 'ann' }, subject: { kind: 'ticket', id }, action: 'comment', from: null, to: null, reason: 'contract', details: {},
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
}
