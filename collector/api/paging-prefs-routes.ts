/**
 * A user's own paging choices (issue #16): GET /api/me/paging shows what applies (set here, else
 * the desk config's for the member of the same name), PUT /api/me/paging replaces them (stored
 * through the port, audited, applied by the desk at once). The user name is the member id.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { FaultlineError } from '../../protocol/errors.js';
import { auditRecord } from '../core/desk/audit-record.js';
import { PAGING_MODES, type PagingPrefs } from '../core/notifications/paging.js';
import { assertTimeZone } from '../core/sla/time-zone.js';
import type { DeskService } from '../desk/desk-service.js';
import type { StorePort } from '../store/port.js';
import { actorOf } from './actor.js';
import { errorResponses } from './schemas.js';

const Clock = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' });
const Prefs = Type.Object({
  email: Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$', maxLength: 254 }),
  mode: Type.Union(PAGING_MODES.map((m) => Type.Literal(m))),
  timeZone: Type.String({ minLength: 1, maxLength: 64 }),
  quietHours: Type.Union([Type.Null(), Type.Object({ start: Clock, end: Clock }, { additionalProperties: false })]),
  digestAt: Clock,
}, { additionalProperties: false });
type Prefs = Static<typeof Prefs>;
const PrefsJson = Type.Object({ member: Type.String(), source: Type.Union([Type.Literal('user'), Type.Literal('config'), Type.Literal('none')]), prefs: Type.Union([Type.Null(), Prefs]) });
type PrefsJson = Static<typeof PrefsJson>;

export interface PagingPrefsRoutesOptions {
  desk: DeskService;
  store: Pick<StorePort, 'pagingPrefs' | 'audit'>;
  now: () => number;
}

export async function pagingPrefsRoutes(app: FastifyInstance, opts: PagingPrefsRoutesOptions): Promise<void> {
  app.get('/api/me/paging', {
    schema: { summary: 'my paging choices: e-mail, immediately / digest / none, quiet hours', response: { 200: PrefsJson, ...errorResponses } },
  }, async (req): Promise<PrefsJson> => {
    const member = actorOf(req).id;
    const mine = await opts.store.pagingPrefs.get(member);
    if (mine) return { member, source: 'user', prefs: mine.prefs };
    const config = opts.desk.settings().paging[member];
    return config ? { member, source: 'config', prefs: config } : { member, source: 'none', prefs: null };
  });

  app.put<{ Body: Prefs }>('/api/me/paging', {
    schema: { summary: 'set my paging choices (audited)', body: Prefs, response: { 200: PrefsJson, ...errorResponses } },
  }, async (req): Promise<PrefsJson> => {
    const actor = actorOf(req);
    const b = req.body;
    try {
      assertTimeZone(b.timeZone);
    } catch {
      throw new FaultlineError('FL_ERR_API_BAD_REQUEST', `unknown time zone ${b.timeZone}`, { hint: 'use an IANA name such as Europe/Berlin' });
    }
    const prefs: PagingPrefs = { email: b.email, mode: b.mode, timeZone: b.timeZone, quietHours: b.quietHours, digestAt: b.digestAt };
    const atMs = opts.now();
    await opts.store.pagingPrefs.set(actor.id, prefs, atMs);
    await opts.store.audit.append([auditRecord(atMs, actor, { kind: 'routing', id: `paging/${actor.id}` }, 'paging-prefs', {
      to: b.mode, reason: '', details: { email: b.email, timeZone: b.timeZone, quietHours: b.quietHours ? `${b.quietHours.start}-${b.quietHours.end}` : null, digestAt: b.digestAt },
    })]);
    await opts.desk.loadPagingPrefs();
    return { member: actor.id, source: 'user', prefs };
  });
}
