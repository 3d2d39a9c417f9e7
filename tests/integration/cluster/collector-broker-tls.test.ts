/**
 * `faultline collector --broker mqtts://… --broker-ca FILE` against a real Mosquitto with a TLS
 * listener (a throwaway self-signed certificate): the collector trusts the broker through the CA
 * file, takes a device's event through the shared subscription and commits it; without the CA it
 * refuses to start with a clear error (exit 1) instead of running without its ingest. The broker
 * user's password comes from --broker-password-file and appears nowhere in the output.
 */
import { execFile } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import t from 'tap';
import { openStore } from '../../../collector/store/index.js';
import { encodeFaultEvent } from '../../../protocol/codec.js';
import { silentLogger } from '../../../protocol/logger.js';
import { apiCaller } from '../../helpers/api-auth.js';
import { FAULTLINE_CLI, startCollectorProcess } from '../../helpers/collector-process.js';
import { faultEvent } from '../../helpers/delivery-harness.js';
import { startMosquitto } from '../../helpers/mosquitto-server.js';
import { selfSignedCert } from '../../helpers/self-signed-cert.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { waitFor } from '../../helpers/wait.js';

const run = promisify(execFile);
const PASSWORD = 'broker-pw-7f3a9c1e';
// Three collector starts (modules load slowly on a loaded machine): beyond tap's 120 s default.
t.setTimeout(420_000);

t.test('a collector on an MQTTS broker it trusts through --broker-ca', async (t) => {
  const certs = tempDir('faultline-broker-tls-');
  t.teardown(certs.remove);
  chmodSync(certs.path, 0o755);
  const { certFile, keyFile } = selfSignedCert(certs.path);
  chmodSync(keyFile, 0o644); // the broker may run as another (unprivileged) user
  const broker = await startMosquitto({ settings: { certfile: certFile, keyfile: keyFile } });
  t.teardown(() => broker.stop());
  const url = `mqtts://127.0.0.1:${broker.port}`;

  const dir = tempDir('faultline-collector-tls-');
  t.teardown(dir.remove);
  const passwordFile = `${dir.path}/broker-password`;
  writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  const args = ['--broker', url, '--broker-user', 'service:collector-1', '--broker-password-file', passwordFile, '--data-dir', `${dir.path}/data`];

  const refused = await run(process.execPath, [FAULTLINE_CLI, 'collector', '--http-host', '127.0.0.1', '--http-port', '0', ...args], { timeout: 150_000 })
    .then(() => undefined, (e: unknown) => e as { code: number; stderr: string; stdout: string });
  t.equal(refused?.code, 1, 'without --broker-ca: exit 1');
  t.match(refused?.stderr ?? '', /cannot connect to the broker at mqtts:\/\/127\.0\.0\.1:\d+ .*self[- ]signed/i, 'says why: the broker\'s certificate is not trusted');
  t.notOk(`${refused?.stdout ?? ''}${refused?.stderr ?? ''}`.includes(PASSWORD), 'the password is not in the output');

  const store = await openStore({ dataDir: `${dir.path}/data`, log: silentLogger(), nowMs: Date.now() });
  const admin = await apiCaller(store, 'admin');
  await store.close();
  const collector = await startCollectorProcess([...args, '--broker-ca', certFile, '--collector-id', 'tls-1']);
  t.teardown(() => collector.stop());

  const device = await mqtt.connectAsync(url, { protocolVersion: 5, clientId: 'fl-plant-a-drive-1', ca: readFileSync(certFile), reconnectPeriod: 0 });
  t.teardown(() => device.endAsync(true));
  await device.publishAsync('fl/v1/plant-a/drive-1/event', Buffer.from(encodeFaultEvent(faultEvent('plant-a', 'drive-1', 1))), { qos: 1 });
  const health = await waitFor('the event committed', async () => {
    const h = await (await fetch(`${collector.httpUrl}/api/health`, { headers: admin.headers })).json() as { ingest: { eventsCommitted: number }; broker: { url: string; subscriber: { connected: number } } };
    return h.ingest.eventsCommitted === 1 ? h : undefined;
  }, 15_000);
  t.match(health.broker, { url, subscriber: { connected: 8 } }, 'all members connected over TLS');
  await collector.stop();
  t.notOk(collector.log().join('\n').includes(PASSWORD), 'the password is not in the collector\'s log');
});
