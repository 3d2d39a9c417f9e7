/**
 * What a stored fault event does to the desk, inside the ingest batch transaction:
 * - "<code>.chattering" events only move the alarm's chatter state (applyAgentChatter);
 * - every other event moves its alarm (applyAlarmEvent); an annunciated raise counts towards the
 *   site's flood and the alarm's chatter detection;
 * - a raise is correlated with the site's open and recently resolved tickets: an occurrence or a
 *   reopen goes to that ticket (applyFaultEvent); otherwise a new ticket is opened, routed and
 *   assigned, under a site parent when several devices at the site lost the same thing;
 * - a clear goes to the fault's current ticket (applyFaultEvent), which starts the verification hold;
 * - an event the device sent before the newest one its alarm applied (by sequence number,
 *   core/alarms/alarm-sequence.ts) does what it would have done in order: a late clear nothing; a
 *   late raise counts on the fault's ticket, and when no ticket exists (its clear came first) it
 *   opens one whose fault is already cleared.
 * Returns the ticket the event belongs to, for its timeline.
 */
import type { FaultEvent } from '../../protocol/values.js';
import { alarmId, applyAlarmEvent, type AlarmKey } from '../core/alarms/alarm-state.js';
import { applyAgentChatter, chatteringBaseCode, emptyChatterState, recordCycle } from '../core/alarms/alarm-chatter.js';
import { emptyFloodState, recordAnnunciation } from '../core/alarms/alarm-flood.js';
import { auditRecord } from '../core/desk/audit-record.js';
import { attachToParent, correlateRaise, type CandidateTicket, type CorrelationDecision } from '../core/tickets/correlation.js';
import { ticketRef, type DeskTicket } from '../core/tickets/desk-ticket.js';
import type { DeviceState } from '../core/devices/device-registry.js';
import { applyFaultEvent } from '../core/tickets/ticket-verification.js';
import type { DeskWork } from './desk-work.js';
import { deviceActor, openDeviceTicket, openSiteParent } from './ticket-opening.js';

export function processDeskEvent(work: DeskWork, e: FaultEvent, device: DeviceState | undefined): number | null {
  const base = chatteringBaseCode(e.code);
  if (base !== null) {
    agentChatter(work, { site: e.site, device: e.device, code: base }, e);
    return null;
  }
  const key: AlarmKey = { site: e.site, device: e.device, code: e.code };
  const before = work.repo.alarms.byKey(key)?.alarm;
  const outcome = applyAlarmEvent(before, e, work.nowMs);
  work.alarm(outcome, before);
  if (outcome.annunciated) {
    const s = work.settings;
    work.flood(recordAnnunciation(work.repo.alarms.flood(e.site) ?? emptyFloodState(e.site), work.nowMs, s.flood));
    const id = alarmId(key);
    work.chatter(recordCycle(work.repo.alarms.chatter(id) ?? emptyChatterState(id, e.site), work.nowMs, s.chatter));
  }
  if (outcome.late) return lateTicket(work, e, device, outcome.alarm.active ? null : outcome.alarm.lastClearMs);
  return e.transition === 'raise' ? raiseTicket(work, e, device) : clearTicket(work, e);
}

/** The ticket side of a late event; `clearedAtMs`: the device time of the clear the alarm applied after it (null: still active). */
function lateTicket(work: DeskWork, e: FaultEvent, device: DeviceState | undefined, clearedAtMs: number | null): number | null {
  const current = work.repo.tickets.currentForFault(e.site, e.device, e.code);
  if (e.transition === 'clear') return current?.id ?? null;
  const id = current ? continueTicket(work, current.id, e) : raiseTicket(work, e, device);
  // The clear sent after this raise was applied already: the fault stays cleared on the ticket (device times may tie).
  if (clearedAtMs !== null && work.repo.tickets.get(id)?.faultActive === true) {
    continueTicket(work, id, { ...e, transition: 'clear', timeMs: Math.max(clearedAtMs, e.timeMs) });
  }
  return id;
}

function agentChatter(work: DeskWork, key: AlarmKey, e: FaultEvent): void {
  const id = alarmId(key);
  work.chatter(applyAgentChatter(work.repo.alarms.chatter(id) ?? emptyChatterState(id, key.site), e.transition, work.nowMs));
}

function candidates(work: DeskWork, e: FaultEvent): CandidateTicket[] {
  const { lifecycle, correlation } = work.settings;
  const byId = new Map<number, CandidateTicket>();
  for (const c of work.repo.tickets.sameFault(e.site, e.device, e.code, work.nowMs - lifecycle.reopenWindowMs)) byId.set(c.id, c);
  if (e.category === correlation.siteWideCategory) {
    for (const c of work.repo.tickets.siteWide(e.site, e.category, work.nowMs - correlation.windowMs)) byId.set(c.id, c);
  }
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

function continueTicket(work: DeskWork, id: number, e: FaultEvent): number {
  const t = work.repo.tickets.get(id);
  if (!t) return id;
  work.ticket(applyFaultEvent(t, e, work.ctx(deviceActor(e.site, e.device))), t);
  return id;
}

/** Records why correlation opened the ticket, on the new ticket. */
function recordDecision(work: DeskWork, t: DeskTicket, decision: CorrelationDecision, e: FaultEvent): void {
  work.record([auditRecord(work.nowMs, deviceActor(e.site, e.device), { kind: 'ticket', id: ticketRef(t) }, 'correlate', {
    reason: decision.reason, details: { decision: decision.type, event: e.id },
  })]);
}

function raiseTicket(work: DeskWork, e: FaultEvent, device: DeviceState | undefined): number {
  const decision = correlateRaise({ site: e.site, device: e.device, code: e.code, category: e.category, atMs: work.nowMs },
    candidates(work, e), work.settings.correlation);
  switch (decision.type) {
    case 'occurrence':
    case 'reopen':
      return continueTicket(work, decision.ticketId, e);
    case 'open': {
      const t = openDeviceTicket(work, e, device);
      recordDecision(work, t, decision, e);
      if (decision.parentId !== null) work.ticket(attachToParent(t, decision.parentId, work.ctx(deviceActor(e.site, e.device)), decision.reason));
      return t.id;
    }
    case 'open-with-site-parent': {
      const child = openDeviceTicket(work, e, device);
      recordDecision(work, child, decision, e);
      const parent = openSiteParent(work, e, decision.devices, decision.reason);
      const ctx = work.ctx({ kind: 'system', id: 'collector' });
      for (const id of [...decision.adoptChildIds, child.id]) {
        const t = work.repo.tickets.get(id);
        if (t) work.ticket(attachToParent(t, parent.id, ctx, decision.reason));
      }
      return child.id;
    }
  }
}

function clearTicket(work: DeskWork, e: FaultEvent): number | null {
  const t = work.repo.tickets.currentForFault(e.site, e.device, e.code);
  return t ? continueTicket(work, t.id, e) : null;
}
