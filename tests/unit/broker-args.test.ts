/**
 * Cluster mode's command line (collector/broker/broker-args.ts, `faultline collector --broker …`):
 * a bad URL, a URL with a password, a missing or empty password file, flags of the embedded broker
 * beside --broker, a bad collector id or share group are usage errors (exit 2) that never echo a
 * password; the password comes from a file or FAULTLINE_BROKER_PASSWORD.
 */
import { writeFileSync } from 'node:fs';
import t from 'tap';
import { brokerSettingsFromArgs, httpAuthSecretFromArgs } from '../../collector/broker/broker-args.js';
import { checkBrokerUrl, displayBrokerUrl } from '../../collector/broker/external-broker.js';
import { collectorCommand } from '../../collector/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

function capture() {
  const out = { stdout: '', stderr: '' };
  const io = { stdout: { write: (s: string) => { out.stdout += s; } }, stderr: { write: (s: string) => { out.stderr += s; } } };
  return { out, io };
}

t.test('usage errors, exit 2, no password echoed', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const empty = `${dir.path}/empty`;
  writeFileSync(empty, '\n');
  const table: Array<[string[], RegExp]> = [
    [['--broker', 'broker.example:1883'], /--broker must use mqtt:\/\/ or mqtts:\/\//],
    [['--broker', 'http://broker.example'], /--broker must use mqtt:\/\/ or mqtts:\/\//],
    [['--broker', 'mqtt://user:hunter2-secret@broker.example'], /carries a user or password/],
    [['--broker', 'mqtt://broker.example', '--broker-user', 'u', '--broker-password-file', `${dir.path}/missing`], /--broker-password-file .*missing: cannot read it \(ENOENT\)/],
    [['--broker', 'mqtt://broker.example', '--broker-user', 'u', '--broker-password-file', empty], /is empty/],
    [['--broker', 'mqtt://broker.example', '--mqtt-port', '1884'], /--broker runs no embedded broker: drop --mqtt-port/],
    [['--broker', 'mqtt://broker.example', '--collector-id', 'a b'], /--collector-id must be/],
    [['--broker', 'mqtt://broker.example', '--share-group', 'a/b'], /--share-group must be/],
    [['--share-group', 'g'], /--share-group need --broker/],
  ];
  for (const [argv, message] of table) {
    const { out, io } = capture();
    t.equal(await collectorCommand(argv, io), 2, argv.join(' '));
    t.match(out.stderr, message, argv.join(' '));
    t.notMatch(out.stderr, /hunter2-secret/, 'the password is never echoed');
  }
});

t.test('settings from flags, file and environment', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const file = `${dir.path}/pw`;
  writeFileSync(file, 's3cret-from-file\n');
  t.same(brokerSettingsFromArgs({ broker: 'mqtts://b.example:8883', 'broker-user': 'service:c1', 'broker-password-file': file, 'share-group': 'plant', 'collector-id': 'host-1' }, {}), {
    url: 'mqtts://b.example:8883', username: 'service:c1', password: 's3cret-from-file', group: 'plant', clientIdPrefix: 'fl-collector-host-1',
  }, 'the trailing newline of the file is not part of the password');
  t.same(brokerSettingsFromArgs({ broker: 'mqtt://b.example', 'broker-user': 'u' }, { FAULTLINE_BROKER_PASSWORD: 'from-env' }), { url: 'mqtt://b.example', username: 'u', password: 'from-env' });
  t.equal(brokerSettingsFromArgs({}, { FAULTLINE_BROKER_PASSWORD: 'x' }), undefined, 'no --broker: the embedded broker');
  t.equal(displayBrokerUrl(checkBrokerUrl('mqtt://b.example')), 'mqtt://b.example:1883');
  t.equal(displayBrokerUrl(checkBrokerUrl('mqtts://b.example')), 'mqtts://b.example:8883');
  t.equal(httpAuthSecretFromArgs({}, {}), undefined, 'HTTP auth off by default');
  t.throws(() => httpAuthSecretFromArgs({}, { FAULTLINE_MQTT_HTTP_AUTH_SECRET: 'short' }), /at least 16 characters/);
});
