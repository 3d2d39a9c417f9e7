/**
 * Assignment: among the members on call for the ticket's tier, those with one of the wanted skills;
 * of those, the lowest open load; ties go to more matching skills, then the member id (so the same
 * input always gives the same member). With nobody skilled on call, any on-call member of the tier
 * (said so in the reason); with nobody on call, the ticket stays in the team's queue.
 */
import { auditRecord } from '../desk/audit-record.js';
import type { DeskContext, TicketOutcome } from '../desk/desk-context.js';
import { ticketRef, type DeskTicket, type Tier } from '../tickets/desk-ticket.js';
import { notifyTicket } from '../notifications/notifications.js';
import { onCallFor, type Team } from './on-call.js';
import { routingAudit, type RoutingDecision } from './routing.js';

export interface AssignmentCandidate {
  memberId: string;
  load: number;
  skillsMatched: string[];
  via: string;
}

export interface AssignmentDecision {
  team: string;
  tier: Tier;
  assignee: string | null;
  reason: string;
  candidates: AssignmentCandidate[];
}

/** Open tickets per member id (members not listed have none). */
export type OpenLoad = Readonly<Record<string, number>>;

export function chooseAssignee(
  input: { teamId: string; team: Team | undefined; tier: Tier; skills: readonly string[]; atMs: number; load: OpenLoad },
): AssignmentDecision {
  const { teamId, tier } = input;
  const base = { team: teamId, tier };
  if (!input.team) return { ...base, assignee: null, candidates: [], reason: `team ${teamId} is not configured; left unassigned` };
  const members = new Map(input.team.members.map((m) => [m.id, m]));
  const candidates = onCallFor(input.team, tier, input.atMs).map((s): AssignmentCandidate => ({
    memberId: s.memberId, load: input.load[s.memberId] ?? 0, via: s.reason,
    skillsMatched: (members.get(s.memberId)?.skills ?? []).filter((k) => input.skills.includes(k)),
  }));
  if (candidates.length === 0) return { ...base, assignee: null, candidates, reason: `nobody on call for ${tier} in team ${teamId}; left in the team queue` };
  const skilled = input.skills.length === 0 ? candidates : candidates.filter((c) => c.skillsMatched.length > 0);
  const pool = skilled.length > 0 ? skilled : candidates;
  const best = [...pool].sort((a, b) => a.load - b.load || b.skillsMatched.length - a.skillsMatched.length || (a.memberId < b.memberId ? -1 : 1))[0];
  if (!best) return { ...base, assignee: null, candidates, reason: 'no candidate' };
  const skillText = input.skills.length === 0 ? '' : skilled.length > 0
    ? ` with skill ${best.skillsMatched.join(', ')}` : ` (nobody on call has ${input.skills.join(' or ')})`;
  const others = pool.length > 1 ? `, lowest open load of ${pool.length}` : '';
  return { ...base, assignee: best.memberId, candidates, reason: `${best.memberId}: on call for ${tier} in team ${teamId}${skillText}, ${best.load} open${others}` };
}

/** Puts the decision on the ticket: team, tier, assignee, wanted skills; audited and notified. */
export function applyAssignment(t: DeskTicket, decision: AssignmentDecision, skills: readonly string[], ctx: DeskContext, action = 'assign'): TicketOutcome {
  const ticket: DeskTicket = { ...t, team: decision.team, tier: decision.tier, assignee: decision.assignee, requiredSkills: [...skills] };
  const from = `${t.team ?? '-'}/${t.tier}/${t.assignee ?? '-'}`;
  const to = `${decision.team}/${decision.tier}/${decision.assignee ?? '-'}`;
  return {
    ticket,
    effects: [notifyTicket(ticket, 'ticket.assigned', ctx.nowMs, decision.reason)],
    audit: [auditRecord(ctx.nowMs, ctx.actor, { kind: 'assignment', id: ticketRef(t) }, action, { from, to, reason: decision.reason })],
  };
}

/** Routing decision → assignment on the ticket, both audited. */
export function routeAndAssign(t: DeskTicket, route: RoutingDecision, teams: Readonly<Record<string, Team>>, load: OpenLoad, ctx: DeskContext): TicketOutcome {
  const decision = chooseAssignee({ teamId: route.team, team: teams[route.team], tier: route.tier, skills: route.skills, atMs: ctx.nowMs, load });
  const assigned = applyAssignment(t, decision, route.skills, ctx);
  return { ...assigned, audit: [routingAudit(route, ticketRef(t), ctx.nowMs), ...assigned.audit] };
}
