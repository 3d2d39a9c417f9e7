/** The pure parts of engineers' device requests: deadlines, the pending map, agent errors, write signing, audit records, sealed write keys. */
import t from 'tap';
import { WriteAuthorizer } from '../../agent/rpc-auth.js';
import { deviceRequestRecord } from '../../collector/core/devices/device-audit.js';
import { PendingRequests } from '../../collector/rpc/pending-requests.js';
import { agentError, agentMessageText, namedParameters } from '../../collector/rpc/rpc-errors.js';
import { DEFAULT_RPC_TIMEOUT_MS, MAX_RPC_TIMEOUT_MS, rpcTimeoutMs } from '../../collector/rpc/rpc-timeouts.js';
import { signWrite } from '../../collector/rpc/write-signature.js';
import { generateWriteKey, openWriteKey, sealWriteKey } from '../../collector/security/write-key-cipher.js';
import { FaultlineError } from '../../protocol/errors.js';
import { writeSigningText } from '../../protocol/rpc-signing.js';

t.test('request deadlines: 5 s by default, never more than 30 s', async (t) => {
  t.equal(rpcTimeoutMs(undefined), DEFAULT_RPC_TIMEOUT_MS);
  t.equal(rpcTimeoutMs(undefined, 30_000), 30_000, 'a write waits as long as it is valid');
  t.equal(rpcTimeoutMs(1234.7), 1234);
  t.equal(rpcTimeoutMs(10 * 60_000), MAX_RPC_TIMEOUT_MS);
  t.equal(rpcTimeoutMs(0), 100);
  t.equal(rpcTimeoutMs(Number.NaN), DEFAULT_RPC_TIMEOUT_MS);
});

t.test('pending requests: matched by id and device, bounded, drained', async (t) => {
  const p = new PendingRequests<{ site: string; device: string; n: number }>(2);
  p.add('a', { site: 's', device: 'd1', n: 1 });
  p.add('b', { site: 's', device: 'd2', n: 2 });
  t.throws(() => p.add('c', { site: 's', device: 'd1', n: 3 }), { code: 'FL_ERR_RPC_BUSY' }, 'bounded');
  t.throws(() => p.add('a', { site: 's', device: 'd1', n: 3 }), { code: 'FL_ERR_RPC_DUPLICATE_ID' });
  t.equal(p.settle('a', { site: 's', device: 'd2' }), undefined, 'an answer from another device does not settle a request');
  t.equal(p.size, 2);
  t.equal(p.settle('a', { site: 's', device: 'd1' })?.n, 1);
  t.equal(p.settle('a', { site: 's', device: 'd1' }), undefined, 'settled once');
  p.add('c', { site: 's', device: 'd2', n: 3 });
  t.same(p.takeDevice({ site: 's', device: 'd2' }).map((e) => e.n).sort(), [2, 3], 'a device going offline fails all its requests');
  p.add('d', { site: 's', device: 'd1', n: 4 });
  t.equal(p.take('d')?.n, 4);
  t.equal(p.take('d'), undefined);
  p.add('e', { site: 's', device: 'd1', n: 5 });
  t.same(p.drain().map((e) => e.n), [5]);
  t.equal(p.size, 0);
});

t.test('agent error answers keep the agent\'s code and name the parameters', async (t) => {
  t.equal(agentMessageText('unknown parameter(s): foo, bar (FL_ERR_RPC_UNKNOWN_PARAMETER)'), 'unknown parameter(s): foo, bar');
  t.same(namedParameters('unknown parameter(s): foo, bar (FL_ERR_RPC_UNKNOWN_PARAMETER)'), ['foo', 'bar']);
  t.same(namedParameters('parameter "motor_current" is not writable (FL_ERR_RPC_NOT_WRITABLE)'), ['motor_current']);
  t.same(namedParameters('device did not answer'), []);
  const e = agentError({ site: 'plant-a', device: 'drive-1' }, {
    id: 'x', ok: false, values: [], error: { code: 'FL_ERR_RPC_UNKNOWN_PARAMETER', message: 'unknown parameter(s): nope (FL_ERR_RPC_UNKNOWN_PARAMETER)' },
  });
  t.ok(e instanceof FaultlineError);
  t.equal(e.code, 'FL_ERR_RPC_UNKNOWN_PARAMETER');
  t.equal(e.message, 'device plant-a/drive-1: unknown parameter(s): nope');
  t.same(e.context.problems, ['nope']);
  t.ok(e.hint);
  const odd = agentError({ site: 's', device: 'd' }, { id: 'x', ok: false, values: [], error: { code: 'not a code', message: '' } });
  t.equal(odd.code, 'FL_ERR_RPC_DEVICE_ERROR', 'a malformed code is not passed on');
});

