/**
 * Backup of a live collector under ingest load and restore into a working collector: real
 * processes (the collector, `faultline backup`, `faultline restore`, `faultline audit verify`) and a
 * real MQTT client publishing events all the while.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import t, { type Test } from 'tap';
import { collectorAnnounced, runCli as run, type CliChild as Proc } from '../helpers/cli-child.js';
import { uuidv7 } from 'uuidv7';
import { encodeFaultEvent } from '../../protocol/codec.js';
import type { FaultEvent } from '../../protocol/values.js';
import { apiCallerIn } from '../helpers/api-auth.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

async function finished(p: Proc): Promise<number | null> {
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 120_000);
  try { return await p.exited; } finally { clearTimeout(timer); }
}

async function collector(t: Test, dataDir: string): Promise<{ proc: Proc; http: string; mqtt: string }> {
  const proc = run(t, ['collector', '--data-dir', dataDir, '--mqtt-port', '0', '--http-port', '0', '--mqtt-host', '127.0.0.1', '--http-host', '127.0.0.1']);
  await collectorAnnounced(proc);
  const http = /HTTP API: (http:\/\/[^/\s]+)/.exec(proc.output())?.[1] ?? '';
  const broker = /MQTT: +(mqtt:\/\/\S+)/.exec(proc.output())?.[1] ?? '';
  return { proc, http, mqtt: broker };
}

function faultEvent(seq: number): FaultEvent {
  return {
    id: uuidv7(), device: `drive-${seq % 20}`, site: 'plant', seq, timeMs: Date.now(), source: 'modbus', category: 'hardware', code: `vfd.code_${seq % 7}`,
    severity: 'major', transition: seq % 3 === 0 ? 'clear' : 'raise', message: `backup test ${seq}`,
    snapshot: [], logExcerpt: [], labels: {}, adapterId: 'generic-vfd', remedy: '',
  };
}

t.test('a backup taken under ingest load restores into a working collector with the audit chain intact', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const live = join(dir.path, 'live');
  const restored = join(dir.path, 'restored');
  const out = join(dir.path, 'faultline-backup.db');
  const source = await collector(t, live);
  const client = await mqtt.connectAsync(source.mqtt, { clientId: 'backup-load', protocolVersion: 4, reconnectPeriod: 200 });
  client.on('error', () => {});
  t.teardown(() => client.endAsync(true));

  const acked = new Set<string>();
  let seq = 0;
  let loading = true;
  const load = (async () => {
    while (loading && seq < 20_000) {
      const batch = Array.from({ length: 50 }, () => faultEvent(++seq));
      await Promise.all(batch.map(async (e) => { await client.publishAsync(`fl/v1/plant/${e.device}/event`, Buffer.from(encodeFaultEvent(e)), { qos: 1 }); acked.add(e.id); }));
    }
  })();
  await waitFor('some load', () => (acked.size >= 500 ? true : undefined), 60_000);
  const ackedBefore = new Set(acked);
  const backup = run(t, ['backup', '--data-dir', live, '--out', out]);
  t.equal(await finished(backup), 0, `backup exits 0: ${backup.output()}`);
  const ackedDuring = acked.size - ackedBefore.size;
  loading = false;
  await load;
  t.ok(ackedDuring > 0, `ingest went on during the backup (${ackedDuring} events acknowledged meanwhile)`);
  t.match(backup.output(), /device-keys\.key/, 'the backup reminds that the key file is kept apart');
  t.match(backup.output(), /audit chain intact/);
  t.notOk(existsSync(join(dir.path, 'faultline-backup.db.partial')), 'no partial file left');

  const copy = new Database(out, { readonly: true });
  const ids = new Set((copy.prepare('SELECT id FROM events').all() as Array<{ id: string }>).map((r) => r.id));
  copy.close();
  t.same([...ackedBefore].filter((id) => !ids.has(id)), [], 'everything acknowledged before the backup began is in it');

  const again = run(t, ['backup', '--data-dir', live, '--out', out]);
  t.equal(await finished(again), 1, 'a backup never overwrites a file');

  const restore = run(t, ['restore', '--from', out, '--data-dir', restored]);
  t.equal(await finished(restore), 0, `restore exits 0: ${restore.output()}`);
  t.match(restore.output(), /device-keys\.key/);
  const verify = run(t, ['audit', 'verify', '--data-dir', restored]);
  t.equal(await finished(verify), 0, `audit verify passes on the restored data: ${verify.output()}`);

  const caller = await apiCallerIn(restored, 'admin');
  const target = await collector(t, restored);
  const res = await fetch(`${target.http}/api/health`, { headers: caller.headers });
  const health = await res.json() as { store: { events: number; tickets: number } };
  t.equal(health.store.events, ids.size, 'the restored collector has the backup\'s events');
  t.ok(health.store.tickets > 0, 'and its tickets');
  const tickets = await fetch(`${target.http}/api/tickets`, { headers: caller.headers });
  t.equal(tickets.status, 200, 'and serves them');

  const busy = run(t, ['restore', '--from', out, '--data-dir', restored]);
  t.equal(await finished(busy), 1, 'no restore into the data directory of a running collector');
  t.match(busy.output(), /in use by another collector/);
});
