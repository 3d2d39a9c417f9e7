/**
 * The Mosquitto dynamic-security role of a device says exactly what the embedded broker's rules
 * (collector/security/acl-rules.ts) say: for every topic kind of its own and of another device,
 * the role allows a publish or subscribe iff mayPublish / maySubscribe does.
 */
import t from 'tap';
import { mayPublish, maySubscribe, type Principal } from '../../collector/security/acl-rules.js';
import { deviceRoleAcls, deviceRoleName, serviceRoleAcls } from '../../collector/security/mosquitto-dynsec.js';
import { FaultlineError } from '../../protocol/errors.js';
import { TOPIC_KINDS, topicFor } from '../../protocol/topics.js';

const me: Principal = { kind: 'device', username: 'plant-a/drive-1', site: 'plant-a', device: 'drive-1', credentialId: 1, changeSeq: 1 };
const acls = deviceRoleAcls('plant-a', 'drive-1');
const allows = (type: string, topic: string): boolean => acls.some((a) => a.acltype === type && a.topic === topic && a.allow);

t.test('every kind, own device and another: role == acl-rules', async (t) => {
  for (const [site, device] of [['plant-a', 'drive-1'], ['plant-a', 'drive-2'], ['plant-b', 'drive-1']] as const) {
    for (const kind of TOPIC_KINDS) {
      const topic = topicFor(site, device, kind);
      t.equal(allows('publishClientSend', topic), mayPublish(me, topic).ok, `publish ${topic}`);
      t.equal(allows('subscribeLiteral', topic), maySubscribe(me, topic).ok, `subscribe ${topic}`);
    }
    const receipt = `fl/v1/${site}/${device}/receipt`;
    t.equal(allows('subscribeLiteral', receipt), maySubscribe(me, receipt).ok, `subscribe ${receipt}`);
  }
});

t.test('a device subscribes to its own rpc/req and receipt, nothing else (role and acl-rules alike)', async (t) => {
  const subscribable = acls.filter((a) => a.acltype === 'subscribeLiteral').map((a) => a.topic).sort();
  t.same(subscribable, ['fl/v1/plant-a/drive-1/receipt', 'fl/v1/plant-a/drive-1/rpc/req']);
  t.ok(maySubscribe(me, 'fl/v1/plant-a/drive-1/receipt').ok, 'own receipts');
  t.notOk(maySubscribe(me, 'fl/v1/plant-a/drive-2/receipt').ok, "another device's receipts");
  t.notOk(maySubscribe(me, 'fl/v1/plant-a/drive-1/#').ok, 'no wildcard over its own prefix');
});

t.test('only literal topics, no wildcards, nothing outside the device prefix', async (t) => {
  for (const a of acls) {
    t.notMatch(a.topic, /[+#]/, `${a.acltype} ${a.topic} has no wildcard`);
    t.ok(a.topic.startsWith('fl/v1/plant-a/drive-1/'), `${a.topic} is under the device's prefix`);
    t.notOk(a.acltype === 'subscribePattern' || a.acltype === 'publishClientReceive', 'no pattern or receive grants');
  }
  t.notOk(allows('publishClientSend', 'fl/v1/plant-a/drive-1/rpc/req'), 'a device may not send RPC requests, even to itself');
  t.equal(deviceRoleName('plant-a', 'drive-1'), 'fl-device/plant-a/drive-1');
});

t.test('bad ids are refused before anything reaches the broker', async (t) => {
  for (const [site, device] of [['plant-a', '#'], ['+', 'drive-1'], ['plant-a', 'a/b'], ['', 'x']]) {
    const err = (() => { try { deviceRoleAcls(site as string, device as string); } catch (e) { return e; } return undefined; })();
    t.ok(err instanceof FaultlineError && err.code === 'FL_ERR_TOPIC_ID', `${site}/${device} refused`);
  }
});

t.test('the service role covers fl/v1 and shared subscriptions of it, nothing else', async (t) => {
  for (const a of serviceRoleAcls()) t.match(a.topic, /^(\$share\/\+\/)?fl\/v1\/#$/);
});
