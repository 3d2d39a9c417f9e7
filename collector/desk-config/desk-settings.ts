/**
 * The desk config compiled for the core: calendars compiled, teams and routing validated by the
 * core's own validators, units converted to ms. Problems the schema cannot see (unknown team or
 * calendar, overlapping hours, a rotation member of the wrong tier …) are reported all at once,
 * each with the key it belongs to.
 */
import { formatProblems, type ConfigProblem } from '../../protocol/config-errors.js';
import { FaultlineError } from '../../protocol/errors.js';
import type { AlarmPolicy } from '../core/alarms/alarm-suppression.js';
import type { ChatterPolicy } from '../core/alarms/alarm-chatter.js';
import type { FloodPolicy } from '../core/alarms/alarm-flood.js';
import type { CorrelationPolicy } from '../core/tickets/correlation.js';
import type { LifecyclePolicy } from '../core/desk/desk-context.js';
import type { Team } from '../core/routing/on-call.js';
import { DEFAULT_PRIORITY_MATRIX, type PriorityMatrixConfig } from '../core/priority/priority-matrix.js';
import { validateRouting, type RoutingConfig } from '../core/routing/routing.js';
import { ALWAYS_CALENDAR, compileCalendar, type Calendar, type CalendarDefinition, type CalendarSet } from '../core/sla/sla-calendar.js';
import { validateSlaPolicy, type SlaPolicy } from '../core/sla/sla-policy.js';
import { validateTeam } from '../core/routing/on-call.js';
import type { NotifyEvent } from '../core/notifications/notifications.js';
import type { RetryPolicy, WebhookSubscription } from '../core/notifications/webhook-delivery.js';
import type { PagingPrefs } from '../core/notifications/paging.js';
import type { CalendarConfig, DeskConfig, TeamConfig } from './desk-config-schema.js';
import { tierStaffingProblems } from './tier-staffing.js';

export interface WebhookTarget {
  id: string;
  url: string;
  secret: string;
  events: NotifyEvent[] | '*';
  sites?: string[];
}

export interface DeskSettings {
  /** The file it came from, or "(built-in defaults)". */
  source: string;
  loadedAtMs: number;
  /** The validated file with every default filled in. */
  config: DeskConfig;
  sla: SlaPolicy;
  calendars: CalendarSet;
  lifecycle: LifecyclePolicy;
  routing: RoutingConfig;
  teams: Readonly<Record<string, Team>>;
  priority: PriorityMatrixConfig;
  /** Region per site id, for routing. */
  regions: Readonly<Record<string, string>>;
  alarm: AlarmPolicy;
  flood: FloodPolicy;
  chatter: ChatterPolicy;
  correlation: CorrelationPolicy;
  webhooks: WebhookTarget[];
  subscriptions: WebhookSubscription[];
  delivery: { concurrency: number; timeoutMs: number; retry: RetryPolicy };
  /** Paging choices per member id, for members with an e-mail address (see core/notifications/paging.ts). */
  paging: Readonly<Record<string, PagingPrefs>>;
}

export const DEFAULTS_SOURCE = '(built-in defaults)';

const MIN = 60_000;

type LineOf = (path: string[]) => number | undefined;

/** The problems a core validator reported, under `key`. */
function problemsOf(key: string[], lineOf: LineOf, fix: string, fn: () => void): ConfigProblem[] {
  try {
    fn();
    return [];
  } catch (err) {
    const listed = err instanceof FaultlineError && Array.isArray(err.context.problems) ? err.context.problems.map(String) : [];
    const messages = listed.length > 0 ? listed : [err instanceof Error ? err.message : String(err)];
    return messages.map((message) => ({ key: key.join('.'), line: lineOf(key), message, fix }));
  }
}

function calendarDefinition(c: CalendarConfig): CalendarDefinition {
  if (c.kind === '24x7') return { id: c.id, kind: '24x7' };
  return { id: c.id, kind: 'business', timeZone: c.timeZone ?? '', week: c.week ?? {}, holidays: c.holidays };
}

