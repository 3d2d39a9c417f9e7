/**
 * The on-call view's API (issue #16): GET /api/on-call shows now and next per team and tier; an
 * engineer's override is stored through the port, audited, shown at once, survives a restart and
 * changes who is paged; bad overrides are refused with their code.
 */
import t from 'tap';
import { apiCaller } from '../helpers/api-auth.js';
import { deskApi } from '../helpers/desk-api.js';
import { deskHarness, H, T0 } from '../helpers/desk-harness.js';

t.test('on-call now and next, an override set through the API', async (t) => {
  const h = await deskHarness(t);
  const app = await deskApi(t, h);
  const engineer = await apiCaller(h.store, 'engineer', 'eve');
  const viewer = await apiCaller(h.store, 'viewer', 'vic');

  const board = await app.inject({ url: '/api/on-call', headers: viewer.headers });
  t.equal(board.statusCode, 200);
  const rows = board.json<{ rows: Array<{ rotation: string; tier: string; now: { member: string; via: string } | null }> }>().rows;
  t.same(rows.map((r) => [r.rotation, r.tier, r.now?.member]), [['l1-hw', 'L1', 'lena'], ['l1-sw', 'L1', 'lars'], ['l2', 'L2', 'omar'], ['l3', 'L3', 'ute']]);

  const body = { team: 'drives', rotation: 'l2', member: 'ute', from: new Date(T0 - H).toISOString(), to: new Date(T0 + 8 * H).toISOString(), reason: 'omar at the dentist' };
  t.equal((await app.inject({ method: 'POST', url: '/api/on-call/overrides', headers: viewer.headers, payload: body })).statusCode, 403, 'viewers cannot');
  const set = await app.inject({ method: 'POST', url: '/api/on-call/overrides', headers: engineer.headers, payload: body });
  t.equal(set.statusCode, 201, set.body);
  t.match(set.json(), { id: Number, member: 'ute', createdBy: 'eve' });

  const after = (await app.inject({ url: '/api/on-call', headers: viewer.headers })).json<{ rows: Array<{ rotation: string; now: { member: string; via: string; reason: string } | null; next: { member: string } | null }> }>().rows;
  t.match(after.find((r) => r.rotation === 'l2'), { now: { member: 'ute', via: 'override', reason: 'omar at the dentist' }, next: { member: 'omar' } });
  const audit = await h.store.audit.list({ subject: 'drives/l2', limit: 5 });
  t.match(audit, [{ action: 'on-call-override', actor: { kind: 'user', id: 'eve' }, to: 'ute', reason: 'omar at the dentist' }], 'audited');
  t.equal(h.desk.settings().teams.drives?.rotations.find((r) => r.id === 'l2')?.overrides[0]?.memberId, 'ute', 'the desk applies it (escalation, paging)');

  const bad = async (payload: object) => (await app.inject({ method: 'POST', url: '/api/on-call/overrides', headers: engineer.headers, payload: { ...body, ...payload } })).json<{ error: { code: string } }>().error.code;
  t.equal(await bad({ team: 'nope' }), 'FL_ERR_DESK_UNKNOWN_TEAM');
  t.equal(await bad({ member: 'nobody' }), 'FL_ERR_DESK_UNKNOWN_MEMBER');
  t.equal(await bad({ rotation: 'l9' }), 'FL_ERR_API_BAD_REQUEST');
  t.equal(await bad({ to: body.from }), 'FL_ERR_API_BAD_REQUEST');
  t.equal(await bad({ from: 'yesterday' }), 'FL_ERR_API_BAD_REQUEST');

  // A restart reads it back from the store.
  await h.close();
  const again = await deskHarness(t, undefined, { dataDir: h.dataDir, clock: h.clock });
  t.equal(again.desk.settings().teams.drives?.rotations.find((r) => r.id === 'l2')?.overrides[0]?.memberId, 'ute', 'kept across a restart');
});
