/** The SQLite store's figures for Prometheus /metrics (collector/api/metrics-route.ts): counts over the desk tables. */
import { statSync } from 'node:fs';
import type { Database } from 'better-sqlite3';
import type { StoreMetrics } from '../port.js';


export function storeMetricsReader(db: Database): () => StoreMetrics {
  const st = {
    tickets: db.prepare<[], { priority: string; n: number }>("SELECT priority, COUNT(*) AS n FROM tickets WHERE status NOT IN ('resolved', 'closed') GROUP BY priority"),
    alarms: db.prepare<[], { state: string; severity: string; n: number }>("SELECT state, severity, COUNT(*) AS n FROM alarms WHERE state <> 'normal' GROUP BY state, severity"),
    timers: db.prepare<[], { kind: string; n: number }>('SELECT kind, COUNT(*) AS n FROM desk_timers GROUP BY kind'),
    backlog: db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'pending'"),
  };
  const size = (file: string): number => { try { return statSync(file).size; } catch { return 0; } };
  return () => ({
    openTicketsByPriority: st.tickets.all(),
    openAlarms: st.alarms.all(),
    timersPending: st.timers.all(),
    webhookBacklog: st.backlog.get()?.n ?? 0,
    databaseBytes: db.memory ? 0 : size(db.name) + size(`${db.name}-wal`),
  });
}
