/**
 * One unit of desk work at one instant, inside the caller's transaction: builds the core's
 * contexts from the settings, and persists whatever a core step returns — the new state, its audit
 * records (hash chained), its notify effects (as queued webhook deliveries), the object's one
 * timer (its next deadline from the core) and a ticket's next SLA due instant (what "SLA left" sorts by).
 */
import type { DeskRepo } from '../store/port.js';
import { SYSTEM, type Actor, type AuditRecord } from '../core/desk/audit-record.js';
import { alarmNextDeadline } from '../core/alarms/alarm-suppression.js';
import type { Alarm, AlarmOutcome } from '../core/alarms/alarm-state.js';
import { chatterNextDeadline, chatterReport, type ChatterOutcome } from '../core/alarms/alarm-chatter.js';
import { floodNextDeadline, floodReport, type FloodOutcome } from '../core/alarms/alarm-flood.js';
import type { DeskContext, TicketOutcome } from '../core/desk/desk-context.js';
import type { DeskTicket } from '../core/tickets/desk-ticket.js';
import { ticketNextDeadline } from '../core/desk/desk-timers.js';
import { ticketSlaDueMs } from '../core/sla/sla-due.js';
import { closeParentWithChildren, reopenParentWithChild } from '../core/tickets/site-parent.js';
import type { EscalationContext } from '../core/routing/escalation.js';
import type { DeskEffect } from '../core/notifications/notifications.js';
import { webhookDeliveries } from '../core/notifications/webhook-delivery.js';
import { pageDelivery, pagesFor } from '../core/notifications/paging.js';
import type { DeskSettings } from '../desk-config/desk-settings.js';

import { ChangeSet } from './desk-changes.js';

export class DeskWork {
  /** Webhook deliveries this work queued: when any, the sender should look after the commit. */
  deliveriesQueued = 0;
  /**
   * A due timer's run: the core stamps its records with the instants the rules fix; a record of an
   * instant before this run (a step missed while the collector was down) is recorded at the time it
   * ran, with the time it was due in `details.dueAtMs`, so the trail is never back-dated.
   */
  timerRun = false;

  constructor(
    readonly repo: DeskRepo, readonly settings: DeskSettings, readonly nowMs: number,
    /** What this work touched, announced after its commit. */
    readonly changes: ChangeSet = new ChangeSet(),
  ) {}

  ctx(actor: Actor): DeskContext {
    const s = this.settings;
    return { nowMs: this.nowMs, actor, sla: s.sla, calendars: s.calendars, lifecycle: s.lifecycle };
  }

  escalation(actor: Actor): EscalationContext {
    return { ...this.ctx(actor), teams: this.settings.teams, load: this.repo.tickets.openLoad() };
  }

  /** Appends the audit records and queues a webhook delivery per matching subscription and effect, and its e-mail pages. */
  record(audit: readonly AuditRecord[], effects: readonly DeskEffect[] = []): void {
    this.repo.audit.append(this.timerRun ? audit.map((r) => stampLate(r, this.nowMs)) : audit);
    for (const effect of effects) {
      for (const d of webhookDeliveries(effect, this.settings.subscriptions)) {
        this.repo.webhooks.enqueue(d, this.nowMs);
        this.deliveriesQueued++;
      }
      // E-mail pages go through the same durable outbox (see core/notifications/paging.ts).
      for (const page of pagesFor(effect, { nowMs: this.nowMs, teams: this.settings.teams, prefs: this.settings.paging })) {
        this.repo.webhooks.enqueue(pageDelivery(page, effect), this.nowMs);
        this.deliveriesQueued++;
      }
    }
  }

  /**
   * Saves the ticket and its timer; `before` (as loaded) lets the store write only the columns that
   * changed and an unchanged deadline skip the timer write. `fresh`: the ticket was inserted in this
   * work and has no timer yet (`before` is then its row as inserted). A child of a site parent that
   * closed or reopened moves its parent along (see core/site-parent.ts).
   */
  ticket(outcome: TicketOutcome, before?: DeskTicket, fresh = false): DeskTicket {
    const t = outcome.ticket;
    this.repo.tickets.save(t, before);
    this.changes.ticket(t.id);
    this.record(outcome.audit, outcome.effects);
    const due = ticketNextDeadline(t, this.settings);
    if (fresh || !before || due !== ticketNextDeadline(before, this.settings)) this.repo.timers.set('ticket', String(t.id), due);
    // The clocks are the same object when nothing moved them (the core keeps unchanged parts).
    if (fresh || !before || t.sla !== before.sla || t.status !== before.status) this.repo.tickets.setSlaDue(t.id, ticketSlaDueMs(t, this.settings.calendars));
    if (!fresh && t.parentId !== null && before && before.status !== t.status) this.followParent(t, before, t.parentId);
    return t;
  }

  private followParent(child: DeskTicket, before: DeskTicket, parentId: number): void {
    const parent = this.repo.tickets.get(parentId);
    if (!parent) return;
    const ctx = this.ctx(SYSTEM);
    const wasDone = before.status === 'resolved' || before.status === 'closed';
    const outcome = child.status === 'closed' ? closeParentWithChildren(parent, this.repo.tickets.children(parentId), ctx)
      : wasDone && child.status !== 'resolved' ? reopenParentWithChild(parent, child, ctx) : null;
    if (outcome) this.ticket(outcome, parent);
  }

  /** Saves the alarm (also when nothing visible changed: counts and times move); returns its id. */
  alarm(outcome: AlarmOutcome, before?: Alarm): number {
    const id = this.repo.alarms.save(outcome.alarm);
    this.changes.alarm(id);
    this.record(outcome.audit);
    const due = alarmNextDeadline(outcome.alarm);
    if (!before || due !== alarmNextDeadline(before)) this.repo.timers.set('alarm', String(id), due);
    return id;
  }

  flood(outcome: FloodOutcome): void {
    const { state, events } = outcome;
    this.repo.alarms.saveFlood(state);
    this.changes.flood(state.site);
    for (const e of events) {
      if (e.type === 'flood-end') this.repo.alarms.saveEpisode(e.episode);
    }
    if (state.episode) this.repo.alarms.saveEpisode(state.episode);
    const report = floodReport(events);
    this.record(report.audit, report.effects);
    this.repo.timers.set('flood', state.site, floodNextDeadline(state, this.settings.flood));
  }

  chatter(outcome: ChatterOutcome): void {
    this.repo.alarms.saveChatter(outcome.state);
    const report = chatterReport(outcome.events);
    this.record(report.audit, report.effects);
    this.repo.timers.set('chatter', outcome.state.alarm, chatterNextDeadline(outcome.state, this.settings.chatter));
  }
}

/** A record of an instant before nowMs, as recorded at nowMs with the instant it was due. */
function stampLate(r: AuditRecord, nowMs: number): AuditRecord {
  return r.atMs < nowMs ? { ...r, atMs: nowMs, details: { ...r.details, dueAtMs: r.atMs } } : r;
}
