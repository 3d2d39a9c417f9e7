/**
 * Chattering alarms: an alarm that keeps coming and going. Detected here when it is raised (after a
 * clear) at least `minCycles` times within `windowMs` (default 3 raise/clear cycles per minute), and
 * ending at the exact instant fewer remain in the window; or reported by the agent itself as a
 * "<code>.chattering" event (raise = starts chattering, clear = stops). The alarm counts as
 * chattering while either says so; start and end are reported once each.
 */
import type { Transition } from '../../../protocol/values.js';
import { auditRecord, SYSTEM, type AuditRecord } from '../desk/audit-record.js';
import { notifySite, type NotifyEffect } from '../notifications/notifications.js';
import { inWindow, instantCountFallsTo } from './sliding-window.js';

export interface ChatterPolicy {
  windowMs: number;
  minCycles: number;
}

export const DEFAULT_CHATTER_POLICY: ChatterPolicy = { windowMs: 60_000, minCycles: 3 };

export const CHATTERING_SUFFIX = '.chattering';

export interface ChatterState {
  /** alarmId: site/device/code */
  alarm: string;
  site: string;
  /** Times (collector) the alarm went from cleared to active, inside the window. */
  raises: number[];
  detected: boolean;
  reportedByAgent: boolean;
  /** Since when it counts as chattering; null when it does not. */
  sinceMs: number | null;
}

export type ChatterEvent =
  | { type: 'chatter-start'; alarm: string; site: string; atMs: number; source: 'detected' | 'agent' }
  | { type: 'chatter-end'; alarm: string; site: string; atMs: number; durationMs: number };

export interface ChatterOutcome {
  state: ChatterState;
  events: ChatterEvent[];
}

/** The alarm code an agent's chattering event is about, or null if it is not one. */
export function chatteringBaseCode(code: string): string | null {
  return code.endsWith(CHATTERING_SUFFIX) && code.length > CHATTERING_SUFFIX.length ? code.slice(0, -CHATTERING_SUFFIX.length) : null;
}

export function emptyChatterState(alarm: string, site: string): ChatterState {
  return { alarm, site, raises: [], detected: false, reportedByAgent: false, sinceMs: null };
}

export function isChattering(s: ChatterState): boolean {
  return s.detected || s.reportedByAgent;
}

/** Reports start / end when "chattering at all" changed between `before` and `after`. */
function settle(before: ChatterState, after: ChatterState, atMs: number, source: 'detected' | 'agent'): ChatterOutcome {
  if (!isChattering(before) && isChattering(after)) {
    return { state: { ...after, sinceMs: atMs }, events: [{ type: 'chatter-start', alarm: after.alarm, site: after.site, atMs, source }] };
  }
  if (isChattering(before) && !isChattering(after)) {
    const durationMs = atMs - (before.sinceMs ?? atMs);
    return { state: { ...after, sinceMs: null }, events: [{ type: 'chatter-end', alarm: after.alarm, site: after.site, atMs, durationMs }] };
  }
  return { state: after, events: [] };
}

export function chatterNextDeadline(s: ChatterState, policy: ChatterPolicy = DEFAULT_CHATTER_POLICY): number | null {
  return s.detected ? instantCountFallsTo(s.raises, policy.windowMs, policy.minCycles - 1) : null;
}

/** Ends detected chattering whose end instant is ≤ nowMs (stamped with that instant). */
export function advanceChatter(s: ChatterState, nowMs: number, policy: ChatterPolicy = DEFAULT_CHATTER_POLICY): ChatterOutcome {
  const endAt = chatterNextDeadline(s, policy);
  if (endAt === null || endAt > nowMs) return { state: { ...s, raises: inWindow(s.raises, policy.windowMs, nowMs) }, events: [] };
  const ended = settle(s, { ...s, detected: false }, endAt, 'detected');
  return { state: { ...ended.state, raises: inWindow(s.raises, policy.windowMs, nowMs) }, events: ended.events };
}

/** The alarm went from cleared to active at atMs (feed only real raises, not repeats). */
export function recordCycle(s: ChatterState, atMs: number, policy: ChatterPolicy = DEFAULT_CHATTER_POLICY): ChatterOutcome {
  const advanced = advanceChatter(s, atMs, policy);
  const raises = [...advanced.state.raises, atMs];
  const next = { ...advanced.state, raises, detected: raises.length >= policy.minCycles };
  const settled = settle(advanced.state, next, atMs, 'detected');
  return { state: settled.state, events: [...advanced.events, ...settled.events] };
}

/** The agent's "<code>.chattering" raise or clear. */
export function applyAgentChatter(s: ChatterState, transition: Transition, atMs: number): ChatterOutcome {
  return settle(s, { ...s, reportedByAgent: transition === 'raise' }, atMs, 'agent');
}

/** Chatter events as notifications and audit records. */
export function chatterReport(events: readonly ChatterEvent[]): { effects: NotifyEffect[]; audit: AuditRecord[] } {
  const effects: NotifyEffect[] = [];
  const audit: AuditRecord[] = [];
  for (const e of events) {
    const start = e.type === 'chatter-start';
    const reason = start ? `alarm ${e.alarm} is chattering (${e.source === 'agent' ? 'reported by the agent' : 'detected'})`
      : `alarm ${e.alarm} stopped chattering after ${e.durationMs / 1000} s`;
    effects.push(notifySite(e.site, start ? 'alarm.chatter-start' : 'alarm.chatter-end', e.atMs, reason, { alarm: e.alarm }));
    audit.push(auditRecord(e.atMs, SYSTEM, { kind: 'chatter', id: e.alarm }, e.type,
      { from: start ? 'steady' : 'chattering', to: start ? 'chattering' : 'steady', reason }));
  }
  return { effects, audit };
}
