/**
 * The collector's service-desk config file (YAML): one TypeBox schema, the type derived from it.
 * Every key has a default, so an empty file (or none) is a working 24x7 desk with one team.
 * Units are in the key names (…Minutes, …Seconds, …Hours); fractions are allowed where it says so.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { CATEGORIES, SEVERITIES } from '../../protocol/values.js';
import { CRITICALITIES } from '../core/priority/priority-matrix.js';
import { NOTIFY_EVENTS } from '../core/notifications/notifications.js';
import { PAGING_MODES } from '../core/notifications/paging.js';
import { TIERS } from '../core/tickets/desk-ticket.js';
import { WEEKDAYS } from '../core/sla/sla-calendar.js';
import { TICKET_STATUSES } from '../core/tickets/ticket.js';

/** A string enum (one "must be equal to one of the allowed values" error, not one per literal). */
const oneOf = <T extends string>(values: readonly T[], description: string, def?: T) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], description: `${description}: one of ${values.join(', ')}`, ...(def === undefined ? {} : { default: def }) });
const Id = (description: string) => Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$', description });
const list = <T extends TSchema>(item: T, description: string) => Type.Array(item, { default: [], description });
const obj = <P extends Record<string, TSchema>>(props: P, description: string) =>
  Type.Object(props, { additionalProperties: false, default: {}, description });
const Positive = (def: number, description: string) => Type.Number({ exclusiveMinimum: 0, default: def, description });
const Whole = (def: number, min: number, description: string) => Type.Integer({ minimum: min, default: def, description });
const ClockTime = Type.String({ pattern: '^([01][0-9]|2[0-4]):[0-5][0-9]$', description: 'a local time HH:MM, 00:00-24:00' });
const CivilDate = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'a date YYYY-MM-DD' });
const Instant = Type.String({
  pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})$',
  description: 'an ISO 8601 time with zone, e.g. 2024-12-24T09:00:00Z',
});

const Target = (response: number, resolution: number) => obj({
  responseMinutes: Positive(response, 'minutes to the first response (fractions allowed)'),
  resolutionMinutes: Positive(resolution, 'minutes to resolution (fractions allowed), not less than responseMinutes'),
  calendar: Type.String({ default: '24x7', description: 'the id of a calendar (24x7 is built in)' }),
}, 'response and resolution targets');

const BusinessHours = Type.Object({ start: ClockTime, end: ClockTime }, { additionalProperties: false, description: 'a period {start, end}' });

export const CalendarSchema = Type.Object({
  id: Id('the calendar id'),
  kind: oneOf(['24x7', 'business'] as const, 'the calendar kind'),
  timeZone: Type.Optional(Type.String({ minLength: 1, description: 'an IANA time zone such as Europe/Berlin (business calendars)' })),
  week: Type.Optional(Type.Object(Object.fromEntries(WEEKDAYS.map((d) => [d, Type.Optional(Type.Array(BusinessHours, { description: `business hours on ${d}` }))])),
    { additionalProperties: false, description: 'business hours per weekday (sun … sat)' })),
  holidays: list(CivilDate, 'a list of dates YYYY-MM-DD without business hours'),
}, { additionalProperties: false, description: 'a working-time calendar' });

