/**
 * Routing: ordered rules match a ticket on site, region, device model (glob: * and ?), category,
 * severity and labels, and name a team, a starting tier and the skills wanted. The first rule that
 * matches wins; with none, the default team. The decision records which rule matched, why, and why
 * each earlier rule did not.
 */
import type { Category, Severity } from '../../../protocol/values.js';
import { auditRecord, SYSTEM, type AuditRecord } from '../desk/audit-record.js';
import { DESK_ERROR_CODES, deskError } from '../desk/desk-errors.js';
import type { Tier } from '../tickets/desk-ticket.js';

export interface RoutingMatch {
  sites?: string[];
  regions?: string[];
  /** Globs over the device model, e.g. "VFD-*". */
  models?: string[];
  categories?: Category[];
  severities?: Severity[];
  /** Every listed label must be present with this value. */
  labels?: Record<string, string>;
}

export interface RoutingRule {
  id: string;
  match: RoutingMatch;
  team: string;
  tier?: Tier;
  skills?: string[];
}

export interface RoutingConfig {
  rules: RoutingRule[];
  defaultTeam: string;
  defaultTier: Tier;
}

export interface RoutingInput {
  site: string;
  region: string;
  model: string;
  category: Category;
  severity: Severity;
  labels: Record<string, string>;
}

export interface RuleCheck {
  ruleId: string;
  matched: boolean;
  why: string;
}

export interface RoutingDecision {
  team: string;
  tier: Tier;
  /** Skills wanted of the assignee: the rule's, else the ticket's category. */
  skills: string[];
  /** null when the default team was used. */
  ruleId: string | null;
  reason: string;
  checked: RuleCheck[];
}

export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

type Condition = { name: string; value: string; allowed: readonly string[]; test: (v: string) => boolean };

function conditions(m: RoutingMatch, input: RoutingInput): Condition[] {
  const list: Condition[] = [];
  const among = (name: string, value: string, allowed: readonly string[] | undefined): void => {
    if (allowed) list.push({ name, value, allowed, test: (v) => allowed.includes(v) });
  };
  among('site', input.site, m.sites);
  among('region', input.region, m.regions);
  if (m.models) {
    const patterns = m.models.map(globToRegExp);
    list.push({ name: 'model', value: input.model, allowed: m.models, test: (v) => patterns.some((p) => p.test(v)) });
  }
  among('category', input.category, m.categories);
  among('severity', input.severity, m.severities);
  for (const [k, v] of Object.entries(m.labels ?? {})) among(`label ${k}`, input.labels[k] ?? '(none)', [v]);
  return list;
}

/** Whether one rule matches, and why (or why not). */
export function checkRule(rule: RoutingRule, input: RoutingInput): RuleCheck {
  const conds = conditions(rule.match, input);
  const failed = conds.find((c) => !c.test(c.value));
  if (failed) return { ruleId: rule.id, matched: false, why: `${failed.name} ${failed.value} not in [${failed.allowed.join(', ')}]` };
  const why = conds.length === 0 ? 'matches every ticket' : conds.map((c) => `${c.name} ${c.value} in [${c.allowed.join(', ')}]`).join(', ');
  return { ruleId: rule.id, matched: true, why };
}

export function routeTicket(input: RoutingInput, config: RoutingConfig): RoutingDecision {
  const checked: RuleCheck[] = [];
  for (const rule of config.rules) {
    const check = checkRule(rule, input);
    checked.push(check);
    if (check.matched) {
      const tier = rule.tier ?? config.defaultTier;
      return {
        team: rule.team, tier, skills: rule.skills ?? [input.category], ruleId: rule.id, checked,
        reason: `rule ${rule.id} matched (${check.why}) → team ${rule.team} ${tier}`,
      };
    }
  }
  return {
    team: config.defaultTeam, tier: config.defaultTier, skills: [input.category], ruleId: null, checked,
    reason: `no rule matched (${config.rules.length} checked) → default team ${config.defaultTeam} ${config.defaultTier}`,
  };
}

/** Checks rule ids are unique and every team exists, reporting every problem at once. */
export function validateRouting(config: RoutingConfig, teams: readonly string[]): RoutingConfig {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const r of config.rules) {
    if (seen.has(r.id)) problems.push(`rule id ${r.id} is used twice`);
    seen.add(r.id);
    if (!teams.includes(r.team)) problems.push(`rule ${r.id}: unknown team ${r.team}`);
    for (const [k, v] of Object.entries(r.match)) if (Array.isArray(v) && v.length === 0) problems.push(`rule ${r.id}: ${k} is an empty list (matches nothing)`);
  }
  if (!teams.includes(config.defaultTeam)) problems.push(`unknown default team ${config.defaultTeam}`);
  if (problems.length > 0) {
    throw deskError(DESK_ERROR_CODES.routingInvalid, `routing rules are invalid: ${problems.join('; ')}`, { problems }, 'fix the listed rules');
  }
  return config;
}

export function routingAudit(decision: RoutingDecision, ticketRef: string, atMs: number): AuditRecord {
  return auditRecord(atMs, SYSTEM, { kind: 'routing', id: ticketRef }, 'route', {
    to: `${decision.team}/${decision.tier}`, reason: decision.reason,
    details: { ruleId: decision.ruleId, skills: decision.skills.join(','), rejected: decision.checked.filter((c) => !c.matched).map((c) => `${c.ruleId}: ${c.why}`).join('; ') },
  });
}
