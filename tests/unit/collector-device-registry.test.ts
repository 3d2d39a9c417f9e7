import t from 'tap';
import { applyBirth, applyDeath, applySeen, applyStatus, type DeviceState } from '../../collector/core/devices/device-registry.js';
import type { DeviceBirth, DeviceDeath } from '../../protocol/values.js';

const KEY = { site: 'plant-a', device: 'drive-1' };

function birth(sessionId: string): DeviceBirth {
  return {
    ...KEY, adapterId: 'generic-vfd', model: 'VFD-4000', firmware: '2.3.1', agentVersion: '0.1.0', sessionId, timeMs: 5,
    parameters: [{ name: 'output_frequency', unit: 'Hz', description: 'Output frequency', writable: false, source: 'modbus' }],
  };
}

function death(sessionId: string): DeviceDeath {
  return { ...KEY, timeMs: 0, sessionId, reason: 'connection lost' };
}

t.test('birth brings a device online and records what it is', async (t) => {
  const s = applyBirth(undefined, birth('s1'), 100);
  t.match(s, {
    ...KEY, online: true, model: 'VFD-4000', firmware: '2.3.1', adapterId: 'generic-vfd', agentVersion: '0.1.0',
    sessionId: 's1', lastSeenMs: 100, lastBirthMs: 100,
  });
  t.equal(s.parameters.length, 1);
});

t.test('death takes a device offline only for the current session', async (t) => {
  const online = applyBirth(undefined, birth('s2'), 100);
  const table: Array<{ name: string; prev: DeviceState | undefined; session: string; online: boolean; applied: boolean }> = [
    { name: 'same session', prev: online, session: 's2', online: false, applied: true },
    { name: 'empty session id (cannot tell: trust it)', prev: online, session: '', online: false, applied: true },
    { name: 'stale will from an older session', prev: online, session: 's1', online: true, applied: false },
    { name: 'unknown device', prev: undefined, session: 's9', online: false, applied: true },
  ];
  for (const row of table) {
    const out = applyDeath(row.prev, death(row.session), 200);
    t.equal(out.state.online, row.online, `${row.name}: online`);
    t.equal(out.applied, row.applied, `${row.name}: applied`);
    t.equal(out.state.lastSeenMs, 200, `${row.name}: last seen`);
  }
});

t.test('a reconnect after a death brings the device back', async (t) => {
  const dead = applyDeath(applyBirth(undefined, birth('s1'), 100), death('s1'), 200).state;
  const back = applyBirth(dead, birth('s2'), 300);
  t.equal(back.online, true);
  t.equal(back.sessionId, 's2');
  t.equal(back.lastDeathMs, 200, 'the last death is remembered');
});

t.test('any message refreshes last seen', async (t) => {
  const known = applyBirth(undefined, birth('s1'), 100);
  t.equal(applySeen(known, KEY, 500).lastSeenMs, 500);
  const status = { ...KEY, timeMs: 1, uptimeS: 3, outboxDepth: 0, pollErrors: 0, eventsPublished: 2, outboxEvents: 0, outboxTelemetry: 0, outboxStatus: 0, outboxBytes: 0, evictedEvents: 0, evictedTelemetry: 0, evictedStatus: 0, drops: 0, connects: 0, disconnects: 0, resent: 0, rejected: 0, unsupported: [], deadLetters: 0, polls: 0, pollTimeouts: 0, pollExceptions: 0, pollLinkErrors: 0, outboxOldestAgeS: 0, logLinesClipped: 0 };
  const s = applyStatus(known, status, 600);
  t.equal(s.lastSeenMs, 600);
  t.same(s.lastStatus, status);
});

t.test('a device first heard from without a birth is online with no details', async (t) => {
  t.match(applySeen(undefined, KEY, 50), { ...KEY, online: true, model: '', sessionId: '', lastSeenMs: 50, lastBirthMs: null });
});
