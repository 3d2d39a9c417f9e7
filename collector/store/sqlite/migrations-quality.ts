/**
 * Version 16: telemetry rows keep why a sample is not good (its quality reason: exception,
 * timeout, overdue…), like telemetry_latest does, so trends can mark a gap with its cause.
 * PostgreSQL: postgres/schema-quality.ts, same version.
 */
import type { Migration } from './migration.js';

export const QUALITY_REASON_MIGRATION: Migration = {
  version: 16,
  name: 'telemetry rows keep their quality reason',
  sql: 'ALTER TABLE telemetry ADD COLUMN reason TEXT;',
};
