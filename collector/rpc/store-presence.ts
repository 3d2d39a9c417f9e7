/**
 * Device presence from the store (cluster mode): a collector on an external broker has no list
 * of the broker's sessions, but every collector commits the devices' births and deaths (the
 * broker publishes a device's last will when its connection is lost) to the shared database. A
 * device is connected when its latest birth is not followed by a death of the same session
 * (core/devices/device-registry.ts); a device the store has never heard from is not. One read
 * of the device list serves the lookups of `maxAgeMs`; a store that cannot answer means "cannot tell" (requests are engineers' clicks, but a
 * burst must not read the list once per request).
 */
import type { QueryPort } from '../store/port.js';
import type { PendingTarget } from './pending-requests.js';

export const DEFAULT_PRESENCE_MAX_AGE_MS = 500;

export function storePresence(
  queries: Pick<QueryPort, 'listDevices'>, now: () => number = Date.now, maxAgeMs = DEFAULT_PRESENCE_MAX_AGE_MS,
): (target: PendingTarget) => Promise<boolean | undefined> {
  let cached: { atMs: number; online: Promise<Set<string>> } | undefined;
  const key = (t: PendingTarget): string => `${t.site}/${t.device}`;
  const load = async (): Promise<Set<string>> => new Set((await queries.listDevices()).filter((d) => d.online).map(key));
  return async (target) => {
    const t = now();
    if (!cached || t - cached.atMs > maxAgeMs) {
      const online = load();
      cached = { atMs: t, online };
      // A failed read is not kept: the next lookup tries again.
      online.catch(() => { if (cached?.online === online) cached = undefined; });
    }
    // The store cannot answer: cannot tell (the request is sent and times out if nobody answers).
    return cached.online.then((set) => set.has(key(target)), () => undefined);
  };
}
