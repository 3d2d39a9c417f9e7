/** The broker ACL (collector/security/acl-rules.ts): what a device, a service and an anonymous client may do. */
import t from 'tap';
import {
  deviceClientId, mayLeaveWill, mayPublish, maySubscribe, mayUseClientId, type Principal,
} from '../../collector/security/acl-rules.js';

const device: Principal = { kind: 'device', username: 'plant-a/drive-1', site: 'plant-a', device: 'drive-1', credentialId: 1, changeSeq: 1 };
const service: Principal = { kind: 'service', username: 'service:rpc', name: 'rpc', credentialId: 2, changeSeq: 2 };
const anonymous: Principal = { kind: 'anonymous' };

t.test('publish: a device only under its own fl/v1/{site}/{device}/, never rpc/req', async (t) => {
  const cases: Array<[Principal, string, boolean]> = [
    [device, 'fl/v1/plant-a/drive-1/event', true],
    [device, 'fl/v1/plant-a/drive-1/birth', true],
    [device, 'fl/v1/plant-a/drive-1/death', true],
    [device, 'fl/v1/plant-a/drive-1/status', true],
    [device, 'fl/v1/plant-a/drive-1/telemetry', true],
    [device, 'fl/v1/plant-a/drive-1/rpc/res', true],
    [device, 'fl/v1/plant-a/drive-1/rpc/req', false],
    [device, 'fl/v1/plant-a/drive-1/receipt', false],
    [device, 'fl/v1/plant-a/drive-2/event', false],
    [device, 'fl/v1/plant-b/drive-1/event', false],
    [device, 'fl/v1/plant-a/drive-10/event', false],
    [device, 'fl/v1/plant-a/drive-1/event/extra', false],
    [device, 'fl/v1/plant-a/drive-1/', false],
    [device, 'other/topic', false],
    [device, '$SYS/x', false],
    [service, 'fl/v1/plant-a/drive-1/rpc/req', true],
    [service, 'anything/at/all', true],
    [service, '$SYS/x', false],
    [anonymous, 'fl/v1/plant-a/drive-2/event', true],
  ];
  for (const [p, topic, ok] of cases) t.equal(mayPublish(p, topic).ok, ok, `${p.kind} publish ${topic}`);
  const refused = mayPublish(device, 'fl/v1/plant-a/drive-2/event');
  t.match(refused, { ok: false, reason: /only under fl\/v1\/plant-a\/drive-1\// });
});

t.test('subscribe: a device only to its own rpc/req and receipt, no wildcards', async (t) => {
  const cases: Array<[Principal, string, boolean]> = [
    [device, 'fl/v1/plant-a/drive-1/rpc/req', true],
    [device, 'fl/v1/plant-a/drive-1/receipt', true],
    [device, 'fl/v1/plant-a/drive-2/receipt', false],
    [device, 'fl/v1/plant-a/+/receipt', false],
    [device, 'fl/v1/+/+/receipt', false],
    [device, 'fl/v1/plant-a/drive-1/rpc/res', false],
    [device, 'fl/v1/plant-a/drive-1/#', false],
    [device, 'fl/v1/plant-a/+/rpc/req', false],
    [device, 'fl/v1/plant-a/drive-2/rpc/req', false],
    [device, '#', false],
    [service, 'fl/v1/+/+/rpc/res', true],
    [anonymous, '#', true],
  ];
  for (const [p, filter, ok] of cases) t.equal(maySubscribe(p, filter).ok, ok, `${p.kind} subscribe ${filter}`);
});

t.test('client id: a device must use the agent\'s fl-{site}-{device}', async (t) => {
  t.equal(deviceClientId('plant-a', 'drive-1'), 'fl-plant-a-drive-1');
  t.equal(deviceClientId('s'.repeat(40), 'd'.repeat(40)).length, 64, 'cut to 64 characters like the agent');
  t.ok(mayUseClientId(device, 'fl-plant-a-drive-1').ok);
  t.notOk(mayUseClientId(device, 'fl-plant-a-drive-2').ok, 'cannot take over another device\'s session');
  t.notOk(mayUseClientId(device, 'mqttjs_1234').ok);
  t.ok(mayUseClientId(service, 'anything').ok);
});

t.test('last will: only one the client could publish', async (t) => {
  t.ok(mayLeaveWill(device, undefined).ok, 'no will');
  t.ok(mayLeaveWill(device, 'fl/v1/plant-a/drive-1/death').ok);
  t.match(mayLeaveWill(device, 'fl/v1/plant-a/drive-2/death'), { ok: false, reason: /last will refused/ });
});
