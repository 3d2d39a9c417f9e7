/**
 * Issues fresh secrets for a set of devices in a collector's data directory, replacing any they
 * had: a broker credential and a write key each. What the demo does for its simulated devices
 * before it starts them (and what a provisioning script would do). The secrets are returned to the
 * caller only, for the agents' configs; they are not logged, and stored only hashed (passwords) or
 * sealed (write keys).
 */
import { DeviceProvisioning, type IssuedDevice } from './device-provisioning.js';
import { silentLogger } from '../../protocol/logger.js';
import { openStore } from '../store/index.js';

export async function provisionDeviceCredentials(
  dataDir: string, site: string, devices: readonly string[], nowMs: number,
): Promise<Map<string, IssuedDevice>> {
  const store = await openStore({ dataDir, nowMs, log: silentLogger() });
  try {
    const provisioning = new DeviceProvisioning(store);
    const issued = new Map<string, IssuedDevice>();
    for (const device of devices) issued.set(device, await provisioning.issue(site, device, nowMs, { replace: true }));
    return issued;
  } finally {
    await store.close();
  }
}
