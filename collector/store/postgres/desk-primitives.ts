/**
 * Statements the PostgreSQL adapter builds its desk operations on when several collectors share
 * one database: one device's events applied by one collector at a time, ticket numbers that stay
 * unique and gapless per day, and due timers claimed by exactly one collector. Each must run inside the caller's transaction, the one that applies
 * the effect, so a collector that dies mid-way releases what it took (its transaction rolls back).
 */
import { FaultlineError } from '../../../protocol/errors.js';
import { assertValidId } from '../../../protocol/topics.js';
import { ADVISORY_LOCK_DEVICE_CLASS, ADVISORY_LOCK_TIMER_CLASS } from './advisory-locks.js';
import type { Queryable } from './pool.js';

/**
 * The next counter of a UTC day (YYYYMMDD, collector/core/ticket-number.ts). The counter row stays
 * locked until the transaction ends, so a concurrent opener waits, and a rollback gives the number
 * back: the committed numbers of a day are 1..n with no gap.
 */
export async function nextTicketCounter(tx: Queryable, day: string): Promise<number> {
  if (!/^\d{8}$/.test(day)) {
    throw new FaultlineError('FL_ERR_STORE_TICKET_DAY', `ticket day ${JSON.stringify(day)} is not YYYYMMDD`, {
      context: { day }, hint: 'derive it with ticketDay(timeMs)',
    });
  }
  const { rows } = await tx.query<{ last: number }>(
    `INSERT INTO ticket_day_counters (day, last) VALUES ($1, 1)
     ON CONFLICT (day) DO UPDATE SET last = ticket_day_counters.last + 1 RETURNING last`, [day]);
  const last = rows[0]?.last;
  if (last === undefined) throw new FaultlineError('FL_ERR_INTERNAL', 'the ticket counter returned no row', { context: { day } });
  return last;
}

export interface DueTimer {
  kind: string;
  key: string;
  dueMs: number;
}

/**
 * Locks up to `limit` timers due at `nowMs`, oldest first, skipping any another collector holds
 * (FOR UPDATE SKIP LOCKED, the pg-boss pattern). The caller applies their effects and deletes or
 * reschedules them in the same transaction; on rollback they are due again for everyone.
 */
export async function claimDueTimers(tx: Queryable, nowMs: number, limit: number): Promise<DueTimer[]> {
  if (!Number.isSafeInteger(nowMs) || !Number.isInteger(limit) || limit < 1) {
    throw new FaultlineError('FL_ERR_STORE_TIMER_CLAIM', `claimDueTimers needs integer nowMs and a positive limit (got ${nowMs}, ${limit})`, {
      context: { nowMs, limit },
    });
  }
  const { rows } = await tx.query<{ kind: string; key: string; due_ms: number }>(
    `SELECT kind, key, due_ms FROM desk_timers WHERE due_ms <= $1 ORDER BY due_ms LIMIT $2 FOR UPDATE SKIP LOCKED`, [nowMs, limit]);
  return rows.map((r) => ({ kind: r.kind, key: r.key, dueMs: r.due_ms }));
}

/** Tries (never waits) to become the collector firing this timer; false: another one is firing it now. */
export async function tryFiringLock(tx: Queryable, claim: { kind: string; key: string }): Promise<boolean> {
  const { rows } = await tx.query(`SELECT 1 AS got WHERE pg_try_advisory_xact_lock(${ADVISORY_LOCK_TIMER_CLASS}, hashtext($1))`, [`${claim.kind}/${claim.key}`]);
  return rows.length > 0;
}

/**
 * Claims one timer for the unit that applies it: true when it is due by `dueBy` and no other
 * transaction holds it (FOR UPDATE SKIP LOCKED). Run it after the unit's scope locks: a collector
 * that applied the timer meanwhile has moved its deadline, so the claim then finds nothing due.
 */
export async function claimDueTimer(tx: Queryable, claim: { kind: string; key: string; dueBy: number }): Promise<boolean> {
  const { rows } = await tx.query<{ kind: string }>(
    'SELECT kind FROM desk_timers WHERE kind = $1 AND key = $2 AND due_ms <= $3 FOR UPDATE SKIP LOCKED', [claim.kind, claim.key, claim.dueBy]);
  return rows.length > 0;
}

/** When the next timer is due (null when none): what a collector sleeps until, instead of polling. */
export async function nextTimerDueMs(q: Queryable): Promise<number | null> {
  const { rows } = await q.query<{ due: number | null }>('SELECT min(due_ms) AS due FROM desk_timers');
  return rows[0]?.due ?? null;
}

/**
 * Serializes work on one device across collectors until the transaction ends (commit or
 * rollback). Take it before reading the device's alarm state; with several devices in one
 * batch, take them in sorted order so two collectors cannot deadlock.
 */
export async function lockDevices(tx: Queryable, devices: ReadonlyArray<{ site: string; device: string }>): Promise<void> {
  const keys = [...new Set(devices.map((d) => {
    assertValidId('site', d.site);
    assertValidId('device', d.device);
    return `${d.site}/${d.device}`;
  }))].sort();
  if (keys.length === 0) return;
  await tx.query(`SELECT pg_advisory_xact_lock(${ADVISORY_LOCK_DEVICE_CLASS}, hashtext(k)) FROM unnest($1::text[]) WITH ORDINALITY AS u(k, i) ORDER BY i`, [keys]);
}
