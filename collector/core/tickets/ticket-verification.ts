/**
 * The device's say in its ticket. A raise or clear updates the fault fields (through the existing
 * ticket rules, so out-of-order events are handled the same way); a raise on a resolved ticket, or
 * on a closed one within the reopen window, reopens it ("the fault came back"). A resolved device
 * ticket closes by itself once its fault has stayed cleared for `verifyClearMs`; the close is
 * stamped with that exact instant, and `verifiedCloseAtMs` tells the edge when to call back.
 */
import type { FaultEvent } from '../../../protocol/values.js';
import { auditRecord, type Actor } from '../desk/audit-record.js';
import { andThen, type DeskContext, type LifecyclePolicy, type TicketOutcome } from '../desk/desk-context.js';
import { ticketRef, type DeskTicket } from './desk-ticket.js';
import { closeTicket, reopenTicket } from './ticket-lifecycle.js';
import { decideTicket } from './ticket-rules.js';

function deviceActor(t: DeskTicket): Actor {
  return { kind: 'device', id: `${t.site}/${t.device}` };
}

/** Applies a fault event of the ticket's own (site, device, code). */
export function applyFaultEvent(t: DeskTicket, event: FaultEvent, ctx: DeskContext): TicketOutcome {
  const decision = decideTicket(event, t, ctx.nowMs);
  const subject = { kind: 'ticket' as const, id: ticketRef(t) };
  const actor = deviceActor(t);
  if (decision.type === 'none' || decision.type === 'open') {
    const reason = decision.type === 'none' ? decision.reason : 'event opens a new ticket';
    return { ticket: t, effects: [], audit: [auditRecord(ctx.nowMs, actor, subject, 'fault-ignored', { reason, details: { event: event.id } })] };
  }
  const wasActive = t.faultActive;
  const updated: DeskTicket = {
    ...t, ...decision.update,
    faultClearSinceMs: decision.update.faultActive ? null : wasActive ? ctx.nowMs : t.faultClearSinceMs,
  };
  const cameBack = updated.faultActive && (t.status === 'resolved' || t.status === 'closed');
  // A raise while the fault is already active changes no state (the alarm layer records none either):
  // it counts as an occurrence and stays on the ticket's timeline as its event, not in the audit log.
  if (wasActive && updated.faultActive && !cameBack) return { ticket: updated, effects: [], audit: [] };
  const action = decision.type === 'clear' ? 'fault-clear' : 'fault-raise';
  const base: TicketOutcome = {
    ticket: updated, effects: [],
    audit: [auditRecord(ctx.nowMs, actor, subject, action, {
      from: wasActive ? 'active' : 'cleared', to: updated.faultActive ? 'active' : 'cleared',
      reason: decision.type === 'clear' ? 'device reports the fault cleared' : `occurrence ${updated.occurrences}`, details: { event: event.id },
    })],
  };
  if (!cameBack) return base;
  return andThen(base, (current) => reopenTicket(current, { ...ctx, actor }, `fault ${t.code} came back on ${t.device}`));
}

/** When a resolved device ticket will close by itself; null if it will not (yet). */
export function verifiedCloseAtMs(t: DeskTicket, policy: LifecyclePolicy): number | null {
  if (t.origin !== 'device' || t.status !== 'resolved' || t.faultActive || t.faultClearSinceMs === null || t.resolvedAtMs === null) return null;
  return Math.max(t.resolvedAtMs, t.faultClearSinceMs + policy.verifyClearMs);
}

/** Closes the ticket if the device has verified the fix by now; otherwise returns it unchanged. */
export function closeIfVerified(t: DeskTicket, ctx: DeskContext): TicketOutcome {
  const at = verifiedCloseAtMs(t, ctx.lifecycle);
  if (at === null || at > ctx.nowMs) return { ticket: t, effects: [], audit: [] };
  const minutes = ctx.lifecycle.verifyClearMs / 60_000;
  const reason = `device verified: ${t.code} cleared at ${new Date(t.faultClearSinceMs ?? at).toISOString()} and stayed cleared ${minutes} min`;
  return closeTicket(t, { ...ctx, nowMs: at, actor: deviceActor(t) }, reason);
}
