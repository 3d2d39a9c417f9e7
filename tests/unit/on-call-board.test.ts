/** The on-call board (issue #16 "on-call view"): now and next per team and tier, overrides from the config and the API. */
import t from 'tap';
import { onCallBoard, withOverrides } from '../../collector/core/routing/on-call-board.js';
import type { Team } from '../../collector/core/routing/on-call.js';

const T0 = Date.parse('2024-03-05T10:00:00Z'); // a Tuesday
const DAY = 86_400_000;
const team: Team = {
  id: 'drives', name: 'Drive service', members: [],
  rotations: [
    { id: 'l2', tier: 'L2', timeZone: 'UTC', kind: 'weekly', handover: '00:00', startDate: '2024-01-01', participants: ['omar'], overrides: [] },
    { id: 'l1', tier: 'L1', timeZone: 'UTC', kind: 'daily', handover: '06:00', startDate: '2024-03-01', participants: ['lena', 'lars'], overrides: [] },
  ],
};

t.test('now and next per tier, lowest tier first', async (t) => {
  const rows = onCallBoard({ drives: team }, T0);
  t.same(rows.map((r) => [r.tier, r.now?.memberId, r.now?.toMs, r.next?.memberId, r.next?.fromMs]), [
    // 2024-03-05 06:00 is shift 5 (index 4): lena; tomorrow 06:00 lars.
    ['L1', 'lena', Date.parse('2024-03-06T06:00:00Z'), 'lars', Date.parse('2024-03-06T06:00:00Z')],
    ['L2', 'omar', Date.parse('2024-03-11T00:00:00Z'), 'omar', Date.parse('2024-03-11T00:00:00Z')],
  ]);
  t.equal(rows[0]?.teamName, 'Drive service');
});

t.test('an override set through the API wins now and shows as next when it is later', async (t) => {
  const now = withOverrides({ drives: team }, [{ team: 'drives', rotation: 'l1', memberId: 'ute', fromMs: T0 - 1000, toMs: T0 + DAY, reason: 'cover' }]);
  const [l1] = onCallBoard(now, T0);
  t.match(l1, { now: { memberId: 'ute', via: 'override', reason: 'cover' } });
  t.equal(l1?.next?.fromMs, T0 + DAY, 'next starts when the cover ends');
  const later = withOverrides({ drives: team }, [{ team: 'drives', rotation: 'l2', memberId: 'ute', fromMs: T0 + 3600_000, toMs: T0 + 7200_000, reason: 'dentist' }]);
  t.match(onCallBoard(later, T0)[1], { now: { memberId: 'omar' }, next: { memberId: 'ute', via: 'override' } });
  t.same(withOverrides({ drives: team }, [{ team: 'nope', rotation: 'l1', memberId: 'x', fromMs: 0, toMs: 1, reason: '' }]).drives, team, 'unknown team: ignored');
  t.equal(team.rotations[1]?.overrides.length, 0, 'the config teams are not changed');
});

t.test('a rotation that has not started: nobody now, its first shift next', async (t) => {
  const rows = onCallBoard({ drives: { ...team, rotations: [{ ...team.rotations[1]!, startDate: '2024-03-10' }] } }, T0);
  t.match(rows[0], { now: null, next: { memberId: 'lena', fromMs: Date.parse('2024-03-10T06:00:00Z') } });
});
