import t from 'tap';
import { adapterById } from '../../firmware-adapters/index.js';
import { DeviceModel } from '../../firmware-adapters/simulator/device-model.js';
import { detectionHorizonMs, faultRecipes } from '../../firmware-adapters/simulator/fault-recipes.js';
import { scenarioSteps, stepDurationMs } from '../../firmware-adapters/simulator/fault-scenario.js';

t.test('fault codes become register values, bits, forced values, ramps and freezes', async (t) => {
  const plc = adapterById('generic-plc');
  const recipes = faultRecipes(plc);
  t.same(recipes.get('plc.io_bus_error'), { kind: 'bit', register: 'diagnostic_word', bit: 2 });
  t.same(recipes.get('plc.app_divide_by_zero'), { kind: 'enum', register: 'app_exception', value: 3 });
  t.same(recipes.get('plc.program_halted'), { kind: 'freeze', parameter: 'cycle_counter' });
  const scan = recipes.get('plc.scan_time_high');
  t.ok(scan?.kind === 'force' && scan.value > 22, 'a threshold is pushed past limit + deadband');
  const low = recipes.get('plc.supply_low');
  t.ok(low?.kind === 'force' && low.value < 21.2, 'a below-threshold is pushed under limit - deadband');
  t.same(faultRecipes(adapterById('three-phase-meter')).get('meter.rocof'), { kind: 'ramp', parameter: 'frequency', perS: 1.1 });
  t.equal(detectionHorizonMs(adapterById('temperature-controller')), 300_000, 'the slowest rule sets the horizon');
});

t.test('bits of a diagnostic word add up and clear one by one, status bits stay', async (t) => {
  const m = new DeviceModel(adapterById('generic-plc'));
  t.equal(m.valueAt('diagnostic_word', 0), 0x8000_0000, 'RUN status bit only');
  m.injectFaultCode('plc.battery_low');
  m.injectFaultCode('plc.clock_not_set');
  t.equal(m.valueAt('diagnostic_word', 0), 0x8002_0001);
  m.clearFaultCode('plc.battery_low');
  t.equal(m.valueAt('diagnostic_word', 0), 0x8002_0000);
  t.same(m.activeFaults, ['plc.clock_not_set']);
  m.clearFault();
  t.equal(m.valueAt('diagnostic_word', 0), 0x8000_0000);
});

t.test('an enum code and its side effects; the older numeric API still works', async (t) => {
  const m = new DeviceModel(adapterById('generic-vfd'));
  m.injectFault(1);
  t.equal(m.activeFault, 1);
  t.equal(m.valueAt('fault_code', 0), 1);
  t.equal(m.valueAt('motor_current', 0), 38.5, 'the fault effect applies');
  m.injectFaultCode('vfd.overtemperature');
  t.equal(m.valueAt('fault_code', 0), 4, 'one enum value at a time');
  t.same(m.activeFaults, ['vfd.overtemperature']);
  m.injectFault(77);
  t.equal(m.valueAt('fault_code', 0), 77, 'an unlisted value is shown as it is');
  m.injectFault(0);
  t.equal(m.activeFault, 0);
  t.throws(() => m.injectFaultCode('vfd.nope'), { code: 'FL_ERR_SIM_UNKNOWN_FAULT' });
});

t.test('a ramp starts where the value was; a freeze holds it; counters count and wrap', async (t) => {
  const tc = new DeviceModel(adapterById('temperature-controller'));
  tc.injectFaultCode('tc.pv_runaway');
  const start = tc.valueAt('pv', 10_000);
  t.ok(Math.abs(start - 180) < 2, 'the ramp starts at the normal value');
  t.ok(Math.abs(tc.valueAt('pv', 12_000) - (start + 22)) < 1e-9, 'and climbs at twice the limit plus the deadband (11 °C/s)');
  const plc = new DeviceModel(adapterById('generic-plc'));
  t.equal(plc.valueAt('cycle_counter', 0), 0, 'counters start at their base when the device starts');
  t.equal(plc.valueAt('cycle_counter', 1000), 120);
  t.equal(plc.valueAt('cycle_counter', 600_000), (120 * 600) % 65536, 'wraps like a uint16 counter');
  plc.injectFaultCode('plc.program_halted');
  const frozen = plc.valueAt('cycle_counter', 2000);
  t.equal(plc.valueAt('cycle_counter', 9000), frozen);
  plc.clearFaultCode('plc.program_halted');
  t.equal(plc.valueAt('cycle_counter', 9000), 1080, 'released, it counts on');
});

t.test('a scenario step lasts long enough for its rule to see it', async (t) => {
  const steps = scenarioSteps(new DeviceModel(adapterById('generic-vfd')));
  const byLabel = new Map(steps.map((s) => [s.label, s]));
  const cases: Array<[string, number]> = [['vfd.overcurrent', 8000], ['vfd.heatsink_hot', 8000], ['vfd.current_reading_frozen', 33_000]];
  for (const [label, want] of cases) t.equal(stepDurationMs(byLabel.get(label)!, 8000), want, label);
});
