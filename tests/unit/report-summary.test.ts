/** A whole service report (buildReport) and its CSV forms. */
import t from 'tap';
import { reportCsvLong, sectionCsv, sectionTable, REPORT_SECTIONS } from '../../collector/core/reports/report-csv.js';
import { available, unavailable, type ReportTicket, type TicketFields } from '../../collector/core/reports/report-input.js';
import { reportPeriod } from '../../collector/core/reports/report-period.js';
import { buildReport, type ReportData } from '../../collector/core/reports/report-summary.js';

const MIN = 60_000;
const ALL: TicketFields = { acknowledged: true, resolved: true, sla: true, reopen: true, escalation: true, satisfaction: true };
const period = reportPeriod({ period: 'week', from: '2024-03-04', timeZone: 'UTC' }, Date.parse('2024-03-20T00:00:00Z'));
const T0 = period.fromMs;

let id = 0;
function ticket(p: Partial<ReportTicket> = {}): ReportTicket {
  return {
    id: ++id, site: 'plant-a', device: 'drive-1', model: 'VFD-4000', firmware: '2.3.1', code: 'vfd.overcurrent', category: 'hardware',
    priority: 'P2', status: 'resolved', siteParent: false, occurrences: 1, openedAtMs: T0 + 60 * MIN, acknowledgedAtMs: T0 + 70 * MIN,
    resolvedAtMs: T0 + 180 * MIN, reopenCount: 0, escalations: 0, responseSla: 'met', resolutionSla: 'met', satisfaction: 5, ...p,
  };
}

function data(tickets: ReportTicket[], over: Partial<ReportData> = {}): ReportData {
  return {
    tickets, fields: ALL, annunciations: available([]), acknowledgements: available([]), floods: available([]),
    fleet: [{ model: 'VFD-4000', firmware: '2.3.1', devices: 2 }], ...over,
  };
}

t.test('the report counts tickets opened in the period that pass the filter', async (t) => {
  const ts = [
    ticket(), ticket({ site: 'plant-b' }), ticket({ model: 'VFD-5000' }), ticket({ firmware: '2.4.0' }),
    ticket({ openedAtMs: T0 - 1 }), ticket({ openedAtMs: period.toMs }), // outside the week
  ];
  t.equal(buildReport(data(ts), period, {}, period.toMs).volume.total, 4);
  t.equal(buildReport(data(ts), period, { site: 'plant-b' }, period.toMs).volume.total, 1);
  t.equal(buildReport(data(ts), period, { model: 'VFD-4000' }, period.toMs).volume.total, 3);
  t.equal(buildReport(data(ts), period, { model: 'VFD-4000', firmware: '2.3.1' }, period.toMs).volume.total, 2);
  const r = buildReport(data(ts), period, {}, period.toMs);
  t.match(r, { period: { from: '2024-03-04', to: '2024-03-11' }, basis: /opened in the period/ });
  t.match(r.faults.faultsByModelFirmware.find((m) => m.firmware === '2.3.1'), { tickets: 2, fleetDevices: 2, ticketsPerDevice: 1 });
});

t.test('missing store data is reported as unavailable, with the reason', async (t) => {
  const r = buildReport(data([ticket()], {
    fields: { acknowledged: false, resolved: false, sla: false, reopen: false, escalation: false, satisfaction: false },
    annunciations: unavailable('no alarm history yet'), acknowledgements: unavailable('no alarm history yet'), floods: unavailable('no floods'),
  }), period, {}, period.toMs);
  t.match(r.responsiveness.mtta, { available: false });
  t.match(r.sla, { available: false });
  t.match(r.quality, { available: false });
  t.match(r.satisfaction, { available: false });
  t.same(r.alarms, { available: false, reason: 'no alarm history yet' });
  t.equal(r.volume.total, 1, 'what is available is still there');
  t.equal(sectionCsv(r, 'sla'), 'unavailable\r\nthe store does not record SLA clocks yet\r\n');
});

t.test('alarm figures stop at now while the period runs; floods follow the site filter only', async (t) => {
  const ann = { site: 'plant-a', device: 'drive-1', model: 'VFD-4000', firmware: '2.3.1', code: 'c', atMs: T0 + 5 * MIN };
  const r = buildReport(data([], {
    annunciations: available([ann, { ...ann, site: 'plant-b' }, { ...ann, model: 'PLC-1' }]),
    floods: available([{ site: 'plant-a', startMs: T0, endMs: T0 + 30 * MIN, alarms: 11, peak: 11 }]),
  }), period, { model: 'VFD-4000', site: 'plant-a' }, T0 + 60 * MIN);
  t.ok(r.alarms.available);
  if (r.alarms.available) {
    t.match(r.alarms.value.totals, { alarms: 1, timeInFloodMs: 30 * MIN, floodEpisodes: 1 });
    t.equal(r.alarms.value.perSite[0]?.intervals, 6, 'one hour of the week has happened');
  }
});

t.test('CSV: wide sections, long form, RFC 4180 quoting, no formulas', async (t) => {
  const ts = [ticket({ model: '=HYPERLINK("http://evil")', firmware: '1,2', code: 'vfd.overcurrent' }), ticket({ priority: 'P1' })];
  const r = buildReport(data(ts), period, {}, period.toMs);
  const byFirmware = sectionCsv(r, 'faults-by-model-firmware');
  t.equal(byFirmware.split('\r\n')[0], 'model,firmware,tickets,occurrences,devices_with_faults,fleet_devices,tickets_per_device,top_codes');
  t.ok(byFirmware.includes(`"'=HYPERLINK(""http://evil"")","1,2",1,1,1,0,,vfd.overcurrent (1)`), byFirmware);
  t.equal(sectionCsv(r, 'volume'), 'category,P1,P2,P3,P4,total\r\nhardware,1,1,0,0,2\r\n');
  t.match(sectionCsv(r, 'responsiveness'), /^priority,tickets,mtta_n,mtta_mean_min,mtta_median_min,mtta_p90_min,mttr_n,/);
  t.match(sectionCsv(r, 'responsiveness'), /\r\nP1,1,1,10,10,10,1,120,120,120\r\n/);
  for (const s of REPORT_SECTIONS) t.ok(sectionTable(r, s).header.length > 0, `section ${s} has a header`);
  const long = reportCsvLong(r).split('\r\n');
  t.equal(long[0], 'section,key,metric,value');
  t.ok(long.includes('report,,from,2024-03-04'));
  t.ok(long.includes('volume,hardware,P1,1'));
  t.ok(long.includes('top-fault-codes,1 / vfd.overcurrent,tickets,2'));
  t.ok(long.includes('sla,P1,response_attainment,1'));
});
