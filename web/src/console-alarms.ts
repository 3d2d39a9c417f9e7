/**
 * The alarm console's alarms, kept current: the console states and the flood episodes loaded (again
 * on every stream hello), each alarm event from the stream merged in (the newer change wins, also
 * over a list still on its way), a beep and a "fresh" mark for a new unacknowledged alarm, and one
 * render for whatever arrived in one task.
 */
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { alarmPriority } from './alarm-priority';
import { api } from './api';
import { beep } from './beep';
import { live } from './live';
import { allPages } from './paging';
import type { Alarm, FloodEpisode } from './types';

export const CONSOLE_STATES = ['active-unacknowledged', 'active-acknowledged', 'cleared-unacknowledged', 'shelved'] as const;
const FRESH_MS = 8000;

const inConsole = (a: Alarm): boolean => (CONSOLE_STATES as readonly string[]).includes(a.state);

export interface ConsoleAlarms {
  /** The alarms in the console's states, by id (changed in place: read it again when `version` moves). */
  alarms: RefObject<Map<number, Alarm>>;
  /** Moves on every change of `alarms`. */
  version: number;
  /** Renders again after the caller changed the alarms (through apply). */
  changed: () => void;
  /** Takes an alarm as the collector returned it; the one it replaced (or kept, when the given one is older). */
  apply: (a: Alarm) => Alarm | undefined;
  loaded: boolean;
  loadError: string;
  floods: FloodEpisode[];
  /** Ids of alarms new and unacknowledged in the last few seconds, with when they arrived. */
  fresh: ReadonlyMap<number, number>;
  /** Moves every 10 s, so that the rows' "how long ago" is redrawn. */
  nowBucket: number;
}

/** beforeRender runs just before a render of what the stream brought (the page notes where the focus is). */
export function useConsoleAlarms(beforeRender: () => void): ConsoleAlarms {
  const alarms = useRef(new Map<number, Alarm>());
  const touched = useRef(new Map<number, number>());
  const [version, setVersion] = useState(0);
  const [loaded, setLoaded] = useState(false);
  const [loadError, setLoadError] = useState('');
  const [floods, setFloods] = useState<FloodEpisode[]>([]);
  const [fresh, setFresh] = useState<ReadonlyMap<number, number>>(new Map());
  const [nowBucket, setNowBucket] = useState(() => Math.floor(Date.now() / 10_000));
  const renderQueued = useRef(false);

  const freshQueue = useRef<number[]>([]);
  /**
   * One render for whatever arrived in one task: the browser dispatches every event of a stream
   * chunk in one task, so a zero timeout runs after all of them (a frame callback would add up to
   * 16 ms; rendering per event would redo the list for each).
   */
  const scheduleRender = (): void => {
    if (renderQueued.current) return;
    renderQueued.current = true;
    setTimeout(() => {
      renderQueued.current = false;
      beforeRender();
      const arrived = freshQueue.current.splice(0);
      if (arrived.length > 0) {
        const at = Date.now();
        setFresh((m) => { const next = new Map(m); for (const id of arrived) next.set(id, at); return next; });
      }
      setVersion((v) => v + 1);
    }, 0);
  };

  const apply = (a: Alarm): Alarm | undefined => {
    const prev = alarms.current.get(a.id);
    if (prev && prev.changedAtMs > a.changedAtMs) return prev;
    if (inConsole(a)) alarms.current.set(a.id, a); else alarms.current.delete(a.id);
    touched.current.set(a.id, performance.now());
    return prev;
  };

  useEffect(() => {
    let alive = true;
    const load = async (): Promise<void> => {
      const started = performance.now();
      try {
        const [lists, fl] = await Promise.all([
          Promise.all(CONSOLE_STATES.map(async (s) => ({ alarms: await allPages<Alarm>(`/api/alarms?state=${s}&limit=1000`, 'alarms', { maxPages: 20 }) }))),
          api.get<{ episodes: FloodEpisode[] }>('/api/alarms/floods?limit=50'),
        ]);
        if (!alive) return;
        const next = new Map<number, Alarm>();
        for (const l of lists) for (const a of l.alarms) next.set(a.id, a);
        // Events that arrived while the lists were on their way are newer than the lists.
        for (const [id, at] of touched.current) {
          if (at < started) continue;
          const mine = alarms.current.get(id);
          const theirs = next.get(id);
          if (mine && (!theirs || mine.changedAtMs >= theirs.changedAtMs)) next.set(id, mine);
          if (!mine && theirs) next.delete(id);
        }
        alarms.current = next;
        for (const [id, at] of touched.current) if (at < started) touched.current.delete(id);
        setFloods(fl.episodes);
        setLoaded(true);
        setLoadError('');
        setVersion((v) => v + 1);
      } catch (err) {
        if (alive) setLoadError(String((err as Error).message));
      }
    };
    void load();
    const offHello = live.on('hello', () => { void load(); });
    const offAlarm = live.on('alarm', (d) => {
      const a = d as Alarm;
      const prev = apply(a);
      if (a.state === 'active-unacknowledged' && (!prev || prev.state !== 'active-unacknowledged' || a.raiseCount > prev.raiseCount)) {
        beep(alarmPriority(a) === 'P1');
        freshQueue.current.push(a.id);
      }
      scheduleRender();
    });
    const offFlood = live.on('flood', (d) => {
      const f = d as FloodEpisode;
      setFloods((list) => [f, ...list.filter((x) => !(x.site === f.site && x.startMs === f.startMs))]);
    });
    const tick = setInterval(() => {
      setNowBucket(Math.floor(Date.now() / 10_000));
      setFresh((m) => {
        if (m.size === 0) return m;
        const cutoff = Date.now() - FRESH_MS;
        const next = new Map([...m].filter(([, at]) => at > cutoff));
        return next.size === m.size ? m : next;
      });
    }, 2000);
    return () => {
      alive = false;
      offHello(); offAlarm(); offFlood();
      clearInterval(tick);
    };
  }, []);

  return { alarms, version, changed: () => setVersion((v) => v + 1), apply, loaded, loadError, floods, fresh, nowBucket };
}
