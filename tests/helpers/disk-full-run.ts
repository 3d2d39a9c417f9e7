/**
 * The disk-full scenario both store adapters are held to (tests/integration/disk-full*.test.ts):
 * events acknowledged while there is space; once the file system under the database is full, no
 * acknowledgement, a read-only collector whose API reads answer, /api/health saying so (to anyone)
 * with why, the full disk logged once; space back, every event acknowledged, health ok again, the
 * recovery logged once; after stop, every acknowledged event stored and every sent one once.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import mqtt from 'mqtt';
import type { Test } from 'tap';
import { uuidv7 } from 'uuidv7';
import type { RunningCollector } from '../../collector/collector.js';
import { encodeFaultEvent } from '../../protocol/codec.js';
import type { FaultEvent } from '../../protocol/values.js';
import { fill } from './small-fs.js';
import { waitFor } from './wait.js';

/** A fault event whose message does not compress (a database would otherwise fit many in little space). */
function faultEvent(seq: number): FaultEvent {
  return {
    id: uuidv7(), device: 'press-1', site: 'plant', seq, timeMs: Date.now(), source: 'modbus', category: 'hardware', code: `vfd.code_${seq % 5}`,
    severity: 'major', transition: seq % 2 ? 'raise' : 'clear', message: `disk full test ${seq} ${randomBytes(1500).toString('hex')}`,
    snapshot: [{ parameter: 'motor_current', value: seq, quality: 'good', timeMs: Date.now() - 1000 }],
    logExcerpt: [], labels: {}, adapterId: 'generic-vfd', remedy: '',
  };
}

export interface DiskFullRun {
  collector: RunningCollector;
  /** An admin's bearer header. */
  headers: { authorization: string };
  /** The collector's log lines. */
  lines: string[];
  /** The filler file, on the file system under the database. */
  filler: string;
  /** Events published once the disk is full. */
  burst: number;
  /** Stops the collector (the scenario calls it before reading what was stored). */
  stop(): Promise<void>;
  /** The ids of the stored events, read after stop. */
  storedIds(): Promise<Set<string>>;
}

export async function diskFullRun(t: Test, run: DiskFullRun): Promise<void> {
  const { collector, lines } = run;
  const get = async (path: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${collector.httpUrl}${path}`, { headers: run.headers });
    return { status: res.status, body: await res.json() as Record<string, unknown> };
  };
  const client = await mqtt.connectAsync(collector.mqttUrl, { clientId: 'disk-full', protocolVersion: 4, reconnectPeriod: 200, connectTimeout: 5000 });
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

  fill(run.filler);
  for (let i = 0; i < run.burst; i++) publish();
  const health = await waitFor('health to say read-only', async () => {
    const h = await get('/api/health');
    return h.body.status === 'read-only' ? h.body : undefined;
  }, 60_000);
  const writes = health.writes as { writable: boolean; reason: string; code: string; refused: number };
  t.equal(writes.writable, false, 'health: not writable');
  t.match(writes.reason, /disk|full|space/i, 'health says why');
  t.equal(writes.code, 'FL_ERR_STORE_FULL', 'the database said its disk is full (not just any failed write)');
  t.equal((await get('/api/tickets')).status, 200, 'API reads still answer');
  t.equal((await get('/api/events?limit=5')).status, 200, 'the event list too');
  const liveness = await (await fetch(`${collector.httpUrl}/api/health`)).json() as Record<string, unknown>;
  t.equal(liveness.status, 'read-only', 'a monitoring probe without credentials sees it too');
  await waitFor('several refused messages', async () => (((await get('/api/health')).body.writes as { refused: number }).refused >= 5 ? true : undefined), 60_000);
  t.ok(acked.size < sent.size, `not everything acknowledged while the disk is full (${acked.size}/${sent.size})`);
  const fullLines = lines.filter((l) => l.includes('FL_ERR_STORE_FULL'));
  t.equal(fullLines.length, 1, 'the full disk is logged once, not per message');
  if (fullLines.length !== 1) t.comment(lines.filter((l) => !l.includes('"level":30')).slice(0, 12).join(''));

  rmSync(run.filler);
  await waitFor('every event to be acknowledged once space returns', () => (acked.size === sent.size ? true : undefined), 120_000);
  // writable again once commits have succeeded for a few seconds in a row (write-state.ts)
  await waitFor('health to say ok again', async () => ((await get('/api/health')).body.status === 'ok' ? true : undefined), 30_000);
  t.pass('health: writable again');
  t.equal(lines.filter((l) => l.includes('store writes again')).length, 1, 'the recovery is logged once');

  await client.endAsync();
  await run.stop();
  const ids = await run.storedIds();
  t.same([...acked].filter((id) => !ids.has(id)), [], 'every acknowledged event is stored');
  t.equal(ids.size, sent.size, 'every sent event stored, once');
}
