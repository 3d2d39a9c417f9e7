/**
 * #15.7 and #15.8 in the dashboard, in real Chromium against a real collector: an admin sees a
 * user's API tokens (never the token), revokes them all at once (they stop working), and sends a
 * failed webhook delivery again from the Admin page (the receiver gets it; the trail records it).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { startBrowserStack, USERS } from './browser-stack.js';

t.test('admin page: revoke all of a user\'s tokens; send a failed webhook delivery again', async (t) => {
  let answer = 400;
  let hits = 0;
  const server = createServer((req, res) => { hits++; req.resume(); req.on('end', () => { res.statusCode = answer; res.end(); }); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
  const dir = tempDir('faultline-browser-cfg-');
  t.teardown(dir.remove);
  const configFile = join(dir.path, 'desk.yaml');
  writeFileSync(configFile, `webhooks:\n  - { id: chat, url: "http://127.0.0.1:${(server.address() as AddressInfo).port}/hook", secret: "0123456789abcdef", events: "*" }\n`);

  const stack = await startBrowserStack({ device: false, configFile });
  t.teardown(() => stack.stop());
  const engineerToken = stack.callers.engineer.token;

  // A manual ticket: its webhook is answered 400 (not retryable), so the delivery fails for good.
  await stack.api('admin', '/api/tickets', { method: 'POST', body: { origin: 'phone', reporter: 'ann', title: 'Press 1 leaks oil', site: 'plant-a', category: 'hardware', severity: 'major' } });
  await waitFor('a failed delivery', async () => {
    const r = await stack.api<{ deliveries: Array<{ id: number; deliveryId: string }> }>('admin', '/api/webhooks/deliveries?status=failed');
    const pending = await stack.api<{ deliveries: unknown[] }>('admin', '/api/webhooks/deliveries?status=pending');
    return r.deliveries.length > 0 && pending.deliveries.length === 0 ? true : undefined;
  }, 20_000);

  const { page } = await stack.login('admin');
  page.on('dialog', (d) => { void d.accept(); });
  await page.click('nav a[href="/admin"]');

  const tokens = page.locator('[data-testid=api-tokens]');
  await tokens.locator('#tok-user').selectOption(USERS.engineer);
  await tokens.locator('tbody tr').first().waitFor();
  const text = await tokens.textContent() ?? '';
  t.match(text, /tests/, 'the token is listed by name');
  t.notOk(text.includes(engineerToken) || text.includes(engineerToken.slice(4, 20)), 'never the token itself');
  await tokens.getByRole('button', { name: 'Revoke all tokens of this user' }).click();
  await tokens.getByText(`${USERS.engineer} has no API tokens.`).waitFor();
  const refused = await fetch(`${stack.baseUrl}/api/auth/me`, { headers: { authorization: `Bearer ${engineerToken}` } });
  t.equal(refused.status, 401, 'the revoked token stops working at once');

  const deliveries = page.locator('[data-testid=failed-deliveries]');
  await deliveries.locator('tbody tr').first().waitFor();
  t.match(await deliveries.textContent(), /ticket\.opened.*HTTP 400/, 'the failed delivery with its last error');
  answer = 200;
  const before = hits;
  await deliveries.getByRole('button', { name: 'Send again' }).first().click();
  // Several deliveries may have failed (one per event of the ticket): the one clicked is the one delivered now.
  const sent = await waitFor('the delivery to go out again', async () => {
    const d = await stack.api<{ deliveries: Array<{ id: number; deliveryId: string }> }>('admin', '/api/webhooks/deliveries?status=delivered');
    return d.deliveries[0];
  }, 20_000);
  t.ok(hits > before, 'the receiver got it again');
  const trail = await stack.api<{ records: Array<{ action: string; actor: { id: string } }> }>('admin', `/api/audit?subject=${encodeURIComponent(sent.deliveryId)}`);
  t.match(trail.records, [{ action: 'webhook-resend', actor: { id: USERS.admin } }], 'audited with the admin who clicked');
  const tokenTrail = await stack.api<{ records: Array<{ action: string }> }>('admin', `/api/audit?subject=${USERS.engineer}`);
  t.ok(tokenTrail.records.some((r) => r.action === 'token-revoke-all'), 'the revocation is audited');
});
