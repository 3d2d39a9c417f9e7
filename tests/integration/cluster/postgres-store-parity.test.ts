/**
 * The PostgreSQL adapter decides exactly as the SQLite one: the same plant story (a flood across a
 * site, reoccurrences, a chattering alarm, operator actions on alarms and tickets, a manual ticket,
 * the clock moving through SLA warnings, breaches, escalations and holds, every deadline
 * recomputed) is played on both stores with the desk attached, and everything the port shows
 * afterwards is compared: tickets with their comments and clocks, alarms, deadlines, the audit
 * trail, flood episodes, devices, each ticket's events. Ids differ between the stores (PostgreSQL
 * reserves them), so tickets are compared by number and alarms by key. Also here: what only the
 * PostgreSQL adapter does (NUL characters, reads outside a unit's scope).
 */
import t, { type Test } from 'tap';
import { silentLogger } from '../../../protocol/logger.js';
import type { FaultEvent, Transition } from '../../../protocol/values.js';
import type { IngestMessage } from '../../../collector/core/devices/ingest-message.js';
import { DeskConfigHolder } from '../../../collector/desk-config/config-holder.js';
import { DeskService } from '../../../collector/desk/desk-service.js';
import type { StorePort } from '../../../collector/store/port.js';
import { openPostgresStore } from '../../../collector/store/postgres/postgres-store.js';
import { openSqliteStore } from '../../../collector/store/sqlite/sqlite-store.js';
import { TEST_USERS } from '../../helpers/api-auth.js';
import { startPostgres, type PostgresServer } from '../../helpers/postgres-server.js';
import { tempDir } from '../../helpers/temp-dir.js';

const START = Date.parse('2024-03-05T08:00:00Z');
const MIN = 60_000;
const USER = { kind: 'user' as const, id: 'ann' };

let server: PostgresServer | undefined;
let databases = 0;
t.before(async () => { server = await startPostgres(); });
t.teardown(async () => { await server?.stop(); });

interface Plant { store: StorePort; desk: DeskService; clock: { now: number } }

async function plant(t: Test, kind: 'sqlite' | 'postgres'): Promise<Plant> {
  const dir = tempDir(`faultline-parity-${kind}-`);
  const clock = { now: START };
  let store: StorePort;
  if (kind === 'sqlite') store = openSqliteStore({ dataDir: dir.path, log: silentLogger(), nowMs: START, users: TEST_USERS });
  else {
    if (!server) throw new Error('no PostgreSQL server');
    store = await openPostgresStore({ url: await server.createDatabase(`parity_${++databases}`), dataDir: dir.path, log: silentLogger(), nowMs: START, users: TEST_USERS });
  }
  const log = silentLogger();
  const desk = new DeskService({ store, config: new DeskConfigHolder({ log, now: () => clock.now }), log, now: () => clock.now, autoTimers: false });
  await desk.start();
  t.teardown(async () => { await desk.stop(); await store.close(); dir.remove(); });
  return { store, desk, clock };
}

let seq = 0;
function fault(device: string, code: string, transition: Transition, timeMs: number, site = 'plant-a'): FaultEvent {
  seq++;
  return {
    id: `018e0f3a-0000-7000-9000-${String(seq).padStart(12, '0')}`, device, site, seq, timeMs,
    source: 'modbus', category: code.startsWith('link.') ? 'link' : 'hardware', code, severity: code.endsWith('overheat') ? 'critical' : 'major', transition, message: code,
    snapshot: [{ parameter: 'motor_current', value: 9.5, quality: 'good', timeMs }], logExcerpt: ['E001'], labels: { line: '3' },
    adapterId: 'generic-vfd', remedy: 'Check the cable',
  };
}

const birth = (device: string, at: number, site = 'plant-a'): IngestMessage => ({
  kind: 'birth', receivedMs: at,
  birth: { site, device, adapterId: 'generic-vfd', model: 'VFD-4000', firmware: '2.3.1', agentVersion: '0.1.0', parameters: [], timeMs: at, sessionId: `s-${device}` },
});

