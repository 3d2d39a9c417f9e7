/**
 * What quality-aware trend buckets cost (SQLite): one device, 10 parameters at 1 Hz for 2 h (72,000
 * samples, 5 % of them bad with a reason), read as a trend of 300 buckets. The store's query
 * (collector/store/latest-rows.ts BUCKET_AGGREGATES: mean and extremes over readings with a value,
 * gaps counted with a reason) is timed beside its peer in the same run: the plain avg/min/max/count
 * over every row that the store used before (which averaged a bad sample's 0 in). Prints the
 * median of 30 reads each (interleaved) and the ratio; asserts nothing.
 */
import { silentLogger } from '../../protocol/logger.js';
import type { Sample } from '../../protocol/values.js';
import { openSqliteStore } from '../../collector/store/sqlite/sqlite-store.js';
import { TEST_USERS } from '../helpers/api-auth.js';
import { tempDir } from '../helpers/temp-dir.js';

const PARAMETERS = 10;
const SECONDS = 7200;
const READS = 30;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

export async function runTrendBucketsBench(): Promise<void> {
  const dir = tempDir('faultline-trend-bench-');
  const now = Date.now();
  const store = openSqliteStore({ dataDir: dir.path, nowMs: now, log: silentLogger(), users: TEST_USERS });
  try {
    const from = now - SECONDS * 1000;
    for (let s = 0; s < SECONDS; s += 600) {
      const samples: Sample[] = [];
      for (let k = s; k < Math.min(SECONDS, s + 600); k++) {
        for (let p = 0; p < PARAMETERS; p++) {
          const bad = (k * PARAMETERS + p) % 20 === 0;
          samples.push(bad ? { parameter: `p${p}`, value: 0, quality: 'bad', reason: 'timeout', timeMs: from + k * 1000 }
            : { parameter: `p${p}`, value: 50 + Math.sin(k / 60) * p, quality: 'good', timeMs: from + k * 1000 });
        }
      }
      await store.ingest.commit([{ kind: 'telemetry', receivedMs: now, telemetry: { site: 'bench', device: 'drive-1', samples } }], now);
    }
    const window = { site: 'bench', device: 'drive-1', fromMs: from, toMs: now, bucketMs: Math.ceil((SECONDS * 1000) / 300 / 1000) * 1000 };
    const plain = store.db.prepare(`SELECT parameter, time_ms / CAST(? AS INTEGER) AS b, avg(value) AS avg, min(value) AS min, max(value) AS max, count(*) AS n
      FROM telemetry WHERE site = ? AND device = ? AND time_ms >= ? AND time_ms <= ? GROUP BY parameter, b ORDER BY parameter, b`);
    // Interleaved, one read of each in turn, so a busy machine weighs on both alike.
    const quality: number[] = [];
    const peer: number[] = [];
    await store.queries.telemetryBuckets(window);
    plain.all(window.bucketMs, window.site, window.device, window.fromMs, window.toMs);
    for (let i = 0; i < READS; i++) {
      let t0 = performance.now();
      await store.queries.telemetryBuckets(window);
      quality.push(performance.now() - t0);
      t0 = performance.now();
      plain.all(window.bucketMs, window.site, window.device, window.fromMs, window.toMs);
      peer.push(performance.now() - t0);
    }
    process.stdout.write(`trend buckets, SQLite, ${PARAMETERS * SECONDS} samples (5 % bad), 300 buckets per parameter, median of ${READS} reads\n`);
    process.stdout.write(`  quality-aware (the store's query): ${median(quality).toFixed(1)} ms\n`);
    process.stdout.write(`  plain avg/min/max/count (peer):    ${median(peer).toFixed(1)} ms\n`);
    process.stdout.write(`  ratio: ${(median(quality) / median(peer)).toFixed(2)}×\n`);
  } finally {
    await store.close();
    dir.remove();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runTrendBucketsBench();
