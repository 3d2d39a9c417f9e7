/**
 * The collector over real MQTT on loopback: an event is committed before its PUBACK, duplicates
 * and bad input are counted without dropping the connection, and a last will takes a device
 * offline.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import t, { type Test } from 'tap';
import { silentLogger } from '../../protocol/logger.js';
import { startCollector, type RunningCollector } from '../../collector/collector.js';
import { encodeBirth, encodeDeath, encodeFaultEvent } from '../../protocol/codec.js';
import { topicFor } from '../../protocol/topics.js';
import type { FaultEvent } from '../../protocol/values.js';
import { apiCallerIn } from '../helpers/api-auth.js';

const SITE = 'plant-a';
const DEVICE = 'drive-1';

function event(id: string, seq: number, over: Partial<FaultEvent> = {}): FaultEvent {
  return {
    id, device: DEVICE, site: SITE, seq, timeMs: Date.now(), source: 'modbus', category: 'hardware',
    code: 'vfd.overcurrent', severity: 'critical', transition: 'raise', message: 'Output overcurrent',
    snapshot: [{ parameter: 'motor_current', value: 12.5, quality: 'good', timeMs: Date.now() - 500 }],
    logExcerpt: ['E001 overcurrent trip'], labels: {}, adapterId: 'generic-vfd', remedy: 'Check the motor cable', ...over,
  };
}

/** Each collector's API token header. */
const apiHeaders = new WeakMap<RunningCollector, Record<string, string>>();

