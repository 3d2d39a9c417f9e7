/**
 * `faultline demo` (what `npm start` runs): a collector with its embedded broker and SQLite
 * under ./data, plus a small simulated plant (bin/demo-plant.ts: drives, a PLC, a gateway, a meter
 * and a temperature controller on two sites, each built from its firmware adapter, polled by a real
 * agent over Modbus TCP and reporting over MQTT) where something faults now and then.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { checkAgentConfig } from '../agent/config/load-config.js';
import { startAgent, type RunningAgent } from '../agent/agent.js';
import { startCollector } from '../collector/collector.js';
import { lockDataDir, type DataDirLock } from '../collector/store/index.js';
import { adapterById } from '../firmware-adapters/index.js';
import { FaultScenario } from '../firmware-adapters/simulator/fault-scenario.js';
import { startModbusDevice, type SimulatedModbusDevice } from '../firmware-adapters/simulator/modbus-device.js';
import { errorMessage } from '../protocol/errors.js';
import { ensureDemoUser } from '../collector/users/demo-user.js';
import { provisionDeviceCredentials } from '../collector/security/provision.js';
import { createLogger } from '../runtime/process-log.js';
import { untilSignal } from '../runtime/signals.js';
import { DEFAULT_DRIVES, DEFAULT_FAULT_EVERY_S, LINE_SITE, UTILITIES_SITE, demoPlant, faultSlot } from './demo-plant.js';
/** The demo's service-desk config (the YAML beside this file's source; dist/bin/demo.js is two levels down). */
const DEMO_DESK_CONFIG = fileURLToPath(new URL('../../bin/demo-desk.yaml', import.meta.url));

export const DEMO_HELP = `Usage: faultline demo [options]

Runs a collector (embedded MQTT broker, SQLite under --data-dir, HTTP API) and a simulated
plant (drives and a PLC on ${LINE_SITE}; a gateway, an energy meter and a temperature controller
on ${UTILITIES_SITE}), each device with a real agent; one fault about every --fault-every seconds
somewhere in the plant, each device in turn.

Options:
  --data-dir DIR        where the SQLite database lives (default ./data)
  --mqtt-port PORT      embedded broker port (default 1883)
  --http-port PORT      HTTP API port (default 8080)
  --devices N           simulated drives (default 2; the other devices are always there)
  --fault-every SEC     seconds between two injected faults in the plant (default 40)
  -h, --help            show this help`;

