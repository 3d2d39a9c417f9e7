/**
 * #15.1 in the dashboard, in real Chromium against a real collector: the Admin page's user list
 * pages like the ticket table ("1–50 of N", Next, Previous) and every user is reachable.
 */
import t from 'tap';
import { TEST_PASSWORD } from '../helpers/api-auth.js';
import { startBrowserStack } from './browser-stack.js';

t.test('admin page: the users list pages by cursor, every user reachable', async (t) => {
  const stack = await startBrowserStack({ device: false });
  t.teardown(() => stack.stop());
  for (let i = 0; i < 52; i++) {
    await stack.api('admin', '/api/users', { method: 'POST', body: { username: `crew-${String(i).padStart(2, '0')}`, role: 'viewer', password: TEST_PASSWORD } });
  }
  const all = await stack.api<{ users: Array<{ username: string }>; total: number }>('admin', '/api/users');
  t.ok(all.total > 50, 'more users than one page');

  const { page } = await stack.login('admin');
  await page.click('nav a[href="/admin"]');
  const pager = page.locator('[data-testid=users-pager]');
  const range = page.locator('[data-testid=users-pager-range]');
  await range.waitFor();
  t.equal(await range.textContent(), `1–50 of ${all.total}`);
  const rows = page.locator('section[aria-labelledby=adm-users] table tbody tr td.mono');
  const seen = [...await rows.allTextContents()];
  await pager.getByRole('button', { name: 'Next page' }).click();
  await page.locator('[data-testid=users-pager-range]', { hasText: `51–${all.total} of ${all.total}` }).waitFor();
  seen.push(...await rows.allTextContents());
  t.same(seen, all.users.map((u) => u.username), 'every user once, in the API\'s order');
  t.ok(await pager.getByRole('button', { name: 'Next page' }).isDisabled(), 'the last page has no next');
  await pager.getByRole('button', { name: 'Previous page' }).click();
  await page.locator('[data-testid=users-pager-range]', { hasText: `1–50 of ${all.total}` }).waitFor();
  t.same(await rows.allTextContents(), all.users.slice(0, 50).map((u) => u.username), 'Previous goes back to the first page');
});
