import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { silentLogger } from '../../protocol/logger.js';
import { buildApi } from '../../collector/api/app.js';
import { IngestCounters } from '../../collector/ingest/counters.js';
import { openSqliteStore, type SqliteStore } from '../../collector/store/sqlite/sqlite-store.js';
import { DeskConfigHolder } from '../../collector/desk-config/config-holder.js';
import { DeskService } from '../../collector/desk/desk-service.js';
import type { FaultEvent, Transition } from '../../protocol/values.js';
import { apiCaller, injectAs, TEST_USERS } from '../helpers/api-auth.js';

const T0 = Date.parse('2024-03-05T10:00:00Z');
const NOW = T0 + 120_000;

function event(id: number, transition: Transition, timeMs: number): FaultEvent {
  return {
    id: `018e0f3a-0000-7000-8000-${String(id).padStart(12, '0')}`, device: 'drive-1', site: 'plant-a', seq: id, timeMs,
    source: 'modbus', category: 'hardware', code: 'vfd.overcurrent', severity: 'critical', transition, message: 'Overcurrent',
    snapshot: [{ parameter: 'motor_current', value: 11, quality: 'good', timeMs: timeMs - 1000 }],
    logExcerpt: ['E001 overcurrent'], labels: { line: '3' }, adapterId: 'generic-vfd', remedy: 'Check the cable',
  };
}

