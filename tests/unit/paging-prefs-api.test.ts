/**
 * A user's own paging choices through the API (issue #16): they win over the desk config's, are
 * audited, and decide when the next page goes out (quiet hours, digest, none), time injected.
 */
import t from 'tap';
import { apiCaller } from '../helpers/api-auth.js';
import { deskApi } from '../helpers/desk-api.js';
import { birth, DESK_YAML, deskHarness, fault, T0 } from '../helpers/desk-harness.js';

const YAML = DESK_YAML.replace(/webhooks:[\s\S]*$/, '')
  .replace('- { id: lena, tier: L1, skills: [hardware] }', '- { id: lena, tier: L1, skills: [hardware], email: lena@config.example }');

t.test('my paging choices: config first, then mine, applied to the next page', async (t) => {
  const h = await deskHarness(t, YAML);
  const app = await deskApi(t, h);
  const lena = await apiCaller(h.store, 'engineer', 'lena');
  const lars = await apiCaller(h.store, 'viewer', 'lars');

  t.match((await app.inject({ url: '/api/me/paging', headers: lena.headers })).json(), { member: 'lena', source: 'config', prefs: { email: 'lena@config.example', mode: 'immediately' } });
  t.match((await app.inject({ url: '/api/me/paging', headers: lars.headers })).json(), { member: 'lars', source: 'none', prefs: null });

  const mine = { email: 'lena@home.example', mode: 'immediately', timeZone: 'Europe/Berlin', quietHours: { start: '10:30', end: '14:00' }, digestAt: '08:00' };
  const put = await app.inject({ method: 'PUT', url: '/api/me/paging', headers: lena.headers, payload: mine });
  t.equal(put.statusCode, 200, put.body);
  t.match((await app.inject({ url: '/api/me/paging', headers: lena.headers })).json(), { source: 'user', prefs: mine });
  t.match(await h.store.audit.list({ subject: 'paging/lena', limit: 5 }), [{ action: 'paging-prefs', actor: { id: 'lena' }, to: 'immediately' }], 'audited');

  const bad = async (over: object) => (await app.inject({ method: 'PUT', url: '/api/me/paging', headers: lena.headers, payload: { ...mine, ...over } })).statusCode;
  t.equal(await bad({ timeZone: 'Mars/Olympus' }), 400, 'an unknown time zone');
  t.equal(await bad({ mode: 'sometimes' }), 400, 'an unknown mode');
  t.equal(await bad({ email: 'nobody' }), 400, 'not an address');
  t.equal(await bad({ quietHours: { start: '25:00', end: '07:00' } }), 400, 'not a time');

  // 10:00Z is 11:00 in Berlin: inside lena's quiet hours (10:30-14:00 local), which end at 13:00Z.
  await h.commit(birth(), fault('raise', T0));
  const [page] = await h.store.webhooks.list({ webhookId: 'mail:lena', limit: 5 });
  t.match(page, { status: 'pending', nextAttemptMs: Date.parse('2024-03-05T13:00:00Z') }, 'the page waits for the end of her quiet hours');
  t.match(JSON.parse(page?.body ?? '{}'), { email: 'lena@home.example', held: 'quiet-hours' }, 'to the address she set');
});
