/**
 * A site's annunciation times inside the flood window (FloodState.recent), one row per time, so a
 * flood costs one small insert per new alarm instead of rewriting the whole window: during a flood
 * the window holds thousands of times, and the site's state is saved with every ingest batch.
 * `write` compares the times with those it last wrote for the site and inserts only the new ones
 * and deletes only the ones that left the window; without that reference (first write, or after a
 * rollback made it unknown) it rewrites the site's times.
 */
import type { Database } from 'better-sqlite3';
import { rowsOf, statementsByCount } from './statements-by-count.js';

export interface FloodTimes {
  /** The site's times, ascending (equal times kept, in the order written). */
  load(site: string): number[];
  /** Makes the stored times equal `next`; `prev` is what was stored for the site, when known. */
  write(site: string, prev: readonly number[] | undefined, next: readonly number[]): void;
}

/** Rows per multi-row insert. */
const ROWS_PER_INSERT = 200;

/**
 * How `next` continues `prev` (times fed in order, old ones dropped from the front): the number of
 * times dropped and the times appended; null when `next` is not such a continuation.
 */
export function floodTimesDiff(prev: readonly number[], next: readonly number[]): { dropped: number; appended: readonly number[] } | null {
  const first = next[0];
  // Times leave the window from the front, all equal ones at once: those before next[0] were dropped.
  let dropped = first === undefined ? prev.length : 0;
  if (first !== undefined) while (dropped < prev.length && (prev[dropped] as number) < first) dropped++;
  const kept = prev.length - dropped;
  if (kept > next.length) return null;
  for (let i = 0; i < kept; i++) if (prev[dropped + i] !== next[i]) return null;
  return { dropped, appended: next.slice(kept) };
}

export function createFloodTimes(db: Database): FloodTimes {
  const load = db.prepare<[string], { at_ms: number }>('SELECT at_ms FROM flood_times WHERE site = ? ORDER BY at_ms, rowid');
  const deleteBefore = db.prepare<[string, number]>('DELETE FROM flood_times WHERE site = ? AND at_ms < ?');
  const deleteAll = db.prepare<[string]>('DELETE FROM flood_times WHERE site = ?');
  const insertOf = statementsByCount(db, (n) => `INSERT INTO flood_times (site, at_ms) VALUES ${rowsOf(n, '(?, ?)')}`);
  const insert = (site: string, times: readonly number[]): void => {
    for (let start = 0; start < times.length; start += ROWS_PER_INSERT) {
      const chunk = times.slice(start, start + ROWS_PER_INSERT);
      insertOf(chunk.length).run(chunk.flatMap((t) => [site, t]));
    }
  };

  return {
    load: (site) => load.all(site).map((r) => r.at_ms),
    write(site, prev, next) {
      const diff = prev ? floodTimesDiff(prev, next) : null;
      if (!diff) {
        deleteAll.run(site);
        insert(site, next);
        return;
      }
      if (diff.dropped > 0) {
        const first = next[0];
        if (first === undefined) deleteAll.run(site);
        else deleteBefore.run(site, first);
      }
      insert(site, diff.appended);
    },
  };
}
