/**
 * The on-call view: GET /api/on-call (who is on call now and next, per team and tier, with the
 * covers that apply) and POST /api/on-call/overrides (a cover set through the API: stored through
 * the port, audited, applied by the desk at once).
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { FaultlineError } from '../../protocol/errors.js';
import { auditRecord } from '../core/desk/audit-record.js';
import { onCallBoard } from '../core/routing/on-call-board.js';
import type { OnCallShift } from '../core/routing/on-call.js';
import type { DeskService } from '../desk/desk-service.js';
import type { StorePort } from '../store/port.js';
import { actorOf } from './actor.js';
import { actionErrorResponses, errorResponses } from './schemas.js';

const Shift = Type.Union([Type.Null(), Type.Object({
  member: Type.String(), memberName: Type.String(), from: Type.String(), to: Type.String(), via: Type.String(), reason: Type.String(),
})]);
const OnCallJson = Type.Object({
  at: Type.String(),
  rows: Type.Array(Type.Object({ team: Type.String(), teamName: Type.String(), tier: Type.String(), rotation: Type.String(), now: Shift, next: Shift })),
});
type OnCallJson = Static<typeof OnCallJson>;

const OverrideBody = Type.Object({
  team: Type.String({ minLength: 1 }), rotation: Type.String({ minLength: 1 }), member: Type.String({ minLength: 1 }),
  from: Type.String({ format: 'date-time' }), to: Type.String({ format: 'date-time' }), reason: Type.String({ maxLength: 500, default: '' }),
}, { additionalProperties: false });
type OverrideBody = Static<typeof OverrideBody>;
const OverrideJson = Type.Object({
  id: Type.Integer(), team: Type.String(), rotation: Type.String(), member: Type.String(), from: Type.String(), to: Type.String(),
  reason: Type.String(), createdBy: Type.String(),
});

export interface OnCallRoutesOptions {
  desk: DeskService;
  store: Pick<StorePort, 'onCallOverrides' | 'audit'>;
  now: () => number;
}

export async function onCallRoutes(app: FastifyInstance, opts: OnCallRoutesOptions): Promise<void> {
  const { desk, now } = opts;

  app.get('/api/on-call', {
    schema: { summary: 'who is on call now and next, per team and tier (rotations with their overrides)', response: { 200: OnCallJson, ...errorResponses } },
  }, async (): Promise<OnCallJson> => {
    const at = now();
    const teams = desk.settings().teams;
    const nameOf = (team: string, id: string): string => teams[team]?.members.find((m) => m.id === id)?.name || id;
    const shift = (team: string, s: OnCallShift | null) => (s ? {
      member: s.memberId, memberName: nameOf(team, s.memberId), from: new Date(s.fromMs).toISOString(), to: new Date(s.toMs).toISOString(), via: s.via, reason: s.reason,
    } : null);
    return {
      at: new Date(at).toISOString(),
      rows: onCallBoard(teams, at).map((r) => ({ team: r.team, teamName: r.teamName, tier: r.tier, rotation: r.rotation, now: shift(r.team, r.now), next: shift(r.team, r.next) })),
    };
  });

  app.post<{ Body: OverrideBody }>('/api/on-call/overrides', {
    schema: { summary: 'cover a rotation with a member from one time to another (audited)', body: OverrideBody, response: { 201: OverrideJson, ...actionErrorResponses } },
  }, async (req, reply) => {
    const b = req.body;
    const team = desk.settings().teams[b.team];
    if (!team) throw new FaultlineError('FL_ERR_DESK_UNKNOWN_TEAM', `no team ${b.team}`);
    if (!team.rotations.some((r) => r.id === b.rotation)) throw new FaultlineError('FL_ERR_API_BAD_REQUEST', `team ${b.team} has no rotation ${b.rotation}`);
    if (!team.members.some((m) => m.id === b.member)) throw new FaultlineError('FL_ERR_DESK_UNKNOWN_MEMBER', `team ${b.team} has no member ${b.member}`);
    const fromMs = Date.parse(b.from);
    const toMs = Date.parse(b.to);
    if (!(toMs > fromMs)) throw new FaultlineError('FL_ERR_API_BAD_REQUEST', 'an override must end after it starts', { context: { from: b.from, to: b.to } });
    const actor = actorOf(req);
    const atMs = now();
    const stored = await opts.store.onCallOverrides.add({ team: b.team, rotation: b.rotation, memberId: b.member, fromMs, toMs, reason: b.reason, createdBy: actor.id }, atMs);
    await opts.store.audit.append([auditRecord(atMs, actor, { kind: 'routing', id: `${b.team}/${b.rotation}` }, 'on-call-override', {
      to: b.member, reason: b.reason, details: { from: b.from, to: b.to, override: stored.id },
    })]);
    await desk.loadOnCallOverrides();
    return reply.code(201).send({
      id: stored.id, team: stored.team, rotation: stored.rotation, member: stored.memberId, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(),
      reason: stored.reason, createdBy: stored.createdBy,
    });
  });
}
