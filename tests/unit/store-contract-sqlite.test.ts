/** The store port's contract suite on the SQLite adapter (a file in a temp dir per test). */
import t from 'tap';
import { silentLogger } from '../../protocol/logger.js';
import { openSqliteStore } from '../../collector/store/sqlite/sqlite-store.js';
import type { StorePort } from '../../collector/store/port.js';
import { TEST_USERS } from '../helpers/api-auth.js';
import { tempDir } from '../helpers/temp-dir.js';
import { storeContract } from './store-contract.js';

const NOW = Date.parse('2024-03-06T00:01:01Z');
const dirs = new WeakMap<StorePort, string>();

const open = (dataDir: string): StorePort => {
  const store = openSqliteStore({ dataDir, log: silentLogger(), nowMs: NOW, users: TEST_USERS });
  dirs.set(store, dataDir);
  return store;
};

storeContract(t, 'sqlite', {
  async open(t) {
    const dir = tempDir('faultline-contract-');
    const store = open(dir.path);
    t.teardown(async () => { await store.close(); dir.remove(); });
    return store;
  },
  async reopen(t, closed) {
    const dataDir = dirs.get(closed);
    if (dataDir === undefined) throw new Error('not a store this suite opened');
    const store = open(dataDir);
    t.teardown(() => store.close());
    return store;
  },
});
