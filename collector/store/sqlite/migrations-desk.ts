/**
 * Schema version 2: the service desk. Tickets gain every DeskTicket field (nested values as JSON
 * columns; `sla` is NULL on tickets written before the desk, which are lifted on read), and new
 * tables hold comments, alarms, chatter and flood state, flood episodes, the one-per-object desk
 * timers, the hash-chained audit log and the webhook delivery log.
 *
 * The old unique index "one ticket with closed_at_ms NULL per (site, device, code)" goes: a resolved
 * ticket is not closed yet, manual tickets share the code '' and site parents share 'site.<category>',
 * so uniqueness is now the desk's correlation rule, not a constraint.
 */
import type { Migration } from './migration.js';

export const DESK_MIGRATION: Migration = {
  version: 2,
  name: 'service desk: desk tickets, comments, alarms, floods, timers, audit log, webhook deliveries',
  sql: `
    DROP INDEX tickets_open_fault;
    ALTER TABLE tickets ADD COLUMN origin TEXT NOT NULL DEFAULT 'device';
    ALTER TABLE tickets ADD COLUMN reporter TEXT NOT NULL DEFAULT '';
    ALTER TABLE tickets ADD COLUMN description TEXT NOT NULL DEFAULT '';
    ALTER TABLE tickets ADD COLUMN labels TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE tickets ADD COLUMN team TEXT;
    ALTER TABLE tickets ADD COLUMN tier TEXT NOT NULL DEFAULT 'L1';
    ALTER TABLE tickets ADD COLUMN assignee TEXT;
    ALTER TABLE tickets ADD COLUMN required_skills TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE tickets ADD COLUMN priority_override TEXT;
    ALTER TABLE tickets ADD COLUMN acknowledged_at_ms INTEGER;
    ALTER TABLE tickets ADD COLUMN resolved_at_ms INTEGER;
    ALTER TABLE tickets ADD COLUMN sla TEXT;
    ALTER TABLE tickets ADD COLUMN fault_clear_since_ms INTEGER;
    ALTER TABLE tickets ADD COLUMN resolution TEXT;
    ALTER TABLE tickets ADD COLUMN satisfaction TEXT;
    ALTER TABLE tickets ADD COLUMN reopen_count INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE tickets ADD COLUMN parent_id INTEGER REFERENCES tickets(id);
    ALTER TABLE tickets ADD COLUMN site_parent INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE tickets ADD COLUMN escalation TEXT NOT NULL DEFAULT '{"count":0,"lastAtMs":null,"managementNotifiedAtMs":null}';
    CREATE INDEX tickets_fault_key ON tickets(site, device, code, id);
    CREATE INDEX tickets_site_status ON tickets(site, status);
    CREATE INDEX tickets_parent ON tickets(parent_id);
    CREATE INDEX tickets_open_assignee ON tickets(assignee) WHERE status NOT IN ('resolved', 'closed');

    CREATE TABLE ticket_comments (
      id INTEGER PRIMARY KEY,
      ticket_id INTEGER NOT NULL REFERENCES tickets(id),
      at_ms INTEGER NOT NULL,
      author_kind TEXT NOT NULL,
      author_id TEXT NOT NULL,
      text TEXT NOT NULL,
      visibility TEXT NOT NULL
    );
    CREATE INDEX ticket_comments_ticket ON ticket_comments(ticket_id, id);

    CREATE TABLE alarms (
      id INTEGER PRIMARY KEY,
      site TEXT NOT NULL,
      device TEXT NOT NULL,
      code TEXT NOT NULL,
      state TEXT NOT NULL,
      active INTEGER NOT NULL,
      severity TEXT NOT NULL,
      changed_at_ms INTEGER NOT NULL,
      data TEXT NOT NULL,
      UNIQUE (site, device, code)
    );
    CREATE INDEX alarms_state ON alarms(state, changed_at_ms);

    CREATE TABLE alarm_chatter (
      alarm TEXT PRIMARY KEY,
      site TEXT NOT NULL,
      chattering INTEGER NOT NULL,
      data TEXT NOT NULL
    );

    CREATE TABLE alarm_floods (
      site TEXT PRIMARY KEY,
      in_flood INTEGER NOT NULL,
      data TEXT NOT NULL
    );

    CREATE TABLE flood_episodes (
      id INTEGER PRIMARY KEY,
      site TEXT NOT NULL,
      start_ms INTEGER NOT NULL,
      end_ms INTEGER,
      alarms INTEGER NOT NULL,
      peak INTEGER NOT NULL,
      UNIQUE (site, start_ms)
    );

    -- one timer per desk object (ticket id, alarm id, flood site, chatter alarm): its next deadline
    CREATE TABLE desk_timers (
      kind TEXT NOT NULL,
      key TEXT NOT NULL,
      due_ms INTEGER NOT NULL,
      PRIMARY KEY (kind, key)
    );
    CREATE INDEX desk_timers_due ON desk_timers(due_ms);

    -- hash chained: hash = sha256(auditChainInput(prev_hash, record)); the first row's prev_hash is 64 zeros
    CREATE TABLE audit_log (
      seq INTEGER PRIMARY KEY,
      at_ms INTEGER NOT NULL,
      actor_kind TEXT NOT NULL,
      actor_id TEXT NOT NULL,
      subject_kind TEXT NOT NULL,
      subject_id TEXT NOT NULL,
      action TEXT NOT NULL,
      from_state TEXT,
      to_state TEXT,
      reason TEXT NOT NULL,
      details TEXT NOT NULL,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL
    );
    CREATE INDEX audit_log_subject ON audit_log(subject_id, seq);

    CREATE TABLE webhook_deliveries (
      id INTEGER PRIMARY KEY,
      delivery_id TEXT NOT NULL UNIQUE,
      webhook_id TEXT NOT NULL,
      event TEXT NOT NULL,
      body TEXT NOT NULL,
      status TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_ms INTEGER,
      last_error TEXT,
      created_ms INTEGER NOT NULL,
      updated_ms INTEGER NOT NULL
    );
    CREATE INDEX webhook_deliveries_pending ON webhook_deliveries(next_attempt_ms) WHERE status = 'pending';

    CREATE TABLE webhook_attempts (
      delivery INTEGER NOT NULL REFERENCES webhook_deliveries(id),
      attempt INTEGER NOT NULL,
      at_ms INTEGER NOT NULL,
      result TEXT NOT NULL,
      PRIMARY KEY (delivery, attempt)
    );
  `,
};
