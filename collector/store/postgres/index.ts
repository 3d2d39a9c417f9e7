/**
 * The PostgreSQL store's public face (cluster mode): the adapter of the store port
 * (openPostgresStore), and beneath it connections, schema migrations, telemetry partition upkeep,
 * LISTEN/NOTIFY and the desk primitives.
 */
export { openPostgresStore, TELEMETRY_RETENTION_MS, type PostgresStore, type PostgresStoreOptions } from './postgres-store.js';
export {
  ADVISORY_LOCK_AUDIT, ADVISORY_LOCK_CLASS, ADVISORY_LOCK_DESK_ALL, ADVISORY_LOCK_DEVICE_CLASS, ADVISORY_LOCK_MIGRATIONS, ADVISORY_LOCK_SITE_CLASS,
  ADVISORY_LOCK_TELEMETRY_PARTITIONS,
} from './advisory-locks.js';
export { migratePostgres, schemaVersion, PG_MIGRATIONS, type PgMigration, type MigrateOptions, type MigrationConnection } from './migrations.js';
export { checkDatabaseUrl, createPool, redactUrl, PG_TYPES, type PoolOptions, type Queryable } from './pool.js';
export {
  dropTelemetryBefore, ensureTelemetryDaysAround, ensureTelemetryPartitions, listTelemetryPartitions, type TelemetryPartition,
} from './telemetry-partitions.js';
export { DAY_MS } from './schema-telemetry.js';
export { MAX_NOTIFY_BYTES, notify, PgListener, type PgListenerOptions } from './notifier.js';
export { claimDueTimers, lockDevices, nextTicketCounter, nextTimerDueMs, type DueTimer } from './desk-primitives.js';
