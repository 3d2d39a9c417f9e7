/**
 * Version 12: last-known values (one row per site, device and parameter, the newest sample),
 * upserted by the ingest transaction and seeded from the telemetry kept so far.
 */
import type { Migration } from './migration.js';

export const LATEST_VALUES_MIGRATION: Migration = {
  version: 12,
  name: 'last-known telemetry values per device and parameter',
  sql: `
    CREATE TABLE telemetry_latest (
      site TEXT NOT NULL,
      device TEXT NOT NULL,
      parameter TEXT NOT NULL,
      value REAL NOT NULL,
      quality TEXT NOT NULL,
      reason TEXT,
      text TEXT,
      time_ms INTEGER NOT NULL,
      PRIMARY KEY (site, device, parameter)
    ) WITHOUT ROWID;
    INSERT INTO telemetry_latest (site, device, parameter, value, quality, time_ms)
      SELECT site, device, parameter, value, quality, max(time_ms) FROM telemetry GROUP BY site, device, parameter;
  `,
};
