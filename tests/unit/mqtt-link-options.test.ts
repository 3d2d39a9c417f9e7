/** The MQTT link's pure parts: reconnect backoff with jitter, TLS option checks, URL redaction. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { checkBackoff, DEFAULT_BACKOFF, reconnectDelay } from '../../agent/mqtt/backoff.js';
import { checkAgentConfig } from '../../agent/config/load-config.js';
import { checkBrokerUrl, isTlsUrl, redactUrl, tlsOptions } from '../../agent/mqtt/client-options.js';
import { tempDir } from '../helpers/temp-dir.js';

t.test('backoff grows exponentially, is capped, never goes under the floor, and is jittered', async (t) => {
  const o = { minMs: 100, maxMs: 5000 };
  const low = (n: number): number => reconnectDelay(n, o, () => 0);
  const high = (n: number): number => reconnectDelay(n, o, () => 0.999999);
  t.same([0, 1, 2, 3, 4, 5, 6, 10, 1000].map(high), [100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000], 'ceiling doubles up to maxMs');
  t.same([0, 1, 5, 1000].map(low), [100, 100, 100, 100], 'floor is minMs');
  t.equal(reconnectDelay(3, o, () => 0.5), 450, 'uniform between floor and ceiling');
  const spread = new Set(Array.from({ length: 50 }, () => reconnectDelay(6, o)));
  t.ok(spread.size > 10, `Math.random spreads the delays (${spread.size} distinct of 50)`);
  for (const d of spread) t.ok(d >= 100 && d <= 5000, `${d} within bounds`);
  t.equal(reconnectDelay(-1, o, () => 0.999999), 100, 'a negative attempt counts as the first');
  checkBackoff(o);
  t.throws(() => checkBackoff({ minMs: 0, maxMs: 10 }), { code: 'FL_ERR_MQTT_CONFIG' });
  t.throws(() => checkBackoff({ minMs: 100, maxMs: 50 }), { code: 'FL_ERR_MQTT_CONFIG' });
});

t.test('after a long outage the agent retries within ~10 s by default, jittered (issue #14 item 6)', async (t) => {
  const config = checkAgentConfig({ devices: [{ id: 'drive-1', site: 'plant', model: 'VFD-4000', firmware: '2.3.1' }] }, 'test');
  t.same(config.mqtt.reconnect, DEFAULT_BACKOFF, 'the config default is the link default');
  const worst = Math.max(...Array.from({ length: 200 }, (_, n) => reconnectDelay(n, config.mqtt.reconnect, () => 0.999999)));
  t.ok(worst <= 10_000, `the longest wait after any number of failed attempts: ${worst} ms`);
  const late = new Set(Array.from({ length: 50 }, () => reconnectDelay(30, config.mqtt.reconnect)));
  t.ok(late.size > 10, `still jittered once capped (${late.size} distinct of 50)`);
  const custom = checkAgentConfig({ mqtt: { reconnect: { minMs: 500, maxMs: 3000 } }, devices: [{ id: 'drive-1', site: 'plant', model: 'VFD-4000', firmware: '2.3.1' }] }, 'test');
  t.equal(reconnectDelay(100, custom.mqtt.reconnect, () => 0.999999), 3000, 'configurable');
});

t.test('TLS options: files read, mismatches refused with the key and path named', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const ca = join(dir.path, 'ca.pem');
  writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n');
  t.ok(isTlsUrl('mqtts://broker:8883'));
  t.ok(isTlsUrl('ssl://broker:8883'));
  t.notOk(isTlsUrl('mqtt://broker:1883'));
  t.notOk(isTlsUrl('not a url'));
  t.same(tlsOptions('mqtt://broker:1883', undefined), {}, 'plain URL, no TLS');
  t.same(tlsOptions('mqtts://broker:8883', undefined), { rejectUnauthorized: true }, 'TLS with system CAs, verified by default');
  const withCa = tlsOptions('mqtts://broker:8883', { caFile: ca });
  t.ok(Buffer.isBuffer(withCa.ca), 'CA file read');
  t.equal(withCa.rejectUnauthorized, true);
  t.equal(tlsOptions('mqtts://broker:8883', { rejectUnauthorized: false }).rejectUnauthorized, false);
  t.throws(() => tlsOptions('mqtt://broker:1883', { caFile: ca }), { code: 'FL_ERR_MQTT_TLS_CONFIG', message: /not a TLS URL/ });
  t.throws(() => tlsOptions('mqtts://broker:8883', { certFile: ca }), { code: 'FL_ERR_MQTT_TLS_CONFIG', message: /go together/ });
  const missing = join(dir.path, 'nope.pem');
  t.throws(() => tlsOptions('mqtts://broker:8883', { caFile: missing }), { code: 'FL_ERR_MQTT_TLS_FILE', message: new RegExp(`mqtt\\.tls\\.caFile ${missing}`) });
});

t.test('broker URLs are checked before the first attempt', async (t) => {
  for (const good of ['mqtt://127.0.0.1:1883', 'mqtts://broker.example:8883', 'tcp://h:1', 'ssl://h:8883']) checkBrokerUrl(good);
  for (const bad of ['http://h:80', 'mqtt://', 'broker:1883', '']) t.throws(() => checkBrokerUrl(bad), { code: 'FL_ERR_MQTT_CONFIG' }, JSON.stringify(bad));
  t.throws(() => checkBrokerUrl('ftp://u:secret@h'), { message: /^(?!.*secret)/ }, 'the message does not repeat a password');
});

t.test('credentials in a broker URL never reach a log line', async (t) => {
  t.equal(redactUrl('mqtts://dev:s3cret@broker.example:8883'), 'mqtts://broker.example:8883');
  t.equal(redactUrl('mqtt://127.0.0.1:1883'), 'mqtt://127.0.0.1:1883');
  t.notMatch(redactUrl('mqtt://u:p@h:1'), /p@/);
});
