/**
 * Alarm floods per site: more than `startAbove` new (annunciated) alarms within `windowMs` (default
 * more than 10 in 10 minutes). The flood starts at the alarm that crosses the limit and ends at the
 * exact instant the window count falls back to `endAtOrBelow`, which `floodNextDeadline` gives the
 * edge timer. Episodes carry start, end, alarm count and peak, so time in flood is measurable.
 * Times are collector times, fed in order.
 */
import { auditRecord, SYSTEM, type AuditRecord } from '../desk/audit-record.js';
import { notifySite, type NotifyEffect } from '../notifications/notifications.js';
import { inWindow, instantCountFallsTo } from './sliding-window.js';

export interface FloodPolicy {
  windowMs: number;
  startAbove: number;
  endAtOrBelow: number;
}

export const DEFAULT_FLOOD_POLICY: FloodPolicy = { windowMs: 10 * 60_000, startAbove: 10, endAtOrBelow: 10 };

export interface FloodEpisode {
  site: string;
  startMs: number;
  /** null while the flood lasts. */
  endMs: number | null;
  /** Alarms annunciated during the episode (the ones that started it included). */
  alarms: number;
  /** Highest window count seen. */
  peak: number;
}

export interface FloodState {
  site: string;
  /** Annunciation times still inside the window, ascending. */
  recent: number[];
  episode: FloodEpisode | null;
}

export type FloodEvent =
  | { type: 'flood-start'; site: string; atMs: number; count: number }
  | { type: 'flood-end'; site: string; atMs: number; episode: FloodEpisode };

export interface FloodOutcome {
  state: FloodState;
  events: FloodEvent[];
}

export function emptyFloodState(site: string): FloodState {
  return { site, recent: [], episode: null };
}

export function floodNextDeadline(state: FloodState, policy: FloodPolicy = DEFAULT_FLOOD_POLICY): number | null {
  return state.episode ? instantCountFallsTo(state.recent, policy.windowMs, policy.endAtOrBelow) : null;
}

/** Ends the flood if its end instant is ≤ nowMs (stamped with that instant) and drops old times. */
export function advanceFlood(state: FloodState, nowMs: number, policy: FloodPolicy = DEFAULT_FLOOD_POLICY): FloodOutcome {
  const events: FloodEvent[] = [];
  let episode = state.episode;
  const endAt = floodNextDeadline(state, policy);
  if (episode && endAt !== null && endAt <= nowMs) {
    episode = { ...episode, endMs: endAt };
    events.push({ type: 'flood-end', site: state.site, atMs: endAt, episode });
    episode = null;
  }
  return { state: { ...state, recent: inWindow(state.recent, policy.windowMs, nowMs), episode }, events };
}

/** A new alarm was annunciated at the site at atMs. */
export function recordAnnunciation(state: FloodState, atMs: number, policy: FloodPolicy = DEFAULT_FLOOD_POLICY): FloodOutcome {
  const advanced = advanceFlood(state, atMs, policy);
  const recent = [...advanced.state.recent, atMs];
  const count = recent.length;
  const events = [...advanced.events];
  let episode = advanced.state.episode;
  if (episode) {
    episode = { ...episode, alarms: episode.alarms + 1, peak: Math.max(episode.peak, count) };
  } else if (count > policy.startAbove) {
    episode = { site: state.site, startMs: atMs, endMs: null, alarms: count, peak: count };
    events.push({ type: 'flood-start', site: state.site, atMs, count });
  }
  return { state: { ...advanced.state, recent, episode }, events };
}

export function isInFlood(state: FloodState): boolean {
  return state.episode !== null;
}

/** Time in flood within [fromMs, toMs); an episode still running counts up to toMs. */
export function timeInFloodMs(episodes: readonly FloodEpisode[], fromMs: number, toMs: number): number {
  return episodes.reduce((sum, e) => sum + Math.max(0, Math.min(e.endMs ?? toMs, toMs) - Math.max(e.startMs, fromMs)), 0);
}

/** Flood events as notifications and audit records. */
export function floodReport(events: readonly FloodEvent[]): { effects: NotifyEffect[]; audit: AuditRecord[] } {
  const effects: NotifyEffect[] = [];
  const audit: AuditRecord[] = [];
  for (const e of events) {
    const subject = { kind: 'flood' as const, id: e.site };
    if (e.type === 'flood-start') {
      const reason = `${e.count} new alarms within the window at site ${e.site}`;
      effects.push(notifySite(e.site, 'alarm.flood-start', e.atMs, reason, { count: e.count }));
      audit.push(auditRecord(e.atMs, SYSTEM, subject, 'flood-start', { from: 'normal', to: 'flood', reason, details: { count: e.count } }));
    } else {
      const minutes = ((e.episode.endMs ?? e.atMs) - e.episode.startMs) / 60_000;
      const reason = `flood at site ${e.site} ended after ${minutes} min, ${e.episode.alarms} alarms, peak ${e.episode.peak}`;
      const details = { startMs: e.episode.startMs, alarms: e.episode.alarms, peak: e.episode.peak };
      effects.push(notifySite(e.site, 'alarm.flood-end', e.atMs, reason, details));
      audit.push(auditRecord(e.atMs, SYSTEM, subject, 'flood-end', { from: 'flood', to: 'normal', reason, details }));
    }
  }
  return { effects, audit };
}
