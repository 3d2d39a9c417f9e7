/** The outbox bounds SQLite's page cache below SQLite's 2000 KiB default (agent RSS, issue #14). */
import { join } from 'node:path';
import t from 'tap';
import { openOutboxDatabase, PAGE_CACHE_KIB } from '../../agent/outbox/open-database.js';
import { tempDir } from '../helpers/temp-dir.js';

t.test('an opened outbox database caches at most PAGE_CACHE_KIB of pages', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const db = openOutboxDatabase(join(dir.path, 'outbox.db'));
  t.teardown(() => db.close());
  t.ok(PAGE_CACHE_KIB > 0 && PAGE_CACHE_KIB < 2000, 'smaller than SQLite\'s default');
  t.equal(db.pragma('cache_size', { simple: true }), -PAGE_CACHE_KIB, 'a negative cache_size is KiB');
});
