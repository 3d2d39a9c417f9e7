/** Writing what a PostgreSQL desk unit changed, one statement per table and kind of change, and extending the audit chain. */
import { auditHash, GENESIS_HASH } from '../../audit/audit-chain.js';
import { alarmState } from '../../core/alarms/alarm-state.js';
import type { AuditRecord } from '../../core/desk/audit-record.js';
import type { DeskTicket } from '../../core/tickets/desk-ticket.js';
import type { WebhookDelivery } from '../../core/notifications/webhook-delivery.js';
import { commentToRow, DESK_TICKET_COLUMNS, deskTicketParams, IMMUTABLE_TICKET_COLUMNS, mutableTicketParams } from '../sqlite/desk-ticket-rows.js';
import { floodTimesDiff } from '../sqlite/flood-times.js';
import { ADVISORY_LOCK_AUDIT, ADVISORY_LOCK_CLASS } from './advisory-locks.js';
import { insertRows, rowPlaceholders } from './pg-rows.js';
import type { Queryable } from './pool.js';
import type { Changes, Loaded } from './desk-unit-state.js';

/**
 * Writes what changed, inside the unit's transaction (before its COMMIT): one statement per table
 * and kind of change (rows passed as one JSON array and expanded by jsonb_populate_recordset), so
 * a batch costs a handful of round trips however many objects it touched.
 */
