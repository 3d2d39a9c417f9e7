/**
 * GET /api/plant over app.inject on a real SQLite store: every device is counted per condition,
 * sorted by site and worst condition first and paged, and only the page's rows carry their
 * last-known values; site, condition filter and search narrow the rows, not the counts' devices;
 * without a size every device comes (one page); a bad filter is a typed 400.
 */
import t from 'tap';
import type { IngestMessage } from '../../collector/core/devices/ingest-message.js';
import type { ParameterInfo } from '../../protocol/values.js';
import { apiCaller } from '../helpers/api-auth.js';
import { deskHarness, fault, T0 } from '../helpers/desk-harness.js';
import { deskApi } from '../helpers/desk-api.js';

interface PlantJson {
  devices: Array<{ site: string; device: string; values: Array<{ name: string; value: number }>; alarms: Array<{ code: string; priority: string | null }> }>;
  total: number; counts: Record<string, number>; sites: string[]; devicesTotal: number; page: number; serverTimeMs: number;
  error?: { code: string };
}

const CATALOGUE: ParameterInfo[] = [{ name: 'motor_current', unit: 'A', description: 'Motor current', writable: false, source: 'modbus' }];

const birth = (site: string, device: string): IngestMessage => ({
  kind: 'birth', receivedMs: T0,
  birth: { site, device, adapterId: 'generic-vfd', model: 'VFD-4000', firmware: '1', agentVersion: '0', timeMs: T0, sessionId: `${site}-${device}`, parameters: CATALOGUE },
});
const telemetry = (site: string, device: string, value: number): IngestMessage => ({
  kind: 'telemetry', receivedMs: T0, telemetry: { site, device, samples: [{ parameter: 'motor_current', value, quality: 'good', timeMs: T0 }] },
});

t.test('the plant overview, counted for every device and paged', async (t) => {
  const h = await deskHarness(t);
  const app = await deskApi(t, h, { web: false });
  // plant-a: drive-1 (in alarm), drive-2, drive-3 (link lost), drive-4; plant-b: pump-1. Each with a value.
  const devices: Array<[string, string]> = [['plant-a', 'drive-1'], ['plant-a', 'drive-2'], ['plant-a', 'drive-3'], ['plant-a', 'drive-4'], ['plant-b', 'pump-1']];
  await h.commit(...devices.map(([s, d]) => birth(s, d)), ...devices.map(([s, d], i) => telemetry(s, d, 10 + i)));
  await h.commit({ kind: 'death', receivedMs: T0 + 1, death: { site: 'plant-a', device: 'drive-3', sessionId: 'plant-a-drive-3', timeMs: T0 + 1, reason: 'lost' } } as IngestMessage);
  await h.commit(fault('raise', T0 + 2));
  // plant-c: valve-1, whose register the device refuses (a bad sample with the reason 'unsupported').
  await h.commit(birth('plant-c', 'valve-1'), { kind: 'telemetry', receivedMs: T0, telemetry: { site: 'plant-c', device: 'valve-1', samples: [{ parameter: 'motor_current', value: 0, quality: 'bad', reason: 'unsupported', timeMs: T0 }] } });
  const viewer = await apiCaller(h.store, 'viewer', 'vic');
  const get = async (url: string): Promise<{ status: number; body: PlantJson; timing: string }> => {
    const res = await app.inject({ method: 'GET', url, headers: viewer.headers });
    return { status: res.statusCode, body: res.json() as PlantJson, timing: String(res.headers['server-timing'] ?? '') };
  };
  const names = (b: PlantJson): string[] => b.devices.map((d) => `${d.site}/${d.device}`);

  const all = await get('/api/plant');
  t.equal(all.status, 200);
  t.same(names(all.body), ['plant-a/drive-1', 'plant-a/drive-3', 'plant-a/drive-2', 'plant-a/drive-4', 'plant-b/pump-1', 'plant-c/valve-1'],
    'without a size: every device, by site, worst condition first (in alarm, link lost, normal), then name');
  t.equal(all.body.total, 6);
  t.equal(all.body.devicesTotal, 6);
  t.same(all.body.sites, ['plant-a', 'plant-b', 'plant-c']);
  t.match(all.body.counts, { P1: 1, 'link-lost': 1, normal: 3, unsupported: 1, P2: 0 }, 'counts per condition');
  t.match(all.body.devices[0], { alarms: [{ code: 'vfd.overcurrent' }], values: [{ name: 'motor_current', value: 10 }] });
  t.match(all.timing, /store;dur=[\d.]+, build;dur=[\d.]+/, 'the server\'s own time in Server-Timing');

  const first = await get('/api/plant?size=2&page=0');
  t.same(names(first.body), ['plant-a/drive-1', 'plant-a/drive-3'], 'the first page of two');
  t.equal(first.body.total, 6, 'the total over every page');
  t.match(first.body.counts, { P1: 1, 'link-lost': 1, normal: 3, unsupported: 1 }, 'the counts cover every device, not the page (valve-1\'s refused register included)');
  t.same(first.body.devices.map((d) => d.values.map((v) => v.value)), [[10], [12]], 'the page\'s rows carry their values');
  const last = await get('/api/plant?size=2&page=2');
  t.same(names(last.body), ['plant-b/pump-1', 'plant-c/valve-1'], 'the last page');
  t.same(last.body.devices.map((d) => d.values.map((v) => v.value)), [[14], [0]], 'its rows carry their values (read for the page\'s sites)');
  t.equal((await get('/api/plant?size=2&page=9')).body.page, 2, 'a page past the end gives the last one');

  const problems = await get('/api/plant?size=10&filter=problems');
  t.same(names(problems.body), ['plant-a/drive-1', 'plant-a/drive-3', 'plant-c/valve-1'], 'problems: every condition but normal');
  t.equal(problems.body.total, 3);
  t.same(names((await get('/api/plant?size=10&filter=unsupported')).body), ['plant-c/valve-1'], 'a refused register shows as unsupported');
  t.same(names((await get('/api/plant?size=10&filter=link-lost')).body), ['plant-a/drive-3'], 'one condition');
  const siteB = await get('/api/plant?size=10&site=plant-b');
  t.same(names(siteB.body), ['plant-b/pump-1'], 'one site');
  t.match(siteB.body.counts, { normal: 1, P1: 0, 'link-lost': 0 }, 'counts of that site');
  t.same(siteB.body.sites, ['plant-a', 'plant-b', 'plant-c'], 'every site still offered');
  t.same(names((await get('/api/plant?size=10&search=PUMP')).body), ['plant-b/pump-1'], 'search by name, any case');
  t.same(names((await get('/api/plant?size=10&search=nothing-like-it')).body), [], 'a search that matches nothing');

  const bad = await get('/api/plant?size=10&filter=burning');
  t.equal(bad.status, 400, 'an unknown condition is refused');
  t.equal(bad.body.error?.code, 'FL_ERR_API_BAD_REQUEST');
  t.equal((await get('/api/plant?size=0')).status, 400, 'a page of no rows is refused');
});
