/** `faultline user …` and the demo login: passwords and tokens printed once, stored only hashed. */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import t from 'tap';
import { DEMO_USERNAME, ensureDemoUser } from '../../collector/users/demo-user.js';
import { userCommand } from '../../collector/users/cli.js';
import { openTestDatabase } from '../helpers/test-database.js';
import { UserDirectory } from '../../collector/store/sqlite/user-directory.js';
import { tempDir } from '../helpers/temp-dir.js';

const NOW = 1_700_000_000_000;

async function run(dataDir: string, argv: string[], stdin?: string) {
  const out = { stdout: '', stderr: '' };
  const code = await userCommand([...argv, '--data-dir', dataDir], {
    stdout: { write: (s: string) => { out.stdout += s; } }, stderr: { write: (s: string) => { out.stderr += s; } },
    ...(stdin === undefined ? {} : { readStdin: async () => stdin }),
  }, () => NOW);
  return { code, ...out };
}

function dump(dataDir: string): string {
  const db = new Database(join(dataDir, 'faultline.db'), { readonly: true });
  try {
    return JSON.stringify([db.prepare('SELECT * FROM users').all(), db.prepare('SELECT * FROM api_tokens').all()]);
  } finally {
    db.close();
  }
}

t.test('add, list, passwd, token add, remove', async (t) => {
  const dir = tempDir('faultline-usercli-');
  t.teardown(dir.remove);
  const added = await run(dir.path, ['add', 'Alice', '--role', 'admin', '--display-name', 'Alice A.']);
  t.equal(added.code, 0, added.stderr);
  const password = /Password \(shown only this once\): (\S+)/.exec(added.stdout)?.[1] ?? '';
  t.match(password, /^[A-Za-z0-9_-]{32}$/, 'a generated password, printed once');
  t.notOk(dump(dir.path).includes(password), 'stored only hashed');

  const piped = await run(dir.path, ['add', 'bob', '--role', 'operator', '--password-stdin'], 'bobs password 1\nignored');
  t.equal(piped.code, 0, piped.stderr);
  t.notMatch(piped.stdout, /Password/, 'a given password is not echoed');

  const listed = await run(dir.path, ['list']);
  t.match(listed.stdout, /alice\s+admin\s+active\s+Alice A\.\s+never signed in\nbob\s+operator/);
  t.notOk(listed.stdout.includes(password));
  t.match(JSON.parse((await run(dir.path, ['list', '--json'])).stdout), { users: [{ username: 'alice', role: 'admin', disabled: false }, { username: 'bob' }] });

  const db = openTestDatabase(dir.path, NOW);
  const directory = new UserDirectory(db);
  t.ok(await directory.users.verifyLogin('alice', password));
  t.ok(await directory.users.verifyLogin('bob', 'bobs password 1'));

  const token = await run(dir.path, ['token', 'add', 'bob', '--name', 'grafana']);
  t.equal(token.code, 0, token.stderr);
  const value = /^(flt_\S+)$/m.exec(token.stdout)?.[1] ?? '';
  t.ok(directory.tokens.resolve(value, NOW), 'the printed token works');
  t.notOk(dump(dir.path).includes(value));

  const session = directory.sessions.create(directory.users.mustGet('bob').id, NOW);
  const passwd = await run(dir.path, ['passwd', 'bob']);
  t.equal(passwd.code, 0, passwd.stderr);
  const newPassword = /Password \(shown only this once\): (\S+)/.exec(passwd.stdout)?.[1] ?? '';
  t.ok(await directory.users.verifyLogin('bob', newPassword));
  t.notOk(await directory.users.verifyLogin('bob', 'bobs password 1'));
  t.equal(directory.sessions.resolve(session.sessionId, NOW), undefined, 'a new password ends the sessions');

  t.equal((await run(dir.path, ['remove', 'bob'])).code, 0);
  t.equal(directory.tokens.resolve(value, NOW), undefined, 'the tokens went with the user');
  const last = await run(dir.path, ['remove', 'alice']);
  t.equal(last.code, 1);
  t.match(last.stderr, /last enabled admin.*FL_ERR_USER_LAST_ADMIN/);
  db.close();
});

t.test('usage errors exit 2 with the help; store errors exit 1', async (t) => {
  const dir = tempDir('faultline-usercli-');
  t.teardown(dir.remove);
  const help = await run(dir.path, ['--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /faultline user <command>/);
  for (const argv of [[], ['add', 'x'], ['add', 'x', '--role', 'root'], ['token', 'remove', 'x'], ['token', 'add', 'x'], ['frobnicate'], ['list', 'extra']]) {
    const r = await run(dir.path, argv);
    t.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr.split('\n')[0] ?? ''}`);
  }
  t.equal((await run(dir.path, ['add', 'x', '--role', 'viewer', '--password-stdin'], 'short')).code, 1, 'a short password');
  t.equal((await run(dir.path, ['add', 'bad name', '--role', 'viewer'])).code, 1, 'a bad username');
  t.equal((await run(dir.path, ['passwd', 'ghost'])).code, 1);
  t.match((await run(dir.path, ['list'])).stdout, /no users yet/);
});

t.test('ensureDemoUser: an admin login with a fresh password on every start', async (t) => {
  const dir = tempDir('faultline-demo-user-');
  t.teardown(dir.remove);
  const first = await ensureDemoUser(dir.path, NOW);
  t.equal(first.username, DEMO_USERNAME);
  const second = await ensureDemoUser(dir.path, NOW + 1);
  t.not(second.password, first.password);
  const db = openTestDatabase(dir.path, NOW);
  t.teardown(() => db.close());
  const { users } = new UserDirectory(db);
  t.notOk(await users.verifyLogin('demo', first.password), 'the old password stopped working');
  t.match(await users.verifyLogin('demo', second.password), { role: 'admin', disabledMs: null });
  t.equal(users.count(), 1);
});
