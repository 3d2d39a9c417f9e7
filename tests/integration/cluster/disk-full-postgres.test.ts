/**
 * Disk full on PostgreSQL, for real: the collector's database lives in a tablespace on a small
 * tmpfs (mounted by the test; root needed, as on CI) that a filler file then fills, so PostgreSQL
 * cannot extend the tables and refuses the inserts with disk_full (53100); its WAL stays on the
 * server's own disk, so the server itself keeps running. The collector stops acknowledging MQTT
 * messages (the sender keeps them), stays up read-only (API reads answer), says so in /api/health
 * and in its log once, and resumes by itself when space returns, with every acknowledged event
 * stored and every sent one stored once.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import mqtt from 'mqtt';
import pg from 'pg';
import pino from 'pino';
import t from 'tap';
import { uuidv7 } from 'uuidv7';
import { startCollector } from '../../../collector/collector.js';
import { openStore } from '../../../collector/store/index.js';
import { encodeFaultEvent } from '../../../protocol/codec.js';
import { loggerOptions, silentLogger } from '../../../protocol/logger.js';
import type { FaultEvent } from '../../../protocol/values.js';
import { apiCaller } from '../../helpers/api-auth.js';
import { startPostgres } from '../../helpers/postgres-server.js';
import { underCi } from '../../helpers/required-tool.js';
import { handOver, serverUser } from '../../helpers/run-as.js';
import { fill, mountSmallFs } from '../../helpers/small-fs.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { waitFor } from '../../helpers/wait.js';

/** A fault event whose message does not compress (PostgreSQL would otherwise fit many in one page). */
function faultEvent(seq: number): FaultEvent {
  return {
    id: uuidv7(), device: 'press-1', site: 'plant', seq, timeMs: Date.now(), source: 'modbus', category: 'hardware', code: `vfd.code_${seq % 5}`,
    severity: 'major', transition: seq % 2 ? 'raise' : 'clear', message: `disk full test ${seq} ${randomBytes(1500).toString('hex')}`,
    snapshot: [{ parameter: 'motor_current', value: seq, quality: 'good', timeMs: Date.now() - 1000 }],
    logExcerpt: [], labels: {}, adapterId: 'generic-vfd', remedy: '',
  };
}

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
      // No checkpoint copies to queue, and no audit rows of their own: only the events fill the disk.
      auditCheckpoint: { everyMs: 60_000 },
    });
    let running = true;
    t.teardown(async () => { if (running) await collector.stop(); });
    const store = await openStore({ dataDir: dir.path, database, log: silentLogger(), nowMs: Date.now() });
    t.teardown(() => store.close());
    const caller = await apiCaller(store, 'admin');
    const get = async (path: string): Promise<{ status: number; body: Record<string, unknown> }> => {
      const res = await fetch(`${collector.httpUrl}${path}`, { headers: caller.headers });
      return { status: res.status, body: await res.json() as Record<string, unknown> };
    };
    const client = await mqtt.connectAsync(collector.mqttUrl, { clientId: 'disk-full-pg', protocolVersion: 4, reconnectPeriod: 200, connectTimeout: 5000 });
    client.on('error', () => {});
    t.teardown(() => client.endAsync(true));

    const sent = new Set<string>();
    const acked = new Set<string>();
    let seq = 0;
    const publish = (): void => {
      const e = faultEvent(++seq);
      sent.add(e.id);
      client.publish('fl/v1/plant/press-1/event', Buffer.from(encodeFaultEvent(e)), { qos: 1 }, (err) => { if (!err) acked.add(e.id); });
    };
    for (let i = 0; i < 10; i++) publish();
    await waitFor('the first events to be acknowledged', () => (acked.size === 10 ? true : undefined), 30_000);
    t.equal((await get('/api/health')).body.status, 'ok');

    fill(join(mnt, 'filler'));
    for (let i = 0; i < 300; i++) publish();
    const health = await waitFor('health to say read-only', async () => {
      const h = await get('/api/health');
      return h.body.status === 'read-only' ? h.body : undefined;
    }, 60_000);
    const writes = health.writes as { writable: boolean; reason: string; code: string; refused: number };
    t.equal(writes.writable, false, 'health: not writable');
    t.match(writes.reason, /disk|full|space/i, 'health says why');
    t.equal(writes.code, 'FL_ERR_STORE_FULL', 'PostgreSQL\'s disk_full (53100), not just any failed write');
    t.equal((await get('/api/tickets')).status, 200, 'API reads still answer');
    t.equal((await get('/api/events?limit=5')).status, 200, 'the event list too');
    await waitFor('several refused messages', async () => (((await get('/api/health')).body.writes as { refused: number }).refused >= 5 ? true : undefined), 60_000);
    t.ok(acked.size < sent.size, `not everything acknowledged while the disk is full (${acked.size}/${sent.size})`);
    const fullLines = lines.filter((l) => l.includes('FL_ERR_STORE_FULL'));
    t.equal(fullLines.length, 1, 'the full disk is logged once, not per message');
    if (fullLines.length !== 1) t.comment(lines.filter((l) => !l.includes('"level":30')).slice(0, 12).join(''));

    rmSync(join(mnt, 'filler'));
    await waitFor('every event to be acknowledged once space returns', () => (acked.size === sent.size ? true : undefined), 120_000);
    await waitFor('health to say ok again', async () => ((await get('/api/health')).body.status === 'ok' ? true : undefined), 30_000);
    t.pass('health: writable again');
    t.equal(lines.filter((l) => l.includes('store writes again')).length, 1, 'the recovery is logged once');

    await client.endAsync();
    running = false;
    await collector.stop();
    const check = new pg.Client({ connectionString: database });
    check.on('error', () => {});
    await check.connect();
    try {
      const ids = new Set((await check.query<{ id: string }>('SELECT id FROM events')).rows.map((r) => r.id));
      t.same([...acked].filter((id) => !ids.has(id)), [], 'every acknowledged event is stored');
      t.equal(ids.size, sent.size, 'every sent event stored, once');
    } finally {
      await check.end();
    }
  });
}
