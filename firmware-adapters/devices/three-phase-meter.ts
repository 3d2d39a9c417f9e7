/**
 * A three-phase energy meter (EM-3Pnn family): float32 measurements in CDAB word order, as most
 * meters send them, in input registers; an alarm word with one bit per supply problem. The
 * meter computes the imbalance itself (IEC 61000-4-30 style), so the adapter puts limits on it.
 */
import { defineAdapter, input, type FaultDef, type RegisterDef } from '../schema.js';

const f32 = (address: number, name: string, unit: string, description: string): RegisterDef =>
  input(address, name, { type: 'float32', wordOrder: 'little', unit, description });
const alarm = (code: string, category: FaultDef['category'], severity: FaultDef['severity'], message: string, remedy: string): FaultDef =>
  ({ code: `meter.${code}`, category, severity, message, remedy });
const phaseLoss = (l: number): FaultDef => alarm(`phase_loss_l${l}`, 'hardware', 'major', `Phase L${l} voltage lost`,
  `Check the L${l} fuse or breaker upstream and the meter's voltage tap; motors on this supply run single-phased and overheat.`);

export default defineAdapter({
  id: 'three-phase-meter',
  vendor: 'Generic',
  description: 'Three-phase four-wire energy meter with power-quality alarms, Modbus TCP/RTU (EM-3P10/3P20/3P50)',
  match: { model: '^EM-3P\\d{2}$', firmware: '^\\d+\\.\\d+' },
  unitId: 1,
  registers: [
    f32(0x0000, 'voltage_l1', 'V', 'Phase voltage L1-N'),
    f32(0x0002, 'voltage_l2', 'V', 'Phase voltage L2-N'),
    f32(0x0004, 'voltage_l3', 'V', 'Phase voltage L3-N'),
    f32(0x0006, 'current_l1', 'A', 'Phase current L1'),
    f32(0x0008, 'current_l2', 'A', 'Phase current L2'),
    f32(0x000a, 'current_l3', 'A', 'Phase current L3'),
    f32(0x000c, 'voltage_imbalance', '%', 'Voltage imbalance: largest deviation from the mean, in % of the mean'),
    f32(0x000e, 'current_imbalance', '%', 'Current imbalance: largest deviation from the mean, in % of the mean'),
    f32(0x0010, 'power_factor', '', 'Total power factor (absolute)'),
    f32(0x0012, 'frequency', 'Hz', 'Supply frequency'),
    f32(0x0014, 'active_power', 'kW', 'Total active power'),
    input(0x0016, 'energy_import', { type: 'uint32', wordOrder: 'little', scale: 0.1, unit: 'kWh', description: 'Imported active energy' }),
    input(0x0018, 'alarm_status', { type: 'bitfield', unit: '', description: 'Alarm word: one bit per supply alarm' }),
  ],
  faultTables: [{
    kind: 'bitfield', register: 'alarm_status',
    related: ['voltage_l1', 'voltage_l2', 'voltage_l3', 'current_l1', 'current_l2', 'current_l3', 'voltage_imbalance', 'frequency'],
    unknown: { category: 'hardware', severity: 'minor', remedy: 'Look the alarm bit up in the meter manual and report it to R&D.' },
    codes: {
      0: phaseLoss(1),
      1: phaseLoss(2),
      2: phaseLoss(3),
      3: alarm('phase_sequence', 'config', 'major', 'Phase sequence reversed',
        'Swap two phases at the meter\'s voltage inputs (or upstream if motors also run backwards); check after any supply work.'),
      4: alarm('overvoltage', 'hardware', 'major', 'Phase voltage above the alarm limit',
        'Check the transformer tap and the supply with the utility; overvoltage shortens the life of every load.'),
      5: alarm('undervoltage', 'hardware', 'major', 'Phase voltage below the alarm limit',
        'Look for an overloaded feeder or a high-resistance joint; compare the phases.'),
      6: alarm('overcurrent', 'operation', 'major', 'Phase current above the alarm limit',
        'Find the load that grew; check the breaker rating against the cable.'),
      7: alarm('ct_reversed', 'config', 'minor', 'A current transformer is wired backwards (negative power on one phase)',
        'Swap S1/S2 of the CT whose phase power is negative, with the CT shorted first.'),
      8: alarm('neutral_current_high', 'hardware', 'major', 'Neutral current high',
        'Balance single-phase loads across the phases and check for harmonics; an overloaded neutral overheats.'),
      9: alarm('thd_high', 'operation', 'warning', 'Voltage total harmonic distortion above 8 %',
        'Find the non-linear loads (drives, rectifiers); consider filters.'),
      10: alarm('memory_error', 'hardware', 'minor', 'Meter memory error: energy registers may be wrong',
        'Note the energy readings, power-cycle the meter and replace it if the error returns.'),
    },
  }],
  thresholds: [{
    code: 'meter.voltage_imbalance', parameter: 'voltage_imbalance', direction: 'above', limit: 2, deadband: 0.5, onDelayMs: 10_000, offDelayMs: 10_000,
    category: 'hardware', severity: 'minor', message: 'Voltage imbalance above 2 %',
    remedy: 'Balance single-phase loads; check for a high-resistance joint on one phase. Motors derate fast above 2 %.',
    related: ['voltage_l1', 'voltage_l2', 'voltage_l3', 'voltage_imbalance'],
  }, {
    code: 'meter.current_imbalance', parameter: 'current_imbalance', direction: 'above', limit: 15, deadband: 3, onDelayMs: 30_000, offDelayMs: 30_000,
    category: 'operation', severity: 'warning', message: 'Current imbalance above 15 %',
    remedy: 'Check for a single-phased motor or a failed heater element on one phase.',
    related: ['current_l1', 'current_l2', 'current_l3', 'current_imbalance'],
  }, {
    code: 'meter.low_power_factor', parameter: 'power_factor', direction: 'below', limit: 0.85, deadband: 0.03, onDelayMs: 60_000, offDelayMs: 60_000,
    when: { parameter: 'active_power', op: 'gt', value: 1 },
    category: 'operation', severity: 'warning', message: 'Power factor below 0.85 under load',
    remedy: 'Check the power-factor correction bank (fuses, contactors, capacitors); utilities charge for reactive energy.',
    related: ['power_factor', 'active_power'],
  }, {
    code: 'meter.frequency_high', parameter: 'frequency', direction: 'above', limit: 50.5, deadband: 0.1, onDelayMs: 5000, offDelayMs: 5000,
    category: 'hardware', severity: 'major', message: 'Supply frequency above 50.5 Hz',
    remedy: 'On grid supply tell the utility; on a generator check its governor.', related: ['frequency'],
  }, {
    code: 'meter.frequency_low', parameter: 'frequency', direction: 'below', limit: 49.5, deadband: 0.1, onDelayMs: 5000, offDelayMs: 5000,
    category: 'hardware', severity: 'major', message: 'Supply frequency below 49.5 Hz',
    remedy: 'On a generator the load is too high or the governor is failing; on grid supply tell the utility.', related: ['frequency', 'active_power'],
  }],
  rules: [{
    kind: 'rate', code: 'meter.rocof', parameter: 'frequency', direction: 'either', limitPerS: 0.5, deadbandPerS: 0.1,
    windowMs: 2000, onDelayMs: 0, offDelayMs: 5000, category: 'hardware', severity: 'major',
    message: 'Rate of change of frequency above 0.5 Hz/s',
    remedy: 'The supply is unstable (islanding, a generator losing grip, a large load step); check the generator and the grid connection.',
    related: ['frequency', 'active_power'],
  }],
  simulation: {
    signals: {
      voltage_l1: { base: 230.5, amplitude: 1.2, periodS: 300, noise: 0.2 },
      voltage_l2: { base: 229.8, amplitude: 1.2, periodS: 310, noise: 0.2 },
      voltage_l3: { base: 231.1, amplitude: 1.2, periodS: 290, noise: 0.2 },
      current_l1: { base: 42, amplitude: 6, periodS: 120, noise: 0.5 },
      current_l2: { base: 40.5, amplitude: 6, periodS: 125, noise: 0.5 },
      current_l3: { base: 43.2, amplitude: 6, periodS: 115, noise: 0.5 },
      voltage_imbalance: { base: 0.4, amplitude: 0.15, periodS: 300, noise: 0.03 },
      current_imbalance: { base: 4, amplitude: 1.5, periodS: 120, noise: 0.3 },
      power_factor: { base: 0.93, amplitude: 0.02, periodS: 200, noise: 0.003 },
      frequency: { base: 50, amplitude: 0.04, periodS: 60, noise: 0.01 },
      active_power: { base: 27, amplitude: 4, periodS: 120, noise: 0.3 },
      energy_import: { base: 182_000, amplitude: 0, periodS: 1, noise: 0, ratePerS: 0.0075 },
      alarm_status: { base: 0, amplitude: 0, periodS: 1, noise: 0 },
    },
    faultEffects: {
      'meter.phase_loss_l1': { voltage_l1: 0, current_l1: 0, voltage_imbalance: 100, current_imbalance: 100 },
      'meter.phase_loss_l2': { voltage_l2: 0, current_l2: 0, voltage_imbalance: 100, current_imbalance: 100 },
      'meter.phase_loss_l3': { voltage_l3: 0, current_l3: 0, voltage_imbalance: 100, current_imbalance: 100 },
      'meter.overvoltage': { voltage_l1: 262, voltage_l2: 261, voltage_l3: 263 },
      'meter.undervoltage': { voltage_l1: 195, voltage_l2: 197, voltage_l3: 196 },
      'meter.overcurrent': { current_l1: 118, current_l2: 115, current_l3: 121 },
    },
  },
  knowledge: [
    { code: 'meter.phase_loss_l1', symptoms: 'One phase voltage drops to zero; three-phase motors hum, trip on overload or fail to start.',
      diagnosis: ['Compare voltage_l1..l3 in the pre-fault window.', 'Check the upstream fuse or breaker on that phase.', 'Check the meter\'s own voltage tap fuse.'],
      remedy: 'Replace the blown fuse after finding why it blew; do not restart motors single-phased.' },
    { code: 'meter.voltage_imbalance', symptoms: 'Imbalance creeps up over hours or days; motors run hotter.',
      diagnosis: ['Compare the phase voltages: one low phase points to a joint or an overloaded phase.', 'Thermograph the distribution board.'],
      remedy: 'Tighten or replace the hot joint; rebalance single-phase loads.' },
    { code: 'meter.rocof', symptoms: 'Frequency swings quickly; generators or protection relays trip.',
      diagnosis: ['Look at frequency and active_power in the pre-fault window: a large load step explains a single swing.'],
      remedy: 'Stabilise the supply: check the generator governor, or report grid instability to the utility.' },
  ],
});
