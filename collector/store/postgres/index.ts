/**
 * The PostgreSQL store's public face (cluster mode). So far: connections, schema migrations and
 * telemetry partition upkeep; the adapter implementing the store port comes on top of these.
 */
export {
  ADVISORY_LOCK_CLASS, ADVISORY_LOCK_DEVICE_CLASS, ADVISORY_LOCK_MIGRATIONS, ADVISORY_LOCK_TELEMETRY_PARTITIONS,
} from './advisory-locks.js';
export { migratePostgres, schemaVersion, PG_MIGRATIONS, type PgMigration, type MigrateOptions, type MigrationConnection } from './migrations.js';
export { checkDatabaseUrl, createPool, redactUrl, PG_TYPES, type PoolOptions, type Queryable } from './pool.js';
export {
  dropTelemetryBefore, ensureTelemetryDaysAround, ensureTelemetryPartitions, listTelemetryPartitions, type TelemetryPartition,
} from './telemetry-partitions.js';
export { DAY_MS } from './schema-telemetry.js';
export { MAX_NOTIFY_BYTES, notify, PgListener, type PgListenerOptions } from './notifier.js';
export { claimDueTimers, lockDevices, nextTicketCounter, nextTimerDueMs, type DueTimer } from './desk-primitives.js';