function team(t: TeamConfig): Team {
  return {
    id: t.id, name: t.name || t.id,
    members: t.members.map((m) => ({ id: m.id, name: m.name || m.id, tier: m.tier, skills: m.skills, timeZone: m.timeZone })),
    rotations: t.rotations.map((r) => ({
      id: r.id, tier: r.tier, timeZone: r.timeZone, kind: r.kind, handover: r.handover, startDate: r.startDate, participants: r.participants,
      overrides: r.overrides.map((o) => ({ fromMs: Date.parse(o.from), toMs: Date.parse(o.to), memberId: o.member, reason: o.reason })),
    })),
  };
}

/** Compiles validated config data; throws FL_ERR_CONFIG_INVALID listing every problem. */
export function compileDeskConfig(config: DeskConfig, source: string, loadedAtMs: number, lineOf: LineOf = () => undefined): DeskSettings {
  const problems: ConfigProblem[] = [];
  const calendars: Record<string, Calendar> = { [ALWAYS_CALENDAR.id]: ALWAYS_CALENDAR };
  config.calendars.forEach((c, i) => {
    const key = ['calendars', String(i)];
    if (calendars[c.id] && c.id !== ALWAYS_CALENDAR.id) problems.push({ key: `${key.join('.')}.id`, line: lineOf([...key, 'id']), message: `calendar id ${c.id} is used twice`, fix: 'give every calendar its own id' });
    if (c.kind === 'business' && (!c.timeZone || !c.week)) {
      problems.push({ key: key.join('.'), line: lineOf(key), message: 'a business calendar needs timeZone and week', fix: `add calendars.${i}.timeZone and calendars.${i}.week` });
      return;
    }
    problems.push(...problemsOf(key, lineOf, `fix calendars.${i}`, () => { calendars[c.id] = compileCalendar(calendarDefinition(c)); }));
  });

  const t = config.sla.targets;
  const target = (p: typeof t.P1) => ({ responseMinutes: p.responseMinutes, resolutionMinutes: p.resolutionMinutes, calendarId: p.calendar });
  const sla: SlaPolicy = {
    id: config.sla.id, warnFraction: config.sla.warnFraction, pauseResolutionWhile: config.sla.pauseResolutionWhile,
    targets: { P1: target(t.P1), P2: target(t.P2), P3: target(t.P3), P4: target(t.P4) },
  };
  problems.push(...problemsOf(['sla'], lineOf, 'fix the SLA targets', () => validateSlaPolicy(sla, calendars)));

  const teams: Record<string, Team> = {};
  config.teams.forEach((tc, i) => {
    const key = ['teams', String(i)];
    if (teams[tc.id]) problems.push({ key: `${key.join('.')}.id`, line: lineOf([...key, 'id']), message: `team id ${tc.id} is used twice`, fix: 'give every team its own id' });
    const compiled = team(tc);
    compiled.rotations.forEach((r, j) => r.overrides.forEach((o, k) => {
      if (Number.isNaN(o.fromMs) || Number.isNaN(o.toMs)) {
        const at = [...key, 'rotations', String(j), 'overrides', String(k)];
        problems.push({ key: at.join('.'), line: lineOf(at), message: 'from or to is not a valid time', fix: 'write times as 2024-12-24T09:00:00Z' });
      }
    }));
    problems.push(...problemsOf(key, lineOf, `fix the members and rotations of teams.${i}`, () => validateTeam(compiled)));
    teams[tc.id] = compiled;
  });

  const routing: RoutingConfig = { defaultTeam: config.routing.defaultTeam, defaultTier: config.routing.defaultTier, rules: config.routing.rules };
  problems.push(...problemsOf(['routing'], lineOf, 'route to teams that exist', () => validateRouting(routing, Object.keys(teams))));
  problems.push(...tierStaffingProblems(config, lineOf));

  const flood = config.alarms.flood;
  if (flood.endAtOrBelow > flood.startAbove) {
    const key = ['alarms', 'flood', 'endAtOrBelow'];
    problems.push({ key: key.join('.'), line: lineOf(key), message: 'a flood would end before it starts', fix: 'set endAtOrBelow to at most startAbove' });
  }
  for (const w of config.webhooks) {
    if (config.webhooks.filter((x) => x.id === w.id).length > 1) {
      problems.push({ key: 'webhooks', line: lineOf(['webhooks']), message: `webhook id ${w.id} is used twice`, fix: 'give every webhook its own id' });
      break;
    }
  }
  if (problems.length > 0) throw configInvalid(source, problems);

  const sites = config.assets.sites;
  const d = config.webhookDelivery;
  return {
    source, loadedAtMs, config, sla, calendars, teams, routing,
    lifecycle: { verifyClearMs: config.lifecycle.verifyCloseHoldSeconds * 1000, reopenWindowMs: config.lifecycle.reopenWindowHours * 60 * MIN },
    priority: {
      ...DEFAULT_PRIORITY_MATRIX, wideScopeDevices: config.priority.wideScopeDevices,
      criticality: {
        default: config.assets.defaultCriticality, devices: config.assets.devices,
        sites: Object.fromEntries(Object.entries(sites).flatMap(([id, s]) => (s.criticality ? [[id, s.criticality]] : []))),
      },
    },
    regions: Object.fromEntries(Object.entries(sites).flatMap(([id, s]) => (s.region ? [[id, s.region]] : []))),
    alarm: { maxShelveMs: config.alarms.maxShelveMinutes * MIN },
    flood: { windowMs: flood.windowMinutes * MIN, startAbove: flood.startAbove, endAtOrBelow: flood.endAtOrBelow },
    chatter: { windowMs: config.alarms.chatter.windowSeconds * 1000, minCycles: config.alarms.chatter.minCycles },
    correlation: {
      siteWideCategory: config.correlation.siteWideCategory, minDevices: config.correlation.minDevices,
      windowMs: config.correlation.windowMinutes * MIN, joinWindowMs: config.correlation.joinWindowMinutes * MIN,
      reopenWindowMs: config.lifecycle.reopenWindowHours * 60 * MIN,
    },
    webhooks: config.webhooks.map((w) => ({ id: w.id, url: w.url, secret: w.secret, events: w.events, ...(w.sites ? { sites: w.sites } : {}) })),
    subscriptions: config.webhooks.map((w) => ({ id: w.id, events: w.events, ...(w.sites ? { sites: w.sites } : {}) })),
    delivery: {
      concurrency: d.concurrency, timeoutMs: d.timeoutMs,
      retry: { baseDelayMs: d.baseDelayMs, factor: d.factor, maxDelayMs: d.maxDelayMs, maxAttempts: d.maxAttempts },
    },
    paging: pagingPrefs(config),
  };
}

/** Paging choices of every member with an e-mail address (a member in two teams: the first entry wins). */
function pagingPrefs(config: DeskConfig): Record<string, PagingPrefs> {
  const out: Record<string, PagingPrefs> = {};
  for (const m of config.teams.flatMap((t) => t.members)) {
    if (!m.email || out[m.id]) continue;
    const p = m.paging;
    out[m.id] = {
      email: m.email, mode: p?.mode ?? 'immediately', timeZone: m.timeZone,
      quietHours: p?.quietHours ? { start: p.quietHours.start, end: p.quietHours.end } : null, digestAt: p?.digestAt ?? '08:00',
    };
  }
  return out;
}

export function configInvalid(file: string, problems: readonly ConfigProblem[]): FaultlineError {
  const text = formatProblems(file, problems);
  return new FaultlineError('FL_ERR_CONFIG_INVALID', `${file} has ${problems.length} problem(s):\n${text}`, {
    context: { file, problems: text.split('\n') },
  });
}
