/**
 * Every tier a team's tickets can reach has someone on call (issue #15 item 6). A ticket enters a
 * team at the tier routing names and escalates up to L3; a tier without a rotation would take the
 * ticket from its owner and give it to nobody. Such a config is refused at load rather than
 * skipped over at escalation time: the gap shows the moment someone writes it (start, SIGHUP or
 * reload refuse it and the config in use stays), instead of at 3 a.m. when a P1 escalates, and who
 * gets woken is never decided by a silent fall-through.
 *
 * A team with no rotations at all is a queue (tickets wait there unassigned, as in the built-in
 * `support` team): nothing to check.
 */
import type { ConfigProblem } from '../../protocol/config-errors.js';
import { TIERS, type Tier } from '../core/tickets/desk-ticket.js';
import type { DeskConfig } from './desk-config-schema.js';

type LineOf = (path: string[]) => number | undefined;

interface Entry {
  tier: Tier;
  /** How tickets arrive at this tier, for the message. */
  via: string;
}

/** Where routing sends each team's tickets, with why. */
function entriesByTeam(routing: DeskConfig['routing']): Map<string, Entry[]> {
  const entries = new Map<string, Entry[]>();
  const add = (team: string, e: Entry): void => { entries.set(team, [...(entries.get(team) ?? []), e]); };
  add(routing.defaultTeam, { tier: routing.defaultTier, via: 'routing.defaultTeam and routing.defaultTier' });
  for (const rule of routing.rules) add(rule.team, { tier: rule.tier ?? routing.defaultTier, via: `routing rule ${rule.id}` });
  return entries;
}

export function tierStaffingProblems(config: DeskConfig, lineOf: LineOf): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const entries = entriesByTeam(config.routing);
  config.teams.forEach((team, i) => {
    if (team.rotations.length === 0) return;
    const staffed = new Set<Tier>(team.rotations.map((r) => r.tier));
    const entered = entries.get(team.id) ?? [];
    const lowest = Math.min(...[...staffed, ...entered.map((e) => e.tier)].map((tier) => TIERS.indexOf(tier)));
    const key = ['teams', String(i), 'rotations'];
    for (const tier of TIERS.slice(lowest)) {
      if (staffed.has(tier)) continue;
      const below = TIERS[TIERS.indexOf(tier) - 1];
      const routedHere = entered.find((e) => e.tier === tier && (below === undefined || !staffed.has(below)));
      const how = routedHere ? `routed to it at ${tier} (${routedHere.via})` : `escalated from ${below ?? tier}`;
      problems.push({
        key: key.join('.'), line: lineOf(key),
        message: `team ${team.id} has nobody on call for ${tier}: a ticket ${how} would be left with no owner`,
        fix: `add a rotation with tier: ${tier} (of members of tier ${tier}) to teams.${i}.rotations, or route the team's tickets so they never reach ${tier}`,
      });
    }
  });
  return problems;
}
