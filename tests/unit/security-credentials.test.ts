/** Password hashing and the credential store: hashed with a per-credential salt, shown once, revocable. */
import t, { type Test } from 'tap';
import { CredentialStore } from '../../collector/store/sqlite/credential-store.js';
import { openTestDatabase } from '../helpers/test-database.js';
import { verifyDeviceSecret } from '../../collector/security/device-secret-hash.js';
import { provisionDeviceCredentials } from '../../collector/security/provision.js';
import { generatePassword, hashPassword, parseHash, verifyAgainstNothing, verifyPassword } from '../../collector/security/password-hash.js';
import { tempDir } from '../helpers/temp-dir.js';

const FAST = { ln: 10, r: 8, p: 1 };

function store(t: Test) {
  const dir = tempDir('faultline-cred-');
  const db = openTestDatabase(dir.path, 1000);
  t.teardown(() => { db.close(); dir.remove(); });
  return { db, creds: new CredentialStore(db) };
}

t.test('scrypt hashes: salted, self-describing, verified in constant time', async (t) => {
  const a = await hashPassword('secret-one', FAST);
  const b = await hashPassword('secret-one', FAST);
  t.not(a, b, 'a fresh salt each time');
  t.match(a, /^\$scrypt\$ln=10,r=8,p=1\$/);
  t.notMatch(a, /secret-one/);
  t.equal(parseHash(a).salt.length, 16);
  t.ok(await verifyPassword('secret-one', a));
  t.notOk(await verifyPassword('secret-two', a));
  t.notOk(await verifyPassword('', a));
  t.equal(await verifyAgainstNothing('x'), false);
  t.throws(() => parseHash('plain'), { code: 'FL_ERR_SECURITY_HASH_FORMAT' });
  t.throws(() => parseHash('$scrypt$ln=30,r=8,p=1$AAAA$AAAA'), { code: 'FL_ERR_SECURITY_HASH_FORMAT' }, 'absurd cost refused');
  const p = generatePassword();
  t.match(p, /^[A-Za-z0-9_-]{32}$/);
});

t.test('add stores only a hash and returns the password once; list never shows secrets', async (t) => {
  const { db, creds } = store(t);
  t.notOk(creds.anyExists());
  const issued = await creds.add({ kind: 'device', site: 'plant-a', device: 'drive-1' }, 2000);
  t.equal(issued.username, 'plant-a/drive-1');
  t.equal(issued.replaced, false);
  const raw = JSON.stringify(db.prepare('SELECT * FROM mqtt_credentials').all());
  t.notOk(raw.includes(issued.password), 'the password is not in the database');
  const found = creds.find('plant-a/drive-1');
  t.ok(found && (await verifyDeviceSecret(issued.password, found.passwordHash)).ok);
  const listed = creds.list();
  t.same(listed.map((c) => [c.username, c.kind, c.site, c.device, c.revokedMs]), [['plant-a/drive-1', 'device', 'plant-a', 'drive-1', null]]);
  t.notOk(JSON.stringify(listed).includes('hmac-sha256'), 'no hash in the listing');
  t.ok(creds.anyExists());
});

t.test('a second add is refused unless replaced; replace and revoke bump the change number', async (t) => {
  const { creds } = store(t);
  const first = await creds.add({ kind: 'device', site: 's', device: 'd' }, 1);
  const seq1 = creds.latestChange();
  await t.rejects(creds.add({ kind: 'device', site: 's', device: 'd' }, 2), { code: 'FL_ERR_SECURITY_CREDENTIAL_EXISTS' });
  const second = await creds.add({ kind: 'device', site: 's', device: 'd' }, 3, { replace: true });
  t.equal(second.replaced, true);
  const rec = creds.find('s/d');
  t.ok(rec);
  t.notOk((await verifyDeviceSecret(first.password, rec!.passwordHash)).ok, 'the old password no longer works');
  t.ok((await verifyDeviceSecret(second.password, rec!.passwordHash)).ok);
  t.ok(creds.latestChange() > seq1);
  t.equal(creds.revoke({ kind: 'device', site: 's', device: 'd' }, 4), true);
  t.equal(creds.revoke({ kind: 'device', site: 's', device: 'd' }, 5), false, 'already revoked');
  t.equal(creds.find('s/d')?.revokedMs, 4);
  t.ok(creds.anyExists(), 'a revoked credential keeps authentication on');
  t.same(creds.changedSince(seq1).map((c) => c.username), ['s/d']);
  const again = await creds.add({ kind: 'device', site: 's', device: 'd' }, 6);
  t.equal(again.replaced, false, 're-adding a revoked identity re-activates it');
  t.equal(creds.find('s/d')?.revokedMs, null);
});

t.test('bad identities are refused with a clear code', async (t) => {
  const { creds } = store(t);
  await t.rejects(creds.add({ kind: 'device', site: 'bad/site', device: 'd' }, 1), { code: 'FL_ERR_TOPIC_ID' });
  await t.rejects(creds.add({ kind: 'service', name: 'has space' }, 1), { code: 'FL_ERR_SECURITY_SERVICE_NAME' });
  const svc = await creds.add({ kind: 'service', name: 'rpc-tool' }, 1);
  t.equal(svc.username, 'service:rpc-tool');
});

t.test('provisioning a set of devices replaces their passwords, for the demo', async (t) => {
  const dir = tempDir('faultline-prov-');
  t.teardown(dir.remove);
  const first = await provisionDeviceCredentials(dir.path, 'demo-plant', ['drive-1', 'drive-2'], 1);
  const second = await provisionDeviceCredentials(dir.path, 'demo-plant', ['drive-1'], 2);
  t.same([...first.keys()], ['drive-1', 'drive-2']);
  t.equal(first.get('drive-1')?.username, 'demo-plant/drive-1');
  t.equal(second.get('drive-1')?.replaced, true);
  t.not(second.get('drive-1')?.password, first.get('drive-1')?.password);
  const db = openTestDatabase(dir.path, 3);
  t.teardown(() => db.close());
  const rec = new CredentialStore(db).find('demo-plant/drive-1');
  t.ok(rec && (await verifyDeviceSecret(second.get('drive-1')?.password ?? '', rec.passwordHash)).ok, 'the newest password is the one that works');
});
