/** Service-report figures (collector/core/report-*.ts), table-driven over plain rows. */
import t from 'tap';
import { alarmFigures } from '../../collector/core/reports/report-alarms.js';
import { badActors, faultCodesByFirmware, faultsByModelFirmware, topFaultCodes } from '../../collector/core/reports/report-faults.js';
import { slaOutcome, type ReportTicket, type TicketFields } from '../../collector/core/reports/report-input.js';
import { reportPeriod } from '../../collector/core/reports/report-period.js';
import { durationStats, fixQuality, responsiveness, satisfaction, slaAttainment, volume } from '../../collector/core/reports/report-tickets.js';

const MIN = 60_000;
const T0 = Date.parse('2024-03-04T00:00:00Z'); // a Monday
const ALL: TicketFields = { acknowledged: true, resolved: true, sla: true, reopen: true, escalation: true, satisfaction: true };
const NONE: TicketFields = { acknowledged: false, resolved: false, sla: false, reopen: false, escalation: false, satisfaction: false };

let id = 0;
function ticket(p: Partial<ReportTicket> = {}): ReportTicket {
  return {
    id: ++id, site: 'plant-a', device: 'drive-1', model: 'VFD-4000', firmware: '2.3.1', code: 'vfd.overcurrent', category: 'hardware',
    priority: 'P2', status: 'new', siteParent: false, occurrences: 1, openedAtMs: T0 + 60 * MIN, acknowledgedAtMs: null, resolvedAtMs: null,
    reopenCount: 0, escalations: 0, responseSla: 'pending', resolutionSla: 'pending', satisfaction: null, ...p,
  };
}

t.test('periods: weeks start on Monday, months on the 1st, in the report\'s time zone', async (t) => {
  const now = Date.parse('2024-03-06T12:00:00Z');
  const cases: Array<[string, Parameters<typeof reportPeriod>[0], { from: string; to: string; kind: string; fromIso?: string }]> = [
    ['current week', { period: 'week', timeZone: 'UTC' }, { from: '2024-03-04', to: '2024-03-11', kind: 'week', fromIso: '2024-03-04T00:00:00.000Z' }],
    ['week of a Sunday', { period: 'week', from: '2024-03-10', timeZone: 'UTC' }, { from: '2024-03-04', to: '2024-03-11', kind: 'week' }],
    ['month of a date', { period: 'month', from: '2024-02-17', timeZone: 'UTC' }, { from: '2024-02-01', to: '2024-03-01', kind: 'month' }],
    ['December', { period: 'month', from: '2023-12-31', timeZone: 'UTC' }, { from: '2023-12-01', to: '2024-01-01', kind: 'month' }],
    ['custom range', { period: 'week', from: '2024-03-05', to: '2024-03-08', timeZone: 'UTC' }, { from: '2024-03-05', to: '2024-03-08', kind: 'custom' }],
    ['Berlin midnight', { period: 'week', from: '2024-03-04', timeZone: 'Europe/Berlin' }, { from: '2024-03-04', to: '2024-03-11', kind: 'week', fromIso: '2024-03-03T23:00:00.000Z' }],
  ];
  for (const [name, req, want] of cases) {
    const p = reportPeriod(req, now);
    t.match(p, { from: want.from, to: want.to, kind: want.kind }, name);
    if (want.fromIso) t.equal(new Date(p.fromMs).toISOString(), want.fromIso, `${name}: instant`);
  }
  const march = reportPeriod({ period: 'month', from: '2024-03-01', timeZone: 'Europe/Berlin' }, now);
  t.equal(march.toMs - march.fromMs, 31 * 24 * 3600_000 - 3600_000, 'the DST change makes March one hour shorter in Berlin');
  for (const bad of [
    { period: 'week' as const, to: '2024-03-08', timeZone: 'UTC' },
    { period: 'week' as const, from: '2024-03-08', to: '2024-03-08', timeZone: 'UTC' },
    { period: 'week' as const, from: '2023-01-01', to: '2024-03-08', timeZone: 'UTC' },
    { period: 'week' as const, from: '2024-02-30', timeZone: 'UTC' },
  ]) t.throws(() => reportPeriod(bad, now), { code: 'FL_ERR_TIME_FORMAT' }, JSON.stringify(bad));
});

t.test('volume by category and priority', async (t) => {
  const v = volume([ticket({ priority: 'P1' }), ticket({ priority: 'P1' }), ticket({ category: 'link', priority: 'P3' })]);
  t.equal(v.total, 3);
  t.match(v.byPriority, { P1: 2, P2: 0, P3: 1, P4: 0 });
  t.match(v.byCategory, { hardware: 2, link: 1, software: 0 });
  t.same(v.matrix, [{ category: 'hardware', P1: 2, P2: 0, P3: 0, P4: 0, total: 2 }, { category: 'link', P1: 0, P2: 0, P3: 1, P4: 0, total: 1 }]);
});

