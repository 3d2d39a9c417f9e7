/** Devices: the registry state from births/deaths, device audit, write range checks, validated ingest messages. */
export * from './device-audit.js';
export * from './device-registry.js';
export * from './ingest-message.js';
export * from './write-range-check.js';
export * from './receipt-batch.js';
