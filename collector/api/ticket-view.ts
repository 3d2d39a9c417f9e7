/** A desk ticket as the API shows it: its SLA clocks as their status at the time of the request. */
import type { DeskTicket } from '../core/tickets/desk-ticket.js';
import { calendarFor, type CalendarSet } from '../core/sla/sla-calendar.js';
import { clockStatus, type SlaClock } from '../core/sla/sla-clock.js';
import type { ClockJson, DeskTicketJson, TicketSlaJson, TicketStableJson, TicketSummaryJson } from './ticket-schemas.js';

function clockJson(clock: SlaClock, calendars: CalendarSet, nowMs: number): ClockJson {
  const status = clockStatus(clock, calendarFor(calendars, clock.calendarId), nowMs);
  return {
    state: status.state, calendarId: clock.calendarId, targetMs: clock.targetMs, startedMs: clock.startedMs, stoppedMs: clock.stoppedMs,
    elapsedMs: status.elapsedMs, remainingMs: status.remainingMs, warnAtMs: status.warnAtMs, dueMs: status.dueMs,
    warnedAtMs: clock.warnedAtMs, breachedAtMs: clock.breachedAtMs, breached: status.breached, met: status.met,
  };
}

/**
 * The fields a summary shows as they are, per ticket object: the store hands out the same immutable
 * ticket until it changes, so a list polled again copies them instead of rebuilding them.
 */
const fieldsOf = new WeakMap<DeskTicket, TicketStableJson>();

function summaryFields(t: DeskTicket): TicketStableJson {
  let fields = fieldsOf.get(t);
  if (!fields) {
    const { comments: _comments, sla: _sla, snapshot: _snapshot, logExcerpt: _log, ...rest } = t;
    fields = rest;
    fieldsOf.set(t, fields);
  }
  return fields;
}

export function ticketSla(t: DeskTicket, calendars: CalendarSet, nowMs: number): TicketSlaJson {
  const { sla } = t;
  return { policyId: sla.policyId, response: clockJson(sla.response, calendars, nowMs), resolution: clockJson(sla.resolution, calendars, nowMs) };
}

export function ticketSummary(t: DeskTicket, calendars: CalendarSet, nowMs: number): TicketSummaryJson {
  return { ...summaryFields(t), sla: ticketSla(t, calendars, nowMs), commentCount: t.comments.length };
}

export function ticketJson(t: DeskTicket, calendars: CalendarSet, nowMs: number): DeskTicketJson {
  return { ...ticketSummary(t, calendars, nowMs), comments: t.comments };
}

/** The route's compiled serializer (from the response schema) for the unchanging part of a summary. */
export interface SummarySerializers {
  stable: (fields: TicketStableJson) => string;
}

/**
 * The stable part of each ticket's summary as UTF-8 JSON without its closing brace, per ticket
 * object: changed tickets are new objects, so an entry is never stale, and a list polled again
 * serialises only the SLA clocks (which move with the time of the request).
 */
const stableBytesOf = new WeakMap<DeskTicket, Buffer>();

function stableBytes(t: DeskTicket, s: SummarySerializers): Buffer {
  let bytes = stableBytesOf.get(t);
  if (bytes === undefined) {
    const full = s.stable(summaryFields(t));
    bytes = Buffer.from(full.slice(0, full.lastIndexOf('}')), 'utf8');
    stableBytesOf.set(t, bytes);
  }
  return bytes;
}

const LIST_OPEN = Buffer.from('{"tickets":[');

/** Where a list is in its pages: the total the filter matches and the cursor of the next page (null on the last). */
export interface ListPage {
  total: number;
  nextCursor: string | null;
}

const listClose = (page: ListPage): Buffer => Buffer.from(`],"total":${num(page.total)},"nextCursor":${page.nextCursor === null ? 'null' : JSON.stringify(page.nextCursor)}}`);
const COMMA = 0x2c;

/** A number as the schema serializer writes it (±Infinity as null; NaN is refused). */
function num(n: number): string {
  if (Number.isNaN(n)) throw new Error(`The value "${n}" cannot be converted to a number.`);
  return Number.isFinite(n) ? String(n) : 'null';
}
const numOrNull = (n: number | null): string => (n === null ? 'null' : num(n));

/** One clock exactly as TicketSlaJson's compiled serializer writes it (its properties, in schema order). */
function clockText(c: ClockJson): string {
  return `{"state":${JSON.stringify(c.state)},"calendarId":${JSON.stringify(c.calendarId)},"targetMs":${num(c.targetMs)},`
    + `"startedMs":${num(c.startedMs)},"stoppedMs":${numOrNull(c.stoppedMs)},"elapsedMs":${num(c.elapsedMs)},`
    + `"remainingMs":${num(c.remainingMs)},"warnAtMs":${numOrNull(c.warnAtMs)},"dueMs":${numOrNull(c.dueMs)},`
    + `"warnedAtMs":${numOrNull(c.warnedAtMs)},"breachedAtMs":${numOrNull(c.breachedAtMs)},"breached":${c.breached ? 'true' : 'false'},`
    + `"met":${c.met === null ? 'null' : c.met ? 'true' : 'false'}}`;
}

/** The time-dependent tail of one summary: `,"sla":{…},"commentCount":n}`. */
function summaryTail(t: DeskTicket, calendars: CalendarSet, nowMs: number): string {
  const sla = ticketSla(t, calendars, nowMs);
  return `,"sla":{"policyId":${JSON.stringify(sla.policyId)},"response":${clockText(sla.response)},"resolution":${clockText(sla.resolution)}},`
    + `"commentCount":${t.comments.length}}`;
}

/**
 * `{"tickets":[…],"total":n,"nextCursor":…}` as the list route's response schema (TicketListJson) serialises it, field for
 * field, written into one buffer: each ticket's cached bytes are copied, only the clocks are written
 * anew, and the reply needs no string-to-bytes pass over the whole list.
 */
export function ticketListBody(tickets: readonly DeskTicket[], calendars: CalendarSet, nowMs: number, s: SummarySerializers, page: ListPage): Buffer {
  const LIST_CLOSE = listClose(page);
  const stable: Buffer[] = new Array<Buffer>(tickets.length);
  const tails: string[] = new Array<string>(tickets.length);
  let size = LIST_OPEN.length + LIST_CLOSE.length + Math.max(0, tickets.length - 1);
  for (let i = 0; i < tickets.length; i++) {
    const t = tickets[i] as DeskTicket;
    const head = stableBytes(t, s);
    const tail = summaryTail(t, calendars, nowMs);
    stable[i] = head;
    tails[i] = tail;
    size += head.length + Buffer.byteLength(tail, 'utf8');
  }
  const out = Buffer.allocUnsafe(size);
  let at = LIST_OPEN.copy(out, 0);
  for (let i = 0; i < tickets.length; i++) {
    if (i > 0) out[at++] = COMMA;
    at += (stable[i] as Buffer).copy(out, at);
    at += out.write(tails[i] as string, at, 'utf8');
  }
  LIST_CLOSE.copy(out, at);
  return out;
}
