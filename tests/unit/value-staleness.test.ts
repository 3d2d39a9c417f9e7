/**
 * Stale last-known values on the collector (issue #14, item 2): the birth's poll interval per
 * parameter, telemetry interval and stale factor give each parameter a stale age; a value (good,
 * uncertain) older than it is shown stale (overdue), so a dead agent's last values never look
 * fresh. The registry keeps the ages from the birth; the API's last-known values apply them.
 */
import t from 'tap';
import { aged, STALE_GRACE_MS, staleAges, withStaleAges } from '../../collector/core/devices/value-staleness.js';
import { applyBirth } from '../../collector/core/devices/device-registry.js';
import { liveValues } from '../../collector/api/device-view.js';
import type { DeviceBirth, ParameterInfo, Sample } from '../../protocol/values.js';

const param = (name: string, pollIntervalMs?: number): ParameterInfo => ({
  name, unit: 'Hz', description: '', writable: false, source: 'modbus', ...(pollIntervalMs ? { pollIntervalMs } : {}),
});
const birth = (extra: Partial<DeviceBirth>): DeviceBirth => ({
  device: 'd', site: 's', adapterId: 'a', model: 'm', firmware: 'f', agentVersion: 'v', timeMs: 0, sessionId: 'x',
  parameters: [param('fast', 250), param('normal', 1000), param('old')], ...extra,
});

t.test('stale age = factor × (poll interval + telemetry interval) + grace, only where the birth says all three', async (t) => {
  t.equal(STALE_GRACE_MS, 2000);
  t.same(staleAges(withStaleAges(birth({ telemetryIntervalMs: 1000, staleFactor: 2 }))), { fast: 2500 + 2000, normal: 4000 + 2000 });
  t.same(staleAges(withStaleAges(birth({ staleFactor: 2 }))), {}, 'no telemetry interval (an older agent): no judgement');
  t.same(staleAges(withStaleAges(birth({ telemetryIntervalMs: 1000 }))), {}, 'no factor: no judgement');
  const state = applyBirth(undefined, birth({ telemetryIntervalMs: 500, staleFactor: 3 }), 10);
  t.equal(state.parameters.find((p) => p.name === 'normal')?.staleAfterMs, 4500 + 2000, 'the registry keeps the age from the birth');
});

t.test('a value older than its stale age is shown stale (overdue); bad and stale values are left as they are', async (t) => {
  const good: Sample = { parameter: 'normal', value: 50, quality: 'good', timeMs: 1000 };
  t.same(aged(good, 4000, 5000), good, 'exactly at the age: still as it was');
  t.same(aged(good, 4000, 5001), { ...good, quality: 'stale', reason: 'overdue' }, 'past it: stale, same value and time');
  const uncertain: Sample = { ...good, quality: 'uncertain', reason: 'out-of-range' };
  t.equal(aged(uncertain, 4000, 9000).quality, 'stale');
  const bad: Sample = { ...good, value: 0, quality: 'bad', reason: 'timeout' };
  t.same(aged(bad, 4000, 60_000), bad, 'bad stays bad, with its own reason');
  t.same(aged(good, undefined, 1e12), good, 'no age known: not judged');
});

t.test('last-known values through the API view: judged at the time given, a fresh read never', async (t) => {
  const params = withStaleAges(birth({ telemetryIntervalMs: 1000, staleFactor: 2 }));
  const samples: Sample[] = [
    { parameter: 'fast', value: 1, quality: 'good', timeMs: 10_000 },
    { parameter: 'normal', value: 2, quality: 'good', timeMs: 10_000 },
    { parameter: 'old', value: 3, quality: 'good', timeMs: 0 },
  ];
  t.same(liveValues(samples, params, 15_000).map((v) => [v.name, v.quality, v.reason ?? null]), [
    ['fast', 'stale', 'overdue'], ['normal', 'good', null], ['old', 'good', null],
  ]);
  t.ok(liveValues(samples, params).every((v) => v.quality === 'good'), 'without a time (a live read): as read');
});
