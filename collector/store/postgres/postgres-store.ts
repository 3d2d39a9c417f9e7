/**
 * The PostgreSQL adapter of the store port (cluster mode): several collectors share one database.
 * Units of work (ingest batches, desk transactions) load their scope under locks, run the
 * synchronous desk core in memory and write what changed before COMMIT (desk-unit.ts). Every other
 * operation is one statement, or one transaction where it writes several rows.
 *
 * Values come back shaped like the SQLite adapter's rows (pg-rows.ts), so its pure row mappers are
 * reused. The data directory holds only the key file device write keys are sealed with (never in
 * the database); the URL is only ever shown with its password masked.
 */
import { createPgPagingPrefs } from './pg-paging-prefs.js';
import { createPgOnCallOverrides } from './pg-on-call-overrides.js';
import { randomUUID } from 'node:crypto';
import { pgTicketViews } from './pg-ticket-views.js';
import { mkdirSync } from 'node:fs';
import pg from 'pg';
import { FaultlineError } from '../../../protocol/errors.js';
import type { Logger } from '../../../protocol/logger.js';
import { DEFAULT_SESSION_POLICY, type SessionPolicy } from '../../core/access/session-expiry.js';
import { applyBirth, applyDeath, applySeen, applyStatus, type DeviceKey, type DeviceState } from '../../core/devices/device-registry.js';
import type { CommitOutcome, IngestMessage } from '../../core/devices/ingest-message.js';
import { ticketDay } from '../../core/tickets/ticket-number.js';
import { loadOrCreateKeyFile } from '../../security/key-file.js';
import type { ScryptCost } from '../../security/password-hash.js';
import type { StorePort } from '../port.js';
import { EventProcessingFailed, type DeskScope, type DeskTimer, type EventProcessor, type TimerKind } from '../port/desk-repo.js';
import { deviceFromRow, deviceToRow, type DeviceRow } from '../sqlite/row-mapping.js';
import { claimDueTimer, tryFiringLock } from './desk-primitives.js';
import { notifyDeskChanges, PgDeskSignals } from './desk-signals.js';
import { notifyLiveDevices } from './live-signals.js';
import { loadOpenLoad, loadSiteTickets, loadUnit, RESOLVED_LOAD_WINDOW_MS, reserveIds, SITE_LOAD_WINDOW_MS, takeMoreCounters } from './desk-scope.js';
import { NeedMore, PgDeskUnit } from './desk-unit.js';
import { jsonRows } from './unit-writes.js';
import { eventRow, insertEvents, type EventRow } from './event-rows.js';
import { createPgQueries } from './pg-queries.js';
import { migratePostgres } from './migrations.js';
import { PgAccess } from './pg-access.js';
import { PgKnowledge } from './pg-knowledge.js';
import { createPgLoginFailures } from './pg-login-failures.js';
import { PgReports } from './pg-reports.js';
import { insertRows, STORE_PG_TYPES } from './pg-rows.js';
import { checkDatabaseUrl, redactUrl } from './pool.js';
import { dropTelemetryBefore, ensureTelemetryPartitions } from './telemetry-partitions.js';
import { createPgEventRetention } from './pg-retention.js';
import { DAY_MS } from './schema-telemetry.js';
import { PgWebhooks } from './pg-webhooks.js';
import { createPgAudit } from './pg-audit.js';
import { LATEST_COLUMNS, LATEST_UPSERT, latestOfBatch } from '../latest-rows.js';

export interface PostgresStoreOptions {
  /** postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE */
  url: string;
  /** Where the key file that seals device write keys lives (never in the database). */
  dataDir: string;
  log: Logger;
  nowMs: number;
  /** Connections this collector holds at most (default 10). */
  poolMax?: number;
  users?: { hashCost?: ScryptCost; sessionPolicy?: SessionPolicy };
  /** How long telemetry is kept, by sample time (default TELEMETRY_RETENTION_MS); older day partitions are dropped. */
  telemetryRetentionMs?: number;
}

export interface PostgresStore extends StorePort {
  /** The pool, for the adapter's own tests and tools (never the collector's code). */
  readonly pool: pg.Pool;
}

