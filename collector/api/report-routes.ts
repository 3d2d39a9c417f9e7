/**
 * GET /api/reports/summary?period=week|month&from=YYYY-MM-DD&to=&tz=&site=&model=&firmware=&format=json|csv&section=
 *
 * JSON: the whole report. CSV: with `section`, that section as a wide table (e.g.
 * section=faults-by-model-firmware for R&D); without, the whole report in long form
 * (section, key, metric, value). Served as an attachment named after the period.
 */
import type { FastifyInstance } from 'fastify';
import { FaultlineError } from '../../protocol/errors.js';
import { apiError } from './api-errors.js';
import { errorResponses } from './schemas.js';
import { reportCsvLong, sectionCsv } from '../core/reports/report-csv.js';
import { reportPeriod, type ReportPeriod } from '../core/reports/report-period.js';
import { buildReport, type ReportOptions } from '../core/reports/report-summary.js';
import { assertTimeZone } from '../core/sla/time-zone.js';
import type { ReportsPort } from '../store/port.js';
import { ReportQuery, ServiceReportJson, reportAsJson } from './report-schemas.js';

export interface ReportRoutesOptions extends ReportOptions {
  reports: ReportsPort;
  now: () => number;
}

function periodFor(q: ReportQuery, nowMs: number): ReportPeriod {
  try {
    assertTimeZone(q.tz);
    return reportPeriod({ period: q.period, from: q.from, to: q.to, timeZone: q.tz }, nowMs);
  } catch (err) {
    if (err instanceof FaultlineError) throw apiError('FL_ERR_API_BAD_REQUEST', err.hint ? `${err.message}: ${err.hint}` : err.message, { ...err.context });
    throw err;
  }
}

export async function reportRoutes(app: FastifyInstance, opts: ReportRoutesOptions): Promise<void> {
  app.get<{ Querystring: ReportQuery }>('/api/reports/summary', {
    schema: { querystring: ReportQuery, response: { 200: ServiceReportJson, ...errorResponses } },
  }, async (req, reply) => {
    const q = req.query;
    if (q.section !== undefined && q.format !== 'csv') throw apiError('FL_ERR_API_BAD_REQUEST', 'section applies to format=csv only', { section: q.section });
    const nowMs = opts.now();
    const period = periodFor(q, nowMs);
    const filter = { site: q.site, model: q.model, firmware: q.firmware };
    const report = buildReport(await opts.reports.load(period, filter), period, filter, nowMs, opts);
    if (q.format === 'json') return reportAsJson(report);
    const name = `faultline-report-${period.from}-${q.section ?? 'all'}.csv`;
    void reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`);
    return q.section === undefined ? reportCsvLong(report) : sectionCsv(report, q.section);
  });
}