t.test('MTTA and MTTR: mean, median, p90, per priority; unavailable without the columns', async (t) => {
  t.same(durationStats([]), { n: 0, meanMs: null, medianMs: null, p90Ms: null });
  t.same(durationStats([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]), { n: 10, meanMs: 55, medianMs: 50, p90Ms: 90 });
  const opened = T0;
  const ts = [
    ticket({ priority: 'P1', openedAtMs: opened, acknowledgedAtMs: opened + 5 * MIN, resolvedAtMs: opened + 60 * MIN }),
    ticket({ priority: 'P1', openedAtMs: opened, acknowledgedAtMs: opened + 15 * MIN, resolvedAtMs: null }),
    ticket({ priority: 'P3', openedAtMs: opened, acknowledgedAtMs: null }),
  ];
  const r = responsiveness(ts, ALL);
  t.same(r.mtta, { available: true, value: { n: 2, meanMs: 10 * MIN, medianMs: 5 * MIN, p90Ms: 15 * MIN } });
  t.same(r.mttr, { available: true, value: { n: 1, meanMs: 60 * MIN, medianMs: 60 * MIN, p90Ms: 60 * MIN } });
  t.match(r.byPriority.find((p) => p.priority === 'P3'), { tickets: 1, mtta: { n: 0, meanMs: null } });
  const none = responsiveness(ts, NONE);
  t.match(none.mtta, { available: false, reason: /acknowledgement/ });
  t.equal(none.byPriority[0]?.mtta, null);
});

t.test('SLA attainment per priority from the clocks', async (t) => {
  const cases: Array<[{ stoppedMs: number | null; breachedAtMs: number | null }, string]> = [
    [{ stoppedMs: null, breachedAtMs: null }, 'pending'], [{ stoppedMs: 5, breachedAtMs: null }, 'met'],
    [{ stoppedMs: 9, breachedAtMs: 7 }, 'missed'], [{ stoppedMs: null, breachedAtMs: 7 }, 'missed'],
  ];
  for (const [clock, want] of cases) t.equal(slaOutcome(clock), want, JSON.stringify(clock));
  const sla = slaAttainment([
    ticket({ priority: 'P1', responseSla: 'met', resolutionSla: 'met' }),
    ticket({ priority: 'P1', responseSla: 'met', resolutionSla: 'missed' }),
    ticket({ priority: 'P1', responseSla: 'missed', resolutionSla: 'pending' }),
    ticket({ priority: 'P1', responseSla: 'met', resolutionSla: null }),
  ], ALL);
  t.ok(sla.available);
  if (sla.available) {
    t.same(sla.value[0], { priority: 'P1', response: { met: 3, missed: 1, pending: 0, attainment: 0.75 }, resolution: { met: 1, missed: 1, pending: 1, attainment: 0.5 } });
    t.same(sla.value[3], { priority: 'P4', response: { met: 0, missed: 0, pending: 0, attainment: null }, resolution: { met: 0, missed: 0, pending: 0, attainment: null } });
  }
  t.match(slaAttainment([], NONE), { available: false });
});

t.test('first-time fix and reopen rates', async (t) => {
  const q = fixQuality([
    ticket({ resolvedAtMs: T0 }), // first-time fix
    ticket({ resolvedAtMs: T0, escalations: 1 }), // resolved, but only after an escalation
    ticket({ resolvedAtMs: T0, reopenCount: 1 }), // reopened, resolved again
    ticket({ resolvedAtMs: null, reopenCount: 2 }), // reopened, open now
    ticket({ resolvedAtMs: null }), // never resolved: not counted
  ], ALL);
  t.same(q, { available: true, value: { resolved: 4, firstTimeFix: 1, firstTimeFixRate: 0.25, reopened: 2, reopenRate: 0.5 } });
  t.match(fixQuality([], { ...ALL, reopen: false }), { available: false });
});

t.test('satisfaction: average, distribution, CSAT', async (t) => {
  const s = satisfaction([5, 4, 4, 2, null].map((score) => ticket({ satisfaction: score })), ALL);
  t.same(s, { available: true, value: { rated: 4, average: 3.75, distribution: { 1: 0, 2: 1, 3: 0, 4: 2, 5: 1 }, csat: 0.75 } });
  t.same(satisfaction([], ALL), { available: true, value: { rated: 0, average: null, distribution: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 }, csat: null } });
});

t.test('top fault codes and bad actors: top 10, manual tickets and site parents left out', async (t) => {
  const ts = [
    ...Array.from({ length: 3 }, (_, i) => ticket({ code: 'vfd.overcurrent', device: `drive-${i}`, occurrences: 2 })),
    ticket({ code: 'vfd.overvoltage', device: 'drive-0', model: 'VFD-5000' }),
    ticket({ code: 'vfd.overvoltage', device: 'drive-0' }),
    ticket({ code: '', device: '' }), // manual
    ticket({ code: 'site.link', device: '', siteParent: true }),
    ...Array.from({ length: 12 }, (_, i) => ticket({ code: `x.code_${String(i).padStart(2, '0')}`, device: 'noisy' })),
  ];
  const top = topFaultCodes(ts);
  t.equal(top.length, 10);
  t.same(top.slice(0, 2), [
    { code: 'vfd.overcurrent', tickets: 3, occurrences: 6, devices: 3, models: ['VFD-4000'] },
    { code: 'vfd.overvoltage', tickets: 2, occurrences: 2, devices: 1, models: ['VFD-4000', 'VFD-5000'] },
  ]);
  t.notOk(top.some((c) => c.code === '' || c.code === 'site.link'));
  const bad = badActors(ts);
  t.match(bad[0], { device: 'noisy', tickets: 12, distinctCodes: 12 });
  t.match(bad[1], { device: 'drive-0', tickets: 3, occurrences: 4, distinctCodes: 2, topCode: 'vfd.overvoltage' });
});