type Tx = pg.PoolClient;

/** Deadlock or serialization failure: the transaction may simply be run again. */
function retryable(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === '40P01' || code === '40001';
}

/** Text PostgreSQL refuses (a NUL character in TEXT, its \\u0000 escape in JSONB), replaced by U+FFFD. */
function withoutNul<T>(value: T): T {
  if (typeof value === 'string') return (value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => withoutNul(v)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [withoutNul(k), withoutNul(v)])) as T;
  }
  return value;
}

/** The message as PostgreSQL can store it: unchanged unless some string in it holds a NUL (which SQLite took, PostgreSQL does not). */
function storable(m: IngestMessage): IngestMessage {
  return JSON.stringify(m).includes('\\u0000') ? withoutNul(m) : m;
}

/** Telemetry retention, as the SQLite store's (by sample time): older day partitions are dropped, at most once an hour. */
export const TELEMETRY_RETENTION_MS = 24 * 60 * 60 * 1000;
const DROP_EVERY_MS = 60 * 60 * 1000;

/** An ingest batch applied in memory: its outcomes and the rows it writes. */
interface AppliedBatch {
  outcomes: CommitOutcome[];
  events: EventRow[];
  samples: unknown[][];
  now: Map<string, DeviceState>;
}

const keyOf = (k: DeviceKey): string => `${k.site}\u0000${k.device}`;

function messageDevice(m: IngestMessage): DeviceKey {
  switch (m.kind) {
    case 'event': return m.event;
    case 'birth': return m.birth;
    case 'death': return m.death;
    case 'telemetry': return m.telemetry;
    case 'status': return m.status;
  }
}

