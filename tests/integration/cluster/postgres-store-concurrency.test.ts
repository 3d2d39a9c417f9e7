/**
 * Two PostgreSQL stores on one database (two collectors), each with its desk attached, committing
 * the same plant's events at the same time, every event sent to one of them at random: the end
 * state equals what one store computes applying the events in order — one ticket per fault (no
 * duplicate), the same statuses, occurrences, site parents and alarm states, ticket numbers
 * gapless, an audit chain that verifies.
 *
 * Two ways of delivering: (1) per device in sequence order, each event to a random collector, the
 * devices of a site interleaving (what a shared subscription does when the broker keeps a device
 * on one connection); (2) one device's events for different faults all at once, shuffled, to both
 * collectors (their effects commute, so any serial order gives the same state).
 */
import t, { type Test } from 'tap';
import { silentLogger } from '../../../protocol/logger.js';
import type { FaultEvent, Transition } from '../../../protocol/values.js';
import { DeskConfigHolder } from '../../../collector/desk-config/config-holder.js';
import { DeskService } from '../../../collector/desk/desk-service.js';
import type { StorePort } from '../../../collector/store/port.js';
import { openPostgresStore } from '../../../collector/store/postgres/postgres-store.js';
import { TEST_USERS } from '../../helpers/api-auth.js';
import { startPostgres, type PostgresServer } from '../../helpers/postgres-server.js';
import { tempDir } from '../../helpers/temp-dir.js';

const DAY = Date.parse('2024-03-05T10:00:00Z');
const NOW = DAY + 3_600_000;

let server: PostgresServer | undefined;
let databases = 0;
t.before(async () => { server = await startPostgres(); });
t.teardown(async () => { await server?.stop(); });

async function collector(t: Tap, url: string): Promise<StorePort> {
  return (await collectorWithDesk(t, url)).store;
}

async function collectorWithDesk(t: Tap, url: string): Promise<{ store: StorePort; desk: DeskService }> {
  const dir = tempDir('faultline-pg-cluster-');
  const store = await openPostgresStore({ url, dataDir: dir.path, log: silentLogger(), nowMs: NOW, users: TEST_USERS, poolMax: 4 });
  const log = silentLogger();
  const desk = new DeskService({ store, config: new DeskConfigHolder({ log, now: () => NOW }), log, now: () => NOW, autoTimers: false });
  await desk.start();
  t.teardown(async () => { await desk.stop(); await store.close(); dir.remove(); });
  return { store, desk };
}

type Tap = Test;

let n = 0;
function fault(site: string, device: string, code: string, transition: Transition, seq: number): FaultEvent {
  n++;
  return {
    id: `018e0f3a-0000-7000-9000-${String(n).padStart(12, '0')}`, device, site, seq, timeMs: DAY + seq * 1000,
    source: 'modbus', category: 'hardware', code, severity: 'major', transition, message: code,
    snapshot: [], logExcerpt: [], labels: {}, adapterId: 'generic-vfd', remedy: '',
  };
}

/** What must not depend on which collector applied what, or in which order the devices interleaved. */
async function signature(store: StorePort): Promise<{ tickets: string[]; alarms: string[]; numbers: string[]; events: number; audit: boolean }> {
  const tickets = await store.queries.listTickets({ limit: 10_000 });
  const byId = new Map(tickets.map((x) => [x.id, x]));
  const alarms = await store.queries.listAlarms({ limit: 10_000 });
  return {
    tickets: tickets.map((x) => {
      const parent = x.parentId === null ? '-' : `${byId.get(x.parentId)?.site ?? '?'}/${byId.get(x.parentId)?.siteParent ? 'site-parent' : byId.get(x.parentId)?.device}`;
      return `${x.site}/${x.device}/${x.code} ${x.status} occ=${x.occurrences} active=${x.faultActive} siteParent=${x.siteParent} parent=${parent}`;
    }).sort(),
    alarms: alarms.map((a) => `${a.alarm.key.site}/${a.alarm.key.device}/${a.alarm.key.code} active=${a.alarm.active} ack=${a.alarm.acknowledged}`).sort(),
    numbers: tickets.map((x) => x.number).sort(),
    events: (await store.queries.counts()).events,
    audit: (await store.audit.verify()).ok,
  };
}

