/** A compact PLC (PLC-nnn family): digital I/O, a 32-bit diagnostic word, scan time and a scan heartbeat. */
import { defineAdapter, holding, type FaultDef, type FaultZh, type RegisterDef } from '../schema.js';

const di = (address: number, name: string, description: string): RegisterDef =>
  ({ name, table: 'discrete', address, type: 'bit', unit: '', description });
const coil = (address: number, name: string, description: string): RegisterDef =>
  ({ name, table: 'coil', address, type: 'bit', unit: '', description, writable: true });
const diag = (code: string, category: FaultDef['category'], severity: FaultDef['severity'], message: string, remedy: string, zh?: FaultZh): FaultDef =>
  ({ code: `plc.${code}`, category, severity, message, remedy, ...(zh ? { zh } : {}) });

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
    unknown: { category: 'hardware', severity: 'minor', remedy: 'Read the PLC diagnostic buffer with the engineering tool and report the bit to R&D.', zh: { remedy: '用工程软件读取 PLC 诊断缓冲区，并将该位报告研发部门。' } },
    codes: {
      0: diag('battery_low', 'hardware', 'warning', 'Backup battery low', 'Replace the backup battery with the PLC powered, or retentive data and the clock are lost at the next power cut.', { message: '后备电池电量低', remedy: '在 PLC 通电状态下更换后备电池，否则下次断电时保持数据和时钟将丢失。' }),
      1: diag('io_module_missing', 'hardware', 'major', 'Configured I/O module missing', 'Check the module is seated on the backplane and its bus connector; compare the hardware configuration with what is fitted.', { message: '组态的 I/O 模块缺失', remedy: '检查模块是否插好在背板上及其总线连接器；将硬件组态与实际安装进行比较。' }),
      2: diag('io_bus_error', 'link', 'major', 'I/O backplane bus error', 'Reseat the I/O modules one by one; a damaged bus connector or a failing module disturbs the whole rack.', { message: 'I/O 背板总线错误', remedy: '逐个重新插拔 I/O 模块；损坏的总线连接器或故障模块会干扰整个机架。' }),
      3: diag('cycle_overrun', 'software', 'minor', 'Scan cycle exceeded the cycle watchdog', 'Look for loops or heavy communication blocks in the program; raise the watchdog only after finding the cause.', { message: '扫描周期超过周期看门狗', remedy: '在程序中查找循环或繁重的通信块；找到原因后再提高看门狗时间。' }),
      4: diag('program_checksum', 'config', 'critical', 'Program checksum mismatch', 'Reload the approved program from the project archive; find out who changed it.', { message: '程序校验和不匹配', remedy: '从项目归档中重新加载经批准的程序；查明是谁修改了程序。' }),
      5: diag('retentive_data_lost', 'software', 'major', 'Retentive data lost at power-up', 'Restore recipes and counters from backup and replace the battery; check the retentive memory settings.', { message: '上电时保持数据丢失', remedy: '从备份恢复配方和计数器并更换电池；检查保持存储器设置。' }),
      6: diag('power_supply_fault', 'hardware', 'major', 'Internal power supply fault', 'Measure the 24 V supply under load; replace the PSU or the CPU if the supply is good.', { message: '内部电源故障', remedy: '在带载情况下测量 24 V 电源；若电源正常，则更换电源模块或 CPU。' }),
      7: diag('output_short_circuit', 'hardware', 'major', 'Digital output short circuit', 'Find the shorted output from digital_outputs; check the load and the cable for a short to 0 V.', { message: '数字量输出短路', remedy: '根据 digital_outputs 找出短路的输出；检查负载和电缆是否对 0 V 短路。' }),
      8: diag('analog_wire_break', 'hardware', 'minor', 'Analog input wire break (below 3.6 mA)', 'Check the transmitter loop wiring and its supply; measure the loop current.', { message: '模拟量输入断线（低于 3.6 mA）', remedy: '检查变送器回路接线及其供电；测量回路电流。' }),
      9: diag('fieldbus_slave_missing', 'link', 'major', 'A fieldbus slave does not answer', 'Check the slave\'s power, address and the bus cable and terminators.', { message: '某个现场总线从站无应答', remedy: '检查从站的供电、地址以及总线电缆和终端电阻。' }),
      10: diag('cpu_overtemperature', 'hardware', 'major', 'CPU overtemperature', 'Check the cabinet cooling and filter fans; the CPU halts if it gets hotter.', { message: 'CPU 过温', remedy: '检查机柜冷却和滤网风扇；温度继续升高时 CPU 将停机。' }),
      16: diag('memory_card_error', 'hardware', 'minor', 'Memory card missing or unreadable', 'Reseat or replace the memory card; keep a copy of the program on it.', { message: '存储卡缺失或无法读取', remedy: '重新插入或更换存储卡；在卡上保留一份程序副本。' }),
      17: diag('clock_not_set', 'config', 'warning', 'Real-time clock not set', 'Set the clock or configure NTP; logged data has wrong time stamps until then.', { message: '实时时钟未设置', remedy: '设置时钟或配置 NTP；在此之前记录的数据时间戳有误。' }),
    },
  }, {
    register: 'app_exception',
    related: ['cpu_mode', 'scan_time', 'cycle_counter'],
    unknown: { category: 'software', severity: 'major', remedy: 'Read the exception from the PLC diagnostic buffer and hand it to the programmer.', zh: { remedy: '从 PLC 诊断缓冲区读取异常信息并交给程序员。' } },
    codes: {
      1: diag('app_watchdog', 'software', 'critical', 'Application task watchdog expired: CPU halted', 'Find the endless loop in the task named in the diagnostic buffer; restart the CPU after fixing it.', { message: '应用任务看门狗超时：CPU 已停机', remedy: '在诊断缓冲区中指明的任务里查找死循环；修复后重新启动 CPU。' }),
      2: diag('app_access_violation', 'software', 'critical', 'Application memory access violation: CPU halted', 'A pointer or reference points outside its data; check recent program changes with the programmer.', { message: '应用程序内存访问冲突：CPU 已停机', remedy: '某个指针或引用指向其数据范围之外；与程序员一起检查最近的程序修改。' }),
      3: diag('app_divide_by_zero', 'software', 'major', 'Division by zero in the application', 'Guard the division in the program; check the input that became zero.', { message: '应用程序中除以零', remedy: '在程序中对该除法加以保护；检查变为零的输入。' }),
      4: diag('app_array_bounds', 'software', 'major', 'Array index out of bounds in the application', 'Check the index calculation and limit it to the array size.', { message: '应用程序中数组索引越界', remedy: '检查索引计算并将其限制在数组大小之内。' }),
    },
  }],
  thresholds: [{
    code: 'plc.scan_time_high', parameter: 'scan_time', direction: 'above', limit: 20, deadband: 2, onDelayMs: 3000, offDelayMs: 3000,
    category: 'software', severity: 'warning', message: 'Scan time above 20 ms',
    remedy: 'Look for communication blocks or loops that grew; the process reacts slower and the watchdog may trip.', related: ['scan_time', 'cpu_mode'],
    zh: { message: '扫描时间超过 20 ms', remedy: '查找变大的通信块或循环；过程响应变慢，看门狗可能触发。' },
  }, {
    code: 'plc.cabinet_hot', parameter: 'cabinet_temperature', direction: 'above', limit: 55, deadband: 3, onDelayMs: 10_000, offDelayMs: 10_000,
    category: 'hardware', severity: 'minor', message: 'Control cabinet above 55 °C',
    remedy: 'Check the cabinet fans and filters and that the door is closed; electronics age fast above 55 °C.', related: ['cabinet_temperature'],
    zh: { message: '控制柜温度高于 55 °C', remedy: '检查柜内风扇和滤网以及柜门是否关闭；电子元件在 55 °C 以上老化很快。' },
  }, {
    code: 'plc.supply_low', parameter: 'supply_voltage', direction: 'below', limit: 21.6, deadband: 0.4, onDelayMs: 1000, offDelayMs: 5000,
    category: 'hardware', severity: 'major', message: '24 V supply below 21.6 V',
    remedy: 'Measure the supply under load; an overloaded or failing PSU causes random I/O and CPU resets.', related: ['supply_voltage'],
    zh: { message: '24 V 电源低于 21.6 V', remedy: '在带载情况下测量电源；过载或故障的电源会导致 I/O 随机异常和 CPU 复位。' },
  }],
  rules: [{
    kind: 'stuck', code: 'plc.program_halted', parameter: 'cycle_counter', epsilon: 0, afterMs: 5000,
    when: { parameter: 'cpu_mode', op: 'eq', value: 1 }, category: 'software', severity: 'critical',
    message: 'Scan heartbeat stopped while the CPU reports RUN',
    remedy: 'The program is stuck or the CPU hung without reporting it: check the outputs are safe, then restart the CPU and read its diagnostic buffer.',
    zh: { message: 'CPU 显示 RUN 但扫描心跳已停止', remedy: '程序卡住或 CPU 挂起但未报告：确认输出处于安全状态，然后重启 CPU 并读取其诊断缓冲区。' },
    related: ['cycle_counter', 'cpu_mode', 'scan_time'],
  }, {
    kind: 'stuck', code: 'plc.analog_frozen', parameter: 'analog_in_1', epsilon: 0.001, afterMs: 120_000,
    when: { parameter: 'cpu_mode', op: 'eq', value: 1 }, category: 'hardware', severity: 'minor',
    message: 'Analog input 1 has not moved for 2 minutes',
    remedy: 'A live 4-20 mA signal always jitters: check the transmitter, and whether the channel is forced or the module is in a substitute-value state.',
    zh: { message: '模拟量输入 1 已 2 分钟没有变化', remedy: '正常的 4-20 mA 信号总会有波动：检查变送器，以及该通道是否被强制或模块处于替代值状态。' },
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
      remedy: 'Put the machine in a safe state, restart the CPU and fix the task that hangs.',
      zh: { symptoms: '输出冻结在最后状态；HMI 数值停止更新，CPU 指示灯仍显示 RUN。', diagnosis: ['比较故障前窗口中的 cycle_counter：它停止变化。', '读取诊断缓冲区中紧邻其前的任务超时记录。', '检查 scan_time：持续上升说明某个循环在变大。'], remedy: '使机器进入安全状态，重启 CPU 并修复挂起的任务。' } },
    { code: 'plc.io_bus_error', symptoms: 'Several I/O modules drop out together; inputs read 0 at random.',
      diagnosis: ['Check which modules show a red LED.', 'Reseat them one at a time while watching the diagnostic word.'], remedy: 'Replace the failing module or the backplane connector.',
      zh: { symptoms: '多个 I/O 模块同时掉线；输入随机读为 0。', diagnosis: ['检查哪些模块亮红灯。', '观察诊断字的同时逐个重新插拔模块。'], remedy: '更换故障模块或背板连接器。' } },
    { code: 'plc.battery_low', symptoms: 'Diagnostic bit 0 set; clock and retentive data at risk.',
      diagnosis: ['Note the battery date on the label.'], remedy: 'Replace the battery with power on.',
      zh: { symptoms: '诊断位 0 置位；时钟和保持数据面临丢失风险。', diagnosis: ['记下标签上的电池日期。'], remedy: '在通电状态下更换电池。' } },
  ],
});