export async function writeUnitChanges(tx: Queryable, loaded: Loaded, changes: Changes): Promise<void> {
  // New tickets (a parent that is new too is set afterwards: foreign key), then changed ones.
  const fresh: Array<Record<string, unknown>> = [];
  const laterParents: Array<Record<string, unknown>> = [];
  const freshComments: unknown[][] = [];
  for (const id of [...changes.newTickets.keys()].sort((a, b) => a - b)) {
    const t = changes.tickets.get(id);
    const info = changes.newTickets.get(id);
    if (!t || !info) continue;
    const row: Record<string, unknown> = { ...deskTicketParams(t), id: t.id, number: t.number, model: info.model, firmware: info.firmware };
    if (t.parentId !== null && changes.newTickets.has(t.parentId)) {
      laterParents.push({ id, parent_id: t.parentId });
      row.parent_id = null;
    }
    fresh.push(row);
    for (const c of t.comments) freshComments.push(commentValues(id, c));
  }
  if (fresh.length > 0) await tx.query('INSERT INTO tickets SELECT * FROM jsonb_populate_recordset(NULL::tickets, $1::jsonb)', [jsonRows(fresh)]);
  const changed: Array<Record<string, unknown>> = [];
  const comments = freshComments;
  for (const [id, t] of changes.tickets) {
    if (changes.newTickets.has(id)) continue;
    const before = loaded.tickets.get(id);
    if (!before || before === t) continue;
    changed.push({ ...mutableTicketParams(t), id });
    for (const c of t.comments.slice(before.comments.length)) comments.push(commentValues(id, c));
  }
  changed.push(...laterParents.map((r) => {
    const t = changes.tickets.get(r.id as number);
    return t ? { ...mutableTicketParams(t), id: t.id } : r;
  }));
  if (changed.length > 0) {
    await tx.query(`UPDATE tickets AS t SET (${MUTABLE_COLUMNS.join(', ')}) = (${MUTABLE_COLUMNS.map((c) => `r.${c}`).join(', ')})
      FROM jsonb_populate_recordset(NULL::tickets, $1::jsonb) AS r WHERE t.id = r.id`, [jsonRows(changed)]);
  }
  if (comments.length > 0) await insertRows(tx, 'INSERT INTO ticket_comments (ticket_id, at_ms, author_kind, author_id, text, visibility)', 6, comments);
  if (changes.slaDue.size > 0) {
    await tx.query('UPDATE tickets AS t SET sla_due_ms = u.due FROM unnest($1::bigint[], $2::bigint[]) AS u(id, due) WHERE t.id = u.id',
      [[...changes.slaDue.keys()], [...changes.slaDue.values()]]);
  }
  if (changes.counters.size > 0) {
    await tx.query('UPDATE ticket_day_counters AS c SET last = u.last FROM unnest($1::text[], $2::int[]) AS u(day, last) WHERE c.day = u.day',
      [[...changes.counters.keys()], [...changes.counters.values()]]);
  }

  const newAlarms: Array<Record<string, unknown>> = [];
  const movedAlarms: Array<Record<string, unknown>> = [];
  for (const [key, a] of changes.alarms) {
    const before = loaded.alarms.get(key);
    if (before && before.alarm === a.alarm) continue;
    const row = {
      id: a.id, site: a.alarm.key.site, device: a.alarm.key.device, code: a.alarm.key.code, state: alarmState(a.alarm), active: a.alarm.active,
      severity: a.alarm.severity, changed_at_ms: a.alarm.changedAtMs, data: JSON.stringify(a.alarm),
    };
    (before ? movedAlarms : newAlarms).push(row);
  }
  if (newAlarms.length > 0) await tx.query('INSERT INTO alarms SELECT * FROM jsonb_populate_recordset(NULL::alarms, $1::jsonb)', [jsonRows(newAlarms)]);
  if (movedAlarms.length > 0) {
    await tx.query(`UPDATE alarms AS a SET (state, active, severity, changed_at_ms, data) = (r.state, r.active, r.severity, r.changed_at_ms, r.data)
      FROM jsonb_populate_recordset(NULL::alarms, $1::jsonb) AS r WHERE a.id = r.id`, [jsonRows(movedAlarms)]);
  }
  const chatter = [...changes.chatter].filter(([key, st]) => loaded.chatter.get(key) !== st)
    .map(([, st]) => ({ alarm: st.alarm, site: st.site, chattering: st.detected || st.reportedByAgent, data: JSON.stringify(st) }));
  if (chatter.length > 0) {
    await tx.query(`INSERT INTO alarm_chatter SELECT * FROM jsonb_populate_recordset(NULL::alarm_chatter, $1::jsonb)
      ON CONFLICT (alarm) DO UPDATE SET chattering = excluded.chattering, data = excluded.data`, [jsonRows(chatter)]);
  }
  const floods: Array<Record<string, unknown>> = [];
  const wipeTimes: string[] = [];
  const trimTimes: Array<[string, number]> = [];
  const addTimes: unknown[][] = [];
  for (const [site, st] of changes.floods) {
    if (loaded.floods.get(site) === st) continue;
    const { recent, ...rest } = st;
    floods.push({ site, in_flood: st.episode !== null, data: JSON.stringify(rest) });
    const prev = loaded.floodTimes.get(site);
    const diff = prev ? floodTimesDiff(prev, recent) : null;
    let append: readonly number[] = recent;
    if (!diff) wipeTimes.push(site);
    else {
      const first = recent[0];
      if (diff.dropped > 0) {
        if (first === undefined) wipeTimes.push(site);
        else trimTimes.push([site, first]);
      }
      append = diff.appended;
    }
    for (const at of append) addTimes.push([site, at]);
  }
  if (floods.length > 0) {
    await tx.query(`INSERT INTO alarm_floods SELECT * FROM jsonb_populate_recordset(NULL::alarm_floods, $1::jsonb)
      ON CONFLICT (site) DO UPDATE SET in_flood = excluded.in_flood, data = excluded.data`, [jsonRows(floods)]);
  }
  if (wipeTimes.length > 0) await tx.query('DELETE FROM flood_times WHERE site = ANY($1::text[])', [wipeTimes]);
  if (trimTimes.length > 0) {
    await tx.query('DELETE FROM flood_times AS f USING unnest($1::text[], $2::bigint[]) AS u(site, first) WHERE f.site = u.site AND f.at_ms < u.first',
      [trimTimes.map(([site]) => site), trimTimes.map(([, first]) => first)]);
  }
  if (addTimes.length > 0) await insertRows(tx, 'INSERT INTO flood_times (site, at_ms)', 2, addTimes);
  const episodes = [...changes.episodes.values()].map((e) => ({ site: e.site, start_ms: e.startMs, end_ms: e.endMs, alarms: e.alarms, peak: e.peak }));
  if (episodes.length > 0) {
    await tx.query(`INSERT INTO flood_episodes (site, start_ms, end_ms, alarms, peak)
      SELECT site, start_ms, end_ms, alarms, peak FROM jsonb_populate_recordset(NULL::flood_episodes, $1::jsonb)
      ON CONFLICT (site, start_ms) DO UPDATE SET end_ms = excluded.end_ms, alarms = excluded.alarms, peak = excluded.peak`, [jsonRows(episodes)]);
  }
  const setTimers = [...changes.timers.values()].filter((t) => t.dueMs !== null);
  const dropTimers = [...changes.timers.values()].filter((t) => t.dueMs === null);
  if (dropTimers.length > 0) {
    await tx.query('DELETE FROM desk_timers WHERE (kind, key) IN (SELECT * FROM unnest($1::text[], $2::text[]))',
      [dropTimers.map((t) => t.kind), dropTimers.map((t) => t.key)]);
  }
  if (setTimers.length > 0) {
    await tx.query(`INSERT INTO desk_timers (kind, key, due_ms) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
      ON CONFLICT (kind, key) DO UPDATE SET due_ms = excluded.due_ms`, [setTimers.map((t) => t.kind), setTimers.map((t) => t.key), setTimers.map((t) => t.dueMs)]);
  }
  const queued = changes.webhooks.filter(({ d }) => d.appendTo === undefined);
  const digests = digestGroups(changes.webhooks);
  if (digests.size > 0) {
    // A digest's pages: more lines of its entry while that is untouched (pending, never tried, not claimed:
    // a claim moves next_attempt_ms to its lease). One row per id per statement; the pages of an entry
    // that was touched are queued alone (RETURNING names the entries that took them).
    const rows = [...digests].map(([id, g]) => [id, g[0]?.d.webhookId, g[0]?.d.payload.event, g.map((x) => x.d.body).join('\n'), 'pending', 0,
      g[0]?.d.notBeforeMs ?? g[0]?.nowMs, g[0]?.nowMs, g[0]?.nowMs]);
    const { rows: took } = await tx.query<{ delivery_id: string }>(`INSERT INTO webhook_deliveries
      (delivery_id, webhook_id, event, body, status, attempts, next_attempt_ms, created_ms, updated_ms) VALUES ${rowPlaceholders(rows.length, 9)}
      ON CONFLICT (delivery_id) DO UPDATE SET body = webhook_deliveries.body || chr(10) || excluded.body, updated_ms = excluded.updated_ms
        WHERE webhook_deliveries.status = 'pending' AND webhook_deliveries.attempts = 0 AND webhook_deliveries.next_attempt_ms = excluded.next_attempt_ms
      RETURNING delivery_id`, rows.flat());
    const appended = new Set(took.map((r) => r.delivery_id));
    for (const [id, g] of digests) if (!appended.has(id)) queued.push(...g);
  }
  if (queued.length > 0) {
    // In the order queued; a delivery id queued twice (or already stored) is kept once.
    await insertRows(tx, 'INSERT INTO webhook_deliveries (delivery_id, webhook_id, event, body, status, attempts, next_attempt_ms, created_ms, updated_ms)', 9,
      queued.map(({ d, nowMs }) => [d.payload.deliveryId, d.webhookId, d.payload.event, d.body, 'pending', 0, d.notBeforeMs ?? nowMs, nowMs, nowMs]),
      'ON CONFLICT (delivery_id) DO NOTHING');
  }
}

