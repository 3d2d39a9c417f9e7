/**
 * A single-loop PID temperature controller (TC-nn family): process value and set point in
 * 0.1 °C, heating output in %, a status word with one bit per input or heater fault.
 */
import { defineAdapter, holding, type FaultDef } from '../schema.js';

const status = (code: string, category: FaultDef['category'], severity: FaultDef['severity'], message: string, remedy: string): FaultDef =>
  ({ code: `tc.${code}`, category, severity, message, remedy });

export default defineAdapter({
  id: 'temperature-controller',
  vendor: 'Generic',
  description: 'Single-loop PID temperature controller with heater current input, Modbus RTU/TCP (TC-48/TC-96 series)',
  match: { model: '^TC-\\d{2}[A-Z]?$', firmware: '^\\d+\\.' },
  unitId: 1,
  registers: [
    holding(0x0000, 'pv', { type: 'int16', scale: 0.1, unit: '°C', description: 'Process value (measured temperature); 3276.7 on a sensor break' }),
    holding(0x0001, 'sp', { type: 'int16', scale: 0.1, unit: '°C', description: 'Set point', writable: true, writeRange: { min: -50, max: 400 } }),
    holding(0x0002, 'output', { type: 'uint16', scale: 0.1, unit: '%', description: 'Heating output (manipulated value)' }),
    holding(0x0003, 'status_word', { type: 'bitfield', unit: '', description: 'Status word: one bit per input or heater fault' }),
    holding(0x0004, 'control_mode', { type: 'uint16', unit: '', description: 'Mode: 0 manual, 1 auto, 2 autotuning, 3 standby' }),
    holding(0x0005, 'heater_current', { type: 'uint16', scale: 0.1, unit: 'A', description: 'Heater current from the CT input' }),
    holding(0x0006, 'alarm_high_limit', { type: 'int16', scale: 0.1, unit: '°C', description: 'High alarm limit', writable: true, writeRange: { min: -50, max: 450 } }),
  ],
  faultTables: [{
    kind: 'bitfield', register: 'status_word',
    related: ['pv', 'sp', 'output', 'heater_current', 'control_mode'],
    unknown: { category: 'hardware', severity: 'minor', remedy: 'Look the status bit up in the controller manual and report it to R&D.' },
    codes: {
      0: status('sensor_break', 'hardware', 'critical', 'Input sensor break (thermocouple or RTD open)',
        'Check the sensor and its extension cable and terminals; the controller holds its output off until the input is back.'),
      1: status('input_over_range', 'hardware', 'major', 'Input above the sensor range',
        'Check the input type setting matches the sensor; a shorted RTD or a wrong thermocouple type also reads out of range.'),
      2: status('input_under_range', 'hardware', 'major', 'Input below the sensor range',
        'Check the sensor polarity (thermocouple) and the input type setting.'),
      3: status('cjc_error', 'hardware', 'minor', 'Cold-junction compensation error',
        'The terminal temperature sensor has failed or the terminals are very hot: check the cabinet temperature, replace the controller if it persists.'),
      4: status('ad_converter_error', 'hardware', 'critical', 'A/D converter error',
        'Power-cycle the controller; replace it if the error returns.'),
      5: status('heater_burnout', 'hardware', 'major', 'Heater burnout: no heater current with the output on',
        'Check the heater element, its fuse and the contactor or SSR wiring; measure the element resistance.'),
      6: status('ssr_failure', 'hardware', 'critical', 'SSR failure: heater current with the output off',
        'The solid-state relay has failed shorted and heats without control: isolate the heater and replace the SSR.'),
      7: status('heater_overcurrent', 'hardware', 'major', 'Heater current above the limit',
        'Check for a short to earth in the heater or its wiring and the supply voltage.'),
      8: status('loop_break', 'operation', 'major', 'Loop break: the process value does not follow the output',
        'Check the whole loop: sensor placement, heater, contactor, and that the sensor measures the heated part.'),
      9: status('eeprom_error', 'hardware', 'minor', 'Settings memory error',
        'Check and re-enter the settings; replace the controller if the error returns after a power cycle.'),
    },
  }],
  thresholds: [{
    code: 'tc.output_saturated', parameter: 'output', direction: 'above', limit: 99.5, deadband: 5, onDelayMs: 120_000, offDelayMs: 10_000,
    when: { parameter: 'control_mode', op: 'eq', value: 1 }, category: 'operation', severity: 'major',
    message: 'Heating output at 100 % for over 2 minutes in auto',
    remedy: 'The heater cannot reach the set point: check for a failed element or phase, a door left open, or a set point above what the process can do.',
    related: ['output', 'pv', 'sp', 'heater_current'],
  }, {
    code: 'tc.pv_high', parameter: 'pv', direction: 'above', limit: 250, deadband: 5, onDelayMs: 5000, offDelayMs: 5000,
    category: 'operation', severity: 'major', message: 'Process temperature above 250 °C',
    remedy: 'Check for an SSR stuck on or a wrong set point; the product or the machine may be damaged by overheating.',
    related: ['pv', 'sp', 'output', 'heater_current'],
  }],
  rules: [{
    kind: 'stuck', code: 'tc.pv_frozen', parameter: 'pv', epsilon: 0.05, afterMs: 300_000,
    when: { parameter: 'output', op: 'gt', value: 5 }, category: 'hardware', severity: 'minor',
    message: 'Process value unchanged for 5 minutes while heating',
    remedy: 'A live temperature always wanders a little: check the sensor is not shorted or pulled out of the process, and the input is not in a hold state.',
    related: ['pv', 'output'],
  }, {
    kind: 'rate', code: 'tc.pv_runaway', parameter: 'pv', direction: 'rising', limitPerS: 5, deadbandPerS: 1, windowMs: 5000,
    onDelayMs: 0, offDelayMs: 10_000, category: 'hardware', severity: 'critical',
    message: 'Process temperature rising faster than 5 °C/s',
    remedy: 'Thermal runaway or a sensor fault: isolate the heater supply and check the SSR and the sensor.',
    related: ['pv', 'output', 'heater_current'],
  }],
  simulation: {
    signals: {
      pv: { base: 180, amplitude: 0.8, periodS: 90, noise: 0.1 },
      sp: { base: 180, amplitude: 0, periodS: 1, noise: 0 },
      output: { base: 42, amplitude: 6, periodS: 90, noise: 0.5 },
      status_word: { base: 0, amplitude: 0, periodS: 1, noise: 0 },
      control_mode: { base: 1, amplitude: 0, periodS: 1, noise: 0 },
      heater_current: { base: 8.5, amplitude: 1, periodS: 90, noise: 0.1 },
      alarm_high_limit: { base: 250, amplitude: 0, periodS: 1, noise: 0 },
    },
    faultEffects: {
      'tc.sensor_break': { pv: 3276.7, output: 0, heater_current: 0 },
      'tc.heater_burnout': { heater_current: 0, output: 100 },
      'tc.ssr_failure': { output: 0, heater_current: 12.5 },
      'tc.heater_overcurrent': { heater_current: 21 },
      'tc.loop_break': { output: 100 },
      'tc.output_saturated': { output: 100 },
    },
  },
  knowledge: [
    { code: 'tc.sensor_break', symptoms: 'PV jumps to the top of the range (3276.7) and the output drops to 0.',
      diagnosis: ['Measure the sensor at the controller terminals.', 'Check the extension cable for a break near moving parts.'],
      remedy: 'Replace the sensor or repair the cable; use the right compensating cable for a thermocouple.' },
    { code: 'tc.output_saturated', symptoms: 'Output pinned at 100 % and PV creeping or stuck below SP.',
      diagnosis: ['Check heater_current: 0 A means a blown element or fuse; about two thirds of normal means one phase lost.', 'Check doors, insulation and the set point.'],
      remedy: 'Repair the heater circuit or lower the set point to what the process can hold.' },
    { code: 'tc.ssr_failure', symptoms: 'Temperature rises with the output at 0 %; heater current flows all the time.',
      diagnosis: ['Compare output and heater_current in the pre-fault window.'], remedy: 'Isolate the heater and replace the SSR; check its heat sink.' },
  ],
});
