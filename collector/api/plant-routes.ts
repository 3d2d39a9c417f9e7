/**
 * The plant as operators see it: GET /api/plant (every device with its presence, last-known values
 * and open alarms; the dashboard's overview derives each device's condition and keeps it live from
 * the stream), GET /api/devices/:site/:device/latest (one device's last-known values) and
 * GET /api/devices/:site/:device/trend (its telemetry in time buckets, for trends and sparklines).
 */
import type { FastifyInstance } from 'fastify';
import { FaultlineError } from '../../protocol/errors.js';
import type { DeviceState } from '../core/devices/device-registry.js';
import type { Priority } from '../core/tickets/ticket.js';
import { alarmId, alarmState } from '../core/alarms/alarm-state.js';
import type { AuditPort, QueryPort } from '../store/port.js';
import { knownDevice } from './known-device.js';
import { DeviceParams } from './device-schemas.js';
import { liveValues } from './device-view.js';
import { staleAges } from '../core/devices/value-staleness.js';
import { LatestJson, MarksJson, MarksQuery, PlantJson, PlantQuery, TrendJson, TrendQuery } from './plant-schemas.js';
import { bucketFor, plantRows, plantSelect, trendMarks, trendSeries } from './plant-view.js';
import { deviceSubjectId } from '../core/devices/device-audit.js';
import { errorResponses } from './schemas.js';

export interface PlantRoutesOptions {
  store: QueryPort;
  /** With it, GET …/marks (faults, acknowledgements and writes for the trend). */
  audit?: Pick<AuditPort, 'list'>;
  now: () => number;
}

/** Alarms read per overview at most. */
const MAX_ALARMS = 20_000;
/** Audit records read per alarm or device for the marks. */
const MAX_MARK_RECORDS = 500;
/** The longest trend window (telemetry is kept 24 h). */
const MAX_TREND_MS = 7 * 86_400_000;

function checkWindow(fromMs: number, toMs: number): void {
  if (toMs <= fromMs || toMs - fromMs > MAX_TREND_MS) {
    throw new FaultlineError('FL_ERR_API_BAD_REQUEST', `the trend window must end after it starts and span at most 7 days (from ${fromMs} to ${toMs})`, {
      context: { fromMs, toMs }, hint: 'pass fromMs < toMs, e.g. the last hour, 8 hours or 24 hours',
    });
  }
}

export async function plantRoutes(app: FastifyInstance, opts: PlantRoutesOptions): Promise<void> {
  const { store, now } = opts;

  const known = (p: DeviceParams): Promise<DeviceState> => knownDevice(store, p);

  app.get<{ Querystring: PlantQuery }>('/api/plant', {
    schema: {
      summary: 'the plant overview: devices with presence, last-known values and alarms not back to normal; counts per condition; paged when size is given',
      querystring: PlantQuery, response: { 200: PlantJson, ...errorResponses },
    },
  }, async (req, reply): Promise<PlantJson> => {
    const startedAt = performance.now();
    const serverTimeMs = now();
    // Every device's condition needs its presence, open alarms and whether a register is refused;
    // only the page's rows need their values (read per site of the page: rows come sorted by site).
    const [devices, flagged, alarms] = await Promise.all([store.listDevices(), store.latestValues({ reason: 'unsupported' }), store.listAlarms({ limit: MAX_ALARMS })]);
    // The priority of the ticket working each open alarm's fault now (as the alarm console shows it).
    const open = alarms.filter((a) => alarmState(a.alarm) !== 'normal');
    const tickets = await Promise.all(open.map((a) => store.ticketForFault(a.alarm.key.site, a.alarm.key.device, a.alarm.key.code)));
    const priorities = new Map<number, Priority>();
    open.forEach((a, i) => { const t = tickets[i]; if (t) priorities.set(a.id, t.priority); });
    const { site, filter, search, page, size } = req.query;
    const readAt = performance.now();
    const { picks, ...view } = plantSelect(devices, open, flagged, (a) => priorities.get(a.id) ?? null, {
      page, ...(size !== undefined ? { size } : {}), ...(site ? { site } : {}), ...(filter ? { filter } : {}), ...(search ? { search } : {}),
    });
    const selectedAt = performance.now();
    const pageSites = [...new Set(picks.map((p) => p.d.site))];
    const latest = size === undefined || pageSites.length === view.sites.length ? await store.latestValues({})
      : (await Promise.all(pageSites.map((s) => store.latestValues({ site: s })))).flat();
    const valuesAt = performance.now();
    const rows = plantRows(picks, latest, serverTimeMs);
    // How long the reads and the building took (the bench reports them; serialising is not included).
    const reading = readAt - startedAt + (valuesAt - selectedAt);
    void reply.header('server-timing', `store;dur=${reading.toFixed(1)}, build;dur=${(performance.now() - valuesAt + (selectedAt - readAt)).toFixed(1)}`);
    return { ...view, devices: rows, serverTimeMs };
  });

  app.get<{ Params: DeviceParams }>('/api/devices/:site/:device/latest', {
    schema: { summary: 'a device\'s last-known value of every parameter, with quality and time', params: DeviceParams, response: { 200: LatestJson, ...errorResponses } },
  }, async (req): Promise<LatestJson> => {
    const d = await known(req.params);
    return { values: liveValues(await store.latestValues({ site: d.site, device: d.device }), d.parameters, now()), staleAfterMs: staleAges(d.parameters) };
  });

  app.get<{ Params: DeviceParams; Querystring: TrendQuery }>('/api/devices/:site/:device/trend', {
    schema: {
      summary: 'a device\'s stored telemetry over a window in time buckets (mean, min, max per parameter)',
      params: DeviceParams, querystring: TrendQuery, response: { 200: TrendJson, ...errorResponses },
    },
  }, async (req): Promise<TrendJson> => {
    const { fromMs, toMs, points } = req.query;
    checkWindow(fromMs, toMs);
    const d = await known(req.params);
    const parameters = req.query.parameters?.split(',').map((p) => p.trim()).filter((p) => p !== '');
    const bucketMs = bucketFor(fromMs, toMs, points);
    const buckets = await store.telemetryBuckets({ site: d.site, device: d.device, fromMs, toMs, bucketMs, ...(parameters && parameters.length > 0 ? { parameters } : {}) });
    return trendSeries(buckets, d.parameters, bucketMs);
  });

  const { audit } = opts;
  if (!audit) return;
  app.get<{ Params: DeviceParams; Querystring: MarksQuery }>('/api/devices/:site/:device/marks', {
    schema: {
      summary: 'what to mark on a device\'s trend: alarm raises, clears and acknowledgements, applied writes (from the audit trail)',
      params: DeviceParams, querystring: MarksQuery, response: { 200: MarksJson, ...errorResponses },
    },
  }, async (req): Promise<MarksJson> => {
    const { fromMs, toMs } = req.query;
    checkWindow(fromMs, toMs);
    const d = await known(req.params);
    const alarms = await store.listAlarms({ site: d.site, device: d.device, limit: MAX_MARK_RECORDS });
    const subjects = [deviceSubjectId(d.site, d.device), ...alarms.map((a) => alarmId(a.alarm.key))];
    const records = (await Promise.all(subjects.map((subject) => audit.list({ subject, limit: MAX_MARK_RECORDS })))).flat();
    return { marks: trendMarks(records, fromMs, toMs) };
  });
}