/** One story, as a list of steps, each given the plant to act on. */
function story(): Array<(p: Plant) => Promise<unknown>> {
  const steps: Array<(p: Plant) => Promise<unknown>> = [];
  const ingest = (messages: IngestMessage[]): void => { steps.push((p) => p.store.ingest.commit(messages, p.clock.now)); };
  const at = (ms: number): void => { steps.push(async (p) => { p.clock.now = ms; }); };
  const runDue = (ms: number): void => { steps.push(async (p) => { p.clock.now = ms; await p.desk.scheduler.runDue(ms); }); };
  const devices = Array.from({ length: 12 }, (_, i) => `drive-${i + 1}`);
  ingest(devices.map((d) => birth(d, START)));
  at(START + MIN);
  // A flood: twelve alarms within the window, in batches of three.
  for (let i = 0; i < 12; i += 3) {
    const batch = devices.slice(i, i + 3).map((d, j): IngestMessage => ({ kind: 'event', receivedMs: START + MIN + i * 1000 + j, event: fault(d, 'vfd.overcurrent', 'raise', START + MIN + i * 1000 + j) }));
    ingest(batch);
  }
  // Reoccurrence on drive-1, a second fault on drive-2, chatter on drive-3.
  at(START + 3 * MIN);
  ingest([{ kind: 'event', receivedMs: START + 3 * MIN, event: fault('drive-1', 'vfd.overcurrent', 'clear', START + 3 * MIN) }]);
  ingest([{ kind: 'event', receivedMs: START + 3 * MIN + 10, event: fault('drive-1', 'vfd.overcurrent', 'raise', START + 3 * MIN + 10) }]);
  ingest([{ kind: 'event', receivedMs: START + 3 * MIN + 20, event: fault('drive-2', 'vfd.overheat', 'raise', START + 3 * MIN + 20) }]);
  for (let k = 0; k < 6; k++) {
    const time = START + 4 * MIN + k * 5000;
    ingest([{ kind: 'event', receivedMs: time, event: fault('drive-3', 'vfd.overcurrent', k % 2 === 0 ? 'clear' : 'raise', time) }]);
  }
  // Operators: alarm actions, ticket actions, a manual ticket.
  at(START + 6 * MIN);
  const alarmOf = async (p: Plant, device: string): Promise<number> =>
    (await p.store.queries.listAlarms({ device, limit: 10 })).find((a) => a.alarm.key.code === 'vfd.overcurrent')?.id ?? -1;
  const ticketOf = async (p: Plant, device: string, code = 'vfd.overcurrent'): Promise<number> =>
    (await p.store.queries.ticketForFault('plant-a', device, code))?.id ?? -1;
  steps.push(async (p) => p.desk.alarmAction(await alarmOf(p, 'drive-4'), { type: 'ack', note: 'seen' }, USER));
  steps.push(async (p) => p.desk.alarmAction(await alarmOf(p, 'drive-5'), { type: 'shelve', reason: 'maintenance', durationMs: 30 * MIN }, USER));
  steps.push(async (p) => p.desk.bulkAlarmAction([await alarmOf(p, 'drive-6'), await alarmOf(p, 'drive-7')], { type: 'ack' }, USER));
  steps.push(async (p) => p.desk.ticketAction({ id: await ticketOf(p, 'drive-8') }, { type: 'ack', note: 'on it' }, USER));
  steps.push(async (p) => p.desk.ticketAction({ id: await ticketOf(p, 'drive-9') }, { type: 'comment', text: 'cable looks worn', visibility: 'internal' }, USER));
  steps.push(async (p) => p.desk.ticketAction({ id: await ticketOf(p, 'drive-10') }, { type: 'resolve', cause: 'loose cable', action: 'tightened', fix: 'permanent' }, USER));
  steps.push(async (p) => p.desk.openManualTicket({
    origin: 'phone', reporter: 'ann', title: 'Conveyor noise', description: 'squeaks', site: 'plant-a', device: 'drive-11', category: 'hardware', severity: 'minor',
  }, USER));
  // Clears, then time passes: holds, SLA warnings and breaches, escalations, shelving and flood ending.
  at(START + 8 * MIN);
  ingest(devices.slice(6, 12).map((d, j): IngestMessage => ({ kind: 'event', receivedMs: START + 8 * MIN + j, event: fault(d, 'vfd.overcurrent', 'clear', START + 8 * MIN + j) })));
  // A site-wide outage at plant-b: four devices lose their link within the correlation window (a site parent), one comes back.
  for (let d = 1; d <= 4; d++) {
    const time = START + 10 * MIN + d * 10_000;
    ingest([{ kind: 'event', receivedMs: time, event: fault(`pump-${d}`, 'link.lost', 'raise', time, 'plant-b') }]);
  }
  ingest([{ kind: 'event', receivedMs: START + 12 * MIN, event: fault('pump-2', 'link.lost', 'clear', START + 12 * MIN, 'plant-b') }]);
  for (const ms of [START + 20 * MIN, START + 45 * MIN, START + 2 * 60 * MIN, START + 9 * 60 * MIN, START + 30 * 60 * MIN, START + 4 * 24 * 60 * MIN]) runDue(ms);
  // A fault that comes back after its ticket was resolved, and every deadline recomputed.
  ingest([{ kind: 'event', receivedMs: START + 4 * 24 * 60 * MIN + 1, event: fault('drive-10', 'vfd.overcurrent', 'raise', START + 4 * 24 * 60 * MIN + 1) }]);
  steps.push((p) => p.desk.recomputeTimers());
  steps.push(async (p) => p.desk.ticketAction({ id: await ticketOf(p, 'drive-8') }, { type: 'resolve', cause: 'worn', action: 'replaced', fix: 'permanent' }, USER));
  runDue(START + 5 * 24 * 60 * MIN);
  return steps;
}

