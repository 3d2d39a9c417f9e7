/**
 * Live values and settings between two stores on one real PostgreSQL (store/postgres/live-signals.ts):
 * - a committed ingest batch names its devices (telemetry; births and deaths) to the other store,
 *   once per batch, and not to itself;
 * - a batch of 1,500 devices is split into several notifications under the 8000-byte limit and
 *   reaches the other store whole;
 * - an on-call override and paging choices written through one store are announced to the other;
 * - after the listening connection is terminated, the listener reconnects and says resync.
 */
import pg from 'pg';
import t, { type Test } from 'tap';
import type { IngestMessage } from '../../../collector/core/devices/ingest-message.js';
import { openPostgresStore, type PostgresStore } from '../../../collector/store/postgres/postgres-store.js';
import type { RemoteDeviceChanges, RemoteSettingsChanges } from '../../../collector/store/port.js';
import { silentLogger } from '../../../protocol/logger.js';
import { startPostgres, type PostgresServer } from '../../helpers/postgres-server.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { waitFor } from '../../helpers/wait.js';

const NOW = Date.now();
let server: PostgresServer | undefined;
let n = 0;
t.before(async () => { server = await startPostgres(); });
t.teardown(async () => { await server?.stop(); });

async function twoStores(t: Test): Promise<{ a: PostgresStore; b: PostgresStore; url: string }> {
  if (!server) throw new Error('no PostgreSQL server');
  const url = await server.createDatabase(`live_${++n}`);
  const open = async (): Promise<PostgresStore> => {
    const dir = tempDir('faultline-pg-live-');
    const store = await openPostgresStore({ url, dataDir: dir.path, log: silentLogger(), nowMs: NOW, poolMax: 4 });
    t.teardown(async () => { await store.close(); dir.remove(); });
    return store;
  };
  return { a: await open(), b: await open(), url };
}

const tel = (device: string, value = 1): IngestMessage => ({
  kind: 'telemetry', receivedMs: NOW, telemetry: { site: 'plant-a', device, samples: [{ parameter: 'f', value, quality: 'good', timeMs: NOW }] },
});

