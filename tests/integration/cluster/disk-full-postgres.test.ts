/**
 * Disk full on PostgreSQL, for real: the collector's database lives in a tablespace on a small
 * tmpfs (mounted by the test; root needed, as on CI) that a filler file then fills, so PostgreSQL
 * cannot extend the tables and refuses the inserts with disk_full (53100); its WAL stays on the
 * server's own disk, so the server itself keeps running. The collector stops acknowledging MQTT
 * messages (the sender keeps them), stays up read-only (API reads answer), says so in /api/health
 * and in its log once, and resumes by itself when space returns, with every acknowledged event
 * stored and every sent one stored once (the scenario: helpers/disk-full-run.ts, as on SQLite).
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import t from 'tap';
import { startCollector } from '../../../collector/collector.js';
import { openStore } from '../../../collector/store/index.js';
import { loggerOptions, silentLogger } from '../../../protocol/logger.js';
import { apiCaller } from '../../helpers/api-auth.js';
import { startPostgres } from '../../helpers/postgres-server.js';
import { underCi } from '../../helpers/required-tool.js';
import { handOver, serverUser } from '../../helpers/run-as.js';
import { mountSmallFs } from '../../helpers/small-fs.js';
import { diskFullRun } from '../../helpers/disk-full-run.js';
import { tempDir } from '../../helpers/temp-dir.js';

const small = mountSmallFs('40m');
t.teardown(small.remove);

if (small.path === undefined) {
  if (underCi()) t.fail(`${small.why}; under CI this fails instead of skipping`);
  else t.test('disk full on PostgreSQL', { skip: small.why }, async () => {});
} else {
  const mnt = small.path;
  t.test('PostgreSQL out of space: no acknowledgement, read-only API, one log line, resumes by itself with nothing lost', async (t) => {
    const server = await startPostgres();
    t.teardown(() => server.stop());
    // The tablespace's directory belongs to the server's user; the filler next to it is root's.
    // (The mount point's parent is the test's private temp dir: the server's user may pass through it.)
    chmodSync(dirname(mnt), 0o711);
    const space = join(mnt, 'tablespace');
    mkdirSync(space);
    handOver(space, serverUser());
    const admin = new pg.Client({ connectionString: server.url });
    admin.on('error', () => {});
    await admin.connect();
    try {
      await admin.query(`CREATE TABLESPACE small LOCATION '${space}'`);
      await admin.query('CREATE DATABASE collector TABLESPACE small');
    } finally {
      await admin.end();
    }
    const database = server.urlFor('collector');

    const dir = tempDir('faultline-pg-full-');
    t.teardown(dir.remove);
    const lines: string[] = [];
    const log = pino(loggerOptions('disk-full-pg-test', 'info'), { write: (s: string) => { lines.push(s); } });
    const collector = await startCollector({
      dataDir: dir.path, database, mqttHost: '127.0.0.1', mqttPort: 0, httpHost: '127.0.0.1', httpPort: 0, log, mqttAuth: 'off',
    });
    let running = true;
    t.teardown(async () => { if (running) await collector.stop(); });
    const store = await openStore({ dataDir: dir.path, database, log: silentLogger(), nowMs: Date.now() });
    t.teardown(() => store.close());
    const caller = await apiCaller(store, 'admin');
    await diskFullRun(t, {
      collector, headers: caller.headers, lines, filler: join(mnt, 'filler'), burst: 300,
      stop: async () => { running = false; await collector.stop(); },
      storedIds: async () => {
        const check = new pg.Client({ connectionString: database });
        check.on('error', () => {});
        await check.connect();
        try {
          return new Set((await check.query<{ id: string }>('SELECT id FROM events')).rows.map((r) => r.id));
        } finally {
          await check.end();
        }
      },
    });
  });
}
