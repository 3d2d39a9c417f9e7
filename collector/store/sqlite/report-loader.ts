/**
 * Loads what a service report needs from the collector's SQLite file, read-only and defensively:
 * the schema is inspected on every load, and a column or table that does not exist (yet) makes
 * its figures "unavailable" rather than failing the report.
 *
 * - tickets: the tickets table; the service desk's columns (acknowledged_at_ms, resolved_at_ms,
 *   sla, reopen_count, escalation, satisfaction, site_parent) when present. Model and firmware
 *   come from the ticket's own `model`/`firmware` columns (what the device ran when the ticket was
 *   opened, recorded at ingest) when set, else from the device registry (the device's current
 *   firmware, which misattributes tickets from before an upgrade).
 * - alarm annunciations and operator acknowledgements: the audit log (alarm 'raise' records that
 *   reach active-unacknowledged; 'acknowledge' records by users); flood episodes: flood_episodes.
 * - the fleet per model/firmware: the device registry.
 */
import type { Database } from 'better-sqlite3';
import type { Category } from '../../../protocol/values.js';
import { available, unavailable, type Available, type FleetCount, type ReportAcknowledgement, type ReportAnnunciation, type ReportFilter, type ReportFloodEpisode, type ReportTicket, type TicketFields } from '../../core/reports/report-input.js';
import type { ReportPeriod } from '../../core/reports/report-period.js';
import type { ReportData } from '../../core/reports/report-summary.js';
import type { SlaClock } from '../../core/sla/sla-clock.js';
import type { Priority, TicketStatus } from '../../core/tickets/ticket.js';
import { clockOutcome, num, parseJson, score, str, type ReportRow as Row } from '../report-rows.js';


export class ReportLoader {
  constructor(private readonly db: Database) {}

  private columns(table: string): Set<string> {
    return new Set(this.db.prepare<[], { name: string }>(`PRAGMA table_info(${table})`).all().map((c) => c.name));
  }

  load(period: ReportPeriod, filter: ReportFilter): ReportData {
    const { tickets, fields } = this.tickets(period, filter);
    return {
      tickets, fields, ...this.alarmHistory(period, filter), floods: this.floods(period, filter), fleet: this.fleet(),
    };
  }

  private tickets(period: ReportPeriod, filter: ReportFilter): { tickets: ReportTicket[]; fields: TicketFields } {
    const cols = this.columns('tickets');
    const has = (c: string): boolean => cols.has(c);
    const pick = (c: string): string => (has(c) ? `t.${c}` : 'NULL');
    // A ticket's own model/firmware (recorded at ingest) when known, else the registry's current one.
    const model = has('model') ? "coalesce(nullif(t.model, ''), d.model)" : 'd.model';
    const firmware = has('firmware') ? "coalesce(nullif(t.firmware, ''), d.firmware)" : 'd.firmware';
    const sql = `SELECT t.id, t.site, t.device, t.code, t.category, t.priority, t.status, t.occurrences, t.opened_at_ms,
      ${pick('acknowledged_at_ms')} AS acknowledged_at_ms, ${pick('resolved_at_ms')} AS resolved_at_ms, ${pick('sla')} AS sla,
      ${pick('reopen_count')} AS reopen_count, ${pick('escalation')} AS escalation, ${pick('satisfaction')} AS satisfaction,
      ${pick('site_parent')} AS site_parent, ${model} AS model, ${firmware} AS firmware
      FROM tickets t LEFT JOIN devices d ON d.site = t.site AND d.device = t.device
      WHERE t.opened_at_ms >= ? AND t.opened_at_ms < ? ${filter.site === undefined ? '' : 'AND t.site = ?'}`;
    const params: Array<string | number> = [period.fromMs, period.toMs, ...(filter.site === undefined ? [] : [filter.site])];
    const rows = this.db.prepare<Array<string | number>, Row>(sql).all(...params);
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
    return {
      tickets,
      fields: {
        acknowledged: has('acknowledged_at_ms'), resolved: has('resolved_at_ms'), sla: has('sla'), reopen: has('reopen_count'),
        escalation: has('escalation'), satisfaction: has('satisfaction'),
      },
    };
  }

