/**
 * Contract (every adapter), what several collectors on one database rely on:
 * - per-device order by sequence number: the same device histories delivered in sequence order,
 *   one event per batch, and shuffled in batches with resends, end in the same alarms and tickets
 *   (a late clear never clears a newer raise, no ticket twice);
 * - a timer is claimed by the unit that fires it (DeskScope.claim / unit.claimed);
 * - the cluster port says whether others share the store.
 */
import type { Test } from 'tap';
import type { StorePort } from '../../collector/store/port.js';
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
  });
}
