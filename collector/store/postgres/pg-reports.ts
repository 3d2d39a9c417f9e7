/**
 * What a service report needs, from PostgreSQL: the SQLite adapter's ReportLoader queries
 * (report-loader.ts) on the baseline schema, where every column the reports read exists.
 */
import type pg from 'pg';
import type { Category } from '../../../protocol/values.js';
import { available, type FleetCount, type ReportAcknowledgement, type ReportAnnunciation, type ReportFilter, type ReportTicket } from '../../core/reports/report-input.js';
import type { ReportPeriod } from '../../core/reports/report-period.js';
import type { ReportData } from '../../core/reports/report-summary.js';
import type { SlaClock } from '../../core/sla/sla-clock.js';
import type { Priority, TicketStatus } from '../../core/tickets/ticket.js';
import { clockOutcome, num, parseJson, score, str, type ReportRow as Row } from '../report-rows.js';


export class PgReports {
  constructor(private readonly pool: pg.Pool) {}

  async load(period: ReportPeriod, filter: ReportFilter): Promise<ReportData> {
    const site = filter.site;
    const { rows } = await this.pool.query<Row>(`SELECT t.id, t.site, t.device, t.code, t.category, t.priority, t.status, t.occurrences, t.opened_at_ms,
      t.acknowledged_at_ms, t.resolved_at_ms, t.sla, t.reopen_count, t.escalation, t.satisfaction, t.site_parent,
      coalesce(nullif(t.model, ''), d.model) AS model, coalesce(nullif(t.firmware, ''), d.firmware) AS firmware
      FROM tickets t LEFT JOIN devices d ON d.site = t.site AND d.device = t.device
      WHERE t.opened_at_ms >= $1 AND t.opened_at_ms < $2 ${site === undefined ? '' : 'AND t.site = $3'}`,
    [period.fromMs, period.toMs, ...(site === undefined ? [] : [site])]);
    const tickets = rows.map((r): ReportTicket => {
      const clocks = parseJson<{ response?: Partial<SlaClock>; resolution?: Partial<SlaClock> }>(r.sla);
      const escalations = num(parseJson<{ count?: number }>(r.escalation)?.count);
      return {
        id: num(r.id) ?? 0, site: str(r.site), device: str(r.device), model: str(r.model), firmware: str(r.firmware), code: str(r.code),
        category: str(r.category) as Category, priority: str(r.priority) as Priority, status: str(r.status) as TicketStatus,
        siteParent: r.site_parent === 1, occurrences: num(r.occurrences) ?? 1, openedAtMs: num(r.opened_at_ms) ?? 0,
        acknowledgedAtMs: num(r.acknowledged_at_ms), resolvedAtMs: num(r.resolved_at_ms), reopenCount: num(r.reopen_count) ?? 0,
        escalations: escalations ?? 0, responseSla: clockOutcome(clocks?.response), resolutionSla: clockOutcome(clocks?.resolution),
        satisfaction: score(r.satisfaction),
      };
    });
    const { rows: deviceRows } = await this.pool.query<{ site: string; device: string; model: string; firmware: string }>('SELECT site, device, model, firmware FROM devices');
    const devices = new Map(deviceRows.map((r) => [`${r.site}/${r.device}`, { model: r.model, firmware: r.firmware }]));
    const { rows: history } = await this.pool.query<{ at_ms: number; actor_id: string; subject_id: string; action: string }>(
      `SELECT at_ms, actor_id, subject_id, action FROM audit_log
       WHERE subject_kind = 'alarm' AND at_ms >= $1 AND at_ms < $2 ${site === undefined ? '' : "AND subject_id LIKE $3 ESCAPE '\\'"}
       AND ((action = 'raise' AND to_state = 'active-unacknowledged') OR (action = 'acknowledge' AND actor_kind = 'user')) ORDER BY seq`,
      [period.fromMs, period.toMs, ...(site === undefined ? [] : [`${site.replace(/[\\%_]/g, '\\$&')}/%`])]);
    const annunciations: ReportAnnunciation[] = [];
    const acknowledgements: ReportAcknowledgement[] = [];
    for (const r of history) {
      const [s = '', d = '', ...code] = r.subject_id.split('/');
      const info = devices.get(`${s}/${d}`) ?? { model: '', firmware: '' };
      const base = { site: s, device: d, model: info.model, firmware: info.firmware, atMs: r.at_ms };
      if (r.action === 'raise') annunciations.push({ ...base, code: code.join('/') });
      else acknowledgements.push({ ...base, operator: r.actor_id });
    }
    const { rows: floods } = await this.pool.query<{ site: string; start_ms: number; end_ms: number | null; alarms: number; peak: number }>(
      `SELECT site, start_ms, end_ms, alarms, peak FROM flood_episodes WHERE start_ms < $1 AND (end_ms IS NULL OR end_ms > $2) ${site === undefined ? '' : 'AND site = $3'}`,
      [period.toMs, period.fromMs, ...(site === undefined ? [] : [site])]);
    const { rows: fleet } = await this.pool.query<FleetCount>('SELECT model, firmware, count(*) AS devices FROM devices GROUP BY model, firmware');
    return {
      tickets,
      fields: { acknowledged: true, resolved: true, sla: true, reopen: true, escalation: true, satisfaction: true },
      annunciations: available(annunciations), acknowledgements: available(acknowledgements),
      floods: available(floods.map((r) => ({ site: r.site, startMs: r.start_ms, endMs: r.end_ms, alarms: r.alarms, peak: r.peak }))),
      fleet,
    };
  }
}