const Member = Type.Object({
  id: Id('the member id (also the X-Faultline-User name)'),
  name: Type.String({ default: '', description: 'the display name' }),
  tier: oneOf(TIERS, 'the member tier'),
  skills: list(Type.String({ minLength: 1 }), 'a list of skills, e.g. hardware, drives'),
  timeZone: Type.String({ default: 'UTC', description: 'an IANA time zone' }),
  email: Type.Optional(Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$', description: 'the e-mail address pages go to (none: never paged)' })),
  paging: Type.Optional(Type.Object({
    mode: oneOf(PAGING_MODES, 'how pages reach the member', 'immediately'),
    quietHours: Type.Optional(Type.Object({ start: ClockTime, end: ClockTime }, { additionalProperties: false, description: 'no mail between start and end, member time zone' })),
    digestAt: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', default: '08:00', description: 'when the daily digest goes out, HH:MM member time zone' }),
  }, { additionalProperties: false, default: {}, description: 'paging choices {mode, quietHours, digestAt}' })),
}, { additionalProperties: false, description: 'a team member' });

const Override = Type.Object({
  from: Instant, to: Instant, member: Id('the member covering'), reason: Type.String({ default: '', description: 'why' }),
}, { additionalProperties: false, description: 'a cover {from, to, member, reason}' });

const Rotation = Type.Object({
  id: Id('the rotation id'),
  tier: oneOf(TIERS, 'the tier it covers'),
  timeZone: Type.String({ default: 'UTC', description: 'an IANA time zone for the handover time' }),
  kind: oneOf(['daily', 'weekly'] as const, 'how often it hands over'),
  handover: ClockTime,
  startDate: CivilDate,
  participants: Type.Array(Id('a member id'), { minItems: 1, description: 'a list of member ids in rotation order' }),
  overrides: list(Override, 'a list of covers that win over the schedule'),
}, { additionalProperties: false, description: 'an on-call rotation' });

export const TeamSchema = Type.Object({
  id: Id('the team id'),
  name: Type.String({ default: '', description: 'the display name' }),
  members: list(Member, 'a list of members'),
  rotations: list(Rotation, 'a list of on-call rotations'),
}, { additionalProperties: false, description: 'a team' });

const RoutingRule = Type.Object({
  id: Id('the rule id'),
  match: obj({
    sites: Type.Optional(Type.Array(Type.String(), { minItems: 1, description: 'a list of site ids' })),
    regions: Type.Optional(Type.Array(Type.String(), { minItems: 1, description: 'a list of regions' })),
    models: Type.Optional(Type.Array(Type.String(), { minItems: 1, description: 'a list of device model globs, e.g. VFD-*' })),
    categories: Type.Optional(Type.Array(oneOf(CATEGORIES, 'a category'), { minItems: 1, description: 'a list of categories' })),
    severities: Type.Optional(Type.Array(oneOf(SEVERITIES, 'a severity'), { minItems: 1, description: 'a list of severities' })),
    labels: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'labels that must be present with these values' })),
  }, 'what the rule matches; every listed condition must hold'),
  team: Id('the team id'),
  tier: Type.Optional(oneOf(TIERS, 'the starting tier')),
  skills: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'a list of skills wanted of the assignee' })),
}, { additionalProperties: false, description: 'a routing rule' });

const Webhook = Type.Object({
  id: Id('the webhook id'),
  url: Type.String({ pattern: '^https?://', description: 'an http:// or https:// URL' }),
  secret: Type.String({ minLength: 16, description: 'the HMAC-SHA256 key, 16+ characters (never shown or logged)' }),
  events: Type.Union([Type.Literal('*'), Type.Array(oneOf(NOTIFY_EVENTS, 'an event'), { minItems: 1 })], {
    default: '*', description: `"*" or a list of events (${NOTIFY_EVENTS.join(', ')})`,
  }),
  sites: Type.Optional(Type.Array(Type.String(), { minItems: 1, description: 'a list of sites (default: all)' })),
}, { additionalProperties: false, description: 'an outbound webhook' });

const Site = Type.Object({
  criticality: Type.Optional(oneOf(CRITICALITIES, 'the criticality')),
  region: Type.Optional(Type.String({ minLength: 1, description: 'the region, for routing' })),
}, { additionalProperties: false, description: 'a site {criticality, region}' });

