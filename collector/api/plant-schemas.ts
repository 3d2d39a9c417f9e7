/** JSON schemas of the plant overview (GET /api/plant), a device's last-known values and its trends. */
import { Type, type Static } from '@sinclair/typebox';
import { QUALITY_REASONS, SEVERITIES } from '../../protocol/values.js';
import { ALARM_STATES } from '../core/alarms/alarm-state.js';
import { PRIORITIES } from '../core/tickets/ticket.js';
import { LiveValueJson } from './device-schemas.js';
import { literals, Nullable } from './schemas.js';
import { CONDITIONS } from '../core/devices/device-condition.js';

export const PlantAlarmJson = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  state: literals(ALARM_STATES),
  severity: literals(SEVERITIES),
  /** The priority of the ticket working the fault now, if any. */
  priority: Nullable(literals(PRIORITIES)),
  message: Type.String(),
});
export type PlantAlarmJson = Static<typeof PlantAlarmJson>;

/** Per parameter: the age (ms) after which its last-known value is stale; parameters without one (an older agent) are not judged. */
const StaleAges = Type.Record(Type.String(), Type.Number(), { description: 'per parameter: the age in ms after which its last-known value is stale (from the birth)' });

export const PlantDeviceJson = Type.Object({
  site: Type.String(),
  device: Type.String(),
  model: Type.String(),
  adapterId: Type.String(),
  online: Type.Boolean(),
  lastSeenMs: Type.Number(),
  /** The parameters shown on the overview (the device's main readings), in order. */
  keys: Type.Array(Type.String()),
  units: Type.Record(Type.String(), Type.String(), { description: 'unit per parameter name (the birth catalogue)' }),
  /** Last-known value of every parameter the device reported. */
  values: Type.Array(LiveValueJson),
  /** Alarms not back to normal. */
  alarms: Type.Array(PlantAlarmJson),
  /** Registers the agent reported the device refuses. */
  unsupported: Type.Array(Type.String()),
  staleAfterMs: StaleAges,
});
export type PlantDeviceJson = Static<typeof PlantDeviceJson>;

export const PLANT_FILTERS = ['all', 'problems', ...CONDITIONS] as const;

export const PlantQuery = Type.Object({
  /** Rows per page; absent: every device (no paging). */
  size: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'rows per page; absent: every device' })),
  page: Type.Integer({ minimum: 0, default: 0, description: 'page number from 0 (a page past the end gives the last one)' }),
  site: Type.Optional(Type.String({ maxLength: 200 })),
  filter: Type.Optional(literals(PLANT_FILTERS)),
  search: Type.Optional(Type.String({ maxLength: 200, description: 'part of a device, model or site name (any case)' })),
}, { additionalProperties: false });
export type PlantQuery = Static<typeof PlantQuery>;

export const PlantJson = Type.Object({
  /** The requested page of devices: by site, worst condition first, then name. */
  devices: Type.Array(PlantDeviceJson),
  /** When the devices were read (server clock, taken before the reads): changes after it arrive on the stream. */
  serverTimeMs: Type.Number(),
  /** Devices the site, filter and search match, over every page. */
  total: Type.Integer(),
  /** Devices per condition at the selected site (all sites when none), whatever the filter and search. */
  counts: Type.Record(Type.String(), Type.Integer()),
  /** Every site, sorted. */
  sites: Type.Array(Type.String()),
  /** Every device of the plant. */
  devicesTotal: Type.Integer(),
  /** The page returned (the last one when the request asked past the end). */
  page: Type.Integer(),
});
export type PlantJson = Static<typeof PlantJson>;

export const LatestJson = Type.Object({ values: Type.Array(LiveValueJson), staleAfterMs: StaleAges });
export type LatestJson = Static<typeof LatestJson>;

export const TrendQuery = Type.Object({
  fromMs: Type.Integer({ minimum: 0 }),
  toMs: Type.Integer({ minimum: 0 }),
  /** Buckets at most (default 300): the bucket size is the window over this, at least one second. */
  points: Type.Integer({ minimum: 2, maximum: 2000, default: 300 }),
  parameters: Type.Optional(Type.String({ maxLength: 2000, description: 'comma-separated parameter names; all when absent' })),
}, { additionalProperties: false });
export type TrendQuery = Static<typeof TrendQuery>;

export const TrendJson = Type.Object({
  bucketMs: Type.Integer(),
  series: Type.Array(Type.Object({
    name: Type.String(),
    unit: Type.String(),
    /** avg/min/max over the readings with a value (good, uncertain); null when the bucket had none: a gap, `gaps` samples without a value (bad, stale), one `reason` of theirs. */
    points: Type.Array(Type.Object({
      timeMs: Type.Number(), avg: Nullable(Type.Number()), min: Nullable(Type.Number()), max: Nullable(Type.Number()),
      gaps: Type.Optional(Type.Integer()), reason: Type.Optional(literals(QUALITY_REASONS)),
    })),
  })),
});
export type TrendJson = Static<typeof TrendJson>;

export const MarksQuery = Type.Object({
  fromMs: Type.Integer({ minimum: 0 }),
  toMs: Type.Integer({ minimum: 0 }),
}, { additionalProperties: false });
export type MarksQuery = Static<typeof MarksQuery>;

export const MARK_KINDS = ['raise', 'clear', 'acknowledge', 'write'] as const;
export const MarksJson = Type.Object({
  marks: Type.Array(Type.Object({
    atMs: Type.Number(),
    kind: literals(MARK_KINDS),
    /** The alarm's fault code, or the parameters written (name=value;…). */
    what: Type.String(),
    by: Type.String(),
  })),
});
export type MarksJson = Static<typeof MarksJson>;
