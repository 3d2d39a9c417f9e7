/**
 * The test PostgreSQL (tests/helpers/postgres-server.ts): a real server on a random loopback port
 * in a temp dir, never as root, and nothing left behind after stop — no postmaster, no backend,
 * no directory.
 */
import { existsSync } from 'node:fs';
import pg from 'pg';
import t from 'tap';
import { startPostgres } from '../../helpers/postgres-server.js';
import { childrenOf, isRunning as alive, uidOf } from '../../helpers/process-state.js';

t.test('starts on a loopback port, answers select 1, runs unprivileged, and is gone after stop', async (t) => {
  const server = await startPostgres();
  t.teardown(() => server.stop());
  t.match(server.url, /^postgres:\/\/faultline@127\.0\.0\.1:\d+\/postgres$/);
  t.not(server.port, 5432, 'not the packaged cluster port');
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  const { rows } = await client.query<{ one: number; dir: string }>("select 1 as one, current_setting('data_directory') as dir");
  await client.end();
  t.equal(rows[0]?.one, 1);
  t.ok(rows[0]?.dir.startsWith(server.dir), 'the data directory is in the temp dir');
  t.not(uidOf(server.pid), 0, 'postgres does not run as root');
  const backends = childrenOf(server.pid);
  t.ok(backends.length >= 3, `postmaster has its helper processes (${backends.length})`);

  await server.stop();
  t.notOk(alive(server.pid), 'postmaster exited');
  t.same(backends.filter(alive), [], 'no backend or helper process left');
  t.notOk(existsSync(server.dir), 'temp dir removed');
  await server.stop(); // twice is harmless
});

t.test('two servers side by side have their own ports and databases', async (t) => {
  const [a, b] = await Promise.all([startPostgres(), startPostgres()]);
  t.teardown(() => a.stop());
  t.teardown(() => b.stop());
  t.not(a.port, b.port);
  const url = await a.createDatabase('only_on_a');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ db: string }>('select current_database() as db');
  await client.end();
  t.equal(rows[0]?.db, 'only_on_a');
  const other = new pg.Client({ connectionString: b.urlFor('only_on_a') });
  await t.rejects(other.connect(), /does not exist/, 'the database is not on the other server');
  await other.end().catch(() => undefined);
});
