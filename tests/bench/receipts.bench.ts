/**
 * What receipts cost: a backlog of fault events drained from an agent's on-disk outbox into the
 * embedded collector (aedes + SQLite, desk attached), once with receipts off (an event leaves the
 * outbox on its PUBACK) and once on (it leaves on the collector's receipt, which takes one more
 * outbox transaction per receipt and one publish per device per ingest batch at the collector).
 * Same process, same backlog, alternating runs; prints events/s and the ratio on/off, and the
 * receipts the collector sent.
 *
 * Run alone: node dist/tests/bench/receipts.bench.js [events]
 */
import { join } from 'node:path';
import { startCollector } from '../../collector/collector.js';
import { encodeFaultEvent as encodeEvent } from '../../protocol/codec.js';
import { silentLogger } from '../../protocol/logger.js';
import { apiCallerIn } from '../helpers/api-auth.js';
import { deviceSide, faultEvent } from '../helpers/delivery-harness.js';
import { tempDir } from '../helpers/temp-dir.js';

const SITE = 'bench';

interface Run {
  receipts: boolean;
  events: number;
  seconds: number;
  receiptsSent: number;
}

async function drainOnce(receipts: boolean, events: number): Promise<Run> {
  const dir = tempDir();
  const dataDir = join(dir.path, 'collector');
  const collector = await startCollector({ dataDir, mqttHost: '127.0.0.1', mqttPort: 0, httpHost: '127.0.0.1', httpPort: 0, log: silentLogger() });
  const device = `drive-${receipts ? 'on' : 'off'}`;
  const side = deviceSide({
    file: join(dir.path, 'agent', 'outbox.db'), url: collector.mqttUrl, site: SITE, device, log: silentLogger(),
    link: { maxInFlight: 32, ...(receipts ? { receipts: { firstMs: 30_000, maxMs: 300_000 } } : {}) },
  });
  try {
    // The backlog is stored before the link starts (one transaction), so only the drain is timed.
    side.outbox.appendMany(Array.from({ length: events }, (_, i) => {
      const e = faultEvent(SITE, device, i + 1, 4);
      return { device: side.link.outboxKey, kind: 'event' as const, topic: `fl/v1/${SITE}/${device}/event`, payload: encodeEvent(e), qos: 1 as const, eventId: e.id };
    }));
    const started = performance.now();
    side.link.start();
    const deadline = Date.now() + 120_000;
    while (side.outbox.depth().total > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    const seconds = (performance.now() - started) / 1000;
    if (side.outbox.depth().total > 0) throw new Error(`${side.outbox.depth().total} events still in the outbox after 120 s`);
    const health = await fetch(`${collector.httpUrl}/api/health`, { headers: (await apiCallerIn(dataDir, 'admin')).headers });
    const receiptsSent = ((await health.json()) as { ingest: { receipts?: { sent: number } } }).ingest.receipts?.sent ?? 0;
    return { receipts, events, seconds, receiptsSent };
  } finally {
    await side.close();
    await collector.stop();
    dir.remove();
  }
}

export async function runReceiptsBench(events = 3000, rounds = 2): Promise<Run[]> {
  const runs: Run[] = [];
  for (let i = 0; i < rounds; i++) {
    for (const receipts of [false, true]) runs.push(await drainOnce(receipts, events));
  }
  const rate = (on: boolean): number => {
    const mine = runs.filter((r) => r.receipts === on);
    return mine.reduce((s, r) => s + r.events, 0) / mine.reduce((s, r) => s + r.seconds, 0);
  };
  for (const r of runs) {
    process.stdout.write(`receipts ${r.receipts ? 'on ' : 'off'}: ${r.events} events drained in ${r.seconds.toFixed(2)} s = ${Math.round(r.events / r.seconds)} events/s` +
      `${r.receipts ? `, ${r.receiptsSent} receipts (${(r.events / Math.max(1, r.receiptsSent)).toFixed(1)} events per receipt)` : ''}\n`);
  }
  process.stdout.write(`receipts on / off: ${(rate(true) / rate(false)).toFixed(2)}x (${Math.round(rate(true))} vs ${Math.round(rate(false))} events/s, ${rounds} runs each)\n`);
  return runs;
}

if (import.meta.url === `file://${process.argv[1]}`) await runReceiptsBench(Number(process.argv[2] ?? 3000));
