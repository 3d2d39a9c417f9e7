/**
 * Writes one batch of ingested messages in a single transaction: event inserts (duplicates
 * rejected by the primary key), device presence and telemetry, and, for every new event, what the
 * attached event processor decides (the service desk: alarms, tickets, audit, webhook outbox), so
 * an event and its consequences are committed together or not at all. SQL lives here; every
 * decision is made in collector/core.
 *
 * Duplicates are found by looking the batch's ids up (one query per batch) before anything is
 * written; new events are inserted at the end of the batch, several rows per statement. The insert
 * keeps `ON CONFLICT(id) DO NOTHING` (not `INSERT OR IGNORE`, which would also swallow NOT NULL
 * violations) only as a guard, and a conflict there fails the batch. Before the commit the store's
 * pending writes (audit rows, flood states, timers) are flushed.
 */
import { FaultlineError } from '../../../protocol/errors.js';
import type { Database, Statement } from 'better-sqlite3';
import type { FaultEvent, Telemetry } from '../../../protocol/values.js';
import { applyBirth, applyDeath, applySeen, applyStatus, type DeviceKey, type DeviceState } from '../../core/devices/device-registry.js';
import type { CommitOutcome, IngestMessage } from '../../core/devices/ingest-message.js';
import { deviceFromRow, deviceToRow, type DeviceRow } from './row-mapping.js';
import { BoundedCache } from './bounded-cache.js';
import { rowsOf, statementsByCount } from './statements-by-count.js';
import { EventProcessingFailed, type DeskUnit, type EventProcessor } from '../port/desk-repo.js';
import { LATEST_COLUMNS, LATEST_UPSERT, latestOfBatch, type LatestValues } from '../latest-rows.js';

/** Telemetry older than this (by sample time) is deleted; the prune runs at most once a minute. */
export const TELEMETRY_RETENTION_MS = 24 * 60 * 60 * 1000;
const PRUNE_EVERY_MS = 60 * 1000;
/** Most telemetry rows one commit deletes. */
const PRUNE_BATCH = 5000;


export interface BatchWriter {
  /** One transaction for the whole batch; returns one outcome per message, in order. Throws on a store failure. */
  commit(messages: readonly IngestMessage[], nowMs: number): CommitOutcome[];
  /** Replaces the event processor (none until the desk attaches itself: events are then only stored). */
  setEventProcessor(processor: EventProcessor | null): void;
}

