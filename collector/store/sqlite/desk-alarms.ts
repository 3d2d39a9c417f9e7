/**
 * SQL for alarms, their chatter state, per-site flood state and flood episodes. The domain records
 * are stored whole as JSON (`data`), with the columns the API filters on beside them; a flood
 * state's window of annunciation times is kept in rows of its own (flood-times.ts).
 */
import { FaultlineError } from '../../../protocol/errors.js';
import type { Database, Statement } from 'better-sqlite3';
import { alarmId, alarmState, type Alarm } from '../../core/alarms/alarm-state.js';
import type { ChatterState } from '../../core/alarms/alarm-chatter.js';
import type { FloodEpisode, FloodState } from '../../core/alarms/alarm-flood.js';
import { BoundedCache } from './bounded-cache.js';
import { createFloodTimes } from './flood-times.js';
import type { StoredAlarm, DeskAlarms } from '../port/desk-repo.js';
import type { PendingWrites } from './pending-writes.js';

/** The SQLite alarms: cached alarms, chatter and flood states (dropped on rollback), flood times written before the commit. */
export interface SqliteDeskAlarms extends DeskAlarms, PendingWrites {
  forget(): void;
}

/** Most alarms (and chatter states) kept in the write-through cache. */
export const ALARM_CACHE_MAX = 20_000;
/** Most sites whose flood state is kept in the write-through cache. */
export const FLOOD_CACHE_MAX = 10_000;

interface AlarmRow { id: number; data: string; chattering: number | null }
interface EpisodeRow { site: string; start_ms: number; end_ms: number | null; alarms: number; peak: number }

const SELECT_ALARM = `SELECT a.id, a.data, c.chattering FROM alarms a
  LEFT JOIN alarm_chatter c ON c.alarm = a.site || '/' || a.device || '/' || a.code`;

/** The columns an update by id may write; `data` (the whole alarm) changes with every event. */
const INDEXED_ALARM_COLUMNS = ['state', 'active', 'severity', 'changed_at_ms'] as const;
type AlarmColumn = (typeof INDEXED_ALARM_COLUMNS)[number] | 'data';
type AlarmColumns = { state: string; active: number; severity: string; changed_at_ms: number };

function alarmColumns(alarm: Alarm): AlarmColumns {
  return { state: alarmState(alarm), active: alarm.active ? 1 : 0, severity: alarm.severity, changed_at_ms: alarm.changedAtMs };
}

function fromRow(r: AlarmRow): StoredAlarm {
  return { id: r.id, alarm: JSON.parse(r.data) as Alarm, chattering: r.chattering === 1 };
}

