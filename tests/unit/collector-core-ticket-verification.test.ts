import t from 'tap';
import type { DeskTicket } from '../../collector/core/tickets/desk-ticket.js';
import { closeTicket, resolveTicket, startWork } from '../../collector/core/tickets/ticket-lifecycle.js';
import { applyFaultEvent, closeIfVerified, verifiedCloseAtMs } from '../../collector/core/tickets/ticket-verification.js';
import { DEFAULT_LIFECYCLE_POLICY } from '../../collector/core/desk/desk-context.js';
import { ctxAt, deviceDeskTicket, faultEvent, H, MIN, phoneTicket, T0 } from './collector-core-fixtures.js';

const note = { cause: 'loose motor cable', action: 'tightened the terminals', fix: 'permanent' as const };
const device = { kind: 'device' as const, id: 'plant-a/drive-1' };

/** Device ticket: work started at +1 min, resolved at `resolvedAt`; the fault clears at `clearAt` (device and collector time alike). */
function resolvedTicket(resolvedAt: number, clearAt: number | null): DeskTicket {
  let x = startWork(deviceDeskTicket(), ctxAt(T0 + MIN)).ticket;
  const clear = (y: DeskTicket) => (clearAt === null ? y : applyFaultEvent(y, faultEvent('clear', clearAt), ctxAt(clearAt)).ticket);
  if (clearAt !== null && clearAt < resolvedAt) x = clear(x);
  x = resolveTicket(x, ctxAt(resolvedAt), note).ticket;
  if (clearAt !== null && clearAt >= resolvedAt) x = clear(x);
  return x;
}

t.test('a device ticket closes by itself only after its fault stayed cleared for the hold time (15 min)', async (t) => {
  const table: Array<{ name: string; resolvedAt: number; clearAt: number | null; closeAt: number | null }> = [
    { name: 'resolved while the fault is still active: waits for the clear', resolvedAt: T0 + 10 * MIN, clearAt: null, closeAt: null },
    { name: 'cleared after the resolve: closes 15 min after the clear', resolvedAt: T0 + 10 * MIN, clearAt: T0 + 20 * MIN, closeAt: T0 + 35 * MIN },
    { name: 'cleared long before the resolve: closes at the resolve', resolvedAt: T0 + 60 * MIN, clearAt: T0 + 5 * MIN, closeAt: T0 + 60 * MIN },
    { name: 'cleared 5 min before the resolve: closes 10 min after it', resolvedAt: T0 + 30 * MIN, clearAt: T0 + 25 * MIN, closeAt: T0 + 40 * MIN },
  ];
  for (const row of table) {
    const x = resolvedTicket(row.resolvedAt, row.clearAt);
    t.equal(verifiedCloseAtMs(x, DEFAULT_LIFECYCLE_POLICY), row.closeAt, row.name);
    if (row.closeAt === null) {
      t.equal(closeIfVerified(x, ctxAt(T0 + 24 * H)).ticket.status, 'resolved', `${row.name}: still resolved a day later`);
      continue;
    }
    t.equal(closeIfVerified(x, ctxAt(row.closeAt - 1)).ticket.status, 'resolved', `${row.name}: not a millisecond early`);
    const closed = closeIfVerified(x, ctxAt(row.closeAt + 3 * H));
    t.match(closed.ticket, { status: 'closed', closedAtMs: row.closeAt }, `${row.name}: closed at the exact instant, however late the tick`);
    t.match(closed.audit, [{ action: 'close', actor: device, atMs: row.closeAt, reason: /^device verified: vfd.overcurrent cleared at .* and stayed cleared 15 min$/ }]);
    t.match(closed.effects, [{ event: 'ticket.closed', atMs: row.closeAt }]);
  }
});

t.test('nothing is closed while the device still shows the fault', async (t) => {
  const active = resolvedTicket(T0 + 10 * MIN, null);
  t.throws(() => closeTicket(active, ctxAt(T0 + H)), { code: 'FL_ERR_TICKET_FAULT_ACTIVE' });
  const cleared = resolvedTicket(T0 + 10 * MIN, T0 + 20 * MIN);
  t.equal(closeTicket(cleared, ctxAt(T0 + 21 * MIN)).ticket.status, 'closed', 'by hand once cleared, before the hold time is up');
  t.equal(verifiedCloseAtMs({ ...phoneTicket(), status: 'resolved', resolvedAtMs: T0 }, DEFAULT_LIFECYCLE_POLICY), null, 'manual tickets are not device-verified');
});

