/** Knowledge-base rules (collector/core/knowledge-rank.ts): matching, ranking, learning from a resolution, query words. */
import t from 'tap';
import {
  checkModelPattern, draftFromResolution, findSameRemedy, ftsQuery, learnedPattern, mergeResolution, modelMatches, patternSpecificity,
  rankEntries, type KbEntry, type ResolutionInput,
} from '../../collector/core/knowledge/knowledge-rank.js';

let nextId = 1;
function entry(p: Partial<KbEntry>): KbEntry {
  return {
    id: nextId++, modelPattern: '^VFD-\\d{4}$', code: 'vfd.overcurrent', title: 't', symptoms: 's', diagnosis: [], remedy: 'r',
    reviewed: true, reviewedBy: null, reviewedAtMs: null, source: 'manual', fixes: 0, createdAtMs: 0, updatedAtMs: 0, ...p,
  };
}

t.test('model patterns: match, specificity, invalid ones never match', async (t) => {
  const cases: Array<[string, string, boolean]> = [
    ['^VFD-\\d{4}$', 'VFD-4000', true],
    ['^VFD-\\d{4}$', 'VFD-400', false],
    ['^VFD-4000$', 'VFD-4000', true],
    ['', 'anything', true],
    ['^VFD', '', true], // model unknown: every pattern fits
    ['([', 'VFD-4000', false],
  ];
  for (const [pattern, model, ok] of cases) t.equal(modelMatches(pattern, model), ok, `${pattern} ~ ${model}`);
  const spec: Array<[string, number]> = [['', 0], ['^VFD-\\d{4}$', 1], ['^VFD', 1], ['^VFD-4000$', 2], ['^VFD\\.4000$', 2], ['^VFD.4000$', 1]];
  for (const [pattern, s] of spec) t.equal(patternSpecificity(pattern), s, `specificity of ${pattern}`);
  t.match(checkModelPattern('(['), { ok: false });
  t.match(checkModelPattern('x'.repeat(201)), { ok: false, reason: /longer than 200/ });
});

t.test('ranking: fixes first, then reviewed, then the more specific pattern, then the newest', async (t) => {
  const ticket = { code: 'vfd.overcurrent', model: 'VFD-4000' };
  const seeded = entry({ title: 'seeded', fixes: 0, reviewed: true });
  const learned = entry({ title: 'learned', fixes: 3, reviewed: false, modelPattern: '^VFD-4000$' });
  const reviewedFew = entry({ title: 'reviewed-1', fixes: 1, reviewed: true });
  const unreviewedFew = entry({ title: 'unreviewed-1', fixes: 1, reviewed: false });
  const exact = entry({ title: 'exact-0', fixes: 0, reviewed: true, modelPattern: '^VFD-4000$' });
  const newer = entry({ title: 'newer-0', fixes: 0, reviewed: true, updatedAtMs: 10 });
  const anyModel = entry({ title: 'any', fixes: 0, reviewed: true, modelPattern: '' });
  const otherCode = entry({ title: 'other code', code: 'vfd.overvoltage', fixes: 9 });
  const otherModel = entry({ title: 'other model', modelPattern: '^PLC-', fixes: 9 });
  const ranked = rankEntries([seeded, learned, reviewedFew, unreviewedFew, exact, newer, anyModel, otherCode, otherModel], ticket);
  t.same(ranked.map((r) => r.entry.title), ['learned', 'reviewed-1', 'unreviewed-1', 'exact-0', 'newer-0', 'seeded', 'any']);
  t.same(ranked.map((r) => r.rank), [1, 2, 3, 4, 5, 6, 7]);
  t.equal(ranked[0]?.reason, 'fixed 3 earlier tickets of vfd.overcurrent; not yet reviewed; written for VFD-4000');
  t.equal(ranked[1]?.reason, 'fixed 1 earlier ticket of vfd.overcurrent; reviewed; fits the VFD-4000 family');
  t.equal(ranked[6]?.reason, 'not yet credited with a fix of vfd.overcurrent; reviewed; fits every model');
  t.same(rankEntries([seeded], { code: 'vfd.overcurrent', model: '' })[0]?.reason.endsWith('device model unknown'), true);
});

const resolution: ResolutionInput = {
  ticketNumber: 'TS-20240305-0001', title: 'Output overcurrent trip', code: 'vfd.overcurrent', model: 'VFD-4000',
  familyPattern: '^VFD-\\d{4}$', cause: 'Damaged motor cable insulation', action: 'Replaced the motor cable', fix: 'permanent',
};

t.test('a resolution becomes an unreviewed entry filed under the adapter family, else the exact model', async (t) => {
  t.equal(learnedPattern(resolution), '^VFD-\\d{4}$');
  t.equal(learnedPattern({ familyPattern: null, model: 'VFD-4000 (rev.2)' }), '^VFD-4000 \\(rev\\.2\\)$');
  t.equal(learnedPattern({ familyPattern: null, model: '' }), '');
  t.same(draftFromResolution(resolution), {
    modelPattern: '^VFD-\\d{4}$', code: 'vfd.overcurrent', title: 'Output overcurrent trip', symptoms: 'Output overcurrent trip',
    diagnosis: ['Cause found in TS-20240305-0001: Damaged motor cable insulation'], remedy: 'Replaced the motor cable', source: 'ticket:TS-20240305-0001',
  });
  t.match(draftFromResolution({ ...resolution, fix: 'workaround' }).remedy, /\(workaround; a permanent fix is still open\)$/);
});

t.test('updating an entry from a resolution adds what is new and asks for review again', async (t) => {
  const e = entry({ remedy: 'Lengthen accel_time.', diagnosis: ['Megger the motor.'], reviewed: true });
  const merged = mergeResolution(e, resolution);
  t.equal(merged.reviewed, false);
  t.same(merged.diagnosis, ['Megger the motor.', 'Cause found in TS-20240305-0001: Damaged motor cable insulation']);
  t.equal(merged.remedy, 'Lengthen accel_time.\nAlso fixed by (TS-20240305-0001): Replaced the motor cable');
  const again = mergeResolution({ ...e, ...merged }, { ...resolution, ticketNumber: 'TS-20240306-0002' });
  t.same(again.diagnosis, merged.diagnosis, 'the same cause is not added twice');
  t.equal(again.remedy, merged.remedy, 'the same action is not added twice');
  const same = entry({ modelPattern: '^VFD-\\d{4}$', remedy: 'Check the cable. Replaced the  MOTOR cable' });
  t.equal(findSameRemedy([entry({ modelPattern: '' }), same], resolution), same, 'an entry already giving this action is updated, not duplicated');
  t.equal(findSameRemedy([same], { ...resolution, action: 'Re-tuned the drive' }), undefined);
});

t.test('free-text queries become FTS5 prefix terms', async (t) => {
  const cases: Array<[string, string | null]> = [
    ['motor overcurrent', '"motor"* "overcurrent"*'],
    ['vfd.overcurrent', '"vfd"* "overcurrent"*'],
    ['"; DROP TABLE kb_entries; --', '"DROP"* "TABLE"* "kb_entries"*'],
    ['Überstrom', '"Überstrom"*'],
    ['  -- ** ', null],
  ];
  for (const [q, expected] of cases) t.equal(ftsQuery(q), expected, q);
});
