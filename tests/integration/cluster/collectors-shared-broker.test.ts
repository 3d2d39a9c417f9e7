/**
 * Cluster mode end to end (issue #13): two collector processes (`faultline collector --broker
 * … --database postgres://…`) on one real PostgreSQL and one real Mosquitto, a real agent polling
 * three simulated drives over Modbus TCP and publishing to the broker. Proves: the events are
 * split between the collectors (each committed some); every event the broker accepted is stored
 * exactly once; a live parameter read works through either collector (each collector's answers
 * come back to it, not to the other); a collector stopped with SIGTERM mid-stream loses nothing
 * (it leaves the share group, then commits and acknowledges what it held).
 */
import mqtt from 'mqtt';
import pg from 'pg';
import t from 'tap';
import { startAgent } from '../../../agent/agent.js';
import { checkAgentConfig } from '../../../agent/config/load-config.js';
import { openStore } from '../../../collector/store/index.js';
import vfd from '../../../firmware-adapters/devices/generic-vfd.js';
import { startModbusDevice, type SimulatedModbusDevice } from '../../../firmware-adapters/simulator/modbus-device.js';
import { decodeFaultEvent } from '../../../protocol/codec.js';
import { silentLogger } from '../../../protocol/logger.js';
import { apiCaller } from '../../helpers/api-auth.js';
import { startCollectorProcess, type CollectorProcess } from '../../helpers/collector-process.js';
import { startMosquitto } from '../../helpers/mosquitto-server.js';
import { startPostgres } from '../../helpers/postgres-server.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { waitFor } from '../../helpers/wait.js';
import { callJson } from '../../helpers/json-call.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const DEVICES = ['drive-1', 'drive-2', 'drive-3'];
// Two collector processes, PostgreSQL, Mosquitto, an agent: ~70 s idle, much more on a loaded machine.
t.setTimeout(480_000);

interface Health {
  ingest: { eventsCommitted: number };
  broker: { mode: string; url: string; clientIdPrefix: string; subscriber: { group: string; connections: number; connected: number; inFlight: number; acknowledged: number } };
  deviceRequests: { answered: number; otherAnswers?: number };
}