export const DeskConfigSchema = Type.Object({
  sla: obj({
    id: Type.String({ default: 'default', description: 'the policy name' }),
    warnFraction: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.75, description: 'the fraction of a target at which a breach warning fires, between 0 and 1' }),
    pauseResolutionWhile: Type.Array(oneOf(TICKET_STATUSES, 'a status'), { default: ['waiting-on-customer'], description: 'a list of statuses that pause the resolution clock' }),
    targets: obj({
      P1: Target(15, 240), P2: Target(60, 1440), P3: Target(240, 4320), P4: Target(1440, 14400),
    }, 'targets per priority P1-P4'),
  }, 'the SLA policy'),
  calendars: list(CalendarSchema, 'a list of calendars (24x7 is built in)'),
  teams: Type.Array(TeamSchema, { default: [{ id: 'support' }], minItems: 1, description: 'a list of teams' }),
  routing: obj({
    defaultTeam: Type.String({ default: 'support', description: 'the team id for tickets no rule matches' }),
    defaultTier: oneOf(TIERS, 'the starting tier', 'L1'),
    rules: list(RoutingRule, 'an ordered list of routing rules; the first match wins'),
  }, 'ticket routing'),
  assets: obj({
    defaultCriticality: oneOf(CRITICALITIES, 'the criticality of assets not listed', 'B'),
    sites: Type.Record(Type.String(), Site, { default: {}, description: 'per site id: {criticality, region}' }),
    devices: Type.Record(Type.String({ pattern: '^[^/]+/[^/]+$' }), oneOf(CRITICALITIES, 'the criticality'), { default: {}, description: 'per "site/device": A, B or C' }),
  }, 'asset criticality and regions'),
  priority: obj({
    wideScopeDevices: Whole(3, 2, 'devices affected by one cause that raise the priority one level, at least 2'),
  }, 'the priority matrix'),
  lifecycle: obj({
    verifyCloseHoldSeconds: Type.Number({ minimum: 0, default: 900, description: 'seconds a device fault must stay cleared before its resolved ticket closes' }),
    reopenWindowHours: Positive(168, 'hours after resolving in which a recurrence reopens the ticket'),
  }, 'ticket lifecycle'),
  alarms: obj({
    maxShelveMinutes: Positive(480, 'the longest an alarm may be shelved, in minutes'),
    flood: obj({
      windowMinutes: Positive(10, 'the flood window in minutes'),
      startAbove: Whole(10, 1, 'more new alarms than this within the window start a flood'),
      endAtOrBelow: Whole(10, 0, 'the flood ends when the window holds this many or fewer'),
    }, 'alarm flood detection per site'),
    chatter: obj({
      windowSeconds: Positive(60, 'the chatter window in seconds'),
      minCycles: Whole(3, 2, 'raises within the window that make an alarm chattering'),
    }, 'chattering alarm detection'),
  }, 'alarm handling'),
  correlation: obj({
    siteWideCategory: oneOf(CATEGORIES, 'the category of site-wide causes', 'link'),
    minDevices: Whole(3, 2, 'devices at one site that make a site-wide cause'),
    windowMinutes: Positive(2, 'minutes within which those devices must fail'),
    joinWindowMinutes: Positive(30, 'minutes in which a later fault joins an open site parent'),
  }, 'site-wide correlation'),
  webhooks: list(Webhook, 'a list of outbound webhooks'),
  webhookDelivery: obj({
    concurrency: Whole(4, 1, 'deliveries in flight at once'),
    timeoutMs: Whole(5000, 100, 'milliseconds to wait for a webhook answer'),
    baseDelayMs: Whole(1000, 1, 'the delay after the first failed attempt'),
    factor: Type.Number({ minimum: 1, default: 2, description: 'the backoff factor, at least 1' }),
    maxDelayMs: Whole(3_600_000, 1, 'the longest delay between attempts'),
    maxAttempts: Whole(10, 1, 'attempts in all'),
  }, 'webhook delivery and retries'),
}, { additionalProperties: false, description: 'the service desk configuration' });

export type DeskConfig = Static<typeof DeskConfigSchema>;
export type CalendarConfig = Static<typeof CalendarSchema>;
export type TeamConfig = Static<typeof TeamSchema>;
