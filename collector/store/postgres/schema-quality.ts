/** PostgreSQL version 16 (as SQLite's): telemetry rows keep their quality reason (added to every day partition). */
export const TELEMETRY_REASON_SCHEMA = 'ALTER TABLE telemetry ADD COLUMN reason TEXT;';
