/**
 * Schema version 17, the same in both store adapters: each ticket's next SLA due instant (UTC ms;
 * NULL while no clock runs), indexed the way the ticket table sorts by it ("SLA left": tickets
 * without one last), and the events' received order the event list pages by. Rows from before
 * are filled in by the desk at start (DeskService: the due instant needs the business calendars,
 * which SQL does not have).
 */
export const SLA_DUE_MIGRATION_NAME = 'tickets keep their next SLA due instant (sort by SLA left); events indexed by arrival';

export function slaDueSchema(db: 'sqlite' | 'postgres'): string {
  const int = db === 'sqlite' ? 'INTEGER' : 'BIGINT';
  const bytes = db === 'sqlite' ? '' : ' COLLATE "C"';
  return `
    ALTER TABLE tickets ADD COLUMN sla_due_ms ${int};
    CREATE INDEX tickets_sla_due ON tickets ((coalesce(sla_due_ms, ${Number.MAX_SAFE_INTEGER})), id);
    CREATE INDEX events_received ON events (received_ms, id${bytes});
  `;
}
