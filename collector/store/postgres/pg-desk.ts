/**
 * The desk port on PostgreSQL: a desk unit of work (an operator's action, a due timer, a config
 * reload) loads its scope under locks, runs the synchronous desk core in memory (desk-unit.ts),
 * takes what the core found it lacked and runs it again, then writes what changed before COMMIT.
 * A deadlock or serialization failure runs the whole unit again (up to four times). Plus the
 * timer and SLA look-ups, one statement each.
 */
import type pg from 'pg';
import type { DeskPort } from '../port.js';
import type { DeskScope, DeskTimer, TimerKind } from '../port/desk-repo.js';
import { claimDueTimer, tryFiringLock } from './desk-primitives.js';
import { loadOpenLoad, loadSiteTickets, loadUnit, RESOLVED_LOAD_WINDOW_MS, reserveIds, SITE_LOAD_WINDOW_MS, takeMoreCounters } from './desk-scope.js';
import { notifyDeskChanges } from './desk-signals.js';
import { NeedMore, PgDeskUnit } from './desk-unit.js';
import { retryable, type Tx, type WithTx } from './pg-transaction.js';

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

/** Runs fn as one desk unit of work; origin names this collector in the change notices other collectors get. */
async function deskTransaction<T>(withTx: WithTx, origin: string, scope: DeskScope, fn: (unit: PgDeskUnit) => T): Promise<T> {
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
          await notifyDeskChanges(tx, origin, unit.summary());
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

export function createPgDesk(pool: pg.Pool, withTx: WithTx, origin: string): DeskPort {
  return {
    transaction: (scope, fn) => deskTransaction(withTx, origin, scope, fn),
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
  };
}
