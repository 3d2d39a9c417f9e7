/**
 * GET /api/reports/summary over the collector's SQLite schema (app.inject): the loader reads the
 * desk's columns, the audit log and flood episodes when they exist, and reports figures as
 * unavailable on a database that does not have them.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import BetterSqlite, { type Database } from 'better-sqlite3';
import t, { type Test } from 'tap';
import { installErrorHandlers } from '../../collector/api/api-errors.js';
import { ReportLoader } from '../../collector/store/sqlite/report-loader.js';
import { reportRoutes } from '../../collector/api/report-routes.js';
import { openTestDatabase } from '../helpers/test-database.js';
import { migrate, MIGRATIONS } from '../../collector/store/sqlite/migrations.js';
import { insertDevice, insertTicket } from '../helpers/ticket-rows.js';
import { tempDir } from '../helpers/temp-dir.js';

const MIN = 60_000;
const MONDAY = Date.parse('2024-03-04T00:00:00Z');
const NOW = Date.parse('2024-03-20T00:00:00Z');

async function app(t: Test, db: Database): Promise<FastifyInstance> {
  const a = Fastify({ ajv: { customOptions: { removeAdditional: false } } });
  installErrorHandlers(a);
  await a.register(reportRoutes, { reports: { load: async (period, filter) => new ReportLoader(db).load(period, filter) }, now: () => NOW, operatorsBySite: { 'plant-a': 2 } });
  await a.ready();
  t.teardown(() => a.close());
  return a;
}

function clock(stoppedMs: number | null, breachedAtMs: number | null) {
  return { kind: 'response', calendarId: '24x7', targetMs: 1, warnFraction: 0.75, startedMs: 0, pauses: [], stoppedMs, warnedAtMs: null, breachedAtMs };
}

function audit(db: Database, atMs: number, actor: [string, string], subject: string, action: string, to: string): void {
  db.prepare(`INSERT INTO audit_log (at_ms, actor_kind, actor_id, subject_kind, subject_id, action, from_state, to_state, reason, details, prev_hash, hash)
    VALUES (?, ?, ?, 'alarm', ?, ?, NULL, ?, '', '{}', '', '')`).run(atMs, actor[0], actor[1], subject, action, to);
}

t.test('a week of desk data: volume, MTTA/MTTR, SLA, quality, satisfaction, faults per firmware, alarm load', async (t) => {
  const dir = tempDir('faultline-report-');
  const db = openTestDatabase(dir.path, NOW);
  t.teardown(() => { db.close(); dir.remove(); });
  insertDevice(db, { site: 'plant-a', device: 'drive-1', model: 'VFD-4000', firmware: '2.3.1' });
  insertDevice(db, { site: 'plant-a', device: 'drive-2', model: 'VFD-4000', firmware: '2.4.0' });
  const opened = MONDAY + 60 * MIN;
  insertTicket(db, { number: 'TS-20240304-0001', priority: 'P1', openedAtMs: opened, extra: {
    acknowledged_at_ms: opened + 10 * MIN, resolved_at_ms: opened + 90 * MIN, reopen_count: 0, status: 'resolved',
    sla: JSON.stringify({ policyId: 'default', response: clock(opened + 10 * MIN, null), resolution: clock(opened + 90 * MIN, null) }),
    satisfaction: JSON.stringify({ score: 4, comment: '', by: { kind: 'user', id: 'x' }, atMs: opened }),
  } });
  insertTicket(db, { number: 'TS-20240304-0002', device: 'drive-2', priority: 'P1', openedAtMs: opened, extra: {
    acknowledged_at_ms: opened + 30 * MIN, reopen_count: 1,
    sla: JSON.stringify({ policyId: 'default', response: clock(opened + 30 * MIN, opened + 15 * MIN), resolution: clock(null, null) }),
  } });
  insertTicket(db, { number: 'TS-20240304-0003', device: 'drive-2', code: 'vfd.fan_failure', category: 'hardware', priority: 'P4', openedAtMs: opened });
  insertTicket(db, { number: 'TS-20240220-0001', openedAtMs: MONDAY - 14 * 24 * 60 * MIN }); // another week
  for (let i = 0; i < 23; i++) audit(db, MONDAY + 10 * MIN + i * 1000, ['device', 'plant-a/drive-1'], 'plant-a/drive-1/vfd.overcurrent', 'raise', 'active-unacknowledged');
  audit(db, MONDAY + 11 * MIN, ['user', 'ann'], 'plant-a/drive-1/vfd.overcurrent', 'acknowledge', 'active-acknowledged');
  audit(db, MONDAY + 12 * MIN, ['device', 'plant-a/drive-1'], 'plant-a/drive-1/vfd.overcurrent', 'clear', 'normal');
  db.prepare('INSERT INTO flood_episodes (site, start_ms, end_ms, alarms, peak) VALUES (?, ?, ?, ?, ?)').run('plant-a', MONDAY + 10 * MIN, MONDAY + 30 * MIN, 23, 23);
  const a = await app(t, db);

  const res = await a.inject({ url: '/api/reports/summary?period=week&from=2024-03-06' });
  t.equal(res.statusCode, 200, res.body);
  const r = res.json();
  t.match(r.period, { kind: 'week', from: '2024-03-04', to: '2024-03-11', timeZone: 'UTC' });
  t.match(r.volume, { total: 3, byPriority: { P1: 2, P4: 1 } });
  t.same(r.responsiveness.mtta, { available: true, value: { n: 2, meanMs: 20 * MIN, medianMs: 10 * MIN, p90Ms: 30 * MIN } });
  t.match(r.responsiveness.mttr, { available: true, value: { n: 1, meanMs: 90 * MIN } });
  t.match(r.sla.value[0], { priority: 'P1', response: { met: 1, missed: 1, attainment: 0.5 }, resolution: { met: 1, pending: 1 } });
  t.same(r.quality, { available: true, value: { resolved: 2, firstTimeFix: 1, firstTimeFixRate: 0.5, reopened: 1, reopenRate: 0.5 } });
  t.match(r.satisfaction, { available: true, value: { rated: 1, average: 4, csat: 1 } });
  t.same(r.faults.faultsByModelFirmware.map((m: { firmware: string; tickets: number; fleetDevices: number }) => [m.firmware, m.tickets, m.fleetDevices]), [['2.3.1', 1, 1], ['2.4.0', 2, 1]]);
  t.same(r.faults.faultCodesByFirmware, [
    { model: 'VFD-4000', code: 'vfd.overcurrent', total: 2, byFirmware: { '2.3.1': 1, '2.4.0': 1 } },
    { model: 'VFD-4000', code: 'vfd.fan_failure', total: 1, byFirmware: { '2.3.1': 0, '2.4.0': 1 } },
  ], 'the code x firmware table, every firmware of the model a column');
  t.match(r.alarms, { available: true, value: { totals: { alarms: 23, operators: 2, timeInFloodMs: 20 * MIN, floodEpisodes: 1 }, perOperator: [{ operator: 'ann', acknowledged: 1 }] } });
  t.match(r.alarms.value.perSite[0], { site: 'plant-a', operators: 2, peak10MinPerOperator: 11.5, intervalsOverLimit: 1 });

  const fw = await a.inject({ url: '/api/reports/summary?from=2024-03-04&firmware=2.4.0' });
  t.match(fw.json().volume, { total: 2 });
  const month = await a.inject({ url: '/api/reports/summary?period=month&from=2024-02-01' });
  t.equal(month.json().volume.total, 1, 'February holds the other ticket');

  const csv = await a.inject({ url: '/api/reports/summary?from=2024-03-04&format=csv&section=faults-by-model-firmware' });
  t.equal(csv.statusCode, 200);
  t.match(csv.headers['content-type'], /^text\/csv/);
  t.equal(csv.headers['content-disposition'], 'attachment; filename="faultline-report-2024-03-04-faults-by-model-firmware.csv"');
  t.match(csv.body, /^model,firmware,tickets,.*\r\nVFD-4000,2\.3\.1,1,1,1,1,1,vfd\.overcurrent \(1\)\r\n/);
  const long = await a.inject({ url: '/api/reports/summary?from=2024-03-04&format=csv' });
  t.match(long.body, /^section,key,metric,value\r\n/);
  t.match(long.body, /\r\nalarms-per-site,plant-a,alarms,23\r\n/);
});

t.test('bad requests are 400 with a reason', async (t) => {
  const dir = tempDir('faultline-report-');
  const db = openTestDatabase(dir.path, NOW);
  t.teardown(() => { db.close(); dir.remove(); });
  const a = await app(t, db);
  const cases: Array<[string, RegExp]> = [
    ['tz=Mars/Olympus', /unknown time zone/],
    ['from=2024-02-30', /not a date/],
    ['from=2024-03-10&to=2024-03-01', /empty or longer/],
    ['to=2024-03-10', /needs `from`/],
    ['section=volume', /format=csv only/],
    ['colour=red', /bad request/],
    ['period=year', /bad request/],
  ];
  for (const [q, message] of cases) {
    const res = await a.inject({ url: `/api/reports/summary?${q}` });
    t.equal(res.statusCode, 400, q);
    t.match(res.json(), { error: { code: 'FL_ERR_API_BAD_REQUEST', message } }, q);
  }
});

t.test('on a database without the desk schema the desk figures are unavailable, not an error', async (t) => {
  const dir = tempDir('faultline-report-v1-');
  const db = new BetterSqlite(`${dir.path}/v1.db`);
  t.teardown(() => { db.close(); dir.remove(); });
  migrate(db, NOW, MIGRATIONS.slice(0, 1));
  insertTicket(db, { number: 'TS-20240304-0001', openedAtMs: MONDAY + MIN });
  const a = await app(t, db);
  const r = (await a.inject({ url: '/api/reports/summary?from=2024-03-04' })).json();
  t.equal(r.volume.total, 1);
  for (const figure of [r.responsiveness.mtta, r.responsiveness.mttr, r.sla, r.quality, r.satisfaction, r.alarms]) t.equal(figure.available, false);
  t.match(r.alarms.reason, /audit_log/);
  t.same(r.faults.faultsByModelFirmware.map((m: { model: string }) => m.model), [''], 'device not in the registry: model unknown');
});
