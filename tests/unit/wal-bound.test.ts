/**
 * The SQLite WAL stays bounded under a sustained ingest load (issue 15: 200,000 events left a
 * 248 MB WAL): the background checkpointer forces a truncating checkpoint once the WAL outgrows its
 * limit, since passive checkpoints alone never catch up with a writer that never pauses.
 */
import { statSync } from 'node:fs';
import t from 'tap';
import { openSqliteStore } from '../../collector/store/sqlite/sqlite-store.js';
import { silentLogger } from '../../protocol/logger.js';
import { TEST_USERS } from '../helpers/api-auth.js';
import { tempDir } from '../helpers/temp-dir.js';
import { ev, event } from './store-contract.js';

const LIMIT = 2 * 1024 * 1024;

t.test('the WAL stays within a few times its limit while ingest never pauses', async (t) => {
  const dir = tempDir();
  const store = openSqliteStore({ dataDir: dir.path, log: silentLogger(), nowMs: Date.now(), users: TEST_USERS, backgroundCheckpoint: true, walLimitBytes: LIMIT });
  t.teardown(async () => { await store.close(); dir.remove(); });
  const wal = `${store.file}-wal`;
  let largest = 0;
  let written = 0;
  for (let b = 0; b < 80; b++) {
    const batch = Array.from({ length: 400 }, () => ev(event('raise', Date.now(), { code: 'none', message: 'x'.repeat(1000) })));
    await store.ingest.commit(batch, Date.now());
    written += 400;
    await new Promise((r) => setImmediate(r)); // as group commit does between batches
    largest = Math.max(largest, statSync(wal).size);
  }
  const dbBytes = statSync(store.file).size;
  t.comment(`${written} events, database ${(dbBytes / 1e6).toFixed(1)} MB, largest WAL ${(largest / 1e6).toFixed(1)} MB (limit ${LIMIT / 1e6} MB)`);
  t.ok(written * 1000 > 8 * LIMIT, 'the load wrote far more than the limit');
  t.ok(largest < 4 * LIMIT, `the WAL stayed under 4x its limit (largest ${largest} bytes)`);
});