async function setup(t: Test) {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-api-'));
  const store: SqliteStore = openSqliteStore({ dataDir: dir, log: silentLogger(), nowMs: NOW, users: TEST_USERS });
  const counters = new IngestCounters();
  // Tickets come from the service desk (its built-in defaults); the API here has only the read routes.
  const desk = new DeskService({ store, config: new DeskConfigHolder({ log: silentLogger(), now: () => NOW }), log: silentLogger(), now: () => NOW, autoTimers: false });
  await desk.start();
  const app = await buildApi({
    store, log: silentLogger(), now: () => NOW,
    health: { startedAtMs: NOW - 5000, broker: () => ({ port: 1883, clients: 2 }), ingest: () => counters.snapshot() },
  });
  injectAs(app, await apiCaller(store, 'viewer'));
  t.teardown(async () => {
    await app.close();
    await desk.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { app, store, counters };
}

t.test('health reports uptime, broker, ingest counters and store counts', async (t) => {
  const { app, store, counters } = await setup(t);
  await store.ingest.commit([{ kind: 'event', receivedMs: NOW, event: event(1, 'raise', T0) }], NOW);
  counters.receivedOne('event');
  counters.badInput('badPayload', { timeMs: NOW, code: 'FL_ERR_PROTO_DECODE', message: 'cannot decode', topic: 'fl/v1/a/b/event' });
  const res = await app.inject({ method: 'GET', url: '/api/health' });
  t.equal(res.statusCode, 200);
  t.match(res.json(), {
    status: 'ok', uptimeS: 5, broker: { port: 1883, clients: 2 },
    ingest: { received: { event: 1, birth: 0 }, badPayload: 1, wrongTopic: 0, duplicates: 0, eventsCommitted: 0,
      lastErrors: [{ code: 'FL_ERR_PROTO_DECODE', topic: 'fl/v1/a/b/event', timeMs: NOW }] },
    store: { events: 1, tickets: 1 },
  });
});

t.test('tickets: list newest first, filter, and look up by id or number with timeline and telemetry', async (t) => {
  const { app, store } = await setup(t);
  await store.ingest.commit([
    { kind: 'telemetry', receivedMs: NOW, telemetry: { site: 'plant-a', device: 'drive-1', samples: [
      { parameter: 'motor_current', value: 3, quality: 'good', timeMs: T0 - 120_000 }, // before the window
      { parameter: 'motor_current', value: 4, quality: 'good', timeMs: T0 - 30_000 },
      { parameter: 'motor_current', value: 5, quality: 'good', timeMs: T0 + 5_000 },
    ] } },
    { kind: 'event', receivedMs: NOW, event: event(1, 'raise', T0) },
    { kind: 'event', receivedMs: NOW, event: event(2, 'clear', T0 + 10_000) },
    { kind: 'event', receivedMs: NOW + 1, event: { ...event(3, 'raise', T0 + 1), device: 'drive-2' } },
  ], NOW);

  const list = await app.inject({ method: 'GET', url: '/api/tickets' });
  t.equal(list.statusCode, 200);
  const tickets = list.json().tickets as Array<Record<string, unknown>>;
  t.same(tickets.map((x) => x.number), ['TS-20240305-0002', 'TS-20240305-0001'], 'newest first');
  t.notOk('snapshot' in (tickets[0] ?? {}), 'the list leaves the heavy fields out');

  const filtered = await app.inject({ method: 'GET', url: '/api/tickets?device=drive-1&site=plant-a&status=new&limit=5' });
  t.same((filtered.json().tickets as Array<{ device: string }>).map((x) => x.device), ['drive-1']);

  const byNumber = await app.inject({ method: 'GET', url: '/api/tickets/TS-20240305-0001' });
  t.equal(byNumber.statusCode, 200);
  const detail = byNumber.json();
  t.match(detail, {
    number: 'TS-20240305-0001', priority: 'P1', priorityReason: 'P1: critical severity', faultActive: false,
    clearedAtMs: T0 + 10_000, firstSeenMs: T0, logExcerpt: ['E001 overcurrent'],
  });
  t.same((detail.events as Array<{ transition: string }>).map((e) => e.transition), ['raise', 'clear']);
  t.match(detail.events[0], { labels: { line: '3' }, snapshot: [{ parameter: 'motor_current' }], receivedMs: NOW });
  t.same((detail.telemetry as Array<{ value: number; origin: string }>).map((p) => [p.value, p.origin]), [
    [4, 'telemetry'], [11, 'snapshot'], [5, 'telemetry'], [11, 'snapshot'],
  ], 'window from 60 s before first seen to the clear, snapshots merged in time order');

  const byId = await app.inject({ method: 'GET', url: `/api/tickets/${String(detail.id)}` });
  t.equal(byId.json().number, 'TS-20240305-0001');
});

t.test('unknown tickets and routes are 404 with a stable code', async (t) => {
  const { app } = await setup(t);
  for (const url of ['/api/tickets/999', '/api/tickets/TS-20240305-0042', '/api/nothing-here']) {
    const res = await app.inject({ method: 'GET', url });
    t.equal(res.statusCode, 404, url);
    t.equal(res.json().error.code, 'FL_ERR_API_NOT_FOUND', url);
    t.type(res.json().error.message, 'string');
  }
});

t.test('bad requests are 400 with FL_ERR_API_BAD_REQUEST', async (t) => {
  const { app } = await setup(t);
  const bad = [
    '/api/tickets?limit=0', '/api/tickets?limit=100000', '/api/tickets?limit=abc', '/api/tickets?status=nope',
    '/api/tickets?device=a/b', '/api/tickets?colour=red', '/api/tickets/abc', '/api/tickets/TS-1',
  ];
  for (const url of bad) {
    const res = await app.inject({ method: 'GET', url });
    t.equal(res.statusCode, 400, url);
    t.equal(res.json().error.code, 'FL_ERR_API_BAD_REQUEST', url);
  }
});

t.test('devices are listed with camelCase fields', async (t) => {
  const { app, store } = await setup(t);
  await store.ingest.commit([{
    kind: 'birth', receivedMs: NOW,
    birth: {
      site: 'plant-a', device: 'drive-1', adapterId: 'generic-vfd', model: 'VFD-4000', firmware: '2.3.1', agentVersion: '0.1.0',
      parameters: [{ name: 'output_frequency', unit: 'Hz', description: 'Output frequency', writable: false, source: 'modbus' }],
      timeMs: T0, sessionId: 's1',
    },
  }], NOW);
  const res = await app.inject({ method: 'GET', url: '/api/devices' });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { devices: [{
    device: 'drive-1', site: 'plant-a', online: true, model: 'VFD-4000', firmware: '2.3.1', adapterId: 'generic-vfd',
    agentVersion: '0.1.0', sessionId: 's1', lastSeenMs: NOW, lastBirthMs: NOW, lastDeathMs: null, lastDeathReason: '',
    lastStatus: null, parameters: [{ name: 'output_frequency', unit: 'Hz', description: 'Output frequency', writable: false, source: 'modbus' }],
  }], total: 1, nextCursor: null });
});
