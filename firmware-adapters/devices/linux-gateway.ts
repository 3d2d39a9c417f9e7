/**
 * An embedded Linux gateway (GW-nnn family) that bridges serial field devices to the network.
 * It reports its own health as Modbus input registers (a health word, load, storage, board
 * temperature, uplink signal, serial error counter), and its syslog/journal tells the rest:
 * OOM kills, disk I/O errors, link down, segfaults, services in a restart loop. Run the agent on
 * the gateway itself with system metrics on (disk per mount, processes) for the host's own view.
 */
import { defineAdapter, input, type FaultDef, type LogPattern } from '../schema.js';

const health = (code: string, category: FaultDef['category'], severity: FaultDef['severity'], message: string, remedy: string): FaultDef =>
  ({ code: `gw.${code}`, category, severity, message, remedy });
const kernel = (p: Omit<LogPattern, 'app'>): LogPattern => ({ ...p, app: '^kernel$' });

export default defineAdapter({
  id: 'linux-gateway',
  vendor: 'Generic',
  description: 'Embedded Linux IoT gateway (ARM, eMMC, Ethernet + LTE, RS-485), health over Modbus TCP and syslog (GW-200/GW-400/GW-400-LTE)',
  match: { model: '^GW-\\d{3,4}(-LTE)?$', firmware: '^\\d+\\.\\d+' },
  unitId: 247,
  registers: [
    input(0x0000, 'cpu_load', { type: 'uint16', scale: 0.1, unit: '%', description: 'CPU load, 1-minute average' }),
    input(0x0001, 'mem_used', { type: 'uint16', scale: 0.1, unit: '%', description: 'Memory in use' }),
    input(0x0002, 'storage_used', { type: 'uint16', scale: 0.1, unit: '%', description: 'Data partition use' }),
    input(0x0003, 'board_temperature', { type: 'int16', scale: 0.1, unit: '°C', description: 'Board temperature' }),
    input(0x0004, 'health_flags', { type: 'bitfield', unit: '', description: 'Health word: one bit per condition' }),
    input(0x0005, 'uplink_rssi', { type: 'int16', unit: 'dBm', description: 'Cellular uplink signal strength' }),
    input(0x0006, 'downstream_online', { type: 'uint16', unit: '', description: 'Serial field devices answering' }),
    input(0x0007, 'serial_errors', { type: 'uint32', wordOrder: 'little', unit: '', description: 'RS-485 frame errors since boot (CRC, framing, overrun)' }),
    input(0x0009, 'supply_voltage', { type: 'uint16', scale: 0.01, unit: 'V', description: 'DC input voltage' }),
  ],
  faultTables: [{
    kind: 'bitfield', register: 'health_flags',
    related: ['cpu_load', 'mem_used', 'storage_used', 'board_temperature', 'supply_voltage'],
    unknown: { category: 'software', severity: 'minor', remedy: 'Read the gateway\'s health page and report the bit to R&D.' },
    codes: {
      0: health('watchdog_reset', 'software', 'warning', 'The hardware watchdog rebooted the gateway',
        'Read the previous boot\'s journal (journalctl -b -1) for what hung; a repeat points to a runaway service or failing storage.'),
      1: health('rtc_battery_low', 'hardware', 'warning', 'Real-time clock battery low',
        'Replace the RTC cell at the next visit; without NTP the clock resets at power loss.'),
      2: health('storage_read_only', 'hardware', 'critical', 'Storage remounted read-only after file-system errors',
        'The eMMC is worn or corrupted: back up the configuration, run a file-system check, and plan a replacement.'),
      3: health('uplink_down', 'link', 'major', 'No uplink to the network',
        'Check the Ethernet cable or the SIM, antenna and signal; data is buffered until the link returns.'),
      4: health('sim_missing', 'config', 'major', 'No SIM card detected',
        'Insert or reseat the SIM; check it is activated with the carrier.'),
      5: health('supply_undervoltage', 'hardware', 'major', 'Supply under-voltage detected',
        'Measure the DC supply under load; a weak supply corrupts storage and causes resets.'),
      6: health('ntp_unsynced', 'config', 'warning', 'Clock not synchronised (NTP)',
        'Check the NTP servers are reachable through the uplink and the firewall; event times drift until then.'),
      7: health('config_checksum', 'config', 'minor', 'Configuration checksum mismatch: defaults loaded',
        'Restore the configuration from backup and find who changed it.'),
      8: health('serial_port_fault', 'hardware', 'major', 'RS-485 port hardware fault',
        'Check the bus for shorts and the termination; the transceiver may be damaged by a surge.'),
      9: health('vpn_down', 'link', 'minor', 'VPN tunnel to the service centre down',
        'Check the uplink and the VPN certificates\' validity; remote support is unavailable until it is back.'),
    },
  }],
  thresholds: [{
    code: 'gw.board_hot', parameter: 'board_temperature', direction: 'above', limit: 80, deadband: 5, onDelayMs: 10_000, offDelayMs: 10_000,
    category: 'hardware', severity: 'major', message: 'Board temperature above 80 °C',
    remedy: 'Check the enclosure ventilation and sun exposure; the CPU throttles and the eMMC wears faster when hot.', related: ['board_temperature', 'cpu_load'],
  }, {
    code: 'gw.storage_full', parameter: 'storage_used', direction: 'above', limit: 90, deadband: 5, onDelayMs: 0, offDelayMs: 0,
    category: 'software', severity: 'major', message: 'Data partition over 90 % full',
    remedy: 'Check log rotation and the store-and-forward buffer; a full partition stops buffering and can corrupt the configuration.', related: ['storage_used'],
  }, {
    code: 'gw.memory_high', parameter: 'mem_used', direction: 'above', limit: 95, deadband: 10, onDelayMs: 60_000, offDelayMs: 10_000,
    category: 'software', severity: 'minor', message: 'Memory use above 95 % for a minute',
    remedy: 'Find the growing process (ps by RSS); the OOM killer will end one soon.', related: ['mem_used', 'cpu_load'],
  }, {
    code: 'gw.weak_signal', parameter: 'uplink_rssi', direction: 'below', limit: -105, deadband: 3, onDelayMs: 30_000, offDelayMs: 30_000,
    category: 'link', severity: 'warning', message: 'Cellular signal below -105 dBm',
    remedy: 'Move or replace the antenna, check its cable and connector; consider an external antenna.', related: ['uplink_rssi'],
  }],
  rules: [{
    kind: 'rate', code: 'gw.serial_errors_rising', parameter: 'serial_errors', direction: 'rising', limitPerS: 1, deadbandPerS: 0.2,
    windowMs: 10_000, onDelayMs: 0, offDelayMs: 30_000, category: 'link', severity: 'minor',
    message: 'RS-485 errors rising faster than 1 per second',
    remedy: 'Check bus termination (120 Ω at both ends only), biasing, shield grounding, and that all devices use the same baud rate and parity.',
    related: ['serial_errors', 'downstream_online'],
  }],
  logPatterns: [
    kernel({ id: 'oom-kill', pattern: 'Out of memory: Killed process (?<pid>\\d+) \\((?<proc>[^)]+)\\)', code: 'gw.oom_kill',
      category: 'software', severity: 'major', message: 'The kernel OOM killer ended ${proc} (pid ${pid})',
      remedy: 'Find the process that grew (the OOM report lists RSS per process); fix its leak or limit it with systemd MemoryMax.' }),
    kernel({ id: 'disk-io-error', pattern: 'I/O error,? (?:on )?dev(?:ice)? (?<dev>[a-z0-9]+)', ignoreCase: true, code: 'gw.disk_io_error',
      category: 'hardware', severity: 'critical', message: 'Disk I/O error on ${dev}',
      remedy: 'The storage is failing: back up the configuration and replace the card or module before it goes read-only.' }),
    kernel({ id: 'fs-error', pattern: 'EXT4-fs error \\(device (?<dev>[a-z0-9]+)\\)', code: 'gw.filesystem_error',
      category: 'hardware', severity: 'major', message: 'File-system error on ${dev}',
      remedy: 'Schedule a file-system check (fsck) at the next reboot and check the storage health (mmc extcsd / smartctl).' }),
    kernel({ id: 'link-down', pattern: '(?<iface>(?:eth|enp|end|wlan|wwan)[a-z0-9]*):? (?:NIC )?link (?:is )?down', ignoreCase: true, code: 'gw.link_down',
      category: 'link', severity: 'major', message: 'Network link ${iface} went down', clearAfterMs: 120_000,
      remedy: 'Check the cable and the switch port; repeated drops point to a bad cable, connector or a failing PHY.' }),
    kernel({ id: 'segfault', pattern: '(?<proc>[\\w.-]+)\\[(?<pid>\\d+)\\]: segfault at', code: 'gw.segfault',
      category: 'software', severity: 'major', message: '${proc} crashed (segmentation fault)',
      remedy: 'Collect the core dump (coredumpctl) and the version of the program and report it to R&D.' }),
    kernel({ id: 'under-voltage', pattern: 'Under-voltage detected', code: 'gw.undervoltage_log',
      category: 'hardware', severity: 'major', message: 'The kernel reported supply under-voltage',
      remedy: 'Use a supply rated for the peak load and a short, thick cable.' }),
    { id: 'restart-loop', app: '^systemd$', pattern: '(?<unit>[\\w@.-]+)\\.service: Start request repeated too quickly', code: 'gw.service_restart_loop',
      category: 'software', severity: 'major', message: 'Service ${unit} keeps crashing and systemd gave up restarting it',
      remedy: 'Read the unit\'s journal (journalctl -u UNIT) for why it exits; fix that, then systemctl reset-failed and start it.' },
    { id: 'restarting', app: '^systemd$', pattern: '(?<unit>[\\w@.-]+)\\.service: Scheduled restart job, restart counter is at (?<count>\\d+)', code: 'gw.service_restarting',
      category: 'software', severity: 'warning', message: 'Service ${unit} restarted (${count} times so far)',
      remedy: 'A service that keeps restarting will end in a restart loop: read its journal now.' },
  ],
  simulation: {
    signals: {
      cpu_load: { base: 18, amplitude: 8, periodS: 60, noise: 2 },
      mem_used: { base: 46, amplitude: 3, periodS: 600, noise: 0.3 },
      storage_used: { base: 37, amplitude: 0, periodS: 1, noise: 0.05 },
      board_temperature: { base: 51, amplitude: 3, periodS: 900, noise: 0.2 },
      health_flags: { base: 0, amplitude: 0, periodS: 1, noise: 0 },
      uplink_rssi: { base: -79, amplitude: 4, periodS: 300, noise: 1 },
      downstream_online: { base: 12, amplitude: 0, periodS: 1, noise: 0 },
      serial_errors: { base: 140, amplitude: 0, periodS: 1, noise: 0, ratePerS: 0.002 },
      supply_voltage: { base: 24.2, amplitude: 0.05, periodS: 30, noise: 0.02 },
    },
    faultEffects: {
      'gw.uplink_down': { uplink_rssi: -113 },
      'gw.supply_undervoltage': { supply_voltage: 10.6 },
      'gw.serial_port_fault': { downstream_online: 0 },
    },
  },
  knowledge: [
    { code: 'gw.oom_kill', symptoms: 'A service disappears and restarts; memory use climbed for hours before.',
      diagnosis: ['Read mem_used in the pre-fault window: a steady climb is a leak.', 'The OOM report in the log excerpt names the largest process.'],
      remedy: 'Restart the leaking service in a maintenance window, cap it with MemoryMax, and report the leak.' },
    { code: 'gw.storage_read_only', symptoms: 'Configuration changes are lost at reboot; logs stop; buffering fails.',
      diagnosis: ['Look for gw.disk_io_error and gw.filesystem_error events before it.', 'Check the eMMC wear estimate.'],
      remedy: 'Replace the storage module and restore the configuration.' },
    { code: 'gw.service_restart_loop', symptoms: 'A service keeps exiting a few seconds after start; systemd gives up.',
      diagnosis: ['Read the log excerpt for the exit reason.', 'Check for a gw.segfault or gw.oom_kill event just before.'],
      remedy: 'Fix the cause, then systemctl reset-failed and start the unit.' },
    { code: 'gw.serial_errors_rising', symptoms: 'Field devices drop out and come back; values go stale.',
      diagnosis: ['Compare serial_errors and downstream_online in the pre-fault window.', 'Check termination and biasing with the bus powered.'],
      remedy: 'Repair the bus wiring and termination.' },
  ],
});
