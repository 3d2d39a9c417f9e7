/**
 * Worker thread of the ticket-latency bench: polls GET /api/tickets back to back (several loops)
 * and posts, per poll, the tickets whose lastSeenMs moved since it last looked, stamped with the
 * absolute time (performance.timeOrigin + now) the response was in. Parsing the lists here keeps
 * the publisher's event loop free, so a publish is sent and its PUBACK noticed on time.
 * Parent → worker: 'stop'. Worker → parent: PollerReport.
 */
import { parentPort, workerData } from 'node:worker_threads';

export interface PollerSetup {
  url: string;
  headers: Record<string, string>;
  pollers: number;
}

export type PollerReport =
  | { kind: 'seen'; atMs: number; changes: Array<[key: string, lastSeenMs: number]>; cycleMs: number }
  | { kind: 'error'; message: string }
  | { kind: 'stopped' };

const setup = workerData as PollerSetup;
const port = parentPort;
if (!port) throw new Error('ticket-poller runs as a worker thread');
const absNow = (): number => performance.timeOrigin + performance.now();
let stopping = false;
port.on('message', (m: string) => { if (m === 'stop') stopping = true; });

const lastSeen = new Map<string, number>();
const loop = async (): Promise<void> => {
  while (!stopping) {
    const started = performance.now();
    const res = await fetch(setup.url, { headers: setup.headers });
    if (!res.ok) throw new Error(`GET /api/tickets answered ${res.status}: ${await res.text()}`);
    const body = await res.json() as { tickets: Array<{ device: string; code: string; lastSeenMs: number }> };
    const atMs = absNow();
    const changes: Array<[string, number]> = [];
    for (const t of body.tickets) {
      const key = `${t.device}/${t.code}`;
      if ((lastSeen.get(key) ?? Number.NEGATIVE_INFINITY) < t.lastSeenMs) {
        lastSeen.set(key, t.lastSeenMs);
        changes.push([key, t.lastSeenMs]);
      }
    }
    port.postMessage({ kind: 'seen', atMs, changes, cycleMs: performance.now() - started } satisfies PollerReport);
  }
};
try {
  await Promise.all(Array.from({ length: setup.pollers }, loop));
  port.postMessage({ kind: 'stopped' } satisfies PollerReport);
} catch (err) {
  port.postMessage({ kind: 'error', message: (err as Error).message } satisfies PollerReport);
}
