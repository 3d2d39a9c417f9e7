/**
 * Devices: GET /api/devices (the registry), GET /api/devices/:site/:device (one device in detail),
 * and engineers' requests to a device through the collector's RPC client: POST …/live (fresh
 * parameter values), …/describe, …/logs and …/write (signed with the device's write key, only
 * with confirm: true). Every request, answered or failed, is appended to the audit log with the
 * acting user, the device and the parameters (and values written).
 */
import { namedValues, readBeforeWrite } from './write-before.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errorCode, errorMessage, FaultlineError } from '../../protocol/errors.js';
import { deviceRequestRecord, type DeviceRequestAudit } from '../core/devices/device-audit.js';
import type { DeviceState } from '../core/devices/device-registry.js';
import type { DeskService } from '../desk/desk-service.js';
import type { DeviceRpc, DeviceRpcOp, RpcAnswer } from '../rpc/device-rpc.js';
import type { DeviceKeysPort, QueryPort } from '../store/port.js';
import { actorOf } from './actor.js';
import { writeRangeProblems } from '../core/devices/write-range-check.js';
import { deviceError } from './device-errors.js';
import { knownDevice } from './known-device.js';
import {
  DescribeBody, DescribeJson, DeviceDetailJson, DeviceParams, LiveBody, LiveJson, LogsBody, LogsJson, WriteBody, WriteJson, deviceRpcErrorResponses,
} from './device-schemas.js';
import { describeView, deviceDetail, liveValues, openAlarmCount } from './device-view.js';
import { emptyBodyAsObject } from './empty-body.js';
import { strictValidatorCompiler } from './strict-validation.js';
import { DeviceListJson, DeviceQuery, errorResponses } from './schemas.js';
import { decodeCursor, encodeCursor } from './page-cursor.js';

/** What the device routes read write keys through. */
export type WriteKeys = Pick<DeviceKeysPort, 'get' | 'has'>;

export interface DeviceRoutesOptions {
  store: QueryPort;
  /** With desk, rpc and writeKeys the request routes (live, describe, logs, write) exist; they are audited through the desk. */
  desk?: DeskService;
  rpc?: DeviceRpc;
  writeKeys?: WriteKeys;
  now?: () => number;
}

const MAX_ALARMS_COUNTED = 5000;

