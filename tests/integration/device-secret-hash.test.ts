/**
 * Issue #15 item 9: device secrets are 32 random characters (192 bits), not people's passwords, so
 * they are verified at the speed such secrets allow (a salted HMAC-SHA256, like API tokens' SHA-256)
 * instead of scrypt (~36 ms of CPU per login, which made a reconnect storm of 10,000 devices take
 * minutes). Stored scrypt hashes from before keep working and are rewritten to the fast form on
 * their first successful login, without counting as a change (the session stays up). People's
 * passwords stay scrypt. Speed is measured in tests/bench/device-login.bench.ts, not asserted here.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { MqttBroker } from '../../collector/broker/mqtt-broker.js';
import { BrokerSecurity } from '../../collector/security/broker-security.js';
import { openTestDatabase, openTestStore } from '../helpers/test-database.js';
import { hashPassword } from '../../collector/security/password-hash.js';
import { UserDirectory } from '../../collector/store/sqlite/user-directory.js';
import { TEST_USERS } from '../helpers/api-auth.js';
import { tempDir } from '../helpers/temp-dir.js';

async function setup(t: Test) {
  const dir = tempDir('faultline-devsecret-');
  const store = openTestStore(dir.path, Date.now());
  const { db } = store;
  const creds = store.credentials;
  const log = pino({ level: 'silent' });
  const security = new BrokerSecurity({ credentials: creds, log, mode: 'required', sweepEveryMs: 50 });
  const broker = new MqttBroker({ host: '127.0.0.1', port: 0, log, hooks: security.hooks, plainTcp: true, ingest: async () => undefined });
  await broker.start();
  await security.start(() => broker.connectedClients());
  t.teardown(async () => { security.stop(); await broker.stop(); await store.close(); dir.remove(); });
  const storedHash = (username: string): string => (db.prepare('SELECT password_hash AS h FROM mqtt_credentials WHERE username = ?').get(username) as { h: string }).h;
  const changeSeq = (username: string): number => (db.prepare('SELECT change_seq AS s FROM mqtt_credentials WHERE username = ?').get(username) as { s: number }).s;
  return { db, creds, security, url: `mqtt://127.0.0.1:${broker.port}`, storedHash, changeSeq };
}

async function connect(t: Test, url: string, username: string, password: string): Promise<MqttClient | number> {
  try {
    const c = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, clientId: `fl-${username.replace('/', '-')}`, username, password });
    t.teardown(() => c.endAsync(true));
    return c;
  } catch (err) {
    return (err as { code?: number }).code ?? -1;
  }
}

t.test('a new device credential is stored as a salted HMAC-SHA256, not scrypt, and logs in', async (t) => {
  const { creds, url, storedHash } = await setup(t);
  const a = await creds.add({ kind: 'device', site: 'plant-a', device: 'drive-1' }, 1000);
  const b = await creds.add({ kind: 'device', site: 'plant-a', device: 'drive-2' }, 1000);
  t.match(storedHash(a.username), /^\$hmac-sha256\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/, 'the fast, self-describing form');
  t.notMatch(storedHash(a.username), new RegExp(a.password), 'never the secret itself');
  t.ok((await connect(t, url, a.username, a.password)) instanceof mqtt.MqttClient, 'the right secret logs in');
  t.equal(await connect(t, url, a.username, b.password), 4, 'another device\'s secret is refused (bad user name or password)');
  t.equal(await connect(t, url, a.username, ''), 4, 'an empty one too');
});

t.test('a credential hashed with scrypt before still logs in, and is rewritten to the fast form without dropping the session', async (t) => {
  const { db, creds, url, storedHash, changeSeq } = await setup(t);
  const issued = await creds.add({ kind: 'device', site: 'plant-a', device: 'old-1' }, 1000);
  // As a collector before this change stored it.
  db.prepare('UPDATE mqtt_credentials SET password_hash = ? WHERE username = ?').run(await hashPassword(issued.password, { ln: 10, r: 8, p: 1 }), issued.username);
  const seqBefore = changeSeq(issued.username);
  t.equal(await connect(t, url, issued.username, 'wrong secret entirely, same length!'), 4, 'a wrong secret is refused against the scrypt hash');
  t.match(storedHash(issued.username), /^\$scrypt\$/, 'a failed login rewrites nothing');
  const client = await connect(t, url, issued.username, issued.password);
  t.ok(client instanceof mqtt.MqttClient, 'the right secret logs in against the old scrypt hash');
  t.match(storedHash(issued.username), /^\$hmac-sha256\$/, 'and the hash is now the fast form');
  t.equal(changeSeq(issued.username), seqBefore, 'not counted as a change of the credential');
  await new Promise((r) => setTimeout(r, 300)); // several sweeps (every 50 ms)
  t.equal((client as MqttClient).connected, true, 'the session stays up across sweeps');
  const again = await connect(t, url, issued.username, issued.password);
  t.ok(again instanceof mqtt.MqttClient, 'and logs in again against the fast form');
});

t.test('people\'s passwords stay scrypt', async (t) => {
  const dir = tempDir('faultline-devsecret-users-');
  const db = openTestDatabase(dir.path, Date.now());
  t.teardown(() => { db.close(); dir.remove(); });
  const users = new UserDirectory(db, TEST_USERS).users;
  await users.create({ username: 'alice', role: 'admin', password: 'a long passphrase' }, 1000);
  t.match(users.byName('alice')?.passwordHash, /^\$scrypt\$/);
});
