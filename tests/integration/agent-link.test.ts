/**
 * The MQTT link against brokers the test controls (aedes on 127.0.0.1): the bounded window of
 * unacknowledged publishes, resending in order after a reconnect, events ahead of a telemetry
 * backlog, and TLS with a CA file and client certificates (self-signed, made with the openssl CLI).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AedesOptions } from 'aedes';
import t, { type Test } from 'tap';
import { silentLogger } from '../../protocol/logger.js';
import { decodeFaultEvent } from '../../protocol/codec.js';
import { cuttingProxy } from '../helpers/cutting-proxy.js';
import { deviceSide, Producer } from '../helpers/delivery-harness.js';
import { freeLoopbackPort } from '../helpers/free-port.js';
import { selfSignedCert } from '../helpers/self-signed-cert.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const SITE = 'plant-a';

interface TestBroker {
  port: number;
  /** Topics kinds in arrival order, e.g. "birth", "event:7" (with the event's seq), "telemetry". */
  arrivals: string[];
  eventSeqs(): number[];
  /** PINGREQs received. */
  pings(): number;
  stop(): Promise<void>;
}

interface TestBrokerOptions {
  port?: number;
  tls?: { key: Buffer; cert: Buffer; ca: Buffer };
  /** Return true to hold back the PUBACK of the n-th event (1-based) forever. */
  hold?: (n: number) => boolean;
}

async function testBroker(t: Test, o: TestBrokerOptions = {}): Promise<TestBroker> {
  const arrivals: string[] = [];
  let events = 0;
  const authorizePublish: NonNullable<AedesOptions['authorizePublish']> = (_client, packet, callback) => {
    const kind = packet.topic.split('/').slice(4).join('/');
    if (kind === 'event') {
      events++;
      arrivals.push(`event:${decodeFaultEvent(Buffer.from(packet.payload)).seq}`);
      if (o.hold?.(events)) return; // never acknowledged
    } else {
      arrivals.push(kind);
    }
    callback(null);
  };
  const aedes = await Aedes.createBroker({ authorizePublish });
  let pings = 0;
  aedes.on('ping', () => { pings++; });
  const server: Server = o.tls
    ? createTlsServer({ key: o.tls.key, cert: o.tls.cert, ca: o.tls.ca, requestCert: true, rejectUnauthorized: true }, aedes.handle)
    : createServer({ noDelay: true }, aedes.handle);
  await new Promise<void>((resolve) => server.listen(o.port ?? 0, '127.0.0.1', resolve));
  let stopped = false;
  const broker: TestBroker = {
    port: (server.address() as AddressInfo).port,
    arrivals,
    eventSeqs: () => arrivals.filter((a) => a.startsWith('event:')).map((a) => Number(a.slice(6))),
    pings: () => pings,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await closed;
    },
  };
  t.teardown(() => broker.stop());
  return broker;
}

t.test('at most maxInFlight publishes wait for a PUBACK; after a reconnect the unacknowledged go again, in order', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const device = 'drive-window';
  const first = await testBroker(t, { hold: (n) => n > 10 });
  const side = deviceSide({ file: join(dir.path, 'outbox.db'), url: `mqtt://127.0.0.1:${first.port}`, site: SITE, device, log: silentLogger(), link: { maxInFlight: 8 } });
  t.teardown(() => side.close());
  const producer = new Producer(side.link, { site: SITE, device, eventEveryMs: 1000, telemetryEveryMs: 0 });
  for (let i = 0; i < 100; i++) producer.event();
  side.link.start();

  await waitFor('10 acknowledged and 8 more sent', () => (side.link.counters().published >= 18 && side.link.counters().ackedEvents >= 10 ? true : undefined));
  await new Promise((r) => setTimeout(r, 200)); // room for a wrong extra publish to show up
  t.equal(side.link.counters().published, 18, 'no more than 8 unacknowledged publishes at a time');
  // aedes stops reading a connection while a publish hook is pending, so it may not have parsed all 8.
  const seen = first.eventSeqs();
  t.same(seen, Array.from({ length: seen.length }, (_, i) => i + 1), `the broker got events 1..${seen.length} in order`);
  t.equal(first.arrivals[0], 'birth', 'birth first on the connection');
  t.equal(side.outbox.depth().event, 90, 'only the 10 acknowledged left the outbox');

  await first.stop();
  const second = await testBroker(t, { port: first.port });
  await waitFor('the outbox to drain into the second broker', () => (side.outbox.depth().total === 0 ? true : undefined));
  t.same(second.eventSeqs(), Array.from({ length: 90 }, (_, i) => i + 11), 'the held 8 again, then the rest, in order');
  t.equal(second.arrivals[0], 'birth', 'a birth on every connect');
  const c = side.link.counters();
  t.equal(c.resent, 8, 'the unacknowledged ones are counted as resent');
  t.equal(c.ackedEvents, 100);
  t.equal(c.published, 108);
  t.same([c.connects, c.disconnects], [2, 1]);
  const status = side.link.status();
  t.same([status.outboxDepth, status.eventsPublished, status.resent, status.connects, status.disconnects], [0, 100, 8, 2, 1], 'the status reports the same');
});

