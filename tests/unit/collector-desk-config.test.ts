/**
 * The desk config file: defaults without one, every problem reported with line, key and fix, and
 * reload without restart (a bad file is refused and the config in use stays).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { silentLogger } from '../../protocol/logger.js';
import { DeskConfigHolder } from '../../collector/desk-config/config-holder.js';
import { configView } from '../../collector/desk-config/config-view.js';
import { defaultDeskSettings, parseDeskConfig } from '../../collector/desk-config/load-desk-config.js';
import { birth, DESK_YAML, deskHarness, fault, MIN, T0 } from '../helpers/desk-harness.js';
import { tempDir } from '../helpers/temp-dir.js';

t.test('without a file: one team, 24x7, the default SLA policy', async (t) => {
  const s = defaultDeskSettings(T0);
  t.same(Object.keys(s.teams), ['support']);
  t.match(s.routing, { defaultTeam: 'support', defaultTier: 'L1', rules: [] });
  t.same(Object.keys(s.calendars), ['24x7']);
  t.match(s.sla.targets, {
    P1: { responseMinutes: 15, resolutionMinutes: 240 }, P2: { responseMinutes: 60, resolutionMinutes: 1440 },
    P3: { responseMinutes: 240, resolutionMinutes: 4320 }, P4: { responseMinutes: 1440, resolutionMinutes: 14400 },
  });
  t.match(s.lifecycle, { verifyClearMs: 15 * MIN, reopenWindowMs: 7 * 24 * 60 * MIN });
});

t.test('a full file compiles: calendars, teams, routing, criticality, webhooks', async (t) => {
  const s = parseDeskConfig(`${DESK_YAML}
calendars:
  - id: office
    kind: business
    timeZone: Europe/Berlin
    week: { mon: [{ start: "08:00", end: "17:00" }], tue: [{ start: "08:00", end: "17:00" }] }
    holidays: ["2024-12-25"]
sla:
  warnFraction: 0.8
  targets:
    P4: { responseMinutes: 480, resolutionMinutes: 4800, calendar: office }
`, 'desk.yaml', T0);
  t.equal(s.calendars.office?.kind, 'business');
  t.match(s.sla, { warnFraction: 0.8, targets: { P4: { calendarId: 'office' }, P1: { calendarId: '24x7' } } });
  t.match(s.teams.drives?.members, [{ id: 'lena', tier: 'L1', skills: ['hardware'], timeZone: 'UTC' }]);
  t.equal(s.regions['plant-a'], 'north');
  t.equal(s.priority.criticality.sites['plant-a'], 'B');
  t.same(s.subscriptions, [{ id: 'chat', events: '*' }]);
  const view = configView(s);
  t.equal(view.config.webhooks[0]?.secret, '[redacted]');
  t.equal(view.config.webhooks[0]?.url, 'http://127.0.0.1:9/hook?[redacted]', 'a token in the query is not shown');
});

const bad: Array<[string, string, RegExp]> = [
  ['unknown key', 'routing:\n  defaultTeam: support\n  colour: red\n', /desk\.yaml:3: routing\.colour: unknown key "colour"\. Fix: remove it/],
  ['wrong enum', 'teams:\n  - id: a\n    members:\n      - { id: x, tier: L4 }\nrouting: { defaultTeam: a }\n', /desk\.yaml:4: teams\.0\.members\.0\.tier: must be equal to one of the allowed values \(one of L1, L2, L3\)/],
  ['unknown team in routing', 'routing:\n  defaultTeam: nope\n', /desk\.yaml:2: routing: unknown default team nope\. Fix: route to teams that exist/],
  ['rotation of the wrong tier', 'teams:\n  - id: a\n    members: [{ id: x, tier: L1 }]\n    rotations:\n      - { id: r, tier: L2, kind: daily, handover: "09:00", startDate: "2024-01-01", participants: [x] }\nrouting: { defaultTeam: a }\n',
    /desk\.yaml:2: teams\.0: rotation r is L2 but x is L1/],
  ['unknown calendar', 'sla:\n  targets:\n    P1: { calendar: office }\n', /desk\.yaml:\d+: sla: P1: unknown calendar "office"/],
  ['bad business hours', 'calendars:\n  - { id: office, kind: business, timeZone: Europe/Berlin, week: { mon: [{ start: "09:00", end: "08:00" }] } }\n', /calendars\.0: mon: 09:00-08:00 does not end after it starts/],
  ['unknown time zone', 'calendars:\n  - { id: office, kind: business, timeZone: Mars/Olympus, week: { mon: [{ start: "09:00", end: "17:00" }] } }\n', /unknown time zone "Mars\/Olympus"/],
  ['short secret', 'webhooks:\n  - { id: w, url: "https://x.example/h", secret: short }\n', /webhooks\.0\.secret: must NOT have fewer than 16 characters/],
  ['not YAML', 'teams: [\n', /desk\.yaml:\d+: /],
];

for (const [name, yaml, message] of bad) {
  t.test(`refused with line, key and fix: ${name}`, async (t) => {
    t.throws(() => parseDeskConfig(yaml, 'desk.yaml', T0), { message, code: /^FL_ERR_CONFIG_(INVALID|YAML)$/ });
  });
}

t.test('reload: a valid file takes effect, an invalid one is refused and the old config stays', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const file = join(dir.path, 'desk.yaml');
  writeFileSync(file, DESK_YAML);
  const holder = new DeskConfigHolder({ file, log: silentLogger(), now: () => T0 });
  t.equal(holder.current().lifecycle.verifyClearMs, 600_000);
  const seen: number[] = [];
  holder.onChange((s) => seen.push(s.lifecycle.verifyClearMs));

  writeFileSync(file, DESK_YAML.replace('verifyCloseHoldSeconds: 600', 'verifyCloseHoldSeconds: 60'));
  t.equal(holder.reload().lifecycle.verifyClearMs, 60_000);
  t.same(seen, [60_000], 'listeners hear of the new config');

  writeFileSync(file, DESK_YAML.replace('verifyCloseHoldSeconds: 600', 'verifyCloseHoldSeconds: -5'));
  t.throws(() => holder.reload(), { code: 'FL_ERR_CONFIG_INVALID', message: /lifecycle\.verifyCloseHoldSeconds: must be >= 0/ });
  t.equal(holder.current().lifecycle.verifyClearMs, 60_000, 'the config in use stays');
  t.same(seen, [60_000]);

  const none = new DeskConfigHolder({ log: silentLogger(), now: () => T0 });
  t.throws(() => none.reload(), { code: 'FL_ERR_CONFIG_NO_FILE' });
});

t.test('a reload moves the timers it affects and cannot drop a calendar open tickets run on', async (t) => {
  const withOffice = `${DESK_YAML}
calendars:
  - { id: office, kind: business, timeZone: UTC, week: { tue: [{ start: "08:00", end: "17:00" }] } }
sla:
  targets:
    P1: { responseMinutes: 15, resolutionMinutes: 240, calendar: office }
`;
  const h = await deskHarness(t, withOffice);
  await h.commit(birth(), fault('raise', T0));
  await h.desk.ticketAction({ number: 'TS-20240305-0001' }, { type: 'resolve', cause: 'c', action: 'a', fix: 'permanent' }, { kind: 'user', id: 'lena' });
  h.clock.now = T0 + MIN;
  await h.commit(fault('clear', T0 + MIN));
  t.equal(await h.desk.scheduler.nextDueMs(), T0 + MIN + 600_000, 'verified close after the 600 s hold');
  writeFileSync(h.configFile, withOffice.replace('verifyCloseHoldSeconds: 600', 'verifyCloseHoldSeconds: 120'));
  await h.desk.reloadConfig();
  t.equal(await h.desk.scheduler.nextDueMs(), T0 + MIN + 120_000, 'the hold of the new config applies at once');

  writeFileSync(h.configFile, DESK_YAML);
  h.clock.now = T0 + 2 * MIN;
  await h.commit(fault('raise', T0 + 2 * MIN)); // reopens the ticket: its clocks still run on "office"
  await t.rejects(h.desk.reloadConfig(), { code: 'FL_ERR_CONFIG_INVALID', message: /calendar office is used by the SLA clocks of open tickets/ });
  t.equal(h.desk.settings().calendars.office?.kind, 'business', 'the config in use stays');
});
