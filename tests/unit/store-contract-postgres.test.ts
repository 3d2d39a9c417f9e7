/**
 * The store port's contract suite on the PostgreSQL adapter: one real PostgreSQL for the file
 * (tests/helpers/postgres-server.ts), a fresh database per test, reopened on the same database.
 */
import t from 'tap';
import { silentLogger } from '../../protocol/logger.js';
import { openPostgresStore } from '../../collector/store/postgres/postgres-store.js';
import type { StorePort } from '../../collector/store/port.js';
import { TEST_USERS } from '../helpers/api-auth.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { tempDir } from '../helpers/temp-dir.js';
import { storeContract } from './store-contract.js';

const NOW = Date.parse('2024-03-06T00:01:01Z');
const homes = new WeakMap<StorePort, { url: string; dataDir: string }>();

let server: PostgresServer | undefined;
let databases = 0;
// One real PostgreSQL, a fresh database per case, 40-odd cases: over tap's 120 s default on a loaded 2-core machine.
t.setTimeout(480_000);
t.before(async () => { server = await startPostgres(); });
t.teardown(async () => { await server?.stop(); });

const open = async (url: string, dataDir: string): Promise<StorePort> => {
  const store = await openPostgresStore({ url, dataDir, log: silentLogger(), nowMs: NOW, users: TEST_USERS, poolMax: 6 });
  homes.set(store, { url, dataDir });
  return store;
};

storeContract(t, 'postgres', {
  async open(t) {
    if (!server) throw new Error('no PostgreSQL server');
    const url = await server.createDatabase(`contract_${++databases}`);
    const dir = tempDir('faultline-pg-contract-');
    const store = await open(url, dir.path);
    t.teardown(async () => { await store.close(); dir.remove(); });
    return store;
  },
  async reopen(t, closed) {
    const home = homes.get(closed);
    if (!home) throw new Error('not a store this suite opened');
    const store = await open(home.url, home.dataDir);
    t.teardown(() => store.close());
    return store;
  },
});
