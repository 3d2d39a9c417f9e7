/**
 * Issue #15 item 6: escalation into an empty tier left a ticket with no owner. A team that keeps
 * on-call rotations must staff every tier its tickets can reach (from the tier routing sends them
 * at up to L3, where escalation ends): a config with a gap is refused at load, naming file, line,
 * key and fix. A team with no rotations at all is a queue (the built-in `support` team): allowed.
 */
import t from 'tap';
import { defaultDeskSettings, parseDeskConfig } from '../../collector/desk-config/load-desk-config.js';
import { errorCode, errorMessage } from '../../protocol/errors.js';

const T0 = Date.parse('2024-03-05T10:00:00Z');
const rotation = (id: string, tier: string, member: string): string =>
  `      - { id: ${id}, tier: ${tier}, kind: weekly, handover: "06:00", startDate: "2024-01-01", participants: [${member}] }\n`;

function desk(rotations: string, routing = 'routing: { defaultTeam: drives }\n'): string {
  return `teams:
  - id: drives
    members:
      - { id: lena, tier: L1 }
      - { id: omar, tier: L2 }
      - { id: ute, tier: L3 }
    rotations:
${rotations}${routing}`;
}

function refusal(text: string): string {
  try {
    parseDeskConfig(text, 'desk.yaml', T0);
    return 'loaded';
  } catch (err) {
    return `${errorCode(err)}: ${errorMessage(err)}`;
  }
}

t.test('every tier from L1 to L3 staffed: loads', async (t) => {
  const s = parseDeskConfig(desk(rotation('l1', 'L1', 'lena') + rotation('l2', 'L2', 'omar') + rotation('l3', 'L3', 'ute')), 'desk.yaml', T0);
  t.same(s.teams.drives?.rotations.map((r) => r.tier), ['L1', 'L2', 'L3']);
});

t.test('a team without rotations is a queue: the built-in defaults load', async (t) => {
  t.same(Object.keys(defaultDeskSettings(T0).teams), ['support']);
  t.equal(refusal(desk('      []\n').replace('    rotations:\n      []\n', '')), 'loaded');
});

t.test('L2 empty between staffed L1 and L3: refused, naming file, line, key and fix', async (t) => {
  const msg = refusal(desk(rotation('l1', 'L1', 'lena') + rotation('l3', 'L3', 'ute')));
  t.match(msg, /^FL_ERR_CONFIG_INVALID: /);
  t.match(msg, /desk\.yaml:8: teams\.0\.rotations: team drives has nobody on call for L2: a ticket escalated from L1 would be left with no owner\. Fix: add a rotation with tier: L2 \(of members of tier L2\) to teams\.0\.rotations/);
});

t.test('L3 empty: a ticket escalated from L2 would have no owner, refused', async (t) => {
  t.match(refusal(desk(rotation('l1', 'L1', 'lena') + rotation('l2', 'L2', 'omar'))), /teams\.0\.rotations: team drives has nobody on call for L3: a ticket escalated from L2/);
});

t.test('routing into a tier below the lowest staffed one: refused, naming the rule', async (t) => {
  const routing = 'routing:\n  defaultTeam: drives\n  defaultTier: L2\n  rules:\n    - { id: vfd, match: { models: ["VFD-*"] }, team: drives, tier: L1 }\n';
  const msg = refusal(desk(rotation('l2', 'L2', 'omar') + rotation('l3', 'L3', 'ute'), routing));
  t.match(msg, /teams\.0\.rotations: team drives has nobody on call for L1: a ticket routed to it at L1 \(routing rule vfd\) would be left with no owner/);
  t.notMatch(msg, /for L2|for L3/, 'only the missing tier is named');
  t.equal(refusal(desk(rotation('l2', 'L2', 'omar') + rotation('l3', 'L3', 'ute'), 'routing:\n  defaultTeam: drives\n  defaultTier: L2\n')), 'loaded',
    'starting at L2 with L2 and L3 staffed is fine');
});
