/**
 * Ingest and ticket-list schema changes:
 * - events and tickets record the device's model and firmware as they were when the event arrived,
 *   so reports attribute faults to the firmware that had them, not to whatever runs on the device
 *   today (tickets stored before this take the registry's current values, the best there is);
 * - indexes that serve the ticket list's order (newest first, overall and per site) without sorting
 *   every ticket on each poll;
 * - events_device_seq goes: no query reads events by device and sequence, and every event paid for it;
 * - (v8) a site's annunciation times in the flood window move out of the flood state's JSON into rows
 *   of their own (collector/store/flood-times.ts), so a flood no longer rewrites the whole window on
 *   every batch; tickets_device goes (tickets_fault_key starts with the same columns);
 * - (v9) audit records name the API token a user acted through (actor_via); hashed with the record
 *   when present, so earlier rows verify as before;
 * - (v10) fewer pages per commit for the tables every new alarm writes: desk timers, chatter and flood
 *   states become WITHOUT ROWID tables (their text key is the table; no separate key index to
 *   update), and tickets_parent indexes only tickets that have a parent.
 * Append only, like every migration. Part of the store's MIGRATIONS list (collector/store/migrations.ts).
 */
import type { Migration } from './migration.js';

export const INGEST_MIGRATIONS: readonly Migration[] = [
  {
    version: 7,
    name: 'firmware at ingest on events and tickets, ticket list indexes',
    sql: `
      ALTER TABLE events ADD COLUMN model TEXT NOT NULL DEFAULT '';
      ALTER TABLE events ADD COLUMN firmware TEXT NOT NULL DEFAULT '';
      ALTER TABLE tickets ADD COLUMN model TEXT NOT NULL DEFAULT '';
      ALTER TABLE tickets ADD COLUMN firmware TEXT NOT NULL DEFAULT '';
      UPDATE events SET
        model = coalesce((SELECT d.model FROM devices d WHERE d.site = events.site AND d.device = events.device), ''),
        firmware = coalesce((SELECT d.firmware FROM devices d WHERE d.site = events.site AND d.device = events.device), '');
      UPDATE tickets SET
        model = coalesce((SELECT d.model FROM devices d WHERE d.site = tickets.site AND d.device = tickets.device), ''),
        firmware = coalesce((SELECT d.firmware FROM devices d WHERE d.site = tickets.site AND d.device = tickets.device), '');
      CREATE INDEX tickets_opened ON tickets(opened_at_ms, id);
      CREATE INDEX tickets_site_opened ON tickets(site, opened_at_ms, id);
      DROP INDEX events_device_seq;
    `,
  },
  {
    version: 8,
    name: 'flood window times as rows; drop the redundant tickets_device index',
    sql: `
      CREATE TABLE flood_times (
        site TEXT NOT NULL,
        at_ms INTEGER NOT NULL
      );
      CREATE INDEX flood_times_site ON flood_times(site, at_ms);
      INSERT INTO flood_times (site, at_ms)
        SELECT f.site, t.value FROM alarm_floods f, json_each(f.data, '$.recent') t ORDER BY f.site, t.key;
      UPDATE alarm_floods SET data = json_remove(data, '$.recent');
      DROP INDEX tickets_device;
    `,
  },
  {
    version: 9,
    name: 'audit actor via (API token name)',
    sql: 'ALTER TABLE audit_log ADD COLUMN actor_via TEXT;',
  },
  {
    version: 10,
    name: 'timers, chatter and flood states keyed without rowid; partial tickets_parent',
    sql: `
      CREATE TABLE desk_timers_v10 (
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        due_ms INTEGER NOT NULL,
        PRIMARY KEY (kind, key)
      ) WITHOUT ROWID;
      INSERT INTO desk_timers_v10 (kind, key, due_ms) SELECT kind, key, due_ms FROM desk_timers;
      DROP TABLE desk_timers;
      ALTER TABLE desk_timers_v10 RENAME TO desk_timers;
      CREATE INDEX desk_timers_due ON desk_timers(due_ms);

      CREATE TABLE alarm_chatter_v10 (
        alarm TEXT PRIMARY KEY,
        site TEXT NOT NULL,
        chattering INTEGER NOT NULL,
        data TEXT NOT NULL
      ) WITHOUT ROWID;
      INSERT INTO alarm_chatter_v10 (alarm, site, chattering, data) SELECT alarm, site, chattering, data FROM alarm_chatter;
      DROP TABLE alarm_chatter;
      ALTER TABLE alarm_chatter_v10 RENAME TO alarm_chatter;

      CREATE TABLE alarm_floods_v10 (
        site TEXT PRIMARY KEY,
        in_flood INTEGER NOT NULL,
        data TEXT NOT NULL
      ) WITHOUT ROWID;
      INSERT INTO alarm_floods_v10 (site, in_flood, data) SELECT site, in_flood, data FROM alarm_floods;
      DROP TABLE alarm_floods;
      ALTER TABLE alarm_floods_v10 RENAME TO alarm_floods;

      DROP INDEX tickets_parent;
      CREATE INDEX tickets_parent ON tickets(parent_id) WHERE parent_id IS NOT NULL;
    `,
  },
];