t.test('two collectors share one broker and one database: split, stored once, live reads through either, SIGTERM loses nothing', async (t) => {
  const pgServer = await startPostgres();
  t.teardown(() => pgServer.stop());
  const database = await pgServer.createDatabase('cluster');
  const broker = await startMosquitto({ settings: { max_queued_messages: 100000 } });
  t.teardown(() => broker.stop());
  const dir = tempDir('faultline-cluster-');
  t.teardown(dir.remove);

  const store = await openStore({ dataDir: `${dir.path}/tools`, database, log: silentLogger(), nowMs: Date.now() });
  t.teardown(() => store.close());
  const admin = await apiCaller(store, 'admin');

  const collectors: CollectorProcess[] = [];
  for (const id of ['c1', 'c2']) {
    const c = await startCollectorProcess(['--database', database, '--broker', broker.url, '--collector-id', id, '--data-dir', `${dir.path}/${id}`]);
    t.teardown(() => c.kill());
    collectors.push(c);
  }
  const [c1, c2] = collectors as [CollectorProcess, CollectorProcess];
  const api = <T>(c: CollectorProcess, method: string, path: string, body?: unknown) => callJson<T>(c.httpUrl, admin, method, path, body);
  const health = async (c: CollectorProcess): Promise<Health> => (await api<Health>(c, 'GET', '/api/health')).body;

  const h1 = await health(c1);
  t.match(h1.broker, { mode: 'external', url: broker.url, clientIdPrefix: 'fl-collector-c1', subscriber: { group: 'faultline', connections: 8, connected: 8 } },
    'health shows the external broker and the subscriber');
  t.notMatch(JSON.stringify(await health(c2)), /password/i, 'no password in health');

  // Everything the broker accepted from the devices, seen by a plain (not shared) subscriber.
  const observer = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'test-observer' });
  t.teardown(() => observer.endAsync(true));
  const published = new Set<string>();
  observer.on('message', (_topic, payload) => published.add(decodeFaultEvent(payload).id));
  await observer.subscribeAsync('fl/v1/+/+/event', { qos: 1 });

  const sims: SimulatedModbusDevice[] = [];
  for (let i = 0; i < DEVICES.length; i++) {
    const sim = await startModbusDevice(vfd, { seed: i + 1 });
    t.teardown(() => sim.stop());
    sims.push(sim);
  }
  const config = checkAgentConfig({
    mqtt: { url: broker.url, reconnect: { minMs: 200, maxMs: 1000 } },
    stateDir: `${dir.path}/agent`,
    devices: DEVICES.map((id, i) => ({
      id, site: 'plant-a', model: 'VFD-4000', firmware: '2.3.1',
      modbus: { host: sims[i]?.host ?? '', port: sims[i]?.port ?? 0, intervals: { normal: 100 }, timeoutMs: 500 },
    })),
    telemetry: { intervalMs: 500 },
    // Every flip is an event here (chatter suppression would fold them into one).
    detection: { chatter: { cycles: 0 }, preFaultWindowS: 2 },
  }, 'test');
  const agent = await startAgent(config, { log: silentLogger() });
  t.teardown(() => agent.stop());

  await waitFor('every device online in the shared database', async () => {
    const { body } = await api<{ devices: Array<{ device: string; online: boolean }> }>(c2, 'GET', '/api/devices');
    return DEVICES.every((d) => body.devices.some((x) => x.device === d && x.online)) ? true : undefined;
  }, 30_000);

  const liveRead = async (c: CollectorProcess, device: string): Promise<void> => {
    sims[DEVICES.indexOf(device)]?.model.force('heatsink_temperature', 41);
    const r = await api<{ values: Array<{ name: string; value: number }>; error?: unknown }>(c, 'POST', `/api/devices/plant-a/${device}/live`, { names: ['heatsink_temperature'] });
    t.equal(r.status, 200, `live read of ${device} through ${c.httpUrl}: ${JSON.stringify(r.body)}`);
    t.match(r.body.values, [{ name: 'heatsink_temperature', value: 41 }], 'the value read fresh from the simulated register');
  };
  await liveRead(c1, 'drive-1');
  await liveRead(c2, 'drive-2');
  await liveRead(c1, 'drive-3');
  t.equal((await health(c1)).deviceRequests.answered, 2, 'c1 got exactly its two answers');
  t.equal((await health(c2)).deviceRequests.answered, 1, 'c2 got exactly its own answer');
  t.ok(((await health(c2)).deviceRequests.otherAnswers ?? 0) >= 2, "c2 saw c1's answers go by and did not take them");

  // Faults on and off on every drive; c1 is stopped with SIGTERM half way.
  const toggles = 24;
  let beforeStop: [Health, Health] | undefined;
  for (let i = 0; i < toggles; i++) {
    for (const sim of sims) sim.model.injectFault(i % 2 === 0 ? 1 : 0);
    await sleep(350);
    if (i === toggles / 2) {
      beforeStop = [await health(c1), await health(c2)];
      await c1.stop();
      t.notOk(c1.running, 'c1 exited on SIGTERM');
      t.match(c1.log().join('\n'), /collector stopped/, 'c1 stopped in order');
    }
  }
  for (const sim of sims) sim.model.injectFault(0);
  t.ok(beforeStop, 'health read before the stop');
  const [before1, before2] = beforeStop as [Health, Health];
  t.ok(before1.ingest.eventsCommitted > 0 && before2.ingest.eventsCommitted > 0,
    `both collectors committed events (c1 ${before1.ingest.eventsCommitted}, c2 ${before2.ingest.eventsCommitted} before the stop)`);

  await waitFor('the agent outbox to drain', () => (DEVICES.every((d) => agent.stats(d).eventsPending === 0) ? true : undefined), 30_000);
  const raised = DEVICES.reduce((n, d) => n + agent.stats(d).eventsRaised, 0);
  t.ok(raised >= 20, `the agent raised ${raised} events`);
  await waitFor('the broker to have passed on every event', () => (published.size >= raised ? true : undefined), 10_000);

  const db = new pg.Client({ connectionString: database });
  await db.connect();
  t.teardown(() => db.end());
  const stored = await waitFor('every published event in PostgreSQL', async () => {
    const rows = (await db.query<{ id: string }>('SELECT id FROM events')).rows.map((r) => r.id);
    return [...published].every((id) => rows.includes(id)) ? rows : undefined;
  }, 20_000).catch(() => undefined);
  const rows = stored ?? (await db.query<{ id: string }>('SELECT id FROM events')).rows.map((r) => r.id);
  const missing = [...published].filter((id) => !rows.includes(id));
  t.same(missing, [], `every event the broker accepted is stored (${published.size} published, ${rows.length} stored)`);
  t.equal(rows.length, published.size, 'and stored once: no other rows');
  const dupTickets = await db.query('SELECT number FROM tickets GROUP BY number HAVING count(*) > 1');
  t.equal(dupTickets.rowCount, 0, 'no ticket number twice');

  const after2 = await health(c2);
  t.ok(after2.ingest.eventsCommitted > before2.ingest.eventsCommitted, 'c2 took over the stream after c1 left');
  await liveRead(c2, 'drive-1');
  // Once the devices stop talking, c2 holds nothing unacknowledged.
  await agent.stop();
  await waitFor('c2 with nothing unacknowledged', async () => ((await health(c2)).broker.subscriber.inFlight === 0 ? true : undefined), 30_000);
  t.pass('c2 acknowledged everything it was handed');
});
