/** The device routes over app.inject with a fake RPC client: schemas, error statuses, write confirmation and keys, audit. */
import type { InjectOptions } from 'fastify';
import t from 'tap';
import type { DeviceRpc, DeviceRpcOp, RpcAnswer } from '../../collector/rpc/device-rpc.js';
import { agentError, offlineError, timeoutError } from '../../collector/rpc/rpc-errors.js';
import { DeviceProvisioning } from '../../collector/security/device-provisioning.js';
import { FaultlineError } from '../../protocol/errors.js';
import { apiCaller } from '../helpers/api-auth.js';
import { deskHarness, fault, T0 } from '../helpers/desk-harness.js';
import { deskApi } from '../helpers/desk-api.js';

type Json = Record<string, unknown> & { error?: { code: string; message: string; problems?: string[]; hint?: string } };

class FakeRpc implements DeviceRpc {
  calls: DeviceRpcOp[] = [];
  next: (op: DeviceRpcOp) => RpcAnswer = () => ({ response: { id: 'x', ok: true, values: [] }, requestedAtMs: 1, answeredAtMs: 2 });
  connected: boolean | undefined = true;
  async request(_t: { site: string; device: string }, op: DeviceRpcOp): Promise<RpcAnswer> {
    this.calls.push(op);
    return this.next(op);
  }
  isConnected(): boolean | undefined {
    return this.connected;
  }
}

