/**
 * GET /api/alarms/history: every transition of every alarm (the audit trail's alarm records),
 * filtered by site, device, code, the state moved to, the transition, the alarm's priority, time
 * and words; newest first, paged by a stable cursor (records are only ever appended, so a page
 * never shifts); `format=csv` answers the same page as a CSV download.
 */
import type { FastifyInstance } from 'fastify';
import { alarmId, alarmState } from '../core/alarms/alarm-state.js';
import { severityPriority } from '../core/priority/priority.js';
import { tableCsv } from '../core/reports/report-csv.js';
import type { AlarmHistoryFilter, AuditPort, QueryPort } from '../store/port.js';
import { AlarmHistoryJson, AlarmHistoryQuery } from './alarm-history-schemas.js';
import { transitionJson, transitionsTable } from './alarm-history-view.js';
import { errorResponses } from './schemas.js';

export interface AlarmHistoryRoutesOptions {
  store: Pick<QueryPort, 'listAlarms' | 'ticketForFault'>;
  audit: Pick<AuditPort, 'alarmHistory'>;
}

/** Alarms looked at for a priority filter at most. */
const MAX_ALARMS = 20_000;

export async function alarmHistoryRoutes(app: FastifyInstance, opts: AlarmHistoryRoutesOptions): Promise<void> {
  const { store, audit } = opts;

  /** The alarms (of the site/device) whose priority now is `priority`. */
  const subjectsOf = async (q: AlarmHistoryQuery, priority: NonNullable<AlarmHistoryQuery['priority']>): Promise<string[]> => {
    const alarms = await store.listAlarms({ ...(q.site ? { site: q.site } : {}), ...(q.device ? { device: q.device } : {}), limit: MAX_ALARMS });
    const found = await Promise.all(alarms.map(async (a) => {
      const k = a.alarm.key;
      const t = alarmState(a.alarm) === 'normal' ? undefined : await store.ticketForFault(k.site, k.device, k.code);
      return (t?.priority ?? severityPriority(a.alarm.severity)) === priority ? alarmId(k) : undefined;
    }));
    return found.filter((s): s is string => s !== undefined);
  };

  app.get<{ Querystring: AlarmHistoryQuery }>('/api/alarms/history', {
    schema: {
      summary: 'every alarm transition, newest first, filtered and paged by a cursor; format=csv downloads the page as CSV',
      querystring: AlarmHistoryQuery, response: { 200: AlarmHistoryJson, ...errorResponses },
    },
  }, async (req, reply) => {
    const q = req.query;
    const filter: AlarmHistoryFilter = {
      limit: q.limit + 1,
      ...(q.site !== undefined ? { site: q.site } : {}), ...(q.device !== undefined ? { device: q.device } : {}),
      ...(q.code !== undefined ? { code: q.code } : {}), ...(q.state !== undefined ? { toState: q.state } : {}),
      ...(q.transition !== undefined ? { action: q.transition } : {}), ...(q.fromMs !== undefined ? { fromMs: q.fromMs } : {}),
      ...(q.toMs !== undefined ? { toMs: q.toMs } : {}), ...(q.q !== undefined && q.q.trim() !== '' ? { text: q.q } : {}),
      ...(q.cursor !== undefined ? { beforeSeq: Number(q.cursor) } : {}),
      ...(q.priority !== undefined ? { subjects: await subjectsOf(q, q.priority) } : {}),
    };
    const records = await audit.alarmHistory(filter);
    const page = records.slice(0, q.limit).map(transitionJson);
    const last = page[page.length - 1];
    if (q.format === 'csv') {
      void reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="faultline-alarm-history.csv"');
      return tableCsv(transitionsTable(page));
    }
    return { transitions: page, nextCursor: records.length > q.limit && last ? String(last.seq) : null };
  });
}
