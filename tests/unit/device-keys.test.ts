/** Device write keys: issued with the password by `faultline device add`, stored sealed under the data dir's key file, rotated and forgotten. */
import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { deviceCommand } from '../../collector/security/cli.js';
import { DeviceKeyStore } from '../../collector/store/sqlite/device-key-store.js';
import { KEY_FILE, loadOrCreateKeyFile } from '../../collector/security/key-file.js';
import { openTestDatabase } from '../helpers/test-database.js';
import { provisionDeviceCredentials } from '../../collector/security/provision.js';
import { tempDir } from '../helpers/temp-dir.js';

async function cli(dataDir: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const code = await deviceCommand([...argv, '--data-dir', dataDir], {
    stdout: { write: (s: string) => { out.stdout += s; return true; } }, stderr: { write: (s: string) => { out.stderr += s; return true; } },
  }, () => 1_700_000_000_000);
  return { code, ...out };
}

const storedKey = (dataDir: string, site: string, device: string): string | undefined => {
  const db = openTestDatabase(dataDir, 1);
  try {
    return new DeviceKeyStore(db, loadOrCreateKeyFile(dataDir)).get(site, device);
  } finally {
    db.close();
  }
};

t.test('device add prints a write key once, stores it sealed; --replace rotates it; revoke forgets it', async (t) => {
  const dir = tempDir('faultline-keys-');
  t.teardown(dir.remove);
  const added = await cli(dir.path, 'add', '--site', 'plant-a', '--device', 'drive-1');
  t.equal(added.code, 0, added.stderr);
  const writeKey = /writeKey: "([^"]+)"/.exec(added.stdout)?.[1] ?? '';
  t.match(writeKey, /^[A-Za-z0-9_-]{43}$/);
  t.match(added.stdout, /password: "/);
  t.equal(storedKey(dir.path, 'plant-a', 'drive-1'), writeKey, 'the collector can read it back to sign');
  t.equal(statSync(join(dir.path, KEY_FILE)).mode & 0o777, 0o600, 'the key file is private');
  const db = new Database(join(dir.path, 'faultline.db'), { readonly: true });
  const rows = JSON.stringify(db.prepare('SELECT * FROM device_write_keys').all());
  db.close();
  t.notOk(rows.includes(writeKey), 'not stored in the clear');

  const listed = await cli(dir.path, 'list');
  t.notOk(listed.stdout.includes(writeKey), 'never listed');

  const again = await cli(dir.path, 'add', '--site', 'plant-a', '--device', 'drive-1');
  t.equal(again.code, 1, 'an existing device needs --replace');
  t.equal(storedKey(dir.path, 'plant-a', 'drive-1'), writeKey, 'and keeps its key');
  const rotated = await cli(dir.path, 'add', '--site', 'plant-a', '--device', 'drive-1', '--replace');
  const newKey = /writeKey: "([^"]+)"/.exec(rotated.stdout)?.[1] ?? '';
  t.not(newKey, writeKey);
  t.equal(storedKey(dir.path, 'plant-a', 'drive-1'), newKey, 'rotated');

  const service = await cli(dir.path, 'add', '--service', 'tool');
  t.notMatch(service.stdout, /writeKey/, 'services get no write key');

  t.equal((await cli(dir.path, 'revoke', '--site', 'plant-a', '--device', 'drive-1')).code, 0);
  t.equal(storedKey(dir.path, 'plant-a', 'drive-1'), undefined, 'revoked: the key is forgotten');
});

t.test('provisioning for the demo gives each device a password and a write key', async (t) => {
  const dir = tempDir('faultline-keys-');
  t.teardown(dir.remove);
  const issued = await provisionDeviceCredentials(dir.path, 'demo-plant', ['drive-1', 'drive-2'], 1);
  const one = issued.get('drive-1');
  t.ok(one?.password && one.writeKey);
  t.not(issued.get('drive-2')?.writeKey, one?.writeKey);
  t.equal(storedKey(dir.path, 'demo-plant', 'drive-1'), one?.writeKey);
  t.equal(loadOrCreateKeyFile(dir.path).length, 32, 'the same key file is reused');
});
