import t from 'tap';
import { chooseAssignee } from '../../collector/core/routing/assignment.js';
import { nextHandoverMs, onCallAt, validateTeam, type Rotation, type Team, type TeamMember } from '../../collector/core/routing/on-call.js';
import { routeTicket, routingAudit, validateRouting, type RoutingConfig, type RoutingInput } from '../../collector/core/routing/routing.js';
import { intakeTicket } from '../../collector/core/tickets/ticket-intake.js';
import { ctxAt, deviceDeskTicket, T0 } from './collector-core-fixtures.js';

const at = (iso: string): number => Date.parse(iso);

const routing: RoutingConfig = {
  rules: [
    { id: 'vfd-hardware', match: { models: ['VFD-*'], categories: ['hardware'] }, team: 'drives', tier: 'L2', skills: ['vfd'] },
    { id: 'hamburg-link', match: { sites: ['plant-hamburg'], categories: ['link'] }, team: 'network' },
    { id: 'critical-eu', match: { regions: ['eu'], severities: ['critical'] }, team: 'ops' },
    { id: 'line-3', match: { labels: { line: '3' } }, team: 'line3' },
  ],
  defaultTeam: 'ops', defaultTier: 'L1',
};

const input = (over: Partial<RoutingInput> = {}): RoutingInput => ({
  site: 'plant-a', region: 'us', model: 'PLC-200', category: 'software', severity: 'minor', labels: {}, ...over,
});

t.test('routing: ordered rules, first match wins, every decision explained', async (t) => {
  const table: Array<{ name: string; in: RoutingInput; team: string; tier: string; ruleId: string | null; skills: string[]; reason: string }> = [
    {
      name: 'model glob and category', in: input({ model: 'VFD-4000', category: 'hardware', region: 'eu', severity: 'critical' }),
      team: 'drives', tier: 'L2', ruleId: 'vfd-hardware', skills: ['vfd'],
      reason: 'rule vfd-hardware matched (model VFD-4000 in [VFD-*], category hardware in [hardware]) → team drives L2',
    },
    { name: 'site and category', in: input({ site: 'plant-hamburg', category: 'link' }), team: 'network', tier: 'L1', ruleId: 'hamburg-link', skills: ['link'], reason: 'rule hamburg-link matched (site plant-hamburg in [plant-hamburg], category link in [link]) → team network L1' },
    { name: 'region and severity', in: input({ region: 'eu', severity: 'critical', model: 'VFD' }), team: 'ops', tier: 'L1', ruleId: 'critical-eu', skills: ['software'], reason: 'rule critical-eu matched (region eu in [eu], severity critical in [critical]) → team ops L1' },
    { name: 'labels', in: input({ labels: { line: '3', shift: 'night' } }), team: 'line3', tier: 'L1', ruleId: 'line-3', skills: ['software'], reason: 'rule line-3 matched (label line 3 in [3]) → team line3 L1' },
    { name: 'nothing matches: the default team', in: input(), team: 'ops', tier: 'L1', ruleId: null, skills: ['software'], reason: 'no rule matched (4 checked) → default team ops L1' },
  ];
  for (const row of table) {
    t.match(routeTicket(row.in, routing), { team: row.team, tier: row.tier, ruleId: row.ruleId, skills: row.skills, reason: row.reason }, row.name);
  }
  const decision = routeTicket(input({ labels: { line: '3' } }), routing);
  t.same(decision.checked.map((c) => [c.ruleId, c.matched, c.why]), [
    ['vfd-hardware', false, 'model PLC-200 not in [VFD-*]'],
    ['hamburg-link', false, 'site plant-a not in [plant-hamburg]'],
    ['critical-eu', false, 'region us not in [eu]'],
    ['line-3', true, 'label line 3 in [3]'],
  ], 'why each earlier rule did not match');
  t.match(routingAudit(decision, 'TS-20240305-0007', T0), {
    subject: { kind: 'routing', id: 'TS-20240305-0007' }, action: 'route', to: 'line3/L1', details: { ruleId: 'line-3' },
  });
  t.throws(() => validateRouting({ ...routing, rules: [...routing.rules, { id: 'line-3', match: { sites: [] }, team: 'ghosts' }] }, ['drives', 'network', 'ops', 'line3']), {
    code: 'FL_ERR_ROUTING_INVALID',
    context: { problems: ['rule id line-3 is used twice', 'rule line-3: unknown team ghosts', 'rule line-3: sites is an empty list (matches nothing)'] },
  });
});

