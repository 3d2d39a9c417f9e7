/**
 * Device security in cluster mode on a real Mosquitto with its dynamic-security plugin, driven
 * the way users do it: `faultline device add/list/revoke --broker … --broker-user … 
 * --broker-password-file …`. A device added by the CLI connects and publishes under its own
 * topics, is refused on another device's, may subscribe to its own receipts only; a collector on
 * the broker with a service credential from the same CLI commits its event; the collector's
 * EMQX-style HTTP auth endpoint (/api/mqtt/auth) accepts the same credential from the database;
 * after `device revoke` the session is dropped and the device is refused everywhere. A wrong admin
 * password fails before anything is written.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import mqtt, { type IClientOptions } from 'mqtt';
import t from 'tap';
import { startCollector } from '../../../collector/collector.js';
import { deviceClientId, deviceUsername } from '../../../collector/security/acl-rules.js';
import { subackRefusal } from '../../../collector/security/mosquitto-dynsec.js';
import { encodeFaultEvent } from '../../../protocol/codec.js';
import { silentLogger } from '../../../protocol/logger.js';
import { apiCallerIn } from '../../helpers/api-auth.js';
import { FAULTLINE_CLI } from '../../helpers/collector-process.js';
import { faultEvent } from '../../helpers/delivery-harness.js';
import { startMosquitto } from '../../helpers/mosquitto-server.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { waitFor } from '../../helpers/wait.js';

const run = promisify(execFile);
const NOT_AUTHORIZED = 0x87;
const SECRET = 'http-auth-secret-0123456789';

t.test('faultline device add/list/revoke --broker drive Mosquitto dynamic security', async (t) => {
  const broker = await startMosquitto({ dynamicSecurity: true });
  t.teardown(() => broker.stop());
  const admin = broker.admin;
  if (!admin) throw new Error('no dynsec admin');
  const dir = tempDir('faultline-dynsec-cli-');
  t.teardown(dir.remove);
  const passwordFile = `${dir.path}/admin-password`;
  writeFileSync(passwordFile, `${admin.password}\n`, { mode: 0o600 });
  const data = `${dir.path}/data`;
  const brokerArgs = ['--broker', broker.url, '--broker-user', admin.username, '--broker-password-file', passwordFile];
  const cli = (...args: string[]) => run(process.execPath, [FAULTLINE_CLI, 'device', ...args, '--data-dir', data], { env: { ...process.env, FAULTLINE_BROKER_PASSWORD: '' } });
  const passwordOf = (stdout: string): string => /password: "([^"]+)"/.exec(stdout)?.[1] ?? '';

  const wrongFile = `${dir.path}/wrong`;
  writeFileSync(wrongFile, 'not-the-password');
  const refused = await cli('add', '--site', 'plant-a', '--device', 'drive-9', '--broker', broker.url, '--broker-user', admin.username, '--broker-password-file', wrongFile)
    .then(() => undefined, (e: unknown) => e as { code: number; stderr: string });
  t.equal(refused?.code, 1, 'a wrong admin password fails the command');
  t.match(refused?.stderr ?? '', /cannot connect to the broker .* to manage device credentials/);
  t.notMatch(refused?.stderr ?? '', /not-the-password/, 'the password is not echoed');

  const d1 = passwordOf((await cli('add', '--site', 'plant-a', '--device', 'drive-1', ...brokerArgs)).stdout);
  const d2 = passwordOf((await cli('add', '--site', 'plant-a', '--device', 'drive-2', ...brokerArgs)).stdout);
  const service = passwordOf((await cli('add', '--service', 'collector-1', ...brokerArgs)).stdout);
  t.ok(d1 && d2 && service, 'the CLI printed each password once');
  const listed = (await cli('list', ...brokerArgs)).stdout;
  t.match(listed, /plant-a\/drive-1 .* broker: yes/);
  t.match(listed, /service:collector-1 .* broker: yes/);
  t.notMatch(listed, /drive-9/, 'the failed add wrote nothing');

  const caller = await apiCallerIn(data, 'admin');
  const collector = await startCollector({
    dataDir: data, log: silentLogger(), httpHost: '127.0.0.1', httpPort: 0,
    broker: { url: broker.url, username: 'service:collector-1', password: service, clientIdPrefix: 'fl-collector-t', connections: 2 },
    mqttHttpAuth: { secret: SECRET },
  });
  t.teardown(() => collector.stop());

  const device = (dev: string, password: string): IClientOptions => ({
    protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5000, username: deviceUsername('plant-a', dev), password, clientId: deviceClientId('plant-a', dev),
  });
  const c1 = await mqtt.connectAsync(broker.url, device('drive-1', d1), false);
  t.teardown(() => c1.endAsync(true));
  await c1.publishAsync('fl/v1/plant-a/drive-1/event', Buffer.from(encodeFaultEvent(faultEvent('plant-a', 'drive-1', 1))), { qos: 1 });
  const forged = await c1.publishAsync('fl/v1/plant-a/drive-2/event', Buffer.from(encodeFaultEvent(faultEvent('plant-a', 'drive-2', 1))), { qos: 1 }).catch((e: unknown) => e);
  t.equal((forged as { code?: number }).code, NOT_AUTHORIZED, "publishing under another device's topic: PUBACK 0x87");
  const subs = await Promise.all(['fl/v1/plant-a/drive-1/receipt', 'fl/v1/plant-a/drive-1/rpc/req', 'fl/v1/plant-a/drive-2/receipt']
    .map((f) => c1.subscribeAsync(f, { qos: 1 }).then((g) => g[0]?.qos, subackRefusal)));
  t.same(subs, [1, 1, NOT_AUTHORIZED], 'its own receipt and rpc/req, not another device\'s receipt');

  const health = async (): Promise<{ ingest: { eventsCommitted: number }; broker: { mode: string } }> =>
    (await fetch(`${collector.httpUrl}/api/health`, { headers: caller.headers })).json() as never;
  const h = await waitFor('the event committed by the collector on the broker', async () => ((await health()).ingest.eventsCommitted >= 1 ? health() : undefined), 10_000);
  t.equal(h.ingest.eventsCommitted, 1, 'only the own event was committed (the forged one never reached it)');
  t.equal(h.broker.mode, 'external');

  const httpAuth = async (body: Record<string, string>, secret = SECRET): Promise<string> => {
    const res = await fetch(`${collector.httpUrl}/api/mqtt/auth`, {
      method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    return ((await res.json()) as { result: string }).result;
  };
  const connectBody = { username: 'plant-a/drive-1', password: d1, clientid: deviceClientId('plant-a', 'drive-1') };
  t.equal(await httpAuth(connectBody), 'allow', 'HTTP auth: the credential from the database is accepted');
  t.equal(await httpAuth({ ...connectBody, password: 'guess' }), 'deny', 'HTTP auth: a wrong password is denied');
  t.equal(await httpAuth(connectBody, 'wrong-secret-0123456789'), 'deny', 'HTTP auth: a caller without the secret is denied');

  const dropped = new Promise<void>((resolve) => c1.once('close', () => resolve()));
  const revoked = await cli('revoke', '--site', 'plant-a', '--device', 'drive-1', ...brokerArgs);
  t.match(revoked.stdout, /revoked/);
  await Promise.race([dropped, new Promise((_, reject) => setTimeout(() => reject(new Error('session still up 3 s after revoke')), 3000))]);
  t.pass('the revoked device\'s session was dropped by the broker');
  const again = await mqtt.connectAsync(broker.url, device('drive-1', d1), false).then((c) => c.endAsync(true).then(() => 0), (e: unknown) => (e as { code?: number }).code ?? -1);
  t.ok(again === 0x86 || again === NOT_AUTHORIZED, `a revoked device cannot connect (reason 0x${again.toString(16)})`);
  t.equal(await httpAuth(connectBody), 'deny', 'HTTP auth: revoked in the database too');
  const c2 = await mqtt.connectAsync(broker.url, device('drive-2', d2), false);
  t.teardown(() => c2.endAsync(true));
  await c2.publishAsync('fl/v1/plant-a/drive-2/status', Buffer.from([]), { qos: 1 }).catch(() => undefined);
  t.ok(c2.connected, 'drive-2 is unaffected');
});
