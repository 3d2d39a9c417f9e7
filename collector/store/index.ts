/** The collector's SQLite store. */
export { openStore, DB_FILE, type Store, type OpenStoreOptions } from './store.js';
export { MIGRATIONS, migrate, type Migration } from './migrations.js';
export { TELEMETRY_RETENTION_MS } from './batch-writer.js';
export type { TicketFilter, TicketRef, TelemetryWindow, StoreCounts } from './queries.js';