function prepareStatements(db: Database) {
  return {
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
    insertSample: db.prepare<[string, string, string, number, string, string | null, number]>(`INSERT INTO telemetry (site, device, parameter, value, quality, reason, time_ms)
      VALUES (?, ?, ?, ?, ?, ?, ?)`),
    touchDevice: db.prepare<[number, string, string]>('UPDATE devices SET last_seen_ms = ? WHERE site = ? AND device = ?'),
    // A bounded batch per commit (over telemetry_time), so a long backlog never holds up one ingest commit.
    pruneTelemetry: db.prepare<[number, number]>('DELETE FROM telemetry WHERE rowid IN (SELECT rowid FROM telemetry WHERE time_ms < ? LIMIT ?)'),
    upsertLatest: db.prepare<LatestValues>(`INSERT INTO telemetry_latest ${LATEST_COLUMNS} VALUES (?, ?, ?, ?, ?, ?, ?, ?) ${LATEST_UPSERT}`),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

const EVENT_COLUMNS = `(id, device, site, seq, time_ms, source, category, code, severity, transition, message, snapshot, log_excerpt,
  labels, adapter_id, remedy, received_ms, ticket_id, model, firmware)`;
const EVENT_PLACEHOLDERS = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
/** Rows per multi-row event INSERT and ids per duplicate lookup: 20 × 50 parameters, well under SQLite's limit. */
const ROWS_PER_STATEMENT = 50;

/** Most device states kept between batches. */
export const DEVICE_CACHE_MAX = 20_000;

/** Only last_seen_ms moved (every other field is the same value or the same object): a one-column update will do. */
function onlySeenMoved(before: DeviceState, after: DeviceState): boolean {
  for (const k of Object.keys(after) as Array<keyof DeviceState>) if (k !== 'lastSeenMs' && after[k] !== before[k]) return false;
  return true;
}

/**
 * Device states as stored, kept between batches (only this writer writes the devices table); each
 * batch reads a device at most once and writes it once at its end, the last-seen time alone when
 * nothing else moved. `forget` drops what is kept (a rolled-back batch).
 */
class DeviceCache {
  private readonly stored = new BoundedCache<string, DeviceState>(DEVICE_CACHE_MAX);
  /** The batch in progress: state as stored before it (undefined: no row), and now. */
  private readonly touched = new Map<string, { before: DeviceState | undefined; now: DeviceState }>();

  constructor(private readonly st: Statements) {}

  private load(key: DeviceKey, k: string): DeviceState | undefined {
    const cached = this.stored.get(k);
    if (cached) return cached;
    const row = this.st.getDevice.get(key.site, key.device);
    return row ? deviceFromRow(row) : undefined;
  }

  update(key: DeviceKey, change: (prev: DeviceState | undefined) => DeviceState): void {
    const k = `${key.site}\u0000${key.device}`;
    const entry = this.touched.get(k);
    if (entry) entry.now = change(entry.now);
    else {
      const before = this.load(key, k);
      this.touched.set(k, { before, now: change(before) });
    }
  }

  get(key: DeviceKey): DeviceState | undefined {
    return this.touched.get(`${key.site}\u0000${key.device}`)?.now;
  }

  /** Writes the batch's devices (inside its transaction) and keeps them as stored. */
  flush(): void {
    for (const [k, { before, now }] of this.touched) {
      if (before && onlySeenMoved(before, now)) this.st.touchDevice.run(now.lastSeenMs, now.site, now.device);
      else this.st.upsertDevice.run(deviceToRow(now));
      this.stored.set(k, now);
    }
    this.touched.clear();
  }

  /** The batch is abandoned: neither its changes nor what was kept may be trusted. */
  forget(): void {
    this.touched.clear();
    this.stored.clear();
  }
}

type EventValue = string | number | null;

/** One event row's values, in EVENT_COLUMNS order, appended to `out`; model and firmware as the registry has them now. */
function pushEventRow(out: EventValue[], e: FaultEvent, receivedMs: number, ticketId: number | null, device: DeviceState | undefined): void {
  out.push(e.id, e.device, e.site, e.seq, e.timeMs, e.source, e.category, e.code, e.severity, e.transition, e.message,
    JSON.stringify(e.snapshot), JSON.stringify(e.logExcerpt), JSON.stringify(e.labels), e.adapterId, e.remedy, receivedMs, ticketId,
    device?.model ?? '', device?.firmware ?? '');
}

export interface BatchWriterHooks {
  /** Called inside the batch transaction just before it commits (the store flushes its pending writes). */
  beforeCommit?: () => void;
  /** Called whenever a batch transaction was rolled back (caches of stored state must forget it). */
  onRollback?: () => void;
  /** How long telemetry is kept, by sample time (default TELEMETRY_RETENTION_MS). */
  telemetryRetentionMs?: number;
}

/** The events of one batch: which ids are stored already, and the rows to insert at its end. */
class EventRows {
  /** Ids stored before the batch or earlier in it. */
  private readonly known = new Set<string>();
  private rows: EventValue[] = [];
  private count = 0;

  constructor(private readonly insertOf: (n: number) => Statement, existingOf: (n: number) => Statement, messages: readonly IngestMessage[]) {
    const ids: string[] = [];
    for (const m of messages) if (m.kind === 'event') ids.push(m.event.id);
    for (let start = 0; start < ids.length; start += ROWS_PER_STATEMENT) {
      const chunk = ids.slice(start, start + ROWS_PER_STATEMENT);
      for (const r of existingOf(chunk.length).all(chunk) as Array<{ id: string }>) this.known.add(r.id);
    }
  }

  /** False when the id is stored already (a duplicate); otherwise claims it for this batch. */
  claim(id: string): boolean {
    if (this.known.has(id)) return false;
    this.known.add(id);
    return true;
  }

  add(e: FaultEvent, receivedMs: number, ticketId: number | null, device: DeviceState | undefined): void {
    pushEventRow(this.rows, e, receivedMs, ticketId, device);
    if (++this.count === ROWS_PER_STATEMENT) this.write();
  }

  /** Inserts the rows collected; an id that conflicts after all (it cannot: they were looked up) fails the batch. */
  write(): void {
    if (this.count === 0) return;
    const inserted = this.insertOf(this.count).run(this.rows).changes;
    if (inserted !== this.count) throw new FaultlineError('FL_ERR_INTERNAL', `${this.count - inserted} of ${this.count} events appeared while they were processed`);
    this.rows = [];
    this.count = 0;
  }
}

export function createBatchWriter(db: Database, unit: DeskUnit, hooks: BatchWriterHooks = {}): BatchWriter {
  const st = prepareStatements(db);
  const insertOf = statementsByCount(db, (n) => `INSERT INTO events ${EVENT_COLUMNS} VALUES ${rowsOf(n, EVENT_PLACEHOLDERS)}
    ON CONFLICT(id) DO NOTHING`);
  const existingOf = statementsByCount(db, (n) => `SELECT id FROM events WHERE id IN (${rowsOf(n, '?')})`);
  let processor: EventProcessor | null = null;
  let lastPruneMs = Number.NEGATIVE_INFINITY;

  /**
   * A stored id is a duplicate and changes nothing; a new event is first acted on by the processor,
   * then inserted already linked to its ticket (one write instead of an insert and an update). Both
   * happen in the batch transaction, so neither is committed without the other.
   */
  function writeEvent(events: EventRows, e: FaultEvent, receivedMs: number, nowMs: number, device: DeviceState | undefined, isolate: boolean): CommitOutcome {
    if (!events.claim(e.id)) return 'duplicate';
    events.add(e, receivedMs, processor ? processor.processEvent(unit, e, nowMs, device, isolate) : null, device);
    return 'committed';
  }

  function writeTelemetry(t: Telemetry, receivedMs: number): void {
    for (const s of t.samples) st.insertSample.run(t.site, t.device, s.parameter, s.value, s.quality, s.reason ?? null, s.timeMs > 0 ? s.timeMs : receivedMs);
  }

  function writeOne(m: IngestMessage, devices: DeviceCache, events: EventRows, nowMs: number, isolate: boolean): CommitOutcome {
    const at = m.receivedMs;
    switch (m.kind) {
      case 'event':
        devices.update(m.event, (prev) => applySeen(prev, m.event, at));
        return writeEvent(events, m.event, at, nowMs, devices.get(m.event), isolate);
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

  const devices = new DeviceCache(st);
  const runTransaction = db.transaction((messages: readonly IngestMessage[], nowMs: number, isolate: boolean): CommitOutcome[] => {
    const events = new EventRows(insertOf, existingOf, messages);
    const outcomes = messages.map((m) => writeOne(m, devices, events, nowMs, isolate));
    events.write();
    devices.flush();
    for (const row of latestOfBatch(messages)) st.upsertLatest.run(...row);
    if (nowMs - lastPruneMs >= PRUNE_EVERY_MS) {
      const deleted = st.pruneTelemetry.run(nowMs - (hooks.telemetryRetentionMs ?? TELEMETRY_RETENTION_MS), PRUNE_BATCH).changes;
      // a full batch: more to do, at the next commit
      if (deleted < PRUNE_BATCH) lastPruneMs = nowMs;
    }
    hooks.beforeCommit?.();
    return outcomes;
  });
  const run = (messages: readonly IngestMessage[], nowMs: number, isolate: boolean): CommitOutcome[] => {
    try {
      return runTransaction(messages, nowMs, isolate);
    } catch (err) {
      devices.forget();
      hooks.onRollback?.();
      throw err;
    }
  };

  return {
    commit(messages, nowMs) {
      let committed = false;
      try {
        let outcomes: CommitOutcome[];
        try {
          outcomes = run(messages, nowMs, false);
        } catch (err) {
          if (!(err instanceof EventProcessingFailed)) throw err;
          outcomes = run(messages, nowMs, true);
        }
        committed = true;
        return outcomes;
      } finally {
        processor?.afterBatch?.(committed);
      }
    },
    setEventProcessor(p) {
      processor = p;
    },
  };
}
