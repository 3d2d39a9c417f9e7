/**
 * Per-device order across collectors (issue 13): two PostgreSQL stores on one database (two pools,
 * two collectors, each with its desk) commit shuffled batches of the same devices' events at the
 * same time, some events to both (a redelivery). The end state equals what one store computes
 * applying every device's events in sequence order: alarms, tickets (none twice), gapless numbers.
 */
import t, { type Test } from 'tap';
import { silentLogger } from '../../../protocol/logger.js';
import { DeskConfigHolder } from '../../../collector/desk-config/config-holder.js';
import { DeskService } from '../../../collector/desk/desk-service.js';
import type { StorePort } from '../../../collector/store/port.js';
import { openPostgresStore } from '../../../collector/store/postgres/postgres-store.js';
import { TEST_USERS } from '../../helpers/api-auth.js';
import { asMessage, batches, deskOutcome, deviceHistories, prng, shuffled } from '../../helpers/device-histories.js';
import { startPostgres, type PostgresServer } from '../../helpers/postgres-server.js';
import { tempDir } from '../../helpers/temp-dir.js';

const NOW = Date.parse('2024-03-05T12:00:00Z');

// Real PostgreSQL, two stores, a reference run: slow on a loaded machine.
t.setTimeout(300_000);

let server: PostgresServer | undefined;
t.before(async () => { server = await startPostgres(); });
t.teardown(async () => { await server?.stop(); });

async function collector(t: Test, url: string): Promise<StorePort> {
  const dir = tempDir('faultline-pg-order-');
  const store = await openPostgresStore({ url, dataDir: dir.path, log: silentLogger(), nowMs: NOW, users: TEST_USERS, poolMax: 4 });
  const log = silentLogger();
  const desk = new DeskService({ store, config: new DeskConfigHolder({ log, now: () => NOW }), log, now: () => NOW, autoTimers: false });
  await desk.start();
  t.teardown(async () => { await desk.stop(); await store.close(); dir.remove(); });
  return store;
}

t.test('shuffled batches of the same devices on two collectors at once: the in-sequence state, no ticket twice', { timeout: 240_000 }, async (t) => {
  if (!server) throw new Error('no PostgreSQL server');
  const devices = ['drive-1', 'drive-2', 'drive-3'].map((device) => ({ site: 'plant-a', device }))
    .concat(['pump-1', 'pump-2'].map((device) => ({ site: 'plant-b', device })));
  const codes = ['vfd.overcurrent', 'vfd.overheat'];
  for (const seed of [1, 2]) {
    const events = deviceHistories({ devices, codes, perAlarm: 4, seed, idPrefix: String(seed) });
    const reference = await collector(t, await server.createDatabase(`order_ref_${seed}`));
    for (const e of events) await reference.ingest.commit([asMessage(e, NOW)], NOW);
    const expected = await deskOutcome(reference);

    const url = await server.createDatabase(`order_cluster_${seed}`);
    const stores = [await collector(t, url), await collector(t, url)];
    const rand = prng(seed * 7919);
    const resends = events.filter(() => rand() < 0.2);
    const queue = batches(shuffled([...events, ...resends], rand), 3, rand);
    // Two workers, one per collector, each taking the next batch as soon as its previous one committed.
    let committed = 0;
    await Promise.all(stores.map(async (store) => {
      for (let batch = queue.shift(); batch; batch = queue.shift()) {
        const outcomes = await store.ingest.commit(batch.map((e) => asMessage(e, NOW)), NOW);
        committed += outcomes.filter((o) => o === 'committed').length;
      }
    }));
    t.equal(committed, events.length, `seed ${seed}: every event committed once, resends reported as duplicates`);
    const got = await deskOutcome(stores[0] as StorePort);
    t.same(got, expected, `seed ${seed}: alarms and tickets equal the in-sequence run`);
    t.equal(got.tickets.length, devices.length * codes.length, `seed ${seed}: one ticket per fault`);
    const numbers = (await (stores[1] as StorePort).queries.listTickets({ limit: 100 })).map((x) => x.number).sort();
    t.same(numbers, numbers.map((_, i) => `TS-20240305-${String(i + 1).padStart(4, '0')}`), `seed ${seed}: ticket numbers gapless`);
    t.match(await (stores[1] as StorePort).audit.verify(), { ok: true });
  }
});