t.test('the collector\'s write signature is the one the agent checks', async (t) => {
  const key = generateWriteKey();
  t.ok(key.length >= 16);
  const values = [{ name: 'frequency_setpoint', value: 42.5 }];
  const now = 1_700_000_000_000;
  const deadline = now + 30_000;
  const auth = new WriteAuthorizer(key, 'plant-a', 'drive-1');
  t.doesNotThrow(() => auth.check('id-1', deadline, values, signWrite(key, 'plant-a', 'drive-1', 'id-1', deadline, values), now));
  t.throws(() => auth.check('id-2', deadline, [{ name: 'frequency_setpoint', value: 50 }], signWrite(key, 'plant-a', 'drive-1', 'id-2', deadline, values), now),
    { code: 'FL_ERR_RPC_UNAUTHORIZED' }, 'the signature covers the values');
  t.throws(() => auth.check('id-3', deadline, values, signWrite(key, 'plant-a', 'drive-2', 'id-3', deadline, values), now),
    { code: 'FL_ERR_RPC_UNAUTHORIZED' }, 'and the device');
  t.throws(() => auth.check('id-4', deadline, values, signWrite(generateWriteKey(), 'plant-a', 'drive-1', 'id-4', deadline, values), now),
    { code: 'FL_ERR_RPC_UNAUTHORIZED' }, 'and is keyed with the device\'s key');
  // A write of one oddly named parameter must not sign like a write of two.
  const one = [{ name: 'a=1;b', value: 2 }];
  const two = [{ name: 'a', value: 1 }, { name: 'b', value: 2 }];
  t.throws(() => auth.check('id-5', deadline, two, signWrite(key, 'plant-a', 'drive-1', 'id-5', deadline, one), now),
    { code: 'FL_ERR_RPC_UNAUTHORIZED' }, 'names and values are signed unambiguously');
  t.not(writeSigningText('a', 'b/c', 'x', 1, []), writeSigningText('a/b', 'c', 'x', 1, []), 'site and device are told apart too');
});

t.test('write keys are sealed to their device', async (t) => {
  const master = Buffer.alloc(32, 7);
  const sealed = sealWriteKey(master, 'plant-a/drive-1', 'the-write-key-123456');
  t.notOk(sealed.includes('the-write-key'), 'not stored in the clear');
  t.equal(openWriteKey(master, 'plant-a/drive-1', sealed), 'the-write-key-123456');
  t.throws(() => openWriteKey(master, 'plant-a/drive-2', sealed), { code: 'FL_ERR_SECURITY_WRITE_KEY_SEALED' }, 'a row moved to another device does not open');
  t.throws(() => openWriteKey(Buffer.alloc(32, 8), 'plant-a/drive-1', sealed), { code: 'FL_ERR_SECURITY_WRITE_KEY_SEALED' }, 'another key file does not open it');
  t.throws(() => openWriteKey(master, 'plant-a/drive-1', 'garbage'), { code: 'FL_ERR_SECURITY_WRITE_KEY_SEALED' });
});

t.test('audit records of device requests: who, which parameters, which values, the outcome', async (t) => {
  const actor = { kind: 'user' as const, id: 'lena' };
  const write = deviceRequestRecord({ atMs: 5, actor, site: 'plant-a', device: 'drive-1', action: 'write', parameters: ['frequency_setpoint'], values: [{ name: 'frequency_setpoint', value: 42.5 }] });
  t.same(write.subject, { kind: 'device', id: 'plant-a/drive-1' });
  t.equal(write.action, 'write');
  t.same(write.details, { outcome: 'ok', code: null, parameters: 'frequency_setpoint', values: 'frequency_setpoint=42.5' });
  t.same(write.actor, actor);
  const failed = deviceRequestRecord({ atMs: 5, actor, site: 'plant-a', device: 'drive-1', action: 'live-read', parameters: [], error: { code: 'FL_ERR_RPC_OFFLINE', message: 'offline' } });
  t.same(failed.details, { outcome: 'failed', code: 'FL_ERR_RPC_OFFLINE', parameters: '*' });
  t.match(failed.reason, /live read failed: offline/);
  const unknown = deviceRequestRecord({
    atMs: 5, actor, site: 'plant-a', device: 'drive-1', action: 'write', parameters: ['accel_time'], values: [{ name: 'accel_time', value: 3 }],
    error: { code: 'FL_ERR_RPC_WRITE_UNKNOWN', message: 'no answer' }, writeOutcome: 'unknown',
  });
  t.match(unknown.details, { outcome: 'unknown', code: 'FL_ERR_RPC_WRITE_UNKNOWN' }, 'a write of unknown outcome is audited as such');
  t.notMatch(unknown.reason, /failed/, `never as a failure: ${unknown.reason}`);
  const refused = deviceRequestRecord({
    atMs: 5, actor, site: 'plant-a', device: 'drive-1', action: 'write', values: [{ name: 'accel_time', value: 3 }],
    error: { code: 'FL_ERR_RPC_WRITE_REFUSED', message: 'exception 4' }, writeOutcome: 'not-applied',
  });
  t.match(refused, { details: { outcome: 'not-applied' }, reason: /write not applied: exception 4/ });
});
