/**
 * Opening tickets: store a new desk ticket (it gets its id and number), then intake it — record the
 * opening, route it, assign it, notify. Device tickets take their priority from the matrix (severity,
 * asset criticality, scope); a site parent stands for several devices at once; manual tickets come
 * from the API.
 */
import type { TicketDeviceInfo } from '../store/port.js';
import type { DeviceState } from '../core/devices/device-registry.js';
import type { Actor } from '../core/desk/audit-record.js';
import { siteParentTicket } from '../core/tickets/correlation.js';
import { deviceTicket, manualTicket, type DeskTicket, type ManualTicketInput, type NewDeskTicket } from '../core/tickets/desk-ticket.js';
import { assessPriority } from '../core/priority/priority-matrix.js';
import { intakeTicket } from '../core/tickets/ticket-intake.js';
import { decideTicket } from '../core/tickets/ticket-rules.js';
import { FaultlineError } from '../../protocol/errors.js';
import type { FaultEvent } from '../../protocol/values.js';

import type { DeskWork } from './desk-work.js';
import type { TicketOutcome } from '../core/desk/desk-context.js';

/** A site parent stands for several devices: no one model or firmware. */
export const NO_DEVICE: TicketDeviceInfo = { model: '', firmware: '' };

/** An event label `production: stopped` says the fault stopped production (always P1). */
export const PRODUCTION_LABEL = 'production';

export function deviceActor(site: string, device: string): Actor {
  return { kind: 'device', id: `${site}/${device}` };
}

function productionStopped(e: FaultEvent): boolean {
  return e.labels[PRODUCTION_LABEL] === 'stopped';
}

/** Numbers the ticket for the UTC day of dayMs, routes and assigns it, then stores it once (with the device's model and firmware now). */
function storeAndIntake(work: DeskWork, fresh: NewDeskTicket, dayMs: number, device: TicketDeviceInfo, actor: Actor): DeskTicket {
  const s = work.settings;
  let intake: TicketOutcome | undefined;
  const stored = work.repo.tickets.insert(fresh, dayMs, device, (numbered) => {
    intake = intakeTicket(numbered, { region: s.regions[numbered.site] ?? '', model: device.model },
      { routing: s.routing, teams: s.teams, load: work.repo.tickets.openLoad() }, work.ctx(actor));
    return intake.ticket;
  });
  if (!intake) throw new FaultlineError('FL_ERR_INTERNAL', `ticket ${stored.number} was stored without its intake`);
  // Stored as the intake left it: the save below finds nothing to write but the audit records, effects and timer.
  return work.ticket(intake, stored, true);
}

export function openDeviceTicket(work: DeskWork, e: FaultEvent, device: DeviceState | undefined): DeskTicket {
  const decision = decideTicket(e, undefined, work.nowMs);
  if (decision.type !== 'open') throw new FaultlineError('FL_ERR_INTERNAL', `event ${e.id} does not open a ticket: ${decision.type}`);
  const priority = assessPriority({
    severity: e.severity, site: e.site, device: e.device, devicesAffected: 1, productionStopped: productionStopped(e),
  }, work.settings.priority);
  const fresh = deviceTicket(decision.ticket, { policy: work.settings.sla, priority, labels: e.labels });
  return storeAndIntake(work, fresh, e.timeMs, { model: device?.model ?? '', firmware: device?.firmware ?? '' }, deviceActor(e.site, e.device));
}

export function openSiteParent(work: DeskWork, e: FaultEvent, devices: string[], reason: string): DeskTicket {
  const priority = assessPriority({
    severity: e.severity, site: e.site, device: '', devicesAffected: devices.length, productionStopped: productionStopped(e),
  }, work.settings.priority);
  const fresh = siteParentTicket({ site: e.site, devices, category: e.category, severity: e.severity, reason }, work.nowMs,
    { policy: work.settings.sla, priority });
  return storeAndIntake(work, fresh, work.nowMs, NO_DEVICE, { kind: 'system', id: 'collector' });
}

/** A ticket reported by phone, e-mail, chat or the API. `device`: the device's model and firmware, when known. */
export function openManualTicket(work: DeskWork, input: ManualTicketInput, device: TicketDeviceInfo, actor: Actor): DeskTicket {
  const priority = assessPriority({
    severity: input.severity, site: input.site.trim(), device: input.device.trim(), devicesAffected: 1, productionStopped: false,
  }, work.settings.priority);
  const fresh = manualTicket(input, work.nowMs, { policy: work.settings.sla, priority });
  return storeAndIntake(work, fresh, work.nowMs, device, actor);
}