const member = (id: string, tier: TeamMember['tier'], skills: string[], timeZone = 'Europe/Berlin'): TeamMember => ({ id, name: id, tier, skills, timeZone });
const daily: Rotation = { id: 'eu-l1', tier: 'L1', timeZone: 'Europe/Berlin', kind: 'daily', handover: '09:00', startDate: '2024-03-25', participants: ['ann', 'ben', 'cem'], overrides: [] };
const weekly: Rotation = {
  id: 'us-l2', tier: 'L2', timeZone: 'America/New_York', kind: 'weekly', handover: '09:00', startDate: '2024-03-04', participants: ['dee', 'eve'],
  overrides: [{ fromMs: at('2024-03-05T00:00:00Z'), toMs: at('2024-03-06T00:00:00Z'), memberId: 'eve', reason: 'dee at the dentist' }],
};

t.test('on-call rotations: daily and weekly handovers in their own time zone, across DST, with overrides', async (t) => {
  const table: Array<{ name: string; r: Rotation; at: string; member: string | null; from?: string; to?: string; via?: string }> = [
    { name: 'before the rotation starts', r: daily, at: '2024-03-25T07:59:00Z', member: null },
    { name: 'first shift starts at the first handover (09:00 CET)', r: daily, at: '2024-03-25T08:00:00Z', member: 'ann', from: '2024-03-25T08:00:00Z', to: '2024-03-26T08:00:00Z' },
    { name: 'the shift over the DST night lasts 23 h', r: daily, at: '2024-03-31T06:59:00Z', member: 'cem', from: '2024-03-30T08:00:00Z', to: '2024-03-31T07:00:00Z' },
    { name: 'after DST the handover is still 09:00 local (07:00Z)', r: daily, at: '2024-03-31T07:00:00Z', member: 'ann', from: '2024-03-31T07:00:00Z', to: '2024-04-01T07:00:00Z' },
    { name: 'weekly: Monday before the handover is still last week', r: weekly, at: '2024-03-11T12:59:00Z', member: 'dee', from: '2024-03-04T14:00:00Z', to: '2024-03-11T13:00:00Z' },
    { name: 'weekly: handover at 09:00 EDT', r: weekly, at: '2024-03-11T13:00:00Z', member: 'eve' },
    { name: 'weekly: third week back to the first', r: weekly, at: '2024-03-20T12:00:00Z', member: 'dee' },
    { name: 'an override wins', r: weekly, at: '2024-03-05T12:00:00Z', member: 'eve', via: 'override', from: '2024-03-05T00:00:00Z', to: '2024-03-06T00:00:00Z' },
  ];
  for (const row of table) {
    const s = onCallAt(row.r, at(row.at));
    t.equal(s?.memberId ?? null, row.member, row.name);
    if (row.from) t.equal(new Date(s?.fromMs ?? 0).toISOString(), new Date(row.from).toISOString(), `${row.name}: shift start`);
    if (row.to) t.equal(new Date(s?.toMs ?? 0).toISOString(), new Date(row.to).toISOString(), `${row.name}: shift end`);
    if (row.via) t.equal(s?.via, row.via, `${row.name}: via`);
  }
  const team: Team = { id: 'x', name: 'x', members: [], rotations: [weekly] };
  t.equal(nextHandoverMs(team, at('2024-03-04T20:00:00Z')), at('2024-03-05T00:00:00Z'), 'the next change is the override starting');
  t.throws(() => validateTeam({
    id: 'bad', name: 'bad', members: [member('ann', 'L1', [], 'Nowhere/Land'), member('gus', 'L2', [])],
    rotations: [{ ...daily, handover: '9am', participants: ['ann', 'gus', 'zed'] }],
  }), {
    code: 'FL_ERR_ONCALL_ROTATION_INVALID',
    context: { problems: ['member ann: unknown time zone "Nowhere/Land"', 'rotation eu-l1: "9am" is not a time of day', 'rotation eu-l1 is L1 but gus is L2', 'rotation eu-l1: unknown member zed'] },
  });
});

