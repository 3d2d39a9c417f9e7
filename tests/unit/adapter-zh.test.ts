/**
 * Adapters carry Chinese texts (`zh` on faults, log patterns and knowledge entries): the validator
 * accepts the bundled ones and refuses a twin that is not Chinese, changes the placeholders, names
 * an unknown text or drops a diagnosis step. Every bundled adapter has a Chinese twin for every text.
 * GET /api/fault-texts' table (faultTexts) carries them by code, with the English template where
 * the message has placeholders.
 */
import t from 'tap';
import { ADAPTERS, adapterById, validateAdapter, type Adapter } from '../../firmware-adapters/index.js';
import { faultTexts } from '../../collector/api/fault-text-routes.js';

const clone = (a: Adapter): Adapter => structuredClone(a);

t.test('the bundled adapters validate with their Chinese texts', async (t) => {
  for (const a of ADAPTERS) t.same(validateAdapter(a), [], `${a.id} is valid`);
});

for (const id of ADAPTERS.map((a) => a.id)) t.test(`${id} has Chinese for every fault, log pattern and knowledge entry`, async (t) => {
  const a = adapterById(id);
  const faults = [...a.faultTables.flatMap((x) => Object.values(x.codes)), ...a.thresholds, ...(a.rules ?? []), ...(a.logPatterns ?? [])];
  const missing = faults.filter((f) => !f.zh?.message || !f.zh.remedy).map((f) => f.code);
  t.same(missing, [], 'every fault has a Chinese message and remedy');
  t.ok(a.faultTables.every((x) => x.unknown.zh?.remedy), 'the unknown-code remedy too');
  const kb = a.knowledge.filter((k) => !k.zh?.symptoms || !k.zh.remedy || k.zh.diagnosis?.length !== k.diagnosis.length).map((k) => k.code);
  t.same(kb, [], 'every knowledge entry has Chinese symptoms, diagnosis and remedy');
});

t.test('the validator refuses bad Chinese texts', async (t) => {
  const base = adapterById('generic-vfd');
  const bad = (edit: (a: Adapter) => void): string[] => { const a = clone(base); edit(a); return validateAdapter(a).map((p) => `${p.path}: ${p.message}`); };
  t.match(bad((a) => { a.faultTables[0]!.codes[1]!.zh = { message: 'Output overcurrent trip' }; }), [/faultTables\[0\]\.codes\.1\.zh\.message: must be a non-empty Chinese text/], 'English in the Chinese slot');
  t.match(bad((a) => { a.logPatterns![0]!.zh = { message: '变频器跳闸 E${code}' }; }), [/logPatterns\[0\]\.zh\.message: must use the English text's placeholders/], 'placeholders must match');
  t.match(bad((a) => { (a.thresholds[0]!.zh as Record<string, unknown>).title = '标题'; }), [/thresholds\[0\]\.zh\.title: unknown text "title"/], 'unknown keys are refused');
  t.match(bad((a) => { a.knowledge[0]!.zh!.diagnosis = ['只有一步。']; }), [/knowledge\[0\]\.zh\.diagnosis: must have as many steps as the English \(3\)/], 'diagnosis keeps its steps');
  t.match(bad((a) => { (a.rules![0] as unknown as Record<string, unknown>).zh = '电流'; }), [/rules\[0\]\.zh: must be an object/], 'zh is an object');
});

t.test('the fault-text table the dashboard loads', async (t) => {
  const texts = faultTexts(ADAPTERS);
  t.same(texts.faults['vfd.overcurrent'], { message: '输出过流跳闸', remedy: '检查电机和电缆是否对地短路；若在加速时跳闸，加长 accel_time。' }, 'a fault-table entry by code');
  t.equal(texts.faults['gw.oom_kill']?.template, 'The kernel OOM killer ended ${proc} (pid ${pid})', 'a message with placeholders carries its English template');
  t.notOk(Object.keys(texts.faults).some((code) => code.includes('${')), 'codes built from log groups are left out');
  t.equal(texts.knowledge['plc.battery_low']?.remedy, '在通电状态下更换电池。', 'knowledge entries by code');
  const codes = ADAPTERS.flatMap((a) => [...a.faultTables.flatMap((x) => Object.values(x.codes)), ...a.thresholds, ...(a.rules ?? [])].map((f) => f.code));
  t.same(codes.filter((c) => !texts.faults[c]?.message), [], 'every fault-table, threshold and rule code has its Chinese message');
});
