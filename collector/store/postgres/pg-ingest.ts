/**
 * The ingest port on PostgreSQL: a batch of device messages in one transaction. The batch's
 * devices are locked and its scope loaded (desk-unit.ts), the messages applied in memory (device
 * presence, new events through the event processor, telemetry), then events, devices, telemetry,
 * the latest values, the desk's changes and their audit written before COMMIT, with change notices
 * for the other collectors. A batch in which an event's processing failed runs again isolated.
 */
import { FaultlineError } from '../../../protocol/errors.js';
import type { Logger } from '../../../protocol/logger.js';
import type pg from 'pg';
import { applyBirth, applyDeath, applySeen, applyStatus, type DeviceKey, type DeviceState } from '../../core/devices/device-registry.js';
import type { CommitOutcome, IngestMessage } from '../../core/devices/ingest-message.js';
import { ticketDay } from '../../core/tickets/ticket-number.js';
import { LATEST_COLUMNS, LATEST_UPSERT, latestOfBatch } from '../latest-rows.js';
import type { IngestPort } from '../port.js';
import { EventProcessingFailed, type EventProcessor } from '../port/desk-repo.js';
import { deviceFromRow, deviceToRow, type DeviceRow } from '../sqlite/row-mapping.js';
import { loadOpenLoad, loadSiteTickets, loadUnit, RESOLVED_LOAD_WINDOW_MS, reserveIds, SITE_LOAD_WINDOW_MS, takeMoreCounters } from './desk-scope.js';
import { notifyDeskChanges } from './desk-signals.js';
import { PgDeskUnit } from './desk-unit.js';
import { eventRow, insertEvents, type EventRow } from './event-rows.js';
import { notifyLiveDevices } from './live-signals.js';
import { insertRows } from './pg-rows.js';
import type { WithTx } from './pg-transaction.js';
import { storable } from './storable-message.js';
import { TelemetryUpkeep } from './telemetry-upkeep.js';
import { jsonRows } from './unit-writes.js';

export interface IngestDeps {
  pool: pg.Pool;
  withTx: WithTx;
  /** This collector's name in the change notices other collectors get. */
  origin: string;
  /** How long telemetry is kept, by sample time; older samples are not stored and older day partitions are dropped. */
  telemetryRetentionMs: number;
  log: Logger;
}

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

/**
 * One ingest batch in one transaction. The unit loads the tickets of its events' faults only (not
 * every open ticket of its devices), and takes the day counters, ids and the open load per
 * assignee only when the batch has new events (the open load only for a new raise). The sites'
 * open tickets (site-wide correlation) are loaded when the core first asks for them: that pass
 * fails with NeedMore, the unit loads them and the batch's messages run again in the same
 * transaction (the processor saw the pass fail). The isolated pass takes everything first, as a
 * failing event must not look like a need.
 */
async function runIngest(deps: IngestDeps, processor: EventProcessor | null, messages: readonly IngestMessage[], nowMs: number, isolate: boolean): Promise<CommitOutcome[]> {
  const { withTx, origin, telemetryRetentionMs } = deps;
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
    await notifyDeskChanges(tx, origin, unit.summary());
    await notifyLiveDevices(tx, origin, messages);
    await unit.writeAudit(tx);
    return outcomes;
  });
}

export function createPgIngest(deps: IngestDeps): IngestPort {
  let processor: EventProcessor | null = null;
  const telemetry = new TelemetryUpkeep(deps.pool, deps.telemetryRetentionMs, deps.log);
  return {
    async commit(input, nowMs) {
      let committed = false;
      try {
        const messages = input.map(storable);
        await telemetry.ensurePartitions(messages, nowMs);
        let outcomes: CommitOutcome[];
        try {
          outcomes = await runIngest(deps, processor, messages, nowMs, false);
        } catch (err) {
          if (!(err instanceof EventProcessingFailed)) throw err;
          outcomes = await runIngest(deps, processor, messages, nowMs, true);
        }
        committed = true;
        await telemetry.dropOld(nowMs);
        return outcomes;
      } finally {
        processor?.afterBatch?.(committed);
      }
    },
    setEventProcessor(p) { processor = p; },
  };
}
