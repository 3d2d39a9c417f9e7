/**
 * Pieces shared by the delivery tests and the outage benchmark: a device-side link + outbox,
 * a steady producer of fault events and telemetry, and a read-back of what the collector stored.
 */
import Database from 'better-sqlite3';
import { uuidv7 } from 'uuidv7';
import type { Logger } from '../../protocol/logger.js';
import { MqttLink, type MqttLinkOptions } from '../../agent/mqtt-link.js';
import { openOutbox, type Outbox } from '../../agent/outbox/index.js';
import type { FaultEvent, Sample } from '../../protocol/values.js';

/** A plausible fault event: `snapshot` samples of pre-fault window. */
export function faultEvent(site: string, device: string, seq: number, snapshot = 4): FaultEvent {
  const now = Date.now();
  const samples: Sample[] = Array.from({ length: snapshot }, (_, i) => ({
    parameter: i % 2 ? 'motor_current' : 'output_frequency', value: 10 + (i % 7), quality: 'good', timeMs: now - (snapshot - i) * 1000,
  }));
  return {
    id: uuidv7(), device, site, seq, timeMs: now, source: 'modbus', category: 'hardware',
    code: `vfd.code_${seq % 5}`, severity: 'major', transition: seq % 2 ? 'raise' : 'clear', message: `test fault ${seq}`,
    snapshot: samples, logExcerpt: [], labels: {}, adapterId: 'generic-vfd', remedy: '',
  };
}

export interface DeviceSide {
  outbox: Outbox;
  link: MqttLink;
  /** Stops the link, then closes the outbox. */
  close(): Promise<void>;
}

export interface DeviceSideOptions {
  file: string;
  url: string;
  site: string;
  device: string;
  log: Logger;
  maxBytes?: number;
  link?: Partial<MqttLinkOptions>;
}

export function deviceSide(o: DeviceSideOptions): DeviceSide {
  const outbox = openOutbox({ file: o.file, log: o.log, ...(o.maxBytes === undefined ? {} : { maxBytes: o.maxBytes }) });
  const link = new MqttLink({
    url: o.url, protocolVersion: 4, keepaliveS: 30, connectTimeoutMs: 2000,
    reconnect: { minMs: 50, maxMs: 500 }, statusIntervalMs: 0,
    site: o.site, device: o.device, sessionId: uuidv7(), outbox,
    birth: () => ({ device: o.device, site: o.site, adapterId: 'generic-vfd', model: 'VFD-4000', firmware: '2.3.1', agentVersion: 'test', parameters: [], timeMs: Date.now(), sessionId: 's' }),
    onRpcRequest: () => undefined, log: o.log,
    ...o.link,
  });
  let closed = false;
  return {
    outbox, link,
    close: async () => {
      if (closed) return;
      closed = true;
      await link.stop();
      outbox.close();
    },
  };
}

/** Produces a fault event every `eventEveryMs` and a telemetry batch every `telemetryEveryMs`, until stopped. */
export class Producer {
  readonly events: FaultEvent[] = [];
  telemetryBatches = 0;
  telemetrySamples = 0;
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly link: MqttLink, private readonly o: { site: string; device: string; eventEveryMs: number; telemetryEveryMs: number; samplesPerBatch?: number; snapshot?: number }) {}

  start(): void {
    this.timers.push(setInterval(() => this.event(), this.o.eventEveryMs));
    if (this.o.telemetryEveryMs > 0) this.timers.push(setInterval(() => this.telemetry(), this.o.telemetryEveryMs));
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  event(): FaultEvent {
    const e = this.link.enqueueEvent((seq) => faultEvent(this.o.site, this.o.device, seq, this.o.snapshot));
    this.events.push(e);
    return e;
  }

  telemetry(): void {
    const n = this.o.samplesPerBatch ?? 2;
    const now = Date.now();
    const samples: Sample[] = Array.from({ length: n }, (_, i) => ({ parameter: `p${i}`, value: this.telemetryBatches, quality: 'good', timeMs: now }));
    if (this.link.enqueueTelemetry({ site: this.o.site, device: this.o.device, samples })) {
      this.telemetryBatches++;
      this.telemetrySamples += n;
    }
  }
}

export interface Delivered {
  events: Array<{ id: string; seq: number }>;
  telemetryRows: number;
  lastStatus: Record<string, unknown> | null;
}

/** What the collector stored for one device, read from its SQLite file (read-only; stop the collector first). */
export function readDelivered(dbFile: string, site: string, device: string): Delivered {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const events = db.prepare<[string, string], { id: string; seq: number }>('SELECT id, seq FROM events WHERE site = ? AND device = ? ORDER BY rowid').all(site, device);
    const telemetryRows = db.prepare<[string, string], { n: number }>('SELECT COUNT(*) AS n FROM telemetry WHERE site = ? AND device = ?').get(site, device)?.n ?? 0;
    const status = db.prepare<[string, string], { last_status: string | null }>('SELECT last_status FROM devices WHERE site = ? AND device = ?').get(site, device)?.last_status ?? null;
    return { events, telemetryRows, lastStatus: status === null ? null : (JSON.parse(status) as Record<string, unknown>) };
  } finally {
    db.close();
  }
}

export interface OrderCheck {
  delivered: number;
  missing: number;
  /** Stored events whose id was not produced (should be 0). */
  unknown: number;
  /** Stored more than once (impossible with the store's primary key; checked anyway). */
  duplicates: number;
  /** Stored order equals produced order, and seq strictly increases. */
  inOrder: boolean;
}

export function checkDelivery(produced: readonly FaultEvent[], stored: Delivered['events']): OrderCheck {
  const ids = new Set(produced.map((e) => e.id));
  const seen = new Set<string>();
  let duplicates = 0;
  let unknown = 0;
  for (const s of stored) {
    if (seen.has(s.id)) duplicates++;
    seen.add(s.id);
    if (!ids.has(s.id)) unknown++;
  }
  const missing = produced.filter((e) => !seen.has(e.id)).length;
  const sameOrder = stored.length === produced.length && stored.every((s, i) => s.id === produced[i]!.id);
  const increasing = stored.every((s, i) => i === 0 || s.seq > stored[i - 1]!.seq);
  return { delivered: stored.length, missing, unknown, duplicates, inOrder: sameOrder && increasing };
}
