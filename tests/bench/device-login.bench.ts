/**
 * Device login rate (issue #15 item 9): a reconnect storm of N devices against the collector's
 * broker and broker security (real MQTT on loopback, `mode: required`, one credential per device),
 * once with the credentials stored as scrypt hashes (how collectors before this stored them, at the
 * default cost) and once with the fast salted HMAC-SHA256. The scrypt run also migrates each
 * credential, so a second storm after it runs at the fast rate. Prints figures; asserts nothing.
 * FAULTLINE_BENCH_DEVICES sets N (default 1000); FAULTLINE_BENCH_CONCURRENCY connects in flight (100).
 */
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { MqttBroker } from '../../collector/broker/mqtt-broker.js';
import { BrokerSecurity } from '../../collector/security/broker-security.js';
import { hashDeviceSecret, verifyDeviceSecret } from '../../collector/security/device-secret-hash.js';
import { openTestStore } from '../helpers/test-database.js';
import { hashPassword } from '../../collector/security/password-hash.js';
import { tempDir } from '../helpers/temp-dir.js';

interface Device { username: string; password: string }

async function storm(url: string, devices: Device[], concurrency: number): Promise<{ seconds: number; perS: number; refused: number }> {
  const clients: MqttClient[] = [];
  let next = 0;
  let refused = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < devices.length) {
      const d = devices[next++];
      if (!d) break;
      try {
        clients.push(await mqtt.connectAsync(url, {
          protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 60_000, clientId: `fl-${d.username.replace('/', '-')}`, username: d.username, password: d.password,
        }));
      } catch {
        refused++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(clients.map((c) => c.endAsync(true)));
  return { seconds, perS: devices.length / seconds, refused };
}

async function verifyRate(label: string, stored: string, secret: string, seconds = 2): Promise<void> {
  let n = 0;
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  while (performance.now() < end) {
    await Promise.all(Array.from({ length: 4 }, () => verifyDeviceSecret(secret, stored)));
    n += 4;
  }
  const per = n / ((performance.now() - started) / 1000);
  process.stdout.write(`${label.padEnd(52)} ${Math.round(per).toLocaleString('en-US').padStart(10)} /s\n`);
}

/** The same storm against a broker without authentication: what the machine allows at all. */
async function baseline(count: number, concurrency: number): Promise<void> {
  const log = pino({ level: 'silent' });
  const broker = new MqttBroker({ host: '127.0.0.1', port: 0, log, plainTcp: true, ingest: async () => undefined });
  await broker.start();
  try {
    const devices = Array.from({ length: count }, (_, i) => ({ username: `base/d${i}`, password: '' }));
    const r = await storm(`mqtt://127.0.0.1:${broker.port}`, devices, concurrency);
    process.stdout.write(`${count} devices, no authentication (baseline): ${r.seconds.toFixed(2)} s, ${Math.round(r.perS)} logins/s\n`);
  } finally {
    await broker.stop();
  }
}

export async function runDeviceLoginBench(count = Number(process.env.FAULTLINE_BENCH_DEVICES ?? 1000), concurrency = Number(process.env.FAULTLINE_BENCH_CONCURRENCY ?? 100)): Promise<void> {
  const secret = 'x'.repeat(32);
  await verifyRate('verify one secret, scrypt ln=14 (4 in parallel)', await hashPassword(secret), secret);
  await verifyRate('verify one secret, HMAC-SHA256 (4 in parallel)', hashDeviceSecret(secret), secret);

  await baseline(count, concurrency);
  const dir = tempDir('faultline-bench-login-');
  const store = openTestStore(dir.path, Date.now());
  const { db } = store;
  const creds = store.credentials;
  const log = pino({ level: 'silent' });
  const security = new BrokerSecurity({ credentials: creds, log, mode: 'required' });
  const broker = new MqttBroker({ host: '127.0.0.1', port: 0, log, hooks: security.hooks, plainTcp: true, ingest: async () => undefined });
  await broker.start();
  await security.start(() => broker.connectedClients());
  const url = `mqtt://127.0.0.1:${broker.port}`;
  try {
    const fast: Device[] = [];
    for (let i = 0; i < count; i++) fast.push(await creds.add({ kind: 'device', site: 'bench', device: `d${i}` }, Date.now()));
    const a = await storm(url, fast, concurrency);
    process.stdout.write(`${count} devices, HMAC-SHA256 hashes: ${a.seconds.toFixed(2)} s, ${Math.round(a.perS)} logins/s (${a.refused} refused)\n`);

    const old: Device[] = [];
    const rehash = db.prepare('UPDATE mqtt_credentials SET password_hash = ? WHERE username = ?');
    const scryptCount = Math.min(count, 500);
    for (let i = 0; i < scryptCount; i++) {
      const d = await creds.add({ kind: 'device', site: 'bench-old', device: `d${i}` }, Date.now());
      rehash.run(await hashPassword(d.password), d.username);
      old.push(d);
    }
    const b = await storm(url, old, concurrency);
    process.stdout.write(`${scryptCount} devices, scrypt hashes (as stored before): ${b.seconds.toFixed(2)} s, ${Math.round(b.perS)} logins/s (${b.refused} refused)\n`);
    const c = await storm(url, old, concurrency);
    process.stdout.write(`the same ${scryptCount} again, migrated on their first login: ${c.seconds.toFixed(2)} s, ${Math.round(c.perS)} logins/s (${c.refused} refused)\n`);
  } finally {
    security.stop();
    await broker.stop();
    await store.close();
    dir.remove();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runDeviceLoginBench();