function port(name: string, v: string | undefined, def: number): number {
  const n = v === undefined ? def : Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--${name} must be a port number 0-65535, got "${v}"`);
  return n;
}

export async function demoCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'data-dir': { type: 'string' }, 'mqtt-port': { type: 'string' }, 'http-port': { type: 'string' },
        devices: { type: 'string' }, 'fault-every': { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    process.stderr.write(`faultline demo: ${errorMessage(err)}\n\n${DEMO_HELP}\n`);
    return 2;
  }
  if (values.help) { process.stdout.write(`${DEMO_HELP}\n`); return 0; }
  // The demo talks to a person: plain lines on stdout, JSON logs only for warnings unless asked.
  const log = createLogger('faultline-demo', process.env.FAULTLINE_LOG_LEVEL ?? 'warn');
  const say = (line: string): void => { process.stdout.write(`${new Date().toISOString().slice(11, 19)}  ${line}\n`); };
  const devices = Number(values.devices ?? DEFAULT_DRIVES);
  const faultEvery = Number(values['fault-every'] ?? DEFAULT_FAULT_EVERY_S);
  if (!Number.isInteger(devices) || devices < 1 || devices > 50) { process.stderr.write('faultline demo: --devices must be 1-50\n'); return 2; }
  if (!(faultEvery >= 5)) { process.stderr.write('faultline demo: --fault-every must be at least 5 seconds\n'); return 2; }

  const dataDir = values['data-dir'] ?? './data';
  const plant = demoPlant(devices);
  const sims: SimulatedModbusDevice[] = [];
  const scenarios: FaultScenario[] = [];
  const agents: RunningAgent[] = [];
  let collector;
  let dataDirLock: DataDirLock | undefined;
  let login: { username: string; password: string } | undefined;
  try {
    // Each simulated drive gets its own MQTT credential, so the broker runs as in production:
    // authenticated devices, each allowed only its own topics, and its own write key, so engineers
    // can write parameters through the API. Both are replaced on every demo start.
    // One collector per data directory: taken before the demo user and the credentials are touched.
    const lock = lockDataDir(dataDir, 'demo');
    dataDirLock = lock;
    login = await ensureDemoUser(dataDir, Date.now());
    const creds = new Map<string, { username: string; password: string; writeKey: string }>();
    for (const site of [LINE_SITE, UTILITIES_SITE]) {
      const ids = plant.filter((d) => d.site === site).map((d) => d.id);
      for (const [id, c] of await provisionDeviceCredentials(dataDir, site, ids, Date.now())) creds.set(id, c);
    }
    collector = await startCollector({
      configFile: DEMO_DESK_CONFIG,
      dataDir, mqttHost: '127.0.0.1', httpHost: '127.0.0.1',
      mqttPort: port('mqtt-port', values['mqtt-port'], 1883), httpPort: port('http-port', values['http-port'], 8080),
      log: log.child({ part: 'collector' }), dataDirLock: lock,
    });
    for (const [k, d] of plant.entries()) {
      const sim = await startModbusDevice(adapterById(d.adapter), { seed: k + 1 });
      sims.push(sim);
      const slot = faultSlot(k, plant.length, faultEvery);
      const scenario = new FaultScenario(sim.model, {
        everyMs: slot.everyMs, durationMs: Math.min(8, faultEvery / 2) * 1000, firstAfterMs: slot.firstAfterMs,
        onStep: (step, on) => say(`${d.site}/${d.id}: ${on ? 'fault injected' : 'fault removed'} (${step.label})`),
      });
      scenario.start();
      scenarios.push(scenario);
      const c = creds.get(d.id);
      const config = checkAgentConfig({
        mqtt: { url: collector.mqttUrl, reconnect: { minMs: 500, maxMs: 5000 } },
        stateDir: join(dataDir, 'agents', d.site, d.id),
        devices: [{
          id: d.id, site: d.site, model: d.model, firmware: d.firmware,
          username: c?.username, password: c?.password, writeKey: c?.writeKey,
          modbus: { host: sim.host, port: sim.port, intervals: { normal: 500 } },
          system: { enabled: k === 0 },
        }],
        telemetry: { intervalMs: 2000 },
        detection: { preFaultWindowS: 30 },
      }, 'demo');
      agents.push(await startAgent(config, { log: log.child({ part: 'agent' }) }));
    }
  } catch (err) {
    process.stderr.write(`faultline demo: ${errorMessage(err)}\n`);
    await Promise.allSettled(agents.map((a) => a.stop()));
    scenarios.forEach((s) => s.stop());
    await Promise.allSettled(sims.map((s) => s.stop()));
    await collector?.stop();
    dataDirLock?.release();
    return 1;
  }

  process.stdout.write([
    '',
    `faultline demo is running: ${plant.length} simulated devices (${devices} drive(s) and a PLC on ${LINE_SITE}; a gateway, a meter, a temperature controller on ${UTILITIES_SITE}),`,
    `  one fault about every ${faultEvery} s somewhere in the plant; criticality per device from bin/demo-desk.yaml.`,
    `  Dashboard: ${collector.httpUrl}/   log in as ${login?.username ?? 'demo'} / ${login?.password ?? '?'}   (new password every demo start)`,
    `  API:       ${collector.httpUrl}/api/docs (every route; same login, or a token: faultline user token add)`,
    `  MQTT:      ${collector.mqttUrl}   (each device has its own credential: faultline device list --data-dir ${dataDir})`,
    '  Desk:      teams "drives" (lena L1, omar L2, ute L3) and "utilities" (kai L1, mei L2, ute L3) from bin/demo-desk.yaml',
    '  Stop:      Ctrl+C          (FAULTLINE_LOG_LEVEL=info shows every component\'s JSON log)',
    '',
  ].join('\n'));
  await untilSignal();
  await Promise.allSettled(agents.map((a) => a.stop()));
  scenarios.forEach((s) => s.stop());
  await Promise.allSettled(sims.map((s) => s.stop()));
  await collector.stop();
  return 0;
}