t.test('the fault coming back reopens the ticket', async (t) => {
  const x = resolvedTicket(T0 + 10 * MIN, T0 + 20 * MIN);
  const back = applyFaultEvent(x, faultEvent('raise', T0 + 30 * MIN), ctxAt(T0 + 30 * MIN));
  t.match(back.ticket, { status: 'in-progress', faultActive: true, reopenCount: 1, occurrences: 2, faultClearSinceMs: null, resolution: null });
  t.same(back.audit.map((a) => a.action), ['fault-raise', 'reopen']);
  t.match(back.audit[1], { actor: device, from: 'resolved', to: 'in-progress', reason: 'fault vfd.overcurrent came back on drive-1' });
  t.match(back.effects, [{ event: 'ticket.reopened' }]);
  t.equal(verifiedCloseAtMs(back.ticket, DEFAULT_LIFECYCLE_POLICY), null, 'no automatic close while reopened');

  const closed = closeIfVerified(x, ctxAt(T0 + H)).ticket;
  t.equal(applyFaultEvent(closed, faultEvent('raise', T0 + 2 * H), ctxAt(T0 + 2 * H)).ticket.status, 'in-progress', 'a closed ticket reopens within the window');
  t.throws(() => applyFaultEvent(closed, faultEvent('raise', T0 + 8 * 24 * H), ctxAt(T0 + 8 * 24 * H)), { code: 'FL_ERR_TICKET_INVALID_TRANSITION' },
    'beyond the window the edge must open a new ticket (correlateRaise says so)');

  const stale = applyFaultEvent(x, faultEvent('raise', T0 + 15 * MIN), ctxAt(T0 + 40 * MIN));
  t.equal(stale.ticket.status, 'resolved', 'a raise older than the clear (redelivered late) does not reopen');
  t.equal(stale.ticket.occurrences, 2, 'but still counts');
});

t.test('events on an open ticket update the fault fields only', async (t) => {
  const open = startWork(deviceDeskTicket(), ctxAt(T0 + MIN)).ticket;
  const again = applyFaultEvent(open, faultEvent('raise', T0 + 2 * MIN), ctxAt(T0 + 2 * MIN));
  t.match(again.ticket, { status: 'in-progress', occurrences: 2, faultActive: true });
  const cleared = applyFaultEvent(again.ticket, faultEvent('clear', T0 + 3 * MIN), ctxAt(T0 + 3 * MIN + 500));
  t.match(cleared.ticket, { faultActive: false, clearedAtMs: T0 + 3 * MIN, faultClearSinceMs: T0 + 3 * MIN + 500 });
  t.match(cleared.audit, [{ action: 'fault-clear', from: 'active', to: 'cleared' }]);
  const twice = applyFaultEvent(cleared.ticket, faultEvent('clear', T0 + 4 * MIN), ctxAt(T0 + 4 * MIN));
  t.match(twice, { ticket: cleared.ticket, audit: [{ action: 'fault-ignored', reason: 'fault already cleared' }] });
});

t.test('which fault events of its own key are audit records on the ticket', async (t) => {
  const open = deviceDeskTicket(); // fault active
  const rows: Array<{ name: string; ticket: DeskTicket; transition: 'raise' | 'clear'; audit: Array<[string, string | null, string | null]> }> = [
    { name: 'a raise while the fault is active: an occurrence, no state change', ticket: open, transition: 'raise', audit: [] },
    { name: 'a clear of the active fault', ticket: open, transition: 'clear', audit: [['fault-clear', 'active', 'cleared']] },
    {
      name: 'a raise after the clear', ticket: applyFaultEvent(open, faultEvent('clear', T0 + MIN), ctxAt(T0 + MIN)).ticket, transition: 'raise',
      audit: [['fault-raise', 'cleared', 'active']],
    },
    {
      name: 'a raise on a resolved ticket whose fault never cleared: reopens', ticket: resolvedTicket(T0 + 10 * MIN, null), transition: 'raise',
      audit: [['fault-raise', 'active', 'active'], ['reopen', 'resolved', 'in-progress']],
    },
  ];
  for (const row of rows) {
    const out = applyFaultEvent(row.ticket, faultEvent(row.transition, T0 + 2 * H), ctxAt(T0 + 2 * H));
    t.same(out.audit.map((a) => [a.action, a.from, a.to]), row.audit, row.name);
    if (row.transition === 'raise') t.equal(out.ticket.occurrences, row.ticket.occurrences + 1, `${row.name}: counted`);
  }
});
