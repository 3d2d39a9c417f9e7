/**
 * The plant's live values that other collectors ingested (cluster mode). A shared subscription
 * hands a device's telemetry to any collector; each one announces the devices of every committed
 * batch (store/postgres/live-signals.ts). This feed collects those device names, and at most once
 * per `minIntervalMs` reads their last-known values and registry rows from the store and hands the
 * hub `values` and `presence` events, rendered as plant-feed.ts renders its own.
 *
 * Bounded: nothing is kept or read while no stream is open; a device named many times before a
 * read is read once; one read takes at most `maxPerRead` devices (the rest follow at the next);
 * more than `maxPending` waiting devices, or a lost listening connection (resync), turn into one
 * read of the whole plant instead.
 */
import type { DeviceKey, DeviceState } from '../core/devices/device-registry.js';
import type { LatestSample, RemoteDeviceChanges } from '../store/port.js';
import type { LiveLog } from './live-hub.js';
import { presenceEvent, valuesEvent, type LiveSampleJson } from './plant-feed.js';

export interface RemotePlantFeedOptions {
  /** Whether anyone listens (no stream: nothing is kept or read). */
  listening: () => boolean;
  /** Writes one chunk to every stream. */
  send: (chunk: string) => void;
  /** Last-known values of these devices; with none given, of every device. */
  latest: (devices: readonly DeviceKey[] | undefined) => Promise<LatestSample[]>;
  /** Registry rows of these devices; with none given, of every device. */
  devices: (devices: readonly DeviceKey[] | undefined) => Promise<DeviceState[]>;
  log: LiveLog;
  /** Reads at most this often (default 50 ms): a busy cluster's many batches become one read. */
  minIntervalMs?: number;
  /** Devices per read at most (default 500). */
  maxPerRead?: number;
  /** Devices waiting at most (default 20,000); past it one read of the whole plant replaces them. */
  maxPending?: number;
  /** A monotonic clock in ms (default performance.now). */
  clock?: () => number;
}

export interface RemotePlantFeedStats {
  /** Announcements taken (while a stream was open). */
  announcements: number;
  /** Announcements dropped because no stream was open. */
  unheard: number;
  reads: number;
  /** Reads of the whole plant (after a lost connection or too many waiting). */
  fullReads: number;
  devicesSent: number;
  readErrors: number;
}

const keyOf = (k: DeviceKey): string => `${k.site}\u0000${k.device}`;

export function sampleJson(s: LatestSample): LiveSampleJson {
  return {
    name: s.parameter, value: s.value, quality: s.quality, timeMs: s.timeMs,
    ...(s.reason ? { reason: s.reason } : {}), ...(s.text !== undefined ? { text: s.text } : {}),
  };
}

export class RemotePlantFeed {
  private readonly values = new Map<string, DeviceKey>();
  private readonly presence = new Map<string, DeviceKey>();
  private everything = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private reading = false;
  private lastReadMs = Number.NEGATIVE_INFINITY;
  private stopped = false;
  private readonly stats: RemotePlantFeedStats = { announcements: 0, unheard: 0, reads: 0, fullReads: 0, devicesSent: 0, readErrors: 0 };

  constructor(private readonly opts: RemotePlantFeedOptions) {}

  /** The cluster port's hook: another collector committed these devices' telemetry or presence. */
  readonly onRemote = (c: RemoteDeviceChanges): void => {
    if (this.stopped) return;
    if (!this.opts.listening()) {
      this.stats.unheard++;
      return;
    }
    this.stats.announcements++;
    if (c.resync) this.everything = true;
    else if (!this.everything) {
      for (const k of c.values) this.values.set(keyOf(k), k);
      for (const k of c.presence) this.presence.set(keyOf(k), k);
      if (this.values.size + this.presence.size > (this.opts.maxPending ?? 20_000)) this.everything = true;
    }
    if (this.everything) {
      this.values.clear();
      this.presence.clear();
    }
    this.schedule();
  };

  snapshot(): RemotePlantFeedStats {
    return { ...this.stats };
  }

  /** Drops what waits and ends the timer; later announcements are ignored. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.values.clear();
    this.presence.clear();
  }

  private get waiting(): boolean {
    return this.everything || this.values.size > 0 || this.presence.size > 0;
  }

  private schedule(): void {
    if (this.timer || this.reading || this.stopped || !this.waiting) return;
    const clock = this.opts.clock ?? (() => performance.now());
    const delay = Math.max(0, this.lastReadMs + (this.opts.minIntervalMs ?? 50) - clock());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.read();
    }, delay);
    this.timer.unref?.();
  }

  private take(from: Map<string, DeviceKey>, limit: number): DeviceKey[] {
    const out: DeviceKey[] = [];
    for (const [k, v] of from) {
      if (out.length >= limit) break;
      out.push(v);
      from.delete(k);
    }
    return out;
  }

  private async read(): Promise<void> {
    this.reading = true;
    this.lastReadMs = (this.opts.clock ?? (() => performance.now()))();
    const all = this.everything;
    this.everything = false;
    const limit = this.opts.maxPerRead ?? 500;
    const values = all ? undefined : this.take(this.values, limit);
    const presence = all ? undefined : this.take(this.presence, Math.max(0, limit - (values?.length ?? 0)));
    this.stats.reads++;
    if (all) this.stats.fullReads++;
    try {
      let chunk = '';
      if (values === undefined || values.length > 0) {
        const byDevice = new Map<string, { key: DeviceKey; samples: LiveSampleJson[] }>();
        for (const s of await this.opts.latest(values)) {
          const k = keyOf(s);
          let entry = byDevice.get(k);
          if (!entry) { entry = { key: { site: s.site, device: s.device }, samples: [] }; byDevice.set(k, entry); }
          entry.samples.push(sampleJson(s));
        }
        for (const { key, samples } of byDevice.values()) chunk += valuesEvent(key.site, key.device, samples);
        this.stats.devicesSent += byDevice.size;
      }
      if (presence === undefined || presence.length > 0) {
        for (const d of await this.opts.devices(presence)) chunk += presenceEvent(d);
      }
      if (chunk !== '' && !this.stopped) this.opts.send(chunk);
    } catch (err) {
      this.stats.readErrors++;
      this.opts.log.error({ err }, 'live feed could not read what other collectors ingested; clients will re-fetch on their next reconnect');
    } finally {
      this.reading = false;
      this.schedule();
    }
  }
}
