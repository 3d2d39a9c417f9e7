/**
 * The plant's live values for the dashboard: listens to committed ingest batches, keeps the newest
 * sample per device and parameter seen in one turn of the event loop, and hands the hub one chunk
 * of `values` events (one per device) plus `presence` events for devices that were born or died.
 * Nothing is rendered while no stream is open. This is the telemetry the collector ingested itself;
 * in a cluster, what the other collectors ingested comes through remote-plant-feed.ts.
 */
import type { IngestMessage } from '../core/devices/ingest-message.js';
import type { DeviceState } from '../core/devices/device-registry.js';
import type { LiveLog } from './live-hub.js';
import { sseEvent } from './sse-frame.js';

/** One value as the `values` event and GET /api/plant carry it. */
export interface LiveSampleJson {
  name: string;
  value: number;
  quality: string;
  reason?: string;
  text?: string;
  timeMs: number;
}

export interface PlantFeedOptions {
  /** Whether anyone listens (no stream: nothing is collected). */
  listening: () => boolean;
  /** Writes one chunk to every stream. */
  send: (chunk: string) => void;
  /** The registry rows of these devices (presence after a birth or death). */
  devices: (keys: ReadonlyArray<{ site: string; device: string }>) => Promise<DeviceState[]>;
  log: LiveLog;
}

const keyOf = (site: string, device: string): string => `${site}\u0000${device}`;

export class PlantFeed {
  private readonly values = new Map<string, { site: string; device: string; byName: Map<string, LiveSampleJson> }>();
  private readonly presence = new Map<string, { site: string; device: string }>();
  private queued = false;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly opts: PlantFeedOptions) {}

  /** The ingest observer's hook: a batch committed. */
  readonly onBatch = (batch: readonly IngestMessage[]): void => {
    if (!this.opts.listening()) return;
    for (const m of batch) {
      if (m.kind === 'telemetry') this.collect(m.telemetry.site, m.telemetry.device, m.telemetry.samples, m.receivedMs);
      else if (m.kind === 'birth' || m.kind === 'death') {
        const k = m.kind === 'birth' ? m.birth : m.death;
        this.presence.set(keyOf(k.site, k.device), { site: k.site, device: k.device });
      }
    }
    if (!this.queued && (this.values.size > 0 || this.presence.size > 0)) {
      this.queued = true;
      setImmediate(() => { this.flushing = this.flushing.then(() => this.flush()); });
    }
  };

  private collect(site: string, device: string, samples: ReadonlyArray<IngestSample>, receivedMs: number): void {
    const k = keyOf(site, device);
    let entry = this.values.get(k);
    if (!entry) { entry = { site, device, byName: new Map() }; this.values.set(k, entry); }
    for (const s of samples) {
      const timeMs = s.timeMs > 0 ? s.timeMs : receivedMs;
      const had = entry.byName.get(s.parameter);
      if (had && had.timeMs > timeMs) continue;
      entry.byName.set(s.parameter, {
        name: s.parameter, value: s.value, quality: s.quality, timeMs,
        ...(s.reason ? { reason: s.reason } : {}), ...(s.text !== undefined ? { text: s.text } : {}),
      });
    }
  }

  private async flush(): Promise<void> {
    this.queued = false;
    const values = [...this.values.values()];
    const presence = [...this.presence.values()];
    this.values.clear();
    this.presence.clear();
    let chunk = '';
    for (const v of values) chunk += valuesEvent(v.site, v.device, [...v.byName.values()]);
    if (presence.length > 0) {
      try {
        for (const d of await this.opts.devices(presence)) chunk += presenceEvent(d);
      } catch (err) {
        this.opts.log.error({ err }, 'live feed could not read device presence; clients will re-fetch on their next reconnect');
      }
    }
    if (chunk !== '') this.opts.send(chunk);
  }
}

/** A device's newest samples as the stream's `values` event. */
export function valuesEvent(site: string, device: string, values: readonly LiveSampleJson[]): string {
  return sseEvent('values', { site, device, values });
}

/** A device's registry row as the stream's `presence` event. */
export function presenceEvent(d: Pick<DeviceState, 'site' | 'device' | 'online' | 'lastSeenMs'>): string {
  return sseEvent('presence', { site: d.site, device: d.device, online: d.online, lastSeenMs: d.lastSeenMs });
}

type IngestSample = Extract<IngestMessage, { kind: 'telemetry' }>['telemetry']['samples'][number];
