/**
 * Issues fresh secrets for a set of devices in a collector's data directory, replacing any they
 * had: a broker credential and a write key each. What the demo does for its simulated devices
 * before it starts them (and what a provisioning script would do). The secrets are returned to the
 * caller only, for the agents' configs; they are not logged, and stored only hashed (passwords) or
 * sealed (write keys).
 */
import { DeviceProvisioning, type IssuedDevice } from './device-provisioning.js';
import { openCollectorDatabase } from './open-database.js';

export async function provisionDeviceCredentials(
  dataDir: string, site: string, devices: readonly string[], nowMs: number,
): Promise<Map<string, IssuedDevice>> {
  const db = openCollectorDatabase(dataDir, nowMs);
  try {
    const provisioning = new DeviceProvisioning(db, dataDir);
    const issued = new Map<string, IssuedDevice>();
    for (const device of devices) issued.set(device, await provisioning.issue(site, device, nowMs, { replace: true }));
    return issued;
  } finally {
    db.close();
  }
}
