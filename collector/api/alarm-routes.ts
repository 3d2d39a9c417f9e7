/**
 * Alarms: GET /api/alarms (filters), GET /api/alarms/:id, GET /api/alarms/floods, and the operator
 * actions POST /api/alarms/:id/{ack|shelve|unshelve|suppress|unsuppress|out-of-service|in-service},
 * each also in bulk as POST /api/alarms/{action} with `ids`.
 */
import type { FastifyInstance } from 'fastify';
import { ALARM_ACTIONS, type AlarmAction, type AlarmActionName } from '../desk/alarm-actions.js';
import type { DeskService } from '../desk/desk-service.js';
import type { QueryPort } from '../store/port.js';
import { actorOf } from './actor.js';
import { emptyBodyAsObject } from './empty-body.js';
import {
  ALARM_ACTION_BODIES, AlarmJson, AlarmListJson, AlarmParams, AlarmQuery, BulkAlarmJson, bulkBody, FloodListJson, FloodQuery,
  type AlarmActionBody,
} from './alarm-schemas.js';
import { apiError } from './api-errors.js';
import { decodeCursor, encodeCursor } from './page-cursor.js';
import { alarmView } from './alarm-view.js';
import { actionErrorResponses, errorResponses } from './schemas.js';

export interface AlarmRoutesOptions {
  desk: DeskService;
  store: QueryPort;
}

function toAction(name: AlarmActionName, b: AlarmActionBody): AlarmAction {
  const reason = b.reason ?? '';
  switch (name) {
    case 'ack': return { type: 'ack', note: b.note ?? '' };
    case 'shelve': return { type: 'shelve', reason, durationMs: (b.durationMinutes ?? 0) * 60_000 };
    case 'suppress': return { type: 'suppress', reason, untilMs: b.untilMs ?? null };
    default: return { type: name, reason };
  }
}

export async function alarmRoutes(app: FastifyInstance, opts: AlarmRoutesOptions): Promise<void> {
  const { desk, store } = opts;
  const alarmJson = alarmView(store);

  app.get<{ Querystring: AlarmQuery }>('/api/alarms', {
    schema: { summary: 'one page of alarms, most recently changed first, with the total the filter matches and the cursor of the next page', querystring: AlarmQuery, response: { 200: AlarmListJson, ...errorResponses } },
  }, async (req): Promise<AlarmListJson> => {
    const { cursor, ...filter } = req.query;
    const after = cursor === undefined ? undefined : decodeCursor(cursor, 'changed', 'desc', true);
    const page = await store.pageAlarms({ ...filter, ...(after ? { after } : {}) });
    return { alarms: await Promise.all(page.items.map(alarmJson)), total: page.total, nextCursor: encodeCursor('changed', 'desc', page.next) };
  });

  app.get<{ Querystring: FloodQuery }>('/api/alarms/floods', {
    schema: { summary: 'alarm flood episodes per site, newest first', querystring: FloodQuery, response: { 200: FloodListJson, ...errorResponses } },
  }, async (req): Promise<FloodListJson> => ({ episodes: await store.floodEpisodes(req.query.site, req.query.limit) }));

  app.get<{ Params: AlarmParams }>('/api/alarms/:id', {
    schema: { summary: 'one alarm', params: AlarmParams, response: { 200: AlarmJson, ...errorResponses } },
  }, async (req): Promise<AlarmJson> => {
    const found = await store.alarm(Number(req.params.id));
    if (!found) throw apiError('FL_ERR_API_NOT_FOUND', `no alarm ${req.params.id}`, { alarm: req.params.id });
    return alarmJson(found);
  });

  for (const name of ALARM_ACTIONS) {
    const single = ALARM_ACTION_BODIES[name];
    app.post<{ Params: AlarmParams; Body: AlarmActionBody }>(`/api/alarms/:id/${name}`, {
      preValidation: emptyBodyAsObject,
      schema: { summary: `${name} one alarm`, params: AlarmParams, body: single, response: { 200: AlarmJson, ...actionErrorResponses } },
    }, async (req): Promise<AlarmJson> => alarmJson(await desk.alarmAction(Number(req.params.id), toAction(name, req.body), actorOf(req))));

    app.post<{ Body: AlarmActionBody }>(`/api/alarms/${name}`, {
      preValidation: emptyBodyAsObject,
      schema: { summary: `${name} several alarms; each that does not fit is reported in failures`, body: bulkBody(single), response: { 200: BulkAlarmJson, ...errorResponses } },
    }, async (req): Promise<BulkAlarmJson> => {
      const result = await desk.bulkAlarmAction(req.body.ids ?? [], toAction(name, req.body), actorOf(req));
      return { changed: await Promise.all(result.changed.map(alarmJson)), failures: result.failures };
    });
  }
}
