/**
 * A service desk on a real SQLite store in a temp dir, driven by a fake clock: events go through the
 * store's batch commit (as ingest does), timers fire only when a test calls `runDue`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { silentLogger } from '../../protocol/logger.js';
import { DeskConfigHolder } from '../../collector/desk-config/config-holder.js';
import type { IngestMessage } from '../../collector/core/devices/ingest-message.js';
import { DeskService } from '../../collector/desk/desk-service.js';
import { openSqliteStore, type SqliteStore } from '../../collector/store/sqlite/sqlite-store.js';
import type { FaultEvent, Transition } from '../../protocol/values.js';
import { tempDir } from './temp-dir.js';
import { TEST_USERS } from './api-auth.js';

export const T0 = Date.parse('2024-03-05T10:00:00Z');
export const MIN = 60_000;
export const H = 60 * MIN;

/** Team "drives": L1 lena (hardware) and lars (software), L2 omar, L3 ute, each always on call. */
export const DESK_YAML = `
teams:
  - id: drives
    name: Drive service
    members:
      - { id: lena, tier: L1, skills: [hardware] }
      - { id: lars, tier: L1, skills: [software] }
      - { id: omar, tier: L2, skills: [hardware] }
      - { id: ute, tier: L3, skills: [hardware] }
    rotations:
      - { id: l1-hw, tier: L1, kind: weekly, handover: "00:00", startDate: "2024-01-01", participants: [lena] }
      - { id: l1-sw, tier: L1, kind: weekly, handover: "00:00", startDate: "2024-01-01", participants: [lars] }
      - { id: l2, tier: L2, kind: weekly, handover: "00:00", startDate: "2024-01-01", participants: [omar] }
      - { id: l3, tier: L3, kind: weekly, handover: "00:00", startDate: "2024-01-01", participants: [ute] }
routing:
  defaultTeam: drives
  rules:
    - { id: drives-hw, match: { models: ["VFD-*"], categories: [hardware] }, team: drives, tier: L1, skills: [hardware] }
assets:
  sites:
    plant-a: { criticality: B, region: north }
lifecycle:
  verifyCloseHoldSeconds: 600
  reopenWindowHours: 24
webhooks:
  - { id: chat, url: "http://127.0.0.1:9/hook?token=abc", secret: "0123456789abcdef", events: "*" }
`;

export interface DeskHarness {
  store: SqliteStore;
  desk: DeskService;
  config: DeskConfigHolder;
  configFile: string;
  dataDir: string;
  clock: { now: number };
  /** Commits messages through the store's ingest unit of work at the clock's time. */
  commit(...messages: IngestMessage[]): Promise<void>;
  /** Closes the desk and the store (a restart reopens them). */
  close(): Promise<void>;
}

let nextId = 1;

export function fault(transition: Transition, timeMs: number, over: Partial<FaultEvent> = {}): IngestMessage {
  const n = nextId++;
  const event: FaultEvent = {
    id: `018e0f3a-0000-7000-8000-${String(n).padStart(12, '0')}`, device: 'drive-1', site: 'plant-a', seq: n, timeMs,
    source: 'modbus', category: 'hardware', code: 'vfd.overcurrent', severity: 'critical', transition, message: 'Output overcurrent',
    snapshot: [], logExcerpt: [], labels: {}, adapterId: 'generic-vfd', remedy: 'Check the motor cable', ...over,
  };
  return { kind: 'event', receivedMs: timeMs, event };
}

export function birth(device = 'drive-1', model = 'VFD-4000', site = 'plant-a'): IngestMessage {
  return {
    kind: 'birth', receivedMs: T0,
    birth: { site, device, adapterId: 'generic-vfd', model, firmware: '2.3.1', agentVersion: 'test', parameters: [], timeMs: T0, sessionId: 's1' },
  };
}

/** Opens (or, given `dataDir`, reopens) a store with a desk on the config text. */
export async function deskHarness(t: Test, yaml = DESK_YAML, reuse?: { dataDir: string; clock: { now: number } }): Promise<DeskHarness> {
  let dataDir = reuse?.dataDir;
  if (dataDir === undefined) {
    const dir = tempDir('faultline-desk-');
    t.teardown(dir.remove);
    dataDir = dir.path;
  }
  const configFile = join(dataDir, 'desk.yaml');
  if (!reuse) writeFileSync(configFile, yaml);
  const clock = reuse?.clock ?? { now: T0 };
  const now = (): number => clock.now;
  const log = silentLogger();
  const store = openSqliteStore({ dataDir, log, nowMs: now(), users: TEST_USERS });
  const config = new DeskConfigHolder({ file: configFile, log, now });
  const desk = new DeskService({ store, config, log, now, autoTimers: false, random: () => 1 });
  await desk.start();
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await desk.stop();
    await store.close();
  };
  t.teardown(close);
  return {
    store, desk, config, configFile, dataDir, clock, close,
    commit: async (...messages) => { await store.ingest.commit(messages, clock.now); },
  };
}
