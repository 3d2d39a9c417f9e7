import t from 'tap';
import { ADAPTERS, adapterFor, validateAdapter } from '../../firmware-adapters/index.js';
import { decodeRegister } from '../../firmware-adapters/register-codec.js';
import { registerWidth } from '../../firmware-adapters/schema.js';
import { DeviceModel } from '../../firmware-adapters/simulator/device-model.js';
import { scenarioSteps, applyStep } from '../../firmware-adapters/simulator/fault-scenario.js';
import { detect, initialDetectorState } from '../../agent/core/detection.js';
import type { Sample } from '../../protocol/values.js';

t.test('invariants over every adapter', async (t) => {
  const ids = new Set<string>();
  for (const a of ADAPTERS) {
    t.test(a.id, async (t) => {
      t.same(validateAdapter(a), [], 'validates without problems');
      t.notOk(ids.has(a.id), 'id is unique');
      ids.add(a.id);
      const codes = a.faultTables.flatMap((ft) => Object.keys(ft.codes));
      t.ok(codes.length >= 8, 'at least 8 fault codes');
      for (const ft of a.faultTables) {
        for (const def of Object.values(ft.codes)) t.ok(def.remedy.length > 10 && def.message.length > 3, `${def.code} has a message and a remedy`);
      }
      // The simulator and the decoder agree on every register.
      for (const r of a.registers) {
        const words = new DeviceModel(a, 7).readWords(r.table, r.address, registerWidth(r.type), 1000);
        const held = new DeviceModel(a, 7).valueAt(r.name, 1000);
        const tolerance = Math.max(Math.abs(r.scale ?? 1) / 2, Math.abs(held) * 1e-6) + 1e-9;
        t.ok(Math.abs(decodeRegister(r, words) - held) <= tolerance, `${r.name} decodes to what the simulator holds`);
      }
      // Every scenario step is seen by the agent's detectors: the simulator and detection share one definition.
      for (const step of scenarioSteps(new DeviceModel(a))) {
        const m = new DeviceModel(a);
        applyStep(m, step, true);
        let state = initialDetectorState();
        const raised: string[] = [];
        for (let time = 0; time <= 10_000; time += 500) {
          const samples = new Map<string, Sample>(a.registers.map((r) => {
            const value = decodeRegister(r, m.readWords(r.table, r.address, registerWidth(r.type), time));
            return [r.name, { parameter: r.name, value, quality: 'good', timeMs: time }];
          }));
          const res = detect(a, state, samples, time);
          state = res.state;
          raised.push(...res.transitions.filter((x) => x.transition === 'raise').map((x) => x.fault.code));
        }
        t.ok(raised.includes(step.label), `injecting ${step.label} raises it`);
      }
    });
  }
});

t.test('model and firmware pick the adapter', async (t) => {
  t.equal(adapterFor('VFD-4000', '2.3.1').id, 'generic-vfd');
  t.throws(() => adapterFor('VFD-4000', '9.0'), { code: 'FL_ERR_ADAPTER_NO_MATCH' });
  t.throws(() => adapterFor('PLC-1', '1.0'), { code: 'FL_ERR_ADAPTER_NO_MATCH' });
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
