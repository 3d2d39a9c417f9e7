/**
 * A service report for one period: ticket volume, responsiveness (MTTA/MTTR), SLA attainment,
 * fix quality (first-time fix, reopen), satisfaction, fault figures for R&D, and alarm load.
 * Figures the store cannot supply yet are reported as unavailable with the reason, never as zero.
 */
import { alarmFigures, type AlarmFigures } from './report-alarms.js';
import { faultFigures, type FaultFigures } from './report-faults.js';
import {
  available, matchesFilter, unavailable, type Available, type FleetCount, type ReportAcknowledgement, type ReportAnnunciation,
  type ReportFilter, type ReportFloodEpisode, type ReportTicket, type TicketFields,
} from './report-input.js';
import type { ReportPeriod } from './report-period.js';
import {
  fixQuality, responsiveness, satisfaction, slaAttainment, volume,
  type FixQuality, type Responsiveness, type Satisfaction, type SlaAttainment, type Volume,
} from './report-tickets.js';

export interface ReportData {
  tickets: readonly ReportTicket[];
  fields: TicketFields;
  annunciations: Available<readonly ReportAnnunciation[]>;
  acknowledgements: Available<readonly ReportAcknowledgement[]>;
  floods: Available<readonly ReportFloodEpisode[]>;
  /** null when the fleet per model/firmware is unknown. */
  fleet: readonly FleetCount[] | null;
}

export interface ReportOptions {
  /** Operator positions per site (default 1). */
  operatorsBySite?: Readonly<Record<string, number>>;
}

export interface ServiceReport {
  period: ReportPeriod;
  filter: ReportFilter;
  generatedAtMs: number;
  /** How tickets are chosen, in words. */
  basis: string;
  volume: Volume;
  responsiveness: Responsiveness;
  sla: Available<SlaAttainment>;
  quality: Available<FixQuality>;
  satisfaction: Available<Satisfaction>;
  faults: FaultFigures;
  alarms: Available<AlarmFigures>;
}

export const REPORT_BASIS = 'tickets opened in the period (their later acknowledgement, resolution and rating count); '
  + 'fault figures leave out site-wide parents and manual tickets without a fault code; durations are wall-clock time from opening';

function alarms(data: ReportData, period: ReportPeriod, filter: ReportFilter, nowMs: number, opts: ReportOptions): Available<AlarmFigures> {
  if (!data.annunciations.available) return unavailable(data.annunciations.reason);
  const acks = data.acknowledgements.available ? data.acknowledgements.value : [];
  const floods = data.floods.available ? data.floods.value : [];
  // Floods belong to a site, not to a model or firmware: only the site filter applies to them.
  const siteFloods = floods.filter((f) => filter.site === undefined || f.site === filter.site);
  return available(alarmFigures(
    data.annunciations.value.filter((a) => matchesFilter(a, filter)), acks.filter((a) => matchesFilter(a, filter)), siteFloods,
    { fromMs: period.fromMs, untilMs: Math.max(period.fromMs, Math.min(period.toMs, nowMs)) }, opts.operatorsBySite,
  ));
}

export function buildReport(data: ReportData, period: ReportPeriod, filter: ReportFilter, nowMs: number, opts: ReportOptions = {}): ServiceReport {
  const tickets = data.tickets.filter((t) => t.openedAtMs >= period.fromMs && t.openedAtMs < period.toMs && matchesFilter(t, filter));
  return {
    period, filter, generatedAtMs: nowMs, basis: REPORT_BASIS,
    volume: volume(tickets),
    responsiveness: responsiveness(tickets, data.fields),
    sla: slaAttainment(tickets, data.fields),
    quality: fixQuality(tickets, data.fields),
    satisfaction: satisfaction(tickets, data.fields),
    faults: faultFigures(tickets, data.fleet),
    alarms: alarms(data, period, filter, nowMs, opts),
  };
}