  private deviceInfo(): Map<string, { model: string; firmware: string }> {
    const rows = this.db.prepare<[], { site: string; device: string; model: string; firmware: string }>('SELECT site, device, model, firmware FROM devices').all();
    return new Map(rows.map((r) => [`${r.site}/${r.device}`, { model: r.model, firmware: r.firmware }]));
  }

  private alarmHistory(period: ReportPeriod, filter: ReportFilter): Pick<ReportData, 'annunciations' | 'acknowledgements'> {
    const cols = this.columns('audit_log');
    const needed = ['at_ms', 'actor_kind', 'actor_id', 'subject_kind', 'subject_id', 'action', 'to_state'];
    if (!needed.every((c) => cols.has(c))) {
      const reason = 'the store has no alarm history yet (audit_log)';
      return { annunciations: unavailable(reason), acknowledgements: unavailable(reason) };
    }
    const site = filter.site === undefined ? '' : 'AND subject_id LIKE ? ESCAPE \'\\\'';
    const params: Array<string | number> = [period.fromMs, period.toMs, ...(filter.site === undefined ? [] : [`${filter.site.replace(/[\\%_]/g, '\\$&')}/%`])];
    const rows = this.db.prepare<Array<string | number>, { at_ms: number; actor_kind: string; actor_id: string; subject_id: string; action: string }>(
      `SELECT at_ms, actor_kind, actor_id, subject_id, action FROM audit_log
       WHERE subject_kind = 'alarm' AND at_ms >= ? AND at_ms < ? ${site}
       AND ((action = 'raise' AND to_state = 'active-unacknowledged') OR (action = 'acknowledge' AND actor_kind = 'user'))`,
    ).all(...params);
    const devices = this.deviceInfo();
    const annunciations: ReportAnnunciation[] = [];
    const acknowledgements: ReportAcknowledgement[] = [];
    for (const r of rows) {
      const [s = '', d = '', ...code] = r.subject_id.split('/');
      const info = devices.get(`${s}/${d}`) ?? { model: '', firmware: '' };
      const base = { site: s, device: d, model: info.model, firmware: info.firmware, atMs: r.at_ms };
      if (r.action === 'raise') annunciations.push({ ...base, code: code.join('/') });
      else acknowledgements.push({ ...base, operator: r.actor_id });
    }
    return { annunciations: available(annunciations), acknowledgements: available(acknowledgements) };
  }

  private floods(period: ReportPeriod, filter: ReportFilter): Available<ReportFloodEpisode[]> {
    const cols = this.columns('flood_episodes');
    if (!['site', 'start_ms', 'end_ms', 'alarms', 'peak'].every((c) => cols.has(c))) return unavailable('the store has no flood episodes yet (flood_episodes)');
    const rows = this.db.prepare<Array<string | number>, { site: string; start_ms: number; end_ms: number | null; alarms: number; peak: number }>(
      `SELECT site, start_ms, end_ms, alarms, peak FROM flood_episodes WHERE start_ms < ? AND (end_ms IS NULL OR end_ms > ?) ${filter.site === undefined ? '' : 'AND site = ?'}`,
    ).all(period.toMs, period.fromMs, ...(filter.site === undefined ? [] : [filter.site]));
    return available(rows.map((r) => ({ site: r.site, startMs: r.start_ms, endMs: r.end_ms, alarms: r.alarms, peak: r.peak })));
  }

  private fleet(): FleetCount[] {
    return this.db.prepare<[], FleetCount>('SELECT model, firmware, count(*) AS devices FROM devices GROUP BY model, firmware').all();
  }
}
