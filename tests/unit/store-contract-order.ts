/**
 * Contract (every adapter): per-device order by sequence number. The same device histories
 * delivered in sequence order, one event per batch, and shuffled in batches with resends, end in
 * the same alarms and tickets: a late clear never clears a newer raise, no ticket twice.
 */
import type { Test } from 'tap';
import type { StorePort } from '../../collector/store/port.js';
import { asMessage, batches, deskOutcome, deviceHistories, prng, shuffled } from '../helpers/device-histories.js';

type ContractTest = (name: string, fn: (t: Test, store: StorePort) => Promise<void>) => void;

export function orderContract(test: ContractTest, open: (t: Test) => Promise<StorePort>, attachDesk: (t: Test, store: StorePort) => Promise<unknown>, nowMs: number): void {
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
}