export function createDeskAlarms(db: Database): SqliteDeskAlarms {
  const byKey = db.prepare<[string, string, string], AlarmRow>(`${SELECT_ALARM} WHERE a.site = ? AND a.device = ? AND a.code = ?`);
  const byId = db.prepare<[number], AlarmRow>(`${SELECT_ALARM} WHERE a.id = ?`);
  const upsert = db.prepare<[{ site: string; device: string; code: string; state: string; active: number; severity: string; changed_at_ms: number; data: string }], { id: number }>(
    `INSERT INTO alarms (site, device, code, state, active, severity, changed_at_ms, data)
     VALUES (@site, @device, @code, @state, @active, @severity, @changed_at_ms, @data)
     ON CONFLICT(site, device, code) DO UPDATE SET state = excluded.state, active = excluded.active, severity = excluded.severity,
       changed_at_ms = excluded.changed_at_ms, data = excluded.data
     RETURNING id`);
  // Updates of a cached alarm by id, writing only the columns that changed (each shape prepared once).
  const updates = new Map<string, Statement>();
  const updateOf = (columns: readonly AlarmColumn[]): Statement => {
    const key = columns.join(',');
    let st = updates.get(key);
    if (!st) {
      st = db.prepare(`UPDATE alarms SET ${columns.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`);
      updates.set(key, st);
    }
    return st;
  };
  const chatter = db.prepare<[string], { data: string }>('SELECT data FROM alarm_chatter WHERE alarm = ?');
  const saveChatter = db.prepare<[string, string, number, string]>(`INSERT INTO alarm_chatter (alarm, site, chattering, data) VALUES (?, ?, ?, ?)
    ON CONFLICT(alarm) DO UPDATE SET chattering = excluded.chattering, data = excluded.data`);
  const flood = db.prepare<[string], { data: string }>('SELECT data FROM alarm_floods WHERE site = ?');
  const saveFlood = db.prepare<[string, number, string]>(`INSERT INTO alarm_floods (site, in_flood, data) VALUES (?, ?, ?)
    ON CONFLICT(site) DO UPDATE SET in_flood = excluded.in_flood, data = excluded.data`);
  const saveEpisode = db.prepare<[EpisodeRow]>(`INSERT INTO flood_episodes (site, start_ms, end_ms, alarms, peak)
    VALUES (@site, @start_ms, @end_ms, @alarms, @peak)
    ON CONFLICT(site, start_ms) DO UPDATE SET end_ms = excluded.end_ms, alarms = excluded.alarms, peak = excluded.peak`);

  // Write-through caches of alarms as stored (by "site/device/code" and by id), cleared by `forget` on rollback.
  const cacheByKey = new BoundedCache<string, StoredAlarm>(ALARM_CACHE_MAX);
  const cacheById = new BoundedCache<number, StoredAlarm>(ALARM_CACHE_MAX);
  const remember = (stored: StoredAlarm): StoredAlarm => {
    cacheByKey.set(alarmId(stored.alarm.key), stored);
    cacheById.set(stored.id, stored);
    return stored;
  };
  // Chatter and flood states as stored (the core never changes a state it is given), read on every
  // annunciated raise; written through on save, cleared by `forget` on rollback.
  const chatterCache = new BoundedCache<string, ChatterState>(ALARM_CACHE_MAX);
  const floodCache = new BoundedCache<string, FloodState>(FLOOD_CACHE_MAX);
  /**
   * Flood states and episodes saved inside the current transaction, written once before the commit:
   * during a flood every new alarm at the site rewrites both, and only the last value counts.
   */
  const pendingFloods = new Map<string, FloodState>();
  const pendingEpisodes = new Map<string, FloodEpisode>();
  const floodTimes = createFloodTimes(db);
  /** Per site, the window times as the database holds them (what flood-times diffs against); cleared by `forget`. */
  const storedTimes = new BoundedCache<string, readonly number[]>(FLOOD_CACHE_MAX);
  const writeFlood = (s: FloodState): void => {
    const { recent, ...rest } = s;
    saveFlood.run(s.site, s.episode ? 1 : 0, JSON.stringify(rest));
    floodTimes.write(s.site, storedTimes.get(s.site), recent);
    storedTimes.set(s.site, recent);
  };
  const flushFloods = (): void => {
    for (const s of pendingFloods.values()) writeFlood(s);
    pendingFloods.clear();
    for (const e of pendingEpisodes.values()) saveEpisode.run({ site: e.site, start_ms: e.startMs, end_ms: e.endMs, alarms: e.alarms, peak: e.peak });
    pendingEpisodes.clear();
  };
  const readable = (): void => {
    if (db.inTransaction) flushFloods();
  };
  const drop = (key: string): void => {
    const stored = cacheByKey.get(key);
    if (stored) cacheById.delete(stored.id);
    cacheByKey.delete(key);
  };

  return {
    byKey(key) {
      const cached = cacheByKey.get(alarmId(key));
      if (cached) return cached;
      const row = byKey.get(key.site, key.device, key.code);
      return row ? remember(fromRow(row)) : undefined;
    },
    byId(id) {
      const cached = cacheById.get(id);
      if (cached) return cached;
      const row = byId.get(id);
      return row ? remember(fromRow(row)) : undefined;
    },
    list(f) {
      const where: string[] = [];
      const params: Array<string | number> = [];
      const add = (sql: string, value: string | number | undefined): void => {
        if (value !== undefined) { where.push(sql); params.push(value); }
      };
      add('a.site = ?', f.site); add('a.device = ?', f.device); add('a.state = ?', f.state); add('a.severity = ?', f.severity);
      add('a.active = ?', f.active === undefined ? undefined : Number(f.active));
      add('coalesce(c.chattering, 0) = ?', f.chattering === undefined ? undefined : Number(f.chattering));
      const sql = `${SELECT_ALARM} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY a.changed_at_ms DESC, a.id DESC LIMIT ?`;
      return (db.prepare(sql).all(...params, f.limit) as AlarmRow[]).map(fromRow);
    },
    save(alarm) {
      const key = alarmId(alarm.key);
      const stored = cacheByKey.get(key);
      const columns = alarmColumns(alarm);
      const data = JSON.stringify(alarm);
      if (stored) {
        // The cached alarm is what the store holds: write the data and whichever indexed columns moved.
        const before = alarmColumns(stored.alarm);
        const changed = INDEXED_ALARM_COLUMNS.filter((c) => columns[c] !== before[c]);
        const params = { ...Object.fromEntries(changed.map((c) => [c, columns[c]])), data, id: stored.id };
        if (updateOf([...changed, 'data']).run(params).changes === 1) {
          remember({ id: stored.id, alarm, chattering: stored.chattering });
          return stored.id;
        }
      }
      const row = upsert.get({ site: alarm.key.site, device: alarm.key.device, code: alarm.key.code, ...columns, data });
      if (!row) throw new FaultlineError('FL_ERR_INTERNAL', `alarm ${key} was not saved`);
      const cached = cacheByKey.get(key);
      if (cached && cached.id === row.id) remember({ id: row.id, alarm, chattering: cached.chattering });
      else drop(key);
      return row.id;
    },
    chatter(alarm) {
      const cached = chatterCache.get(alarm);
      if (cached) return cached;
      const row = chatter.get(alarm);
      if (!row) return undefined;
      const state = JSON.parse(row.data) as ChatterState;
      chatterCache.set(alarm, state);
      return state;
    },
    saveChatter: (s) => {
      const chattering = s.detected || s.reportedByAgent;
      saveChatter.run(s.alarm, s.site, chattering ? 1 : 0, JSON.stringify(s));
      chatterCache.set(s.alarm, s);
      const cached = cacheByKey.get(s.alarm);
      if (cached && cached.chattering !== chattering) remember({ ...cached, chattering });
    },
    flood(site) {
      const cached = pendingFloods.get(site) ?? floodCache.get(site);
      if (cached) return cached;
      const row = flood.get(site);
      if (!row) return undefined;
      const recent = floodTimes.load(site);
      const state: FloodState = { ...(JSON.parse(row.data) as Omit<FloodState, 'recent'>), recent };
      storedTimes.set(site, recent);
      floodCache.set(site, state);
      return state;
    },
    saveFlood: (s) => {
      if (db.inTransaction) pendingFloods.set(s.site, s);
      else writeFlood(s);
      floodCache.set(s.site, s);
    },
    saveEpisode: (e) => {
      if (db.inTransaction) pendingEpisodes.set(`${e.site}\u0000${e.startMs}`, e);
      else saveEpisode.run({ site: e.site, start_ms: e.startMs, end_ms: e.endMs, alarms: e.alarms, peak: e.peak });
    },
    flush: flushFloods,
    discard: () => {
      pendingFloods.clear();
      pendingEpisodes.clear();
    },
    floodingSites() {
      readable();
      return (db.prepare('SELECT site FROM alarm_floods WHERE in_flood = 1').all() as Array<{ site: string }>).map((r) => r.site);
    },
    chatteringAlarms: () => (db.prepare('SELECT alarm FROM alarm_chatter WHERE chattering = 1').all() as Array<{ alarm: string }>).map((r) => r.alarm),
    forget: () => {
      cacheByKey.clear();
      cacheById.clear();
      chatterCache.clear();
      floodCache.clear();
      storedTimes.clear();
    },
    episodes(site, limit) {
      readable();
      const rows = (site === undefined
        ? db.prepare('SELECT * FROM flood_episodes ORDER BY start_ms DESC LIMIT ?').all(limit)
        : db.prepare('SELECT * FROM flood_episodes WHERE site = ? ORDER BY start_ms DESC LIMIT ?').all(site, limit)) as EpisodeRow[];
      return rows.map((r) => ({ site: r.site, startMs: r.start_ms, endMs: r.end_ms, alarms: r.alarms, peak: r.peak }));
    },
  };
}
