import { judgedSample } from '../../agent/sources/modbus-poller.js';
import t from 'tap';
import { ADAPTERS, adapterById, adapterFor, validateAdapter } from '../../firmware-adapters/index.js';
import { decodeRegister } from '../../firmware-adapters/register-codec.js';
import { registerSpan, type Adapter } from '../../firmware-adapters/schema.js';
import { DeviceModel } from '../../firmware-adapters/simulator/device-model.js';
import { detectionHorizonMs } from '../../firmware-adapters/simulator/fault-recipes.js';
import { scenarioSteps, applyStep } from '../../firmware-adapters/simulator/fault-scenario.js';
import { detect, initialDetectorState } from '../../agent/core/detection.js';
import type { Sample } from '../../protocol/values.js';

/** Polls a simulated device every 500 ms (or slower for long horizons) and returns the codes raised. */
function raisedWhilePolling(a: Adapter, m: DeviceModel, untilMs: number): string[] {
  const stepMs = Math.max(500, Math.ceil(untilMs / 400));
  let state = initialDetectorState();
  const raised: string[] = [];
  for (let time = 0; time <= untilMs; time += stepMs) {
    const samples = new Map<string, Sample>(a.registers.filter((r) => r.type !== 'string').map((r) => {
      const value = decodeRegister(r, m.readWords(r.table, r.address, registerSpan(r), time));
      return [r.name, { parameter: r.name, value, quality: 'good', timeMs: time }];
    }));
    const res = detect(a, state, samples, time);
    state = res.state;
    raised.push(...res.transitions.filter((x) => x.transition === 'raise').map((x) => x.fault.code));
  }
  return raised;
}

t.test('invariants over every adapter', async (t) => {
  const ids = new Set<string>();
  const allCodes = new Map<string, string>();
  for (const a of ADAPTERS) {
    t.test(a.id, async (t) => {
      t.same(validateAdapter(a), [], 'validates without problems');
      t.notOk(ids.has(a.id), 'id is unique');
      ids.add(a.id);
      const codes = [
        ...a.faultTables.flatMap((ft) => Object.values(ft.codes)), ...a.thresholds, ...(a.rules ?? []), ...(a.logPatterns ?? []),
      ];
      t.ok(a.faultTables.flatMap((ft) => Object.keys(ft.codes)).length >= 8, 'at least 8 fault codes in its fault tables');
      for (const def of codes) {
        t.ok(def.remedy.length > 10 && def.message.length > 3, `${def.code} has a message and a remedy`);
        t.notOk(allCodes.has(def.code) && allCodes.get(def.code) !== a.id, `${def.code} belongs to no other adapter`);
        allCodes.set(def.code, a.id);
      }
      t.ok(a.knowledge.length >= 1, 'has knowledge entries');
      t.ok(Object.keys(a.simulation.signals).length >= 3, 'has simulation signals');
      // The simulator and the decoder agree on every register.
      for (const r of a.registers.filter((x) => x.type !== 'string')) {
        const words = new DeviceModel(a, 7).readWords(r.table, r.address, registerSpan(r), 1000);
        const held = new DeviceModel(a, 7).valueAt(r.name, 1000);
        const tolerance = Math.max(Math.abs(r.scale ?? 1) / 2, Math.abs(held) * 1e-6) + 1e-9;
        const expected = r.type === 'bit' ? (held ? 1 : 0) : held;
        t.ok(Math.abs(decodeRegister(r, words) - expected) <= tolerance, `${r.name} decodes to what the simulator holds`);
      }
      const horizon = detectionHorizonMs(a) + 10_000;
      t.same(raisedWhilePolling(a, new DeviceModel(a), horizon), [], 'a healthy simulated device raises nothing');
      // Every scenario step is seen by the agent's detectors: the simulator and detection share one definition.
      const steps = scenarioSteps(new DeviceModel(a));
      t.same(steps.map((s) => s.label).sort(), [...a.faultTables.flatMap((ft) => Object.values(ft.codes)), ...a.thresholds, ...(a.rules ?? [])].map((d) => d.code).sort(),
        'the scenario covers every fault the adapter can show over Modbus');
      for (const step of steps) {
        const m = new DeviceModel(a);
        applyStep(m, step, true);
        t.ok(raisedWhilePolling(a, m, horizon).includes(step.label), `injecting ${step.label} (${step.kind}) raises it`);
      }
    });
  }
});

t.test('model and firmware pick the adapter', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['VFD-4000', '2.3.1', 'generic-vfd'],
    ['PLC-210', 'V3.1.0', 'generic-plc'],
    ['PLC-110C', '2.0', 'generic-plc'],
    ['EM-3P20', '1.12', 'three-phase-meter'],
    ['TC-48', '4.2', 'temperature-controller'],
    ['TC-96A', '1.0.3', 'temperature-controller'],
    ['GW-400-LTE', '5.10.2', 'linux-gateway'],
    ['GW-200', '3.1', 'linux-gateway'],
  ];
  for (const [model, firmware, id] of cases) t.equal(adapterFor(model, firmware).id, id, `${model} ${firmware}`);
  for (const [model, firmware] of [['VFD-4000', '9.0'], ['PLC-1', '1.0'], ['PLC-210', '1.0'], ['EM-3P2', '1.0'], ['GW-400-WIFI', '1.0']]) {
    t.throws(() => adapterFor(model!, firmware!), { code: 'FL_ERR_ADAPTER_NO_MATCH' }, `${model} ${firmware} matches nothing`);
  }
});