t.test('device detail, live reads, writes and credentials through the API', async (t) => {
  const h = await deskHarness(t);
  const rpc = new FakeRpc();
  const provisioning = new DeviceProvisioning(h.store);
  const app = await deskApi(t, h, { web: false, devices: { rpc, provisioning } });
  await h.commit({
    kind: 'birth', receivedMs: T0,
    birth: {
      site: 'plant-a', device: 'drive-1', adapterId: 'generic-vfd', model: 'VFD-4000', firmware: '2.3.1', agentVersion: '0.1.0', timeMs: T0, sessionId: 's1',
      parameters: [
        { name: 'motor_current', unit: 'A', description: 'Motor current', writable: false, source: 'modbus' },
        { name: 'frequency_setpoint', unit: 'Hz', description: 'Set point', writable: true, source: 'modbus', writeRange: { min: 0, max: 60 } },
      ],
    },
  }, fault('raise', T0));
  const lena = await apiCaller(h.store, 'engineer', 'lena');
  const admin = await apiCaller(h.store, 'admin', 'root');
  const viewer = await apiCaller(h.store, 'viewer', 'vic');
  const call = async (o: InjectOptions) => {
    const res = await app.inject({ ...o, headers: { ...(o.url?.toString().startsWith('/api/admin/') ? admin.headers : lena.headers), ...(o.headers ?? {}) } });
    return { status: res.statusCode, body: res.json() as Json, headers: res.headers };
  };

  await t.test('GET one device', async (t) => {
    t.equal((await call({ method: 'GET', url: '/api/devices/plant-a/nope' })).status, 404);
    t.equal((await call({ method: 'GET', url: '/api/devices/plant-a/bad%20id' })).status, 400);
    rpc.connected = false;
    const { status, body } = await call({ method: 'GET', url: '/api/devices/plant-a/drive-1' });
    t.equal(status, 200);
    t.match(body, {
      device: 'drive-1', site: 'plant-a', online: false, registryOnline: true, openAlarms: 1, writeKey: false,
      birth: { adapterId: 'generic-vfd', model: 'VFD-4000', firmware: '2.3.1', agentVersion: '0.1.0', atMs: T0 },
      catalogue: [{ name: 'motor_current', unit: 'A', writable: false }, { name: 'frequency_setpoint', unit: 'Hz', writable: true }],
      status: null,
    });
    rpc.connected = true;
    t.equal((await call({ method: 'GET', url: '/api/devices/plant-a/drive-1', headers: viewer.headers })).status, 200, 'viewers see devices');
    t.equal((await call({ method: 'POST', url: '/api/devices/plant-a/drive-1/live', headers: viewer.headers })).status, 403, 'but do not read them live');
    t.equal((await call({ method: 'GET', url: '/api/admin/devices', headers: lena.headers })).status, 403, 'credentials are for admins');
  });

  await t.test('live read: values with units; errors keep their codes', async (t) => {
    rpc.next = () => ({
      response: { id: 'x', ok: true, values: [{ parameter: 'motor_current', value: 12.5, quality: 'good', timeMs: 7 }] }, requestedAtMs: 10, answeredAtMs: 12,
    });
    const ok = await call({ method: 'POST', url: '/api/devices/plant-a/drive-1/live', payload: { names: ['motor_current'] } });
    t.equal(ok.status, 200);
    t.same(ok.body, { values: [{ name: 'motor_current', value: 12.5, unit: 'A', quality: 'good', timeMs: 7 }], requestedAtMs: 10, answeredAtMs: 12 });
    t.same(rpc.calls.at(-1), { kind: 'read', names: ['motor_current'] });
    const all = await call({ method: 'POST', url: '/api/devices/plant-a/drive-1/live' });
    t.equal(all.status, 200, 'no body: every parameter');
    t.same(rpc.calls.at(-1), { kind: 'read', names: [] });
    t.equal((await call({ method: 'POST', url: '/api/devices/plant-a/drive-1/live', payload: { names: [{}] } })).status, 400);
    t.equal((await call({ method: 'POST', url: '/api/devices/plant-a/drive-1/live', payload: { timeoutMs: 60_000 } })).status, 400, 'at most 30 s');
    t.equal((await call({ method: 'POST', url: '/api/devices/plant-a/drive-1/live', payload: { extra: 1 } })).status, 400);
    t.equal((await call({ method: 'POST', url: '/api/devices/plant-a/ghost/live', payload: {} })).status, 404);

    const target = { site: 'plant-a', device: 'drive-1' };
    const cases: Array<[FaultlineError, number]> = [
      [offlineError(target), 503],
      [timeoutError(target, 5000), 504],
      [agentError(target, { id: 'x', ok: false, values: [], error: { code: 'FL_ERR_RPC_UNKNOWN_PARAMETER', message: 'unknown parameter(s): nope (FL_ERR_RPC_UNKNOWN_PARAMETER)' } }), 422],
      [agentError(target, { id: 'x', ok: false, values: [], error: { code: 'FL_ERR_RPC_DEVICE_NOT_ANSWERING', message: 'modbus timeout' } }), 502],
    ];
    for (const [err, status] of cases) {
      rpc.next = () => { throw err; };
      const res = await call({ method: 'POST', url: '/api/devices/plant-a/drive-1/live', payload: { names: ['nope'] } });
      t.equal(res.status, status, err.code);
      t.equal(res.body.error?.code, err.code);
    }
    rpc.next = () => { throw cases[2]![0]; };
    const unknown = await call({ method: 'POST', url: '/api/devices/plant-a/drive-1/live', payload: { names: ['nope'] } });
    t.same(unknown.body.error?.problems, ['nope'], 'the unknown parameter is named');

    const audit = h.store.repo.audit.list({ subject: "plant-a/drive-1", limit: 50 });
    t.ok(audit.length >= 6, 'every request audited');
    t.match(audit[0], { actor: { kind: 'user', id: 'lena' }, action: 'live-read', details: { outcome: 'ok', parameters: 'motor_current' } });
    t.ok(audit.some((r) => r.details.code === 'FL_ERR_RPC_OFFLINE' && r.details.outcome === 'failed'), 'failures audited with their code');
  });

  await t.test('writes need confirm and a write key', async (t) => {
    const before = rpc.calls.length;
    const values = [{ name: 'frequency_setpoint', value: 42.5 }];
    const unconfirmed = await call({ method: 'POST', url: '/api/devices/plant-a/drive-1/write', payload: { values } });
    t.equal(unconfirmed.status, 400);
    t.equal(unconfirmed.body.error?.code, 'FL_ERR_DEVICE_WRITE_UNCONFIRMED');
    t.equal((await call({ method: 'POST', url: '/api/devices/plant-a/drive-1/write', payload: { values, confirm: false } })).status, 400);
    t.equal((await call({ method: 'POST', url: '/api/devices/plant-a/drive-1/write', payload: { values: [], confirm: true } })).status, 400);
    t.equal((await call({ method: 'POST', url: '/api/devices/plant-a/drive-1/write', payload: { values: [{ name: 'x', value: 'y' }], confirm: true } })).status, 400);
    // Strict values (issue #14 item 4): nothing is coerced; the 400 names the field and says why.
    const strict: Array<[string, unknown, RegExp]> = [
      ['a numeric string', { values: [{ name: 'frequency_setpoint', value: '30' }], confirm: true }, /values\/0\/value must be number/],
      ['a boolean value', { values: [{ name: 'frequency_setpoint', value: true }], confirm: true }, /values\/0\/value must be number/],
      ['null', { values: [{ name: 'frequency_setpoint', value: null }], confirm: true }, /values\/0\/value must be number/],
      ['an array', { values: [{ name: 'frequency_setpoint', value: [30] }], confirm: true }, /values\/0\/value must be number/],
      ['a numeric name', { values: [{ name: 7, value: 30 }], confirm: true }, /values\/0\/name must be string/],
      ['confirm as a string', { values, confirm: 'true' }, /confirm must be boolean/],
      ['timeoutMs as a string', { values, confirm: true, timeoutMs: '5000' }, /timeoutMs must be integer/],
    ];
    for (const [what, payload, message] of strict) {
      const res = await call({ method: 'POST', url: '/api/devices/plant-a/drive-1/write', payload: payload as Record<string, unknown> });
      t.equal(res.status, 400, `${what} is refused`);
      t.equal(res.body.error?.code, 'FL_ERR_API_BAD_REQUEST', what);
      t.match(res.body.error?.message, message, `${what}: the message names the field (${res.body.error?.message})`);
    }
    const noKey = await call({ method: 'POST', url: '/api/devices/plant-a/drive-1/write', payload: { values, confirm: true } });
    t.equal(noKey.status, 409);
    t.equal(noKey.body.error?.code, 'FL_ERR_DEVICE_NO_WRITE_KEY');
    t.equal(rpc.calls.length, before, 'nothing was sent');

    const issued = await call({ method: 'POST', url: '/api/admin/devices', payload: { site: 'plant-a', device: 'drive-1' } });
    t.equal(issued.status, 200);
    t.match(issued.body, { username: 'plant-a/drive-1', password: /^\S{32}$/, writeKey: /^\S{43}$/, replaced: false });
    t.equal(issued.headers['cache-control'], 'no-store', 'the one reply holding the secrets is not cached');
    rpc.next = () => ({
      response: { id: 'x', ok: true, values: [{ parameter: 'frequency_setpoint', value: 42.5, quality: 'good', timeMs: 9 }] }, requestedAtMs: 20, answeredAtMs: 25,
    });
    const ok = await call({ method: 'POST', url: '/api/devices/plant-a/drive-1/write', payload: { values, confirm: true } });
    t.equal(ok.status, 200);
    t.same(ok.body.values, [{ name: 'frequency_setpoint', value: 42.5, unit: 'Hz', quality: 'good', timeMs: 9 }]);
    t.same(rpc.calls.at(-1), { kind: 'write', values, writeKey: issued.body.writeKey }, 'signed with the stored key');
    const audit = h.store.repo.audit.list({ subject: 'plant-a/drive-1', limit: 100 }).filter((r) => r.action === 'write');
    t.same(audit.map((r) => r.details.code), ['FL_ERR_DEVICE_WRITE_UNCONFIRMED', 'FL_ERR_DEVICE_WRITE_UNCONFIRMED', 'FL_ERR_DEVICE_NO_WRITE_KEY', null]);
    t.match(audit.at(-1), { actor: { id: 'lena' }, details: { outcome: 'applied', values: 'frequency_setpoint=42.5' } });
    t.equal(ok.body.outcome, 'applied');
    t.notOk(JSON.stringify(h.store.repo.audit.list({ limit: 1000 })).includes(String(issued.body.writeKey)), 'the key is never audited');

    const sent = rpc.calls.length;
    const outside = await call({ method: 'POST', url: '/api/devices/plant-a/drive-1/write', payload: { values: [{ name: 'frequency_setpoint', value: 75 }], confirm: true } });
    t.equal(outside.status, 422);
    t.equal(outside.body.error?.code, 'FL_ERR_RPC_BAD_VALUE');
    t.same(outside.body.error?.problems, ['"frequency_setpoint": 75 Hz is outside 0–60 Hz'], 'the value and the announced range are named');
    t.equal(rpc.calls.length, sent, 'a value outside the announced range is not sent to the device');
    t.match(h.store.repo.audit.list({ subject: 'plant-a/drive-1', limit: 100 }).at(-1), { action: 'write', details: { outcome: 'not-applied', code: 'FL_ERR_RPC_BAD_VALUE' } },
      'and the refused write is audited as not applied');

    // Write outcomes (issue #14 item 3): unknown is a 202, never a failure; not applied keeps its error status.
    const target = { site: 'plant-a', device: 'drive-1' };
    const outcomes: Array<[string, () => RpcAnswer, number, string]> = [
      ['the agent could not tell', () => { throw agentError(target, { id: 'x', ok: false, writeOutcome: 'unknown', values: [], error: { code: 'FL_ERR_RPC_WRITE_UNKNOWN', message: 'the device did not answer the write nor a read-back' } }); }, 202, 'unknown'],
      ['the agent never answered', () => { throw timeoutError(target, 5000); }, 202, 'unknown'],
      ['the device refused it', () => { throw agentError(target, { id: 'x', ok: false, writeOutcome: 'not-applied', values: [], error: { code: 'FL_ERR_RPC_WRITE_REFUSED', message: 'exception 4' } }); }, 502, 'not-applied'],
      ['the device is offline', () => { throw offlineError(target); }, 503, 'not-applied'],
    ];
    for (const [what, next, status, outcome] of outcomes) {
      rpc.next = next;
      const res = await call({ method: 'POST', url: '/api/devices/plant-a/drive-1/write', payload: { values, confirm: true } });
      t.equal(res.status, status, `${what}: ${status}`);
      if (status === 202) t.match(res.body, { outcome: 'unknown', values: [], message: /.+/ }, `${what}: the body says the outcome is unknown`);
      t.match(h.store.repo.audit.list({ subject: 'plant-a/drive-1', limit: 100 }).at(-1), { action: 'write', details: { outcome } }, `${what}: audited ${outcome}`);
    }
  });

  await t.test('device credentials', async (t) => {
    const again = await call({ method: 'POST', url: '/api/admin/devices', payload: { site: 'plant-a', device: 'drive-1' } });
    t.equal(again.status, 409);
    t.equal(again.body.error?.code, 'FL_ERR_SECURITY_CREDENTIAL_EXISTS');
    const rotated = await call({ method: 'POST', url: '/api/admin/devices', payload: { site: 'plant-a', device: 'drive-1', replace: true } });
    t.equal(rotated.status, 200);
    t.equal(rotated.body.replaced, true);
    t.equal(await h.store.deviceKeys.get('plant-a', 'drive-1'), rotated.body.writeKey, 'the new key is the one stored');
    const list = await call({ method: 'GET', url: '/api/admin/devices' });
    t.match(list.body, { credentials: [{ username: 'plant-a/drive-1', kind: 'device', writeKey: true, revokedMs: null }] });
    t.notOk(JSON.stringify(list.body).includes(String(rotated.body.password)), 'no secret listed');
    t.equal((await call({ method: 'GET', url: '/api/devices/plant-a/drive-1' })).body.writeKey, true);
    t.equal((await call({ method: 'DELETE', url: '/api/admin/devices/plant-a/drive-1' })).status, 200);
    t.equal((await call({ method: 'DELETE', url: '/api/admin/devices/plant-a/drive-1' })).status, 404);
    t.equal(await h.store.deviceKeys.has('plant-a', 'drive-1'), false, 'the write key is forgotten');
    const actions = h.store.repo.audit.list({ subject: 'plant-a/drive-1', limit: 100 }).map((r) => r.action);
    t.same(actions.filter((a) => a.startsWith('credential-')), ['credential-issue', 'credential-rotate', 'credential-revoke']);
    t.ok(h.store.repo.audit.list({ subject: 'plant-a/drive-1', limit: 100 }).filter((r) => r.action.startsWith('credential-')).every((r) => r.actor.id === 'root'));
  });
});
