/**
 * Issues fresh credentials for a set of devices in a collector's data directory, replacing any
 * they had: what the demo does for its simulated devices before it starts them (and what a
 * provisioning script would do). The passwords are returned to the caller only, for the agents'
 * configs; they are not logged or stored anywhere but as hashes.
 */
import { CredentialStore, type IssuedCredential } from './credential-store.js';
import { openCollectorDatabase } from './open-database.js';

export async function provisionDeviceCredentials(
  dataDir: string, site: string, devices: readonly string[], nowMs: number,
): Promise<Map<string, IssuedCredential>> {
  const db = openCollectorDatabase(dataDir, nowMs);
  try {
    const store = new CredentialStore(db);
    const issued = new Map<string, IssuedCredential>();
    for (const device of devices) issued.set(device, await store.add({ kind: 'device', site, device }, nowMs, { replace: true }));
    return issued;
  } finally {
    db.close();
  }
}
