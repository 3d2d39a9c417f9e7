/**
 * Writes one batch of ingested messages in a single transaction: event inserts (duplicates
 * rejected by the primary key), the ticket decisions of the pure rules, device presence and
 * telemetry. SQL lives here; every decision is made in collector/core.
 *
 * Duplicates use `ON CONFLICT(id) DO NOTHING`, not `INSERT OR IGNORE`: OR IGNORE would also
 * swallow NOT NULL violations and report a broken row as a harmless duplicate.
 */
import type { Database } from 'better-sqlite3';
import type { FaultEvent, Telemetry } from '../../protocol/values.js';
import { applyBirth, applyDeath, applySeen, applyStatus, type DeviceKey, type DeviceState } from '../core/device-registry.js';
import type { CommitOutcome, IngestMessage } from '../core/ingest-message.js';
import { formatTicketNumber, ticketDay } from '../core/ticket-number.js';
import { decideTicket, type NewTicket, type OpenTicketState, type TicketUpdate } from '../core/ticket-rules.js';
import { deviceFromRow, deviceToRow, type DeviceRow } from './row-mapping.js';

/** Telemetry older than this (by sample time) is deleted; the prune runs at most once a minute. */
export const TELEMETRY_RETENTION_MS = 24 * 60 * 60 * 1000;
const PRUNE_EVERY_MS = 60 * 1000;

export interface BatchWriter {
  /** One transaction for the whole batch; returns one outcome per message, in order. Throws on a store failure. */
  commit(messages: readonly IngestMessage[], nowMs: number): CommitOutcome[];
}

interface OpenTicketRow {
  id: number;
  fault_active: number;
  occurrences: number;
  last_seen_ms: number;
  cleared_at_ms: number | null;
}