const alarmName = (k: { site: string; device: string; code: string }): string => `${k.site}/${k.device}/${k.code}`;

/** Everything the port shows, ids replaced by ticket numbers and alarm keys. */
async function view(p: Plant): Promise<Record<string, unknown>> {
  const { store } = p;
  const tickets = await store.queries.listTickets({ limit: 10_000 });
  const numberOf = new Map(tickets.map((x) => [x.id, x.number]));
  const alarms = await store.queries.listAlarms({ limit: 10_000 });
  const keyOf = new Map(alarms.map((a) => [a.id, `${a.alarm.key.site}/${a.alarm.key.device}/${a.alarm.key.code}`]));
  const ticketEvents: Record<string, string[]> = {};
  for (const x of tickets) ticketEvents[x.number] = (await store.queries.ticketEvents(x.id)).map((e) => e.id);
  const timers = (await store.desk.dueTimers(Number.MAX_SAFE_INTEGER, 10_000)).map((x) => ({
    ...x, key: x.kind === 'ticket' ? numberOf.get(Number(x.key)) ?? `?${x.key}` : x.kind === 'alarm' ? keyOf.get(Number(x.key)) ?? `?${x.key}` : x.key,
  }));
  // Timers due at the same instant fire in id order, and ids differ between the stores: order the
  // records of one instant by subject (each subject's own records keep their order).
  // Texts name tickets by id ("#18"): by number instead.
  const numbered = <T extends string | null>(v: T): T => (v === null ? v : v.replace(/#(\d+)/g, (_m, id: string) => `#${numberOf.get(Number(id)) ?? '?'}`) as T);
  const audit = (await store.audit.list({ limit: 100_000 })).map(({ seq: _s, prevHash: _p, hash: _h, ...r }, i) => ({
    r: { ...r, from: numbered(r.from), to: numbered(r.to), reason: numbered(r.reason) }, i,
  }))
    .sort((a, b) => a.r.atMs - b.r.atMs || (a.r.subject.id < b.r.subject.id ? -1 : a.r.subject.id > b.r.subject.id ? 1 : a.i - b.i)).map(({ r }) => r);
  return {
    tickets: tickets.map(({ id: _id, parentId, ...rest }) => ({ ...rest, parent: parentId === null ? null : numberOf.get(parentId) ?? '?' }))
      .sort((a, b) => (a.number < b.number ? -1 : 1)),
    alarms: alarms.map(({ id: _id, ...rest }) => rest).sort((a, b) => (alarmName(a.alarm.key) < alarmName(b.alarm.key) ? -1 : 1)),
    timers: timers.sort((a, b) => (`${a.kind}/${a.key}` < `${b.kind}/${b.key}` ? -1 : 1)),
    audit,
    episodes: await store.queries.floodEpisodes(undefined, 100),
    currentFlood: await store.queries.currentFloodEpisode('plant-a'),
    devices: await store.queries.listDevices(),
    counts: await store.queries.counts(),
    ticketEvents,
    calendars: (await store.desk.calendarsInUse()).sort(),
    verify: (await store.audit.verify()).ok,
    deliveries: (await store.webhooks.list({ limit: 1000 })).map((d) => [d.deliveryId, d.event, d.status]),
  };
}

t.test('one plant story on SQLite and on PostgreSQL: the same tickets, alarms, deadlines, audit trail and floods', async (t) => {
  const steps = story();
  const sqlite = await plant(t, 'sqlite');
  const postgres = await plant(t, 'postgres');
  for (const [i, step] of steps.entries()) {
    const [a, b] = await Promise.allSettled([step(sqlite), step(postgres)]);
    if (a.status !== b.status) t.fail(`step ${i}: sqlite ${a.status}, postgres ${b.status}: ${String(a.status === 'rejected' ? a.reason : (b as PromiseRejectedResult).reason)}`);
  }
  const want = await view(sqlite);
  const got = await view(postgres);
  for (const part of Object.keys(want)) t.same(got[part], want[part], part);
  t.ok((want.tickets as unknown[]).length > 10 && (want.audit as unknown[]).length > 50, 'the story did something');
  t.ok((want.episodes as unknown[]).length > 0, 'a flood happened');
  t.ok((want.tickets as Array<{ siteParent: boolean }>).some((x) => x.siteParent), 'a site parent was opened');
  t.ok((want.audit as Array<{ action: string }>).some((x) => x.action === 'chatter-start'), 'an alarm chattered');
  t.ok((want.audit as Array<{ action: string }>).some((x) => x.action === 'reopen'), 'a ticket was reopened');
});

t.test('a NUL character an agent sent is stored (replaced), not refused', async (t) => {
  const p = await plant(t, 'postgres');
  const e = { ...fault('drive-1', 'vfd.overcurrent', 'raise', START), message: 'bad\u0000byte', labels: { 'k\u0000': 'v\u0000' } };
  t.same(await p.store.ingest.commit([{ kind: 'event', receivedMs: START, event: e }], START), ['committed']);
  const ticket = (await p.store.queries.listTickets({ limit: 1 }))[0];
  const stored = (await p.store.queries.ticketEvents(ticket?.id ?? -1))[0];
  t.equal(stored?.message, 'bad\uFFFDbyte');
  t.same(stored?.labels, { 'k\uFFFD': 'v\uFFFD' });
});

t.test('a read outside the unit\'s scope fails loudly instead of answering from what was not loaded', async (t) => {
  const p = await plant(t, 'postgres');
  await t.rejects(p.store.desk.transaction({ sites: ['plant-a'] }, ({ repo }) => repo.tickets.sameFault('plant-b', 'drive-1', 'x', 0)), { code: 'FL_ERR_STORE_SCOPE' });
  await t.rejects(p.store.desk.transaction({}, ({ repo }) => repo.tickets.notClosedIds()), { code: 'FL_ERR_STORE_SCOPE' });
  t.same(await p.store.desk.transaction({ all: true }, ({ repo }) => repo.tickets.notClosedIds()), []);
  await t.rejects(p.store.desk.transaction({ all: true }, ({ repo }) => repo.alarms.flood('plant-z')), { code: 'FL_ERR_STORE_SCOPE' },
    'every desk object is not every site\'s flood state: only flooding sites are loaded');
  t.equal(await p.store.desk.transaction({ all: true, sites: ['plant-z'] }, ({ repo }) => repo.alarms.flood('plant-z') ?? null), null);
  t.same(await p.store.desk.transaction({ tickets: [12345] }, ({ repo }) => repo.tickets.get(12345) ?? null), null, 'a named ticket that does not exist is absent');
});