t.test('the validator reports every problem with its path', async (t) => {
  const broken = structuredClone(ADAPTERS[0]) as unknown as Record<string, unknown> & { registers: Array<Record<string, unknown>> };
  broken.registers[1]!.type = 'int17';
  broken.registers[2]!.name = broken.registers[0]!.name;
  broken.registers[3]!.address = 0;
  (broken.faultTables as Array<Record<string, unknown>>)[0]!.register = 'nope';
  (broken.thresholds as Array<Record<string, unknown>>)[0]!.severity = 'apocalyptic';
  broken.match = { model: '([' };
  const problems = validateAdapter(broken);
  const paths = problems.map((p) => p.path);
  for (const want of ['registers[1].type', 'registers[2].name', 'registers[3].address', 'faultTables[0].register', 'thresholds[0].severity', 'match.model']) {
    t.ok(paths.includes(want), `reports ${want}`);
  }
  t.same(validateAdapter('nope'), [{ path: '', message: 'adapter must be an object' }]);
});

t.test('a write range belongs to a writable register and runs from min up to max', async (t) => {
  const adapter = structuredClone(adapterById('generic-vfd')) as unknown as Record<string, unknown> & { registers: Array<Record<string, unknown>> };
  const at = (name: string): number => adapter.registers.findIndex((r) => r.name === name);
  adapter.registers[at('motor_current')]!.writeRange = { min: 0, max: 10 };
  adapter.registers[at('frequency_setpoint')]!.writeRange = { min: 60, max: 50 };
  adapter.registers[at('accel_time')]!.writeRange = { min: 'fast' };
  t.same(validateAdapter(adapter).map((p) => `${p.path}: ${p.message}`).filter((m) => m.includes('writeRange')).sort(), [
    `registers[${at('accel_time')}].writeRange.max: must be a finite number`,
    `registers[${at('accel_time')}].writeRange.min: must be a finite number`,
    `registers[${at('frequency_setpoint')}].writeRange: min (60) must be below max (50)`,
    `registers[${at('motor_current')}].writeRange: only a writable register has a write range`,
  ].sort());
});

t.test('a measuring range runs from min up to max, on numeric registers; outside it a reading is uncertain', async (t) => {
  const adapter = structuredClone(adapterById('generic-vfd')) as unknown as Record<string, unknown> & { registers: Array<Record<string, unknown>> };
  const at = (name: string): number => adapter.registers.findIndex((r) => r.name === name);
  adapter.registers[at('motor_current')]!.range = { min: 10, max: 0 };
  adapter.registers[at('output_power')]!.range = 'wide';
  t.same(validateAdapter(adapter).map((p) => `${p.path}: ${p.message}`).filter((m) => m.includes('range')).sort(), [
    `registers[${at('motor_current')}].range: min (10) must be below max (0)`,
    `registers[${at('output_power')}].range: must be an object { min, max } in engineering units`,
  ].sort());
  const heatsink = adapterById('generic-vfd').registers.find((r) => r.name === 'heatsink_temperature')!;
  t.same(judgedSample(heatsink, 52.5, 7), { parameter: 'heatsink_temperature', value: 52.5, quality: 'good', timeMs: 7 });
  t.same(judgedSample(heatsink, 3276.7, 7), { parameter: 'heatsink_temperature', value: 3276.7, quality: 'uncertain', reason: 'out-of-range', timeMs: 7 });
  t.same(judgedSample(heatsink, Number.NaN, 7), { parameter: 'heatsink_temperature', value: 0, quality: 'bad', reason: 'decode', timeMs: 7 });
});

t.test('the validator checks bitfield tables, conditions, rules and simulation effects', async (t) => {
  const plc = ADAPTERS.find((a) => a.id === 'generic-plc')!;
  const broken = structuredClone(plc) as unknown as Record<string, unknown>;
  const tables = broken.faultTables as Array<Record<string, unknown>>;
  tables[0]!.kind = 'bits';
  tables[1]!.mask = 3;
  const bitTable = structuredClone(tables[0]!);
  bitTable.kind = 'bitfield';
  bitTable.mask = 0x0f;
  bitTable.codes = { 32: { code: 'plc.x_a', category: 'hardware', severity: 'minor', message: 'x a', remedy: 'do something useful' },
    7: { code: 'plc.x_b', category: 'hardware', severity: 'minor', message: 'x b', remedy: 'do something useful' } };
  tables.push(bitTable);
  const thresholds = broken.thresholds as Array<Record<string, unknown>>;
  thresholds[0]!.when = { parameter: 'nope', op: 'about', value: 'one' };
  const rules = broken.rules as Array<Record<string, unknown>>;
  rules[0]!.afterMs = 0;
  rules.push({ ...rules[0], kind: 'rate', code: 'plc.rate_x', direction: 'up', limitPerS: 1, deadbandPerS: 2, windowMs: 0, onDelayMs: 0, offDelayMs: 0 });
  rules.push({ ...rules[0], kind: 'wobble', code: 'plc.scan_time_high' });
  const sim = broken.simulation as { faultEffects: Record<string, unknown>; signals: Record<string, Record<string, unknown>> };
  sim.faultEffects['plc.no_such_fault'] = { scan_time: 1 };
  sim.signals.scan_time!.wrap = 10;
  const paths = validateAdapter(broken).map((p) => p.path);
  const want = [
    'faultTables[0].kind', 'faultTables[1].mask', 'faultTables[2].codes.32', 'faultTables[2].codes.7',
    'thresholds[0].when.parameter', 'thresholds[0].when.op', 'thresholds[0].when.value',
    'rules[0].afterMs', 'rules[2].direction', 'rules[2].deadbandPerS', 'rules[2].windowMs', 'rules[3].kind', 'rules[3].code',
    'simulation.faultEffects.plc.no_such_fault', 'simulation.signals.scan_time.wrap',
  ];
  for (const p of want) t.ok(paths.includes(p), `reports ${p}`);
});