t.test('faults per model and firmware, per fleet device, and the code x firmware table', async (t) => {
  const ts = [
    ticket({ firmware: '2.9', device: 'a' }), ticket({ firmware: '2.10', device: 'a' }), ticket({ firmware: '2.10', device: 'b' }),
    ticket({ firmware: '2.10', device: 'b', code: 'vfd.fan_failure' }), ticket({ model: 'PLC-1', firmware: '1.0', code: 'plc.cpu', device: 'p' }),
  ];
  const rows = faultsByModelFirmware(ts, [{ model: 'VFD-4000', firmware: '2.10', devices: 4 }, { model: 'VFD-4000', firmware: '2.9', devices: 10 }]);
  t.same(rows.map((r) => [r.model, r.firmware, r.tickets, r.devicesWithFaults, r.fleetDevices, r.ticketsPerDevice]), [
    ['PLC-1', '1.0', 1, 1, 0, null],
    ['VFD-4000', '2.9', 1, 1, 10, 0.1],
    ['VFD-4000', '2.10', 3, 2, 4, 0.75],
  ], 'firmware sorts numerically: 2.9 before 2.10');
  t.same(rows[2]?.topCodes, [{ code: 'vfd.overcurrent', tickets: 2 }, { code: 'vfd.fan_failure', tickets: 1 }]);
  t.equal(faultsByModelFirmware(ts, null)[0]?.fleetDevices, null, 'fleet unknown');
  t.same(faultCodesByFirmware(ts), [
    { model: 'PLC-1', code: 'plc.cpu', total: 1, byFirmware: { '1.0': 1 } },
    { model: 'VFD-4000', code: 'vfd.overcurrent', total: 3, byFirmware: { '2.9': 1, '2.10': 2 } },
    { model: 'VFD-4000', code: 'vfd.fan_failure', total: 1, byFirmware: { '2.9': 0, '2.10': 1 } },
  ]);
});

t.test('alarm load per operator per 10 minutes, floods, acknowledgements', async (t) => {
  const w = { fromMs: T0, untilMs: T0 + 60 * MIN }; // six intervals
  const ann = (site: string, atMs: number) => ({ site, device: 'd', model: 'm', firmware: 'f', code: 'c', atMs });
  const annunciations = [
    ...Array.from({ length: 22 }, (_, i) => ann('plant-a', T0 + 10 * MIN + i * 1000)), // 22 in the second interval
    ann('plant-a', T0 + 45 * MIN), ann('plant-b', T0 + 5 * MIN), ann('plant-b', T0 + 61 * MIN), // the last one is outside
  ];
  const acks = [
    { site: 'plant-a', device: 'd', model: 'm', firmware: 'f', operator: 'ann', atMs: T0 + 11 * MIN },
    { site: 'plant-a', device: 'd', model: 'm', firmware: 'f', operator: 'ann', atMs: T0 + 12 * MIN },
    { site: 'plant-a', device: 'd', model: 'm', firmware: 'f', operator: 'bob', atMs: T0 + 13 * MIN },
  ];
  const floods = [{ site: 'plant-a', startMs: T0 + 10 * MIN, endMs: T0 + 25 * MIN, alarms: 22, peak: 22 }, { site: 'plant-a', startMs: T0 + 55 * MIN, endMs: null, alarms: 11, peak: 11 }];
  const one = alarmFigures(annunciations, acks, floods, w);
  t.match(one.perSite[0], {
    site: 'plant-a', operators: 1, alarms: 23, avgPer10MinPerOperator: 3.83, peak10MinPerOperator: 22, peakIntervalStartMs: T0 + 10 * MIN,
    intervals: 6, intervalsOverLimit: 1, shareOverLimit: 0.17, timeInFloodMs: 20 * MIN, floodEpisodes: 2,
  });
  t.match(one.perSite[1], { site: 'plant-b', alarms: 1, intervalsOverLimit: 0, timeInFloodMs: 0 });
  t.match(one.totals, { alarms: 24, operators: 2, avgPer10MinPerOperator: 2, timeInFloodMs: 20 * MIN, floodEpisodes: 2 });
  t.same(one.perOperator, [{ operator: 'ann', acknowledged: 2, avgPer10Min: 0.33 }, { operator: 'bob', acknowledged: 1, avgPer10Min: 0.17 }]);
  const three = alarmFigures(annunciations, acks, floods, w, { 'plant-a': 3 });
  t.match(three.perSite[0], { operators: 3, peak10MinPerOperator: 7.33, intervalsOverLimit: 0 }, 'three operators share the load');
});
