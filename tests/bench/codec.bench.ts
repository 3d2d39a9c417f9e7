/**
 * Wire codec throughput: FaultEvent encode+decode round trips per second (with a 20-sample
 * snapshot, as the agent sends them), and the raw generated codec alone for comparison.
 * Prints figures; asserts nothing.
 */
import { decodeFaultEvent, encodeFaultEvent } from '../../protocol/codec.js';
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

export function runCodecBench(): void {
  const bytes = encodeFaultEvent(event);
  process.stdout.write(`FaultEvent with a 20-sample snapshot: ${bytes.length} bytes\n`);
  const ours = rate('codec.ts round trip (validated, mapped)', () => decodeFaultEvent(encodeFaultEvent(event)));
  const wire = faultline.v1.FaultEvent.fromObject({ ...event, source: 1, category: 1, severity: 1, transition: 1, snapshot: event.snapshot.map((s) => ({ ...s, quality: 0 })) });
  const raw = rate('generated codec round trip (no validation)', () => faultline.v1.FaultEvent.decode(faultline.v1.FaultEvent.encode(wire).finish()));
  process.stdout.write(`ratio validated / raw: ${(ours / raw).toFixed(2)}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) runCodecBench();
