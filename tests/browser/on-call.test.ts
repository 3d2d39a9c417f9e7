/**
 * The on-call view in real headless Chromium against a real collector (issue #16): who is on call
 * now and next per team and tier from the desk config; an engineer sets a cover in the page, it is
 * stored, audited and shown as now; viewers see no form; the page in Chinese. My paging choices set
 * in their page are stored and shown again.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { startBrowserStack } from './browser-stack.js';

t.setTimeout(180_000);

const YAML = `
teams:
  - id: drives
    name: Drive service
    members:
      - { id: lena, name: Lena Berg, tier: L1 }
      - { id: lars, name: Lars Holm, tier: L1 }
      - { id: omar, name: Omar Haddad, tier: L2 }
      - { id: ute, name: Ute Kraus, tier: L3 }
    rotations:
      - { id: l1, tier: L1, kind: daily, handover: "00:00", startDate: "2024-01-01", participants: [lena, lars] }
      - { id: l2, tier: L2, kind: weekly, handover: "00:00", startDate: "2024-01-01", participants: [omar] }
      - { id: l3, tier: L3, kind: weekly, handover: "00:00", startDate: "2024-01-01", participants: [ute] }
routing:
  defaultTeam: drives
`;

interface BoardJson { rows: Array<{ rotation: string; now: { member: string; via: string } | null; next: { member: string } | null }> }

t.test('on-call view: now and next per tier, a cover set by an engineer', async (t) => {
  const dir = tempDir('faultline-oncall-');
  t.teardown(dir.remove);
  const configFile = join(dir.path, 'desk.yaml');
  writeFileSync(configFile, YAML);
  const stack = await startBrowserStack({ device: false, configFile });
  t.teardown(() => stack.stop());
  const before = await stack.api<BoardJson>('viewer', '/api/on-call');
  const l1 = before.rows.find((r) => r.rotation === 'l1');
  const l1Now = l1?.now?.member ?? '';
  t.ok(['lena', 'lars'].includes(l1Now), 'a daily L1 rotation has someone now');
  t.equal(l1?.next?.member, l1Now === 'lena' ? 'lars' : 'lena', 'and the other one next');

  const { page } = await stack.login('engineer');
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.click('nav a[href="/on-call"]');
  await page.waitForURL('**/on-call');
  t.equal(await page.textContent('h1'), 'On call');
  const rows = page.locator('[data-testid=on-call-rows] tbody tr');
  await waitFor('three rotations', async () => ((await rows.count()) === 3 ? true : undefined), 10_000);
  t.same(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-tier'))), ['L1', 'L2', 'L3'], 'lowest tier first');
  const l2 = page.locator('tr[data-rotation=l2]');
  t.match(await l2.textContent(), /Drive service.*L2.*Omar Haddad.*until/, 'L2 now: omar, with the end of the shift');
  t.equal(await l2.locator('td').nth(2).getAttribute('data-member'), 'omar');

  // A cover for L2 by ute from an hour ago for eight hours, set in the page.
  const local = (ms: number): string => new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  await page.selectOption('#oc-rotation', 'drives/l2');
  await page.fill('#oc-member', 'ute');
  await page.fill('#oc-from', local(Date.now() - 3_600_000));
  await page.fill('#oc-to', local(Date.now() + 8 * 3_600_000));
  await page.fill('#oc-reason', 'omar at the dentist');
  await page.click('[data-testid=override-form] button[type=submit]');
  await waitFor('the cover shown', async () => ((await l2.locator('td').nth(2).getAttribute('data-member')) === 'ute' ? true : undefined), 10_000);
  t.equal(await l2.locator('td').nth(2).getAttribute('data-via'), 'override', 'shown as a cover');
  t.match(await l2.textContent(), /Ute Kraus\s*cover/);
  t.equal(await l2.locator('td').nth(3).getAttribute('data-member'), 'omar', 'omar is next, when the cover ends');
  const audit = await stack.api<{ records: Array<{ action: string; actor: { id: string }; to: string }> }>('engineer', '/api/audit?subject=drives%2Fl2');
  t.match(audit.records.filter((r) => r.action === 'on-call-override'), [{ actor: { id: 'emil' }, to: 'ute' }], 'audited as the engineer');

  await page.click('[data-testid=lang-toggle]');
  t.equal(await page.textContent('h1'), '值班', 'the page in Chinese');
  t.match(await l2.textContent(), /代班/);

  // My paging: the engineer sets an address, digest mode and quiet hours in the page.
  await page.click('[data-testid=lang-toggle]');
  await page.click('nav a[href="/settings/paging"]');
  await page.waitForURL('**/settings/paging');
  t.equal(await page.textContent('h1'), 'My paging');
  t.equal(await page.getAttribute('[data-testid=paging-form]', 'data-source'), 'none', 'emil is no member with an address in the config');
  await page.fill('#pg-email', 'emil@plant.example');
  await page.selectOption('#pg-mode', 'digest');
  await page.fill('#pg-tz', 'Europe/Berlin');
  await page.check('#pg-quiet');
  await page.fill('#pg-start', '21:30');
  await page.fill('#pg-end', '06:45');
  await page.click('[data-testid=paging-form] button[type=submit]');
  await waitFor('saved', async () => ((await page.getAttribute('[data-testid=paging-form]', 'data-source')) === 'user' ? true : undefined), 10_000);
  t.match(await stack.api('engineer', '/api/me/paging'), {
    member: 'emil', source: 'user', prefs: { email: 'emil@plant.example', mode: 'digest', timeZone: 'Europe/Berlin', quietHours: { start: '21:30', end: '06:45' }, digestAt: '08:00' },
  }, 'stored as chosen');
  await page.reload();
  await page.waitForSelector('#pg-email');
  t.equal(await page.inputValue('#pg-email'), 'emil@plant.example', 'shown again after a reload');

  const viewer = await stack.login('viewer');
  await viewer.page.goto(`${stack.baseUrl}/on-call`);
  await viewer.page.waitForSelector('[data-testid=on-call-rows]');
  t.equal(await viewer.page.locator('[data-testid=override-form]').count(), 0, 'viewers see no form');
  t.same(errors, [], 'no script errors');
});