export async function deviceRoutes(app: FastifyInstance, opts: DeviceRoutesOptions): Promise<void> {
  const { store, desk, rpc, writeKeys } = opts;
  const now = opts.now ?? Date.now;

  const known = (p: DeviceParams): Promise<DeviceState> => knownDevice(store, p);

  app.get<{ Querystring: DeviceQuery }>('/api/devices', {
    schema: { summary: 'the device registry, one page in (site, device) order, with the total and the cursor of the next page', querystring: DeviceQuery, response: { 200: DeviceListJson, ...errorResponses } },
  }, async (req): Promise<DeviceListJson> => {
    const { cursor, limit } = req.query;
    const after = cursor === undefined ? undefined : decodeCursor(cursor, 'site-device', 'asc', false);
    const page = await store.pageDevices({ limit, ...(after ? { after } : {}) });
    return { devices: page.items, total: page.total, nextCursor: encodeCursor('site-device', 'asc', page.next) };
  });

  app.get<{ Params: DeviceParams }>('/api/devices/:site/:device', {
    schema: {
      summary: 'one device: presence, birth, parameter catalogue, last agent status, open alarms',
      params: DeviceParams, response: { 200: DeviceDetailJson, ...errorResponses },
    },
  }, async (req): Promise<DeviceDetailJson> => {
    const d = await known(req.params);
    const alarms = desk ? (await store.listAlarms({ site: d.site, device: d.device, limit: MAX_ALARMS_COUNTED })).map((a) => a.alarm) : [];
    return deviceDetail(d, {
      connected: rpc?.isConnected(d), openAlarms: openAlarmCount(alarms), writeKey: (await writeKeys?.has(d.site, d.device)) ?? false,
    });
  });

  if (!desk || !rpc || !writeKeys) return;

  /** Runs one request to the device and audits it, answered or failed. */
  const audited = async (
    req: FastifyRequest, d: DeviceState, what: Omit<DeviceRequestAudit, 'atMs' | 'actor' | 'site' | 'device' | 'error'>,
    op: () => DeviceRpcOp, timeoutMs: number | undefined,
  ): Promise<RpcAnswer> => {
    const actor = actorOf(req);
    const base = { actor, site: d.site, device: d.device, ...what };
    try {
      const answer = await rpc.request(d, op(), timeoutMs);
      const written = what.action === 'write' ? { writeOutcome: 'applied' as const, after: namedValues(answer.response.values, what.parameters ?? []) } : {};
      await desk.appendAudit([deviceRequestRecord({ ...base, atMs: now(), ...written })]);
      return answer;
    } catch (err) {
      const error = { code: errorCode(err), message: errorMessage(err) };
      await desk.appendAudit([deviceRequestRecord({ ...base, atMs: now(), error, ...(what.action === 'write' ? { writeOutcome: writeOutcomeOf(err) } : {}) })]);
      req.log.info({ actor: actor.id, site: d.site, device: d.device, action: what.action, code: error.code }, 'device request failed');
      throw err;
    }
  };

  app.post<{ Params: DeviceParams; Body: LiveBody }>('/api/devices/:site/:device/live', {
    schema: {
      summary: 'read parameters live from the device (a fresh read, never the cache); no names: every readable parameter',
      params: DeviceParams, body: LiveBody, response: { 200: LiveJson, ...deviceRpcErrorResponses },
    },
    preValidation: emptyBodyAsObject,
  }, async (req): Promise<LiveJson> => {
    const d = await known(req.params);
    const names = req.body.names ?? [];
    const a = await audited(req, d, { action: 'live-read', parameters: names }, () => ({ kind: 'read', names }), req.body.timeoutMs);
    return { values: liveValues(a.response.values, d.parameters), requestedAtMs: a.requestedAtMs, answeredAtMs: a.answeredAtMs };
  });

  app.post<{ Params: DeviceParams; Body: DescribeBody }>('/api/devices/:site/:device/describe', {
    schema: {
      summary: 'ask the device to describe itself (adapter, model, firmware, agent version, parameter catalogue)',
      params: DeviceParams, body: DescribeBody, response: { 200: DescribeJson, ...deviceRpcErrorResponses },
    },
    preValidation: emptyBodyAsObject,
  }, async (req): Promise<DescribeJson> => {
    const d = await known(req.params);
    const a = await audited(req, d, { action: 'describe' }, () => ({ kind: 'describe' }), req.body.timeoutMs);
    const { description } = a.response;
    if (!description) throw deviceError('FL_ERR_RPC_DEVICE_NOT_ANSWERING', `device ${d.site}/${d.device} answered describe without a description`);
    return describeView(description, a);
  });

  app.post<{ Params: DeviceParams; Body: LogsBody }>('/api/devices/:site/:device/logs', {
    schema: {
      summary: 'the last lines of the device\'s followed log files (newest last)',
      params: DeviceParams, body: LogsBody, response: { 200: LogsJson, ...deviceRpcErrorResponses },
    },
    preValidation: emptyBodyAsObject,
  }, async (req): Promise<LogsJson> => {
    const d = await known(req.params);
    const { lines } = req.body;
    const a = await audited(req, d, { action: 'logs', lines }, () => ({ kind: 'logs', lines }), req.body.timeoutMs);
    return { lines: a.response.logLines ?? [], requestedAtMs: a.requestedAtMs, answeredAtMs: a.answeredAtMs };
  });

  app.post<{ Params: DeviceParams; Body: WriteBody }>('/api/devices/:site/:device/write', {
    schema: {
      summary: 'write writable parameters (signed with the device\'s write key; needs confirm: true); answers the values read back',
      params: DeviceParams, body: WriteBody, response: { 200: WriteJson, 202: WriteJson, ...deviceRpcErrorResponses },
    },
    // Exactly the JSON types the schema names: "30" is not a number here (a 400 naming the field).
    validatorCompiler: strictValidatorCompiler,
  }, async (req, reply): Promise<WriteJson> => {
    const d = await known(req.params);
    const { values, confirm } = req.body;
    const what = { action: 'write' as const, parameters: values.map((v) => v.name), values };
    const writeKey = await writeKeys.get(d.site, d.device);
    const op = (): DeviceRpcOp => {
      if (confirm !== true) {
        throw deviceError('FL_ERR_DEVICE_WRITE_UNCONFIRMED', `a write to ${d.site}/${d.device} needs "confirm": true`, {
          context: { site: d.site, device: d.device }, hint: 'a write changes a running machine: check the values, then send them again with "confirm": true',
        });
      }
      const problems = writeRangeProblems(values, d.parameters);
      if (problems.length > 0) {
        throw deviceError('FL_ERR_RPC_BAD_VALUE', `${problems.length === 1 ? 'a value is' : `${problems.length} values are`} outside the range ${d.site}/${d.device} announced; nothing was sent`, {
          context: { site: d.site, device: d.device, problems }, hint: 'write values inside each parameter\'s range (min/max in GET /api/devices/:site/:device)',
        });
      }
      if (writeKey === undefined) {
        throw deviceError('FL_ERR_DEVICE_NO_WRITE_KEY', `the collector holds no write key for ${d.site}/${d.device}, so it cannot sign writes`, {
          context: { site: d.site, device: d.device },
          hint: 'issue one (POST /api/admin/devices with replace: true, or faultline device add --replace) and put the new writeKey and password in the agent config',
        });
      }
      return { kind: 'write', values, writeKey };
    };
    const requestedAtMs = now();
    const before = await readBeforeWrite(rpc, d, what.parameters, op, req.body.timeoutMs);
    try {
      const a = await audited(req, d, { ...what, ...(before === undefined ? {} : { before }) }, op, req.body.timeoutMs);
      return { values: liveValues(a.response.values, d.parameters), requestedAtMs: a.requestedAtMs, answeredAtMs: a.answeredAtMs, outcome: 'applied' };
    } catch (err) {
      if (writeOutcomeOf(err) !== 'unknown') throw err;
      // Not a failure: the device may still apply it (a stalled slave does, once it runs again).
      void reply.code(202);
      return { values: [], requestedAtMs, answeredAtMs: now(), outcome: 'unknown', message: errorMessage(err) };
    }
  });
}

/**
 * What became of a write that ended in `err`: unknown when the agent says so, or when the agent
 * never answered after the request went out (FL_ERR_RPC_TIMEOUT); otherwise not applied
 * (refused by the collector, the agent or the device, or the device reads back other values).
 */
function writeOutcomeOf(err: unknown): 'not-applied' | 'unknown' {
  if (!(err instanceof FaultlineError)) return 'not-applied';
  if (err.context['writeOutcome'] === 'unknown' || err.code === 'FL_ERR_RPC_TIMEOUT') return 'unknown';
  return 'not-applied';
}
