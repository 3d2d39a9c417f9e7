/** `faultline simulate`: a Modbus TCP device simulator built from a firmware adapter. */
import { parseArgs } from 'node:util';
import { createLogger } from '../../runtime/process-log.js';
import { untilSignal } from '../../runtime/signals.js';
import { errorMessage } from '../../protocol/errors.js';
import { ADAPTERS, adapterById } from '../index.js';
import { FaultScenario } from './fault-scenario.js';
import { startModbusDevice } from './modbus-device.js';

export const SIMULATE_HELP = `Usage: faultline simulate [options]

Runs a simulated device that speaks Modbus TCP, built from a firmware adapter: its values move
plausibly and, unless --fault-every 0, a fault is injected now and then.

Options:
  --adapter ID          adapter to simulate (default generic-vfd; one of: ${ADAPTERS.map((a) => a.id).join(', ')})
  --host HOST           address to listen on (default 127.0.0.1)
  --port PORT           TCP port (default: a free port, printed)
  --fault-every SEC     inject a fault every SEC seconds, 0 = never (default 20)
  --fault-duration SEC  how long each fault stays active (default 8)
  --seed N              noise seed, for repeatable runs (default 1)
  -h, --help            show this help`;

function num(name: string, v: string | undefined, def: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number >= 0, got "${v}"`);
  return n;
}

export async function simulateCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        adapter: { type: 'string' }, host: { type: 'string' }, port: { type: 'string' },
        'fault-every': { type: 'string' }, 'fault-duration': { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    process.stderr.write(`faultline simulate: ${errorMessage(err)}\n\n${SIMULATE_HELP}\n`);
    return 2;
  }
  if (values.help) { process.stdout.write(`${SIMULATE_HELP}\n`); return 0; }
  const log = createLogger('faultline-simulate');
  let device;
  let scenario;
  try {
    const adapter = adapterById(values.adapter ?? 'generic-vfd');
    const everyS = num('fault-every', values['fault-every'], 20);
    const durationS = num('fault-duration', values['fault-duration'], 8);
    device = await startModbusDevice(adapter, {
      host: values.host ?? '127.0.0.1', seed: num('seed', values.seed, 1),
      ...(values.port !== undefined ? { port: num('port', values.port, 502) } : {}),
    });
    if (everyS > 0) {
      scenario = new FaultScenario(device.model, {
        everyMs: everyS * 1000, durationMs: Math.min(durationS, everyS) * 1000,
        onStep: (step, on) => log.info({ fault: step.label }, on ? 'fault injected' : 'fault removed'),
      });
      scenario.start();
    }
    log.info({ adapter: adapter.id, host: device.host, port: device.port, unitId: device.unitId }, 'simulated device listening');
    process.stdout.write(`simulated ${adapter.id} on modbus-tcp://${device.host}:${device.port} unit ${device.unitId}\n`);
  } catch (err) {
    process.stderr.write(`faultline simulate: ${errorMessage(err)}\n`);
    await device?.stop();
    return 1;
  }
  await untilSignal();
  scenario?.stop();
  await device.stop();
  return 0;
}