t.test('a committed batch names its devices to the other store, not to itself', async (t) => {
  const { a, b } = await twoStores(t);
  const onA: RemoteDeviceChanges[] = [];
  const onB: RemoteDeviceChanges[] = [];
  a.cluster.onRemoteDevices((c) => onA.push(c));
  b.cluster.onRemoteDevices((c) => onB.push(c));
  await waitFor('both listening', async () => ((await a.pool.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'faultline-listener' AND datname = current_database()")).rowCount === 2 ? true : undefined), 10_000);
  await a.ingest.commit([
    tel('drive-1'), tel('drive-2'), tel('drive-1', 2),
    { kind: 'birth', receivedMs: NOW, birth: { site: 'plant-a', device: 'drive-3', adapterId: 'generic-vfd', model: 'VFD-4000', firmware: '1', agentVersion: 't', parameters: [], timeMs: NOW, sessionId: 's' } },
  ], NOW);
  const got = await waitFor('the batch on B', () => onB[0], 5000, 5);
  t.same(got, { values: [{ site: 'plant-a', device: 'drive-1' }, { site: 'plant-a', device: 'drive-2' }], presence: [{ site: 'plant-a', device: 'drive-3' }], resync: false });
  t.same((await b.queries.latestValuesOf(got.values)).map((s) => [s.device, s.value]), [['drive-1', 2], ['drive-2', 1]], 'B reads the values A committed');
  await new Promise((r) => setTimeout(r, 100));
  t.equal(onB.length, 1, 'one notification for the batch');
  t.equal(onA.length, 0, 'A does not hear its own');

});

t.test('a batch of 1,500 devices arrives whole, split under the notification limit', async (t) => {
  const { a, b } = await twoStores(t);
  const onB: RemoteDeviceChanges[] = [];
  b.cluster.onRemoteDevices((c) => onB.push(c));
  a.cluster.onRemoteDevices(() => undefined);
  await waitFor('both listening', async () => ((await a.pool.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'faultline-listener' AND datname = current_database()")).rowCount === 2 ? true : undefined), 10_000);
  const devices = Array.from({ length: 1500 }, (_, i) => `press-line-drive-${String(i).padStart(4, '0')}`);
  await a.ingest.commit(devices.map((d) => tel(d)), NOW);
  const all = await waitFor('every device on B', () => {
    const named = onB.flatMap((c) => c.values.map((k) => k.device));
    return named.length >= devices.length ? named : undefined;
  }, 10_000, 10);
  t.ok(onB.length > 1, `split into ${onB.length} notifications`);
  t.same([...all].sort(), devices, 'every device named exactly once');
});

t.test('on-call overrides and paging choices written through one store are announced to the other', async (t) => {
  const { a, b } = await twoStores(t);
  const onB: RemoteSettingsChanges[] = [];
  const onA: RemoteSettingsChanges[] = [];
  b.cluster.onRemoteSettings((c) => onB.push(c));
  a.cluster.onRemoteSettings((c) => onA.push(c));
  await waitFor('both listening', async () => ((await a.pool.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'faultline-listener' AND datname = current_database()")).rowCount === 2 ? true : undefined), 10_000);
  const added = await a.onCallOverrides.add({ team: 'drives', rotation: 'l1', memberId: 'ute', fromMs: NOW, toMs: NOW + 3_600_000, reason: 'cover', createdBy: 'admin' }, NOW);
  t.match(added, { team: 'drives', rotation: 'l1', memberId: 'ute', reason: 'cover' }, 'the override is returned as stored');
  t.same(await waitFor('the override on B', () => onB[0], 5000, 5), { onCallOverrides: true, pagingPrefs: false });
  t.same((await b.onCallOverrides.list(NOW)).map((o) => o.memberId), ['ute'], 'and B reads it');
  const saved = await a.pagingPrefs.set('ute', { email: 'ute@plant.example', mode: 'immediately', timeZone: 'UTC', quietHours: null, digestAt: '08:00' }, NOW);
  t.equal(saved.prefs.email, 'ute@plant.example');
  t.same(await waitFor('the paging choices on B', () => onB[1], 5000, 5), { onCallOverrides: false, pagingPrefs: true });
  await new Promise((r) => setTimeout(r, 100));
  t.equal(onA.length, 0, 'A does not hear its own');
});

t.test('a terminated listening connection reconnects and asks everyone to re-read', async (t) => {
  const { a, b, url } = await twoStores(t);
  const devices: RemoteDeviceChanges[] = [];
  const settings: RemoteSettingsChanges[] = [];
  b.cluster.onRemoteDevices((c) => devices.push(c));
  b.cluster.onRemoteSettings((c) => settings.push(c));
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  t.teardown(() => admin.end());
  const listening = "SELECT pid FROM pg_stat_activity WHERE application_name = 'faultline-listener' AND datname = current_database()";
  const [first] = (await waitFor('B listening', async () => ((await admin.query<{ pid: number }>(listening)).rows.length === 1 ? (await admin.query<{ pid: number }>(listening)).rows : undefined), 10_000));
  // Its LISTENs are through once it hears A (its backend shows before they are; a notification before them is not heard).
  await waitFor('B hearing A', async () => {
    if (devices.some((c) => !c.resync)) return true;
    await a.ingest.commit([tel('drive-4')], NOW);
    return undefined;
  }, 10_000, 200);
  devices.length = 0;
  await admin.query('SELECT pg_terminate_backend($1)', [first?.pid]);
  await waitFor('resync', () => devices.find((c) => c.resync), 10_000);
  t.same(settings.at(-1), { onCallOverrides: true, pagingPrefs: true }, 'settings are re-read after the reconnect');
  await a.ingest.commit([tel('drive-5')], NOW);
  t.match(await waitFor('a batch after the reconnect', () => devices.find((c) => !c.resync), 5000, 5), { values: [{ device: 'drive-5' }] }, 'B hears A again');
});