const drives: Team = validateTeam({
  id: 'drives', name: 'Drives',
  members: [member('gus', 'L2', ['vfd', 'modbus']), member('hal', 'L2', ['plc']), member('ivy', 'L2', ['vfd'], 'America/Chicago')],
  rotations: ['gus', 'hal', 'ivy'].map((id) => ({ id: `l2-${id}`, tier: 'L2' as const, timeZone: 'UTC', kind: 'daily' as const, handover: '00:00', startDate: '2024-01-01', participants: [id], overrides: [] })),
});

t.test('assignment: on-call member of the tier, matching skill, lowest load, deterministic ties', async (t) => {
  const table: Array<{ name: string; skills: string[]; load: Record<string, number>; tier?: 'L2' | 'L3'; assignee: string | null; reason: string }> = [
    { name: 'lowest load among the skilled', skills: ['vfd'], load: { gus: 3, ivy: 1, hal: 0 }, assignee: 'ivy', reason: 'ivy: on call for L2 in team drives with skill vfd, 1 open, lowest open load of 2' },
    { name: 'tie on load: more matching skills', skills: ['vfd', 'modbus'], load: { gus: 2, ivy: 2 }, assignee: 'gus', reason: 'gus: on call for L2 in team drives with skill vfd, modbus, 2 open, lowest open load of 2' },
    { name: 'tie on everything: member id', skills: ['vfd'], load: {}, assignee: 'gus', reason: 'gus: on call for L2 in team drives with skill vfd, 0 open, lowest open load of 2' },
    { name: 'nobody skilled on call: any on-call member, said so', skills: ['hydraulics'], load: { gus: 1, ivy: 1 }, assignee: 'hal', reason: 'hal: on call for L2 in team drives (nobody on call has hydraulics), 0 open, lowest open load of 3' },
    { name: 'nobody on call for the tier: the team queue', skills: ['vfd'], load: {}, tier: 'L3', assignee: null, reason: 'nobody on call for L3 in team drives; left in the team queue' },
  ];
  for (const row of table) {
    const d = chooseAssignee({ teamId: 'drives', team: drives, tier: row.tier ?? 'L2', skills: row.skills, atMs: T0, load: row.load });
    t.equal(d.assignee, row.assignee, row.name);
    t.equal(d.reason, row.reason, `${row.name}: reason`);
  }
  t.equal(chooseAssignee({ teamId: 'ghosts', team: undefined, tier: 'L1', skills: [], atMs: T0, load: {} }).reason, 'team ghosts is not configured; left unassigned');
});

t.test('intake: a new ticket is recorded, routed, assigned and its owner told', async (t) => {
  const out = intakeTicket(deviceDeskTicket(), { region: 'eu', model: 'VFD-4000' }, { routing, teams: { drives }, load: { gus: 1, ivy: 0 } }, ctxAt(T0));
  t.match(out.ticket, { team: 'drives', tier: 'L2', assignee: 'ivy', requiredSkills: ['vfd'] });
  t.same(out.audit.map((a) => a.action), ['open', 'route', 'assign']);
  t.match(out.audit[0], { to: 'new', reason: 'device ticket: P1: critical severity' });
  t.match(out.audit[2], { subject: { kind: 'assignment' }, from: '-/L1/-', to: 'drives/L2/ivy' });
  t.same(out.effects.map((e) => [e.event, e.recipients]), [['ticket.opened', [{ kind: 'member', id: 'ivy' }]], ['ticket.assigned', [{ kind: 'member', id: 'ivy' }]]]);
});