function shuffle<T>(items: T[], seed: number): T[] {
  let s = seed;
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const gapless = (count: number): string[] => Array.from({ length: count }, (_, i) => `TS-20240305-${String(i + 1).padStart(4, '0')}`);

t.test('devices in sequence order, each event to a random collector, sites interleaving: the state one collector computes', async (t) => {
  if (!server) throw new Error('no PostgreSQL server');
  // Per device: raise, a repeat, clear, raise again, and a second fault.
  const streams: FaultEvent[][] = [];
  for (const site of ['plant-a', 'plant-b']) {
    for (let d = 1; d <= 4; d++) {
      const device = `drive-${d}`;
      streams.push([
        fault(site, device, 'vfd.overcurrent', 'raise', 1), fault(site, device, 'vfd.overcurrent', 'raise', 2),
        fault(site, device, 'vfd.overcurrent', 'clear', 3), fault(site, device, 'vfd.overheat', 'raise', 4),
        fault(site, device, 'vfd.overcurrent', 'raise', 5),
      ]);
    }
  }
  const reference = await collector(t, await server.createDatabase(`serial_${++databases}`));
  for (const stream of streams) for (const e of stream) await reference.ingest.commit([{ kind: 'event', receivedMs: NOW, event: e }], NOW);
  const url = await server.createDatabase(`cluster_${++databases}`);
  const a = await collector(t, url);
  const b = await collector(t, url);
  let pick = 7;
  await Promise.all(streams.map(async (stream) => {
    for (const e of stream) {
      pick = (pick * 31 + 11) % 97;
      await (pick % 2 === 0 ? a : b).ingest.commit([{ kind: 'event', receivedMs: NOW, event: e }], NOW);
    }
  }));
  const want = await signature(reference);
  const got = await signature(a);
  t.same(got, want);
  t.same(got.numbers, gapless(got.numbers.length), 'ticket numbers 1..n');
  t.same(await signature(b), got, 'both collectors read the same state');
});

t.test('one device, different faults, all at once to both collectors in shuffled order: the state of the in-order run', async (t) => {
  if (!server) throw new Error('no PostgreSQL server');
  const events = Array.from({ length: 24 }, (_, i) => fault('plant-c', 'press-1', `press.fault-${i % 8}`, 'raise', i + 1));
  const reference = await collector(t, await server.createDatabase(`serial_${++databases}`));
  for (const e of events) await reference.ingest.commit([{ kind: 'event', receivedMs: NOW, event: e }], NOW);
  const url = await server.createDatabase(`cluster_${++databases}`);
  const a = await collector(t, url);
  const b = await collector(t, url);
  const shuffled = shuffle(events, 42);
  // Every event goes to both collectors (a redelivery): each is stored and processed once.
  const outcomes = await Promise.all(shuffled.flatMap((e, i) => [
    (i % 2 === 0 ? a : b).ingest.commit([{ kind: 'event', receivedMs: NOW, event: e }], NOW),
    (i % 2 === 0 ? b : a).ingest.commit([{ kind: 'event', receivedMs: NOW, event: e }], NOW),
  ]));
  t.equal(outcomes.flat().filter((o) => o === 'committed').length, events.length, 'each event committed once, the copy reported a duplicate');
  const want = await signature(reference);
  const got = await signature(a);
  t.same(got, want);
  t.equal(got.tickets.length, 8, 'one ticket per fault, none twice');
  t.same(got.numbers, gapless(8));
});

t.test('both collectors run the due timers at the same time: every deadline fires once', async (t) => {
  if (!server) throw new Error('no PostgreSQL server');
  const events = Array.from({ length: 6 }, (_, i) => fault('plant-d', `mixer-${i}`, 'vfd.overcurrent', 'raise', i + 1));
  const reference = await collectorWithDesk(t, await server.createDatabase(`serial_${++databases}`));
  const url = await server.createDatabase(`cluster_${++databases}`);
  const a = await collectorWithDesk(t, url);
  const b = await collectorWithDesk(t, url);
  for (const e of events) {
    await reference.store.ingest.commit([{ kind: 'event', receivedMs: NOW, event: e }], NOW);
    await a.store.ingest.commit([{ kind: 'event', receivedMs: NOW, event: e }], NOW);
  }
  for (const at of [NOW + 50 * 60_000, NOW + 2 * 3_600_000, NOW + 30 * 3_600_000]) {
    await reference.desk.scheduler.runDue(at);
    await Promise.all([a.desk.scheduler.runDue(at), b.desk.scheduler.runDue(at)]);
  }
  const actions = async (store: StorePort): Promise<string[]> => (await store.audit.list({ limit: 10_000 })).map((r) => `${r.subject.id} ${r.action}`).sort();
  t.same(await actions(a.store), await actions(reference.store), 'the same audit records: no deadline applied twice');
  t.same(await signature(a.store), await signature(reference.store));
});
