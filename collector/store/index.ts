/** The collector's SQLite store. */
export { openStore, DB_FILE, type Store, type OpenStoreOptions } from './store.js';
export { MIGRATIONS, migrate, type Migration } from './migrations.js';
export { TELEMETRY_RETENTION_MS } from './batch-writer.js';
export type { TicketFilter, TicketRef, TelemetryWindow, StoreCounts } from './queries.js';
export type { DeskRepo } from './store.js';
export type { EventProcessor } from './batch-writer.js';
export { GENESIS_HASH, verifyAuditChain, auditHash, type ChainCheck, type StoredAuditRecord } from './audit-log.js';
export { DELIVERY_STATUSES, type DeliveryStatus, type StoredDelivery } from './webhook-log.js';
export { TIMER_KINDS, type TimerKind, type DeskTimer } from './desk-timer-table.js';
export type { StoredAlarm, AlarmFilter } from './desk-alarms.js';
