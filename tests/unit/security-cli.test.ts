/** `faultline device add|list|revoke`: the password is printed once and stored only as a hash. */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { deviceCommand } from '../../collector/security/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

function io() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: { write: (s: string) => { out.stdout += s; } }, stderr: { write: (s: string) => { out.stderr += s; } } } };
}

async function run(t: Test, dataDir: string, ...argv: string[]) {
  const c = io();
  const code = await deviceCommand([...argv, '--data-dir', dataDir], c.io, () => 1_700_000_000_000);
  return { code, ...c.out };
}

t.test('add prints the password once, as an agent config snippet; list and the database never show it', async (t) => {
  const dir = tempDir('faultline-devcli-');
  t.teardown(dir.remove);
  const added = await run(t, dir.path, 'add', '--site', 'plant-a', '--device', 'drive-1');
  t.equal(added.code, 0, added.stderr);
  const password = /password: "([^"]+)"/.exec(added.stdout)?.[1] ?? '';
  t.match(password, /^[A-Za-z0-9_-]{32}$/);
  t.match(added.stdout, /username: "plant-a\/drive-1"/);
  t.match(added.stdout, /shown only this once/);

  const listed = await run(t, dir.path, 'list');
  t.match(listed.stdout, /device\s+plant-a\/drive-1\s+active/);
  t.notOk(listed.stdout.includes(password));
  const json = await run(t, dir.path, 'list', '--json');
  t.same(JSON.parse(json.stdout).credentials.map((c: { username: string }) => c.username), ['plant-a/drive-1']);

  const db = new Database(join(dir.path, 'faultline.db'), { readonly: true });
  const rows = JSON.stringify(db.prepare('SELECT * FROM mqtt_credentials').all());
  db.close();
  t.notOk(rows.includes(password), 'only the hash is stored');

  const again = await run(t, dir.path, 'add', '--site', 'plant-a', '--device', 'drive-1');
  t.equal(again.code, 1);
  t.match(again.stderr, /already has a credential.*--replace/);
  const replaced = await run(t, dir.path, 'add', '--site', 'plant-a', '--device', 'drive-1', '--replace');
  t.equal(replaced.code, 0);
  t.match(replaced.stdout, /new password issued.*old password no longer works/);
  t.notOk(replaced.stdout.includes(password));
});

t.test('revoke, services, and usage errors', async (t) => {
  const dir = tempDir('faultline-devcli-');
  t.teardown(dir.remove);
  t.equal((await run(t, dir.path, 'list')).stdout, 'no credentials: the broker accepts every client (run `faultline device add`)\n');
  t.equal((await run(t, dir.path, 'add', '--service', 'rpc-tool')).code, 0);
  t.equal((await run(t, dir.path, 'revoke', '--service', 'rpc-tool')).code, 0);
  const twice = await run(t, dir.path, 'revoke', '--service', 'rpc-tool');
  t.equal(twice.code, 1);
  t.match(twice.stderr, /no active credential for service rpc-tool/);
  t.match((await run(t, dir.path, 'list')).stdout, /service\s+service:rpc-tool\s+revoked/);
  const usage = [
    ['add', '--site', 'only-site'],
    ['add', '--service', 'x', '--site', 's', '--device', 'd'],
    ['frobnicate'],
    ['add', '--bogus'],
  ];
  for (const argv of usage) {
    const r = await run(t, dir.path, ...argv);
    t.equal(r.code, 2, argv.join(' '));
    t.match(r.stderr, /Usage: faultline device/);
  }
  const bad = await run(t, dir.path, 'add', '--site', 'bad site', '--device', 'd');
  t.equal(bad.code, 1);
  t.match(bad.stderr, /invalid site id/);
  const c = io();
  t.equal(await deviceCommand(['--help'], c.io), 0);
  t.match(c.out.stdout, /add --site S --device D/);
});
