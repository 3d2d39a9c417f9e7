/**
 * Desk changes between collectors sharing one PostgreSQL database. Every unit of work that changed
 * desk objects sends, inside its transaction, one NOTIFY on `faultline_desk` naming what it
 * touched and its earliest new deadline; PostgreSQL delivers it only if and when the unit commits.
 * Every other collector's listener turns it into the desk's change announcement (the live stream,
 * the change feed) and wakes its timer scheduler when the deadline is earlier than its own.
 *
 * Payload (JSON, under PostgreSQL's 8000-byte limit): {"o": origin, "a": alarm ids, "t": ticket
 * ids, "f": flood sites, "d": earliest deadline or null}; a unit that touched too much to name
 * sends {"o", "r": 1} (resync: listeners re-read what they show).
 *
 * The same listening connection hears live values and settings (live-signals.ts).
 */
import type { Logger } from '../../../protocol/logger.js';
import type { ClusterPort, RemoteDeskChanges, RemoteDeviceChanges, RemoteSettingsChanges } from '../port.js';
import { LIVE_CHANNEL, parseLiveSignal, parseSettingsSignal, SETTINGS_CHANNEL } from './live-signals.js';
import { MAX_NOTIFY_BYTES, notify, PgListener } from './notifier.js';
import type { Queryable } from './pool.js';

export const DESK_CHANNEL = 'faultline_desk';

/** What one unit touched. */
export interface UnitSummary {
  alarms: number[];
  tickets: number[];
  floodSites: string[];
  earliestDueMs: number | null;
}

/** Sends the unit's summary in its transaction (nothing when it touched nothing and set no deadline). */
export async function notifyDeskChanges(tx: Queryable, origin: string, s: UnitSummary): Promise<void> {
  if (s.alarms.length === 0 && s.tickets.length === 0 && s.floodSites.length === 0 && s.earliestDueMs === null) return;
  const full = JSON.stringify({ o: origin, a: s.alarms, t: s.tickets, f: s.floodSites, d: s.earliestDueMs });
  const payload = Buffer.byteLength(full, 'utf8') <= MAX_NOTIFY_BYTES ? full : JSON.stringify({ o: origin, r: 1, d: s.earliestDueMs });
  await notify(tx, DESK_CHANNEL, payload);
}

const numbers = (v: unknown): number[] => (Array.isArray(v) ? v.filter((x): x is number => Number.isSafeInteger(x)) : []);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** A payload from the channel; null when it is not one (counted by the caller) or is this collector's own. */
export function parseDeskSignal(payload: string, ownOrigin: string): RemoteDeskChanges | 'own' | null {
  let v: unknown;
  try {
    v = JSON.parse(payload);
  } catch {
    return null;
  }
  if (v === null || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  if (typeof o['o'] !== 'string') return null;
  if (o['o'] === ownOrigin) return 'own';
  const d = o['d'];
  return {
    alarms: numbers(o['a']), tickets: numbers(o['t']), floodSites: strings(o['f']),
    earliestDueMs: typeof d === 'number' && Number.isFinite(d) ? d : null, resync: o['r'] === 1,
  };
}

/**
 * The PostgreSQL side of ClusterPort: one listening connection for the desk, live and settings
 * channels, opened for the first listener, closed with the store. After a lost connection it
 * listens again and tells every listener to re-read (notifications sent meanwhile are gone).
 */
export class PgDeskSignals implements ClusterPort {
  readonly shared = true;
  private readonly desk = new Set<(c: RemoteDeskChanges) => void>();
  private readonly devices = new Set<(c: RemoteDeviceChanges) => void>();
  private readonly settings = new Set<(c: RemoteSettingsChanges) => void>();
  private listener: PgListener | undefined;
  /** Payloads on the channels that were not signals. */
  malformed = 0;

  constructor(private readonly url: string, readonly origin: string, private readonly log: Logger) {}

  onRemote(listener: (c: RemoteDeskChanges) => void): () => void {
    return this.add(this.desk, listener);
  }

  onRemoteDevices(listener: (c: RemoteDeviceChanges) => void): () => void {
    return this.add(this.devices, listener);
  }

  onRemoteSettings(listener: (c: RemoteSettingsChanges) => void): () => void {
    return this.add(this.settings, listener);
  }

  private add<T>(set: Set<(c: T) => void>, listener: (c: T) => void): () => void {
    set.add(listener);
    if (!this.listener) this.listen();
    return () => { set.delete(listener); };
  }

  private listen(): void {
    const l = new PgListener({ url: this.url, channels: [DESK_CHANNEL, LIVE_CHANNEL, SETTINGS_CHANNEL] });
    this.listener = l;
    l.on('notification', (channel, payload) => this.received(channel, payload));
    l.on('resync', () => {
      this.dispatch(this.desk, { alarms: [], tickets: [], floodSites: [], earliestDueMs: null, resync: true });
      this.dispatch(this.devices, { values: [], presence: [], resync: true });
      this.dispatch(this.settings, { onCallOverrides: true, pagingPrefs: true });
    });
    l.on('error', (err) => this.log.warn({ err: err.message }, 'the cluster change listener lost its connection; reconnecting'));
    l.start().catch((err: unknown) => {
      this.log.error({ err }, 'cannot listen for other collectors\' changes; the live stream and settings show this collector\'s only until it can');
      if (this.listener === l) this.listener = undefined;
    });
  }

  private received(channel: string, payload: string): void {
    const c = channel === DESK_CHANNEL ? parseDeskSignal(payload, this.origin)
      : channel === LIVE_CHANNEL ? parseLiveSignal(payload, this.origin)
        : channel === SETTINGS_CHANNEL ? parseSettingsSignal(payload, this.origin) : null;
    if (c === 'own') return;
    if (c === null) {
      this.malformed++;
      this.log.warn({ channel, bytes: payload.length }, 'ignored a notification that is not a cluster change');
      return;
    }
    if (channel === DESK_CHANNEL) this.dispatch(this.desk, c as RemoteDeskChanges);
    else if (channel === LIVE_CHANNEL) this.dispatch(this.devices, c as RemoteDeviceChanges);
    else this.dispatch(this.settings, c as RemoteSettingsChanges);
  }

  private dispatch<T>(set: ReadonlySet<(c: T) => void>, c: T): void {
    for (const fn of set) {
      try {
        fn(c);
      } catch (err) {
        this.log.error({ err }, 'a remote change listener failed');
      }
    }
  }

  async close(): Promise<void> {
    this.desk.clear();
    this.devices.clear();
    this.settings.clear();
    const l = this.listener;
    this.listener = undefined;
    await l?.stop();
  }
}