export async function openPostgresStore(opts: PostgresStoreOptions): Promise<PostgresStore> {
  checkDatabaseUrl(opts.url);
  const location = redactUrl(opts.url);
  const telemetryRetentionMs = opts.telemetryRetentionMs ?? TELEMETRY_RETENTION_MS;
  const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolMax ?? 10, application_name: 'faultline-collector', types: STORE_PG_TYPES });
  pool.on('error', (err) => opts.log.warn({ err: err.message }, 'an idle PostgreSQL connection failed; the pool opens a new one'));
  try {
    const c = await pool.connect();
    try {
      const applied = await migratePostgres(c, { nowMs: opts.nowMs });
      if (applied.length) opts.log.info({ database: location, migrations: applied }, 'database schema migrated');
    } finally {
      c.release();
    }
  } catch (cause) {
    await pool.end().catch(() => undefined);
    if (cause instanceof FaultlineError) throw cause;
    throw new FaultlineError('FL_ERR_STORE_OPEN', `cannot open database ${location}: ${(cause as Error).message}`, {
      cause, context: { database: location }, hint: 'check that PostgreSQL is running and the URL, user and database are right',
    });
  }

  const signals = new PgDeskSignals(opts.url, randomUUID(), opts.log);

  /** A lost or refused connection as the port's "store unavailable" (the sender redelivers); other errors as they are. */
  const unavailable = (err: unknown): unknown => {
    if (err instanceof FaultlineError) return err;
    const code = String((err as { code?: unknown }).code ?? '');
    if (!/^(08|57P0[1-3]|ECONN|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|EPIPE)/.test(code) && !/Connection terminated/.test((err as Error).message ?? '')) return err;
    return new FaultlineError('FL_ERR_STORE_UNAVAILABLE', `PostgreSQL at ${location} cannot be reached: ${(err as Error).message}`, {
      cause: err, context: { database: location }, hint: 'check that PostgreSQL is up and reachable; nothing of this operation was committed',
    });
  };

  async function withTx<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    let tx: Tx;
    try {
      tx = await pool.connect();
    } catch (err) {
      throw unavailable(err);
    }
    let broken: Error | undefined;
    try {
      await tx.query('BEGIN');
      const result = await fn(tx);
      await tx.query('COMMIT');
      return result;
    } catch (err) {
      await tx.query('ROLLBACK').catch((e: unknown) => { broken = e as Error; });
      throw unavailable(err);
    } finally {
      tx.release(broken);
    }
  }

  // ---- ingest ----
  let processor: EventProcessor | null = null;
  /** Telemetry days whose partition is known to exist. */
  const partitionDays = new Set<number>();

  async function ensurePartitions(messages: readonly IngestMessage[], nowMs: number): Promise<void> {
    const days = new Set<number>();
    for (const m of messages) {
      if (m.kind !== 'telemetry') continue;
      for (const s of m.telemetry.samples) {
        const time = s.timeMs > 0 ? s.timeMs : m.receivedMs;
        if (time < nowMs - telemetryRetentionMs) continue;
        const day = Math.floor(time / DAY_MS);
        if (!partitionDays.has(day)) days.add(day);
      }
    }
    // In a short transaction of its own: the DDL would otherwise hold telemetry's lock until the batch commits.
    for (const day of days) {
      await ensureTelemetryPartitions(pool, day * DAY_MS, day * DAY_MS + DAY_MS - 1);
      partitionDays.add(day);
    }
  }

  let lastDropMs = Number.NEGATIVE_INFINITY;
  async function dropOldTelemetry(nowMs: number): Promise<void> {
    if (nowMs - lastDropMs < DROP_EVERY_MS) return;
    lastDropMs = nowMs;
    try {
      const dropped = await dropTelemetryBefore(pool, nowMs - telemetryRetentionMs);
      if (dropped.length > 0) {
        partitionDays.clear();
        opts.log.info({ partitions: dropped }, 'telemetry partitions past retention dropped');
      }
    } catch (err) {
      opts.log.warn({ err: (err as Error).message }, 'dropping old telemetry partitions failed; trying again later');
    }
  }

  /**
   * One ingest batch in one transaction. The unit loads the tickets of its events' faults only (not
   * every open ticket of its devices), and takes the day counters, ids and the open load per
   * assignee only when the batch has new events (the open load only for a new raise). The sites'
   * open tickets (site-wide correlation) are loaded when the core first asks for them: that pass
   * fails with NeedMore, the unit loads them and the batch's messages run again in the same
   * transaction (the processor saw the pass fail). The isolated pass takes everything first, as a
   * failing event must not look like a need.
   */
  async function runIngest(messages: readonly IngestMessage[], nowMs: number, isolate: boolean): Promise<CommitOutcome[]> {
    return withTx(async (tx) => {
      const devices = new Map<string, DeviceKey>();
      for (const m of messages) {
        const k = messageDevice(m);
        devices.set(keyOf(k), { site: k.site, device: k.device });
      }
      const eventIds = messages.flatMap((m) => (m.kind === 'event' ? [m.event.id] : []));
      const faults = messages.flatMap((m) => (m.kind === 'event' ? [{ site: m.event.site, device: m.event.device, code: m.event.code }] : []));
      const loaded = await loadUnit(tx, {
        scope: { devices: [...devices.values()] }, resolvedSinceMs: nowMs - RESOLVED_LOAD_WINDOW_MS, siteOpenedSinceMs: nowMs - SITE_LOAD_WINDOW_MS, days: [],
        ticketIds: 0, alarmIds: 0, locksOnly: !processor, lazyOpenLoad: true, faults,
      });
      const unit = new PgDeskUnit(loaded, isolate ? 'fail' : 'retry');
      const storedBefore = new Set<string>();
      if (eventIds.length > 0) {
        const { rows } = await tx.query<{ id: string }>('SELECT id FROM events WHERE id = ANY($1::text[])', [eventIds]);
        for (const r of rows) storedBefore.add(r.id);
      }
      const fresh = messages.flatMap((m) => (m.kind === 'event' && !storedBefore.has(m.event.id) ? [m] : []));
      /** Counters of every day the batch may number a ticket on, ids for each new event. */
      const takeForFresh = async (): Promise<void> => {
        const days = new Set<string>([ticketDay(nowMs)]);
        for (const m of fresh) { days.add(ticketDay(m.event.timeMs)); days.add(ticketDay(m.receivedMs)); }
        unit.addCounters(await takeMoreCounters(tx, [...days]));
        unit.addIds('tickets', await reserveIds(tx, 'tickets', 2 * fresh.length + 2));
        unit.addIds('alarms', await reserveIds(tx, 'alarms', fresh.length + 2));
      };
      let reserved = false;
      /** Everything a unit may lack: the open load, the sites' open tickets. */
      const reserve = async (): Promise<void> => {
        reserved = true;
        if (loaded.openLoad === undefined) unit.addOpenLoad(await loadOpenLoad(tx));
        if (loaded.siteTickets === false) unit.addSiteTickets(await loadSiteTickets(tx, loaded));
      };
      if (processor && fresh.length > 0) {
        await takeForFresh();
        if (isolate) await reserve();
        else if (fresh.some((m) => m.event.transition === 'raise')) unit.addOpenLoad(await loadOpenLoad(tx));
      }
      const stored = new Map<string, DeviceState>();
      {
        const list = [...devices.values()];
        const { rows } = await tx.query<DeviceRow>('SELECT * FROM devices WHERE (site, device) IN (SELECT * FROM unnest($1::text[], $2::text[]))',
          [list.map((d) => d.site), list.map((d) => d.device)]);
        for (const r of rows) stored.set(keyOf(r), deviceFromRow(r));
      }
      const apply = (): AppliedBatch => {
        const known = new Set(storedBefore);
        const now = new Map(stored);
        const update = (k: DeviceKey, change: (prev: DeviceState | undefined) => DeviceState): void => { now.set(keyOf(k), change(now.get(keyOf(k)))); };
        const events: EventRow[] = [];
        const samples: unknown[][] = [];
        const outcomes = messages.map((m): CommitOutcome => {
          const at = m.receivedMs;
          switch (m.kind) {
            case 'event': {
              update(m.event, (prev) => applySeen(prev, m.event, at));
              if (known.has(m.event.id)) return 'duplicate';
              known.add(m.event.id);
              const device = now.get(keyOf(m.event));
              const ticketId = processor ? processor.processEvent(unit, m.event, nowMs, device, isolate) : null;
              events.push(eventRow(m.event, at, ticketId, device));
              return 'committed';
            }
            case 'birth': update(m.birth, (prev) => applyBirth(prev, m.birth, at)); return 'committed';
            case 'death': update(m.death, (prev) => applyDeath(prev, m.death, at).state); return 'committed';
            case 'telemetry':
              update(m.telemetry, (prev) => applySeen(prev, m.telemetry, at));
              for (const s of m.telemetry.samples) {
                const time = s.timeMs > 0 ? s.timeMs : at;
                // Past retention already (its day's partition may be gone): not kept, as SQLite's prune would remove it.
                if (time >= nowMs - telemetryRetentionMs) samples.push([m.telemetry.site, m.telemetry.device, s.parameter, s.value, s.quality, s.reason ?? null, time]);
              }
              return 'committed';
            case 'status': update(m.status, (prev) => applyStatus(prev, m.status, at)); return 'committed';
          }
        });
        return { outcomes, events, samples, now };
      };
      const applyAll = async (): Promise<AppliedBatch> => {
        for (;;) {
          let failure: unknown;
          try {
            const applied = apply();
            if (!unit.needed) return applied;
          } catch (err) {
            failure = err;
          }
          // The core lacked something the fast pass did not take: take it all, forget the pass, run it again (once).
          if (!unit.needed || reserved) {
            throw failure ?? new FaultlineError('FL_ERR_INTERNAL', 'an ingest unit still lacked counters, ids or the open load after taking them');
          }
          unit.reset();
          await reserve();
        }
      };
      const { outcomes, events, samples, now } = await applyAll();
      await unit.write(tx);
      if (events.length > 0) {
        const inserted = await insertEvents(tx, events);
        if (inserted !== events.length) throw new FaultlineError('FL_ERR_INTERNAL', `${events.length - inserted} of ${events.length} events appeared while they were processed`);
      }
      const moved = [...now].filter(([k, d]) => stored.get(k) !== d).map(([, d]) => ({ ...deviceToRow(d) }));
      if (moved.length > 0) {
        await tx.query(`INSERT INTO devices SELECT * FROM jsonb_populate_recordset(NULL::devices, $1::jsonb)
          ON CONFLICT (site, device) DO UPDATE SET online = excluded.online, model = excluded.model, firmware = excluded.firmware,
          adapter_id = excluded.adapter_id, agent_version = excluded.agent_version, parameters = excluded.parameters, session_id = excluded.session_id,
          last_seen_ms = excluded.last_seen_ms, last_birth_ms = excluded.last_birth_ms, last_death_ms = excluded.last_death_ms,
          last_death_reason = excluded.last_death_reason, last_status = excluded.last_status`, [jsonRows(moved)]);
      }
      if (samples.length > 0) await insertRows(tx, 'INSERT INTO telemetry (site, device, parameter, value, quality, reason, time_ms)', 7, samples);
      const latest = latestOfBatch(messages);
      if (latest.length > 0) await insertRows(tx, `INSERT INTO telemetry_latest ${LATEST_COLUMNS}`, 8, latest, LATEST_UPSERT);
      await notifyDeskChanges(tx, signals.origin, unit.summary());
      await notifyLiveDevices(tx, signals.origin, messages);
      await unit.writeAudit(tx);
      return outcomes;
    });
  }

  // ---- desk ----
  /**
   * Skips at once a timer another collector is firing (its firing lock is only ever tried); else takes
   * the scope's locks (transaction-level: loading the scope afterwards takes them again at no cost)
   * and claims the timer, which is no longer due when another collector applied it meanwhile.
   */
  async function claimUnderLocks(tx: Tx, options: Parameters<typeof loadUnit>[1], claim: NonNullable<DeskScope['claim']>): Promise<boolean> {
    if (!(await tryFiringLock(tx, claim))) return false;
    await loadUnit(tx, { ...options, locksOnly: true });
    return claimDueTimer(tx, claim);
  }

  async function deskTransaction<T>(scope: DeskScope, fn: (unit: PgDeskUnit) => T): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await withTx(async (tx) => {
          const clock = Date.now();
          const options = { scope, resolvedSinceMs: clock - RESOLVED_LOAD_WINDOW_MS, siteOpenedSinceMs: clock - SITE_LOAD_WINDOW_MS, days: [], ticketIds: 0, alarmIds: 0 };
          // A timer's unit claims it under the scope's locks and loads the scope only when it got it (another collector fired it otherwise).
          const claimed = scope.claim ? await claimUnderLocks(tx, options, scope.claim) : undefined;
          const loaded = await loadUnit(tx, claimed === false ? { ...options, locksOnly: true } : options);
          const unit = new PgDeskUnit(loaded, 'retry');
          unit.claimed = claimed;
          for (;;) {
            let result: T | undefined;
            let failure: unknown;
            let failed = false;
            try {
              result = fn(unit);
            } catch (err) {
              failed = true;
              failure = err;
            }
            const need = unit.needed ?? (failure instanceof NeedMore ? failure : undefined);
            if (need) {
              unit.reset();
              if (need.need.day !== undefined) unit.addCounters(await takeMoreCounters(tx, [need.need.day]));
              if (need.need.ticketIds !== undefined) unit.addIds('tickets', await reserveIds(tx, 'tickets', need.need.ticketIds));
              if (need.need.alarmIds !== undefined) unit.addIds('alarms', await reserveIds(tx, 'alarms', need.need.alarmIds));
              if (need.need.openLoad) unit.addOpenLoad(await loadOpenLoad(tx));
              if (need.need.siteTickets) unit.addSiteTickets(await loadSiteTickets(tx, loaded));
              continue;
            }
            if (failed) throw failure;
            await unit.write(tx);
            await notifyDeskChanges(tx, signals.origin, unit.summary());
            await unit.writeAudit(tx);
            return result as T;
          }
        });
      } catch (err) {
        if (attempt < 4 && retryable(err)) continue;
        throw err;
      }
    }
  }

  const timerOf = (r: { kind: string; key: string; due_ms: number }): DeskTimer => ({ kind: r.kind as TimerKind, key: r.key, dueMs: r.due_ms });

  const access = new PgAccess(pool, withTx, opts.users?.hashCost, opts.users?.sessionPolicy ?? DEFAULT_SESSION_POLICY);
  const knowledge = new PgKnowledge(pool, withTx);
  const reports = new PgReports(pool);
  const webhooks = new PgWebhooks(pool, withTx);
  let master: Buffer | undefined;
  const masterKey = (): Buffer => {
    if (!master) {
      mkdirSync(opts.dataDir, { recursive: true });
      master = loadOrCreateKeyFile(opts.dataDir);
    }
    return master;
  };
  let closed = false;

  const store: PostgresStore = {
    pool,
    location,
    ingest: {
      async commit(input, nowMs) {
        let committed = false;
        try {
          const messages = input.map(storable);
          await ensurePartitions(messages, nowMs);
          let outcomes: CommitOutcome[];
          try {
            outcomes = await runIngest(messages, nowMs, false);
          } catch (err) {
            if (!(err instanceof EventProcessingFailed)) throw err;
            outcomes = await runIngest(messages, nowMs, true);
          }
          committed = true;
          await dropOldTelemetry(nowMs);
          return outcomes;
        } finally {
          processor?.afterBatch?.(committed);
        }
      },
      setEventProcessor(p) { processor = p; },
    },
    desk: {
      transaction: (scope, fn) => deskTransaction(scope, fn),
      async nextTimer() {
        const { rows } = await pool.query<{ kind: string; key: string; due_ms: number }>('SELECT kind, key, due_ms FROM desk_timers ORDER BY due_ms LIMIT 1');
        return rows[0] ? timerOf(rows[0]) : undefined;
      },
      async dueTimers(nowMs, limit) {
        const { rows } = await pool.query<{ kind: string; key: string; due_ms: number }>(
          'SELECT kind, key, due_ms FROM desk_timers WHERE due_ms <= $1 ORDER BY due_ms, kind, key LIMIT $2', [nowMs, limit]);
        return rows.map(timerOf);
      },
      async calendarsInUse() {
        const { rows } = await pool.query<{ c: string | null }>(`SELECT DISTINCT sla->'response'->>'calendarId' AS c FROM tickets WHERE status <> 'closed' AND sla IS NOT NULL
          UNION SELECT DISTINCT sla->'resolution'->>'calendarId' FROM tickets WHERE status <> 'closed' AND sla IS NOT NULL`);
        return rows.flatMap((r) => (r.c === null ? [] : [r.c]));
      },
      async ticketsWithoutSlaDue(limit) {
        const { rows } = await pool.query<{ id: number }>("SELECT id FROM tickets WHERE sla_due_ms IS NULL AND status <> 'closed' ORDER BY id LIMIT $1", [limit]);
        return rows.map((r) => r.id);
      },
    },
    queries: createPgQueries(pool),
    audit: createPgAudit(pool, withTx),
    webhooks,
    users: access.users,
    sessions: access.sessions,
    tokens: access.tokens,
    credentials: access.credentials,
    deviceKeys: {
      set: (site, device, key, nowMs) => access.setDeviceKey(masterKey(), site, device, key, nowMs),
      get: (site, device) => access.getDeviceKey(masterKey(), site, device),
      has: (site, device) => access.hasDeviceKey(site, device),
      owners: () => access.deviceKeyOwners(),
      delete: (site, device) => access.deleteDeviceKey(site, device),
    },
    knowledge,
    reports: { load: (period, filter) => reports.load(period, filter) },
    cluster: signals,
    loginFailures: createPgLoginFailures(pool, withTx),
    retention: createPgEventRetention(pool),
    ticketViews: pgTicketViews(pool),
    onCallOverrides: createPgOnCallOverrides(pool, signals.origin),
    pagingPrefs: createPgPagingPrefs(pool, signals.origin),
    async close() {
      if (closed) return;
      closed = true;
      await signals.close();
      await pool.end();
    },
  };
  return store;
}