/** Digest pages queued in this unit by the entry they join, in the order queued. */
function digestGroups(webhooks: ReadonlyArray<{ d: WebhookDelivery; nowMs: number }>): Map<string, Array<{ d: WebhookDelivery; nowMs: number }>> {
  const groups = new Map<string, Array<{ d: WebhookDelivery; nowMs: number }>>();
  for (const w of webhooks) {
    if (w.d.appendTo === undefined) continue;
    const g = groups.get(w.d.appendTo);
    if (g) g.push(w);
    else groups.set(w.d.appendTo, [w]);
  }
  return groups;
}

function commentValues(ticketId: number, c: DeskTicket['comments'][number]): unknown[] {
  const r = commentToRow(ticketId, c);
  return [r.ticket_id, r.at_ms, r.author_kind, r.author_id, r.text, r.visibility];
}

/** Columns of `tickets` holding JSON text (written raw into the rows' JSON) and flags (written as true/false). */
const JSON_COLUMNS = new Set(['snapshot', 'log_excerpt', 'labels', 'required_skills', 'priority_override', 'sla', 'resolution', 'satisfaction', 'escalation',
  'data', 'parameters', 'last_status']);
const FLAG_COLUMNS = new Set(['fault_active', 'site_parent', 'online']);
/** The columns a later change may touch (as the SQLite adapter's full update writes them). */
const MUTABLE_COLUMNS: readonly string[] = DESK_TICKET_COLUMNS.filter((c) => !IMMUTABLE_TICKET_COLUMNS.includes(c));

/**
 * Rows as one JSON array for jsonb_populate_recordset: JSON columns carry their text as JSON (not
 * as a string), 0/1 flags become booleans. Column names are the table's.
 */
export function jsonRows(rows: ReadonlyArray<Record<string, unknown>>): string {
  return `[${rows.map((row) => `{${Object.entries(row).map(([k, v]) => {
    let value: string;
    if (v === null || v === undefined) value = 'null';
    else if (JSON_COLUMNS.has(k) && typeof v === 'string') value = v;
    else if (FLAG_COLUMNS.has(k) && typeof v === 'number') value = v === 1 ? 'true' : 'false';
    else value = JSON.stringify(v);
    return `${JSON.stringify(k)}:${value}`;
  }).join(',')}}`).join(',')}]`;
}

/** Extends the hash chain with `records` (in order) under the chain lock, held until the transaction ends. */
export async function appendAudit(tx: Queryable, records: readonly AuditRecord[]): Promise<void> {
  if (records.length === 0) return;
  await tx.query('SELECT pg_advisory_xact_lock($1, $2)', [ADVISORY_LOCK_CLASS, ADVISORY_LOCK_AUDIT]);
  const { rows } = await tx.query<{ hash: string }>('SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1');
  let prev = rows[0]?.hash ?? GENESIS_HASH;
  const values: unknown[][] = [];
  for (const r of records) {
    const hash = auditHash(prev, r);
    values.push([r.atMs, r.actor.kind, r.actor.id, r.actor.via ?? null, r.subject.kind, r.subject.id, r.action, r.from, r.to, r.reason, JSON.stringify(r.details), prev, hash]);
    prev = hash;
  }
  await insertRows(tx, `INSERT INTO audit_log (at_ms, actor_kind, actor_id, actor_via, subject_kind, subject_id, action, from_state, to_state, reason, details, prev_hash, hash)`, 13, values);
}

