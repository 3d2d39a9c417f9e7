/**
 * Contract (every adapter), what several collectors on one database rely on:
 * - per-device order by sequence number: the same device histories delivered in sequence order,
 *   one event per batch, and shuffled in batches with resends, end in the same alarms and tickets
 *   (a late clear never clears a newer raise, no ticket twice);
 * - a timer is claimed by the unit that fires it (DeskScope.claim / unit.claimed);
 * - the cluster port says whether others share the store;
 * - failed sign-ins are counted in the store, atomically (the login throttle every collector shares);
 * - a webhook delivery is claimed by one sender at a time, for a lease.
 */
import type { Test } from 'tap';
import type { StorePort } from '../../collector/store/port.js';
import { DEFAULT_LOGIN_THROTTLE, throttleKeys, throttleVerdict } from '../../collector/core/access/login-throttle.js';
import { asMessage, batches, deskOutcome, deviceHistories, prng, shuffled } from '../helpers/device-histories.js';

type ContractTest = (name: string, fn: (t: Test, store: StorePort) => Promise<void>) => void;

export function clusterContract(test: ContractTest, open: (t: Test) => Promise<StorePort>, attachDesk: (t: Test, store: StorePort) => Promise<unknown>, nowMs: number): void {
  test('per-device order: shuffled delivery with resends ends in the in-sequence alarms and tickets', async (t, store) => {
    const devices = [{ site: 'plant-a', device: 'drive-1' }, { site: 'plant-a', device: 'drive-2' }, { site: 'plant-b', device: 'pump-1' }];
    const events = deviceHistories({ devices, codes: ['vfd.overcurrent', 'vfd.overheat'], perAlarm: 5, seed: 13 });
    const reference = await open(t);
    await attachDesk(t, reference);
    for (const e of events) await reference.ingest.commit([asMessage(e, nowMs)], nowMs);
    const expected = await deskOutcome(reference);
    t.equal(expected.tickets.length, 6, 'one ticket per fault in sequence order');

    await attachDesk(t, store);
    const rand = prng(2024);
    const resends = events.filter(() => rand() < 0.25);
    for (const batch of batches(shuffled([...events, ...resends], rand), 4, rand)) {
      await store.ingest.commit(batch.map((e) => asMessage(e, nowMs)), nowMs);
    }
    t.same(await deskOutcome(store), expected);
    t.equal((await store.queries.counts()).events, events.length, 'resends stored once');
  });

  test('a timer is claimed by the unit that fires it: only while due, and once it moved no longer', async (t, store) => {
    await store.desk.transaction({}, ({ repo }) => repo.timers.set('flood', 'plant-c', nowMs + 1000));
    const claim = (dueBy: number) => store.desk.transaction({ sites: ['plant-c'], claim: { kind: 'flood', key: 'plant-c', dueBy } }, (unit) => {
      if (unit.claimed) unit.repo.timers.set('flood', 'plant-c', nowMs + 60_000);
      return unit.claimed;
    });
    t.equal(await claim(nowMs), false, 'not due yet');
    t.equal(await claim(nowMs + 1000), true, 'due: claimed, and the unit moves it');
    t.equal(await claim(nowMs + 1000), false, 'moved by the unit that claimed it: nothing to claim');
    t.equal(await store.desk.transaction({ sites: ['plant-c'], claim: { kind: 'flood', key: 'nowhere', dueBy: nowMs + 1e9 } }, (unit) => unit.claimed), false, 'no such timer');
    t.equal(await store.desk.transaction({ sites: ['plant-c'] }, (unit) => unit.claimed), undefined, 'a unit that claims nothing');
    t.type(store.cluster.shared, 'boolean');
    const off = store.cluster.onRemote(() => undefined);
    t.type(off, 'function');
    off();
    // What other collectors ingested and the settings they changed (both unsubscribe; a store nobody shares never calls them).
    for (const offOther of [store.cluster.onRemoteDevices(() => undefined), store.cluster.onRemoteSettings(() => undefined)]) {
      t.type(offOther, 'function');
      offOther();
    }
  });

  test('failed sign-ins: parallel reservations take turns, a success takes its own back, old ones are pruned', async (t, store) => {
    const policy = { ...DEFAULT_LOGIN_THROTTLE, maxFailures: 5 };
    const keys = throttleKeys('Ann', '203.0.113.9');
    const attempt = (at: number) => store.loginFailures.reserve(keys, at - policy.windowMs, at, (recent) => throttleVerdict(recent, policy, at).allowed);
    const verdicts = await Promise.all(Array.from({ length: 12 }, () => attempt(nowMs)));
    t.equal(verdicts.filter(Boolean).length, 5, 'of 12 parallel guesses exactly 5 get to check a password');
    const other = throttleKeys('bob', '203.0.113.9');
    t.equal(await store.loginFailures.reserve(other, nowMs - policy.windowMs, nowMs, (r) => {
      t.same([r.pair.length, r.address.length, r.account.length], [0, 5, 0], 'the address scope counts every username');
      return true;
    }), true);
    await store.loginFailures.succeeded(keys, nowMs);
    await store.loginFailures.reserve(keys, nowMs - policy.windowMs, nowMs + 1, (r) => {
      t.same([r.pair.length, r.address.length, r.account.length], [0, 5, 4], 'a success clears the pair and takes back its own reservation');
      return false;
    });
    t.equal(await attempt(nowMs + policy.windowMs + 1), true, 'after the window the pair may try again');
    t.equal(await store.loginFailures.prune(nowMs), 11, 'failures at or before a time are pruned (6 reservations of 3 scopes, less the 7 the success took back)');
  });

  test('webhook deliveries are claimed for a lease: not due again for anyone until it ends or an attempt settles them', async (t, store) => {
    const delivery = (id: string) => ({
      webhookId: 'chat', body: `{"deliveryId":"${id}"}`,
      payload: { deliveryId: id, event: 'ticket.opened' as const, occurredAt: new Date(nowMs).toISOString(), site: 'plant-a', reason: 'contract', recipients: [], ticket: null, details: {} },
    });
    await store.desk.transaction({}, ({ repo }) => { for (const id of ['w1', 'w2', 'w3']) repo.webhooks.enqueue(delivery(id), nowMs); });
    const [first, second] = await Promise.all([store.webhooks.claim(nowMs, 2, new Set(), nowMs + 60_000), store.webhooks.claim(nowMs, 2, new Set(), nowMs + 60_000)]);
    const ids = [...(first ?? []), ...(second ?? [])].map((d) => d.deliveryId).sort();
    t.same(ids, ['w1', 'w2', 'w3'], 'two claims at once share the three, none twice');
    t.same(await store.webhooks.claim(nowMs + 1000, 10, new Set(), nowMs + 60_000), [], 'nothing due while leased');
    t.equal(await store.webhooks.nextDueMs(new Set()), nowMs + 60_000, 'due again when the lease ends');
    const w1 = [...(first ?? []), ...(second ?? [])].find((d) => d.deliveryId === 'w1');
    if (!w1) throw new Error('w1 expected');
    await store.webhooks.recordAttempt(w1.id, { webhookId: 'chat', deliveryId: 'w1', attempt: 1, atMs: nowMs, result: { kind: 'status', status: 503 } },
      { type: 'send', attempt: 2, notBeforeMs: nowMs + 5000 }, nowMs);
    t.same((await store.webhooks.claim(nowMs + 5000, 10, new Set(), nowMs + 70_000)).map((d) => d.deliveryId), ['w1'], 'an attempt settles its lease: the retry is due at its own time');
  });
}
