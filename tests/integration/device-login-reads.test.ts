/**
 * Issue #15 item 9, the collector's side of a reconnect storm: a device login with a fast
 * (HMAC-SHA256) hash reads its credential once, not twice; that saving weakens nothing. A device
 * revoked or replaced from another process (as `faultline device revoke|add --replace` do) is
 * refused at its very next login, with no revocation sweep in between; an unknown user name and a
 * wrong secret are refused and counted; an old scrypt hash, whose check takes tens of milliseconds,
 * is still read again after the check, so a revoke in that time wins. Real MQTT on loopback, the
 * real SQLite store (a second handle on the same file stands for the CLI's process).
 */
import mqtt from 'mqtt';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { MqttBroker } from '../../collector/broker/mqtt-broker.js';
import { BrokerSecurity } from '../../collector/security/broker-security.js';
import { hashPassword } from '../../collector/security/password-hash.js';
import type { CredentialsPort } from '../../collector/store/port.js';
import { openTestStore } from '../helpers/test-database.js';
import { tempDir } from '../helpers/temp-dir.js';

const HOUR = 3_600_000;

async function setup(t: Test, onFind?: (username: string) => void) {
  const dir = tempDir('faultline-loginreads-');
  const store = openTestStore(dir.path, Date.now());
  const cli = openTestStore(dir.path, Date.now());
  const finds: string[] = [];
  // The real store's port, counting reads by user name.
  const credentials: CredentialsPort = {
    ...store.credentials,
    find: async (username) => {
      finds.push(username);
      const found = await store.credentials.find(username);
      onFind?.(username);
      return found;
    },
  };
  const log = pino({ level: 'silent' });
  // No sweep during a test: whatever is refused here is refused at login.
  const security = new BrokerSecurity({ credentials, log, mode: 'required', sweepEveryMs: HOUR });
  const broker = new MqttBroker({ host: '127.0.0.1', port: 0, log, hooks: security.hooks, plainTcp: true, ingest: async () => undefined });
  await broker.start();
  await security.start(() => broker.connectedClients());
  t.teardown(async () => { security.stop(); await broker.stop(); await cli.close(); await store.close(); dir.remove(); });
  return { store, cli, security, finds, url: `mqtt://127.0.0.1:${broker.port}` };
}

/** One login; resolves to 0 when accepted (then disconnects), else the CONNACK refusal code. */
async function login(url: string, site: string, device: string, password: string): Promise<number> {
  try {
    const c = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, clientId: `fl-${site}-${device}`, username: `${site}/${device}`, password });
    await c.endAsync(true);
    return 0;
  } catch (err) {
    return (err as { code?: number }).code ?? -1;
  }
}

t.test('a login with a fast hash reads its credential once', async (t) => {
  const s = await setup(t);
  const issued = await Promise.all([1, 2, 3, 4, 5].map((i) => s.store.credentials.add({ kind: 'device', site: 'p', device: `d${i}` }, Date.now())));
  for (const [i, c] of issued.entries()) t.equal(await login(s.url, 'p', `d${i + 1}`, c.password), 0, `d${i + 1} logs in`);
  t.same(s.finds, issued.map((c) => c.username), 'one read of the credential per login, no second one');
});

t.test('revoked or replaced from another process: refused at the very next login, without a sweep', async (t) => {
  const s = await setup(t);
  const a = await s.store.credentials.add({ kind: 'device', site: 'p', device: 'a' }, Date.now());
  const b = await s.store.credentials.add({ kind: 'device', site: 'p', device: 'b' }, Date.now());
  t.equal(await login(s.url, 'p', 'a', a.password), 0, 'a logs in before the revoke');
  t.ok(await s.cli.credentials.revoke({ kind: 'device', site: 'p', device: 'a' }, Date.now()), 'revoked through the other handle');
  t.equal(await login(s.url, 'p', 'a', a.password), 4, 'the revoked device is refused at once (bad user name or password)');
  const b2 = await s.cli.credentials.add({ kind: 'device', site: 'p', device: 'b' }, Date.now(), { replace: true });
  t.equal(await login(s.url, 'p', 'b', b.password), 4, 'the replaced secret is refused at once');
  t.equal(await login(s.url, 'p', 'b', b2.password), 0, 'the new one logs in');
  const snap = await s.security.snapshot();
  t.equal(snap.refused['bad-credentials'], 2, 'both refusals counted');
  t.equal(snap.refused['revoked-session'], 0, 'no sweep ran: refused at login');
});

t.test('an unknown user name and a wrong secret are refused and counted', async (t) => {
  const s = await setup(t);
  const a = await s.store.credentials.add({ kind: 'device', site: 'p', device: 'a' }, Date.now());
  t.equal(await login(s.url, 'p', 'nobody', a.password), 4, 'unknown user name');
  t.equal(await login(s.url, 'p', 'a', `${a.password.slice(1)}x`), 4, 'wrong secret');
  t.equal(await login(s.url, 'p', 'a', ''), 4, 'empty secret');
  const snap = await s.security.snapshot();
  t.equal(snap.refused['bad-credentials'], 3, 'every refusal counted');
  t.same(snap.lastRefusals.map((r) => r.username).sort(), ['p/a', 'p/a', 'p/nobody'], 'by user name (never the secret)');
  t.notOk(JSON.stringify(snap).includes(a.password.slice(4)), 'the secret appears nowhere in the snapshot');
});

t.test('an old scrypt hash is read again after its slow check: a revoke meanwhile wins', async (t) => {
  let revokeOnFirstRead: (() => void) | undefined;
  const s = await setup(t, () => { const r = revokeOnFirstRead; revokeOnFirstRead = undefined; r?.(); });
  const old = await s.store.credentials.add({ kind: 'device', site: 'p', device: 'old' }, Date.now());
  s.store.db.prepare('UPDATE mqtt_credentials SET password_hash = ? WHERE username = ?').run(await hashPassword(old.password), old.username);
  // Revoked from the other handle right after the first read, while scrypt runs on the thread pool.
  revokeOnFirstRead = () => { void s.cli.credentials.revoke({ kind: 'device', site: 'p', device: 'old' }, Date.now()); };
  t.equal(await login(s.url, 'p', 'old', old.password), 4, 'refused: the credential was revoked during the check');
  t.same(s.finds, [old.username, old.username], 'read twice: before and after the slow check');
  t.match((await s.security.snapshot()).lastRefusals, [{ reason: 'bad-credentials', username: 'p/old', message: /revoked/ }]);
});