function prepareStatements(db: Database) {
  return {
    insertEvent: db.prepare<[EventParams]>(`INSERT INTO events (id, device, site, seq, time_ms, source, category, code, severity,
      transition, message, snapshot, log_excerpt, labels, adapter_id, remedy, received_ms, ticket_id)
      VALUES (@id, @device, @site, @seq, @time_ms, @source, @category, @code, @severity, @transition, @message,
      @snapshot, @log_excerpt, @labels, @adapter_id, @remedy, @received_ms, NULL)
      ON CONFLICT(id) DO NOTHING`),
    linkEvent: db.prepare<[number, string]>('UPDATE events SET ticket_id = ? WHERE id = ?'),
    findOpenTicket: db.prepare<[string, string, string], OpenTicketRow>(`SELECT id, fault_active, occurrences, last_seen_ms, cleared_at_ms FROM tickets
      WHERE site = ? AND device = ? AND code = ? AND closed_at_ms IS NULL`),
    nextDayCounter: db.prepare<[string], { last: number }>(`INSERT INTO ticket_day_counters (day, last) VALUES (?, 1)
      ON CONFLICT(day) DO UPDATE SET last = last + 1 RETURNING last`),
    insertTicket: db.prepare<[TicketParams]>(`INSERT INTO tickets (number, title, device, site, code, category, severity, priority,
      priority_reason, status, fault_active, occurrences, opened_at_ms, first_seen_ms, last_seen_ms, cleared_at_ms,
      closed_at_ms, snapshot, log_excerpt, remedy, adapter_id)
      VALUES (@number, @title, @device, @site, @code, @category, @severity, @priority, @priority_reason, @status,
      @fault_active, @occurrences, @opened_at_ms, @first_seen_ms, @last_seen_ms, @cleared_at_ms, @closed_at_ms,
      @snapshot, @log_excerpt, @remedy, @adapter_id)`),
    updateTicket: db.prepare<[UpdateParams]>(`UPDATE tickets SET fault_active = @fault_active, occurrences = @occurrences,
      last_seen_ms = @last_seen_ms, cleared_at_ms = @cleared_at_ms WHERE id = @id`),
    getDevice: db.prepare<[string, string], DeviceRow>('SELECT * FROM devices WHERE site = ? AND device = ?'),
    upsertDevice: db.prepare<[DeviceRow]>(`INSERT INTO devices (site, device, online, model, firmware, adapter_id, agent_version,
      parameters, session_id, last_seen_ms, last_birth_ms, last_death_ms, last_death_reason, last_status)
      VALUES (@site, @device, @online, @model, @firmware, @adapter_id, @agent_version, @parameters, @session_id,
      @last_seen_ms, @last_birth_ms, @last_death_ms, @last_death_reason, @last_status)
      ON CONFLICT(site, device) DO UPDATE SET online = excluded.online, model = excluded.model,
      firmware = excluded.firmware, adapter_id = excluded.adapter_id, agent_version = excluded.agent_version,
      parameters = excluded.parameters, session_id = excluded.session_id, last_seen_ms = excluded.last_seen_ms,
      last_birth_ms = excluded.last_birth_ms, last_death_ms = excluded.last_death_ms,
      last_death_reason = excluded.last_death_reason, last_status = excluded.last_status`),
    insertSample: db.prepare<[string, string, string, number, string, number]>(`INSERT INTO telemetry (site, device, parameter, value, quality, time_ms)
      VALUES (?, ?, ?, ?, ?, ?)`),
    pruneTelemetry: db.prepare<[number]>('DELETE FROM telemetry WHERE time_ms < ?'),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

/** Device states touched by one batch: read once, written once at the end. */
class DeviceCache {
  private readonly states = new Map<string, DeviceState | undefined>();
  private readonly dirty = new Set<string>();

  constructor(private readonly st: Statements) {}

  update(key: DeviceKey, change: (prev: DeviceState | undefined) => DeviceState): void {
    const k = `${key.site}\u0000${key.device}`;
    if (!this.states.has(k)) {
      const row = this.st.getDevice.get(key.site, key.device);
      this.states.set(k, row ? deviceFromRow(row) : undefined);
    }
    this.states.set(k, change(this.states.get(k)));
    this.dirty.add(k);
  }

  flush(): void {
    for (const k of this.dirty) {
      const state = this.states.get(k);
      if (state) this.st.upsertDevice.run(deviceToRow(state));
    }
  }
}

type EventParams = ReturnType<typeof eventParams>;
type TicketParams = ReturnType<typeof ticketParams>;
type UpdateParams = ReturnType<typeof updateParams>;

function eventParams(e: FaultEvent, receivedMs: number) {
  return {
    id: e.id, device: e.device, site: e.site, seq: e.seq, time_ms: e.timeMs, source: e.source, category: e.category,
    code: e.code, severity: e.severity, transition: e.transition, message: e.message, snapshot: JSON.stringify(e.snapshot),
    log_excerpt: JSON.stringify(e.logExcerpt), labels: JSON.stringify(e.labels), adapter_id: e.adapterId, remedy: e.remedy,
    received_ms: receivedMs,
  };
}

function ticketParams(t: NewTicket, number: string) {
  return {
    number, title: t.title, device: t.device, site: t.site, code: t.code, category: t.category, severity: t.severity,
    priority: t.priority, priority_reason: t.priorityReason, status: t.status, fault_active: t.faultActive ? 1 : 0,
    occurrences: t.occurrences, opened_at_ms: t.openedAtMs, first_seen_ms: t.firstSeenMs, last_seen_ms: t.lastSeenMs,
    cleared_at_ms: t.clearedAtMs, closed_at_ms: t.closedAtMs, snapshot: JSON.stringify(t.snapshot),
    log_excerpt: JSON.stringify(t.logExcerpt), remedy: t.remedy, adapter_id: t.adapterId,
  };
}

function updateParams(id: number, u: TicketUpdate) {
  return { id, fault_active: u.faultActive ? 1 : 0, occurrences: u.occurrences, last_seen_ms: u.lastSeenMs, cleared_at_ms: u.clearedAtMs };
}

function openTicketState(r: OpenTicketRow): OpenTicketState {
  return { id: r.id, faultActive: r.fault_active === 1, occurrences: r.occurrences, lastSeenMs: r.last_seen_ms, clearedAtMs: r.cleared_at_ms };
}

export function createBatchWriter(db: Database): BatchWriter {
  const st = prepareStatements(db);
  let lastPruneMs = Number.NEGATIVE_INFINITY;

  /** Inserts the event; when new, applies the ticket decision and links the event to its ticket. */
  function writeEvent(e: FaultEvent, receivedMs: number, nowMs: number): CommitOutcome {
    if (st.insertEvent.run(eventParams(e, receivedMs)).changes === 0) return 'duplicate';
    const open = st.findOpenTicket.get(e.site, e.device, e.code);
    const decision = decideTicket(e, open ? openTicketState(open) : undefined, nowMs);
    let ticketId: number | null;
    switch (decision.type) {
      case 'open': {
        const day = ticketDay(e.timeMs);
        const counter = st.nextDayCounter.get(day);
        if (!counter) throw new Error('ticket day counter returned no row');
        const { last } = counter;
        ticketId = Number(st.insertTicket.run(ticketParams(decision.ticket, formatTicketNumber(day, last))).lastInsertRowid);
        break;
      }
      case 'occurrence':
      case 'clear':
        st.updateTicket.run(updateParams(decision.ticketId, decision.update));
        ticketId = decision.ticketId;
        break;
      case 'none':
        ticketId = decision.ticketId;
        break;
    }
    if (ticketId !== null) st.linkEvent.run(ticketId, e.id);
    return 'committed';
  }

  function writeTelemetry(t: Telemetry, receivedMs: number): void {
    for (const s of t.samples) st.insertSample.run(t.site, t.device, s.parameter, s.value, s.quality, s.timeMs > 0 ? s.timeMs : receivedMs);
  }

  function writeOne(m: IngestMessage, devices: DeviceCache, nowMs: number): CommitOutcome {
    const at = m.receivedMs;
    switch (m.kind) {
      case 'event':
        devices.update(m.event, (prev) => applySeen(prev, m.event, at));
        return writeEvent(m.event, at, nowMs);
      case 'birth':
        devices.update(m.birth, (prev) => applyBirth(prev, m.birth, at));
        return 'committed';
      case 'death':
        devices.update(m.death, (prev) => applyDeath(prev, m.death, at).state);
        return 'committed';
      case 'telemetry':
        devices.update(m.telemetry, (prev) => applySeen(prev, m.telemetry, at));
        writeTelemetry(m.telemetry, at);
        return 'committed';
      case 'status':
        devices.update(m.status, (prev) => applyStatus(prev, m.status, at));
        return 'committed';
    }
  }

  const run = db.transaction((messages: readonly IngestMessage[], nowMs: number): CommitOutcome[] => {
    const devices = new DeviceCache(st);
    const outcomes = messages.map((m) => writeOne(m, devices, nowMs));
    devices.flush();
    if (nowMs - lastPruneMs >= PRUNE_EVERY_MS) {
      st.pruneTelemetry.run(nowMs - TELEMETRY_RETENTION_MS);
      lastPruneMs = nowMs;
    }
    return outcomes;
  });

  return { commit: (messages, nowMs) => run(messages, nowMs) };
}
