/**
 * Wire codec throughput: FaultEvent encode+decode round trips per second (with a 20-sample
 * snapshot, as the agent sends them), and the raw generated codec alone for comparison. Then the
 * agent's every-second message, a 100-sample Telemetry batch: encodeTelemetry (the direct writer,
 * protocol/telemetry-writer.ts) against protobufjs's generated encoder, in this process and in a
 * child with the agent's interpreter-only V8 flags (LEAN_V8_FLAGS), as the agent runs it.
 * Prints figures; asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LEAN_V8_FLAGS } from '../../agent/launch-bundle.js';
import { decodeFaultEvent, encodeFaultEvent, encodeTelemetry } from '../../protocol/codec.js';
import { faultline } from '../../protocol/gen/faultline.js';
import type { FaultEvent } from '../../protocol/values.js';

const event: FaultEvent = {
  id: '0193a1b2-0000-7000-8000-000000000001', device: 'drive-1', site: 'plant-a', seq: 42, timeMs: Date.now(),
  source: 'modbus', category: 'hardware', code: 'vfd.overcurrent', severity: 'critical', transition: 'raise',
  message: 'Output overcurrent trip', logExcerpt: [], labels: { register: 'fault_code', value: '1' }, adapterId: 'generic-vfd', remedy: 'Check the motor.',
  snapshot: Array.from({ length: 20 }, (_, i) => ({ parameter: 'motor_current', value: 12 + i / 10, quality: 'good' as const, timeMs: Date.now() - i * 100 })),
};

function rate(label: string, fn: () => void, seconds = 2): number {
  for (let i = 0; i < 2000; i++) fn(); // warm up
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(seconds * 1e9);
  while (process.hrtime.bigint() < end) {
    for (let i = 0; i < 500; i++) fn();
    n += 500;
  }
  const per = n / (Number(process.hrtime.bigint() - start) / 1e9);
  process.stdout.write(`${label.padEnd(48)} ${Math.round(per).toLocaleString('en-US').padStart(10)} /s\n`);
  return per;
}

/** µs of CPU per 100-sample telemetry batch: the direct writer and protobufjs, and their ratio. */
function telemetryEncode(label: string): void {
  const samples = Array.from({ length: 100 }, (_, i) => ({ parameter: `p${i}`, value: 50 + i / 10, quality: 'good' as const, timeMs: Date.now() }));
  const wire = { device: 'bench-1', site: 'bench', samples: samples.map((s) => ({ ...s, quality: 0, text: '', reason: 0 })) };
  const cpuPer = (fn: () => void, n: number): number => {
    for (let i = 0; i < 200; i++) fn();
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) fn();
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / n;
  };
  const ours = cpuPer(() => encodeTelemetry({ device: 'bench-1', site: 'bench', samples }), 3000);
  const pbjs = cpuPer(() => faultline.v1.Telemetry.encode(wire).finish(), 3000);
  process.stdout.write(`Telemetry, 100 samples, ${label}: encodeTelemetry ${ours.toFixed(0)} µs, protobufjs ${pbjs.toFixed(0)} µs of CPU per batch (ratio ${(ours / pbjs).toFixed(2)})\n`);
}

export function runCodecBench(): void {
  const bytes = encodeFaultEvent(event);
  process.stdout.write(`FaultEvent with a 20-sample snapshot: ${bytes.length} bytes\n`);
  const ours = rate('codec.ts round trip (validated, mapped)', () => decodeFaultEvent(encodeFaultEvent(event)));
  const wire = faultline.v1.FaultEvent.fromObject({ ...event, source: 1, category: 1, severity: 1, transition: 1, snapshot: event.snapshot.map((s) => ({ ...s, quality: 0 })) });
  const raw = rate('generated codec round trip (no validation)', () => faultline.v1.FaultEvent.decode(faultline.v1.FaultEvent.encode(wire).finish()));
  process.stdout.write(`ratio validated / raw: ${(ours / raw).toFixed(2)}\n`);
  telemetryEncode('default V8');
  const lean = spawnSync(process.execPath, [...LEAN_V8_FLAGS, fileURLToPath(import.meta.url), '--telemetry-only'], { encoding: 'utf8' });
  process.stdout.write(lean.stdout || `(the interpreter-only run failed: ${lean.stderr})\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--telemetry-only')) telemetryEncode(`V8 ${LEAN_V8_FLAGS.join(' ')} (the agent's)`);
  else runCodecBench();
}
