/**
 * A real agent process (the CLI) polling a simulated generic-vfd drive, with a broker URL nobody
 * listens on, so everything it produces stays in its outbox (`<stateDir>/outbox.db`) for the test
 * to read after it stopped or was killed. Everything is torn down with the test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import vfd from '../../firmware-adapters/devices/generic-vfd.js';
import { startModbusDevice } from '../../firmware-adapters/simulator/modbus-device.js';
import { freeLoopbackPort } from './free-port.js';
import { tempDir } from './temp-dir.js';

const cli = fileURLToPath(new URL('../../bin/faultline.js', import.meta.url));

export interface OfflineAgent {
  child: ChildProcess;
  /** Modbus requests the simulated drive answered so far. */
  requests: () => number;
  stateDir: string;
  exited: Promise<void>;
  stderr: () => string;
}

/** `intervals`: the device's modbus.intervals as YAML flow, e.g. `{ normal: 200 }`; otherwise only what a user would write. `env`: added to the agent's environment. */
export async function startOfflineAgent(t: Test, intervals: string, env: NodeJS.ProcessEnv = {}): Promise<OfflineAgent> {
  const dir = tempDir();
  t.teardown(dir.remove);
  const sim = await startModbusDevice(vfd);
  t.teardown(() => sim.stop());
  const noBroker = await freeLoopbackPort();
  const stateDir = join(dir.path, 'state');
  const config = join(dir.path, 'agent.yaml');
  writeFileSync(config, [
    `mqtt: { url: "mqtt://127.0.0.1:${noBroker}" }`,
    `stateDir: ${JSON.stringify(stateDir)}`,
    'devices:',
    '  - { id: drive-1, site: plant, model: VFD-4000, firmware: "2.3.1",',
    `      modbus: { host: 127.0.0.1, port: ${sim.port}, intervals: ${intervals} } }`,
  ].join('\n'));
  const child = spawn(process.execPath, [cli, 'agent', '--config', config], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => { stderr += b.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.teardown(async () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); await exited; });
  return { child, requests: () => sim.requests, stateDir, exited, stderr: () => stderr };
}
