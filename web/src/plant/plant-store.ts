/**
 * The plant overview's live model: the devices GET /api/plant pages gave (every device seen, so a
 * filter change shows at once what is known while the server answers), kept current by the
 * stream's `values`, `presence` and `alarm` events, plus a short history per device of its first
 * key value for the sparkline. The last page's device keys in the server's order, its counts per
 * condition, and each of its devices' condition as the server counted it (the counts shown follow
 * a live change of those at once). Listeners are told once per animation frame at most, so a burst
 * of events costs one render.
 */
import type { Alarm } from '../types';
import { deviceCondition, type Condition } from './condition';
import type { Plant, PlantAlarm, PlantDevice, PlantValue, PresenceEvent, ValuesEvent } from './plant-types';

/** Sparkline points kept per device. */
export const SPARK_POINTS = 60;

export const deviceKey = (site: string, device: string): string => `${site}/${device}`;

export class PlantModel {
  readonly devices = new Map<string, PlantDevice>();
  /** [timeMs, value] of each device's first key parameter, oldest first. */
  readonly sparks = new Map<string, Array<[number, number]>>();
  /** Bumped on every change (a render key). */
  version = 0;
  private readonly listeners = new Set<() => void>();
  private frame: number | undefined;

  /** The last page the server gave (undefined before the first). */
  page: Omit<Plant, 'devices'> | undefined;
  /** That page's device keys, in the server's order. */
  order: string[] = [];
  /** The condition the server counted each device of that page in. */
  readonly counted = new Map<string, Condition>();

  /** A page from the server: its devices replace what was known of them (a value newer than the page's stays). */
  load(plant: Plant): void {
    const { devices, ...page } = plant;
    this.page = page;
    this.order = [];
    this.counted.clear();
    for (const d of devices) {
      const key = deviceKey(d.site, d.device);
      const had = this.devices.get(key);
      const next = had ? { ...d, values: newest(had.values, d.values) } : d;
      this.devices.set(key, next);
      this.order.push(key);
      this.counted.set(key, deviceCondition(d));
    }
    // Told at once, not on the next frame: a page the user waits for (events still wait for a frame).
    this.changed(true);
  }

  /** Devices per condition at `site` (all when empty): the server's counts, moved by live changes of the page's devices. */
  counts(site: string): Map<Condition, number> {
    const c = new Map(Object.entries(this.page?.counts ?? {}) as Array<[Condition, number]>);
    for (const [key, then] of this.counted) {
      const d = this.devices.get(key);
      if (!d || (site && d.site !== site)) continue;
      const now = deviceCondition(d);
      if (now === then) continue;
      c.set(then, Math.max(0, (c.get(then) ?? 0) - 1));
      c.set(now, (c.get(now) ?? 0) + 1);
    }
    return c;
  }

  /** Seeds a sparkline from stored telemetry (live points already collected are kept). */
  seed(key: string, points: Array<[number, number]>): void {
    const had = this.sparks.get(key) ?? [];
    const last = points.length > 0 ? (points[points.length - 1] as [number, number])[0] : -Infinity;
    this.sparks.set(key, [...points, ...had.filter(([t]) => t > last)].slice(-SPARK_POINTS));
    this.changed();
  }

  applyValues(e: ValuesEvent): void {
    const key = deviceKey(e.site, e.device);
    const d = this.devices.get(key);
    if (!d) return;
    const byName = new Map<string, PlantValue>(d.values.map((v) => [v.name, v]));
    for (const v of e.values) {
      const had = byName.get(v.name);
      if (had && had.timeMs > v.timeMs) continue;
      byName.set(v.name, { ...v, unit: d.units[v.name] ?? '' } as PlantValue);
    }
    const first = d.keys[0];
    const sample = first === undefined ? undefined : e.values.find((v) => v.name === first);
    if (sample && (sample.quality === 'good' || sample.quality === 'uncertain')) {
      const spark = this.sparks.get(key) ?? [];
      const lastT = spark.length > 0 ? (spark[spark.length - 1] as [number, number])[0] : -Infinity;
      if (sample.timeMs > lastT) this.sparks.set(key, [...spark, [sample.timeMs, sample.value] as [number, number]].slice(-SPARK_POINTS));
    }
    this.devices.set(key, { ...d, online: true, values: [...byName.values()] });
    this.changed();
  }

  applyPresence(e: PresenceEvent): void {
    const key = deviceKey(e.site, e.device);
    const d = this.devices.get(key);
    if (!d) return;
    this.devices.set(key, { ...d, online: e.online, lastSeenMs: e.lastSeenMs });
    this.changed();
  }

  applyAlarm(a: Alarm): void {
    const key = deviceKey(a.site, a.device);
    const d = this.devices.get(key);
    if (!d) return;
    const others = d.alarms.filter((x) => x.id !== a.id);
    const next: PlantAlarm[] = a.state === 'normal' ? others
      : [...others, { id: a.id, code: a.code, state: a.state, severity: a.severity, priority: a.ticket?.priority ?? null, message: a.message }];
    this.devices.set(key, { ...d, alarms: next });
    this.changed();
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => { this.listeners.delete(fn); };
  }

  private changed(now = false): void {
    this.version++;
    if (now) {
      if (this.frame !== undefined) cancelAnimationFrame(this.frame);
      this.frame = undefined;
      this.listeners.forEach((fn) => fn());
      return;
    }
    if (this.frame !== undefined) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = undefined;
      this.listeners.forEach((fn) => fn());
    });
  }
}

/** Per parameter the newer of two value lists' samples. */
function newest(had: readonly PlantValue[], got: readonly PlantValue[]): PlantValue[] {
  const byName = new Map<string, PlantValue>(got.map((v) => [v.name, v]));
  for (const v of had) {
    const g = byName.get(v.name);
    if (!g || g.timeMs < v.timeMs) byName.set(v.name, v);
  }
  return [...byName.values()];
}