async function start(t: Test): Promise<RunningCollector> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-collector-'));
  const collector = await startCollector({
    dataDir: dir, mqttHost: '127.0.0.1', mqttPort: 0, httpHost: '127.0.0.1', httpPort: 0, log: silentLogger(),
  });
  apiHeaders.set(collector, (await apiCallerIn(dir, 'viewer')).headers);
  t.teardown(async () => {
    await collector.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return collector;
}

async function connect(t: Test, c: RunningCollector, opts: mqtt.IClientOptions = {}): Promise<MqttClient> {
  const client = await mqtt.connectAsync(c.mqttUrl, { protocolVersion: 4, reconnectPeriod: 0, ...opts });
  t.teardown(() => client.endAsync(true));
  return client;
}

async function get<T>(c: RunningCollector, path: string): Promise<T> {
  const res = await fetch(`${c.httpUrl}${path}`, { headers: apiHeaders.get(c) ?? {} });
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

interface Health {
  broker: { port: number; clients: number };
  ingest: { received: { event: number }; badPayload: number; wrongTopic: number; duplicates: number; eventsCommitted: number; lastErrors: Array<{ code: string; topic: string }> };
  store: { events: number; tickets: number };
}
interface TicketList { tickets: Array<{ id: number; number: string; occurrences: number; faultActive: boolean }> }

t.test('QoS 1 event: committed before the PUBACK, duplicates and bad input counted, connection kept', async (t) => {
  const c = await start(t);
  const client = await connect(t, c);
  let closes = 0;
  client.on('close', () => { closes++; });
  const topic = topicFor(SITE, DEVICE, 'event');
  const first = event('018f0000-0000-7000-8000-000000000001', 1);

  await client.publishAsync(topic, Buffer.from(encodeFaultEvent(first)), { qos: 1 });
  // PUBACK received: the event and its ticket must already be in the store, without waiting.
  let health = await get<Health>(c, '/api/health');
  t.equal(health.store.events, 1, 'event committed when the PUBACK arrived');
  t.equal(health.store.tickets, 1, 'ticket opened when the PUBACK arrived');
  t.equal(health.broker.port, c.mqttPort);
  t.equal(health.broker.clients, 1);
  const { tickets } = await get<TicketList>(c, '/api/tickets');
  t.match(tickets, [{ number: /^TS-\d{8}-0001$/, occurrences: 1, faultActive: true }]);
  const detail = await get<{ events: Array<{ id: string; snapshot: unknown[]; logExcerpt: string[] }> }>(c, `/api/tickets/${tickets[0]?.number ?? ''}`);
  t.match(detail.events, [{ id: first.id, logExcerpt: ['E001 overcurrent trip'] }]);

  await client.publishAsync(topic, Buffer.from(encodeFaultEvent(first)), { qos: 1 });
  health = await get<Health>(c, '/api/health');
  t.equal(health.ingest.duplicates, 1, 'redelivery counted as a duplicate');
  t.equal(health.store.events, 1, 'and changed nothing');
  t.equal((await get<TicketList>(c, '/api/tickets')).tickets[0]?.occurrences, 1);

  await client.publishAsync(topic, Buffer.from([0xde, 0xad, 0xbe, 0xef, 0xff]), { qos: 1 });
  await client.publishAsync(`fl/v1/${SITE}/${DEVICE}/nonsense`, Buffer.from(encodeFaultEvent(event('018f0000-0000-7000-8000-000000000009', 9))), { qos: 1 });
  health = await get<Health>(c, '/api/health');
  t.equal(health.ingest.badPayload, 1, 'garbage counted');
  t.equal(health.ingest.wrongTopic, 1, 'malformed topic counted');
  t.match(health.ingest.lastErrors, [{ code: 'FL_ERR_TOPIC_MALFORMED' }, { code: 'FL_ERR_PROTO_DECODE', topic }]);
  t.ok(client.connected, 'client still connected');
  t.equal(closes, 0, 'the connection was never dropped');

  await client.publishAsync(topic, Buffer.from(encodeFaultEvent(event('018f0000-0000-7000-8000-000000000002', 2))), { qos: 1 });
  health = await get<Health>(c, '/api/health');
  t.equal(health.ingest.eventsCommitted, 2, 'a later valid event is still processed');
  t.equal((await get<TicketList>(c, '/api/tickets')).tickets[0]?.occurrences, 2, 'as an occurrence on the open ticket');
});

t.test('many events published at once are all committed before their acks', async (t) => {
  const c = await start(t);
  const client = await connect(t, c);
  const topic = topicFor(SITE, DEVICE, 'event');
  const n = 300;
  await Promise.all(Array.from({ length: n }, (_, i) => client.publishAsync(topic,
    Buffer.from(encodeFaultEvent(event(`018f0000-0000-7000-8000-${String(1000 + i).padStart(12, '0')}`, i + 1, { code: `c${i % 7}` }))), { qos: 1 })));
  const health = await get<Health>(c, '/api/health');
  t.equal(health.store.events, n);
  t.equal(health.store.tickets, 7);
});

t.test('birth brings a device online; its last will takes it offline', async (t) => {
  const c = await start(t);
  const session = 'sess-1';
  const death = encodeDeath({ site: SITE, device: DEVICE, timeMs: 0, sessionId: session, reason: 'connection lost' });
  const device = await connect(t, c, { will: { topic: topicFor(SITE, DEVICE, 'death'), payload: Buffer.from(death), qos: 1, retain: false } });
  await device.publishAsync(topicFor(SITE, DEVICE, 'birth'), Buffer.from(encodeBirth({
    site: SITE, device: DEVICE, adapterId: 'generic-vfd', model: 'VFD-4000', firmware: '2.3.1', agentVersion: '0.1.0',
    parameters: [], timeMs: Date.now(), sessionId: session,
  })), { qos: 1 });
  type Devices = { devices: Array<{ device: string; online: boolean; sessionId: string; lastDeathReason: string }> };
  t.match((await get<Devices>(c, '/api/devices')).devices, [{ device: DEVICE, online: true, sessionId: session }]);

  device.stream.destroy(); // an unclean disconnect: the broker publishes the will
  const deadline = Date.now() + 5000;
  let devices = (await get<Devices>(c, '/api/devices')).devices;
  while (devices[0]?.online !== false && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    devices = (await get<Devices>(c, '/api/devices')).devices;
  }
  t.match(devices, [{ online: false, lastDeathReason: 'connection lost' }]);
});

t.test('stop is idempotent and frees the ports', async (t) => {
  const c = await start(t);
  await c.stop();
  await c.stop();
  await t.rejects(fetch(`${c.httpUrl}/api/health`), 'HTTP closed');
  await t.rejects(mqtt.connectAsync(c.mqttUrl, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 1000 }), 'MQTT closed');
});