t.test('a telemetry backlog does not hold back fault events', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const device = 'drive-priority';
  const port = await freeLoopbackPort();
  const side = deviceSide({ file: join(dir.path, 'outbox.db'), url: `mqtt://127.0.0.1:${port}`, site: SITE, device, log: silentLogger(), link: { maxInFlight: 4 } });
  t.teardown(() => side.close());
  const producer = new Producer(side.link, { site: SITE, device, eventEveryMs: 1000, telemetryEveryMs: 0 });
  for (let i = 0; i < 200; i++) producer.telemetry();
  for (let i = 0; i < 5; i++) producer.event();
  side.link.start();
  const broker = await testBroker(t, { port });
  await waitFor('the outbox to drain', () => (side.outbox.depth().total === 0 ? true : undefined));
  const lastEvent = broker.arrivals.findLastIndex((a) => a.startsWith('event:'));
  t.ok(lastEvent <= 1 + 5 + 2, `all 5 events arrived among the first publishes (last at ${lastEvent}), though stored after 200 telemetry batches`);
  t.equal(broker.arrivals.filter((a) => a === 'telemetry').length, 200, 'and all the telemetry after them');
});

t.test('TLS: CA file, client certificate and key; wrong trust or no certificate does not connect', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const cert = (name: string): { key: string; cert: string } => {
    const sub = join(dir.path, name);
    mkdirSync(sub);
    const { certFile, keyFile } = selfSignedCert(sub);
    return { key: keyFile, cert: certFile };
  };
  const server = cert('broker');
  const client = cert('client');
  const broker = await testBroker(t, { tls: { key: readFileSync(server.key), cert: readFileSync(server.cert), ca: readFileSync(client.cert) } });
  const url = `mqtts://127.0.0.1:${broker.port}`;

  const good = deviceSide({ file: join(dir.path, 'good.db'), url, site: SITE, device: 'drive-tls', log: silentLogger(),
    link: { tls: { caFile: server.cert, certFile: client.cert, keyFile: client.key } } });
  t.teardown(() => good.close());
  good.link.start();
  new Producer(good.link, { site: SITE, device: 'drive-tls', eventEveryMs: 1000, telemetryEveryMs: 0 }).event();
  await waitFor('the event over TLS', () => (good.outbox.depth().total === 0 && broker.eventSeqs().length === 1 ? true : undefined));
  t.equal(good.link.connected, true, 'connected with a trusted broker certificate and a client certificate');

  const untrusted = deviceSide({ file: join(dir.path, 'untrusted.db'), url, site: SITE, device: 'drive-untrusted', log: silentLogger(),
    link: { tls: { certFile: client.cert, keyFile: client.key } } });
  t.teardown(() => untrusted.close());
  untrusted.link.start();
  const noClientCert = deviceSide({ file: join(dir.path, 'nocert.db'), url, site: SITE, device: 'drive-nocert', log: silentLogger(),
    link: { tls: { caFile: server.cert } } });
  t.teardown(() => noClientCert.close());
  noClientCert.link.start();
  await waitFor('both to fail twice', () => (untrusted.link.counters().connectFailures >= 2 && noClientCert.link.counters().connectFailures >= 2 ? true : undefined));
  t.equal(untrusted.link.counters().connects, 0, 'a self-signed broker certificate is refused without its CA file (rejectUnauthorized defaults to true)');
  t.equal(noClientCert.link.counters().connects, 0, 'a broker requiring client certificates refuses a link without one');

  const lab = deviceSide({ file: join(dir.path, 'lab.db'), url, site: SITE, device: 'drive-lab', log: silentLogger(),
    link: { tls: { certFile: client.cert, keyFile: client.key, rejectUnauthorized: false } } });
  t.teardown(() => lab.close());
  lab.link.start();
  await waitFor('the lab link to connect', () => (lab.link.connected ? true : undefined));
  t.pass('rejectUnauthorized: false connects without the CA (lab setups only)');

  const bad = deviceSide({ file: join(dir.path, 'bad.db'), url, site: SITE, device: 'drive-bad', log: silentLogger(),
    link: { tls: { caFile: join(dir.path, 'missing.pem') } } });
  t.teardown(() => bad.close());
  t.throws(() => bad.link.start(), { code: 'FL_ERR_MQTT_TLS_FILE' }, 'a missing CA file fails at start');
});

t.test('keepalive: a busy link still pings every keepalive, and one that answers nothing is given up within 1.5 keepalives', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const broker = await testBroker(t);
  const proxy = await cuttingProxy('127.0.0.1', broker.port);
  t.teardown(() => proxy.close());
  const side = deviceSide({ file: join(dir.path, 'outbox.db'), url: proxy.url, site: SITE, device: 'drive-keepalive', log: silentLogger(), link: { keepaliveS: 1 } });
  t.teardown(() => side.close());
  side.link.start();
  const producer = new Producer(side.link, { site: SITE, device: 'drive-keepalive', eventEveryMs: 60_000, telemetryEveryMs: 200 });
  t.teardown(() => producer.stop());
  producer.start();
  await waitFor('connected', () => (side.link.connected ? true : undefined));
  const acked = side.link.counters().acked;
  await waitFor('a PINGREQ while telemetry is acknowledged every 200 ms', () => (broker.pings() > 0 ? true : undefined), 4_000);
  t.ok(side.link.counters().acked > acked, 'telemetry kept being acknowledged meanwhile');

  proxy.blackhole();
  const silentAt = Date.now();
  await waitFor('the link to give up the silent connection and connect again', () => (proxy.connections() > 1 ? true : undefined), 6_000);
  const ms = Date.now() - silentAt;
  // 1.5 keepalives (mqtt.js checks every half keepalive, so up to 2 s) plus the reconnect back-off
  // (50-500 ms here), plus 1.5 s for the timers of a loaded machine; a link that waited for TCP to
  // give up would take minutes.
  t.ok(ms <= 2_000 + 500 + 1_500, `a new connection ${ms} ms after the link went silent`);
  await waitFor('connected again', () => (side.link.connected ? true : undefined), 6_000);
});
