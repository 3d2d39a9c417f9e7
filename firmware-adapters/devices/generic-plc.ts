/** A compact PLC (PLC-nnn family): digital I/O, a 32-bit diagnostic word, scan time and a scan heartbeat. */
import { defineAdapter, holding, type FaultDef, type RegisterDef } from '../schema.js';

const di = (address: number, name: string, description: string): RegisterDef =>
  ({ name, table: 'discrete', address, type: 'bit', unit: '', description });
const coil = (address: number, name: string, description: string): RegisterDef =>
  ({ name, table: 'coil', address, type: 'bit', unit: '', description, writable: true });
const diag = (code: string, category: FaultDef['category'], severity: FaultDef['severity'], message: string, remedy: string): FaultDef =>
  ({ code: `plc.${code}`, category, severity, message, remedy });

export default defineAdapter({
  id: 'generic-plc',
  vendor: 'Generic',
  description: 'Compact PLC with on-board digital I/O, Modbus TCP server (PLC-100/200/300 series)',
  match: { model: '^PLC-\\d{3}[A-Z]?$', firmware: '^V?[2-4]\\.' },
  unitId: 1,
  registers: [
    di(0, 'di_estop_ok', 'Emergency-stop chain healthy (1) or broken (0)'),
    di(1, 'di_guard_closed', 'Safety guard closed'),
    di(2, 'di_air_pressure_ok', 'Compressed air pressure switch'),
    coil(0, 'do_motor_enable', 'Main motor contactor enable'),
    coil(1, 'do_alarm_lamp', 'Alarm beacon'),
    holding(0x0000, 'digital_inputs', { type: 'bitfield', unit: '', description: 'Input image DI0-DI15' }),
    holding(0x0001, 'digital_outputs', { type: 'bitfield', unit: '', description: 'Output image DO0-DO15' }),
    holding(0x0002, 'cpu_mode', { type: 'uint16', unit: '', description: 'CPU mode: 0 stop, 1 run, 2 halted by an error' }),
    holding(0x0003, 'scan_time', { type: 'uint16', scale: 0.1, unit: 'ms', description: 'Last program scan time' }),
    holding(0x0004, 'cycle_counter', { type: 'uint16', unit: '', description: 'Scan counter, +1 per scan, wraps at 65535 (heartbeat)' }),
    holding(0x0006, 'diagnostic_word', { type: 'uint32', wordOrder: 'little', unit: '', description: 'Diagnostic word (CDAB): one bit per fault; bit 31 = RUN status' }),
    holding(0x0008, 'app_exception', { type: 'uint16', unit: '', description: 'Application exception code (0 = none)' }),
    holding(0x0009, 'cabinet_temperature', { type: 'int16', scale: 0.1, unit: '°C', description: 'Temperature inside the control cabinet' }),
    holding(0x000a, 'supply_voltage', { type: 'uint16', scale: 0.01, unit: 'V', description: '24 V DC supply' }),
    holding(0x000b, 'analog_in_1', { type: 'int16', scale: 0.01, unit: '%', description: 'Analog input 1 (4-20 mA as 0-100 %)' }),
  ],
  faultTables: [{
    kind: 'bitfield', register: 'diagnostic_word', mask: 0x0003_07ff,
    related: ['cpu_mode', 'scan_time', 'supply_voltage', 'cabinet_temperature', 'digital_inputs'],
    unknown: { category: 'hardware', severity: 'minor', remedy: 'Read the PLC diagnostic buffer with the engineering tool and report the bit to R&D.' },
    codes: {
      0: diag('battery_low', 'hardware', 'warning', 'Backup battery low', 'Replace the backup battery with the PLC powered, or retentive data and the clock are lost at the next power cut.'),
      1: diag('io_module_missing', 'hardware', 'major', 'Configured I/O module missing', 'Check the module is seated on the backplane and its bus connector; compare the hardware configuration with what is fitted.'),
      2: diag('io_bus_error', 'link', 'major', 'I/O backplane bus error', 'Reseat the I/O modules one by one; a damaged bus connector or a failing module disturbs the whole rack.'),
      3: diag('cycle_overrun', 'software', 'minor', 'Scan cycle exceeded the cycle watchdog', 'Look for loops or heavy communication blocks in the program; raise the watchdog only after finding the cause.'),
      4: diag('program_checksum', 'config', 'critical', 'Program checksum mismatch', 'Reload the approved program from the project archive; find out who changed it.'),
      5: diag('retentive_data_lost', 'software', 'major', 'Retentive data lost at power-up', 'Restore recipes and counters from backup and replace the battery; check the retentive memory settings.'),
      6: diag('power_supply_fault', 'hardware', 'major', 'Internal power supply fault', 'Measure the 24 V supply under load; replace the PSU or the CPU if the supply is good.'),
      7: diag('output_short_circuit', 'hardware', 'major', 'Digital output short circuit', 'Find the shorted output from digital_outputs; check the load and the cable for a short to 0 V.'),
      8: diag('analog_wire_break', 'hardware', 'minor', 'Analog input wire break (below 3.6 mA)', 'Check the transmitter loop wiring and its supply; measure the loop current.'),
      9: diag('fieldbus_slave_missing', 'link', 'major', 'A fieldbus slave does not answer', 'Check the slave\'s power, address and the bus cable and terminators.'),
      10: diag('cpu_overtemperature', 'hardware', 'major', 'CPU overtemperature', 'Check the cabinet cooling and filter fans; the CPU halts if it gets hotter.'),
      16: diag('memory_card_error', 'hardware', 'minor', 'Memory card missing or unreadable', 'Reseat or replace the memory card; keep a copy of the program on it.'),
      17: diag('clock_not_set', 'config', 'warning', 'Real-time clock not set', 'Set the clock or configure NTP; logged data has wrong time stamps until then.'),
    },
  }, {
    register: 'app_exception',
    related: ['cpu_mode', 'scan_time', 'cycle_counter'],
    unknown: { category: 'software', severity: 'major', remedy: 'Read the exception from the PLC diagnostic buffer and hand it to the programmer.' },
    codes: {
      1: diag('app_watchdog', 'software', 'critical', 'Application task watchdog expired: CPU halted', 'Find the endless loop in the task named in the diagnostic buffer; restart the CPU after fixing it.'),
      2: diag('app_access_violation', 'software', 'critical', 'Application memory access violation: CPU halted', 'A pointer or reference points outside its data; check recent program changes with the programmer.'),
      3: diag('app_divide_by_zero', 'software', 'major', 'Division by zero in the application', 'Guard the division in the program; check the input that became zero.'),
      4: diag('app_array_bounds', 'software', 'major', 'Array index out of bounds in the application', 'Check the index calculation and limit it to the array size.'),
    },
  }],
  thresholds: [{
    code: 'plc.scan_time_high', parameter: 'scan_time', direction: 'above', limit: 20, deadband: 2, onDelayMs: 3000, offDelayMs: 3000,
    category: 'software', severity: 'warning', message: 'Scan time above 20 ms',
    remedy: 'Look for communication blocks or loops that grew; the process reacts slower and the watchdog may trip.', related: ['scan_time', 'cpu_mode'],
  }, {
    code: 'plc.cabinet_hot', parameter: 'cabinet_temperature', direction: 'above', limit: 55, deadband: 3, onDelayMs: 10_000, offDelayMs: 10_000,
    category: 'hardware', severity: 'minor', message: 'Control cabinet above 55 °C',
    remedy: 'Check the cabinet fans and filters and that the door is closed; electronics age fast above 55 °C.', related: ['cabinet_temperature'],
  }, {
    code: 'plc.supply_low', parameter: 'supply_voltage', direction: 'below', limit: 21.6, deadband: 0.4, onDelayMs: 1000, offDelayMs: 5000,
    category: 'hardware', severity: 'major', message: '24 V supply below 21.6 V',
    remedy: 'Measure the supply under load; an overloaded or failing PSU causes random I/O and CPU resets.', related: ['supply_voltage'],
  }],
  rules: [{
    kind: 'stuck', code: 'plc.program_halted', parameter: 'cycle_counter', epsilon: 0, afterMs: 5000,
    when: { parameter: 'cpu_mode', op: 'eq', value: 1 }, category: 'software', severity: 'critical',
    message: 'Scan heartbeat stopped while the CPU reports RUN',
    remedy: 'The program is stuck or the CPU hung without reporting it: check the outputs are safe, then restart the CPU and read its diagnostic buffer.',
    related: ['cycle_counter', 'cpu_mode', 'scan_time'],
  }, {
    kind: 'stuck', code: 'plc.analog_frozen', parameter: 'analog_in_1', epsilon: 0.001, afterMs: 120_000,
    when: { parameter: 'cpu_mode', op: 'eq', value: 1 }, category: 'hardware', severity: 'minor',
    message: 'Analog input 1 has not moved for 2 minutes',
    remedy: 'A live 4-20 mA signal always jitters: check the transmitter, and whether the channel is forced or the module is in a substitute-value state.',
    related: ['analog_in_1'],
  }],
  simulation: {
    signals: {
      di_estop_ok: { base: 1, amplitude: 0, periodS: 1, noise: 0 },
      di_guard_closed: { base: 1, amplitude: 0, periodS: 1, noise: 0 },
      di_air_pressure_ok: { base: 1, amplitude: 0, periodS: 1, noise: 0 },
      do_motor_enable: { base: 1, amplitude: 0, periodS: 1, noise: 0 },
      digital_inputs: { base: 0x0007, amplitude: 0, periodS: 1, noise: 0 },
      digital_outputs: { base: 0x0001, amplitude: 0, periodS: 1, noise: 0 },
      cpu_mode: { base: 1, amplitude: 0, periodS: 1, noise: 0 },
      scan_time: { base: 8, amplitude: 1.5, periodS: 40, noise: 0.3 },
      cycle_counter: { base: 0, amplitude: 0, periodS: 1, noise: 0, ratePerS: 120, wrap: 65536 },
      diagnostic_word: { base: 0x8000_0000, amplitude: 0, periodS: 1, noise: 0 },
      cabinet_temperature: { base: 38, amplitude: 2, periodS: 600, noise: 0.1 },
      supply_voltage: { base: 24.1, amplitude: 0.05, periodS: 30, noise: 0.02 },
      analog_in_1: { base: 62, amplitude: 4, periodS: 45, noise: 0.2 },
    },
    faultEffects: {
      'plc.power_supply_fault': { supply_voltage: 19.8 },
      'plc.cpu_overtemperature': { cabinet_temperature: 61 },
      'plc.output_short_circuit': { digital_outputs: 0, do_motor_enable: 0 },
      'plc.analog_wire_break': { analog_in_1: -25 },
      'plc.app_watchdog': { cpu_mode: 2, digital_outputs: 0, do_motor_enable: 0 },
      'plc.app_access_violation': { cpu_mode: 2, digital_outputs: 0, do_motor_enable: 0 },
    },
  },
  knowledge: [
    { code: 'plc.program_halted', symptoms: 'Outputs freeze in their last state; HMI values stop updating, the CPU LED still shows RUN.',
      diagnosis: ['Compare cycle_counter in the pre-fault window: it stops moving.', 'Read the diagnostic buffer for a task overrun just before.', 'Check scan_time: a steady climb points to a growing loop.'],
      remedy: 'Put the machine in a safe state, restart the CPU and fix the task that hangs.' },
    { code: 'plc.io_bus_error', symptoms: 'Several I/O modules drop out together; inputs read 0 at random.',
      diagnosis: ['Check which modules show a red LED.', 'Reseat them one at a time while watching the diagnostic word.'], remedy: 'Replace the failing module or the backplane connector.' },
    { code: 'plc.battery_low', symptoms: 'Diagnostic bit 0 set; clock and retentive data at risk.',
      diagnosis: ['Note the battery date on the label.'], remedy: 'Replace the battery with power on.' },
  ],
});
