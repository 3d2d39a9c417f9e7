/**
 * The old values of a write, for its audit record: the written parameters read from the device
 * just before the write is sent (a fresh read, as a live read is), and the new ones as the answer
 * reads them back. A write that will be refused anyway (unconfirmed, out of range, no key) reads
 * nothing; a read that fails does not stop the write, its record then says why the old values are
 * unknown.
 */
import { errorMessage } from '../../protocol/errors.js';
import type { Sample } from '../../protocol/values.js';
import type { NamedValue } from '../core/devices/device-audit.js';
import type { DeviceRpc } from '../rpc/device-rpc.js';

export function namedValues(samples: readonly Sample[], names: readonly string[]): NamedValue[] {
  return names.map((name) => {
    const s = samples.find((x) => x.parameter === name);
    return { name, value: s && s.quality === 'good' ? s.value : null };
  });
}

export async function readBeforeWrite(
  rpc: Pick<DeviceRpc, 'request'>, target: { site: string; device: string }, names: readonly string[], validate: () => unknown, timeoutMs: number | undefined,
): Promise<readonly NamedValue[] | { unavailable: string } | undefined> {
  try {
    validate();
  } catch {
    return undefined;
  }
  try {
    const a = await rpc.request(target, { kind: 'read', names: [...names] }, timeoutMs);
    return namedValues(a.response.values, names);
  } catch (err) {
    return { unavailable: errorMessage(err) };
  }
}
