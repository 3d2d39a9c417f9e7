/**
 * Live values and settings between collectors sharing one PostgreSQL database (issue #16 in
 * cluster mode). A shared subscription hands a device's telemetry to any collector, so each ingest
 * batch sends, inside its transaction, NOTIFY `faultline_live` naming the devices whose telemetry
 * or presence (birth, death) it committed; PostgreSQL delivers it only if and when the batch
 * commits. The other collectors read those devices' last-known values (telemetry_latest) and
 * registry rows and push them to their live streams. The payload names devices only, never
 * values, so it stays small; one batch is coalesced into as few notifications as fit PostgreSQL's
 * 8000-byte limit (a batch of thousands of devices is split, never dropped).
 *
 * Settings kept in the store (on-call overrides, paging choices) announce themselves on
 * `faultline_settings` in the statement that writes them; the other collectors re-read them.
 *
 * Payloads (JSON): live {"o": origin, "v": [[site, device], …], "p": [[site, device], …]};
 * settings {"o": origin, "k": "on-call" | "paging"}.
 */
import type { IngestMessage } from '../../core/devices/ingest-message.js';
import type { DeviceKey } from '../../core/devices/device-registry.js';
import type { RemoteDeviceChanges, RemoteSettingsChanges } from '../port.js';
import { MAX_NOTIFY_BYTES, notify } from './notifier.js';
import type { Queryable } from './pool.js';

export const LIVE_CHANNEL = 'faultline_live';
export const SETTINGS_CHANNEL = 'faultline_settings';

export type SettingsKind = 'on-call' | 'paging';

/** The devices of a batch whose telemetry, and whose presence, it commits (each device once, in arrival order). */
export function liveDevicesOf(messages: readonly IngestMessage[]): { values: DeviceKey[]; presence: DeviceKey[] } {
  const values = new Map<string, DeviceKey>();
  const presence = new Map<string, DeviceKey>();
  for (const m of messages) {
    const k = m.kind === 'telemetry' ? m.telemetry : m.kind === 'birth' ? m.birth : m.kind === 'death' ? m.death : undefined;
    if (!k) continue;
    (m.kind === 'telemetry' ? values : presence).set(`${k.site}\u0000${k.device}`, { site: k.site, device: k.device });
  }
  return { values: [...values.values()], presence: [...presence.values()] };
}

/**
 * The notifications that name these devices: as few as fit `maxBytes` each. A device key alone
 * longer than the limit (site and device ids are short by the topic rules) is left out.
 */
export function livePayloads(origin: string, values: readonly DeviceKey[], presence: readonly DeviceKey[], maxBytes = MAX_NOTIFY_BYTES): string[] {
  const head = `{"o":${JSON.stringify(origin)}`;
  const out: string[] = [];
  let v: string[] = [];
  let p: string[] = [];
  let bytes = 0;
  const render = (): string => `${head},"v":[${v.join(',')}],"p":[${p.join(',')}]}`;
  const empty = Buffer.byteLength(`${head},"v":[],"p":[]}`, 'utf8');
  const add = (list: 'v' | 'p', k: DeviceKey): void => {
    const item = JSON.stringify([k.site, k.device]);
    const size = Buffer.byteLength(item, 'utf8') + 1;
    if (empty + size > maxBytes) return;
    if (empty + bytes + size > maxBytes) {
      out.push(render());
      v = [];
      p = [];
      bytes = 0;
    }
    (list === 'v' ? v : p).push(item);
    bytes += size;
  };
  for (const k of values) add('v', k);
  for (const k of presence) add('p', k);
  if (v.length + p.length > 0) out.push(render());
  return out;
}

/** Sends the batch's live notifications in its transaction (nothing for a batch of events and statuses only). */
export async function notifyLiveDevices(tx: Queryable, origin: string, messages: readonly IngestMessage[]): Promise<void> {
  const { values, presence } = liveDevicesOf(messages);
  for (const payload of livePayloads(origin, values, presence)) await notify(tx, LIVE_CHANNEL, payload);
}

const keys = (v: unknown): DeviceKey[] => (Array.isArray(v)
  ? v.flatMap((x: unknown) => (Array.isArray(x) && typeof x[0] === 'string' && typeof x[1] === 'string' ? [{ site: x[0], device: x[1] }] : []))
  : []);

/** A payload from the live channel; null when it is not one (counted by the caller), 'own' when this collector sent it. */
export function parseLiveSignal(payload: string, ownOrigin: string): RemoteDeviceChanges | 'own' | null {
  const o = objectOf(payload);
  if (!o || typeof o['o'] !== 'string' || !Array.isArray(o['v']) || !Array.isArray(o['p'])) return null;
  if (o['o'] === ownOrigin) return 'own';
  return { values: keys(o['v']), presence: keys(o['p']), resync: false };
}

/** The payload that announces a settings change. */
export function settingsPayload(origin: string, kind: SettingsKind): string {
  return JSON.stringify({ o: origin, k: kind });
}

/** A payload from the settings channel; null when it is not one, 'own' when this collector sent it. */
export function parseSettingsSignal(payload: string, ownOrigin: string): RemoteSettingsChanges | 'own' | null {
  const o = objectOf(payload);
  if (!o || typeof o['o'] !== 'string' || (o['k'] !== 'on-call' && o['k'] !== 'paging')) return null;
  if (o['o'] === ownOrigin) return 'own';
  return { onCallOverrides: o['k'] === 'on-call', pagingPrefs: o['k'] === 'paging' };
}

function objectOf(payload: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(payload);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : null;
  } catch {
    return null;
  }
}
