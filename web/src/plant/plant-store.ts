/**
 * The plant overview's live model: devices by site/device as GET /api/plant gave them, kept current
 * by the stream's `values`, `presence` and `alarm` events, plus a short history per device of its
 * first key value for the sparkline. Listeners are told once per animation frame at most, so a
 * burst of events costs one render.
 */
import type { Alarm } from '../types';
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

  load(plant: Plant): void {
    this.devices.clear();
    for (const d of plant.devices) this.devices.set(deviceKey(d.site, d.device), d);
    this.changed();
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

  private changed(): void {
    this.version++;
    if (this.frame !== undefined) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = undefined;
      this.listeners.forEach((fn) => fn());
    });
  }
}
